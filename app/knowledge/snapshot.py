"""Build the engine's immutable snapshot from the knowledge base in Postgres."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.engine.result import EvidenceItem as Cited
from app.engine.result import SourceRef
from app.engine.snapshot import (
    CompanionInfo,
    Condition,
    CriterionValue,
    FeatureOffer,
    FrameworkInfo,
    KnowledgeSnapshot,
    MigrationInfo,
    RuleInfo,
)
from app.knowledge import models, repository


def _condition(raw: dict[str, Any]) -> Condition:
    fields: dict[str, Any] = {}
    for key, value in raw.items():
        fields[key] = frozenset(value) if isinstance(value, list) else value
    return Condition(**fields)


def _cited_by(rows: list[Any], *key: str) -> dict[tuple[Any, ...], tuple[Cited, ...]]:
    grouped: dict[tuple[Any, ...], list[Cited]] = defaultdict(list)
    for row in rows:
        grouped[tuple(getattr(row, k) for k in key)].append(
            Cited(source=row.source, claim=row.claim)
        )
    return {k: tuple(v) for k, v in grouped.items()}


async def build_snapshot(session: AsyncSession) -> KnowledgeSnapshot | None:
    """Read the whole knowledge base once; None when nothing has been loaded yet."""
    version = await repository.loaded_version(session)
    if version is None:
        return None
    rows = {
        model: await repository.all_rows(session, model)
        for model in (
            models.Source,
            models.Criterion,
            models.Feature,
            models.Framework,
            models.Assessment,
            models.AssessmentEvidence,
            models.FeatureSupport,
            models.FeatureEvidence,
            models.Rule,
            models.TeamSizeGuidance,
            models.MigrationPath,
            models.MigrationEvidence,
            models.Companion,
            models.CompanionEvidence,
        )
    }
    assessment_evidence = _cited_by(rows[models.AssessmentEvidence], "framework", "criterion")
    feature_evidence = _cited_by(rows[models.FeatureEvidence], "framework", "feature")
    companion_evidence = _cited_by(rows[models.CompanionEvidence], "framework", "need", "package")
    migration_evidence = _cited_by(rows[models.MigrationEvidence], "from_framework", "to_framework")

    criteria: dict[str, dict[str, CriterionValue]] = defaultdict(dict)
    for a in rows[models.Assessment]:
        evidence = assessment_evidence.get((a.framework, a.criterion), ())
        criteria[a.framework][a.criterion] = CriterionValue(a.value, a.raw, evidence)
    features: dict[str, dict[str, FeatureOffer]] = defaultdict(dict)
    for f in rows[models.FeatureSupport]:
        evidence = feature_evidence.get((f.framework, f.feature), ())
        features[f.framework][f.feature] = FeatureOffer(f.support, tuple(f.packages), evidence)
    companions: dict[str, dict[str, list[CompanionInfo]]] = defaultdict(lambda: defaultdict(list))
    for c in rows[models.Companion]:
        evidence = companion_evidence.get((c.framework, c.need, c.package), ())
        companions[c.framework][c.need].append(CompanionInfo(c.package, c.note, evidence))
    team_sizes: dict[str, list[tuple[int, int | None, str, str]]] = defaultdict(list)
    for g in rows[models.TeamSizeGuidance]:
        for slug, verdict in g.verdicts.items():
            team_sizes[slug].append((g.min_size, g.max_size, verdict, g.source))

    frameworks = {
        fw.slug: FrameworkInfo(
            slug=fw.slug,
            name=fw.name,
            summary=fw.summary,
            criteria=criteria[fw.slug],
            features=features[fw.slug],
            companions={need: tuple(items) for need, items in companions[fw.slug].items()},
            team_size_verdicts=tuple(team_sizes[fw.slug]),
        )
        for fw in rows[models.Framework]
    }
    return KnowledgeSnapshot(
        version=version,
        criteria=tuple(c.slug for c in rows[models.Criterion]),
        features=tuple(f.slug for f in rows[models.Feature]),
        frameworks=frameworks,
        rules=tuple(
            RuleInfo(
                id=r.id,
                kind=r.kind,
                text=r.text,
                source=r.source,
                when=tuple(_condition(w) for w in r.condition),
                primary=tuple(r.primary),
                alternative=tuple(r.alternative),
                avoid=tuple(r.avoid),
            )
            for r in rows[models.Rule]
        ),
        migrations={
            (m.from_framework, m.to_framework): MigrationInfo(
                from_framework=m.from_framework,
                to_framework=m.to_framework,
                difficulty=m.difficulty,
                estimate=m.estimate,
                approach=m.approach,
                evidence=migration_evidence.get((m.from_framework, m.to_framework), ()),
            )
            for m in rows[models.MigrationPath]
        },
        sources={
            s.id: SourceRef(
                id=s.id,
                title=s.title,
                author=s.author,
                publisher=s.publisher,
                published=s.published,
                url=s.url,
            )
            for s in rows[models.Source]
        },
    )
