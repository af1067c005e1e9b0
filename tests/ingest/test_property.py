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
