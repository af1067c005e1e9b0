"""A small demo workspace for command tests: 3,000 orders, two years, up to 27 November 2025."""

from __future__ import annotations

from datetime import date
from pathlib import Path

SMALL_DEMO_DAY = date(2025, 11, 27)


def make_small_demo(root: Path) -> Path:
    from onpace.demo.setup import create_demo

    create_demo(root, orders=3000, seed=3, years=2, today=SMALL_DEMO_DAY)
    return root
