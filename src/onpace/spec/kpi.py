"""The KPI spec: frozen pydantic models for every metric type.

The shapes follow the metric types analysts know from semantic layers:

- ``simple``: one aggregation of one column (or small expression) of one entity;
- ``ratio``: a numerator measure over a denominator measure, each with its own filter
  and possibly on different entities;
- ``derived``: an arithmetic expression over other KPIs, with ``prior(x)`` and
  ``last_year(x)`` for growth;
- ``snapshot``: a stock at the end of each period (rows alive between two times);
- ``duration``: the average (or median) time between two timestamps, in days;
- ``conversion``: the share of base events followed by a conversion event for the
  same key within a window.

Unknown keys are refused everywhere (``extra="forbid"``) so that a typo such as
``filtr:`` is reported instead of silently ignored. Only the *shape* is checked
here; whether columns, entities and referenced KPIs exist is checked against the
data model by :mod:`onpace.spec.validate`, which can report every problem at once.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from onpace.errors import FilterError

Agg = Literal["count", "count_distinct", "sum", "avg", "min", "max", "median"]
Unit = Literal["currency", "count", "percent", "days", "ratio", "score"]
Direction = Literal["higher", "lower"]
Cadence = Literal["weekly", "monthly", "quarterly", "yearly"]

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Measure(_Frozen):
    """An aggregation over one entity, placed in periods by its time column.

    ``column`` names what is aggregated; ``expr`` instead gives a small arithmetic
    or CASE expression over the entity's columns (``amount - cost``). ``count``
    needs neither: it counts rows.
    """

    entity: str
    agg: Agg
    column: str | None = None
    expr: str | None = None
    filter: str | None = None
    time: str

    @field_validator("column", "expr", "filter")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty; leave the field out instead")
        return value


def split_languages(data: Any) -> Any:
    """``label: {en: Revenue, nl: Omzet}`` becomes ``label`` (English, else the first
    language given) and ``labels`` (every language); the same for ``description``.
    A plain string stays the label in every language."""
    if not isinstance(data, dict):
        return data
    out = dict(data)
    for field, many in (("label", "labels"), ("description", "descriptions")):
        value = out.get(field)
        if isinstance(value, dict):
            texts = {str(k): v for k, v in value.items()}
            if not texts or not all(isinstance(v, str) and v.strip() for v in texts.values()):
                raise ValueError(f"{field}: give a text per language, e.g. {{en: ..., nl: ...}}")
            out[field] = texts.get("en") or next(iter(texts.values()))
            out[many] = texts
    return out


class _KpiBase(_Frozen):
    name: str
    label: str
    description: str = ""
    labels: dict[str, str] = Field(default_factory=dict)
    descriptions: dict[str, str] = Field(default_factory=dict)
    unit: Unit
    direction: Direction = "higher"
    dimensions: tuple[str, ...] = ()
    area: str = "sales"
    objective: str | None = None
    owner: str | None = None
    review_cadence: Cadence | None = None
    decimals: int | None = Field(default=None, ge=0, le=6)

    _languages = model_validator(mode="before")(split_languages)

    def label_in(self, language: str) -> str:
        """The label in ``language``; the default label when it has none in it."""
        return self.labels.get(language) or self.label

    def description_in(self, language: str) -> str:
        """The description in ``language``; the default one when it has none in it."""
        return self.descriptions.get(language) or self.description

    @field_validator("name")
    @classmethod
    def _snake_case(cls, value: str) -> str:
        if not NAME_PATTERN.match(value):
            raise ValueError(
                "must be snake_case: lower-case letters, digits and underscores, "
                "starting with a letter"
            )
        return value


class SimpleKpi(_KpiBase, Measure):
    """One aggregation of one entity: ``agg(column) where filter``, per period.

    Its fields are a :class:`Measure`'s (with the same checks) plus the KPI's own.
    """

    type: Literal["simple"]

    @property
    def measure(self) -> Measure:
        return Measure.model_validate(self.model_dump(include=set(Measure.model_fields)))


class RatioKpi(_KpiBase):
    """``numerator / denominator * multiplier``; null with a reason when the denominator is 0."""

    type: Literal["ratio"]
    numerator: Measure
    denominator: Measure
    multiplier: float = 1.0


class DerivedKpi(_KpiBase):
    """An expression over other KPIs: ``gross_profit - operating_costs``.

    ``prior(kpi)`` is the value in the previous period and ``last_year(kpi)`` in the
    same period a year earlier, so growth is ``revenue / last_year(revenue) - 1``.
    """

    type: Literal["derived"]
    expr: str


class SnapshotKpi(_KpiBase):
    """A stock at the end of each period: rows with ``start <= end of period < end``.

    With ``window_days`` a row counts only while its ``start`` is at most that many
    days before the end of the period (for "customers with an order in the last
    year"). Counting distinct ``column`` values gives e.g. active customers.
    """

    type: Literal["snapshot"]
    entity: str
    agg: Literal["count", "count_distinct", "sum"]
    column: str | None = None
    start: str
    end: str | None = None
    window_days: int | None = Field(default=None, gt=0)
    filter: str | None = None


class DurationKpi(_KpiBase):
    """Average (or median) days from ``start`` to ``end``, for rows ending in the period."""

    type: Literal["duration"]
    entity: str
    start: str
    end: str
    agg: Literal["avg", "median", "min", "max"] = "avg"
    filter: str | None = None
    time: str | None = None

    @property
    def time_column(self) -> str:
        return self.time or self.end


class ConversionSide(_Frozen):
    """One side of a conversion: an entity, the timestamp of its event, and the key that links."""

    entity: str
    time: str
    key: str
    filter: str | None = None


class ConversionKpi(_KpiBase):
    """Share of ``base`` events followed by a same-key ``conversion`` event within the window."""

    type: Literal["conversion"]
    base: ConversionSide
    conversion: ConversionSide
    window_days: int = Field(gt=0)


Kpi = Annotated[
    SimpleKpi | RatioKpi | DerivedKpi | SnapshotKpi | DurationKpi | ConversionKpi,
    Field(discriminator="type"),
]

KPI_TYPES: tuple[str, ...] = ("simple", "ratio", "derived", "snapshot", "duration", "conversion")
AnyKpi = SimpleKpi | RatioKpi | DerivedKpi | SnapshotKpi | DurationKpi | ConversionKpi


class KpiFile(_Frozen):
    """The content of one ``kpis/*.yml`` file."""

    kpis: tuple[Kpi, ...] = ()


def kpi_entities(kpi: AnyKpi) -> tuple[str, ...]:
    """The entities a KPI reads directly (derived KPIs read none themselves)."""
    if isinstance(kpi, SimpleKpi | SnapshotKpi | DurationKpi):
        return (kpi.entity,)
    if isinstance(kpi, RatioKpi):
        return tuple(dict.fromkeys((kpi.numerator.entity, kpi.denominator.entity)))
    if isinstance(kpi, ConversionKpi):
        return tuple(dict.fromkeys((kpi.base.entity, kpi.conversion.entity)))
    return ()


def derived_references(kpi: AnyKpi) -> tuple[str, ...]:
    """KPI names a derived KPI reads (empty for other types or unreadable formulas)."""
    if not isinstance(kpi, DerivedKpi):
        return ()
    from onpace.spec.filters import parse_derived_expression  # sqlglot: only when asked

    try:
        return parse_derived_expression(kpi.expr).columns
    except FilterError:
        return ()


def lagged_references(kpi: AnyKpi) -> dict[str, set[str]]:
    """Per input of a derived KPI, how its formula reads it earlier: ``prior``, ``last_year``.

    ``revenue / prior(revenue) - 1`` gives ``{"revenue": {"prior"}}``; inputs read only
    as they are, other KPI types and unreadable formulas give nothing.
    """
    if not isinstance(kpi, DerivedKpi):
        return {}
    from sqlglot import exp

    from onpace.spec.filters import parse_derived_expression  # sqlglot: only when asked

    try:
        tree = parse_derived_expression(kpi.expr).tree
    except FilterError:
        return {}
    out: dict[str, set[str]] = {}
    for node in tree.find_all(exp.Anonymous):
        out.setdefault(node.expressions[0].name, set()).add(str(node.name).lower())
    return out
