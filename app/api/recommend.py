"""POST /recommend: the product."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.models import Example
from pydantic import TypeAdapter

from app.api.deps import require_json_body
from app.api.errors import problem_responses
from app.engine import answer
from app.engine.profile import ProjectProfile, unknown_slugs
from app.engine.result import (
    Answer,
    Detail,
    Recommendation,
    RecommendationFull,
    RecommendationSummary,
)
from app.engine.snapshot import KnowledgeSnapshot
from app.errors import KnowledgeUnavailable

router = APIRouter(tags=["recommend"])

# Built once: the answer goes straight from the model to JSON bytes in pydantic-core. The route
# returns a Response, so FastAPI neither validates the answer again nor re-encodes it. One adapter
# per level, not one for the union: serializing through the union costs twice as much.
_DUMP: dict[Detail, TypeAdapter[Any]] = {
    Detail.summary: TypeAdapter(RecommendationSummary),
    Detail.default: TypeAdapter(Recommendation),
    Detail.full: TypeAdapter(RecommendationFull),
}

EXAMPLES: dict[str, Example] = {
    "ml_serving": {
        "summary": "ML model serving API",
        "value": {
            "project_type": "ml_serving",
            "features": {"auto_api_docs": "must", "type_validation": "want"},
            "expected_peak_rps": 3000,
            "workload": "io_fanout",
            "team": {"size": 4, "known_frameworks": ["flask"], "async_experience": "some"},
            "deployment": "containers",
        },
    },
    "b2b_saas": {
        "summary": "B2B SaaS with roles and an admin dashboard",
        "value": {
            "project_type": "saas",
            "features": {"admin_panel": "must", "authentication": "must", "permissions": "want"},
            "team": {"size": 6, "style": "conventions"},
            "lifespan_years": 5,
            "priorities": {"security": 3},
        },
    },
    "quick_mvp": {
        "summary": "A quick MVP in two weeks",
        "value": {
            "project_type": "prototype",
            "timeline_weeks": 2,
            "team": {"size": 2, "style": "flexibility"},
            "top_k": 3,
        },
    },
    "serverless_microservice": {
        "summary": "A small microservice on serverless, migrating from Flask",
        "value": {
            "project_type": "microservice",
            "deployment": "serverless",
            "expected_peak_rps": 200,
            "current_framework": "flask",
            "candidates": ["django", "fastapi", "flask", "litestar", "starlette"],
        },
    },
}


def _snapshot(request: Request) -> KnowledgeSnapshot:
    snapshot: KnowledgeSnapshot | None = request.app.state.knowledge.snapshot
    if snapshot is None:
        raise KnowledgeUnavailable("the knowledge base is not loaded yet; try again shortly")
    return snapshot


@router.post(
    "/recommend",
    operation_id="recommend",
    summary="Recommend frameworks for a project",
    dependencies=[Depends(require_json_body)],
    response_model=Answer,
    responses=problem_responses(400, 413, 415, 422, 500, 503),
)
async def recommend_frameworks(
    request: Request,
    profile: Annotated[ProjectProfile, Body(openapi_examples=EXAMPLES)],
    detail: Annotated[
        Detail,
        Query(
            description=(
                "`default`: every point accounted for, evidence by id (`GET /frameworks/{slug}` "
                "shows each id beside its text). `full`: the evidence, raw figures, reasons, "
                "companion stack and sources inline. `summary`: ranks, scores, the top reasons "
                "and warnings, and the decision."
            ),
        ),
    ] = Detail.default,
) -> Response:
    """Score every framework in the knowledge base against the profile and rank them.

    Every point of every score is accounted for in `breakdown` and `adjustments`; the answer's
    `detail` says which of three shapes it has. No database query runs: the engine scores
    against an in-memory snapshot of the knowledge base.
    """
    snapshot = _snapshot(request)
    problems = unknown_slugs(
        profile,
        frameworks=snapshot.frameworks.keys(),
        criteria=set(snapshot.criteria),
        features=set(snapshot.features),
    )
    if problems:
        errors: list[dict[str, Any]] = [
            {
                "loc": ("body", *loc),
                "msg": msg,
                "type": "value_error.unknown_slug",
                "input": loc[-1],
            }
            for loc, msg in problems
        ]
        raise RequestValidationError(errors)
    result = answer(profile, snapshot, detail)
    return Response(_DUMP[detail].dump_json(result, by_alias=True), media_type="application/json")
