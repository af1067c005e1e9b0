"""Top N: keep the members of a breakdown with the highest values, and number them.

"The top 5 reps by revenue" has two common readings, and both are offered:

- ``range`` (the default): every member is ranked by its value over the *whole
  range shown*, computed like grain ``all`` (one total per member), and the same N
  members are shown in every period. A ratio therefore ranks by its ratio over the
  range, not by a sum of monthly ratios, and a snapshot by its value at the end.
- ``period``: each period is ranked on its own, and keeps its own N highest; the
  members may differ from one period to the next.

Each KPI is ranked on its own values. Highest value first whatever the KPI's
direction ("top" means largest; for a lower-is-better KPI the top are the worst).
Members without a value rank last, and ties go to the member's name in
alphabetical order, so the same data always gives the same list. The rank is in
the column ``rank`` (1 = highest); members below the cut are left out, not summed
into an "other" row (a ratio of the rest is not the rest of a ratio).
"""

from __future__ import annotations

import pandas as pd

from onpace.query.request import TOP_PER as TOP_PER
from onpace.query.request import TopPer as TopPer

_MEMBER = "__member"


def _member(frame: pd.DataFrame, dims: list[str]) -> pd.Series:
    """A sortable text key per row: the member's values, missing ones as empty text."""
    parts = [frame[d].map(lambda v: "" if v is None else str(v)) for d in dims]
    key = parts[0]
    for part in parts[1:]:
        key = key + "\x1f" + part
    return key


def _rank(frame: pd.DataFrame, dims: list[str], groups: list[str]) -> pd.Series:
    """1 for the highest value within each group, then down; missing values last."""
    work = pd.DataFrame(
        {
            "missing": frame["value"].isna(),
            "negated": -frame["value"].fillna(0.0),
            "member": _member(frame, dims),
            **{g: frame[g] for g in groups},
        },
        index=frame.index,
    )
    ordered = work.sort_values(["missing", "negated", "member"], kind="stable")
    ranks = ordered.groupby(groups, sort=False).cumcount() + 1
    return ranks.reindex(frame.index)


def rank_overall(overall: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """Rank per KPI and member from a one-period (grain ``all``) result."""
    ranks = _rank(overall, dims, ["kpi"])
    return pd.DataFrame(
        {"kpi": overall["kpi"], _MEMBER: _member(overall, dims), "rank": ranks.astype("int64")}
    )


def keep_top(
    frame: pd.DataFrame, dims: list[str], n: int, rank_by: pd.DataFrame | None
) -> pd.DataFrame:
    """``frame`` cut to the ``n`` highest members, with their ``rank`` after the dimensions.

    ``rank_by`` (from :func:`rank_overall`) ranks members once for the whole range;
    None ranks them anew within each KPI and period.
    """
    if rank_by is None:
        ranks = _rank(frame, dims, ["kpi", "period"])
    else:
        lookup = {
            (k, m): r for k, m, r in rank_by[["kpi", _MEMBER, "rank"]].itertuples(index=False)
        }
        members = _member(frame, dims)
        ranks = pd.Series(
            [lookup.get((k, m)) for k, m in zip(frame["kpi"], members, strict=True)],
            index=frame.index,
            dtype="float64",
        )
    out = frame.assign(rank=ranks)
    out = out[out["rank"].notna() & (out["rank"] <= n)].copy()
    out["rank"] = out["rank"].astype("int64")
    order = {name: i for i, name in enumerate(dict.fromkeys(frame["kpi"]))}
    out = out.assign(__order=out["kpi"].map(order))
    out = out.sort_values(["__order", "period", "rank"], kind="stable").drop(columns="__order")
    columns = [c for c in frame.columns if c not in ("value", "note")]
    return out[[*columns, "rank", "value", "note"]].reset_index(drop=True)
