"""The OpenAPI document of /api/v1, with what this workspace accepts spelt out.

FastAPI derives the document from the Python signatures, which know only that a
KPI or a dimension is a string. This adds what the workspace knows: the KPI
names and the dimensions (dotted ones included, ``rep.team``) as enumerations,
and the forms of periods and days as patterns. Clients read what they may send,
and a generator of test requests (Schemathesis) produces exactly the valid cases
that are hard to guess: every dimension, year 9999, the year 0001.

The server does not enforce these (so its answers to anything else stay the
400s and 404s with a "did you mean"); they describe what it accepts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from onpace.workspace import Workspace

# The period labels of onpace.calendar.parse_period, and the custom range of targets.
PERIOD = r"(FY)?\d{4}(-Q[1-4])?|\d{4}-W\d{2}|\d{4}-\d{2}(-\d{2})?"
DAY = r"\d{4}-\d{2}-\d{2}"
PERIOD_PATTERN = f"^({PERIOD})$"
DAY_PATTERN = f"^{DAY}$"
TARGET_PERIOD_PATTERN = rf"^({PERIOD}|{DAY}\.\.{DAY})$"

KPI_PARAMETERS = frozenset({"kpi", "other"})
PERIOD_PARAMETERS = frozenset({"period"})
BOUND_PARAMETERS = frozenset({"start", "end"})


def _strings(schema: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """The string schemas inside ``schema``: itself, its ``anyOf`` branches, its items."""
    if schema.get("type") == "string":
        yield schema
    for branch in schema.get("anyOf", ()):
        yield from _strings(branch)
    if isinstance(schema.get("items"), dict):
        yield from _strings(schema["items"])


def _constrain(schema: dict[str, Any], **extra: Any) -> None:
    for text in _strings(schema):
        text.update(extra)
        if "enum" in extra:  # an enumeration says it all; lengths would only contradict it
            text.pop("minLength", None)
            text.pop("maxLength", None)


def _parameter_rule(
    path: str, name: str, schema: dict[str, Any], kpis: list[str], dims: list[str]
) -> dict[str, Any] | None:
    if name in KPI_PARAMETERS or (name == "name" and path.startswith("/api/v1/kpis/")):
        return {"enum": kpis}
    if name == "by" and dims:
        return {"enum": dims}
    if name in PERIOD_PARAMETERS:
        return {"pattern": PERIOD_PATTERN}
    if name in BOUND_PARAMETERS and not any(s.get("format") for s in _strings(schema)):
        if path.endswith("/scorecard"):  # the days of a custom range
            return {"pattern": DAY_PATTERN}
        return {"pattern": PERIOD_PATTERN}  # periods or days (a day is a period too)
    return None


def _body_rules(kpis: list[str], dims: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    member = "|".join(re.escape(d) for d in dims) or "[a-z_.]+"
    return {
        "TargetIn": {
            "kpi": {"enum": kpis},
            "period": {"pattern": TARGET_PERIOD_PATTERN},
            "by": {"pattern": f"^({member})=.+$"},
        },
        "ReviewIn": {"kpi": {"enum": kpis}},
    }


def enrich(document: dict[str, Any], ws: Workspace) -> dict[str, Any]:
    """``document`` with the workspace's enumerations and patterns added (in place)."""
    kpis = sorted(ws.kpis)
    dims = sorted({d for k in ws.kpis.values() for d in k.dimensions})
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            for parameter in operation.get("parameters", ()):
                schema = parameter.get("schema", {})
                rule = _parameter_rule(path, parameter["name"], schema, kpis, dims)
                if rule:
                    _constrain(schema, **rule)
    schemas = document.get("components", {}).get("schemas", {})
    for model, fields in _body_rules(kpis, dims).items():
        properties = schemas.get(model, {}).get("properties", {})
        for field, rule in fields.items():
            if field in properties:
                _constrain(properties[field], **rule)
    return document
