"""Failed logins per client address and per user name, apart, with exponential backoff.

Each key (an address, a user name) counts its recent failed logins. Past a few
free failures, the key must wait before its next attempt: 1 s, 2 s, 4 s, ...
doubling up to a cap. While a key waits, attempts are refused without looking
at the password (and do not count again). The rules that make it fair:

- An address counts every failure made from it, whatever the user name, and a
  successful login does not clear it: an attacker who logs into their own account
  between guesses does not get a fresh start. The count fades on its own.
- A user name counts the failures against it from anywhere, and its own correct
  login clears it.
- The wait is capped (minutes), so nobody can lock an account out for good by
  failing on purpose: the user can log in from their own address once the wait
  is over, without an admin.

Kept in the server's memory: a restart forgets the counts, which only ever lets
someone in sooner. The number of keys is bounded (the oldest go first).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """How one kind of key waits: ``free`` failures, then ``base`` seconds doubling to ``cap``.

    A key's count is forgotten ``forget`` seconds after its last failure.
    """

    free: int
    base: float = 1.0
    cap: float = 300.0
    forget: float = 3600.0

    def wait(self, failures: int) -> float:
        """Seconds to wait after the last of ``failures`` failures."""
        if failures < self.free:
            return 0.0
        return float(min(self.cap, self.base * math.pow(2, failures - self.free)))


# A user name: 5 free guesses, then 1 s, 2 s, ... at most 5 minutes between tries.
USER_BACKOFF = Backoff(free=5, base=1.0, cap=300.0, forget=3600.0)
# An address may be an office behind one NAT: 10 free, then up to an hour.
ADDRESS_BACKOFF = Backoff(free=10, base=1.0, cap=3600.0, forget=24 * 3600.0)
MAX_KEYS = 100_000


@dataclass
class _Count:
    failures: int
    last: float


class LoginLimiter:
    """Failed-login counts of addresses and user names, and when each may try again."""

    def __init__(
        self,
        user: Backoff = USER_BACKOFF,
        address: Backoff = ADDRESS_BACKOFF,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self.user = user
        self.address = address
        self.clock = clock
        self.max_keys = max_keys
        self._counts: OrderedDict[str, _Count] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _keys(address: str, user: str) -> tuple[str, str]:
        return (f"ip:{address}", f"user:{user.strip().lower()}")

    def _current(self, key: str, rule: Backoff, now: float) -> _Count | None:
        count = self._counts.get(key)
        if count is not None and now - count.last > rule.forget:
            del self._counts[key]
            return None
        return count

    def retry_after(self, address: str, user: str) -> float:
        """Seconds until ``user`` may try from ``address`` (0: now)."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key, rule in zip(self._keys(address, user), (self.address, self.user), strict=True):
                count = self._current(key, rule, now)
                if count is not None:
                    wait = max(wait, count.last + rule.wait(count.failures) - now)
        return max(wait, 0.0)

    def failed(self, address: str, user: str) -> None:
        """One more failed login of ``user`` from ``address``."""
        now = self.clock()
        with self._lock:
            for key, rule in zip(self._keys(address, user), (self.address, self.user), strict=True):
                count = self._current(key, rule, now)
                if count is None:
                    self._counts[key] = _Count(1, now)
                else:
                    count.failures += 1
                    count.last = now
                    self._counts.move_to_end(key)
            while len(self._counts) > self.max_keys:
                self._counts.popitem(last=False)

    def succeeded(self, address: str, user: str) -> None:
        """``user`` logged in: their own count is cleared, the address's is not."""
        with self._lock:
            self._counts.pop(self._keys(address, user)[1], None)

    def failures(self, address: str, user: str) -> tuple[int, int]:
        """(failures of the address, failures of the user), for tests and the audit log."""
        now = self.clock()
        with self._lock:
            ip, name = self._keys(address, user)
            a = self._current(ip, self.address, now)
            u = self._current(name, self.user, now)
            return (a.failures if a else 0, u.failures if u else 0)
