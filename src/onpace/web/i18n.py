"""Interface language (English, Dutch) and locale-aware formatting of numbers and dates.

Numbers are formatted with Babel so `€ 1.234,50` in Dutch and `€1,234.50` in English
come from the CLDR data, not from hand-made rules. Interface strings live in gettext
catalogs under ``locale/`` (see docs/web.md, "Translating"); a missing string falls
back to English, and a test keeps every catalog complete.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date, get_day_names, get_month_names
from babel.messages.pofile import read_po
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_decimal_symbol,
    get_group_symbol,
)

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


def _catalogs() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Every ``locale/<language>/LC_MESSAGES/messages.po``: its locale and its strings.

    The ``.po`` files are read as they are (no compiled ``.mo`` needed), so a fresh
    ``pip install -e .`` speaks every language; a new language is a new folder.
    The ``msgid`` is the key a template asks for (``f.t('targets')``), the
    ``msgstr`` the text; untranslated entries fall back to English.
    """
    locales: dict[str, str] = {}
    strings: dict[str, dict[str, str]] = {}
    for po in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        language = po.parent.parent.name
        with po.open("rb") as f:
            catalog = read_po(f)
        locales[language] = str(catalog.locale or language)
        strings[language] = {
            str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy
        }
    return locales, strings


LANGUAGES, STRINGS = _catalogs()


def pick_language(requested: str | None, accept_language: str | None) -> str:
    """``requested`` when supported, else the first supported one the browser asks for."""
    if requested in LANGUAGES:
        return requested
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def translate(language: str, key: str) -> str:
    """The interface string ``key`` in ``language``, falling back to English, then the key."""
    return STRINGS.get(language, {}).get(key) or STRINGS["en"].get(key, key)


