"""The knowledge base as loaded in Postgres: every fact cited, the catalog complete."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.knowledge import models

CORE_CRITERIA = (
    "performance",
    "time_to_market",
    "flexibility",
    "security",
    "type_safety",
    "ecosystem",
    "hiring",
    "maintainability",
    "learning_curve",
    "cost",
)
CATALOG = (
    "django",
    "fastapi",
    "flask",
    "litestar",
    "starlette",
    "quart",
    "sanic",
    "falcon",
    "aiohttp",
    "tornado",
    "pyramid",
    "bottle",
)
FEATURES = (
    "admin_panel",
    "authentication",
    "permissions",
    "orm",
    "migrations",
    "auto_api_docs",
    "type_validation",
    "async_io",
    "websockets",
    "streaming",
    "background_tasks",
    "server_templates",
    "cms",
    "forms",
    "security_defaults",
)


async def test_every_known_value_has_evidence(session: AsyncSession) -> None:
    evidence = (
        select(models.AssessmentEvidence)
        .where(models.AssessmentEvidence.framework == models.Assessment.framework)
        .where(models.AssessmentEvidence.criterion == models.Assessment.criterion)
    )
    unsupported = await session.execute(
        select(models.Assessment.framework, models.Assessment.criterion)
        .where(models.Assessment.value.is_not(None))
        .where(~evidence.exists())
    )
    assert unsupported.all() == []


@pytest.mark.parametrize(
    "model",
    [
        models.AssessmentEvidence,
        models.FeatureEvidence,
        models.MigrationEvidence,
        models.CompanionEvidence,
        models.Benchmark,
        models.CostFigure,
        models.Rule,
        models.TeamSizeGuidance,
    ],
)
async def test_every_cited_source_exists(session: AsyncSession, model: type[models.Base]) -> None:
    source = model.__table__.c.source  # type: ignore[attr-defined]
    orphans = await session.execute(
        select(source).where(~select(models.Source.id).where(models.Source.id == source).exists())
    )
    assert orphans.all() == []
    assert await session.scalar(select(func.count()).select_from(model)) > 0


async def test_catalog_has_the_twelve_frameworks_named_by_pypi_slug(session: AsyncSession) -> None:
    rows = (await session.execute(select(models.Framework.slug, models.Framework.pypi))).all()
    assert set(CATALOG) <= {slug for slug, _ in rows}
    assert all(slug == pypi.lower() for slug, pypi in rows)


async def test_criteria_and_features_include_the_required_slugs(session: AsyncSession) -> None:
    criteria = set(await session.scalars(select(models.Criterion.slug)))
    features = set(await session.scalars(select(models.Feature.slug)))
    assert set(CORE_CRITERIA) <= criteria
    assert set(FEATURES) <= features


async def _known(session: AsyncSession, framework: str) -> set[str]:
    rows = await session.scalars(
        select(models.Assessment.criterion)
        .where(models.Assessment.framework == framework)
        .where(models.Assessment.value.is_not(None))
    )
    return set(rows)


@pytest.mark.parametrize("framework", ["django", "fastapi", "flask"])
async def test_seed_frameworks_have_a_value_for_every_core_criterion(
    session: AsyncSession, framework: str
) -> None:
    assert set(CORE_CRITERIA) <= await _known(session, framework)


@pytest.mark.parametrize("framework", CATALOG[3:])
async def test_other_frameworks_have_values_for_most_core_criteria(
    session: AsyncSession, framework: str
) -> None:
    known = await _known(session, framework) & set(CORE_CRITERIA)
    assert len(known) > len(CORE_CRITERIA) / 2, sorted(known)


async def test_django_api_layers_are_companion_libraries(session: AsyncSession) -> None:
    packages = set(
        await session.scalars(
            select(models.Companion.package).where(models.Companion.framework == "django")
        )
    )
    assert {"djangorestframework", "django-ninja"} <= packages


async def test_conflicting_flask_json_benchmarks_are_kept_side_by_side(
    session: AsyncSession,
) -> None:
    rows = await session.scalars(
        select(models.Benchmark)
        .where(models.Benchmark.framework == "flask")
        .where(models.Benchmark.workload == "json_no_db")
    )
    figures = {(b.source, b.low, b.high) for b in rows}
    assert ("acquaint-2026", 800, 1200) in figures
    assert ("pillai-infotech", 4500, None) in {(s, lo, None) for s, lo, _ in figures}
