"""Property: for any CSV, read = loaded + quarantined, and exactly the valid rows load."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onpace.errors import IngestError
from tests.ingest.helpers import ingest, table, write_workspace

SOURCES = """\
sources:
  s:
    file: orders.csv
    entities:
      orders:
        columns: {order_id: id, ordered_at: date, amount: amount, channel: note}
"""
IDS = {"a": True, "b": True, "c ": True, "Ω": True, "": False, "  ": False}
DATES = {
    "2024-01-05": True,
    "2024-03-01T10:00:00Z": True,
    "2024-02-30": False,
    "": False,
    "2030-01-01": False,
    "05-01-2024": False,
}
AMOUNTS = {
    "1": True,
    "2.50": True,
    "-3": True,
    "1,234.00": True,
    "1e3": True,
    "abc": False,
    "": False,
}
NOTES = ["", "plain", "with, comma", 'with "quotes"', "two\nlines", "semi;colon"]

rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(sorted(IDS)),
        st.sampled_from(sorted(DATES)),
        st.sampled_from(sorted(AMOUNTS)),
        st.sampled_from(NOTES),
    ),
    max_size=25,
)


def _expected_loaded(rows: list[tuple[str, str, str, str]]) -> list[str]:
    seen: list[str] = []
    for key, date, amount, _ in rows:
        if IDS[key] and DATES[date] and AMOUNTS[amount] and key.strip() not in seen:
            seen.append(key.strip())
    return seen


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows_strategy, delimiter=st.sampled_from([",", ";", "\t", "|"]))
def test_row_accounting(rows: list[tuple[str, str, str, str]], delimiter: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["id", "date", "amount", "note"])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        root = write_workspace(Path(tmp) / "ws", SOURCES, {"orders.csv": buffer.getvalue()})
        if not rows:
            with pytest.raises(IngestError, match="no data rows"):
                ingest(root)
            return
        result = ingest(root)
        assert result.read == len(rows)
        assert result.loaded + result.quarantined == result.read
        want = _expected_loaded(rows)
        assert result.loaded == len(want)
        loaded = table(root, "orders")
        assert sorted(loaded["order_id"]) == sorted(want)
        assert len(table(root, "onpace_quarantine")) == result.quarantined


JOIN_SOURCES = """\
sources:
  headers:
    file: headers.csv
  lines:
    file: lines.csv
    join:
      - {{source: headers, by: {{Order: OrderID}}, take: [Customer], missing: {missing}}}
    entities:
      orders:
        columns: {{order_id: LineID, ordered_at: {{default: "2024-01-01"}}, amount: Amount,
                  customer_id: Customer}}
"""
KEYS = ["A", "B", "C", " A", ""]

join_strategy = st.tuples(
    st.lists(st.sampled_from(KEYS), max_size=6),  # header keys (may repeat, may be empty)
    st.lists(st.sampled_from([*KEYS, "Z"]), min_size=1, max_size=8),  # the lines' keys
    st.sampled_from(["quarantine", "keep"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=join_strategy)
def test_no_joined_row_loads_without_both_sides(case: tuple[list[str], list[str], str]) -> None:
    header_keys, line_keys, missing = case
    headers = "OrderID,Customer\n" + "".join(f"{k},cust-{k.strip()}\n" for k in header_keys)
    lines = "LineID,Order,Amount\n" + "".join(f"L{i},{k},1\n" for i, k in enumerate(line_keys))
    with tempfile.TemporaryDirectory() as tmp:
        root = write_workspace(
            Path(tmp) / "ws",
            JOIN_SOURCES.format(missing=missing),
            {"headers.csv": headers or "OrderID,Customer\n", "lines.csv": lines},
        )
        if not header_keys:
            with pytest.raises(IngestError, match="no data rows"):
                ingest(root)
            return
        result = ingest(root)
        counts = {k.strip(): 0 for k in header_keys if k.strip()}
        for k in header_keys:
            if k.strip():
                counts[k.strip()] += 1
        by_source = {s.name: s for s in result.sources}
        for s in result.sources:
            assert s.read == s.loaded + s.quarantined
        # a header row can be found when its key is present and not repeated
        assert by_source["headers"].loaded == sum(
            1 for k in header_keys if k.strip() and counts[k.strip()] == 1
        )
        want = {}
        for i, k in enumerate(line_keys):
            n = counts.get(k.strip(), 0)
            if n == 1:
                want[f"L{i}"] = f"cust-{k.strip()}"
            elif n == 0 and missing == "keep":
                want[f"L{i}"] = None
        assert by_source["lines"].loaded == len(want)
        loaded = table(root, "orders", "order_id")
        got = {
            o: (None if c is None or c != c else c)
            for o, c in zip(loaded["order_id"], loaded["customer_id"], strict=True)
        }
        assert got == want
        assert len(table(root, "onpace_quarantine")) == result.quarantined
