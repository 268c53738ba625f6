"""A knowledge base of one's own: for tests whose writes must really commit (not rolled back)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.keys import Scope, create_key
from app.db.connection import create_engine
from app.db.migrate import upgrade_to_head
from app.knowledge.bundle import KnowledgeBundle
from app.knowledge.store import load_bundle
from app.settings import Settings
from tests.conftest import create_database, drop_database


@dataclass(frozen=True)
class OwnKnowledgeBase:
    url: str
    #: An Authorization header per scope name (read, write, admin).
    headers: dict[str, dict[str, str]]


@pytest.fixture
async def own_kb(server_url: str, bundle: KnowledgeBundle) -> AsyncIterator[OwnKnowledgeBase]:
    """A new database, migrated, loaded with the bundle, with a committed key per scope."""
    url = await asyncio.to_thread(create_database, server_url, prefix="fa_curation")
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        engine = create_engine(url, Settings(database_url=url))
        async with AsyncSession(engine) as session:
            await load_bundle(session, bundle)
            headers = {
                scope.name: {
                    "Authorization": f"Bearer {await create_key(session, scope.name, scope)}"
                }
                for scope in Scope
            }
            await session.commit()
        await engine.dispose()
        yield OwnKnowledgeBase(url, headers)
    finally:
        await asyncio.to_thread(drop_database, url)
