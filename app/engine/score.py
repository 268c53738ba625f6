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

The catalog is scored as columns (``snapshot.columns``, one row per framework): each line is a few
vector operations over every row, added in the order above, so each row's total is the same float,
bit for bit, as adding that framework's lines one by one (tests/engine/test_score.py checks it
against such a reference). What a row is made of, with sentences, is spelt out (``scored``) only
for the rows an answer shows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.engine.advice import switching_effect
from app.engine.policy import (
    API_FIRST_TYPES,
    BASE_WEIGHT,
    FAMILIAR_KNOWN,
    FAMILIAR_NONE,
    FAMILIAR_RELATIVE,
    FAMILIARITY,
    FAMILIARITY_WEIGHT,
    FEATURE_FIT,
    GUIDANCE,
    GUIDANCE_SATURATION,
    GUIDANCE_WEIGHT,
    IMPLIED_WEIGHTS,
    NEED_WEIGHT,
    RELATIVE_SWITCH_SHARE,
    SHORT_TIMELINE_FAMILIARITY,
    SHORT_TIMELINE_WEEKS,
    SITUATIONAL_CRITERIA,
    SWITCHING_COST_UNITS,
)
from app.engine.profile import ProjectProfile
from app.engine.rules import indexed_matches
from app.engine.snapshot import (
    NEUTRAL,
    Column,
    Columns,
    FrameworkInfo,
    KnowledgeSnapshot,
    Rows,
    RuleEffect,
    RuleInfo,
)
from app.vocab import Need

NO_ROWS: Rows = np.zeros(0, dtype=np.intp)
#: Up to this many frameworks, a computation over the columns takes the path with the fewest
#: numpy calls: on short columns the cost is the calls, not the arithmetic.
_FEW_ROWS = 200


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


@dataclass(frozen=True, slots=True)
class Scored:
    framework: FrameworkInfo
    vector: tuple[float, ...]  # criterion values in snapshot order, unknown as neutral
    feature_fit: float | None  # weighted coverage of the requested features
    familiarity: float | None  # None when the profile does not say what the team knows
    effects: tuple[RuleEffect, ...]  # matching rules and the switching cost, in guidance units
    guidance: float  # the guidance line's value, from the effects' units (see guidance_line)
    weighted: float  # sum of weight x value over every line, in weight units
    ruled_out: tuple[str, ...]  # must-have features with a cited "none": excluded if any
    total: float  # 100 x weighted / total weight: unrounded, what the ranking uses


@dataclass(frozen=True, slots=True)
class Lines:
    """Every row's value on each line of the weighted sum (rows as in ``snapshot.columns``)."""

    criteria: Column  # sum of weight x value over the criteria, added in criteria order
    feature_fit: Column | None  # None when no feature is requested
    familiarity: Column | None  # None when the profile does not say what the team knows
    guidance: Column


@dataclass(frozen=True, slots=True)
class Scoring:
    """The whole catalog scored for one profile, as columns; ``scored`` gives one row's record."""

    profile: ProjectProfile
    snapshot: KnowledgeSnapshot
    weights: dict[str, float]
    total_weight: float
    matches: tuple[tuple[RuleInfo, int], ...]  # the rules that apply, in rule order
    switching: Column  # each row's switching cost, in guidance units (0: none)
    lines: Lines
    weighted: Column
    total: Column
    candidate: NDArray[np.bool_]  # rows the profile ranks (``candidates``, else every row)
    excluded: NDArray[np.bool_]  # candidate rows a must-have rules out
    eligible: Rows  # candidate rows not excluded, best first
    ranked: Rows  # eligible rows, layers that do not beat their base folded
    folded: Rows  # the eligible layers folded under their base


def criteria_sums(criterion_weights: list[float], columns: Columns) -> Column:
    """Sum of weight x value over the criteria, added in their order (an accumulation, never a
    pairwise sum), so rows with the same values get the same sum, bit for bit."""
    sums = np.zeros(len(columns.slugs))
    if not criterion_weights:
        return sums
    products = columns.values * np.array(criterion_weights)[:, np.newaxis]
    if len(sums) <= _FEW_ROWS:  # one call; slower than the loop on long rows
        return np.asarray(np.add.accumulate(products, axis=0)[-1], dtype=np.float64)
    for row in products:
        sums += row
    return sums


def feature_fit(profile: ProjectProfile, columns: Columns, feature_weight: float) -> Column | None:
    """Weighted coverage of the requested features, as a share of their weight."""
    if not feature_weight:
        return None
    covered = np.zeros(len(columns.slugs))
    for feature, need in profile.features.items():
        covered += NEED_WEIGHT[need] * columns.coverage.get(feature, columns.unknown_coverage)
    return covered / feature_weight


