"""Read KPI files into models, turning every shape error into a located :class:`SpecIssue`.

Each KPI is validated on its own, so one broken definition neither hides the
errors of the others nor stops the valid ones from loading. Pydantic's error
locations are mapped back to YAML lines through :mod:`onpace.spec.yaml_lines`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from onpace.errors import IssueOwner, SpecIssue, did_you_mean
from onpace.spec.kpi import (
    KPI_TYPES,
    AnyKpi,
    ConversionKpi,
    ConversionSide,
    DerivedKpi,
    DurationKpi,
    Kpi,
    Measure,
    RatioKpi,
    SimpleKpi,
    SnapshotKpi,
)
from onpace.spec.yaml_lines import LocatedDocument, PathKey, YamlSyntaxError, load_located

_KPI_ADAPTER: TypeAdapter[AnyKpi] = TypeAdapter(Kpi)
_MODELS: dict[str, type[BaseModel]] = {
    "simple": SimpleKpi,
    "ratio": RatioKpi,
    "derived": DerivedKpi,
    "snapshot": SnapshotKpi,
    "duration": DurationKpi,
    "conversion": ConversionKpi,
}
_NESTED: dict[str, type[BaseModel]] = {
    "numerator": Measure,
    "denominator": Measure,
    "base": ConversionSide,
    "conversion": ConversionSide,
}


@dataclass(frozen=True)
class KpiSource:
    """Where a KPI was defined, to point later findings at the right line."""

    file: Path | None
    document: LocatedDocument | None
    path: PathKey

    def line(self, *field: str | int) -> int | None:
        if self.document is None:
            return None
        return self.document.line_of((*self.path, *field))


# Keys a KPI file may hold besides ``kpis``: driver trees and funnels, read by onpace.compare.
COMPANION_KEYS: tuple[str, ...] = ("trees", "funnels")


@dataclass
class LoadedKpis:
    """The KPIs that loaded, where each came from, and every issue found on the way.

    ``documents`` are the parsed files, so the trees and funnels written beside
    the KPIs are read from them without parsing the files twice.
    """

    kpis: list[AnyKpi]
    sources: dict[str, KpiSource]
    issues: list[SpecIssue]
    documents: list[LocatedDocument] = field(default_factory=list)


def _fields_for(kpi_type: str | None, loc: tuple[str | int, ...]) -> list[str]:
    """The keys allowed at the place ``loc`` points to, for "did you mean"."""
    model = _MODELS.get(kpi_type or "")
    if model is None:
        return ["type", "name", "label"]
    for part in loc[:-1]:
        if isinstance(part, str) and part in _NESTED and part in model.model_fields:
            model = _NESTED[part]
    return list(model.model_fields)


def _issue_from_error(
    err: Any, raw: Any, doc: LocatedDocument | None, path: PathKey, file: Path | None
) -> SpecIssue:
    loc: tuple[str | int, ...] = tuple(err["loc"])
    kpi_type = raw.get("type") if isinstance(raw, dict) else None
    if loc and loc[0] in KPI_TYPES:
        loc = loc[1:]
    field = ".".join(str(p) for p in loc) or "(kpi)"
    line = doc.line_of((*path, *loc)) if doc else None
    kind = err["type"]
    fix = ""
    if kind == "extra_forbidden":
        key = str(loc[-1])
        message = f"unknown key '{key}'." + did_you_mean(key, _fields_for(kpi_type, loc))
        fix = "remove it or correct its spelling"
    elif kind == "missing":
        message = "required field is missing"
        fix = f"add '{loc[-1]}:'" if loc else ""
    elif kind == "union_tag_not_found":
        field = "type"
        message = "missing 'type'"
        fix = "add type: one of " + ", ".join(KPI_TYPES)
    elif kind == "union_tag_invalid":
        field = "type"
        line = doc.line_of((*path, "type")) if doc else None  # the type: line, not the KPI's
        given = str(kpi_type)
        message = f"unknown type '{given}'." + did_you_mean(given, KPI_TYPES)
        fix = "use one of " + ", ".join(KPI_TYPES)
    elif kind == "literal_error":
        message = f"{err['msg'].lower()}, got {err.get('input')!r}."
        options = err.get("ctx", {}).get("expected", "")  # "'a', 'b' or 'c'"
        message += did_you_mean(str(err.get("input")), re.findall(r"'([^']*)'", options))
    else:
        message = err["msg"]
    return SpecIssue("error", file, line, field, message, fix)


def _defined_again(name: str, file: Path | None, line: int | None, how: str) -> SpecIssue:
    """A second definition of KPI ``name`` (the first one counts)."""
    return SpecIssue(
        "error",
        file,
        line,
        f"{name}.name",
        f"KPI '{name}' {how}",
        "rename or remove one of them",
        owner=IssueOwner("kpi", name),
    )


def parse_kpi_items(
    items: list[Any], doc: LocatedDocument | None, file: Path | None, base: PathKey = ("kpis",)
) -> LoadedKpis:
    """Validate a list of raw KPI mappings; bad ones become issues, good ones models."""
    out = LoadedKpis(kpis=[], sources={}, issues=[])
    for index, raw in enumerate(items):
        path = (*base, index)
        line = doc.line_of(path) if doc else None
        if not isinstance(raw, dict):
            out.issues.append(
                SpecIssue(
                    "error",
                    file,
                    line,
                    f"kpis[{index}]",
                    "a KPI must be a mapping of keys",
                    "start each KPI with '- name: ...'",
                )
            )
            continue
        try:
            kpi = _KPI_ADAPTER.validate_python(raw)
        except ValidationError as exc:
            name = str(raw.get("name", f"kpis[{index}]"))
            for err in exc.errors():
                issue = _issue_from_error(err, raw, doc, path, file)
                out.issues.append(
                    SpecIssue(
                        issue.level,
                        issue.file,
                        issue.line,
                        f"{name}.{issue.field}",
                        issue.message,
                        issue.fix,
                        owner=IssueOwner("kpi", name),
                    )
                )
            continue
        if kpi.name in out.sources:
            out.issues.append(_defined_again(kpi.name, file, line, "is defined twice"))
            continue
        out.kpis.append(kpi)
        out.sources[kpi.name] = KpiSource(file=file, document=doc, path=path)
    return out


def load_kpi_file(file: Path) -> LoadedKpis:
    """Load one kpis/*.yml file: a mapping with a ``kpis:`` list."""
    try:
        doc = load_located(file)
    except YamlSyntaxError as exc:
        return LoadedKpis(
            [],
            {},
            [
                SpecIssue(
                    "error",
                    file,
                    exc.line,
                    "(yaml)",
                    exc.message,
                    "fix the YAML syntax at that line",
                )
            ],
        )
    except OSError as exc:
        return LoadedKpis([], {}, [SpecIssue("error", file, None, "(file)", str(exc))])
    data = doc.data
    if data is None:
        return LoadedKpis([], {}, [])
    allowed = ("kpis", *COMPANION_KEYS)
    if not isinstance(data, dict) or not any(k in data for k in allowed):
        return LoadedKpis(
            [],
            {},
            [
                SpecIssue(
                    "error",
                    file,
                    1,
                    "(file)",
                    "a KPI file is a mapping with a 'kpis:' list",
                    "start the file with 'kpis:' and list the KPIs under it",
                )
            ],
        )
    extra = [k for k in data if k not in allowed]
    issues = [
        SpecIssue(
            "error",
            file,
            doc.line_of((str(k),)),
            str(k),
            f"unknown key '{k}'." + did_you_mean(str(k), allowed),
            "a KPI file holds 'kpis:', and optionally 'trees:' and 'funnels:'",
        )
        for k in extra
    ]
    items = data.get("kpis") or []
    if not isinstance(items, list):
        issues.append(
            SpecIssue(
                "error",
                file,
                doc.line_of(("kpis",)),
                "kpis",
                "'kpis' must be a list",
                "write each KPI as '- name: ...'",
            )
        )
        return LoadedKpis([], {}, issues, [doc])
    loaded = parse_kpi_items(items, doc, file)
    loaded.issues[:0] = issues
    loaded.documents.append(doc)
    return loaded


def merge(parts: list[LoadedKpis]) -> LoadedKpis:
    """Combine several files' KPIs, reporting a name defined in two files."""
    out = LoadedKpis([], {}, [])
    for part in parts:
        out.issues.extend(part.issues)
        out.documents.extend(part.documents)
        for kpi in part.kpis:
            source = part.sources[kpi.name]
            if kpi.name in out.sources:
                first = out.sources[kpi.name]
                where = f"is already defined in {first.file}:{first.line()}"
                out.issues.append(_defined_again(kpi.name, source.file, source.line(), where))
                continue
            out.kpis.append(kpi)
            out.sources[kpi.name] = source
    return out
