"""``onpace compute`` answered from stored values with DuckDB alone prints what computing prints.

The direct read (onpace.values.direct) is compared with the same command forced onto
the query engine (which answers from the store through Ibis, or computes), for the
table, JSON and CSV, on the small sales workspace with its store built; requests the
store does not hold fall back; and a stored compute run as its own process imports
neither pandas nor Ibis.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from onpace.cli.main import app
from onpace.views.long_table import frame_json_number, writes_exactly
from onpace.workspace import Workspace
from tests.support.sales_workspace import sales_workspace

AS_OF = datetime(2024, 7, 1, 9, 0)
AT = ["--as-of", "2024-07-01T15:30"]  # later the same day: the store still answers
AT_MOMENT = datetime(2024, 7, 1, 15, 30)

REQUESTS = [
    ["revenue"],
    ["revenue", "orders", "--from", "2024-01", "--to", "2024-03"],
    ["revenue", "orders", "--grain", "quarter", "--by", "channel", "--from", "2023-Q1"],
    ["average_order_value", "--grain", "week", "--from", "2024-02-01", "--to", "2024-03-15"],
    ["revenue_growth_prior", "--by", "channel", "--from", "2024-01", "--to", "2024-06"],
    ["active_customers", "new_customers", "--grain", "year", "--from", "2023"],
    # periods after the as-of moment: shown with the note a computation gives them
    ["revenue", "--by", "channel", "--from", "2024-05", "--to", "2024-09"],
    # a breakdown wholly after them: the stock members of the last stored period carried
    ["active_customers", "--by", "segment", "--from", "2024-08", "--to", "2024-10"],
]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = sales_workspace(tmp_path_factory.mktemp("stored-compute") / "ws")
    Workspace.open(root).refresh(as_of=AS_OF)
    return root


def _run(root: Path, args: list[str], direct: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The command's result, read directly or (``direct=False``) through the query engine."""
    import onpace.values.direct as direct_module

    taken: list[bool] = []
    real = direct_module.answer_directly

    def spy(*a: Any, **k: Any) -> Any:
        found = real(*a, **k) if direct else None
        taken.append(found is not None)
        return found

    with monkeypatch.context() as patched:
        patched.setattr(direct_module, "answer_directly", spy)
        result = CliRunner().invoke(app, ["compute", *args, "-w", str(root), *AT])
    assert result.exit_code == 0, result.output
    return result, any(taken)


