"""Package health: figures from an index's JSON, the refresh command, the derived criterion."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.engine.policy import MAINTENANCE_RUBRIC
from app.knowledge.bundle import DATA_DIR, Health, KnowledgeBundle, read_bundle
from app.knowledge.compile import (
    compile_snapshot,
    is_stale,
    maintenance_assessment,
    stale_packages,
)
from app.knowledge.health import PACKAGES_FILE, health_from_index, named_packages

TODAY = dt.date(2026, 11, 23)


def _upload(when: str, *, yanked: bool = False) -> dict[str, Any]:
    return {"upload_time_iso_8601": f"{when}T12:00:00.000000Z", "yanked": yanked}


def _document(latest: str, releases: dict[str, str], requires: str | None = ">=3.9") -> Any:
    return {
        "info": {"version": latest, "requires_python": requires},
        "releases": {v: [_upload(d)] for v, d in releases.items()},
    }


def test_health_counts_releases_in_the_last_24_months() -> None:
    document = _document(
        "2.1.0",
        {"1.0.0": "2023-01-10", "2.0.0": "2025-03-01", "2.1.0": "2026-10-02", "0.1": "2019-05-05"},
    )
    health = health_from_index(document, url="u", today=TODAY)
    assert health == Health(
        latest_release="2.1.0",
        latest_release_date="2026-10-02",
        releases_24m=2,
        requires_python=">=3.9",
        read_on="2026-11-23",
        url="u",
    )


def test_a_yanked_upload_does_not_date_a_release() -> None:
    document = _document("1.0", {"1.0": "2024-01-01"})
    document["releases"]["1.0"].append(_upload("2020-01-01", yanked=True))
    health = health_from_index(document, url="u", today=TODAY)
    assert health is not None
    assert health.latest_release_date == "2024-01-01"


def test_a_package_without_a_published_release_has_no_health() -> None:
    assert (
        health_from_index({"info": {"version": "1.0"}, "releases": {}}, url="u", today=TODAY)
        is None
    )


@pytest.mark.parametrize(
    ("latest", "expected"),
    [("2026-11-01", False), ("2023-11-24", False), ("2023-11-22", True), ("2019-01-01", True)],
)
def test_stale_means_no_release_in_36_months(latest: str, expected: bool) -> None:
    health = Health(
        latest_release="1",
        latest_release_date=latest,
        releases_24m=0,
        requires_python=None,
        read_on="2026-11-23",
        url="u",
    )
    assert is_stale(health) is expected


@pytest.mark.parametrize(
    ("latest", "releases", "expected"),
    [
        ("2026-10-01", 12, MAINTENANCE_RUBRIC[0][1]),
        ("2026-01-01", 1, MAINTENANCE_RUBRIC[0][1]),
        ("2025-06-01", 0, MAINTENANCE_RUBRIC[1][1]),
        ("2024-06-01", 0, MAINTENANCE_RUBRIC[2][1]),
        ("2020-06-01", 0, 0.0),
    ],
)
def test_maintenance_follows_the_rubric(latest: str, releases: int, expected: float) -> None:
    health = Health(
        latest_release="1",
        latest_release_date=latest,
        releases_24m=releases,
        requires_python=None,
        read_on="2026-11-23",
        url="https://pypi.org/pypi/x/json",
    )
    assessment = maintenance_assessment("x", health)
    assert assessment.value == expected
    assert assessment.evidence
    assert "https://pypi.org/pypi/x/json" in assessment.evidence[0].claim


def test_unrecorded_health_leaves_maintenance_unknown_with_a_note() -> None:
    assessment = maintenance_assessment("x", None)
    assert assessment.value is None
    assert assessment.note


def test_every_named_package_has_health(bundle: KnowledgeBundle) -> None:
    recorded = {p.name: p.health for p in bundle.packages}
    missing = [n for n in named_packages(bundle) if recorded.get(n) is None]
    assert missing == [], "run `framework-advisor kb refresh-health` and review the diff"


def test_the_bundled_stacks_suggest_no_stale_package(bundle: KnowledgeBundle) -> None:
    snapshot = compile_snapshot(bundle, "test")
    stale = stale_packages(bundle)
    suggested = {i.package for stack in snapshot.stacks.values() for i in stack if i.package}
    assert stale, "the check needs at least one stale package to mean anything"
    assert suggested & stale == set()


class _Index(http.server.BaseHTTPRequestHandler):
    documents: dict[str, Any] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        name = self.path.strip("/").removesuffix("/json")
        document = self.documents.get(name)
        body = json.dumps(document).encode() if document else b"{}"
        self.send_response(200 if document else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_index() -> Iterator[tuple[str, dict[str, Any]]]:
    """A loopback server that speaks the package index's JSON API."""
    documents: dict[str, Any] = {}
    handler = type("Index", (_Index,), {"documents": documents})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", documents
    server.shutdown()
    server.server_close()


def test_refresh_health_rewrites_only_the_figures(
    tmp_path: Path, local_index: tuple[str, dict[str, Any]]
) -> None:
    url, documents = local_index
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    before = read_bundle(data)
    names = named_packages(before)
    for i, name in enumerate(names[1:]):
        documents[name] = _document(f"9.{i}", {f"9.{i}": "2026-11-01", "8.0": "2025-01-01"})
    untouched = {
        p.relative_to(data): p.read_bytes() for p in data.rglob("*.yaml") if p.name != PACKAGES_FILE
    }

    result = CliRunner().invoke(
        cli,
        [
            "kb",
            "refresh-health",
            "--index-url",
            url,
            "--data-dir",
            str(data),
            "--today",
            "2026-11-23",
        ],
    )

    assert result.exit_code == 0, result.output
    after = read_bundle(data)
    health = {p.name: p.health for p in after.packages}
    assert health[names[1]] is not None
    assert health[names[1]].latest_release == "9.0"
    assert health[names[1]].releases_24m == 2
    assert health[names[1]].url == f"{url}/{names[1]}/json"
    assert health[names[0]] is None  # the index has never heard of it
    assert f"not on the index: {names[0]}" in result.output
    assert after.version() != before.version()
    assert {
        p.relative_to(data): p.read_bytes() for p in data.rglob("*.yaml") if p.name != PACKAGES_FILE
    } == untouched
