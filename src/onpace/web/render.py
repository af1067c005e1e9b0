"""One data dict, three answers: an HTML page, its JSON twin and the CSV of its table."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from onpace.auth import Identity, allowed
from onpace.errors import SpecError
from onpace.objectives.tree import workspace_objectives
from onpace.views.export_numbers import (
    excel_format,
    excel_number,
    field_separator,
    number_cell,
    row_unit,
)
from onpace.views.formatting import estimate_decimals
from onpace.views.glance import trend
from onpace.views.scorecard import UNLINKED
from onpace.views.serialize import json_bytes as json_bytes
from onpace.views.serialize import plain as _plain
from onpace.views.value_cells import safe_cell
from onpace.web.i18n import (
    LANGUAGES,
    STRINGS,
    decimal_mark,
    format_day,
    format_number,
    localise_chart,
    pick_language,
    say,
    translate,
    vega_locale,
)
from onpace.web.phrases import STATUS_KEYS, phrase
from onpace.web.security import LANG_COOKIE, context

if TYPE_CHECKING:
    from onpace.workspace import Workspace

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


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


def _table(data: Mapping[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    columns: list[str] = list(data.get("columns") or [])
    rows: list[dict[str, Any]] = list(data.get("table") or [])
    if not columns and rows:
        columns = list(rows[0])
    return columns, rows


def _download_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name) or "table"


def csv_response(
    data: dict[str, Any],
    name: str,
    lang: str = "en",
    kpis: Mapping[str, Any] | None = None,
) -> Response:
    """The dict's ``table`` (its ``columns`` in order) as CSV with a download name.

    Numbers are written for ``lang``'s spreadsheets (see
    :mod:`onpace.views.export_numbers`): rounded to the KPI's unit, the language's
    decimal mark, ``;`` between fields where that mark is a comma. Text that a
    spreadsheet would run as a formula is neutralised (see
    :mod:`onpace.views.value_cells`).
    """
    mark = decimal_mark(lang)
    columns, rows = _table(data)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=field_separator(mark), lineterminator="\n")
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        unit, decimals = row_unit(row, data, kpis or {})
        cells = []
        for c in columns:
            v = _plain(row.get(c))
            if isinstance(v, float):
                cells.append(number_cell(v, c, unit, decimals, mark))
                continue
            cell = json.dumps(v) if isinstance(v, dict | list) else ("" if v is None else v)
            cells.append(safe_cell(cell))
        writer.writerow(cells)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_download_name(name)}.csv"'},
    )


def xlsx_response(
    data: dict[str, Any], name: str, kpis: Mapping[str, Any] | None = None
) -> Response:
    """The same table as an Excel workbook: numbers as numbers, rounded as in the CSV,
    shown with their unit's places (Excel writes them in the reader's own locale)."""
    from openpyxl import Workbook  # type: ignore[import-untyped]  # only for a download

    columns, rows = _table(data)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _download_name(name)[:31]
    sheet.append([safe_cell(c) for c in columns])
    for row in rows:
        unit, decimals = row_unit(row, data, kpis or {})
        cells: list[Any] = []
        for c in columns:
            v = _plain(row.get(c))
            if isinstance(v, float):
                cells.append(excel_number(v, c, unit, decimals))
            elif isinstance(v, dict | list):
                cells.append(safe_cell(json.dumps(v)))
            else:
                cells.append(safe_cell(v))
        sheet.append(cells)
        for cell, c in zip(sheet[sheet.max_row], columns, strict=True):
            if isinstance(cell.value, float | int) and not isinstance(cell.value, bool):
                cell.number_format = excel_format(c, unit, decimals)
    out = io.BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{_download_name(name)}.xlsx"'},
    )


@dataclass(frozen=True)
class Formatter:
    """Numbers, dates and words in the reader's language, for templates."""

    lang: str
    currency: str
    kpi_texts: Mapping[str, Any] = field(default_factory=dict)
    objective_texts: Mapping[str, Any] = field(default_factory=dict)

    def t(self, key: str) -> str:
        return translate(self.lang, key)

    def say(self, key: str, values: Mapping[str, Any] | None = None) -> str:
        """The string ``key`` with its ``{name}`` places filled from ``values``.

        A place ``values`` does not fill stays empty rather than failing the page.
        """
        return say(self.lang, key, values or {})

    def phrase(self, text: str | None) -> str:
        """A note or explanation of the library in the reader's language (see web.phrases)."""
        return phrase(text, self.lang)

    def word(self, kind: str, value: str | None) -> str:
        """A KPI's type, unit or area (``kind``) in the reader's language: the catalog's
        ``<kind>_<value>`` when it has one, else the value as written (an area of
        the workspace's own)."""
        key = f"{kind}_{value}"
        return self.t(key) if key in STRINGS["en"] else (value or "")

    def label(self, kpi: str, default: str | None = None) -> str:
        """A KPI's label in the reader's language (``label: {en: ..., nl: ...}``)."""
        spec = self.kpi_texts.get(kpi)
        return spec.label_in(self.lang) if spec is not None else (default or kpi)

    def objective(self, name: str, default: str | None = None) -> str:
        """An objective's label in the reader's language (``label: {en: ..., nl: ...}``)."""
        if name == UNLINKED:
            return self.t("no_objective_group")
        spec = self.objective_texts.get(name)
        return spec.label_in(self.lang) if spec is not None else (default or name)

    def objective_description(self, name: str, default: str = "") -> str:
        spec = self.objective_texts.get(name)
        return spec.description_in(self.lang) if spec is not None else default

    def description(self, kpi: str, default: str = "") -> str:
        spec = self.kpi_texts.get(kpi)
        return spec.description_in(self.lang) if spec is not None else default

    def num(self, value: float | None, unit: str, decimals: int | None = None) -> str:
        return format_number(value, unit, self.lang, self.currency, decimals)

    def estimate(self, value: float | None, actual: float | None, unit: str) -> str:
        """A projection or interval end, as precise as the ``actual`` it extends."""
        return format_number(value, unit, self.lang, self.currency, estimate_decimals(actual, unit))

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

    def chart(self, spec: Any) -> str:
        """A chart's spec for its ``<script>`` element, its legend and tooltips in the
        reader's language (see i18n.localise_chart)."""
        return json_for_html(localise_chart(spec, self.lang))

    def json(self, value: Any) -> str:
        """JSON for a ``<script type="application/json">`` element (see json_for_html)."""
        return json_for_html(value)


_OBJECTIVES: dict[tuple[str, int, int], dict[str, Any]] = {}


def objective_texts(ws: Workspace) -> dict[str, Any]:
    """The workspace's objectives by name, for their labels; read again when the file changes.

    A broken objectives.yml is the scorecard's to report: here it only means no labels.
    """
    file = ws.root / ws.config.objectives_file
    try:
        stat = file.stat()
    except OSError:
        return {}
    key = (str(file), stat.st_mtime_ns, stat.st_size)
    if key not in _OBJECTIVES:
        try:
            found = {o.name: o for o in workspace_objectives(ws).all()}
        except SpecError:
            found = {}
        _OBJECTIVES.clear()
        _OBJECTIVES[key] = found
    return _OBJECTIVES[key]


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
            "f": Formatter(lang, ctx.ws.config.currency, ctx.ws.kpis, objective_texts(ctx.ws)),
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
