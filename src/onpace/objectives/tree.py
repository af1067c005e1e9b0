"""Strategic objectives (objectives.yml): long-term goals, their sub-objectives and KPIs.

An objective spans several years and holds KPIs with weights; each KPI's targets
are its short-term goals. Progress rolls up: an objective's attainment is the
weighted mean of its KPIs' attainment scores and of its sub-objectives' (weighted
by their own ``weight``), and its status says which KPIs drag it down, worst
first (the weighted shortfall, ``weight share x (1 - attainment)``).

::

    objectives:
      - name: profitable_growth
        label: Grow revenue 10% a year without losing margin
        horizon: 2025..2028
        owner: ceo
        kpis: {revenue: 3, gross_margin: 1}
        objectives:
          - name: web_growth
            label: Make the web shop the first channel
            kpis: {website_visits: 1, cart_abandonment_rate: 1}

A KPI can also name its objective in its own definition (``objective:``); both
links count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from onpace.errors import IssueOwner, SpecError, SpecIssue, did_you_mean
from onpace.spec.kpi import NAME_PATTERN, split_languages
from onpace.spec.validation_issues import validation_issues
from onpace.spec.workspace_config import StatusThresholds
from onpace.spec.yaml_lines import YamlSyntaxError, load_located
from onpace.targets.pace import ASSESSED, FINAL, Status, band, status

if TYPE_CHECKING:
    from onpace.workspace import Workspace


class Objective(BaseModel):
    """One strategic objective, with its KPIs (name: weight) and sub-objectives."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    label: str
    description: str = ""
    labels: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    horizon: str | None = None
    owner: str | None = None
    weight: float = Field(default=1.0, gt=0)
    kpis: dict[str, float] = {}
    objectives: tuple[Objective, ...] = ()

    @field_validator("name")
    @classmethod
    def _snake_case(cls, value: str) -> str:
        if not NAME_PATTERN.match(value):
            raise ValueError("must be snake_case, starting with a letter")
        return value

    @field_validator("kpis")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        for name, weight in value.items():
            if weight <= 0:
                raise ValueError(f"the weight of {name} must be above 0, got {weight}")
        return value

    _languages = model_validator(mode="before")(split_languages)

    def label_in(self, language: str) -> str:
        """The label in ``language`` (``label: {en: ..., nl: ...}``), else the default."""
        return self.labels.get(language) or self.label

    def description_in(self, language: str) -> str:
        return self.descriptions.get(language) or self.description

    def walk(self, depth: int = 0) -> Iterator[tuple[int, Objective]]:
        yield depth, self
        for child in self.objectives:
            yield from child.walk(depth + 1)


class ObjectivesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    objectives: tuple[Objective, ...] = ()


@dataclass
class Objectives:
    """The objective tree of a workspace and the problems found reading it."""

    roots: tuple[Objective, ...] = ()
    file: Path | None = None
    issues: list[SpecIssue] = field(default_factory=list)

    def all(self) -> list[Objective]:
        return [o for root in self.roots for _, o in root.walk()]

    def names(self) -> set[str]:
        return {o.name for o in self.all()}

    def links(self, kpis: Mapping[str, Any]) -> dict[str, list[str]]:
        """KPI name -> the objectives it serves (from objectives.yml and ``objective:``)."""
        out: dict[str, list[str]] = {}
        for o in self.all():
            for name in o.kpis:
                out.setdefault(name, []).append(o.name)
        for name, kpi in kpis.items():
            linked = getattr(kpi, "objective", None)
            if linked and linked not in out.get(name, []):
                out.setdefault(name, []).append(linked)
        return out


def _objective_at(data: Any) -> Callable[[tuple[str | int, ...]], IssueOwner | None]:
    """The objective a location in objectives.yml lies in (the innermost one with a name)."""

    def owner(loc: tuple[str | int, ...]) -> IssueOwner | None:
        node, found = data, None
        for key in loc:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                break
            if isinstance(key, int) and isinstance(node, dict):
                name = node.get("name")
                found = IssueOwner("objective", name) if isinstance(name, str) else found
        return found

    return owner


def load_objectives(root: Path, filename: str, kpis: Mapping[str, Any]) -> Objectives:
    """Read ``root/filename`` (absent: no objectives), checking names against ``kpis``."""
    file = root / filename
    if not file.exists():
        return Objectives(file=None)
    try:
        doc = load_located(file)
    except YamlSyntaxError as exc:
        return Objectives(
            file=file, issues=[SpecIssue("error", file, exc.line, "(yaml)", exc.message)]
        )
    try:
        parsed = ObjectivesFile.model_validate(doc.data or {})
    except ValidationError as exc:
        fix = "see docs/targets.md for the objectives.yml format"
        owner = _objective_at(doc.data)
        return Objectives(file=file, issues=validation_issues(exc, doc, file, fix=fix, owner=owner))
    issues: list[SpecIssue] = []
    seen: set[str] = set()

    def check(obj: Objective, path: tuple[str | int, ...]) -> None:
        if obj.name in seen:
            issues.append(
                SpecIssue(
                    "error",
                    file,
                    doc.line_of((*path, "name")),
                    ".".join(map(str, path)) + ".name",
                    f"objective name '{obj.name}' is used twice",
                    "give each objective its own name",
                    IssueOwner("objective", obj.name),
                )
            )
        seen.add(obj.name)
        for name in obj.kpis:
            if name not in kpis:
                issues.append(
                    SpecIssue(
                        "error",
                        file,
                        doc.line_of((*path, "kpis", name)),
                        ".".join(map(str, (*path, "kpis", name))),
                        f"unknown KPI '{name}'." + did_you_mean(name, kpis),
                        "use a KPI name from 'onpace kpi list'",
                        IssueOwner("objective", obj.name),
                    )
                )
        for i, child in enumerate(obj.objectives):
            check(child, (*path, "objectives", i))

    for i, root_obj in enumerate(parsed.objectives):
        check(root_obj, ("objectives", i))
    return Objectives(roots=parsed.objectives, file=file, issues=issues)


