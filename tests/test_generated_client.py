"""A Python client generated from the committed openapi.json calls the app, gets typed results."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "framework_advisor_client"
CONFIG = f"""\
project_name_override: framework-advisor-client
package_name_override: {PACKAGE}
post_hooks: []
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModuleType]]:
    """Generate the client with openapi-python-client, then import its modules."""
    workdir = tmp_path_factory.mktemp("client")
    (workdir / "config.yaml").write_text(CONFIG, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(ROOT / "openapi.json"),
            "--config",
            str(workdir / "config.yaml"),
            "--output-path",
            str(workdir / PACKAGE),
            "--meta",
            "none",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(workdir))
    try:
        yield {
            name: importlib.import_module(f"{PACKAGE}.{name}")
            for name in (
                "client",
                "models",
                "api.recommend.recommend",
                "api.catalog.get_framework",
            )
        }
    finally:
        sys.path.remove(str(workdir))
        for module in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[module]


def _typed_client(generated: dict[str, ModuleType], http: httpx.AsyncClient) -> Any:
    return generated["client"].Client(base_url=str(http.base_url)).set_async_httpx_client(http)


def _profile(models: ModuleType) -> Any:
    return models.ProjectProfile(
        project_type=models.ProjectType.ML_SERVING,
        features=models.ProjectProfileFeatures.from_dict({"auto_api_docs": "must"}),
        team=models.Team(size=4, known_frameworks=["flask"]),
        current_framework="flask",
        top_k=3,
    )


async def test_the_generated_client_gets_a_typed_recommendation(
    generated: dict[str, ModuleType], client: httpx.AsyncClient
) -> None:
    models = generated["models"]
    result = await generated["api.recommend.recommend"].asyncio(
        client=_typed_client(generated, client), body=_profile(models)
    )

    assert isinstance(result, models.Recommendation)
    assert result.detail == "default"
    assert len(result.recommendations) == 3
    best = result.recommendations[0]
    assert isinstance(best, models.FrameworkRecommendation)
    assert best.rank == 1
    assert isinstance(best.fit, models.Fit)
    assert 0 <= best.score <= 100
    assert all(isinstance(item, models.BreakdownLine) for item in best.breakdown)
    assert any(isinstance(i, str) for item in best.breakdown for i in item.evidence)
    assert all(isinstance(r, models.Reason) for r in best.reasons)
    assert set(result.weights.to_dict()) == {b.criterion for b in best.breakdown}
    assert isinstance(result.decision, models.Decision)
    assert isinstance(result.decision.confidence, models.Confidence)
    assert isinstance(result.migration, models.MigrationAdvice)
    assert result.migration.from_ == "flask"
    assert all(isinstance(source, str) for source in result.sources)


async def test_the_generated_client_gets_each_level_of_detail_typed(
    generated: dict[str, ModuleType], client: httpx.AsyncClient
) -> None:
    models = generated["models"]
    typed = _typed_client(generated, client)
    recommend = generated["api.recommend.recommend"]

    full = await recommend.asyncio(client=typed, body=_profile(models), detail=models.Detail.FULL)
    assert isinstance(full, models.RecommendationFull)
    line = full.recommendations[0].breakdown[0]
    assert isinstance(line, models.BreakdownItem)
    assert all(isinstance(e, models.EvidenceItem) and e.id and e.claim for e in line.evidence)
    assert all(isinstance(i, models.StackItem) for i in full.recommendations[0].stack)
    assert all(isinstance(source, models.SourceRef) for source in full.sources)

    summary = await recommend.asyncio(
        client=typed, body=_profile(models), detail=models.Detail.SUMMARY
    )
    assert isinstance(summary, models.RecommendationSummary)
    top = summary.recommendations[0]
    assert isinstance(top, models.RankedFramework)
    assert top.framework == full.recommendations[0].framework
    assert all(isinstance(note, models.Note) and note.text for note in top.reasons)
    assert summary.kb_version == full.kb_version


async def test_the_generated_client_gets_typed_problems(
    generated: dict[str, ModuleType], client: httpx.AsyncClient
) -> None:
    models = generated["models"]
    typed = _typed_client(generated, client)
    profile = models.ProjectProfile(
        project_type=models.ProjectType.API,
        features=models.ProjectProfileFeatures.from_dict({"nope": "must"}),
    )

    invalid = await generated["api.recommend.recommend"].asyncio(client=typed, body=profile)
    assert isinstance(invalid, models.ValidationProblem)
    assert invalid.status == 422
    assert [(e.field, e.pointer, e.in_) for e in invalid.errors] == [
        ("features.nope", "/features/nope", "body")
    ]

    missing = await generated["api.catalog.get_framework"].asyncio(client=typed, slug="nope")
    assert isinstance(missing, models.Problem)
    assert missing.status == 404
    assert missing.request_id
