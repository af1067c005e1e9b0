"""What stored values depend on, as hashes: a KPI's definition (and its inputs'), the settings.

A stored value is used only while the definition it was computed from is unchanged,
so each KPI's hash covers its own definition and, for a derived KPI, the hashes of
every KPI its formula reads. The settings hash covers what every value depends on:
the fiscal calendar, the churn rule and the time zone, and the layout of the cells.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from onpace.calendar import Calendar
from onpace.query.plan import expand
from onpace.spec.kpi import AnyKpi, derived_references, kpi_entities
from onpace.spec.workspace_config import ChurnSettings
from onpace.values.layout import FORMAT

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


def kpi_hashes(kpis: dict[str, AnyKpi], names: Sequence[str] | None = None) -> dict[str, str]:
    """Per KPI, a hash of its definition and of the definitions it is computed from.

    With ``names``, of those KPIs (and their inputs) alone: reading a derived KPI's
    inputs parses its formula, which a command reading one simple KPI need not pay.
    """
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

    for name in kpis if names is None else names:
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


def read_entities(kpis: dict[str, Any], names: Sequence[str], timing: bool = False) -> list[str]:
    """The warehouse tables the KPIs ``names`` (and the KPIs their formulas read) read.

    Customer spells are made from the orders, so they stand for ``orders``; with
    ``timing`` (the tables whose rows coming due move the values) for ``customers``
    too, whose ``churned_at`` can end a spell.
    """
    entities: list[str] = []
    for name in expand(list(names), kpis):
        for entity in kpi_entities(kpis[name]):
            spells = entity == "customer_spells"
            sources = (
                ["orders", "customers"] if spells and timing else ["orders"] if spells else [entity]
            )
            entities += [e for e in sources if e not in entities]
    return entities
