"""The engine's policy tables stay consistent with the knowledge base they cite."""

from __future__ import annotations

from typing import get_args

from app.engine.policy import (
    FAMILIARITY_EVIDENCE,
    IMPLIED_WEIGHTS,
    RULE_UNITS,
    SITUATIONAL_CRITERIA,
)
from app.knowledge.bundle import KnowledgeBundle
from app.vocab import RuleKind


def test_every_rule_kind_has_points() -> None:
    assert set(RULE_UNITS) == set(get_args(RuleKind))


def test_implied_weights_cite_known_sources_and_criteria(bundle: KnowledgeBundle) -> None:
    sources = {s.id for s in bundle.sources}
    criteria = {c.slug for c in bundle.criteria}
    for implied in IMPLIED_WEIGHTS:
        assert implied.source in sources, implied.why
        assert implied.why
        assert set(implied.weights) <= criteria, implied.why
    assert set(SITUATIONAL_CRITERIA) <= criteria
    assert FAMILIARITY_EVIDENCE.source in sources
