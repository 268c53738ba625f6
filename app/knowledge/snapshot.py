"""Build the engine's immutable snapshot from the knowledge base in Postgres."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.engine.snapshot import KnowledgeSnapshot
from app.knowledge import repository
from app.knowledge.compile import compile_snapshot
from app.knowledge.store import read_bundle


async def build_snapshot(session: AsyncSession) -> KnowledgeSnapshot | None:
    """Read the whole knowledge base once; None when nothing has been loaded yet."""
    version = await repository.loaded_version(session)
    if version is None:
        return None
    return compile_snapshot(await read_bundle(session), version)
