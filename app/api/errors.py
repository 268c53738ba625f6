"""Render every error as an RFC 9457 problem document (application/problem+json)."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import AppError

PROBLEM_JSON = "application/problem+json"


def problem(
    request: Request,
    status: int,
    title: str,
    detail: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(
        body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON
    )


def _pointer(location: tuple[Any, ...]) -> str:
    """('body', 'team', 'size') -> '/team/size' (a JSON pointer into the request body)."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in location[1:]]
    return "/" + "/".join(parts) if parts else ""


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem(request, exc.status, exc.title, exc.message)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]),
            "pointer": _pointer(tuple(e["loc"])),
            "in": str(e["loc"][0]),
            "message": e["msg"],
        }
        for e in exc.errors()
    ]
    fields = ", ".join(e["field"] for e in errors)
    return problem(
        request, 422, "Unprocessable Content", f"invalid request: {fields}", errors=errors
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    title = HTTPStatus(exc.status_code).phrase
    return problem(request, exc.status_code, title, str(exc.detail), headers=exc.headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
