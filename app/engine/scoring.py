"""Score every framework against a profile and explain every point.

The model, in one paragraph: the profile gives each criterion a weight (``weights``). A framework's
score is the weighted mean of its criterion values on a 0..100 scale (unknown values count as a
neutral 0.5 and lower confidence), plus adjustments from matching decision rules (team familiarity
among them), expressed in the same weight units and divided by the same total weight. Each
framework is scored on its own, never against the others, so adding or removing a candidate never
reorders the rest; and because every term shares one denominator, raising a criterion's priority
can only move the framework that is best on it up the ranking.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from operator import mul

from app.engine.profile import ProjectProfile
from app.engine.result import (
    Adjustment,
    BreakdownItem,
    Confidence,
    Decision,
    Exclusion,
    Fit,
    Flip,
    FrameworkRecommendation,
    Gap,
    MigrationAdvice,
    Note,
    Recommendation,
)
from app.engine.rules import matching_rules
from app.engine.snapshot import NEUTRAL, FrameworkInfo, KnowledgeSnapshot, RuleEffect, RuleInfo
from app.engine.stack import FEATURE_NEEDS
from app.engine.weights import (
    BASE_WEIGHT,
    FAMILIAR_CRITERION,
    FAMILIAR_EVIDENCE,
    FEATURE_FIT,
    IMPLIED_WEIGHTS,
    MAX_RULE_UNITS,
    MIN_RULE_UNITS,
    NEED_WEIGHT,
    SITUATIONAL_CRITERIA,
    SUPPORT_FIT,
)
from app.vocab import AsyncExperience, Deployment, Need, Workload

FIT_THRESHOLDS = ((70.0, Fit.strong), (55.0, Fit.good), (40.0, Fit.weak))
MAX_FLIPS = 5
MAX_FEATURE_FLIPS = 1


def profile_weights(profile: ProjectProfile, snapshot: KnowledgeSnapshot) -> dict[str, float]:
    """Criterion -> weight: base, plus what the profile implies, plus explicit priorities."""
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
    return weights


@dataclass(frozen=True, slots=True)
class _Scored:
    framework: FrameworkInfo
    vector: tuple[float, ...]  # criterion values as scored (unknown as neutral, familiarity in)
    weighted: float  # sum of weight x value over the breakdown, in weight units
    units: tuple[RuleEffect, ...]  # rule adjustments, the cap (if any) included
    feature_fit: float | None
    missing_musts: tuple[str, ...]  # must-have features it cannot provide: excluded if any
    total: float  # the unclamped, unrounded score: what the ranking uses


@dataclass(frozen=True, slots=True)
class _Scoring:
    weights: dict[str, float]
    total_weight: float
    scored: list[_Scored]  # every candidate, excluded ones included
    ranked: list[_Scored]  # eligible ones, best first


def _exclusion_notes(framework: FrameworkInfo, missing: Iterable[str]) -> list[Note]:
    notes = []
    for feature in missing:
        offer = framework.offer(feature)
        if offer.support == "unknown":
            text = f"must-have feature '{feature}': no known way to provide it (support unknown)"
        else:
            text = (
                f"must-have feature '{feature}': {offer.support}, and no package is known to add it"
            )
        notes.append(Note(text=text, sources=sorted({e.source for e in offer.evidence})))
    return notes


def _rule_units(matches: Iterable[tuple[RuleInfo, int]]) -> dict[str, list[RuleEffect]]:
    """Framework slug -> the effects of the matching rules on it (precompiled per condition)."""
    found: dict[str, list[RuleEffect]] = {}
    for rule, index in matches:
        for slug, effect in rule.effects[index]:
            found.setdefault(slug, []).append(effect)
    return found


def _capped(units: list[RuleEffect]) -> tuple[RuleEffect, ...]:
    net = sum(u.units for u in units)
    bounded = min(MAX_RULE_UNITS, max(MIN_RULE_UNITS, net))
    if bounded == net:
        return tuple(units)
    cap = RuleEffect(
        "rule_cap",
        f"Rule adjustments are capped at {MIN_RULE_UNITS:+g}..{MAX_RULE_UNITS:+g} weight units, "
        "so overlapping guidance from several sources cannot drown out the criteria.",
        bounded - net,
        (),
    )
    return (*units, cap)


def _score(profile: ProjectProfile, snapshot: KnowledgeSnapshot) -> _Scoring:
    """Every candidate's total and what it is made of; no explanation is built here."""
    weights = profile_weights(profile, snapshot)
    total_weight = sum(weights.values()) or 1.0
    criterion_weights = [weights[c] for c in snapshot.criteria]
    feature_weight = weights.get(FEATURE_FIT, 0.0)
    needs = [(f, NEED_WEIGHT[need]) for f, need in profile.features.items()]
    musts = [f for f, need in profile.features.items() if need is Need.must]
    rules = snapshot.rules_by_project_type[profile.project_type]
    units_by_framework = _rule_units(matching_rules(profile, rules))
    wanted = profile.candidates
    known = frozenset(profile.team.known_frameworks or ())
    familiar = (
        snapshot.criteria.index(FAMILIAR_CRITERION)
        if FAMILIAR_CRITERION in snapshot.criteria
        else None
    )
    scored = []
    for slug, framework in snapshot.frameworks.items():
        if wanted is not None and slug not in wanted:
            continue
        vector = snapshot.vectors[slug]
        if slug in known and familiar is not None:
            vector = (*vector[:familiar], 1.0, *vector[familiar + 1 :])
        weighted = sum(map(mul, criterion_weights, vector))
        fit = None
        if feature_weight:
            # Weighted coverage of the requested features; unknown support counts as neutral.
            covered = sum(
                w * SUPPORT_FIT.get(framework.offer(f).support, NEUTRAL) for f, w in needs
            )
            fit = covered / feature_weight
            weighted += feature_weight * fit
        units = _capped(units_by_framework.get(slug, []))
        total = 100.0 * (weighted + sum(u.units for u in units)) / total_weight
        missing = tuple(f for f in musts if not framework.offer(f).provided)
        scored.append(_Scored(framework, vector, weighted, units, fit, missing, total))
    eligible = [s for s in scored if not s.missing_musts]
    ranked = sorted(eligible, key=lambda s: (-s.total, s.framework.slug))
    return _Scoring(weights, total_weight, scored, ranked)


