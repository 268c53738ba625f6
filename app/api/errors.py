"""Render every error as an RFC 9457 problem document (application/problem+json).

One place builds problem documents: the exception handlers installed here, and `problem`, which
the middleware that answers before the router (413) calls too. No stack trace ever reaches a
caller; the request id in every problem is what to quote when reporting one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.api.outages import DATABASE_OUTAGES, is_database_outage
from app.errors import AppError, InvalidKnowledge

PROBLEM_JSON = "application/problem+json"
REQUEST_ID_HEADER = "X-Request-ID"

# A body with thousands of bad entries must not produce a response thousands of entries long.
MAX_REPORTED_ERRORS = 50

# What a 503 asks the caller to wait before retrying (the Retry-After header).
RETRY_AFTER_SECONDS = 5

# RFC 9110 names; Python before 3.13 still has the older phrases for these.
_TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


class FieldError(BaseModel):
    """One invalid input: where it is and what is wrong with it."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    field: str = Field(
        description="Dotted path to the input; `body` when the body as a whole is the problem.",
        examples=["team.size"],
    )
    pointer: str = Field(
        description=(
            "JSON pointer (RFC 6901) to the input within the request part named by `in`; "
            "empty when the whole part is the problem."
        ),
        examples=["/team/size"],
    )
    in_: str = Field(
        alias="in",
        description="The request part: body, path, query, header or cookie.",
        examples=["body"],
    )
    message: str = Field(
        description="What is wrong, in words.",
        examples=["Input should be greater than or equal to 1"],
    )


class Problem(BaseModel):
    """An RFC 9457 problem document: every error response has this shape."""

    model_config = ConfigDict(frozen=True)

    type: str = Field(
        "about:blank",
        description="A URI reference naming the problem type; `about:blank`: the status says it.",
        examples=["about:blank"],
    )
    title: str = Field(
        description="Short summary of the problem type (the HTTP status phrase).",
        examples=["Not Found"],
    )
    status: int = Field(
        ge=400, le=599, description="The HTTP status code of this response.", examples=[404]
    )
    detail: str = Field(
        description="What went wrong in this occurrence, in words.",
        examples=["no framework with slug 'nope' (see GET /frameworks)"],
    )
    instance: str = Field(
        description="The request path this problem occurred on.", examples=["/frameworks/nope"]
    )
    request_id: str = Field(
        description="The request id (also in the X-Request-ID header): quote it when reporting.",
        examples=["6f1c2e0a9b8d4c7e8a1b2c3d4e5f6a7b"],
    )


class ValidationProblem(Problem):
    """A problem with the request's content: which inputs are invalid and why."""

    errors: list[FieldError] = Field(
        description=f"The invalid inputs (at most {MAX_REPORTED_ERRORS}).",
        examples=[
            [
                {
                    "field": "features.nope",
                    "pointer": "/features/nope",
                    "in": "body",
                    "message": "unknown feature 'nope' (see GET /features)",
                }
            ]
        ],
    )


def status_title(status: int) -> str:
    return _TITLES.get(status) or HTTPStatus(status).phrase


def problem(
    request: Request,
    status: int,
    detail: str,
    *,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    errors: Sequence[FieldError] | None = None,
) -> JSONResponse:
    """The problem+json response for this request, carrying its request id."""
    request_id: str = getattr(request.state, "request_id", "")
    fields: dict[str, Any] = {
        "title": title or status_title(status),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "request_id": request_id,
    }
    document = (
        ValidationProblem(**fields, errors=list(errors))
        if errors is not None
        else Problem(**fields)
    )
    response_headers = {**(headers or {}), REQUEST_ID_HEADER: request_id}
    return JSONResponse(
        document.model_dump(mode="json", by_alias=True),
        status_code=status,
        headers=response_headers,
        media_type=PROBLEM_JSON,
    )


def _pointer(location: Sequence[Any]) -> str:
    """('body', 'team', 'size') -> '/team/size' (a JSON pointer into the request body)."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in location[1:]]
    return "/" + "/".join(parts) if parts else ""


def _field_error(error: Mapping[str, Any]) -> FieldError:
    location = tuple(error["loc"])
    message = str(error["msg"])
    if location[-1] == "[key]":  # pydantic's marker for a bad key: point at its member instead
        location = location[:-1]
        message = f"invalid key: {message}"
    return FieldError(
        field=".".join(str(p) for p in location[1:]) or str(location[0]),
        pointer=_pointer(location),
        in_=str(location[0]),
        message=message,
    )


def _summary(fields: Sequence[str], total: int) -> str:
    shown = ", ".join(fields[:5])
    return f"{total} invalid input(s): {shown}" + (", ..." if total > 5 else "")


def _retry_after(status: int) -> dict[str, str] | None:
    return {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else None


def note_cause(request: Request, error: BaseException) -> None:
    """Name the cause on the request's one log line (app.api.middleware) instead of a traceback."""
    message = " ".join(str(error).split())[:300]
    request.state.error = f"{type(error).__name__}: {message}" if message else type(error).__name__


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    if exc.__cause__ is not None:
        note_cause(request, exc.__cause__)
    headers = {**(_retry_after(exc.status) or {}), **exc.headers}
    errors = None
    if isinstance(exc, InvalidKnowledge):
        errors = [
            FieldError(
                field=field,
                pointer="" if field == "body" else "/" + field.replace(".", "/"),
                in_="body",
                message=message,
            )
            for field, message in exc.errors[:MAX_REPORTED_ERRORS]
        ]
    return problem(
        request, exc.status, exc.message, title=exc.title, headers=headers, errors=errors
    )


