"""The app factory. ``app.main:app`` is the importable ASGI app; nothing connects at import."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api import catalog, health, recommend
from app.api.errors import install_error_handlers
from app.db.connection import create_engine, create_sessionmaker, resolve_database_url
from app.db.migrate import head_revisions
from app.knowledge.service import KnowledgeCache
from app.settings import Settings

logger = logging.getLogger(__name__)

DESCRIPTION = """
Tells a team which Python web framework fits their project, and why.

POST a project profile to `/recommend` and get a ranked list of frameworks: each with its score,
a breakdown that accounts for every point, the evidence and sources behind each claim, warnings,
gaps and the packages that fill them, a suggested companion stack and migration advice.
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings or Settings()
    app.state.settings = settings
    url = await asyncio.to_thread(resolve_database_url, settings)
    engine = create_engine(url, settings)
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    app.state.migration_heads = head_revisions()
    knowledge = KnowledgeCache(app.state.sessionmaker)
    app.state.knowledge = knowledge
    try:
        await knowledge.refresh()
    except Exception:  # the database may come up later: keep serving, readiness says why
        logger.exception("could not load the knowledge snapshot at start-up")
    poller = asyncio.create_task(knowledge.keep_fresh(settings.kb_refresh_seconds))
    try:
        yield
    finally:
        poller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poller
        await engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    app = FastAPI(
        title="framework-advisor",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings  # None: read from the environment when the app starts
    app.include_router(health.router)
    app.include_router(recommend.router)
    app.include_router(catalog.router)
    install_error_handlers(app)
    return app


app = create_app()
