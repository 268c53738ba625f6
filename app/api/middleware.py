"""Pure ASGI middleware: request ids and the request log, the request body's limits, the in-flight
request limit, and security headers.

Pure ASGI (not BaseHTTPMiddleware) so the body is seen chunk by chunk as it arrives, and nothing is
buffered or copied on the way through.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from typing import Any

import structlog
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import REQUEST_ID_HEADER, RETRY_AFTER_SECONDS, FieldError, problem
from app.engine.profile import MAX_JSON_NESTING
from app.settings import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_IN_FLIGHT

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
        responded = False
        started = time.perf_counter()

        async def send_with_request_id(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status = message["status"]
                responded = True
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        # bind/reset rather than the bound_contextvars context manager: a third of the cost.
        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_request_id)
        except asyncio.CancelledError:
            if not responded:  # cut off by the shutdown timeout: app.serving answers 503
                status = 503
            raise
        finally:
            log = logger.error if status >= 500 else logger.info
            cause = scope["state"].get("error")  # app.api.errors.note_cause
            log(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
                **({"error": cause} if cause else {}),
            )
            structlog.contextvars.reset_contextvars(**tokens)


class _Refused(Exception):
    """The body crossed a limit while it was being received: the answer is this problem."""

    def __init__(self, status: int, detail: str, *, field_error: bool = False) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.field_error = field_error


def _declared_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    if value is None or not value.isdigit():
        return None
    return int(value)


def _limit(scope: Scope) -> int:
    """Settings.max_body_bytes of the app serving this request (set by its lifespan)."""
    settings: Any = getattr(scope["app"].state, "settings", None)
    return int(settings.max_body_bytes) if settings is not None else DEFAULT_MAX_BODY_BYTES


def _may_be_parsed_as_json(headers: Headers) -> bool:
    """JSON media types, and no Content-Type at all (FastAPI may parse that as JSON too)."""
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    return media_type in ("", "application/json") or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


_OUTSIDE_STRING = re.compile(rb'["\\\[\]{}]')
_INSIDE_STRING = re.compile(rb'["\\]')


class JsonNestingMeter:
    """Tracks how deep a JSON text nests, chunk by chunk, without parsing it.

    Brackets inside strings do not count. Only the structure is followed: whether the text is
    valid JSON is the parser's business, once the depth is known to be safe to parse.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.depth = 0
        self.in_string = False
        self.escaped = False

    def feed(self, chunk: bytes) -> bool:
        """Count this chunk; True once the text has nested deeper than the limit."""
        position, end = 0, len(chunk)
        if self.escaped and end:
            position, self.escaped = 1, False
        while position < end:
            if self.in_string:
                found = _INSIDE_STRING.search(chunk, position)
                if found is None:
                    return False
                if found.group() == b"\\":
                    if found.end() >= end:
                        self.escaped = True
                        return False
                    position = found.end() + 1
                    continue
                self.in_string = False
                position = found.end()
                continue
            found = _OUTSIDE_STRING.search(chunk, position)
            if found is None:
                return False
            token = found.group()
            position = found.end()
            if token == b'"':
                self.in_string = True
            elif token in (b"[", b"{"):
                self.depth += 1
                if self.depth > self.limit:
                    return True
            elif token in (b"]", b"}"):
                self.depth -= 1
        return False


class BodyGuardMiddleware:
    """Refuse a request body before the app parses it: too large (413), nested deeper than any
    profile can be (422), or compressed (415).

    A declared Content-Length over the limit is refused before anything is read. A chunked body
    (or one that outgrows its declaration) is counted as it is received and cut off at the limit;
    whatever the app then makes of the unfinished body is replaced by the refusal. A refusal
    carries `Connection: close`: the rest of the body is not worth reading.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = _limit(scope)
        headers = Headers(scope=scope)
        encoding = headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            detail = (
                f"the request body is sent with Content-Encoding {encoding[:40]!r}; send it "
                "uncompressed, as plain UTF-8 JSON"
            )
            await self._refuse(scope, receive, send, _Refused(415, detail))
            return
        declared = _declared_length(headers)
        if declared is not None and declared > limit:
            detail = f"the request body is larger than the limit of {limit} bytes"
            await self._refuse(scope, receive, send, _Refused(413, detail))
            return

        received = 0
        refusal: _Refused | None = None
        response_started = False
        nesting = JsonNestingMeter(MAX_JSON_NESTING) if _may_be_parsed_as_json(headers) else None

        async def receive_within_limits() -> Message:
            nonlocal received, refusal
            message = await receive()
            if message["type"] == "http.request":
                chunk: bytes = message.get("body", b"")
                received += len(chunk)
                if received > limit:
                    detail = f"the request body is larger than the limit of {limit} bytes"
                    refusal = _Refused(413, detail)
                    raise refusal
                if nesting is not None and nesting.feed(chunk):
                    detail = (
                        f"the JSON body nests deeper than {MAX_JSON_NESTING} levels, more than "
                        "any profile needs"
                    )
                    refusal = _Refused(422, detail, field_error=True)
                    raise refusal
            return message

        async def send_unless_refused(message: Message) -> None:
            nonlocal response_started
            if refusal is not None:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, receive_within_limits, send_unless_refused)
        except Exception:
            # The app may let the refusal through or wrap it; either way, once a limit is
            # crossed that is the answer, unless a response was already on its way.
            if refusal is None or response_started:
                raise
        if refusal is not None and not response_started:
            await self._refuse(scope, receive, send, refusal)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, refusal: _Refused) -> None:
        errors = (
            [FieldError(field="body", pointer="", in_="body", message=refusal.detail)]
            if refusal.field_error
            else None
        )
        response = problem(
            Request(scope), refusal.status, refusal.detail, headers=CLOSE, errors=errors
        )
        await response(scope, receive, send)


CLOSE = {"Connection": "close"}

# Every path that answers without work worth limiting, or that an orchestrator must always reach.
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz"})


class InFlightLimitMiddleware:
    """At most `max_in_flight` requests are handled at once; the next get 503 with Retry-After.

    It counts requests, not connections: idle and slow clients hold no slot, so they cannot keep
    a new client out.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        settings: Any = getattr(scope["app"].state, "settings", None)
        limit = int(settings.max_in_flight) if settings is not None else DEFAULT_MAX_IN_FLIGHT
        if self.in_flight >= limit:
            detail = f"the service is handling its limit of {limit} requests; retry shortly"
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            await problem(Request(scope), 503, detail, headers=headers)(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


# The one Content-Security-Policy, fitted to the pages the service serves: /docs and /redoc
# load their scripts and styles from this service, and run one inline script each (the UI's
# configuration) and inline styles; ReDoc renders in a blob: worker. JSON responses ignore it.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}


class SecurityHeadersMiddleware:
    """Every response carries the security headers (and HEAD works wherever GET does)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            # Answered as the GET it mirrors, without the body (RFC 9110, section 9.3.2).
            scope = {**scope, "method": "GET"}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_middleware(app: Starlette) -> None:
    """Added innermost first. The request context wraps everything, so every answer (a 413 or a
    503 included) carries a request id and is logged; the in-flight limit counts a request before
    its body is read."""
    app.add_middleware(BodyGuardMiddleware)
    app.add_middleware(InFlightLimitMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware)
