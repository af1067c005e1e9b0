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
from pathlib import Path
from typing import Any, Literal, cast

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from onpace.errors import SpecError, SpecIssue, TargetError
from onpace.spec.validation_issues import validation_issues
from onpace.spec.yaml_lines import YamlSyntaxError, load_located
from onpace.targets.actuals import KpiData
from onpace.targets.definition import (
    BASELINES,
    Target,
    apply_change,
    baseline_period,
    parse_target_period,
    parse_target_value,
    validate_phasing,
)


def parse_by(text: str | None) -> tuple[str | None, str | None]:
    """``rep=ann`` -> ("rep", "ann")."""
    if not text:
        return None, None
    dim, sep, value = text.partition("=")
    if not sep or not dim.strip() or not value.strip():
        raise TargetError(f"--by {text!r}: write DIMENSION=VALUE, e.g. --by rep=ann")
    return dim.strip(), value.strip()


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
) -> Target:
    """A target from user input, with a relative value resolved against its baseline."""
    dimension, dim_value = by
    spec = data.check(kpi, dimension)
    tperiod = parse_target_period(period, data.ws.calendar)
    validate_phasing(phasing, weights, tperiod)
    if relative is not None and relative not in BASELINES:
        raise TargetError(f"--relative {relative!r}: use last_year or previous")
    parsed = parse_target_value(str(value), spec.unit, relative is not None)
    base_period = None
    if relative is not None:
        base_period = baseline_period(tperiod, cast(Any, relative), data.ws.calendar)
        if baseline_value is None:
            baseline_value = data.value(kpi, base_period, dimension, dim_value)
    resolved = apply_change(parsed, baseline_value, base_period.label if base_period else "")
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
        item["why"] = t.reason
        items.append(item)
    return yaml.safe_dump({"targets": items}, sort_keys=False, allow_unicode=True)
