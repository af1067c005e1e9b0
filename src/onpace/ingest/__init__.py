"""Bring a business's own data in: sources.yml maps files and tables onto the sales model.

>>> from onpace.ingest import ingest_workspace              # doctest: +SKIP
>>> result = ingest_workspace(Workspace.open("shop"))       # doctest: +SKIP
>>> result.read == result.loaded + result.quarantined       # doctest: +SKIP
True
"""

from onpace.errors import IngestError
from onpace.ingest.run import (
    QUARANTINE_TABLE,
    IngestResult,
    SourceResult,
    ingest_workspace,
    load_workspace_sources,
)
from onpace.ingest.source_spec import SOURCES_FILE, load_sources

__all__ = [
    "QUARANTINE_TABLE",
    "SOURCES_FILE",
    "IngestError",
    "IngestResult",
    "SourceResult",
    "ingest_workspace",
    "load_sources",
    "load_workspace_sources",
]
