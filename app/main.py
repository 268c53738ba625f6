"""The app factory. ``app.main:app`` is the importable ASGI app; nothing connects at import."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api import catalog, curation, health, recommend
from app.api.auth import ReadAccess
from app.api.docs import install_docs
from app.api.errors import install_error_handlers
from app.api.middleware import install_middleware
from app.api.openapi import TAGS, install_openapi, operation_id
from app.db.connection import create_engine, create_sessionmaker, resolve_database_url
from app.db.migrate import head_revisions
from app.knowledge.cache import KnowledgeListener, asyncpg_dsn
from app.knowledge.service import KnowledgeCache
from app.logging_config import configure_logging
from app.settings import Settings

logger = logging.getLogger(__name__)

DESCRIPTION = """
Tells a team which Python web framework fits their project, and why.

POST a project profile to `/recommend` and get a ranked list of frameworks: each with its score,
a breakdown that accounts for every point, the evidence and sources behind each claim, warnings,
gaps and the packages that fill them, a suggested companion stack and migration advice.

**Errors** are RFC 9457 problem documents (`application/problem+json`) with `type`, `title`,
`status`, `detail`, `instance` and `request_id`; validation problems also list every invalid input
in `errors`, each with its `field`, JSON `pointer` and `message`.

**Limits**: request bodies are JSON (else 415) of at most 64 KiB by default (else 413); lists and
strings in the profile are capped (see the schemas).

**Request ids**: send `X-Request-ID` (1 to 128 of `A-Z a-z 0-9 . _ : -`) to have it reused, or get
a new one; every response carries it back, and so do the logs and problem documents.
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings or Settings()
    app.state.settings = settings
    configure_logging(settings.log_level)
    url = await asyncio.to_thread(resolve_database_url, settings)
    engine = create_engine(url, settings)
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    app.state.migration_heads = head_revisions()
    knowledge = KnowledgeCache(app.state.sessionmaker)
    app.state.knowledge = knowledge
    try:
        async with asyncio.timeout(settings.db_statement_timeout):
            await knowledge.refresh()
    except Exception as error:  # the database may come up later: keep serving, readiness says so
        logger.warning(
            "could not load the knowledge snapshot at start-up; retrying",
            extra={"error": f"{type(error).__name__}: {error}"[:300]},
        )
    poller = asyncio.create_task(
        knowledge.keep_fresh(settings.kb_refresh_seconds, timeout=settings.db_statement_timeout)
    )
    tasks = [poller]
    if settings.kb_listen:
        listener = KnowledgeListener(
            knowledge, asyncpg_dsn(url), connect_timeout=settings.db_connect_timeout
        )
        app.state.knowledge_listener = listener
        tasks.append(asyncio.create_task(listener.run()))
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    app = FastAPI(
        title="framework-advisor",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=TAGS,
        generate_unique_id_function=operation_id,
        separate_input_output_schemas=False,
        # /frameworks/ is not /frameworks: a 404, not a redirect to a different resource.
        redirect_slashes=False,
        # Served from the package by install_docs, not from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings  # None: read from the environment when the app starts
    app.include_router(health.router)
    app.include_router(recommend.router, dependencies=[ReadAccess])
    app.include_router(catalog.router, dependencies=[ReadAccess])
    app.include_router(curation.router)
    install_error_handlers(app)
    install_openapi(app)
    install_docs(app, title="framework-advisor")
    install_middleware(app)
    return app


app = create_app()
