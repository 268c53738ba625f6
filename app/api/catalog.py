"""Read API over the knowledge base: frameworks, criteria, features, sources and rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.api.deps import SessionDep
from app.api.errors import problem_responses
from app.api.outages import DatabaseRoute
from app.knowledge import service
from app.knowledge.schemas import (
    CriterionRead,
    FeatureRead,
    FrameworkRead,
    FrameworkSummary,
    RuleRead,
    SourceRead,
)

router = APIRouter(
    tags=["catalog"], responses=problem_responses(500, 503), route_class=DatabaseRoute
)

FrameworkSlug = Annotated[
    str,
    Path(
        description="Framework slug (PyPI project name, lowercase).",
        min_length=1,
        max_length=64,
        pattern=r"^[a-z0-9][a-z0-9_\-]*$",
        examples=["fastapi"],
    ),
]


@router.get("/frameworks", operation_id="listFrameworks", summary="List frameworks")
async def list_frameworks(session: SessionDep) -> list[FrameworkSummary]:
    return await service.list_frameworks(session)


@router.get(
    "/frameworks/{slug}",
    operation_id="getFramework",
    summary="Get one framework",
    responses=problem_responses(404, 422),
)
async def get_framework(slug: FrameworkSlug, session: SessionDep) -> FrameworkRead:
    """Its assessment on every criterion with evidence, feature support, and benchmarks."""
    return await service.get_framework(session, slug)


@router.get("/criteria", operation_id="listCriteria", summary="List criteria")
async def list_criteria(session: SessionDep) -> list[CriterionRead]:
    return await service.list_criteria(session)


@router.get("/features", operation_id="listFeatures", summary="List features")
async def list_features(session: SessionDep) -> list[FeatureRead]:
    return await service.list_features(session)


@router.get("/sources", operation_id="listSources", summary="List sources")
async def list_sources(session: SessionDep) -> list[SourceRead]:
    return await service.list_sources(session)


@router.get("/rules", operation_id="listRules", summary="List decision rules")
async def list_rules(session: SessionDep) -> list[RuleRead]:
    """Decision rules in profile terms; each names the source it encodes."""
    return await service.list_rules(session)