class _Blanks(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def say(language: str, key: str, values: Mapping[str, Any]) -> str:
    """``translate(language, key)`` with its ``{name}`` places filled from ``values``.

    >>> say("nl", "too_many_attempts", {"seconds": 30})
    'Te veel mislukte pogingen; probeer het over 30 s opnieuw.'
    """
    return translate(language, key).format_map(_Blanks(values))


# The command line's flags in a message, and the form field that does the same job.
_FLAGS = (
    ("add --new-value", "form_tick", "new_value"),
    ("add --relative", "form_choose", "baseline"),
    ("use --relative", "form_choose", "baseline"),
    ("--relative", "form_field", "baseline"),
    ("--new-value", "form_field", "new_value"),
    ("--by", "form_field", "scope"),
    ("--floor", "form_field", "floor"),
    ("--stretch", "form_field", "stretch"),
    ("--weights", "form_field", "weights"),
    ("--phasing", "form_field", "phasing"),
)


def form_words(message: str, language: str) -> str:
    """A message written for the command line, with its flags named as the form's fields.

    >>> form_words("--by 'rep': write DIMENSION=VALUE, e.g. --by rep=ann", "en")
    "“Scope” 'rep': write DIMENSION=VALUE, e.g. “Scope” rep=ann"
    >>> form_words("no rep 'Anne'. For a rep not in salespeople yet, add --new-value.", "nl")
    "no rep 'Anne'. For a rep not in salespeople yet, vink “waarde nog niet in de data” aan."
    """
    for flag, how, field in _FLAGS:
        if flag in message:
            words = say(language, how, {"field": translate(language, field)})
            message = message.replace(flag, words)
    return message


def format_number(
    value: float | None,
    unit: str,
    language: str,
    currency: str = "EUR",
    decimals: int | None = None,
) -> str:
    """A KPI value for display in ``language``'s conventions."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "\u2013"
    locale = LANGUAGES.get(language, "en_GB")
    if unit == "currency":
        digits = (
            0 if decimals is None and abs(value) >= 1000 else (2 if decimals is None else decimals)
        )
        pattern = None if digits == 2 else ("¤#,##0" if digits == 0 else None)
        if language == "nl" and pattern:
            pattern = "¤ #,##0;¤ -#,##0"
        return format_currency(
            value, currency, locale=locale, format=pattern, currency_digits=digits == 2
        )
    if unit == "percent":
        places = 1 if decimals is None else decimals
        return format_percent(
            value, locale=locale, format="#,##0." + "0" * places + "%" if places else "#,##0%"
        )
    places = {"days": 1, "count": 0, "score": 1, "ratio": 2}.get(unit, 2)
    if decimals is not None:
        places = decimals
    if unit == "count" and decimals is None and not float(value).is_integer():
        places = 1
    fmt = "#,##0" + ("." + "0" * places if places else "")
    text = format_decimal(value, locale=locale, format=fmt)
    return f"{text} d" if unit == "days" else text


def decimal_mark(language: str) -> str:
    """The decimal mark of ``language`` (``,`` in Dutch, ``.`` in English)."""
    return str(get_decimal_symbol(LANGUAGES.get(language, "en_GB")))


def format_day(value: date | datetime | str | None, language: str) -> str:
    """A date in the language's medium format (3 Mar 2026, 3 mrt 2026)."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_date(value, format="medium", locale=LANGUAGES.get(language, "en_GB"))


# The words charts name (views/charts.py): series in legends and tooltips, tooltip titles.
CHART_WORDS = {
    "actual": "series_actual",
    "to date": "series_to_date",
    "target": "series_target",
    "pace": "series_pace",
    "projection": "series_projection",
    "period": "chart_period",
    "series": "chart_series",
    "value": "chart_value",
    "date": "chart_date",
    "note": "chart_note",
}


def localise_chart(spec: Any, language: str) -> Any:
    """A copy of a Vega-Lite spec with its legend and tooltip words in ``language``.

    The series a point belongs to (``series``) and the colour scale's domain are
    translated; marks filter on the untranslated ``line``, so the drawing is the same
    in every language. Tooltip titles that are chart words are translated too.
    """

    def word(text: str) -> str:
        key = CHART_WORDS.get(text)
        return translate(language, key) if key else text

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {k: walk(v) for k, v in node.items()}
        if "line" in out and isinstance(out.get("series"), str):
            out["series"] = word(out["series"])
        if out.get("field") == "series" and isinstance(out.get("scale"), dict):
            domain = out["scale"].get("domain")
            if isinstance(domain, list):
                out["scale"] = {**out["scale"], "domain": [word(str(d)) for d in domain]}
        if "field" in out and isinstance(out.get("title"), str):
            out["title"] = word(out["title"])
        return out

    return walk(spec)


def vega_locale(language: str, currency: str = "EUR") -> dict[str, Any]:
    """The d3 number and time format locales of ``language`` for Vega-Lite charts.

    Built from the same CLDR data as :func:`format_number`, so a chart's axis and
    tooltips read ``€ 1.234`` and ``mrt 2024`` next to a Dutch table, not ``€1,234``
    and ``Mar 2024``. vega-embed takes them as ``formatLocale`` and ``timeFormatLocale``.
    """
    locale = LANGUAGES.get(language, "en_GB")
    sample = format_currency(1, currency, locale=locale, format=None, currency_digits=False)
    digits = [i for i, ch in enumerate(sample) if ch.isdigit()]
    affix = [sample[: digits[0]], sample[digits[-1] + 1 :]]  # ["€ ", ""] or ["", " €"]
    days = get_day_names("wide", locale=locale)
    short_days = get_day_names("abbreviated", locale=locale)
    months = get_month_names("wide", locale=locale)
    short_months = get_month_names("abbreviated", locale=locale)
    sunday_first = [6, 0, 1, 2, 3, 4, 5]
    return {
        "number": {
            "decimal": get_decimal_symbol(locale),
            "thousands": get_group_symbol(locale),
            "grouping": [3],
            "currency": affix,
        },
        "time": {
            "dateTime": "%x %X",
            "date": "%d-%m-%Y" if language != "en" else "%d/%m/%Y",
            "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": [str(days[i]) for i in sunday_first],
            "shortDays": [str(short_days[i]) for i in sunday_first],
            "months": [str(months[i]) for i in range(1, 13)],
            "shortMonths": [str(short_months[i]).rstrip(".") for i in range(1, 13)],
        },
    }
