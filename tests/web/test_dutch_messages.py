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


def _status_title(page: str, kpi: str) -> str:
    row = re.search(rf'<tr[^>]*data-kpi="{kpi}">(.*?)</tr>', page, re.S)
    assert row, f"no row for {kpi}"
    cell = re.search(r'class="status-cell" title="([^"]*)"', row.group(1))
    assert cell, f"no status for {kpi}"
    return html.unescape(cell.group(1))


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
        places = {"period": "2024-Q1", "divisor": "prior(x)", "what": "a, b", "share": "94%"}
        places |= {"chance": "20%", "limit": "15%", "projected": "90%", "method": "none"}
        places |= {"status": "missed", "level": "below floor", "low": "90%", "high": "98%"}
        places |= {"model": "Theta", "baseline": "seasonal naive", "mase": "0.64"}
        places |= {"baseline_mase": "1.00", "weight": "40%"}
        filled = sentence.format_map(places)
        assert phrase(filled, "nl") != filled, key
        assert phrase(filled, "en") == filled
    assert phrase("division by zero: prior(x) is 0 today", "nl").endswith("today")  # not ours
    assert phrase("gross_margin: division by zero: revenue is 0", "nl") == (
        "gross_margin: deling door nul: revenue is 0"
    )


def test_how_a_projection_was_made_is_said_in_dutch() -> None:
    """The KPI page's method line, from the projection's own summary."""
    from onpace.targets.forecast import Projection

    made = Projection(
        1000.0, 900.0, 1100.0, 0.6, "mean", mase=0.8, baseline_mase=1.05, run_rate_weight=0.4
    )
    assert made.summary == (
        "method: mean of seasonal naive, growth-adjusted, Theta and ETS, backtest MASE 0.80"
        " vs seasonal naive 1.05; run-rate weight 40%"
    )
    assert phrase(made.summary, "nl") == (
        "methode: gemiddelde van seizoensnaïef, met groei, Theta en ETS, backtest-MASE 0.80"
        " tegen seizoensnaïef 1.05; gewicht van het huidige tempo 40%"
    )
    theta = Projection(1.0, None, None, None, "theta", pipeline_weight=0.25)
    assert phrase(theta.summary, "nl") == "methode: Theta; gewicht van de pijplijn 25%"
    over = Projection(1.0, None, None, None, "actual")
    assert phrase(over.summary, "nl") == "de periode is voorbij: de werkelijke waarde"
    unknown = "method: something new, backtest MASE 0.80 vs seasonal naive 1.05"
    assert phrase(unknown, "nl") == unknown  # a method the catalogs do not know stays


@pytest.mark.parametrize("language", ["en", "nl"])
def test_an_error_without_a_message_id_is_its_sentence(language: str) -> None:
    assert error_words(TargetError("the period 2024-13 is not a month"), language) == (
        "the period 2024-13 is not a month"
    )
    keyed = TargetError("a reason is required").keyed("reason_required")
    assert error_words(keyed, "nl").startswith("Een reden is verplicht")


def test_status_explanations_are_dutch(fresh_site: Site) -> None:
    """Hand-checked: revenue 2024-Q1 is in progress on 20 March (230 + 215.50 + 150 so
    far), January ended at 230 against 200 (115%: achieved), Q2 has not started."""
    add_targets(
        fresh_site.root,
        [
            ("revenue", "2024-Q1", "700", None),
            ("orders", "2024-01", "2", None),
            ("revenue", "2024-Q2", "600", None),
        ],
    )
    fresh_site.app.state.ctx.clear()
    c = fresh_site.login("admin")
    seen = {}
    for period, grain in (("2024-Q1", "quarter"), ("2024-01", "month"), ("2024-Q2", "quarter")):
        asked = {"grain": grain, "period": period}
        english = c.get("/scorecard", params={**asked, "lang": "en"}).text
        dutch = c.get("/scorecard", params={**asked, "lang": "nl"}).text
        kpi = "orders" if period == "2024-01" else "revenue"
        seen[period] = (_status_title(english, kpi), _status_title(dutch, kpi))
    # January: 3 orders (o1, o2, o3; o4 is cancelled) against 2 = 150%
    assert seen["2024-01"] == (
        "ended at 150% of target: achieved",
        "geëindigd op 150% van het doel: gehaald",
    )
    english, dutch = seen["2024-Q1"]
    # revenue's thresholds are the defaults: on track from 98%, at risk from 90%
    assert re.fullmatch(r"projected \d+% of target; (on track|at risk|off track) .*%", english)
    words = r"op koers bij 98% of meer|risico tussen 90% en 98%|uit koers onder 90%"
    assert re.fullmatch(rf"prognose \d+% van het doel; ({words})", dutch), dutch
    english, dutch = seen["2024-Q2"]
    assert english.startswith("starts 2024-Q2") and dutch.startswith("begint 2024-Q2")
    for _, said in seen.values():
        assert not re.search(r"\b(of target|projected|ended|starts|probability)\b", said), said
