"""What stored values depend on, as hashes: a KPI's definition (and its inputs'), the settings.

A stored value is used only while the definition it was computed from is unchanged,
so each KPI's hash covers its own definition and, for a derived KPI, the hashes of
every KPI its formula reads. The settings hash covers what every value depends on:
the fiscal calendar, the churn rule and the time zone, and the layout of the cells.
"""

from __future__ import annotations

import hashlib
import json

from onpace.calendar import Calendar
from onpace.spec.kpi import AnyKpi, derived_references
from onpace.spec.workspace_config import ChurnSettings
from onpace.values.cells import FORMAT

# fields that say what a KPI is for, not how it is computed
_NOT_IN_VALUES = {
    "label",
    "description",
    "area",
    "unit",
    "direction",
    "objective",
    "owner",
    "review_cadence",
    "decimals",
}


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def kpi_hashes(kpis: dict[str, AnyKpi]) -> dict[str, str]:
    """Per KPI, a hash of its definition and of the definitions it is computed from."""
    out: dict[str, str] = {}

    def visit(name: str, trail: frozenset[str]) -> str:
        if name in out:
            return out[name]
        kpi = kpis.get(name)
        if kpi is None or name in trail:  # an unknown or circular reference: never equal
            return _digest("missing", name)
        own = kpi.model_dump_json(exclude=_NOT_IN_VALUES)
        refs = [visit(r, trail | {name}) for r in derived_references(kpi)]
        out[name] = _digest(own, *refs)
        return out[name]

    for name in kpis:
        visit(name, frozenset())
    return out


def settings_hash(calendar: Calendar, churn: ChurnSettings, timezone: str) -> str:
    """A hash of everything every stored value depends on besides its own definition."""
    doc = {
        "format": FORMAT,
        "fiscal_year_start": calendar.fiscal_year_start,
        "churn": churn.model_dump(),
        "timezone": timezone,
    }
    return _digest(json.dumps(doc, sort_keys=True))
