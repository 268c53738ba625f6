"""Request limits: a body cap that holds with or without Content-Length; capped lists, strings."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.main import create_app
from app.settings import Settings
from tests.problem_json import assert_problem

TWO_MB = 2 * 1024 * 1024


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()


def _two_megabytes_of_json() -> bytes:
    body = _json({"project_type": "api", "padding": "x" * TWO_MB})
    assert len(body) > TWO_MB
    return body


async def _in_chunks(body: bytes, size: int = 16 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


JSON = {"content-type": "application/json"}


async def test_a_2mb_body_with_content_length_is_a_413(client: httpx.AsyncClient) -> None:
    body = _two_megabytes_of_json()
    response = await client.post("/recommend", content=body, headers=JSON)
    assert response.request.headers["content-length"] == str(len(body))
    problem = assert_problem(response, 413)
    assert "65536 bytes" in problem["detail"]


async def test_a_2mb_chunked_body_is_a_413(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/recommend", content=_in_chunks(_two_megabytes_of_json()), headers=JSON
    )
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert_problem(response, 413)


async def test_a_body_that_outgrows_its_content_length_is_a_413(
    client: httpx.AsyncClient,
) -> None:
    # Declares a small body, then keeps sending: the count, not the declaration, decides.
    body = _two_megabytes_of_json()
    headers = {**JSON, "content-length": "100"}
    response = await client.post("/recommend", content=_in_chunks(body), headers=headers)
    assert_problem(response, 413)


async def test_a_2mb_body_is_a_413_over_real_http_with_content_length(live_server: str) -> None:
    async with httpx.AsyncClient(base_url=live_server) as http:
        response = await http.post("/recommend", content=_two_megabytes_of_json(), headers=JSON)
    assert "content-length" in response.request.headers
    assert_problem(response, 413)


async def test_a_2mb_body_is_a_413_over_real_http_when_chunked(live_server: str) -> None:
    async with httpx.AsyncClient(base_url=live_server) as http:
        response = await http.post(
            "/recommend", content=_in_chunks(_two_megabytes_of_json()), headers=JSON
        )
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert_problem(response, 413)


async def test_a_body_under_the_limit_is_read(live_server: str) -> None:
    async with httpx.AsyncClient(base_url=live_server) as http:
        response = await http.post(
            "/recommend", content=_in_chunks(_json({"project_type": "api"}), size=4), headers=JSON
        )
    assert response.status_code == 200


@pytest.fixture
async def small_limit_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    application: FastAPI = create_app(settings.model_copy(update={"max_body_bytes": 2048}))
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_the_limit_is_configurable(
    small_limit_client: httpx.AsyncClient, chunked: bool
) -> None:
    def send(body: bytes) -> Any:
        return _in_chunks(body, size=512) if chunked else body

    # An unknown field makes both bodies invalid: the small one must get as far as validation.
    under = _json({"project_type": "api", "padding": "x" * 1900})
    over = _json({"project_type": "api", "padding": "x" * 2100})
    assert len(under) <= 2048 < len(over)
    assert_problem(
        await small_limit_client.post("/recommend", content=send(under), headers=JSON), 422
    )
    problem = assert_problem(
        await small_limit_client.post("/recommend", content=send(over), headers=JSON), 413
    )
    assert "2048 bytes" in problem["detail"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"project_type": "api", "candidates": ["fastapi"] * 20_000}, 413),
        ({"project_type": "api", "team": {"known_frameworks": [1] * 20_000}}, 422),
        ({"project_type": "api", "features": {f"f{i}": "must" for i in range(20_000)}}, 413),
    ],
    ids=["list-over-the-body-limit", "list-within-the-body-limit", "object-over-the-body-limit"],
)
async def test_a_20000_item_collection_is_refused(
    client: httpx.AsyncClient, body: dict[str, Any], status: int
) -> None:
    problem = assert_problem(await client.post("/recommend", json=body), status)
    if status == 422:
        assert problem["errors"] == [
            {
                "field": "team.known_frameworks",
                "pointer": "/team/known_frameworks",
                "in": "body",
                "message": "List should have at most 50 items after validation, not 20000",
            }
        ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"project_type": "api", "current_framework": "a" * 65}, "current_framework"),
        ({"project_type": "api", "candidates": ["fastapi"] * 51}, "candidates"),
        ({"project_type": "api", "features": {"a" * 65: "must"}}, "features." + "a" * 65),
        ({"project_type": "api", "features": {f"f{i}": "must" for i in range(65)}}, "features"),
    ],
    ids=["long-slug", "51-candidates", "long-feature-key", "65-features"],
)
async def test_lists_and_strings_are_capped(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    problem = assert_problem(await client.post("/recommend", json=body), 422)
    assert field in [e["field"] for e in problem["errors"]]
    assert all("[key]" not in e["pointer"] for e in problem["errors"])
