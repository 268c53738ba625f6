"""Shared fixtures: a real, freshly migrated Postgres database and an app bound to it.

The server is TEST_DATABASE_URL or DATABASE_URL when set, otherwise the embedded PostgreSQL.
A new database is created for the session, migrated once with Alembic, loaded with the bundled
knowledge base, and dropped at the end. Each test runs inside a transaction that is rolled back.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.api.deps import get_session
from app.db.connection import create_engine
from app.db.embedded import start_embedded_postgres
from app.db.migrate import upgrade_to_head
from app.engine.snapshot import KnowledgeSnapshot
from app.knowledge.bundle import KnowledgeBundle, read_bundle
from app.knowledge.store import build_snapshot, load_bundle
from app.main import create_app
from app.serving import server_config
from app.settings import Settings


def _server_url() -> str:
    explicit = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if explicit:
        url = Settings(database_url=explicit).database_url
        assert url is not None
        return url
    return start_embedded_postgres(Settings().data_dir)


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def create_database(server_url: str, *, prefix: str = "fa_test") -> str:
    """Create a new empty database on the server and return its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    name = make_url(url).database
    maintenance = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    asyncio.run(_admin(maintenance, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def server_url() -> str:
    return _server_url()


@pytest.fixture(scope="session")
def empty_database(server_url: str) -> Iterator[str]:
    """A database with nothing in it, not even migrations."""
    url = create_database(server_url, prefix="fa_empty")
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    """A fresh database migrated to head once for the whole session."""
    url = create_database(server_url)
    upgrade_to_head(url)
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def bundle() -> KnowledgeBundle:
    return read_bundle()


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, kb_refresh_seconds=3600)


@pytest.fixture(scope="session")
async def engine(settings: Settings, bundle: KnowledgeBundle) -> AsyncIterator[AsyncEngine]:
    assert settings.database_url is not None
    engine = create_engine(settings.database_url, settings)
    async with engine.begin() as connection:
        await load_bundle(AsyncSession(bind=connection), bundle)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def snapshot(engine: AsyncEngine) -> KnowledgeSnapshot:
    """The engine's snapshot, built from the bundled knowledge base loaded into Postgres."""
    async with AsyncSession(engine) as session:
        built = await build_snapshot(session)
    assert built is not None
    return built


@pytest.fixture(scope="session")
async def app(settings: Settings, engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    """The app with its lifespan run once (ASGITransport does not run lifespan)."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def session(engine: AsyncEngine, app: FastAPI) -> AsyncIterator[AsyncSession]:
    """A session inside a transaction that is rolled back after the test; the app uses it too."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(bind=connection, join_transaction_mode="create_savepoint")

        async def override() -> AsyncIterator[AsyncSession]:
            yield session

        app.dependency_overrides[get_session] = override
        try:
            yield session
        finally:
            app.dependency_overrides.pop(get_session, None)
            await session.close()
            await transaction.rollback()


@pytest.fixture
async def client(app: FastAPI, session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@contextlib.contextmanager
def serving(application: FastAPI, settings: Settings) -> Iterator[str]:
    """Serve the app as `serve` does (app.serving) on a free loopback port, in a thread with its
    own event loop, engine and lifespan; yield its base URL."""
    config = server_config(application, settings, host="127.0.0.1", port=0, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    while not server.started:  # a readiness poll, not a timing assertion
        if not thread.is_alive():
            pytest.fail("the live server stopped before it started serving")
        time.sleep(0.02)
    host, port = server.servers[0].sockets[0].getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join()


@pytest.fixture(scope="session")
def live_server(settings: Settings, engine: AsyncEngine) -> Iterator[str]:
    """The app served on a free loopback port as `serve` serves it, for tests that need real HTTP.

    Against the session's database (so unlike `client`, nothing it does is rolled back: use it
    for reads).
    """
    with serving(create_app(settings), settings) as url:
        yield url
