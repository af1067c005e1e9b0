"""A warehouse connection that notes every statement sent without the app's lock."""

from __future__ import annotations

from typing import Any


class GuardedConnection:
    """A DuckDB connection that notes each use made without the app's computation lock.

    The server answers requests on many threads and refreshes stale entries in the
    background; one DuckDB connection must not run two statements at once, and a
    version switch closes the old one. So every read of the warehouse goes through
    the lock (``AppContext.cached`` or ``run``).
    """

    def __init__(self, con: Any, lock: Any, unlocked: list[str]) -> None:
        self._con, self._lock, self._unlocked = con, lock, unlocked
        self.route = ""

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._con, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            if not self._lock._is_owned():
                self._unlocked.append(f"{self.route}: {name}")
            return attr(*args, **kwargs)

        return call
