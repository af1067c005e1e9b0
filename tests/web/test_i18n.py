"""The interface speaks English and Dutch, completely."""

from __future__ import annotations

import re
from pathlib import Path

from onpace.web.i18n import STRINGS, pick_language, translate

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "onpace" / "web" / "templates"


def test_both_languages_have_every_string() -> None:
    assert set(STRINGS["en"]) == set(STRINGS["nl"])
    assert all(STRINGS["nl"][k].strip() for k in STRINGS["nl"])


def test_every_string_a_template_asks_for_exists() -> None:
    asked = set()
    for template in TEMPLATES.glob("*.html"):
        asked |= set(re.findall(r"f\.t\('([a-z_]+)'\)", template.read_text(encoding="utf-8")))
    assert asked and not asked - set(STRINGS["en"]), asked - set(STRINGS["en"])


def test_language_choice() -> None:
    assert pick_language("nl", "en-GB") == "nl"
    assert pick_language(None, "de-DE,nl;q=0.8,en;q=0.5") == "nl"
    assert pick_language("fr", None) == "en"
    assert translate("nl", "targets") == "Doelen" and translate("xx", "targets") == "Targets"
