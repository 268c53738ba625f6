"""Typed dependencies. Everything a route needs comes through here, so tests can override it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.api.outages import is_database_outage
from app.errors import UnsupportedMediaType
from app.settings import Settings


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request; the only place a request's transaction is committed."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException as error:
            if isinstance(error, asyncio.CancelledError) or is_database_outage(error):
                # A rollback would wait on the same unanswering server: drop the connection.
                await session.invalidate()
            raise
        await session.commit()


async def require_json_body(request: Request) -> None:
    """A body must be JSON: anything else is a 415, not a puzzling 422 about its fields."""
    if not await request.body():  # read and cached by FastAPI already; missing body: a 422
        return
    content_type = request.headers.get("content-type", "")
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        return
    sent = f"Content-Type {media_type[:100]!r}" if media_type else "no Content-Type"
    raise UnsupportedMediaType(f"the body must be JSON (application/json); got {sent}")


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[AsyncEngine, Depends(get_engine)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
