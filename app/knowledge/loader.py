"""Turn a validated bundle into table rows and load them into Postgres idempotently."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import Base
from app.knowledge import models, repository
from app.knowledge.bundle import Evidence, KnowledgeBundle

Rows = list[dict[str, Any]]


def _evidence_rows(keys: dict[str, Any], evidence: list[Evidence]) -> Rows:
    return [
        {**keys, "position": i, "source": ev.source, "claim": ev.claim}
        for i, ev in enumerate(evidence)
    ]


def bundle_rows(bundle: KnowledgeBundle) -> dict[Table, Rows]:
    """Every row of every table, in foreign-key order (parents first)."""
    rows: dict[type[Base], Rows] = {
        models.Source: [s.model_dump(mode="json") for s in bundle.sources],
        models.Criterion: [
            {**c.model_dump(), "position": i} for i, c in enumerate(bundle.criteria)
        ],
        models.Feature: [{**f.model_dump(), "position": i} for i, f in enumerate(bundle.features)],
        models.Framework: [
            fw.model_dump(include={"slug", "name", "summary", "first_release", "homepage", "pypi"})
            for fw in bundle.frameworks
        ],
        models.Assessment: [],
        models.AssessmentEvidence: [],
        models.FeatureSupport: [],
        models.FeatureEvidence: [],
        models.Benchmark: [],
        models.Rule: [
            {
                "id": r.id,
                "position": i,
                "source": r.source,
                "kind": r.kind,
                "text": r.text,
                "condition": [w.model_dump(exclude_none=True) for w in r.when],
                "primary": r.primary,
                "alternative": r.alternative,
                "avoid": r.avoid,
            }
            for i, r in enumerate(bundle.rules)
        ],
        models.TeamSizeGuidance: [
            {**g.model_dump(), "position": i} for i, g in enumerate(bundle.team_sizes)
        ],
        models.MigrationPath: [],
        models.MigrationEvidence: [],
        models.Companion: [],
        models.CompanionEvidence: [],
        models.CostFigure: [],
    }
    for fw in bundle.frameworks:
        for criterion, a in fw.assessments.items():
            keys = {"framework": fw.slug, "criterion": criterion}
            rows[models.Assessment].append({**keys, "value": a.value, "raw": a.raw})
            rows[models.AssessmentEvidence] += _evidence_rows(keys, a.evidence)
        for feature, s in fw.features.items():
            keys = {"framework": fw.slug, "feature": feature}
            rows[models.FeatureSupport].append(
                {**keys, "support": s.support, "packages": s.packages}
            )
            rows[models.FeatureEvidence] += _evidence_rows(keys, s.evidence)
        rows[models.Benchmark] += [
            {**b.model_dump(), "framework": fw.slug, "position": i}
            for i, b in enumerate(fw.benchmarks)
        ]
    for m in bundle.migrations:
        keys = {"from_framework": m.from_, "to_framework": m.to}
        rows[models.MigrationPath].append(
            {**keys, **m.model_dump(include={"difficulty", "estimate", "transfers", "to_learn"})}
            | {"approach": m.approach}
        )
        rows[models.MigrationEvidence] += _evidence_rows(keys, m.evidence)
    for i, c in enumerate(bundle.companions):
        keys = {"framework": c.framework, "need": c.need, "package": c.package}
        rows[models.Companion].append({**keys, "position": i, "note": c.note})
        rows[models.CompanionEvidence] += _evidence_rows(keys, c.evidence)
    per_framework: dict[str, int] = {}
    for cost in bundle.costs:
        position = per_framework[cost.framework] = per_framework.get(cost.framework, -1) + 1
        rows[models.CostFigure].append({**cost.model_dump(), "position": position})
    return {model.__table__: table_rows for model, table_rows in rows.items()}  # type: ignore[misc]


async def load_bundle(
    session: AsyncSession, bundle: KnowledgeBundle, *, force: bool = False
) -> bool:
    """Load the bundle unless that exact version is already loaded. True when rows changed."""
    version = bundle.version()
    if not force and await repository.loaded_version(session) == version:
        return False
    await repository.replace_all(session, bundle_rows(bundle))
    await repository.set_version(session, version)
    return True
