"""A bundle load never silently overwrites a curated change; --force reverts it, audited."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.connection import create_engine
from app.knowledge import models
from app.knowledge.bundle import KnowledgeBundle
from app.knowledge.store import CuratedConflict, load_bundle_report, read_bundle
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import OwnKnowledgeBase

CURATED = "We run Litestar in production."


async def _curate(kb: OwnKnowledgeBase) -> None:
    """Patch litestar's summary through the API, as a curator would (the app then shuts down)."""
    application = create_app(Settings(database_url=kb.url, kb_refresh_seconds=3600))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://kb") as client:
            tag = (await client.get("/kb/frameworks/litestar")).headers["etag"]
            response = await client.patch(
                "/kb/frameworks/litestar",
                json={"summary": CURATED},
                headers={**kb.headers["write"], "If-Match": tag},
            )
            assert response.status_code == 200, response.text


async def _summary(session: AsyncSession) -> str:
    bundle = await read_bundle(session)
    return next(f.summary for f in bundle.frameworks if f.slug == "litestar")


async def test_a_curated_change_survives_a_restart_and_loads_and_force_reverts_it(
    own_kb: OwnKnowledgeBase, bundle: KnowledgeBundle
) -> None:
    await _curate(own_kb)  # the app that made it is gone: a restart
    engine = create_engine(own_kb.url, Settings(database_url=own_kb.url))
    async with AsyncSession(engine) as session:
        assert await _summary(session) == CURATED

        same = await load_bundle_report(session, bundle)  # load-knowledge, same bundle
        await session.commit()
        assert same.changed is False
        assert await _summary(session) == CURATED

        upgraded = bundle.model_copy(
            update={
                "features": [
                    f.model_copy(update={"description": f.description + " (upgraded)"})
                    for f in bundle.features
                ]
            }
        )
        upgrade = await load_bundle_report(session, upgraded)  # a bundle upgrade
        await session.commit()
        assert upgrade.changed is True
        assert upgrade.conflicts == ("/kb/frameworks/litestar",)
        assert await _summary(session) == CURATED
        stored = await read_bundle(session)
        assert stored.features[0].description.endswith("(upgraded)")

        forced = await load_bundle_report(session, bundle, force=True)
        await session.commit()
        assert forced.reverted == ("/kb/frameworks/litestar",)
        original = next(f.summary for f in bundle.frameworks if f.slug == "litestar")
        assert await _summary(session) == original
        audit = (
            await session.scalars(select(models.AuditEntry).order_by(models.AuditEntry.id))
        ).all()
        assert [(a.action, a.resource) for a in audit] == [
            ("patch", "/kb/frameworks/litestar"),
            ("revert", "/kb/frameworks/litestar"),
        ]
        assert audit[-1].before["summary"] == CURATED
        assert audit[-1].after["summary"] == original
        assert (await session.scalars(select(models.CuratedResource))).all() == []
    await engine.dispose()


async def test_a_bundle_that_cannot_hold_a_curated_change_is_refused_not_forced(
    own_kb: OwnKnowledgeBase, bundle: KnowledgeBundle
) -> None:
    notes = {"id": "team-notes", "title": "Our notes", "kind": bundle.sources[0].kind.value}
    application = create_app(Settings(database_url=own_kb.url, kb_refresh_seconds=3600))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://kb") as client:
            created = await client.put(
                "/kb/sources/team-notes", json=notes, headers=own_kb.headers["write"]
            )
            assert created.status_code == 201, created.text
            deleted = await client.delete(
                "/kb/sources/team-notes",
                headers={**own_kb.headers["write"], "If-Match": created.headers["etag"]},
            )
            assert deleted.status_code == 204, deleted.text
    # The next bundle has that source, and a rule citing it: the curated deletion cannot hold.
    upgraded = KnowledgeBundle.model_validate(
        {
            **bundle.model_dump(by_alias=True),
            "sources": [*bundle.model_dump()["sources"], notes],
            "rules": [
                *bundle.model_dump()["rules"],
                {**bundle.rules[0].model_dump(), "id": "team-rule", "source": "team-notes"},
            ],
        }
    )
    engine = create_engine(own_kb.url, Settings(database_url=own_kb.url))
    async with AsyncSession(engine) as session:
        with pytest.raises(CuratedConflict, match="--force"):
            await load_bundle_report(session, upgraded)
        await session.rollback()
        forced = await load_bundle_report(session, upgraded, force=True)
        await session.commit()
        assert forced.reverted == ("/kb/sources/team-notes",)
        assert any(s.id == "team-notes" for s in (await read_bundle(session)).sources)
    await engine.dispose()
