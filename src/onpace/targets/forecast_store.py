"""Fitted series models kept on disk, so a command does not refit a series it has seen.

A :class:`~onpace.targets.rolling_origin.SeriesModel` is a pure function of its
series, so it is stored under a hash of the values and the settings that made
it: the same series always finds the same file, a changed series (new data, a
corrected month) a new one. That saves the rolling-origin fits and, when every
series is known, importing statsforecast at all: about two seconds of each
``onpace scorecard`` (measured in bench/README.md). Refreshing the data and
then projecting once (``onpace demo`` does, and ``onpace serve`` warms its
scorecard) fills the store; a store that cannot be written is only slower.

Files live in ``<workspace>/.onpace/forecasts/``; beyond :data:`KEEP` the least
recently used are removed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from onpace.targets.candidates import Values
from onpace.targets.rolling_origin import HORIZONS, MAX_ORIGINS, SeriesModel, series_model

MODEL_VERSION = 1  # bump when a change to the methods changes what a series yields
KEEP = 2000


def _key(values: Values, m: int, horizons: int, origins: int) -> str:
    digest = hashlib.sha256(np.asarray(values, dtype=np.float64).tobytes())
    digest.update(f"{m}/{horizons}/{origins}/{MODEL_VERSION}".encode())
    return digest.hexdigest()[:40]


class ForecastStore:
    """Series models by content; without a directory it only computes."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    @classmethod
    def for_root(cls, root: Path) -> ForecastStore:
        return cls(root / ".onpace" / "forecasts")

    def model(
        self, y: Values, m: int = 12, horizons: int = HORIZONS, origins: int = MAX_ORIGINS
    ) -> SeriesModel | None:
        """The model of ``y``: read back if it was stored, else computed and stored."""
        if self.directory is None:
            return series_model(y, m, horizons, origins)
        path = self.directory / f"{_key(y, m, horizons, origins)}.npz"
        found = _read(path)
        if found is not None:
            return found
        model = series_model(y, m, horizons, origins)
        if model is not None:
            self._write(path, model)
        return model

    def _write(self, path: Path, model: SeriesModel) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            arrays: dict[str, Any] = {f"f_{k}": v for k, v in model.forecasts.items()}
            arrays["values"] = np.asarray(model.values, dtype=float)
            arrays["shape"] = np.array([model.m, model.first])
            arrays["chosen"] = np.array(model.chosen)
            handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                np.savez(out, **arrays)
            os.replace(tmp, path)
            self._prune()
        except OSError:
            return  # a read-only workspace is slower, not broken

    def _prune(self) -> None:
        assert self.directory is not None
        files = sorted(self.directory.glob("*.npz"), key=lambda p: p.stat().st_atime)
        for old in files[: max(len(files) - KEEP, 0)]:
            old.unlink(missing_ok=True)


def _read(path: Path) -> SeriesModel | None:
    """The stored model, or None when it is missing or unreadable (then it is recomputed)."""
    try:
        with np.load(path, allow_pickle=False) as data:
            m, first = (int(v) for v in data["shape"])
            forecasts = {k[2:]: np.asarray(data[k]) for k in data.files if k.startswith("f_")}
            return SeriesModel(
                tuple(float(v) for v in data["values"]),
                m,
                first,
                forecasts,
                tuple(str(c) for c in data["chosen"]),
            )
    except (OSError, ValueError, KeyError):
        return None
