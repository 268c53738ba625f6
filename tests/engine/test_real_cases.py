"""Situations from public engineering write-ups, run through the engine.

The cases live in real_cases.yaml (see its header for how each profile was written). This module
checks the file's structure and every profile, runs each case through ``recommend`` and reports how
many top picks a competent engineer would accept. Every miss carries why it is kept (a new miss
fails), and a case that passes carries no such note. Cases naming a framework the catalog does not
hold yet are skipped and counted as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.engine import recommend
from app.engine.profile import ProjectProfile
from app.engine.snapshot import KnowledgeSnapshot
from app.knowledge.bundle import KnowledgeBundle
from tests.engine.conftest import summary_lines

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "real_cases.yaml").read_text(encoding="utf-8")
)
CASE_IDS = [c["id"] for c in CASES]

#: The seed articles compare these three; at least MIN_OTHER_CHOSEN cases must choose another.
SEED_TRIO = {"django", "fastapi", "flask"}
MIN_CASES = 25
MIN_OTHER_CHOSEN = 10
#: The seed articles' publishers and authors (their copies carry no URL): no case may cite them.
SEED_MARKERS = ("acquaint", "pillai", "buildsmart", "build-smart", "calloway", "frankwiles")
FIELDS = {"id", "source_url", "read_on", "summary", "profile", "accept_top1", "chosen"}
#: A case the engine misses today carries why, so that a new miss fails the suite.
KEPT_MISS = "kept_miss"
PASS_LINE = re.compile(r"^real cases: (\d+)/(\d+) pass top-1")


def _slugs_named(case: dict[str, Any]) -> set[str]:
    """Every framework slug a case names: its picks and what its profile says the team uses."""
    profile = ProjectProfile.model_validate(case["profile"])
    named = {case["chosen"], *case["accept_top1"], *(profile.team.known_frameworks or ())}
    if profile.current_framework is not None:
        named.add(profile.current_framework)
    return named


def _missing(case: dict[str, Any], snapshot: KnowledgeSnapshot) -> list[str]:
    return sorted(_slugs_named(case) - set(snapshot.frameworks))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_case_is_well_formed(case: dict[str, Any], bundle: KnowledgeBundle) -> None:
    fields = set(case) - {KEPT_MISS}
    assert fields == FIELDS, f"{case.get('id')}: fields {sorted(fields ^ FIELDS)}"
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", case["id"])
    assert case["source_url"].startswith("https://")
    assert date.fromisoformat(case["read_on"]) <= date.today()
    assert len(case["summary"].split()) >= 10
    profile = ProjectProfile.model_validate(case["profile"])  # raises on an invalid profile
    features = {f.slug for f in bundle.features}
    criteria = {c.slug for c in bundle.criteria}
    assert set(profile.features) <= features, f"unknown features {set(profile.features) - features}"
    assert set(profile.priorities) <= criteria, (
        f"unknown criteria {set(profile.priorities) - criteria}"
    )
    assert profile.candidates is None, "cases rank the whole catalog"
    assert case["accept_top1"], "at least one acceptable top pick"
    assert len(set(case["accept_top1"])) == len(case["accept_top1"])
    assert case["chosen"] in case["accept_top1"]


def test_cases_file_structure() -> None:
    assert len(CASES) >= MIN_CASES
    assert len(set(CASE_IDS)) == len(CASE_IDS), "ids must be unique"
    urls = [c["source_url"] for c in CASES]
    assert len(set(urls)) == len(urls), "one case per write-up"
    others = [c["id"] for c in CASES if c["chosen"] not in SEED_TRIO]
    assert len(others) >= MIN_OTHER_CHOSEN, others
    seeded = [u for u in urls if any(m in u.lower() for m in SEED_MARKERS)]
    assert not seeded, f"seed articles are not real cases: {seeded}"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_case_runs(case: dict[str, Any], snapshot: KnowledgeSnapshot) -> None:
    missing = _missing(case, snapshot)
    if missing:
        pytest.skip(f"not in the catalog yet: {', '.join(missing)}")
    result = recommend(ProjectProfile.model_validate(case["profile"]), snapshot)
    assert result.recommendations, "the engine ranked nothing"
    assert result.recommendations[0].framework in snapshot.frameworks


@dataclass(frozen=True, slots=True)
class _Outcome:
    case_id: str
    top: str | None  # None: skipped
    accepted: bool
    note: str


def _outcome(case: dict[str, Any], snapshot: KnowledgeSnapshot) -> _Outcome:
    missing = _missing(case, snapshot)
    if missing:
        return _Outcome(case["id"], None, False, f"not in the catalog yet: {', '.join(missing)}")
    result = recommend(ProjectProfile.model_validate(case["profile"]), snapshot)
    assert result.recommendations, f"{case['id']}: the engine ranked nothing"
    top = result.recommendations[0].framework
    ranking = ", ".join(f"{r.framework} {r.score}" for r in result.recommendations[:3])
    note = f"top {top} ({ranking}); accept {case['accept_top1']}, team chose {case['chosen']}"
    return _Outcome(case["id"], top, top in case["accept_top1"], note)


def report_lines(outcomes: list[_Outcome]) -> list[str]:
    ran = [o for o in outcomes if o.top is not None]
    skipped = [o for o in outcomes if o.top is None]
    passed = sum(o.accepted for o in ran)
    lines = [f"real cases: {passed}/{len(ran)} pass top-1 ({len(skipped)} skipped)"]
    lines += [f"  miss {o.case_id}: {o.note}" for o in ran if not o.accepted]
    lines += [f"  skip {o.case_id}: {o.note}" for o in skipped]
    return lines


def test_real_cases_report(snapshot: KnowledgeSnapshot, request: pytest.FixtureRequest) -> None:
    outcomes = [_outcome(case, snapshot) for case in CASES]
    lines = report_lines(outcomes)
    summary_lines(request.config).extend(lines)

    ran = [o for o in outcomes if o.top is not None]
    assert ran, "every case was skipped"
    match = PASS_LINE.match(lines[0])
    assert match is not None, lines[0]
    assert int(match.group(1)) == sum(o.accepted for o in ran)
    assert int(match.group(2)) == len(ran) == len(CASES) - sum(o.top is None for o in outcomes)
    misses = [line for line in lines if line.startswith("  miss ")]
    assert len(misses) == len(ran) - int(match.group(1))
    explained = {c["id"] for c in CASES if c.get(KEPT_MISS)}
    unexplained = [o.case_id for o in ran if not o.accepted and o.case_id not in explained]
    assert unexplained == [], "a new miss: fix the cause, or say why it is kept (kept_miss)"
    stale = [o.case_id for o in ran if o.accepted and o.case_id in explained]
    assert stale == [], "these cases pass now: drop their kept_miss"
