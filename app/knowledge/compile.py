"""Compile a validated bundle into the engine's snapshot: pure, no database, no I/O.

The one place where a layer (``builds_on``) takes its base's facts, where package health becomes
the set of stale packages, and where rows become the engine's precompiled structures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

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
from app.engine.weights import STALE_AFTER_MONTHS
from app.knowledge.bundle import (
    Assessment,
    Evidence,
    FeatureSupport,
    FrameworkData,
    Health,
    KnowledgeBundle,
    RuleCondition,
)


def _cited(evidence: list[Evidence]) -> tuple[Cited, ...]:
    return tuple(Cited(source=e.source, claim=e.claim) for e in evidence)


def effective_cells(
    framework: FrameworkData, by_slug: dict[str, FrameworkData]
) -> tuple[dict[str, Assessment], dict[str, FeatureSupport]]:
    """A framework's assessments and features, a layer's own facts over its base's."""
    if framework.builds_on is None:
        return dict(framework.assessments), dict(framework.features)
    base = by_slug[framework.builds_on]
    return (
        {**base.assessments, **framework.assessments},
        {**base.features, **framework.features},
    )


def is_stale(health: Health) -> bool:
    """No release in the policy's window before the figures were read."""
    read = dt.date.fromisoformat(health.read_on)
    year, month = divmod(read.year * 12 + read.month - 1 - STALE_AFTER_MONTHS, 12)
    cutoff = dt.date(year, month + 1, min(read.day, 28))
    return dt.date.fromisoformat(health.latest_release_date) < cutoff


def stale_packages(bundle: KnowledgeBundle) -> frozenset[str]:
    return frozenset(p.name for p in bundle.packages if p.health and is_stale(p.health))


def _condition(condition: RuleCondition) -> Condition:
    fields: dict[str, object] = {}
    for key, value in condition.model_dump(exclude_none=True, mode="json").items():
        fields[key] = frozenset(value) if isinstance(value, list) else value
    return Condition(**fields)  # type: ignore[arg-type]


def compile_snapshot(bundle: KnowledgeBundle, version: str) -> KnowledgeSnapshot:
    """Everything the engine reads, built once per knowledge-base version."""
    by_slug = {fw.slug: fw for fw in bundle.frameworks}
    companions: dict[str, dict[str, list[CompanionInfo]]] = defaultdict(lambda: defaultdict(list))
    for c in bundle.companions:
        companions[c.framework][c.need].append(CompanionInfo(c.package, c.note, _cited(c.evidence)))
    team_sizes: dict[str, list[tuple[int, int | None, str, str]]] = defaultdict(list)
    for g in bundle.team_sizes:
        for slug, verdict in g.verdicts.items():
            team_sizes[slug].append((g.min_size, g.max_size, verdict, g.source))

    frameworks = {}
    for fw in bundle.frameworks:
        assessments, features = effective_cells(fw, by_slug)
        frameworks[fw.slug] = FrameworkInfo(
            slug=fw.slug,
            name=fw.name,
            summary=fw.summary,
            criteria={
                c: CriterionValue(a.value, a.raw, _cited(a.evidence))
                for c, a in assessments.items()
            },
            features={
                f: FeatureOffer(s.support.value, tuple(s.packages), _cited(s.evidence))
                for f, s in features.items()
            },
            companions={need: tuple(items) for need, items in companions[fw.slug].items()},
            team_size_verdicts=tuple(team_sizes[fw.slug]),
            builds_on=fw.builds_on,
        )
    return KnowledgeSnapshot(
        version=version,
        criteria=tuple(c.slug for c in bundle.criteria),
        features=tuple(f.slug for f in bundle.features),
        frameworks=frameworks,
        rules=tuple(
            RuleInfo(
                id=r.id,
                kind=r.kind,
                text=r.text,
                source=r.source,
                when=tuple(_condition(w) for w in r.when),
                primary=tuple(r.primary),
                alternative=tuple(r.alternative),
                avoid=tuple(r.avoid),
            )
            for r in bundle.rules
        ),
        migrations={
            (m.from_, m.to): MigrationInfo(
                from_framework=m.from_,
                to_framework=m.to,
                difficulty=m.difficulty,
                estimate=m.estimate,
                approach=m.approach,
                evidence=_cited(m.evidence),
            )
            for m in bundle.migrations
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
            for s in bundle.sources
        },
        stale_packages=stale_packages(bundle),
    )
