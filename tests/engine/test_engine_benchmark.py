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

# Catalog sizes of the scaling table, as multiples of the bundled catalog (12 frameworks today).
SCALES = (1, 10, 100)


def repeated_bundle(bundle: KnowledgeBundle, copies: int) -> KnowledgeBundle:
    """The bundle with its frameworks ``copies`` times: copy 0 is the original, copy i renamed."""
    data: dict[str, Any] = bundle.model_dump(mode="json", by_alias=True, exclude_unset=True)
    slugs = {fw.slug for fw in bundle.frameworks}

    def renamed(slug: str, i: int) -> str:
        return slug if i == 0 or slug not in slugs else f"{slug}-r{i}"

    originals = {key: data[key] for key in ("frameworks", "companions", "costs", "migrations")}
    for key in originals:
        data[key] = []
    for i in range(copies):
        for fw in originals["frameworks"]:
            copy = dict(fw, slug=renamed(fw["slug"], i))
            if i:
                copy["name"] = f"{fw['name']} (copy {i})"
            if fw.get("builds_on") is not None:
                copy["builds_on"] = renamed(fw["builds_on"], i)
            data["frameworks"].append(copy)
        for key in ("companions", "costs"):
            data[key] += [
                dict(item, framework=renamed(item["framework"], i)) for item in originals[key]
            ]
        # Migrations keep their origin, so a profile's current framework reaches every copy.
        data["migrations"] += [dict(m, to=renamed(m["to"], i)) for m in originals["migrations"]]
    for rule in data["rules"]:
        for pick in ("primary", "alternative", "avoid"):
            rule[pick] = [renamed(s, i) for i in range(copies) for s in rule.get(pick, [])]
    for guidance in data["team_sizes"]:
        verdicts = guidance["verdicts"]
        guidance["verdicts"] = {
            renamed(s, i): v for i in range(copies) for s, v in verdicts.items()
        }
    return KnowledgeBundle.model_validate(data)


@pytest.fixture(scope="module", params=SCALES, ids=lambda copies: f"x{copies}")
def synthetic(
    request: pytest.FixtureRequest, bundle: KnowledgeBundle
) -> tuple[int, KnowledgeSnapshot]:
    copies: int = request.param
    return copies, compile_snapshot(repeated_bundle(bundle, copies), f"synthetic-x{copies}")


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_engine_call(benchmark: BenchmarkFixture, snapshot: KnowledgeSnapshot, name: str) -> None:
    profile = ProjectProfile.model_validate(PROFILES[name])
    result = benchmark(recommend, profile, snapshot)
    assert result.recommendations


def test_engine_call_by_catalog_size(
    benchmark: BenchmarkFixture,
    bundle: KnowledgeBundle,
    synthetic: tuple[int, KnowledgeSnapshot],
) -> None:
    copies, snapshot = synthetic
    assert len(snapshot.frameworks) == len(bundle.frameworks) * copies
    benchmark.extra_info["frameworks"] = len(snapshot.frameworks)
    profile = ProjectProfile.model_validate(PROFILES["typical"])
    result = benchmark(recommend, profile, snapshot)
    assert len(result.recommendations) == min(profile.top_k, len(snapshot.frameworks))
