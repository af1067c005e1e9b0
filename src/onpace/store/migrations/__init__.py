"""Alembic migrations of the state store; run on open by :func:`onpace.store.open_store`."""
