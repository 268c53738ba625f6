"""Pure ASGI middleware: request ids and the request log, and the request body limit.

Pure ASGI (not BaseHTTPMiddleware) so the body is seen chunk by chunk as it arrives, and nothing is
buffered or copied on the way through.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import REQUEST_ID_HEADER, problem
from app.settings import DEFAULT_MAX_BODY_BYTES

logger = structlog.get_logger("app.request")

REQUEST_ID_MAX_LENGTH = 128
# Safe to echo in a header and to write in a log line: no spaces, quotes or control characters.
REQUEST_ID_PATTERN = rf"^[A-Za-z0-9][A-Za-z0-9._:-]{{0,{REQUEST_ID_MAX_LENGTH - 1}}}$"
_REQUEST_ID = re.compile(REQUEST_ID_PATTERN)


def accept_request_id(supplied: str | None) -> str:
    """The caller's X-Request-ID when it is safe to reuse, otherwise a new one."""
    if supplied is not None and _REQUEST_ID.fullmatch(supplied):
        return supplied
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Give every request an id (echoed in X-Request-ID) and log one line when it is done."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accept_request_id(Headers(scope=scope).get(REQUEST_ID_HEADER))
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500  # what the caller gets if the app fails before it starts a response
        started = time.perf_counter()

        async def send_with_request_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_request_id)
            finally:
                log = logger.error if status >= 500 else logger.info
                log(
                    "request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )


class _BodyTooLarge(Exception):
    pass


def _declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    if value is None or not value.isdigit():
        return None
    return int(value)


def _limit(scope: Scope) -> int:
    """Settings.max_body_bytes of the app serving this request (set by its lifespan)."""
    settings: Any = getattr(scope["app"].state, "settings", None)
    return int(settings.max_body_bytes) if settings is not None else DEFAULT_MAX_BODY_BYTES


class BodySizeLimitMiddleware:
    """Answer 413 when the request body is larger than the limit.

    A declared Content-Length over the limit is refused before anything is read. A chunked body
    (or one that outgrows its declaration) is counted as it is received and cut off at the limit;
    whatever the app then makes of the unfinished body is replaced by the 413.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = _limit(scope)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send, limit)
            return

        received = 0
        exceeded = False
        response_started = False

        async def receive_within_limit() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def send_unless_exceeded(message: Message) -> None:
            nonlocal response_started
            if exceeded:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive_within_limit, send_unless_exceeded)
        except Exception:
            # The app may let _BodyTooLarge through or wrap it; either way, once the limit is
            # crossed the answer is 413, unless a response was already on its way.
            if not exceeded or response_started:
                raise
        if exceeded and not response_started:
            await self._refuse(scope, receive, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        detail = f"the request body is larger than the limit of {limit} bytes"
        await problem(Request(scope), 413, detail)(scope, receive, send)
