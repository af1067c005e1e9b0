"""The ingest: read every source, type and check each row, quarantine the bad ones, load atomically.

The steps, all inside DuckDB:

1. read each source into text tables (:mod:`onpace.ingest.readers`);
2. per entity mapping, select typed values and a ``_reason`` per row
   (:mod:`onpace.ingest.mapping`);
3. add the reasons that need more than one row: an unknown foreign key (checked
   against the entity as loaded from *other* sources, so sources are processed in
   the order their references need), a duplicate key within one file, and for
   mappings that add lines up (``agg: sum``/``count``) the other lines of a group
   that has a bad line, so no order is loaded with part of its lines;
4. a row with any reason is quarantined from every entity of its source; the others
   build the entities (grouped where ``group_by`` says); when two files or sources
   give the same key the later one wins, which is how late corrections land;
5. in one transaction, replace the entity tables, the quarantine table and append
   to the ledger. A failure or a kill before the commit leaves the previous data
   as it was.

Every run recomputes the entities from all the source files, so the result
depends only on the files: ingesting the same files again changes nothing, and
the ledger (file content hashes) lets an unchanged run stop early. A file whose
content equals an earlier file of the same source is read once.
"""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlglot import exp

from onpace.errors import IngestError, OnpaceError, SpecError
from onpace.ingest import sql
from onpace.ingest.files import expand, fingerprint
from onpace.ingest.mapping import MappingPlan, plan_mapping
from onpace.ingest.readers import FileRead, RawSource, Reader
from onpace.ingest.source_spec import SOURCES_FILE, LoadedSources, load_sources
from onpace.model.entities import ENTITIES

QUARANTINE_TABLE = "onpace_quarantine"
RUNS_TABLE = "onpace_ingest_runs"
FILES_TABLE = "onpace_ingest_files"
STAGE_PREFIX = "onpace_stage_"
Progress = Callable[[str, int, int], None]


@dataclass
class Part:
    """One source's rows of one entity: the query, its columns, whether its keys are unique."""

    query: str
    columns: list[str]
    unique: bool


@dataclass
class SourceResult:
    """Row accounting of one source: read = loaded + quarantined."""

    name: str
    files: list[FileRead]
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class IngestResult:
    """What an ingest did, for the summary and the report."""

    run_id: str
    unchanged: bool
    sources: list[SourceResult]
    entities: dict[str, int]
    replaced: dict[str, int]
    notes: list[str]

    @property
    def read(self) -> int:
        return sum(s.read for s in self.sources)

    @property
    def loaded(self) -> int:
        return sum(s.loaded for s in self.sources)

    @property
    def quarantined(self) -> int:
        return sum(s.quarantined for s in self.sources)


def _table(name: str) -> str:
    return sql.render(exp.to_identifier(name, quoted=True))


def _config_hash(loaded: LoadedSources, zone: str) -> str:
    digest = hashlib.sha256(loaded.file.read_bytes())
    digest.update(zone.encode())
    return digest.hexdigest()


def _source_order(loaded: LoadedSources) -> list[str]:
    """Sources ordered so that those a foreign key checks against come first."""
    feeds: dict[str, set[str]] = {}
    for name, src in loaded.sources.items():
        for entity in src.entities:
            feeds.setdefault(entity, set()).add(name)
    needs: dict[str, set[str]] = {}
    for name, src in loaded.sources.items():
        deps: set[str] = set()
        for entity_name, emap in src.entities.items():
            mapped = set(emap.columns)
            for rel in ENTITIES[entity_name].relations:
                if rel.column in mapped and rel.target not in src.entities:
                    deps |= feeds.get(rel.target, set()) - {name}
        needs[name] = deps
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in order:
            return
        if name in visiting:
            raise IngestError(
                f"sources refer to each other in a circle through '{name}'",
                "a source's foreign keys must point at entities of other sources",
            )
        visiting.add(name)
        for dep in sorted(needs[name]):
            visit(dep)
        visiting.discard(name)
        order.append(name)

    for name in loaded.sources:
        visit(name)
    return order


