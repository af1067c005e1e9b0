"""Change objectives.yml from the command line, keeping the file's comments and layout.

objectives.yml is written by people and read by onpace; edits made here go through
ruamel.yaml's round-trip mode so the comments and ordering people wrote survive.
Every edit is validated as a whole (names, KPI references, weights) before the file
is replaced, and the replacement is atomic: a rejected edit changes nothing.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from onpace.errors import SpecError, UnknownNameError, WorkspaceError, did_you_mean
from onpace.objectives.tree import load_objectives
from onpace.spec.kpi import NAME_PATTERN

HEADER = "# Strategic objectives: long-term goals and the KPIs that measure them.\n"


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _read(file: Path) -> CommentedMap:
    if not file.exists():
        data = CommentedMap()
        data["objectives"] = CommentedSeq()
        return data
    loaded = _yaml().load(file.read_text(encoding="utf-8"))
    if loaded is None:
        loaded = CommentedMap()
    if not isinstance(loaded, CommentedMap):
        raise WorkspaceError(f"{file} must be a mapping with an 'objectives:' list")
    if loaded.get("objectives") is None:
        loaded["objectives"] = CommentedSeq()
    return loaded


def _walk(items: Any) -> list[CommentedMap]:
    out: list[CommentedMap] = []
    for item in items or []:
        if isinstance(item, CommentedMap):
            out.append(item)
            out.extend(_walk(item.get("objectives")))
    return out


def _find(data: CommentedMap, name: str) -> CommentedMap:
    everything = _walk(data["objectives"])
    for obj in everything:
        if obj.get("name") == name:
            return obj
    names = [str(o.get("name")) for o in everything]
    raise UnknownNameError(
        f"unknown objective '{name}'."
        + did_you_mean(name, names)
        + (
            f" Objectives: {', '.join(names)}"
            if names
            else " There are no objectives yet: add one first."
        )
    ).keyed("unknown_objective", name=name)


def _check_links(weights: Mapping[str, float], kpis: Mapping[str, Any]) -> None:
    """Refuse a link to a KPI the workspace does not define (naming the closest one),
    or with a weight that is not above 0."""
    for name, weight in weights.items():
        if not math.isfinite(weight) or weight <= 0:
            raise WorkspaceError(
                "a weight must be a number above 0; unlink the KPI to drop it"
            ).keyed("weight_not_positive")
        if name not in kpis:
            raise UnknownNameError(f"unknown KPI '{name}'." + did_you_mean(name, kpis)).keyed(
                "unknown_kpi", kpi=name
            )


def _write_checked(root: Path, filename: str, data: CommentedMap, kpis: Mapping[str, Any]) -> Path:
    """Validate ``data`` as the new objectives file, then replace the file atomically."""
    file = root / filename
    buffer = io.StringIO()
    if not file.exists():
        buffer.write(HEADER)
    _yaml().dump(data, buffer)
    text = buffer.getvalue()
    fd, tmp_name = tempfile.mkstemp(prefix=".objectives-", suffix=".yml", dir=root)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        checked = load_objectives(root, tmp.name, kpis)
        errors = [i for i in checked.issues if i.level == "error"]
        if errors:
            raise SpecError(errors)
        os.replace(tmp, file)
    finally:
        tmp.unlink(missing_ok=True)
    return file


def add_objective(
    root: Path,
    filename: str,
    kpis: Mapping[str, Any],
    name: str,
    label: str,
    parent: str | None = None,
    horizon: str | None = None,
    owner: str | None = None,
    weights: Mapping[str, float] | None = None,
    description: str | None = None,
) -> Path:
    """Add an objective (under ``parent`` when given) with KPI weights."""
    if not NAME_PATTERN.match(name):
        raise WorkspaceError(
            f"objective name '{name}' must be snake_case, starting with a letter (e.g. grow_sales)"
        ).keyed("objective_name", name=name)
    if not label.strip():
        raise WorkspaceError(f"objective '{name}' needs a label").keyed("objective_label")
    _check_links(weights or {}, kpis)
    data = _read(root / filename)
    if any(o.get("name") == name for o in _walk(data["objectives"])):
        raise WorkspaceError(f"objective '{name}' exists already").keyed(
            "objective_exists", name=name
        )
    obj = CommentedMap()
    obj["name"] = name
    obj["label"] = label
    if description:
        obj["description"] = description
    if horizon:
        obj["horizon"] = horizon
    if owner:
        obj["owner"] = owner
    if weights:
        links = CommentedMap()
        for kpi, weight in weights.items():
            links[kpi] = weight
        links.fa.set_flow_style()
        obj["kpis"] = links
    if parent:
        holder = _find(data, parent)
        if holder.get("objectives") is None:
            holder["objectives"] = CommentedSeq()
        holder["objectives"].append(obj)
    else:
        data["objectives"].append(obj)
    return _write_checked(root, filename, data, kpis)


def link_kpi(
    root: Path,
    filename: str,
    kpis: Mapping[str, Any],
    objective: str,
    kpi: str,
    weight: float = 1.0,
) -> Path:
    """Link ``kpi`` to ``objective`` with ``weight`` (or change the weight of the link)."""
    _check_links({kpi: weight}, kpis)
    data = _read(root / filename)
    obj = _find(data, objective)
    if obj.get("kpis") is None:
        links = CommentedMap()
        links.fa.set_flow_style()
        obj["kpis"] = links
    obj["kpis"][kpi] = weight
    return _write_checked(root, filename, data, kpis)


def unlink_kpi(
    root: Path, filename: str, kpis: Mapping[str, Any], objective: str, kpi: str
) -> Path:
    """Remove the link between ``kpi`` and ``objective``."""
    data = _read(root / filename)
    obj = _find(data, objective)
    links = obj.get("kpis") or {}
    if kpi not in links:
        raise UnknownNameError(
            f"'{kpi}' is not linked to objective '{objective}'." + did_you_mean(kpi, list(links))
        ).keyed("not_linked", kpi=kpi, objective=objective)
    del links[kpi]
    return _write_checked(root, filename, data, kpis)
