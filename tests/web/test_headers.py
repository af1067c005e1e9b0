"""Response headers that keep a browser safe: the CSP, and JSON that is safe inside HTML."""

from __future__ import annotations

import json

from onpace.web.render import json_for_html
from tests.support.hostile_data import PAYLOADS
from tests.web.conftest import Site


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
