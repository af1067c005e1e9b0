"""Alembic environment: migrations run on the connection the store hands over.

The store never runs Alembic from a command line or an ini file; it passes its
open connection in ``config.attributes["connection"]`` so that the same code
migrates SQLite and PostgreSQL, inside the caller's transaction.
"""

from __future__ import annotations

from alembic import context

from onpace.store.tables import VERSION_TABLE, Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
