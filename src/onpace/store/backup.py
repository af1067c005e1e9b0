"""One consistent archive of a workspace's state, taken while it serves, and put back.

``onpace backup`` writes a ``.tar.gz`` (readable by the owner only: it holds password
and token digests) with:

- ``onpace-backup.json``: what is in it, row counts and the warehouse's SHA-256;
- ``warehouse.duckdb``: the published version of the embedded warehouse. A version
  never changes once published (see :mod:`onpace.query.warehouse_files`), so copying
  it is consistent while readers read and an ingest writes the next one;
- ``state/<table>.jsonl``: every row of the state store (users, tokens, sessions,
  targets and their revisions, reviews, the audit log), read in one snapshot: SQLite
  through its online backup API, PostgreSQL in one REPEATABLE READ, READ ONLY
  transaction. Rows are plain JSON, so a SQLite backup restores into PostgreSQL and
  back;
- ``config/...``: onpace.yml and every definition file of the workspace (YAML, SQL,
  Markdown, TOML, JSON, text); with ``with_data`` every other file too (source exports).

``onpace restore`` puts an archive into a new folder (everything) or into the
workspace it came from after a loss (the state store only if it is missing or
empty: history is append-only and never overwritten; the warehouse if it is missing
or damaged, or when asked; config files that are missing). Members are read by name,
never extracted blindly, so an archive cannot write outside the folder.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from onpace.errors import BackupError, OnpaceError
from onpace.store.presence import remember, state_key
from onpace.store.state_store import STATE_FILE, migrate, open_store, store_location, store_url
from onpace.store.tables import VERSION_TABLE

if TYPE_CHECKING:
    from onpace.query.warehouse_files import WarehouseFiles
    from onpace.workspace import Workspace

FORMAT = 1
MANIFEST = "onpace-backup.json"
WAREHOUSE_MEMBER = "warehouse.duckdb"
DEFINITION_SUFFIXES = {".yml", ".yaml", ".sql", ".md", ".toml", ".json", ".txt"}
_CHUNK = 1 << 20


@dataclass
class BackupSummary:
    """What an archive holds (also its manifest)."""

    archive: Path
    state_rows: dict[str, int]
    warehouse: str | None
    config: list[str]
    notes: list[str] = field(default_factory=list)


@dataclass
class RestoreSummary:
    """What a restore put back, and what it kept as it was (with why)."""

    root: Path
    state_rows: dict[str, int] = field(default_factory=dict)
    warehouse: bool = False
    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


# -- backup --------------------------------------------------------------------------------


def default_archive(ws: Workspace, now: datetime | None = None) -> Path:
    """``onpace-backup-<folder>-<UTC time>.tar.gz`` in the current folder."""
    moment = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return Path(f"onpace-backup-{ws.root.resolve().name}-{moment}.tar.gz")


def backup(ws: Workspace, archive: Path, with_data: bool = False) -> BackupSummary:
    """Write one consistent archive of ``ws``'s warehouse, state store and config.

    Safe while the workspace serves and ingests. The archive is written beside its
    final name and renamed into place, so a failed backup leaves no half archive.
    """
    if archive.exists():
        raise BackupError(f"{archive} exists already; give another name (backups never overwrite)")
    url = store_url(ws.config.state_url, ws.root)
    store = open_store(url, ws.root)
    partial = archive.with_name(f".{archive.name}.partial-{os.getpid()}")
    notes: list[str] = []
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            rows, revision = _dump_state(store.engine, tar)
            warehouse = _add_warehouse(ws, tar, notes)
            config = _add_config(ws, tar, with_data)
            manifest = {
                "format": FORMAT,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "workspace": ws.config.name,
                "state": {"revision": revision, "rows": rows, "from": store.engine.dialect.name},
                "warehouse": warehouse,
                "config": config,
                "notes": notes,
            }
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode())
        os.replace(partial, archive)
    except OSError as exc:
        raise BackupError(f"cannot write the backup {archive}: {exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
        store.close()
    version = str(warehouse["version"]) if warehouse else None
    return BackupSummary(archive, rows, version, config, notes)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _plain(value: Any) -> Any:
    """A stored value as JSON: times and dates in ISO form, decimals as text, bytes base64."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def _dump_state(engine: Engine, tar: tarfile.TarFile) -> tuple[dict[str, int], str]:
    with _snapshot(engine) as connection:
        revision = str(
            connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
        )
        meta = sa.MetaData()
        meta.reflect(connection)
        rows: dict[str, int] = {}
        for table in meta.sorted_tables:
            if table.name == VERSION_TABLE:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            lines = [
                json.dumps({k: _plain(v) for k, v in row._mapping.items()}, ensure_ascii=False)
                for row in connection.execute(sa.select(table).order_by(*order))
            ]
            rows[table.name] = len(lines)
            _add_bytes(tar, f"state/{table.name}.jsonl", "".join(f"{x}\n" for x in lines).encode())
    return rows, revision