def _familiarity(profile: ProjectProfile, columns: Columns) -> Column | None:
    """Per row, ``advice.familiarity``'s value, without its sentence."""
    known = profile.team.known_frameworks
    if known is None:
        return None
    values = np.full(len(columns.slugs), FAMILIAR_NONE)
    for slug in known:
        values[columns.relatives_of.get(slug, NO_ROWS)] = FAMILIAR_RELATIVE
    values[[columns.rows[slug] for slug in known if slug in columns.rows]] = FAMILIAR_KNOWN
    return values


def guidance_line(
    matches: Iterable[tuple[RuleInfo, int]], switching: Column, columns: Columns
) -> Column:
    """Per row: 0.5 with no guidance; towards 1 (for) or 0 (against), never reaching either.

    Guidance for and guidance against saturate separately: many sources repeating the same pick
    count with diminishing weight, and a warning against it is not swallowed by them. The units
    are summed for and against in the order the effects are listed: the matching rules in rule
    order, then the switching cost.
    """
    pro = np.zeros(len(columns.slugs))
    against = np.zeros(len(columns.slugs))
    for rule, index in matches:
        pro_rows, pro_units, con_rows, con_units = columns.rule_rows[rule.id][index]
        pro[pro_rows] += pro_units
        against[con_rows] += con_units
    against -= switching
    return NEUTRAL + NEUTRAL * (_saturated(pro) - _saturated(-against))


def _saturated(units: Column) -> Column:
    """tanh(units / GUIDANCE_SATURATION) per row, by math.tanh (numpy's tanh may differ from it in
    the last bit, and math.tanh is the model's). A large catalog shares a few sums: each is
    computed once."""
    if len(units) <= _FEW_ROWS:  # one math.tanh per row costs less than finding the distinct sums
        return np.array([math.tanh(u / GUIDANCE_SATURATION) for u in units.tolist()])
    sums, rows = np.unique(units, return_inverse=True)
    return np.array([math.tanh(u / GUIDANCE_SATURATION) for u in sums.tolist()])[rows]


def _totals(weights: dict[str, float], total_weight: float, lines: Lines) -> tuple[Column, Column]:
    """The weighted sums and the totals, each line added in the order of the model."""
    weighted = lines.criteria
    if lines.feature_fit is not None:
        weighted = weighted + weights[FEATURE_FIT] * lines.feature_fit
    if lines.familiarity is not None:
        weighted = weighted + weights[FAMILIARITY] * lines.familiarity
    weighted = weighted + GUIDANCE_WEIGHT * lines.guidance
    return weighted, 100.0 * weighted / total_weight


def _rank(
    total: Column, eligible: NDArray[np.bool_], profile: ProjectProfile, columns: Columns
) -> tuple[Rows, NDArray[np.bool_]]:
    """Eligible rows best first (equal totals by slug), and which of them are folded layers.

    An API layer (django-ninja on Django) is an addition to its base, not an alternative to it:
    listed only for an API-first project where it scores above its base, else folded under it.
    """
    rows = np.flatnonzero(eligible)
    order = rows[np.lexsort((columns.slug_order[rows], -total[rows]))]
    base = columns.base[order]
    layered = (base >= 0) & eligible[base]
    if profile.project_type.value in API_FIRST_TYPES:
        layered &= total[base] >= total[order]
    return order, layered


def switching_units(profile: ProjectProfile, columns: Columns) -> Column:
    """Per row, the units of ``advice.switching_effect`` (0 where it has none)."""
    units = np.zeros(len(columns.slugs))
    current, size = profile.current_framework, profile.codebase
    if current is None or size is None or not SWITCHING_COST_UNITS[size.value]:
        return units
    units += SWITCHING_COST_UNITS[size.value]
    units[columns.relatives_of.get(current, NO_ROWS)] *= RELATIVE_SWITCH_SHARE
    units[columns.layers_on.get(current, NO_ROWS)] = 0.0  # a layer on it is an addition
    if current in columns.rows:
        units[columns.rows[current]] = 0.0
    return units


def candidate_rows(profile: ProjectProfile, columns: Columns) -> NDArray[np.bool_]:
    wanted = profile.candidates
    if wanted is None:
        return np.ones(len(columns.slugs), dtype=bool)
    if profile.current_framework is not None:
        wanted = [*wanted, profile.current_framework]  # staying is always a candidate
    candidate = np.zeros(len(columns.slugs), dtype=bool)
    candidate[[columns.rows[slug] for slug in wanted if slug in columns.rows]] = True
    return candidate


