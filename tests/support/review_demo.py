"""One small demo workspace per test session, copied for each test that writes to it.

The review loop (alerts, digests, check-ins, the review pack) is tested on the demo
business: 3,000 orders over two years up to 27 Nov 2025, with its targets.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from onpace.workspace import Workspace

DEMO_TODAY = date(2025, 11, 27)


@pytest.fixture(scope="session")
def review_demo_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from onpace.demo.setup import create_demo

    root = tmp_path_factory.mktemp("review_demo")
    create_demo(root, orders=3000, seed=3, years=2, today=DEMO_TODAY)
    return root


@pytest.fixture
def demo_ws(review_demo_root: Path, tmp_path: Path) -> Workspace:
    """A fresh copy of the demo (warehouse and state store) for one test."""
    root = tmp_path / "demo"
    shutil.copytree(review_demo_root, root)
    return Workspace.open(root)
