"""The pure parts of benchmarks/http.py: its profiles are valid, its detail levels follow OpenAPI.

The harness itself (servers, wrk) is run by hand; these keep it from rotting when the profile,
the README example or the OpenAPI document change.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from app.engine.profile import ProjectProfile, unknown_slugs
from app.knowledge.bundle import KnowledgeBundle

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("benchmarks_http", ROOT / "benchmarks/http.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
    return loaded


def test_the_profile_pool_is_valid_and_varied(
    harness: ModuleType, document: dict[str, Any], bundle: KnowledgeBundle
) -> None:
    catalog = {
        "features": [f.slug for f in bundle.features],
        "criteria": [c.slug for c in bundle.criteria],
        "frameworks": [f.slug for f in bundle.frameworks],
    }
    pool = harness.profile_pool(300, 11, document, catalog)
    for raw in pool:
        profile = ProjectProfile.model_validate(raw)
        problems = unknown_slugs(
            profile,
            frameworks=set(catalog["frameworks"]),
            criteria=set(catalog["criteria"]),
            features=set(catalog["features"]),
        )
        assert not problems, raw
    assert len({json.dumps(p, sort_keys=True) for p in pool}) == len(pool)


def test_the_readme_example_is_found_and_valid(harness: ModuleType) -> None:
    assert ProjectProfile.model_validate(harness.readme_profile()).project_type


def test_detail_levels_of_the_committed_document(
    harness: ModuleType, document: dict[str, Any]
) -> None:
    post = document["paths"]["/recommend"]["post"]
    declared = [p["name"] for p in post.get("parameters", [])]
    levels = harness.detail_levels(document)
    if "detail" in declared:  # every declared level is measured, by name
        assert levels
        assert None not in levels
    else:  # only the default answer
        assert levels == [None]


def test_detail_levels_follow_the_declared_enum(harness: ModuleType) -> None:
    schema = {"anyOf": [{"$ref": "#/components/schemas/Detail"}, {"type": "null"}]}
    document = {
        "paths": {"/recommend": {"post": {"parameters": [{"name": "detail", "schema": schema}]}}},
        "components": {"schemas": {"Detail": {"enum": ["summary", "default", "full"]}}},
    }
    assert harness.detail_levels(document) == ["summary", "default", "full"]
