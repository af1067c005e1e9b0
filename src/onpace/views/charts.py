"""Charts as Vega-Lite specs built in Python with Altair.

The browser renders them with vega-embed served from the package (no CDN), so a
dashboard works offline. Each function takes plain rows and returns a spec dict.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt

_AXIS_FORMAT = {
    "currency": ",.0f",
    "percent": ".0%",
    "days": ",.1f",
    "count": ",.0f",
    "ratio": ",.2f",
    "score": ",.0f",
}

# A colour-blind-safe pair (Okabe-Ito): blue for actuals, orange for targets.
ACTUAL_COLOUR = "#0072B2"
TARGET_COLOUR = "#E69F00"
PROJECTION_COLOUR = "#009E73"
NOTE_COLOUR = "#666666"


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict()
    return spec


def trend_chart(
    rows: Sequence[dict[str, Any]],
    unit: str,
    title: str = "",
    date_format: str = "%b %Y",
    notes: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """Line of actual values per period, with optional target, pace and projection lines.

    Each row: ``period`` (ISO date), ``label``, ``value``; optionally ``target``, ``pace``,
    ``projection``, ``low`` and ``high`` (the projection interval), and ``floor`` and
    ``stretch`` (drawn as a band around the target). ``notes`` (``date``, ``kind``,
    ``text``: target revisions, reviews, check-ins) are drawn as dotted vertical rules
    at their date, the words in the tooltip.
    """
    data = alt.Data(values=[dict(r) for r in rows])  # type: ignore[no-untyped-call]
    fmt = _AXIS_FORMAT.get(unit, ",.2f")
    base = alt.Chart(data).encode(
        x=alt.X("period:T", title=None, axis=alt.Axis(format=date_format, labelAngle=0))
    )
    layers: list[Any] = []
    if any(r.get("floor") is not None or r.get("stretch") is not None for r in rows):
        # the band between the floor and the stretch (the target where one is missing)
        banded = [
            {
                **r,
                "band_low": r.get("floor") if r.get("floor") is not None else r.get("target"),
                "band_high": r.get("stretch") if r.get("stretch") is not None else r.get("target"),
            }
            for r in rows
        ]
        layers.append(
            alt.Chart(alt.Data(values=banded))  # type: ignore[no-untyped-call]
            .mark_area(opacity=0.12, color=TARGET_COLOUR)
            .encode(x="period:T", y=alt.Y("band_low:Q"), y2="band_high:Q")
        )
    if any(r.get("low") is not None for r in rows):
        layers.append(
            base.mark_area(opacity=0.2, color=PROJECTION_COLOUR).encode(
                y=alt.Y("low:Q"), y2="high:Q"
            )
        )
    layers.append(
        base.mark_line(point=True, color=ACTUAL_COLOUR).encode(
            y=alt.Y("value:Q", title=None, axis=alt.Axis(format=fmt)),
            tooltip=[
                alt.Tooltip("label:N", title="period"),
                alt.Tooltip("value:Q", title="actual", format=fmt),
            ],
        )
    )
    for field, colour, dash in (
        ("target", TARGET_COLOUR, [6, 3]),
        ("pace", TARGET_COLOUR, [2, 2]),
        ("projection", PROJECTION_COLOUR, [4, 4]),
    ):
        if any(r.get(field) is not None for r in rows):
            layers.append(
                base.mark_line(
                    color=colour, strokeDash=dash, point=alt.OverlayMarkDef(color=colour, size=20)
                ).encode(
                    y=alt.Y(f"{field}:Q"),
                    tooltip=[
                        alt.Tooltip("label:N", title="period"),
                        alt.Tooltip(f"{field}:Q", title=field, format=fmt),
                    ],
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
    chart = alt.layer(*layers).properties(width="container", height=260, title=title)
    return _spec(chart)


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
    return _spec(chart)


def breakdown_chart(rows: Sequence[dict[str, Any]], unit: str, dimension: str) -> dict[str, Any]:
    """Horizontal bars of one period's value per dimension value, sorted high to low."""
    values = [
        {"member": str(r.get("member_label") or r["member"]), "value": r["value"]}
        for r in rows
        if r.get("value") is not None
    ]
    data = alt.Data(values=values)  # type: ignore[no-untyped-call]
    fmt = _AXIS_FORMAT.get(unit, ",.2f")
    chart = (
        alt.Chart(data)
        .mark_bar(color=ACTUAL_COLOUR)
        .encode(
            y=alt.Y("member:N", sort="-x", title=dimension),
            x=alt.X("value:Q", title=None, axis=alt.Axis(format=fmt)),
            tooltip=[alt.Tooltip("member:N", title=dimension), alt.Tooltip("value:Q", format=fmt)],
        )
        .properties(width="container", height=max(80, 22 * len(rows)))
    )
    return _spec(chart)
