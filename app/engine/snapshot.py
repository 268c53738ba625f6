"""An immutable, precompiled view of the knowledge base: everything the engine reads.

It is built from Postgres at start-up (and again when the knowledge-base version changes) and
never touched by I/O afterwards, so ``/recommend`` runs no database query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType

from app.engine.result import EvidenceItem as Cited
from app.engine.result import SourceRef, StackItem
from app.engine.stack import suggest_stack
from app.vocab import ProjectType

#: The value an unknown criterion counts as: neither good nor bad.
NEUTRAL = 0.5


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
    note: str | None = None  # for unknown: what was looked for

    @property
    def ruled_out(self) -> bool:
        """A cited ``none`` with no package that adds it: the only support that excludes."""
        return self.support == "none" and not self.packages


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
    current_frameworks: frozenset[str] | None = None
    codebases: frozenset[str] | None = None
    api_designs: frozenset[str] | None = None
    min_priority: Mapping[str, int] | None = None
    max_priority: Mapping[str, int] | None = None
    #: How many facts about the profile this condition checks: its specificity.
    size: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        checked = sum(getattr(self, f.name) is not None for f in fields(self) if f.name != "size")
        object.__setattr__(self, "size", checked)


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
    stale_packages: frozenset[str] = frozenset()
    #: Precompiled: each framework's criterion values in ``criteria`` order, unknown as neutral.
    vectors: Mapping[str, tuple[float, ...]] = field(init=False)
    #: Precompiled: each framework's suggested companion stack.
    stacks: Mapping[str, tuple[StackItem, ...]] = field(init=False)
    #: Precompiled: project type -> the rules that can apply to it (the others never match).
    rules_by_project_type: Mapping[str, tuple[RuleInfo, ...]] = field(init=False)

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
        stacks = {
            slug: suggest_stack(fw, self.stale_packages) for slug, fw in self.frameworks.items()
        }
        object.__setattr__(self, "stacks", MappingProxyType(stacks))
        by_type = {
            project_type: tuple(
                rule
                for rule in self.rules
                if any(
                    w.project_types is None or project_type in w.project_types for w in rule.when
                )
            )
            for project_type in ProjectType
        }
        object.__setattr__(self, "rules_by_project_type", MappingProxyType(by_type))
