"""The deployment files say what the code does: every setting in .env.example, a compose file
whose app waits on a healthy PostgreSQL 17 with a named volume."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic.fields import FieldInfo

from app.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
ENTRY = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$")


def _env_names(name: str, field: FieldInfo) -> list[str]:
    alias = field.validation_alias
    if alias is not None and hasattr(alias, "choices"):
        return [str(choice) for choice in alias.choices]
    return [f"ADVISOR_{name.upper()}"]


def _example() -> dict[str, tuple[str, bool]]:
    """NAME -> (value, set); a commented-out `# NAME=` line lists a setting without setting it."""
    entries = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if match := ENTRY.match(line.strip()):
            entries[match[1]] = (match[2], not line.startswith("#"))
    return entries


def test_env_example_lists_every_setting_with_its_default() -> None:
    example = _example()
    for name, field in Settings.model_fields.items():
        names = _env_names(name, field)
        listed = [n for n in names if n in example]
        assert listed, f".env.example does not list {names[0]}"
        value, is_set = example[listed[0]]
        if is_set:
            default = field.get_default(call_default_factory=True)
            parsed = Settings.model_validate({name: value}).model_dump()[name]
            assert parsed == default, f"{listed[0]}: .env.example says {value}, default {default}"


def _compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return document


def test_compose_runs_the_app_on_a_healthy_postgres_17_with_a_named_volume() -> None:
    services = _compose()["services"]
    db, app = services["db"], services["app"]
    assert db["image"] == "postgres:17"
    assert db["healthcheck"]["test"]
    volume = db["volumes"][0].split(":")[0]
    assert volume in _compose()["volumes"]
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert "@db:5432/" in app["environment"]["DATABASE_URL"]
    assert app["environment"]["ADVISOR_HOST"] == "0.0.0.0"


def test_the_dockerfile_serves_on_the_configured_host_and_port_as_non_root() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    runtime = dockerfile.rsplit("\nFROM ", 1)[1]
    assert re.search(r"^USER advisor$", runtime, re.MULTILINE)
    assert 'CMD ["framework-advisor", "serve"]' in runtime  # serve reads ADVISOR_HOST/PORT
    healthcheck = runtime.split("HEALTHCHECK", 1)[1].split("\n#", 1)[0]
    assert "ADVISOR_PORT" in healthcheck
    assert "8000/healthz" not in healthcheck
