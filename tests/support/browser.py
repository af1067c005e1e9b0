"""A real browser for the web tests: Debian's chromium driven by Playwright.

Playwright's own browser download does not work everywhere, so the tests use
``/usr/bin/chromium`` (installed with apt-get when missing and allowed), and skip
outside CI when there is none.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"the browser test needs chromium in CI: {reason}")
    pytest.skip(reason)


def ensure_chromium() -> None:
    """Install Debian's chromium with apt-get when it is missing and we are root."""
    if CHROMIUM.exists():
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        _unavailable("no /usr/bin/chromium, and not root with apt-get to install it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            _unavailable(f"{' '.join(cmd)} failed: {done.stderr[-300:]}")
    if not CHROMIUM.exists():
        _unavailable("apt-get installed chromium, but /usr/bin/chromium is missing")


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless chromium, closed at the end."""
    from playwright.sync_api import sync_playwright

    ensure_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def add_users(root: Path, users: Mapping[str, tuple[str, str | None]], password: str) -> None:
    """Create ``users`` (name -> (role, rep id)) in the workspace's state store."""
    from onpace.auth import Auth
    from onpace.store import workspace_store
    from onpace.workspace import Workspace

    store = workspace_store(Workspace.open(root))
    auth = Auth(store.engine)
    for name, (role, rep) in users.items():
        auth.add_user(name, role, password, rep_id=rep, actor="test")
    store.close()


def wait_until(page: Any, condition: str, timeout: float = 20.0, fail: bool = True) -> bool:
    """Poll a JavaScript condition from Python.

    Playwright's ``wait_for_function`` evaluates its string with eval inside the
    page, which the app's Content-Security-Policy (rightly) refuses.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(condition):
        if time.monotonic() > deadline:
            if fail:
                raise AssertionError(f"not true within {timeout:.0f} s: {condition}")
            return False
        time.sleep(0.05)
    return True
