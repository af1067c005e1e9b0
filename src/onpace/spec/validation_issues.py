"""Turn pydantic validation errors of a YAML file into located :class:`SpecIssue` objects.

onpace.yml, objectives.yml, targets files and sources.yml are all validated by
pydantic models and all report problems the same way: the file, the YAML line of
the field (through :mod:`onpace.spec.yaml_lines`), the field's dotted path, the
message without pydantic's "Value error, " prefix, and a fix.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from onpace.errors import IssueOwner, SpecIssue, did_you_mean
from onpace.spec.yaml_lines import LocatedDocument

Loc = tuple[str | int, ...]


def validation_issues(
    exc: ValidationError,
    doc: LocatedDocument | None,
    file: Path | None,
    *,
    fix: str = "",
    keep: Callable[[str | int], bool] = lambda part: True,
    skip: Callable[[Any], bool] = lambda err: False,
    allowed_keys: Callable[[Loc], list[str]] | None = None,
    owner: Callable[[Loc], IssueOwner | None] = lambda loc: None,
) -> list[SpecIssue]:
    """One issue per error of ``exc``.

    ``keep`` drops parts of an error's location that are not keys in the file (the
    names pydantic gives union members and validators); ``skip`` drops errors that
    another error explains better. With ``allowed_keys``, an unknown key gets a
    "did you mean" and the list of keys allowed at its place, and a missing field
    says which key to add; otherwise every issue carries ``fix``. ``owner`` names the
    objective or source an error's location belongs to.
    """
    issues: list[SpecIssue] = []
    for err in exc.errors():
        if skip(err):
            continue
        loc: Loc = tuple(p for p in err["loc"] if keep(p))
        message = str(err["msg"]).removeprefix("Value error, ")
        hint = fix
        if allowed_keys is not None and err["type"] == "extra_forbidden" and loc:
            key = str(loc[-1])
            options = allowed_keys(loc)
            message = f"unknown key '{key}'." + did_you_mean(key, options)
            hint = "allowed here: " + ", ".join(options) if options else "remove it"
        elif allowed_keys is not None and err["type"] == "missing":
            message = "required field is missing"
            hint = f"add '{loc[-1]}:'" if loc else ""
        line = doc.line_of(loc) if doc is not None else None
        field = ".".join(str(p) for p in loc) or "(file)"
        issues.append(SpecIssue("error", file, line, field, message, hint, owner(loc)))
    return issues
