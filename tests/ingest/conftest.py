"""Fixtures of the ingest tests (the helpers themselves are in helpers.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ingest.helpers import write_workspace

# tests/ is on sys.path (its conftest.py is a rootdir conftest), so the fixture imports plainly
from tests.support.pg_server import pg_url  # noqa: F401


@pytest.fixture
def make_ws(tmp_path: Path) -> Callable[..., Path]:
    """Make a workspace with onpace.yml, sources.yml and data files in a fresh folder."""
    counter = iter(range(1000))

    def make(sources: str, files: dict[str, str | bytes], timezone: str = "UTC") -> Path:
        return write_workspace(tmp_path / f"ws{next(counter)}", sources, files, timezone)

    return make
