"""Benchmark: how long a command of the onpace CLI takes, start to finish, on the demo.

Run ``python bench/cli_start.py --workspace onpace-demo`` on a workspace made by
``onpace demo`` (its value store built by the demo). Each command runs as a fresh
process, in turns with its baseline so both meet the same machine load:

- ``onpace --help`` against ``python -c "import typer, rich"`` (the libraries any
  Typer program with Rich help starts with) and against the previous code path (the
  full app built, every command's parameters included);
- ``onpace kpi list`` against ``python -c "import yaml"`` reading the KPI files;
- ``onpace compute revenue`` (answered from the stored values, as a table and as
  JSON) against a Python process that opens the warehouse read-only with DuckDB and
  runs the one ``GROUP BY`` of revenue per month that an expert would write, and
  against the previous code path (the same command through the query engine, which
  reads the same stored values through Ibis and pandas).

The processes run as a user's would after the first run: with Python's bytecode
cache (kept in a temporary folder, so a ``PYTHONDONTWRITEBYTECODE`` environment
does not make every run compile onpace's sources again).

It also times ``Workspace.open`` in process, from the definition cache against reading
and validating every file (the cache bypassed), alternated. The medians of wall time, their paired
ratios and the medians of CPU time (user + system, steadier on a busy machine) are printed.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ONPACE = [sys.executable, "-c", "from onpace.cli.main import main; main()"]
# the code paths before the fast start, run in the same interpreter for comparison
FULL_HELP = [
    sys.executable,
    "-c",
    "from onpace.cli.main import app; from onpace.cli.startup import resolve_hints; "
    "resolve_hints(app); app()",
]
THROUGH_ENGINE = [
    sys.executable,
    "-c",
    "import onpace.values.direct as d; d.answer_directly = lambda *a, **k: None; "
    "from onpace.cli.main import main; main()",
]
TYPER_AND_RICH = [sys.executable, "-c", "import typer, rich.console, rich.table"]
EXPERT_REVENUE = """
import duckdb
con = duckdb.connect({db!r}, read_only=True)
print(con.sql(\"\"\"SELECT date_trunc('month', ordered_at) AS m, sum(amount) FROM orders
WHERE status IS NULL OR status <> 'cancelled' GROUP BY 1 ORDER BY 1 DESC LIMIT 12\"\"\").fetchall())
"""
READ_KPIS = """
import pathlib, yaml
for f in sorted(pathlib.Path({kpis!r}).glob('*.yml')):
    yaml.safe_load(f.read_text(encoding='utf-8'))
"""


CPU: dict[tuple[str, ...], list[float]] = {}
ENV = dict(os.environ)


def wall(cmd: list[str]) -> float:
    """Wall time of one run; its CPU time (user + system) is kept in ``CPU``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=ENV)
    took = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{cmd} failed:\n{done.stderr[-2000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    CPU.setdefault(tuple(cmd), []).append(cpu)
    return took


def pair(ours: list[str], theirs: list[str], rounds: int) -> tuple[float, float, float]:
    """Medians of both and the median of the paired ratios, after one warm-up each."""
    wall(ours), wall(theirs)
    a: list[float] = []
    b: list[float] = []
    for i in range(rounds):
        turns = [(ours, a), (theirs, b)] if i % 2 == 0 else [(theirs, b), (ours, a)]
        for cmd, out in turns:
            out.append(wall(cmd))
    ratios = [x / y for x, y in zip(a, b, strict=True)]
    return statistics.median(a), statistics.median(b), statistics.median(ratios)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workspace", required=True, help="a workspace made by onpace demo")
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    ENV["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="onpace-bench-pyc-")
    root = Path(args.workspace).resolve()
    import onpace.workspace as workspace_module
    from onpace.workspace import Workspace

    def open_once(cached: bool) -> float:
        """One Workspace.open, from the definition cache or reading every file."""
        real = workspace_module.load_definitions
        if not cached:
            workspace_module.load_definitions = lambda root, key: None  # type: ignore[assignment]
        try:
            started = time.perf_counter()
            Workspace.open(root)
            return time.perf_counter() - started
        finally:
            workspace_module.load_definitions = real

    open_once(True)
    opened: list[float] = []
    read: list[float] = []
    for i in range(args.rounds):
        for cached in (True, False) if i % 2 == 0 else (False, True):
            (opened if cached else read).append(open_once(cached))
    ws = Workspace.open(root)
    db = ws.warehouse.files.path if ws.warehouse.files else root / "warehouse.duckdb"
    status = ws.values.status(ws.warehouse, ws.now())
    if not status.current:  # stored values are as of their day: bring them to today first
        ws.refresh()
        status = ws.values.status(ws.warehouse, ws.now())
    print(f"stored values: {status.kpis} KPIs, current: {status.current}")
    print(
        f"Workspace.open in process: median {statistics.median(opened):.3f} s (goal < 0.3); "
        f"reading and validating the files instead: {statistics.median(read):.3f} s"
    )
    compute = ["compute", "revenue", "-w", str(root)]
    cases = [
        ("onpace --help", [*ONPACE, "--help"], TYPER_AND_RICH, 0.3),
        ("  before: full app", [*FULL_HELP, "--help"], [*ONPACE, "--help"], None),
        (
            "onpace kpi list",
            [*ONPACE, "kpi", "list", "-w", str(root)],
            [sys.executable, "-c", READ_KPIS.format(kpis=str(root / "kpis"))],
            None,
        ),
        (
            "onpace compute revenue",
            [*ONPACE, *compute],
            [sys.executable, "-c", EXPERT_REVENUE.format(db=str(db))],
            0.5,
        ),
        ("  before: query engine", [*THROUGH_ENGINE, *compute], [*ONPACE, *compute], None),
        (
            "  --format json",
            [*ONPACE, *compute, "--format", "json"],
            [sys.executable, "-c", EXPERT_REVENUE.format(db=str(db))],
            0.5,
        ),
    ]
    for label, ours, theirs, goal in cases:
        a, b, ratio = pair(ours, theirs, args.rounds)
        aim = f"; goal < {goal} s: {'met' if a < goal else 'missed'}" if goal else ""
        cpu_a = statistics.median(CPU[tuple(ours)])
        cpu_b = statistics.median(CPU[tuple(theirs)])
        print(
            f"{label:<24} wall {a:.3f} s  baseline {b:.3f} s  ratio {ratio:.2f}{aim}; "
            f"CPU {cpu_a:.3f} s  baseline {cpu_b:.3f} s",
            flush=True,
        )


if __name__ == "__main__":
    try:
        main()
    finally:
        if "PYTHONPYCACHEPREFIX" in ENV:
            shutil.rmtree(ENV["PYTHONPYCACHEPREFIX"], ignore_errors=True)
