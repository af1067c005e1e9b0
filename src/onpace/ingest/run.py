"""The ingest: read every source, type and check each row, quarantine the bad ones, load atomically.

This module orchestrates; each step lives in its own module:

1. read each source into text tables (:mod:`onpace.ingest.readers`);
2. per entity mapping, select typed values and a ``_reason`` per row
   (:mod:`onpace.ingest.mapping`);
3. add the reasons that need more than one row (:mod:`onpace.ingest.checks`): an
   unknown foreign key (checked against the entity as loaded from *other* sources, so
   sources are processed in the order their references need), a duplicate key within
   one file, and the other lines of a group that has a bad line;
4. a row with any reason is quarantined from every entity of its source; the others
   build the entities (:mod:`onpace.ingest.merge`);
5. in one transaction, replace the entity tables, the quarantine table and append to
   the ledger (:mod:`onpace.ingest.swap`, :mod:`onpace.ingest.ledger`). A failure or
   a kill before the commit leaves the previous data as it was.

Every run recomputes the entities from all the source files, so the result
depends only on the files: ingesting the same files again changes nothing, and
the ledger (file content hashes) lets an unchanged run stop early. A file whose
content equals an earlier file of the same source is read once.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onpace.errors import IngestError, OnpaceError, SpecError
from onpace.ingest import checks, joins, memory, sql
from onpace.ingest.confine import source_files
from onpace.ingest.ledger import QUARANTINE_TABLE, Ledger, config_hash, files_hash, has_table
from onpace.ingest.mapping import MappingPlan, plan_mapping
from onpace.ingest.merge import MIN_PLACES, build_entity, entity_rows, settle_money
from onpace.ingest.outcome import IngestResult, Part, SourceResult
from onpace.ingest.readers import ROW_REASON, RawSource, Reader
from onpace.ingest.source_spec import SOURCES_FILE, LoadedSources, load_sources
from onpace.ingest.swap import SwapHook, TableSwap, drop_temporaries, swap_tables
from onpace.model.entities import ENTITIES
from onpace.values.changes import swap_recorder

if TYPE_CHECKING:
    from onpace.workspace import Workspace

Progress = Callable[[str, int, int], None]
_QUARANTINE_STAGE = "_onpace_q"

__all__ = [
    "QUARANTINE_TABLE",
    "Ingest",
    "IngestResult",
    "Part",
    "Progress",
    "SourceResult",
    "duckdb_connection",
    "ingest_workspace",
    "load_workspace_sources",
]


def _source_order(loaded: LoadedSources) -> list[str]:
    """Sources ordered so that the entities their checks read are staged first.

    A foreign key (and a fallback, which follows one) is checked against the target as
    other sources give it; a partial source adds to rows its entity's full sources give.
    """
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
            if emap.partial:
                deps |= {
                    n
                    for n in feeds[entity_name] - {name}
                    if not loaded.sources[n].entities[entity_name].partial
                }
        needs[name] = deps
    return _topological(list(loaded.sources), needs)


def _floors(parts: list[Part]) -> dict[str, int]:
    """Per money column, the fewest places to store: 4, or what every mapping states."""
    floors: dict[str, int] = {}
    stated: dict[str, list[int | None]] = {}
    for part in parts:
        for name, places in part.places.items():
            stated.setdefault(name, []).append(places)
    for name, each in stated.items():
        given = [p for p in each if p is not None]
        floors[name] = max(given) if len(given) == len(each) else MIN_PLACES
    return floors


def _ranks(loaded: LoadedSources, entity: str) -> dict[str, int]:
    """Per source of ``entity``, its rank for a repeated key: the lowest wins."""
    rule = loaded.merge.get(entity)
    if rule is not None:
        return {name: i for i, name in enumerate(rule.precedence)}
    listed = [n for n, s in loaded.sources.items() if entity in s.entities]
    return {name: len(listed) - i for i, name in enumerate(listed)}  # the later listed wins


def _topological(names: list[str], needs: dict[str, set[str]]) -> list[str]:
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

    for name in names:
        visit(name)
    return order


class _Staging:
    """What a run has built so far: parts per entity, staged entities, notes, results."""

    def __init__(self, loaded: LoadedSources) -> None:
        self.parts: dict[str, list[Part]] = {}
        self.results: list[SourceResult] = []
        self.notes: list[str] = []
        self.entities: dict[str, int] = {}
        self.replaced: dict[str, int] = {}
        self.feeds_left: dict[str, int] = {}
        for src in loaded.sources.values():
            for entity in src.entities:
                self.feeds_left[entity] = self.feeds_left.get(entity, 0) + 1

    def unknown_keys(self, found: checks.UnknownKeys) -> None:
        """Note references loaded with an empty key, or stubs added to their target."""
        if found.policy == "stub":
            self.entities[found.target] = self.entities.get(found.target, 0) + found.keys
            self.notes.append(
                f"{found.target}: {found.keys:,} stub row(s) added for unknown {found.column} "
                f"of {found.rows:,} {found.entity} row(s)"
            )
        else:
            self.notes.append(
                f"{found.entity}: {found.rows:,} row(s) with an unknown {found.column} "
                f"({found.keys:,} key(s) not in {found.target}) loaded with it empty"
            )


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
        hooks: Sequence[SwapHook] = (),
    ) -> None:
        self.con = con
        self.root = root
        self.loaded = loaded
        self.zone = workspace_zone
        self.now = now
        self.progress = progress or (lambda step, done, total: None)
        self.hooks = tuple(hooks)
        self.currency = "EUR"
        self.allow_empty = False
        self.allowed_dirs: tuple[str, ...] = ()
        self.run_id = uuid.uuid4().hex[:12]
        self.reader_hook: Callable[[Path], None] | None = None

    def run(self, force: bool = False, allow_empty: bool = False) -> IngestResult:
        """Ingest; ``allow_empty`` lets a run empty a table that has rows (it refuses otherwise)."""
        self.allow_empty = allow_empty
        # every path is checked before any file is opened
        files = source_files(self.root, self.loaded, self.allowed_dirs)
        ledger = Ledger(self.con)
        ledger.ensure()
        config_sha = config_hash(self.loaded, self.zone)
        files_sha = files_hash(self.loaded, files)
        last = ledger.last_run()
        if (
            not force
            and last is not None
            and files_sha is not None
            and (last.config_sha256, last.files_sha256) == (config_sha, files_sha)
            and not ledger.future_rows_waiting()
        ):
            entities = [e for src in self.loaded.sources.values() for e in src.entities]
            return ledger.unchanged_result(last.run_id, list(dict.fromkeys(entities)))
        drop_temporaries(self.con)  # what a killed run may have left
        try:
            try:
                with memory.limited(self.con, memory.budget(files)):
                    result = self._stage_and_swap(files, config_sha, files_sha)
            except memory.OUT_OF_MEMORY:  # a step that cannot spill: again, unbounded
                drop_temporaries(self.con)
                result = self._stage_and_swap(files, config_sha, files_sha)
        except OnpaceError:
            raise
        except Exception as exc:  # an engine error: report it; the transaction rolled back
            raise IngestError(f"the ingest failed and loaded nothing: {exc}") from exc
        finally:
            drop_temporaries(self.con)
        return result

    def _stage_and_swap(
        self, files: dict[str, list[Path]], config_sha: str, files_sha: str | None
    ) -> IngestResult:
        """Read and check every source, then swap the checked rows in, in one transaction."""
        with tempfile.TemporaryDirectory(prefix="onpace-ingest-") as workdir:
            reader = Reader(self.con, self.root, Path(workdir), files)
            reader.before_stamp_check = self.reader_hook
            result = self._stage(reader)
        if not self.allow_empty:
            self._refuse_emptying(result)
        self.progress("loading into the warehouse", 0, 1)
        swap_tables(
            self.con,
            [TableSwap(e, e, checks.staged_table(e), ENTITIES[e].key) for e in result.entities],
            quarantine=_QUARANTINE_STAGE,
            run_id=self.run_id,
            record=lambda con: Ledger(con).record(
                self.run_id, self.now, config_sha, files_sha or "", result
            ),
            hooks=self.hooks,
        )
        self.progress("loading into the warehouse", 1, 1)
        return result

    def _stage(self, reader: Reader) -> IngestResult:
        order = _source_order(self.loaded)
        stage = _Staging(self.loaded)
        checks.create_quarantine(self.con, _QUARANTINE_STAGE)
        raws: dict[str, RawSource] = {}
        for position, name in enumerate(self.loaded.sources):
            self.progress(f"reading {name}", position, len(order))
            raws[name] = self._read(reader, name, stage.notes)
        joined = {
            name: joins.apply_joins(self.con, self.loaded, name, raw, raws)
            for name, raw in raws.items()
        }
        for position, name in enumerate(order):
            self.progress(f"checking {name}", position, len(order))
            result = self._process(name, joined[name], position, stage)
            stage.results.append(result)
            for entity in self.loaded.sources[name].entities:
                stage.feeds_left[entity] -= 1
                if stage.feeds_left[entity] == 0:
                    rule = self.loaded.merge.get(entity)
                    rows, merged = build_entity(
                        self.con, entity, stage.parts[entity], rule.mode if rule else "replace"
                    )
                    settle_money(self.con, entity, _floors(stage.parts[entity]))
                    twins = checks.near_twin_keys(self.con, entity)
                    if twins:
                        stage.notes.append(twins)
                    stage.entities[entity] = rows + stage.entities.get(entity, 0)
                    if merged:
                        stage.replaced[entity] = merged
        return IngestResult(
            self.run_id, False, stage.results, stage.entities, stage.replaced, stage.notes
        )

    def _read(self, reader: Reader, name: str, notes: list[str]) -> RawSource:
        """Read one source; a source without rows stops the run (it would empty tables)."""
        source = self.loaded.sources[name]
        raw = reader.read(name, source, {})
        if raw.rows == 0 and not self.allow_empty:
            shown = ", ".join(f.path for f in raw.files)
            what = "has only a header" if source.database is None else "gave no rows"
            raise IngestError(
                f"source '{name}' has no data rows ({shown} {what})",
                "an empty export would empty the tables it feeds: check the export, remove "
                "the source from sources.yml, or run with --allow-empty",
            )
        for f in raw.files:
            if f.duplicate_of:
                notes.append(
                    f"{name}: {f.path} has the same content as {f.duplicate_of}; read once"
                )
            elif f.note:
                notes.append(f"{name}: {f.path}: {f.note}")
        return raw

    def _process(self, name: str, raw: RawSource, position: int, stage: _Staging) -> SourceResult:
        """Type and check one source's rows: its quarantine, and its part of each entity."""
        source = self.loaded.sources[name]
        result = SourceResult(name, raw.files)
        if not raw.columns:
            return result
        bad = f"_onpace_bad_{position}"
        if not source.entities:  # a lookup: its rows serve other sources' joins
            joins.lookup_bad_rows(self.con, self.loaded, name, raw, bad)
            self._account(result, raw, bad)
            return result
        tables = []
        for i, (entity, emap) in enumerate(source.entities.items()):
            plan = plan_mapping(
                self.loaded,
                name,
                source,
                entity,
                emap,
                raw.columns,
                raw.excel,
                self.zone,
                self.now,
                lambda e: checks.staged_table(e) if e in stage.entities else None,
                self.currency,
            )
            wrong = plan.unreadable_default(self.con)
            if wrong is not None:
                issue = self.loaded.issue(
                    wrong[0], wrong[1], "write the default the way the column's values are written"
                )
                raise IngestError(str(issue), issues=[issue])
            table = f"_onpace_t_{position}_{i}"
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE {table} AS " + plan.select_sql(raw.view)
            )
            if plan.partial:
                full = [p.query for p in stage.parts.get(entity, [])]
                checks.partial_rows(self.con, plan, table, full)
            for found in checks.foreign_keys(
                self.con, plan, table, list(source.entities), self._exists
            ):
                stage.unknown_keys(found)
            if plan.group_by is None:
                checks.duplicates(self.con, plan, table)
            tables.append((plan, table))
        checks.collect_bad_rows(self.con, tables, raw.view, bad, ROW_REASON)
        self._account(result, raw, bad)
        files = sum(1 for f in raw.files if f.duplicate_of is None)
        for plan, table in tables:
            entity = plan.entity.name
            stage.parts.setdefault(entity, []).append(
                Part(
                    entity_rows(plan, table, bad),
                    [c.name for c in plan.columns],
                    unique=plan.group_by is not None or files <= 1,
                    source=name,
                    rank=_ranks(self.loaded, entity)[name],
                    places={c.name: c.places for c in plan.columns if c.kind == "money"},
                )
            )
            stage.notes.extend(_rounding_notes(self.con, plan, table, bad))
        return result

    def _refuse_emptying(self, result: IngestResult) -> None:
        """A table that has rows is not replaced by one without (unless allowed)."""
        for entity, rows in result.entities.items():
            if rows or not has_table(self.con, entity, temporary=False):
                continue
            table = sql.render(sql.ident(entity))
            had = int(self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            if had:
                raise IngestError(
                    f"{entity} would be emptied: it has {had:,} rows and this run loads none "
                    f"(read {result.read:,}, quarantined {result.quarantined:,})",
                    "see why with onpace ingest --report, fix the export, or run onpace ingest "
                    "--allow-empty to empty it on purpose",
                )

    def _account(self, result: SourceResult, raw: RawSource, bad: str) -> None:
        """read = loaded + quarantined for one source, and its bad rows into the quarantine."""
        read = int(self.con.execute(f"SELECT count(*) FROM {raw.view}").fetchone()[0])
        quarantined = int(self.con.execute(f"SELECT count(*) FROM {bad}").fetchone()[0])
        result.read, result.quarantined, result.loaded = read, quarantined, read - quarantined
        result.reasons = checks.reason_counts(self.con, bad)
        checks.quarantine_rows(self.con, _QUARANTINE_STAGE, result.name, raw.columns, raw.view, bad)

    def _exists(self, table: str) -> bool:
        return has_table(self.con, table)


def _rounding_notes(con: Any, plan: MappingPlan, table: str, bad: str) -> list[str]:
    """Say how many loaded money values lost decimal places, per column."""
    columns = plan.rounding
    if not columns:
        return []
    counts = con.execute(
        "SELECT "
        + ", ".join(f"count(*) FILTER (WHERE _rnd_{c.name})" for c in columns)
        + f" FROM {table} WHERE _seq NOT IN (SELECT _seq FROM {bad})"
    ).fetchone()
    notes = []
    for col, n in zip(columns, counts, strict=True):
        if not n:
            continue
        if col.places is None:
            why = "had more than 12 decimal places and were rounded to 12"
        else:
            why = f"were rounded to {col.places} decimal place(s), as the mapping says"
        notes.append(f"{plan.source}: {int(n):,} {plan.entity.name}.{col.name} value(s) {why}")
    return notes


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
    ws: Workspace,
    progress: Progress | None = None,
    now: datetime | None = None,
    force: bool = False,
    hook: Callable[[Path], None] | None = None,
    swap_hooks: Sequence[SwapHook] = (),
    allow_empty: bool = False,
) -> IngestResult:
    """Ingest every source of ``ws`` (a :class:`~onpace.workspace.Workspace`).

    The load goes into a new version of the embedded warehouse, published when it
    is complete: readers (the dashboard, other commands) keep reading the previous
    version meanwhile and never see a half-done load. ``swap_hooks`` run inside the
    swap's transaction (see :mod:`onpace.ingest.swap`); ``hook`` is called with each
    file after it is read (tests use it to change a file); ``allow_empty`` lets the run
    empty a table that has rows.
    """
    loaded = load_workspace_sources(ws.root)
    injected = ws._warehouse
    if injected is not None and injected.files is None:  # a connection handed in (notebooks)
        con = duckdb_connection(injected)
        return _run(ws, con, loaded, progress, now, force, hook, swap_hooks, allow_empty)
    if ws.config.warehouse.backend != "duckdb":
        duckdb_connection(ws.warehouse)  # raises the error that says what ingest needs
    with ws.writing("onpace ingest") as draft:
        con = duckdb_connection(draft)
        hooks = [*swap_hooks, swap_recorder(draft.changes)]  # for the value store's refresh
        result = _run(ws, con, loaded, progress, now, force, hook, hooks, allow_empty)
        if result.unchanged and draft.draft is not None:
            draft.draft.publish = False  # nothing to publish: the readers' version is current
    return result


def _run(
    ws: Workspace,
    con: Any,
    loaded: LoadedSources,
    progress: Progress | None,
    now: datetime | None,
    force: bool,
    hook: Callable[[Path], None] | None,
    swap_hooks: Sequence[SwapHook],
    allow_empty: bool = False,
) -> IngestResult:
    job = Ingest(con, ws.root, loaded, ws.config.timezone, now or ws.now(), progress, swap_hooks)
    job.reader_hook = hook
    job.currency = ws.config.currency
    job.allowed_dirs = ws.config.ingest.allowed_dirs
    return job.run(force=force, allow_empty=allow_empty)
