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
