"""Charts in the reader's language, with axes that never repeat a label.

Drawn with Vega itself (vl-convert), so the test reads the labels a browser would show.
"""

from __future__ import annotations

import re
from typing import Any

import vl_convert as vlc

from onpace.views.charts import trend_chart
from onpace.web.i18n import localise_chart, vega_locale


def _svg(spec: dict[str, Any], language: str = "en") -> str:
    locale = vega_locale(language)
    return str(
        vlc.vegalite_to_svg(spec, format_locale=locale["number"], time_format_locale=locale["time"])
    )


def _axis_labels(svg: str) -> list[list[str]]:
    groups = re.findall(r'<g class="mark-text role-axis-label"[^>]*>(.*?)</g>', svg, re.S)
    return [re.findall(r">([^<]+)</text>", g) for g in groups]


def _months(values: list[float], part_last: bool = True) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"period": f"2024-{m + 1:02d}-01", "label": f"2024-{m + 1:02d}", "value": v}
        for m, v in enumerate(values)
    ]
    if part_last:
        rows[-1]["part"] = "to date"
        rows[-1]["projection"] = values[-1] * 1.5
    return rows


def _assert_no_repeats(labels: list[list[str]]) -> None:
    for axis in labels:
        assert len(axis) == len(set(axis)), axis


def test_a_small_rate_keeps_its_ticks_apart() -> None:
    """1.1% to 1.9%: whole-percent labels would read 0%, 0%, 0%, 1%, 1%, ..."""
    labels = _axis_labels(_svg(trend_chart(_months([0.011, 0.014, 0.019]), "percent")))
    _assert_no_repeats(labels)
    months, values = labels
    assert months == ["Jan 2024", "Feb 2024", "Mar 2024"]  # one tick a month, not a week
    assert "0.5%" in values and all(v.endswith("%") for v in values)


def test_counts_have_whole_ticks_and_ratios_their_decimals() -> None:
    _, counts = _axis_labels(_svg(trend_chart(_months([1, 2, 3]), "count")))
    assert counts == ["0", "1", "2", "3", "4"] or counts == ["0", "1", "2", "3", "4", "5"]
    _, ratios = _axis_labels(_svg(trend_chart(_months([1.2, 1.4, 1.3]), "ratio")))
    _assert_no_repeats([ratios])
    assert "0.2" in ratios


def test_dutch_chart_words_numbers_and_months() -> None:
    spec = localise_chart(trend_chart(_months([0.011, 0.014, 0.019]), "percent"), "nl")
    colour = spec["layer"][-2]["encoding"]["color"]["scale"]["domain"]
    assert colour == ["Werkelijk", "Tot nu toe", "Prognose"]
    svg = _svg(spec, "nl")
    assert "Werkelijk" in svg and "Prognose" in svg and "Actual" not in svg
    months, values = _axis_labels(svg)
    assert months == ["jan 2024", "feb 2024", "mrt 2024"] and "0,5%" in values
    # the marks still filter on the untranslated series: the point to date is drawn apart
    assert svg.count('class="mark-symbol role-mark') >= 1
