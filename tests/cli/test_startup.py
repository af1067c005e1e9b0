"""The command line starts without the heavy libraries: help and init never load Ibis or pandas.

Commands import what they need when they run, and type hints name the workspace
through ``TYPE_CHECKING`` imports only; this pins both.
"""

from __future__ import annotations

import subprocess
import sys

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
