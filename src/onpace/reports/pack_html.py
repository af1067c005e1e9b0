"""The review pack as one self-contained HTML page (charts inline as PNG), also fed to the PDF.

Everything from data is escaped by Jinja's autoescaping: a KPI label or a comment
is text, never markup.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape

from onpace.reports.chart_images import chart_png
from onpace.reports.pack import ReviewPack
from onpace.web.i18n import format_day, format_number

TEMPLATE = Path(__file__).parent / "templates" / "review_pack.html"

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def render_html(pack: ReviewPack, language: str = "en") -> str:
    """The pack as HTML with its progress charts as inline PNG images."""
    from datetime import timedelta

    card = pack.card
    charts = [(name, data_uri(chart_png(p["chart"]))) for name, p in pack.progress.items()]
    labels = {r.kpi: r.label for r in card.rows}
    units = {r.kpi: r.unit for r in card.rows}
    latest = {c.subject: c for c in pack.checkins}

    def num(value: float | None, unit: str) -> str:
        return format_number(value, unit, language, pack.currency)

    def pct(value: float | None) -> str:
        return format_number(value, "percent", language)

    context: dict[str, Any] = {
        "pack": pack,
        "card": card,
        "charts": charts,
        "labels": labels,
        "units": units,
        "checkins": latest,
        "num": num,
        "pct": pct,
        "day": lambda v: format_day(v, language),
        "as_of": pack.as_of.strftime("%Y-%m-%d %H:%M"),
        "last_day": card.period.end - timedelta(days=1),
    }
    return _ENV.from_string(TEMPLATE.read_text(encoding="utf-8")).render(**context)
