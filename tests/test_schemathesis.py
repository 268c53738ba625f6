"""schemathesis tests the served app against its OpenAPI document: every phase, every check.

The configuration (phases, checks, seed, examples per operation, the API key) is
schemathesis.toml at the repo root, so
`FRAMEWORK_ADVISOR_API_KEY=... schemathesis --config-file schemathesis.toml run URL/openapi.json`
against a running server repeats exactly this run. Its positive cases really write, so the server
here runs on a database of its own.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.keys import Scope, create_key
from app.db.connection import create_engine
from app.db.migrate import upgrade_to_head
from app.knowledge.bundle import KnowledgeBundle
from app.knowledge.store import load_bundle
from app.main import create_app
from app.settings import Settings
from tests.conftest import create_database, drop_database

ROOT = Path(__file__).resolve().parents[1]
PHASES = ("Examples", "Coverage", "Fuzzing", "Stateful")


async def _load_with_key(url: str, bundle: KnowledgeBundle) -> str:
    engine = create_engine(url, Settings(database_url=url))
    async with AsyncSession(engine) as session:
        await load_bundle(session, bundle)
        key = await create_key(session, "schemathesis", Scope.admin)
        await session.commit()
    await engine.dispose()
    return key


@pytest.fixture
def writable_server(server_url: str, bundle: KnowledgeBundle) -> Iterator[tuple[str, str]]:
    """The app on a free loopback port, on a database of its own; its URL and an admin key."""
    url = create_database(server_url, prefix="fa_schemathesis")
    try:
        upgrade_to_head(url)
        key = asyncio.run(_load_with_key(url, bundle))
        settings = Settings(database_url=url, kb_refresh_seconds=3600)
        config = uvicorn.Config(
            create_app(settings),
            host="127.0.0.1",
            port=0,
            ws="none",
            log_config=None,
            access_log=False,
            lifespan="on",
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="schemathesis-server", daemon=True)
        thread.start()
        while not server.started:  # a readiness poll, not a timing assertion
            if not thread.is_alive():
                pytest.fail("the server stopped before it started serving")
            time.sleep(0.02)
        host, port = server.servers[0].sockets[0].getsockname()[:2]
        yield f"http://{host}:{port}", key
        server.should_exit = True
        thread.join()
    finally:
        drop_database(url)


def test_the_api_conforms_to_its_openapi_document(writable_server: tuple[str, str]) -> None:
    base, key = writable_server
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(ROOT / "schemathesis.toml"),
            "--no-color",
            "run",
            f"{base}/openapi.json",
        ],
        cwd=ROOT,
        env={**os.environ, "FRAMEWORK_ADVISOR_API_KEY": key},
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Operations:       37 selected / 37 total" in output, output
    for phase in PHASES:  # each ran and passed: none was skipped for want of anything to test
        assert f"✅ {phase}" in output, output
