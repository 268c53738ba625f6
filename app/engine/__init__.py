"""The scoring engine: plain Python, no I/O, no web framework, no database.

``recommend(profile, snapshot)`` takes a validated :class:`ProjectProfile` and an immutable
:class:`KnowledgeSnapshot` and returns the default :class:`Recommendation`; ``answer`` returns it
at any level of detail. The arithmetic is in ``score``, the explanation of the returned entries in
``explain``, the other levels of detail in ``detail``, confidence and flips in ``sensitivity``,
familiarity, switching and migration in ``advice``, and every knob in the cited ``policy`` table.
"""

from __future__ import annotations

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
    Folded,
    Note,
    Recommendation,
    RecommendationFull,
    RecommendationSummary,
)
from app.engine.score import displayed, score
from app.engine.sensitivity import confidence, flips
from app.engine.snapshot import KnowledgeSnapshot

__all__ = ["answer", "recommend"]


def recommend(profile: ProjectProfile, snapshot: KnowledgeSnapshot) -> Recommendation:
    """Rank every (candidate) framework for the profile, every point accounted for."""
    scoring = score(profile, snapshot)
    ranked = scoring.ranked
    entries = [
        entry(i + 1, s, scoring, snapshot, profile) for i, s in enumerate(ranked[: profile.top_k])
    ]
    conflict = conflicting_musts(profile, snapshot)
    if entries and conflict is not None:
        entries[0] = entries[0].model_copy(update={"warnings": [conflict, *entries[0].warnings]})
    excluded = [
        Exclusion(
            framework=s.framework.slug,
            reasons=[
                Note(
                    text=f"must-have feature '{f}': the sources say it has none, and no package "
                    "adds it",
                    sources=sorted({e.source for e in s.framework.offer(f).evidence}),
                )
                for f in s.ruled_out
            ],
        )
        for s in sorted(scoring.scored, key=lambda s: s.framework.slug)
        if s.ruled_out
    ]
    margin = None
    if len(ranked) >= 2:
        margin = round(displayed(ranked[0].total) - displayed(ranked[1].total), 2)
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
    folded = [
        Folded(
            framework=layer,
            base=base,
            reason=(
                f"It scores no higher than {snapshot.frameworks[base].name}, which it adds to."
                if api_first
                else "An API layer is listed apart from its base only for API-first projects."
            ),
        )
        for layer, base in sorted(scoring.folded.items())
    ]
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
