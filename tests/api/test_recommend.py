"""POST /recommend over HTTP: the contract, the examples, and the answers' traceability."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from app.api.recommend import EXAMPLES
from app.engine.policy import FAMILIARITY_EVIDENCE
from tests.problem_json import assert_problem


async def _recommend(
    client: httpx.AsyncClient, profile: dict[str, Any], detail: str | None = None
) -> dict[str, Any]:
    params = {"detail": detail} if detail else {}
    response = await client.post("/recommend", params=params, json=profile)
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


def _readme_profile() -> dict[str, Any]:
    """The profile of the README's curl example ("Asking for a recommendation")."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Asking for a recommendation", 1)[1]
    match = re.search(r"curl -s localhost:8000/recommend .*?-d '(\{.*?\})'", section, re.DOTALL)
    assert match, "the README's example request is gone"
    profile: dict[str, Any] = json.loads(match.group(1))
    return profile


def _cited_at(body: dict[str, Any]) -> set[str]:
    """Every source id a body names, wherever it names one."""
    cited: set[str] = set()
    for entry in body["recommendations"]:
        for key in ("adjustments", "reasons", "warnings", "stack"):
            cited |= {s for n in entry.get(key, []) for s in n.get("sources", [])}
        for line in entry.get("breakdown", []):
            cited |= {e["source"] for e in line["evidence"] if isinstance(e, dict)}
    cited |= {s for x in body.get("excluded", []) for n in x["reasons"] for s in n["sources"]}
    if body.get("migration"):
        cited |= set(body["migration"]["sources"])
    return cited


@pytest.mark.parametrize("detail", ["summary", "default", "full"])
async def test_every_cited_source_is_listed_at_each_level(
    client: httpx.AsyncClient, detail: str
) -> None:
    body = await _recommend(client, dict(EXAMPLES["b2b_saas"]["value"]), detail=detail)
    assert body["detail"] == detail
    assert body["kb_version"]
    listed = {s["id"] if detail == "full" else s for s in body["sources"]}
    cited = _cited_at(body)
    assert cited
    assert cited == listed


async def test_the_levels_agree_and_only_full_inlines_texts(client: httpx.AsyncClient) -> None:
    profile = dict(EXAMPLES["b2b_saas"]["value"])
    bodies = {
        d: await _recommend(client, profile, detail=d) for d in ("summary", "default", "full")
    }
    assert bodies["default"] == await _recommend(client, profile)  # default is the default
    ranked = {
        d: [(e["framework"], e["score"]) for e in b["recommendations"]] for d, b in bodies.items()
    }
    assert ranked["summary"] == ranked["default"] == ranked["full"]
    assert bodies["summary"]["decision"] == bodies["default"]["decision"]
    compact, full = bodies["default"]["recommendations"][0], bodies["full"]["recommendations"][0]
    assert set(bodies["summary"]["recommendations"][0]) == {
        "rank", "framework", "name", "score", "fit", "reasons", "warnings"
    }  # fmt: skip
    assert all(
        set(b) == {"criterion", "value", "contribution", "evidence"} for b in compact["breakdown"]
    )
    assert all(isinstance(i, str) for b in compact["breakdown"] for i in b["evidence"])
    assert "stack" not in compact
    assert all("raw" in b for b in full["breakdown"])
    assert full["stack"]
    assert [[e["id"] for e in b["evidence"]] for b in full["breakdown"]] == [
        b["evidence"] for b in compact["breakdown"]
    ]
    weights = bodies["default"]["weights"]
    assert [b["weight"] for b in full["breakdown"]] == [
        weights[b["criterion"]] for b in compact["breakdown"]
    ]


async def test_the_catalog_shows_every_evidence_id_beside_its_text(
    client: httpx.AsyncClient,
) -> None:
    profile = _readme_profile()
    compact = await _recommend(client, profile)
    full = await _recommend(client, profile, detail="full")
    for entry, detailed in zip(compact["recommendations"], full["recommendations"], strict=True):
        page = (await client.get(f"/frameworks/{entry['framework']}")).json()
        shown = {
            e["id"]: (e["source"], e["claim"])
            for cell in (*page["criteria"], *page["features"], *page["relatives"])
            for e in cell["evidence"]
        }
        inline = {
            e["id"]: (e["source"], e["claim"]) for b in detailed["breakdown"] for e in b["evidence"]
        }
        for line in entry["breakdown"]:
            for evidence_id in line["evidence"]:
                if evidence_id == FAMILIARITY_EVIDENCE.id:  # the policy's own citation
                    continue
                assert shown[evidence_id] == inline[evidence_id], (entry["framework"], line)


#: The README's example answer stays small enough to read (issue 11). Bytes, not time.
SIZE_LIMITS = {"default": 16_000, "summary": 4_000}


@pytest.mark.parametrize("detail", sorted(SIZE_LIMITS))
async def test_the_readme_example_answer_is_compact(client: httpx.AsyncClient, detail: str) -> None:
    response = await client.post("/recommend", params={"detail": detail}, json=_readme_profile())
    assert response.status_code == 200, response.text
    assert len(response.content) <= SIZE_LIMITS[detail], len(response.content)
    full = await client.post("/recommend", params={"detail": "full"}, json=_readme_profile())
    assert len(response.content) < len(full.content)


async def test_an_unknown_detail_level_is_a_422_naming_it(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/recommend", params={"detail": "everything"}, json={"project_type": "api"}
    )
    body = assert_problem(response, 422)
    assert [(e["field"], e["in"]) for e in body["errors"]] == [("detail", "query")]


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