@contextlib.contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection that sees the store as of one moment, while others go on writing."""
    if engine.dialect.name == "sqlite":
        with tempfile.TemporaryDirectory(prefix="onpace-backup-") as folder:
            copy = Path(folder) / STATE_FILE
            source = engine.raw_connection()
            try:
                target = sqlite3.connect(copy)
                source.driver_connection.backup(target)  # type: ignore[union-attr]
                target.close()
            finally:
                source.close()
            frozen = sa.create_engine(f"sqlite:///{copy}")
            try:
                with frozen.connect() as connection:
                    yield connection
            finally:
                frozen.dispose()
        return
    snapshot = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with snapshot as connection, connection.begin():
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("SET TRANSACTION READ ONLY"))
        yield connection


def _add_warehouse(ws: Workspace, tar: tarfile.TarFile, notes: list[str]) -> dict[str, Any] | None:
    """The published version the warehouse reads now, copied from an open handle."""
    from onpace.query.warehouse import duckdb_files

    if ws.config.warehouse.backend != "duckdb":
        notes.append(
            f"the warehouse is external ({ws.config.warehouse.backend}) and is not in the archive"
        )
        return None
    files = duckdb_files(ws.config.warehouse, ws.root)
    for _ in range(5):
        version = files.current()
        if version is None:
            files.refuse_if_lost()
            notes.append("the warehouse holds no data yet")
            return None
        try:
            handle = version.open("rb")  # once open, a newer publish cannot take it away
        except FileNotFoundError:
            continue  # replaced and removed between looking and opening
        with handle:
            digest = _sha256(handle)
            handle.seek(0)
            info = tarfile.TarInfo(WAREHOUSE_MEMBER)
            info.size = os.fstat(handle.fileno()).st_size
            info.mode = 0o600
            tar.addfile(info, handle)
        return {"file": WAREHOUSE_MEMBER, "version": version.name, "sha256": digest}
    raise BackupError("the warehouse changed five times while it was being copied; try again")


def _sha256(handle: Any) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _skipped(ws: Workspace) -> set[Path]:
    """The stores' own files, which go into the archive their own way (or not at all)."""
    from onpace.query.warehouse import duckdb_files

    root = ws.root.resolve()
    skip = {root / STATE_FILE, root / ".onpace"}
    skip |= {root / f"{STATE_FILE}{suffix}" for suffix in ("-wal", "-shm", "-journal")}
    if ws.config.warehouse.backend == "duckdb":
        files: WarehouseFiles = duckdb_files(ws.config.warehouse, ws.root)
        base = files.path if files.path.is_absolute() else root / files.path
        base = base.parent.resolve() / base.name
        skip |= {base, files.folder.resolve(), files.lock_path.resolve(), Path(f"{base}.wal")}
    return skip


def _config_files(ws: Workspace, with_data: bool) -> Iterator[tuple[Path, str]]:
    root = ws.root.resolve()
    skip = _skipped(ws)
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and d != "__pycache__" and here / d not in skip
        )
        for name in sorted(names):
            path = here / name
            if path in skip or name.startswith(".") or path.is_symlink() or not path.is_file():
                continue
            if name.endswith((".tar.gz", ".partial")) or name.startswith("onpace-backup-"):
                continue
            if with_data or path.suffix.lower() in DEFINITION_SUFFIXES:
                yield path, path.relative_to(root).as_posix()


