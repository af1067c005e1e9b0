"""onpace: sales KPIs as a percentage of their targets.

The public surface::

    import onpace
    ws = onpace.Workspace.open("my-workspace")
    ws.compute(["revenue", "quote_win_rate"], grain="quarter", by="rep")
"""

from typing import TYPE_CHECKING, Any

from onpace.errors import (
    AppendOnlyError,
    AttributionError,
    AuthError,
    FilterError,
    IngestError,
    IssueOwner,
    MissingDataError,
    OnpaceError,
    RequestError,
    SpecError,
    SpecIssue,
    StoreError,
    TargetError,
    UnknownNameError,
    WarehouseBusyError,
    WorkspaceError,
    YamlSyntaxError,
)

if TYPE_CHECKING:
    from onpace.workspace import Workspace

__version__ = "0.1.0"

__all__ = [
    "AppendOnlyError",
    "AttributionError",
    "AuthError",
    "FilterError",
    "IngestError",
    "IssueOwner",
    "MissingDataError",
    "OnpaceError",
    "RequestError",
    "SpecError",
    "SpecIssue",
    "StoreError",
    "TargetError",
    "UnknownNameError",
    "WarehouseBusyError",
    "Workspace",
    "WorkspaceError",
    "YamlSyntaxError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # Workspace pulls in Ibis and pandas; load it on first use so that commands
    # that never compute (onpace --help, onpace init) start quickly.
    if name == "Workspace":
        from onpace.workspace import Workspace

        return Workspace
    raise AttributeError(f"module 'onpace' has no attribute {name!r}")
