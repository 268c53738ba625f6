"""An immutable, precompiled view of the knowledge base: everything the engine reads.

It is built from Postgres at start-up (and again when the knowledge-base version changes) and
never touched by I/O afterwards, so ``/recommend`` runs no database query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from app.engine.policy import SUPPORT_FIT
from app.engine.result import EvidenceItem as Cited
from app.engine.result import Exclusion, Folded, SourceRef, StackItem
from app.engine.set_aside import exclusions, foldings
from app.engine.stack import suggest_stack
from app.vocab import ProjectType

Rows = NDArray[np.intp]
Column = NDArray[np.float64]

#: The value an unknown criterion counts as: neither good nor bad.
NEUTRAL = 0.5


@dataclass(frozen=True, slots=True)
class CriterionValue:
    value: float | None
    raw: str | None
    evidence: tuple[Cited, ...]
    ids: tuple[str, ...] = ()  # the evidence's ids, as a default answer's breakdown lists them


@dataclass(frozen=True, slots=True)
class FeatureOffer:
    support: str  # builtin | addon | none | unknown
    packages: tuple[str, ...]
    evidence: tuple[Cited, ...]
    note: str | None = None  # for unknown: what was looked for
    ids: tuple[str, ...] = ()  # the evidence's ids

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
    stale_packages: frozenset[str] = frozenset()
    #: Precompiled: each framework's criterion values in ``criteria`` order, unknown as neutral.
    vectors: Mapping[str, tuple[float, ...]] = field(init=False)
    #: Precompiled: each framework's suggested companion stack.
    stacks: Mapping[str, tuple[StackItem, ...]] = field(init=False)
    #: Precompiled: project type -> fact -> the (rule position in ``rules``, condition position in
    #: its ``when``) pairs that can hold only when the profile states that fact.
    rule_index: Mapping[str, Mapping[Fact, tuple[tuple[int, int], ...]]] = field(init=False)
    #: Precompiled: the criteria whose priority some rule condition reads.
    priority_criteria: frozenset[str] = field(init=False)
    #: Precompiled: the frameworks as columns.
    columns: Columns = field(init=False)
    #: Precompiled: per framework, per feature whose cited "none" rules it out, its exclusion.
    exclusions: Mapping[str, Mapping[str, Exclusion]] = field(init=False)
    #: Precompiled: per layer, its listing when folded, for an API-first project (True) or not.
    foldings: Mapping[str, Mapping[bool, Folded]] = field(init=False)

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
        object.__setattr__(self, "rule_index", MappingProxyType(rule_index(self.rules)))
        read = {
            k
            for r in self.rules
            for w in r.when
            for k in (*(w.min_priority or ()), *(w.max_priority or ()))
        }
        object.__setattr__(self, "priority_criteria", frozenset(read))
        object.__setattr__(self, "columns", columns(self.frameworks, self.criteria, self.rules))
        excluded = {slug: MappingProxyType(exclusions(fw)) for slug, fw in self.frameworks.items()}
        object.__setattr__(self, "exclusions", MappingProxyType(excluded))
        object.__setattr__(self, "foldings", MappingProxyType(foldings(self.frameworks)))


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
