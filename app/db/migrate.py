"""Run Alembic migrations from code (CLI, tests) and report where a database stands."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def alembic_config(database_url: str, settings: Settings | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    if settings is not None:  # its database timeouts; env.py reads the environment otherwise
        config.attributes["settings"] = settings
    return config


def upgrade_to_head(database_url: str, settings: Settings | None = None) -> None:
    """Migrate to head. Synchronous: env.py runs its own event loop, so call it off-loop."""
    command.upgrade(alembic_config(database_url, settings), "head")


def head_revisions() -> frozenset[str]:
    script = ScriptDirectory.from_config(alembic_config("postgresql+asyncpg://unused"))
    return frozenset(script.get_heads())


async def current_revisions(connection: AsyncConnection) -> frozenset[str]:
    """The revisions the database is at (none before its first migration).

    Read from Alembic's version table directly: a MigrationContext would log two lines at info on
    every readiness probe.
    """
    if not await connection.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL")):
        return frozenset()
    return frozenset(await connection.scalars(text("SELECT version_num FROM alembic_version")))
