"""The OpenAPI document is a product: committed, complete, and shaped for client generators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from app.api.openapi import render_openapi
from app.cli import cli
from app.main import create_app

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "openapi.json"
REGENERATE = "uv run framework-advisor openapi"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app().openapi()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_the_committed_document_matches_the_app() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render_openapi(create_app()), (
        f"openapi.json is out of date: regenerate it with `{REGENERATE}`"
    )


def test_the_openapi_command_writes_the_document(tmp_path: Path) -> None:
    output = tmp_path / "openapi.json"
    result = CliRunner().invoke(cli, ["openapi", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert output.read_text(encoding="utf-8") == render_openapi(create_app())


def test_operation_ids_are_the_chosen_ones(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in _operations(document)]
    assert sorted(ids) == sorted(
        [
            "recommend",
            "listFrameworks",
            "getFramework",
            "listCriteria",
            "listFeatures",
            "listSources",
            "listRules",
            "exportKnowledgeBase",
            "listAudit",
            *(
                f"{verb}Kb{kind}"
                for verb in ("get", "put", "patch", "delete")
                for kind in (
                    "Framework",
                    "Assessment",
                    "FeatureSupport",
                    "Rule",
                    "Source",
                    "Companion",
                    "MigrationPath",
                )
            ),
        ]
    )


def test_a_new_route_gets_a_camel_case_operation_id() -> None:
    application: FastAPI = create_app()

    async def list_framework_versions() -> list[str]:
        return []

    application.add_api_route("/versions", list_framework_versions)
    operation = application.openapi()["paths"]["/versions"]["get"]
    assert operation["operationId"] == "listFrameworkVersions"


def test_every_operation_is_tagged_with_a_described_tag(document: dict[str, Any]) -> None:
    described = {t["name"] for t in document["tags"] if t.get("description")}
    for method, path, operation in _operations(document):
        assert operation["tags"], (method, path)
        assert set(operation["tags"]) <= described, (method, path)


def test_schemas_are_not_split_into_input_and_output(document: dict[str, Any]) -> None:
    names = document["components"]["schemas"]
    assert not [n for n in names if n.endswith(("-Input", "-Output", "_Input", "_Output"))]
    assert "ProjectProfile" in names


def test_every_schema_property_has_a_description_and_examples(document: dict[str, Any]) -> None:
    missing = [
        f"{name}.{prop}"
        for name, schema in document["components"]["schemas"].items()
        for prop, definition in schema.get("properties", {}).items()
        if not definition.get("description") or not definition.get("examples")
    ]
    assert missing == []


def test_every_error_response_is_a_problem_document(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        assert "500" in responses, (method, path)
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                (media_type,) = response["content"]
                assert media_type == "application/problem+json", (method, path, status)
                ref = response["content"][media_type]["schema"]["$ref"]
                assert ref.rsplit("/", 1)[1] in {"Problem", "ValidationProblem"}


def test_errors_each_operation_can_produce_are_documented(document: dict[str, Any]) -> None:
    recommend = document["paths"]["/recommend"]["post"]["responses"]
    assert {"200", "400", "413", "415", "422", "500", "503"} <= set(recommend)
    get_framework = document["paths"]["/frameworks/{slug}"]["get"]["responses"]
    assert {"200", "404", "422", "500"} <= set(get_framework)


def test_every_response_documents_the_request_id_header(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            assert "X-Request-ID" in response["headers"], (method, path, status)
    header = document["components"]["headers"]["X-Request-ID"]
    assert header["required"] is True
    assert header["schema"]["maxLength"] == 128
