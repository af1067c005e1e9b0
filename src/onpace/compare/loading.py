"""Read the ``trees:`` and ``funnels:`` written beside the KPIs, with every problem located.

Like KPIs, each tree and funnel is validated on its own: a broken one is reported
with file, line, field and a fix, and left out, while the others load. The checks
here need no data (names, formulas, entities, columns); whether a tree's identity
holds on the data is :mod:`onpace.compare.identity`'s job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from onpace.compare.formula import TreeFormula, parse_tree_formula
from onpace.compare.models import DriverTree, Funnel, FunnelStep
from onpace.errors import FilterError, IssueOwner, SpecIssue, UnknownNameError, did_you_mean
from onpace.model.entities import ENTITIES
from onpace.model.paths import resolve
from onpace.spec.kpi import AnyKpi, DerivedKpi
from onpace.spec.validation_issues import Loc, validation_issues
from onpace.spec.yaml_lines import LocatedDocument, PathKey

_TIME_KINDS = ("timestamp", "date")


@dataclass
class Comparisons:
    """The workspace's driver trees (by ``kpi/name``) and funnels (by name)."""

    trees: dict[str, DriverTree] = field(default_factory=dict)
    formulas: dict[str, TreeFormula] = field(default_factory=dict)
    funnels: dict[str, Funnel] = field(default_factory=dict)
    lines: dict[str, tuple[Any, int | None]] = field(default_factory=dict)

    def trees_of(self, kpi: str) -> list[DriverTree]:
        """The trees of ``kpi``, the default one first."""
        found = [t for t in self.trees.values() if t.kpi == kpi]
        return sorted(found, key=lambda t: t.name != "default")

    def tree(self, kpi: str, name: str | None = None) -> DriverTree:
        """The tree ``name`` of ``kpi`` (its default tree when ``name`` is None)."""
        found = self.trees_of(kpi)
        if not found:
            with_trees = sorted({t.kpi for t in self.trees.values()})
            raise UnknownNameError(
                f"KPI '{kpi}' has no driver tree."
                + did_you_mean(kpi, with_trees)
                + (f" KPIs with trees: {', '.join(with_trees)}" if with_trees else "")
                + " (define one under 'trees:' beside the KPIs)"
            )
        if name is None:
            return found[0]
        for t in found:
            if t.name == name:
                return t
        names = [t.name for t in found]
        raise UnknownNameError(
            f"KPI '{kpi}' has no tree '{name}'."
            + did_you_mean(name, names)
            + f" Its trees: {', '.join(names)}"
        )

    def formula(self, tree: DriverTree) -> TreeFormula:
        return self.formulas[tree.key]

    def funnel(self, name: str) -> Funnel:
        if name not in self.funnels:
            raise UnknownNameError(
                f"unknown funnel '{name}'."
                + did_you_mean(name, self.funnels)
                + (f" Funnels: {', '.join(self.funnels)}" if self.funnels else " There are none.")
            )
        return self.funnels[name]


def _sub_document(doc: LocatedDocument, prefix: PathKey, data: Any) -> LocatedDocument:
    """The part of ``doc`` under ``prefix``, with its lines, as a document of its own."""
    size = len(prefix)
    lines = {path[size:]: line for path, line in doc.lines.items() if path[:size] == prefix}
    lines.setdefault((), doc.line_of(prefix))
    return LocatedDocument(doc.file, data, lines)


class _Reporter:
    """Collects issues of one item, all pointing into its part of the file."""

    def __init__(self, doc: LocatedDocument, label: str, owner: IssueOwner | None) -> None:
        self.doc = doc
        self.label = label
        self.owner = owner
        self.issues: list[SpecIssue] = []

    def add(self, loc: Loc, message: str, fix: str = "", level: str = "error") -> None:
        dotted = ".".join(str(p) for p in loc)
        self.issues.append(
            SpecIssue(
                "warning" if level == "warning" else "error",
                self.doc.file,
                self.doc.line_of(loc),
                f"{self.label}.{dotted}" if dotted else self.label,
                message,
                fix,
                self.owner,
            )
        )

    def shape(self, exc: ValidationError, allowed: Callable[[Loc], list[str]]) -> None:
        for issue in validation_issues(exc, self.doc, self.doc.file, allowed_keys=allowed):
            field_name = f"{self.label}.{issue.field}" if issue.field != "(file)" else self.label
            self.issues.append(
                SpecIssue(
                    issue.level,
                    issue.file,
                    issue.line,
                    field_name,
                    issue.message,
                    issue.fix,
                    self.owner,
                )
            )


def _items(
    doc: LocatedDocument, key: str, issues: list[SpecIssue]
) -> list[tuple[int, Any, LocatedDocument]]:
    data = doc.data if isinstance(doc.data, dict) else {}
    raw = data.get(key)
    if raw is None:
        return []
    if not isinstance(raw, list):
        issues.append(
            SpecIssue(
                "error",
                doc.file,
                doc.line_of((key,)),
                key,
                f"'{key}' must be a list",
                f"write each item under '{key}:' as '- ...'",
            )
        )
        return []
    return [(i, item, _sub_document(doc, (key, i), item)) for i, item in enumerate(raw)]