@pytest.mark.parametrize("args", REQUESTS, ids=lambda a: " ".join(a))
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_the_direct_read_prints_what_computing_prints(
    root: Path, args: list[str], fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = [*args, "--format", fmt]
    fast, took_direct = _run(root, request, True, monkeypatch)
    slow, _ = _run(root, request, False, monkeypatch)
    assert took_direct, "the store holds this request: it must be read directly"
    assert fast.stdout == slow.stdout
    assert fast.stderr == slow.stderr


def test_the_direct_read_has_the_numbers(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Q1 2024 revenue by month worked out by hand: 230, 215.50 and 220 (sales_data.py)."""
    args = ["revenue", "--from", "2024-01", "--to", "2024-03", "--format", "json"]
    result, took_direct = _run(root, args, True, monkeypatch)
    assert took_direct
    rows = json.loads(result.stdout)
    assert [(r["period_label"], r["value"]) for r in rows] == [
        ("2024-01", 230),
        ("2024-02", 215.5),
        ("2024-03", 220),
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["revenue", "--by", "channel", "--top", "1"],  # ranking: computed
        ["revenue", "--grain", "all"],  # one total: not stored
        ["revenue", "--by", "channel", "--by", "rep"],  # two dimensions: not stored
        ["revenue", "--from", "2019-01", "--to", "2019-03"],  # before the stored periods
        ["revenue", "--as-of", "2024-07-02T08:00"],  # the next day: the store is stale
        ["revenue", "revenue"],  # the same KPI twice: as computing lays it out
    ],
    ids=lambda a: " ".join(a),
)
def test_what_the_store_does_not_hold_is_computed(
    root: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import onpace.values.direct as direct_module

    answers: list[Any] = []
    real = direct_module.answer_directly

    def spy(*a: Any, **k: Any) -> Any:
        answers.append(real(*a, **k))
        return answers[-1]

    monkeypatch.setattr(direct_module, "answer_directly", spy)
    moment = [] if "--as-of" in args else AT
    result = CliRunner().invoke(app, ["compute", *args, "-w", str(root), *moment])
    assert result.exit_code == 0, result.output
    assert all(a is None for a in answers)
    assert "Revenue" in result.stdout


def test_an_unknown_kpi_gets_the_usual_error(root: Path) -> None:
    result = CliRunner().invoke(app, ["compute", "revenu", "-w", str(root), *AT])
    assert result.exit_code == 1
    assert "unknown KPI 'revenu'" in result.output and "revenue" in result.output


def test_a_changed_definition_is_not_read_from_the_store(root: Path, tmp_path: Path) -> None:
    """A KPI edited since the store was built: its stored values no longer answer."""
    import shutil

    from onpace.values.direct import answer_directly

    copy = tmp_path / "ws"
    shutil.copytree(root, copy)
    ws = Workspace.open(copy)
    assert answer_directly(ws, ["revenue"], "month", "2024-01", "2024-03", [], AT_MOMENT)
    sales = copy / "kpis" / "sales.yml"
    text = sales.read_text(encoding="utf-8")
    counted = "  filter: status is null or status <> 'cancelled'\n  time: ordered_at\n"
    assert text.count(counted) >= 1
    sales.write_text(text.replace(counted, "  time: ordered_at\n", 1), encoding="utf-8")
    changed = Workspace.open(copy)
    assert changed.kpis["revenue"].filter is None  # the first KPI of the file: revenue
    assert (
        answer_directly(changed, ["revenue"], "month", "2024-01", "2024-03", [], AT_MOMENT) is None
    )
    # the KPIs that did not change are still read from the store
    assert answer_directly(changed, ["orders"], "month", "2024-01", "2024-03", [], AT_MOMENT)


PROBE = """
import sys
from onpace.cli.main import main
sys.argv = ["onpace", "compute", "revenue", "orders", "--by", "channel", "-w", {root!r},
            "--as-of", "2024-07-01T15:30"]
try:
    main()
finally:
    print("LOADED:" + ",".join(m for m in ("pandas", "ibis", "numpy", "pyarrow")
                               if m in sys.modules))
"""


def test_a_stored_compute_imports_neither_pandas_nor_ibis(root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(root=str(root))],
        capture_output=True,
        text=True,
        check=True,
    )
    out, _, loaded = done.stdout.rpartition("LOADED:")
    assert loaded.strip() == ""
    assert "Revenue" in out and "sales" in out
    # and the same process forced to compute does import them: the probe can tell
    forced = PROBE.replace("--by", "--top").replace('"channel"', '"1", "--by", "channel"')
    done = subprocess.run(
        [sys.executable, "-c", forced.format(root=str(root))],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "pandas" in done.stdout.rpartition("LOADED:")[2]


def test_json_numbers_are_written_as_the_frame_writes_them() -> None:
    """On many values of every size: equal to pandas' JSON writer, or declined."""
    rng = random.Random(13)
    values = [rng.uniform(-1, 1) * 10 ** rng.randint(-11, 16) for _ in range(20_000)]
    values += [round(rng.uniform(0, 1e6), 2) for _ in range(5_000)]
    values += [k / 2048 for k in range(1, 2048)] + [k / 3 for k in range(1, 2000)]
    values += [0.0, -0.0, float("nan"), 2.5e-10, 1e15, 1e-10]
    written = json.loads(pd.DataFrame({"v": values}).to_json(orient="records"))
    checked = 0
    for value, row in zip(values, written, strict=True):
        if not writes_exactly(value):
            continue
        ours = frame_json_number(value)
        checked += 1
        assert ours == row["v"] or (ours is None and row["v"] is None), value
    assert checked > 0.8 * len(values)  # what is declined is only very large, small or tied
    assert not writes_exactly(2.5e-10)  # a tie at the tenth place, written its own way


def test_csv_numbers_are_written_as_the_frame_writes_them() -> None:
    from onpace.views.long_table import LongTable, csv_text

    rng = random.Random(5)
    values = [rng.uniform(-1, 1) * 10 ** rng.randint(-20, 20) for _ in range(2_000)]
    values += [float("nan"), 0.0, 1e16, 123.0]
    n = len(values)
    day = datetime(2024, 1, 1).date()
    members = ["=cmd", "a,b", 'q"r', None] * (n // 4)
    table = LongTable(["k"] * n, [day] * n, ["2024-01"] * n, {"m": members}, values, [None] * n)
    frame = pd.DataFrame(
        {
            "kpi": ["k"] * n,
            "period": [day.isoformat()] * n,
            "period_label": ["2024-01"] * n,
            "m": pd.Series(members, dtype=object),
            "value": pd.Series(values, dtype="float64"),
            "note": pd.Series([None] * n, dtype=object),
        }
    )
    from onpace.views.value_cells import safe_frame

    assert csv_text(table) == safe_frame(frame).to_csv(index=False)


def test_the_hashes_of_some_kpis_are_those_of_all(root: Path) -> None:
    from onpace.values.keys import kpi_hashes

    kpis = Workspace.open(root).kpis
    every = kpi_hashes(kpis)
    for name in kpis:
        some = kpi_hashes(kpis, [name])
        assert some[name] == every[name]
        assert all(every[n] == h for n, h in some.items())
