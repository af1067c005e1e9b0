"""The error an ingest stops with: a message a user can act on, never a traceback."""

from __future__ import annotations

from onpace.errors import OnpaceError, SpecIssue


class IngestError(OnpaceError):
    """A source cannot be read or mapped; nothing is loaded when this is raised.

    ``fix`` says what to do; ``issues`` carries located sources.yml problems.
    """

    def __init__(self, message: str, fix: str = "", issues: list[SpecIssue] | None = None) -> None:
        super().__init__(message if not fix else f"{message} ({fix})")
        self.message = message
        self.fix = fix
        self.issues = issues or []
