"""How firm the answer is: confidence, and the smallest changes that would change the top pick.

Every flip shown is verified by scoring the changed profile: applied, it makes ``new_top`` first
with a strictly higher displayed score than the runner-up, and ``new_top`` is not today's first.
The change is scored from today's lines, summing again only the lines it moves, with the same
arithmetic as ``score``: the verification is exact, not an estimate.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from app.engine.policy import (
    FEATURE_FIT,
    HIGH_MARGIN,
    HIGH_UNKNOWN_SHARE,
    LOW_MARGIN,
    LOW_UNKNOWN_SHARE,
    MAX_FEATURE_FLIPS,
    MAX_FLIP_CHECKS,
    MAX_FLIPS,
)
from app.engine.profile import MAX_PRIORITY, ProjectProfile
from app.engine.result import Confidence, Flip, FrameworkRecommendation
from app.engine.rules import indexed_matches, requested_features
from app.engine.score import (
    Scoring,
    criteria_sums,
    displayed,
    feature_fit,
    guidance_line,
    profile_weights,
    rescored,
)
from app.engine.snapshot import KnowledgeSnapshot
from app.vocab import Need


def confidence(
    margin: float | None, top: FrameworkRecommendation, scoring: Scoring, unverified: int
) -> Confidence:
    unknown = sum(scoring.weights[b.criterion] for b in top.breakdown if b.value is None)
    unknown_share = unknown / scoring.total_weight
    if (margin is not None and margin < LOW_MARGIN) or unknown_share > LOW_UNKNOWN_SHARE:
        return Confidence.low
    if (margin is None or margin >= HIGH_MARGIN) and unknown_share <= HIGH_UNKNOWN_SHARE:
        return Confidence.medium if unverified else Confidence.high
    return Confidence.medium


def _new_top(changed: Scoring, first: int) -> str | None:
    """The new top pick when the change makes a different framework strictly first, else None."""
    ranked = changed.ranked
    if not len(ranked) or ranked[0] == first:
        return None
    totals = changed.total[ranked[:2]].tolist()
    if len(totals) > 1 and displayed(totals[0]) <= displayed(totals[1]):
        return None
    return changed.snapshot.columns.slugs[int(ranked[0])]


def with_priority(scoring: Scoring, criterion: str, priority: int) -> Scoring:
    """``scoring`` with one priority changed: it moves that criterion's weight and the shared
    denominator only, so only the criteria line is summed again, and the rules are matched again
    only when one of them reads that priority."""
    profile, snapshot = scoring.profile, scoring.snapshot
    changed = profile.model_copy(update={"priorities": {**profile.priorities, criterion: priority}})
    # Weights are whole numbers and halves: adding the difference is exact.
    step = priority - profile.priorities.get(criterion, 0)
    weights = {**scoring.weights, criterion: scoring.weights[criterion] + step}
    matches, lines = scoring.matches, scoring.lines
    if criterion in snapshot.priority_criteria:
        matches = tuple(indexed_matches(changed, snapshot))
        lines = replace(lines, guidance=guidance_line(matches, scoring.switching, snapshot.columns))
    lines = replace(
        lines,
        criteria=criteria_sums([weights[c] for c in snapshot.criteria], snapshot.columns),
    )
    return rescored(scoring, changed, weights, matches, lines, scoring.excluded)


def with_must(scoring: Scoring, feature: str) -> Scoring:
    """``scoring`` with one feature made a must-have: the feature-fit line and the exclusions
    change; the criteria line only if the feature implies a weight, and the rules are matched
    again only if the feature was not requested before."""
    profile, snapshot = scoring.profile, scoring.snapshot
    columns = snapshot.columns
    changed = profile.model_copy(update={"features": {**profile.features, feature: Need.must}})
    weights = profile_weights(changed, snapshot)
    criterion_weights = [weights[c] for c in snapshot.criteria]
    lines = replace(
        scoring.lines, feature_fit=feature_fit(changed, columns, weights.get(FEATURE_FIT, 0.0))
    )
    if criterion_weights != [scoring.weights[c] for c in snapshot.criteria]:
        lines = replace(lines, criteria=criteria_sums(criterion_weights, columns))
    matches = scoring.matches
    if requested_features(changed) != requested_features(profile):
        matches = tuple(indexed_matches(changed, snapshot))
        lines = replace(lines, guidance=guidance_line(matches, scoring.switching, columns))
    excluded = scoring.excluded | columns.ruled_out.get(feature, False)
    return rescored(scoring, changed, weights, matches, lines, excluded)


def _priority_candidates(scoring: Scoring) -> list[tuple[int, str, int]]:
    """(steps, criterion, new priority) where a line crossing says the top pick may change.

    Changing criterion c's priority by k adds k*value(c) to every framework's weighted sum and k to
    the shared denominator, so the ranking orders frameworks by ``weighted + k*value(c)``: a line
    per framework, and the first crossing is where to look. Rules that read priorities can switch
    on or off, which is why each candidate is then verified by scoring the change.
    """
    profile, snapshot, ranked = scoring.profile, scoring.snapshot, scoring.ranked
    weighted = scoring.weighted[ranked]
    gaps = weighted[0] - weighted[1:]
    # Values lie in 0..1, so a line rises at most 1 a step: one further behind than the most steps
    # a priority can move never crosses.
    near = gaps < MAX_PRIORITY
    gaps, rivals = gaps[near], ranked[1:][near]
    # Per criterion (rows) and framework (columns): how much its value exceeds the top pick's.
    differences = snapshot.columns.values[:, rivals] - snapshot.columns.values[:, ranked[:1]]
    found = []
    for direction in (1, -1):
        slopes = direction * differences
        # Where each rising line meets the top pick's, in steps (inf: it never does). The first
        # whole step past the nearest is max(1, floor(nearest) + 1): floor keeps the order.
        with np.errstate(divide="ignore", invalid="ignore"):
            meets = np.where(slopes > 0, gaps / slopes, np.inf)
        nearest = meets.min(axis=1, initial=np.inf).tolist()
        for criterion, crossing in zip(snapshot.criteria, nearest, strict=True):
            current = profile.priorities.get(criterion, 0)
            limit = MAX_PRIORITY - current if direction == 1 else current
            if crossing < limit:  # else the first step is past the limit, or there is none
                steps = max(1, math.floor(crossing) + 1)
                found.append((steps, criterion, current + direction * steps))
    return sorted(found)


def flips(profile: ProjectProfile, snapshot: KnowledgeSnapshot, scoring: Scoring) -> list[Flip]:
    """The smallest priority or feature changes that would change the top pick, all verified."""
    if len(scoring.ranked) < 2:
        return []
    first = int(scoring.ranked[0])
    shown: list[tuple[int, Flip]] = []
    for steps, criterion, priority in _priority_candidates(scoring)[:MAX_FLIP_CHECKS]:
        new_top = _new_top(with_priority(scoring, criterion, priority), first)
        if new_top is not None:
            current = profile.priorities.get(criterion, 0)
            change = f"priorities.{criterion}: {current} → {priority}"
            shown.append((steps, Flip(change=change, new_top=new_top)))
        if len(shown) >= MAX_FLIPS:
            break
    top = snapshot.frameworks[snapshot.columns.slugs[first]]
    tried = 0
    for feature in snapshot.features:
        need = profile.features.get(feature)
        if need is Need.must or not top.offer(feature).ruled_out or tried >= MAX_FEATURE_FLIPS:
            continue
        tried += 1
        new_top = _new_top(with_must(scoring, feature), first)
        if new_top is not None:
            label = need.value if need else "absent"
            shown.append((1, Flip(change=f"features.{feature}: {label} → must", new_top=new_top)))
    return [flip for _, flip in sorted(shown, key=lambda f: f[0])[:MAX_FLIPS]]
