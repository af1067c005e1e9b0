"""The built-in KPI catalog and the business templates that pick from it.

The catalog is plain YAML inside the package (``catalog/kpis/*.yml``), loaded and
validated exactly like a user's own KPI files, so every built-in definition is
also an example of the spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from onpace.errors import SpecError, UnknownNameError, did_you_mean
from onpace.spec.kpi import AnyKpi
from onpace.spec.loader import load_kpi_file, merge
from onpace.spec.validate import validate_kpis

AREAS: tuple[str, ...] = (
    "sales",
    "team",
    "customers",
    "satisfaction",
    "service",
    "profit",
    "pipeline",
    "web",
    "finance",
)


def _folder(name: str) -> Path:
    return Path(str(resources.files("onpace.catalog").joinpath(name)))


def catalog_files() -> list[Path]:
    """The catalog's YAML files, in a stable order."""
    return sorted(_folder("kpis").glob("*.yml"))


def load_catalog() -> dict[str, AnyKpi]:
    """Every built-in KPI by name; raises if the catalog itself is invalid."""
    return dict(_catalog())


@lru_cache(maxsize=1)
def _catalog() -> dict[str, AnyKpi]:
    # package data never changes while the process runs: read and validate it once
    loaded = merge([load_kpi_file(f) for f in catalog_files()])
    issues = loaded.issues + validate_kpis(loaded.kpis, loaded.sources)
    if any(i.level == "error" for i in issues):
        raise SpecError(issues)
    return {k.name: k for k in loaded.kpis}


@dataclass(frozen=True)
class Template:
    """A kind of business and the catalog KPIs that fit it."""

    name: str
    label: str
    description: str
    kpis: tuple[str, ...]


def templates() -> dict[str, Template]:
    """Every business template by name."""
    catalog = load_catalog()
    out: dict[str, Template] = {}
    for file in sorted(_folder("templates").glob("*.yml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        names = tuple(catalog) if data["kpis"] == "all" else tuple(data["kpis"])
        unknown = [n for n in names if n not in catalog]
        if unknown:
            raise UnknownNameError(f"template {file.name} names unknown KPIs: {unknown}")
        out[data["name"]] = Template(data["name"], data["label"], data["description"], names)
    return out


def template(name: str) -> Template:
    """The template called ``name``."""
    known = templates()
    if name not in known:
        raise UnknownNameError(
            f"unknown template '{name}'."
            + did_you_mean(name, known)
            + " Templates: "
            + ", ".join(known)
        )
    return known[name]
