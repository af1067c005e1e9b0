"""The state store: targets and their revisions, in SQLite or PostgreSQL.

>>> store = open_store("sqlite:///state.db")        # doctest: +SKIP
>>> store.set_target(target, author="ann", reason="budget 2026")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from onpace.errors import AppendOnlyError, StoreError
from onpace.store.state_store import Store, open_store, store_url

if TYPE_CHECKING:
    from onpace.workspace import Workspace

__all__ = ["AppendOnlyError", "Store", "StoreError", "open_store", "store_url", "workspace_store"]


def workspace_store(ws: Workspace) -> Store:
    """The store of a workspace: ``state_url`` from onpace.yml, or state.db in it."""
    return open_store(store_url(ws.config.state_url, ws.root), ws.root)
