"""The TypeScript client in clients/typescript: type-checked, then run against a live service.

Needs node and npm (`.ci/run` installs them when missing); without them these tests skip and say
why. The drift tests regenerate the types from openapi.json and compare them with the committed
ones, so a change to the API that was not carried to the client fails here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLIENT = ROOT / "clients" / "typescript"
COMMITTED_TYPES = CLIENT / "src" / "schema.d.ts"
REGENERATE = "npm --prefix clients/typescript run generate"
NPM = shutil.which("npm")

pytestmark = pytest.mark.skipif(
    not (shutil.which("node") and NPM),
    reason="node and npm are not installed: the TypeScript client is not tested (.ci/run "
    "installs them)",
)


def _npm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    assert NPM is not None
    return subprocess.run(
        [NPM, *args],
        cwd=CLIENT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def installed() -> None:
    """`npm ci`: exactly the locked packages."""
    result = _npm("ci", "--no-audit", "--no-fund")
    assert result.returncode == 0, result.stdout + result.stderr


def _generate(openapi: Path, output: Path) -> str:
    """The types openapi-typescript makes from ``openapi`` with the client's own settings."""
    script = json.loads((CLIENT / "package.json").read_text(encoding="utf-8"))["scripts"]
    arguments = script["generate"].split()
    assert arguments[:2] == ["openapi-typescript", "../../openapi.json"], arguments
    assert arguments[-2] == "--output", arguments
    command = [
        str(CLIENT / "node_modules" / ".bin" / "openapi-typescript"),
        str(openapi),
        *arguments[2:-1],
        str(output),
    ]
    result = subprocess.run(
        command, cwd=CLIENT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return output.read_text(encoding="utf-8")


def _types_are_current(openapi: Path, workdir: Path) -> bool:
    """The drift check: regenerating from ``openapi`` gives exactly the committed types."""
    return _generate(openapi, workdir / "schema.d.ts") == COMMITTED_TYPES.read_text(
        encoding="utf-8"
    )


@pytest.mark.usefixtures("installed")
def test_npm_test_typechecks_and_calls_the_live_service(live_server: str) -> None:
    result = _npm("test", env={"ADVISOR_URL": live_server})
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "# pass 3" in output, output
    assert "# fail 0" in output, output


@pytest.mark.usefixtures("installed")
def test_the_generated_types_match_the_committed_openapi(tmp_path: Path) -> None:
    assert _types_are_current(ROOT / "openapi.json", tmp_path), (
        f"clients/typescript/src/schema.d.ts is stale: regenerate it with `{REGENERATE}`"
    )


@pytest.mark.usefixtures("installed")
def test_the_drift_check_fails_when_openapi_changes_without_regenerating(
    tmp_path: Path,
) -> None:
    document = json.loads((ROOT / "openapi.json").read_text(encoding="utf-8"))
    profile = document["components"]["schemas"]["ProjectProfile"]["properties"]
    profile["budget_eur"] = {"type": "integer", "description": "A new field.", "examples": [1]}
    changed = tmp_path / "openapi.json"
    changed.write_text(json.dumps(document, indent=2), encoding="utf-8")
    assert not _types_are_current(changed, tmp_path)
