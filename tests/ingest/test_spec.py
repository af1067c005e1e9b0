"""sources.yml errors point at the file, line and field, with a fix; nothing is loaded."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from onpace.errors import IngestError, SpecError
from onpace.ingest import load_sources
from tests.ingest.helpers import ingest


def _issues(text: str) -> list[tuple[int | None, str, str]]:
    loaded, issues = load_sources(Path("sources.yml"), textwrap.dedent(text))
    assert loaded is None
    return [(i.line, i.field, i.message) for i in issues]


def test_unknown_keys_with_did_you_mean() -> None:
    assert _issues("""\
    sources:
      shop:
        file: orders.csv
        delimter: ";"
        entities:
          orders:
            columns:
              order_id: {form: id}
    """) == [
        (4, "sources.shop.delimter", "unknown key 'delimter'. Did you mean 'delimiter'?"),
        (
            8,
            "sources.shop.entities.orders.columns.order_id.form",
            "unknown key 'form'. Did you mean 'format' or 'from'?",
        ),
    ]


def test_model_errors_are_all_reported() -> None:
    assert _issues("""\
    sources:
      shop:
        file: orders.csv
        entities:
          order:
            columns: {order_id: id}
          returns:
            where: "amount > (select 1)"
            columns:
              return_id: id
              returned: at
              amount: {expr: "Qty * Price; DROP TABLE orders"}
    """) == [
        (5, "sources.shop.entities.order", "unknown entity 'order'. Did you mean 'orders'?"),
        (
            8,
            "sources.shop.entities.returns.where",
            "subqueries are not allowed in 'amount > (select 1)'",
        ),
        (9, "sources.shop.entities.returns.columns", "returns needs column(s) returned_at"),
        (
            11,
            "sources.shop.entities.returns.columns.returned",
            "returns has no column 'returned'. Did you mean 'returned_at' or 'return_id'?",
        ),
        (
            12,
            "sources.shop.entities.returns.columns.amount.expr",
            "only one expression is allowed: remove the ';' and what follows it",
        ),
    ]


def test_value_errors() -> None:
    issues = _issues("""\
    sources:
      a:
        file: x.csv
        database: postgres://db
        entities: {}
      b:
        file: y.csv
        timezone: Europe/Amsterdm
        entities:
          orders:
            columns: {order_id: {from: id, expr: "id"}, ordered_at: at, amount: a}
    """)
    assert issues == [
        (2, "sources.a", "give either 'file' (a path or glob) or 'database' (a URL)"),
        (
            8,
            "sources.b.timezone",
            "unknown time zone 'Europe/Amsterdm'; use an IANA name such as Europe/Amsterdam or UTC",
        ),
        (
            11,
            "sources.b.entities.orders.columns.order_id",
            "give either 'from' or 'expr', not both",
        ),
    ]


def test_syntax_and_shape_errors() -> None:
    assert _issues("sources:\n  a: [\n")[0][0] == 3
    assert _issues("- a\n") == [(1, "(file)", "sources.yml is a mapping with a 'sources:' key")]


def test_a_column_missing_from_the_file_points_at_sources_yml(
    make_ws: Callable[..., Path],
) -> None:
    root = make_ws(
        """\
    sources:
      shop:
        file: o.csv
        entities:
          orders:
            columns:
              order_id: id
              ordered_at: Date
              amount: {expr: "Qty * Prise"}
    """,
        {"o.csv": "id,date,Qty,Price\n1,2024-01-01,1,2\n"},
    )
    with pytest.raises(IngestError) as info:
        ingest(root)
    issue = info.value.issues[0]
    # a different case is accepted (Date -> date); a misspelling is not
    assert (issue.line, issue.field) == (9, "sources.shop.entities.orders.columns.amount.expr")
    assert issue.message == "source 'shop' has no column 'Prise'. Did you mean 'Price'?"


def test_an_invalid_sources_yml_loads_nothing(make_ws: Callable[..., Path]) -> None:
    root = make_ws(
        "sources:\n  s:\n    file: o.csv\n    entities: {orders: {columns: {}}}\n",
        {"o.csv": "id\n1\n"},
    )
    with pytest.raises(SpecError, match="orders needs column"):
        ingest(root)
    assert not (root / "warehouse.duckdb").exists()  # the warehouse was not even opened


def test_every_field_is_documented() -> None:
    from onpace.ingest.source_spec import ColumnMap, EntityMap, Join, MergeRule, Source

    page = (Path(__file__).resolve().parents[2] / "docs" / "sources.md").read_text(encoding="utf-8")
    missing = [
        f"{model.__name__}.{info.alias or name}"
        for model in (Source, Join, MergeRule, EntityMap, ColumnMap)
        for name, info in model.model_fields.items()
        if f"| `{info.alias or name}` |" not in page
    ]
    assert not missing, f"undocumented fields in docs/sources.md: {missing}"
