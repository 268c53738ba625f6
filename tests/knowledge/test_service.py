"""The in-memory snapshot follows the knowledge-base version in Postgres."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.knowledge.bundle import KnowledgeBundle
from app.knowledge.service import KnowledgeCache
from app.knowledge.store import load_bundle


async def test_snapshot_is_rebuilt_when_and_only_when_the_version_changes(
    session: AsyncSession, bundle: KnowledgeBundle
) -> None:
    sessionmaker = async_sessionmaker(
        bind=session.bind, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    cache = KnowledgeCache(sessionmaker)
    assert await cache.refresh() is True
    assert cache.version == bundle.version()
    assert await cache.refresh() is False

    renamed = bundle.model_copy(
        update={
            "frameworks": [bundle.frameworks[0].model_copy(update={"name": "Renamed"})]
            + bundle.frameworks[1:]
        }
    )
    await load_bundle(session, renamed)
    await session.flush()
    assert await cache.refresh() is True
    assert cache.version == renamed.version() != bundle.version()
    assert cache.snapshot is not None
    assert cache.snapshot.frameworks[bundle.frameworks[0].slug].name == "Renamed"
