"""Login backoff by address and by user name, on a clock the test moves."""

from __future__ import annotations

import pytest

from onpace.auth.ratelimit import Backoff, LoginLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def limiter(clock: Clock) -> LoginLimiter:
    return LoginLimiter(
        user=Backoff(free=3, base=1.0, cap=8.0, forget=100.0),
        address=Backoff(free=5, base=1.0, cap=60.0, forget=1000.0),
        clock=clock,
    )


def test_the_wait_doubles_after_the_free_failures_up_to_the_cap(clock: Clock) -> None:
    lim = limiter(clock)
    waits = []
    for address in ("a1", "a2", "a3", "a4", "a5", "a6", "a7"):  # a new address each time
        lim.failed(address, "ann")
        waits.append(lim.retry_after("fresh", "ann"))
    assert waits == [0.0, 0.0, 1.0, 2.0, 4.0, 8.0, 8.0]
    clock.now += 8.0
    assert lim.retry_after("fresh", "ann") == 0.0  # never locked for good


def test_address_and_user_are_counted_apart(clock: Clock) -> None:
    lim = limiter(clock)
    for name in ("u1", "u2", "u3", "u4", "u5"):  # one address, five names
        lim.failed("mallory", name)
    assert lim.failures("mallory", "u1") == (5, 1)
    assert lim.retry_after("mallory", "anyone") == 1.0  # the address waits
    assert lim.retry_after("elsewhere", "u1") == 0.0  # no name has failed 3 times


def test_success_clears_the_user_not_the_address(clock: Clock) -> None:
    lim = limiter(clock)
    for _ in range(5):
        lim.failed("mallory", "victim")
        clock.now += 10  # past every wait
    lim.succeeded("mallory", "mallory_own_account")
    assert lim.failures("mallory", "victim") == (5, 5)
    lim.succeeded("elsewhere", "victim")
    assert lim.failures("mallory", "victim") == (5, 0)
    lim.failed("mallory", "victim")  # the address goes on where it was: 6 failures
    assert lim.retry_after("mallory", "victim") == 2.0


def test_counts_fade(clock: Clock) -> None:
    lim = limiter(clock)
    for _ in range(3):
        lim.failed("a", "ann")
    clock.now += 101
    assert lim.failures("a", "ann") == (3, 0)
    clock.now += 1000
    assert lim.failures("a", "ann") == (0, 0)


def test_names_are_counted_case_and_space_insensitively(clock: Clock) -> None:
    lim = limiter(clock)
    for name in ("Ann", " ann", "ANN "):
        lim.failed("a", name)
    assert lim.retry_after("b", "ann") == 1.0


def test_memory_is_bounded(clock: Clock) -> None:
    lim = LoginLimiter(clock=clock, max_keys=10)
    for i in range(50):
        lim.failed(f"a{i}", f"u{i}")
    assert len(lim._counts) == 10
