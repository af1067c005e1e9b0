"""Several sources for one entity: merged by key with the precedence sources.yml states."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from onpace.ingest import load_sources
from tests.ingest.helpers import ingest, quarantine, table

CRM = "Account,Name,Segment\nA1,Acme,\nA2,Bolt,smb\nA3,Core,enterprise\n"
BILLING = "CustNo,Country,Tier\nA1,NL,enterprise\nA2,BE,mid\nA9,DE,smb\n"
SOURCES = """\
sources:
  crm:
    file: crm.csv
    entities:
      customers: {{columns: {{customer_id: Account, name: Name, segment: Segment}}}}
  billing:
    file: billing.csv
    entities:
      customers:
        partial: {partial}
        columns: {{customer_id: CustNo, country: Country, segment: Tier}}
{merge}"""


def _customers(root: Path) -> list[tuple[str, str | None, str | None, str | None]]:
    frame = table(root, "customers", "customer_id")
    return [
        tuple(None if pd.isna(v) else v for v in row)  # type: ignore[misc]
        for row in frame[["customer_id", "name", "segment", "country"]].itertuples(index=False)
    ]


def test_fill_takes_each_column_from_the_first_source_that_has_it(
    make_ws: Callable[..., Path],
) -> None:
    merge = "merge:\n  customers: {precedence: [crm, billing], mode: fill}\n"
    root = make_ws(
        SOURCES.format(partial="true", merge=merge), {"crm.csv": CRM, "billing.csv": BILLING}
    )
    result = ingest(root)
    assert _customers(root) == [
        ("A1", "Acme", "enterprise", "NL"),  # the CRM has no segment for A1: billing fills it
        ("A2", "Bolt", "smb", "BE"),  # the CRM's segment wins over billing's 'mid'
        ("A3", "Core", "enterprise", None),
    ]
    # A9 is only in billing, which is partial: nothing to add it to
    assert quarantine(root) == [
        (
            "billing.csv",
            4,
            "customers: no customers row with customer_id 'A9' from another source to add to",
        )
    ]
    assert result.entities == {"customers": 3} and result.replaced == {"customers": 2}


def test_replace_takes_the_whole_row_of_the_first_source(make_ws: Callable[..., Path]) -> None:
    merge = "merge:\n  customers: {precedence: [billing, crm], mode: replace}\n"
    root = make_ws(
        SOURCES.format(partial="false", merge=merge), {"crm.csv": CRM, "billing.csv": BILLING}
    )
    ingest(root)
    assert _customers(root) == [
        ("A1", None, "enterprise", "NL"),  # billing's row whole: no name
        ("A2", None, "mid", "BE"),
        ("A3", "Core", "enterprise", None),
        ("A9", None, "smb", "DE"),
    ]


def test_without_a_rule_the_source_listed_later_wins(make_ws: Callable[..., Path]) -> None:
    root = make_ws(
        SOURCES.format(partial="false", merge=""), {"crm.csv": CRM, "billing.csv": BILLING}
    )
    ingest(root)
    assert [r[2] for r in _customers(root)] == ["enterprise", "mid", "enterprise", "smb"]


def test_merge_rules_are_checked() -> None:
    text = SOURCES.format(
        partial="true", merge="merge:\n  customers: {precedence: [crm], mode: replace}\n"
    )
    loaded, issues = load_sources(Path("sources.yml"), textwrap.dedent(text))
    assert loaded is None
    assert [(i.line, i.field, i.message) for i in issues] == [
        (
            10,
            "sources.billing.entities.customers.partial",
            "a partial source only fills columns, but the merge of customers replaces whole rows",
        ),
        (
            13,
            "merge.customers.precedence",
            "precedence lists crm but customers is fed by crm, billing",
        ),
    ]
