"""Schemathesis against the OpenAPI document: generated requests never get a server error.

Every operation gets a few dozen generated cases (valid and invalid parameters
and bodies) as a manager, who may read and write. A 4xx with a message is the
right answer to bad input; a 5xx is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator

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


def test_no_server_error_on_generated_requests(fuzz_site: Site) -> None:
    schema = _schema(fuzz_site)
    headers = {"Authorization": f"Bearer {fuzz_site.tokens['manager']}"}
    failures: list[str] = []
    seen: dict[str, set[int]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            seen.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)
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
