"""The companion stack suggested for a framework: what is built in, and what fills the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.engine.result import StackItem

if TYPE_CHECKING:
    from app.engine.snapshot import FrameworkInfo

STACK_NEEDS = ("orm", "migrations", "admin", "auth", "api_docs", "server")
#: The feature that makes a stack need built in, when the framework has it built in.
STACK_FEATURE = {
    "orm": "orm",
    "migrations": "migrations",
    "admin": "admin_panel",
    "auth": "authentication",
    "api_docs": "auto_api_docs",
}

#: The stack needs a feature can be filled by (the inverse of ``STACK_FEATURE``).
FEATURE_NEEDS = {feature: (need,) for need, feature in STACK_FEATURE.items()}


def suggest_stack(framework: FrameworkInfo, stale: frozenset[str]) -> tuple[StackItem, ...]:
    """Per need: built in, else the first maintained companion the knowledge base names for it."""
    items = []
    for need in STACK_NEEDS:
        feature = STACK_FEATURE.get(need)
        if feature and framework.offer(feature).support == "builtin":
            sources = sorted({e.source for e in framework.offer(feature).evidence})
            items.append(StackItem(need=need, package=None, builtin=True, sources=sources))
            continue
        companions = [c for c in framework.companions.get(need, ()) if c.package not in stale]
        if companions:
            first = companions[0]
            sources = sorted({e.source for e in first.evidence})
            items.append(
                StackItem(need=need, package=first.package, builtin=False, sources=sources)
            )
    return tuple(items)
