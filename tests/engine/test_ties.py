"""Equal totals are ordered by slug, whatever order the knowledge base lists them in."""

from __future__ import annotations

from app.engine.profile import ProjectProfile
from app.engine.score import rank
from app.engine.snapshot import FrameworkInfo
from app.knowledge.compile import assemble_snapshot


def _bare(slug: str) -> FrameworkInfo:
    return FrameworkInfo(slug=slug, name=slug, summary="", criteria={}, features={}, companions={})


def test_ties_break_by_slug() -> None:
    snapshot = assemble_snapshot(
        version="t",
        criteria=("performance",),
        criterion_names={"performance": "Raw performance"},
        features=(),
        frameworks={slug: _bare(slug) for slug in ("zeta", "alpha", "mid")},
        rules=(),
        migrations={},
        sources={},
    )
    profile = ProjectProfile.model_validate({"project_type": "api"})
    assert rank(profile, snapshot) == ["alpha", "mid", "zeta"]
