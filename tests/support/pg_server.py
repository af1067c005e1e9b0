"""A throwaway PostgreSQL cluster for tests: ``pg_url`` starts one per test session.

The cluster lives in a temporary folder and listens on a Unix socket in it (no TCP
port to collide with). PostgreSQL refuses to run as root, so under root the
cluster is owned by and run as the ``postgres`` (or ``nobody``) user. Without
server binaries the fixture skips, except in CI (``CI`` set), where it fails so
that a missing PostgreSQL is never mistaken for a pass.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _run_as() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    return None


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is needed in CI: {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A SQLAlchemy URL (psycopg 3) of an empty database on a fresh cluster."""
    bins = _bin_dir()
    if bins is None:
        _missing("no pg_ctl on PATH or in /usr/lib/postgresql/*/bin")
        return
    try:
        import psycopg  # noqa: F401
    except ModuleNotFoundError:
        _missing("the psycopg driver is not installed (pip install 'onpace[postgres]')")
        return
    user = _run_as()
    root = Path(tempfile.mkdtemp(prefix="onpace-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    kwargs: dict[str, object] = {}
    if user is not None:
        for path in (root, sock):
            os.chown(path, user.pw_uid, user.pw_gid)
        kwargs = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}

    def run(*args: str) -> None:
        subprocess.run(
            args,
            check=True,
            capture_output=True,
            env=env,
            cwd=root,
            **kwargs,  # type: ignore[arg-type]
        )

    try:
        run(
            str(bins / "initdb"),
            "-D",
            str(data),
            "-U",
            "onpace",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        run(
            str(bins / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "log"),
            "-w",
            "-o",
            f"-c listen_addresses='' -c unix_socket_directories='{sock}' -c fsync=off",
            "start",
        )
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(root, ignore_errors=True)
        _missing(f"the cluster did not start: {exc.stderr.decode(errors='replace')[-500:]}")
        return
    try:
        yield f"postgresql+psycopg://onpace@/postgres?host={sock}"
    finally:
        try:
            run(str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(root, ignore_errors=True)
