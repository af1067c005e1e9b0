"""The warehouse: where the sales tables live, reached through Ibis.

The embedded default is a DuckDB file inside the workspace. The same code runs on
PySpark (Parquet folders, local or on a cluster) and on any backend Ibis connects
to by URL. Only this module knows how to connect; everything else asks it for
Ibis tables.

The embedded DuckDB file is kept as immutable versions (:mod:`.warehouse_files`):
a :class:`Warehouse` on it reads one version read-only, :meth:`Warehouse.sync` moves it
to the newest, and :func:`writing` gives a writable copy that is published at the end.

Time zones: timestamps are stored as wall-clock time in the workspace's time zone.
:func:`normalize_frame` converts time-zone-aware input (``2024-01-31T23:30:00Z``)
to that zone and drops the offset, and treats naive input as already local. This
is what puts an order at 23:30 UTC on 31 January into February for a workspace in
Amsterdam, and it is done once, on load, so every engine truncates the same way.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from onpace.errors import WorkspaceError
from onpace.model.entities import ENTITIES, Entity
from onpace.query.warehouse_files import Draft, WarehouseFiles
from onpace.query.warehouse_files import duckdb_files as duckdb_files
from onpace.spec.envvars import expand_env
from onpace.spec.workspace_config import WarehouseSettings
from onpace.values.changes import ChangeSet, bump_data_version, record_swap
from onpace.values.layout import CELLS

_ARROW_TYPES: dict[str, pa.DataType] = {
    "id": pa.string(),
    "string": pa.string(),
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
    "money": pa.decimal128(18, 2),
    "number": pa.float64(),
    "integer": pa.int64(),
    "boolean": pa.bool_(),
}


def arrow_schema(entity: Entity) -> pa.Schema:
    """The Arrow schema a table of ``entity`` is stored with."""
    return pa.schema([(c.name, _ARROW_TYPES[c.kind]) for c in entity.columns])


def _to_local_naive(values: pd.Series, timezone: str) -> pd.Series:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        converted: pd.Series = values.dt.tz_convert(timezone).dt.tz_localize(None)
        return converted
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    parsed = pd.to_datetime(values, format="ISO8601", utc=False)
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        return parsed.dt.tz_convert(timezone).dt.tz_localize(None)
    if parsed.dtype == object:  # mixed offsets: go through UTC
        return (
            pd.to_datetime(values, format="ISO8601", utc=True)
            .dt.tz_convert(timezone)
            .dt.tz_localize(None)
        )
    result: pd.Series = parsed
    return result


def normalize_frame(entity: Entity, frame: pd.DataFrame, timezone: str) -> pa.Table:
    """``frame`` as an Arrow table with exactly the entity's columns and types.

    Optional columns the frame lacks are added as nulls; columns the model does
    not know are refused, so a typo never passes as missing data.
    """
    unknown = [c for c in frame.columns if entity.column(str(c)) is None]
    if unknown:
        raise WorkspaceError(
            f"{entity.name} has no column(s) {', '.join(map(str, unknown))}; "
            f"its columns are {', '.join(entity.column_names)}"
        )
    missing = [c for c in entity.required_columns if c not in frame.columns]
    if missing:
        raise WorkspaceError(f"{entity.name} needs column(s) {', '.join(missing)}")
    arrays = []
    for col in entity.columns:
        target = _ARROW_TYPES[col.kind]
        if col.name not in frame.columns:
            arrays.append(pa.nulls(len(frame), type=target))
            continue
        values = frame[col.name]
        if col.kind == "timestamp":
            values = _to_local_naive(values, timezone).astype("datetime64[us]")
        elif col.kind == "date":
            values = pd.to_datetime(values).dt.date
        elif col.kind == "money":
            from decimal import Decimal

            values = values.map(
                lambda v: None if pd.isna(v) else Decimal(str(v)).quantize(Decimal("0.01"))
            )
        elif col.kind in ("id", "string"):
            values = values.map(lambda v: None if pd.isna(v) else str(v))
        arrays.append(pa.array(values, type=target, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=arrow_schema(entity))


@dataclass
class Warehouse:
    """An Ibis connection plus what it holds.

    On the embedded DuckDB warehouse, ``files`` are its versions and ``version`` the
    one this connection reads (None: no data yet); a writable warehouse has the
    ``draft`` of the version it writes instead.
    """

    backend: Any
    kind: str
    files: WarehouseFiles | None = None
    version: Path | None = None
    draft: Draft | None = None
    changes: ChangeSet = field(default_factory=ChangeSet)
    _columns: dict[str, set[str]] = field(default_factory=dict)
    _tables: dict[str, Any] = field(default_factory=dict)
    _names: set[str] | None = None

    def sync(self) -> bool:
        """Read the newest published version from now on; True when it changed.

        Long-running readers (the server) call this between requests; a computation
        never switches versions half-way, so it always sees one consistent snapshot.
        """
        if self.files is None or self.files.current() == self.version:
            return False
        con, version = self.files.open_read()
        old = self.backend
        self.backend = _ibis_duckdb(con)
        self.version = version
        self.refresh()
        with contextlib.suppress(Exception):  # queries on the old version have finished
            old.disconnect()
        return True

    def consistent_view(self) -> Path | None:
        """The published file this warehouse reads: immutable, safe to copy for a backup."""
        return self.version

    @property
    def dialect(self) -> str:
        return str(getattr(self.backend, "name", self.kind))

    def has_table(self, name: str) -> bool:
        return name in self.table_names()

    def table_names(self) -> set[str]:
        # asked once per computation for every table; the catalog query is not free
        if self._names is None:
            self._names = set(self.backend.list_tables())
        return self._names

    def table(self, name: str) -> Any:
        if name not in self._tables:
            self._tables[name] = self.backend.table(name)
        return self._tables[name]

    def refresh(self) -> None:
        """Forget what tables and columns exist (after something else changed them)."""
        self._names = None
        self._tables.clear()
        self._columns.clear()

    def columns(self, name: str) -> set[str]:
        if name not in self._columns:
            self._columns[name] = set(self.table(name).columns)
        return self._columns[name]

    def load(self, entity_name: str, frame: pd.DataFrame | pa.Table, timezone: str) -> int:
        """Replace the table of ``entity_name`` with ``frame`` (normalized). Returns rows.

        The data version goes up; on a writable copy that holds stored values, the rows
        that changed are recorded (``changes``) for the refresh that ends the write.
        """
        entity = ENTITIES[entity_name]
        table = frame if isinstance(frame, pa.Table) else normalize_frame(entity, frame, timezone)
        if self.draft is not None and self.has_table(entity_name) and self.has_table(CELLS):
            self._load_tracked(entity_name, table)
        elif self.kind == "pyspark":
            self._load_spark(entity_name, table)
        else:
            self.backend.create_table(entity_name, table, overwrite=True)
            if self.draft is not None:
                self.changes.mark_full(entity_name)
        bump_data_version(self.backend)
        self.refresh()
        return int(table.num_rows)

    def _load_spark(self, entity_name: str, table: pa.Table) -> None:
        """Spark reads the rows from a Parquet file (decimals and nulls kept as they are)."""
        import uuid

        import pyarrow.parquet as pq

        session = self.backend._session
        folder = Path(session.conf.get("spark.sql.warehouse.dir").removeprefix("file:"))
        target = folder / "onpace-loads" / f"{entity_name}-{uuid.uuid4().hex}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, target)
        session.read.parquet(str(target)).createOrReplaceTempView(entity_name)

    def _load_tracked(self, entity_name: str, table: pa.Table) -> None:
        """Replace a DuckDB table, keeping its changed rows (old and new) for the refresh."""
        staged = f"onpace_load__{entity_name}"
        self.backend.create_table(staged, table, overwrite=True)
        key = ENTITIES[entity_name].key
        changed = record_swap(self.backend.con, entity_name, entity_name, staged, key)
        if changed is None:
            self.changes.mark_full(entity_name)
        else:
            self.changes.add(changed)
        self.backend.con.execute(f'DROP TABLE "{entity_name}"')
        self.backend.con.execute(f'ALTER TABLE "{staged}" RENAME TO "{entity_name}"')

    def load_all(self, frames: Mapping[str, pd.DataFrame | pa.Table], timezone: str) -> None:
        for name, frame in frames.items():
            self.load(name, frame, timezone)


def _ibis_duckdb(con: Any) -> Any:
    import ibis

    return ibis.duckdb.from_connection(con)


def connect_duckdb(files: WarehouseFiles) -> Warehouse:
    """A read-only :class:`Warehouse` on the current version of an embedded warehouse."""
    con, version = files.open_read()
    return Warehouse(_ibis_duckdb(con), "duckdb", files=files, version=version)


def connect(settings: WarehouseSettings, root: Path) -> Warehouse:
    """Open the warehouse a workspace's settings describe (the embedded one read-only)."""

    if settings.backend == "duckdb":
        return connect_duckdb(duckdb_files(settings, root))
    if settings.backend == "url":
        if not settings.url:
            raise WorkspaceError("warehouse.backend is 'url' but warehouse.url is empty")
        return Warehouse(connect_url(expand_env(settings.url, "warehouse.url")), "url")
    return connect_spark(settings, root)


