"""Knowledge-base use cases: the read API and the in-memory snapshot the engine scores against."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.engine.snapshot import KnowledgeSnapshot
from app.errors import NotFound
from app.knowledge import models, repository
from app.knowledge.schemas import (
    BenchmarkRead,
    CriterionAssessmentRead,
    CriterionRead,
    EvidenceRead,
    FeatureRead,
    FeatureSupportRead,
    FrameworkRead,
    FrameworkSummary,
    RuleRead,
    SourceRead,
)
from app.knowledge.snapshot import build_snapshot

logger = logging.getLogger(__name__)


async def list_frameworks(session: AsyncSession) -> list[FrameworkSummary]:
    rows = await repository.all_rows(session, models.Framework)
    return [FrameworkSummary.model_validate(r) for r in rows]


async def get_framework(session: AsyncSession, slug: str) -> FrameworkRead:
    framework = await repository.framework(session, slug)
    if framework is None:
        raise NotFound(f"no framework with slug '{slug}' (see GET /frameworks)")
    assessment_evidence = await repository.framework_rows(session, models.AssessmentEvidence, slug)
    feature_evidence = await repository.framework_rows(session, models.FeatureEvidence, slug)
    # Every criterion and feature is listed; what the knowledge base does not know is shown as
    # unknown (value null, support "unknown") rather than left out.
    assessments = {
        a.criterion: a for a in await repository.framework_rows(session, models.Assessment, slug)
    }
    supports = {
        f.feature: f for f in await repository.framework_rows(session, models.FeatureSupport, slug)
    }
    criteria = [c.slug for c in await repository.all_rows(session, models.Criterion)]
    features = [f.slug for f in await repository.all_rows(session, models.Feature)]
    return FrameworkRead(
        slug=framework.slug,
        name=framework.name,
        summary=framework.summary,
        first_release=framework.first_release,
        homepage=framework.homepage,
        pypi=framework.pypi,
        criteria=[
            CriterionAssessmentRead(
                criterion=c,
                value=a.value if (a := assessments.get(c)) else None,
                raw=a.raw if a else None,
                evidence=[
                    EvidenceRead.model_validate(e) for e in assessment_evidence if e.criterion == c
                ],
            )
            for c in criteria
        ],
        features=[
            FeatureSupportRead(
                feature=f,
                support=s.support if (s := supports.get(f)) else "unknown",
                packages=s.packages if s else [],
                evidence=[
                    EvidenceRead.model_validate(e) for e in feature_evidence if e.feature == f
                ],
            )
            for f in features
        ],
        benchmarks=[
            BenchmarkRead.model_validate(b)
            for b in await repository.framework_rows(session, models.Benchmark, slug)
        ],
    )


async def list_criteria(session: AsyncSession) -> list[CriterionRead]:
    return [
        CriterionRead.model_validate(r)
        for r in await repository.all_rows(session, models.Criterion)
    ]


async def list_features(session: AsyncSession) -> list[FeatureRead]:
    return [
        FeatureRead.model_validate(r) for r in await repository.all_rows(session, models.Feature)
    ]


async def list_sources(session: AsyncSession) -> list[SourceRead]:
    return [SourceRead.model_validate(r) for r in await repository.all_rows(session, models.Source)]


async def list_rules(session: AsyncSession) -> list[RuleRead]:
    return [
        RuleRead(
            id=r.id,
            source=r.source,
            kind=r.kind,
            text=r.text,
            when=r.condition,
            primary=r.primary,
            alternative=r.alternative,
            avoid=r.avoid,
        )
        for r in await repository.all_rows(session, models.Rule)
    ]


class KnowledgeCache:
    """Holds the current snapshot; rebuilds it when the knowledge-base version changes."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self.snapshot: KnowledgeSnapshot | None = None

    async def refresh(self) -> bool:
        """Rebuild the snapshot if the stored version differs. True when it changed."""
        async with self._sessionmaker() as session:
            version = await repository.loaded_version(session)
            if self.snapshot is not None and version == self.snapshot.version:
                return False
            self.snapshot = await build_snapshot(session)
            return True

    async def keep_fresh(self, interval: float) -> None:
        """Poll for a new version until cancelled; a failed poll is logged and retried."""
        while True:
            await asyncio.sleep(interval)
            try:
                if await self.refresh():
                    logger.info("knowledge snapshot rebuilt", extra={"version": self.version})
            except Exception:
                logger.exception("knowledge snapshot refresh failed")

    @property
    def version(self) -> str | None:
        return self.snapshot.version if self.snapshot else None
