"""The column scoring against a straightforward reference: one framework at a time, line by line.

``score`` adds each line for every framework at once (numpy columns), matches rules through an
index, and the flips score a change from today's lines. Each must give exactly what the model in
``app/engine/score.py`` gives when it is followed literally for one framework, with the rules
matched one by one: the same totals to the last bit, the same ranking, the same effects.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.advice import familiarity, switching_effect
from app.engine.policy import (
    API_FIRST_TYPES,
    FAMILIARITY,
    FEATURE_FIT,
    GUIDANCE_SATURATION,
    GUIDANCE_WEIGHT,
    NEED_WEIGHT,
    SUPPORT_FIT,
)
from app.engine.profile import ProjectProfile
from app.engine.rules import indexed_matches, matching_rules
from app.engine.score import Scoring, every_scored, profile_weights, score
from app.engine.sensitivity import with_must, with_priority
from app.engine.snapshot import NEUTRAL, KnowledgeSnapshot, RuleEffect
from app.knowledge.bundle import KnowledgeBundle
from app.knowledge.compile import compile_snapshot
from app.vocab import Need
from tests.engine.test_engine_benchmark import repeated_bundle
from tests.engine.test_properties import PROPERTY_SETTINGS, _given_profiles, profiles

#: Large enough that the columns take their large-catalog paths (distinct guidance sums).
LARGE_CATALOG = 400


def _added(terms: list[float]) -> float:
    """Left to right, one addition at a time (as the model reads; not math.fsum, not pairwise)."""
    total = 0.0
    for term in terms:
        total += term
    return total


def _reference_effects(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot
) -> dict[str, list[RuleEffect]]:
    """Per framework: the effects of the matching rules, every rule checked, then switching."""
    rules = matching_rules(profile, snapshot.rules)
    effects: dict[str, list[RuleEffect]] = {slug: [] for slug in snapshot.frameworks}
    for rule, index in rules:
        for slug, effect in rule.effects[index]:
            if slug in effects:
                effects[slug].append(effect)
    for slug, framework in snapshot.frameworks.items():
        switching = switching_effect(framework, profile, snapshot)
        if switching is not None:
            effects[slug].append(switching)
    return effects


def reference_totals(profile: ProjectProfile, snapshot: KnowledgeSnapshot) -> dict[str, float]:
    """Every candidate's total, one framework at a time, following the model literally."""
    weights = profile_weights(profile, snapshot)
    total_weight = _added(list(weights.values()))
    effects = _reference_effects(profile, snapshot)
    wanted = profile.candidates
    if wanted is not None and profile.current_framework is not None:
        wanted = [*wanted, profile.current_framework]
    totals = {}
    for slug, framework in snapshot.frameworks.items():
        if wanted is not None and slug not in wanted:
            continue
        values = [
            NEUTRAL if (v := framework.value(c).value) is None else v for c in snapshot.criteria
        ]
        weighted = _added([weights[c] * v for c, v in zip(snapshot.criteria, values, strict=True)])
        if FEATURE_FIT in weights:
            covered = _added(
                [
                    NEED_WEIGHT[need] * SUPPORT_FIT[framework.offer(f).support]
                    for f, need in profile.features.items()
                ]
            )
            weighted += weights[FEATURE_FIT] * (covered / weights[FEATURE_FIT])
        known = familiarity(framework, profile)
        if known is not None:
            weighted += weights[FAMILIARITY] * known.value
        units = [e.units for e in effects[slug]]
        pro = _added([u for u in units if u > 0])
        con = -_added([u for u in units if u < 0])
        guidance = NEUTRAL + NEUTRAL * (
            math.tanh(pro / GUIDANCE_SATURATION) - math.tanh(con / GUIDANCE_SATURATION)
        )
        weighted += GUIDANCE_WEIGHT * guidance
        totals[slug] = 100.0 * weighted / total_weight
    return totals


