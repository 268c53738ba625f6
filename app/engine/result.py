"""The response contract: what ``POST /recommend`` returns."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class _Output(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class Fit(StrEnum):
    strong = "strong"
    good = "good"
    weak = "weak"
    poor = "poor"


class Confidence(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


class EvidenceItem(_Output):
    source: str = Field(description="Source id (see `sources`).", examples=["acquaint-2026"])
    claim: str = Field(
        description="What the source says.",
        examples=["FastAPI: 15,000 to 20,000 RPS with Uvicorn ASGI"],
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
        examples=[[{"source": "acquaint-2026", "claim": "FastAPI: 15,000 to 20,000 RPS"}]],
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
        description="Those of `packages` with no release in 36 months: avoid for new work.",
        examples=[[]],
    )
    note: str | None = Field(
        None,
        description="For unknown support: unverified, what was looked for, and where to check.",
        examples=[None],
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


class FrameworkRecommendation(_Output):
    rank: int = Field(ge=1, description="1 = best fit.", examples=[1])
    framework: str = Field(description="Framework slug.", examples=["fastapi"])
    name: str = Field(description="Display name.", examples=["FastAPI"])
    score: float = Field(ge=0, le=100, description="0..100, to 2 decimals.", examples=[78.12])
    fit: Fit = Field(
        description="strong ≥ 70, good ≥ 55, weak ≥ 40, else poor.", examples=["strong"]
    )
    breakdown: list[BreakdownItem] = Field(
        description="Every criterion's contribution.",
        examples=[
            [
                {
                    "criterion": "performance",
                    "weight": 4.0,
                    "value": 0.95,
                    "contribution": 18.4,
                    "raw": "15,000 to 20,000 RPS",
                    "evidence": [{"source": "acquaint-2026", "claim": "15,000 to 20,000 RPS"}],
                }
            ]
        ],
    )
    adjustments: list[Adjustment] = Field(
        description="Rule matches, familiarity, penalties.",
        examples=[
            [
                {
                    "rule": "matrix-04",
                    "text": "My product serves AI model predictions via API",
                    "points": 7.5,
                    "sources": ["acquaint-2026"],
                }
            ]
        ],
    )
    reasons: list[Note] = Field(
        description="Why it fits.",
        examples=[[{"text": "Native async support", "sources": ["acquaint-2026"]}]],
    )
    warnings: list[Note] = Field(
        description="What to watch out for.",
        examples=[[{"text": "No built-in admin panel", "sources": ["acquaint-2026"]}]],
    )
    gaps: list[Gap] = Field(
        description="Requested features it lacks built in, and what fills them.",
        examples=[[{"feature": "admin_panel", "support": "addon", "packages": ["sqladmin"]}]],
    )
    stack: list[StackItem] = Field(
        description="Suggested companions.",
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


class Recommendation(_Output):
    kb_version: str = Field(
        description="Knowledge-base version scored against.", examples=["3f9a1c0b7d2e4f68"]
    )
    summary: str = Field(
        description="One sentence for people: the pick, the decisive reasons, the main caveat.",
        examples=[
            "FastAPI fits best (78.12, strong): acquaint-2026, decision matrix: a product that "
            "serves AI model predictions through an API → FastAPI."
        ],
    )
    recommendations: list[FrameworkRecommendation] = Field(
        description="Ranked, best first.",
        examples=[
            [
                {
                    "rank": 1,
                    "framework": "fastapi",
                    "name": "FastAPI",
                    "score": 78.12,
                    "fit": "strong",
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
        default_factory=list,
        description=(
            "API layers (django-ninja, DRF, APIFlask) not listed on their own: they add to their "
            "base, which is ranked instead."
        ),
        examples=[[]],
    )
    excluded: list[Exclusion] = Field(
        description="Dropped by a hard constraint.",
        examples=[
            [
                {
                    "framework": "bottle",
                    "reasons": [{"text": "No async support", "sources": ["acquaint-2026"]}],
                }
            ]
        ],
    )
    decision: Decision = Field(
        description="How clear the choice is, and what would change it.",
        examples=[{"margin": 6.4, "confidence": "high", "flips": []}],
    )
    migration: MigrationAdvice | None = Field(
        description="When current_framework is set: how to move, or advice to stay.",
        examples=[
            {
                "from": "flask",
                "to": "fastapi",
                "stay": False,
                "difficulty": "Easy",
                "estimate": "1 week",
                "approach": "Endpoint by endpoint",
                "sources": ["buildsmart-2025"],
            }
        ],
    )
    sources: list[SourceRef] = Field(
        description="Every source cited in this response.",
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
