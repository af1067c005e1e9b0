"""The server, the CLI and ingest on one workspace at the same time, as real processes.

``onpace serve`` keeps the warehouse open for as long as it runs. While it does,
``onpace compute``, ``onpace scorecard`` and ``onpace ingest`` must all work, the
server must keep answering throughout, and after the ingest it must show the new
data without a restart.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from onpace.auth import Auth
from onpace.catalog.scaffold import create_workspace
from onpace.store import workspace_store
from onpace.web.process import serving
from onpace.workspace import Workspace

SOURCES = """\
sources:
  orders:
    file: exports/orders-*.csv
    entities:
      orders:
        columns: {order_id: id, ordered_at: at, amount: amount, status: status}
"""
# revenue by hand: January 10 + 20 = 30, February 30 (the cancelled 99 does not count)
FIRST = (
    "id,at,amount,status\n"
    "o1,2024-01-05 10:00,10,completed\n"
    "o2,2024-01-20 11:00,20,completed\n"
    "o3,2024-02-02 09:30,30,completed\n"
    "o4,2024-02-03 09:30,99,cancelled\n"
)
# arrives while the server runs: March 40 + 2.5 = 42.5
LATER = "id,at,amount,status\no5,2024-03-10 12:00,40,completed\no6,2024-03-11 12:00,2.5,\n"
AS_OF = "2024-04-01"


def onpace(*args: str, root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from onpace.cli.main import main; main()", *args, "-w", str(root)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _workspace(root: Path) -> str:
    create_workspace(root, "multichannel", name="Busy shop", timezone="UTC")
    (root / "sources.yml").write_text(SOURCES, encoding="utf-8")
    (root / "exports").mkdir()
    (root / "exports" / "orders-2024-01.csv").write_text(FIRST, encoding="utf-8")
    store = workspace_store(Workspace.open(root))
    auth = Auth(store.engine)
    auth.add_user("ann", "manager", "a long password", actor="test")
    token = auth.create_token("ann", "test", actor="test").token
    store.close()
    return token


def _revenue(payload: dict[str, object]) -> dict[str, float | None]:
    rows = payload["table"]
    assert isinstance(rows, list)
    return {r["period"][:7]: r["value"] for r in rows if r["kpi"] == "revenue"}


class Poller(threading.Thread):
    """Asks the server for revenue again and again; records every status and latency."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url = url + "/api/v1/values"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.params = {"kpi": "revenue", "grain": "month", "start": "2024-01-01"}
        self.params["end"] = "2024-03-31"
        self.statuses: list[int] = []
        self.slowest = 0.0
        self.last: dict[str, float | None] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self.stop.is_set():
                started = time.monotonic()
                response = client.get(self.url, params=self.params, headers=self.headers)
                self.slowest = max(self.slowest, time.monotonic() - started)
                self.statuses.append(response.status_code)
                if response.status_code == 200:
                    self.last = _revenue(response.json())
                time.sleep(0.05)


def test_compute_scorecard_and_ingest_while_serving(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    token = _workspace(root)
    loaded = onpace("ingest", root=root)
    assert loaded.returncode == 0, loaded.stderr
    target = onpace("target", "set", "revenue", "2024-Q1", "100", "--why", "plan", root=root)
    assert target.returncode == 0, target.stderr

    with serving(root, as_of=AS_OF) as url:
        poller = Poller(url, token)
        poller.start()
        try:
            deadline = time.monotonic() + 60
            while not poller.last and time.monotonic() < deadline:
                time.sleep(0.1)
            assert poller.last == {"2024-01": 30.0, "2024-02": 30.0, "2024-03": 0.0}

            computed = onpace(
                "compute", "revenue", "--grain", "month", "--from", "2024-01", "--to", "2024-03",
                "--as-of", AS_OF, "--format", "json", root=root,
            )  # fmt: skip
            assert computed.returncode == 0, computed.stderr
            values = {r["period"][:7]: r["value"] for r in json.loads(computed.stdout)}
            assert values == {"2024-01": 30.0, "2024-02": 30.0, "2024-03": 0.0}

            scorecard = onpace("scorecard", "--as-of", AS_OF, "--period", "2024-Q1", root=root)
            assert scorecard.returncode == 0, scorecard.stderr
            assert "Revenue" in scorecard.stdout and "Traceback" not in scorecard.stderr

            (root / "exports" / "orders-2024-03.csv").write_text(LATER, encoding="utf-8")
            ingested = onpace("ingest", root=root)
            assert ingested.returncode == 0, ingested.stderr + ingested.stdout

            deadline = time.monotonic() + 30  # the server looks for a new version every second
            while poller.last.get("2024-03") != 42.5 and time.monotonic() < deadline:
                time.sleep(0.1)
            assert poller.last == {"2024-01": 30.0, "2024-02": 30.0, "2024-03": 42.5}

            after = onpace(
                "compute", "revenue", "--grain", "month", "--from", "2024-03", "--to", "2024-03",
                "--as-of", AS_OF, "--format", "json", root=root,
            )  # fmt: skip
            assert after.returncode == 0, after.stderr
            assert [r["value"] for r in json.loads(after.stdout)] == [42.5]
        finally:
            poller.stop.set()
            poller.join(timeout=30)
    assert poller.statuses and set(poller.statuses) == {200}, sorted(set(poller.statuses))