def reference_ranking(profile: ProjectProfile, snapshot: KnowledgeSnapshot) -> list[str]:
    """Eligible frameworks best first (ties by slug), with layers folded as the model says."""
    totals = reference_totals(profile, snapshot)
    musts = [f for f, need in profile.features.items() if need is Need.must]
    eligible = {
        slug: total
        for slug, total in totals.items()
        if not any(snapshot.frameworks[slug].offer(f).ruled_out for f in musts)
    }
    api_first = profile.project_type.value in API_FIRST_TYPES
    ranked = []
    for slug in sorted(eligible, key=lambda s: (-eligible[s], s)):
        base = snapshot.frameworks[slug].builds_on
        if base in eligible and (not api_first or eligible[base] >= eligible[slug]):
            continue
        ranked.append(slug)
    return ranked


def _slugs(scoring: Scoring) -> list[str]:
    return [scoring.snapshot.columns.slugs[row] for row in scoring.ranked.tolist()]


def _assert_same_as_reference(scoring: Scoring) -> None:
    profile, snapshot = scoring.profile, scoring.snapshot
    totals = {s.framework.slug: s.total for s in every_scored(scoring)}
    assert totals == reference_totals(profile, snapshot)  # exact: same floats, bit for bit
    assert _slugs(scoring) == reference_ranking(profile, snapshot)


@_given_profiles
def test_column_totals_and_ranking_equal_the_reference(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    _assert_same_as_reference(score(profile, snapshot))


@_given_profiles
def test_indexed_rule_matching_equals_checking_every_rule(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    assert indexed_matches(profile, snapshot) == matching_rules(profile, snapshot.rules)


@_given_profiles
def test_a_shown_row_lists_the_effects_its_guidance_was_computed_from(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    scoring = score(profile, snapshot)
    effects = _reference_effects(profile, snapshot)
    for scored in every_scored(scoring, scoring.ranked[:5].tolist()):
        assert list(scored.effects) == effects[scored.framework.slug]
        units = [e.units for e in scored.effects]
        pro, con = _added([u for u in units if u > 0]), -_added([u for u in units if u < 0])
        assert scored.guidance == NEUTRAL + NEUTRAL * (
            math.tanh(pro / GUIDANCE_SATURATION) - math.tanh(con / GUIDANCE_SATURATION)
        )


@_given_profiles
def test_a_priority_change_scored_from_todays_lines_equals_scoring_it_afresh(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    criterion = data.draw(st.sampled_from(snapshot.criteria), label="criterion")
    priority = data.draw(st.integers(0, 5), label="priority")
    changed = with_priority(score(profile, snapshot), criterion, priority)
    assert changed.profile.priorities[criterion] == priority
    _assert_same_as_reference(changed)


@_given_profiles
def test_a_feature_made_a_must_scored_from_todays_lines_equals_scoring_it_afresh(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    feature = data.draw(st.sampled_from(snapshot.features), label="feature")
    changed = with_must(score(profile, snapshot), feature)
    assert changed.profile.features[feature] is Need.must
    _assert_same_as_reference(changed)
    afresh = score(changed.profile, snapshot)
    assert (changed.excluded == afresh.excluded).all()


@pytest.fixture(scope="module")
def large_snapshot(bundle: KnowledgeBundle) -> KnowledgeSnapshot:
    return compile_snapshot(repeated_bundle(bundle, LARGE_CATALOG), "large")


@settings(PROPERTY_SETTINGS, max_examples=20)
@given(data=st.data())
def test_a_large_catalog_scores_as_the_reference(
    data: st.DataObject, large_snapshot: KnowledgeSnapshot
) -> None:
    profile = data.draw(profiles(large_snapshot), label="profile")
    scoring = score(profile, large_snapshot)
    _assert_same_as_reference(scoring)
    criterion = data.draw(st.sampled_from(large_snapshot.criteria), label="criterion")
    _assert_same_as_reference(with_priority(scoring, criterion, data.draw(st.integers(0, 5))))
