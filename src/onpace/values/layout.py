"""The value store's tables as plain data: their names, their meta, the SQL that reads cells.

Everything here is free of the query engine (no Ibis, pandas or Arrow), so that a
command answered from stored values (:mod:`onpace.values.direct`) can read the store
with DuckDB alone; :mod:`.cells` writes and reads the same tables through Ibis.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

CELLS = "onpace_values"
META = "onpace_values_meta"
DATA_VERSION = "onpace_data_version"
FORMAT = 1
OVERALL = ""  # the ``dim`` of cells that are not broken down
SEEN, ALWAYS = 1, 2  # presence of a cell: rows in its period; a stock with flows at any time
CELL_COLUMNS = ("kpi", "member", "period", "value", "note", "present")


@dataclass
class Meta:
    """What the stored values are: computed as of when, from which data and definitions."""

    as_of: datetime
    valid_until: datetime
    data_version: int
    settings: str
    kpis: dict[str, str]
    starts: dict[str, date]
    data_start: date | None
    built_at: datetime
    seconds: float = 0.0
    dims: dict[str, list[str]] = field(default_factory=dict)
    spans: dict[str, tuple[datetime, datetime] | None] = field(default_factory=dict)
    # per entity read, its first time stamp after as_of (absent: none); and when the
    # values end for want of a new day whatever rows come due (see :meth:`until`)
    due: dict[str, datetime] = field(default_factory=dict)
    day_end: datetime | None = None
    format: int = FORMAT

    def until(self, entities: Sequence[str] | None = None) -> datetime:
        """Until when values that read ``entities`` hold (None: every stored KPI).

        A row dated after the as-of moment starts to count when its time comes, so it
        ends the values of the KPIs that read its entity, and of those alone: an
        invoice coming due does not end the stored revenue. Stores written before the
        per-entity moments were kept answer with ``valid_until`` for everything.
        """
        if entities is None or self.day_end is None:
            return self.valid_until
        moments = [self.day_end, *(self.due[e] for e in entities if e in self.due)]
        return min(moments)

    def to_rows(self) -> list[tuple[str, str]]:
        doc = {
            "as_of": self.as_of.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "data_version": self.data_version,
            "settings": self.settings,
            "kpis": self.kpis,
            "starts": {g: d.isoformat() for g, d in self.starts.items()},
            "data_start": self.data_start.isoformat() if self.data_start else None,
            "built_at": self.built_at.isoformat(),
            "seconds": self.seconds,
            "dims": self.dims,
            "spans": {
                e: None if s is None else [s[0].isoformat(), s[1].isoformat()]
                for e, s in self.spans.items()
            },
            "due": {e: t.isoformat() for e, t in self.due.items()},
            "day_end": self.day_end.isoformat() if self.day_end else None,
            "format": self.format,
        }
        return [(k, json.dumps(v)) for k, v in doc.items()]

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str]]) -> Meta | None:
        doc = {str(k): json.loads(v) for k, v in rows}
        if doc.get("format") != FORMAT:
            return None
        return cls(
            as_of=datetime.fromisoformat(doc["as_of"]),
            valid_until=datetime.fromisoformat(doc["valid_until"]),
            data_version=int(doc["data_version"]),
            settings=str(doc["settings"]),
            kpis={str(k): str(v) for k, v in doc["kpis"].items()},
            starts={g: date.fromisoformat(d) for g, d in doc["starts"].items()},
            data_start=date.fromisoformat(doc["data_start"]) if doc["data_start"] else None,
            built_at=datetime.fromisoformat(doc["built_at"]),
            seconds=float(doc.get("seconds", 0.0)),
            dims={str(k): list(v) for k, v in doc.get("dims", {}).items()},
            spans={
                str(e): None
                if s is None
                else (datetime.fromisoformat(s[0]), datetime.fromisoformat(s[1]))
                for e, s in doc.get("spans", {}).items()
            },
            due={str(e): datetime.fromisoformat(t) for e, t in doc.get("due", {}).items()},
            day_end=datetime.fromisoformat(doc["day_end"]) if doc.get("day_end") else None,
        )


def sql_text(value: str) -> str:
    """``value`` as an SQL string literal (quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def cells_query(grain: str, dim: str | None, kpis: Sequence[str], start: date, end: date) -> str:
    """The DuckDB statement reading one slice's cells, ``start <= period < end``.

    Its values are literals, not parameters: binding a parameter makes DuckDB's Python
    client import pandas and NumPy, which the direct read must not pay. They are names
    the store itself lists (KPIs, a grain, a dimension) and dates, quoted as literals.
    """
    names = ", ".join(sql_text(k) for k in kpis)
    return (
        f"SELECT {', '.join(CELL_COLUMNS)} FROM {CELLS} "
        f"WHERE grain = {sql_text(grain)} AND dim = {sql_text(dim or OVERALL)} "
        f"AND kpi IN ({names}) AND period >= DATE '{start.isoformat()}' "
        f"AND period < DATE '{end.isoformat()}'"
    )
