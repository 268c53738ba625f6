"""Knowledge-base use cases: the read API and the in-memory snapshot the engine scores against."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Container

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.engine.result import evidence_id
from app.engine.snapshot import KnowledgeSnapshot
from app.errors import NotFound
from app.knowledge import models, repository
from app.knowledge.bundle import Evidence, KnowledgeBundle
from app.knowledge.compile import effective_cells, is_stale, relatives, stale_packages
from app.knowledge.schemas import (
    BenchmarkRead,
    CriterionAssessmentRead,
    CriterionRead,
    EvidenceRead,
    FeatureRead,
    FeatureSupportRead,
    FrameworkRead,
    FrameworkSummary,
    HealthRead,
    RelativeRead,
    RuleRead,
    SourceRead,
)
from app.knowledge.store import build_snapshot, read_bundle

logger = logging.getLogger(__name__)


async def list_frameworks(session: AsyncSession) -> list[FrameworkSummary]:
    rows = await repository.all_rows(session, models.Framework)
    return [FrameworkSummary.model_validate(r) for r in rows]


async def get_framework(session: AsyncSession, slug: str) -> FrameworkRead:
    if await repository.framework(session, slug) is None:
        raise NotFound(f"no framework with slug '{slug}' (see GET /frameworks)")
    return framework_view(await read_bundle(session), slug)


def _evidence(items: list[Evidence]) -> list[EvidenceRead]:
    return [
        EvidenceRead(id=evidence_id(e.source, e.claim), source=e.source, claim=e.claim)
        for e in items
    ]


def framework_view(bundle: KnowledgeBundle, slug: str) -> FrameworkRead:
    """One framework as the catalog shows it: the facts the engine scores, with their origin.

    Every criterion and feature is listed; what the knowledge base does not know is shown as
    unknown (value null, support "unknown") with the note saying what was looked for.
    """
    framework = next(fw for fw in bundle.frameworks if fw.slug == slug)
    assessments, features = effective_cells(framework, bundle)
    stale = stale_packages(bundle)
    health = next((p.health for p in bundle.packages if p.name == framework.pypi), None)

    def origin(own: Container[str], key: str) -> str | None:
        return framework.builds_on if framework.builds_on and key not in own else None

    return FrameworkRead(
        slug=framework.slug,
        name=framework.name,
        summary=framework.summary,
        first_release=framework.first_release,
        homepage=framework.homepage,
        pypi=framework.pypi,
        builds_on=framework.builds_on,
        health=health and HealthRead(**health.model_dump(), stale=is_stale(health)),
        criteria=[
            CriterionAssessmentRead(
                criterion=c.slug,
                value=a.value if (a := assessments.get(c.slug)) else None,
                raw=a.raw if a else None,
                evidence=_evidence(a.evidence) if a else [],
                note=a.note if a else None,
                inherited_from=origin(framework.assessments, c.slug),
            )
            for c in bundle.criteria
        ],
        features=[
            FeatureSupportRead(
                feature=f.slug,
                support=s.support if (s := features.get(f.slug)) else "unknown",
                packages=s.packages if s else [],
                stale_packages=[p for p in s.packages if p in stale] if s else [],
                evidence=_evidence(s.evidence) if s else [],
                note=s.note if s else None,
                inherited_from=origin(framework.features, f.slug),
            )
            for f in bundle.features
        ],
        relatives=[
            RelativeRead(
                framework=other,
                evidence=[EvidenceRead(id=e.id, source=e.source, claim=e.claim) for e in evidence],
            )
            for other, evidence in sorted(relatives(bundle)[slug].items())
        ],
        benchmarks=[BenchmarkRead.model_validate(b.model_dump()) for b in framework.benchmarks],
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


# While there is no snapshot, /recommend cannot answer: retry soon, backing off to about once a
# second, rather than waiting for the next version poll.
MISSING_RETRY_FIRST_SECONDS = 0.1
MISSING_RETRY_MAX_SECONDS = 1.0


class KnowledgeCache:
    """Holds the current snapshot; rebuilds it when the knowledge-base version changes."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker
        self.snapshot: KnowledgeSnapshot | None = None
        self.loaded_at: float | None = None  # time.monotonic() when the snapshot was built

    async def refresh(self) -> bool:
        """Rebuild the snapshot if the stored version differs. True when it changed."""
        async with self._sessionmaker() as session:
            version = await repository.loaded_version(session)
            if self.snapshot is not None and version == self.snapshot.version:
                return False
            snapshot = await build_snapshot(session)
            if snapshot is not None:
                self.snapshot = snapshot
                self.loaded_at = time.monotonic()
            return snapshot is not None

    async def keep_fresh(self, interval: float, *, timeout: float) -> None:
        """Poll for a new version until cancelled; a failed poll is logged (one line) and retried.

        Each attempt ends within `timeout`. Without a snapshot, attempts come every
        MISSING_RETRY_* seconds instead of every `interval`.
        """
        backoff = MISSING_RETRY_FIRST_SECONDS
        while True:
            if self.snapshot is None:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MISSING_RETRY_MAX_SECONDS)
            else:
                await asyncio.sleep(interval)
            try:
                async with asyncio.timeout(timeout):
                    changed = await self.refresh()
            except Exception as error:  # the database is down or slow: keep the old snapshot
                logger.warning(
                    "knowledge snapshot refresh failed",
                    extra={"error": f"{type(error).__name__}: {error}"[:300]},
                )
                continue
            if changed:
                backoff = MISSING_RETRY_FIRST_SECONDS
                logger.info("knowledge snapshot built", extra={"version": self.version})

    @property
    def age_seconds(self) -> float | None:
        return None if self.loaded_at is None else time.monotonic() - self.loaded_at

    @property
    def version(self) -> str | None:
        return self.snapshot.version if self.snapshot else None
