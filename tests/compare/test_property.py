"""On random orders, every explanation adds up to the change, and the catalog trees hold.

Hypothesis draws the orders of two months (customers, guests, channels, amounts, costs,
cancellations); revenue and gross profit are explained February against January by
driver and by channel. The drivers' parts plus any gap always equal the change, the
gap is zero (the identities are exact on any data), and the channels' parts plus the
overlap line equal it too.
"""

from __future__ import annotations

import itertools
import math
import tempfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onpace.compare.explain import explain_change
from tests.compare.workspaces import workspace_with

AS_OF = datetime(2024, 6, 1)
_count = itertools.count()

order = st.tuples(
    st.sampled_from(["2024-01", "2024-02"]),
    st.integers(min_value=1, max_value=28),
    st.one_of(st.none(), st.sampled_from(["c1", "c2", "c3", "c4", "c5"])),
    st.sampled_from(["web", "store", "sales"]),
    st.floats(min_value=0.5, max_value=5000, allow_nan=False).map(lambda x: round(x, 2)),
    st.floats(min_value=0.0, max_value=0.9, allow_nan=False),
    st.sampled_from(["completed", "completed", "completed", "cancelled", None]),
)


def _frame(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    out = []
    for i, (month, day, customer, channel, amount, cost_share, status) in enumerate(rows):
        out.append(
            (
                f"o{i}",
                f"{month}-{day:02d} 12:00",
                amount,
                customer,
                channel,
                round(float(amount) * float(cost_share), 2),  # type: ignore[arg-type]
                status,
            )
        )
    return pd.DataFrame(
        out,
        columns=["order_id", "ordered_at", "amount", "customer_id", "channel", "cost", "status"],
    )


def _usable(rows: list[tuple[object, ...]]) -> bool:
    """Both months need a completed order of a known customer, or the drivers have no value."""
    return all(
        any(r[0] == m and r[2] is not None and r[6] != "cancelled" for r in rows)
        for m in ("2024-01", "2024-02")
    )


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(order, min_size=2, max_size=40).filter(_usable))
def test_explanations_add_up_on_random_orders(rows: list[tuple[object, ...]]) -> None:
    root = Path(tempfile.mkdtemp(prefix="explain-prop-")) / f"ws{next(_count)}"
    ws = workspace_with(root, {"orders": _frame(rows)})
    for kpi, depth in (("revenue", 1), ("gross_profit", 2)):
        e = explain_change(ws, kpi, "2024-02", "2024-01", by="channel", depth=depth, as_of=AS_OF)
        scale = max(1.0, abs(e.before), abs(e.after))
        assert e.tree_gap == 0.0, (kpi, e.tree_gap)
        total = math.fsum(d.part for d in e.drivers) + e.tree_gap
        assert total == pytest.approx(e.change, abs=1e-9 * scale)
        assert e.members is not None
        members = math.fsum(p.change for p in e.members.parts) + e.members.unexplained
        assert members == pytest.approx(e.change, abs=1e-9 * scale)
        assert e.members.unexplained == 0.0  # amounts add up over channels
    ws.warehouse.backend.disconnect()
