"""Writes are serialized in Postgres and reach every worker within a second.

Each test has a database of its own (`own_kb`), whose writes commit. A "worker" here is an app
with its own lifespan: its own engine, snapshot cache and LISTEN connection, as a uvicorn worker
process has. Polling is set to an hour, so only LISTEN/NOTIFY can explain a change arriving.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI
from sqlalchemy import func, make_url, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.connection import create_engine
from app.knowledge import models
from app.knowledge.cache import LISTENER_APPLICATION_NAME, asyncpg_dsn
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import OwnKnowledgeBase

PROFILE = {"project_type": "api"}
#: The issue's bound: a write is answered by every worker within this many seconds.
PROPAGATION_SECONDS = 1.0


@asynccontextmanager
async def worker(url: str, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    application: FastAPI = create_app(
        Settings(database_url=url, kb_refresh_seconds=3600, **settings)
    )
    async with application.router.lifespan_context(application):
        await application.state.knowledge_listener.listening.wait()
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://worker") as client:
            yield client


async def kb_version(client: httpx.AsyncClient) -> str:
    response = await client.post("/recommend", json=PROFILE)
    assert response.status_code == 200, response.text
    version: str = response.json()["kb_version"]
    return version


async def wait_for_version(client: httpx.AsyncClient, old: str) -> tuple[str, float]:
    """Poll until the answer's kb_version differs from `old`; the new one and the seconds taken."""
    started = time.monotonic()
    while (version := await kb_version(client)) == old:
        if time.monotonic() - started > PROPAGATION_SECONDS * 5:
            break
        await asyncio.sleep(0.01)
    return version, time.monotonic() - started


async def patch_summary(
    client: httpx.AsyncClient, kb: OwnKnowledgeBase, summary: str
) -> httpx.Response:
    current = await client.get("/kb/frameworks/fastapi")
    return await client.patch(
        "/kb/frameworks/fastapi",
        json={"summary": summary},
        headers={**kb.headers["write"], "If-Match": current.headers["etag"]},
    )


async def test_a_write_reaches_the_other_worker_within_a_second(own_kb: OwnKnowledgeBase) -> None:
    async with worker(own_kb.url) as first, worker(own_kb.url) as second:
        old = await kb_version(second)
        assert await kb_version(first) == old
        response = await patch_summary(first, own_kb, "Edited through the first worker.")
        assert response.status_code == 200, response.text
        new, seconds = await wait_for_version(second, old)
        assert new != old
        assert seconds < PROPAGATION_SECONDS
        assert await kb_version(first) == new
        framework = await second.get("/frameworks/fastapi")
        assert framework.json()["summary"] == "Edited through the first worker."


async def test_twenty_concurrent_patches_with_one_etag_let_exactly_one_through(
    own_kb: OwnKnowledgeBase,
) -> None:
    # Twenty writers share a pool of fifteen connections, and the last ones wait for the first
    # transactions: a generous wait keeps a loaded machine from turning a 412 into a pool 503.
    async with worker(own_kb.url, db_statement_timeout=60) as client:
        tag = (await client.get("/kb/frameworks/fastapi")).headers["etag"]
        responses = await asyncio.gather(
            *(
                client.patch(
                    "/kb/frameworks/fastapi",
                    json={"summary": f"Edit number {i}."},
                    headers={**own_kb.headers["write"], "If-Match": tag},
                )
                for i in range(20)
            )
        )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * 19, [r.text for r in responses if r.status_code != 412]
    engine = create_engine(own_kb.url, Settings(database_url=own_kb.url))
    async with AsyncSession(engine) as session:
        entries = await session.scalar(
            select(func.count())
            .select_from(models.AuditEntry)
            .where(models.AuditEntry.resource == "/kb/frameworks/fastapi")
        )
    await engine.dispose()
    assert entries == 1


async def _listener_pids(dsn: str, database: str) -> set[int]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE $2",
            database,
            LISTENER_APPLICATION_NAME + "%",
        )
    finally:
        await connection.close()
    return {row["pid"] for row in rows}


async def test_a_killed_listen_connection_reconnects_and_the_next_write_propagates(
    own_kb: OwnKnowledgeBase,
) -> None:
    dsn = asyncpg_dsn(own_kb.url)
    database = make_url(own_kb.url).database
    async with worker(own_kb.url) as first, worker(own_kb.url) as second:
        before = await _listener_pids(dsn, database)
        assert len(before) == 2
        admin = await asyncpg.connect(dsn)
        try:
            for pid in before:
                assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid) is True
        finally:
            await admin.close()
        while len(after := await _listener_pids(dsn, database)) < 2 or after & before:
            await asyncio.sleep(0.02)  # a readiness wait: both listeners are back
        old = await kb_version(second)
        response = await patch_summary(first, own_kb, "Edited after the reconnect.")
        assert response.status_code == 200, response.text
        new, seconds = await wait_for_version(second, old)
        assert new != old
        assert seconds < PROPAGATION_SECONDS


async def test_a_direct_sql_edit_moves_the_version_and_reaches_the_workers(
    own_kb: OwnKnowledgeBase,
) -> None:
    async with worker(own_kb.url) as client:
        old = await kb_version(client)
        connection = await asyncpg.connect(asyncpg_dsn(own_kb.url))
        try:
            await connection.execute(
                "UPDATE assessments SET value = 0.01 WHERE framework = 'fastapi' "
                "AND value IS NOT NULL"
            )
        finally:
            await connection.close()
        new, seconds = await wait_for_version(client, old)
        assert new != old
        assert seconds < PROPAGATION_SECONDS
