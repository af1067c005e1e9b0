"""The command line starts without the heavy libraries: help and init never load Ibis or pandas.

Commands import what they need when they run, and type hints name the workspace
through ``TYPE_CHECKING`` imports only; this pins both.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HEAVY = ("ibis", "pandas", "pyarrow", "duckdb", "sqlalchemy", "fastapi", "numpy")

PROBE = """
import sys
from typer.testing import CliRunner
from onpace.cli.main import app
for args in {commands!r}:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, (args, result.output)
print(",".join(m for m in {heavy!r} if m in sys.modules))
"""


def _loaded_after(commands: list[list[str]]) -> list[str]:
    code = PROBE.format(commands=commands, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def test_help_loads_no_heavy_library() -> None:
    assert _loaded_after([["--help"], ["target", "--help"], ["compute", "--help"]]) == []


def test_importing_onpace_loads_no_heavy_library() -> None:
    code = f"import sys, onpace; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


RUN_MAIN = """
import sys
from onpace.cli.main import main
sys.argv = ["onpace", *sys.argv[1:]]
try:
    main()
finally:
    print("HEAVY:" + ",".join(m for m in {heavy!r} if m in sys.modules))
"""


def _main(*args: str) -> tuple[int, str, list[str]]:
    """Run the console entry point (which builds only the command asked for)."""
    code = RUN_MAIN.format(heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    out, _, heavy = done.stdout.rpartition("HEAVY:")
    return done.returncode, out + done.stderr, [m for m in heavy.strip().split(",") if m]


def test_the_entry_point_runs_one_command_without_building_the_others(tmp_path: Path) -> None:
    from onpace.catalog.scaffold import create_workspace

    root = tmp_path / "shop"
    create_workspace(root, "multichannel", name="Shop", timezone="UTC")
    code, out, heavy = _main("kpi", "list", "-w", str(root))
    assert code == 0 and "average_order_value" in out and "KPIs of Shop" in out
    assert heavy == []
    # a command with an argument of its own (one command alone must not become the app)
    code, out, _ = _main("init", str(tmp_path / "new"), "--template", "ecommerce")
    assert code == 0 and (tmp_path / "new" / "onpace.yml").is_file(), out
    # a group's own help
    code, out, _ = _main("kpi", "--help")
    assert code == 0 and "list" in out and "show" in out
    # the whole program's help still lists every command, from every module
    code, out, _ = _main("--help")
    assert code == 0 and all(c in out for c in ("compute", "target", "serve", "ingest", "kpi"))
    # a mistyped command gets the full app's answer, with its suggestion
    code, out, _ = _main("computee", "revenue")
    assert code == 2 and "No such command" in out and "compute" in out


def test_the_program_help_lists_what_the_full_app_lists() -> None:
    """The listing (commands without their parameters) prints the full app's help, byte for byte.

    Also for a bare ``onpace`` and an unknown option, which answer with the same usage.
    """
    from typer.testing import CliRunner

    from onpace.cli.main import app
    from onpace.cli.startup import listing, resolve_hints

    resolve_hints(app)
    for args in (["--help"], [], ["--no-such-option"]):
        full = CliRunner().invoke(app, args, terminal_width=100)
        listed = CliRunner().invoke(listing(app), args, terminal_width=100)
        assert (listed.exit_code, listed.output) == (full.exit_code, full.output), args
    listed = CliRunner().invoke(listing(app), ["--help"], terminal_width=100).output
    assert "compute" in listed and "Compute KPIs per period" in listed and "kpi" in listed
