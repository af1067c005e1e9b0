"""Schemathesis against the OpenAPI document: generated requests never get a server error.

Every operation gets a few dozen generated cases (valid and invalid parameters
and bodies) as a manager, who may read and write. A 4xx with a message is the
right answer to bad input; a 5xx is a failure.

The document carries the workspace's KPI names and dimensions (dotted ones too)
as enumerations and the forms of periods as patterns, so the generated cases
include every dimension and the years 0001 and 9999; the edge cases that once
gave 500s are also sent as explicit cases.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.web.conftest import Site, make_site

MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def fuzz_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    s = make_site(tmp_path_factory.mktemp("fuzz") / "ws")
    yield s
    s.app.state.ctx.store.close()


def _schema(site: Site) -> schemathesis.schemas.BaseSchema:
    schema = schemathesis.openapi.from_dict(site.app.openapi())
    schema.app = site.app
    return schema


def test_openapi_document_lists_the_api(fuzz_site: Site) -> None:
    paths = fuzz_site.api("viewer").get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/scorecard",
        "/api/v1/targets",
        "/api/v1/values",
        "/api/v1/smart",
        "/api/v1/objectives",
        "/api/v1/ingest",
        "/api/v1/targets/history",
    } <= set(paths)
    assert not any(p.startswith("/scorecard") for p in paths)


def _parameter(document: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    parameters = document["paths"][path]["get"]["parameters"]
    schema: dict[str, Any] = next(p for p in parameters if p["name"] == name)["schema"]
    return next((b for b in schema.get("anyOf", [schema]) if b.get("type") != "null"), schema)


def test_openapi_document_carries_the_workspace(fuzz_site: Site) -> None:
    document = fuzz_site.api("viewer").get("/api/v1/openapi.json").json()
    kpis = sorted(fuzz_site.app.state.ctx.ws.kpis)
    assert _parameter(document, "/api/v1/values", "kpi")["items"]["enum"] == kpis
    dims = _parameter(document, "/api/v1/scorecard", "by")["enum"]
    assert {"rep", "rep.team", "customer.segment", "channel"} <= set(dims)
    assert _parameter(document, "/api/v1/values", "by")["enum"] == dims
    period = re.compile(_parameter(document, "/api/v1/scorecard", "period")["pattern"])
    assert all(period.match(p) for p in ("2026", "2026-Q3", "2026-03", "FY2027", "9999"))
    assert not period.match("2026-Q5") and not period.match("next year")
    day = re.compile(_parameter(document, "/api/v1/scorecard", "start")["pattern"])
    assert day.match("0001-01-01") and not day.match("2026")
    target = document["components"]["schemas"]["TargetIn"]["properties"]
    assert target["kpi"]["enum"] == kpis
    assert re.match(target["period"]["pattern"], "0001-01-01..9999-12-31")
    by = next(b for b in target["by"]["anyOf"] if b.get("type") == "string")
    assert re.match(by["pattern"], "rep.team=North") and not re.match(by["pattern"], "team")


EDGE_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/api/v1/scorecard", {"grain": "year", "period": "9999"}),
    ("GET", "/api/v1/scorecard", {"grain": "quarter", "period": "9999-Q4"}),
    ("GET", "/api/v1/scorecard", {"grain": "month", "period": "0001-01"}),
    ("GET", "/api/v1/scorecard", {"grain": "custom", "start": "0001-01-01", "end": "9999-12-31"}),
    ("GET", "/api/v1/values", {"kpi": "revenue", "start": "0001", "end": "9999"}),
    ("GET", "/api/v1/values", {"kpi": "revenue", "start": "0001-01-01", "end": "9999-12-31"}),
    ("POST", "/api/v1/targets", {"period": "9999"}),
    ("POST", "/api/v1/targets", {"period": "9999-12"}),
    ("POST", "/api/v1/targets", {"period": "0001-01-01..9999-12-31"}),
]


def test_edge_cases_are_answered_without_a_server_error(fuzz_site: Site) -> None:
    schema = _schema(fuzz_site)
    headers = {"Authorization": f"Bearer {fuzz_site.tokens['manager']}"}
    cases = list(EDGE_CASES)
    for dim in _parameter(fuzz_site.app.openapi(), "/api/v1/scorecard", "by")["enum"]:
        cases.append(("GET", "/api/v1/scorecard", {"by": dim}))
        kpi = next(n for n, k in fuzz_site.app.state.ctx.ws.kpis.items() if dim in k.dimensions)
        cases.append(("GET", "/api/v1/values", {"kpi": kpi, "by": dim, "grain": "quarter"}))
    answers = []
    for method, path, params in cases:
        operation = schema[path][method]
        if method == "POST":
            body = {"kpi": "revenue", "value": "100", "reason": "edge", **params}
            case = operation.Case(body=body, media_type="application/json")
        else:
            case = operation.Case(query=params)
        response = case.call(headers=headers)
        answers.append((method, path, params, response.status_code, response.text[:160]))
    assert not [a for a in answers if a[3] >= 500], [a for a in answers if a[3] >= 500]
    dotted = [a for a in answers if "." in str(a[2].get("by", ""))]
    assert dotted and all(a[3] == 200 for a in dotted), dotted


def test_no_server_error_on_generated_requests(fuzz_site: Site) -> None:
    schema = _schema(fuzz_site)
    headers = {"Authorization": f"Bearer {fuzz_site.tokens['manager']}"}
    failures: list[str] = []
    seen: dict[str, set[int]] = {}
    generated_by: set[str] = set()
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,
        )
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            seen.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)
            if isinstance(case.query, dict) and isinstance(case.query.get("by"), str):
                generated_by.add(case.query["by"])
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} {response.status_code} "
                    f"{response.text[:200]}"
                )

        run()
    assert not failures, failures[:5]
    # the generated requests reached every operation, with good and bad input alike
    operations = sum(len(methods) for methods in fuzz_site.app.openapi()["paths"].values())
    assert len(seen) == operations
    assert 200 in seen["GET /api/v1/scorecard"] and 200 in seen["GET /api/v1/targets"]
    assert seen["POST /api/v1/targets"] & {400, 404, 422}
    assert seen["POST /api/v1/reviews"] & {400, 404, 422}
    # the enumerations reach the generator: it asks for dotted dimensions by itself
    assert any("." in by for by in generated_by), generated_by
