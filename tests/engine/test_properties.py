"""Invariants of the engine over random valid profiles (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine import answer, recommend
from app.engine.profile import ProjectProfile
from app.engine.result import Detail, Recommendation, RecommendationFull, RecommendationSummary
from app.engine.score import Scored, Scoring, displayed, every_scored, score
from app.engine.snapshot import KnowledgeSnapshot
from app.vocab import (
    AsyncExperience,
    Codebase,
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
            "codebase": draw(_optional(st.sampled_from(Codebase))),
            "candidates": draw(
                _optional(st.lists(st.sampled_from(frameworks), min_size=1, unique=True))
            ),
            "top_k": 50,
        }
    )


@pytest.fixture(scope="module")
def profile_strategy(snapshot: KnowledgeSnapshot) -> st.SearchStrategy[ProjectProfile]:
    return profiles(snapshot)


def _ranked(scoring: Scoring) -> list[Scored]:
    return every_scored(scoring, scoring.ranked.tolist())


def _eligible(scoring: Scoring) -> list[Scored]:
    return every_scored(scoring, scoring.eligible.tolist())


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
def test_score_is_the_sum_of_contributions_and_adjustments_within_0_and_100(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    for entry in recommend(profile, snapshot).recommendations:
        points = sum(b.contribution for b in entry.breakdown) + sum(
            a.points for a in entry.adjustments
        )
        assert entry.score == round(points, 2)
        assert 0 <= entry.score < 100


@_given_profiles
def test_no_framework_reaches_100(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    assert all(s.total < 100 for s in every_scored(score(profile, snapshot)))


@_given_profiles
def test_every_flip_shown_makes_its_new_top_strictly_first(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    result = recommend(profile, snapshot)
    for flip in result.decision.flips:
        field, change = flip.change.split(": ", 1)
        kind, key = field.split(".", 1)
        new_value = change.split(" → ")[1]
        if kind == "priorities":
            update = {"priorities": {**profile.priorities, key: int(new_value)}}
        else:
            update = {"features": {**profile.features, key: Need(new_value)}}
        ranked = _ranked(score(profile.model_copy(update=update), snapshot))
        assert flip.new_top != result.recommendations[0].framework
        assert ranked[0].framework.slug == flip.new_top, flip
        if len(ranked) > 1:
            assert displayed(ranked[0].total) > displayed(ranked[1].total), flip


@_given_profiles
def test_knowing_a_framework_never_lowers_its_score(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    slug = data.draw(st.sampled_from(sorted(snapshot.frameworks)), label="learnt")
    known = profile.team.known_frameworks or []
    if slug in known:
        return
    team = profile.team.model_copy(update={"known_frameworks": [*known, slug]})
    before = {s.framework.slug: s.total for s in every_scored(score(profile, snapshot))}
    after = {
        s.framework.slug: s.total
        for s in every_scored(score(profile.model_copy(update={"team": team}), snapshot))
    }
    if slug in before:
        assert after[slug] >= before[slug] - 1e-9


@_given_profiles
def test_at_most_one_warning_per_entry_mentions_unknown_values(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    for entry in recommend(profile, snapshot).recommendations:
        assert sum("unknown" in w.text.lower() for w in entry.warnings) <= 1, entry.warnings


@_given_profiles
def test_a_must_have_with_unknown_support_is_warned_about_in_every_detail(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    musts = [f for f, need in profile.features.items() if need is Need.must]
    summary = answer(profile, snapshot, Detail.summary)
    for entry in summary.recommendations:
        framework = snapshot.frameworks[entry.framework]
        unverified = [f for f in musts if framework.offer(f).support == "unknown"]
        if unverified:
            shown = [w.text for w in entry.warnings if w.text.startswith("Must-have not verified")]
            assert len(shown) == 1, entry.warnings
            assert all(f in shown[0] for f in unverified)


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
    named |= {f.framework for f in result.folded}
    expected = set(profile.candidates) if profile.candidates else set(snapshot.frameworks)
    if profile.candidates and profile.current_framework:
        expected.add(profile.current_framework)  # staying is always a candidate
    assert named == expected


@_given_profiles
def test_adding_a_candidate_keeps_the_others_in_order(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    candidates = profile.candidates or sorted(snapshot.frameworks)[:3]
    extra = data.draw(st.sampled_from(sorted(snapshot.frameworks)), label="extra")
    narrow = _eligible(score(profile.model_copy(update={"candidates": candidates}), snapshot))
    widened = sorted(set(candidates) | {extra})
    wide = _eligible(score(profile.model_copy(update={"candidates": widened}), snapshot))
    before = [s.framework.slug for s in narrow]
    assert [s.framework.slug for s in wide if s.framework.slug in before] == before


@_given_profiles
def test_raising_a_priority_never_lowers_the_best_framework_on_it(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    criterion = data.draw(st.sampled_from(snapshot.criteria), label="criterion")
    current = profile.priorities.get(criterion, 0)
    if current == 5:
        return
    index = snapshot.criteria.index(criterion)
    ranked = _eligible(score(profile, snapshot))
    if not ranked:
        return
    best_value = max(s.vector[index] for s in ranked)
    best = [s.framework.slug for s in ranked if s.vector[index] == best_value]
    raised = profile.model_copy(
        update={"priorities": {**profile.priorities, criterion: current + 1}}
    )
    before = [s.framework.slug for s in ranked]
    after = [s.framework.slug for s in _eligible(score(raised, snapshot))]
    for slug in best:
        assert after.index(slug) <= before.index(slug), (criterion, slug, before, after)


@_given_profiles
def test_only_a_cited_none_excludes_and_every_other_must_is_a_gap(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    result = recommend(profile, snapshot)
    musts = [f for f, need in profile.features.items() if need is Need.must]
    for entry in result.recommendations:
        gaps = {g.feature: g for g in entry.gaps}
        for feature in musts:
            offer = snapshot.frameworks[entry.framework].offer(feature)
            assert not offer.ruled_out, (entry.framework, feature)
            if offer.support != "builtin":
                assert feature in gaps, (entry.framework, feature)
            if offer.support == "unknown":
                assert gaps[feature].note, (entry.framework, feature)
    for exclusion in result.excluded:
        framework = snapshot.frameworks[exclusion.framework]
        ruled_out = [f for f in musts if framework.offer(f).ruled_out]
        assert ruled_out
        assert all(r.sources for r in exclusion.reasons)


def _cited(notes: Any) -> set[str]:
    return {s for n in notes for s in n.sources}


@_given_profiles
def test_every_level_of_detail_tells_the_same_answer_and_lists_exactly_what_it_cites(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, data: st.DataObject
) -> None:
    default = answer(profile, snapshot, Detail.default)
    full = answer(profile, snapshot, Detail.full)
    brief = answer(profile, snapshot, Detail.summary)
    assert isinstance(default, Recommendation)
    assert isinstance(full, RecommendationFull)
    assert isinstance(brief, RecommendationSummary)
    for level in (full, brief):
        assert (level.kb_version, level.summary, level.decision) == (
            default.kb_version,
            default.summary,
            default.decision,
        )
        assert [(e.framework, e.rank, e.score) for e in level.recommendations] == [
            (e.framework, e.rank, e.score) for e in default.recommendations
        ]
    cited = _cited(x for e in default.recommendations for x in (*e.adjustments, *e.warnings))
    cited |= _cited(n for x in default.excluded for n in x.reasons)
    cited |= set(default.migration.sources if default.migration else ())
    assert set(default.sources) == cited
    for compact, detailed in zip(default.recommendations, full.recommendations, strict=True):
        assert [(b.criterion, b.contribution, b.evidence) for b in compact.breakdown] == [
            (b.criterion, b.contribution, [e.id for e in b.evidence]) for b in detailed.breakdown
        ]
        assert all(b.weight == default.weights[b.criterion] for b in detailed.breakdown)
        points = sum(b.contribution for b in detailed.breakdown)
        assert detailed.score == round(points + sum(a.points for a in detailed.adjustments), 2)
        cited |= _cited((*detailed.reasons, *detailed.stack))
        cited |= {e.source for b in detailed.breakdown for e in b.evidence}
    assert {s.id for s in full.sources} == cited
    assert set(brief.sources) == _cited(
        n for e in brief.recommendations for n in (*e.reasons, *e.warnings)
    )
