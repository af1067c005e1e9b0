"""The exceptions onpace raises, all under one root so callers can catch them together.

::

    OnpaceError
    ├── SpecError            one or more KPI/workspace definitions are invalid (carries every issue)
    ├── FilterError          a filter or expression is not allowed or cannot be read
    ├── WorkspaceError       the workspace folder or onpace.yml cannot be used
    ├── MissingDataError     a KPI needs a table or column the warehouse does not have
    └── UnknownNameError     a KPI, dimension or period that does not exist (with "did you mean")
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal


class OnpaceError(Exception):
    """Root of every error onpace raises on purpose."""


@dataclass(frozen=True)
class SpecIssue:
    """One problem in a definition: where it is, what is wrong, and how to fix it."""

    level: Literal["error", "warning"]
    file: Path | None
    line: int | None
    field: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file is not None else "<spec>"
        text = f"{where}: {self.level}: {self.field}: {self.message}"
        return f"{text} ({self.fix})" if self.fix else text


class SpecError(OnpaceError):
    """Definitions are invalid; ``issues`` lists every problem found, not only the first."""

    def __init__(self, issues: Sequence[SpecIssue]) -> None:
        self.issues = list(issues)
        errors = [i for i in self.issues if i.level == "error"]
        head = f"{len(errors)} error(s) in the definitions"
        super().__init__("\n".join([head, *(str(i) for i in errors)]))


class FilterError(OnpaceError):
    """A filter or derived expression uses something outside the allowed set."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message if not fix else f"{message} ({fix})")
        self.message = message
        self.fix = fix


class WorkspaceError(OnpaceError):
    """The workspace cannot be opened or used as configured."""


class MissingDataError(OnpaceError):
    """The warehouse lacks a table or column that a KPI reads."""


class UnknownNameError(OnpaceError):
    """A name that does not exist; the message suggests the closest ones."""


def did_you_mean(name: str, options: Iterable[str]) -> str:
    """' Did you mean x?' for the closest option, or an empty string."""
    close = difflib.get_close_matches(name, list(options), n=2, cutoff=0.6)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"
