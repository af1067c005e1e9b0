"""The target form picks from the data and speaks in words, not command-line flags.

conftest.py's workspace (now 2024-03-20): reps Ann r1, Bob r2 (team North) and Cem
r3 (South); channels sales, store, web; segments consumer, enterprise, smb.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from onpace.web import cached_views
from tests.web.conftest import Site


def _options(page: str, datalist: str) -> dict[str, str]:
    block = re.search(rf'<datalist id="{datalist}">(.*?)</datalist>', page, re.S)
    assert block, f"no datalist {datalist}"
    return dict(re.findall(r'<option value="([^"]+)">([^<]*)</option>', block.group(1)))


def _post(c: TestClient, **form: str) -> tuple[int, str]:
    page = c.get("/targets").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    data = {"csrf": csrf.group(1), "action": "save", "reason": "plan", **form}
    r = c.post("/targets", data=data)
    return r.status_code, r.text


def test_scopes_and_periods_come_from_the_data(site: Site) -> None:
    page = site.login("manager").get("/targets").text
    scopes = _options(page, "t-scopes")
    assert scopes["rep=r1"] == "Ann (r1) · rep" and scopes["rep=r3"] == "Cem (r3) · rep"
    assert scopes["rep.team=North"] == "North · rep.team" and "rep.team=South" in scopes
    assert {"channel=sales", "channel=store", "channel=web"} <= set(scopes)
    assert {"customer.segment=consumer", "customer.segment=smb"} <= set(scopes)
    periods = _options(page, "t-periods")
    # the month, quarter and year of 2024-03-20, the ones after, and the last closed ones
    assert list(periods)[:4] == ["2024-03", "2024-04", "2024-05", "2024-06"]
    assert {"2024-Q1", "2024-Q2", "2024-Q3", "2024", "2025", "2023-Q4", "2023"} <= set(periods)
    assert periods["2024-Q1"] == "quarter" and periods["2024-03"] == "month"


def test_the_pickers_read_the_warehouse_under_the_computation_lock(
    fresh_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The members come from a warehouse query, and a background refresh may hold the
    connection: reading them outside the lock made /targets fail now and then."""
    ctx = fresh_site.app.state.ctx
    held: list[bool] = []

    def members_under_lock(*args: Any, **kwargs: Any) -> list[Any]:
        held.append(ctx.lock._is_owned())
        return real(*args, **kwargs)

    real = cached_views.scope_choices
    monkeypatch.setattr(cached_views, "scope_choices", members_under_lock)
    manager = fresh_site.login("manager")
    assert "Ann (r1)" in manager.get("/targets").text
    assert "Ann (r1)" in fresh_site.login("admin").get("/admin/users").text
    assert held == [True]  # once, under the lock; the second page is served from the cache


def test_a_rep_gets_no_member_lists(site: Site) -> None:
    page = site.login("rep1").get("/targets").text
    assert "t-scopes" not in page and "Cem (r3)" not in page


def test_form_errors_name_the_fields_not_flags(fresh_site: Site) -> None:
    manager = fresh_site.login("manager")
    status, page = _post(manager, kpi="revenue", period="2024-Q2", value="1000", by="rep")
    assert status == 400 and "--by" not in page
    assert "“Scope” &#39;rep&#39;: write DIMENSION=VALUE" in page
    manager.get("/targets?lang=nl")
    status, page = _post(manager, kpi="revenue", period="2024-Q2", value="1000", by="rep=Anne")
    assert status == 400 and "--new-value" not in page
    assert "vink “waarde nog niet in de data” aan" in page
    status, page = _post(manager, kpi="revenue", period="2024-Q2", value="10%")
    assert status == 400 and "--relative" not in page and "“Ten opzichte van”" in page
