"""Compile a validated bundle into the engine's snapshot: pure, no database, no I/O.

The one place where a layer (``builds_on``) takes its base's facts, where package health becomes
the set of stale packages, and where rows become the engine's precompiled structures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from app.engine.policy import (
    ALTERNATIVE_SHARE,
    AVOID_SHARE,
    FAMILIARITY_EVIDENCE,
    KIND_LABELS,
    MAINTENANCE_RUBRIC,
    REGISTRY_SOURCE,
    RULE_UNITS,
    SPECIFICITY_BONUS,
    STALE_AFTER_MONTHS,
    SUPPORT_FIT,
    THROUGHPUT_METRIC,
)
from app.engine.result import EvidenceItem as Cited
from app.engine.result import SourceRef, cite
from app.engine.set_aside import exclusions, foldings
from app.engine.snapshot import (
    ALWAYS,
    NEUTRAL,
    SCOPE_FIELDS,
    UNKNOWN_OFFER,
    Columns,
    CompanionInfo,
    Condition,
    CriterionValue,
    Fact,
    FeatureOffer,
    FrameworkInfo,
    KnowledgeSnapshot,
    MigrationInfo,
    Rows,
    RuleEffect,
    RuleInfo,
)
from app.engine.stack import suggest_stack
from app.knowledge.bundle import (
    MAINTENANCE_CRITERION,
    Assessment,
    Evidence,
    FeatureSupport,
    FrameworkData,
    Health,
    KnowledgeBundle,
    RuleCondition,
    RuleData,
)
from app.vocab import ProjectType


def _cited(evidence: list[Evidence]) -> tuple[Cited, ...]:
    return tuple(cite(e.source, e.claim) for e in evidence)


def _criterion_value(assessment: Assessment) -> CriterionValue:
    cited = _cited(assessment.evidence)
    return CriterionValue(assessment.value, assessment.raw, cited, tuple(c.id for c in cited))


def _offer(support: FeatureSupport) -> FeatureOffer:
    cited = _cited(support.evidence)
    ids = tuple(c.id for c in cited)
    return FeatureOffer(support.support.value, tuple(support.packages), cited, ids, support.note)


def check_evidence_ids(cited: Iterable[Cited]) -> None:
    """Fail loudly if two different claims share an id: an answer would point at the wrong text."""
    seen: dict[str, Cited] = {}
    for item in cited:
        other = seen.setdefault(item.id, item)
        if (other.source, other.claim) != (item.source, item.claim):
            raise ValueError(
                f"evidence id {item.id} names two claims: {other.source}: {other.claim!r} and "
                f"{item.source}: {item.claim!r}; reword one of them"
            )


def _all_cited(
    frameworks: Iterable[FrameworkInfo], migrations: Iterable[MigrationInfo]
) -> Iterator[Cited]:
    for fw in frameworks:
        for value in fw.criteria.values():
            yield from value.evidence
        for offer in fw.features.values():
            yield from offer.evidence
        for companions in fw.companions.values():
            for companion in companions:
                yield from companion.evidence
        for evidence in fw.relatives.values():
            yield from evidence
    for path in migrations:
        yield from path.evidence
    yield FAMILIARITY_EVIDENCE


def maintenance_assessment(package: str, health: Health | None) -> Assessment:
    """The ``maintenance`` criterion, from the package's health by the policy's rubric."""
    if health is None:
        return Assessment(note=f"{package}: no release activity recorded (kb refresh-health).")
    read = dt.date.fromisoformat(health.read_on)
    latest = dt.date.fromisoformat(health.latest_release_date)
    value = 0.0
    for months, rubric_value in MAINTENANCE_RUBRIC:
        if latest >= months_before(read, months):
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
    # Its size, how many facts of the source's situation it checks, ranks the conditions of a rule
    # (most specific first) and adds to its units.
    size = len(fields.keys() - SCOPE_FIELDS)
    return Condition(**fields, size=size)  # type: ignore[arg-type]


def _display_names(slugs: tuple[str, ...] | list[str], bundle: KnowledgeBundle) -> str:
    names = {fw.slug: fw.name for fw in bundle.frameworks}
    return " or ".join(names[slug] for slug in slugs)


def _compile_rule(rule: RuleData, bundle: KnowledgeBundle) -> RuleInfo:
    """A rule with its conditions most specific first, and its points per framework per condition.

    What a reader is shown is the source's claim, attributed: who says it, in which kind of
    guidance, for which situation, and what it picks, never a sentence in the user's voice.
    """
    when = tuple(sorted((_condition(w) for w in rule.when), key=lambda w: -w.size))
    situation = rule.situation or rule.text
    label = f"{rule.source}, {KIND_LABELS[rule.kind]}: {situation}"
    picks = f"{label} → {_display_names(rule.primary, bundle)}" if rule.primary else label
    texts = {slug: picks for slug in rule.primary}
    texts.update(
        {
            slug: f"{picks} (alternative: {_display_names([slug], bundle)})"
            for slug in rule.alternative
        }
    )
    texts.update({slug: f"{label} → avoid {_display_names([slug], bundle)}" for slug in rule.avoid})
    shares = {slug: AVOID_SHARE for slug in rule.avoid}
    shares.update({slug: ALTERNATIVE_SHARE for slug in rule.alternative})
    shares.update({slug: 1.0 for slug in rule.primary})
    effects = []
    for condition in when:
        # A condition that checks more facts of the profile is more specific guidance (a
        # decision-tree leaf rather than a project type alone), so it counts for more.
        units = RULE_UNITS[rule.kind] * (1 + SPECIFICITY_BONUS * (condition.size - 1))
        effects.append(
            tuple(
                (slug, RuleEffect(rule.id, texts[slug], units * share, (rule.source,)))
                for slug, share in shares.items()
            )
        )
    return RuleInfo(
        id=rule.id,
        kind=rule.kind,
        text=rule.text,
        source=rule.source,
        when=when,
        primary=tuple(rule.primary),
        alternative=tuple(rule.alternative),
        avoid=tuple(rule.avoid),
        effects=tuple(effects),
    )


def relatives(bundle: KnowledgeBundle) -> dict[str, dict[str, tuple[Cited, ...]]]:
    """Symmetric: knowing either side carries over to the other; a layer and its base too."""
    found: dict[str, dict[str, tuple[Cited, ...]]] = defaultdict(dict)
    for fw in bundle.frameworks:
        for relative in fw.relatives:
            cited = _cited(relative.evidence)
            found[fw.slug][relative.framework] = cited
            found[relative.framework][fw.slug] = cited
        if fw.builds_on is not None:
            # The layer's own facts say what it adds; the relation itself is the data's builds_on.
            found[fw.slug].setdefault(fw.builds_on, ())
            found[fw.builds_on].setdefault(fw.slug, ())
    return found


def _peak_rps(framework: FrameworkData) -> tuple[float, str] | None:
    figures = [
        (b.high if b.high is not None else b.low, b.source)
        for b in framework.benchmarks
        if b.metric == THROUGHPUT_METRIC and (b.high is not None or b.low is not None)
    ]
    return max(((float(v), src) for v, src in figures if v is not None), default=None)


def compile_snapshot(bundle: KnowledgeBundle, version: str) -> KnowledgeSnapshot:
    """Everything the engine reads, built once per knowledge-base version."""
    companions: dict[str, dict[str, list[CompanionInfo]]] = defaultdict(lambda: defaultdict(list))
    for c in bundle.companions:
        companions[c.framework][c.need].append(CompanionInfo(c.package, c.note, _cited(c.evidence)))
    cautions: dict[str, list[tuple[int, int | None, str, str]]] = defaultdict(list)
    for g in bundle.team_sizes:
        for slug in g.cautions:
            cautions[slug].append((g.min_size, g.max_size, g.verdicts[slug], g.source))
    related = relatives(bundle)

    frameworks = {}
    for fw in bundle.frameworks:
        assessments, features = effective_cells(fw, bundle)
        frameworks[fw.slug] = FrameworkInfo(
            slug=fw.slug,
            name=fw.name,
            summary=fw.summary,
            criteria={c: _criterion_value(a) for c, a in assessments.items()},
            features={f: _offer(s) for f, s in features.items()},
            companions={need: tuple(items) for need, items in companions[fw.slug].items()},
            team_size_cautions=tuple(cautions[fw.slug]),
            builds_on=fw.builds_on,
            homepage=fw.homepage,
            relatives=dict(related[fw.slug]),
            peak_rps=_peak_rps(fw),
        )
    migrations = {
        (m.from_, m.to): MigrationInfo(
            from_framework=m.from_,
            to_framework=m.to,
            difficulty=m.difficulty,
            estimate=m.estimate,
            approach=m.approach,
            transfers=tuple(m.transfers),
            to_learn=tuple(m.to_learn),
            evidence=_cited(m.evidence),
        )
        for m in bundle.migrations
    }
    check_evidence_ids(_all_cited(frameworks.values(), migrations.values()))
    return assemble_snapshot(
        version=version,
        criteria=tuple(c.slug for c in bundle.criteria),
        criterion_names={c.slug: c.name for c in bundle.criteria},
        features=tuple(f.slug for f in bundle.features),
        frameworks=frameworks,
        rules=tuple(_compile_rule(r, bundle) for r in bundle.rules),
        migrations=migrations,
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


def assemble_snapshot(
    *,
    version: str,
    criteria: tuple[str, ...],
    criterion_names: Mapping[str, str],
    features: tuple[str, ...],
    frameworks: Mapping[str, FrameworkInfo],
    rules: tuple[RuleInfo, ...],
    migrations: Mapping[tuple[str, str], MigrationInfo],
    sources: Mapping[str, SourceRef],
    stale_packages: frozenset[str] = frozenset(),
) -> KnowledgeSnapshot:
    """The snapshot of these facts, with everything the engine precomputes from them; its
    mappings are read-only, as one snapshot is shared by every request."""
    frameworks = MappingProxyType(dict(frameworks))
    read_priorities = {
        k for r in rules for w in r.when for k in (*(w.min_priority or ()), *(w.max_priority or ()))
    }
    return KnowledgeSnapshot(
        version=version,
        criteria=criteria,
        criterion_names=MappingProxyType(dict(criterion_names)),
        features=features,
        frameworks=frameworks,
        rules=rules,
        migrations=MappingProxyType(dict(migrations)),
        sources=MappingProxyType(dict(sources)),
        stale_packages=stale_packages,
        vectors=MappingProxyType(
            {
                slug: tuple(NEUTRAL if (v := fw.value(c).value) is None else v for c in criteria)
                for slug, fw in frameworks.items()
            }
        ),
        stacks=MappingProxyType(
            {slug: suggest_stack(fw, stale_packages) for slug, fw in frameworks.items()}
        ),
        rule_index=MappingProxyType(rule_index(rules)),
        priority_criteria=frozenset(read_priorities),
        columns=columns(frameworks, criteria, rules),
        exclusions=MappingProxyType(
            {slug: MappingProxyType(exclusions(fw)) for slug, fw in frameworks.items()}
        ),
        foldings=MappingProxyType(foldings(frameworks)),
        fastest_measured=_fastest_measured(frameworks),
    )


def _fastest_measured(frameworks: Mapping[str, FrameworkInfo]) -> tuple[str, float, str] | None:
    measured = [(fw.peak_rps, fw.slug) for fw in frameworks.values() if fw.peak_rps is not None]
    if not measured:
        return None
    (figure, source), slug = max(measured)
    return slug, figure, source


def _facts(condition: Condition) -> tuple[Fact, ...]:
    """The facts one of which the profile must state for the condition to hold."""
    c = condition
    if c.features_any is not None:
        return tuple(("feature", f) for f in sorted(c.features_any))
    if c.features_all:
        return (("feature", min(c.features_all)),)
    if c.team_knows is not None:
        return (("knows", c.team_knows),)
    if c.current_frameworks is not None:
        return tuple(("current", f) for f in sorted(c.current_frameworks))
    if c.styles is not None:
        return tuple(("style", s) for s in sorted(c.styles))
    if c.workloads is not None:
        return tuple(("workload", w) for w in sorted(c.workloads))
    return (ALWAYS,)


def rule_index(
    rules: tuple[RuleInfo, ...],
) -> dict[str, Mapping[Fact, tuple[tuple[int, int], ...]]]:
    """Project type -> fact -> the conditions that need it, so matching checks only those."""
    index: dict[str, Mapping[Fact, tuple[tuple[int, int], ...]]] = {}
    for project_type in ProjectType:
        by_fact: dict[Fact, list[tuple[int, int]]] = {}
        for r, rule in enumerate(rules):
            for w, condition in enumerate(rule.when):
                types = condition.project_types
                if types is None or project_type in types:
                    for fact in _facts(condition):
                        by_fact.setdefault(fact, []).append((r, w))
        index[project_type] = MappingProxyType({f: tuple(p) for f, p in by_fact.items()})
    return index


_Array = TypeVar("_Array", bound=NDArray[Any])


def _frozen(array: _Array) -> _Array:
    array.flags.writeable = False  # shared across requests
    return array


def columns(
    frameworks: Mapping[str, FrameworkInfo], criteria: tuple[str, ...], rules: tuple[RuleInfo, ...]
) -> Columns:
    """The frameworks' facts as columns (see :class:`Columns`)."""
    slugs = tuple(frameworks)
    rows = {slug: i for i, slug in enumerate(slugs)}
    listed = list(frameworks.values())
    features = sorted({f for fw in listed for f in fw.features})

    def indices(found: Mapping[str, list[int]]) -> Mapping[str, Rows]:
        return MappingProxyType({k: _frozen(np.array(v, dtype=np.intp)) for k, v in found.items()})

    relatives: dict[str, list[int]] = {}
    layers: dict[str, list[int]] = {}
    for i, fw in enumerate(listed):
        for relative in fw.relatives:
            relatives.setdefault(relative, []).append(i)
        if fw.builds_on is not None:
            layers.setdefault(fw.builds_on, []).append(i)
    rule_rows = {}
    for rule in rules:
        per_condition = []
        for effects in rule.effects:
            moves = [(rows[slug], e.units) for slug, e in effects if slug in rows]
            pro = [(i, u) for i, u in moves if u > 0]
            con = [(i, u) for i, u in moves if u < 0]
            per_condition.append(
                (
                    _frozen(np.array([i for i, _ in pro], dtype=np.intp)),
                    _frozen(np.array([u for _, u in pro], dtype=np.float64)),
                    _frozen(np.array([i for i, _ in con], dtype=np.intp)),
                    _frozen(np.array([u for _, u in con], dtype=np.float64)),
                )
            )
        rule_rows[rule.id] = tuple(per_condition)
    return Columns(
        slugs=slugs,
        rows=MappingProxyType(rows),
        slug_order=_frozen(np.argsort(np.argsort(np.array(slugs, dtype=object)))),
        values=_frozen(
            np.array(
                [
                    [NEUTRAL if (v := fw.value(c).value) is None else v for fw in listed]
                    for c in criteria
                ],
                dtype=np.float64,
            ).reshape(len(criteria), len(listed))
        ),
        coverage=MappingProxyType(
            {
                f: _frozen(np.array([SUPPORT_FIT[fw.offer(f).support] for fw in listed]))
                for f in features
            }
        ),
        ruled_out=MappingProxyType(
            {f: _frozen(np.array([fw.offer(f).ruled_out for fw in listed])) for f in features}
        ),
        builtin=MappingProxyType(
            {
                f: _frozen(np.array([fw.offer(f).support == "builtin" for fw in listed]))
                for f in features
            }
        ),
        unknown_coverage=_frozen(np.full(len(slugs), SUPPORT_FIT[UNKNOWN_OFFER.support])),
        relatives_of=indices(relatives),
        layers_on=indices(layers),
        base=_frozen(
            np.array(
                [rows.get(fw.builds_on, -1) if fw.builds_on else -1 for fw in listed], dtype=np.intp
            )
        ),
        rule_rows=MappingProxyType(rule_rows),
        rule_effects=MappingProxyType(
            {
                rule.id: tuple(MappingProxyType(dict(effects)) for effects in rule.effects)
                for rule in rules
            }
        ),
    )
