"""Load test of the web: 50 concurrent clients on the scorecard JSON and a KPI page.

    .venv/bin/python bench/web_load.py                       # 1M orders, made if missing
    .venv/bin/python bench/web_load.py --orders 100000 --seconds 20 --append-readme

The demo warehouse of ``--orders`` orders (``onpace_demo_<orders>_seed1.duckdb`` in
``--data-dir``, generated as catalog_bench.py does when missing) is *copied* into a
temporary workspace, never changed. The workspace gets the demo's objectives and
targets as of ``--as-of``, a manager and an API token, and its value store is
built (as an ingest would; ``--no-store`` leaves it out). For each path, ``onpace
serve`` then starts in its own process on a free port of 127.0.0.1 and the clients
(plain HTTP/1.1 keep-alive connections on asyncio, so the client costs little CPU
next to the server) send, the moment it answers its health check:

- **cold**: one request each, all at once, to the freshly started server (nothing
  computed in this process yet): the latency every client sees first. Measured on
  the first start of the workspace (no forecast fitted yet) and again after a
  restart (the forecasts kept from the first);
- **warm**: then as fast as they can for ``--seconds``.

Printed per path: p50/p95/p99/max latency of both phases, requests/s, errors and
the server's peak resident memory. Goal (issue: instant answers): p95 under 50 ms
cold and warm.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
PATHS = ("/api/v1/scorecard", "/kpis/revenue")
GOAL_MS = 50.0


def prepare(root: Path, source: Path, today: date) -> str:
    """A workspace around a copy of ``source`` with demo targets, a manager and a token."""
    from onpace.auth import Auth
    from onpace.catalog.scaffold import create_workspace
    from onpace.demo.demo_targets import create_demo_targets
    from onpace.demo.setup import DEMO_TIMEZONE
    from onpace.store import workspace_store
    from onpace.workspace import Workspace

    create_workspace(root, "multichannel", name="Load test", timezone=DEMO_TIMEZONE)
    shutil.copyfile(source, root / "warehouse.duckdb")
    ws = Workspace.open(root, strict=True)
    started = time.perf_counter()
    count = create_demo_targets(ws, today)
    print(f"set {count} demo targets in {time.perf_counter() - started:.1f} s")
    store = workspace_store(ws)
    auth = Auth(store.engine)
    auth.add_user("bench", "manager", "bench password", actor="bench")
    token = auth.create_token("bench", "load test", actor="bench").token
    store.close()
    return token


async def fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """One request on a keep-alive connection; returns the status code."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def client(
    port: int, request: bytes, until: float, latencies: list[float], errors: list[str]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            try:
                status = await fetch(reader, writer, request)
            except (OSError, asyncio.IncompleteReadError) as exc:
                errors.append(repr(exc))
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            latencies.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(f"HTTP {status}")
    finally:
        writer.close()


def request_bytes(port: int, token: str, path: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nAccept: application/json\r\n\r\n"
    ).encode()


async def once(port: int, request: bytes, latencies: list[float], errors: list[str]) -> None:
    """One client's first request on a new connection (connecting included)."""
    t0 = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        status = await fetch(reader, writer, request)
        writer.close()
    except (OSError, asyncio.IncompleteReadError) as exc:
        errors.append(repr(exc))
        return
    latencies.append(time.perf_counter() - t0)
    if status != 200:
        errors.append(f"HTTP {status}")


async def cold(port: int, request: bytes, clients: int) -> tuple[list[float], list[str]]:
    latencies: list[float] = []
    errors: list[str] = []
    await asyncio.gather(*(once(port, request, latencies, errors) for _ in range(clients)))
    return latencies, errors


