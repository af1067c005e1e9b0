"""A table and a query in a PostgreSQL database as sources, read through Ibis."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from onpace.errors import IngestError
from tests.ingest.helpers import ingest, quarantine, table


@pytest.fixture
def crm(pg_url: str) -> str:
    """A schema with a deals table, as a CRM's database would have it."""
    schema = f"crm_{uuid.uuid4().hex[:8]}"
    engine = create_engine(pg_url)
    with engine.begin() as con:
        con.execute(text(f"CREATE SCHEMA {schema}"))
        con.execute(
            text(
                f"CREATE TABLE {schema}.deals (deal_id integer, created timestamptz, stage text, "
                "value numeric(12, 2), owner text, closed date)"
            )
        )
        con.execute(
            text(
                f"INSERT INTO {schema}.deals VALUES "
                "(1, '2024-01-31 23:30:00+00', 'Closed Won', 1200.50, 'ann', '2024-02-10'), "
                "(2, '2024-02-15 09:00:00+01', 'Closed Lost', 300.00, 'bob', '2024-03-01'), "
                "(3, '2024-03-01 10:00:00+01', 'Negotiation', NULL, 'ann', NULL), "
                "(4, NULL, 'Closed Won', 50.00, 'bob', '2024-03-02')"
            )
        )
    engine.dispose()
    return schema


def test_a_table_and_a_query(make_ws: Callable[..., Path], pg_url: str, crm: str) -> None:
    sources = f"""\
    sources:
      deals:
        database: "{pg_url}"
        table: deals
        entities:
          quotes:
            columns:
              quote_id: deal_id
              submitted_at: created
              status:
                from: stage
                map: {{Closed Won: won, Closed Lost: lost, Negotiation: open}}
              amount: value
              rep_id: owner
              decided_at: closed
      reps:
        database: "{pg_url}"
        query: "SELECT DISTINCT owner, upper(owner) AS label FROM {crm}.deals"
        entities:
          salespeople:
            columns: {{rep_id: owner, name: label}}
    """
    # a table name alone is looked up in the connection's search path
    url = pg_url + f"&options=-csearch_path%3D{crm}"
    root = make_ws(
        sources.replace(
            f'database: "{pg_url}"\n        table', f'database: "{url}"\n        table'
        ),
        {},
        timezone="Europe/Amsterdam",
    )
    result = ingest(root)
    by_source = {s.name: (s.read, s.loaded, s.quarantined) for s in result.sources}
    assert by_source == {"reps": (2, 2, 0), "deals": (4, 3, 1)}
    assert [(r[1], r[2]) for r in quarantine(root)] == [
        (4, "quotes: missing submitted_at (column created)")
    ]
    quotes = table(root, "quotes", "quote_id")
    assert list(quotes["quote_id"]) == ["1", "2", "3"]
    assert list(quotes["submitted_at"]) == [
        pd.Timestamp("2024-02-01 00:30"),
        pd.Timestamp("2024-02-15 09:00"),
        pd.Timestamp("2024-03-01 10:00"),
    ]
    assert list(quotes["status"]) == ["won", "lost", "open"]
    assert list(quotes["amount"][:2]) == [Decimal("1200.50"), Decimal("300.00")]
    reps = table(root, "salespeople", "rep_id")
    assert list(zip(reps["rep_id"], reps["name"], strict=True)) == [("ann", "ANN"), ("bob", "BOB")]


def test_a_missing_table_is_a_clear_error(make_ws: Callable[..., Path], pg_url: str) -> None:
    root = make_ws(
        f"""\
    sources:
      deals:
        database: "{pg_url}"
        table: no_such_table
        entities:
          quotes: {{columns: {{quote_id: id, submitted_at: at, status: s}}}}
    """,
        {},
    )
    with pytest.raises(IngestError, match="source 'deals': cannot read no_such_table"):
        ingest(root)
