"""Managers edit alerts.yml in the web app; a wrong rule is refused with its line and a fix."""

from __future__ import annotations

import re

from tests.web.conftest import Site

GOOD = """\
channels:
  email: {host: 127.0.0.1, port: 25, starttls: false, sender: onpace@example.com}
rules:
  - name: slipping
    when: status
    kpis: [revenue]
    recipients: {roles: [manager]}
"""


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_a_manager_saves_a_valid_file_and_a_wrong_one_is_refused(fresh_site: Site) -> None:
    c = fresh_site.login("manager")
    page = c.get("/alerts")
    assert page.status_code == 200
    saved = c.post("/alerts", data={"csrf": _csrf(page.text), "text": GOOD})
    assert saved.status_code == 303 and saved.headers["location"] == "/alerts?saved=1"
    assert (fresh_site.root / "alerts.yml").read_text() == GOOD
    wrong = GOOD.replace("kpis: [revenue]", "kpis: [revenu]")
    refused = c.post("/alerts", data={"csrf": _csrf(page.text), "text": wrong})
    assert refused.status_code == 400
    assert "alerts.yml:6: rules.0.kpis.0: unknown KPI &#39;revenu&#39;" in refused.text
    assert (fresh_site.root / "alerts.yml").read_text() == GOOD  # nothing half-saved
    assert "revenu]" in refused.text  # the text stays in the editor to be fixed


def test_only_managers_edit_and_the_form_needs_its_token(fresh_site: Site) -> None:
    assert fresh_site.login("rep1").get("/alerts").status_code == 403
    assert fresh_site.login("viewer").get("/alerts").status_code == 403
    c = fresh_site.login("manager")
    assert c.post("/alerts", data={"csrf": "wrong", "text": GOOD}).status_code == 403
    assert not (fresh_site.root / "alerts.yml").exists()
