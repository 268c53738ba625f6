"""Curation endpoints: GET, PUT, PATCH and DELETE for every writable knowledge resource.

Routes are built from the resource table in `app.knowledge.resources`, one set per kind, so every
kind behaves the same: GET returns the strong ETag that writes take; PUT creates (no precondition,
or `If-None-Match: *`) or replaces (`If-Match`); PATCH is a JSON merge patch (`If-Match`); DELETE
needs `If-Match`. Writes need a `write` key; the audit needs `admin`.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from app.api.auth import AdminDep, WriterDep
from app.api.deps import SessionDep, require_json_body
from app.api.errors import problem_responses
from app.knowledge import curation
from app.knowledge.bundle import KnowledgeBundle
from app.knowledge.cache import adopt_written
from app.knowledge.resources import KINDS, Key, ResourceKind
from app.knowledge.service import KnowledgeCache

router = APIRouter(tags=["curation"], responses=problem_responses(500))

_PARAM_PATTERNS = {
    "need": r"^[A-Za-z0-9][A-Za-z0-9._\-]*$",
    "package": r"^[A-Za-z0-9][A-Za-z0-9._\-]*$",
}
_SLUG_PATTERN = r"^[a-z0-9][a-z0-9_\-]*$"

IfMatch = Annotated[
    str | None,
    Header(
        description="The resource's current ETag (from GET): required to replace, patch, delete.",
        max_length=1024,
    ),
]
IfNoneMatch = Annotated[
    str | None,
    Header(description="`*`: create only, never replace an existing resource.", max_length=1024),
]

ETAG_SCHEMA = {"type": "string"}
WRITE_ERRORS = problem_responses(400, 401, 403, 404, 409, 412, 413, 415, 422, 428)


def _key_parameters(kind: ResourceKind) -> list[inspect.Parameter]:
    return [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[
                str,
                Path(
                    min_length=1,
                    max_length=64 if name not in _PARAM_PATTERNS else 128,
                    pattern=_PARAM_PATTERNS.get(name, _SLUG_PATTERN),
                ),
            ],
        )
        for name in kind.params
    ]


def _param(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
    )


def _with_signature(
    endpoint: Callable[..., Awaitable[Any]], kind: ResourceKind, *extra: inspect.Parameter
) -> Callable[..., Awaitable[Any]]:
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [*_key_parameters(kind), *extra],
        return_annotation=inspect.Signature.empty,
    )
    return endpoint


def _key(kind: ResourceKind, values: dict[str, Any]) -> Key:
    return tuple(values[name] for name in kind.params)


def _adopt(request: Request, written: curation.Written) -> None:
    cache: KnowledgeCache | None = getattr(request.app.state, "knowledge", None)
    if cache is not None and written.bundle and written.version and written.previous_version:
        adopt_written(cache, written.bundle, written.version, written.previous_version)


def _request_id(request: Request) -> str | None:
    value: str | None = getattr(request.state, "request_id", None)
    return value


def _add_routes(kind: ResourceKind) -> None:
    model = kind.model
    label = kind.name.replace("_", " ")

    async def get_item(**values: Any) -> Any:
        response: Response = values["response"]
        current = await curation.read(values["session"], kind, _key(kind, values))
        response.headers["ETag"] = current.etag or ""
        return current.item

    async def put_item(**values: Any) -> Any:
        response: Response = values["response"]
        # The body as sent (FastAPI's own validation above is lax; the service's is strict).
        body: dict[str, Any] = await values["request"].json()
        written = await curation.write(
            values["session"],
            kind,
            _key(kind, values),
            body=body,
            principal=values["principal"],
            preconditions=curation.Preconditions(values["if_match"], values["if_none_match"]),
            request_id=_request_id(values["request"]),
        )
        _adopt(values["request"], written)
        current = written.current
        response.headers["ETag"] = current.etag or ""
        if written.created:
            response.status_code = 201
            response.headers["Location"] = kind.url(_key(kind, values))
        return current.item

    async def patch_item(**values: Any) -> Any:
        response: Response = values["response"]
        written = await curation.write(
            values["session"],
            kind,
            _key(kind, values),
            body=values["body"],
            patch=True,
            principal=values["principal"],
            preconditions=curation.Preconditions(values["if_match"]),
            request_id=_request_id(values["request"]),
        )
        _adopt(values["request"], written)
        response.headers["ETag"] = written.current.etag or ""
        return written.current.item

    async def delete_item(**values: Any) -> Response:
        written = await curation.write(
            values["session"],
            kind,
            _key(kind, values),
            body=None,
            principal=values["principal"],
            preconditions=curation.Preconditions(values["if_match"]),
            request_id=_request_id(values["request"]),
        )
        _adopt(values["request"], written)
        return Response(status_code=204)

    common = [
        _param("request", Request),
        _param("response", Response),
        _param("session", SessionDep),
    ]
    writer = _param("principal", WriterDep)
    json_only = [Depends(require_json_body)]
    etag_header = {
        "ETag": {"description": "The resource's strong ETag.", "schema": {"type": "string"}}
    }
    router.add_api_route(
        kind.path,
        _with_signature(get_item, kind, *common),
        methods=["GET"],
        response_model=model,
        operation_id=f"getKb{kind.title}",
        summary=f"Get a {label} as stored, with its ETag",
        responses={**problem_responses(404, 422), 200: {"headers": etag_header}},
    )
    router.add_api_route(
        kind.path,
        _with_signature(
            put_item,
            kind,
            _param("body", Annotated[model, Body()]),
            *common,
            writer,
            _param("if_match", IfMatch, None),
            _param("if_none_match", IfNoneMatch, None),
        ),
        methods=["PUT"],
        response_model=model,
        operation_id=f"putKb{kind.title}",
        summary=f"Create or replace a {label}",
        description=(
            f"Creates the {label} when none exists (no precondition, or `If-None-Match: *`); "
            "replaces it when `If-Match` carries its current ETag."
        ),
        dependencies=json_only,
        responses={
            **WRITE_ERRORS,
            200: {"description": "Replaced.", "headers": etag_header},
            201: {"description": "Created.", "model": model, "headers": etag_header},
        },
    )
    router.add_api_route(
        kind.path,
        _with_signature(
            patch_item,
            kind,
            _param(
                "body",
                Annotated[
                    dict[str, Any],
                    Body(
                        description=(
                            "A JSON merge patch (RFC 7396): members replace, null removes."
                        )
                    ),
                ],
            ),
            *common,
            writer,
            _param("if_match", IfMatch, None),
        ),
        methods=["PATCH"],
        response_model=model,
        operation_id=f"patchKb{kind.title}",
        summary=f"Patch a {label} (JSON merge patch)",
        dependencies=json_only,
        responses={**WRITE_ERRORS, 200: {"description": "Patched.", "headers": etag_header}},
    )
    router.add_api_route(
        kind.path,
        _with_signature(delete_item, kind, *common, writer, _param("if_match", IfMatch, None)),
        methods=["DELETE"],
        status_code=204,
        response_class=Response,
        operation_id=f"deleteKb{kind.title}",
        summary=f"Delete a {label}",
        responses={**WRITE_ERRORS, 204: {"description": "Deleted."}},
    )


for _kind in KINDS:
    _add_routes(_kind)


@router.get(
    "/kb/export",
    operation_id="exportKnowledgeBase",
    summary="The whole knowledge base in the bundle's format",
)
async def export_knowledge_base(session: SessionDep) -> KnowledgeBundle:
    """Bundle and curated data together, as the data files hold it: review and commit it back."""
    return await curation.export(session)


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _rfc3339_only(value: object) -> object:
    """What the schema promises (format: date-time), not every string pydantic could parse."""
    if isinstance(value, str) and not _RFC3339.fullmatch(value):
        raise ValueError("expected an RFC 3339 date-time, such as 2026-11-23T10:00:00Z")
    return value


IsoDateTime = Annotated[dt.datetime, BeforeValidator(_rfc3339_only)]


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="Increasing with time.", examples=[42])
    at: dt.datetime = Field(
        description="When the write committed (UTC).", examples=["2026-11-23T17:15:57.301217Z"]
    )
    key_name: str = Field(description="The API key's name (or the command).", examples=["ops"])
    action: str = Field(
        description="create, replace, patch, delete, or revert (load-knowledge --force).",
        examples=["patch"],
    )
    resource: str = Field(description="The resource's URL.", examples=["/kb/frameworks/litestar"])
    before: Any | None = Field(
        description="Its JSON before (null: it did not exist).",
        examples=[{"summary": "An ASGI framework."}],
    )
    after: Any | None = Field(
        description="Its JSON after (null: deleted).",
        examples=[{"summary": "We run it in production."}],
    )
    request_id: str | None = Field(
        description="The request's X-Request-ID.", examples=["6f1c2e0a9b8d4c7e8a1b2c3d4e5f6a7b"]
    )


class AuditPage(BaseModel):
    entries: list[AuditEntryRead] = Field(description="Newest first.", examples=[[]])
    next_before_id: int | None = Field(
        description="Pass as `before_id` for the next page; null on the last page.",
        examples=[41],
    )


@router.get(
    "/audit",
    operation_id="listAudit",
    summary="The audit log of knowledge-base writes",
    responses=problem_responses(401, 403, 422),
)
async def list_audit(
    session: SessionDep,
    principal: AdminDep,
    resource: Annotated[
        str | None,
        Query(
            max_length=300,
            description="A resource URL: entries for it and everything under it.",
            examples=["/kb/frameworks/litestar"],
        ),
    ] = None,
    since: Annotated[
        IsoDateTime | None,
        Query(description="At or after (RFC 3339).", examples=["2026-11-23T10:00:00Z"]),
    ] = None,
    until: Annotated[
        IsoDateTime | None,
        Query(description="Before (RFC 3339).", examples=["2026-11-24T00:00:00Z"]),
    ] = None,
    before_id: Annotated[int | None, Query(ge=1, le=2**62, description="Paging cursor.")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Entries per page.")] = 50,
) -> AuditPage:
    rows = await curation.audit_page(
        session, resource=resource, since=since, until=until, before_id=before_id, limit=limit
    )
    entries = [AuditEntryRead.model_validate(r) for r in rows]
    next_id = entries[-1].id if len(entries) == limit else None
    return AuditPage(entries=entries, next_before_id=next_id)
