"""The scoring engine: plain Python, no I/O, no web framework, no database.

``recommend(profile, snapshot)`` takes a validated :class:`ProjectProfile` and an immutable
:class:`KnowledgeSnapshot` and returns a :class:`Recommendation`. The arithmetic is in ``score``,
the explanation of the returned entries in ``explain``, confidence and flips in ``sensitivity``,
familiarity, switching and migration in ``advice``, and every knob in the cited ``policy`` table.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from app.engine.advice import migration
from app.engine.explain import conflicting_musts, entry, summary, unverified_musts
from app.engine.policy import API_FIRST_TYPES
from app.engine.profile import ProjectProfile
from app.engine.result import Confidence, Decision, Exclusion, Recommendation
from app.engine.score import displayed, every_scored, score
from app.engine.sensitivity import confidence, flips
from app.engine.snapshot import KnowledgeSnapshot
from app.vocab import Need

__all__ = ["recommend"]


def _cited_sources(recommendation: Recommendation) -> set[str]:
    items = recommendation.recommendations
    ids = {e.source for item in items for b in item.breakdown for e in b.evidence}
    ids.update(s for item in items for a in item.adjustments for s in a.sources)
    ids.update(s for item in items for n in (*item.reasons, *item.warnings) for s in n.sources)
    ids.update(s for item in items for i in item.stack for s in i.sources)
    ids.update(s for x in recommendation.excluded for n in x.reasons for s in n.sources)
    if recommendation.migration:
        ids.update(recommendation.migration.sources)
    return ids


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
    """Rank every (candidate) framework for the profile, with the full explanation."""
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
            confidence(margin, top, scoring.total_weight, len(unverified_musts(top, profile)))
            if top
            else Confidence.low
        ),
        flips=flips(profile, snapshot, scoring) if top else [],
    )
    api_first = profile.project_type.value in API_FIRST_TYPES
    layers = sorted(snapshot.columns.slugs[row] for row in scoring.folded.tolist())
    folded = [snapshot.foldings[layer][api_first] for layer in layers]
    result = Recommendation(
        kb_version=snapshot.version,
        summary=summary(entries, margin),
        recommendations=entries,
        folded=folded,
        excluded=excluded,
        decision=decision,
        migration=migration(profile, snapshot, top.framework if top else None),
        sources=[],
    )
    cited = sorted(_cited_sources(result) & snapshot.sources.keys())
    return result.model_copy(update={"sources": [snapshot.sources[i] for i in cited]})
