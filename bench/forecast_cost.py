"""What the projections cost a command: statsforecast's import, the fits, and the store.

Run ``python bench/forecast_cost.py``. It makes a demo workspace (60,000 orders),
then runs ``onpace scorecard`` in fresh processes, alternating:

- **cold**: the forecast store (``.onpace/forecasts``) emptied first, so every
  series is fitted and statsforecast imported, as after new data;
- **warm**: the store as the previous run left it, so nothing is fitted and
  statsforecast is never imported, as for every command until the data changes.

and, in fresh processes too, ``import statsforecast.models`` alone. Medians of
``--runs`` alternated runs; the ratio cold / warm is what refitting costs.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ONPACE = [sys.executable, "-m", "onpace.cli.main"]


def _timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 27))
    args = parser.parse_args()
    from onpace.demo.setup import create_demo

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "demo"
        create_demo(root, orders=60_000, seed=7, today=args.today)
        scorecard = [*ONPACE, "scorecard", "-w", str(root), "--as-of", str(args.today)]
        store = root / ".onpace" / "forecasts"
        cold: list[float] = []
        warm: list[float] = []
        imports: list[float] = []
        for _ in range(args.runs):
            shutil.rmtree(store, ignore_errors=True)
            cold.append(_timed(scorecard))
            warm.append(_timed(scorecard))
            imports.append(_timed([sys.executable, "-c", "import statsforecast.models"]))
        series = len(list(store.glob("*.npz")))
    c, w, i = statistics.median(cold), statistics.median(warm), statistics.median(imports)
    print(f"onpace scorecard, demo (60,000 orders), {series} series, median of {args.runs}:")
    print(f"  cold (fit every series): {c:.2f} s")
    print(f"  warm (stored fits):      {w:.2f} s   cold / warm = {c / w:.2f}")
    print(f"  import statsforecast.models alone (fresh process): {i:.2f} s")


if __name__ == "__main__":
    main()
