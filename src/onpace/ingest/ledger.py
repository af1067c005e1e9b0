"""The ingest ledger: what every run read, from which files, and what it left out.

Three tables in the warehouse, written only inside the swap's transaction:

- ``onpace_ingest_runs``: one row per run (when, the hash of sources.yml and of
  every file's content, rows read, loaded and quarantined);
- ``onpace_ingest_files``: one row per file per run (content hash, rows read, and
  the earlier file it duplicates, if any);
- ``onpace_quarantine``: the rows the last run did not load, with their reasons.

The hashes let a run whose files and settings did not change stop at once; the
quarantine says when rows dated in the future are waiting to become due.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from onpace.ingest import sql
from onpace.ingest.files import fingerprint
from onpace.ingest.outcome import IngestResult, SourceResult
from onpace.ingest.readers import FileRead
from onpace.ingest.source_spec import LoadedSources

QUARANTINE_TABLE = "onpace_quarantine"
RUNS_TABLE = "onpace_ingest_runs"
FILES_TABLE = "onpace_ingest_files"


@dataclass(frozen=True)
class LastRun:
    """The ledger's newest run: its id and the hashes it was made from."""

    run_id: str
    config_sha256: str
    files_sha256: str


def config_hash(loaded: LoadedSources, zone: str) -> str:
    """sources.yml's bytes and the workspace zone: a change of either means a new run."""
    digest = hashlib.sha256(loaded.file.read_bytes())
    digest.update(zone.encode())
    return digest.hexdigest()


def files_hash(loaded: LoadedSources, files: dict[str, list[Path]]) -> str | None:
    """One hash over every file's content hash; None when a database source is present."""
    digest = hashlib.sha256()
    for name, src in loaded.sources.items():
        if src.database is not None:
            return None
        for path in files[name]:
            digest.update(f"{name}\0{path.name}\0{fingerprint(path).sha256}\n".encode())
    return digest.hexdigest()


def has_table(con: Any, name: str, temporary: bool | None = None) -> bool:
    """Whether ``name`` is a table of the connection (of the temporary kind asked, if asked)."""
    query = "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?"
    params: list[Any] = [name]
    if temporary is not None:
        query += " AND temporary = ?"
        params.append(temporary)
    return bool(con.execute(query, params).fetchone()[0])


class Ledger:
    """Reads and writes the ledger tables of one warehouse connection."""

    def __init__(self, con: Any) -> None:
        self.con = con

    def ensure(self) -> None:
        self.con.execute(
            f"CREATE TABLE IF NOT EXISTS {RUNS_TABLE} (run_id VARCHAR, started_at TIMESTAMP, "
            "finished_at TIMESTAMP, config_sha256 VARCHAR, files_sha256 VARCHAR, "
            "rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT)"
        )
        self.con.execute(
            f"CREATE TABLE IF NOT EXISTS {FILES_TABLE} (run_id VARCHAR, source VARCHAR, "
            "file VARCHAR, sha256 VARCHAR, rows_read BIGINT, duplicate_of VARCHAR)"
        )

    def last_run(self) -> LastRun | None:
        row = self.con.execute(
            f"SELECT run_id, config_sha256, files_sha256 FROM {RUNS_TABLE} "
            "ORDER BY finished_at DESC LIMIT 1"
        ).fetchone()
        return None if row is None else LastRun(str(row[0]), str(row[1]), str(row[2]))

    def future_rows_waiting(self) -> bool:
        """Rows quarantined for a future date may be due now: then the files are read again."""
        if not has_table(self.con, QUARANTINE_TABLE):
            return False
        return bool(
            self.con.execute(
                f"SELECT count(*) FROM {QUARANTINE_TABLE} WHERE reason LIKE '%is in the future%'"
            ).fetchone()[0]
        )

    def unchanged_result(self, run_id: str, entities: list[str]) -> IngestResult:
        """The accounting of run ``run_id``, told again for a run that found nothing new."""
        rows = self.con.execute(
            f"SELECT source, file, sha256, rows_read, duplicate_of FROM {FILES_TABLE} "
            "WHERE run_id = ? ORDER BY source, file",
            [run_id],
        ).fetchall()
        results: dict[str, SourceResult] = {}
        for source, file, sha, read, dup in rows:
            res = results.setdefault(source, SourceResult(source, []))
            res.files.append(FileRead(file, sha, int(read), duplicate_of=dup))
        counts = self.con.execute(
            f"SELECT source, count(*) FROM {QUARANTINE_TABLE} GROUP BY source"
        ).fetchall()
        quarantined = {str(s): int(n) for s, n in counts}
        for res in results.values():
            res.read = sum(f.rows for f in res.files)
            res.quarantined = quarantined.get(res.name, 0)
            res.loaded = res.read - res.quarantined
        sizes = {}
        for entity in entities:
            if has_table(self.con, entity, temporary=False):
                table = sql.render(sql.ident(entity))
                sizes[entity] = int(self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        return IngestResult(
            run_id,
            True,
            list(results.values()),
            sizes,
            {},
            ["nothing changed since the last ingest"],
        )

    def record(
        self,
        run_id: str,
        started_at: datetime,
        config_sha256: str,
        files_sha256: str,
        result: IngestResult,
    ) -> None:
        """Append the run and its files (called inside the swap's transaction)."""
        for src in result.sources:
            for f in src.files:
                self.con.execute(
                    f"INSERT INTO {FILES_TABLE} VALUES (?, ?, ?, ?, ?, ?)",
                    [run_id, src.name, f.path, f.sha256, f.rows, f.duplicate_of],
                )
        self.con.execute(
            f"INSERT INTO {RUNS_TABLE} VALUES (?, ?, CAST(now() AS TIMESTAMP), ?, ?, ?, ?, ?)",
            [
                run_id,
                started_at,
                config_sha256,
                files_sha256,
                result.read,
                result.loaded,
                result.quarantined,
            ],
        )