def _or_neutral(value: float | None) -> float:
    return NEUTRAL if value is None else value


def rank(profile: ProjectProfile, snapshot: KnowledgeSnapshot) -> list[str]:
    """Framework slugs, best first (excluded ones left out)."""
    return [s.framework.slug for s in _score(profile, snapshot).ranked]


def _clamp(points: float) -> float:
    return min(100.0, max(0.0, points))


def _apportion(parts: list[float]) -> list[float]:
    """Round each part to cents so that the rounded parts add up to the rounded total.

    Largest-remainder rounding: the displayed breakdown then accounts for the displayed score to
    the cent, and the displayed score is a monotone function of the total the ranking uses.
    """
    cents = [p * 100.0 for p in parts]
    floors = [math.floor(c) for c in cents]
    missing = round(sum(cents)) - sum(floors)
    by_remainder = sorted(range(len(parts)), key=lambda i: floors[i] - cents[i])
    for i in by_remainder[:missing]:
        floors[i] += 1
    return [f / 100.0 for f in floors]


def _breakdown(
    scored: _Scored,
    contributions: dict[str, float],
    weights: dict[str, float],
    profile: ProjectProfile,
) -> list[BreakdownItem]:
    items = []
    framework = scored.framework
    for criterion, contribution in contributions.items():
        weight = weights[criterion]
        raw: str | None
        value = scored.feature_fit if criterion == FEATURE_FIT else framework.value(criterion).value
        if criterion == FEATURE_FIT:
            evidence = [e for f in profile.features for e in framework.offer(f).evidence]
            raw = ", ".join(f"{f}: {framework.offer(f).support}" for f in profile.features)
        elif criterion == FAMILIAR_CRITERION and framework.slug in (
            profile.team.known_frameworks or ()
        ):
            value, evidence = 1.0, [FAMILIAR_EVIDENCE]
            known_value = framework.value(criterion).value
            raw = f"The team already knows {framework.name} (value for a new team: {known_value})"
        else:
            known = framework.value(criterion)
            evidence, raw = list(known.evidence), known.raw
        items.append(
            BreakdownItem(
                criterion=criterion,
                weight=weight,
                value=value,
                contribution=contribution,
                raw=raw,
                evidence=evidence,
            )
        )
    return items


