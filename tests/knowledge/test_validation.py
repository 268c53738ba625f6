"""The bundle's validators fail loudly: one test per way a data file can be wrong."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from app.knowledge.bundle import KnowledgeBundle

Data = dict[str, Any]


@pytest.fixture(scope="module")
def valid(bundle: KnowledgeBundle) -> Data:
    return bundle.model_dump(mode="json", by_alias=True)


def _rule(data: Data, **changes: Any) -> None:
    data["rules"][0].update(changes)


def _framework(data: Data, slug: str) -> Data:
    found: Data = next(fw for fw in data["frameworks"] if fw["slug"] == slug)
    return found


BROKEN: dict[str, tuple[Callable[[Data], None], str]] = {
    "rule condition names an unknown project type": (
        lambda d: _rule(d, when=[{"project_types": ["blog"]}]),
        "project_types",
    ),
    "rule condition names an unknown workload": (
        lambda d: _rule(d, when=[{"workloads": ["batch"]}]),
        "workloads",
    ),
    "rule condition names an unknown deployment": (
        lambda d: _rule(d, when=[{"deployments": ["mainframe"]}]),
        "deployments",
    ),
    "rule condition names an unknown feature": (
        lambda d: _rule(d, when=[{"features_any": ["teleportation"]}]),
        "unknown feature 'teleportation'",
    ),
    "rule condition names an unknown criterion": (
        lambda d: _rule(d, when=[{"min_priority": {"vibes": 3}}]),
        "unknown criterion 'vibes'",
    ),
    "rule condition names an unknown current framework": (
        lambda d: _rule(d, when=[{"current_frameworks": ["rails"]}]),
        "unknown framework 'rails'",
    ),
    "rule lists a framework as primary and alternative": (
        lambda d: _rule(d, primary=["django"], alternative=["django"], avoid=[]),
        "'django' is in both primary and alternative",
    ),
    "rule lists a framework as primary and avoid": (
        lambda d: _rule(d, primary=["flask"], alternative=[], avoid=["flask"]),
        "'flask' is in both primary and avoid",
    ),
    "rule names an unknown framework": (
        lambda d: _rule(d, primary=["rails"]),
        "unknown framework 'rails'",
    ),
    "companion names an unknown framework": (
        lambda d: d["companions"][0].update(framework="rails"),
        "unknown framework 'rails'",
    ),
    "migration path names an unknown framework": (
        lambda d: d["migrations"][0].update(to="rails"),
        "unknown framework 'rails'",
    ),
    "builds_on names an unknown framework": (
        lambda d: _framework(d, "fastapi").update(builds_on="rails"),
        "unknown framework 'rails'",
    ),
    "builds_on names itself": (
        lambda d: _framework(d, "fastapi").update(builds_on="fastapi"),
        "a layer must build on a standalone framework",
    ),
    "known feature cell has no evidence": (
        lambda d: _framework(d, "django")["features"]["orm"].update(evidence=[]),
        "support 'builtin' needs at least one evidence row",
    ),
    "none feature cell has no evidence": (
        lambda d: _framework(d, "flask")["features"].update(
            cms={"support": "none", "packages": [], "evidence": []}
        ),
        "support 'none' needs at least one evidence row",
    ),
    "unknown feature cell has no note": (
        lambda d: _framework(d, "flask")["features"].update(
            cms={"support": "unknown", "packages": [], "evidence": [], "note": None}
        ),
        "unknown support needs a note",
    ),
    "known criterion value has no evidence": (
        lambda d: _framework(d, "django")["assessments"]["security"].update(evidence=[]),
        "a known value needs at least one evidence row",
    ),
    "evidence cites an unknown source": (
        lambda d: _framework(d, "django")["features"]["orm"]["evidence"][0].update(
            source="hearsay"
        ),
        "unknown source 'hearsay'",
    ),
    "maintenance written by hand": (
        lambda d: _framework(d, "django")["assessments"].update(
            maintenance={"value": None, "raw": None, "evidence": []}
        ),
        "maintenance",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_invalid_bundle_is_rejected(valid: Data, case: str) -> None:
    breaks, message = BROKEN[case]
    data = copy.deepcopy(valid)
    breaks(data)
    with pytest.raises(ValidationError, match=message):
        KnowledgeBundle.model_validate(data)


def test_the_unbroken_copy_is_valid(valid: Data) -> None:
    """The cases above fail because of what they break, not because the copy is invalid."""
    assert KnowledgeBundle.model_validate(copy.deepcopy(valid)).version()
