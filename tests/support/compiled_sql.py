"""The SQL a plan compiles to in a dialect, without connecting to any database.

Ibis compiles an expression over *unbound* tables (a name and a schema) to any
dialect it knows; the tables here carry the sales data model's schemas, exactly
what :func:`onpace.query.warehouse.arrow_schema` stores. PySpark's compiler reads
its backend options, which Ibis registers when ``ibis.pyspark`` is first touched; no
JVM is started for that.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import ibis

from onpace.calendar import Calendar, Grain, next_period_start, periods_between
from onpace.model.entities import ENTITIES
from onpace.query.assemble import Evaluator
from onpace.query.batch import Batch
from onpace.query.build import Window
from onpace.query.plan import build_plan
from onpace.query.spells import customer_spells
from onpace.query.warehouse import arrow_schema
from onpace.spec.kpi import AnyKpi
from onpace.spec.workspace_config import ChurnSettings

DIALECTS = ("duckdb", "pyspark", "postgres")
START, END, AS_OF = date(2024, 1, 1), date(2024, 4, 1), datetime(2024, 7, 1)


def _unbound(name: str) -> Any:
    return ibis.table(ibis.Schema.from_pyarrow(arrow_schema(ENTITIES[name])), name=name)


def _available(name: str) -> set[str]:
    return set(ENTITIES[name].column_names)


def _never(expr: Any) -> Any:
    raise AssertionError("compiled SQL is never executed")


def plan_expressions(
    names: Sequence[str],
    kpis: dict[str, AnyKpi],
    by: tuple[str, ...] = (),
    grain: Grain = "month",
    churn: ChurnSettings = ChurnSettings(days=30),
) -> dict[str, Any]:
    """Every Ibis expression computing ``names`` runs, over unbound tables, by title."""
    calendar = Calendar()
    made: dict[str, Any] = {}

    def tables(name: str) -> Any:
        return made["spells"] if name == "customer_spells" else _unbound(name)

    periods = periods_between(START, END, grain, calendar)
    last = next_period_start(periods[-1], grain)
    window = Window(
        grain, calendar, by, datetime(START.year, START.month, START.day),
        datetime(last.year, last.month, last.day), AS_OF,
    )  # fmt: skip
    plan = build_plan(list(names), kpis)
    evaluator = Evaluator(plan, window, periods, tables, _available, execute=_never)
    # the spells with only the columns the queries read, as a computation makes them
    read = Batch([evaluator], tables, _available, _never).columns_read("customer_spells")
    made["spells"] = customer_spells(_unbound, _available, churn, AS_OF, read)
    return evaluator.expressions()


def to_sql(expr: Any, dialect: str) -> str:
    """``expr`` in ``dialect``, with Ibis's generated in-memory table names made stable."""
    if dialect == "pyspark":
        ibis.pyspark  # noqa: B018 - registers the PySpark compiler's options
    sql = str(ibis.to_sql(expr, dialect=dialect))
    return re.sub(r"ibis_pandas_memtable_[a-z0-9]+", "spine", sql)
