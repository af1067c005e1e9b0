"""Money exactly as given: every decimal place kept, sums exact, rounding said out loud."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from onpace.cli.main import app
from tests.ingest.helpers import ingest, quarantine, table

KPI = """\
kpis:
  - name: revenue
    type: simple
    label: Revenue
    entity: orders
    agg: sum
    column: amount
    time: ordered_at
    unit: currency
"""


def _types(root: Path, name: str) -> dict[str, str]:
    import duckdb

    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ?", [name]
        ).fetchall()
        return {str(c): str(t) for c, t in rows}
    finally:
        con.close()


def test_sub_cent_lines_and_three_decimal_prices_stay_exact(make_ws: Callable[..., Path]) -> None:
    sources = """\
    sources:
      shop:
        file: lines.csv
        entities:
          orders:
            group_by: order_id
            columns:
              order_id: invoice
              ordered_at: {from: at, agg: min}
              amount: {expr: "qty * price * (1 - discount)", agg: sum}
              cost: {from: cost, agg: sum}
    """
    lines = (
        "invoice,at,qty,price,discount,cost\n"
        "i1,2024-01-05,3,0.333,0,0.1\n"  # 0.999
        "i1,2024-01-05,1,19.99,0.15,0.2\n"  # 16.9915: a discount leaves a sub-cent amount
        "i2,2024-01-06,7,0.001,0,0.3\n"  # 0.007
    )
    root = make_ws(sources, {"lines.csv": lines})
    ingest(root)
    orders = table(root, "orders", "order_id")
    assert list(orders["amount"]) == [Decimal("17.9905"), Decimal("0.0070")]
    assert list(orders["cost"]) == [Decimal("0.3000"), Decimal("0.3000")]  # 0.1 + 0.2, exactly
    assert _types(root, "orders")["amount"] == "DECIMAL(18,4)"


def test_more_places_are_kept_and_large_values_widen(make_ws: Callable[..., Path]) -> None:
    sources = """\
    sources:
      shop:
        file: orders.csv
        entities:
          orders: {columns: {order_id: id, ordered_at: at, amount: amount}}
    """
    orders = "id,at,amount\no1,2024-01-05,0.123456\no2,2024-01-06,123456789012345.5\n"
    root = make_ws(sources, {"orders.csv": orders})
    ingest(root)
    assert list(table(root, "orders", "order_id")["amount"]) == [
        Decimal("0.123456"),
        Decimal("123456789012345.500000"),
    ]
    # 15 digits before the point and 6 after do not fit 18
    assert _types(root, "orders")["amount"] == "DECIMAL(38,6)"


def test_stated_decimals_round_and_the_summary_says_so(make_ws: Callable[..., Path]) -> None:
    sources = """\
    sources:
      jp:
        file: jp.csv
        entities:
          orders:
            columns:
              order_id: id
              ordered_at: at
              amount: {from: amount, decimals: currency}
      many:
        file: many.csv
        entities:
          returns:
            columns:
              return_id: id
              returned_at: at
              amount: {from: amount, decimals: 2}
    """
    root = make_ws(
        sources,
        {
            "jp.csv": "id,at,amount\no1,2024-01-05,1200\no2,2024-01-06,999.5\no3,2024-01-06,3.4\n",
            "many.csv": "id,at,amount\nr1,2024-01-05,1.005\nr2,2024-01-06,2.50\n"
            "r3,2024-01-07,0.1234567890123456\n",
        },
    )
    (root / "onpace.yml").write_text(
        (root / "onpace.yml").read_text(encoding="utf-8").replace("EUR", "JPY"), encoding="utf-8"
    )
    result = ingest(root)
    # yen have no minor unit: half away from zero
    assert list(table(root, "orders", "order_id")["amount"]) == [
        Decimal("1200"),
        Decimal("1000"),
        Decimal("3"),
    ]
    assert list(table(root, "returns", "return_id")["amount"]) == [
        Decimal("1.01"),
        Decimal("2.50"),
        Decimal("0.12"),
    ]
    assert _types(root, "orders")["amount"] == "DECIMAL(18,0)"
    assert (
        "jp: 2 orders.amount value(s) were rounded to 0 decimal place(s), as the mapping says"
        in (result.notes)
    )
    assert (
        "many: 2 returns.amount value(s) were rounded to 2 decimal place(s), as the mapping "
        "says" in result.notes
    )


def test_over_twelve_places_round_with_a_note(make_ws: Callable[..., Path]) -> None:
    sources = """\
    sources:
      shop:
        file: orders.csv
        entities:
          orders: {columns: {order_id: id, ordered_at: at, amount: amount}}
    """
    root = make_ws(sources, {"orders.csv": "id,at,amount\no1,2024-01-05,0.1234567890123456\n"})
    result = ingest(root)
    assert list(table(root, "orders")["amount"]) == [Decimal("0.123456789012")]
    assert result.notes == [
        "shop: 1 orders.amount value(s) had more than 12 decimal places and were rounded to 12"
    ]


def test_a_division_by_zero_is_a_reason_not_a_crash(make_ws: Callable[..., Path]) -> None:
    sources = """\
    sources:
      shop:
        file: orders.csv
        entities:
          orders: {columns: {order_id: id, ordered_at: at, amount: {expr: "total / qty"}}}
    """
    root = make_ws(
        sources, {"orders.csv": "id,at,total,qty\no1,2024-01-05,10,4\no2,2024-01-06,5,0\n"}
    )
    ingest(root)
    assert list(table(root, "orders")["amount"]) == [Decimal("2.5000")]
    assert quarantine(root) == [
        (
            "orders.csv",
            3,
            "orders: cannot compute amount from total / qty: a division by zero or a number "
            "too large",
        )
    ]


def test_csv_and_json_output_print_money_without_float_noise(
    make_ws: Callable[..., Path],
) -> None:
    sources = """\
    sources:
      shop:
        file: orders.csv
        entities:
          orders: {columns: {order_id: id, ordered_at: at, amount: amount}}
    """
    # 0.1 + 0.2 + ... in floating point is 214433.4600000003-style noise; in decimals it is not
    rows = "".join(
        f"o{i},2024-01-{1 + i % 28:02d},{a}\n"
        for i, a in enumerate(["0.10", "0.20", "0.30", "71477.72", "71477.57", "71477.57"])
    )
    root = make_ws(sources, {"orders.csv": "id,at,amount\n" + rows})
    (root / "kpis").mkdir()
    (root / "kpis" / "sales.yml").write_text(KPI, encoding="utf-8")
    config = (root / "onpace.yml").read_text(encoding="utf-8")
    (root / "onpace.yml").write_text(
        config.replace("kpi_files: []", "kpi_files: [kpis/*.yml]"), encoding="utf-8"
    )
    ingest(root)
    assert (
        sum(float(a) for a in ["0.10", "0.20", "0.30", "71477.72", "71477.57", "71477.57"])
        != 214433.46
    )  # the noise the output must not show
    runner = CliRunner()
    args = [
        "compute",
        "revenue",
        "--grain",
        "year",
        "--from",
        "2024",
        "--to",
        "2024",
        "-w",
        str(root),
    ]
    csv = runner.invoke(app, [*args, "--format", "csv"])
    assert csv.exit_code == 0, csv.output
    assert ",214433.46," in csv.output or csv.output.rstrip().endswith(",214433.46")
    out = runner.invoke(app, [*args, "--format", "json"])
    assert [r["value"] for r in json.loads(out.output)] == [214433.46]
    assert "214433.4600000" not in out.output
