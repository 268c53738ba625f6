"""Decide which decision rules a profile matches. Conditions are in profile terms."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from app.engine.profile import ProjectProfile
from app.engine.snapshot import ALWAYS, Condition, Fact, KnowledgeSnapshot, RuleInfo
from app.vocab import Need


def requested_features(profile: ProjectProfile) -> frozenset[str]:
    """Features the project needs (must or want); a nice-to-have does not trigger rules."""
    return frozenset(f for f, need in profile.features.items() if need is not Need.nice)


@dataclass(frozen=True, slots=True)
class Stated:
    """What a profile states, in the plain values rule conditions are written in: read once per
    profile, not once per condition (an enum's ``.value`` is a slow property lookup)."""

    project_type: str
    requested: frozenset[str]  # see requested_features
    peak_rps: int | None
    workload: str | None
    timeline_weeks: int | None
    lifespan_years: float | None
    team_size: int | None
    known: frozenset[str] | None
    async_experience: str | None
    python_experience: str | None
    style: str
    deployment: str | None
    current_framework: str | None
    codebase: str | None
    api_design: str | None
    priorities: Mapping[str, int]


def stated(profile: ProjectProfile) -> Stated:
    team = profile.team
    known = team.known_frameworks
    return Stated(
        project_type=profile.project_type.value,
        requested=requested_features(profile),
        peak_rps=profile.expected_peak_rps,
        workload=_value(profile.workload),
        timeline_weeks=profile.timeline_weeks,
        lifespan_years=profile.lifespan_years,
        team_size=team.size,
        known=None if known is None else frozenset(known),
        async_experience=_value(team.async_experience),
        python_experience=_value(team.python_experience),
        style=team.style.value,
        deployment=_value(profile.deployment),
        current_framework=profile.current_framework,
        codebase=_value(profile.codebase),
        api_design=_value(profile.api_design),
        priorities=profile.priorities,
    )


def _value(member: StrEnum | None) -> str | None:
    return None if member is None else member.value


def condition_holds(c: Condition, p: Stated) -> bool:
    """True when every field the condition sets holds for the profile.

    A condition on something the profile leaves unstated (peak load, timeline, ...) does not hold:
    a rule only fires on what the caller actually said.
    """
    if c.project_types is not None and p.project_type not in c.project_types:
        return False
    if c.features_any is not None and not (c.features_any & p.requested):
        return False
    if c.features_all is not None and not (c.features_all <= p.requested):
        return False
    if c.features_none is not None and c.features_none & p.requested:
        return False
    if c.min_peak_rps is not None and (p.peak_rps or 0) < c.min_peak_rps:
        return False
    if c.max_peak_rps is not None and not _at_most(p.peak_rps, c.max_peak_rps):
        return False
    if c.workloads is not None and p.workload not in c.workloads:
        return False
    if c.min_timeline_weeks is not None and not _at_least(p.timeline_weeks, c.min_timeline_weeks):
        return False
    if c.max_timeline_weeks is not None and not _at_most(p.timeline_weeks, c.max_timeline_weeks):
        return False
    if c.min_lifespan_years is not None and not _at_least(p.lifespan_years, c.min_lifespan_years):
        return False
    if c.max_lifespan_years is not None and not _at_most(p.lifespan_years, c.max_lifespan_years):
        return False
    if c.min_team_size is not None and not _at_least(p.team_size, c.min_team_size):
        return False
    if c.max_team_size is not None and not _at_most(p.team_size, c.max_team_size):
        return False
    if c.team_knows is not None and (p.known is None or c.team_knows not in p.known):
        return False
    if c.team_knows_none_of is not None and (p.known is None or c.team_knows_none_of & p.known):
        return False
    if c.async_experience is not None and p.async_experience not in c.async_experience:
        return False
    if c.python_experience is not None and p.python_experience not in c.python_experience:
        return False
    if c.styles is not None and p.style not in c.styles:
        return False
    if c.deployments is not None and p.deployment not in c.deployments:
        return False
    if c.current_frameworks is not None and p.current_framework not in c.current_frameworks:
        return False
    if c.codebases is not None and p.codebase not in c.codebases:
        return False
    if c.api_designs is not None and p.api_design not in c.api_designs:
        return False
    if c.api_designs_none is not None and p.api_design in c.api_designs_none:
        return False
    if c.max_priority is not None and not all(
        k in p.priorities and p.priorities[k] <= v for k, v in c.max_priority.items()
    ):
        return False
    return c.min_priority is None or all(
        p.priorities.get(k, 0) >= v for k, v in c.min_priority.items()
    )


def _at_least(value: float | None, bound: float) -> bool:
    return value is not None and value >= bound


def _at_most(value: float | None, bound: float) -> bool:
    return value is not None and value <= bound


def matching_rules(
    profile: ProjectProfile, rules: Iterable[RuleInfo]
) -> list[tuple[RuleInfo, int]]:
    """Each rule that applies, with the index of its most specific condition that holds."""
    facts = stated(profile)
    matches = []
    for rule in rules:
        for index, condition in enumerate(rule.when):  # most specific first
            if condition_holds(condition, facts):
                matches.append((rule, index))
                break
    return matches


def _index_keys(facts: Stated) -> list[Fact]:
    """The facts of the profile that the rule index is keyed by (see ``snapshot.rule_index``)."""
    keys = [ALWAYS, ("style", facts.style)]
    keys += [("feature", f) for f in facts.requested]
    keys += [("knows", slug) for slug in facts.known or ()]
    if facts.current_framework is not None:
        keys.append(("current", facts.current_framework))
    if facts.workload is not None:
        keys.append(("workload", facts.workload))
    return keys


def indexed_matches(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot
) -> list[tuple[RuleInfo, int]]:
    """What ``matching_rules`` finds over every rule, checking only the conditions whose indexed
    fact the profile states: the others cannot hold."""
    facts = stated(profile)
    index = snapshot.rule_index[profile.project_type]
    candidates = sorted({p for key in _index_keys(facts) for p in index.get(key, ())})
    matches = []
    matched = -1
    for position, condition_index in candidates:  # rule order, then most specific first
        if position == matched:
            continue
        rule = snapshot.rules[position]
        if condition_holds(rule.when[condition_index], facts):
            matches.append((rule, condition_index))
            matched = position
    return matches
