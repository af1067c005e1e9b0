"""Describe KPIs for people: formulas in words, listings and details.

These are the data functions behind ``onpace kpi list/show`` and the catalog
documentation (``compute``'s table is :mod:`onpace.views.long_table`'s): one function
per view, returning plain data that a CLI table, a JSON answer or a web page can all
render.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from onpace.errors import UnknownNameError, did_you_mean
from onpace.spec.kpi import (
    AnyKpi,
    ConversionKpi,
    DerivedKpi,
    DurationKpi,
    Measure,
    RatioKpi,
    SimpleKpi,
    SnapshotKpi,
    kpi_entities,
)

if TYPE_CHECKING:
    from onpace.workspace import Workspace


def _agg_text(agg: str, what: str | None) -> str:
    if agg == "count" and what is None:
        return "count(*)"
    if agg == "count_distinct":
        return f"count(distinct {what})"
    return f"{agg}({what})"


def measure_text(m: Measure) -> str:
    """``sum(amount) of orders where status = 'won', by ordered_at``."""
    text = f"{_agg_text(m.agg, m.column or m.expr)} of {m.entity}"
    if m.filter:
        text += f" where {m.filter}"
    return text + f", by {m.time}"


def formula(kpi: AnyKpi) -> str:
    """The KPI's formula in one line."""
    if isinstance(kpi, SimpleKpi):
        return measure_text(kpi.measure)
    if isinstance(kpi, RatioKpi):
        text = f"[{measure_text(kpi.numerator)}] / [{measure_text(kpi.denominator)}]"
        return text + (f" x {kpi.multiplier:g}" if kpi.multiplier != 1 else "")
    if isinstance(kpi, DerivedKpi):
        return kpi.expr
    if isinstance(kpi, SnapshotKpi):
        alive = f"{kpi.start} < end of period" + (f" <= {kpi.end}" if kpi.end else "")
        if kpi.window_days:
            alive += f", {kpi.start} within the last {kpi.window_days} days"
        text = f"{_agg_text(kpi.agg, kpi.column)} of {kpi.entity} with {alive}"
        return text + (f" where {kpi.filter}" if kpi.filter else "")
    if isinstance(kpi, DurationKpi):
        text = f"{kpi.agg} days from {kpi.start} to {kpi.end} of {kpi.entity}"
        text += f" where {kpi.filter}" if kpi.filter else ""
        return text + f", by {kpi.time_column}"
    assert isinstance(kpi, ConversionKpi)
    b, c = kpi.base, kpi.conversion
    return (
        f"share of {b.entity}"
        + (f" where {b.filter}" if b.filter else "")
        + f" (by {b.time}) followed within {kpi.window_days} days by {c.entity}"
        + (f" where {c.filter}" if c.filter else "")
        + f" with the same {b.key}"
    )


def kpi_rows(ws: Workspace) -> list[dict[str, str]]:
    """One summary row per KPI of the workspace."""
    return [
        {
            "name": k.name,
            "label": k.label,
            "type": k.type,
            "unit": k.unit,
            "direction": k.direction,
            "area": k.area,
        }
        for k in sorted(ws.kpis.values(), key=lambda k: (k.area, k.name))
    ]


def kpi_detail(ws: Workspace, name: str) -> dict[str, Any]:
    """Everything to show about one KPI."""
    if name not in ws.kpis:
        raise UnknownNameError(f"unknown KPI '{name}'." + did_you_mean(name, ws.kpis))
    kpi: AnyKpi = ws.kpis[name]
    source = ws.sources.get(name)
    return {
        "name": kpi.name,
        "label": kpi.label,
        "type": kpi.type,
        "description": kpi.description,
        "formula": formula(kpi),
        "unit": kpi.unit,
        "direction": kpi.direction,
        "dimensions": list(kpi.dimensions),
        "entities": list(kpi_entities(kpi)),
        "objective": kpi.objective,
        "owner": kpi.owner,
        "review_cadence": kpi.review_cadence,
        "area": kpi.area,
        "defined_at": f"{source.file}:{source.line()}" if source and source.file else None,
    }
