"""The SQL every KPI type compiles to, per dialect, pinned in files under tests/query/snapshots.

A change to the query builder shows up here as a diff of plain SQL, reviewed like
code. After an intended change, rewrite the files with::

    pytest tests/query/test_sql_snapshots.py --update-snapshots

(or ``ONPACE_UPDATE_SNAPSHOTS=1``) and read the diff before committing it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from onpace.spec.kpi import AnyKpi, SnapshotKpi
from tests.support.backends import run_sql
from tests.support.compiled_sql import AS_OF, DIALECTS, END, START, plan_expressions, to_sql

SNAPSHOTS = Path(__file__).parent / "snapshots"

DISTINCT_CUSTOMERS = SnapshotKpi(
    name="distinct_active_customers",
    label="Distinct active customers",
    type="snapshot",
    entity="customer_spells",
    agg="count_distinct",
    column="customer_id",
    start="started_at",
    end="lost_at",
    unit="count",
)

# case -> (KPIs, breakdown): one per KPI type, plus a breakdown through a join
CASES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "simple": (("revenue",), ()),
    "simple_by_rep_team": (("revenue",), ("rep.team",)),
    "ratio": (("quote_win_rate",), ()),
    "ratio_across_entities": (("return_rate",), ()),
    "derived": (("net_profit",), ()),
    "snapshot": (("active_customers",), ()),
    "snapshot_distinct": (("distinct_active_customers",), ()),
    "duration": (("sales_cycle_days",), ()),
    "conversion": (("lead_to_sale_conversion",), ()),
    "customer_spells": (("customers_won", "customers_lost", "customer_lifetime_days"), ()),
}


def render(case: str, dialect: str, kpis: dict[str, AnyKpi]) -> str:
    names, by = CASES[case]
    head = [
        f"-- {case}: {', '.join(names)}" + (f" by {', '.join(by)}" if by else ""),
        f"-- month grain, {START} to {END}, as of {AS_OF:%Y-%m-%d %H:%M}, {dialect}",
    ]
    parts = ["\n".join(head)]
    for title, expr in plan_expressions(names, kpis, by).items():
        parts.append(f"-- query: {title}\n{to_sql(expr, dialect).strip()};")
    return "\n\n".join(parts) + "\n"


@pytest.fixture(scope="module")
def kpis(catalog: dict[str, AnyKpi]) -> dict[str, AnyKpi]:
    return {**catalog, DISTINCT_CUSTOMERS.name: DISTINCT_CUSTOMERS}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_sql_matches_the_snapshot(
    case: str, dialect: str, kpis: dict[str, AnyKpi], update_snapshots: bool
) -> None:
    path = SNAPSHOTS / dialect / f"{case}.sql"
    got = render(case, dialect, kpis)
    if update_snapshots:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {path}: run pytest {__file__} --update-snapshots"
    assert got == path.read_text(encoding="utf-8"), (
        f"the SQL of {case} on {dialect} changed; if that is intended, rerun with "
        "--update-snapshots and review the diff"
    )


def test_every_snapshot_file_belongs_to_a_case() -> None:
    files = {p.relative_to(SNAPSHOTS).as_posix() for p in SNAPSHOTS.rglob("*.sql")}
    assert files == {f"{d}/{c}.sql" for d in DIALECTS for c in CASES}


def _queries(path: Path) -> list[str]:
    """The statements of a snapshot file, without its comment lines."""
    text = "\n".join(line for line in path.read_text().splitlines() if not line.startswith("--"))
    return [q.strip() for q in text.split(";") if q.strip()]


def test_the_snapshot_is_the_sql_that_runs(sales_session, backend) -> None:  # type: ignore[no-untyped-def]
    """Run the pinned SQL itself on the sales data: revenue per month, worked out by hand."""
    dialect = {"duckdb": "duckdb", "pyspark": "pyspark", "postgres": "postgres"}[backend.name]
    [query] = _queries(SNAPSHOTS / dialect / "simple.sql")
    rows = run_sql(sales_session.warehouse, query)
    # Jan o1 100 + o2 50 + o3 80 (o4 is cancelled); Feb 120 + 40.50 + 30 + 25; Mar 60 + 90 + 70;
    # o0 of January 2023 lies before the window
    # a batched query: grain, period, slice, rows counted, then the revenue
    assert sorted((row[1], float(row[-1])) for row in rows) == [
        (dt.date(2024, 1, 1), 230.0),
        (dt.date(2024, 2, 1), 215.5),
        (dt.date(2024, 3, 1), 220.0),
    ]


def test_explain_prints_the_sql_of_the_backend_it_runs_on(sales_session, backend) -> None:  # type: ignore[no-untyped-def]
    [(title, sql)] = sales_session.explain("revenue", as_of=AS_OF)
    assert title == "orders by ordered_at"
    # each dialect quotes names and writes the cast to a float its own way
    quote, cast = {
        "duckdb": ('"', "AS DOUBLE)"),
        "postgres": ('"', "AS DOUBLE PRECISION)"),
        "pyspark": ("`", "AS DOUBLE)"),
    }[backend.name]
    assert f"AS {quote}period{quote}" in sql, sql
    assert cast in sql, sql
    if backend.name != "postgres":
        assert "DOUBLE PRECISION" not in sql, sql
