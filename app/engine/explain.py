"""Explain the entries that are returned: breakdown, adjustments, reasons, warnings, gaps, summary.

Built only for the entries the caller gets back. Every displayed point is accounted for: the
breakdown's contributions and the adjustments' points add up to the score, to the cent.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from pydantic import TypeAdapter

from app.engine.advice import familiarity
from app.engine.policy import (
    ASYNC_FIRST,
    ASYNC_WORKLOADS,
    FAMILIAR_NONE,
    FAMILIARITY,
    FEATURE_FIT,
    FIT_THRESHOLDS,
    GUIDANCE,
    GUIDANCE_SATURATION,
    GUIDANCE_WEIGHT,
    HIGH_CONCURRENCY_RPS,
    MAX_CRITERION_REASONS,
    MAX_REASONS,
    MAX_RULE_REASONS,
    SLOW_COLD_START,
    STRONG_VALUE,
    SYNC_FIRST,
)
from app.engine.profile import ProjectProfile
from app.engine.result import (
    Adjustment,
    BreakdownLine,
    EvidenceItem,
    FrameworkRecommendation,
    Gap,
    Note,
    Reason,
)
from app.engine.score import Scored, Scoring, displayed
from app.engine.snapshot import NEUTRAL, FrameworkInfo, KnowledgeSnapshot
from app.engine.stack import FEATURE_NEEDS
from app.vocab import AsyncExperience, Deployment, Need, Workload

#: The breakdown lines are validated in one call: pydantic-core loops over them, not Python.
_BREAKDOWN = TypeAdapter(list[BreakdownLine])


def _apportion(parts: list[float], target: float) -> list[float]:
    """Round each part to cents so that the rounded parts add up to ``target`` (in cents).

    Largest-remainder rounding: the displayed breakdown accounts for the displayed score exactly.
    """
    cents = [p * 100.0 for p in parts]
    floors = [math.floor(c) for c in cents]
    missing = round(target * 100.0) - sum(floors)
    by_remainder = sorted(range(len(parts)), key=lambda i: floors[i] - cents[i])
    for i in by_remainder[: max(missing, 0)]:
        floors[i] += 1
    return [f / 100.0 for f in floors]


def _effect_factor(side: float) -> float:
    """Weight units one guidance unit is worth, given the total units on its side (for or
    against): shared by the effects on that side, so their points stay proportional."""
    if side == 0:
        return GUIDANCE_WEIGHT * NEUTRAL / GUIDANCE_SATURATION
    return GUIDANCE_WEIGHT * NEUTRAL * math.tanh(side / GUIDANCE_SATURATION) / side


def _sources(evidence: Iterable[EvidenceItem]) -> list[str]:
    return sorted({e.source for e in evidence})


def line_evidence(
    line: str, framework: FrameworkInfo, profile: ProjectProfile
) -> tuple[EvidenceItem, ...]:
    """The evidence behind one breakdown line: precompiled in the snapshot, never built here."""
    if line == FEATURE_FIT:
        return tuple(e for f in profile.features for e in framework.offer(f).evidence)
    if line == FAMILIARITY:
        known = familiarity(framework, profile)
        return known.evidence if known is not None else ()
    if line == GUIDANCE:
        return ()
    return framework.value(line).evidence


def line_raw(line: str, framework: FrameworkInfo, profile: ProjectProfile) -> str | None:
    """The figure or statement behind one breakdown line (``detail=full`` only)."""
    if line == FEATURE_FIT:
        return ", ".join(
            f"{f}: {(o := framework.offer(f)).support}"
            + (" (unverified, counted as 0.5)" if o.support == "unknown" else "")
            for f in profile.features
        )
    if line == FAMILIARITY:
        known = familiarity(framework, profile)
        return known.raw if known is not None else None
    if line == GUIDANCE:
        return "Neutral; matching decision rules and the cost of switching move it (adjustments)."
    return framework.value(line).raw


def _lines(
    lines: list[str], scored: Scored, profile: ProjectProfile
) -> tuple[list[float], list[float | None], list[tuple[str, ...]]]:
    """Per line: the value it counts with (unknown as neutral), the value it shows (null for an
    unknown criterion) and its evidence ids, all read from the snapshot."""
    framework = scored.framework
    counted: list[float] = []
    shown: list[float | None] = []
    ids: list[tuple[str, ...]] = []
    for line in lines:
        if line == FEATURE_FIT:
            counted.append(NEUTRAL if scored.feature_fit is None else scored.feature_fit)
            shown.append(scored.feature_fit)
            ids.append(tuple(i for f in profile.features for i in framework.offer(f).ids))
        elif line == FAMILIARITY:
            counted.append(NEUTRAL if scored.familiarity is None else scored.familiarity)
            shown.append(scored.familiarity)
            known = familiarity(framework, profile)
            ids.append(tuple(e.id for e in known.evidence) if known is not None else ())
        elif line == GUIDANCE:
            counted.append(NEUTRAL)
            shown.append(NEUTRAL)
            ids.append(())
        else:
            value = framework.value(line)
            counted.append(NEUTRAL if value.value is None else value.value)
            shown.append(value.value)
            ids.append(value.ids)
    return counted, shown, ids


def _reasons(breakdown: list[BreakdownLine], adjustments: list[Adjustment]) -> list[Reason]:
    """The few that decide: the rules that add most, then the strongest criteria. A rule is
    named, not repeated: its adjustment carries the text."""
    reasons: list[Reason] = []
    seen: set[str] = set()
    for adjustment in sorted(adjustments, key=lambda a: -a.points):
        if adjustment.points <= 0 or len(reasons) >= min(MAX_RULE_REASONS, MAX_REASONS):
            break
        if adjustment.text not in seen:
            seen.add(adjustment.text)
            reasons.append(Reason(rule=adjustment.rule))
    strongest = sorted(
        (
            b
            for b in breakdown
            if b.value is not None
            and b.value >= STRONG_VALUE
            and b.criterion not in (FEATURE_FIT, GUIDANCE)
        ),
        key=lambda b: -b.contribution,
    )[: min(MAX_CRITERION_REASONS, MAX_REASONS - len(reasons))]
    reasons.extend(Reason(criterion=item.criterion) for item in strongest)
    return reasons


_SCALE_OUT = (
    "plan for scale-out (several workers and instances behind a load balancer) and measure your "
    "own endpoints."
)


def _warnings(
    scored: Scored,
    profile: ProjectProfile,
    snapshot: KnowledgeSnapshot,
    unknown: list[str],
    gaps: list[Gap],
) -> list[Note]:
    framework = scored.framework
    notes = []
    unverified = _unverified_musts(gaps, profile)
    if unverified:  # first (after any conflict note): a must-have may turn out to be missing
        where = f"; check {framework.homepage}" if framework.homepage else ""
        notes.append(
            Note(
                text=(
                    f"Must-have not verified for {framework.name}: {', '.join(unverified)} (the "
                    f"knowledge base has no cited answer{where})."
                ),
                sources=[],
            )
        )
    async_value = framework.value("async_support")
    async_first = async_value.value is not None and async_value.value >= ASYNC_FIRST
    if async_first and profile.team.async_experience is AsyncExperience.none:
        notes.append(
            Note(
                text=(
                    f"{framework.name} is async-first and the team has no async experience: a "
                    "blocking call inside an async handler stalls the event loop."
                ),
                sources=sorted({*_sources(async_value.evidence), "calloway-2026"}),
            )
        )
    if async_first and profile.workload is Workload.cpu_bound:
        notes.append(
            Note(
                text="CPU-bound work blocks an async event loop; run it in a worker pool.",
                sources=["calloway-2026"],
            )
        )
    pressure = (profile.workload is not None and profile.workload.value in ASYNC_WORKLOADS) or (
        (profile.expected_peak_rps or 0) >= HIGH_CONCURRENCY_RPS
    )
    if pressure and async_value.value is not None and async_value.value <= SYNC_FIRST:
        notes.append(
            Note(
                text=f"{framework.name}'s async model limits this workload: {async_value.raw}",
                sources=_sources(async_value.evidence),
            )
        )
    peak = profile.expected_peak_rps
    base = snapshot.frameworks.get(framework.builds_on) if framework.builds_on else None
    if peak is not None and framework.peak_rps is not None and peak > framework.peak_rps[0]:
        figure, source = framework.peak_rps
        notes.append(
            Note(
                text=(
                    f"{peak:,} req/s is above the {figure:,.0f} req/s the sources measured for one "
                    f"{framework.name} process: {_SCALE_OUT}"
                ),
                sources=[source],
            )
        )
    elif peak is not None and framework.peak_rps is None and base and base.peak_rps:
        figure, source = base.peak_rps
        if peak > figure:  # a layer serves no more than the framework it runs on
            notes.append(
                Note(
                    text=(
                        f"{peak:,} req/s is above the {figure:,.0f} req/s the sources measured for "
                        f"one {base.name} process, which {framework.name} runs on: {_SCALE_OUT}"
                    ),
                    sources=[source],
                )
            )
    elif peak is not None and framework.peak_rps is None and snapshot.fastest_measured:
        fastest, figure, source = snapshot.fastest_measured
        if peak > figure:  # above the most measured for any framework
            notes.append(
                Note(
                    text=(
                        f"{peak:,} req/s is above the most the sources measured for one process "
                        f"of any framework here ({figure:,.0f} req/s, "
                        f"{snapshot.frameworks[fastest].name}), and none measured "
                        f"{framework.name}: {_SCALE_OUT}"
                    ),
                    sources=[source],
                )
            )
    cold = framework.value("cold_start")
    if profile.deployment is Deployment.serverless:
        if cold.value is not None and cold.value <= SLOW_COLD_START:
            notes.append(
                Note(
                    text=f"Slow cold start on serverless: {cold.raw or 'see evidence'}.",
                    sources=_sources(cold.evidence),
                )
            )
        elif cold.value is None and "cold_start" not in unknown:
            unknown = [*unknown, "cold_start"]  # named in the one note on unknown values below
    size = profile.team.size
    for low, high, verdict, source in framework.team_size_cautions:
        if size is not None and low <= size and (high is None or size <= high):
            notes.append(Note(text=f"For a team of {size}: {verdict}", sources=[source]))
    known = profile.team.known_frameworks
    if known and scored.familiarity == FAMILIAR_NONE:
        notes.append(
            Note(
                text=(
                    f"Nobody on the team knows {framework.name} or a close relative; budget "
                    f"time to learn it (the team knows {', '.join(known)})."
                ),
                sources=["buildsmart-2025", "wiles-2025"],
            )
        )
    stale = sorted({p for g in gaps for p in g.stale_packages})
    if stale:
        notes.append(
            Note(
                text=(
                    f"No release in 36 months: {', '.join(stale)}. Prefer a maintained "
                    "alternative where the gaps list one."
                ),
                sources=["pypi-json-api"],
            )
        )
    if unknown:
        names = [snapshot.criterion_names.get(c, c) for c in unknown]
        notes.append(
            Note(
                text=f"Unknown in the knowledge base (counted as neutral): {', '.join(names)}.",
                sources=[],
            )
        )
    return notes


def conflicting_musts(profile: ProjectProfile, snapshot: KnowledgeSnapshot) -> Note | None:
    """Must-haves that no framework in the catalog has all of built in."""
    musts = sorted(f for f, need in profile.features.items() if need is Need.must)
    if len(musts) < 2:
        return None
    columns = snapshot.columns
    counts = np.zeros(len(columns.slugs), dtype=np.intp)
    for feature in musts:
        if feature in columns.builtin:
            counts += columns.builtin[feature]
    # The most built in; among equals, the last slug.
    most = np.flatnonzero(counts == counts.max())
    best = snapshot.frameworks[columns.slugs[most[np.argmax(columns.slug_order[most])]]]
    builtin = [f for f in musts if best.offer(f).support == "builtin"]
    if len(builtin) == len(musts):
        return None
    has = ", ".join(builtin) or "none"
    return Note(
        text=(
            f"The must-haves pull in different directions: no framework in the catalog has all of "
            f"{', '.join(musts)} built in (the most, {best.name}, has {has}). Expect add-ons, or "
            "relax one."
        ),
        sources=sorted({e.source for f in musts for e in best.offer(f).evidence}),
    )


def _gaps(framework: FrameworkInfo, profile: ProjectProfile, stale: frozenset[str]) -> list[Gap]:
    gaps = []
    for feature in profile.features:
        offer = framework.offer(feature)
        if offer.support == "builtin":
            continue
        maintained = [p for p in offer.packages if p not in stale]
        flagged = [p for p in offer.packages if p in stale]
        if flagged and not maintained:
            # Name a maintained alternative where the knowledge base has one for the same need.
            maintained = [
                c.package
                for need in FEATURE_NEEDS.get(feature, ())
                for c in framework.companions.get(need, ())
                if c.package not in stale
            ]
        note = None
        if offer.support == "unknown":
            where = f" Check {framework.homepage}." if framework.homepage else ""
            looked = f" {offer.note}" if offer.note else ""
            note = f"Unverified: the knowledge base has no cited answer.{looked}{where}"
        gaps.append(
            Gap(
                feature=feature,
                support=offer.support,
                packages=maintained + flagged,
                stale_packages=flagged,
                note=note,
            )
        )
    return gaps


def _fit(score: float) -> str:
    for threshold, fit in FIT_THRESHOLDS:
        if score >= threshold:
            return fit
    return "poor"


def entry(
    rank_: int,
    scored: Scored,
    scoring: Scoring,
    snapshot: KnowledgeSnapshot,
    profile: ProjectProfile,
) -> FrameworkRecommendation:
    """One ranked framework, with every point accounted for and its evidence by id."""
    weights, total_weight = scoring.weights, scoring.total_weight
    framework = scored.framework
    lines = [line for line, weight in weights.items() if weight]
    pro = _effect_factor(sum(e.units for e in scored.effects if e.units > 0))
    con = _effect_factor(-sum(e.units for e in scored.effects if e.units < 0))
    score = displayed(scored.total)
    counted, shown, ids = _lines(lines, scored, profile)
    parts = _apportion(
        [
            100.0 * weights[line] * value / total_weight
            for line, value in zip(lines, counted, strict=True)
        ]
        + [100.0 * e.units * (pro if e.units > 0 else con) / total_weight for e in scored.effects],
        score,
    )
    breakdown = _BREAKDOWN.validate_python(
        [
            {"criterion": line, "value": value, "contribution": part, "evidence": evidence}
            for line, value, part, evidence in zip(lines, shown, parts, ids, strict=False)
        ]
    )
    adjustments = [
        Adjustment(rule=e.rule, text=e.text, points=points, sources=list(e.sources))
        for e, points in zip(scored.effects, parts[len(lines) :], strict=True)
    ]
    unknown = [b.criterion for b in breakdown if b.value is None]
    gaps = _gaps(framework, profile, snapshot.stale_packages)
    return FrameworkRecommendation(
        rank=rank_,
        framework=framework.slug,
        name=framework.name,
        score=score,
        fit=_fit(score),
        breakdown=breakdown,
        adjustments=adjustments,
        reasons=_reasons(breakdown, adjustments),
        warnings=_warnings(scored, profile, snapshot, unknown, gaps),
        gaps=gaps,
    )


def reason_note(
    reason: Reason,
    entry_: FrameworkRecommendation,
    profile: ProjectProfile,
    snapshot: KnowledgeSnapshot,
) -> Note:
    """A reason in words, with its sources: the adjustment it names, or its breakdown line's."""
    if reason.rule is not None:
        adjustment = next(a for a in entry_.adjustments if a.rule == reason.rule)
        return Note(text=adjustment.text, sources=adjustment.sources)
    assert reason.criterion is not None
    line = next(b for b in entry_.breakdown if b.criterion == reason.criterion)
    assert line.value is not None  # only a known, strong value is a reason
    name = snapshot.criterion_names.get(line.criterion, line.criterion).lower()
    evidence = line_evidence(line.criterion, snapshot.frameworks[entry_.framework], profile)
    return Note(text=f"Strong on {name} ({line.value:.2f} of 1)", sources=_sources(evidence))