def ruled_out_rows(profile: ProjectProfile, columns: Columns) -> NDArray[np.bool_]:
    """Rows with a cited "none" for a must-have feature."""
    ruled_out = np.zeros(len(columns.slugs), dtype=bool)
    for feature, need in profile.features.items():
        if need is Need.must and feature in columns.ruled_out:
            ruled_out |= columns.ruled_out[feature]
    return ruled_out


def _scoring(
    profile: ProjectProfile,
    snapshot: KnowledgeSnapshot,
    weights: dict[str, float],
    matches: tuple[tuple[RuleInfo, int], ...],
    switching: Column,
    lines: Lines,
    candidate: NDArray[np.bool_],
    excluded: NDArray[np.bool_],
) -> Scoring:
    """Add the lines up and rank the rows."""
    total_weight = sum(weights.values())
    weighted, total = _totals(weights, total_weight, lines)
    eligible, layered = _rank(total, candidate & ~excluded, profile, snapshot.columns)
    return Scoring(
        profile=profile,
        snapshot=snapshot,
        weights=weights,
        total_weight=total_weight,
        matches=matches,
        switching=switching,
        lines=lines,
        weighted=weighted,
        total=total,
        candidate=candidate,
        excluded=candidate & excluded,
        eligible=eligible,
        ranked=eligible[~layered],
        folded=eligible[layered],
    )


def score(profile: ProjectProfile, snapshot: KnowledgeSnapshot) -> Scoring:
    """Every candidate's total and what it is made of; no explanation is built here."""
    columns = snapshot.columns
    weights = profile_weights(profile, snapshot)
    matches = tuple(indexed_matches(profile, snapshot))
    switching = switching_units(profile, columns)
    lines = Lines(
        criteria=criteria_sums([weights[c] for c in snapshot.criteria], columns),
        feature_fit=feature_fit(profile, columns, weights.get(FEATURE_FIT, 0.0)),
        familiarity=_familiarity(profile, columns),
        guidance=guidance_line(matches, switching, columns),
    )
    candidate = candidate_rows(profile, columns)
    excluded = ruled_out_rows(profile, columns)
    return _scoring(profile, snapshot, weights, matches, switching, lines, candidate, excluded)


def rescored(
    scoring: Scoring,
    changed: ProjectProfile,
    weights: dict[str, float],
    matches: tuple[tuple[RuleInfo, int], ...],
    lines: Lines,
    excluded: NDArray[np.bool_],
) -> Scoring:
    """``scoring`` for a changed profile whose changed lines the caller has summed again."""
    return _scoring(
        changed,
        scoring.snapshot,
        weights,
        matches,
        scoring.switching,
        lines,
        scoring.candidate,
        excluded,
    )


def scored(scoring: Scoring, row: int) -> Scored:
    """One row's record, with its effects spelt out: built only for what is shown."""
    snapshot, profile, lines = scoring.snapshot, scoring.profile, scoring.lines
    slug = snapshot.columns.slugs[row]
    framework = snapshot.frameworks[slug]
    by_rule = snapshot.columns.rule_effects
    effects = [
        effect
        for rule, index in scoring.matches
        if (effect := by_rule[rule.id][index].get(slug)) is not None
    ]
    switching = switching_effect(framework, profile, snapshot)
    if switching is not None:
        effects.append(switching)
    musts = [f for f, need in profile.features.items() if need is Need.must]
    return Scored(
        framework=framework,
        vector=snapshot.vectors[slug],
        feature_fit=None if lines.feature_fit is None else float(lines.feature_fit[row]),
        familiarity=None if lines.familiarity is None else float(lines.familiarity[row]),
        effects=tuple(effects),
        guidance=float(lines.guidance[row]),
        weighted=float(scoring.weighted[row]),
        ruled_out=tuple(f for f in musts if framework.offer(f).ruled_out),
        total=float(scoring.total[row]),
    )


def every_scored(scoring: Scoring, rows: Iterable[int] | None = None) -> list[Scored]:
    """The records of ``rows`` (every candidate by default), in that order."""
    if rows is None:
        rows = np.flatnonzero(scoring.candidate).tolist()
    return [scored(scoring, int(row)) for row in rows]


def rank(profile: ProjectProfile, snapshot: KnowledgeSnapshot) -> list[str]:
    """Framework slugs, best first (excluded and folded ones left out)."""
    slugs = snapshot.columns.slugs
    return [slugs[row] for row in score(profile, snapshot).ranked.tolist()]


def displayed(total: float) -> float:
    """The score as shown: cents, rounded down, so a total below 100 never shows as 100."""
    return math.floor(total * 100.0 + 1e-7) / 100.0
