"""The team and the switch: familiarity, the cost of moving a codebase, and migration advice."""

from __future__ import annotations

from dataclasses import dataclass

from app.engine.policy import (
    FAMILIAR_KNOWN,
    FAMILIAR_NONE,
    FAMILIAR_RELATIVE,
    FAMILIARITY_EVIDENCE,
    RELATIVE_SWITCH_SHARE,
    SWITCHING_COST_UNITS,
    SWITCHING_SOURCE,
)
from app.engine.profile import ProjectProfile
from app.engine.result import EvidenceItem, MigrationAdvice
from app.engine.snapshot import FrameworkInfo, KnowledgeSnapshot, RuleEffect

STAY_CLAIM = (
    "If it ain't broke, don't fix it. Unless it's costing you users or money."  # buildsmart-2025
)


@dataclass(frozen=True, slots=True)
class Familiarity:
    value: float
    raw: str
    evidence: tuple[EvidenceItem, ...]


def familiarity(framework: FrameworkInfo, profile: ProjectProfile) -> Familiarity | None:
    """How well the team knows the framework; None when the profile does not say."""
    known = profile.team.known_frameworks
    if known is None:
        return None
    if framework.slug in known:
        return Familiarity(
            FAMILIAR_KNOWN, f"The team knows {framework.name}.", (FAMILIARITY_EVIDENCE,)
        )
    relatives = [slug for slug in known if slug in framework.relatives]
    if relatives:
        evidence = tuple(e for slug in relatives for e in framework.relatives[slug])
        return Familiarity(
            FAMILIAR_RELATIVE,
            f"The team knows {', '.join(relatives)}, close to {framework.name}: much carries over.",
            (FAMILIARITY_EVIDENCE, *evidence),
        )
    stated = ", ".join(known) if known else "no framework"
    return Familiarity(
        FAMILIAR_NONE,
        f"Nobody on the team knows {framework.name} (the team knows {stated}).",
        (FAMILIARITY_EVIDENCE,),
    )


def _is_addition_to(framework: FrameworkInfo, current: str) -> bool:
    """A layer on the current framework is added to the codebase, not a rewrite of it."""
    return framework.builds_on == current


def switching_effect(
    framework: FrameworkInfo, profile: ProjectProfile, snapshot: KnowledgeSnapshot
) -> RuleEffect | None:
    """The cost of moving the stated codebase to this framework, in guidance units."""
    current, size = profile.current_framework, profile.codebase
    if current is None or size is None or framework.slug == current:
        return None
    if _is_addition_to(framework, current):
        return None
    units = SWITCHING_COST_UNITS[size.value]
    if current in framework.relatives:
        units *= RELATIVE_SWITCH_SHARE
    if not units:
        return None
    path = snapshot.migrations.get((current, framework.slug))
    estimate = f"; the sources estimate {path.estimate}" if path and path.estimate else ""
    sources = {SWITCHING_SOURCE, *(e.source for e in path.evidence)} if path else {SWITCHING_SOURCE}
    name = snapshot.frameworks[current].name if current in snapshot.frameworks else current
    return RuleEffect(
        "switching_cost",
        f"Cost of moving a {size.value} {name} codebase to {framework.name}{estimate}",
        -units,
        tuple(sorted(sources)),
    )


def migration(
    profile: ProjectProfile, snapshot: KnowledgeSnapshot, top: str | None
) -> MigrationAdvice | None:
    """Stay or move, what carries over, what must be learnt, and how long the sources say."""
    current = profile.current_framework
    if current is None or top is None:
        return None
    size = profile.codebase.value if profile.codebase else None
    unstated = "" if size else " The codebase size is not stated, so no switching cost was counted."
    if current == top:
        return MigrationAdvice(
            **{"from": current},
            to=top,
            stay=True,
            codebase=size,
            difficulty=None,
            estimate=None,
            approach=f'Stay: it is the best fit. "{STAY_CLAIM}"{unstated}',
            transfers=[],
            to_learn=[],
            sources=[SWITCHING_SOURCE],
        )
    target = snapshot.frameworks[top]
    if _is_addition_to(target, current):
        approach = f"Add {target.name} to the {current} codebase: it is a layer on it."
    else:
        approach = "No documented path in the knowledge base: model the total cost first."
    path = snapshot.migrations.get((current, top))
    return MigrationAdvice(
        **{"from": current},
        to=top,
        stay=False,
        codebase=size,
        difficulty=path.difficulty if path else None,
        estimate=path.estimate if path else None,
        approach=((path.approach if path and path.approach else approach) + unstated).strip(),
        transfers=list(path.transfers) if path else [],
        to_learn=list(path.to_learn) if path else [],
        sources=sorted({e.source for e in path.evidence}) if path else [],
    )
