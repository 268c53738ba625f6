"""Curation over HTTP: keys and scopes, preconditions, validation, referrers, audit, export.

Each test runs inside the shared database's rolled-back transaction (the `client` fixture), so its
writes and keys vanish afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.keys import Scope, create_key
from app.knowledge import models
from app.knowledge.bundle import KnowledgeBundle
from tests.problem_json import assert_problem

NEW_FRAMEWORK = {
    "slug": "inhouse",
    "name": "In-house",
    "summary": "The platform team's own framework.",
    "pypi": "inhouse-web",
}


@pytest.fixture(autouse=True)
def _restore_snapshot(app: FastAPI) -> Iterator[None]:
    """A writing worker adopts its write's snapshot at once; these writes are rolled back."""
    snapshot = app.state.knowledge.snapshot
    yield
    app.state.knowledge.snapshot = snapshot


@pytest.fixture
async def keys(session: AsyncSession) -> dict[str, dict[str, str]]:
    """An Authorization header per scope, for keys that live in this test's transaction."""
    return {
        scope.name: {"Authorization": f"Bearer {await create_key(session, scope.name, scope)}"}
        for scope in Scope
    }


async def _get(client: httpx.AsyncClient, url: str) -> tuple[dict[str, Any], str]:
    response = await client.get(url)
    assert response.status_code == 200, response.text
    return response.json(), response.headers["etag"]


async def test_a_write_without_a_key_is_401_with_a_bearer_challenge(
    client: httpx.AsyncClient,
) -> None:
    response = await client.put("/kb/frameworks/inhouse", json=NEW_FRAMEWORK)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer ")


async def test_a_write_with_an_unknown_key_is_401_invalid_token(
    client: httpx.AsyncClient,
) -> None:
    headers = {"Authorization": "Bearer fa_000000000000_" + "x" * 43}
    response = await client.put("/kb/frameworks/inhouse", json=NEW_FRAMEWORK, headers=headers)
    assert_problem(response, 401)
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_a_write_with_a_read_key_is_403_insufficient_scope(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]]
) -> None:
    response = await client.put("/kb/frameworks/inhouse", json=NEW_FRAMEWORK, headers=keys["read"])
    body = assert_problem(response, 403)
    assert "'write'" in body["detail"]
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]


async def test_authentication_is_checked_before_preconditions(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]]
) -> None:
    response = await client.patch(
        "/kb/frameworks/fastapi", json={"summary": "x"}, headers=keys["read"]
    )
    assert_problem(response, 403)  # not the 428 a write key would get


async def test_creating_returns_201_and_the_etag_that_get_returns(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]]
) -> None:
    response = await client.put(
        "/kb/frameworks/inhouse",
        json=NEW_FRAMEWORK,
        headers={**keys["write"], "If-None-Match": "*"},
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"] == "/kb/frameworks/inhouse"
    item, tag = await _get(client, "/kb/frameworks/inhouse")
    assert tag == response.headers["etag"]
    assert item["summary"] == NEW_FRAMEWORK["summary"]
    catalog = await client.get("/frameworks/inhouse")
    assert catalog.status_code == 200
    assert catalog.json()["name"] == "In-house"


async def test_creating_over_an_existing_resource_with_if_none_match_is_412(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]]
) -> None:
    item, _ = await _get(client, "/kb/frameworks/fastapi")
    response = await client.put(
        "/kb/frameworks/fastapi", json=item, headers={**keys["write"], "If-None-Match": "*"}
    )
    assert_problem(response, 412)


async def test_changing_without_if_match_is_428(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]]
) -> None:
    response = await client.patch(
        "/kb/frameworks/fastapi", json={"summary": "changed"}, headers=keys["write"]
    )
    body = assert_problem(response, 428)
    assert "If-Match" in body["detail"]


async def test_changing_with_a_stale_etag_is_412(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]]
) -> None:
    _, tag = await _get(client, "/kb/frameworks/fastapi")
    first = await client.patch(
        "/kb/frameworks/fastapi",
        json={"summary": "first edit"},
        headers={**keys["write"], "If-Match": tag},
    )
    assert first.status_code == 200, first.text
    assert first.headers["etag"] != tag
    second = await client.patch(
        "/kb/frameworks/fastapi",
        json={"summary": "second edit"},
        headers={**keys["write"], "If-Match": tag},
    )
    assert_problem(second, 412)
    item, _ = await _get(client, "/kb/frameworks/fastapi")
    assert item["summary"] == "first edit"


async def test_a_dangling_reference_is_422_naming_it(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]]
) -> None:
    response = await client.put(
        "/kb/frameworks/inhouse",
        json={**NEW_FRAMEWORK, "builds_on": "no-such-framework"},
        headers=keys["write"],
    )
    body = assert_problem(response, 422)
    assert any("no-such-framework" in e["message"] for e in body["errors"])


async def test_an_invalid_resource_is_422_naming_the_field(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]]
) -> None:
    item, tag = await _get(client, "/kb/frameworks/fastapi/assessments/performance")
    response = await client.patch(
        "/kb/frameworks/fastapi/assessments/performance",
        json={"value": 1.5},
        headers={**keys["write"], "If-Match": tag},
    )
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["value"]
    assert item["value"] is not None


