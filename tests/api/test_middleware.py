"""Request ids (honoured, validated, generated, echoed) and the one-line-per-request log."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import httpx
import pytest

from app.logging_config import json_formatter
from tests.problem_json import assert_problem

GENERATED = re.compile(r"^[0-9a-f]{32}$")


@pytest.mark.parametrize("request_id", ["abc-123", "7f1c:web.1_retry", "A" * 128])
async def test_a_safe_request_id_is_honoured_and_echoed(
    client: httpx.AsyncClient, request_id: str
) -> None:
    response = await client.get("/frameworks/nope", headers={"X-Request-ID": request_id})
    assert response.headers["x-request-id"] == request_id
    assert assert_problem(response, 404)["request_id"] == request_id


async def test_a_request_id_is_generated_when_missing(client: httpx.AsyncClient) -> None:
    first = (await client.get("/criteria")).headers["x-request-id"]
    second = (await client.get("/criteria")).headers["x-request-id"]
    assert GENERATED.match(first)
    assert GENERATED.match(second)
    assert first != second


@pytest.mark.parametrize(
    "request_id",
    ["A" * 129, "has space", 'quote"d', "-starts-with-dash", "new\\nline", "semi;colon", "é"],
)
async def test_an_unsafe_request_id_is_replaced(client: httpx.AsyncClient, request_id: str) -> None:
    response = await client.get(
        "/frameworks/nope", headers={"X-Request-ID": request_id.encode("utf-8")}
    )
    replaced = response.headers["x-request-id"]
    assert GENERATED.match(replaced)
    assert assert_problem(response, 404)["request_id"] == replaced


def _request_logs(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [
        r.msg for r in caplog.records if isinstance(r.msg, dict) and r.msg.get("event") == "request"
    ]


async def test_each_request_is_logged_once_with_method_path_status_duration_and_id(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = await client.get("/frameworks/nope", headers={"X-Request-ID": "trace-42"})
    (line,) = _request_logs(caplog)
    assert line["method"] == "GET"
    assert line["path"] == "/frameworks/nope"
    assert line["status"] == response.status_code == 404
    assert line["request_id"] == "trace-42"
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0


async def test_the_request_log_line_is_one_json_object(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await client.post("/recommend", json={"project_type": "api"}, headers={"X-Request-ID": "r-1"})
    (record,) = [r for r in caplog.records if r.name == "app.request"]
    rendered = json_formatter().format(record)
    assert "\n" not in rendered
    line = json.loads(rendered)
    assert line["event"] == "request"
    assert line["level"] == "info"
    assert line["logger"] == "app.request"
    assert line["request_id"] == "r-1"
    assert line["status"] == 200
    assert line["timestamp"].endswith("Z")


async def test_a_refused_body_is_logged_with_its_413(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = await client.post(
        "/recommend", content=b"x" * 100_000, headers={"content-type": "application/json"}
    )
    (line,) = _request_logs(caplog)
    assert line["status"] == 413
    assert line["request_id"] == response.headers["x-request-id"]
