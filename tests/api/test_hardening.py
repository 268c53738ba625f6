"""No input reaches a 500: deep, wide and long JSON, compressed bodies; plus the headers every
response carries, HEAD wherever GET works, and the in-flight request limit."""

from __future__ import annotations

import asyncio
import gzip
import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.types import Receive, Scope, Send

from app.api.middleware import (
    CONTENT_SECURITY_POLICY,
    InFlightLimitMiddleware,
    JsonNestingMeter,
)
from app.engine.profile import MAX_JSON_NESTING
from app.main import create_app
from app.settings import Settings
from tests.problem_json import assert_problem

JSON = {"content-type": "application/json"}


def _nested(depth: int, opener: str = "[", closer: str = "]") -> str:
    return opener * depth + closer * depth


async def test_a_1kb_body_nested_600_deep_is_a_422_naming_the_limit(
    client: httpx.AsyncClient,
) -> None:
    body = '{"project_type":"api","features":' + _nested(600) + "}"
    assert len(body) < 1300  # about a kilobyte
    response = await client.post("/recommend", content=body, headers=JSON)
    problem = assert_problem(response, 422)
    assert f"deeper than {MAX_JSON_NESTING} levels" in problem["detail"]
    assert problem["errors"][0]["field"] == "body"


@pytest.mark.parametrize(
    "headers", [{}, {"content-type": "application/problem+json"}, {"content-type": "text/plain"}]
)
async def test_deep_nesting_is_a_4xx_whatever_the_content_type(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.post("/recommend", content=_nested(5000), headers=headers)
    assert response.status_code in (415, 422)
    assert response.headers["content-type"] == "application/problem+json"


async def test_nesting_the_profile_needs_is_accepted(client: httpx.AsyncClient) -> None:
    profile = {"project_type": "api", "team": {"known_frameworks": ["flask"]}}
    assert (await client.post("/recommend", json=profile)).status_code == 200


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    meter = JsonNestingMeter(limit=2)
    assert not meter.feed(b'{"a": "[[[[{{{{\\"[[[[", "b": ["x"]}')
    assert meter.depth == 0
    assert JsonNestingMeter(limit=2).feed(b'{"a": [[1]]}')


def test_the_nesting_meter_follows_a_body_split_anywhere() -> None:
    text = b'{"a": "\\\\[\\"", "b": [[["x"]]], "c": "]]]"}'
    for split in range(len(text)):
        meter = JsonNestingMeter(limit=4)
        assert not meter.feed(text[:split])
        assert not meter.feed(text[split:])
        assert meter.depth == 0
        assert not meter.in_string


# Deep, wide and long: every shape a hostile body can take within (and beyond) the size limit.
_deep = st.builds(
    lambda depth, kind: _nested(depth, *kind),
    st.integers(min_value=MAX_JSON_NESTING, max_value=40_000),
    st.sampled_from([("[", "]"), ('{"a":' * 1, "}")]),
).map(lambda nested: '{"project_type": "api", "features": ' + nested + "}")
_deep_objects = st.integers(min_value=MAX_JSON_NESTING, max_value=10_000).map(
    lambda depth: '{"project_type": "api", "team": ' + '{"a": ' * depth + "1" + "}" * depth + "}"
)
_wide = st.integers(min_value=65, max_value=20_000).flatmap(
    lambda width: st.sampled_from(
        [
            json.dumps(
                {"project_type": "api", "features": {f"f{i}": "must" for i in range(width)}}
            ),
            json.dumps({"project_type": "api", "candidates": ["fastapi"] * width}),
            json.dumps({"project_type": "api", "priorities": {f"p{i}": 1 for i in range(width)}}),
            json.dumps([{"project_type": "api"}] * width),
        ]
    )
)
_long = st.integers(min_value=65, max_value=200_000).flatmap(
    lambda length: st.sampled_from(
        [
            json.dumps({"project_type": "api", "current_framework": "a" * length}),
            json.dumps({"project_type": "x" * length}),
            json.dumps({"project_type": "api", "features": {"a" * length: "must"}}),
            json.dumps({"project_type": "api", "team": {"size": int("9" * min(length, 4000))}}),
        ]
    )
)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.one_of(_deep, _deep_objects, _wide, _long))
async def test_deep_wide_and_long_json_always_gets_a_4xx(
    client: httpx.AsyncClient, body: str
) -> None:
    response = await client.post("/recommend", content=body.encode(), headers=JSON)
    assert 400 <= response.status_code < 500, response.text[:500]
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_gzip_body_is_a_415_that_says_so(client: httpx.AsyncClient) -> None:
    compressed = gzip.compress(json.dumps({"project_type": "api"}).encode())
    response = await client.post(
        "/recommend", content=compressed, headers={**JSON, "content-encoding": "gzip"}
    )
    problem = assert_problem(response, 415)
    assert "Content-Encoding 'gzip'" in problem["detail"]
    assert "uncompressed" in problem["detail"]


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/frameworks", "/frameworks/flask"])
async def test_head_works_wherever_get_does(client: httpx.AsyncClient, path: str) -> None:
    get = await client.get(path)
    head = await client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


async def test_every_response_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get("/docs"),
        await client.get("/frameworks"),
        await client.get("/nope"),
        await client.post("/recommend", json={}),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_the_content_security_policy_lets_docs_run_from_the_service_only() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert "'self'" in directives["script-src"]
    assert "http" not in CONTENT_SECURITY_POLICY  # no outside host is allowed anything
    assert directives["frame-ancestors"] == "'none'"


async def test_requests_over_the_in_flight_limit_get_503_with_retry_after(
    settings: Settings,
) -> None:
    release = asyncio.Event()
    entered = asyncio.Event()

    async def slow_app(scope: Scope, receive: Receive, send: Send) -> None:
        entered.set()
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"done"})

    application = create_app(settings.model_copy(update={"max_in_flight": 1}))
    limited = InFlightLimitMiddleware(slow_app)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = application
        await limited(scope, receive, send)

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        first = asyncio.create_task(http.get("/frameworks"))
        await entered.wait()
        refused = await http.get("/frameworks")
        probe = limited.in_flight
        release.set()
        assert (await first).status_code == 200
        after = await http.get("/frameworks")
    assert probe == 1
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "5"
    assert refused.json()["status"] == 503
    assert after.status_code == 200
    assert limited.in_flight == 0
