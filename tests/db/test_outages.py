"""Database outages, on a PostgreSQL cluster of the test's own: stopped, frozen, started late.

Catalog reads answer 503 problem+json with Retry-After, quickly and with one log line; /recommend
keeps answering from its snapshot; /readyz is 200 exactly when /recommend can answer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest

from app.db.connection import create_engine, create_sessionmaker
from app.db.migrate import upgrade_to_head
from app.db.wait import wait_for_database
from app.knowledge.bundle import read_bundle
from app.knowledge.store import load_bundle
from app.logging_config import configure_logging
from app.main import create_app
from app.settings import Settings
from tests.pg_cluster import OwnPostgres
from tests.problem_json import assert_problem

PROFILE = {"project_type": "api"}
STATEMENT_TIMEOUT = 2.0


async def _load(url: str, settings: Settings) -> None:
    engine = create_engine(url, settings, pooled=False)
    try:
        async with create_sessionmaker(engine).begin() as session:
            await load_bundle(session, read_bundle())
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def cluster() -> Iterator[OwnPostgres]:
    own = OwnPostgres()
    try:
        own.start()
        yield own
    finally:
        own.destroy()


@pytest.fixture(scope="module")
def outage_settings(cluster: OwnPostgres) -> Settings:
    settings = Settings(
        database_url=cluster.url,
        db_connect_timeout=STATEMENT_TIMEOUT,
        db_statement_timeout=STATEMENT_TIMEOUT,
        kb_refresh_seconds=3600,
        # The LISTEN connection logs its own loss and reconnects; these tests count request lines.
        kb_listen=False,
    )
    assert settings.database_url is not None
    upgrade_to_head(settings.database_url, settings)
    asyncio.run(_load(settings.database_url, settings))
    return settings


@pytest.fixture
def pg(cluster: OwnPostgres, outage_settings: Settings) -> Iterator[OwnPostgres]:
    """The cluster, running before the test and again after it, whatever the test did to it."""
    if cluster.process is None:
        cluster.start()
    yield cluster
    cluster.thaw()
    if cluster.process is None:
        cluster.start()


@asynccontextmanager
async def _running(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http


def _assert_outage(response: httpx.Response) -> None:
    assert_problem(response, 503)
    assert int(response.headers["retry-after"]) > 0


async def test_a_frozen_database_answers_503_within_the_statement_timeout(
    pg: OwnPostgres, outage_settings: Settings
) -> None:
    async with _running(outage_settings) as http:
        assert (await http.get("/frameworks")).status_code == 200  # a pooled connection exists
        pg.freeze()
        for path in ("/frameworks", "/frameworks/fastapi", "/sources"):
            started = time.monotonic()
            response = await http.get(path)
            elapsed = time.monotonic() - started
            print(f"frozen database: {path} answered {response.status_code} in {elapsed:.2f} s")
            _assert_outage(response)
            assert elapsed <= STATEMENT_TIMEOUT + 1.0
        # The product does not need the database at all.
        assert (await http.post("/recommend", json=PROFILE)).status_code == 200
        pg.thaw()


async def test_a_stopped_database_answers_503_with_one_log_line_per_request(
    pg: OwnPostgres, outage_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async with _running(outage_settings) as http:
        assert (await http.get("/criteria")).status_code == 200
        pg.stop()
        caplog.clear()
        with caplog.at_level(logging.DEBUG):
            responses = [await http.get(path) for path in ("/frameworks", "/criteria", "/rules")]
        for response in responses:
            _assert_outage(response)
        # Everything the service logged (httpx, the test's own client, is not the service).
        lines = [r for r in caplog.records if r.levelno >= logging.INFO and r.name != "httpx"]
        assert len(lines) == len(responses), [r.getMessage() for r in lines]
        assert not [r for r in lines if r.exc_info], "no traceback"
        assert all(isinstance(r.msg, dict) and r.msg.get("status") == 503 for r in lines)
        assert all(isinstance(r.msg, dict) and r.msg.get("error") for r in lines)


async def test_with_the_database_stopped_after_start_readyz_is_200_degraded_and_recommend_works(
    pg: OwnPostgres, outage_settings: Settings
) -> None:
    async with _running(outage_settings) as http:
        pg.stop()
        ready = await http.get("/readyz")
        assert ready.status_code == 200, ready.text
        body = ready.json()
        assert body["status"] == "ok"
        assert body["database"] == "degraded"
        assert body["snapshot"]["version"] == read_bundle().version()
        assert body["snapshot"]["age_seconds"] >= 0
        assert (await http.post("/recommend", json=PROFILE)).status_code == 200


async def test_started_with_the_database_down_readyz_follows_recommend_when_it_returns(
    pg: OwnPostgres, outage_settings: Settings
) -> None:
    pg.stop()
    async with _running(outage_settings) as http:
        ready = await http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["snapshot"] == {"version": None, "age_seconds": None}
        assert ready.json()["database"] == "degraded"
        assert_problem(await http.post("/recommend", json=PROFILE), 503)

        await asyncio.to_thread(pg.start)
        back = time.monotonic()
        while True:  # poll both; readiness must never run ahead of what /recommend can do
            ready_status = (await http.get("/readyz")).status_code
            recommend_status = (await http.post("/recommend", json=PROFILE)).status_code
            if ready_status == 200:
                assert recommend_status == 200
                break
            assert time.monotonic() - back < 30, "never became ready"
            await asyncio.sleep(0.02)
        elapsed = time.monotonic() - back
        print(f"/readyz turned 200 {elapsed:.2f} s after the database came back")
        assert elapsed <= 2.0
        assert (await http.get("/readyz")).json()["database"] == "ok"


async def test_migrations_give_up_on_an_unresponsive_host_within_the_connect_timeout(
    pg: OwnPostgres, outage_settings: Settings
) -> None:
    assert outage_settings.database_url is not None
    pg.freeze()
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await asyncio.to_thread(upgrade_to_head, outage_settings.database_url, outage_settings)
    elapsed = time.monotonic() - started
    print(f"migration against a frozen server gave up after {elapsed:.2f} s")
    assert elapsed <= outage_settings.db_connect_timeout + 3.0
    pg.thaw()


async def test_waiting_for_the_database_returns_once_it_comes_up(
    pg: OwnPostgres, outage_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    assert outage_settings.database_url is not None
    configure_logging("info")  # as `serve` does: structlog through the standard library
    pg.stop()
    waiting = asyncio.create_task(
        wait_for_database(
            outage_settings.database_url, outage_settings.model_copy(update={"db_wait_seconds": 60})
        )
    )
    await asyncio.sleep(1.0)  # a few refused attempts
    assert not waiting.done()
    await asyncio.to_thread(pg.start)
    await asyncio.wait_for(waiting, timeout=30)
    events = [r.msg["event"] for r in caplog.records if r.name == "app.db.wait"]
    assert events[-1] == "database is up"
    assert events.count("waiting for the database") >= 2
