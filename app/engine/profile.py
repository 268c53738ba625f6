"""The request contract: what a caller says about its project."""

from __future__ import annotations

from collections.abc import Set
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.vocab import (
    ApiDesign,
    AsyncExperience,
    Codebase,
    Deployment,
    Need,
    ProjectType,
    PythonExperience,
    TeamStyle,
    Workload,
)

SlugStr = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_\-]*$")]


# How deep a request body may nest. The profile itself needs three levels (the profile, `team`,
# `team.known_frameworks`); anything deeper cannot be a profile, and refusing it before parsing
# keeps a small body from costing a deep recursion anywhere downstream.
MAX_JSON_NESTING = 8


#: The most extra emphasis a priority can give a criterion.
MAX_PRIORITY = 5


def _integral_float_to_int(value: Any) -> Any:
    """Numbers are strict (never "5" or true), yet 5.0 is the integer 5, as in JSON Schema."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Team(_Input):
    size: int | None = Field(
        None,
        strict=True,
        ge=1,
        le=100_000,
        description="People writing the code. Default: not stated.",
        examples=[4],
    )
    known_frameworks: list[SlugStr] | None = Field(
        None,
        max_length=50,
        description=(
            "Framework slugs the team already knows. Omitted: not stated. "
            "An empty list: the team knows none."
        ),
        examples=[["flask"]],
    )
    async_experience: AsyncExperience | None = Field(
        None,
        description="How well the team knows async Python. Default: not stated.",
        examples=["none"],
    )
    python_experience: PythonExperience | None = Field(
        None,
        description="The team's Python experience. Default: not stated.",
        examples=["intermediate"],
    )
    style: TeamStyle = Field(
        TeamStyle.no_preference,
        description="Whether the team prefers conventions or picking every component.",
        examples=["conventions"],
    )

    # Field by field, never a walk over the raw input: a walk is a recursion as deep as the body.
    @field_validator("size", mode="before")
    @classmethod
    def _integral_size(cls, value: Any) -> Any:
        return _integral_float_to_int(value)


class ProjectProfile(_Input):
    """What is being built, by whom, for how long, and what matters."""

    project_type: ProjectType = Field(description="What is being built.", examples=["api"])
    features: dict[SlugStr, Need] = Field(
        default_factory=dict,
        max_length=64,
        description="Feature slug (see GET /features) to how much it is needed. Default: none.",
        examples=[{"auto_api_docs": "must", "websockets": "want"}],
    )
    expected_peak_rps: int | None = Field(
        None,
        strict=True,
        ge=0,
        le=100_000_000,
        description="Expected peak requests per second. Default: not stated.",
        examples=[2000],
    )
    workload: Workload | None = Field(
        None, description="What a typical request does. Default: not stated.", examples=["crud"]
    )
    team: Team = Field(
        default_factory=Team,
        description="Who builds it. Default: nothing stated about the team.",
        examples=[{"size": 4, "known_frameworks": ["flask"], "async_experience": "some"}],
    )
    timeline_weeks: int | None = Field(
        None,
        strict=True,
        ge=1,
        le=1040,
        description="Weeks until launch. Default: not stated.",
        examples=[6],
    )
    lifespan_years: float | None = Field(
        None,
        strict=True,
        gt=0,
        le=100,
        description="How long it will be maintained. Default: not stated.",
        examples=[5],
    )
    deployment: Deployment | None = Field(
        None, description="Where it runs. Default: not stated.", examples=["containers"]
    )
    priorities: dict[SlugStr, Annotated[int, Field(strict=True, ge=0, le=MAX_PRIORITY)]] = Field(
        default_factory=dict,
        max_length=64,
        description=(
            "Criterion slug (see GET /criteria) to extra emphasis, 0..5, added to the weight the "
            "rest of the profile implies. Default: none."
        ),
        examples=[{"performance": 4, "time_to_market": 2}],
    )
    current_framework: SlugStr | None = Field(
        None,
        description="The framework the project runs on today, for migration advice.",
        examples=["flask"],
    )
    api_design: ApiDesign | None = Field(
        None,
        description=(
            "How the API contract is written: spec_first (the OpenAPI document comes first and "
            "the code follows it) or code_first (the document is generated from the code). "
            "Default: not stated."
        ),
        examples=["code_first"],
    )
    codebase: Codebase | None = Field(
        None,
        description=(
            "How much code already runs on current_framework: new (nothing yet), small, medium or "
            "large. Scales the cost of switching. Default: not stated."
        ),
        examples=["small"],
    )
    candidates: list[SlugStr] | None = Field(
        None,
        min_length=1,
        max_length=50,
        description="Restrict the ranking to these framework slugs. Default: every framework.",
        examples=[["django", "fastapi", "flask"]],
    )
    top_k: int = Field(
        5, strict=True, ge=1, le=50, description="How many frameworks to return.", examples=[5]
    )

    @field_validator("expected_peak_rps", "timeline_weeks", "top_k", mode="before")
    @classmethod
    def _integral_numbers(cls, value: Any) -> Any:
        return _integral_float_to_int(value)

    @field_validator("priorities", mode="before")
    @classmethod
    def _integral_priorities(cls, value: Any) -> Any:
        if isinstance(value, dict):  # one level: the values are the integers
            return {k: _integral_float_to_int(v) for k, v in value.items()}
        return value


def unknown_slugs(
    profile: ProjectProfile, *, frameworks: Set[str], criteria: Set[str], features: Set[str]
) -> list[tuple[tuple[str | int, ...], str]]:
    """Slugs the knowledge base does not know, as (location, message) pairs."""
    problems: list[tuple[tuple[str | int, ...], str]] = []

    listing = {"feature": "/features", "criterion": "/criteria", "framework": "/frameworks"}

    def check(location: tuple[str | int, ...], slug: str, known: Set[str], kind: str) -> None:
        if slug not in known:
            problems.append((location, f"unknown {kind} '{slug}' (see GET {listing[kind]})"))

    for feature in profile.features:
        check(("features", feature), feature, features, "feature")
    for criterion in profile.priorities:
        check(("priorities", criterion), criterion, criteria, "criterion")
    for i, slug in enumerate(profile.team.known_frameworks or ()):
        check(("team", "known_frameworks", i), slug, frameworks, "framework")
    if profile.current_framework is not None:
        check(("current_framework",), profile.current_framework, frameworks, "framework")
    for i, slug in enumerate(profile.candidates or ()):
        check(("candidates", i), slug, frameworks, "framework")
    return problems
