"""Building targets from what a user typed or wrote in YAML, and writing them back.

``build_target`` turns the arguments of ``onpace target set`` into a
:class:`~onpace.targets.definition.Target`: it parses the period and the value,
computes a relative target's baseline from the data (once, now) and checks the
phasing. The YAML form (``onpace target import`` / ``export``) is::

    targets:
      - kpi: revenue
        period: "2026"
        value: 1250000
        phasing: seasonal
        why: budget 2026
      - kpi: revenue
        period: 2026-Q3
        by: {rep: ann}
        relative: {baseline: last_year, change: "+10%"}
        why: Ann's quota

An exported relative target carries its ``baseline_value`` so that importing it
again gives the same number even when the data has changed since.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from onpace.errors import SpecError, SpecIssue, TargetError, did_you_mean
from onpace.spec.validation_issues import validation_issues
from onpace.spec.yaml_lines import YamlSyntaxError, load_located
from onpace.targets.actuals import KpiData
from onpace.targets.definition import (
    BASELINES,
    Target,
    TargetPeriod,
    apply_change,
    baseline_period,
    parse_target_period,
    parse_target_value,
    validate_phasing,
)
from onpace.targets.roster import REP_ID_DIMENSIONS, Roster, load_roster


@dataclass(frozen=True)
class TargetInput:
    """A target as a person gives it: on the command line, in the form or the API body."""

    kpi: str
    period: str
    value: str
    by: str | None = None
    relative: str | None = None
    phasing: str = "linear"
    weights: tuple[float, ...] = ()
    floor: str | None = None
    stretch: str | None = None
    new_value: bool = False

    @classmethod
    def read(
        cls,
        kpi: str,
        period: str,
        value: str,
        by: str | None = None,
        relative: str | None = None,
        phasing: str = "linear",
        weights: str | Sequence[float] | None = None,
        floor: str | None = None,
        stretch: str | None = None,
        new_value: bool = False,
    ) -> TargetInput:
        """The fields as typed (blank ones left out), with clear errors for missing ones."""
        if not period.strip():
            raise TargetError(
                "a period is required: 2026, 2026-Q3, 2026-03 or 2026-01-15..2026-03-31"
            )
        if not str(value).strip():
            raise TargetError("a value is required: 1250000, 25% or with a baseline +10%")
        return cls(
            kpi=kpi,
            period=period,
            value=str(value),
            by=by or None,
            relative=relative or None,
            phasing=phasing or "linear",
            weights=parse_weights(weights),
            floor=floor or None,
            stretch=stretch or None,
            new_value=new_value,
        )

    def build(self, data: KpiData, roster: Roster | None = None) -> Target:
        """The target, checked and with a relative value resolved (see :func:`build_target`)."""
        return build_target(
            data,
            self.kpi,
            self.period,
            self.value,
            parse_by(self.by),
            self.relative,
            self.phasing,
            self.weights,
            floor=self.floor,
            stretch=self.stretch,
            new_value=self.new_value,
            roster=roster,
        )


def parse_weights(text: str | Sequence[float] | None) -> tuple[float, ...]:
    """``30,30,40`` -> (30, 30, 40); a list is taken as it is."""
    if text is None:
        return ()
    if not isinstance(text, str):
        return tuple(float(w) for w in text)
    if not text.strip():
        return ()
    try:
        return tuple(float(w) for w in text.split(","))
    except ValueError as exc:
        raise TargetError(f"weights {text!r}: write numbers separated by commas") from exc


def parse_by(text: str | None) -> tuple[str | None, str | None]:
    """``rep=ann`` -> ("rep", "ann")."""
    if not text:
        return None, None
    dim, sep, value = text.partition("=")
    if not sep or not dim.strip() or not value.strip():
        raise TargetError(f"--by {text!r}: write DIMENSION=VALUE, e.g. --by rep=ann")
    return dim.strip(), value.strip()


def check_member(
    data: KpiData,
    kpi: str,
    dimension: str,
    member: str,
    period: TargetPeriod,
    new_value: bool = False,
    roster: Roster | None = None,
) -> str:
    """``member`` as stored: checked against the data, a rep's name turned into their id.

    A value the KPI's data does not hold (``rep.team=Nort``, ``channel=webshop``) is
    refused with the closest ones, unless ``new_value`` says it is not in the data
    yet. A rep can be named by id or by name; a quota for a period the rep did not
    work in (``salespeople.hired_at`` to ``left_at``) is refused.
    """
    roster = roster if roster is not None else load_roster(data.ws)
    if dimension in REP_ID_DIMENSIONS and roster.reps:
        try:
            member = roster.resolve(member)
        except LookupError as exc:
            if not new_value:
                raise TargetError(
                    f"{exc} For a rep not in salespeople yet, add --new-value."
                ) from exc
            return member
        rep = roster.get(member)
        if rep is not None and not rep.employed_during(period.start, period.end):
            raise TargetError(
                f"{rep.display} ({rep.rep_id}) did not work in {period.label} "
                f"({rep.employment()}): a quota needs a rep at work in its period"
            )
        return member
    if new_value:
        return member
    known = data.members(kpi, dimension)
    if member in known:
        return member
    shown = ", ".join(sorted(known)[:12]) + (", ..." if len(known) > 12 else "")
    raise TargetError(
        f"{dimension}={member!r} does not occur in the data of {kpi}."
        + did_you_mean(member, known)
        + f" Its values: {shown or 'none yet'}. For a value not in the data yet, add --new-value."
    )


def check_levels(value: float, floor: float | None, stretch: float | None, direction: str) -> None:
    """Refuse a floor beyond the target or a stretch short of it (the KPI's good way)."""
    better = "above" if direction == "higher" else "below"
    worse = "below" if direction == "higher" else "above"
    sign = 1.0 if direction == "higher" else -1.0
    if floor is not None and sign * (value - floor) < 0:
        raise TargetError(
            f"the floor ({floor:g}) must be {worse} the target ({value:g}): it is the least "
            "that is still acceptable"
        )
    if stretch is not None and sign * (stretch - value) < 0:
        raise TargetError(
            f"the stretch ({stretch:g}) must be {better} the target ({value:g}): it is the "
            "ambitious level"
        )


def build_target(
    data: KpiData,
    kpi: str,
    period: str,
    value: str | float,
    by: tuple[str | None, str | None] = (None, None),
    relative: str | None = None,
    phasing: str = "linear",
    weights: Sequence[float] = (),
    baseline_value: float | None = None,
    *,
    floor: str | float | None = None,
    stretch: str | float | None = None,
    new_value: bool = False,
    roster: Roster | None = None,
) -> Target:
    """A target from user input, with a relative value resolved against its baseline.

    ``floor`` and ``stretch`` are read like ``value`` (and relative to the same
    baseline when ``relative`` is given).
    """
    dimension, dim_value = by
    spec = data.check(kpi, dimension)
    tperiod = parse_target_period(period, data.ws.calendar)
    validate_phasing(phasing, weights, tperiod)
    if dimension is not None and dim_value is not None:
        dim_value = check_member(data, kpi, dimension, dim_value, tperiod, new_value, roster)
    if relative is not None and relative not in BASELINES:
        raise TargetError(f"--relative {relative!r}: use last_year or previous")
    parsed = parse_target_value(str(value), spec.unit, relative is not None)
    base_period = None
    if relative is not None:
        base_period = baseline_period(tperiod, cast(Any, relative), data.ws.calendar)
        if baseline_value is None:
            baseline_value = data.value(kpi, base_period, dimension, dim_value)
    label = base_period.label if base_period else ""
    resolved = apply_change(parsed, baseline_value, label)

    def level(text: str | float | None, name: str) -> float | None:
        if text is None or str(text).strip() == "":
            return None
        if isinstance(text, int | float):  # a number (from YAML or Python) is the level itself
            return float(text)
        try:
            read = parse_target_value(str(text), spec.unit, relative is not None)
        except TargetError as exc:
            raise TargetError(f"{name}: {exc}") from exc
        return apply_change(read, baseline_value, label)

    low, high = level(floor, "floor"), level(stretch, "stretch")
    check_levels(resolved, low, high, spec.direction)
    if relative is None:
        baseline_value = None
    return Target(
        kpi=kpi,
        period=tperiod,
        value=resolved,
        dimension=dimension,
        dimension_value=dim_value,
        basis=parsed.basis,
        change_kind=parsed.change_kind,
        change=parsed.amount if parsed.basis == "relative" else None,
        baseline=cast(Any, relative),
        baseline_period=base_period.label if base_period else None,
        baseline_value=baseline_value,
        phasing=cast(Any, phasing),
        weights=tuple(float(w) for w in weights),
        floor=low,
        stretch=high,
    )


class _Relative(BaseModel):
    model_config = ConfigDict(extra="forbid")
    baseline: Literal["last_year", "previous"]
    change: str
    baseline_value: float | None = None


class TargetEntry(BaseModel):
    """One target in a targets YAML file."""

    model_config = ConfigDict(extra="forbid")
    kpi: str
    period: str
    value: float | None = None
    relative: _Relative | None = None
    by: dict[str, str] = Field(default_factory=dict)
    phasing: Literal["linear", "seasonal", "weights"] = "linear"
    weights: list[float] = Field(default_factory=list)
    floor: float | str | None = None
    stretch: float | str | None = None
    new_value: bool = False
    why: str


class TargetsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    targets: list[TargetEntry] = Field(default_factory=list)


def read_targets_file(data: KpiData, file: Path) -> list[tuple[Target, str]]:
    """Every target in ``file`` with its reason; all problems reported at once."""
    try:
        doc = load_located(file)
    except YamlSyntaxError as exc:
        raise SpecError([SpecIssue("error", file, exc.line, "(yaml)", exc.message)]) from exc
    except OSError as exc:
        raise TargetError(f"cannot read {file}: {exc.strerror}") from exc
    raw = doc.data or {}
    if isinstance(raw, dict) and isinstance(raw.get("targets"), list):
        for item in raw["targets"]:  # YAML reads 2026 as a number: a period is text
            if isinstance(item, dict) and isinstance(item.get("period"), int):
                item["period"] = str(item["period"])
    try:
        parsed = TargetsFile.model_validate(raw)
    except ValidationError as exc:
        fix = "see docs/targets.md for the targets file format"
        raise SpecError(validation_issues(exc, doc, file, fix=fix)) from exc
    out: list[tuple[Target, str]] = []
    issues: list[SpecIssue] = []
    roster = load_roster(data.ws)
    for i, entry in enumerate(parsed.targets):
        loc = ("targets", i)
        try:
            if (entry.value is None) == (entry.relative is None):
                raise TargetError("give either value or relative")
            if len(entry.by) > 1:
                raise TargetError("by: takes one dimension")
            by = next(iter(entry.by.items()), (None, None))
            rel = entry.relative
            target = build_target(
                data,
                entry.kpi,
                entry.period,
                rel.change if rel else cast(float, entry.value),
                by,
                rel.baseline if rel else None,
                entry.phasing,
                entry.weights,
                rel.baseline_value if rel else None,
                floor=entry.floor,
                stretch=entry.stretch,
                new_value=entry.new_value,
                roster=roster,
            )
            out.append((target, entry.why))
        except TargetError as exc:
            issues.append(SpecIssue("error", file, doc.line_of(loc), f"targets.{i}", str(exc)))
    if issues:
        raise SpecError(issues)
    return out


def _change_text(t: Target) -> str:
    assert t.change is not None
    if t.change_kind == "percent":
        return f"{t.change * 100:+g}%"
    if t.change_kind == "points":
        return f"{t.change * 100:+g}pp"
    return f"{t.change:+g}"


def targets_yaml(targets: Sequence[Target]) -> str:
    """The YAML form of ``targets`` (current revisions), readable by import."""
    items: list[dict[str, Any]] = []
    for t in targets:
        item: dict[str, Any] = {"kpi": t.kpi, "period": t.period.label}
        if t.dimension:
            item["by"] = {t.dimension: t.dimension_value}
        if t.basis == "relative" and t.baseline:
            item["relative"] = {
                "baseline": t.baseline,
                "change": _change_text(t),
                "baseline_value": t.baseline_value,
            }
        else:
            item["value"] = t.value if math.isfinite(t.value) else None
        item["phasing"] = t.phasing
        if t.weights:
            item["weights"] = list(t.weights)
        for name, level in (("floor", t.floor), ("stretch", t.stretch)):
            if level is not None:
                item[name] = level
        item["why"] = t.reason
        items.append(item)
    return yaml.safe_dump({"targets": items}, sort_keys=False, allow_unicode=True)
