"""A failing alert channel is reported on the data-health page."""

from __future__ import annotations

from datetime import datetime

from onpace.alerts.history import record_delivery, record_event
from onpace.store import open_store, store_url
from tests.web.conftest import Site


def test_a_failing_channel_shows_on_the_health_page(site: Site) -> None:
    store = open_store(store_url(None, site.root))
    try:
        event = record_event(store, "slipping", "orders||2025-Q4", "fired", "at risk", "m",
                             datetime(2025, 10, 25))  # fmt: skip
        record_delivery(store, event, "email", "ann", "ann@example.com", True, 1, "")
        record_delivery(store, event, "slack", "slack", "https://hooks.slack.com/...", False, 3,
                        "DeliveryError: https://hooks.slack.com/x answered HTTP 500")  # fmt: skip
    finally:
        store.close()
    c = site.login("viewer")
    channels = {ch["channel"]: ch for ch in c.get("/health.json").json()["channels"]}
    assert channels["email"]["status"] == "ok"
    assert channels["slack"]["status"] == "failing"
    assert channels["slack"]["failed_deliveries"] == 1
    page = c.get("/health").text
    assert "Alert channels" in page and "HTTP 500" in page
