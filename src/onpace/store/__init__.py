"""The state store: targets and their revisions, in SQLite or PostgreSQL.

>>> store = open_store("sqlite:///state.db")        # doctest: +SKIP
>>> store.set_target(target, author="ann", reason="budget 2026")  # doctest: +SKIP
"""

from onpace.store.store import AppendOnlyError, Store, StoreError, open_store, store_url

__all__ = ["AppendOnlyError", "Store", "StoreError", "open_store", "store_url"]
