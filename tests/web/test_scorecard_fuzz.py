"""Schemathesis on the scorecard's operations, with the values that used to answer 500.

``by`` and ``period`` are free strings in the API, so generated requests almost never
hit a real dimension or a year at the edge of the calendar. Here the schema given to
schemathesis lists them: every dimension of the workspace (dotted ones included),
near misses, member filters, and periods of years 0001 and 9999, a quarter 9 and a
custom range over the whole calendar. Every answer must be a success or a 4xx with a
message, never a 500.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from onpace.workspace import Workspace
from tests.web.conftest import Site, make_site

MAX_EXAMPLES = 10
NEAR_MISSES = ["rep.tem", "rep.", ".team", "planet", "rep.team.name", "REP", "total", ""]
PERIODS = [
    "2024",
    "2024-Q1",
    "2024-03",
    "2024-01-15..2024-03-31",
    "0001",
    "0001-Q1",
    "9999",
    "9999-Q4",
    "9999-12",
    "2024-Q9",
    "2024-13",
    "0001-01-01..9999-12-31",
    "2024-03-31..2024-01-01",
]
DAYS = ["2024-01-01", "2024-03-31", "0001-01-01", "9999-12-31", "2024-02-30", "2024-13-01"]
VALUES = ["300", "1.25M", "35%", "0.35", "35", "+10%", "-2pp", "€1,000", "abc", "1e999"]
OPERATIONS = {
    ("GET", "/api/v1/scorecard"),
    ("GET", "/api/v1/values"),
    ("GET", "/api/v1/objectives"),
    ("POST", "/api/v1/targets"),
    ("POST", "/api/v1/targets/try"),
}


@pytest.fixture(scope="module")
def fuzz_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    s = make_site(tmp_path_factory.mktemp("fuzz-scorecard") / "ws")
    yield s
    s.app.state.ctx.store.close()


def _listed(site: Site) -> dict[str, list[str]]:
    """The enumerations: the workspace's KPIs and dimensions, and the edges above."""
    ws = Workspace.open(site.root)
    dims = sorted({d for k in ws.kpis.values() for d in k.dimensions})
    kpis = sorted(ws.kpis)
    members = ["rep=r1", "rep=Ann", "rep.team=North", "rep.team=Nort", "channel=webshop"]
    return {
        "by": [*dims, *NEAR_MISSES],
        "by_member": [*members, *(f"{d}=x" for d in dims), "planet=x", "rep"],
        "kpi": [*kpis[:12], "revenue", "revenu", "Revenue"],
    }


def _enumerated(openapi: dict[str, Any], listed: dict[str, list[str]]) -> dict[str, Any]:
    """A copy of the OpenAPI document whose free strings carry the enumerations."""
    doc = copy.deepcopy(openapi)
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            if (method.upper(), path) not in OPERATIONS:
                continue
            for param in op.get("parameters", []):
                name = param["name"]
                if name == "by":
                    param["schema"] = {"enum": listed["by"]}
                elif name == "period":
                    param["schema"] = {"enum": PERIODS}
                elif name in ("start", "end"):
                    param["schema"] = {"enum": [*DAYS, "2024-01", "2024-Q1", "9999", "0001"]}
                elif name == "kpi":
                    param["schema"] = {"type": "array", "items": {"enum": listed["kpi"]}}
    bodies = {
        "kpi": {"enum": listed["kpi"]},
        "period": {"enum": PERIODS},
        "value": {"enum": VALUES},
        "floor": {"anyOf": [{"enum": VALUES}, {"type": "null"}]},
        "stretch": {"anyOf": [{"enum": VALUES}, {"type": "null"}]},
        "by": {"anyOf": [{"enum": listed["by_member"]}, {"type": "null"}]},
    }
    for model in ("TargetTry", "TargetIn"):
        props = doc["components"]["schemas"][model]["properties"]
        for name, schema in bodies.items():
            props[name] = schema
    return doc


def test_listed_edges_never_answer_a_server_error(fuzz_site: Site) -> None:
    schema = schemathesis.openapi.from_dict(
        _enumerated(fuzz_site.app.openapi(), _listed(fuzz_site))
    )
    schema.app = fuzz_site.app
    headers = {"Authorization": f"Bearer {fuzz_site.tokens['manager']}"}
    failures: list[str] = []
    seen: dict[str, set[int]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) not in OPERATIONS:
            continue

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
                    f"{case.method} {case.formatted_path} {case.query} {case.body} "
                    f"{response.status_code} {response.text[:200]}"
                )
            elif response.status_code >= 400:  # a 4xx says what was wrong
                assert response.json()["error"], response.text

        run()
    assert not failures, failures[:5]
    assert len(seen) == len(OPERATIONS)
    # the listed values reached both sides: answers and clear refusals
    for op in ("GET /api/v1/scorecard", "GET /api/v1/values", "POST /api/v1/targets/try"):
        assert 200 in seen[op] and seen[op] & {400, 404, 422}, (op, seen[op])
