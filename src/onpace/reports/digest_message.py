"""A digest as an email: a plain-text part and an HTML part with an inline chart.

The chart is the attainment of each row the person may see, drawn from the
Vega-Lite spec of :func:`onpace.views.charts.breakdown_chart` by vl-convert.
Words are in the person's language (English or Dutch); numbers in its format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape

from onpace.alerts.channels import Message
from onpace.reports.digest import Digest
from onpace.views import charts
from onpace.web.i18n import format_day, format_number

TEMPLATE = Path(__file__).parent / "templates" / "digest.html"
CHART_ID = "attainment-chart"
_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "subject": "Your onpace digest",
        "hello": "Hello",
        "intro": "Where your KPIs stand in",
        "as_of": "as of",
        "scorecard": "Scorecard",
        "status": "Status",
        "value": "Value",
        "target": "Target",
        "attainment": "Attainment",
        "projection": "Projection",
        "checkin": "Check-in",
        "changes": "Status changes since the last digest",
        "no_changes": "No status changed.",
        "reviews": "KPIs due for review",
        "no_reviews": "None is due.",
    },
    "nl": {
        "subject": "Uw onpace-overzicht",
        "hello": "Hallo",
        "intro": "Hoe uw KPI's ervoor staan in",
        "as_of": "per",
        "scorecard": "Scorekaart",
        "status": "Status",
        "value": "Waarde",
        "target": "Doel",
        "attainment": "Realisatie",
        "projection": "Prognose",
        "checkin": "Check-in",
        "changes": "Statuswijzigingen sinds het vorige overzicht",
        "no_changes": "Geen status is veranderd.",
        "reviews": "KPI's die herzien moeten worden",
        "no_reviews": "Geen.",
    },
}
STATUS_NL = {
    "on track": "op koers",
    "at risk": "risico",
    "off track": "uit koers",
    "achieved": "gehaald",
    "missed": "gemist",
    "too early": "te vroeg",
    "not started": "niet begonnen",
    "no data": "geen gegevens",
    "no target": "geen doel",
}


def _status(language: str) -> Any:
    return (lambda s: STATUS_NL.get(s, s)) if language == "nl" else (lambda s: s)


def attainment_png(digest: Digest) -> bytes | None:
    from onpace.reports.chart_images import chart_png

    bars = [
        {"member": f"{r.label}" + (f" ({r.member_label})" if r.member_label else ""),
         "value": r.attainment}
        for r in digest.rows
        if r.attainment is not None
    ]  # fmt: skip
    if not bars:
        return None
    return chart_png(charts.breakdown_chart(bars, "percent", "kpi"))


def digest_message(digest: Digest, currency: str) -> Message:
    lang = digest.recipient.language if digest.recipient.language in WORDS else "en"
    w = WORDS[lang]
    status = _status(lang)
    png = attainment_png(digest)

    def num(value: float | None, unit: str) -> str:
        return format_number(value, unit, lang, currency)

    def pct(value: float | None) -> str:
        return format_number(value, "percent", lang)

    subject = f"{w['subject']}: {digest.card.period.label}"
    html = _ENV.from_string(TEMPLATE.read_text(encoding="utf-8")).render(
        d=digest, w=w, lang=lang, subject=subject, rows=digest.rows, checkins=digest.checkins,
        num=num, pct=pct, status=status, day=lambda v: format_day(v, lang),
        chart=CHART_ID if png else None,
    )  # fmt: skip
    lines = [f"{w['hello']} {digest.recipient.name},", ""]
    lines.append(f"{w['intro']} {digest.card.period.label} ({w['as_of']} {digest.as_of:%Y-%m-%d}).")
    lines += ["", w["scorecard"], "-" * len(w["scorecard"])]
    for r in digest.rows:
        who = f" ({r.member_label})" if r.member_label else ""
        lines.append(
            f"{r.label}{who}: {status(r.status)}; {w['value']} {num(r.value, r.unit)}, "
            f"{w['target']} {num(r.target, r.unit)}, {w['attainment']} {pct(r.attainment)}"
        )
        c = digest.checkins.get(r.kpi) if r.member is None else None
        if c is not None:
            lines.append(f"    {w['checkin']}: {c.confidence} - {c.comment} ({c.author})")
    lines += ["", w["changes"], "-" * len(w["changes"])]
    lines += [
        f"{c.label}" + (f" ({c.member})" if c.member else "")
        + f": {status(c.before)} -> {status(c.after)}"
        for c in digest.changes
    ] or [w["no_changes"]]  # fmt: skip
    lines += ["", w["reviews"], "-" * len(w["reviews"])]
    lines += [f"{r.label}: {r.status}" for r in digest.reviews] or [w["no_reviews"]]
    images = ((CHART_ID, png),) if png else ()
    return Message(subject, "\n".join(lines) + "\n", html, images)
