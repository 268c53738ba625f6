"""Micro-benchmarks of one engine call: on the bundled catalog, and on synthetic catalogs.

The normal test run executes each once, as a smoke test (pytest-benchmark is disabled in the
default options). Measure with:

    uv run pytest tests/engine/test_engine_benchmark.py --benchmark-enable

The synthetic catalogs repeat the bundle's frameworks under new slugs (``django-r1``, ...), with
everything that names a framework (rules, team-size verdicts, migrations, companions, costs)
repeated for each copy, and compile them with the same pure function the service uses, so the
figures show how one call grows with the size of the catalog.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from app.engine import recommend
from app.engine.profile import ProjectProfile
from app.engine.snapshot import KnowledgeSnapshot
from app.knowledge.bundle import KnowledgeBundle
from app.knowledge.compile import compile_snapshot

PROFILES = {
    "minimal": {"project_type": "api"},
    "typical": {
        "project_type": "saas",
        "features": {"admin_panel": "must", "authentication": "must", "websockets": "want"},
        "expected_peak_rps": 1500,
        "team": {"size": 6, "known_frameworks": ["flask"], "async_experience": "some"},
        "timeline_weeks": 10,
        "lifespan_years": 4,
        "deployment": "containers",
        "priorities": {"security": 4, "performance": 2},
        "current_framework": "flask",
    },
    "top_50": {"project_type": "microservice", "deployment": "serverless", "top_k": 50},
}

# Catalog sizes of the scaling table (issue 11 sets its engine targets at these sizes).
SIZES = (12, 120, 1200)


def repeated_bundle(bundle: KnowledgeBundle, size: int) -> KnowledgeBundle:
    """A catalog of exactly ``size`` frameworks: the bundle's, repeated under new slugs.

    Copy 0 keeps the bundle's slugs, copy i renames them (``django-r1``); within each copy the
    standalone frameworks come before the layers built on them, and the first ``size`` are kept.
    Everything that names a framework is repeated with it (relatives, rule picks, team-size
    verdicts, companions, costs; migrations keep their origin, so a profile's current framework
    reaches every copy) and pruned to the frameworks kept. Rule conditions name what a team knows,
    so they keep the bundle's slugs; a rule that tests a framework left out is left out too.
    """
    data: dict[str, Any] = bundle.model_dump(mode="json", by_alias=True, exclude_unset=True)
    slugs = {fw.slug for fw in bundle.frameworks}
    copies = -(-size // len(slugs))

    def renamed(slug: str, i: int) -> str:
        return slug if i == 0 or slug not in slugs else f"{slug}-r{i}"

    ordered = sorted(data["frameworks"], key=lambda fw: fw.get("builds_on") is not None)
    frameworks = []
    for i in range(copies):
        for fw in ordered:
            copy = dict(fw, slug=renamed(fw["slug"], i))
            if i:
                copy["name"] = f"{fw['name']} (copy {i})"
            if fw.get("builds_on") is not None:
                copy["builds_on"] = renamed(fw["builds_on"], i)
            copy["relatives"] = [
                dict(r, framework=renamed(r["framework"], i)) for r in fw.get("relatives", [])
            ]
            frameworks.append(copy)
    data["frameworks"] = frameworks[:size]
    kept = {fw["slug"] for fw in data["frameworks"]}
    for fw in data["frameworks"]:
        fw["relatives"] = [r for r in fw["relatives"] if r["framework"] in kept]

    def repeated(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
        every = [
            dict(item, **{key: renamed(item[key], i)}) for i in range(copies) for item in items
        ]
        return [item for item in every if item[key] in kept]

    data["companions"] = repeated(data["companions"], "framework")
    data["costs"] = repeated(data["costs"], "framework")
    data["migrations"] = [m for m in repeated(data["migrations"], "to") if m["from"] in kept]
    rules = []
    for rule in data["rules"]:
        tested = {
            slug
            for when in rule["when"]
            for key in ("team_knows_none_of", "current_frameworks")
            for slug in when.get(key) or []
        } | {when["team_knows"] for when in rule["when"] if when.get("team_knows")}
        if not tested <= kept:
            continue
        for pick in ("primary", "alternative", "avoid"):
            names = [renamed(s, i) for i in range(copies) for s in rule.get(pick, [])]
            rule[pick] = [s for s in names if s in kept]
        if rule["primary"] or rule["avoid"]:
            rules.append(rule)
    data["rules"] = rules
    for guidance in data["team_sizes"]:
        verdicts = guidance["verdicts"]
        every = {renamed(s, i): v for i in range(copies) for s, v in verdicts.items()}
        guidance["verdicts"] = {s: v for s, v in every.items() if s in kept}
    return KnowledgeBundle.model_validate(data)


@pytest.fixture(scope="module", params=SIZES, ids=str)
def synthetic(request: pytest.FixtureRequest, bundle: KnowledgeBundle) -> KnowledgeSnapshot:
    size: int = request.param
    return compile_snapshot(repeated_bundle(bundle, size), f"synthetic-{size}")


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_engine_call(benchmark: BenchmarkFixture, snapshot: KnowledgeSnapshot, name: str) -> None:
    profile = ProjectProfile.model_validate(PROFILES[name])
    result = benchmark(recommend, profile, snapshot)
    assert result.recommendations


def test_engine_call_by_catalog_size(
    benchmark: BenchmarkFixture, synthetic: KnowledgeSnapshot
) -> None:
    size = int(synthetic.version.removeprefix("synthetic-"))
    assert len(synthetic.frameworks) == size
    profile = ProjectProfile.model_validate(PROFILES["typical"])
    result = benchmark(recommend, profile, synthetic)
    assert len(result.recommendations) == min(profile.top_k, size)
