"""Charts as Vega-Lite specs built in Python with Altair.

The browser renders them with vega-embed served from the package (no CDN), so a
dashboard works offline. Each function takes plain rows and returns a spec dict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt

# Axis labels: d3 formats with "~" (trailing zeros trimmed), so ticks on a narrow range
# (a rate between 40% and 41%) read 40%, 40.2%, 40.4%... and never repeat "40%".
_AXIS_FORMAT = {
    "currency": "$,~f",  # the locale's currency symbol where it belongs (i18n.vega_locale)
    "percent": "~%",
    "days": ",~f",
    "count": ",~f",
    "ratio": ",~f",
    "score": ",~f",
}
# Tooltips: the value as the tables write it.
_VALUE_FORMAT = {
    "currency": "$,.2f",
    "percent": ".1%",
    "days": ",.1f",
    "count": ",.0f",
    "ratio": ",.2f",
    "score": ",.1f",
}
# Counts have no fractional ticks.
_WHOLE_UNITS = ("count",)


def time_axis(date_format: str) -> alt.Axis:
    """The period axis: one tick per month (or year) when the labels name no day, so a
    monthly series never reads "Jan 2024, Jan 2024, Jan 2024" from weekly ticks."""
    extra: dict[str, Any] = {}
    if "%d" not in date_format and "%e" not in date_format:
        step = "month" if ("%b" in date_format or "%m" in date_format) else "year"
        extra["tickCount"] = {"interval": step, "step": 1}
    return alt.Axis(format=date_format, labelAngle=0, **extra)


def axis(unit: str) -> alt.Axis:
    """The value axis of a chart in ``unit``: its format, and whole ticks for counts."""
    extra: dict[str, Any] = {"tickMinStep": 1} if unit in _WHOLE_UNITS else {}
    return alt.Axis(format=_AXIS_FORMAT.get(unit, ",~f"), **extra)


# A colour-blind-safe pair (Okabe-Ito): blue for actuals, orange for targets.
ACTUAL_COLOUR = "#0072B2"
TARGET_COLOUR = "#E69F00"
PROJECTION_COLOUR = "#009E73"
NOTE_COLOUR = "#666666"


# Whether Altair checks each spec against the Vega-Lite schema (the test suite turns
# it on, so every chart the tests draw is checked; see tests/conftest.py).
VALIDATE_CHARTS = False


def chart_spec(chart: Any) -> dict[str, Any]:
    """``chart`` as its Vega-Lite spec.

    Altair validates a spec against the whole Vega-Lite schema on every ``to_dict``,
    which was most of a chart's cost: 3.6 s of a 23 s cold scorecard went to its 48
    sparklines. The charts here have fixed shapes with only their data changing, so
    a page draws them unchecked, and the tests check every shape they draw.
    """
    spec: dict[str, Any] = chart.to_dict(validate=VALIDATE_CHARTS)
    return spec


SERIES_STYLE = {
    # series: (colour, dash); the legend names them, the page translates the names
    "actual": (ACTUAL_COLOUR, []),
    "to date": (ACTUAL_COLOUR, [1, 0]),
    "target": (TARGET_COLOUR, [6, 3]),
    "pace": (TARGET_COLOUR, [2, 2]),
    "projection": (PROJECTION_COLOUR, [4, 4]),
}


def trend_chart(
    rows: Sequence[dict[str, Any]],
    unit: str,
    title: str = "",
    date_format: str = "%b %Y",
    notes: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """Line of actual values per period, with optional target, pace and projection lines.

    Each row: ``period`` (ISO date), ``label``, ``value``; optionally ``target``, ``pace``,
    ``projection``, ``low`` and ``high`` (the projection interval), ``floor`` and
    ``stretch`` (drawn as a band around the target), and ``part``: a row
    whose ``part`` is ``to date`` is the period in progress, drawn as a lighter hollow
    point apart from the line (its value is not a drop, it is not finished). ``notes`` (``date``,
    ``kind``, ``text``: target revisions, reviews, check-ins) are drawn as dotted
    vertical rules at their date, the words in the tooltip. Every
    series is named in the legend; the y axis is in the KPI's unit (the locale's
    currency, percent or number format, see i18n.vega_locale).
    """
    fmt = _VALUE_FORMAT.get(unit, ",.2f")
    points: list[dict[str, Any]] = []
    for r in rows:
        actual = "to date" if r.get("part") == "to date" else "actual"
        for series, field in (
            (actual, "value"),
            ("target", "target"),
            ("pace", "pace"),
            ("projection", "projection"),
        ):
            if r.get(field) is not None:
                points.append(
                    {
                        "period": r["period"],
                        "label": r.get("label"),
                        "line": series,  # what the marks filter on; ``series`` is what is shown
                        "series": series,
                        "value": r[field],
                    }
                )
    shown = [s for s in SERIES_STYLE if any(p["series"] == s for p in points)]
    colour = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=shown, range=[SERIES_STYLE[s][0] for s in shown]),
        legend=alt.Legend(orient="bottom", direction="horizontal"),
    )
    dash = alt.StrokeDash(
        "series:N",
        scale=alt.Scale(domain=shown, range=[SERIES_STYLE[s][1] for s in shown]),
        legend=None,
    )
    x = alt.X("period:T", title=None, axis=time_axis(date_format))
    y = alt.Y("value:Q", title=None, axis=axis(unit))
    tooltip = [
        alt.Tooltip("label:N", title="period"),
        alt.Tooltip("series:N", title="series"),
        alt.Tooltip("value:Q", title="value", format=fmt),
    ]
    base = alt.Chart(alt.Data(values=points)).encode(x=x, y=y, color=colour)  # type: ignore[no-untyped-call]
    layers: list[Any] = []
    if any(r.get("floor") is not None or r.get("stretch") is not None for r in rows):
        # the band between the floor and the stretch (the target where one is missing)
        banded = [
            {
                "period": r["period"],
                "band_low": r.get("floor") if r.get("floor") is not None else r.get("target"),
                "band_high": r.get("stretch") if r.get("stretch") is not None else r.get("target"),
            }
            for r in rows
        ]
        layers.append(
            alt.Chart(alt.Data(values=banded))  # type: ignore[no-untyped-call]
            .mark_area(opacity=0.12, color=TARGET_COLOUR)
            .encode(x=x, y=alt.Y("band_low:Q", title=None), y2="band_high:Q")
        )
    band = [r for r in rows if r.get("low") is not None]
    if band:
        area = alt.Chart(alt.Data(values=[dict(r) for r in band]))  # type: ignore[no-untyped-call]
        layers.append(
            area.mark_area(opacity=0.2, color=PROJECTION_COLOUR).encode(
                x=x, y=alt.Y("low:Q", axis=axis(unit), title=None), y2="high:Q"
            )
        )
    if notes:
        marks = alt.Chart(alt.Data(values=[dict(n) for n in notes]))  # type: ignore[no-untyped-call]
        layers.append(
            marks.mark_rule(color=NOTE_COLOUR, strokeDash=[1, 3], strokeWidth=2).encode(
                x=alt.X("date:T"),
                tooltip=[
                    alt.Tooltip("date:T", title="date", format="%d %b %Y"),
                    alt.Tooltip("kind:N", title="note"),
                    alt.Tooltip("text:N", title=""),
                ],
            )
        )
    lines = base.transform_filter(alt.datum.line != "to date")
    layers.append(
        lines.mark_line(point=alt.OverlayMarkDef(size=24)).encode(strokeDash=dash, tooltip=tooltip)
    )
    if any(p["line"] == "to date" for p in points):  # an empty mark group has no name
        layers.append(
            base.transform_filter(alt.datum.line == "to date")
            .mark_point(filled=False, size=70, opacity=0.6, strokeWidth=2)
            .encode(tooltip=tooltip)
        )
    chart = alt.layer(*layers).properties(width="container", height=260, title=title)
    return chart_spec(chart)


def sparkline(values: Sequence[float | None]) -> dict[str, Any]:
    """A tiny line of the last periods, without axes."""
    points = [{"i": i, "v": v} for i, v in enumerate(values)]
    data = alt.Data(values=points)  # type: ignore[no-untyped-call]
    chart = (
        alt.Chart(data)
        .mark_line(color=ACTUAL_COLOUR, strokeWidth=1.5)
        .encode(
            x=alt.X("i:Q", axis=None),
            y=alt.Y("v:Q", axis=None, scale=alt.Scale(zero=False)),
        )
        .properties(width=90, height=24)
        .configure_view(stroke=None)
    )
    return chart_spec(chart)


def breakdown_chart(rows: Sequence[dict[str, Any]], unit: str, dimension: str) -> dict[str, Any]:
    """Horizontal bars of one period's value per dimension value, sorted high to low."""
    values = [
        {"member": str(r.get("member_label") or r["member"]), "value": r["value"]}
        for r in rows
        if r.get("value") is not None
    ]
    data = alt.Data(values=values)  # type: ignore[no-untyped-call]
    fmt = _VALUE_FORMAT.get(unit, ",.2f")
    chart = (
        alt.Chart(data)
        .mark_bar(color=ACTUAL_COLOUR)
        .encode(
            y=alt.Y("member:N", sort="-x", title=dimension),
            x=alt.X("value:Q", title=None, axis=axis(unit)),
            tooltip=[
                alt.Tooltip("member:N", title=dimension),
                alt.Tooltip("value:Q", title="value", format=fmt),
            ],
        )
        .properties(width="container", height=max(80, 22 * len(rows)))
    )
    return chart_spec(chart)


