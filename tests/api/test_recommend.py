"""POST /recommend over HTTP: the contract, the examples, and the answers' traceability."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from app.api.recommend import EXAMPLES


async def _recommend(client: httpx.AsyncClient, profile: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/recommend", json=profile)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("name", sorted(EXAMPLES))
async def test_swagger_examples_run_as_they_are(client: httpx.AsyncClient, name: str) -> None:
    body = await _recommend(client, dict(EXAMPLES[name]["value"]))
    assert body["recommendations"]
    assert body["recommendations"][0]["rank"] == 1


async def test_examples_are_offered_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    content = spec["paths"]["/recommend"]["post"]["requestBody"]["content"]["application/json"]
    assert set(content["examples"]) == set(EXAMPLES)


async def test_every_cited_source_is_listed_in_the_response(client: httpx.AsyncClient) -> None:
    body = await _recommend(client, dict(EXAMPLES["b2b_saas"]["value"]))
    listed = {s["id"] for s in body["sources"]}
    cited = set()
    for entry in body["recommendations"]:
        cited |= {e["source"] for b in entry["breakdown"] for e in b["evidence"]}
        cited |= {s for a in entry["adjustments"] for s in a["sources"]}
        cited |= {s for n in entry["reasons"] + entry["warnings"] for s in n["sources"]}
    assert cited
    assert cited <= listed


async def test_migration_advice_names_the_path_and_its_sources(client: httpx.AsyncClient) -> None:
    body = await _recommend(
        client,
        {"project_type": "ml_serving", "current_framework": "flask", "expected_peak_rps": 3000},
    )
    assert body["recommendations"][0]["framework"] == "fastapi"
    migration = body["migration"]
    assert migration["from"] == "flask"
    assert migration["to"] == "fastapi"
    assert migration["stay"] is False
    assert migration["estimate"]
    assert migration["sources"]


async def test_migration_advice_says_stay_when_already_on_the_best_fit(
    client: httpx.AsyncClient,
) -> None:
    body = await _recommend(client, {"project_type": "ml_serving", "current_framework": "fastapi"})
    assert body["migration"]["stay"] is True


async def test_no_current_framework_means_no_migration(client: httpx.AsyncClient) -> None:
    assert (await _recommend(client, {"project_type": "api"}))["migration"] is None


async def test_must_feature_nobody_can_provide_excludes_with_a_reason(
    client: httpx.AsyncClient,
) -> None:
    body = await _recommend(
        client,
        {
            "project_type": "content_site",
            "features": {"cms": "must"},
            "candidates": ["django", "bottle"],
        },
    )
    assert [r["framework"] for r in body["recommendations"]] == ["django"]
    excluded = {x["framework"]: x for x in body["excluded"]}
    assert "bottle" in excluded
    assert "cms" in excluded["bottle"]["reasons"][0]["text"]


async def test_gaps_name_the_packages_that_fill_them(client: httpx.AsyncClient) -> None:
    body = await _recommend(
        client,
        {"project_type": "api", "features": {"admin_panel": "want"}, "candidates": ["fastapi"]},
    )
    gap = body["recommendations"][0]["gaps"][0]
    assert gap["feature"] == "admin_panel"
    assert gap["support"] != "builtin"
    assert gap["packages"]


async def test_serverless_warns_about_django_cold_start(client: httpx.AsyncClient) -> None:
    body = await _recommend(
        client, {"project_type": "api", "deployment": "serverless", "candidates": ["django"]}
    )
    warnings = " ".join(w["text"] for w in body["recommendations"][0]["warnings"])
    assert "cold start" in warnings.lower()


async def test_no_async_experience_warns_on_async_first_frameworks(
    client: httpx.AsyncClient,
) -> None:
    body = await _recommend(
        client,
        {"project_type": "api", "team": {"async_experience": "none"}, "candidates": ["fastapi"]},
    )
    warnings = " ".join(w["text"] for w in body["recommendations"][0]["warnings"])
    assert "event loop" in warnings


async def test_top_k_limits_the_list(client: httpx.AsyncClient) -> None:
    body = await _recommend(client, {"project_type": "api", "top_k": 2})
    assert len(body["recommendations"]) == 2


async def test_flips_name_a_change_that_really_changes_the_top_pick(
    client: httpx.AsyncClient,
) -> None:
    profile: dict[str, Any] = {"project_type": "prototype", "timeline_weeks": 2}
    body = await _recommend(client, profile)
    top = body["recommendations"][0]["framework"]
    assert body["decision"]["flips"]
    for flip in body["decision"]["flips"]:
        field, change = flip["change"].split(": ")
        section, key = field.split(".")
        new = change.split(" → ")[1]
        changed = {
            **profile,
            section: {**profile.get(section, {}), key: new if section == "features" else int(new)},
        }
        again = await _recommend(client, changed)
        assert again["recommendations"][0]["framework"] == flip["new_top"] != top


@pytest.mark.parametrize(
    ("field", "value", "location"),
    [
        ("features", {"telepathy": "must"}, "features.telepathy"),
        ("priorities", {"vibes": 3}, "priorities.vibes"),
        ("candidates", ["django", "rails"], "candidates.1"),
        ("current_framework", "rails", "current_framework"),
    ],
)
async def test_unknown_slugs_are_422_naming_the_field(
    client: httpx.AsyncClient, field: str, value: object, location: str
) -> None:
    response = await client.post("/recommend", json={"project_type": "api", field: value})
    assert response.status_code == 422
    fields = [e["field"] for e in response.json()["errors"]]
    assert location in fields


async def test_recommend_runs_no_database_query(
    client: httpx.AsyncClient, app: FastAPI, engine: AsyncEngine
) -> None:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    engines = [app.state.engine.sync_engine, engine.sync_engine]
    for sync_engine in engines:
        event.listen(sync_engine, "before_cursor_execute", record)
    try:
        await _recommend(client, {"project_type": "api"})
        assert statements == []
        await client.get("/frameworks")  # the listener does see the catalog's queries
        assert statements
    finally:
        for sync_engine in engines:
            event.remove(sync_engine, "before_cursor_execute", record)
