"""Engines, sessions and where the database is."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
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


def _drop_at_once(dbapi_connection: Any, record: Any, error: BaseException | None) -> None:
    """An invalidated connection is closed without a goodbye.

    SQLAlchemy first tries a polite close, which waits up to two seconds for a server that may be
    the very reason the connection is being dropped (a frozen one never answers); terminating the
    asyncpg connection first turns that wait into nothing.
    """
    raw = getattr(dbapi_connection, "_connection", None)  # SQLAlchemy's adapter -> asyncpg
    if raw is not None and not raw.is_closed():
        raw.terminate()


def create_engine(url: str, settings: Settings, *, pooled: bool = True) -> AsyncEngine:
    if pooled:
        engine = create_async_engine(
            url,
            pool_pre_ping=True,
            pool_timeout=settings.db_statement_timeout,
            connect_args=connect_args(settings),
        )
    else:  # one-off work (migrations, loading): no connection outlives it
        engine = create_async_engine(url, poolclass=NullPool, connect_args=connect_args(settings))
    event.listen(engine.sync_engine, "invalidate", _drop_at_once)
    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
