"""The migrations build exactly the schema the models describe, and can be undone."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import app.auth.models  # noqa: F401  (registers the tables)
import app.knowledge.models  # noqa: F401
from app.db.base import Base
from app.db.connection import create_engine
from app.db.migrate import alembic_config, upgrade_to_head
from app.settings import Settings
from tests.conftest import create_database, drop_database


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_downgrade_to_base_removes_every_table(server_url: str) -> None:
    url = await asyncio.to_thread(create_database, server_url, prefix="fa_downgrade")
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        await asyncio.to_thread(command.downgrade, alembic_config(url), "base")
        engine = create_engine(url, Settings(database_url=url))
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        await engine.dispose()
        assert tables == ["alembic_version"]
    finally:
        await asyncio.to_thread(drop_database, url)
