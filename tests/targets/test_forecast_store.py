"""Series models stored by content: read back exactly, recomputed when damaged or changed."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from onpace.targets.forecast_store import ForecastStore

SERIES = [100.0 + 10 * (i % 12) + i for i in range(30)]


def test_a_stored_model_reads_back_as_it_was_computed(tmp_path: Path) -> None:
    store = ForecastStore.for_root(tmp_path)
    first = store.model(SERIES)
    files = list((tmp_path / ".onpace" / "forecasts").glob("*.npz"))
    assert first is not None and len(files) == 1
    again = store.model(SERIES)
    assert again is not None and again is not first  # read from the file, not the memory cache
    assert again.values == first.values and again.chosen == first.chosen
    assert again.first == first.first and again.m == first.m
    for name, table in first.forecasts.items():
        np.testing.assert_array_equal(again.forecasts[name], table)
    # another series, another file
    store.model([*SERIES, 140.0])
    assert len(list(files[0].parent.glob("*.npz"))) == 2


def test_a_damaged_file_is_recomputed_and_an_unwritable_store_only_computes(
    tmp_path: Path,
) -> None:
    store = ForecastStore.for_root(tmp_path)
    model = store.model(SERIES)
    (path,) = (tmp_path / ".onpace" / "forecasts").glob("*.npz")
    path.write_bytes(b"not a model")
    again = store.model(SERIES)
    assert again is not None and model is not None and again.chosen == model.chosen
    blocked = tmp_path / "file"
    blocked.write_text("a file where the directory would go")
    assert ForecastStore(blocked / "forecasts").model(SERIES) is not None