def workspace_objectives(ws: Workspace) -> Objectives:
    """The workspace's objectives; raises :class:`SpecError` when objectives.yml is wrong."""
    objectives = load_objectives(ws.root, ws.config.objectives_file, ws.kpis)
    if any(i.level == "error" for i in objectives.issues):
        raise SpecError(objectives.issues)
    return objectives


@dataclass(frozen=True)
class KpiScore:
    """A KPI's score (attainment or projected attainment) and status, for roll-ups."""

    score: float | None
    status: Status


@dataclass
class ObjectiveStatus:
    """An objective's rolled-up attainment, status and the KPIs that drag it down."""

    objective: Objective
    depth: int
    attainment: float | None
    status: Status
    drags: list[tuple[str, float]]
    kpis: list[tuple[str, float, KpiScore]]
    children: list[ObjectiveStatus]
    explanation: str = ""


def _combined(
    parts: list[tuple[str, float, float, Status]], thresholds: StatusThresholds
) -> tuple[float | None, Status, list[tuple[str, float, float, Status]]]:
    """The weighted score and status of ``parts``, and the parts it was taken from.

    Only parts that are judged (running past their first part, or over) make the
    status: a KPI whose period is too early to tell raises no alarm for its
    objective either. With none judged, the objective is too early (or not
    started) itself.
    """
    judged = [p for p in parts if p[3] in ASSESSED]
    use = judged or parts
    total = sum(w for _, w, _, _ in use)
    if not total:
        return None, "no data", []
    value = sum(w * a for _, w, a, _ in use) / total
    if not judged:
        early = any(p[3] == "too early" for p in use)
        return value, "too early" if early else "not started", use
    if all(p[3] in FINAL for p in judged):
        return value, "achieved" if value >= 1 else "missed", use
    return value, status(value, thresholds), use


def roll_up(
    obj: Objective,
    scores: Mapping[str, KpiScore],
    thresholds: StatusThresholds,
    depth: int = 0,
) -> ObjectiveStatus:
    """Weighted attainment of ``obj`` from its KPIs' scores and its sub-objectives.

    A KPI or sub-objective without a score (no target, no data) is left out of the
    mean rather than counted as 0, and the status says ``no data`` when nothing
    is left.
    """
    children = [roll_up(c, scores, thresholds, depth + 1) for c in obj.objectives]
    parts: list[tuple[str, float, float, Status]] = []  # name, weight, attainment, status
    rows = []
    for name, weight in obj.kpis.items():
        ks = scores.get(name, KpiScore(None, "no target"))
        rows.append((name, weight, ks))
        if ks.score is not None:
            parts.append((name, weight, ks.score, ks.status))
    for child in children:
        if child.attainment is not None:
            parts.append(
                (
                    f"objective {child.objective.name}",
                    child.objective.weight,
                    child.attainment,
                    child.status,
                )
            )
    value, own, used = _combined(parts, thresholds)
    total = sum(w for _, w, _, _ in used)
    drags = sorted(
        ((name, w / total * (1 - a)) for name, w, a, _ in used if a < 1), key=lambda d: -d[1]
    )
    explanation = "no KPI with a target"
    if value is not None:
        explanation = f"weighted {value:.0%} over {len(used)} KPI(s) and objective(s); " + (
            band(value, thresholds) if own in ("on track", "at risk", "off track") else own
        )
    return ObjectiveStatus(obj, depth, value, own, drags, rows, children, explanation)


def flatten(node: ObjectiveStatus) -> Iterator[ObjectiveStatus]:
    yield node
    for child in node.children:
        yield from flatten(child)


def objective_groups(
    objectives: Objectives,
    kpis: Mapping[str, Any],
    scores: Mapping[str, KpiScore],
    thresholds: StatusThresholds,
) -> list[tuple[ObjectiveStatus, list[str]]]:
    """Every objective, depth first and rolled up, with the KPIs shown under it.

    An objective's KPIs are its own (in the order objectives.yml lists them), then
    the KPIs whose definition names it (``objective:``), alphabetically.
    """
    links = objectives.links(kpis)
    out: list[tuple[ObjectiveStatus, list[str]]] = []
    for root in objectives.roots:
        for node in flatten(roll_up(root, scores, thresholds)):
            own = list(node.objective.kpis)
            named = sorted(
                k for k, objs in links.items() if node.objective.name in objs and k not in own
            )
            out.append((node, own + named))
    return out