def _warnings(framework: FrameworkInfo, profile: ProjectProfile, unknown: list[str]) -> list[Note]:
    notes = []
    async_value = framework.value("async_support")
    async_first = async_value.value is not None and async_value.value >= 0.8
    if async_first and profile.team.async_experience is AsyncExperience.none:
        notes.append(
            Note(
                text=(
                    f"{framework.name} is async-first and the team has no async experience: a "
                    "blocking call inside an async handler stalls the event loop."
                ),
                sources=sorted({e.source for e in async_value.evidence} | {"calloway-2026"}),
            )
        )
    if async_first and profile.workload is Workload.cpu_bound:
        notes.append(
            Note(
                text="CPU-bound work blocks an async event loop; run it in a worker pool.",
                sources=["calloway-2026"],
            )
        )
    cold = framework.value("cold_start")
    if profile.deployment is Deployment.serverless and cold.value is not None and cold.value <= 0.4:
        notes.append(
            Note(
                text=f"Slow cold start on serverless: {cold.raw or 'see evidence'}.",
                sources=sorted({e.source for e in cold.evidence}),
            )
        )
    if profile.deployment is Deployment.serverless and cold.value is None:
        notes.append(Note(text="Cold start is unknown for this framework.", sources=[]))
    size = profile.team.size
    for low, high, verdict, source in framework.team_size_verdicts:
        fits = size is not None and low <= size and (high is None or size <= high)
        if fits and any(word in verdict.lower() for word in ("risky", "needs", "but")):
            notes.append(
                Note(text=f"For a team of {profile.team.size}: {verdict}", sources=[source])
            )
    if unknown:
        notes.append(
            Note(
                text=f"Unknown in the knowledge base (counted as neutral): {', '.join(unknown)}.",
                sources=[],
            )
        )
    return notes


def _reasons(scored: _Scored, breakdown: list[BreakdownItem]) -> list[Note]:
    notes = [Note(text=u.text, sources=list(u.sources)) for u in scored.units if u.units > 0]
    strongest = sorted(
        (
            b
            for b in breakdown
            if b.value is not None and b.value >= 0.75 and b.criterion != FEATURE_FIT
        ),
        key=lambda b: -b.contribution,
    )[:3]
    for item in strongest:
        detail = f": {item.raw}" if item.raw else ""
        notes.append(
            Note(
                text=f"Strong on {item.criterion}{detail}",
                sources=sorted({e.source for e in item.evidence}),
            )
        )
    return notes


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
                if c.package not in stale and c.package not in maintained
            ]
        gaps.append(
            Gap(
                feature=feature,
                support=offer.support,
                packages=maintained + flagged,
                stale_packages=flagged,
            )
        )
    return gaps


def _fit(score: float) -> Fit:
    for threshold, fit in FIT_THRESHOLDS:
        if score >= threshold:
            return fit
    return Fit.poor


