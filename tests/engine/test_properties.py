"""Invariants of the engine over random valid profiles (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.profile import ProjectProfile
from app.engine.scoring import _score, rank, recommend
from app.engine.snapshot import KnowledgeSnapshot
from app.vocab import (
    AsyncExperience,
    Deployment,
    Need,
    ProjectType,
    PythonExperience,
    TeamStyle,
    Workload,
)

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def profiles(draw: st.DrawFn, snapshot: KnowledgeSnapshot) -> ProjectProfile:
    frameworks = sorted(snapshot.frameworks)
    team = {
        "size": draw(_optional(st.integers(1, 60))),
        "known_frameworks": draw(_optional(st.lists(st.sampled_from(frameworks), max_size=3))),
        "async_experience": draw(_optional(st.sampled_from(AsyncExperience))),
        "python_experience": draw(_optional(st.sampled_from(PythonExperience))),
        "style": draw(st.sampled_from(TeamStyle)),
    }
    return ProjectProfile.model_validate(
        {
            "project_type": draw(st.sampled_from(ProjectType)),
            "features": draw(
                st.dictionaries(
                    st.sampled_from(snapshot.features), st.sampled_from(Need), max_size=4
                )
            ),
            "expected_peak_rps": draw(_optional(st.integers(0, 100_000))),
            "workload": draw(_optional(st.sampled_from(Workload))),
            "team": team,
            "timeline_weeks": draw(_optional(st.integers(1, 200))),
            "lifespan_years": draw(_optional(st.floats(0.1, 30))),
            "deployment": draw(_optional(st.sampled_from(Deployment))),
            "priorities": draw(
                st.dictionaries(st.sampled_from(snapshot.criteria), st.integers(0, 5), max_size=4)
            ),
            "current_framework": draw(_optional(st.sampled_from(frameworks))),
            "candidates": draw(
                _optional(st.lists(st.sampled_from(frameworks), min_size=1, unique=True))
            ),
            "top_k": 50,
        }
    )


@pytest.fixture(scope="module")
def profile_strategy(snapshot: KnowledgeSnapshot) -> st.SearchStrategy[ProjectProfile]:
    return profiles(snapshot)


def _given_profiles(test: Any) -> Any:
    """Run the test on random profiles drawn against the session's snapshot."""

    @PROPERTY_SETTINGS
    @given(data=st.data())
    def wrapper(data: st.DataObject, snapshot: KnowledgeSnapshot) -> None:
        test(data.draw(profiles(snapshot), label="profile"), snapshot, data)

    wrapper.__name__ = test.__name__
    wrapper.__doc__ = test.__doc__
    return wrapper


@_given_profiles
def test_same_profile_gets_the_same_answer(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    first = recommend(profile, snapshot).model_dump(mode="json")
    assert recommend(profile, snapshot).model_dump(mode="json") == first


@_given_profiles
def test_score_is_the_clamped_sum_of_contributions_and_adjustments(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    for entry in recommend(profile, snapshot).recommendations:
        points = sum(b.contribution for b in entry.breakdown) + sum(
            a.points for a in entry.adjustments
        )
        assert entry.score == round(min(100.0, max(0.0, points)), 2)
        assert 0 <= entry.score <= 100


@_given_profiles
def test_ranking_is_ordered_by_score(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    entries = recommend(profile, snapshot).recommendations
    assert [e.rank for e in entries] == list(range(1, len(entries) + 1))
    for higher, lower in zip(entries, entries[1:], strict=False):
        # Ranked by the unrounded total, so equal displayed scores may come in either order.
        assert higher.score >= lower.score


@_given_profiles
def test_candidates_restrict_the_ranking(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    result = recommend(profile, snapshot)
    named = {r.framework for r in result.recommendations} | {x.framework for x in result.excluded}
    expected = set(profile.candidates) if profile.candidates else set(snapshot.frameworks)
    assert named == expected


@_given_profiles
def test_adding_a_candidate_keeps_the_others_in_order(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    candidates = profile.candidates or sorted(snapshot.frameworks)[:3]
    extra = data.draw(st.sampled_from(sorted(snapshot.frameworks)), label="extra")
    before = rank(profile.model_copy(update={"candidates": candidates}), snapshot)
    widened = sorted(set(candidates) | {extra})
    after = rank(profile.model_copy(update={"candidates": widened}), snapshot)
    assert [slug for slug in after if slug in before] == before


@_given_profiles
def test_raising_a_priority_never_lowers_the_best_framework_on_it(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    criterion = data.draw(st.sampled_from(snapshot.criteria), label="criterion")
    current = profile.priorities.get(criterion, 0)
    if current == 5:
        return
    index = snapshot.criteria.index(criterion)
    ranked = _score(profile, snapshot).ranked
    if not ranked:
        return
    best_value = max(s.vector[index] for s in ranked)
    best = [s.framework.slug for s in ranked if s.vector[index] == best_value]
    raised = profile.model_copy(
        update={"priorities": {**profile.priorities, criterion: current + 1}}
    )
    before, after = rank(profile, snapshot), rank(raised, snapshot)
    for slug in best:
        assert after.index(slug) <= before.index(slug), (criterion, slug, before, after)


@_given_profiles
def test_every_must_feature_is_provided_or_the_framework_is_excluded(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    result = recommend(profile, snapshot)
    musts = [f for f, need in profile.features.items() if need is Need.must]
    for entry in result.recommendations:
        gaps = {g.feature: g for g in entry.gaps}
        for feature in musts:
            support = snapshot.frameworks[entry.framework].offer(feature).support
            if support == "builtin":
                continue
            assert feature in gaps, (entry.framework, feature)
            assert gaps[feature].packages, (entry.framework, feature)
    for exclusion in result.excluded:
        assert exclusion.reasons
        assert any(f"'{f}'" in r.text for r in exclusion.reasons for f in musts)
