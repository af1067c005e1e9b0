"""The long table of values as plain columns: its display table, JSON records and CSV text.

``onpace compute`` prints a computed table (a pandas frame) and, when the value store
holds the request, the same table read from stored cells without pandas
(:mod:`onpace.values.direct`). Both print through here, or exactly as the frame's own
JSON and CSV writers would (which the tests compare): one table, one look, however
the numbers were found.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any

from onpace.views.formatting import format_value
from onpace.views.value_cells import safe_cell

if TYPE_CHECKING:
    from onpace.workspace import Workspace

_TEN_PLACES = Decimal("1e-10")
_NEAR_HALF = Decimal("1e-6")


@dataclass(frozen=True)
class LongTable:
    """Columns of the long table: one row per KPI, period and member of each dimension."""

    kpis: Sequence[str]
    periods: Sequence[date]
    labels: Sequence[str]
    members: Mapping[str, Sequence[Any]]  # per dimension, its member in each row
    values: Sequence[float]
    notes: Sequence[str | None]

    def __len__(self) -> int:
        return len(self.kpis)

    def note_count(self) -> int:
        """How many values are not computable (they carry a note saying why)."""
        return sum(1 for note in self.notes if not _missing(note))

    def first_note(self) -> tuple[str, str, str] | None:
        """The KPI, period label and note of the first value that is not computable."""
        for kpi, label, note in zip(self.kpis, self.labels, self.notes, strict=True):
            if not _missing(note):
                return kpi, label, str(note)
        return None


def frame_table(frame: Any, dims: Sequence[str]) -> LongTable:
    """The columns of a computed long frame (see :meth:`Workspace.compute`)."""
    return LongTable(
        list(frame["kpi"]),
        list(frame["period"]),
        list(frame["period_label"]),
        {d: list(frame[d]) for d in dims},
        list(frame["value"]),
        list(frame["note"]),
    )


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def display_table(
    ws: Workspace, table: LongTable, names: list[str], dims: list[str]
) -> tuple[str, list[str], list[list[str]]]:
    """Rows of periods (and dimension values), one formatted column per KPI."""
    labels = {n: ws.kpis[n].label for n in names}
    period_labels: dict[date, str] = {}
    wide: dict[tuple[Any, ...], dict[str, float]] = {}
    for i, (name, period) in enumerate(zip(table.kpis, table.periods, strict=True)):
        period_labels.setdefault(period, table.labels[i])
        members = ("" if _missing(table.members[d][i]) else table.members[d][i] for d in dims)
        wide.setdefault((period, *members), {})[name] = table.values[i]
    rows: list[list[str]] = []
    for key in _sorted_keys(wide):
        cells = [str(period_labels[key[0]]), *(str(v) for v in key[1:])]
        for n in names:
            kpi = ws.kpis[n]
            value = wide[key].get(n)
            number = None if value is None or _missing(value) else float(value)
            cells.append(format_value(number, kpi.unit, ws.config.currency, kpi.decimals))
        rows.append(cells)
    return ", ".join(labels.values()), ["period", *dims, *labels.values()], rows


def _sorted_keys(wide: dict[tuple[Any, ...], dict[str, float]]) -> list[tuple[Any, ...]]:
    try:
        return sorted(wide)
    except TypeError:  # members of mixed kinds: order them by their text
        return sorted(wide, key=lambda k: (k[0], *(str(v) for v in k[1:])))


def _columns(table: LongTable) -> list[tuple[str, Sequence[Any]]]:
    """The columns as the frame has them, the period as text."""
    return [
        ("kpi", table.kpis),
        ("period", [p.isoformat() for p in table.periods]),
        ("period_label", table.labels),
        *table.members.items(),
        ("value", table.values),
        ("note", table.notes),
    ]


def writes_exactly(value: float) -> bool:
    """Whether :func:`frame_json_number` gives ``value`` as the frame's JSON writer does.

    That writer rounds to ten places half to even in fixed notation; very large and
    very small numbers, and numbers within a hair of a tie at the tenth place, it
    writes by rules of its own, which are not reproduced here.
    """
    if value != value or value in (float("inf"), float("-inf")) or value == 0:
        return True
    if not 1e-9 <= abs(value) < 1e15:
        return False
    scaled = Decimal(value).scaleb(10)
    return abs(scaled - scaled.to_integral_value(ROUND_FLOOR) - Decimal("0.5")) >= _NEAR_HALF


def frame_json_number(value: float) -> float | None:
    """``value`` as the frame's JSON writer gives it (see :func:`writes_exactly`):
    ten decimal places at most, NaN null."""
    if value != value or value in (float("inf"), float("-inf")):
        return None
    if value == 0:
        return 0.0
    return float(Decimal(value).quantize(_TEN_PLACES, rounding=ROUND_HALF_EVEN))


def json_text(table: LongTable) -> str | None:
    """The table as ``onpace compute --format json`` prints it; None when one of its
    numbers is not written exactly here (the caller then lets the frame write it)."""
    if not all(writes_exactly(v) for v in table.values):
        return None
    columns = _columns(table)
    records = []
    for i in range(len(table)):
        record: dict[str, Any] = {}
        for name, values in columns:
            value = values[i]
            if name == "value":
                record[name] = frame_json_number(value)
            else:
                record[name] = None if _missing(value) else value
        records.append(record)
    return json.dumps(records, indent=2) + "\n"


def csv_text(table: LongTable) -> str:
    """The table as ``onpace compute --format csv`` prints it: text safe for spreadsheets."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = _columns(table)
    writer.writerow([safe_cell(name) for name, _ in columns])
    for i in range(len(table)):
        row: list[Any] = []
        for name, values in columns:
            value = values[i]
            if _missing(value):
                row.append("")
            elif name == "value":
                row.append(repr(float(value)))
            else:
                row.append(safe_cell(value))
        writer.writerow(row)
    return out.getvalue()