def _recommendation_entry(
    rank_: int,
    scored: _Scored,
    snapshot: KnowledgeSnapshot,
    weights: dict[str, float],
    total_weight: float,
    profile: ProjectProfile,
) -> FrameworkRecommendation:
    effective = dict(zip(snapshot.criteria, scored.vector, strict=True))
    if FEATURE_FIT in weights:
        effective[FEATURE_FIT] = _or_neutral(scored.feature_fit)
    counted = [c for c, w in weights.items() if w]
    parts = _apportion(
        [100.0 * weights[c] * effective[c] / total_weight for c in counted]
        + [100.0 * u.units / total_weight for u in scored.units]
    )
    breakdown = _breakdown(scored, dict(zip(counted, parts, strict=False)), weights, profile)
    adjustments = [
        Adjustment(rule=u.rule, text=u.text, points=points, sources=list(u.sources))
        for u, points in zip(scored.units, parts[len(counted) :], strict=True)
    ]
    score = round(_clamp(sum(parts)), 2)
    unknown = [b.criterion for b in breakdown if b.value is None]
    return FrameworkRecommendation(
        rank=rank_,
        framework=scored.framework.slug,
        name=scored.framework.name,
        score=score,
        fit=_fit(score),
        breakdown=breakdown,
        adjustments=adjustments,
        reasons=_reasons(scored, breakdown),
        warnings=_warnings(scored.framework, profile, unknown),
        gaps=_gaps(scored.framework, profile, snapshot.stale_packages),
        stack=list(snapshot.stacks[scored.framework.slug]),
        unknown_criteria=unknown,
    )


def _confidence(
    margin: float | None, top: FrameworkRecommendation, total_weight: float
) -> Confidence:
    unknown_weight = sum(b.weight for b in top.breakdown if b.value is None)
    unknown_share = unknown_weight / total_weight
    if margin is not None and margin < 3 or unknown_share > 0.3:
        return Confidence.low
    if (margin is None or margin >= 8) and unknown_share <= 0.1:
        return Confidence.high
    return Confidence.medium


def _priority_flips(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, scoring: _Scoring
) -> list[tuple[int, Flip]]:
    """Priority changes that change the top pick, found analytically.

    Changing criterion c's priority by k adds k*value(c) to every framework's weighted sum and k
    to the shared denominator, so at step k the ranking orders frameworks by
    ``weighted + units + k*value(c)``: a line per framework, and the first crossing is exact.
    (This is the engine's hot path, hence plain loops over precomputed lists.)
    """
    ranked = scoring.ranked
    slugs = [s.framework.slug for s in ranked]
    totals = [s.weighted + sum(u.units for u in s.units) for s in ranked]
    vectors = [s.vector for s in ranked]
    top_total, top_slug, top_vector = totals[0], slugs[0], vectors[0]
    flips = []
    for index, criterion in enumerate(snapshot.criteria):
        current = profile.priorities.get(criterion, 0)
        for direction, limit in ((1, 5 - current), (-1, current)):
            best = limit + 1
            for i in range(1, len(ranked)):
                slope = direction * (vectors[i][index] - top_vector[index])
                if slope <= 0:
                    continue
                exact = (top_total - totals[i]) / slope
                step = math.ceil(exact) if slugs[i] < top_slug else math.floor(exact) + 1
                best = min(best, max(1, step))
            if best > limit:
                continue
            k = direction * best
            new_top = min(
                range(len(ranked)),
                key=lambda i: (-(totals[i] + k * vectors[i][index]), slugs[i]),
            )
            if snapshot.rules_read_priorities:  # a rule may switch on: verify by re-scoring
                changed = profile.model_copy(
                    update={"priorities": {**profile.priorities, criterion: current + k}}
                )
                if rank(changed, snapshot)[:1] != [slugs[new_top]]:
                    continue
            change = f"priorities.{criterion}: {current} → {current + k}"
            flips.append((best, Flip(change=change, new_top=slugs[new_top])))
    return flips


def _feature_flips(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, scoring: _Scoring
) -> list[tuple[int, Flip]]:
    """Making a feature the top pick lacks a must-have drops it from the ranking.

    Candidates are tried in the order of their best provider's current rank (the likeliest small
    change), and each is re-scored, since a new must-have also changes weights and rules.
    """
    top = scoring.ranked[0].framework
    position = {s.framework.slug: i for i, s in enumerate(scoring.ranked)}
    candidates = []
    for feature in snapshot.features:
        need = profile.features.get(feature)
        if need is Need.must or top.offer(feature).provided:
            continue
        providers = [s for s in scoring.ranked[1:] if s.framework.offer(feature).provided]
        if providers:  # nobody else provides it either: no new top pick
            candidates.append((position[providers[0].framework.slug], feature, need))
    flips = []
    for _, feature, need in sorted(candidates)[:MAX_FEATURE_FLIPS]:
        changed = profile.model_copy(update={"features": {**profile.features, feature: Need.must}})
        ranking = rank(changed, snapshot)
        if ranking and ranking[0] != top.slug:
            label = need.value if need else "absent"
            flips.append(
                (1, Flip(change=f"features.{feature}: {label} → must", new_top=ranking[0]))
            )
    return flips


