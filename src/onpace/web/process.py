"""Run `onpace serve` as a real server process on loopback, for end-to-end tests and benchmarks.

Browser tests and the load benchmark talk to the app the way a user's browser does:
over HTTP to a separate uvicorn process. This context manager starts that process
on a free port, waits for its health check, and always stops it.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(root: Path, as_of: str | None = None, start_seconds: float = 60.0) -> Iterator[str]:
    """Serve workspace ``root`` in a child process; yields its base URL."""
    port = free_port()
    cmd = [
        sys.executable,
        "-c",
        "from onpace.cli.main import main; main()",
        "serve",
        "-w",
        str(root),
        "--port",
        str(port),
    ]
    if as_of:
        cmd += ["--as-of", as_of]
    # the server's output goes to a file: a pipe nobody reads fills up and stalls it
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield _started(proc, log, f"http://127.0.0.1:{port}", start_seconds)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _started(proc: subprocess.Popen[bytes], log: IO[bytes], url: str, seconds: float) -> str:
    """``url`` once the server answers its health check; its output if it exits first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            log.seek(0)
            output = log.read().decode(errors="replace")
            raise RuntimeError(f"onpace serve exited with {proc.returncode}: {output}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"onpace serve did not answer within {seconds:.0f} s")
        time.sleep(0.2)
