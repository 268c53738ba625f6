"""Compiling the bundle into the engine's snapshot: layers take their base's facts."""

from __future__ import annotations

import pytest

from app.engine.result import cite, evidence_id
from app.knowledge.bundle import FeatureSupport, FrameworkData, KnowledgeBundle, Support
from app.knowledge.compile import check_evidence_ids, compile_snapshot
from app.knowledge.service import framework_view


def _with_layer(bundle: KnowledgeBundle) -> KnowledgeBundle:
    """The bundle plus a layer on Flask that states one fact of its own."""
    flask = next(fw for fw in bundle.frameworks if fw.slug == "flask")
    evidence = flask.features["orm"].evidence
    layer = FrameworkData(
        slug="flask-layer",
        name="Flask layer",
        summary="A layer on Flask, for the test.",
        pypi="flask",
        builds_on="flask",
        features={"auto_api_docs": FeatureSupport(support=Support.builtin, evidence=evidence)},
    )
    return bundle.model_copy(update={"frameworks": [*bundle.frameworks, layer]})


def test_a_layer_takes_its_bases_facts_unless_it_states_its_own(bundle: KnowledgeBundle) -> None:
    snapshot = compile_snapshot(_with_layer(bundle), "test")
    layer, flask = snapshot.frameworks["flask-layer"], snapshot.frameworks["flask"]
    assert layer.offer("auto_api_docs").support == "builtin"
    assert flask.offer("auto_api_docs").support != "builtin"
    assert layer.offer("orm") == flask.offer("orm")
    assert layer.value("security") == flask.value("security")


def test_the_catalog_says_which_facts_a_layer_inherits(bundle: KnowledgeBundle) -> None:
    view = framework_view(_with_layer(bundle), "flask-layer")
    features = {f.feature: f for f in view.features}
    assert features["auto_api_docs"].inherited_from is None
    assert features["orm"].inherited_from == "flask"
    assert features["orm"].support == next(
        f.support for f in framework_view(bundle, "flask").features if f.feature == "orm"
    )


def test_evidence_ids_are_given_at_compile_time_and_name_one_claim_each(
    bundle: KnowledgeBundle,
) -> None:
    snapshot = compile_snapshot(bundle, "test")
    claims: dict[str, tuple[str, str]] = {}
    for framework in snapshot.frameworks.values():
        cited = [e for v in framework.criteria.values() for e in v.evidence]
        cited += [e for o in framework.features.values() for e in o.evidence]
        for item in cited:
            assert item.id == evidence_id(item.source, item.claim)
            assert claims.setdefault(item.id, (item.source, item.claim)) == (
                item.source,
                item.claim,
            )
    assert len(claims) > 500  # every cell's evidence was seen, not a handful


def test_two_claims_sharing_an_id_are_refused() -> None:
    # Found by a birthday search: two different claims whose 30-bit ids are the same.
    first, second = (
        cite("test-source", "collision probe 30879"),
        cite("test-source", "collision probe 80104"),
    )
    assert first.id == second.id
    check_evidence_ids([first, first])  # the same claim cited twice is one piece of evidence
    with pytest.raises(ValueError, match=f"evidence id {first.id} names two claims"):
        check_evidence_ids([first, second])


def test_the_catalog_shows_the_snapshots_evidence_ids_and_the_relatives(
    bundle: KnowledgeBundle,
) -> None:
    snapshot = compile_snapshot(bundle, "test")
    view = framework_view(bundle, "quart")
    quart = snapshot.frameworks["quart"]
    for cell in view.criteria:
        assert [e.id for e in cell.evidence] == [e.id for e in quart.value(cell.criterion).evidence]
    for cell in view.features:
        assert [e.id for e in cell.evidence] == [e.id for e in quart.offer(cell.feature).evidence]
    shown = {r.framework: [e.id for e in r.evidence] for r in view.relatives}
    assert shown == {slug: [e.id for e in ev] for slug, ev in quart.relatives.items()}
    assert any(shown.values())  # quart's data names a relative, with evidence
