"""Load test of the web API: 50 concurrent clients reading the scorecard JSON at 1M orders.

    .venv/bin/python bench/web_load.py                       # uses bench/data's 1M file
    .venv/bin/python bench/web_load.py --clients 50 --seconds 30 --append-readme

The cached demo warehouse (``bench/data/onpace_demo_1000000_seed1.duckdb``, made
by catalog_bench.py) is *copied* into a temporary workspace, never changed. The
workspace gets the demo's objectives and targets as of ``--as-of``, a manager
and an API token; ``onpace serve`` then runs in its own process on a free port
of 127.0.0.1, and the clients (plain HTTP/1.1 keep-alive connections on asyncio,
so the client costs little CPU next to the server) fetch ``/api/v1/scorecard``
as fast as they can. Printed: the first (cold) request, requests/s, latency
p50/p95/p99/max and errors. Goal: p95 under 200 ms, no errors.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "onpace_demo_1000000_seed1.duckdb"
PATH = "/api/v1/scorecard"


def prepare(root: Path, source: Path, today: date) -> str:
    """A workspace around a copy of ``source`` with demo targets, a manager and a token."""
    from onpace.auth import Auth
    from onpace.catalog.scaffold import create_workspace
    from onpace.demo.demo_targets import create_demo_targets
    from onpace.demo.setup import DEMO_TIMEZONE
    from onpace.store import workspace_store
    from onpace.workspace import Workspace

    create_workspace(root, "multichannel", name="Load test (1M orders)", timezone=DEMO_TIMEZONE)
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


async def load(
    port: int, token: str, clients: int, seconds: float
) -> tuple[list[float], list[str], float]:
    request = (
        f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nAccept: application/json\r\n\r\n"
    ).encode()
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--as-of", default="2025-11-20", help="the server's pinned 'now'")
    parser.add_argument("--append-readme", action="store_true", help="append to bench/README.md")
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(
            f"{args.data} is missing: make it with bench/catalog_bench.py --orders 1000000 "
            "--data-dir bench/data"
        )
    import httpx

    from onpace.web.process import serving

    with tempfile.TemporaryDirectory(prefix="onpace-load-") as tmp:
        root = Path(tmp) / "ws"
        token = prepare(root, args.data, date.fromisoformat(args.as_of))
        with serving(root, as_of=args.as_of, start_seconds=300) as base:
            port = int(base.rsplit(":", 1)[1])
            headers = {"Authorization": f"Bearer {token}"}
            t0 = time.perf_counter()
            first = httpx.get(base + PATH, headers=headers, timeout=600)
            cold = time.perf_counter() - t0
            first.raise_for_status()
            rows = sum(len(g["rows"]) for g in first.json()["groups"])
            print(f"cold scorecard: {cold:.2f} s ({rows} rows, {len(first.content):,} bytes)")
            latencies, errors, elapsed = asyncio.run(load(port, token, args.clients, args.seconds))
    ordered = sorted(latencies)
    ms = [1000 * percentile(ordered, q) for q in (50, 95, 99)]
    rps = len(latencies) / elapsed
    verdict = "met" if ms[1] < 200 and not errors else "missed"
    summary = (
        f"{args.clients} clients x {args.seconds:.0f} s: {len(latencies):,} requests, "
        f"{rps:,.0f} requests/s, p50 {ms[0]:.1f} ms, p95 {ms[1]:.1f} ms, p99 {ms[2]:.1f} ms, "
        f"max {1000 * ordered[-1]:.1f} ms, mean {1000 * statistics.fmean(ordered):.1f} ms, "
        f"errors {len(errors)}; goal p95 < 200 ms with no errors: {verdict}"
    )
    print(summary)
    if errors:
        print("first errors:", errors[:5])
    if args.append_readme:
        block = (
            f"\n## Web API load ({datetime.now():%Y-%m-%d}, 1M orders)\n\n"
            f"`bench/web_load.py --clients {args.clients} --seconds {args.seconds:.0f}`: "
            f"`onpace serve` (one uvicorn process) on 127.0.0.1, clients in a second process on "
            f"the same 2-core machine, each reading `GET {PATH}` (the current quarter's scorecard, "
            f"{rows} KPI rows, {len(first.content):,} bytes of JSON) with a bearer token over a "
            "keep-alive connection.\n\n"
            f"- first (cold) request: {cold:.2f} s (computes every KPI, targets and projections)\n"
            f"- {summary}\n"
        )
        with (HERE / "README.md").open("a", encoding="utf-8") as fh:
            fh.write(block)
        print("appended to bench/README.md")


if __name__ == "__main__":
    main()
