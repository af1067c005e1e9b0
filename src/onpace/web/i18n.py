"""Interface language (English, Dutch) and locale-aware formatting of numbers and dates.

Numbers are formatted with Babel so `€ 1.234,50` in Dutch and `€1,234.50` in English
come from the CLDR data, not from hand-made rules. Interface strings live in one
table per language; a missing Dutch string falls back to English, and a test keeps
the two tables complete.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from onpace.web.admin_strings import ADMIN_STRINGS
from onpace.web.compare_strings import COMPARE_STRINGS

LANGUAGES = {"en": "en_GB", "nl": "nl_NL"}

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "reviews": "Reviews",
        "decision": "Decision",
        "note": "Note",
        "note_hint": "what was looked at, and why this decision",
        "cadence": "Cadence",
        "owner": "Owner",
        "last_review": "Last review",
        "next_due": "Next due",
        "decision_keep": "keep",
        "decision_revise": "revise",
        "decision_retire": "retire",
        "review_overdue": "overdue",
        "review_due_soon": "due soon",
        "review_ok": "ok",
        "review_never_reviewed": "never reviewed",
        "review_no_cadence": "no cadence",
        "weekly": "weekly",
        "monthly": "monthly",
        "quarterly": "quarterly",
        "yearly": "yearly",
        "scorecard": "Scorecard",
        "kpis": "KPIs",
        "objectives": "Objectives",
        "targets": "Targets",
        "health": "Data health",
        "check": "SMART check",
        "logout": "Log out",
        "login": "Log in",
        "username": "User name",
        "password": "Password",
        "value": "Value",
        "target": "Target",
        "attainment": "Attainment",
        "pace": "Pace",
        "projection": "Projection",
        "probability": "Probability",
        "status": "Status",
        "period": "Period",
        "previous": "Previous period",
        "last_year": "Same period last year",
        "change": "Change",
        "definition": "Definition",
        "formula": "Formula",
        "unit": "Unit",
        "direction": "Better when",
        "higher": "higher",
        "lower": "lower",
        "dimensions": "Dimensions",
        "breakdown": "Breakdown",
        "trend": "Trend",
        "download_csv": "Download CSV",
        "as_json": "JSON",
        "rows": "Rows",
        "first": "First",
        "last": "Last",
        "missing": "Missing",
        "data_until": "Data until",
        "table": "Table",
        "no_value": "no value",
        "by": "by",
        "grain": "Grain",
        "month": "month",
        "quarter": "quarter",
        "year": "year",
        "week": "week",
        "day": "day",
        "on_track": "on track",
        "at_risk": "at risk",
        "off_track": "off track",
        "not_started": "not started",
        "too_early": "too early",
        "achieved": "achieved",
        "missed": "missed",
        "span": "Span",
        "same_span": "same span",
        "whole_period": "whole period",
        "rank": "Rank",
        "floor": "Floor",
        "stretch": "Stretch",
        "preview": "Preview",
        "not_recorded": "not recorded",
        "new_value": "value not in the data yet",
        "compare_to": "Compare to",
        "language": "Language",
        "history": "History",
        "reason": "Reason",
        "save": "Save",
        "login_failed": "Wrong user name or password.",
        "too_many_attempts": "Too many failed logins; try again in {seconds} s.",
        "area": "Area",
        "name": "Name",
        "label": "Label",
        "type": "Type",
        "audit": "Audit log",
        "from": "From",
        "to": "To",
        "totals": "Totals",
        "show": "Show",
        "as_of": "as of",
        "compare": "Compared",
        "legend": (
            "Bar: attainment so far (the line at 100% is the target); marker: where the "
            "phased target says you should be by now."
        ),
        "progress": "Progress towards",
        "actual": "Actual",
        "progress_legend": (
            "Blue: actual so far; dotted orange: the phased target (pace); dashed orange: the"
            " target; green: the projection to the end of the period with its 80% interval."
        ),
        "when": "When",
        "who": "Who",
        "scope": "Scope",
        "dragged_by": "dragged down by",
        "weight": "weight",
        "no_objectives": "No objectives yet: write objectives.yml in the workspace.",
        "saved": "Saved",
        "baseline": "Relative to",
        "absolute": "absolute",
        "phasing": "Phasing",
        "weights": "Weights (%)",
        "linear": "linear",
        "seasonal": "seasonal",
        "reason_hint": "why the target is set or changed",
        "basis": "Basis",
        "revise": "revise",
        "phasing_into_months": "Phasing into months",
        "share": "Share",
        "to_date": "To date",
        "ingest": "Last ingests",
        "rows_read": "Read",
        "rows_loaded": "Loaded",
        "quarantined": "Quarantined",
        "no_ingest": "No ingest has run in this workspace (its tables were loaded directly).",
        "freshness": "Freshness per KPI",
        "errors": "error(s)",
        "warnings": "warning(s)",
        "warning": "warning",
        "error": "error",
        "findings": "Findings",
        "action": "Action",
        "object": "Object",
        "detail": "Detail",
        "no_data": "no data",
        "no_target": "no target",
        "hidden": "hidden (too few reps)",
        "custom": "custom",
        "weights_phasing": "weights",
        "alert_channels": "Alert channels",
        "channel": "Channel",
        "last_delivery": "Last delivery",
        "last_error": "Last error",
        "failed_deliveries": "Failed deliveries",
        "failing": "failing",
        "checkins": "Check-ins",
        "confidence": "Confidence",
        "review_pack": "Review pack",
        "alerts": "Alerts",
        "alert_history": "Latest alerts",
        "rule": "Rule",
        "deliveries": "Deliveries",
        "alerts_help": "Rules, channels and people: see docs/alerts.md. "
        "A file with a mistake is not saved.",
    },
    "nl": {
        "reviews": "Evaluaties",
        "decision": "Besluit",
        "note": "Toelichting",
        "note_hint": "wat is bekeken, en waarom dit besluit",
        "cadence": "Ritme",
        "owner": "Eigenaar",
        "last_review": "Laatste evaluatie",
        "next_due": "Volgende",
        "decision_keep": "behouden",
        "decision_revise": "bijstellen",
        "decision_retire": "stoppen",
        "review_overdue": "te laat",
        "review_due_soon": "binnenkort",
        "review_ok": "in orde",
        "review_never_reviewed": "nooit geëvalueerd",
        "review_no_cadence": "geen ritme",
        "weekly": "wekelijks",
        "monthly": "maandelijks",
        "quarterly": "per kwartaal",
        "yearly": "jaarlijks",
        "scorecard": "Scorekaart",
        "kpis": "KPI's",
        "objectives": "Doelstellingen",
        "targets": "Doelen",
        "health": "Datakwaliteit",
        "check": "SMART-controle",
        "logout": "Uitloggen",
        "login": "Inloggen",
        "username": "Gebruikersnaam",
        "password": "Wachtwoord",
        "value": "Waarde",
        "target": "Doel",
        "attainment": "Realisatie",
        "pace": "Tempo",
        "projection": "Prognose",
        "probability": "Kans",
        "status": "Status",
        "period": "Periode",
        "previous": "Vorige periode",
        "last_year": "Zelfde periode vorig jaar",
        "change": "Verandering",
        "definition": "Definitie",
        "formula": "Formule",
        "unit": "Eenheid",
        "direction": "Beter als",
        "higher": "hoger",
        "lower": "lager",
        "dimensions": "Dimensies",
        "breakdown": "Uitsplitsing",
        "trend": "Verloop",
        "download_csv": "CSV downloaden",
        "as_json": "JSON",
        "rows": "Rijen",
        "first": "Eerste",
        "last": "Laatste",
        "missing": "Ontbreekt",
        "data_until": "Gegevens tot",
        "table": "Tabel",
        "no_value": "geen waarde",
        "by": "per",
        "grain": "Periode",
        "month": "maand",
        "quarter": "kwartaal",
        "year": "jaar",
        "week": "week",
        "day": "dag",
        "on_track": "op koers",
        "at_risk": "risico",
        "off_track": "uit koers",
        "not_started": "niet begonnen",
        "too_early": "te vroeg",
        "achieved": "gehaald",
        "missed": "gemist",
        "span": "Periode-deel",
        "same_span": "zelfde deel",
        "whole_period": "hele periode",
        "rank": "Positie",
        "floor": "Ondergrens",
        "stretch": "Ambitie",
        "preview": "Voorbeeld",
        "not_recorded": "niet vastgelegd",
        "new_value": "waarde nog niet in de data",
        "compare_to": "Vergelijk met",
        "language": "Taal",
        "history": "Geschiedenis",
        "reason": "Reden",
        "save": "Opslaan",
        "login_failed": "Onjuiste gebruikersnaam of wachtwoord.",
        "too_many_attempts": "Te veel mislukte pogingen; probeer het over {seconds} s opnieuw.",
        "area": "Gebied",
        "name": "Naam",
        "label": "Omschrijving",
        "type": "Soort",
        "audit": "Auditlog",
        "from": "Van",
        "to": "Tot",
        "totals": "Totalen",
        "show": "Tonen",
        "as_of": "per",
        "compare": "Vergeleken",
        "legend": (
            "Balk: realisatie tot nu toe (de lijn op 100% is het doel); markering: waar het "
            "gefaseerde doel zegt dat je nu zou moeten zijn."
        ),
        "progress": "Voortgang naar",
        "actual": "Werkelijk",
        "progress_legend": (
            "Blauw: werkelijk tot nu toe; gestippeld oranje: het gefaseerde doel (tempo); "
            "gestreept oranje: het doel; groen: de prognose tot het eind van de periode met "
            "het 80%-interval."
        ),
        "when": "Wanneer",
        "who": "Wie",
        "scope": "Bereik",
        "dragged_by": "omlaag getrokken door",
        "weight": "gewicht",
        "no_objectives": "Nog geen doelstellingen: schrijf objectives.yml in de werkmap.",
        "saved": "Opgeslagen",
        "baseline": "Ten opzichte van",
        "absolute": "absoluut",
        "phasing": "Fasering",
        "weights": "Gewichten (%)",
        "linear": "lineair",
        "seasonal": "seizoensgebonden",
        "reason_hint": "waarom het doel gezet of gewijzigd wordt",
        "basis": "Basis",
        "revise": "herzien",
        "phasing_into_months": "Fasering per maand",
        "share": "Aandeel",
        "to_date": "Tot dan",
        "ingest": "Laatste inlezingen",
        "rows_read": "Gelezen",
        "rows_loaded": "Geladen",
        "quarantined": "In quarantaine",
        "no_ingest": "In deze werkmap is niets ingelezen (de tabellen zijn direct geladen).",
        "freshness": "Actualiteit per KPI",
        "errors": "fout(en)",
        "warnings": "waarschuwing(en)",
        "warning": "waarschuwing",
        "error": "fout",
        "findings": "Bevindingen",
        "action": "Actie",
        "object": "Object",
        "detail": "Details",
        "no_data": "geen gegevens",
        "no_target": "geen doel",
        "hidden": "verborgen (te weinig verkopers)",
        "custom": "aangepast",
        "weights_phasing": "gewichten",
        "alert_channels": "Meldingskanalen",
        "channel": "Kanaal",
        "last_delivery": "Laatste verzending",
        "last_error": "Laatste fout",
        "failed_deliveries": "Mislukte verzendingen",
        "failing": "faalt",
        "checkins": "Check-ins",
        "confidence": "Vertrouwen",
        "review_pack": "Reviewpakket",
        "alerts": "Meldingen",
        "alert_history": "Laatste meldingen",
        "rule": "Regel",
        "deliveries": "Verzendingen",
        "alerts_help": "Regels, kanalen en personen: zie docs/alerts.md. "
        "Een bestand met een fout wordt niet opgeslagen.",
    },
}

# the comparison and admin pages keep their strings in modules of their own
for _language, _strings in COMPARE_STRINGS.items():
    STRINGS[_language].update(_strings)
for _language, _strings in ADMIN_STRINGS.items():
    STRINGS[_language].update(_strings)


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


def format_day(value: date | datetime | str | None, language: str) -> str:
    """A date in the language's medium format (3 Mar 2026, 3 mrt 2026)."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_date(value, format="medium", locale=LANGUAGES.get(language, "en_GB"))
