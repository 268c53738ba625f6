"""Liveness and readiness probes. Both stay out of the OpenAPI document."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from app.api.deps import EngineDep, SettingsDep
from app.db.migrate import current_revisions

router = APIRouter(include_in_schema=False)


class Health(BaseModel):
    status: str
    detail: str | None = None


@router.get("/healthz")
async def healthz() -> Health:
    """The process is up. Never touches the database."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health)
async def readyz(request: Request, engine: EngineDep, settings: SettingsDep) -> JSONResponse:
    """The database answers within the timeout and its schema is at the migrations' head."""
    heads: frozenset[str] = request.app.state.migration_heads
    try:
        async with asyncio.timeout(settings.db_connect_timeout):
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
                current = await current_revisions(connection)
    except Exception as exc:  # whatever stops us reaching it (refused, timeout, auth) = not ready
        detail = f"database unreachable: {type(exc).__name__}"
        return JSONResponse(Health(status="unavailable", detail=detail).model_dump(), 503)
    if current != heads:
        detail = f"migrations not at head (database {sorted(current)}, code {sorted(heads)})"
        return JSONResponse(Health(status="unavailable", detail=detail).model_dump(), 503)
    return JSONResponse(Health(status="ok").model_dump())
