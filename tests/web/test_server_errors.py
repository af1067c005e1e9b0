"""A server error is logged with an id and answered with it; the connection stays usable.

To provoke one, the KPI list's data function is made to raise an exception the app
does not expect (as a bug would).
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from onpace.web import cached_views
from onpace.web.process import free_port
from tests.web.conftest import Site

ID = re.compile(r"server error ([0-9a-f]{12})")


@pytest.fixture
def broken(fresh_site: Site, monkeypatch: pytest.MonkeyPatch) -> Site:
    def boom(ctx: Any) -> Any:
        raise RuntimeError("a bug in a view")

    monkeypatch.setattr(cached_views, "kpis", boom)
    return fresh_site


def test_api_error_is_json_with_the_id_that_is_logged(
    broken: Site, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="onpace.web"):
        response = broken.api("viewer").get("/api/v1/kpis")
    assert response.status_code == 500
    body = response.json()
    ident = ID.search(body["error"])
    assert ident, body
    assert response.headers["x-error-id"] == ident.group(1)
    assert "a bug in a view" not in body["error"]  # no internals in the answer
    logged = [r for r in caplog.records if ident.group(1) in r.getMessage()]
    assert len(logged) == 1 and "GET /api/v1/kpis" in logged[0].getMessage()
    assert logged[0].exc_info and "a bug in a view" in str(logged[0].exc_info[1])
    # the answer carries the security headers like any other
    assert response.headers["x-content-type-options"] == "nosniff"


def test_page_error_is_an_error_page_with_the_id(broken: Site) -> None:
    c = broken.login("viewer")
    page = c.get("/kpis")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert f"server error {page.headers['x-error-id']}" in page.text
    twin = c.get("/kpis.json")
    assert twin.status_code == 500 and ID.search(twin.json()["error"])


@pytest.fixture
def served(broken: Site) -> Iterator[int]:
    """The broken app behind a real uvicorn server (keep-alive connections)."""
    port = free_port()
    config = uvicorn.Config(broken.app, host="127.0.0.1", port=port, log_level="critical")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _exchange(sock: socket.socket, path: str, token: str) -> tuple[int, bytes]:
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
    sock.sendall(request.encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the server closed the connection instead of answering {path}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))  # type: ignore[union-attr]
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, f"the connection was cut in the middle of the answer to {path}"
        body += chunk
    return int(head.split()[1]), body


def test_the_next_request_on_the_connection_is_answered(broken: Site, served: int) -> None:
    token = broken.tokens["viewer"]
    with socket.create_connection(("127.0.0.1", served), timeout=20) as sock:
        status, first = _exchange(sock, "/api/v1/kpis", token)
        assert status == 500
        status, body = _exchange(sock, "/api/v1/me", token)
        assert status == 200 and b'"viewer"' in body
    assert ID.search(first.decode())
