"""An immutable, precompiled view of the knowledge base: everything the engine reads.

Plain frozen data: ``app.knowledge.compile`` builds it, by pure functions, from the bundle read
from Postgres at start-up (and again when the knowledge-base version changes); nothing touches it
afterwards, so ``/recommend`` runs no database query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from app.engine.result import EvidenceItem as Cited
from app.engine.result import Exclusion, Folded, SourceRef, StackItem

Rows = NDArray[np.intp]
Column = NDArray[np.float64]

#: The value an unknown criterion counts as: neither good nor bad.
NEUTRAL = 0.5


@dataclass(frozen=True, slots=True)
class CriterionValue:
    value: float | None
    raw: str | None
    evidence: tuple[Cited, ...]
    ids: tuple[str, ...]  # the evidence's ids, as a default answer's breakdown lists them


@dataclass(frozen=True, slots=True)
class FeatureOffer:
    support: str  # builtin | addon | none | unknown
    packages: tuple[str, ...]
    evidence: tuple[Cited, ...]
    ids: tuple[str, ...]  # the evidence's ids
    note: str | None = None  # for unknown: what was looked for

    @property
    def ruled_out(self) -> bool:
        """A cited ``none`` with no package that adds it: the only support that excludes."""
        return self.support == "none" and not self.packages


UNKNOWN_OFFER = FeatureOffer("unknown", (), (), ())
UNKNOWN_VALUE = CriterionValue(None, None, (), ())


@dataclass(frozen=True, slots=True)
class CompanionInfo:
    package: str
    note: str | None
    evidence: tuple[Cited, ...]


@dataclass(frozen=True, slots=True)
class FrameworkInfo:
    slug: str
    name: str
    summary: str
    criteria: Mapping[str, CriterionValue]
    features: Mapping[str, FeatureOffer]
    companions: Mapping[str, tuple[CompanionInfo, ...]]  # need -> packages, in data order
    #: Team-size bands whose verdict on this framework is a caution: min, max, verdict, source.
    team_size_cautions: tuple[tuple[int, int | None, str, str], ...] = ()
    builds_on: str | None = None  # the framework this one is a layer on
    homepage: str | None = None
    #: Frameworks whose knowledge carries over, with the evidence for each.
    relatives: Mapping[str, tuple[Cited, ...]] = field(default_factory=dict)
    #: The highest cited single-process throughput, with its source: (req/s, source id).
    peak_rps: tuple[float, str] | None = None

    def value(self, criterion: str) -> CriterionValue:
        return self.criteria.get(criterion, UNKNOWN_VALUE)

    def offer(self, feature: str) -> FeatureOffer:
        return self.features.get(feature, UNKNOWN_OFFER)


#: Condition fields that only keep a claim within its scope ("zero extra code" is not a spec-first
#: project): they hold when the profile says nothing, and are not facts of the source's situation.
SCOPE_FIELDS = frozenset({"api_designs_none"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """One conjunction of a rule's ``when``: every field that is set must hold."""

    project_types: frozenset[str] | None = None
    features_any: frozenset[str] | None = None
    features_all: frozenset[str] | None = None
    features_none: frozenset[str] | None = None
    min_peak_rps: int | None = None
    max_peak_rps: int | None = None
    workloads: frozenset[str] | None = None
    min_timeline_weeks: int | None = None
    max_timeline_weeks: int | None = None
    min_lifespan_years: float | None = None
    max_lifespan_years: float | None = None
    min_team_size: int | None = None
    max_team_size: int | None = None
    team_knows: str | None = None
    team_knows_none_of: frozenset[str] | None = None
    async_experience: frozenset[str] | None = None
    python_experience: frozenset[str] | None = None
    styles: frozenset[str] | None = None
    deployments: frozenset[str] | None = None
    current_frameworks: frozenset[str] | None = None
    codebases: frozenset[str] | None = None
    api_designs: frozenset[str] | None = None
    api_designs_none: frozenset[str] | None = None
    min_priority: Mapping[str, int] | None = None
    max_priority: Mapping[str, int] | None = None
    #: How many facts of the source's situation it checks (not ``SCOPE_FIELDS``): its specificity.
    size: int