@contextlib.contextmanager
def writing(files: WarehouseFiles, purpose: str, fresh: bool = False) -> Iterator[Warehouse]:
    """A writable :class:`Warehouse` on a new version, published when the block ends."""
    with files.write(purpose, fresh=fresh) as draft:
        yield Warehouse(_ibis_duckdb(draft.con), "duckdb", draft=draft)


def ibis_url(url: str) -> str:
    """``url`` as Ibis reads it: a SQLAlchemy driver suffix is dropped.

    The state store takes SQLAlchemy URLs (``postgresql+psycopg://...``); accepting the
    same spelling here lets one URL serve both.

    >>> ibis_url("postgresql+psycopg://onpace@db/sales?sslmode=require")
    'postgresql://onpace@db/sales?sslmode=require'
    >>> ibis_url("duckdb:///data/sales.duckdb")
    'duckdb:///data/sales.duckdb'
    """
    scheme, sep, rest = url.partition("://")
    return scheme.split("+", 1)[0] + sep + rest if sep else url


def _shown(url: str) -> str:
    """``url`` without its password, for messages."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


def connect_url(url: str) -> Any:
    """An Ibis connection to ``url`` (``postgres://...``, ``trino://...``, ...)."""
    import ibis

    target = ibis_url(url)
    try:
        return ibis.connect(target)
    except (ImportError, ModuleNotFoundError) as exc:
        raise WorkspaceError(
            f"the warehouse at {_shown(url)} needs a driver that is not installed ({exc}); "
            "for PostgreSQL: pip install 'onpace[postgres]'"
        ) from exc
    except ValueError as exc:
        reason = str(exc).replace(target, _shown(target))
        raise WorkspaceError(f"cannot connect to the warehouse at {_shown(url)}: {reason}") from exc


def spark_session(master: str = "local[2]", tables_dir: Path | None = None) -> Any:
    """A Spark session configured for onpace: UTC session time, quiet, small shuffles.

    Tables onpace writes (the stored KPI values) go to ``tables_dir`` (Spark's
    warehouse directory); without one, to a temporary folder rather than the current
    directory. On a cluster, the session's own catalog decides.
    """
    import tempfile

    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise WorkspaceError("the pyspark backend needs: pip install 'onpace[spark]'") from exc
    folder = tables_dir or Path(tempfile.mkdtemp(prefix="onpace-spark-tables-"))
    session = (
        SparkSession.builder.master(master)
        .appName("onpace")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.warehouse.dir", str(folder))
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def connect_spark(settings: WarehouseSettings, root: Path) -> Warehouse:
    """A PySpark warehouse reading one Parquet folder (or file) per entity."""
    import ibis

    session = spark_session(settings.spark_master, root / "spark-tables")
    backend = ibis.pyspark.connect(session)
    if settings.parquet_dir:
        base = Path(settings.parquet_dir)
        base = base if base.is_absolute() else root / base
        for name in ENTITIES:
            for candidate in (base / name, base / f"{name}.parquet"):
                if candidate.exists():
                    session.read.parquet(str(candidate)).createOrReplaceTempView(name)
                    break
    return Warehouse(backend, "pyspark")
