"""Engines, sessions and where the database is."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio.session import AsyncSession
from sqlalchemy.pool import NullPool

from app.db.embedded import start_embedded_postgres
from app.settings import Settings


def resolve_database_url(settings: Settings) -> str:
    """DATABASE_URL when set, otherwise the embedded PostgreSQL (started on demand)."""
    if settings.database_url:
        return settings.database_url
    return start_embedded_postgres(settings.data_dir)


def connect_args(settings: Settings) -> dict[str, Any]:
    """asyncpg's bounds on every connection: to open it, per command, and per statement.

    The statement timeout stops a slow query on the server; the command timeout stops waiting on a
    server that no longer answers at all (frozen, or cut off), which a server-side timeout cannot.
    """
    return {
        "timeout": settings.db_connect_timeout,
        "command_timeout": settings.db_statement_timeout,
        "server_settings": {"statement_timeout": str(round(settings.db_statement_timeout * 1000))},
    }


def create_engine(url: str, settings: Settings, *, pooled: bool = True) -> AsyncEngine:
    if not pooled:  # one-off work (migrations, loading): no connection outlives it
        return create_async_engine(url, poolclass=NullPool, connect_args=connect_args(settings))
    return create_async_engine(
        url,
        pool_pre_ping=True,
        pool_timeout=settings.db_statement_timeout,
        connect_args=connect_args(settings),
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
