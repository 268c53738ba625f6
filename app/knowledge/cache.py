"""Tell this worker's KnowledgeCache about changes the moment they commit: LISTEN on Postgres.

Every write to the knowledge base (through the API, a load, or a direct SQL edit, via the tables'
trigger) sends a NOTIFY on ``kb_changed`` in its own transaction. Each worker holds one dedicated
asyncpg connection that LISTENs for it and asks the cache to refresh; bursts collapse into one
refresh. When the connection drops it reconnects with exponential backoff and refreshes once on
reconnecting, since a notification sent while it was away is lost. The cache's polling stays as
the backstop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import make_url

from app.knowledge.bundle import KnowledgeBundle
from app.knowledge.compile import compile_snapshot
from app.knowledge.repository import CHANGE_CHANNEL
from app.knowledge.service import KnowledgeCache

logger = logging.getLogger(__name__)

#: Reconnect delays: first retry after this many seconds, doubling up to the maximum.
RECONNECT_FIRST_DELAY = 0.1
RECONNECT_MAX_DELAY = 5.0
#: How often an idle LISTEN connection is checked with a round trip (a silent drop shows then).
KEEPALIVE_SECONDS = 10.0
LISTENER_APPLICATION_NAME = "framework-advisor listener"


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    return (
        make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)
    )


def adopt_written(
    cache: KnowledgeCache, bundle: KnowledgeBundle, version: str, previous_version: str
) -> None:
    """Give the worker that made a write its result at once (read-your-writes), without a read.

    Only when the cache still holds the version the write started from: if anything newer has
    arrived meanwhile, the listener's refresh is the one to trust.
    """
    if cache.version == previous_version:
        cache.snapshot = compile_snapshot(bundle, version)
        logger.info(
            "knowledge snapshot rebuilt",
            extra={"version": version, "pid": os.getpid(), "cause": "own write"},
        )


class KnowledgeListener:
    """One LISTEN connection per worker, feeding refreshes to the worker's cache."""

    def __init__(self, cache: KnowledgeCache, dsn: str, *, connect_timeout: float) -> None:
        self._cache = cache
        self._dsn = dsn
        self._connect_timeout = connect_timeout
        self._changed = asyncio.Event()
        #: Set while a LISTEN is in place (tests wait on it after killing the connection).
        self.listening = asyncio.Event()

    async def run(self) -> None:
        """Listen and refresh until cancelled."""
        refresher = asyncio.create_task(self._refresh_on_change())
        try:
            await self._listen_forever()
        finally:
            refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refresher

    async def _listen_forever(self) -> None:
        delay = RECONNECT_FIRST_DELAY
        while True:
            try:
                await self._listen_once()
                delay = RECONNECT_FIRST_DELAY  # it was up: the next drop starts the backoff afresh
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning(
                    "knowledge LISTEN connection failed; retrying",
                    extra={"error": type(exc).__name__, "retry_in": delay},
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_DELAY)

    async def _listen_once(self) -> None:
        """Hold one connection until it is lost."""
        connection: asyncpg.Connection = await asyncpg.connect(
            self._dsn,
            timeout=self._connect_timeout,
            server_settings={"application_name": f"{LISTENER_APPLICATION_NAME} {os.getpid()}"},
        )
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        try:
            await connection.add_listener(CHANGE_CHANNEL, self._notified)
            self.listening.set()
            self._changed.set()  # whatever changed while nobody listened
            while not connection.is_closed():
                try:
                    await asyncio.wait_for(lost.wait(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    await connection.execute("SELECT 1", timeout=self._connect_timeout)
        finally:
            self.listening.clear()
            with contextlib.suppress(Exception):
                await connection.close(timeout=1)

    def _notified(self, *_args: Any) -> None:
        self._changed.set()

    async def _refresh_on_change(self) -> None:
        while True:
            await self._changed.wait()
            self._changed.clear()
            try:
                if await self._cache.refresh():
                    logger.info(
                        "knowledge snapshot rebuilt",
                        extra={"version": self._cache.version, "pid": os.getpid()},
                    )
            except Exception as error:  # the poll, or the next change or reconnect, tries again
                # A warning, not a traceback: during a database outage this is expected, and the
                # requests that fail meanwhile log the outage themselves.
                logger.warning(
                    "knowledge snapshot refresh failed; retrying",
                    extra={"error": f"{type(error).__name__}: {error}"[:300]},
                )
