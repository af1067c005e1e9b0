"""The exceptions onpace raises, all under one root so callers can catch them together.

::

    OnpaceError
    ├── SpecError            one or more definitions are invalid (carries every issue)  [ValueError]
    ├── FilterError          a filter or expression is not allowed or cannot be read    [ValueError]
    ├── YamlSyntaxError      a definition file is not valid YAML (file and line)        [ValueError]
    ├── WorkspaceError       the workspace folder or onpace.yml cannot be used
    │   └── WarehouseBusyError  another process is writing the warehouse (says who)
    ├── MissingDataError     a KPI needs a table or column the warehouse does not have
    ├── UnknownNameError     a KPI, dimension or period that does not exist          [LookupError]
    ├── RequestError         a compute request that cannot be answered as asked         [ValueError]
    ├── TargetError          a target that cannot be set or used as given               [ValueError]
    ├── AttributionError     a change that cannot be split over drivers or members     [ValueError]
    ├── IngestError          a source cannot be read or mapped; nothing was loaded
    ├── StoreError           the state store cannot be opened or written
    │   ├── AppendOnlyError  an attempt to change or delete a stored revision
    │   ├── StoreMissingError  a state store or warehouse that held data is gone or empty
    │   └── StoreDamagedError  a state store or warehouse file that cannot be read
    ├── BackupError          a backup that cannot be made or restored as asked
    ├── AuthError            a user, token or session request that cannot be done
    └── DeliveryError        an alert or digest could not be sent (recorded, never fatal)

The bracketed built-in is mixed in, so code that catches ``ValueError`` or
``LookupError`` keeps working with onpace underneath.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Self


class OnpaceError(Exception):
    """Root of every error onpace raises on purpose.

    ``str()`` is the English sentence. An error a reader may meet on a page can also
    carry its ``reason`` (a message id: ``reason_required``) and the ``details`` it
    names (``{"period": "2024-Q1"}``), set with :meth:`keyed`, so the web layer can say
    the same thing in the reader's language from its catalogs instead of parsing
    the sentence. An error without a reason is shown as its sentence.
    """

    reason: str = ""
    details: Mapping[str, Any] = MappingProxyType({})

    def keyed(self, reason: str, **details: Any) -> Self:
        """This error with its message id and values (``raise X("...").keyed("id", a=1)``)."""
        self.reason = reason
        self.details = details
        return self


OwnerKind = Literal["kpi", "objective", "source", "tree", "funnel", "alert"]


@dataclass(frozen=True)
class IssueOwner:
    """The definition an issue belongs to: a KPI, an objective, a source, a driver tree
    (``revenue/default``) or a funnel, by name."""

    kind: OwnerKind
    name: str

    def __str__(self) -> str:
        return f"{self.kind} '{self.name}'"


@dataclass(frozen=True)
class SpecIssue:
    """One problem in a definition: where it is, what is wrong, and how to fix it.

    ``field`` is the dotted path shown to the user; ``owner`` names the KPI, objective
    or source the field belongs to (None for problems of a whole file), so callers
    never have to parse it back out of ``field``.
    """

    level: Literal["error", "warning"]
    file: Path | None
    line: int | None
    field: str
    message: str
    fix: str = ""
    owner: IssueOwner | None = None

    @property
    def kpi(self) -> str | None:
        """The name of the KPI this issue belongs to, if it belongs to one."""
        return self.owner.name if self.owner is not None and self.owner.kind == "kpi" else None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.file is not None else "<spec>"
        text = f"{where}: {self.level}: {self.field}: {self.message}"
        return f"{text} ({self.fix})" if self.fix else text


class SpecError(OnpaceError, ValueError):
    """Definitions are invalid; ``issues`` lists every problem found, not only the first."""

    def __init__(self, issues: Sequence[SpecIssue]) -> None:
        self.issues = list(issues)
        errors = [i for i in self.issues if i.level == "error"]
        head = f"{len(errors)} error(s) in the definitions"
        super().__init__("\n".join([head, *(str(i) for i in errors)]))


class FilterError(OnpaceError, ValueError):
    """A filter or derived expression uses something outside the allowed set."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message if not fix else f"{message} ({fix})")
        self.message = message
        self.fix = fix


class YamlSyntaxError(OnpaceError, ValueError):
    """A YAML file cannot be parsed; carries the file and the line of the problem."""

    def __init__(self, file: Path, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line
        self.message = message


class WorkspaceError(OnpaceError):
    """The workspace cannot be opened or used as configured."""


class WarehouseBusyError(WorkspaceError):
    """The warehouse is being written by another process; the message says who and what to do."""


class MissingDataError(OnpaceError):
    """The warehouse lacks a table or column that a KPI reads."""


class UnknownNameError(OnpaceError, LookupError):
    """A name that does not exist; the message suggests the closest ones."""


class RequestError(OnpaceError, ValueError):
    """A compute request that cannot be answered as asked.

    An unreadable period (``2017-13``), an empty range, both ``end`` and ``end_before``,
    or ``top`` without a dimension to rank; the message says what to give instead.
    """


class TargetError(OnpaceError, ValueError):
    """A target that cannot be set or used as given; the message says how to fix it."""


class AttributionError(OnpaceError, ValueError):
    """A change that cannot be split as asked (a driver without a value, a log of 0)."""


class IngestError(OnpaceError):
    """A source cannot be read or mapped; nothing is loaded when this is raised.

    ``fix`` says what to do; ``issues`` carries located sources.yml problems.
    """

    def __init__(self, message: str, fix: str = "", issues: list[SpecIssue] | None = None) -> None:
        super().__init__(message if not fix else f"{message} ({fix})")
        self.message = message
        self.fix = fix
        self.issues = issues or []


class StoreError(OnpaceError):
    """The state store cannot be opened or written."""


class AppendOnlyError(StoreError):
    """An attempt to change or delete a stored revision: history is never rewritten."""


class StoreMissingError(StoreError):
    """A store the workspace had data in is gone or empty; the message says how to restore it.

    SQLite and DuckDB would silently make a new empty database in its place, losing
    users, tokens, targets and the audit log without a word; onpace refuses instead.
    """


class StoreDamagedError(StoreError):
    """A state store or warehouse file that cannot be read; one line with what to do."""


class BackupError(OnpaceError):
    """A backup that cannot be made, or an archive that cannot be restored where asked."""


class DeliveryError(OnpaceError):
    """A message could not be delivered; senders record it and carry on."""


class AuthError(OnpaceError):
    """A user, token or session request that cannot be done (with the reason).

    ``str()`` is the English sentence the command line prints; ``reason`` names the
    refusal (``user_exists``) and ``details`` its values (``{"name": "ann"}``), so a
    page can say the same thing in its reader's language without parsing the sentence.
    """

    def __init__(self, message: str, reason: str = "", **details: Any) -> None:
        super().__init__(message)
        self.reason = reason
        self.details = details


def did_you_mean(name: str, options: Iterable[str]) -> str:
    """' Did you mean x?' for the closest option, or an empty string."""
    close = difflib.get_close_matches(name, list(options), n=2, cutoff=0.6)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"
