"""Schemathesis hooks (loaded through schemathesis.toml): positive /recommend cases use known slugs.

The OpenAPI document says what a slug looks like, not which slugs the knowledge base holds: those
are data, and change without a new API version. So the API answers an unknown slug with a 422,
and a randomly generated profile almost always names one. A positive case is one the API must
accept, so its slugs are mapped onto known ones: positive cases then reach the scoring engine, and
any 4xx on one is a real failure. Negative cases are left exactly as generated.
"""

from __future__ import annotations

import zlib
from typing import Any

import schemathesis

from app.knowledge.bundle import read_bundle

_BUNDLE = read_bundle()
FEATURES = sorted(f.slug for f in _BUNDLE.features)
CRITERIA = sorted(c.slug for c in _BUNDLE.criteria)
FRAMEWORKS = sorted(f.slug for f in _BUNDLE.frameworks)


def known(slug: Any, slugs: list[str]) -> Any:
    """The slug itself when known, else a known one picked by a stable hash (not `hash()`)."""
    if not isinstance(slug, str) or slug in slugs:
        return slug
    return slugs[zlib.crc32(slug.encode()) % len(slugs)]


def with_known_slugs(profile: dict[str, Any]) -> dict[str, Any]:
    mapped = dict(profile)
    if isinstance(profile.get("features"), dict):
        mapped["features"] = {known(k, FEATURES): v for k, v in profile["features"].items()}
    if isinstance(profile.get("priorities"), dict):
        mapped["priorities"] = {known(k, CRITERIA): v for k, v in profile["priorities"].items()}
    if isinstance(profile.get("candidates"), list):
        mapped["candidates"] = [known(s, FRAMEWORKS) for s in profile["candidates"]]
    if "current_framework" in profile:
        mapped["current_framework"] = known(profile["current_framework"], FRAMEWORKS)
    team = profile.get("team")
    if isinstance(team, dict) and isinstance(team.get("known_frameworks"), list):
        mapped["team"] = {
            **team,
            "known_frameworks": [known(s, FRAMEWORKS) for s in team["known_frameworks"]],
        }
    return mapped


@schemathesis.hook
def map_case(context: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if positive and case.operation.label == "POST /recommend" and isinstance(case.body, dict):
        case.body = with_known_slugs(case.body)
    return case
