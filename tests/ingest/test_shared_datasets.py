"""The proposal on real sample databases it was not tuned on (../shared/datasets).

chinook, classicmodels and sakila are dumped as one CSV per table; Online Retail II
is one file of invoice lines. The expected answers are what a person mapping them
by hand would write (see each data set's README). The score is printed (``-s``);
the test needs most of it right, and skips where the data sets are not present.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from onpace.ingest.propose import propose
from tests.ingest.corpus.build import Expect, Export, score_export

REPO = Path(__file__).resolve().parents[2]
CANDIDATES = [
    Path(os.environ.get("ONPACE_DATASETS", "/nonexistent")),
    REPO.parent / "shared" / "datasets",
    Path("/work/shared/datasets"),
]
DATASETS = next((p for p in CANDIDATES if p.is_dir()), None)
REQUIRED_SHARE = 0.75
# fmt: off
EXPECTED: dict[str, dict[str, Expect]] = {
    "chinook": {
        "Customer.csv": Expect(
            "customers", "CustomerId", references={"SupportRepId": "Employee.csv"}
        ),
        "Employee.csv": Expect("salespeople", "EmployeeId"),
        "Genre.csv": Expect(None),
        "Invoice.csv": Expect("orders", "InvoiceId", "InvoiceDate", "Total", {"CustomerId": "Customer.csv"}),
        "InvoiceLine.csv": Expect(None, references={"InvoiceId": "Invoice.csv", "TrackId": "Track.csv"}),
        "Track.csv": Expect(None, references={"GenreId": "Genre.csv"}),
    },
    "classicmodels": {
        "customers.csv": Expect("customers", "customerNumber", references={"salesRepEmployeeNumber": "employees.csv"}),
        "employees.csv": Expect("salespeople", "employeeNumber", references={"officeCode": "offices.csv"}),
        "offices.csv": Expect(None),
        "orderdetails.csv": Expect("orders", "orderNumber", "orderDate", "quantityOrdered*priceEach", {"orderNumber": "orders.csv", "productCode": "products.csv"}),
        "orders.csv": Expect(None, references={"customerNumber": "customers.csv"}),
        "payments.csv": Expect(None, references={"customerNumber": "customers.csv"}),
        "productlines.csv": Expect(None),
        "products.csv": Expect(None, references={"productLine": "productlines.csv"}),
    },
    "sakila": {
        "payment.csv": Expect("orders", "payment_id", "payment_date", "amount", {"customer_id": "customer.csv", "staff_id": "staff.csv", "rental_id": "rental.csv"}),
        "rental.csv": Expect(None, references={"customer_id": "customer.csv", "inventory_id": "inventory.csv", "staff_id": "staff.csv"}),
        "customer.csv": Expect("customers", "customer_id", references={"store_id": "store.csv", "address_id": "address.csv"}),
        "staff.csv": Expect("salespeople", "staff_id"),
        "store.csv": Expect(None),
        "address.csv": Expect(None, references={"city_id": "city.csv"}),
        "city.csv": Expect(None, references={"country_id": "country.csv"}),
        "country.csv": Expect(None),
        "category.csv": Expect(None),
        "film.csv": Expect(None),
        "film_category.csv": Expect(None, references={"film_id": "film.csv", "category_id": "category.csv"}),
        "inventory.csv": Expect(None, references={"film_id": "film.csv", "store_id": "store.csv"}),
    },
    "online_retail_ii": {
        "online_retail_ii_2009_2010.parquet": Expect("orders", "Invoice", "InvoiceDate", "Quantity*Price"),
    },
}

# fmt: on


@pytest.mark.skipif(DATASETS is None, reason="the shared data sets are not on this machine")
def test_proposals_on_real_sample_databases(tmp_path: Path) -> None:
    assert DATASETS is not None
    results: list[tuple[str, str, list[str]]] = []
    for dataset, expected in EXPECTED.items():
        files = [DATASETS / dataset / name for name in expected]
        _, proposals = propose(files, tmp_path)
        labels = {p.export.name: p.export.label.split("/")[-1] for p in proposals}
        by_file = {p.export.path.name: p for p in proposals}
        for name, expect in expected.items():
            wrong = score_export(by_file.get(name), Export(name, [], [], expect), labels)
            results.append((dataset, name, wrong))
    right = sum(not w for *_, w in results)
    print(f"\nshared data sets: {right}/{len(results)} = {right / len(results):.0%} right")
    for dataset, name, wrong in results:
        if wrong:
            print(f"  wrong: {dataset}/{name}: {'; '.join(wrong)}")
    assert right / len(results) >= REQUIRED_SHARE


@pytest.mark.skipif(DATASETS is None, reason="the shared data sets are not on this machine")
def test_classicmodels_proposed_and_loaded_gives_the_revenue_pandas_gives(tmp_path: Path) -> None:
    """init --from the folder, ingest, compute: revenue and orders per month of 2004 match
    a pandas computation over the raw CSVs (lines summed per order, cancelled left out)."""
    import datetime as dt

    import pandas as pd
    from typer.testing import CliRunner

    from onpace.cli.main import app
    from onpace.workspace import Workspace
    from tests.ingest.helpers import ingest

    assert DATASETS is not None
    folder = DATASETS / "classicmodels"
    root = tmp_path / "ws"
    result = CliRunner().invoke(app, ["init", str(root), "--from", str(folder)])
    assert result.exit_code == 0, result.output
    outcome = ingest(root, now=dt.datetime(2026, 1, 1))
    assert outcome.quarantined == 0 and outcome.read == outcome.loaded
    ws = Workspace.open(root)
    got = ws.compute(
        ["revenue", "orders"], start="2004-01", end="2004-12", as_of=dt.datetime(2026, 1, 1)
    )
    ws.warehouse.backend.disconnect()

    orders = pd.read_csv(folder / "orders.csv")
    lines = pd.read_csv(folder / "orderdetails.csv")
    lines["value"] = lines["quantityOrdered"] * lines["priceEach"]
    per_order = lines.groupby("orderNumber")["value"].sum().rename("amount").reset_index()
    sales = orders.merge(per_order, on="orderNumber")
    sales = sales[sales["status"] != "Cancelled"]
    sales["month"] = pd.to_datetime(sales["orderDate"]).dt.strftime("%Y-%m")
    in_2004 = sales[sales["month"].str.startswith("2004")]
    want_revenue = in_2004.groupby("month")["amount"].sum()
    want_orders = in_2004.groupby("month")["orderNumber"].count()
    for kpi, want in (("revenue", want_revenue), ("orders", want_orders)):
        values = got[got["kpi"] == kpi].set_index("period_label")["value"]
        assert list(values.index) == [f"2004-{m:02d}" for m in range(1, 13)]
        pd.testing.assert_series_equal(
            values.astype(float),
            want.astype(float).reindex(values.index, fill_value=0.0),
            check_names=False,
            rtol=1e-9,
        )
