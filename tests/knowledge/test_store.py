"""Loading the bundled knowledge base into Postgres: idempotent, versioned, complete."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import Base
from app.db.connection import create_engine
from app.db.migrate import upgrade_to_head
from app.knowledge import models
from app.knowledge.bundle import DATA_DIR, KnowledgeBundle, read_bundle
from app.knowledge.repository import loaded_version
from app.knowledge.store import load_bundle
from app.knowledge.store import read_bundle as read_bundle_from_db
from app.settings import Settings
from tests.conftest import create_database, drop_database


async def _dump(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every knowledge table, in primary-key order (kb_meta's timestamp left out)."""
    dump = {}
    for table in Base.metadata.sorted_tables:
        if table.name == "kb_meta":
            continue
        rows = await session.execute(select(table).order_by(*table.primary_key.columns))
        dump[table.name] = [tuple(row) for row in rows]
    return dump


@pytest.fixture
async def fresh_session(server_url: str) -> AsyncIterator[AsyncSession]:
    """A session on a brand-new database migrated to head (not the shared test database)."""
    url = await asyncio.to_thread(create_database, server_url, prefix="fa_fresh")
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        engine = create_engine(url, Settings(database_url=url))
        async with AsyncSession(engine) as session:
            yield session
        await engine.dispose()
    finally:
        await asyncio.to_thread(drop_database, url)


async def test_loading_twice_into_a_fresh_database_gives_the_same_rows(
    fresh_session: AsyncSession, bundle: KnowledgeBundle
) -> None:
    assert await load_bundle(fresh_session, bundle) is True
    await fresh_session.commit()
    first = await _dump(fresh_session)
    assert await load_bundle(fresh_session, bundle) is False  # same version: nothing to do
    assert await load_bundle(fresh_session, bundle, force=True) is True
    await fresh_session.commit()
    assert await _dump(fresh_session) == first
    assert await loaded_version(fresh_session) == bundle.version()
    assert len(first["frameworks"]) == len(bundle.frameworks)
    assert len(first["rules"]) == len(bundle.rules)


async def test_reloading_a_changed_bundle_replaces_stale_rows(
    session: AsyncSession, bundle: KnowledgeBundle
) -> None:
    dropped = bundle.frameworks[-1].slug
    smaller = bundle.model_copy(
        update={
            "frameworks": bundle.frameworks[:-1],
            "migrations": [m for m in bundle.migrations if dropped not in (m.from_, m.to)],
            "companions": [c for c in bundle.companions if c.framework != dropped],
            "costs": [c for c in bundle.costs if c.framework != dropped],
        }
    )
    assert await load_bundle(session, smaller) is True
    slugs = set(await session.scalars(select(models.Framework.slug)))
    assert dropped not in slugs
    leftovers = await session.scalars(
        select(models.AssessmentEvidence).where(models.AssessmentEvidence.framework == dropped)
    )
    assert leftovers.all() == []
    assert await loaded_version(session) == smaller.version()


def test_version_is_stable_for_the_same_content(tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    criteria = copy / "criteria.yaml"
    criteria.write_text("# a comment changes no content\n" + criteria.read_text(encoding="utf-8"))
    assert read_bundle(copy).version() == read_bundle(DATA_DIR).version()


def test_version_changes_when_content_changes(tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    features = copy / "features.yaml"
    features.write_text(
        features.read_text(encoding="utf-8").replace("Admin panel", "Admin UI", 1),
        encoding="utf-8",
    )
    assert read_bundle(copy).version() != read_bundle(DATA_DIR).version()


def _in_key_order(bundle: KnowledgeBundle) -> dict[str, Any]:
    """The bundle as data, with the sections that have no stored order sorted by their key."""
    data = bundle.model_dump(mode="json", by_alias=True)
    data["sources"].sort(key=lambda s: s["id"])
    data["frameworks"].sort(key=lambda f: f["slug"])
    data["migrations"].sort(key=lambda m: (m["from"], m["to"]))
    data["costs"].sort(key=lambda c: c["framework"])  # stable: per-framework order is stored
    return data


async def test_reading_back_gives_the_bundle_that_was_loaded(
    session: AsyncSession, bundle: KnowledgeBundle
) -> None:
    assert _in_key_order(await read_bundle_from_db(session)) == _in_key_order(bundle)
