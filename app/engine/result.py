"""The response contract: what ``POST /recommend`` returns, at each level of detail.

Three shapes, told apart by ``detail``: ``default`` (every point accounted for, evidence by id),
``full`` (the same with the evidence texts, the raw figures and the companion stack inline) and
``summary`` (ranks, scores and the top reasons, for people). Evidence is static: its id is a hash
of what it says, given when the snapshot is compiled, and the catalog shows the same ids.
"""

from __future__ import annotations

import base64
import hashlib
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Output(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


def _absent(value: object) -> bool:
    """Left out of the JSON: a field that has nothing to say (its default)."""
    return value is None or value == []


class Fit(StrEnum):
    strong = "strong"
    good = "good"
    weak = "weak"
    poor = "poor"


class Confidence(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


class Detail(StrEnum):
    summary = "summary"
    default = "default"
    full = "full"


#: Characters of an evidence id, in lowercase base32: 30 bits. A new claim collides with one of
#: ~1,000 others with a chance of about 1 in a million, and the compiler refuses a snapshot in
#: which two claims share an id. Short, because the default answer cites ~250 of them.
EVIDENCE_ID_CHARS = 6


def evidence_id(source: str, claim: str) -> str:
    """The id of a cited claim: the same text from the same source has the same id everywhere."""
    digest = hashlib.blake2b(f"{source}\n{claim}".encode(), digest_size=5).digest()
    return base64.b32encode(digest).decode()[:EVIDENCE_ID_CHARS].lower()


class EvidenceItem(_Output):
    id: str = Field(
        description="Evidence id; `GET /frameworks/{slug}` shows it beside the same text.",
        examples=["l4xq2m"],
    )
    source: str = Field(description="Source id (see `sources`).", examples=["acquaint-2026"])
    claim: str = Field(
        description="What the source says.",
        examples=["FastAPI: 15,000 to 20,000 RPS with Uvicorn ASGI"],
    )


def cite(source: str, claim: str) -> EvidenceItem:
    """A cited claim with its id."""
    return EvidenceItem(id=evidence_id(source, claim), source=source, claim=claim)


class BreakdownLine(_Output):
    criterion: str = Field(
        description="Criterion slug, `feature_fit`, `familiarity` or `guidance`.",
        examples=["performance"],
    )
    value: float | None = Field(
        description="The framework's standing, 0..1 (1 = best). Null: unknown, counted as 0.5.",
        examples=[0.95],
    )
    contribution: float = Field(
        description=(
            "Points this line adds: 100 × weight × value ÷ total weight (the answer's `weights`)."
        ),
        examples=[18.4],
    )
    evidence: list[str] = Field(
        description=(
            "Evidence ids: `GET /frameworks/{slug}` shows each beside its text, and `detail=full` "
            "inlines them."
        ),
        examples=[["l4xq2m", "c7tz3a"]],
    )


class BreakdownItem(_Output):
    criterion: str = Field(
        description="Criterion slug, or `feature_fit` for coverage of requested features.",
        examples=["performance"],
    )
    weight: float = Field(description="Weight the profile gives this criterion.", examples=[4.0])
    value: float | None = Field(
        description="The framework's standing, 0..1 (1 = best). Null: unknown, counted as 0.5.",
        examples=[0.95],
    )
    contribution: float = Field(
        description="Points this criterion adds: 100 × weight × value ÷ total weight.",
        examples=[18.4],
    )
    raw: str | None = Field(
        None, description="The figure or statement behind the value.", examples=["~9,000 req/s"]
    )
    evidence: list[EvidenceItem] = Field(
        description="Where the value comes from.",
        examples=[
            [
                {
                    "id": "l4xq2m",
                    "source": "acquaint-2026",
                    "claim": "FastAPI: 15,000 to 20,000 RPS",
                }
            ]
        ],
    )


class Adjustment(_Output):
    rule: str = Field(description="Rule id, or `switching_cost`.", examples=["matrix-04"])
    text: str = Field(
        description="The source's claim, attributed: source, kind of guidance, situation → pick.",
        examples=[
            "acquaint-2026, decision matrix: a product that serves AI model predictions through "
            "an API → FastAPI"
        ],
    )
    points: float = Field(
        description=(
            "Points this adds to the score (negative: subtracts). Guidance counts with "
            "diminishing weight: the more rules agree, the less each one adds."
        ),
        examples=[6.1],
    )
    sources: list[str] = Field(description="Source ids.", examples=[["acquaint-2026"]])


class Note(_Output):
    text: str = Field(description="A reason or a warning.", examples=["Native async support"])
    sources: list[str] = Field(description="Source ids behind it.", examples=[["acquaint-2026"]])


class Reason(_Output):
    """A reason that decides, pointing at the line of the entry that carries its detail."""

    rule: str | None = Field(
        None,
        exclude_if=_absent,
        description=(
            "Set for a rule: the adjustment with this id says it, with its points and sources."
        ),
        examples=["tree-web-app-admin"],
    )
    criterion: str | None = Field(
        None,
        exclude_if=_absent,
        description="Set for a strong criterion: the breakdown line with its value and evidence.",
        examples=["maintainability"],
    )


class Gap(_Output):
    feature: str = Field(description="Requested feature slug.", examples=["admin_panel"])
    support: str = Field(
        description="builtin | addon | none | unknown, for this framework.", examples=["addon"]
    )
    packages: list[str] = Field(
        description="PyPI packages that fill it, maintained ones first.", examples=[["sqladmin"]]
    )
    stale_packages: list[str] = Field(
        default_factory=list,
        exclude_if=_absent,
        description=(
            "Those of `packages` with no release in 36 months: avoid for new work. Left out "
            "when none."
        ),
        examples=[["flask-login"]],
    )
    note: str | None = Field(
        None,
        exclude_if=_absent,
        description=(
            "For unknown support: unverified, what was looked for, and where to check. Left out "
            "otherwise."
        ),
        examples=["Unverified: the knowledge base has no cited answer."],
    )


class StackItem(_Output):
    need: str = Field(
        description="orm, migrations, admin, auth, api_docs or server.", examples=["orm"]
    )
    package: str | None = Field(
        description="Suggested package; null when built in or nothing is known.",
        examples=["sqlalchemy"],
    )
    builtin: bool = Field(description="The framework provides it itself.", examples=[False])
    sources: list[str] = Field(description="Source ids.", examples=[["pillai-infotech"]])


_ENTRY_EXAMPLE_HEAD = {
    "rank": 1,
    "framework": "fastapi",
    "name": "FastAPI",
    "score": 78.12,
    "fit": "strong",
}
_ADJUSTMENTS_EXAMPLE = [
    {
        "rule": "matrix-04",
        "text": "acquaint-2026, decision matrix: a product that serves AI model predictions "
        "through an API → FastAPI",
        "points": 7.5,
        "sources": ["acquaint-2026"],
    }
]
_GAPS_EXAMPLE = [{"feature": "admin_panel", "support": "addon", "packages": ["sqladmin"]}]


class _Ranked(_Output):
    rank: int = Field(ge=1, description="1 = best fit.", examples=[1])
    framework: str = Field(description="Framework slug.", examples=["fastapi"])
    name: str = Field(description="Display name.", examples=["FastAPI"])
    score: float = Field(ge=0, le=100, description="0..100, to 2 decimals.", examples=[78.12])
    fit: Fit = Field(
        description="strong ≥ 70, good ≥ 55, weak ≥ 40, else poor.", examples=["strong"]
    )


class RankedFramework(_Ranked):
    """One entry of ``detail=summary``: its rank and score, the top reasons and its warnings."""

    reasons: list[Note] = Field(
        description="The reasons that decide most, in words.",
        examples=[
            [{"text": "Strong on raw performance (1.00 of 1)", "sources": ["acquaint-2026"]}]
        ],
    )
    warnings: list[Note] = Field(
        description="What to watch out for.",
        examples=[[{"text": "No built-in admin panel", "sources": ["acquaint-2026"]}]],
    )


class FrameworkRecommendation(_Ranked):
    """One entry of the default answer: every point accounted for, evidence by id."""

    breakdown: list[BreakdownLine] = Field(
        description="Every line's contribution, with the ids of its evidence.",
        examples=[
            [
                {
                    "criterion": "performance",
                    "value": 0.95,
                    "contribution": 18.4,
                    "evidence": ["l4xq2m"],
                }
            ]
        ],
    )
    adjustments: list[Adjustment] = Field(
        description="Rule matches and the cost of switching.", examples=[_ADJUSTMENTS_EXAMPLE]
    )
    reasons: list[Reason] = Field(
        description="The few that decide, each pointing at its adjustment or breakdown line.",
        examples=[[{"rule": "matrix-04"}, {"criterion": "performance"}]],
    )
    warnings: list[Note] = Field(
        description="What to watch out for.",
        examples=[[{"text": "No built-in admin panel", "sources": ["acquaint-2026"]}]],
    )
    gaps: list[Gap] = Field(
        description="Requested features it lacks built in, and what fills them.",
        examples=[_GAPS_EXAMPLE],
    )


class FrameworkRecommendationFull(_Ranked):
    """One entry of ``detail=full``: the default entry with every text inline."""

    breakdown: list[BreakdownItem] = Field(
        description="Every line's contribution, with the figure and the evidence behind it.",
        examples=[
            [
                {
                    "criterion": "performance",
                    "weight": 4.0,
                    "value": 0.95,
                    "contribution": 18.4,
                    "raw": "15,000 to 20,000 RPS",
                    "evidence": [
                        {"id": "l4xq2m", "source": "acquaint-2026", "claim": "15,000 RPS"}
                    ],
                }
            ]
        ],
    )
    adjustments: list[Adjustment] = Field(
        description="Rule matches and the cost of switching.", examples=[_ADJUSTMENTS_EXAMPLE]
    )
    reasons: list[Note] = Field(
        description="The few that decide, in words.",
        examples=[[{"text": "Native async support", "sources": ["acquaint-2026"]}]],
    )
    warnings: list[Note] = Field(
        description="What to watch out for.",
        examples=[[{"text": "No built-in admin panel", "sources": ["acquaint-2026"]}]],
    )
    gaps: list[Gap] = Field(
        description="Requested features it lacks built in, and what fills them.",
        examples=[_GAPS_EXAMPLE],
    )
    stack: list[StackItem] = Field(
        description="Suggested companions (the same for every profile).",
        examples=[
            [
                {
                    "need": "orm",
                    "package": "sqlalchemy",
                    "builtin": False,
                    "sources": ["pillai-infotech"],
                }
            ]
        ],
    )
    unknown_criteria: list[str] = Field(
        description="Weighted criteria with no known value for this framework.",
        examples=[["cost"]],
    )


class Exclusion(_Output):
    framework: str = Field(description="Framework slug.", examples=["bottle"])
    reasons: list[Note] = Field(
        description="Why it was dropped.",
        examples=[[{"text": "Not suited to serverless deployment", "sources": ["acquaint-2026"]}]],
    )


class Folded(_Output):
    framework: str = Field(description="The API layer's slug.", examples=["django-ninja"])
    base: str = Field(description="The framework it is a layer on.", examples=["django"])
    reason: str = Field(
        description="Why it is not listed on its own.",
        examples=["An API layer is listed apart from its base only for API-first projects."],
    )


class Flip(_Output):
    change: str = Field(
        description="The change to the profile.", examples=["priorities.performance: 0 → 3"]
    )
    new_top: str = Field(description="The framework that would rank first.", examples=["fastapi"])


class Decision(_Output):
    margin: float | None = Field(
        description="Points between #1 and #2; null with fewer than two.", examples=[6.4]
    )
    confidence: Confidence = Field(
        description="Lower when the margin is small or the top pick rests on unknown values.",
        examples=["high"],
    )
    flips: list[Flip] = Field(
        description="Smallest changes that would change the top pick.",
        examples=[[{"change": "priorities.performance: 0 → 3", "new_top": "fastapi"}]],
    )


class MigrationAdvice(_Output):
    from_: str = Field(alias="from", description="Current framework.", examples=["flask"])
    to: str = Field(description="Recommended framework.", examples=["fastapi"])
    stay: bool = Field(description="True when the advice is to stay put.", examples=[False])
    difficulty: str | None = Field(description="As the sources put it.", examples=["Easy"])
    estimate: str | None = Field(description="Time estimate, as sourced.", examples=["1 week"])
    approach: str | None = Field(description="How to do it.", examples=["Endpoint by endpoint"])
    codebase: str | None = Field(
        None,
        description="The codebase size the advice is for, as the profile states it.",
        examples=["small"],
    )
    transfers: list[str] = Field(
        default_factory=list,
        description="What carries over, as the sources say.",
        examples=[["Python knowledge", "Web concepts"]],
    )
    to_learn: list[str] = Field(
        default_factory=list,
        description="What the team must learn, as the sources say.",
        examples=[["Async/await patterns", "Pydantic validation"]],
    )
    sources: list[str] = Field(description="Source ids.", examples=[["buildsmart-2025"]])


class SourceRef(_Output):
    id: str = Field(description="Source id.", examples=["acquaint-2026"])
    title: str = Field(description="Title.", examples=["Django vs FastAPI vs Flask"])
    author: str | None = Field(description="Author, when named.", examples=[None])
    publisher: str | None = Field(description="Publisher.", examples=["Acquaint Softtech"])
    published: str | None = Field(description="Date, as precise as given.", examples=["2026-04-28"])
    url: str | None = Field(description="Where to read it.", examples=[None])


_SUMMARY_EXAMPLE = (
    "FastAPI fits best (78.12, strong): acquaint-2026, decision matrix: a product that serves AI "
    "model predictions through an API → FastAPI."
)
_DECISION_EXAMPLE = {"margin": 6.4, "confidence": "high", "flips": []}
_MIGRATION_EXAMPLE = {
    "from": "flask",
    "to": "fastapi",
    "stay": False,
    "difficulty": "Easy",
    "estimate": "1 week",
    "approach": "Endpoint by endpoint",
    "sources": ["buildsmart-2025"],
}
_EXCLUDED_EXAMPLE = [
    {"framework": "bottle", "reasons": [{"text": "No async support", "sources": ["acquaint-2026"]}]}
]
_FOLDED_DESCRIPTION = (
    "API layers (django-ninja, DRF, APIFlask) not listed on their own: they add to their base, "
    "which is ranked instead."
)


_DETAIL = "This answer's level of detail (the `detail` query parameter)."
_KB_VERSION = "Knowledge-base version scored against."
_SENTENCE = "One sentence for people: the pick, the decisive reasons, the main caveat."


class RecommendationSummary(_Output):
    """``detail=summary``: ranks, scores, the top reasons and warnings, and the decision."""

    detail: Literal["summary"] = Field(description=_DETAIL, examples=["summary"])
    kb_version: str = Field(description=_KB_VERSION, examples=["3f9a1c0b7d2e4f68"])
    summary: str = Field(description=_SENTENCE, examples=[_SUMMARY_EXAMPLE])
    recommendations: list[RankedFramework] = Field(
        description="Ranked, best first.",
        examples=[[{**_ENTRY_EXAMPLE_HEAD, "reasons": [], "warnings": []}]],
    )
    decision: Decision = Field(
        description="How clear the choice is, and what would change it.",
        examples=[_DECISION_EXAMPLE],
    )
    sources: list[str] = Field(
        description="Every source id cited in this answer (`GET /sources` describes each).",
        examples=[["acquaint-2026"]],
    )


class Recommendation(_Output):
    """The default answer: every point accounted for, evidence by id."""

    detail: Literal["default"] = Field(description=_DETAIL, examples=["default"])
    kb_version: str = Field(description=_KB_VERSION, examples=["3f9a1c0b7d2e4f68"])
    summary: str = Field(description=_SENTENCE, examples=[_SUMMARY_EXAMPLE])
    weights: dict[str, float] = Field(
        description=(
            "The weight the profile gives each breakdown line, the same for every framework: "
            "the criteria, then `feature_fit`, `familiarity` and `guidance` when they count."
        ),
        examples=[{"performance": 4.0, "feature_fit": 2.0, "guidance": 10.0}],
    )
    recommendations: list[FrameworkRecommendation] = Field(
        description="Ranked, best first.",
        examples=[
            [
                {
                    **_ENTRY_EXAMPLE_HEAD,
                    "breakdown": [],
                    "adjustments": [],
                    "reasons": [{"rule": "matrix-04"}],
                    "warnings": [],
                    "gaps": [],
                }
            ]
        ],
    )
    folded: list[Folded] = Field(
        default_factory=list, description=_FOLDED_DESCRIPTION, examples=[[]]
    )
    excluded: list[Exclusion] = Field(
        description="Dropped by a hard constraint.", examples=[_EXCLUDED_EXAMPLE]
    )
    decision: Decision = Field(
        description="How clear the choice is, and what would change it.",
        examples=[_DECISION_EXAMPLE],
    )
    migration: MigrationAdvice | None = Field(
        description="When current_framework is set: how to move, or advice to stay.",
        examples=[_MIGRATION_EXAMPLE],
    )
    sources: list[str] = Field(
        description=(
            "Every source id cited in this answer (`GET /sources` describes each; `detail=full` "
            "inlines them)."
        ),
        examples=[["acquaint-2026"]],
    )


class RecommendationFull(_Output):
    """``detail=full``: the default answer with the evidence, raw figures and sources inline."""

    detail: Literal["full"] = Field(description=_DETAIL, examples=["full"])
    kb_version: str = Field(description=_KB_VERSION, examples=["3f9a1c0b7d2e4f68"])
    summary: str = Field(description=_SENTENCE, examples=[_SUMMARY_EXAMPLE])
    recommendations: list[FrameworkRecommendationFull] = Field(
        description="Ranked, best first.",
        examples=[
            [
                {
                    **_ENTRY_EXAMPLE_HEAD,
                    "breakdown": [],
                    "adjustments": [],
                    "reasons": [{"text": "Native async support", "sources": ["acquaint-2026"]}],
                    "warnings": [],
                    "gaps": [],
                    "stack": [],
                    "unknown_criteria": [],
                }
            ]
        ],
    )
    folded: list[Folded] = Field(
        default_factory=list, description=_FOLDED_DESCRIPTION, examples=[[]]
    )
    excluded: list[Exclusion] = Field(
        description="Dropped by a hard constraint.", examples=[_EXCLUDED_EXAMPLE]
    )
    decision: Decision = Field(
        description="How clear the choice is, and what would change it.",
        examples=[_DECISION_EXAMPLE],
    )
    migration: MigrationAdvice | None = Field(
        description="When current_framework is set: how to move, or advice to stay.",
        examples=[_MIGRATION_EXAMPLE],
    )
    sources: list[SourceRef] = Field(
        description="Every source cited in this answer.",
        examples=[
            [
                {
                    "id": "acquaint-2026",
                    "title": "Django vs FastAPI vs Flask",
                    "author": None,
                    "publisher": "Acquaint Softtech",
                    "published": "2026-04-28",
                    "url": None,
                }
            ]
        ],
    )


#: What ``POST /recommend`` returns: one of three shapes, told apart by ``detail``.
Answer = Annotated[
    RecommendationSummary | Recommendation | RecommendationFull, Field(discriminator="detail")
]