def unverified_musts(entry_: FrameworkRecommendation, profile: ProjectProfile) -> list[str]:
    return _unverified_musts(entry_.gaps, profile)


def _unverified_musts(gaps: list[Gap], profile: ProjectProfile) -> list[str]:
    """The must-haves whose support the knowledge base cannot confirm, nor rule out."""
    return [
        g.feature
        for g in gaps
        if g.support == "unknown" and profile.features.get(g.feature) is Need.must
    ]


def summary(
    entries: list[FrameworkRecommendation],
    margin: float | None,
    profile: ProjectProfile,
    snapshot: KnowledgeSnapshot,
) -> str:
    """One sentence for people: the pick, the decisive reasons, the main caveat."""
    if not entries:
        return "No framework in the catalog meets every must-have; see `excluded` for why."
    top = entries[0]
    reasons = (
        "; ".join(reason_note(r, top, profile, snapshot).text for r in top.reasons[:2])
        or "the criteria as weighted"
    )
    sentence = f"{top.name} fits best ({top.score:.2f}, {top.fit}): {reasons}."
    if len(entries) > 1 and margin is not None and margin < 3:
        sentence += f" {entries[1].name} is close behind ({entries[1].score:.2f})."
    if top.warnings:
        sentence += f" Main caveat: {top.warnings[0].text}"
    return sentence