class Ingest:
    """One ingest run against a workspace's warehouse (a DuckDB connection)."""

    def __init__(
        self,
        con: Any,
        root: Path,
        loaded: LoadedSources,
        workspace_zone: str,
        now: datetime,
        progress: Progress | None = None,
    ) -> None:
        self.con = con
        self.root = root
        self.loaded = loaded
        self.zone = workspace_zone
        self.now = now
        self.progress = progress or (lambda step, done, total: None)
        self.run_id = uuid.uuid4().hex[:12]
        self.reader_hook: Callable[[Path], None] | None = None

    # -- ledger ------------------------------------------------------------------------

    def _ensure_ledger(self) -> None:
        self.con.execute(
            f"CREATE TABLE IF NOT EXISTS {RUNS_TABLE} (run_id VARCHAR, started_at TIMESTAMP, "
            "finished_at TIMESTAMP, config_sha256 VARCHAR, files_sha256 VARCHAR, "
            "rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT)"
        )
        self.con.execute(
            f"CREATE TABLE IF NOT EXISTS {FILES_TABLE} (run_id VARCHAR, source VARCHAR, "
            "file VARCHAR, sha256 VARCHAR, rows_read BIGINT, duplicate_of VARCHAR)"
        )

    def _fingerprints(self) -> str | None:
        """One hash over every file's content hash; None when a database source is present."""
        digest = hashlib.sha256()
        for name, src in self.loaded.sources.items():
            if src.database is not None:
                return None
            for path in expand(self.root, src.patterns):
                digest.update(f"{name}\0{path.name}\0{fingerprint(path).sha256}\n".encode())
        return digest.hexdigest()

    def _future_rows_waiting(self) -> bool:
        """Rows quarantined for a future date may be due now: then the files are read again."""
        if not self._exists(QUARANTINE_TABLE):
            return False
        return bool(
            self.con.execute(
                f"SELECT count(*) FROM {QUARANTINE_TABLE} WHERE reason LIKE '%is in the future%'"
            ).fetchone()[0]
        )

    def _last_run(self) -> tuple[str, str, str] | None:
        row = self.con.execute(
            f"SELECT run_id, config_sha256, files_sha256 FROM {RUNS_TABLE} "
            "ORDER BY finished_at DESC LIMIT 1"
        ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]), str(row[2]))

    # -- run ---------------------------------------------------------------------------

    def run(self, force: bool = False) -> IngestResult:
        self._ensure_ledger()
        config_hash = _config_hash(self.loaded, self.zone)
        files_hash = self._fingerprints()
        last = self._last_run()
        if (
            not force
            and last is not None
            and files_hash is not None
            and last[1] == config_hash
            and last[2] == files_hash
            and not self._future_rows_waiting()
        ):
            return self._unchanged(last[0])
        self._drop_temp()  # what a killed run may have left
        try:
            with tempfile.TemporaryDirectory(prefix="onpace-ingest-") as workdir:
                reader = Reader(self.con, self.root, Path(workdir))
                reader.before_stamp_check = self.reader_hook
                result = self._stage(reader)
            self.progress("loading into the warehouse", 0, 1)
            self._swap(result, config_hash, files_hash or "")
            self.progress("loading into the warehouse", 1, 1)
        except OnpaceError:
            raise
        except Exception as exc:  # an engine error: report it; the transaction rolled back
            raise IngestError(f"the ingest failed and loaded nothing: {exc}") from exc
        finally:
            self._drop_temp()
        return result

    def _unchanged(self, run_id: str) -> IngestResult:
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
        entities = {}
        names = {str(r[0]) for r in self.con.execute("SHOW TABLES").fetchall()}
        for src in self.loaded.sources.values():
            for e in src.entities:
                if e in names:
                    entities[e] = int(
                        self.con.execute(f"SELECT count(*) FROM {_table(e)}").fetchone()[0]
                    )
        return IngestResult(
            run_id,
            True,
            list(results.values()),
            entities,
            {},
            ["nothing changed since the last ingest"],
        )

    def _stage(self, reader: Reader) -> IngestResult:
        order = _source_order(self.loaded)
        feeds_left: dict[str, int] = {}
        for src in self.loaded.sources.values():
            for entity in src.entities:
                feeds_left[entity] = feeds_left.get(entity, 0) + 1
        parts: dict[str, list[Part]] = {}
        results: list[SourceResult] = []
        notes: list[str] = []
        entities: dict[str, int] = {}
        replaced: dict[str, int] = {}
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE _onpace_q (source VARCHAR, file VARCHAR, line BIGINT, "
            "reason VARCHAR, row_text VARCHAR)"
        )
        for position, name in enumerate(order):
            source = self.loaded.sources[name]
            self.progress(f"reading {name}", position, len(order))
            raw = reader.read(name, source, {})
            if raw.rows == 0:
                shown = ", ".join(f.path for f in raw.files)
                what = "has only a header" if source.database is None else "gave no rows"
                raise IngestError(
                    f"source '{name}' has no data rows ({shown} {what})",
                    "an empty export would empty the tables it feeds: check the export, or "
                    "remove the source from sources.yml",
                )
            for f in raw.files:
                if f.duplicate_of:
                    notes.append(
                        f"{name}: {f.path} has the same content as {f.duplicate_of}; read once"
                    )
                elif f.note:
                    notes.append(f"{name}: {f.path}: {f.note}")
            self.progress(f"checking {name}", position, len(order))
            result, made = self._process(name, raw, position)
            results.append(result)
            for entity, part in made.items():
                parts.setdefault(entity, []).append(part)
                feeds_left[entity] -= 1
                if feeds_left[entity] == 0:
                    entities[entity], replaced[entity] = self._build_entity(entity, parts[entity])
        return IngestResult(
            self.run_id, False, results, entities, {k: v for k, v in replaced.items() if v}, notes
        )

    def _process(
        self, name: str, raw: RawSource, position: int
    ) -> tuple[SourceResult, dict[str, Part]]:
        source = self.loaded.sources[name]
        result = SourceResult(name, raw.files)
        if not raw.columns:
            return result, {}
        plans = [
            plan_mapping(
                self.loaded, name, source, entity, emap, raw.columns, raw.excel, self.zone, self.now
            )
            for entity, emap in source.entities.items()
        ]
        tables = []
        for i, plan in enumerate(plans):
            table = f"_onpace_t_{position}_{i}"
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE {table} AS " + plan.select_sql(raw.view)
            )
            self._foreign_keys(plan, table, source.entities)
            if plan.group_by is None:
                self._duplicates(plan, table)
            tables.append((plan, table))
        bad = f"_onpace_bad_{position}"
        union = " UNION ALL ".join(
            f"SELECT _seq, _file, _line, {sql.render(sql.lit(p.entity.name + ': '))} || _reason "
            f"AS reason FROM {t} WHERE _reason IS NOT NULL"
            for p, t in tables
        )
        if all(p.where is not None for p in plans):
            matched = " UNION ALL ".join(f"SELECT _seq FROM {t}" for _, t in tables)
            union += (
                " UNION ALL SELECT _seq, _file, _line, 'no entity takes this row (it "
                f"matches no ''where'')' FROM {raw.view} WHERE _seq NOT IN ({matched})"
            )
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {bad} AS SELECT _seq, first(_file) "
            "AS _file, first(_line) AS _line, string_agg(DISTINCT reason, '; ') "
            f"AS reason FROM ({union}) GROUP BY _seq"
        )
        self._spread_groups(tables, bad)
        read = int(self.con.execute(f"SELECT count(*) FROM {raw.view}").fetchone()[0])
        quarantined = int(self.con.execute(f"SELECT count(*) FROM {bad}").fetchone()[0])
        result.read, result.quarantined, result.loaded = read, quarantined, read - quarantined
        for reason, n in self.con.execute(
            f"SELECT regexp_replace(reason, '''[^'']*''', '...', 'g') AS r, count(*) FROM {bad} "
            "GROUP BY r ORDER BY 2 DESC LIMIT 20"
        ).fetchall():
            result.reasons[str(reason)] = int(n)
        raw_cols = [sql.ident(c) for c in raw.columns]
        row_text = sql.render(
            sql.fill(
                "left(CAST(to_json(__s) AS VARCHAR), 2000)",
                s=exp.Struct(expressions=raw_cols) if raw_cols else sql.lit("{}"),
            )
        )
        self.con.execute(
            f"INSERT INTO _onpace_q SELECT {sql.render(sql.lit(name))}, b._file, b._line, b.reason,"
            f" {row_text} FROM {bad} b JOIN {raw.view} USING (_seq)"
        )
        made: dict[str, Part] = {}
        files = sum(1 for f in raw.files if f.duplicate_of is None)
        for plan, table in tables:
            made[plan.entity.name] = Part(
                self._entity_rows(plan, table, bad, position),
                [c.name for c in plan.columns],
                unique=plan.group_by is not None or files <= 1,
            )
        return result, made

    def _foreign_keys(self, plan: MappingPlan, table: str, own: dict[str, Any]) -> None:
        mapped = {c.name for c in plan.columns}
        for rel in plan.entity.relations:
            target = ENTITIES[rel.target]
            stage = f"{STAGE_PREFIX}{rel.target}"
            if rel.column not in mapped or rel.target in own or not self._exists(stage):
                continue
            col = sql.render(sql.ident(rel.column))
            key = sql.render(sql.ident(target.key))
            prefix = sql.render(sql.lit(f"unknown {rel.column} '"))
            suffix = sql.render(sql.lit(f"': not in {rel.target}"))
            self.con.execute(
                f"UPDATE {table} SET _reason = {prefix} || left({col}, 60) || {suffix} "
                f"WHERE _reason IS NULL AND {col} IS NOT NULL AND {col} NOT IN "
                f"(SELECT {key} FROM {_table(stage)} WHERE {key} IS NOT NULL)"
            )

    def _duplicates(self, plan: MappingPlan, table: str) -> None:
        key = sql.render(sql.ident(plan.key))
        msg = sql.render(sql.lit(f"duplicate {plan.key} '"))
        # a grouped count finds the repeated keys (usually none) before any row is rewritten
        repeated = f"_onpace_dups_{table}"
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {repeated} AS SELECT {key} AS k, _file AS f "
            f"FROM {table} WHERE _reason IS NULL AND {key} IS NOT NULL "
            "GROUP BY ALL HAVING count(*) > 1"
        )
        if not self.con.execute(f"SELECT count(*) FROM {repeated}").fetchone()[0]:
            return
        self.con.execute(
            f"UPDATE {table} SET _reason = {msg} || left(d.k, 60) || ''' (first at line ' || "
            f"CAST(d.first_line AS VARCHAR) || ')' FROM (SELECT _seq AS s, CAST({key} AS VARCHAR)"
            f" AS k, first_value(_line) OVER w AS first_line, row_number() OVER w AS n "
            f"FROM {table} WHERE _reason IS NULL AND ({key}, _file) IN "
            f"(SELECT (k, f) FROM {repeated}) "
            f"WINDOW w AS (PARTITION BY {key}, _file ORDER BY _seq)) d "
            f"WHERE {table}._seq = d.s AND d.n > 1"
        )

    def _spread_groups(self, tables: list[tuple[MappingPlan, str]], bad: str) -> None:
        """Lines that add up into one row are loaded all together or not at all."""
        for plan, table in tables:
            if plan.group_by is None or not any(c.agg in ("sum", "count") for c in plan.columns):
                continue
            key = sql.render(sql.ident(plan.key))
            msg = sql.render(sql.lit(f"{plan.entity.name}: another line of {plan.key} '"))
            self.con.execute(
                f"INSERT INTO {bad} SELECT t._seq, t._file, t._line, {msg} || "
                f"left(CAST(t.{key} AS VARCHAR), 60) || ''' was quarantined (line ' || "
                f"CAST(g.line AS VARCHAR) || ')' FROM {table} t JOIN (SELECT t2.{key} AS k, "
                f"min(b._line) AS line FROM {table} t2 JOIN {bad} b USING (_seq) "
                f"GROUP BY t2.{key}) g ON t.{key} = g.k WHERE t._seq NOT IN "
                f"(SELECT _seq FROM {bad})"
            )

    def _entity_rows(self, plan: MappingPlan, table: str, bad: str, position: int) -> str:
        good = f"(SELECT * FROM {table} WHERE _seq NOT IN (SELECT _seq FROM {bad}))"
        if plan.group_by is None:
            cols = ", ".join(sql.render(sql.ident(c.name)) for c in plan.columns)
            return f"SELECT {cols}, {position} AS _src, _seq FROM {good}"
        key = sql.render(sql.ident(plan.key))
        selects = []
        for c in plan.columns:
            ident = sql.render(sql.ident(c.name))
            if c.name == plan.key:
                selects.append(ident)
                continue
            agg = {
                "first": f"arg_min({ident}, _seq) FILTER (WHERE {ident} IS NOT NULL)",
                "last": f"arg_max({ident}, _seq) FILTER (WHERE {ident} IS NOT NULL)",
                "sum": f"sum({ident})",
                "min": f"min({ident})",
                "max": f"max({ident})",
                "count": f"count({ident})",
            }[c.agg]
            if c.agg in ("sum", "count"):
                agg = sql.render(sql.cast(sql.fill("CAST(__a AS DOUBLE)", a=_raw_sql(agg)), c.kind))
            selects.append(f"{agg} AS {ident}")
        return (
            f"SELECT {', '.join(selects)}, {position} AS _src, min(_seq) AS _seq "
            f"FROM {good} GROUP BY {key}"
        )

    def _build_entity(self, entity_name: str, parts: list[Part]) -> tuple[int, int]:
        """Union every source's rows of an entity; for a repeated key the later row wins.

        The result is written straight into a staging table of the warehouse file, which
        the swap renames into place: the rows are written once.
        """
        entity = ENTITIES[entity_name]
        selects = []
        for part in parts:
            items = []
            for col in entity.columns:
                ident = sql.render(sql.ident(col.name))
                if col.name in part.columns:
                    items.append(ident)
                else:
                    items.append(f"CAST(NULL AS {sql.STORAGE_TYPES[col.kind]}) AS {ident}")
            selects.append(f"SELECT {', '.join(items)}, _src, _seq FROM ({part.query})")
        key = sql.render(sql.ident(entity.key))
        all_rows = " UNION ALL ".join(selects)
        stage = _table(f"{STAGE_PREFIX}{entity_name}")
        col_list = ", ".join(sql.render(sql.ident(c.name)) for c in entity.columns)
        if len(parts) == 1 and parts[0].unique:  # keys are unique already: no window needed
            self.con.execute(
                f"CREATE OR REPLACE TABLE {stage} AS SELECT {col_list} FROM ({all_rows})"
            )
            return int(self.con.execute(f"SELECT count(*) FROM {stage}").fetchone()[0]), 0
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE _onpace_all_{entity_name} AS {all_rows}")
        total = int(
            self.con.execute(f"SELECT count(*) FROM _onpace_all_{entity_name}").fetchone()[0]
        )
        self.con.execute(
            f"CREATE OR REPLACE TABLE {stage} AS SELECT {col_list} FROM "
            f"(SELECT *, row_number() OVER (PARTITION BY {key} ORDER BY _src DESC, _seq DESC) "
            f"AS _n FROM _onpace_all_{entity_name}) WHERE _n = 1 ORDER BY _src, _seq"
        )
        self.con.execute(f"DROP TABLE _onpace_all_{entity_name}")
        rows = int(self.con.execute(f"SELECT count(*) FROM {stage}").fetchone()[0])
        return rows, total - rows

    def _exists(self, table: str) -> bool:
        return bool(
            self.con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]
            ).fetchone()[0]
        )

    def _swap(self, result: IngestResult, config_hash: str, files_hash: str) -> None:
        """Replace entities, quarantine and ledger in one transaction."""
        self.con.execute("BEGIN TRANSACTION")
        try:
            for entity in result.entities:
                self.con.execute(f"DROP TABLE IF EXISTS {_table(entity)}")
                self.con.execute(
                    f"ALTER TABLE {_table(STAGE_PREFIX + entity)} RENAME TO {_table(entity)}"
                )
            self.con.execute(
                f"CREATE OR REPLACE TABLE {QUARANTINE_TABLE} AS SELECT "
                f"{sql.render(sql.lit(self.run_id))} AS run_id, * FROM _onpace_q "
                "ORDER BY source, file, line"
            )
            for src in result.sources:
                for f in src.files:
                    self.con.execute(
                        f"INSERT INTO {FILES_TABLE} VALUES (?, ?, ?, ?, ?, ?)",
                        [self.run_id, src.name, f.path, f.sha256, f.rows, f.duplicate_of],
                    )
            self.con.execute(
                f"INSERT INTO {RUNS_TABLE} VALUES (?, ?, CAST(now() AS TIMESTAMP), ?, ?, ?, ?, ?)",
                [
                    self.run_id,
                    self.now,
                    config_hash,
                    files_hash,
                    result.read,
                    result.loaded,
                    result.quarantined,
                ],
            )
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def _drop_temp(self) -> None:
        """Drop the temporary tables and views, and staging tables a killed run left behind."""
        for (name,) in self.con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE (temporary AND table_name LIKE "
            "'\\_onpace\\_%' ESCAPE '\\') OR table_name LIKE ?",
            [STAGE_PREFIX + "%"],
        ).fetchall():
            self.con.execute(f"DROP TABLE IF EXISTS {_table(str(name))}")
        for (name,) in self.con.execute(
            "SELECT view_name FROM duckdb_views() WHERE temporary AND view_name LIKE "
            "'\\_onpace\\_%' ESCAPE '\\'"
        ).fetchall():
            self.con.execute(f"DROP VIEW IF EXISTS {_table(str(name))}")