def _add_config(ws: Workspace, tar: tarfile.TarFile, with_data: bool) -> list[str]:
    names = []
    for path, relative in _config_files(ws, with_data):
        tar.add(path, arcname=f"config/{relative}", recursive=False)
        names.append(relative)
    return names


# -- restore -------------------------------------------------------------------------------


def restore(archive: Path, root: Path, replace_warehouse: bool = False) -> RestoreSummary:
    """Put ``archive`` back into ``root`` (a new folder, or the workspace after a loss)."""
    from onpace.workspace import CONFIG_FILE, Workspace

    try:
        tar = tarfile.open(archive, mode="r:gz")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{archive} is not an onpace backup ({exc})") from exc
    with tar:
        manifest = _manifest(tar, archive)
        summary = RestoreSummary(root)
        existing = (root / CONFIG_FILE).exists()
        _restore_config(tar, manifest, root, summary, overwrite=not existing)
        ws = Workspace.open(root)
        _restore_state(tar, manifest, ws, summary)
        warehouse = manifest.get("warehouse")
        if warehouse:
            _restore_warehouse(tar, warehouse, ws, summary, replace_warehouse or not existing)
    return summary


def _manifest(tar: tarfile.TarFile, archive: Path) -> dict[str, Any]:
    try:
        data = json.loads(_read_member(tar, MANIFEST))
    except (KeyError, ValueError) as exc:
        raise BackupError(f"{archive} is not an onpace backup (no readable {MANIFEST})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else "?"
        raise BackupError(f"{archive} is a backup of format {found}; this onpace reads {FORMAT}")
    return data


def _read_member(tar: tarfile.TarFile, name: str) -> bytes:
    member = tar.getmember(name)
    if not member.isfile():
        raise BackupError(f"the archive's {name} is not a file")
    handle = tar.extractfile(member)
    if handle is None:
        raise BackupError(f"the archive's {name} cannot be read")
    return handle.read()


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"the archive holds a path outside the workspace ({name}); refused")
    return path


def _restore_config(
    tar: tarfile.TarFile,
    manifest: dict[str, Any],
    root: Path,
    summary: RestoreSummary,
    overwrite: bool,
) -> None:
    """Write the config files; in an existing workspace only those that are missing."""
    for name in manifest.get("config") or []:
        relative = _safe_relative(str(name))
        data = _read_member(tar, f"config/{relative}")
        target = root.joinpath(*relative.parts)
        if target.exists() and not overwrite:
            if target.read_bytes() != data:
                summary.kept.append(f"{relative} (differs from the backup; left as it is)")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        summary.written.append(str(relative))


def _restore_state(
    tar: tarfile.TarFile, manifest: dict[str, Any], ws: Workspace, summary: RestoreSummary
) -> None:
    url = store_url(ws.config.state_url, ws.root)
    state = manifest["state"]
    engine = sa.create_engine(url, future=True)
    try:
        held = _rows_held(engine)
        if held:
            summary.kept.append(
                f"the state store {store_location(url)} ({held} rows; history is never "
                "overwritten: restore into a new folder or an empty database to replace it)"
            )
            return
        if not sa.inspect(engine).has_table(VERSION_TABLE):
            migrate(engine, str(state["revision"]))
        meta = sa.MetaData()
        meta.reflect(engine)
        with engine.begin() as connection:
            for table in meta.sorted_tables:
                if table.name in state["rows"]:
                    summary.state_rows[table.name] = _load_table(tar, connection, table)
            _reset_sequences(connection, meta)
        for name, count in state["rows"].items():
            if summary.state_rows.get(name) != count:
                raise BackupError(
                    f"the archive's state/{name}.jsonl has {summary.state_rows.get(name, 0)} "
                    f"rows but the backup counted {count}: the archive is damaged"
                )
        migrate(engine)
    except sa.exc.SQLAlchemyError as exc:
        raise BackupError(f"cannot restore the state store: {getattr(exc, 'orig', exc)}") from exc
    finally:
        engine.dispose()
    remember(ws.root, state_key(url, ws.root))


