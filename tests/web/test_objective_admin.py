"""The objectives admin page: add an objective, link KPIs with weights, change and unlink.

It edits objectives.yml through the same functions as ``onpace objective``; every
change is a CSRF-checked POST by an admin, audited, and shown at once on /objectives.
"""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from onpace.objectives.tree import load_objectives
from tests.web.conftest import Site, csrf_of


def _post(c: TestClient, path: str, **form: str) -> tuple[int, str]:
    token = csrf_of(c.get("/admin/objectives").text)
    r = c.post(path, data={"csrf": token, **form})
    if r.status_code == 303:
        return 303, html.unescape(c.get(r.headers["location"]).text)
    return r.status_code, html.unescape(r.text)


def _weights(site: Site) -> dict[str, dict[str, float]]:
    ws = site.app.state.ctx.ws
    found = load_objectives(site.root, ws.config.objectives_file, ws.kpis)
    assert not found.issues
    return {o.name: dict(o.kpis) for o in found.all()}


def test_add_link_weigh_and_unlink_shows_on_the_objectives_page(fresh_site: Site) -> None:
    admin = fresh_site.login("admin")
    before = admin.get("/objectives.json").json()
    assert "win_margin" not in str(before)
    status, page = _post(
        admin,
        "/admin/objectives",
        name="win_margin",
        label="Better margins",
        parent="growth",
        horizon="2024..2026",
        owner="CFO",
        kpi="revenue",
        weight="2",
    )
    assert status == 303 and "Objective win_margin added." in page
    assert _weights(fresh_site)["win_margin"] == {"revenue": 2.0}
    status, page = _post(admin, "/admin/objectives/win_margin/link", kpi="orders", weight="1,5")
    assert status == 303 and "orders linked to win_margin with weight 1.5." in page
    assert _weights(fresh_site)["win_margin"] == {"revenue": 2.0, "orders": 1.5}
    # seen at once on the objectives page, with the weights as shares: 2 / 3.5 and 1.5 / 3.5
    tree = admin.get("/objectives.json").json()["tree"]
    growth = next(o for o in tree if o["name"] == "growth")
    added = next(c for c in growth["children"] if c["name"] == "win_margin")
    assert added["label"] == "Better margins"
    shares = {k["kpi"]: k["weight"] for k in added["kpis"]}
    assert shares == {"revenue": 2 / 3.5, "orders": 1.5 / 3.5}
    shown = admin.get("/objectives").text
    assert "Better margins" in shown and "CFO" in shown and "2024..2026" in shown
    status, page = _post(admin, "/admin/objectives/win_margin/link", kpi="orders", weight="3")
    assert status == 303 and _weights(fresh_site)["win_margin"]["orders"] == 3.0
    status, page = _post(admin, "/admin/objectives/win_margin/unlink", kpi="revenue")
    assert status == 303 and "revenue unlinked from win_margin." in page
    assert _weights(fresh_site)["win_margin"] == {"orders": 3.0}
    audit = [
        (e["user"], e["action"], e["object"]) for e in fresh_site.app.state.ctx.auth.audit_entries()
    ]
    for action in ("objective.add", "objective.link", "objective.unlink"):
        assert ("admin", action, "win_margin") in audit, action
    # the file keeps what people wrote around the edit
    text = (fresh_site.root / "objectives.yml").read_text(encoding="utf-8")
    assert "nl: Meer verkopen" in text


def test_only_admins_edit_objectives_and_every_change_needs_the_csrf_token(
    fresh_site: Site,
) -> None:
    before = (fresh_site.root / "objectives.yml").read_text(encoding="utf-8")
    for user in ("manager", "viewer", "rep1"):
        c = fresh_site.login(user)
        assert c.get("/admin/objectives").status_code == 403
        assert c.get("/admin/objectives.json").status_code == 403
        assert 'href="/admin/objectives"' not in c.get("/objectives").text
        csrf = csrf_of(c.get("/scorecard").text)
        form = {"csrf": csrf, "name": "sneaky", "label": "Sneaky"}
        assert c.post("/admin/objectives", data=form).status_code == 403
        form = {"csrf": csrf, "kpi": "orders", "weight": "9"}
        assert c.post("/admin/objectives/growth/link", data=form).status_code == 403
        assert c.post("/admin/objectives/growth/unlink", data=form).status_code == 403
    admin = fresh_site.login("admin")
    assert 'href="/admin/objectives"' in admin.get("/objectives").text
    for path, form in (
        ("/admin/objectives", {"name": "forged", "label": "Forged"}),
        ("/admin/objectives/growth/link", {"kpi": "orders", "weight": "2"}),
        ("/admin/objectives/growth/unlink", {"kpi": "revenue"}),
    ):
        assert admin.post(path, data={"csrf": "forged", **form}).status_code == 403, path
    assert (fresh_site.root / "objectives.yml").read_text(encoding="utf-8") == before


def test_mistakes_are_said_in_the_readers_language_and_change_nothing(fresh_site: Site) -> None:
    before = (fresh_site.root / "objectives.yml").read_text(encoding="utf-8")
    admin = fresh_site.login("admin")
    cases = (
        ("/admin/objectives", {"name": "Grow Sales", "label": "x"}, "snake_case"),
        ("/admin/objectives", {"name": "growth", "label": "Again"}, "already an objective"),
        ("/admin/objectives", {"name": "ok", "label": " "}, "needs a label"),
        ("/admin/objectives", {"name": "ok", "label": "Ok", "kpi": "revnue"}, "no KPI 'revnue'"),
        ("/admin/objectives/nope/link", {"kpi": "orders", "weight": "1"}, "no objective 'nope'"),
        ("/admin/objectives/growth/link", {"kpi": "orders", "weight": "0"}, "above 0"),
        ("/admin/objectives/growth/link", {"kpi": "orders", "weight": "-2"}, "above 0"),
        ("/admin/objectives/growth/link", {"kpi": "orders", "weight": "nan"}, "not a number"),
        ("/admin/objectives/growth/link", {"kpi": "orders", "weight": "lots"}, "not a number"),
        ("/admin/objectives/growth/unlink", {"kpi": "orders"}, "orders is not linked to growth"),
    )
    for path, form, said in cases:
        status, page = _post(admin, path, **form)
        assert status == 400 and said in page, (path, form, page[-600:])
    assert (fresh_site.root / "objectives.yml").read_text(encoding="utf-8") == before
    admin.get("/admin/objectives?lang=nl")
    status, page = _post(admin, "/admin/objectives/growth/link", kpi="orders", weight="0")
    assert status == 400 and "Een gewicht moet een getal boven 0 zijn" in page
    status, page = _post(admin, "/admin/objectives", name="growth", label="Nog eens")
    assert "Er is al een doelstelling 'growth'." in page
    status, page = _post(admin, "/admin/objectives", name="meer_marge", label="Meer marge")
    assert status == 303 and "Doelstelling meer_marge toegevoegd." in page
    assert "Doelstellingen bewerken" in page and "KPI koppelen" in page