def _allowed(
    model: type[BaseModel], nested: Mapping[str, type[BaseModel]]
) -> Callable[[Loc], list[str]]:
    def keys(loc: Loc) -> list[str]:
        current = model
        for part in loc[:-1]:
            if isinstance(part, str) and part in nested:
                current = nested[part]
        return list(current.model_fields)

    return keys


# -- trees ---------------------------------------------------------------------


def _check_tree(
    tree: DriverTree, report: _Reporter, kpis: Mapping[str, AnyKpi], invalid: set[str]
) -> TreeFormula | None:
    def known(name: str, loc: Loc, what: str) -> bool:
        if name in kpis:
            return True
        if name in invalid:
            report.add(loc, f"{what} '{name}' has errors of its own", "fix that KPI first")
        else:
            report.add(
                loc,
                f"unknown KPI '{name}'." + did_you_mean(name, kpis),
                "name a KPI of the workspace (onpace kpi list)",
            )
        return False

    root_ok = known(tree.kpi, ("kpi",), "KPI")
    try:
        formula = parse_tree_formula(tree.formula)
    except FilterError as exc:
        report.add(("formula",), exc.message, exc.fix)
        return None
    ok = root_ok
    for term in formula.terms:
        if term.kpi == tree.kpi:
            report.add(
                ("formula",),
                f"'{tree.kpi}' cannot be one of its own drivers",
                "write the KPI in terms of other KPIs",
            )
            ok = False
        elif not known(term.kpi, ("formula",), "driver"):
            ok = False
    if not ok:
        return None
    if formula.kind == "sum":
        unit = kpis[tree.kpi].unit
        odd = [t.kpi for t in formula.terms if kpis[t.kpi].unit != unit]
        if odd:
            report.add(
                ("formula",),
                f"{', '.join(odd)} is not measured in {unit} like {tree.kpi}, so the sum "
                "mixes units",
                "add only KPIs of the same unit",
                level="warning",
            )
    return formula


def _load_trees(
    docs: Sequence[LocatedDocument],
    kpis: Mapping[str, AnyKpi],
    invalid: set[str],
    out: Comparisons,
    issues: list[SpecIssue],
) -> None:
    allowed = _allowed(DriverTree, {})
    for doc in docs:
        for index, raw, sub in _items(doc, "trees", issues):
            label = f"tree {raw.get('kpi', index)}" if isinstance(raw, dict) else f"trees.{index}"
            if isinstance(raw, dict) and raw.get("name") not in (None, "default"):
                label += f"/{raw.get('name')}"
            owner = None
            if isinstance(raw, dict) and isinstance(raw.get("kpi"), str):
                owner = IssueOwner("tree", f"{raw['kpi']}/{raw.get('name') or 'default'}")
            report = _Reporter(sub, label, owner)
            if not isinstance(raw, dict):
                report.add((), "a tree is a mapping of keys", "write '- kpi:' and 'formula:'")
                issues.extend(report.issues)
                continue
            try:
                tree = DriverTree.model_validate(raw)
            except ValidationError as exc:
                report.shape(exc, allowed)
                issues.extend(report.issues)
                continue
            if tree.key in out.trees:
                first = out.lines[f"tree:{tree.key}"]
                report.add(
                    ("name",) if "name" in raw else ("kpi",),
                    f"KPI '{tree.kpi}' has two trees called '{tree.name}' "
                    f"(the first at {first[0]}:{first[1]})",
                    "give one of them another 'name:'",
                )
                issues.extend(report.issues)
                continue
            formula = _check_tree(tree, report, kpis, invalid)
            issues.extend(report.issues)
            if formula is not None:
                out.trees[tree.key] = tree
                out.formulas[tree.key] = formula
                out.lines[f"tree:{tree.key}"] = (sub.file, sub.line_of(()))


# -- funnels -------------------------------------------------------------------


def _check_column(
    report: _Reporter, loc: Loc, entity: str, name: str, kinds: tuple[str, ...] | None = None
) -> None:
    try:
        path = resolve(entity, name)
    except UnknownNameError as exc:
        report.add(loc, str(exc), f"name a column of {entity}")
        return
    if kinds and path.column.kind not in kinds:
        report.add(
            loc,
            f"'{name}' is a {path.column.kind} column; this must be " + " or ".join(kinds),
            "choose a timestamp or date column",
        )


