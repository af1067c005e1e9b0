"""The YAML shapes of driver trees and funnels: frozen pydantic models, unknown keys refused.

Both live beside the KPIs, in any file the workspace reads KPIs from
(``kpi_files`` in onpace.yml), under the keys ``trees:`` and ``funnels:``:

.. code-block:: yaml

    trees:
      - kpi: revenue
        formula: buying_customers * orders_per_buying_customer * average_order_value

    funnels:
      - name: web_shop
        label: Web shop
        window_days: 7
        steps:
          - {name: visits, entity: web_sessions, time: started_at}
          - {name: carts, entity: carts, time: created_at, key: session_id}
          - {name: orders, entity: orders, time: ordered_at, key: order_id}

Only the shape is checked here; whether the KPIs, entities and columns exist, and
whether a tree's identity holds, is checked by :mod:`onpace.compare.loading` and
:mod:`onpace.compare.identity`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from onpace.spec.kpi import NAME_PATTERN

MAX_WINDOW_DAYS = 3660


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _snake(value: str) -> str:
    if not NAME_PATTERN.match(value):
        raise ValueError(
            "must be snake_case: lower-case letters, digits and underscores, starting with a letter"
        )
    return value


class DriverTree(_Frozen):
    """A KPI written as a product or a sum of other KPIs (its drivers).

    ``formula`` multiplies and divides (``revenue * gross_margin``) or adds and
    subtracts (``customers_won - customers_lost``) KPI names; it must hold on the
    data, which ``onpace validate`` checks. A KPI may have several trees; the one
    called ``default`` (or its first) is used unless another is asked for.
    """

    kpi: str
    formula: str
    name: str = "default"
    label: str = ""
    description: str = ""

    @field_validator("kpi", "name")
    @classmethod
    def _names(cls, value: str) -> str:
        return _snake(value)

    @property
    def key(self) -> str:
        return f"{self.kpi}/{self.name}"


class FunnelStep(_Frozen):
    """One step of a funnel: rows of ``entity`` dated by ``time``.

    From the second step on, a row belongs to a unit of the funnel when its
    ``key`` column equals the ``previous_key`` column (default: the same name) of a
    row the unit reached at the step before, and its time is at or after that row's
    time and at most ``window_days`` later (the funnel's window unless set here).
    """

    name: str
    entity: str
    time: str
    label: str = ""
    filter: str | None = None
    key: str | None = None
    previous_key: str | None = None
    window_days: int | None = Field(default=None, gt=0, le=MAX_WINDOW_DAYS)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _snake(value)

    @field_validator("filter", "key", "previous_key")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty; leave the field out instead")
        return value

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()


class Funnel(_Frozen):
    """Steps a unit (a row of the first step: a visit, a lead) goes through in order.

    A unit reaches step *k* when some row of step *k* matches a row it reached at
    step *k-1* within the window; the step's time for the unit is the earliest such
    row. ``dimensions`` are columns of the first step's entity (or reached through
    its relations, like ``rep.team``) to break the funnel down by.
    """

    name: str
    label: str
    steps: tuple[FunnelStep, ...] = Field(min_length=2, max_length=10)
    description: str = ""
    window_days: int = Field(default=30, gt=0, le=MAX_WINDOW_DAYS)
    dimensions: tuple[str, ...] = ()

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _snake(value)

    def window_of(self, index: int) -> int:
        """Days step ``index`` may follow the step before it."""
        return self.steps[index].window_days or self.window_days

    @property
    def total_window_days(self) -> int:
        """The longest a unit can take from the first step to the last."""
        return sum(self.window_of(i) for i in range(1, len(self.steps)))
