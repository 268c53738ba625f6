"""Real processes: `serve --workers 2`, and two `serve` processes sharing one database.

A write through one process is answered with the new kb_version by every worker within a second.
Polling is set to an hour, so only LISTEN/NOTIFY can explain a change arriving.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import make_url

from app.knowledge.cache import LISTENER_APPLICATION_NAME, asyncpg_dsn
from tests.api.conftest import OwnKnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
PROFILE = {"project_type": "api"}
PROPAGATION_SECONDS = 1.0
START_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(kb: OwnKnowledgeBase, log: Path, *, workers: int = 1) -> Iterator[str]:
    """`framework-advisor serve` on a free port; its base URL once it answers /healthz."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": kb.url,
        "ADVISOR_KB_REFRESH_SECONDS": "3600",
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", str(workers)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:  # a readiness wait, not a timing assertion
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


async def _listeners(kb: OwnKnowledgeBase) -> int:
    dsn = asyncpg_dsn(kb.url)
    connection = await asyncpg.connect(dsn)
    try:
        count: int = await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE $2",
            make_url(kb.url).database,
            LISTENER_APPLICATION_NAME + "%",
        )
    finally:
        await connection.close()
    return count


async def _wait_for_listeners(kb: OwnKnowledgeBase, count: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while await _listeners(kb) < count:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)


def _version(base: str) -> str:
    # A new connection for every request, so the kernel may hand it to any worker.
    response = httpx.post(f"{base}/recommend", json=PROFILE, headers={"Connection": "close"})
    assert response.status_code == 200, response.text
    version: str = response.json()["kb_version"]
    return version


def _patch(base: str, kb: OwnKnowledgeBase, summary: str) -> None:
    tag = httpx.get(f"{base}/kb/frameworks/fastapi").headers["etag"]
    response = httpx.patch(
        f"{base}/kb/frameworks/fastapi",
        json={"summary": summary},
        headers={**kb.headers["write"], "If-Match": tag},
    )
    assert response.status_code == 200, response.text


def _rebuilt(log: Path, version: str) -> set[int]:
    """Pids of the workers that logged rebuilding their snapshot at this version."""
    pids = set()
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("event") == "knowledge snapshot rebuilt" and (
                record.get("version") == version
            ):
                pids.add(record["pid"])
    return pids


async def test_serve_with_two_workers_answers_a_write_on_both_within_a_second(
    own_kb: OwnKnowledgeBase, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    with serve(own_kb, log, workers=2) as base:
        await _wait_for_listeners(own_kb, 2)
        old = await asyncio.to_thread(_version, base)
        await asyncio.to_thread(_patch, base, own_kb, "Edited under two workers.")
        written = time.monotonic()
        while (new := await asyncio.to_thread(_version, base)) == old:
            assert time.monotonic() - written < 5 * PROPAGATION_SECONDS
        while len(_rebuilt(log, new)) < 2:
            assert time.monotonic() - written < 5 * PROPAGATION_SECONDS, log.read_text()
            await asyncio.sleep(0.01)
        both = time.monotonic() - written
        answers = {await asyncio.to_thread(_version, base) for _ in range(20)}
    assert both < PROPAGATION_SECONDS
    assert answers == {new}


async def test_two_serve_processes_on_one_database_share_a_write_within_a_second(
    own_kb: OwnKnowledgeBase, tmp_path: Path
) -> None:
    with (
        serve(own_kb, tmp_path / "a.log") as first,
        serve(own_kb, tmp_path / "b.log") as second,
    ):
        await _wait_for_listeners(own_kb, 2)
        old = await asyncio.to_thread(_version, second)
        await asyncio.to_thread(_patch, first, own_kb, "Edited through the first replica.")
        written = time.monotonic()
        while (new := await asyncio.to_thread(_version, second)) == old:
            assert time.monotonic() - written < 5 * PROPAGATION_SECONDS
        seconds = time.monotonic() - written
        assert await asyncio.to_thread(_version, first) == new
    assert seconds < PROPAGATION_SECONDS
