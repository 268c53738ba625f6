"""Every rule's preconditions: a profile that states them fires it; breaking any one stops it.

The profiles are built from each condition's own fields, so a rule added to the data is covered by
the same test, and a field added to conditions must say here how it is met and how it is broken.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.engine.profile import ProjectProfile
from app.engine.rules import condition_holds, matching_rules, stated
from app.engine.snapshot import SCOPE_FIELDS, Condition, KnowledgeSnapshot, RuleInfo
from app.knowledge.bundle import read_bundle
from app.knowledge.compile import compile_snapshot
from app.vocab import (
    ApiDesign,
    AsyncExperience,
    Codebase,
    Deployment,
    ProjectType,
    PythonExperience,
    TeamStyle,
    Workload,
)

SNAPSHOT: KnowledgeSnapshot = compile_snapshot(read_bundle(), "test")
ENUMS: dict[str, Any] = {
    "project_types": ProjectType,
    "workloads": Workload,
    "async_experience": AsyncExperience,
    "python_experience": PythonExperience,
    "styles": TeamStyle,
    "deployments": Deployment,
    "codebases": Codebase,
    "api_designs": ApiDesign,
}
#: Where each enum-valued condition field lives in the profile.
PLACES = {
    "project_types": ("project_type",),
    "workloads": ("workload",),
    "async_experience": ("team", "async_experience"),
    "python_experience": ("team", "python_experience"),
    "styles": ("team", "style"),
    "deployments": ("deployment",),
    "codebases": ("codebase",),
    "api_designs": ("api_design",),
}
RANGES = {
    "peak_rps": ("expected_peak_rps",),
    "timeline_weeks": ("timeline_weeks",),
    "lifespan_years": ("lifespan_years",),
    "team_size": ("team", "size"),
}


def _set(profile: dict[str, Any], place: tuple[str, ...], value: Any) -> None:
    target = profile
    for key in place[:-1]:
        target = target.setdefault(key, {})
    if value is None:
        target.pop(place[-1], None)
    else:
        target[place[-1]] = value


def _meeting(c: Condition) -> dict[str, Any]:
    """The smallest profile that states exactly what the condition asks for."""
    profile: dict[str, Any] = {"project_type": "api"}
    for name, place in PLACES.items():
        allowed = getattr(c, name)
        if allowed is not None:
            _set(profile, place, sorted(allowed)[0])
    for name, place in RANGES.items():
        low, high = getattr(c, f"min_{name}"), getattr(c, f"max_{name}")
        if low is not None or high is not None:
            _set(profile, place, low if low is not None else high)
    features = {f: "want" for f in sorted(c.features_all or ())}
    if c.features_any:
        features[sorted(c.features_any)[0]] = "want"
    profile["features"] = features
    known: list[str] | None = None
    if c.team_knows_none_of is not None:
        known = []
    if c.team_knows is not None:
        known = [c.team_knows]
    if known is not None:
        _set(profile, ("team", "known_frameworks"), known)
    if c.current_frameworks:
        profile["current_framework"] = sorted(c.current_frameworks)[0]
    priorities = {**(c.min_priority or {}), **(c.max_priority or {})}
    if priorities:
        profile["priorities"] = priorities
    return profile


def _breakings(c: Condition, meeting: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """For each precondition, a copy of the meeting profile with that one precondition broken."""
    broken: dict[str, dict[str, Any]] = {}

    def variant(label: str) -> dict[str, Any]:
        broken[label] = copy.deepcopy(meeting)
        return broken[label]

    for name, place in PLACES.items():
        allowed = getattr(c, name)
        outside = [v.value for v in ENUMS[name] if v.value not in (allowed or ())]
        if allowed is not None and outside:
            _set(variant(name), place, outside[0])
    for name, place in RANGES.items():
        low, high = getattr(c, f"min_{name}"), getattr(c, f"max_{name}")
        if low is not None and low > 0:
            _set(variant(f"min_{name}"), place, type(low)(low - 1) if low > 1 else None)
        if high is not None:
            _set(variant(f"max_{name}"), place, high + 1)
    if c.features_any:
        profile = variant("features_any")
        profile["features"] = {
            f: n for f, n in profile["features"].items() if f not in c.features_any
        }
    if c.features_all:
        profile = variant("features_all")
        profile["features"].pop(sorted(c.features_all)[0])
    if c.features_none:
        variant("features_none")["features"][sorted(c.features_none)[0]] = "want"
    if c.team_knows is not None:
        variant("team_knows")["team"]["known_frameworks"] = []
    if c.team_knows_none_of:
        variant("team_knows_none_of")["team"]["known_frameworks"] = [
            sorted(c.team_knows_none_of)[0]
        ]
    if c.api_designs_none:
        variant("api_designs_none")["api_design"] = sorted(c.api_designs_none)[0]
    if c.current_frameworks:
        others = sorted(set(SNAPSHOT.frameworks) - c.current_frameworks)
        variant("current_frameworks")["current_framework"] = others[0]
    for criterion, value in (c.min_priority or {}).items():
        if value > 0:
            variant(f"min_priority.{criterion}")["priorities"][criterion] = value - 1
    for criterion, value in (c.max_priority or {}).items():
        if value < 5:
            variant(f"max_priority.{criterion}")["priorities"][criterion] = value + 1
    return broken


def _holds(c: Condition, profile: ProjectProfile) -> bool:
    return condition_holds(c, stated(profile))


def _fires(rule: RuleInfo, profile: ProjectProfile) -> bool:
    return any(r.id == rule.id for r, _ in matching_rules(profile, [rule]))


@pytest.mark.parametrize("rule", SNAPSHOT.rules, ids=[r.id for r in SNAPSHOT.rules])
def test_rule_fires_on_its_preconditions_and_not_without_each(rule: RuleInfo) -> None:
    for condition in rule.when:
        meeting = _meeting(condition)
        profile = ProjectProfile.model_validate(meeting)
        assert _holds(condition, profile), meeting
        assert _fires(rule, profile), meeting
        for precondition, data in _breakings(condition, meeting).items():
            broken = ProjectProfile.model_validate(data)
            assert not _holds(condition, broken), f"{precondition} broken, still holds: {data}"
            others = [w for w in rule.when if w is not condition]
            # The rule may still fire through another of its alternatives, never through this one.
            assert not _fires(rule, broken) or any(_holds(w, broken) for w in others), precondition


def test_every_condition_field_is_covered_here() -> None:
    """A new condition field must say above how it is met and broken."""
    covered = {*PLACES, *(f"{b}_{n}" for n in RANGES for b in ("min", "max"))}
    covered |= {
        "features_any",
        "features_all",
        "features_none",
        "api_designs_none",
        "team_knows",
        "team_knows_none_of",
        "current_frameworks",
        "min_priority",
        "max_priority",
        "size",
    }
    assert set(Condition.__dataclass_fields__) == covered


def test_a_scope_carve_out_adds_no_specificity() -> None:
    """``api_designs_none`` keeps a claim within its scope; it must not earn a rule more units."""
    carved = [c for r in SNAPSHOT.rules for c in r.when if c.api_designs_none]  # in SCOPE_FIELDS
    assert carved  # the bundle has such conditions; else this checks nothing
    for rule in SNAPSHOT.rules:
        for c in rule.when:
            stated = [
                name
                for name in Condition.__dataclass_fields__
                if name != "size" and name not in SCOPE_FIELDS and getattr(c, name) is not None
            ]
            assert c.size == len(stated), rule.id