async def load(
    port: int, request: bytes, clients: int, seconds: float
) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(*(client(port, request, until, latencies, errors) for _ in range(clients)))
    return latencies, errors, time.perf_counter() - started


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def server_peak_mib(port: int) -> float | None:
    """Peak resident memory of the ``onpace serve`` process listening on ``port``."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
            if b"serve" in cmd and str(port).encode() in cmd:
                for line in (proc / "status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            continue
    return None


def spread(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    if not ordered:
        return "no answers"
    p50, p95, p99 = (1000 * percentile(ordered, q) for q in (50, 95, 99))
    return f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, max {1000 * ordered[-1]:.1f} ms"


def p95_ms(latencies: list[float]) -> float:
    return 1000 * percentile(sorted(latencies), 95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--as-of", default="2025-11-20", help="the server's pinned 'now'")
    parser.add_argument("--no-store", action="store_true", help="serve without stored values")
    parser.add_argument("--path", action="append", help=f"paths to load (default: {PATHS})")
    parser.add_argument("--append-readme", action="store_true", help="append to bench/README.md")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from catalog_bench import ensure_data

    data = args.data_dir / f"onpace_demo_{args.orders}_seed1.duckdb"
    args.data_dir.mkdir(parents=True, exist_ok=True)
    made = ensure_data(data, args.orders)
    if made:
        print(f"generated {data} in {made:.0f} s")

    from onpace.web.process import serving
    from onpace.workspace import Workspace

    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="onpace-load-") as tmp:
        root = Path(tmp) / "ws"
        token = prepare(root, data, date.fromisoformat(args.as_of))
        if args.no_store:
            (root / "onpace.yml").write_text(
                (root / "onpace.yml").read_text() + "values:\n  enabled: false\n"
            )
            lines.append("value store: off (every answer computed from the data)")
        else:
            t0 = time.perf_counter()
            as_of = datetime.fromisoformat(args.as_of)
            Workspace.open(root).refresh(full=True, as_of=as_of)
            lines.append(
                f"value store built as of {args.as_of} in {time.perf_counter() - t0:.0f} s"
            )
        print(lines[-1])
        for path in args.path or PATHS:
            with serving(root, as_of=args.as_of, start_seconds=600) as base:
                port = int(base.rsplit(":", 1)[1])
                request = request_bytes(port, token, path)
                first, first_errors = asyncio.run(cold(port, request, args.clients))
                warm, errors, elapsed = asyncio.run(load(port, request, args.clients, args.seconds))
                peak = server_peak_mib(port)
            with serving(root, as_of=args.as_of, start_seconds=600) as base:  # a restart
                port = int(base.rsplit(":", 1)[1])
                again, again_errors = asyncio.run(
                    cold(port, request_bytes(port, token, path), args.clients)
                )
            errors = first_errors + errors + again_errors
            met = max(p95_ms(first), p95_ms(again), p95_ms(warm)) < GOAL_MS and not errors
            line = (
                f"`GET {path}`: first request of each of {args.clients} clients on the first "
                f"start {spread(first)}, after a restart {spread(again)}; warm "
                f"{args.seconds:.0f} s: {len(warm):,} requests, {len(warm) / elapsed:,.0f}/s, "
                f"{spread(warm)}; errors {len(errors)}; server peak "
                f"{f'{peak:,.0f} MiB' if peak is not None else 'not read'}; "
                f"goal p95 < {GOAL_MS:.0f} ms cold and warm: {'met' if met else 'missed'}"
            )
            print(line)
            if errors:
                print("  first errors:", errors[:5])
            lines.append(line)
    if args.append_readme:
        block = (
            f"\n## Web load ({datetime.now():%Y-%m-%d}, {args.orders:,} orders)\n\n"
            f"`bench/web_load.py --orders {args.orders} --clients {args.clients} "
            f"--seconds {args.seconds:.0f}`"
            f"{' --no-store' if args.no_store else ''}: one `onpace serve` (one uvicorn "
            "process) on 127.0.0.1, the clients in a second process on the same 2-core "
            "machine, over keep-alive connections with a bearer token.\n\n"
            + "".join(f"- {line}\n" for line in lines)
        )
        with (HERE / "README.md").open("a", encoding="utf-8") as fh:
            fh.write(block)
        print("appended to bench/README.md")


if __name__ == "__main__":
    main()
