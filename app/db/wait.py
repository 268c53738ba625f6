"""Wait for the database at start, with backoff, up to a deadline: a service started alongside
its database (compose, an orchestrator) comes up when the database does, instead of failing."""

from __future__ import annotations

import asyncio
import time

import structlog
from sqlalchemy import make_url, text

from app.db.connection import create_engine
from app.settings import Settings

logger = structlog.get_logger("app.db.wait")

FIRST_DELAY_SECONDS = 0.25
MAX_DELAY_SECONDS = 2.0


class DatabaseUnreachable(Exception):
    """The database did not answer before the deadline; the message is one line for a human."""


def describe(error: BaseException) -> str:
    """One line naming what went wrong, without a traceback."""
    message = " ".join(str(error).split())
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


async def _answers(url: str, settings: Settings) -> None:
    engine = create_engine(url, settings, pooled=False)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


async def wait_for_database(url: str, settings: Settings) -> None:
    """Return once the database answers; raise DatabaseUnreachable after db_wait_seconds."""
    where = make_url(url).render_as_string(hide_password=True)
    deadline = time.monotonic() + settings.db_wait_seconds
    delay = FIRST_DELAY_SECONDS
    attempt = 0
    while True:
        attempt += 1
        remaining = deadline - time.monotonic()
        try:
            # An attempt never runs (much) past the deadline, whatever the timeouts say.
            async with asyncio.timeout(max(remaining, 0.5)):
                await _answers(url, settings)
        except Exception as error:  # refused, timed out, not accepting yet: all mean "not yet"
            reason = describe(error)
            remaining = deadline - time.monotonic()
            logger.warning(
                "waiting for the database",
                attempt=attempt,
                database=where,
                error=reason,
                remaining_seconds=round(max(remaining, 0), 1),
            )
            if remaining <= 0:
                waited = settings.db_wait_seconds
                raise DatabaseUnreachable(
                    f"the database at {where} did not answer within {waited:g} s ({reason})"
                ) from None
            await asyncio.sleep(min(delay, remaining))
            delay = min(delay * 2, MAX_DELAY_SECONDS)
        else:
            logger.info("database is up", attempt=attempt, database=where)
            return
