"""How well a column fits a column of the sales model, from its name and its values.

The rules are in roles.yml (which concepts a header may name, per entity column);
this module scores one column against one role: the name's concepts must fit
(a "Birth Date" is a date, but of no event an order has; "Customer Name" can stand
for the customer, "Customer Country" cannot), and the values must be what the role
holds (a date column reads as dates in one format over the whole file, an amount as
numbers, a status as a few words). The score is between 0 and 1, with a one-line
reason that names what decided it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from onpace.ingest.propose.profiles import Profile
from onpace.ingest.propose.vocabulary import Concepts

CURRENCIES = frozenset(
    [
        "EUR",
        "USD",
        "GBP",
        "CHF",
        "JPY",
        "SEK",
        "NOK",
        "DKK",
        "PLN",
        "CZK",
        "HUF",
        "RON",
        "BGN",
        "ISK",
        "AUD",
        "CAD",
        "NZD",
        "CNY",
        "HKD",
        "SGD",
        "INR",
        "BRL",
        "MXN",
        "ARS",
        "CLP",
        "COP",
        "PEN",
        "ZAR",
        "TRY",
        "RUB",
        "UAH",
        "KRW",
        "TWD",
        "THB",
        "MYR",
        "IDR",
        "PHP",
        "AED",
        "SAR",
        "QAR",
        "ILS",
        "EGP",
    ]
)
_FOREIGN_SUBJECT_FACTOR = 0.5
_NO_SUBJECT_FACTOR = 0.85


@dataclass(frozen=True)
class Role:
    """One column of one entity, and how an export's header may name it."""

    entity: str
    column: str
    kind: str
    subjects: tuple[str, ...]
    attributes: tuple[str, ...]
    events: tuple[str, ...] = ()
    event_required: bool = False
    need: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()
    prefer: tuple[str, ...] = ()
    bare: bool = False
    subject_required: bool = False


@dataclass(frozen=True)
class EntityRules:
    """An entity's roles and how its tables are named."""

    name: str
    names: tuple[str, ...]
    roles: dict[str, Role]
    lines: bool = False
    dimension: bool = False


@dataclass(frozen=True)
class Fit:
    """A column fitting a role: how well (0..1) and why, in one line."""

    role: Role
    profile: Profile
    score: float
    reason: str