async def _database_outage(request: Request, exc: Exception) -> JSONResponse:
    note_cause(request, exc)
    detail = "the database is unavailable; the recommendation service still answers, retry shortly"
    return problem(request, 503, detail, headers=_retry_after(503))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw = exc.errors()
    malformed = next((e for e in raw if e.get("type") == "json_invalid"), None)
    if malformed is not None:
        # Not JSON at all is a syntax error (400), not content the schema rejects (422).
        reason = str(malformed.get("ctx", {}).get("error", "JSON decode error"))
        position = malformed["loc"][-1]
        message = f"the request body is not valid JSON: {reason} at character {position}"
        error = FieldError(field="body", pointer="", in_="body", message=message)
        return problem(request, 400, message, errors=[error])
    errors = [_field_error(e) for e in raw[:MAX_REPORTED_ERRORS]]
    detail = _summary([e.field for e in errors], len(raw))
    return problem(request, 422, detail, errors=errors)


def _allowed_methods(request: Request) -> str:
    """Every method the OpenAPI document lists at this path (Starlette names only one route's)."""
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {method.upper() for method in operations}
    return ", ".join(sorted(methods))


def _http_detail(request: Request, exc: StarletteHTTPException) -> str:
    """Starlette's router raises 404 and 405 with the bare phrase; say something useful."""
    if exc.detail != HTTPStatus(exc.status_code).phrase:
        return str(exc.detail)
    if exc.status_code == 404:
        return f"no resource at {request.url.path}"
    if exc.status_code == 405:
        allowed = _allowed_methods(request) or (exc.headers or {}).get("Allow", "")
        return f"{request.method} is not allowed on {request.url.path}; allowed: {allowed}"
    return str(exc.detail)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # FastAPI's answer to a body it cannot decode (not UTF-8, say): the one 400 raised here.
        message = "the request body could not be read as JSON (it must be UTF-8 encoded)"
        error = FieldError(field="body", pointer="", in_="body", message=message)
        return problem(request, 400, message, headers=exc.headers, errors=[error])
    headers = dict(exc.headers or {})
    if exc.status_code == 405 and (allowed := _allowed_methods(request)):
        headers["Allow"] = allowed
    return problem(request, exc.status_code, _http_detail(request, exc), headers=headers)


async def _unhandled_error(request: Request, exc: Exception) -> JSONResponse:
    if is_database_outage(exc):
        # Starlette re-raises whatever reaches this handler, so outages are answered earlier
        # (below); one surfacing here anyway still gets its 503.
        return await _database_outage(request, exc)
    # Starlette re-raises after this response is sent, so the server logs the traceback.
    detail = "an unexpected error occurred; quote the request id when reporting it"
    return problem(request, 500, detail)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for outage in (*DATABASE_OUTAGES, DBAPIError):
        app.add_exception_handler(outage, _database_outage_or_bug)
    app.add_exception_handler(Exception, _unhandled_error)


async def _database_outage_or_bug(request: Request, exc: Exception) -> JSONResponse:
    if is_database_outage(exc):
        return await _database_outage(request, exc)
    raise exc  # a bug, not an outage: the 500 handler and its traceback


_DESCRIPTIONS = {
    400: "The body is not valid JSON.",
    401: "No API key, or not a valid one: send `Authorization: Bearer <key>`.",
    403: "The API key's scope does not allow this operation.",
    404: "No such resource.",
    409: "The change conflicts with the knowledge base: `detail` names what refers to it.",
    412: "`If-Match` does not match the resource's current ETag (or `If-None-Match: *` and it "
    "exists): read it again and retry.",
    413: "The request body is larger than the limit (64 KiB by default).",
    415: "The body is not JSON (send Content-Type: application/json).",
    422: "The request is well-formed but invalid: `errors` lists every invalid input.",
    428: "Replacing, patching or deleting an existing resource needs `If-Match: <ETag>`.",
    500: "An unexpected error; quote `request_id` when reporting it.",
    503: "The knowledge base is not loaded yet, the database is unavailable, or the service is at "
    "its in-flight request limit; retry after `Retry-After` seconds.",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these statuses (app.api.openapi makes them problem+json)."""
    return {
        status: {
            "model": ValidationProblem if status in (400, 422) else Problem,
            "description": _DESCRIPTIONS[status],
        }
        for status in statuses
    }