def _check_step(report: _Reporter, funnel: Funnel, index: int, step: FunnelStep) -> None:
    loc: Loc = ("steps", index)
    entity = ENTITIES.get(step.entity)
    if entity is None or entity.derived:
        loaded = [n for n, e in ENTITIES.items() if not e.derived]
        report.add(
            (*loc, "entity"),
            f"unknown entity '{step.entity}'." + did_you_mean(step.entity, loaded),
            "a funnel step reads one loaded table: " + ", ".join(loaded),
        )
        return
    _check_column(report, (*loc, "time"), step.entity, step.time, _TIME_KINDS)
    if step.filter:
        from onpace.spec.filters import parse_row_expression

        try:
            parsed = parse_row_expression(step.filter, kind="filter")
        except FilterError as exc:
            report.add((*loc, "filter"), exc.message, exc.fix)
        else:
            for column in parsed.columns:
                _check_column(report, (*loc, "filter"), step.entity, column)
    if index == 0:
        for extra in ("key", "previous_key", "window_days"):
            if getattr(step, extra) is not None:
                report.add(
                    (*loc, extra),
                    f"the first step has no step before it, so '{extra}' means nothing here",
                    f"remove '{extra}:' from the first step",
                )
        return
    if step.key is None:
        report.add(
            loc,
            "a step after the first needs 'key': the column that links its rows to the step before",
            "add e.g. 'key: customer_id' (and 'previous_key:' when the column before is named "
            "differently)",
        )
        return
    _check_column(report, (*loc, "key"), step.entity, step.key)
    before = funnel.steps[index - 1]
    if before.entity in ENTITIES and not ENTITIES[before.entity].derived:
        _check_column(report, (*loc, "previous_key"), before.entity, step.previous_key or step.key)


def _check_funnel(funnel: Funnel, report: _Reporter) -> None:
    names = [s.name for s in funnel.steps]
    for i, name in enumerate(names):
        if name in names[:i]:
            report.add(("steps", i, "name"), f"two steps are called '{name}'", "rename one")
    for i, step in enumerate(funnel.steps):
        _check_step(report, funnel, i, step)
    first = funnel.steps[0].entity
    if first in ENTITIES:
        for i, dim in enumerate(funnel.dimensions):
            try:
                resolve(first, dim)
            except UnknownNameError as exc:
                report.add(
                    ("dimensions", i),
                    str(exc),
                    f"a funnel is broken down by columns of its first step ({first})",
                )


def _load_funnels(
    docs: Sequence[LocatedDocument], out: Comparisons, issues: list[SpecIssue]
) -> None:
    allowed = _allowed(Funnel, {"steps": FunnelStep})
    for doc in docs:
        for index, raw, sub in _items(doc, "funnels", issues):
            name = raw.get("name", index) if isinstance(raw, dict) else index
            owner = IssueOwner("funnel", name) if isinstance(name, str) else None
            report = _Reporter(sub, f"funnel {name}", owner)
            if not isinstance(raw, dict):
                report.add((), "a funnel is a mapping of keys", "write '- name: ...' and 'steps:'")
                issues.extend(report.issues)
                continue
            try:
                funnel = Funnel.model_validate(raw)
            except ValidationError as exc:
                report.shape(exc, allowed)
                issues.extend(report.issues)
                continue
            if funnel.name in out.funnels:
                first = out.lines[f"funnel:{funnel.name}"]
                report.add(
                    ("name",),
                    f"funnel '{funnel.name}' is already defined at {first[0]}:{first[1]}",
                    "rename or remove one of them",
                )
                issues.extend(report.issues)
                continue
            _check_funnel(funnel, report)
            issues.extend(report.issues)
            if not any(i.level == "error" for i in report.issues):
                out.funnels[funnel.name] = funnel
                out.lines[f"funnel:{funnel.name}"] = (sub.file, sub.line_of(()))


def load_comparisons(
    docs: Sequence[LocatedDocument], kpis: Mapping[str, AnyKpi], invalid: Iterable[str] = ()
) -> tuple[Comparisons, list[SpecIssue]]:
    """The valid trees and funnels of ``docs``, and every issue of the others.

    ``kpis`` are the workspace's valid KPIs; ``invalid`` names KPIs that failed
    their own checks, so a tree naming one says so instead of "unknown KPI".
    """
    out = Comparisons()
    issues: list[SpecIssue] = []
    _load_trees(docs, kpis, set(invalid), out, issues)
    _formula_trees(kpis, out)
    _load_funnels(docs, out, issues)
    return out, issues


def _formula_trees(kpis: Mapping[str, AnyKpi], out: Comparisons) -> None:
    """A derived KPI whose formula is a product or a sum of KPIs is a tree by definition.

    ``net_profit = gross_profit - operating_costs`` needs no tree written out: it is
    added as the tree ``formula`` (after any written ones, so they stay the default).
    """
    for kpi in kpis.values():
        if not isinstance(kpi, DerivedKpi):
            continue
        try:
            formula = parse_tree_formula(kpi.expr)
        except FilterError:
            continue
        tree = DriverTree(kpi=kpi.name, name="formula", formula=kpi.expr, label="Its formula")
        written = [out.formulas[t.key] for t in out.trees_of(kpi.name)]
        if tree.key in out.trees or not all(t in kpis for t in formula.kpis):
            continue
        if any(set(w.terms) == set(formula.terms) for w in written):
            continue  # the same identity is written out already
        out.trees[tree.key] = tree
        out.formulas[tree.key] = formula
