"""Compiling the bundle into the engine's snapshot: layers take their base's facts."""

from __future__ import annotations

from app.knowledge.bundle import FeatureSupport, FrameworkData, KnowledgeBundle, Support
from app.knowledge.compile import compile_snapshot
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
