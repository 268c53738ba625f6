"""An immutable, precompiled view of the knowledge base: everything the engine reads.

It is built from Postgres at start-up (and again when the knowledge-base version changes) and
never touched by I/O afterwards, so ``/recommend`` runs no database query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from app.engine.result import EvidenceItem as Cited

#: The value an unknown criterion counts as: neither good nor bad.
NEUTRAL = 0.5


@dataclass(frozen=True, slots=True)
class SourceInfo:
    id: str
    title: str
    author: str | None
    publisher: str | None
    published: str | None
    url: str | None


@dataclass(frozen=True, slots=True)
class CriterionValue:
    value: float | None
    raw: str | None
    evidence: tuple[Cited, ...]


@dataclass(frozen=True, slots=True)
class FeatureOffer:
    support: str  # builtin | addon | none | unknown
    packages: tuple[str, ...]
    evidence: tuple[Cited, ...]

    @property
    def provided(self) -> bool:
        """Built in, or an add-on package is named that provides it."""
        return self.support == "builtin" or (self.support == "addon" and bool(self.packages))


UNKNOWN_OFFER = FeatureOffer("unknown", (), ())
UNKNOWN_VALUE = CriterionValue(None, None, ())


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
    team_size_verdicts: tuple[tuple[int, int | None, str, str], ...] = ()  # min, max, verdict, src

    def value(self, criterion: str) -> CriterionValue:
        return self.criteria.get(criterion, UNKNOWN_VALUE)

    def offer(self, feature: str) -> FeatureOffer:
        return self.features.get(feature, UNKNOWN_OFFER)


@dataclass(frozen=True, slots=True)
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
    min_priority: Mapping[str, int] | None = None


@dataclass(frozen=True, slots=True)
class RuleInfo:
    id: str
    kind: str
    text: str
    source: str
    when: tuple[Condition, ...]  # matches when any of them holds
    primary: tuple[str, ...]
    alternative: tuple[str, ...]
    avoid: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MigrationInfo:
    from_framework: str
    to_framework: str
    difficulty: str | None
    estimate: str | None
    approach: str | None
    evidence: tuple[Cited, ...]


@dataclass(frozen=True, slots=True)
class KnowledgeSnapshot:
    version: str
    criteria: tuple[str, ...]
    features: tuple[str, ...]
    frameworks: Mapping[str, FrameworkInfo]
    rules: tuple[RuleInfo, ...]
    migrations: Mapping[tuple[str, str], MigrationInfo]
    sources: Mapping[str, SourceInfo]
    #: Precompiled: each framework's criterion values in ``criteria`` order, unknown as neutral.
    vectors: Mapping[str, tuple[float, ...]] = field(init=False)
    #: Precompiled: whether any rule looks at priorities (then priority flips are re-verified).
    rules_read_priorities: bool = field(init=False)

    def __post_init__(self) -> None:
        # Freeze the mappings so a snapshot shared across requests cannot be mutated.
        object.__setattr__(self, "frameworks", MappingProxyType(dict(self.frameworks)))
        object.__setattr__(self, "migrations", MappingProxyType(dict(self.migrations)))
        object.__setattr__(self, "sources", MappingProxyType(dict(self.sources)))
        vectors = {
            slug: tuple(NEUTRAL if (v := fw.value(c).value) is None else v for c in self.criteria)
            for slug, fw in self.frameworks.items()
        }
        object.__setattr__(self, "vectors", MappingProxyType(vectors))
        reads = any(w.min_priority for rule in self.rules for w in rule.when)
        object.__setattr__(self, "rules_read_priorities", reads)
