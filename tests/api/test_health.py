from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from app.main import create_app
from app.settings import Settings


async def _client_for(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


@pytest.fixture
async def unreachable_client() -> AsyncIterator[httpx.AsyncClient]:
    # Port 1 on loopback: nothing listens there, so connections are refused at once.
    settings = Settings(
        database_url="postgresql+asyncpg://postgres@127.0.0.1:1/none", db_connect_timeout=1
    )
    async for http in _client_for(settings):
        yield http


@pytest.fixture
async def unmigrated_client(empty_database: str) -> AsyncIterator[httpx.AsyncClient]:
    async for http in _client_for(Settings(database_url=empty_database)):
        yield http


async def test_readyz_is_ok_on_a_migrated_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_a_readiness_probe_logs_no_alembic_lines(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Probes come every few seconds: Alembic's "Context impl ..." lines must not come with each."""
    with caplog.at_level(logging.DEBUG):
        response = await client.get("/readyz")
    assert response.status_code == 200
    assert [r.name for r in caplog.records if r.name.startswith("alembic")] == []


async def test_readyz_is_503_but_healthz_200_when_the_database_is_unreachable(
    unreachable_client: httpx.AsyncClient,
) -> None:
    ready = await unreachable_client.get("/readyz")
    assert ready.status_code == 503
    assert "unreachable" in ready.json()["detail"]
    live = await unreachable_client.get("/healthz")
    assert live.status_code == 200
    assert live.json()["status"] == "ok"


async def test_readyz_is_503_when_migrations_are_not_at_head(
    unmigrated_client: httpx.AsyncClient,
) -> None:
    response = await unmigrated_client.get("/readyz")
    assert response.status_code == 503
    assert "migrations not at head" in response.json()["detail"]


async def test_health_probes_stay_out_of_the_openapi_document(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert "/healthz" not in paths
    assert "/readyz" not in paths


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
async def test_interactive_docs_are_served(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(path)).status_code == 200
