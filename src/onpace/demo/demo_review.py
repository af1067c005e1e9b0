"""The review loop of the demo: cadences and owners on its KPIs, reviews, check-ins, alerts.

So that a new user sees the whole loop without setting anything up: the reviews
page shows when each KPI is due, the KPI pages and the review pack carry check-ins,
and alerts.yml has rules that fire on the demo's slipping KPIs. With a mail
directory (``onpace demo --mail-to-dir DIR``) the email channel points at a local
SMTP sink that writes every message to DIR as an .eml file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ruamel.yaml import YAML

from onpace.calendar import period_start
from onpace.targets.definition import standard_period
from onpace.workspace import Workspace

# the KPIs with targets are reviewed monthly by their owner, the rest each quarter
OWNERS = {"revenue": "ceo", "gross_profit": "ceo", "orders": "head_of_sales"}
AREA_OWNERS = {"sales": "head_of_sales", "customers": "head_of_service", "finance": "cfo"}
MONTHLY = ("revenue", "gross_profit", "orders", "return_rate")

ALERTS_YML = """\
# Alert rules of the demo (see docs/alerts.md). The email channel points at {where}.
channels:
  email: {{host: 127.0.0.1, port: {port}, starttls: false, sender: onpace-demo@northwind.example}}
people:
  ceo: {{email: ceo@northwind.example, role: manager}}
  head_of_sales: {{email: sales@northwind.example, role: manager}}
  head_of_service: {{email: service@northwind.example, role: manager, language: nl}}
{reps}retry: {{attempts: 2, backoff_seconds: 1}}
digest: {{every: week, weekday: mon, hour: 7}}
rules:
  - name: slipping
    when: status
    recipients: {{roles: [manager], owner: true}}
    channels: [email]
  - name: rep_quota_off_track
    when: status
    kpis: [revenue]
    scope: each rep
    at_least: off track
    recipients: {{roles: [rep], users: [head_of_sales]}}
    channels: [email]
  - name: stale_data
    when: freshness
    older_than: 3d
    recipients: {{users: [head_of_sales]}}
    channels: [email]
"""


def add_review_cadences(root: Path) -> int:
    """Give every demo KPI an owner and a review cadence; returns how many were set."""
    yaml = YAML()
    yaml.preserve_quotes = True
    count = 0
    for file in sorted((root / "kpis").glob("*.yml")):
        doc = yaml.load(file.read_text(encoding="utf-8"))
        for kpi in doc.get("kpis") or []:
            name = kpi["name"]
            kpi["owner"] = OWNERS.get(name) or AREA_OWNERS.get(kpi.get("area"), "head_of_sales")
            kpi["review_cadence"] = "monthly" if name in MONTHLY else "quarterly"
            count += 1
        with file.open("w", encoding="utf-8") as out:
            yaml.dump(doc, out)
    return count


def write_demo_alerts(root: Path, reps: list[tuple[str, str]], port: int, where: str) -> None:
    people = "".join(
        f"  {login}: {{email: {login}@northwind.example, role: rep, rep: {rep}}}\n"
        for login, rep in reps
    )
    (root / "alerts.yml").write_text(
        ALERTS_YML.format(port=port, where=where, reps=people), encoding="utf-8"
    )


def add_demo_reviews(ws: Workspace, now: datetime) -> None:
    """Two reviews and three check-ins, dated in the quarter in progress."""
    from onpace.reviews.checkins import add_checkin
    from onpace.reviews.records import add_review

    quarter = standard_period(period_start(now.date(), "quarter", ws.calendar), "quarter")
    moment = now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC)
    day = timedelta(days=1)
    review = "budget still right; Q4 seasonality as planned"
    add_review(ws.store, ws.kpis, "revenue", "keep", review, "ceo", moment - 20 * day)
    review = "returns back to normal after the recall"
    add_review(
        ws.store, ws.kpis, "return_rate", "keep", review, "head_of_service", moment - 40 * day
    )
    note = "Two large orders slipped to next month; pipeline covers it"
    add_checkin(
        ws, quarter.label, note, "at risk", "orders", None, "head_of_sales", moment - 3 * day
    )
    note = "Margin push is behind: discounts in the web shop"
    add_checkin(ws, quarter.label, note, "4", "gross_profit", None, "ceo", moment - 2 * day)
    add_checkin(ws, quarter.label, "On plan", "8", None, "profitable_growth", "ceo", moment - day)
