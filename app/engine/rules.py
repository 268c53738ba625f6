"""Decide which decision rules a profile matches. Conditions are in profile terms."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from app.engine.profile import ProjectProfile
from app.engine.snapshot import ALWAYS, Condition, Fact, KnowledgeSnapshot, RuleInfo
from app.vocab import Need


def requested_features(profile: ProjectProfile) -> frozenset[str]:
    """Features the project needs (must or want); a nice-to-have does not trigger rules."""
    return frozenset(f for f, need in profile.features.items() if need is not Need.nice)


def condition_holds(
    condition: Condition, profile: ProjectProfile, requested: frozenset[str]
) -> bool:
    """True when every field the condition sets holds for the profile.

    A condition on something the profile leaves unstated (peak load, timeline, ...) does not hold:
    a rule only fires on what the caller actually said.
    """
    c, p, team = condition, profile, profile.team
    if c.project_types is not None and p.project_type.value not in c.project_types:
        return False
    if c.features_any is not None and not (c.features_any & requested):
        return False
    if c.features_all is not None and not (c.features_all <= requested):
        return False
    if c.features_none is not None and c.features_none & requested:
        return False
    if c.min_peak_rps is not None and (p.expected_peak_rps or 0) < c.min_peak_rps:
        return False
    if c.max_peak_rps is not None and not _at_most(p.expected_peak_rps, c.max_peak_rps):
        return False
    if c.workloads is not None and (p.workload is None or p.workload.value not in c.workloads):
        return False
    if c.min_timeline_weeks is not None and not _at_least(p.timeline_weeks, c.min_timeline_weeks):
        return False
    if c.max_timeline_weeks is not None and not _at_most(p.timeline_weeks, c.max_timeline_weeks):
        return False
    if c.min_lifespan_years is not None and not _at_least(p.lifespan_years, c.min_lifespan_years):
        return False
    if c.max_lifespan_years is not None and not _at_most(p.lifespan_years, c.max_lifespan_years):
        return False
    if c.min_team_size is not None and not _at_least(team.size, c.min_team_size):
        return False
    if c.max_team_size is not None and not _at_most(team.size, c.max_team_size):
        return False
    known = team.known_frameworks
    if c.team_knows is not None and c.team_knows not in (known or ()):
        return False
    if c.team_knows_none_of is not None and (known is None or c.team_knows_none_of & set(known)):
        return False
    if c.async_experience is not None and not _one_of(team.async_experience, c.async_experience):
        return False
    if c.python_experience is not None and not _one_of(team.python_experience, c.python_experience):
        return False
    if c.styles is not None and team.style.value not in c.styles:
        return False
    if c.deployments is not None and not _one_of(p.deployment, c.deployments):
        return False
    if c.current_frameworks is not None and p.current_framework not in c.current_frameworks:
        return False
    if c.codebases is not None and not _one_of(p.codebase, c.codebases):
        return False
    if c.api_designs is not None and not _one_of(p.api_design, c.api_designs):
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


def _one_of(value: StrEnum | None, allowed: frozenset[str]) -> bool:
    return value is not None and value.value in allowed


def matching_rules(
    profile: ProjectProfile, rules: Iterable[RuleInfo]
) -> list[tuple[RuleInfo, int]]:
    """Each rule that applies, with the index of its most specific condition that holds."""
    requested = requested_features(profile)
    matches = []
    for rule in rules:
        for index, condition in enumerate(rule.when):  # most specific first
            if condition_holds(condition, profile, requested):
                matches.append((rule, index))
                break
    return matches


def _stated_facts(profile: ProjectProfile, requested: frozenset[str]) -> list[Fact]:
    """The facts of the profile that the rule index is keyed by (see ``snapshot.rule_index``)."""
    facts = [ALWAYS, ("style", profile.team.style.value)]
    facts += [("feature", f) for f in requested]
    facts += [("knows", slug) for slug in profile.team.known_frameworks or ()]
    if profile.current_framework is not None:
        facts.append(("current", profile.current_framework))
    if profile.workload is not None:
        facts.append(("workload", profile.workload.value))
    return facts


def indexed_matches(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot
) -> list[tuple[RuleInfo, int]]:
    """What ``matching_rules`` finds over every rule, checking only the conditions whose indexed
    fact the profile states: the others cannot hold."""
    requested = requested_features(profile)
    index = snapshot.rule_index[profile.project_type]
    candidates = sorted(
        {p for fact in _stated_facts(profile, requested) for p in index.get(fact, ())}
    )
    matches = []
    matched = -1
    for position, condition_index in candidates:  # rule order, then most specific first
        if position == matched:
            continue
        rule = snapshot.rules[position]
        if condition_holds(rule.when[condition_index], profile, requested):
            matches.append((rule, condition_index))
            matched = position
    return matches
