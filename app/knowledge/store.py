"""Postgres <-> bundle: load a validated bundle into the tables idempotently, and read it back."""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import Base
from app.engine.snapshot import KnowledgeSnapshot
from app.knowledge import models, repository
from app.knowledge.bundle import (
    Assessment,
    Benchmark,
    Companion,
    CostFigure,
    CriterionData,
    Evidence,
    FeatureData,
    FeatureSupport,
    FrameworkData,
    KnowledgeBundle,
    MigrationPath,
    PackageData,
    RuleCondition,
    RuleData,
    SourceData,
    TeamSizeGuidance,
)
from app.knowledge.compile import compile_snapshot
from app.knowledge.resources import parse_resource

Rows = list[dict[str, Any]]

#: Every knowledge table, parents first.
STORED_TABLES: tuple[type[Base], ...] = (
    models.Source,
    models.Criterion,
    models.Feature,
    models.Framework,
    models.Assessment,
    models.AssessmentEvidence,
    models.FeatureSupport,
    models.FeatureEvidence,
    models.Benchmark,
    models.Rule,
    models.TeamSizeGuidance,
    models.MigrationPath,
    models.MigrationEvidence,
    models.Companion,
    models.CompanionEvidence,
    models.CostFigure,
    models.Package,
)


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
            fw.model_dump(
                include={
                    "slug",
                    "name",
                    "summary",
                    "first_release",
                    "homepage",
                    "pypi",
                    "builds_on",
                }
            )
            | {"relatives": [r.model_dump(mode="json") for r in fw.relatives]}
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
                "situation": r.situation,
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
        models.Package: [
            {"name": p.name, "position": i, "health": p.health and p.health.model_dump()}
            for i, p in enumerate(bundle.packages)
        ],
    }
    for fw in bundle.frameworks:
        for criterion, a in fw.assessments.items():
            keys = {"framework": fw.slug, "criterion": criterion}
            rows[models.Assessment].append({**keys, "value": a.value, "raw": a.raw, "note": a.note})
            rows[models.AssessmentEvidence] += _evidence_rows(keys, a.evidence)
        for feature, s in fw.features.items():
            keys = {"framework": fw.slug, "feature": feature}
            rows[models.FeatureSupport].append(
                {**keys, "support": s.support, "packages": s.packages, "note": s.note}
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


class CuratedConflict(Exception):
    """The bundle and the curated changes cannot be combined into a valid knowledge base."""


@dataclass(frozen=True)
class LoadResult:
    """What a load did: whether rows changed, and where the bundle and curated data disagree."""

    changed: bool
    #: Curated resources the bundle says otherwise about: kept as curated (reported).
    conflicts: tuple[str, ...] = ()
    #: Curated resources put back to the bundle's content (``force``), each audited.
    reverted: tuple[str, ...] = ()


async def load_bundle(
    session: AsyncSession, bundle: KnowledgeBundle, *, force: bool = False
) -> bool:
    """Load the bundle unless that exact version is already loaded. True when rows changed."""
    return (await load_bundle_report(session, bundle, force=force)).changed


async def load_bundle_report(
    session: AsyncSession,
    bundle: KnowledgeBundle,
    *,
    force: bool = False,
    actor: str = "load-knowledge --force",
) -> LoadResult:
    """Load the bundle's rows, never silently over curated ones.

    A curated resource keeps its curated content and is reported as a conflict where the bundle
    differs; with ``force`` the bundle wins, each reverted resource is audited, and every row is
    the bundle's again.
    """
    if not force and await repository.loaded_bundle_version(session) == bundle.version():
        return LoadResult(changed=False)
    await repository.lock_knowledge(session)
    curated = await repository.curated_resources(session)
    target = bundle
    conflicts: list[tuple[str, Any, Any]] = []
    if curated:
        stored = (await read_bundle(session)).model_dump(mode="json", by_alias=True)
        wanted = bundle.model_dump(mode="json", by_alias=True)
        merged = copy.deepcopy(wanted)
        for row in curated:
            kind, key = parse_resource(row.kind, row.resource)
            ours, theirs = kind.find(stored, key), kind.find(wanted, key)
            if ours != theirs:
                conflicts.append((row.resource, ours, theirs))
            if not force:
                kind.put(merged, key, ours)
        if not force:
            try:
                target = KnowledgeBundle.model_validate(merged)
            except ValidationError as exc:
                raise CuratedConflict(
                    "the bundle cannot be loaded around the curated changes "
                    f"({', '.join(r for r, _, _ in conflicts) or 'none differ'}): "
                    f"{exc.errors()[0]['msg']}; `load-knowledge --force` takes the bundle's side"
                ) from exc
    await repository.replace_all(session, bundle_rows(target))
    await repository.set_version(session, target.version(), bundle_version=bundle.version())
    if not force:
        return LoadResult(changed=True, conflicts=tuple(r for r, _, _ in conflicts))
    for resource, before, after in conflicts:
        await repository.add_audit(
            session,
            models.AuditEntry(
                key_name=actor, action="revert", resource=resource, before=before, after=after
            ),
        )
    await repository.forget_curated(session)
    return LoadResult(changed=True, reverted=tuple(r for r, _, _ in conflicts))


def _evidence(rows: list[Any]) -> list[Evidence]:
    return [Evidence(source=r.source, claim=r.claim) for r in rows]


async def read_bundle(session: AsyncSession) -> KnowledgeBundle:
    """The knowledge base as stored, in the bundle's shape: the inverse of ``bundle_rows``.

    Sections without a stored order (sources, frameworks, migration paths) come back in key order.
    """
    rows = {table: await repository.all_rows(session, table) for table in STORED_TABLES}

    def grouped(model: type[Base], *key: str) -> dict[tuple[Any, ...], list[Any]]:
        found: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
        for row in rows[model]:
            found[tuple(getattr(row, k) for k in key)].append(row)
        return found

    assessment_evidence = grouped(models.AssessmentEvidence, "framework", "criterion")
    feature_evidence = grouped(models.FeatureEvidence, "framework", "feature")
    assessments = grouped(models.Assessment, "framework")
    supports = grouped(models.FeatureSupport, "framework")
    benchmarks = grouped(models.Benchmark, "framework")
    migration_evidence = grouped(models.MigrationEvidence, "from_framework", "to_framework")
    companion_evidence = grouped(models.CompanionEvidence, "framework", "need", "package")
    frameworks = [
        FrameworkData(
            slug=fw.slug,
            name=fw.name,
            summary=fw.summary,
            first_release=fw.first_release,
            homepage=fw.homepage,
            pypi=fw.pypi,
            builds_on=fw.builds_on,
            relatives=fw.relatives,
            assessments={
                a.criterion: Assessment(
                    value=a.value,
                    raw=a.raw,
                    note=a.note,
                    evidence=_evidence(assessment_evidence[(fw.slug, a.criterion)]),
                )
                for a in assessments[(fw.slug,)]
            },
            features={
                f.feature: FeatureSupport(
                    support=f.support,
                    packages=f.packages,
                    note=f.note,
                    evidence=_evidence(feature_evidence[(fw.slug, f.feature)]),
                )
                for f in supports[(fw.slug,)]
            },
            benchmarks=[
                Benchmark.model_validate(b, from_attributes=True) for b in benchmarks[(fw.slug,)]
            ],
        )
        for fw in rows[models.Framework]
    ]
    return KnowledgeBundle(
        sources=[SourceData.model_validate(s, from_attributes=True) for s in rows[models.Source]],
        criteria=[
            CriterionData.model_validate(c, from_attributes=True) for c in rows[models.Criterion]
        ],
        features=[
            FeatureData.model_validate(f, from_attributes=True) for f in rows[models.Feature]
        ],
        frameworks=frameworks,
        rules=[
            RuleData(
                id=r.id,
                source=r.source,
                kind=r.kind,
                text=r.text,
                situation=r.situation,
                when=[RuleCondition.model_validate(w) for w in r.condition],
                primary=r.primary,
                alternative=r.alternative,
                avoid=r.avoid,
            )
            for r in rows[models.Rule]
        ],
        team_sizes=[
            TeamSizeGuidance.model_validate(g, from_attributes=True)
            for g in rows[models.TeamSizeGuidance]
        ],
        migrations=[
            MigrationPath.model_validate(
                {
                    "from": m.from_framework,
                    "to": m.to_framework,
                    "difficulty": m.difficulty,
                    "estimate": m.estimate,
                    "transfers": m.transfers,
                    "to_learn": m.to_learn,
                    "approach": m.approach,
                    "evidence": _evidence(migration_evidence[(m.from_framework, m.to_framework)]),
                }
            )
            for m in rows[models.MigrationPath]
        ],
        companions=[
            Companion(
                framework=c.framework,
                need=c.need,
                package=c.package,
                note=c.note,
                evidence=_evidence(companion_evidence[(c.framework, c.need, c.package)]),
            )
            for c in rows[models.Companion]
        ],
        costs=[CostFigure.model_validate(c, from_attributes=True) for c in rows[models.CostFigure]],
        packages=[PackageData(name=p.name, health=p.health) for p in rows[models.Package]],
    )


async def build_snapshot(session: AsyncSession) -> KnowledgeSnapshot | None:
    """The engine's snapshot of what is stored; None when nothing has been loaded yet."""
    version = await repository.loaded_version(session)
    if version is None:
        return None
    return compile_snapshot(await read_bundle(session), version)