async def test_a_body_naming_another_resource_than_the_url_is_422(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]]
) -> None:
    response = await client.put("/kb/frameworks/other", json=NEW_FRAMEWORK, headers=keys["write"])
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "slug"


async def test_deleting_a_referenced_framework_is_409_naming_the_referrers(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]], bundle: KnowledgeBundle
) -> None:
    _, tag = await _get(client, "/kb/frameworks/flask")
    response = await client.delete(
        "/kb/frameworks/flask", headers={**keys["write"], "If-Match": tag}
    )
    body = assert_problem(response, 409)
    referring_rule = next(r.id for r in bundle.rules if "flask" in [*r.primary, *r.avoid])
    assert f"rules.{referring_rule}" in body["detail"]
    assert "companions." in body["detail"]
    assert (await client.get("/kb/frameworks/flask")).status_code == 200


async def test_an_unreferenced_framework_can_be_deleted(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]]
) -> None:
    created = await client.put("/kb/frameworks/inhouse", json=NEW_FRAMEWORK, headers=keys["write"])
    assert created.status_code == 201
    response = await client.delete(
        "/kb/frameworks/inhouse", headers={**keys["write"], "If-Match": created.headers["etag"]}
    )
    assert response.status_code == 204
    assert_problem(await client.get("/kb/frameworks/inhouse"), 404)


async def test_every_write_is_audited_with_key_before_after_and_request_id(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]], session: AsyncSession
) -> None:
    item, tag = await _get(client, "/kb/frameworks/fastapi/features/websockets")
    response = await client.patch(
        "/kb/frameworks/fastapi/features/websockets",
        json={"note": "checked by the platform team"},
        headers={**keys["write"], "If-Match": tag, "X-Request-ID": "audit-me-1"},
    )
    assert response.status_code == 200, response.text
    forbidden = await client.get("/audit", headers=keys["write"])
    assert_problem(forbidden, 403)
    page = await client.get(
        "/audit", params={"resource": "/kb/frameworks/fastapi"}, headers=keys["admin"]
    )
    assert page.status_code == 200, page.text
    (entry,) = page.json()["entries"]
    assert entry["key_name"] == "write"
    assert entry["action"] == "patch"
    assert entry["resource"] == "/kb/frameworks/fastapi/features/websockets"
    assert entry["before"] == item
    assert entry["after"] == {**item, "note": "checked by the platform team"}
    assert entry["request_id"] == "audit-me-1"
    later = await client.get(
        "/audit", params={"since": "2999-01-01T00:00:00Z"}, headers=keys["admin"]
    )
    assert later.json()["entries"] == []
    curated = await session.scalar(select(func.count()).select_from(models.CuratedResource))
    assert curated == 1


async def test_a_write_moves_the_version_that_recommend_reports(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]], session: AsyncSession
) -> None:
    before = await session.scalar(select(models.KnowledgeBaseMeta.version))
    _, tag = await _get(client, "/kb/rules/" + (await _first_rule(client)))
    rule_id = await _first_rule(client)
    response = await client.patch(
        f"/kb/rules/{rule_id}",
        json={"text": "Reworded by the platform team."},
        headers={**keys["write"], "If-Match": tag},
    )
    assert response.status_code == 200, response.text
    after = await session.scalar(select(models.KnowledgeBaseMeta.version))
    assert after != before


async def _first_rule(client: httpx.AsyncClient) -> str:
    rules = (await client.get("/rules")).json()
    rule_id: str = rules[0]["id"]
    return rule_id


async def test_the_writing_worker_scores_on_its_write_at_once(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]]
) -> None:
    before = (await client.post("/recommend", json={"project_type": "api"})).json()["kb_version"]
    _, tag = await _get(client, "/kb/frameworks/fastapi")
    response = await client.patch(
        "/kb/frameworks/fastapi",
        json={"summary": "Read your writes."},
        headers={**keys["write"], "If-Match": tag},
    )
    assert response.status_code == 200
    after = (await client.post("/recommend", json={"project_type": "api"})).json()["kb_version"]
    assert after != before


async def test_export_is_the_stored_knowledge_in_the_bundle_format(
    client: httpx.AsyncClient, bundle: KnowledgeBundle
) -> None:
    response = await client.get("/kb/export")
    assert response.status_code == 200
    exported = KnowledgeBundle.model_validate(response.json())
    assert {f.slug for f in exported.frameworks} == {f.slug for f in bundle.frameworks}
    assert len(exported.rules) == len(bundle.rules)


async def test_a_replacement_is_validated_strictly_before_its_precondition(
    client: httpx.AsyncClient, keys: dict[str, dict[str, str]]
) -> None:
    response = await client.put(
        "/kb/frameworks/fastapi",
        json={**NEW_FRAMEWORK, "slug": "fastapi", "first_release": "2018"},
        headers={**keys["write"], "If-Match": '"stale"'},
    )
    body = assert_problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["first_release"]
