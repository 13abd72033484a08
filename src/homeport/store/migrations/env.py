"""Alembic environment: runs on the connection homeport.store.migrate hands over."""

from __future__ import annotations

from alembic import context

from homeport.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode recreates tables
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
