"""Response headers that keep a browser safe: CSP, caching, HSTS, Allow; JSON safe in HTML."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from onpace.web.render import json_for_html
from tests.support.hostile_data import PAYLOADS
from tests.web.conftest import Site, make_site


def _directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_csp_allows_no_inline_script_and_no_eval(site: Site) -> None:
    for response in (site.client().get("/login"), site.login("viewer").get("/scorecard")):
        policy = _directives(response.headers["content-security-policy"])
        assert policy["script-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]


def test_pages_configure_htmx_without_eval(site: Site) -> None:
    html = site.login("viewer").get("/scorecard").text
    config = html.split('<meta name="htmx-config" content=\'')[1].split("'>")[0]
    assert json.loads(config)["allowEval"] is False
    assert json.loads(config)["allowScriptTags"] is False
    assert "/static/vendor/vega-interpreter-" in html


def test_json_for_html_escapes_what_ends_a_script_and_reads_back_the_same() -> None:
    data = {"member": list(PAYLOADS), "nested": {"a</script>": "\u2028&\u2029"}}
    text = json_for_html(data)
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert json.loads(text) == data


def test_authenticated_answers_are_not_stored(site: Site) -> None:
    c = site.login("viewer")
    for path in ("/scorecard", "/scorecard.json", "/scorecard.csv", "/kpis/revenue"):
        assert c.get(path).headers["cache-control"] == "no-store", path
    api = site.api("viewer")
    assert api.get("/api/v1/me").headers["cache-control"] == "no-store"
    assert api.get("/api/v1/openapi.json").headers["cache-control"] == "no-store"
    # the login form carries a CSRF token: not stored either; static files may be
    assert site.client().get("/login").headers["cache-control"] == "no-store"
    static = site.client().get("/static/app.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("cache-control", "")


def test_hsts_only_over_tls(site: Site) -> None:
    assert "strict-transport-security" not in site.client().get("/login").headers
    hsts = site.client(https=True).get("/login").headers["strict-transport-security"]
    assert hsts == "max-age=31536000"
    # a forwarded scheme from an address the app was not told to trust changes nothing
    spoofed = site.client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" not in spoofed.headers
    assert "secure" not in spoofed.headers["set-cookie"].lower()


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[Site]:
    """The app behind a reverse proxy it trusts (TestClient's address is 'testclient')."""
    s = make_site(tmp_path / "ws", trusted_proxies=["testclient"])
    yield s
    s.app.state.ctx.store.close()


def test_hsts_behind_a_trusted_proxy(proxied: Site) -> None:
    response = proxied.client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["strict-transport-security"] == "max-age=31536000"
    assert "secure" in response.headers["set-cookie"].lower()
    plain = proxied.client().get("/login")
    assert "strict-transport-security" not in plain.headers


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/api/v1/targets", {"GET", "POST", "PUT"}),
        ("PATCH", "/api/v1/me", {"GET"}),
        ("PUT", "/targets", {"GET", "POST"}),
        ("POST", "/scorecard", {"GET"}),
        ("DELETE", "/login", {"GET", "POST"}),
    ],
)
def test_405_says_what_is_allowed(site: Site, method: str, path: str, allow: set[str]) -> None:
    response = site.api("manager").request(method, path)
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) == allow
