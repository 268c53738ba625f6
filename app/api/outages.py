"""Database outages as answers: a deadline on every route that reads the database, and the
errors that mean "the database is not there" recognised as such.

A catalog request that cannot reach the database, or does not hear back from it within the
statement timeout, answers 503 problem+json with Retry-After (see app.api.errors), never 500.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from fastapi.routing import APIRoute
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Receive, Scope, Send

from app.errors import DatabaseUnavailable

# What an unreachable, stopped, frozen or overloaded database raises, through SQLAlchemy or not.
DATABASE_OUTAGES: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, unreachable host
    TimeoutError,  # connect or command timeout
    PoolTimeout,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,  # starting up or shutting down
    asyncpg.QueryCanceledError,  # statement_timeout
    asyncpg.InterfaceError,  # connection closed under us
)


def is_database_outage(error: BaseException) -> bool:
    if isinstance(error, DBAPIError):  # SQLAlchemy's wrapper: judge what it wraps
        return (
            error.connection_invalidated
            or isinstance(error.orig, DATABASE_OUTAGES)
            or type(error).__name__ in ("OperationalError", "InterfaceError")
        )
    return isinstance(error, DATABASE_OUTAGES)


def _with_deadline(app: ASGIApp) -> ASGIApp:
    async def bounded(scope: Scope, receive: Receive, send: Send) -> None:
        settings: Any = scope["app"].state.settings
        seconds: float = settings.db_statement_timeout
        try:
            async with asyncio.timeout(seconds):
                await app(scope, receive, send)
        except TimeoutError:
            raise DatabaseUnavailable(
                f"the database did not answer within {seconds:g} s; retry shortly"
            ) from None

    return bounded


class DatabaseRoute(APIRoute):
    """A route that reads the database: whatever it does there ends within the statement timeout."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        self.app = _with_deadline(self.app)
