"""onpace: sales KPIs as a percentage of their targets.

The public surface::

    import onpace
    ws = onpace.Workspace.open("my-workspace")
    ws.compute(["revenue", "quote_win_rate"], grain="quarter", by="rep")
"""

from onpace.errors import (
    FilterError,
    MissingDataError,
    OnpaceError,
    SpecError,
    SpecIssue,
    UnknownNameError,
    WorkspaceError,
)
from onpace.workspace import Workspace

__version__ = "0.1.0"

__all__ = [
    "FilterError",
    "MissingDataError",
    "OnpaceError",
    "SpecError",
    "SpecIssue",
    "UnknownNameError",
    "Workspace",
    "WorkspaceError",
    "__version__",
]
