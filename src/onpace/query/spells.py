"""The derived ``customer_spells`` table: spells of activity per customer, from orders.

Customer KPIs (won, new, lost, active, lifetime) read spells rather than orders. With
the inactivity rule a spell is a run of orders none more than ``churn.days`` apart; it
is lost ``churn.days`` after its last order. With explicit end dates
(``churn.method: end_date``) every customer has one spell, from ``first_seen_at`` (or
the first order) to ``churned_at``. Either way ``active(end) - active(start) = won -
lost`` holds exactly, customers won back included.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import ibis

from onpace.errors import MissingDataError
from onpace.query.build import SECONDS_PER_DAY, TableSource, timestamp_literal
from onpace.spec.filters import parse_row_expression, to_ibis
from onpace.spec.workspace_config import ChurnSettings


def customer_spells(
    tables: TableSource, available: Callable[[str], set[str]], churn: ChurnSettings, as_of: datetime
) -> Any:
    """The derived ``customer_spells`` table: spells of activity per customer.

    With the inactivity rule a new spell starts at an order that follows the previous
    one by more than ``churn.days`` days (or is the customer's first); a spell is lost
    ``churn.days`` after its last order, provided that moment is before ``as_of``.
    Orders dated at or after ``as_of`` do not exist yet.
    """
    cutoff = timestamp_literal(as_of)
    orders = _counted_orders(tables, available, churn, cutoff)
    if churn.method == "inactivity":
        spells = _inactivity_spells(orders, churn.days, cutoff)
    else:
        spells = _end_date_spells(orders, tables, available, cutoff)
    return _with_customer_attributes(spells, tables, available)


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


def _inactivity_spells(orders: Any, days: int, cutoff: Any) -> Any:
    """A spell per run of orders with no gap over ``days``; lost ``days`` after its last."""
    o = orders.select("customer_id", "ordered_at")
    w = ibis.window(group_by=o.customer_id, order_by=o.ordered_at)
    o = o.mutate(prev=o.ordered_at.lag().over(w))
    gap = o.ordered_at.epoch_seconds() - o.prev.epoch_seconds()
    o = o.mutate(
        new_spell=ibis.cases((o.prev.isnull() | (gap > days * SECONDS_PER_DAY), 1), else_=0)
    )
    cw = ibis.cumulative_window(group_by=o.customer_id, order_by=[o.ordered_at, o.new_spell.desc()])
    o = o.mutate(spell_number=o.new_spell.sum().over(cw))
    spells = o.group_by("customer_id", "spell_number").aggregate(
        started_at=o.ordered_at.min(),
        last_order_at=o.ordered_at.max(),
        orders=o.ordered_at.count(),
    )
    lost = spells.last_order_at + ibis.interval(days=days)
    return spells.mutate(lost_at=ibis.cases((lost < cutoff, lost), else_=ibis.null("timestamp")))


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
    spells: Any, tables: TableSource, available: Callable[[str], set[str]]
) -> Any:
    """``spells`` with the customer columns spells can be broken down by (null if absent)."""
    try:
        have = available("customers")
    except MissingDataError:  # no customers table: spells without customer attributes
        have = set()
    picked = [a for a in _ATTRIBUTES if a in have]
    if picked:
        cust = tables("customers")
        right = cust.select(__cid=cust.customer_id, **{a: cust[a] for a in picked})
        spells = spells.left_join(right, spells.customer_id == right.__cid).drop("__cid")
    spells = spells.mutate(
        **{
            a: ibis.null("boolean" if a.startswith("is_") else "string")
            for a in _ATTRIBUTES
            if a not in picked
        }
    )
    return spells.select(
        spell_id=spells.customer_id.cast("string")
        + ibis.literal("#")
        + spells.spell_number.cast("string"),
        customer_id=spells.customer_id,
        spell_number=spells.spell_number.cast("int64"),
        started_at=spells.started_at,
        last_order_at=spells.last_order_at,
        lost_at=spells.lost_at,
        orders=spells.orders.cast("int64"),
        segment=spells.segment,
        region=spells.region,
        country=spells.country,
        is_target_audience=spells.is_target_audience,
    )
