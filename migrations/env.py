"""Alembic environment: async, URL from the service settings unless the caller passes one."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import app.auth.models  # noqa: F401  (registers the tables on the metadata)
import app.knowledge.models  # noqa: F401
from app.db.base import Base
from app.db.connection import create_engine, resolve_database_url
from app.settings import Settings

config = context.config
target_metadata = Base.metadata


def _settings() -> Settings:
    given = config.attributes.get("settings")
    return given if isinstance(given, Settings) else Settings()


def _url() -> str:
    explicit = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    return str(explicit) if explicit else resolve_database_url(_settings())


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    # The same connect, command and statement timeouts as the service: an unresponsive host
    # fails the migration quickly instead of blocking the start.
    engine = create_engine(_url(), _settings(), pooled=False)
    async with engine.connect() as connection:
        await connection.run_sync(_run_sync)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
