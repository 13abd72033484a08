"""Migrations build exactly the schema the code expects, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from homeport.services import Services
from homeport.store.migrate import current_revision, head_revision, upgrade
from homeport.store.tables import metadata


async def test_the_migrated_schema_matches_the_table_definitions(services: Services) -> None:
    """No difference between the migrations' result and store/tables.py."""
    async with services.engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
        )

    assert differences == []


async def test_upgrading_twice_is_harmless_and_reaches_head(services: Services) -> None:
    """``homeport db upgrade`` on an up-to-date database changes nothing."""
    await upgrade(services.engine)

    assert await current_revision(services.engine) == head_revision()
