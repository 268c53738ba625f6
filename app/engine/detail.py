"""The answer at each level of detail, built from the default one.

The engine explains every returned entry once, compactly: breakdown lines cite evidence by id,
and a reason that is an adjustment names its rule. ``full`` puts the texts back from the snapshot
(where they were compiled once), ``summary`` keeps what a person reads first. Neither scores again.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.engine.explain import line_evidence, line_raw, reason_note
from app.engine.profile import ProjectProfile
from app.engine.result import (
    Adjustment,
    BreakdownItem,
    Exclusion,
    FrameworkRecommendation,
    FrameworkRecommendationFull,
    MigrationAdvice,
    Note,
    RankedFramework,
    Recommendation,
    RecommendationFull,
    RecommendationSummary,
    StackItem,
)
from app.engine.snapshot import KnowledgeSnapshot

#: How many reasons, and how many warnings, each entry of a summary gives: the first ones decide
#: (the summary sentence quotes as many reasons) and the first warning is the main caveat.
SUMMARY_NOTES = 2


def cited_sources(
    notes: Iterable[Note],
    *,
    adjustments: Iterable[Adjustment] = (),
    excluded: Iterable[Exclusion] = (),
    migration: MigrationAdvice | None = None,
    stack: Iterable[StackItem] = (),
    more: Iterable[str] = (),
) -> list[str]:
    """Every source id the given parts of an answer name, sorted."""
    ids = set(more)
    ids.update(s for n in notes for s in n.sources)
    ids.update(s for a in adjustments for s in a.sources)
    ids.update(s for x in excluded for n in x.reasons for s in n.sources)
    ids.update(s for i in stack for s in i.sources)
    if migration is not None:
        ids.update(migration.sources)
    return sorted(ids)


def default_sources(answer: Recommendation) -> list[str]:
    """The source ids a default answer names: adjustments, warnings, exclusions, migration."""
    return cited_sources(
        (n for e in answer.recommendations for n in e.warnings),
        adjustments=(a for e in answer.recommendations for a in e.adjustments),
        excluded=answer.excluded,
        migration=answer.migration,
    )


def _full_entry(
    entry: FrameworkRecommendation,
    weights: dict[str, float],
    profile: ProjectProfile,
    snapshot: KnowledgeSnapshot,
) -> FrameworkRecommendationFull:
    framework = snapshot.frameworks[entry.framework]
    return FrameworkRecommendationFull(
        rank=entry.rank,
        framework=entry.framework,
        name=entry.name,
        score=entry.score,
        fit=entry.fit,
        breakdown=[
            BreakdownItem(
                criterion=line.criterion,
                weight=weights[line.criterion],
                value=line.value,
                contribution=line.contribution,
                raw=line_raw(line.criterion, framework, profile),
                evidence=list(line_evidence(line.criterion, framework, profile)),
            )
            for line in entry.breakdown
        ],
        adjustments=entry.adjustments,
        reasons=[reason_note(r, entry, profile, snapshot) for r in entry.reasons],
        warnings=entry.warnings,
        gaps=entry.gaps,
        stack=list(snapshot.stacks[entry.framework]),
        unknown_criteria=[b.criterion for b in entry.breakdown if b.value is None],
    )


def full(
    answer: Recommendation, profile: ProjectProfile, snapshot: KnowledgeSnapshot
) -> RecommendationFull:
    """The default answer with the evidence, raw figures, reasons, stack and sources inline."""
    entries = [_full_entry(e, answer.weights, profile, snapshot) for e in answer.recommendations]
    cited = cited_sources(
        (n for e in entries for n in (*e.reasons, *e.warnings)),
        adjustments=(a for e in entries for a in e.adjustments),
        excluded=answer.excluded,
        migration=answer.migration,
        stack=(i for e in entries for i in e.stack),
        more=(ev.source for e in entries for b in e.breakdown for ev in b.evidence),
    )
    return RecommendationFull(
        detail="full",
        kb_version=answer.kb_version,
        summary=answer.summary,
        recommendations=entries,
        folded=answer.folded,
        excluded=answer.excluded,
        decision=answer.decision,
        migration=answer.migration,
        sources=[snapshot.sources[i] for i in cited if i in snapshot.sources],
    )


def summarize(
    answer: Recommendation, profile: ProjectProfile, snapshot: KnowledgeSnapshot
) -> RecommendationSummary:
    """Ranks, scores, the top reasons in words, the warnings and the decision."""
    entries = []
    for entry in answer.recommendations:
        entries.append(
            RankedFramework(
                rank=entry.rank,
                framework=entry.framework,
                name=entry.name,
                score=entry.score,
                fit=entry.fit,
                reasons=[
                    reason_note(r, entry, profile, snapshot) for r in entry.reasons[:SUMMARY_NOTES]
                ],
                warnings=entry.warnings[:SUMMARY_NOTES],
            )
        )
    return RecommendationSummary(
        detail="summary",
        kb_version=answer.kb_version,
        summary=answer.summary,
        recommendations=entries,
        decision=answer.decision,
        sources=cited_sources(n for e in entries for n in (*e.reasons, *e.warnings)),
    )
