"""Score every framework against a profile: the arithmetic, and nothing else.

The model, in one paragraph: the profile gives each criterion a weight (``profile_weights``). A
framework's score is the weighted mean, on a 0..100 scale, of its criterion values (unknown counts
as a neutral 0.5), its coverage of the requested features, the team's familiarity with it (when the
team's knowledge is stated) and one guidance line: 0.5 with no guidance, moved towards 1 or 0 by the
decision rules that match and by the cost of switching, with diminishing returns (see
``policy.GUIDANCE``). All values lie in 0..1, so every score lies in 0..100 and none reaches 100.
Each framework is scored on its own, never against the others, so adding or removing a candidate
never reorders the rest; and because every term shares one denominator, raising a criterion's
priority can only move the framework that is best on it up the ranking.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from operator import mul

from app.engine.advice import familiarity, switching_effect
from app.engine.policy import (
    API_FIRST_TYPES,
    BASE_WEIGHT,
    FAMILIARITY,
    FAMILIARITY_WEIGHT,
    FEATURE_FIT,
    GUIDANCE,
    GUIDANCE_SATURATION,
    GUIDANCE_WEIGHT,
    IMPLIED_WEIGHTS,
    NEED_WEIGHT,
    SHORT_TIMELINE_FAMILIARITY,
    SHORT_TIMELINE_WEEKS,
    SITUATIONAL_CRITERIA,
    SUPPORT_FIT,
)
from app.engine.profile import ProjectProfile
from app.engine.rules import matching_rules
from app.engine.snapshot import NEUTRAL, FrameworkInfo, KnowledgeSnapshot, RuleEffect, RuleInfo
from app.vocab import Need


def profile_weights(profile: ProjectProfile, snapshot: KnowledgeSnapshot) -> dict[str, float]:
    """Line -> weight: the criteria (base, implied, priorities), features, familiarity, guidance."""
    weights = {c: SITUATIONAL_CRITERIA.get(c, BASE_WEIGHT) for c in snapshot.criteria}
    for implied in IMPLIED_WEIGHTS:
        if implied.applies(profile):
            for criterion, extra in implied.weights.items():
                if criterion in weights:
                    weights[criterion] += extra
    for criterion, priority in profile.priorities.items():
        if criterion in weights:  # the API rejects unknown criteria before we get here
            weights[criterion] += priority
    feature_weight = sum(NEED_WEIGHT[need] for need in profile.features.values())
    if feature_weight:
        weights[FEATURE_FIT] = feature_weight
    if profile.team.known_frameworks is not None:
        short = (
            profile.timeline_weeks is not None and profile.timeline_weeks <= SHORT_TIMELINE_WEEKS
        )
        weights[FAMILIARITY] = FAMILIARITY_WEIGHT + (SHORT_TIMELINE_FAMILIARITY if short else 0.0)
    weights[GUIDANCE] = GUIDANCE_WEIGHT
    return weights


def guidance_value(units: Iterable[float]) -> float:
    """0.5 with no guidance; towards 1 (for) or 0 (against), never reaching either.

    Guidance for and guidance against saturate separately: many sources repeating the same pick
    count with diminishing weight, and a warning against it is not swallowed by them.
    """
    units = list(units)
    pro = sum(u for u in units if u > 0)
    con = -sum(u for u in units if u < 0)
    return NEUTRAL + NEUTRAL * (
        math.tanh(pro / GUIDANCE_SATURATION) - math.tanh(con / GUIDANCE_SATURATION)
    )


@dataclass(frozen=True, slots=True)
class Scored:
    framework: FrameworkInfo
    vector: tuple[float, ...]  # criterion values in snapshot order, unknown as neutral
    feature_fit: float | None  # weighted coverage of the requested features
    familiarity: float | None  # None when the profile does not say what the team knows
    effects: tuple[RuleEffect, ...]  # matching rules and the switching cost, in guidance units
    guidance: float  # guidance_value of the effects' net units
    weighted: float  # sum of weight x value over every line, in weight units
    ruled_out: tuple[str, ...]  # must-have features with a cited "none": excluded if any
    total: float  # 100 x weighted / total weight: unrounded, what the ranking uses


@dataclass(frozen=True, slots=True)
class Scoring:
    weights: dict[str, float]
    total_weight: float
    scored: list[Scored]  # every candidate, excluded ones included
    eligible: list[Scored]  # not excluded, best first
    ranked: list[Scored]  # eligible ones, layers that do not beat their base folded
    folded: dict[str, str]  # layer slug -> the base it was folded under


def _rule_effects(matches: Iterable[tuple[RuleInfo, int]]) -> dict[str, list[RuleEffect]]:
    """Framework slug -> the effects of the matching rules on it (precompiled per condition)."""
    found: dict[str, list[RuleEffect]] = {}
    for rule, index in matches:
        for slug, effect in rule.effects[index]:
            found.setdefault(slug, []).append(effect)
    return found


def _fold_layers(
    eligible: list[Scored], profile: ProjectProfile
) -> tuple[list[Scored], dict[str, str]]:
    """An API layer (django-ninja on Django) is an addition to its base, not an alternative to
    it: listed only for an API-first project where it scores above its base, else folded under it.
    """
    totals = {s.framework.slug: s.total for s in eligible}
    api_first = profile.project_type.value in API_FIRST_TYPES
    folded = {
        s.framework.slug: base
        for s in eligible
        if (base := s.framework.builds_on) is not None
        and base in totals
        and (not api_first or totals[base] >= s.total)
    }
    return [s for s in eligible if s.framework.slug not in folded], folded


def score(profile: ProjectProfile, snapshot: KnowledgeSnapshot) -> Scoring:
    """Every candidate's total and what it is made of; no explanation is built here."""
    weights = profile_weights(profile, snapshot)
    total_weight = sum(weights.values())
    criterion_weights = [weights[c] for c in snapshot.criteria]
    feature_weight = weights.get(FEATURE_FIT, 0.0)
    familiarity_weight = weights.get(FAMILIARITY, 0.0)
    needs = [(f, NEED_WEIGHT[need]) for f, need in profile.features.items()]
    musts = [f for f, need in profile.features.items() if need is Need.must]
    rules = snapshot.rules_by_project_type[profile.project_type]
    effects_by_framework = _rule_effects(matching_rules(profile, rules))
    wanted = profile.candidates
    if wanted is not None and profile.current_framework is not None:
        wanted = [*wanted, profile.current_framework]  # staying is always a candidate
    scored = []
    for slug, framework in snapshot.frameworks.items():
        if wanted is not None and slug not in wanted:
            continue
        vector = snapshot.vectors[slug]
        weighted = sum(map(mul, criterion_weights, vector))
        fit = None
        if feature_weight:
            covered = sum(w * SUPPORT_FIT[framework.offer(f).support] for f, w in needs)
            fit = covered / feature_weight
            weighted += feature_weight * fit
        known = familiarity(framework, profile) if familiarity_weight else None
        if known is not None:
            weighted += familiarity_weight * known.value
        effects = list(effects_by_framework.get(slug, ()))
        switching = switching_effect(framework, profile, snapshot)
        if switching is not None:
            effects.append(switching)
        guidance = guidance_value(e.units for e in effects)
        weighted += GUIDANCE_WEIGHT * guidance
        ruled_out = tuple(f for f in musts if framework.offer(f).ruled_out)
        scored.append(
            Scored(
                framework=framework,
                vector=vector,
                feature_fit=fit,
                familiarity=known.value if known is not None else None,
                effects=tuple(effects),
                guidance=guidance,
                weighted=weighted,
                ruled_out=ruled_out,
                total=100.0 * weighted / total_weight,
            )
        )
    eligible = sorted(
        (s for s in scored if not s.ruled_out), key=lambda s: (-s.total, s.framework.slug)
    )
    ranked, folded = _fold_layers(eligible, profile)
    return Scoring(weights, total_weight, scored, eligible, ranked, folded)


def rank(profile: ProjectProfile, snapshot: KnowledgeSnapshot) -> list[str]:
    """Framework slugs, best first (excluded and folded ones left out)."""
    return [s.framework.slug for s in score(profile, snapshot).ranked]


def displayed(total: float) -> float:
    """The score as shown: cents, rounded down, so a total below 100 never shows as 100."""
    return math.floor(total * 100.0 + 1e-7) / 100.0
