"""Every error is an RFC 9457 problem document: bad input gets a clear 4xx, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.exceptions import HTTPException

from app.db.connection import create_sessionmaker
from app.knowledge.service import KnowledgeCache
from app.main import create_app
from app.settings import Settings
from tests.problem_json import assert_problem

VALID = {"project_type": "api"}


async def _recommend(client: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    return await client.post("/recommend", json=body)


def _fields(problem: dict[str, Any]) -> list[str]:
    return [e["field"] for e in problem["errors"]]


async def test_a_valid_profile_is_recommended(client: httpx.AsyncClient) -> None:
    response = await _recommend(client, VALID)
    assert response.status_code == 200
    assert response.json()["recommendations"]


async def test_malformed_json_is_a_400_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/recommend",
        content=b'{"project_type": "api",',
        headers={"content-type": "application/json"},
    )
    problem = assert_problem(response, 400)
    assert "not valid JSON" in problem["detail"]
    assert problem["errors"] == [
        {"field": "body", "pointer": "", "in": "body", "message": problem["detail"]}
    ]


async def test_a_body_that_is_not_utf8_is_a_400_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/recommend", content=b'{"a": "\xff\xfe"}', headers={"content-type": "application/json"}
    )
    problem = assert_problem(response, 400)
    assert _fields(problem) == ["body"]


async def test_a_missing_body_is_a_422_naming_the_body(client: httpx.AsyncClient) -> None:
    response = await client.post("/recommend", headers={"content-type": "application/json"})
    assert _fields(assert_problem(response, 422)) == ["body"]


@pytest.mark.parametrize(
    ("body", "field", "pointer"),
    [
        ({**VALID, "nope": 1}, "nope", "/nope"),
        ({**VALID, "team": {"size": 3, "nope": True}}, "team.nope", "/team/nope"),
    ],
    ids=["top-level", "nested"],
)
async def test_an_unknown_field_is_a_422_naming_it(
    client: httpx.AsyncClient, body: dict[str, Any], field: str, pointer: str
) -> None:
    problem = assert_problem(await _recommend(client, body), 422)
    assert problem["errors"][0]["field"] == field
    assert problem["errors"][0]["pointer"] == pointer
    assert problem["errors"][0]["in"] == "body"
    assert field in problem["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"project_type": "spaceship"}, "project_type"),
        ({**VALID, "features": {"admin_panel": "maybe"}}, "features.admin_panel"),
        ({**VALID, "team": {"async_experience": "wizard"}}, "team.async_experience"),
        ({**VALID, "deployment": "mainframe"}, "deployment"),
    ],
)
async def test_an_unknown_enum_value_is_a_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    problem = assert_problem(await _recommend(client, body), 422)
    assert _fields(problem) == [field]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**VALID, "top_k": 0}, "top_k"),
        ({**VALID, "top_k": 51}, "top_k"),
        ({**VALID, "team": {"size": 0}}, "team.size"),
        ({**VALID, "expected_peak_rps": -1}, "expected_peak_rps"),
        ({**VALID, "expected_peak_rps": 10**30}, "expected_peak_rps"),
        ({**VALID, "timeline_weeks": 1041}, "timeline_weeks"),
        ({**VALID, "lifespan_years": 0}, "lifespan_years"),
        ({**VALID, "priorities": {"performance": 6}}, "priorities.performance"),
    ],
)
async def test_an_out_of_range_number_is_a_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    problem = assert_problem(await _recommend(client, body), 422)
    assert _fields(problem) == [field]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**VALID, "top_k": "5"}, "top_k"),
        ({**VALID, "team": {"size": True}}, "team.size"),
        ({**VALID, "lifespan_years": "5"}, "lifespan_years"),
        ({**VALID, "top_k": 5.5}, "top_k"),
    ],
    ids=["string-for-int", "bool-for-int", "string-for-number", "fraction-for-int"],
)
async def test_a_number_of_the_wrong_type_is_a_422(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    assert _fields(assert_problem(await _recommend(client, body), 422)) == [field]


async def test_an_integral_float_is_an_integer_as_in_json_schema(
    client: httpx.AsyncClient,
) -> None:
    response = await _recommend(client, {**VALID, "top_k": 2.0})
    assert response.status_code == 200
    assert len(response.json()["recommendations"]) == 2


@pytest.mark.parametrize(
    ("body", "field", "kind"),
    [
        ({**VALID, "features": {"nope": "must"}}, "features.nope", "feature"),
        ({**VALID, "priorities": {"nope": 3}}, "priorities.nope", "criterion"),
        ({**VALID, "candidates": ["fastapi", "nope"]}, "candidates.1", "framework"),
        ({**VALID, "current_framework": "nope"}, "current_framework", "framework"),
        ({**VALID, "team": {"known_frameworks": ["nope"]}}, "team.known_frameworks.0", "framework"),
    ],
)
async def test_an_unknown_slug_is_a_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], field: str, kind: str
) -> None:
    problem = assert_problem(await _recommend(client, body), 422)
    assert _fields(problem) == [field]
    assert problem["errors"][0]["message"].startswith(f"unknown {kind} 'nope'")
    assert field in problem["detail"]


async def test_validation_errors_are_capped(client: httpx.AsyncClient) -> None:
    features = {f"f{i}": "maybe" for i in range(1000)}
    problem = assert_problem(await _recommend(client, {**VALID, "features": features}), 422)
    assert len(problem["errors"]) == 50
    assert problem["detail"].startswith("1000 invalid input(s)")


async def test_an_unknown_framework_is_a_404(client: httpx.AsyncClient) -> None:
    problem = assert_problem(await client.get("/frameworks/nope"), 404)
    assert "nope" in problem["detail"]


async def test_a_framework_slug_of_the_wrong_shape_is_a_422(client: httpx.AsyncClient) -> None:
    problem = assert_problem(await client.get("/frameworks/Not%20A%20Slug"), 422)
    assert problem["errors"][0]["in"] == "path"
    assert problem["errors"][0]["field"] == "slug"


@pytest.mark.parametrize(
    ("content_type", "content"),
    [("text/plain", b"project_type=api"), (None, b'{"project_type": "api"}')],
    ids=["text-plain", "no-content-type"],
)
async def test_a_body_that_is_not_declared_json_is_a_415(
    client: httpx.AsyncClient, content_type: str | None, content: bytes
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = await client.post("/recommend", content=content, headers=headers)
    problem = assert_problem(response, 415)
    assert "application/json" in problem["detail"]


async def test_json_with_a_charset_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/recommend",
        content=b'{"project_type": "api"}',
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/frameworks", "GET"),
        ("POST", "/frameworks/fastapi", "GET"),
        ("GET", "/recommend", "POST"),
    ],
)
async def test_a_wrong_method_is_a_405_with_an_allow_header(
    client: httpx.AsyncClient, method: str, path: str, allow: str
) -> None:
    response = await client.request(method, path)
    problem = assert_problem(response, 405)
    assert response.headers["allow"] == allow
    assert allow in problem["detail"]


@pytest.mark.parametrize("path", ["/nope", "/frameworks/", "/recommend/extra"])
async def test_an_unknown_path_is_a_404(client: httpx.AsyncClient, path: str) -> None:
    problem = assert_problem(await client.get(path), 404)
    assert path in problem["detail"]


@pytest.fixture
async def bare_app(settings: Settings) -> FastAPI:
    """A fresh app, lifespan not run, for routes that exist only in these tests."""
    return create_app(settings)


async def _client_for(application: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    # The app re-raises an unhandled exception after answering (so servers log it); keep the answer.
    transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_an_unhandled_exception_is_a_500_problem_without_internals(
    bare_app: FastAPI,
) -> None:
    async def explode() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    bare_app.add_api_route("/explode", explode)
    async for http in _client_for(bare_app):
        response = await http.get("/explode")
        problem = assert_problem(response, 500)
        assert "secret" not in response.text
        assert "RuntimeError" not in response.text
        assert "request id" in problem["detail"]


async def test_http_exception_headers_are_kept(bare_app: FastAPI) -> None:
    challenge = 'Bearer realm="framework-advisor"'

    async def guarded() -> None:
        raise HTTPException(401, "sign in first", headers={"WWW-Authenticate": challenge})

    bare_app.add_api_route("/guarded", guarded)
    async for http in _client_for(bare_app):
        response = await http.get("/guarded")
        problem = assert_problem(response, 401)
        assert response.headers["www-authenticate"] == challenge
        assert problem["detail"] == "sign in first"


async def test_recommend_is_a_503_problem_until_the_knowledge_base_is_loaded(
    bare_app: FastAPI, engine: AsyncEngine
) -> None:
    bare_app.state.knowledge = KnowledgeCache(create_sessionmaker(engine))  # never refreshed
    async for http in _client_for(bare_app):
        problem = assert_problem(await http.post("/recommend", json=VALID), 503)
        assert "not loaded" in problem["detail"]
