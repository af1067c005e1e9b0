"""What the last ingest left out and why: data functions behind the CLI (and later the web).

The quarantine table holds one row per input row that was not loaded: its source,
file, line, the reason(s), and the row as it was read (JSON text), so a user can
fix the file and ingest again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from onpace.ingest.ledger import QUARANTINE_TABLE, RUNS_TABLE, has_table
from onpace.ingest.outcome import IngestResult
from onpace.ingest.run import duckdb_connection

if TYPE_CHECKING:
    from onpace.workspace import Workspace


@dataclass(frozen=True)
class QuarantinedRow:
    """One input row that was not loaded."""

    source: str
    file: str
    line: int
    reason: str
    row: str


def quarantine_rows(
    ws: Workspace, source: str | None = None, limit: int | None = 100
) -> tuple[int, list[QuarantinedRow]]:
    """The total number of quarantined rows (of ``source``) and the first ``limit`` of them."""
    con = duckdb_connection(ws.warehouse)
    if not has_table(con, QUARANTINE_TABLE, temporary=False):
        return 0, []
    where, params = ("WHERE source = ?", [source]) if source else ("", [])
    total = int(
        con.execute(f"SELECT count(*) FROM {QUARANTINE_TABLE} {where}", params).fetchone()[0]
    )
    query = (
        f"SELECT source, file, line, reason, row_text FROM {QUARANTINE_TABLE} {where} "
        "ORDER BY source, file, line"
    )
    if limit is not None:
        query += f" LIMIT {int(limit)}"
    rows = [
        QuarantinedRow(str(s), str(f), int(n), str(r), str(t))
        for s, f, n, r, t in con.execute(query, params).fetchall()
    ]
    return total, rows


def last_runs(ws: Workspace, limit: int = 10) -> list[dict[str, Any]]:
    """The ledger of the last ingests: when, rows read, loaded and quarantined."""
    con = duckdb_connection(ws.warehouse)
    if not has_table(con, RUNS_TABLE, temporary=False):
        return []
    cols = ["run_id", "started_at", "finished_at", "rows_read", "rows_loaded", "rows_quarantined"]
    rows = con.execute(
        f"SELECT {', '.join(cols)} FROM {RUNS_TABLE} ORDER BY finished_at DESC LIMIT {int(limit)}"
    ).fetchall()
    return [dict(zip(cols, r, strict=True)) for r in rows]


def summary_lines(result: IngestResult) -> list[str]:
    """The plain-text summary an ingest prints: row accounting per source and entity counts."""
    lines = []
    if result.unchanged:
        lines.append("Nothing changed since the last ingest; the warehouse is as it was.")
    for src in result.sources:
        files = [f for f in src.files if f.duplicate_of is None]
        lines.append(
            f"{src.name}: read {src.read:,} rows from {len(files)} file(s) = loaded "
            f"{src.loaded:,} + quarantined {src.quarantined:,}"
        )
        for reason, n in src.reasons.items():
            lines.append(f"    {n:,} x {reason}")
    for entity, rows in result.entities.items():
        extra = result.replaced.get(entity, 0)
        note = f" ({extra:,} replaced by later rows with the same key)" if extra else ""
        lines.append(f"{entity}: {rows:,} rows{note}")
    lines.extend(f"note: {n}" for n in result.notes if not result.unchanged)
    lines.append(
        f"total: read {result.read:,} = loaded {result.loaded:,} + quarantined "
        f"{result.quarantined:,}"
    )
    return lines
