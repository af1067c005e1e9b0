"""The review pack as an Excel workbook: one sheet per part, numbers as numbers.

Values, targets and projections are numeric cells in the KPI's format (currency,
count, ratio), attainment, pace and probability are fractions formatted as
percentages, dates are dates; text from definitions and people (labels,
explanations, reasons, comments) is neutralised against formula injection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from onpace.reports.pack import ReviewPack
from onpace.reports.sheet_cells import safe_text
from onpace.views.scorecard import ScorecardRow

UNIT_FORMAT = {
    "currency": "#,##0.00",
    "count": "#,##0",
    "percent": "0.0%",
    "ratio": "0.00",
    "days": "0.0",
    "score": "0.0",
}
PERCENT = "0.0%"
ROW_FIELDS = ("value", "target", "attainment", "pace", "projection", "probability")
RATIO_FIELDS = ("attainment", "pace", "probability")
SCORECARD_HEADER = [
    "objective", "kpi", "label", "member", "period", "status",
    "value", "target", "attainment", "pace", "projection", "probability", "explanation",
]  # fmt: skip


def _row_cells(objective: str, row: ScorecardRow) -> list[Any]:
    numbers = [getattr(row, f) for f in ROW_FIELDS]
    texts = [objective, row.kpi, row.label, row.member_label or row.member or "", row.period]
    return [*map(safe_text, texts), row.status, *numbers, safe_text(row.explanation)]


def _write_rows(sheet: Any, header: list[str], rows: list[list[Any]]) -> None:
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([None if isinstance(v, float) and v != v else v for v in row])
    sheet.freeze_panes = "A2"


def _format_numbers(sheet: Any, rows: list[ScorecardRow], first_number_col: int) -> None:
    for i, row in enumerate(rows, start=2):
        for j, field in enumerate(ROW_FIELDS):
            cell = sheet.cell(row=i, column=first_number_col + j)
            unit_format = UNIT_FORMAT.get(row.unit, "0.00")
            cell.number_format = PERCENT if field in RATIO_FIELDS else unit_format


def _scorecard_sheet(sheet: Any, groups: list[Any]) -> None:
    pairs = [(g.name, r) for g in groups for r in g.rows]
    _write_rows(sheet, SCORECARD_HEADER, [_row_cells(name, r) for name, r in pairs])
    _format_numbers(sheet, [r for _, r in pairs], 7)


def write_xlsx(pack: ReviewPack, path: Path) -> Path:
    """Write the workbook to ``path``."""
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Scorecard"
    _scorecard_sheet(first, pack.card.groups)
    if pack.breakdown is not None:
        _scorecard_sheet(book.create_sheet("Breakdown"), pack.breakdown.groups)
    _write_rows(
        book.create_sheet("Target revisions"),
        ["kpi", "period", "scope", "revision", "action", "value", "author", "at", "reason"],
        [
            [t.kpi, t.period.label, safe_text(t.scope), t.revision, t.action, t.value,
             safe_text(t.author), t.created_at.replace(tzinfo=None) if t.created_at else None,
             safe_text(t.reason)]
            for t in pack.revisions
        ],
    )  # fmt: skip
    _write_rows(
        book.create_sheet("Check-ins"),
        ["on", "period", "confidence", "author", "at", "comment"],
        [
            [c.subject, c.period, c.confidence, safe_text(c.author), c.at.replace(tzinfo=None),
             safe_text(c.comment)]
            for c in pack.checkins
        ],
    )  # fmt: skip
    _write_rows(
        book.create_sheet("SMART findings"),
        ["kpi", "objective", "letter", "level", "message", "fix"],
        [
            [f.kpi or "", f.objective or "", f.letter, f.level, safe_text(f.message),
             safe_text(f.fix)]
            for f in pack.findings
        ],
    )  # fmt: skip
    _write_rows(
        book.create_sheet("Reviews due"),
        ["kpi", "label", "cadence", "owner", "last review", "due", "status"],
        [
            [r.kpi, safe_text(r.label), r.cadence or "", safe_text(r.owner or ""),
             r.last_review, r.due, r.status]
            for r in pack.reviews
        ],
    )  # fmt: skip
    for sheet in book.worksheets:
        for column in sheet.columns:
            letter = column[0].column_letter
            width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
            sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
    book.save(path)
    return path
