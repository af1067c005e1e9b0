"""Charts of the comparison screens as Vega-Lite specs built with Altair.

A waterfall for what explains a change, bars of mix and rate effects by member,
a funnel, correlations by lag with their intervals, and two series on one chart
(two axes, or both indexed to 100). Like :mod:`onpace.views.charts`, each
function takes plain rows and returns a spec dict the page renders offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt

from onpace.views.charts import ACTUAL_COLOUR, PROJECTION_COLOUR, TARGET_COLOUR, chart_spec

_FORMAT = {
    "currency": ",.0f",
    "percent": ".1%",
    "days": ",.1f",
    "count": ",.0f",
    "ratio": ",.3f",
    "score": ",.1f",
}
UP_COLOUR = "#009E73"  # Okabe-Ito green and vermillion: colour-blind safe
DOWN_COLOUR = "#D55E00"
TOTAL_COLOUR = ACTUAL_COLOUR
MIX_COLOUR = "#56B4E9"
RATE_COLOUR = "#CC79A7"


def _fmt(unit: str) -> str:
    return _FORMAT.get(unit, ",.2f")


def _data(rows: Sequence[dict[str, Any]]) -> Any:
    return alt.Data(values=[dict(r) for r in rows])  # type: ignore[no-untyped-call]


def waterfall_chart(
    start: tuple[str, float], parts: Sequence[tuple[str, float]], end: tuple[str, float], unit: str
) -> dict[str, Any]:
    """Bars from the starting value, through each part (up green, down red), to the end."""
    rows: list[dict[str, Any]] = [
        {
            "order": 0,
            "step": start[0],
            "low": 0.0,
            "high": start[1],
            "amount": start[1],
            "kind": "total",
        }
    ]
    running = start[1]
    for i, (label, amount) in enumerate(parts, start=1):
        rows.append(
            {
                "order": i,
                "step": label,
                "low": min(running, running + amount),
                "high": max(running, running + amount),
                "amount": amount,
                "kind": "up" if amount >= 0 else "down",
            }
        )
        running += amount
    rows.append(
        {
            "order": len(rows),
            "step": end[0],
            "low": 0.0,
            "high": end[1],
            "amount": end[1],
            "kind": "total",
        }
    )
    fmt = _fmt(unit)
    chart = (
        alt.Chart(_data(rows))
        .mark_bar()
        .encode(
            x=alt.X(
                "step:N",
                sort=alt.SortField("order"),
                title=None,
                axis=alt.Axis(labelAngle=0, labelLimit=160),
            ),
            y=alt.Y("low:Q", title=None, axis=alt.Axis(format=fmt), scale=alt.Scale(zero=False)),
            y2="high:Q",
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(
                    domain=["total", "up", "down"], range=[TOTAL_COLOUR, UP_COLOUR, DOWN_COLOUR]
                ),
                legend=None,
            ),
            tooltip=[alt.Tooltip("step:N"), alt.Tooltip("amount:Q", format=fmt)],
        )
        .properties(width="container", height=280)
    )
    return chart_spec(chart)


def member_effects_chart(
    rows: Sequence[dict[str, Any]], unit: str, dimension: str, rate: bool
) -> dict[str, Any]:
    """Each member's part of the change: one bar, or its mix and rate effects stacked."""
    values: list[dict[str, Any]] = []
    for r in rows:
        member = "(none)" if r["member"] is None else str(r["member"])
        if rate:
            values.append({"member": member, "effect": "mix", "amount": r["mix"] or 0.0})
            values.append({"member": member, "effect": "rate", "amount": r["rate"] or 0.0})
        else:
            values.append({"member": member, "effect": "change", "amount": r["change"]})
    fmt = _fmt(unit)
    domain = ["mix", "rate"] if rate else ["change"]
    colours = [MIX_COLOUR, RATE_COLOUR] if rate else [ACTUAL_COLOUR]
    chart = (
        alt.Chart(_data(values))
        .mark_bar()
        .encode(
            y=alt.Y("member:N", title=dimension, sort=None),
            x=alt.X("sum(amount):Q", title=None, axis=alt.Axis(format=fmt)),
            color=alt.Color(
                "effect:N",
                scale=alt.Scale(domain=domain, range=colours),
                legend=alt.Legend(orient="bottom", title=None) if rate else None,
            ),
            tooltip=[
                alt.Tooltip("member:N", title=dimension),
                alt.Tooltip("effect:N"),
                alt.Tooltip("amount:Q", format=fmt),
            ],
        )
        .properties(width="container", height=max(80, 24 * len(rows)))
    )
    return chart_spec(chart)


