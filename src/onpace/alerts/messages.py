"""The words of an alert, in the recipient's language (English or Dutch)."""

from __future__ import annotations

from html import escape
from typing import Any

from onpace.alerts.channels import Message
from onpace.alerts.conditions import Finding
from onpace.web.i18n import format_number

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "alert": "Alert",
        "value": "Value so far",
        "target": "Target",
        "attainment": "Attainment",
        "pace": "Pace",
        "projection": "Projection",
        "probability": "P(target)",
        "status": "Status",
        "rule": "Rule",
        "why": "You receive this because of the alert rule",
    },
    "nl": {
        "alert": "Melding",
        "value": "Waarde tot nu toe",
        "target": "Doel",
        "attainment": "Realisatie",
        "pace": "Tempo",
        "projection": "Prognose",
        "probability": "Kans op doel",
        "status": "Status",
        "rule": "Regel",
        "why": "U ontvangt dit door de meldingsregel",
    },
}


def word(language: str, key: str) -> str:
    return WORDS.get(language, WORDS["en"]).get(key) or WORDS["en"][key]


def _facts(finding: Finding, language: str, currency: str) -> list[tuple[str, str]]:
    row = finding.row
    if row is None:
        return []
    unit = row.unit

    def num(value: float | None, as_unit: str | None = None) -> str:
        return format_number(value, as_unit or unit, language, currency)

    facts = [
        ("status", row.status),
        ("value", num(row.value)),
        ("target", num(row.target)),
        ("attainment", num(row.attainment, "percent")),
        ("pace", num(row.pace, "percent")),
        ("projection", num(row.projection)),
    ]
    if row.probability is not None:
        facts.append(("probability", num(row.probability, "percent")))
    return [(word(language, k), v) for k, v in facts]


def alert_message(finding: Finding, language: str, currency: str, rule_label: str) -> Message:
    """Subject, text and HTML of one fired alert, plus its data for the generic webhook."""
    subject = f"[onpace] {finding.message.split(':')[0]}"
    facts = _facts(finding, language, currency)
    lines = [finding.message, ""] + [f"{k}: {v}" for k, v in facts]
    lines += ["", f"{word(language, 'why')} '{rule_label}'."]
    cells = "".join(
        f"<tr><th align='left'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts
    )
    html = (
        f"<html><body><h2>{escape(subject)}</h2><p>{escape(finding.message)}</p>"
        f"<table>{cells}</table><p><small>{escape(word(language, 'why'))} "
        f"'{escape(rule_label)}'.</small></p></body></html>"
    )
    return Message(subject, "\n".join(lines), html, data=alert_data(finding))


def alert_data(finding: Finding) -> dict[str, Any]:
    row = finding.row
    numbers = (
        {
            k: getattr(row, k)
            for k in ("value", "target", "attainment", "pace", "projection", "probability")
        }
        if row is not None
        else {}
    )
    return {
        "rule": finding.rule,
        "subject_key": finding.subject,
        "condition": finding.condition,
        "message": finding.message,
        "kpi": finding.kpi,
        "member": finding.member,
        "period": finding.period,
        **numbers,
    }
