"""API keys end to end: the keys commands, revocation, keys for reads, and paging the audit."""

from __future__ import annotations

import asyncio

import httpx
from typer.testing import CliRunner

from app.cli import cli
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import OwnKnowledgeBase


def _keys(kb: OwnKnowledgeBase, *args: str) -> str:
    result = CliRunner().invoke(cli, ["keys", *args], env={"DATABASE_URL": kb.url})
    assert result.exit_code == 0, result.output
    return result.output


async def test_keys_create_list_and_revoke(own_kb: OwnKnowledgeBase) -> None:
    key = await asyncio.to_thread(_keys, own_kb, "create", "--name", "ops", "--scope", "write")
    key = key.strip().splitlines()[-1]
    assert key.startswith("fa_")
    listing = await asyncio.to_thread(_keys, own_kb, "list")
    assert any(line.split("\t")[:2] == ["ops", "write"] for line in listing.splitlines())
    assert key not in listing  # only ever shown once
    application = create_app(Settings(database_url=own_kb.url, kb_refresh_seconds=3600))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://kb") as client:
            tag = (await client.get("/kb/frameworks/flask")).headers["etag"]
            headers = {"Authorization": f"Bearer {key}", "If-Match": tag}
            allowed = await client.patch(
                "/kb/frameworks/flask", json={"homepage": None}, headers=headers
            )
            assert allowed.status_code == 200, allowed.text
            await asyncio.to_thread(_keys, own_kb, "revoke", "ops")
            headers["If-Match"] = allowed.headers["etag"]
            refused = await client.patch(
                "/kb/frameworks/flask", json={"summary": "x"}, headers=headers
            )
            assert refused.status_code == 401
    assert "revoked" in await asyncio.to_thread(_keys, own_kb, "list")


async def test_reads_can_be_made_to_need_a_key(own_kb: OwnKnowledgeBase) -> None:
    settings = Settings(
        database_url=own_kb.url, kb_refresh_seconds=3600, require_key_for_reads=True
    )
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://kb") as client:
            refused = await client.get("/frameworks")
            assert refused.status_code == 401
            assert refused.headers["www-authenticate"].startswith("Bearer")
            recommend = await client.post("/recommend", json={"project_type": "api"})
            assert recommend.status_code == 401
            allowed = await client.get("/frameworks", headers=own_kb.headers["read"])
            assert allowed.status_code == 200


async def test_the_audit_pages_newest_first(own_kb: OwnKnowledgeBase) -> None:
    application = create_app(Settings(database_url=own_kb.url, kb_refresh_seconds=3600))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://kb") as client:
            for summary in ("one", "two", "three"):
                tag = (await client.get("/kb/frameworks/bottle")).headers["etag"]
                response = await client.patch(
                    "/kb/frameworks/bottle",
                    json={"summary": summary},
                    headers={**own_kb.headers["write"], "If-Match": tag},
                )
                assert response.status_code == 200, response.text
            admin = own_kb.headers["admin"]
            first = (await client.get("/audit", params={"limit": 2}, headers=admin)).json()
            assert [e["after"]["summary"] for e in first["entries"]] == ["three", "two"]
            rest = (
                await client.get(
                    "/audit",
                    params={"limit": 2, "before_id": first["next_before_id"]},
                    headers=admin,
                )
            ).json()
            assert [e["after"]["summary"] for e in rest["entries"]] == ["one"]
            assert rest["next_before_id"] is None