def _rows_held(engine: Engine) -> int:
    """How many rows the store holds besides its schema version (0: empty or new)."""
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as connection:
        return sum(
            int(connection.execute(sa.select(sa.func.count()).select_from(t)).scalar() or 0)
            for t in meta.sorted_tables
            if t.name != VERSION_TABLE
        )


def _typed(column: sa.Column[Any], value: Any, dialect: str) -> Any:
    """A JSON value back as what ``column`` stores (see :func:`_plain`)."""
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, sa.DateTime):
        moment = datetime.fromisoformat(value)
        if dialect == "sqlite" and moment.tzinfo is not None:  # SQLite keeps UTC, naive
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment
    if isinstance(kind, sa.Date):
        return date.fromisoformat(value)
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return Decimal(value)
    if isinstance(kind, sa.LargeBinary):
        return base64.b64decode(value)
    return value


def _load_table(tar: tarfile.TarFile, connection: Connection, table: sa.Table) -> int:
    text = _read_member(tar, f"state/{table.name}.jsonl").decode()
    dialect = connection.dialect.name
    rows = []
    for line in text.splitlines():
        if line.strip():
            raw = json.loads(line)
            rows.append(
                {
                    c.name: _typed(c, raw.get(c.name), dialect)
                    for c in table.columns
                    if c.name in raw
                }
            )
    if rows:
        connection.execute(table.insert(), rows)
    return len(rows)


def _reset_sequences(connection: Connection, meta: sa.MetaData) -> None:
    """PostgreSQL's id sequences continue after the restored ids (SQLite needs nothing)."""
    if connection.dialect.name != "postgresql":
        return
    for table in meta.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, sa.Integer):
            continue
        connection.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                f'COALESCE(MAX("{keys[0].name}"), 1), MAX("{keys[0].name}") IS NOT NULL) '
                f'FROM "{table.name}"'
            ),
            {"table": table.name, "column": keys[0].name},
        )


def _restore_warehouse(
    tar: tarfile.TarFile,
    warehouse: dict[str, Any],
    ws: Workspace,
    summary: RestoreSummary,
    replace: bool,
) -> None:
    from onpace.query.warehouse import duckdb_files
    from onpace.store.health import duckdb_file_problem

    if ws.config.warehouse.backend != "duckdb":
        summary.kept.append("the warehouse (this workspace's warehouse is not the embedded one)")
        return
    files = duckdb_files(ws.config.warehouse, ws.root)
    current = files.current()
    whole = current is not None and current.exists() and duckdb_file_problem(current) is None
    if whole and not replace:
        summary.kept.append("the warehouse (it is whole; pass --replace-warehouse to replace it)")
        return
    member = tar.extractfile(tar.getmember(str(warehouse["file"])))
    if member is None:
        raise BackupError("the archive's warehouse cannot be read")
    with tempfile.TemporaryDirectory(prefix="onpace-restore-", dir=ws.root) as folder:
        copy = Path(folder) / WAREHOUSE_MEMBER
        with copy.open("wb") as out:
            shutil.copyfileobj(member, out, _CHUNK)
        with copy.open("rb") as handle:
            if _sha256(handle) != warehouse["sha256"]:
                raise BackupError("the archive's warehouse does not match its checksum: damaged")
        _publish_copy(ws, copy)
    summary.warehouse = True


def _publish_copy(ws: Workspace, copy: Path) -> None:
    """Publish ``copy`` as the warehouse's next version (readers switch on their next look)."""
    quoted = str(copy).replace("'", "''")
    try:
        with ws.writing("onpace restore", fresh=True) as warehouse:
            assert warehouse.draft is not None
            con = warehouse.draft.con
            name = con.execute("SELECT current_database()").fetchone()[0]
            con.execute(f"ATTACH '{quoted}' AS onpace_backup (READ_ONLY)")
            con.execute(f'COPY FROM DATABASE onpace_backup TO "{name}"')
            con.execute("DETACH onpace_backup")
    except OnpaceError:
        raise
    except Exception as exc:
        raise BackupError(f"cannot restore the warehouse: {exc}") from exc
