"""Micro-benchmarks of one engine call on the bundled catalog (budget: under 1 ms).

The normal test run executes each once, as a smoke test (pytest-benchmark is disabled in the
default options). Measure with:

    uv run pytest tests/engine/test_engine_benchmark.py --benchmark-enable
"""

from __future__ import annotations

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from app.engine import recommend
from app.engine.profile import ProjectProfile
from app.engine.snapshot import KnowledgeSnapshot

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


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_engine_call(benchmark: BenchmarkFixture, snapshot: KnowledgeSnapshot, name: str) -> None:
    profile = ProjectProfile.model_validate(PROFILES[name])
    result = benchmark(recommend, profile, snapshot)
    assert result.recommendations
