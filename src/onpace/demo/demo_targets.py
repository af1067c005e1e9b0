"""Objectives and targets of the demo workspace, chosen so ``onpace demo`` shows every status.

Demo targets are placed relative to what the generated data projects, so that
whatever day the demo is made on, one target is comfortably on track, one at
risk, one off track and one (next quarter's revenue, set as a growth on last
year) unrealistic. A real business sets targets beforehand; the demo derives
them from the data only to make every status visible.
"""

from __future__ import annotations

from datetime import date, datetime

from onpace.calendar import next_period_start, period_start, shift_period
from onpace.store import Store, workspace_store
from onpace.targets.actuals import KpiData
from onpace.targets.definition import Target, TargetPeriod, baseline_period, standard_period
from onpace.targets.evaluation import evaluate_target
from onpace.workspace import Workspace

OBJECTIVES_YML = """\
# Strategic objectives of the demo business: long-term goals and the KPIs that measure them.
objectives:
  - name: profitable_growth
    label:
      en: Grow sales about 10% a year, profitably
      nl: Ongeveer 10% per jaar meer verkopen, met winst
    description:
      en: The board's goal for the plan years, in revenue and gross profit.
      nl: Het doel van de directie voor de planjaren, in omzet en brutowinst.
    horizon: {first}..{last}
    owner: ceo
    kpis: {{revenue: 3, gross_profit: 2}}
    objectives:
      - name: more_orders
        label:
          en: Win more orders in every channel
          nl: Meer bestellingen in elk kanaal
        owner: head_of_sales
        kpis: {{orders: 1}}
  - name: loyal_customers
    label:
      en: Customers who keep what they buy and come back
      nl: Klanten die houden wat ze kopen en terugkomen
    horizon: {first}..{last}
    owner: head_of_service
    kpis: {{return_rate: 1}}
"""

# (KPI, factor on the projection, phasing, reason); lower-is-better factors invert
PLAN: tuple[tuple[str, str, float, str], ...] = (
    ("revenue", "year", 0.95, "annual budget"),
    ("return_rate", "quarter", 1.05, "keep returns under control"),
    ("orders", "quarter", 1.06, "quarterly order plan"),
    ("gross_profit", "quarter", 1.30, "margin push"),
)
REP_FACTORS = (0.95, 1.06, 1.30)
LAST_QUARTER_FACTORS = (1.20, 0.97, 0.90)  # attainment last quarter: 83%, 103%, 111%


def _projection(data: KpiData, ws: Workspace, target: Target) -> float | None:
    return evaluate_target(data, target, ws.config.status).projection


def create_demo_targets(ws: Workspace, today: date) -> int:
    """Write objectives.yml and set the demo targets; returns how many were set."""
    first = today.year - 1
    (ws.root / ws.config.objectives_file).write_text(
        OBJECTIVES_YML.format(first=first, last=first + 4), encoding="utf-8"
    )
    as_of = datetime.combine(today, datetime.min.time())
    data = KpiData(ws, as_of)
    cal = ws.calendar
    store = workspace_store(ws)
    count = 0
    try:
        for kpi, grain, factor, why in PLAN:
            if data.missing(kpi):
                continue
            period = standard_period(period_start(today, grain, cal), grain, cal)  # type: ignore[arg-type]
            probe = Target(kpi, period, 1.0, phasing="seasonal" if grain == "year" else "linear")
            projected = _projection(data, ws, probe)
            if projected is None:
                continue
            value = _round(projected * factor)
            store.set_target(Target(kpi, period, value, phasing=probe.phasing), why, "demo")
            count += 1
        quarter = standard_period(period_start(today, "quarter", cal), "quarter", cal)
        reps = _top_reps(ws, data, quarter)
        for rep, factor in zip(reps, REP_FACTORS, strict=False):
            probe = Target("revenue", quarter, 1.0, "rep", rep)
            projected = _projection(data, ws, probe)
            if projected is None:
                continue
            target = Target("revenue", quarter, _round(projected * factor), "rep", rep)
            store.set_target(target, f"quota of {rep}", "demo")
            count += 1
        count += _last_quarter_quotas(ws, data, store, quarter, reps)
        count += _unrealistic(ws, data, store, today)
    finally:
        store.close()
    return count


def _last_quarter_quotas(
    ws: Workspace, data: KpiData, store: Store, quarter: TargetPeriod, reps: list[str]
) -> int:
    """Quotas of the same reps for the quarter before, so the leaderboard has a change of rank."""
    last = standard_period(shift_period(quarter.start, "quarter", -1), "quarter", ws.calendar)
    count = 0
    for rep, factor in zip(reps, LAST_QUARTER_FACTORS, strict=False):
        actual = data.value("revenue", last, "rep", rep)
        if not actual:
            continue
        target = Target("revenue", last, _round(actual * factor), "rep", rep)
        store.set_target(target, f"quota of {rep}", "demo")
        count += 1
    return count


def _unrealistic(ws: Workspace, data: KpiData, store: object, today: date) -> int:
    """Next quarter's revenue at twice its projection, written as growth on last year."""
    from onpace.store import Store

    assert isinstance(store, Store)
    cal = ws.calendar
    start = next_period_start(period_start(today, "quarter", cal), "quarter")
    period = standard_period(start, "quarter", cal)
    projected = _projection(data, ws, Target("revenue", period, 1.0))
    base_period = baseline_period(period, "last_year", cal)
    last_year = data.value("revenue", base_period)
    if not projected or not last_year:
        return 0
    limit = ws.config.status.unrealistic_below
    for multiple in (2, 3, 5, 8, 13):  # the first stretch the forecast gives under 10%
        change = round((multiple * projected / last_year - 1) * 100)
        target = Target(
            "revenue",
            period,
            last_year * (1 + change / 100),
            basis="relative",
            change_kind="percent",
            change=change / 100,
            baseline="last_year",
            baseline_period=base_period.label,
            baseline_value=last_year,
        )
        p = evaluate_target(data, target, ws.config.status).probability
        if p is not None and p < limit:
            break
    store.set_target(target, f"+{change}% on last year: the board's stretch goal", "demo")
    return 1


def _top_reps(ws: Workspace, data: KpiData, quarter: TargetPeriod) -> list[str]:
    last = baseline_period(quarter, "last_year", ws.calendar)
    frame = ws.compute(
        ["revenue"],
        grain="quarter",
        start=last.start,
        end_before=last.end,
        by="rep",
        as_of=data.as_of,
    )
    frame = frame.dropna(subset=["value", "rep"]).sort_values(
        ["value", "rep"], ascending=[False, True]
    )
    return [str(r) for r in frame["rep"].head(len(REP_FACTORS))]


def _round(value: float) -> float:
    """Round to three significant digits, as a planner would: 1,234,567 -> 1,230,000."""
    if value == 0:
        return 0.0
    from math import floor, log10

    digits = 2 - floor(log10(abs(value)))
    return round(value, digits)
