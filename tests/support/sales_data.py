"""The small sales data set every hand-computed catalog test reads (see tests/conftest.py)."""

from __future__ import annotations

import pandas as pd

N = None

SALES_DATA: dict[str, pd.DataFrame] = {
    "salespeople": pd.DataFrame(
        {
            "rep_id": ["r1", "r2", "r3"],
            "name": ["Ann", "Bob", "Cem"],
            "team": ["North", "North", "South"],
            "region": ["EU", "US", "EU"],
            "manager": ["Mia", "Mia", "Max"],
            "hired_at": ["2020-01-01", "2021-06-01", "2022-03-01"],
        }
    ),
    "customers": pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c4", "c5"],
            "first_seen_at": ["2023-12-01", "2024-01-08", "2024-01-18", "2024-02-05", "2024-02-15"],
            "name": ["Acme", "Bolt", "Cora", "Dina", "Eve"],
            "segment": ["enterprise", "smb", "smb", "consumer", "consumer"],
            "region": ["EU", "EU", "US", "US", "EU"],
            "country": ["NL", "DE", "US", "US", "NL"],
            "is_target_audience": [True, False, True, False, False],
        }
    ),
    "orders": pd.DataFrame(
        [
            # id, ordered_at, amount, customer, rep, channel, cost, qty, status
            ("o0", "2023-01-15 12:00", 115.00, N, N, "web", 50.00, 1, "completed"),
            ("o1", "2024-01-05 10:00", 100.00, "c1", "r1", "sales", 60.00, 2, "completed"),
            ("o2", "2024-01-12 09:00", 50.00, "c2", "r2", "web", 20.00, 1, "completed"),
            ("o3", "2024-01-20 15:00", 80.00, "c3", "r1", "store", N, 4, N),
            ("o4", "2024-01-25 11:00", 200.00, "c1", "r3", "sales", 150.00, 5, "cancelled"),
            ("o5", "2024-02-03 12:00", 120.00, "c1", "r1", "sales", 70.00, 3, "completed"),
            ("o6", "2024-02-14 08:00", 40.50, "c4", "r2", "web", 10.50, 1, "completed"),
            ("o7", "2024-02-20 17:00", 30.00, N, N, "web", 15.00, 1, "completed"),
            ("o11", "2024-02-25 13:00", 25.00, "c4", "r2", "store", 5.00, 1, "completed"),
            ("o8", "2024-03-02 10:00", 60.00, "c2", "r3", "sales", 30.00, 2, "completed"),
            ("o9", "2024-03-10 14:00", 90.00, "c5", "r3", "store", 45.00, 3, "completed"),
            ("o10", "2024-03-28 16:00", 70.00, "c1", "r1", "web", 35.00, 2, "completed"),
        ],
        columns=[
            "order_id",
            "ordered_at",
            "amount",
            "customer_id",
            "rep_id",
            "channel",
            "cost",
            "quantity",
            "status",
        ],
    ),
    "quotes": pd.DataFrame(
        [
            # id, submitted_at, status, decided_at, customer, rep, amount, order
            ("q1", "2024-01-03", "won", "2024-01-04", "c1", "r1", 100.0, "o1"),
            ("q2", "2024-01-10", "lost", "2024-02-02", "c2", "r2", 70.0, N),
            ("q3", "2024-01-25", "won", "2024-02-01", "c1", "r1", 120.0, "o5"),
            ("q4", "2024-02-10", "open", N, "c3", "r1", 300.0, N),
            ("q5", "2024-02-20", "lost", "2024-03-05", "c4", "r3", 55.0, N),
            ("q8", "2024-02-28", "lost", "2024-03-20", "c3", "r2", 45.0, N),
            ("q6", "2024-03-01", "won", "2024-03-02", "c2", "r3", 60.0, "o8"),
            ("q7", "2024-03-15", "open", N, "c5", "r3", 80.0, N),
        ],
        columns=[
            "quote_id",
            "submitted_at",
            "status",
            "decided_at",
            "customer_id",
            "rep_id",
            "amount",
            "order_id",
        ],
    ),
    "leads": pd.DataFrame(
        [
            # id, created_at, source, campaign, first_contact_at, customer, rep, converted_at
            (
                "l1",
                "2024-01-02 09:00",
                "form",
                "winter",
                "2024-01-03 09:00",
                "c1",
                "r1",
                "2024-01-05 10:00",
            ),
            (
                "l2",
                "2024-01-08 08:00",
                "call",
                N,
                "2024-01-08 12:00",
                "c2",
                "r2",
                "2024-01-12 09:00",
            ),
            ("l3", "2024-01-18 10:00", "ad", "winter", N, "c3", "r1", "2024-01-20 15:00"),
            ("l6", "2024-02-01 10:00", "form", "winter", "2024-02-02 10:00", "c3", "r1", N),
            (
                "l4",
                "2024-02-05 10:00",
                "chat",
                N,
                "2024-02-06 08:00",
                "c4",
                "r2",
                "2024-02-14 08:00",
            ),
            (
                "l5",
                "2024-02-15 10:00",
                "email",
                N,
                "2024-02-16 14:00",
                "c5",
                "r3",
                "2024-03-10 14:00",
            ),
            ("l8", "2024-03-12 10:00", "form", "spring", "2024-03-12 15:00", "c2", "r3", N),
            ("l7", "2024-03-20 09:00", "referral", "spring", N, N, N, N),
        ],
        columns=[
            "lead_id",
            "created_at",
            "source",
            "campaign",
            "first_contact_at",
            "customer_id",
            "rep_id",
            "converted_at",
        ],
    ),
    "web_sessions": pd.DataFrame(
        [
            # id, started_at, visitor, customer, source, medium, campaign, is_paid
            ("s1", "2024-01-03 10:00", "v1", N, "google", "cpc", "winter", True),
            ("s2", "2024-01-10 10:00", "v2", N, "direct", "none", N, False),
            ("s3", "2024-01-12 08:50", "v3", "c2", "newsletter", "email", N, False),
            ("s4", "2024-02-02 10:00", "v4", N, "google", "organic", N, False),
            ("s5", "2024-02-14 07:50", "v5", "c4", "google", "cpc", "winter", True),
            ("s6", "2024-02-20 16:50", "v6", N, "facebook", "cpc", "winter", True),
            ("s7", "2024-03-05 10:00", "v7", N, "direct", "none", N, N),
            ("s8", "2024-03-28 15:50", "v8", "c1", "google", "cpc", "spring", True),
            ("s9", "2024-03-29 10:00", "v9", "c3", "newsletter", "email", N, False),
        ],
        columns=[
            "session_id",
            "started_at",
            "visitor_id",
            "customer_id",
            "source",
            "medium",
            "campaign",
            "is_paid",
        ],
    ),
    "carts": pd.DataFrame(
        [
            # id, created_at, session, customer, value, order (None: abandoned)
            ("k1", "2024-01-10 10:05", "s2", N, 30.0, N),
            ("k2", "2024-01-12 08:55", "s3", "c2", 50.0, "o2"),
            ("k3", "2024-02-14 07:55", "s5", "c4", 40.5, "o6"),
            ("k4", "2024-02-20 16:55", "s6", N, 30.0, "o7"),
            ("k5", "2024-02-21 12:00", N, "c1", 99.0, N),
            ("k6", "2024-03-28 15:55", "s8", "c1", 70.0, "o10"),
            ("k7", "2024-03-29 10:05", "s9", "c3", 20.0, N),
        ],
        columns=["cart_id", "created_at", "session_id", "customer_id", "value", "order_id"],
    ),
    "returns": pd.DataFrame(
        [
            # id, returned_at, order, kind, amount, qty, reason
            ("ret1", "2024-01-28", "o1", "return", 40.0, 1, "damaged"),
            ("ret2", "2024-02-05", "o2", "return", 50.0, 1, "wrong_size"),  # of a January order
            ("ret3", "2024-02-22", "o6", "exchange", 0.0, 1, "wrong_size"),
            ("ret4", "2024-03-15", "o9", "return", 30.0, 1, "damaged"),
            ("ret5", "2024-03-20", "o9", "return", 15.0, 1, "damaged"),  # same order again
        ],
        columns=["return_id", "returned_at", "order_id", "kind", "amount", "quantity", "reason"],
    ),
    "complaints": pd.DataFrame(
        [
            ("cp1", "2024-01-15", "c1", "o1", "delivery", "2024-01-16"),
            ("cp2", "2024-02-10", "c2", N, "billing", N),
            ("cp3", "2024-02-21", "c4", "o6", "quality", "2024-02-25"),
        ],
        columns=["complaint_id", "opened_at", "customer_id", "order_id", "category", "resolved_at"],
    ),
    "invoices": pd.DataFrame(
        [
            # id, issued, due, amount, order, customer, paid_amount, paid_at, written_off
            ("i1", "2024-01-05", "2024-01-20", 100.00, "o1", "c1", 100.00, "2024-01-18", False),
            ("i2", "2024-01-12", "2024-01-27", 50.00, "o2", "c2", N, N, False),
            ("i3", "2024-02-03", "2024-02-18", 120.00, "o5", "c1", 40.00, N, False),
            ("i4", "2024-02-14", "2024-02-29", 40.50, "o6", "c4", 0.00, N, True),
            ("i5", "2024-03-02", "2024-03-17", 60.00, "o8", "c2", 60.00, "2024-03-10", False),
            ("i7", "2024-02-25", "2024-03-25", 25.00, "o11", "c4", 5.00, N, True),
            ("i6", "2024-03-10", "2024-04-09", 90.00, "o9", "c5", N, N, False),  # due in April
        ],
        columns=[
            "invoice_id",
            "issued_at",
            "due_at",
            "amount",
            "order_id",
            "customer_id",
            "paid_amount",
            "paid_at",
            "written_off",
        ],
    ),
    "satisfaction": pd.DataFrame(
        [
            ("a1", "2024-01-06", 5, "csat_5", "c1"),
            ("a2", "2024-01-13", 3, "csat_5", "c2"),
            ("a3", "2024-01-21", 10, "nps_10", "c3"),
            ("a4", "2024-01-22", 6, "nps_10", "c1"),
            ("a5", "2024-02-04", 4, "csat_5", "c1"),
            ("a6", "2024-02-15", 9, "nps_10", "c4"),
            ("a7", "2024-02-16", 8, "nps_10", "c4"),
            ("a8", "2024-02-26", 2, "csat_5", "c4"),
            ("a10", "2024-02-27", 5, "csat_5", "c1"),
            ("a9", "2024-03-11", 7, "nps_10", "c5"),
            ("a11", "2024-03-20", 3, "nps_10", "c2"),
        ],
        columns=["response_id", "responded_at", "score", "scale", "customer_id"],
    ),
    "costs": pd.DataFrame(
        [
            ("x1", "2024-01-15", 20.00, "marketing"),
            ("x2", "2024-01-31", 100.00, "salaries"),
            ("x3", "2024-02-29", 100.00, "salaries"),
            ("x4", "2024-03-01", 50.00, "rent"),
            ("x5", "2024-03-15", 12.50, "marketing"),
            ("x6", "2024-03-31", 100.00, "salaries"),
        ],
        columns=["cost_id", "incurred_on", "amount", "category"],
    ),
}