def _flips(profile: ProjectProfile, snapshot: KnowledgeSnapshot, scoring: _Scoring) -> list[Flip]:
    """The smallest priority or feature changes that would change the top pick."""
    if len(scoring.ranked) < 2:
        return []
    found = _priority_flips(profile, snapshot, scoring) + _feature_flips(profile, snapshot, scoring)
    return [flip for _, flip in sorted(found, key=lambda f: f[0])[:MAX_FLIPS]]


def _migration(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, top: str | None
) -> MigrationAdvice | None:
    current = profile.current_framework
    if current is None or top is None:
        return None
    if current == top:
        return MigrationAdvice(
            **{"from": current},
            to=top,
            stay=True,
            difficulty=None,
            estimate=None,
            approach=(
                "Stay put: the current framework is the best fit. \"If it ain't broke, don't fix "
                "it. Unless it's costing you users or money.\""
            ),
            sources=["buildsmart-2025"],
        )
    path = snapshot.migrations.get((current, top))
    if path is None:
        return MigrationAdvice(
            **{"from": current},
            to=top,
            stay=False,
            difficulty=None,
            estimate=None,
            approach="No documented path in the knowledge base: model the total cost first.",
            sources=[],
        )
    return MigrationAdvice(
        **{"from": current},
        to=top,
        stay=False,
        difficulty=path.difficulty,
        estimate=path.estimate,
        approach=path.approach,
        sources=sorted({e.source for e in path.evidence}),
    )


def _cited_sources(recommendation: Recommendation) -> set[str]:
    ids: set[str] = set()
    for entry in recommendation.recommendations:
        ids.update(e.source for b in entry.breakdown for e in b.evidence)
        ids.update(s for a in entry.adjustments for s in a.sources)
        ids.update(s for n in (*entry.reasons, *entry.warnings) for s in n.sources)
        ids.update(s for item in entry.stack for s in item.sources)
    ids.update(s for x in recommendation.excluded for n in x.reasons for s in n.sources)
    if recommendation.migration:
        ids.update(recommendation.migration.sources)
    return ids


def recommend(profile: ProjectProfile, snapshot: KnowledgeSnapshot) -> Recommendation:
    """Rank every (candidate) framework for the profile, with the full explanation."""
    scoring = _score(profile, snapshot)
    weights, total_weight, ranked = scoring.weights, scoring.total_weight, scoring.ranked
    entries = [
        _recommendation_entry(i + 1, s, snapshot, weights, total_weight, profile)
        for i, s in enumerate(ranked[: profile.top_k])
    ]
    excluded = [
        Exclusion(
            framework=s.framework.slug, reasons=_exclusion_notes(s.framework, s.missing_musts)
        )
        for s in sorted(scoring.scored, key=lambda s: s.framework.slug)
        if s.missing_musts
    ]
    margin = None
    if len(ranked) >= 2:
        first, second = (_clamp(s.total) for s in ranked[:2])
        margin = round(first - second, 2)
    top = entries[0] if entries else None
    decision = Decision(
        margin=margin,
        confidence=_confidence(margin, top, total_weight) if top else Confidence.low,
        flips=_flips(profile, snapshot, scoring) if top else [],
    )
    result = Recommendation(
        kb_version=snapshot.version,
        recommendations=entries,
        excluded=excluded,
        decision=decision,
        migration=_migration(profile, snapshot, top.framework if top else None),
        sources=[],
    )
    cited = sorted(_cited_sources(result) & snapshot.sources.keys())
    sources = [snapshot.sources[i] for i in cited]
    return result.model_copy(update={"sources": sources})
