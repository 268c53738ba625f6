"""The scoring engine: plain Python, no I/O, no web framework, no database.

``recommend(profile, snapshot)`` takes a validated :class:`ProjectProfile` and an immutable
:class:`KnowledgeSnapshot` and returns a :class:`Recommendation`. The arithmetic is in ``score``,
the explanation of the returned entries in ``explain``, confidence and flips in ``sensitivity``,
familiarity, switching and migration in ``advice``, and every knob in the cited ``policy`` table.
"""

from __future__ import annotations

from app.engine.advice import migration
from app.engine.explain import conflicting_musts, entry, summary, unverified_musts
from app.engine.policy import API_FIRST_TYPES
from app.engine.profile import ProjectProfile
from app.engine.result import Confidence, Decision, Exclusion, Folded, Note, Recommendation
from app.engine.score import displayed, score
from app.engine.sensitivity import confidence, flips
from app.engine.snapshot import KnowledgeSnapshot

__all__ = ["recommend"]


def _cited_sources(recommendation: Recommendation) -> set[str]:
    ids: set[str] = set()
    for item in recommendation.recommendations:
        ids.update(e.source for b in item.breakdown for e in b.evidence)
        ids.update(s for a in item.adjustments for s in a.sources)
        ids.update(s for n in (*item.reasons, *item.warnings) for s in n.sources)
        ids.update(s for i in item.stack for s in i.sources)
    ids.update(s for x in recommendation.excluded for n in x.reasons for s in n.sources)
    if recommendation.migration:
        ids.update(recommendation.migration.sources)
    return ids


def recommend(profile: ProjectProfile, snapshot: KnowledgeSnapshot) -> Recommendation:
    """Rank every (candidate) framework for the profile, with the full explanation."""
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
            confidence(margin, top, scoring.total_weight, len(unverified_musts(top, profile)))
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
