"""How firm the answer is: confidence, and the smallest changes that would change the top pick.

Every flip shown is verified by re-scoring the changed profile: applied, it makes ``new_top`` first
with a strictly higher displayed score than the runner-up, and ``new_top`` is not today's first.
"""

from __future__ import annotations

import math

from app.engine.policy import (
    HIGH_MARGIN,
    HIGH_UNKNOWN_SHARE,
    LOW_MARGIN,
    LOW_UNKNOWN_SHARE,
    MAX_FEATURE_FLIPS,
    MAX_FLIP_CHECKS,
    MAX_FLIPS,
)
from app.engine.profile import ProjectProfile
from app.engine.result import Confidence, Flip, FrameworkRecommendation
from app.engine.score import Scoring, displayed, score
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


def _verified(changed: ProjectProfile, snapshot: KnowledgeSnapshot, first: str) -> str | None:
    """The new top pick when the change makes a different framework strictly first, else None."""
    ranked = score(changed, snapshot).ranked
    if not ranked or ranked[0].framework.slug == first:
        return None
    if len(ranked) > 1 and displayed(ranked[0].total) <= displayed(ranked[1].total):
        return None
    return ranked[0].framework.slug


def _priority_candidates(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, scoring: Scoring
) -> list[tuple[int, str, int]]:
    """(steps, criterion, new priority) where a line crossing says the top pick may change.

    Changing criterion c's priority by k adds k*value(c) to every framework's weighted sum and k to
    the shared denominator, so the ranking orders frameworks by ``weighted + k*value(c)``: a line
    per framework, and the first crossing is where to look. Rules that read priorities can switch
    on or off, which is why each candidate is then verified by re-scoring.
    """
    ranked = scoring.ranked
    totals = [s.weighted for s in ranked]
    top_total, top_vector = totals[0], ranked[0].vector
    found = []
    for index, criterion in enumerate(snapshot.criteria):
        current = profile.priorities.get(criterion, 0)
        for direction, limit in ((1, 5 - current), (-1, current)):
            best = limit + 1
            for i in range(1, len(ranked)):
                slope = direction * (ranked[i].vector[index] - top_vector[index])
                if slope > 0:
                    best = min(best, max(1, math.floor((top_total - totals[i]) / slope) + 1))
            if best <= limit:
                found.append((best, criterion, current + direction * best))
    return sorted(found)


def flips(profile: ProjectProfile, snapshot: KnowledgeSnapshot, scoring: Scoring) -> list[Flip]:
    """The smallest priority or feature changes that would change the top pick, all verified."""
    if len(scoring.ranked) < 2:
        return []
    first = scoring.ranked[0].framework.slug
    shown: list[tuple[int, Flip]] = []
    candidates = _priority_candidates(profile, snapshot, scoring)[:MAX_FLIP_CHECKS]
    for steps, criterion, priority in candidates:
        changed = profile.model_copy(
            update={"priorities": {**profile.priorities, criterion: priority}}
        )
        new_top = _verified(changed, snapshot, first)
        if new_top is not None:
            current = profile.priorities.get(criterion, 0)
            change = f"priorities.{criterion}: {current} → {priority}"
            shown.append((steps, Flip(change=change, new_top=new_top)))
        if len(shown) >= MAX_FLIPS:
            break
    top = scoring.ranked[0].framework
    tried = 0
    for feature in snapshot.features:
        need = profile.features.get(feature)
        if need is Need.must or not top.offer(feature).ruled_out or tried >= MAX_FEATURE_FLIPS:
            continue
        tried += 1
        changed = profile.model_copy(update={"features": {**profile.features, feature: Need.must}})
        new_top = _verified(changed, snapshot, first)
        if new_top is not None:
            label = need.value if need else "absent"
            shown.append((1, Flip(change=f"features.{feature}: {label} → must", new_top=new_top)))
    return [flip for _, flip in sorted(shown, key=lambda f: f[0])[:MAX_FLIPS]]
