"""onpace: sales KPIs as a percentage of their targets.

The public surface::

    import onpace
    ws = onpace.Workspace.open("my-workspace")
    ws.compute(["revenue", "quote_win_rate"], grain="quarter", by="rep")
    ws.scorecard(period="2026-Q4")            # onpace.Scorecard, as on every screen
    ws.status(period="2026-Q4", by="rep")     # the rows with a target: list[ScorecardRow]
    ws.targets()                              # list[onpace.Target]
    ws.check()                                # onpace.SmartReport

The types these return (``Scorecard``, ``ScorecardRow``, ``Target``, ``SmartReport``,
``Finding``) are exported here for type hints.
"""

from typing import TYPE_CHECKING, Any

from onpace.errors import (
    AppendOnlyError,
    AttributionError,
    AuthError,
    BackupError,
    DeliveryError,
    FilterError,
    IngestError,
    IssueOwner,
    MissingDataError,
    OnpaceError,
    RequestError,
    SpecError,
    SpecIssue,
    StoreDamagedError,
    StoreError,
    StoreMissingError,
    TargetError,
    UnknownNameError,
    WarehouseBusyError,
    WorkspaceError,
    YamlSyntaxError,
)

if TYPE_CHECKING:
    from onpace.targets.definition import Target
    from onpace.targets.smart import Finding, SmartReport
    from onpace.views.scorecard import Scorecard, ScorecardRow
    from onpace.workspace import Workspace

__version__ = "0.1.0"

__all__ = [
    "AppendOnlyError",
    "AttributionError",
    "AuthError",
    "BackupError",
    "DeliveryError",
    "FilterError",
    "Finding",
    "IngestError",
    "IssueOwner",
    "MissingDataError",
    "OnpaceError",
    "RequestError",
    "Scorecard",
    "ScorecardRow",
    "SmartReport",
    "SpecError",
    "SpecIssue",
    "StoreDamagedError",
    "StoreError",
    "StoreMissingError",
    "Target",
    "TargetError",
    "UnknownNameError",
    "WarehouseBusyError",
    "Workspace",
    "WorkspaceError",
    "YamlSyntaxError",
    "__version__",
]


_LAZY = {
    "Workspace": "onpace.workspace",
    "Scorecard": "onpace.views.scorecard",
    "ScorecardRow": "onpace.views.scorecard",
    "Target": "onpace.targets.definition",
    "SmartReport": "onpace.targets.smart",
    "Finding": "onpace.targets.smart",
}


def __getattr__(name: str) -> Any:
    # Workspace pulls in Ibis and pandas; load it on first use so that commands
    # that never compute (onpace --help, onpace init) start quickly.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'onpace' has no attribute {name!r}")
