"""Check on the data that every driver tree's identity holds, for ``onpace validate``.

A tree says ``revenue = buying_customers x orders_per_buying_customer x average
order value``; if one driver filters other rows than the KPI (cancelled orders
counted in one and not the other), every explanation built on the tree would be
wrong. So the KPI and its drivers are computed for a sample of periods (the last
``SAMPLE_MONTHS`` complete months) and the formula is held to the KPI's value
within rounding. Trees taken from a derived KPI's own formula hold by definition
and are not checked.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from onpace.calendar import period_start, shift_period
from onpace.compare.models import DriverTree
from onpace.errors import IssueOwner, OnpaceError, SpecIssue
from onpace.query.plain import as_number

if TYPE_CHECKING:
    from onpace.workspace import Workspace

SAMPLE_MONTHS = 12
RELATIVE_TOLERANCE = 1e-6
ABSOLUTE_TOLERANCE = 1e-9


def _has_data(ws: Workspace) -> bool:
    """Whether there is data to check against (an embedded warehouse may not exist yet)."""
    settings = ws.config.warehouse
    if settings.backend != "duckdb":
        return True
    from onpace.query.warehouse import duckdb_files

    return duckdb_files(settings, ws.root).current() is not None


def _issue(ws: Workspace, tree: DriverTree, level: str, message: str, fix: str) -> SpecIssue:
    file, line = ws.comparisons.lines.get(f"tree:{tree.key}", (None, None))
    suffix = "" if tree.name == "default" else f"/{tree.name}"
    return SpecIssue(
        "error" if level == "error" else "warning",
        file,
        line,
        f"tree {tree.kpi}{suffix}.formula",
        message,
        fix,
        IssueOwner("tree", tree.key),
    )


def _check_tree(
    ws: Workspace, tree: DriverTree, values: dict[tuple[str, str], float | None], labels: list[str]
) -> list[SpecIssue]:
    formula = ws.comparisons.formula(tree)
    checked, off = 0, []
    for label in labels:
        row = {n: values.get((n, label)) for n in (tree.kpi, *formula.kpis)}
        if any(v is None for v in row.values()):
            continue
        try:
            expected = formula.evaluate({k: v for k, v in row.items() if v is not None})
        except ZeroDivisionError:
            continue
        actual = row[tree.kpi]
        assert actual is not None
        checked += 1
        allowed = RELATIVE_TOLERANCE * max(abs(actual), abs(expected)) + ABSOLUTE_TOLERANCE
        if abs(actual - expected) > allowed:
            off.append((label, actual, expected))
    if not checked:
        return [
            _issue(
                ws,
                tree,
                "warning",
                f"could not check the identity: none of the last {len(labels)} months has "
                "values for the KPI and all its drivers",
                "check again when there is data",
            )
        ]
    if not off:
        return []
    label, actual, expected = off[0]
    relative = abs(actual - expected) / max(abs(actual), abs(expected), ABSOLUTE_TOLERANCE)
    return [
        _issue(
            ws,
            tree,
            "error",
            f"the identity does not hold on the data in {len(off)} of {checked} months: in "
            f"{label} {tree.kpi} is {actual:,.6g} but {formula.text} gives {expected:,.6g} "
            f"({relative:.2%} off)",
            "the drivers must count the same rows as the KPI: compare their filters, "
            "entities and time columns",
        )
    ]


def check_identities(ws: Workspace, as_of: datetime | None = None) -> list[SpecIssue]:
    """An error for every written tree whose identity fails on the last complete months.

    Nothing is checked when the workspace has no data yet; a tree whose KPIs
    cannot be computed (a table is missing) gets a warning saying so.
    """
    trees = [t for t in ws.comparisons.trees.values() if t.name != "formula" or not _derived(ws, t)]
    if not trees or not _has_data(ws):
        return []
    as_of = as_of or ws.now()
    this_month = period_start(as_of.date(), "month", ws.calendar)
    start = shift_period(this_month, "month", -SAMPLE_MONTHS)
    issues: list[SpecIssue] = []
    session = ws.session()
    checkable: list[DriverTree] = []
    for tree in trees:
        names = [tree.kpi, *ws.comparisons.formula(tree).kpis]
        try:
            missing = sorted({p for n in names for p in session.missing_data(n)})
        except OnpaceError as exc:
            missing = [str(exc)]
        if not missing:
            checkable.append(tree)
            continue
        issues.append(
            _issue(
                ws,
                tree,
                "warning",
                "could not check the identity on the data: " + "; ".join(missing),
                "load the missing data, then run onpace validate again",
            )
        )
    if not checkable:
        return issues
    names = list(
        dict.fromkeys(n for t in checkable for n in (t.kpi, *ws.comparisons.formula(t).kpis))
    )
    frame = ws.compute(names, grain="month", start=start, end_before=this_month, as_of=as_of)
    values = {
        (k, label): as_number(v)
        for k, label, v in zip(frame["kpi"], frame["period_label"], frame["value"], strict=True)
    }
    labels = list(dict.fromkeys(frame["period_label"]))
    for tree in checkable:
        issues.extend(_check_tree(ws, tree, values, labels))
    return issues


def _derived(ws: Workspace, tree: DriverTree) -> bool:
    """Whether ``tree`` is the KPI's own derived formula (an identity by definition)."""
    from onpace.spec.kpi import DerivedKpi

    kpi = ws.kpis.get(tree.kpi)
    return isinstance(kpi, DerivedKpi) and kpi.expr == tree.formula