def _raw_sql(text: str) -> exp.Expression:
    """An aggregate written above from fixed pieces and quoted identifiers only."""
    import sqlglot

    return cast(exp.Expression, sqlglot.parse_one(text, dialect=sql.DIALECT))


def load_workspace_sources(root: Path) -> LoadedSources:
    """sources.yml of a workspace, or SpecError with every located issue."""
    file = root / SOURCES_FILE
    if not file.exists():
        raise IngestError(
            f"{file} does not exist",
            f"write one (see docs/sources.md) or run: onpace init {root} --from FILE...",
        )
    loaded, issues = load_sources(file)
    if loaded is None:
        raise SpecError(issues)
    return loaded


def duckdb_connection(warehouse: Any) -> Any:
    """The DuckDB connection behind a warehouse, or an error saying what ingest needs."""
    if warehouse.kind != "duckdb":
        raise IngestError(
            f"onpace ingest loads into the embedded DuckDB warehouse; this workspace uses "
            f"'{warehouse.kind}'",
            "ingest into a DuckDB workspace and export its tables, or load the warehouse "
            "with your own pipeline",
        )
    return warehouse.backend.con


def ingest_workspace(
    ws: Any,
    progress: Progress | None = None,
    now: datetime | None = None,
    force: bool = False,
    hook: Callable[[Path], None] | None = None,
) -> IngestResult:
    """Ingest every source of ``ws`` (a :class:`~onpace.workspace.Workspace`)."""
    loaded = load_workspace_sources(ws.root)
    try:
        warehouse = ws.warehouse
    except OnpaceError:
        raise
    except Exception as exc:  # e.g. the DuckDB file is locked by another process
        raise IngestError(
            f"cannot open the warehouse: {str(exc).splitlines()[0]}",
            "close other programs using it and run the ingest again",
        ) from exc
    con = duckdb_connection(warehouse)
    job = Ingest(con, ws.root, loaded, ws.config.timezone, now or ws.now(), progress)
    job.reader_hook = hook
    try:
        return job.run(force=force)
    finally:
        ws.warehouse.refresh()
