"""The catalog read API over the knowledge base."""

from __future__ import annotations

import httpx

from app.knowledge.bundle import KnowledgeBundle
from app.knowledge.compile import stale_packages


async def test_list_frameworks_gives_slug_name_and_summary(
    client: httpx.AsyncClient, bundle: KnowledgeBundle
) -> None:
    response = await client.get("/frameworks")
    assert response.status_code == 200
    body = response.json()
    assert {f["slug"] for f in body} == {f.slug for f in bundle.frameworks}
    assert all(set(f) == {"slug", "name", "summary"} and f["summary"] for f in body)


async def test_get_framework_returns_cited_criteria_features_and_benchmarks(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/frameworks/fastapi")
    assert response.status_code == 200
    body = response.json()
    performance = next(c for c in body["criteria"] if c["criterion"] == "performance")
    assert 0 <= performance["value"] <= 1
    assert performance["evidence"]
    assert all(e["source"] and e["claim"] for e in performance["evidence"])
    docs = next(f for f in body["features"] if f["feature"] == "auto_api_docs")
    assert docs["support"] == "builtin"
    assert {b["source"] for b in body["benchmarks"]} >= {"acquaint-2026", "pillai-infotech"}


async def test_unknown_criterion_value_is_null_not_zero(client: httpx.AsyncClient) -> None:
    body = (await client.get("/frameworks/litestar")).json()
    unknown = [c for c in body["criteria"] if c["value"] is None]
    assert unknown, "litestar has criteria the sources do not settle"
    assert all(c["evidence"] == [] or c["value"] is None for c in unknown)


async def test_unknown_framework_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/frameworks/no-such-framework")
    assert response.status_code == 404
    assert "no-such-framework" in response.json()["detail"]


async def test_criteria_features_and_sources_are_listed(client: httpx.AsyncClient) -> None:
    criteria = (await client.get("/criteria")).json()
    features = (await client.get("/features")).json()
    sources = (await client.get("/sources")).json()
    assert "performance" in {c["slug"] for c in criteria}
    assert all(c["scale"] for c in criteria)
    assert "admin_panel" in {f["slug"] for f in features}
    seed = next(s for s in sources if s["id"] == "wiles-2025")
    assert seed["author"] == "Frank Wiles"
    assert seed["published"] == "2025-09-12"
    assert {"id", "title", "author", "published", "url"} <= set(seed)


async def test_rules_include_the_twelve_decision_matrix_scenarios(
    client: httpx.AsyncClient,
) -> None:
    rules = (await client.get("/rules")).json()
    sources = {s["id"]: s for s in (await client.get("/sources")).json()}
    matrix = [r for r in rules if r["kind"] == "matrix"]
    assert len(matrix) == 12
    for rule in matrix:
        assert sources[rule["source"]]["seed_file"] == "000_cd1deccd287be11c.txt"
        assert rule["primary"]
        assert rule["when"]
    assert all(r["source"] in sources for r in rules)


async def test_every_framework_shows_dated_health_and_its_maintenance(
    client: httpx.AsyncClient, bundle: KnowledgeBundle
) -> None:
    for framework in bundle.frameworks:
        body = (await client.get(f"/frameworks/{framework.slug}")).json()
        health = body["health"]
        assert health is not None, framework.slug
        assert health["read_on"] >= health["latest_release_date"]
        assert health["url"].endswith(f"/{framework.pypi}/json")
        maintenance = next(c for c in body["criteria"] if c["criterion"] == "maintenance")
        assert maintenance["value"] is not None
        assert health["latest_release_date"] in maintenance["raw"]


async def test_stale_packages_stay_listed_but_flagged(
    client: httpx.AsyncClient, bundle: KnowledgeBundle
) -> None:
    stale = stale_packages(bundle)
    flagged = []
    for framework in bundle.frameworks:
        body = (await client.get(f"/frameworks/{framework.slug}")).json()
        for feature in body["features"]:
            assert set(feature["stale_packages"]) == set(feature["packages"]) & stale
            flagged += feature["stale_packages"]
    assert flagged, "some feature names a stale package, so the flag is exercised"
