"""Charts are checked against the Vega-Lite schema in the tests, and drawn unchecked."""

from __future__ import annotations

import altair as alt
import pytest
from altair.utils.schemapi import SchemaValidationError

from onpace.views import charts


def _broken() -> alt.Chart:
    data = alt.Data(values=[{"x": 1}])  # type: ignore[no-untyped-call]
    return alt.Chart(data, mark="notamark")  # no such mark in Vega-Lite


def test_the_tests_check_every_chart_they_draw() -> None:
    assert charts.VALIDATE_CHARTS  # set in tests/conftest.py
    with pytest.raises(SchemaValidationError):
        charts.chart_spec(_broken())


def test_a_page_draws_the_same_spec_without_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    spark = [1.0, None, 3.0, 2.5]
    checked = charts.sparkline(spark)
    monkeypatch.setattr(charts, "VALIDATE_CHARTS", False)
    assert charts.sparkline(spark) == checked
    assert charts.chart_spec(_broken())["mark"] == {"type": "notamark"}  # not checked
