"""One data dict, three answers: an HTML page, its JSON twin and the CSV of its table."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from onpace.auth import Identity, allowed
from onpace.views.glance import trend
from onpace.views.serialize import json_bytes as json_bytes
from onpace.views.serialize import plain as _plain
from onpace.views.value_cells import safe_cell
from onpace.web.i18n import (
    LANGUAGES,
    format_day,
    format_number,
    pick_language,
    translate,
    vega_locale,
)
from onpace.web.security import LANG_COOKIE, context

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

STATUS_KEYS = {
    "not started": "not_started",
    "too early": "too_early",
    "achieved": "achieved",
    "missed": "missed",
    "on track": "on_track",
    "at risk": "at_risk",
    "off track": "off_track",
    "no data": "no_data",
    "no target": "no_target",
    "hidden": "hidden",
}


# What must not appear inside a <script> element as itself: "<" could start "</script>" or
# "<!--", ">" and "&" are escaped for good measure, and U+2028/U+2029 end a line in
# older JavaScript parsers. JSON allows every character as a \u escape, so the data
# reads back exactly the same.
_HTML_UNSAFE = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_HTML_UNSAFE_TABLE = str.maketrans(_HTML_UNSAFE)


def json_for_html(data: Any) -> str:
    """JSON that is safe inside an HTML ``<script type="application/json">`` element.

    Data is never markup: a dimension value such as ``</script><img onerror=...>``
    must not end the element it is embedded in.

    >>> json_for_html({"member": "</script><b>&"})
    '{"member":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    return json_bytes(data).decode().translate(_HTML_UNSAFE_TABLE)


def json_response(data: Any, status: int = 200) -> Response:
    return Response(json_bytes(data), status_code=status, media_type="application/json")


def csv_response(data: dict[str, Any], name: str) -> Response:
    """The dict's ``table`` (its ``columns`` in order) as CSV with a download name.

    Text that a spreadsheet would run as a formula is neutralised (see
    :mod:`onpace.views.value_cells`); numbers are written as they are.
    """
    out = io.StringIO()
    columns: list[str] = list(data.get("columns") or [])
    rows: list[dict[str, Any]] = list(data.get("table") or [])
    if not columns and rows:
        columns = list(rows[0])
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        cells = []
        for c in columns:
            v = _plain(row.get(c))
            cell = json.dumps(v) if isinstance(v, dict | list) else ("" if v is None else v)
            cells.append(safe_cell(cell))
        writer.writerow(cells)
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name) or "table"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{safe}.csv"'},
    )


@dataclass(frozen=True)
class Formatter:
    """Numbers, dates and words in the reader's language, for templates."""

    lang: str
    currency: str
    kpi_texts: Mapping[str, Any] = field(default_factory=dict)

    def t(self, key: str) -> str:
        return translate(self.lang, key)

    def label(self, kpi: str, default: str | None = None) -> str:
        """A KPI's label in the reader's language (``label: {en: ..., nl: ...}``)."""
        spec = self.kpi_texts.get(kpi)
        return spec.label_in(self.lang) if spec is not None else (default or kpi)

    def description(self, kpi: str, default: str = "") -> str:
        spec = self.kpi_texts.get(kpi)
        return spec.description_in(self.lang) if spec is not None else default

    def num(self, value: float | None, unit: str, decimals: int | None = None) -> str:
        return format_number(value, unit, self.lang, self.currency, decimals)

    def pct(self, value: float | None) -> str:
        return format_number(value, "percent", self.lang, decimals=0)

    def day(self, value: Any) -> str:
        try:
            return format_day(value, self.lang)
        except (TypeError, ValueError):
            return str(value or "")

    def change(self, value: float | None, unit: str) -> str:
        """A change against the comparison: +12.5% for amounts, +1.5 pp for percentages."""
        if value is None:
            return ""
        if unit == "percent":
            points = format_number(value * 100, "ratio", self.lang, decimals=1)
            return ("+" if value > 0 else "") + points + " pp"
        if unit == "score":
            return ("+" if value > 0 else "") + format_number(value, "score", self.lang)
        return ("+" if value > 0 else "") + format_number(value, "percent", self.lang)

    def trend(self, change: float | None, direction: str) -> str:
        """``good``, ``bad`` or ``flat``: the change read against the KPI's direction."""
        return trend(change, direction)

    def status(self, value: str | None) -> str:
        return self.t(STATUS_KEYS.get(value or "", value or ""))

    def json(self, value: Any) -> str:
        """JSON for a ``<script type="application/json">`` element (see json_for_html)."""
        return json_for_html(value)


def language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return pick_language(asked, request.headers.get("accept-language"))


def language_links(request: Request) -> list[tuple[str, str]]:
    """(language, link) for each language: the same page with the same query, in it."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return [(code, "?" + urlencode([*kept, ("lang", code)])) for code in sorted(LANGUAGES)]


def page(
    request: Request,
    template: str,
    data: dict[str, Any],
    who: Identity | None,
    status: int = 200,
) -> HTMLResponse:
    ctx = context(request)
    lang = language(request)
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {
            "data": data,
            "who": who,
            "f": Formatter(lang, ctx.ws.config.currency, ctx.ws.kpis),
            "lang": lang,
            "workspace": ctx.ws.config.name,
            "can": (lambda p: who is not None and allowed(who.role, p)),
            "csrf": who.csrf if who else "",
            "languages": language_links(request),
            "vega_locale": vega_locale(lang, ctx.ws.config.currency),
        },
        status_code=status,
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
