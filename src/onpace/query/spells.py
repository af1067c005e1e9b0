"""The derived ``customer_spells`` table: spells of activity per customer, from orders.

Customer KPIs (won, new, lost, active, lifetime) read spells rather than orders. With
the inactivity rule a spell is a run of orders none more than ``churn.days`` apart; it
is lost ``churn.days`` after its last order. With explicit end dates
(``churn.method: end_date``) every customer has one spell, from ``first_seen_at`` (or
the first order) to ``churned_at``. Either way ``active(end) - active(start) = won -
lost`` holds exactly, customers won back included.

Only the columns asked for are made: a customer's attributes are joined only when a
KPI breaks spells down by them, the spell number and the text ``spell_id`` only when
read. Inactivity spells come from one window over each customer's orders (the gaps
to the previous and next order, and the order's position) and a second one over the
few rows where a spell starts or ends; no grouping of all orders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import ibis

from onpace.errors import MissingDataError
from onpace.query.build import TableSource, timestamp_literal
from onpace.spec.filters import parse_row_expression, to_ibis
from onpace.spec.workspace_config import ChurnSettings

ROW_COLUMN = "customer_id"  # what a count of spells counts: every spell has a customer

SPELL_COLUMNS = (
    "spell_id",
    "customer_id",
    "spell_number",
    "started_at",
    "last_order_at",
    "lost_at",
    "orders",
    "segment",
    "region",
    "country",
    "is_target_audience",
)


def customer_spells(
    tables: TableSource,
    available: Callable[[str], set[str]],
    churn: ChurnSettings,
    as_of: datetime,
    columns: Iterable[str] | None = None,
) -> Any:
    """The derived ``customer_spells`` table: spells of activity per customer.

    With the inactivity rule a new spell starts at an order that follows the previous
    one by more than ``churn.days`` days (or is the customer's first); a spell is lost
    ``churn.days`` after its last order, provided that moment is before ``as_of``.
    Orders dated at or after ``as_of`` do not exist yet. ``columns`` limits the table
    to those columns (and ``customer_id`` and ``started_at``, which every spell has).
    """
    wanted = set(SPELL_COLUMNS if columns is None else columns) | {"customer_id", "started_at"}
    cutoff = timestamp_literal(as_of)
    orders = _counted_orders(tables, available, churn, cutoff)
    if churn.method == "inactivity":
        spells = _inactivity_spells(orders, churn.days, cutoff, wanted)
    else:
        spells = _end_date_spells(orders, tables, available, cutoff)
    return _with_customer_attributes(spells, tables, available, wanted)


def _counted_orders(
    tables: TableSource, available: Callable[[str], set[str]], churn: ChurnSettings, cutoff: Any
) -> Any:
    """Orders with a customer, placed before ``cutoff``, that pass the churn order filter."""
    have_orders = available("orders")
    for col in ("customer_id", "ordered_at"):
        if col not in have_orders:
            raise MissingDataError(f"customer KPIs need orders.{col}, which the warehouse lacks")
    orders = tables("orders")
    orders = orders.filter(orders.customer_id.notnull(), orders.ordered_at < cutoff)
    if churn.order_filter:
        parsed = parse_row_expression(churn.order_filter, kind="filter")
        if all(c in have_orders for c in parsed.columns):
            orders = orders.filter(to_ibis(parsed, lambda c: orders[c]))
    return orders


def _inactivity_spells(orders: Any, days: int, cutoff: Any, wanted: set[str]) -> Any:
    """A spell per run of orders with no gap over ``days``; lost ``days`` after its last.

    Each order learns, in one window, the gaps to its customer's previous and next
    order and its position. An order after a long gap (or the first) starts a spell,
    one before a long gap (or the last) ends it. Only those rows are kept; in them an
    end's spell began at the start just before it (itself when it is both).
    """
    o = orders.select("customer_id", "ordered_at")
    w = ibis.window(group_by=o.customer_id, order_by=o.ordered_at)
    o = o.mutate(
        __prev=o.ordered_at.lag().over(w),
        __next=o.ordered_at.lead().over(w),
        __n=ibis.row_number().over(w),
    )
    gap = ibis.interval(days=days)  # a plain comparison of moments: no epoch arithmetic
    starts = o.__prev.isnull() | (o.ordered_at > o.__prev + gap)
    ends = o.__next.isnull() | (o.__next > o.ordered_at + gap)
    edges = o.mutate(__start=starts, __end=ends).filter(starts | ends)
    e = ibis.window(group_by=edges.customer_id, order_by=[edges.ordered_at, edges.__n])
    began = ibis.cases((edges.__start, edges.ordered_at), else_=edges.ordered_at.lag().over(e))
    first = ibis.cases((edges.__start, edges.__n), else_=edges.__n.lag().over(e))
    extra: dict[str, Any] = {}
    if "spell_number" in wanted or "spell_id" in wanted:
        counted = ibis.cumulative_window(
            group_by=edges.customer_id, order_by=[edges.ordered_at, edges.__n]
        )
        # CASE, not a cast: PostgreSQL refuses to cast a boolean to bigint
        extra["spell_number"] = ibis.cases((edges.__start, 1), else_=0).sum().over(counted)
    spells = edges.mutate(__began=began, __first=first, **extra).filter(lambda t: t.__end)
    lost = spells.ordered_at + ibis.interval(days=days)
    return spells.select(
        customer_id=spells.customer_id,
        started_at=spells.__began,
        last_order_at=spells.ordered_at,
        orders=spells.__n - spells.__first + 1,
        lost_at=ibis.cases((lost < cutoff, lost), else_=ibis.null("timestamp")),
        **{k: spells[k] for k in extra},
    )


def _end_date_spells(
    orders: Any, tables: TableSource, available: Callable[[str], set[str]], cutoff: Any
) -> Any:
    """One spell per customer, from ``first_seen_at`` (or the first order) to ``churned_at``."""
    if "churned_at" not in available("customers"):
        raise MissingDataError("churn method end_date needs customers.churned_at")
    per = orders.group_by("customer_id").aggregate(
        first_order_at=orders.ordered_at.min(),
        last_order_at=orders.ordered_at.max(),
        orders=orders.ordered_at.count(),
    )
    cust = tables("customers")
    joined = cust.left_join(per, cust.customer_id == per.customer_id)
    started = ibis.coalesce(joined.first_seen_at, joined.first_order_at)
    return joined.select(
        customer_id=joined.customer_id,
        spell_number=ibis.literal(1, "int64"),
        started_at=started,
        last_order_at=joined.last_order_at,
        orders=ibis.coalesce(joined.orders, 0),
        lost_at=ibis.cases(
            (joined.churned_at < cutoff, joined.churned_at), else_=ibis.null("timestamp")
        ),
    ).filter(lambda t: t.started_at.notnull() & (t.started_at < cutoff))


_ATTRIBUTES = ("segment", "region", "country", "is_target_audience")


def _with_customer_attributes(
    spells: Any, tables: TableSource, available: Callable[[str], set[str]], wanted: set[str]
) -> Any:
    """``spells`` with the wanted customer columns spells can be broken down by (null if absent)."""
    asked = [a for a in _ATTRIBUTES if a in wanted]
    have: set[str] = set()
    if asked:
        try:
            have = available("customers")
        except MissingDataError:  # no customers table: spells without customer attributes
            have = set()
    picked = [a for a in asked if a in have]
    if picked:
        cust = tables("customers")
        right = cust.select(__cid=cust.customer_id, **{a: cust[a] for a in picked})
        spells = spells.left_join(right, spells.customer_id == right.__cid).drop("__cid")
    missing = {
        a: ibis.null("boolean" if a.startswith("is_") else "string")
        for a in asked
        if a not in picked
    }
    if missing:
        spells = spells.mutate(**missing)
    made: dict[str, Any] = {}
    for name in SPELL_COLUMNS:
        if name not in wanted:
            continue
        if name == "spell_id":
            made[name] = (
                spells.customer_id.cast("string")
                + ibis.literal("#")
                + spells.spell_number.cast("string")
            )
        elif name in ("spell_number", "orders"):
            made[name] = spells[name].cast("int64")
        else:
            made[name] = spells[name]
    return spells.select(**made)