@lru_cache(maxsize=1)
def rules() -> tuple[dict[str, EntityRules], tuple[str, ...]]:
    """The entities of roles.yml, and the subjects of lookup tables."""
    text = resources.files("onpace.ingest.propose").joinpath("roles.yml").read_text("utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    defaults: dict[str, list[str]] = raw["defaults"]
    entities: dict[str, EntityRules] = {}
    for name, spec in raw["entities"].items():
        roles = {
            column: _role(name, column, body, defaults) for column, body in spec["columns"].items()
        }
        entities[name] = EntityRules(
            name,
            tuple(spec["names"]),
            roles,
            lines=bool(spec.get("lines", False)),
            dimension=bool(spec.get("dimension", False)),
        )
    return entities, tuple(raw["lookups"])


def _role(entity: str, column: str, body: dict[str, Any], defaults: dict[str, list[str]]) -> Role:
    kind = str(body["kind"])
    return Role(
        entity,
        column,
        kind,
        tuple(body.get("subjects", ())),
        tuple(body.get("attributes", defaults[kind])),
        tuple(body.get("events", ())),
        body.get("event") == "required",
        tuple(body.get("need", ())),
        tuple(body.get("avoid", ())),
        tuple(body.get("weak", ())),
        tuple(body.get("prefer", ())),
        bool(body.get("bare", False)),
        body.get("subject") == "required" or kind == "key",
    )


# -- the name ---------------------------------------------------------------------


def _subject_factor(c: Concepts, role: Role) -> float | None:
    """The header's head subject against the role's: the same, none, or another one."""
    if not role.subjects:
        return 1.0 if not c.subjects else 0.75
    head = c.head
    if head is None:
        return None if role.subject_required else _NO_SUBJECT_FACTOR
    if head == role.subjects[0]:
        return 1.0
    if head in role.subjects:
        return 0.92
    if role.kind in ("key", "ref", "date") or role.subject_required:
        return None
    return _FOREIGN_SUBJECT_FACTOR


def _attribute_factor(c: Concepts, role: Role) -> float | None:
    allowed = role.attributes
    # each phrase naming an attribute must name one this role allows ("state" may be
    # a status or a region: either reading will do)
    groups = [
        g
        for g in c.alternatives(
            "attributes", unless="subjects" if role.kind in ("key", "ref") else None
        )
        if g != ("flag",) or role.kind == "flag"
    ]
    if role.kind == "date":
        others = [g for g in groups if not set(g) & {"date", "duration"}]
        if others:
            return None
        return 1.0 if ("date" in c.attributes or c.events) else None
    if not groups:
        if role.kind in ("key", "ref") and c.subjects and (role.bare or role.kind == "key"):
            return 0.9
        if role.kind == "money" and {"net", "gross"} & set(c.modifiers) and not role.need:
            return 0.8  # "Net", "Brutto": an amount by its modifier alone
        if role.bare and (c.subjects or c.modifiers) and (c.subjects or role.need):
            return 0.85
        return None
    chosen = []
    for group in groups:
        fitting = [a for a in group if a in allowed]
        if not fitting:
            return None
        chosen.append(fitting[0])
    if role.kind == "ref" and chosen[0] == "name":
        return 0.65
    return 1.0 if allowed.index(chosen[0]) == 0 else 0.85


def _event_factor(c: Concepts, role: Role) -> float | None:
    if role.kind != "date":
        return 1.0
    if any(e not in role.events for e in c.events):
        return None
    if role.event_required and not c.events:
        return None
    if not c.events:
        return 0.85
    return 1.0 if role.events and c.events[0] == role.events[0] else 0.92


def _modifier_factor(c: Concepts, role: Role) -> float | None:
    if role.kind != "money":
        return 1.0
    mods = set(c.modifiers)
    if role.need and not mods & set(role.need):
        return None
    if mods & set(role.avoid) - set(role.need):
        return None
    factor = 1.0
    if mods & set(role.weak):
        factor *= 0.6
    if mods & set(role.prefer):
        factor *= 1.1
    return factor


def name_fit(c: Concepts, role: Role) -> float:
    """How well a header's concepts name ``role`` (0 when they name something else)."""
    product = 1.0
    for factor in (
        _subject_factor(c, role),
        _attribute_factor(c, role),
        _event_factor(c, role),
        _modifier_factor(c, role),
    ):
        if factor is None:
            return 0.0
        product *= factor
    return min(product, 1.0)


# -- the values ---------------------------------------------------------------------


def _label_values(p: Profile) -> bool:
    return p.values is not None and not p.is_date and not (p.is_number and not p.is_integer)


def value_fit(p: Profile, role: Role) -> tuple[float, str]:
    """How well the values fit ``role``'s kind, and what they are, in a few words."""
    kind = role.kind
    if not p.filled:
        return 0.0, "always empty"
    if kind in ("key", "ref"):
        if p.id_like or (p.share(p.emails) >= 0.95 and not p.free_text):
            return 1.0, f"{p.distinct:,} distinct values"
        return 0.0, "not identifiers"
    if kind == "date":
        if p.is_date:
            return p.date_rate, "dates" + (f" ({p.date_format})" if p.date_format else " (ISO)")
        return 0.0, "not dates"
    if kind == "money":
        return (1.0, "numbers") if p.is_number else (0.0, "not numbers")
    if kind == "count":
        return (1.0, "whole numbers") if p.is_integer else (0.0, "not whole numbers")
    if kind == "score":
        ok = p.is_number and p.int_max is not None and p.int_max <= 100
        return (1.0, "scores") if ok else (0.0, "not scores on a scale")
    if kind == "code":
        codes = set(p.values or {}) <= CURRENCIES and bool(p.values)
        return (1.0, "currency codes") if codes else (0.0, "not currency codes")
    if kind == "flag":
        return (1.0, "yes/no values") if p.share(p.flags) >= 0.95 else (0.0, "not yes/no")
    if _label_values(p):
        return 1.0, f"{p.distinct} distinct values"
    return (0.7, f"{p.distinct:,} distinct values") if not p.free_text else (0.0, "free text")


def fit(p: Profile, role: Role) -> Fit | None:
    """``p`` as ``role``, or None when its name or its values do not fit."""
    named = name_fit(p.concepts, role)
    values, what = value_fit(p, role)
    if named <= 0 and role.kind == "code" and values == 1.0:
        named = 0.6  # currency codes speak for themselves
    if named <= 0 or values <= 0:
        return None
    return Fit(role, p, named * values, f"named {p.name!r}; {what}")
