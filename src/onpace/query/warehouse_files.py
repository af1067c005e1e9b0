"""The embedded warehouse as a series of immutable DuckDB files, so readers never wait for writers.

DuckDB lets one process write a database file, or many processes read it, never both.
A dashboard that keeps the file open would lock out every ``onpace compute`` and every
``onpace ingest``. So the configured path (``warehouse.duckdb``) is a symbolic link to
the newest *version*, ``warehouse.duckdb.d/000007.duckdb``, and a version, once
published, is never written again:

- a **reader** resolves the link and opens that version read-only. Any number of
  processes do so at once; a reader keeps its version until it chooses to look again
  (:meth:`WarehouseFiles.current`), so everything it computes comes from one
  consistent snapshot;
- a **writer** (ingest, a value refresh, the demo) takes the writer lock, copies the
  newest version to a new file, changes that copy, checkpoints it and then points the
  link at it with one atomic rename. Readers that opened the previous version keep
  reading it (the file stays readable until they close it, even once removed), the
  next reader sees the new one, and a writer that fails or is killed leaves nothing
  behind but a temporary file that the next writer removes.

Two writers at once would copy the same version and the second would silently drop
the first one's changes, so writers queue on a lock file; a writer that cannot get
it says in one line who holds it. The file is copied with the kernel's
``copy_file_range``, at disk speed; an ingest rewrites its tables anyway.

A plain file at the configured path (a workspace from before versions, or one a
user wrote with another tool) is read as it is and becomes version 1 on the first
write. Backups copy :meth:`WarehouseFiles.current`: a published version never
changes, so the copy is consistent without stopping anything.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onpace.errors import WarehouseBusyError, WorkspaceError

if TYPE_CHECKING:
    from onpace.spec.workspace_config import WarehouseSettings

KEEP_VERSIONS = 2
_OPEN_ATTEMPTS = 5
_DUCKDB_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")


@dataclass
class Draft:
    """A new version being written: ``con`` is read-write; ``publish = False`` drops it."""

    con: Any
    path: Path
    publish: bool = True


@dataclass(frozen=True)
class WriterInfo:
    """Who holds the writer lock: shown to a second writer instead of a traceback."""

    pid: int
    purpose: str
    command: str
    since: str

    def describe(self) -> str:
        return f"'{self.purpose}' ({self.command}, PID {self.pid}, since {self.since})"


class WarehouseFiles:
    """The versions of one embedded warehouse: the link, its folder of versions and the lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.folder = path.with_name(path.name + ".d")
        self.lock_path = path.with_name(path.name + ".lock")

    # -- reading -------------------------------------------------------------------------

    def current(self) -> Path | None:
        """The file readers open now: the newest published version (None: no data yet)."""
        if self.path.is_symlink():
            return self.folder / Path(os.readlink(self.path)).name
        return self.path if self.path.exists() else None

    def version_name(self) -> str:
        """A short name of the current version that changes with every publish (cheap)."""
        current = self.current()
        if current is None:
            return "none"
        if current == self.path:  # a plain file: its change time is the version
            return f"plain-{current.stat().st_mtime_ns}"
        return current.name

    def open_read(self) -> tuple[Any, Path | None]:
        """A read-only DuckDB connection to the current version, and that version's path.

        Without any data yet it is an empty in-memory database, so a KPI says which
        table is missing instead of failing to open.
        """
        import duckdb

        for _ in range(_OPEN_ATTEMPTS):
            version = self.current()
            if version is None or not version.exists():
                self.refuse_if_lost()
            if version is None:
                return duckdb.connect(":memory:"), None
            try:
                return duckdb.connect(str(version), read_only=True), version
            except duckdb.IOException as exc:
                if not version.exists():  # replaced and removed between resolve and open
                    continue
                raise _unreadable(version, exc) from exc
        raise WarehouseBusyError(
            f"the warehouse at {self.path} changed {_OPEN_ATTEMPTS} times while opening it; "
            "try again"
        )

    # -- writing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def write(self, purpose: str, fresh: bool = False) -> Iterator[Draft]:
        """A new version on a read-write connection, published when the block ends.

        It starts as a copy of the current version, or empty with ``fresh``. If the
        block raises (or sets ``publish`` to False), the new version is removed and
        readers never see it.
        """
        import duckdb

        with self._writer_lock(purpose):
            number, draft = self._start_draft(fresh)
            handle = Draft(duckdb.connect(str(draft)), draft)
            try:
                yield handle
                if handle.publish:
                    handle.con.execute("CHECKPOINT")
                handle.con.close()
            except BaseException:
                handle.publish = False
                with contextlib.suppress(Exception):
                    handle.con.close()
                raise
            finally:
                if not handle.publish:
                    for leftover in (draft, Path(str(draft) + ".wal")):
                        leftover.unlink(missing_ok=True)
            if not handle.publish:
                return
            final = self.folder / f"{number:06d}.duckdb"
            os.replace(draft, final)
            self._point_at(final)
            self._remove_old(keep=number)
            from onpace.store.presence import remember, warehouse_key

            remember(self.path.parent, warehouse_key(self.path))

    def refuse_if_lost(self) -> None:
        """Raise StoreMissingError when this warehouse held data once and is gone now.

        DuckDB would start an empty one in its place (and the dashboard would show
        nothing without a word); see :mod:`onpace.store.presence`.
        """
        from onpace.errors import StoreMissingError
        from onpace.store.presence import remembered, warehouse_key

        since = remembered(self.path.parent, warehouse_key(self.path))
        if since is None:
            return
        folder = self.path.parent
        raise StoreMissingError(
            f"the warehouse {self.path} is gone, though this workspace has kept its sales data "
            f"there since {since}: restore it from a backup with `onpace restore BACKUP.tar.gz "
            f"-w {folder}`, or load the data again: `onpace store forget warehouse -w {folder}`, "
            "then `onpace ingest`"
        )

    def _start_draft(self, fresh: bool) -> tuple[int, Path]:
        """The next version's number and its draft: a copy of the current one (or none)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._remove_leftovers()
            number = self._newest_number() + 1
            draft = self.folder / f"{number:06d}.tmp-{os.getpid()}.duckdb"
            source = None if fresh else self.current()
            if source is None and not fresh:
                self.refuse_if_lost()
            if source is not None:
                _checkpoint_if_needed(source)
                _refuse_if_written(source)
                _copy(source, draft)
        except OSError as exc:
            raise _not_writable(self.folder, exc) from exc
        return number, draft

    def _point_at(self, version: Path) -> None:
        link = self.path.with_name(f".{self.path.name}.link-{os.getpid()}")
        link.unlink(missing_ok=True)
        os.symlink(Path(self.folder.name) / version.name, link)
        os.replace(link, self.path)  # atomic: a reader sees the old or the new version
        with contextlib.suppress(OSError):  # make the rename durable
            fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        wal = Path(str(self.path) + ".wal")
        wal.unlink(missing_ok=True)  # a plain file's log, checkpointed before the copy

    def _numbers(self) -> list[int]:
        out = []
        for f in self.folder.glob("*.duckdb"):
            head = f.name.split(".", 1)[0]
            if head.isdigit():
                out.append(int(head))
        return out

    def _newest_number(self) -> int:
        return max(self._numbers(), default=0)

    def _remove_leftovers(self) -> None:
        """Drafts of writers that died (the lock is ours, so no writer is running)."""
        for f in self.folder.glob("*.tmp-*"):
            f.unlink(missing_ok=True)

    def _remove_old(self, keep: int) -> None:
        """Remove versions older than the last ``KEEP_VERSIONS``; open readers keep theirs."""
        for f in self.folder.glob("*.duckdb"):
            head = f.name.split(".", 1)[0]
            if head.isdigit() and int(head) <= keep - KEEP_VERSIONS:
                f.unlink(missing_ok=True)

    @contextlib.contextmanager
    def _writer_lock(self, purpose: str) -> Iterator[None]:
        import fcntl

        try:
            self.lock_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise _not_writable(self.lock_path.parent, exc) from exc
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_holder(fd)
                who = holder.describe() if holder else "another process"
                raise WarehouseBusyError(
                    f"the warehouse is being written by {who}; wait until it finishes and "
                    "run this again (reading goes on meanwhile)"
                ) from None
            info = WriterInfo(
                os.getpid(),
                purpose,
                " ".join([Path(sys.argv[0]).name, *sys.argv[1:3]])[:80],
                datetime.now().isoformat(timespec="seconds"),
            )
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info.__dict__).encode(), 0)
            try:
                yield
            finally:
                os.ftruncate(fd, 0)
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def _read_holder(fd: int) -> WriterInfo | None:
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode() or "null")
        return WriterInfo(**data) if isinstance(data, dict) else None
    except (ValueError, TypeError):
        return None


def _busy_file(version: Path, exc: Exception) -> WarehouseBusyError:
    """One line for a file another program holds open for writing."""
    found = _DUCKDB_HOLDER.search(str(exc))
    who = f"{Path(found['program']).name} (PID {found['pid']})" if found else "another program"
    return WarehouseBusyError(
        f"the warehouse file {version} is open for writing in {who}; close that program "
        "(or let it finish) and try again"
    )


def _not_writable(folder: Path, exc: OSError) -> WorkspaceError:
    return WorkspaceError(
        f"cannot write the warehouse in {folder} ({exc.strerror or exc}): give this user "
        "write access to that folder, or free some space, and run this again"
    )


def _unreadable(version: Path, exc: Exception) -> Exception:
    """One line for a warehouse file DuckDB cannot open: held by a writer, or damaged
    (truncated, empty, not a DuckDB file, a bad checksum)."""
    from onpace.errors import StoreDamagedError

    if _DUCKDB_HOLDER.search(str(exc)):
        return _busy_file(version, exc)
    reason = str(exc).removeprefix("IO Error: ").split("\n")[0]
    return StoreDamagedError(
        f"the warehouse file {version} is damaged ({reason}): restore it from a backup with "
        "`onpace restore BACKUP.tar.gz`, or load the data again (move the file aside, run "
        "`onpace store forget warehouse`, then `onpace ingest`)"
    )


def _checkpoint_if_needed(source: Path) -> None:
    """Fold a plain file's write-ahead log into it before it is copied."""
    import duckdb

    if not Path(str(source) + ".wal").exists():
        return
    try:
        con = duckdb.connect(str(source))
    except duckdb.IOException as exc:
        raise _unreadable(source, exc) from exc
    con.execute("CHECKPOINT")
    con.close()


def _refuse_if_written(source: Path) -> None:
    """A program that opened the current version for writing would change it under readers."""
    import duckdb

    try:
        duckdb.connect(str(source), read_only=True).close()
    except duckdb.IOException as exc:
        raise _unreadable(source, exc) from exc
    except duckdb.Error:  # this process has it open already (with another configuration)
        pass


def _copy(source: Path, target: Path) -> None:
    """Copy a version (the kernel copies in place where it can; no pass through Python)."""
    shutil.copyfile(source, target)


def duckdb_files(settings: WarehouseSettings, root: Path) -> WarehouseFiles:
    """The versioned files of an embedded warehouse (``settings.backend == 'duckdb'``)."""
    path = Path(settings.path)
    return WarehouseFiles(path if path.is_absolute() else root / path)
