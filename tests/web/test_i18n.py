"""The interface speaks English and Dutch, completely, from gettext catalogs."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from onpace.web import i18n
from onpace.web.i18n import LANGUAGES, LOCALE_DIR, STRINGS, pick_language, translate, vega_locale
from tests.web.conftest import Site

WEB = Path(i18n.__file__).parent
METHODS = [
    ("**/templates/*.html", "onpace.web.extract_strings:extract_template_keys"),
    ("**.py", "python"),
]


def _extracted() -> set[str]:
    found = extract_from_dir(str(WEB), method_map=METHODS, keywords={"translate": (2,)})
    return {message for _file, _line, message, _comments, _context in found}


def test_every_language_has_every_string() -> None:
    assert set(LANGUAGES) >= {"en", "nl"} and LANGUAGES["nl"] == "nl_NL"
    for language in LANGUAGES:
        missing = set(STRINGS["en"]) - set(STRINGS[language])
        assert not missing, (language, sorted(missing))


def test_extraction_finds_exactly_the_catalog() -> None:
    """pybabel extract with locale/babel.cfg: every key asked for is in the catalog, and
    every key in the catalog is asked for somewhere (no dead strings for translators)."""
    asked = _extracted()
    assert asked == set(STRINGS["en"]), (
        sorted(asked - set(STRINGS["en"])),
        sorted(set(STRINGS["en"]) - asked),
    )


def test_catalogs_compile_with_babel() -> None:
    for po in LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as f:
            catalog = read_po(f)
        assert not list(catalog.check()), po
        out = io.BytesIO()
        write_mo(out, catalog)
        assert out.getvalue()[:4] in (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde")


def test_a_third_language_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(LOCALE_DIR, tmp_path / "locale")
    german = tmp_path / "locale" / "de" / "LC_MESSAGES"
    german.mkdir(parents=True)
    text = (LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    text = text.replace('"Language: en_GB\\n"', '"Language: de_DE\\n"')
    text = text.replace('msgstr "Targets"', 'msgstr "Ziele"')
    (german / "messages.po").write_text(text, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    locales, strings = i18n._catalogs()
    assert locales["de"] == "de_DE" and strings["de"]["targets"] == "Ziele"


def test_language_choice() -> None:
    assert pick_language("nl", "en-GB") == "nl"
    assert pick_language(None, "de-DE,nl;q=0.8,en;q=0.5") == "nl"
    assert pick_language("fr", None) == "en"
    assert translate("nl", "targets") == "Doelen" and translate("xx", "targets") == "Targets"


def test_chart_locale_follows_the_language() -> None:
    nl = vega_locale("nl", "EUR")
    assert nl["number"] == {
        "decimal": ",",
        "thousands": ".",
        "grouping": [3],
        "currency": ["€\xa0", ""],
    }
    assert nl["time"]["shortMonths"][2] == "mrt" and nl["time"]["days"][0] == "zondag"
    en = vega_locale("en", "EUR")
    assert en["number"]["decimal"] == "." and en["number"]["currency"] == ["€", ""]
    assert en["time"]["shortMonths"][2] == "Mar"


def test_language_links_keep_the_query(site: Site) -> None:
    html = site.login("viewer").get("/scorecard", params={"grain": "month", "by": "rep"}).text
    assert 'href="?grain=month&amp;by=rep&amp;lang=nl"' in html
    html = site.login("viewer").get("/scorecard?grain=month&lang=nl").text
    assert 'href="?grain=month&amp;lang=en"' in html and 'id="vega-locale"' in html
