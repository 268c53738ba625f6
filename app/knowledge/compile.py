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
from app.engine.weights import (
    MAINTENANCE_RUBRIC,
    REGISTRY_SOURCE,
    STALE_AFTER_MONTHS,
)
from app.knowledge.bundle import (
    MAINTENANCE_CRITERION,
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


def maintenance_assessment(package: str, health: Health | None) -> Assessment:
    """The ``maintenance`` criterion, from the package's health by the policy's rubric."""
    if health is None:
        return Assessment(note=f"{package}: no release activity recorded (kb refresh-health).")
    read = dt.date.fromisoformat(health.read_on)
    latest = dt.date.fromisoformat(health.latest_release_date)
    value = 0.0
    for months, min_releases, rubric_value in MAINTENANCE_RUBRIC:
        if latest >= months_before(read, months) and health.releases_24m >= min_releases:
            value = rubric_value
            break
    return Assessment(
        value=value,
        raw=(
            f"{package} {health.latest_release} published {health.latest_release_date}; "
            f"{health.releases_24m} releases in the 24 months to {health.read_on}"
        ),
        evidence=[
            Evidence(
                source=REGISTRY_SOURCE,
                claim=(
                    f"{health.url}: latest release {health.latest_release} on "
                    f"{health.latest_release_date}, {health.releases_24m} releases in 24 months "
                    f"(read {health.read_on})"
                ),
            )
        ],
    )


def effective_cells(
    framework: FrameworkData, bundle: KnowledgeBundle
) -> tuple[dict[str, Assessment], dict[str, FeatureSupport]]:
    """A framework's assessments and features: a layer's own facts over its base's, and the
    maintenance criterion derived from its package's health."""
    assessments, features = dict(framework.assessments), dict(framework.features)
    if framework.builds_on is not None:
        base = next(b for b in bundle.frameworks if b.slug == framework.builds_on)
        assessments = {**base.assessments, **assessments}
        features = {**base.features, **features}
    health = next((p.health for p in bundle.packages if p.name == framework.pypi), None)
    assessments[MAINTENANCE_CRITERION] = maintenance_assessment(framework.pypi, health)
    return assessments, features


def months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, 28))


def is_stale(health: Health) -> bool:
    """No release in the policy's window before the figures were read."""
    cutoff = months_before(dt.date.fromisoformat(health.read_on), STALE_AFTER_MONTHS)
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
    companions: dict[str, dict[str, list[CompanionInfo]]] = defaultdict(lambda: defaultdict(list))
    for c in bundle.companions:
        companions[c.framework][c.need].append(CompanionInfo(c.package, c.note, _cited(c.evidence)))
    team_sizes: dict[str, list[tuple[int, int | None, str, str]]] = defaultdict(list)
    for g in bundle.team_sizes:
        for slug, verdict in g.verdicts.items():
            team_sizes[slug].append((g.min_size, g.max_size, verdict, g.source))

    frameworks = {}
    for fw in bundle.frameworks:
        assessments, features = effective_cells(fw, bundle)
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