@dataclass(frozen=True, slots=True)
class RuleEffect:
    """Points (in weight units) a matching rule gives a framework, or takes from it."""

    rule: str
    text: str
    units: float
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RuleInfo:
    id: str
    kind: str
    text: str
    source: str
    when: tuple[Condition, ...]  # matches when any holds; most specific first
    primary: tuple[str, ...]
    alternative: tuple[str, ...]
    avoid: tuple[str, ...]
    #: Per condition in ``when``: the effect on each framework the rule names.
    effects: tuple[tuple[tuple[str, RuleEffect], ...], ...]


@dataclass(frozen=True, slots=True)
class Columns:
    """The catalog as columns, one row per framework in ``frameworks`` order: one profile is
    scored against every framework in a few vector operations, whatever the catalog's size."""

    slugs: tuple[str, ...]
    rows: Mapping[str, int]
    #: Each row's position in slug order: equal totals rank by slug.
    slug_order: Rows
    #: Criteria (in ``criteria`` order) x rows: each row's value, unknown as neutral.
    values: NDArray[np.float64]
    #: Per feature: each row's coverage of it (``policy.SUPPORT_FIT``) and whether a must-have of
    #: it rules the row out. A feature no row states is unknown everywhere: ``unknown_coverage``.
    coverage: Mapping[str, Column]
    ruled_out: Mapping[str, NDArray[np.bool_]]
    unknown_coverage: Column
    #: Per feature: whether each row has it built in.
    builtin: Mapping[str, NDArray[np.bool_]]
    #: Per slug: the rows that count it as a relative, and the rows of the layers built on it.
    relatives_of: Mapping[str, Rows]
    layers_on: Mapping[str, Rows]
    #: Each row's base (``builds_on``) row, -1 for none.
    base: Rows
    #: Per rule id, per condition of its ``when``: the rows it moves towards and away from,
    #: with the guidance units of each.
    rule_rows: Mapping[str, tuple[tuple[Rows, Column, Rows, Column], ...]]
    #: Per rule id, per condition of its ``when``: each named framework's effect, by slug.
    rule_effects: Mapping[str, tuple[Mapping[str, RuleEffect], ...]]


#: A profile fact that a rule condition needs: ("feature", slug), ("knows", slug), ("current",
#: slug), ("style", value), ("workload", value), or ALWAYS for a condition that needs none of them.
Fact = tuple[str, str]
ALWAYS: Fact = ("always", "")


@dataclass(frozen=True, slots=True)
class MigrationInfo:
    from_framework: str
    to_framework: str
    difficulty: str | None
    estimate: str | None
    approach: str | None
    transfers: tuple[str, ...]
    to_learn: tuple[str, ...]
    evidence: tuple[Cited, ...]


@dataclass(frozen=True, slots=True)
class KnowledgeSnapshot:
    version: str
    criteria: tuple[str, ...]
    criterion_names: Mapping[str, str]
    features: tuple[str, ...]
    frameworks: Mapping[str, FrameworkInfo]
    rules: tuple[RuleInfo, ...]
    migrations: Mapping[tuple[str, str], MigrationInfo]
    sources: Mapping[str, SourceRef]
    #: Packages with no release in the policy's window: flagged in gaps, never suggested.
    stale_packages: frozenset[str]
    #: Each framework's criterion values in ``criteria`` order, unknown as neutral.
    vectors: Mapping[str, tuple[float, ...]]
    #: Each framework's suggested companion stack.
    stacks: Mapping[str, tuple[StackItem, ...]]
    #: Project type -> fact -> the (rule position in ``rules``, condition position in its
    #: ``when``) pairs that can hold only when the profile states that fact.
    rule_index: Mapping[str, Mapping[Fact, tuple[tuple[int, int], ...]]]
    #: The criteria whose priority some rule condition reads.
    priority_criteria: frozenset[str]
    #: The frameworks as columns.
    columns: Columns
    #: Per framework, per feature whose cited "none" rules it out, its exclusion.
    exclusions: Mapping[str, Mapping[str, Exclusion]]
    #: Per layer, its listing when folded, for an API-first project (True) or not.
    foldings: Mapping[str, Mapping[bool, Folded]]
    #: The highest cited single-process throughput of any framework: (slug, req/s, source id).
    fastest_measured: tuple[str, float, str] | None
