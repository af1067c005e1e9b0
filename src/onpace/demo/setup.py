"""The demo workspace: a multichannel business with three years of generated data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from onpace.catalog.scaffold import create_workspace
from onpace.demo.generator import DemoSpec, write_demo_data
from onpace.workspace import Workspace, local_now

DEMO_TIMEZONE = "Europe/Amsterdam"


@dataclass(frozen=True)
class DemoResult:
    """What ``onpace demo`` made: the workspace and the rows per table."""

    workspace: Workspace
    rows: dict[str, int]


def demo_range(today: date, years: int = 3) -> tuple[date, date]:
    """``years`` full calendar years before ``today``'s year, plus this year up to today."""
    return date(today.year - years, 1, 1), today


def create_demo(
    root: Path,
    orders: int = 60_000,
    seed: int = 7,
    years: int = 3,
    today: date | None = None,
    mail_port: int | None = None,
) -> DemoResult:
    """Create (or refresh) the demo workspace in ``root`` and fill its warehouse."""
    root.mkdir(parents=True, exist_ok=True)
    create_workspace(
        root,
        "multichannel",
        name="Demo: Northwind Trading",
        timezone=DEMO_TIMEZONE,
        currency="EUR",
        overwrite=True,
    )
    today = today or local_now(DEMO_TIMEZONE).date()
    start, end = demo_range(today, years)
    ws = Workspace.open(root, strict=True)
    with ws.writing("onpace demo", fresh=True) as warehouse:
        spec = DemoSpec(orders=orders, seed=seed, start=start, end=end)
        rows = write_demo_data(warehouse.backend.con, spec)
    from onpace.demo.demo_targets import create_demo_targets

    for old in (root / "state.db",):  # a refreshed demo starts a fresh target history
        old.unlink(missing_ok=True)
    create_demo_targets(ws, today)
    ws = _review_loop(root, today, mail_port)
    return DemoResult(ws, rows)


DEFAULT_MAIL_PORT = 8025


def _review_loop(root: Path, today: date, mail_port: int | None) -> Workspace:
    """Cadences and owners on the KPIs, reviews, check-ins and alerts.yml (see demo_review)."""
    from datetime import datetime

    from onpace.demo.demo_review import add_demo_reviews, add_review_cadences, write_demo_alerts
    from onpace.targets.roster import load_roster

    add_review_cadences(root)
    ws = Workspace.open(root, strict=True)
    add_demo_reviews(ws, datetime.combine(today, datetime.min.time()))
    reps = sorted(load_roster(ws).reps.values(), key=lambda r: r.rep_id)[:3]
    logins = [((r.name or r.rep_id).split()[0].lower(), r.rep_id) for r in reps]
    port = mail_port or DEFAULT_MAIL_PORT
    where = "the local SMTP sink of 'onpace demo --mail-to-dir DIR'"
    write_demo_alerts(root, logins, port, where)
    return ws
