"""The library's notes, explanations and errors are in Dutch on a Dutch page.

conftest.py's data starts in January 2024: revenue_growth_prior of 2024-01 divides
by December 2023's revenue, which is 0 ("division by zero: prior(revenue) is 0"),
and no KPI has a target until one is set.
"""

from __future__ import annotations

import html
import re

import pytest

from onpace.errors import TargetError
from onpace.web.phrases import PHRASES, error_words, phrase
from tests.web.conftest import Site, add_targets, csrf_of


def _titles(page: str, kpi: str, member: str = "") -> list[str]:
    who = f' data-member="{member}"' if member else ""
    row = re.search(rf'<tr[^>]*data-kpi="{kpi}"{who}>(.*?)</tr>', page, re.S)
    assert row, f"no row for {kpi}"
    return [html.unescape(t) for t in re.findall(r'title="([^"]*)"', row.group(1))]


def test_notes_and_explanations_of_the_scorecard_are_dutch(fresh_site: Site) -> None:
    c = fresh_site.login("admin")
    english = c.get("/scorecard", params={"grain": "month", "period": "2024-01", "lang": "en"})
    # without a target: the blank value says why; with one, the status says which target
    assert _titles(english.text, "revenue_growth_prior") == [
        "division by zero: prior(revenue) is 0"
    ]
    page = c.get("/scorecard", params={"grain": "month", "period": "2024-01", "lang": "nl"}).text
    assert _titles(page, "revenue_growth_prior") == ["deling door nul: prior(revenue) is 0"]
    assert "division by zero" not in page
    add_targets(fresh_site.root, [("revenue", "2024-01", "200", "rep=r1")])
    fresh_site.app.state.ctx.clear()
    asked = {"grain": "month", "period": "2024-01", "by": "rep"}
    page = c.get("/scorecard", params={**asked, "lang": "en"}).text
    assert _titles(page, "revenue", "r2")[-1] == "no target applies to 2024-01"  # r1 has one
    page = c.get("/scorecard", params={**asked, "lang": "nl"}).text
    assert _titles(page, "revenue", "r2")[-1] == "geen doel voor 2024-01"
    assert "no target applies" not in page
    # the JSON twin keeps the library's sentence, for scripts that read it
    card = c.get("/scorecard.json", params={"grain": "month", "period": "2024-01"}).json()
    notes = {r["kpi"]: r["note"] for r in card["table"]}
    assert notes["revenue_growth_prior"] == "division by zero: prior(revenue) is 0"


def test_a_form_error_of_the_library_is_dutch(fresh_site: Site) -> None:
    c = fresh_site.login("manager")
    c.get("/targets?lang=nl")
    form = {"csrf": csrf_of(c.get("/targets").text), "kpi": "revenue", "period": "2024-Q2"}
    r = c.post("/targets", data={**form, "value": "100", "reason": "", "action": "save"})
    assert r.status_code == 400
    shown = html.unescape(r.text)
    assert "Een reden is verplicht: zeg waarom het doel wordt gezet of gewijzigd." in shown
    assert "a reason is required" not in shown
    api = fresh_site.api("manager").post(
        "/api/v1/targets", json={"kpi": "revenue", "period": "2024-Q2", "value": "1", "reason": " "}
    )
    assert "a reason is required" in api.text  # the API speaks the library's English


def test_the_kpi_list_names_type_unit_and_area_in_dutch(site: Site) -> None:
    page = site.login("viewer").get("/kpis", params={"lang": "nl"}).text
    row = re.search(r'<tr><td><a href="/kpis/return_rate">.*?</tr>', page, re.S)
    assert row
    cells = re.findall(r"<td>([^<]*)</td>", row.group(0))
    assert cells == ["Retourpercentage", "Verhouding", "Procent", "lager", "Service"]
    english = site.login("viewer").get("/kpis", params={"lang": "en"}).text
    assert "<td>Ratio</td><td>Percent</td>" in english


def test_the_templates_match_what_the_library_writes() -> None:
    """Each template reads back the sentence it describes, and only that."""
    for sentence, key in PHRASES:
        filled = sentence.format_map({"period": "2024-Q1", "divisor": "prior(x)", "what": "a, b"})
        assert phrase(filled, "nl") != filled, key
        assert phrase(filled, "en") == filled
    assert phrase("division by zero: prior(x) is 0 today", "nl").endswith("today")  # not ours
    assert phrase("gross_margin: division by zero: revenue is 0", "nl") == (
        "gross_margin: deling door nul: revenue is 0"
    )


@pytest.mark.parametrize("language", ["en", "nl"])
def test_an_error_without_a_message_id_is_its_sentence(language: str) -> None:
    assert error_words(TargetError("the period 2024-13 is not a month"), language) == (
        "the period 2024-13 is not a month"
    )
    keyed = TargetError("a reason is required").keyed("reason_required")
    assert error_words(keyed, "nl").startswith("Een reden is verplicht")
