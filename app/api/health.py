"""Liveness and readiness probes. Both stay out of the OpenAPI document.

Readiness follows what the service can do: `/recommend` scores against the in-memory snapshot, so
a replica with a snapshot is ready even while the database is down (the catalog then answers 503),
and a replica without one is not, however healthy its database.
"""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.api.deps import EngineDep, SettingsDep
from app.db.migrate import current_revisions
from app.knowledge.service import KnowledgeCache

router = APIRouter(include_in_schema=False)

# A probe must answer faster than an orchestrator's probe timeout (commonly 1 s), even when the
# database hangs: the database check gets at most this long, or the connect timeout if shorter.
READINESS_DATABASE_CHECK_SECONDS = 0.8


class Health(BaseModel):
    status: str
    detail: str | None = None


class SnapshotState(BaseModel):
    version: str | None
    age_seconds: float | None


class Readiness(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "degraded"]
    snapshot: SnapshotState
    detail: str | None = None


@router.get("/healthz")
async def healthz() -> Health:
    """The process is up. Never touches the database."""
    return Health(status="ok")


async def _database_problem(request: Request, engine: EngineDep, timeout: float) -> str | None:
    """None when the database answers within the timeout at the migrations' head; else why not."""
    heads: frozenset[str] = request.app.state.migration_heads
    try:
        async with asyncio.timeout(timeout):
            async with engine.connect() as connection:  # its queries show the database answers
                current = await current_revisions(connection)
    except Exception as exc:  # whatever stops us reaching it (refused, timeout, auth)
        return f"database unreachable: {type(exc).__name__}"
    if current != heads:
        return f"migrations not at head (database {sorted(current)}, code {sorted(heads)})"
    return None


@router.get("/readyz", response_model=Readiness)
async def readyz(request: Request, engine: EngineDep, settings: SettingsDep) -> JSONResponse:
    """200 exactly when /recommend can answer: the knowledge snapshot is loaded."""
    knowledge: KnowledgeCache = request.app.state.knowledge
    timeout = min(settings.db_connect_timeout, READINESS_DATABASE_CHECK_SECONDS)
    problem = await _database_problem(request, engine, timeout)
    age = knowledge.age_seconds
    ready = knowledge.snapshot is not None
    details = [d for d in (problem, None if ready else "knowledge snapshot not loaded yet") if d]
    body = Readiness(
        status="ok" if ready else "unavailable",
        database="degraded" if problem else "ok",
        snapshot=SnapshotState(
            version=knowledge.version, age_seconds=None if age is None else round(age, 3)
        ),
        detail="; ".join(details) or None,
    )
    return JSONResponse(body.model_dump(), 200 if ready else 503)
