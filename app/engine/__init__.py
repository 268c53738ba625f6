"""The scoring engine: plain Python, no I/O, no web framework, no database.

``recommend(profile, snapshot)`` takes a validated :class:`ProjectProfile` and an immutable
:class:`KnowledgeSnapshot` and returns the default :class:`Recommendation`; ``answer`` returns it
at any level of detail. The arithmetic is in ``score``, the explanation of the returned entries in
``explain``, the other levels of detail in ``detail``, confidence and flips in ``sensitivity``,
familiarity, switching and migration in ``advice``, and every knob in the cited ``policy`` table.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from app.engine.advice import migration
from app.engine.detail import default_sources, full, summarize
from app.engine.explain import conflicting_musts, entry, summary, unverified_musts
from app.engine.policy import API_FIRST_TYPES
from app.engine.profile import ProjectProfile
from app.engine.result import (
    Confidence,
    Decision,
    Detail,
    Exclusion,
    Recommendation,
    RecommendationFull,
    RecommendationSummary,
)
from app.engine.score import displayed, every_scored, score
from app.engine.sensitivity import confidence, flips
from app.engine.snapshot import KnowledgeSnapshot
from app.vocab import Need

__all__ = ["answer", "recommend"]


def _exclusions(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, rows: NDArray[np.bool_]
) -> list[Exclusion]:
    """The excluded frameworks by slug, each with the must-haves that rule it out."""
    musts = [f for f, need in profile.features.items() if need is Need.must]
    found = []
    columns = snapshot.columns
    excluded = np.flatnonzero(rows)
    for row in excluded[np.argsort(columns.slug_order[excluded])].tolist():
        by_feature = snapshot.exclusions[columns.slugs[row]]
        reasons = [by_feature[f] for f in musts if f in by_feature]
        if len(reasons) == 1:
            found.append(reasons[0])
        else:
            found.append(
                Exclusion(framework=columns.slugs[row], reasons=[r.reasons[0] for r in reasons])
            )
    return found


def recommend(profile: ProjectProfile, snapshot: KnowledgeSnapshot) -> Recommendation:
    """Rank every (candidate) framework for the profile, every point accounted for."""
    scoring = score(profile, snapshot)
    ranked = scoring.ranked.tolist()
    shown = every_scored(scoring, ranked[: profile.top_k])  # explained: only what is returned
    entries = [entry(i + 1, s, scoring, snapshot, profile) for i, s in enumerate(shown)]
    conflict = conflicting_musts(profile, snapshot)
    if entries and conflict is not None:
        entries[0] = entries[0].model_copy(update={"warnings": [conflict, *entries[0].warnings]})
    excluded = _exclusions(profile, snapshot, scoring.excluded)
    margin = None
    if len(ranked) >= 2:
        first, second = scoring.total[ranked[:2]].tolist()
        margin = round(displayed(first) - displayed(second), 2)
    top = entries[0] if entries else None
    decision = Decision(
        margin=margin,
        confidence=(
            confidence(margin, top, scoring, len(unverified_musts(top, profile)))
            if top
            else Confidence.low
        ),
        flips=flips(profile, snapshot, scoring) if top else [],
    )
    api_first = profile.project_type.value in API_FIRST_TYPES
    layers = sorted(snapshot.columns.slugs[row] for row in scoring.folded.tolist())
    folded = [snapshot.foldings[layer][api_first] for layer in layers]
    result = Recommendation(
        detail="default",
        kb_version=snapshot.version,
        summary=summary(entries, margin, profile, snapshot),
        weights={line: weight for line, weight in scoring.weights.items() if weight},
        recommendations=entries,
        folded=folded,
        excluded=excluded,
        decision=decision,
        migration=migration(profile, snapshot, top.framework if top else None),
        sources=[],
    )
    cited = [i for i in default_sources(result) if i in snapshot.sources]
    return result.model_copy(update={"sources": cited})


def answer(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, detail: Detail = Detail.default
) -> RecommendationSummary | Recommendation | RecommendationFull:
    """The recommendation at the level of detail asked for."""
    result = recommend(profile, snapshot)
    if detail is Detail.full:
        return full(result, profile, snapshot)
    if detail is Detail.summary:
        return summarize(result, profile, snapshot)
    return result
