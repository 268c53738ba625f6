"""Frameworks set aside from the ranking: excluded by a must-have, or folded under their base.

Each is listed with a sentence that does not depend on the rest of the profile, so the snapshot
precompiles them: an answer that sets aside much of a large catalog only looks them up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from app.engine.result import Exclusion, Folded, Note

if TYPE_CHECKING:
    from app.engine.snapshot import FrameworkInfo


def exclusion_note(framework: FrameworkInfo, feature: str) -> Note:
    return Note(
        text=f"must-have feature '{feature}': the sources say it has none, and no package adds it",
        sources=sorted({e.source for e in framework.offer(feature).evidence}),
    )


def exclusions(framework: FrameworkInfo) -> dict[str, Exclusion]:
    """Per feature whose cited "none" rules the framework out: its exclusion by that one must."""
    return {
        feature: Exclusion(framework=framework.slug, reasons=[exclusion_note(framework, feature)])
        for feature, offer in framework.features.items()
        if offer.ruled_out
    }


def foldings(frameworks: Mapping[str, FrameworkInfo]) -> dict[str, dict[bool, Folded]]:
    """Per layer whose base is in the catalog: its listing, for an API-first project (True) and
    for any other (False)."""
    found = {}
    for slug, framework in frameworks.items():
        base = framework.builds_on
        if base is None or base not in frameworks:
            continue
        found[slug] = {
            True: Folded(
                framework=slug,
                base=base,
                reason=f"It scores no higher than {frameworks[base].name}, which it adds to.",
            ),
            False: Folded(
                framework=slug,
                base=base,
                reason="An API layer is listed apart from its base only for API-first projects.",
            ),
        }
    return found
