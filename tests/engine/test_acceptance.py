"""The seed documents' guidance, written as profiles: the engine must agree with each of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from app.engine import recommend
from app.engine.profile import ProjectProfile
from app.engine.snapshot import KnowledgeSnapshot

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "acceptance_cases.yaml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_seed_guidance_is_followed(case: dict[str, Any], snapshot: KnowledgeSnapshot) -> None:
    result = recommend(ProjectProfile.model_validate(case["profile"]), snapshot)
    ranking = [r.framework for r in result.recommendations]
    summary = f"{case['says']}: got {[(r.framework, r.score) for r in result.recommendations[:3]]}"
    assert ranking[0] in case["primary"], summary
    for alternative in case.get("alternative", []):
        assert alternative in ranking[:3], summary


def test_cases_cover_every_seed_source() -> None:
    prefixes = {c["id"].split("-")[0] for c in CASES}
    assert {"matrix", "product", "tree", "team", "question", "advice"} <= prefixes
    matrix_rows = {c["id"].split("-")[1] for c in CASES if c["id"].startswith("matrix-")}
    assert matrix_rows == {f"{n:02d}" for n in range(1, 13)}
