"""/api/v1/values: periods as bounds (both included), the data's default range, all, top N.

The app's "now" is 20 March 2024 12:00 (tests/web/conftest.py), so March holds o8 (60)
and o9 (90) only: Q1 revenue is 230 + 215.50 + 150 = 595.50.
"""

from __future__ import annotations

from tests.web.conftest import Site


def _values(site: Site, user: str = "viewer", **params: object) -> dict[str, object]:
    response = site.api(user).get("/api/v1/values", params={"kpi": "revenue", **params})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_end_includes_its_period(site: Site) -> None:
    body = _values(site, start="2024-01", end="2024-02")
    assert [(r["label"], r["value"]) for r in body["table"]] == [  # type: ignore[union-attr]
        ("2024-01", 230.0),
        ("2024-02", 215.5),
    ]
    assert (body["start"], body["end"], body["range_note"]) == ("2024-01-01", "2024-02-29", None)


def test_default_range_is_the_datas_last_twelve_months(site: Site) -> None:
    body = _values(site)
    assert (body["start"], body["end"]) == ("2023-04-01", "2024-03-31")
    assert body["range_note"] == "no range given: the last 12 months with data, 2023-04 to 2024-03"
    assert body["table"][-1]["value"] == 150.0  # type: ignore[index]


def test_grain_all(site: Site) -> None:
    body = _values(site, grain="all", start="2024-Q1", end="2024-Q1")
    assert body["table"] == [
        {
            "kpi": "revenue",
            "period": "2024-01-01",
            "label": "2024-01-01 to 2024-03-31",
            "member": None,
            "value": 595.5,
            "note": None,
        }
    ]


def test_top_members(site: Site) -> None:
    # Q1 by rep as of 20 March: r1 180 + 120 = 300, r3 150, r2 115.50, no rep 30
    body = _values(site, grain="all", start="2024-01", end="2024-03", by="rep", top=2)
    assert [(r["member"], r["rank"], r["value"]) for r in body["table"]] == [  # type: ignore[union-attr]
        ("r1", 1, 300.0),
        ("r3", 2, 150.0),
    ]
    assert "rank" in body["columns"]  # type: ignore[operator]
    # a rep sees only their own row among the top
    mine = _values(site, "rep3", grain="all", start="2024-01", end="2024-03", by="rep", top=2)
    assert [(r["member"], r["rank"]) for r in mine["table"]] == [("r3", 2)]  # type: ignore[union-attr]


def test_bad_bounds_are_400(site: Site) -> None:
    c = site.api("viewer")
    bad = c.get("/api/v1/values", params={"kpi": "revenue", "start": "2024-13"})
    assert bad.status_code == 400 and "cannot read period '2024-13'" in bad.json()["error"]
    empty = c.get("/api/v1/values", params={"kpi": "revenue", "start": "2024-03", "end": "2024-01"})
    assert empty.status_code == 400 and "the range is empty" in empty.json()["error"]
    no_by = c.get("/api/v1/values", params={"kpi": "revenue", "top": 2})
    assert no_by.status_code == 400 and "a dimension to rank" in no_by.json()["error"]