def tile_sparkline(
    values: Sequence[float | None], target: float | None, in_progress: bool
) -> dict[str, Any]:
    """A tile's sparkline: the last periods, the period in progress lighter, the target line.

    The last point is the period in progress when ``in_progress``: its value is to date,
    so it is drawn as a hollow, lighter point and not joined to the line, and never
    reads as a drop.
    """
    last = len(values) - 1
    points = [
        {"i": i, "v": v, "part": "to date" if in_progress and i == last else "complete"}
        for i, v in enumerate(values)
        if v is not None
    ]
    data = alt.Data(values=points)  # type: ignore[no-untyped-call]
    base = alt.Chart(data).encode(
        x=alt.X("i:Q", axis=None, scale=alt.Scale(domain=[0, max(last, 1)])),
        y=alt.Y("v:Q", axis=None, scale=alt.Scale(zero=False)),
    )
    layers: list[Any] = [
        base.transform_filter(alt.datum.part == "complete").mark_line(
            color=ACTUAL_COLOUR, strokeWidth=1.5
        ),
        # decorative (the tile says the value in words): kept out of the accessibility tree
        base.transform_filter(alt.datum.part == "to date").mark_point(
            color=ACTUAL_COLOUR, opacity=0.5, size=18, filled=False, aria=False
        ),
    ]
    if target is not None:
        rule = alt.Chart(alt.Data(values=[{"t": target}]))  # type: ignore[no-untyped-call]
        layers.append(
            rule.mark_rule(color=TARGET_COLOUR, strokeDash=[3, 2], strokeWidth=1).encode(
                y=alt.Y("t:Q", axis=None)
            )
        )
    chart = alt.layer(*layers).properties(width="container", height=36).configure_view(stroke=None)
    return chart_spec(chart)