def funnel_chart(steps: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A funnel: one centred bar per step, as wide as its count, with its conversion."""
    top = max((s["count"] for s in steps), default=0) or 1
    rows = [
        {
            "order": i,
            "step": s["label"],
            "left": -s["count"] / 2,
            "right": s["count"] / 2,
            "count": s["count"],
            "share": s["count"] / top,
            "step_conversion": s.get("step_conversion"),
            "text": f"{s['count']:,}" + (f" ({s['count'] / top:.1%})" if i else ""),
        }
        for i, s in enumerate(steps)
    ]
    base = alt.Chart(_data(rows)).encode(y=alt.Y("step:N", sort=alt.SortField("order"), title=None))
    bars = base.mark_bar(color=ACTUAL_COLOUR).encode(
        x=alt.X("left:Q", axis=None, scale=alt.Scale(domain=[-top / 2, top * 0.85])),
        x2="right:Q",
        tooltip=[
            alt.Tooltip("step:N"),
            alt.Tooltip("count:Q", format=",.0f"),
            alt.Tooltip("share:Q", title="of the first step", format=".1%"),
            alt.Tooltip("step_conversion:Q", title="of the step before", format=".1%"),
        ],
    )
    labels = base.mark_text(align="left", baseline="middle", dx=4, color="#222").encode(
        x="right:Q", text="text:N"
    )
    chart = alt.layer(bars, labels).properties(width="container", height=60 * max(1, len(rows)))
    return chart_spec(chart)


def conversion_by_member_chart(rows: Sequence[dict[str, Any]], dimension: str) -> dict[str, Any]:
    """Overall conversion (first to last step) per member, as bars."""
    values = [
        {
            "member": "(none)" if r["member"] is None else str(r["member"]),
            "conversion": r["conversion"],
        }
        for r in rows
        if r.get("conversion") is not None
    ]
    chart = (
        alt.Chart(_data(values))
        .mark_bar(color=ACTUAL_COLOUR)
        .encode(
            y=alt.Y("member:N", sort="-x", title=dimension),
            x=alt.X("conversion:Q", title=None, axis=alt.Axis(format=".1%")),
            tooltip=[
                alt.Tooltip("member:N", title=dimension),
                alt.Tooltip("conversion:Q", format=".2%"),
            ],
        )
        .properties(width="container", height=max(80, 22 * len(values)))
    )
    return chart_spec(chart)


def lag_chart(lags: Sequence[dict[str, Any]], word: str) -> dict[str, Any]:
    """The correlation at every lag (negative: the second KPI leads), with its interval."""
    rows = [r for r in lags if r.get("r") is not None]
    base = alt.Chart(_data(rows)).encode(
        x=alt.X("offset:O", title=f"{word}s the first KPI leads by (negative: it follows)")
    )
    bars = base.mark_bar(color=ACTUAL_COLOUR).encode(
        y=alt.Y("r:Q", title="correlation", scale=alt.Scale(domain=[-1, 1])),
        tooltip=[
            alt.Tooltip("offset:O", title="lag"),
            alt.Tooltip("r:Q", format=".2f"),
            alt.Tooltip("low:Q", format=".2f"),
            alt.Tooltip("high:Q", format=".2f"),
            alt.Tooltip("n:Q"),
        ],
    )
    whiskers = base.mark_rule(color="#222").encode(y="low:Q", y2="high:Q")
    chart = alt.layer(bars, whiskers).properties(width="container", height=220)
    return chart_spec(chart)


def pair_chart(
    rows: Sequence[dict[str, Any]],
    series: Sequence[tuple[str, str]],
    units: Sequence[str],
    indexed: bool,
) -> dict[str, Any]:
    """Two or more series over the periods: indexed to 100 on one axis, or two axes.

    ``rows`` hold ``period``, ``label`` and one column per series key; ``series`` is
    ``(key, title)``; with two series and ``indexed`` False each gets its own axis.
    """
    colours = [ACTUAL_COLOUR, TARGET_COLOUR, PROJECTION_COLOUR, "#CC79A7", "#56B4E9", "#D55E00"]
    # periods as labels in order: a time axis would invent days between months and weeks
    x = alt.X("label:O", title=None, sort=None, axis=alt.Axis(labelAngle=0, labelOverlap=True))
    if indexed or len(series) != 2:
        long = [
            {"period": r["period"], "label": r["label"], "series": title, "value": r.get(key)}
            for r in rows
            for key, title in series
            if r.get(key) is not None
        ]
        chart = (
            alt.Chart(_data(long))
            .mark_line(point=True)
            .encode(
                x=x,
                y=alt.Y("value:Q", title="index (first period = 100)" if indexed else None),
                color=alt.Color(
                    "series:N",
                    scale=alt.Scale(domain=[t for _, t in series], range=colours[: len(series)]),
                    legend=alt.Legend(orient="bottom", title=None),
                ),
                tooltip=[
                    alt.Tooltip("label:N", title="period"),
                    alt.Tooltip("series:N"),
                    alt.Tooltip("value:Q", format=",.1f" if indexed else ",.2f"),
                ],
            )
            .properties(width="container", height=280)
        )
        return chart_spec(chart)
    base = alt.Chart(_data(rows)).encode(x=x)
    layers = []
    for (key, title), unit, colour in zip(series, units, colours, strict=False):
        layers.append(
            base.mark_line(point=True, color=colour).encode(
                y=alt.Y(
                    f"{key}:Q",
                    title=title,
                    axis=alt.Axis(format=_fmt(unit), titleColor=colour),
                ),
                tooltip=[
                    alt.Tooltip("label:N", title="period"),
                    alt.Tooltip(f"{key}:Q", title=title, format=_fmt(unit)),
                ],
            )
        )
    chart = (
        alt.layer(*layers).resolve_scale(y="independent").properties(width="container", height=280)
    )
    return chart_spec(chart)
