"""What every request of one app shares: the workspace, the store, accounts and a cache.

KPI computations run under one lock: the embedded DuckDB connection is not meant
to be used by several threads at once, and on a small server one computation at
a time is also the fastest. Results are cached per view and parameters, keyed by
the data version (the newest target revision and the published warehouse
version) so a new target or a fresh ingest is visible on the next request; entries
also expire after ``ttl`` seconds because "now" moves on. When an ingest publishes
a new warehouse version, the next computation switches to it (between
computations, never during one), so the server shows new data without a restart.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select

from onpace.auth import Auth
from onpace.auth.ratelimit import LoginLimiter
from onpace.store import Store
from onpace.store.tables import TargetRevision
from onpace.workspace import Workspace

T = TypeVar("T")
CACHE_SECONDS = 120.0
CACHE_ENTRIES = 256
VERSION_SECONDS = 1.0
VALUES_RETRY_SECONDS = 300.0
VALUES_DUE_SECONDS = 3600.0  # at most one refresh an hour for rows coming due in the day


@dataclass
class AppContext:
    ws: Workspace
    store: Store
    auth: Auth
    as_of: datetime | None = None
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    ttl: float = CACHE_SECONDS
    lock: threading.RLock = field(default_factory=threading.RLock)
    _cache: dict[tuple[Any, ...], tuple[float, Any]] = field(default_factory=dict)
    _cache_lock: threading.Lock = field(default_factory=threading.Lock)
    _version: tuple[float, tuple[Any, ...]] | None = None
    _refreshing: set[tuple[Any, ...]] = field(default_factory=set)
    _values_job: threading.Thread | None = None
    _values_tried: float = 0.0

    def now(self) -> datetime:
        return self.as_of or self.ws.now()

    def version(self) -> tuple[Any, ...]:
        """Changes whenever a target is set or the warehouse file is written.

        Looked up at most once a second: a change made elsewhere (the CLI, an
        ingest) shows within a second; writes through this app clear the cache.
        """
        now = time.monotonic()
        known = self._version
        if known is not None and known[0] > now:
            return known[1]
        current = self._read_version()
        self._version = (now + VERSION_SECONDS, current)
        self._keep_values_current()
        return current

    def _keep_values_current(self) -> None:
        """Refresh the stored values in the background when a new day has begun.

        Stored values hold until the end of the day they were computed on. After
        that (or when there are none yet) reads compute from the data until a
        refresh, which this starts: in its own workspace object and writer, so the
        server goes on answering and switches to the new version when it is published.
        """
        if self.as_of is not None or self.ws.warehouse.files is None:
            return  # a pinned "now" (tests, demos) or a warehouse onpace does not write
        if not self.ws.config.values.enabled:
            return
        job = self._values_job
        if job is not None and job.is_alive():
            return
        if time.monotonic() < self._values_tried + VALUES_RETRY_SECONDS:
            return
        if not self.lock.acquire(blocking=False):
            return  # a computation uses the connection: look again in a second
        try:
            status = self.ws.values.status(self.ws.warehouse, self.now())
            current, only_due = status.current, status.only_rows_due
        except Exception:  # a store that cannot be read is rebuilt by the refresh
            current, only_due = False, False
        finally:
            self.lock.release()
        if current:
            return
        if only_due and time.monotonic() < self._values_tried + VALUES_DUE_SECONDS:
            # rows dated later today came due (invoices falling due, times ahead of the
            # clock): only the KPIs reading their tables compute from the data meanwhile;
            # a refresh for each such row would rewrite the warehouse every few minutes
            return
        self._values_tried = time.monotonic()
        self._values_job = threading.Thread(target=self._refresh_values, daemon=True)
        self._values_job.start()

    def _refresh_values(self) -> None:
        from onpace.workspace import Workspace

        try:
            Workspace.open(self.ws.root).refresh()
        except Exception:  # busy (an ingest is writing: it refreshes too) or failed: retry later
            return

    def _read_version(self) -> tuple[Any, ...]:
        with self.store.engine.connect() as con:
            newest = con.execute(select(func.max(TargetRevision.id))).scalar()
        stamp = "-"
        files = self.ws.warehouse.files
        if files is not None:
            try:
                stamp = files.version_name()
            except OSError:
                stamp = "-"
        return (newest, stamp)

    def _sync(self) -> None:
        """Read the newest warehouse version from now on (called under the lock)."""
        self.ws.warehouse.sync()

    def peek(self, key: tuple[Any, ...]) -> Any:
        """The cached value for ``key`` at the current data version, or None."""
        full = (*key, self.version())
        with self._cache_lock:
            hit = self._cache.get(full)
        return hit[1] if hit is not None and hit[0] > time.monotonic() else None

    def cached(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """``compute()``'s result for ``key`` and the current data version.

        An entry past its time-to-live, for the same data version, is still served
        while a background thread recomputes it: the data has not changed, only
        "now" has moved a little, and nobody should wait seconds for that.
        """
        full = (*key, self.version())
        now = time.monotonic()
        with self._cache_lock:
            hit = self._cache.get(full)
            if hit is not None and hit[0] > now:
                return hit[1]  # type: ignore[no-any-return]
            if hit is not None and full not in self._refreshing:
                self._refreshing.add(full)
                threading.Thread(target=self._refresh, args=(full, compute), daemon=True).start()
                return hit[1]  # type: ignore[no-any-return]
            if hit is not None:
                return hit[1]  # type: ignore[no-any-return]
        with self.lock:
            with self._cache_lock:
                hit = self._cache.get(full)
                if hit is not None and hit[0] > time.monotonic():
                    return hit[1]  # type: ignore[no-any-return]
            self._sync()
            value = compute()
        with self._cache_lock:
            if len(self._cache) >= CACHE_ENTRIES:
                for old in sorted(self._cache, key=lambda k: self._cache[k][0])[
                    : CACHE_ENTRIES // 4
                ]:
                    del self._cache[old]
            self._cache[full] = (time.monotonic() + self.ttl, value)
        return value

    def _refresh(self, full: tuple[Any, ...], compute: Callable[[], Any]) -> None:
        try:
            with self.lock:
                self._sync()
                value = compute()
            with self._cache_lock:
                self._cache[full] = (time.monotonic() + self.ttl, value)
        except Exception:  # the stale value stays; the next request retries
            pass
        finally:
            with self._cache_lock:
                self._refreshing.discard(full)

    def run(self, compute: Callable[[], T]) -> T:
        """``compute()`` under the computation lock, uncached (writes, one-off reads)."""
        with self.lock:
            self._sync()
            return compute()

    def clear(self) -> None:
        with self._cache_lock:
            self._cache.clear()
        self._version = None
