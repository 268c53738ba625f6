"""The HTTP server, bounded in size and time: what `framework-advisor serve` (and the image) runs.

uvicorn serves the app, through its h11 protocol extended here, because uvicorn alone leaves four
gaps (checked against uvicorn 0.54): no header-read timeout (a client that trickles its headers is
never closed), no header-count limit, a 400 rather than 431 for oversized headers, and a close with
unread input still queued (the kernel then resets the connection, and a client that sends its whole
request before reading never sees the 413 or 431). The rest is uvicorn's own: the keep-alive
timeout, the header-size cap (h11's incomplete-event limit) and the graceful-shutdown timeout. The
in-flight request limit is the app's (app.api.middleware), so it holds behind any server.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import signal
import uuid
from dataclasses import dataclass
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState
from uvicorn.supervisors import Multiprocess

from app.api.errors import PROBLEM_JSON, RETRY_AFTER_SECONDS, Problem, status_title
from app.settings import Settings

logger = logging.getLogger(__name__)


WORKER_START_SECONDS = 30


@dataclass(frozen=True)
class ConnectionLimits:
    """Per-connection bounds the protocol enforces (see Settings for what each one means)."""

    max_header_bytes: int
    max_header_count: int
    header_timeout: float
    drain_bytes: int
    drain_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> ConnectionLimits:
        return cls(
            max_header_bytes=settings.max_header_bytes,
            max_header_count=settings.max_header_count,
            header_timeout=settings.header_timeout_seconds,
            drain_bytes=settings.drain_bytes,
            drain_seconds=settings.drain_seconds,
        )


class GuardedConfig(uvicorn.Config):
    """uvicorn's Config carrying the connection limits to every protocol instance (and worker)."""

    def __init__(self, app: Any, *, limits: ConnectionLimits, **kwargs: Any) -> None:
        super().__init__(
            app,
            http=GuardedH11Protocol,
            h11_max_incomplete_event_size=limits.max_header_bytes,
            **kwargs,
        )
        self.connection_limits = limits

    def load(self) -> None:
        super().load()
        self.loaded_app = _AnswerWhenCancelled(self.loaded_app)


class _AnswerWhenCancelled:
    """What uvicorn still runs when the shutdown timeout ends, it cancels; left alone, uvicorn then
    logs a traceback and answers a plain-text 500. A request cancelled before its response began
    (a stalled upload, say) gets a 503 problem instead, and the cancellation ends there."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except asyncio.CancelledError:
            if scope["type"] != "http" or started:
                raise
            logger.warning("request cancelled at shutdown", extra={"path": scope["path"]})
            document = Problem(
                title=status_title(503),
                status=503,
                detail="the service is shutting down; retry",
                instance=scope["path"],
                # The id the request log line carries (app.api.middleware), when it got that far.
                request_id=scope.get("state", {}).get("request_id") or uuid.uuid4().hex,
            )
            body = document.model_dump_json().encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [
                        (b"content-type", PROBLEM_JSON.encode()),
                        (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close"),
                        (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
                        (b"x-request-id", document.request_id.encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})


class _HeadersRefused(h11.RemoteProtocolError):
    pass


class _LimitedConnection(h11.Connection):
    """h11's connection, which also refuses a request whose headers are too many or too large.

    h11 itself caps a request head still arriving (its incomplete-event limit); a head that arrives
    whole in one read is counted here instead, against the same limit.
    """

    def __init__(self, limits: ConnectionLimits) -> None:
        super().__init__(h11.SERVER, max_incomplete_event_size=limits.max_header_bytes)
        self.limits = limits
        self.target = b""
        self.last_error: h11.RemoteProtocolError | None = None

    def next_event(self) -> Any:
        try:
            event = self._next_limited_event()
        except h11.RemoteProtocolError as error:
            self.last_error = error  # uvicorn drops it; its status hint picks 400 or 431
            raise
        return event

    def _next_limited_event(self) -> Any:
        event = super().next_event()
        if isinstance(event, h11.Request):
            self.target = event.target
            count = len(event.headers)
            size = sum(len(name) + len(value) + 4 for name, value in event.headers)
            if count > self.limits.max_header_count:
                raise _HeadersRefused(
                    f"the request has {count} header fields; the limit is "
                    f"{self.limits.max_header_count}",
                    error_status_hint=431,
                )
            if size > self.limits.max_header_bytes:
                raise _HeadersRefused(
                    f"the request's header fields are {size} bytes; the limit is "
                    f"{self.limits.max_header_bytes}",
                    error_status_hint=431,
                )
        return event


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header-read timeout, header limits and a draining close."""

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        limits: ConnectionLimits | None = getattr(config, "connection_limits", None)
        # Per connection, so read from settings only when uvicorn was not given a GuardedConfig.
        self.limits = limits or ConnectionLimits.from_settings(Settings())
        self.limited = _LimitedConnection(self.limits)
        self.conn = self.limited
        self._header_timer: asyncio.TimerHandle | None = None
        self._drain_timer: asyncio.TimerHandle | None = None
        self._draining = False
        self._discarded = 0

    # A request's head must arrive within the header timeout, counted from its first byte (or
    # from the connection's start): a keep-alive timer alone never closes a slow sender.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.transport = _DrainingTransport(transport, self)  # type: ignore[assignment]
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._draining:
            self._discard(data)
            return
        if self.conn.our_state is h11.DONE and self.conn.their_state is h11.SEND_BODY:
            # The answer is sent and the rest of the body is being skipped: bound how much.
            self._discard(data)
            if self._draining:
                return
        if self.conn.their_state is h11.IDLE:
            self._arm_header_timer()
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._cancel_header_timer()

    def eof_received(self) -> None:
        if self._draining:  # the client has sent everything: the answer is out, close
            self._really_close()

    def send_400_response(self, msg: str) -> None:
        """A malformed request gets 400; a head too large or with too many fields gets 431."""
        self._cancel_header_timer()
        error = self.limited.last_error
        status = 431 if error is not None and error.error_status_hint == 431 else 400
        detail = str(error) if isinstance(error, _HeadersRefused) else "malformed HTTP request"
        if status == 431 and not isinstance(error, _HeadersRefused):
            limit = self.limits.max_header_bytes
            detail = f"the request's header fields are larger than the limit of {limit} bytes"
        target = self.limited.target.partition(b"?")[0].decode("ascii", "replace")
        document = Problem(
            title=status_title(status),
            status=status,
            detail=detail,
            instance=target,
            request_id=uuid.uuid4().hex,
        )
        body = document.model_dump_json().encode()
        headers = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            (b"x-request-id", document.request_id.encode()),
        ]
        self.transport.write(
            self.conn.send(h11.Response(status_code=status, headers=headers))
            + self.conn.send(h11.Data(data=body))
            + self.conn.send(h11.EndOfMessage())
        )
        self.transport.close()

    def timeout_header_handler(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self._really_close()

    # Draining: answer, then read and drop what the client still sends (up to a bound) before
    # closing, so a client that writes its whole request first still reads the answer.
    def begin_drain(self) -> None:
        if self._draining:
            return
        self._draining = True
        self._cancel_header_timer()
        self._unset_keepalive_if_required()
        transport: asyncio.Transport = self.transport._transport  # type: ignore[attr-defined]
        if transport.can_write_eof():
            transport.write_eof()
        transport.resume_reading()
        self._drain_timer = self.loop.call_later(self.limits.drain_seconds, self._really_close)

    def _discard(self, data: bytes) -> None:
        self._discarded += len(data)
        if self._discarded > self.limits.drain_bytes:
            self._really_close()
        elif not self._draining and self._drain_timer is None:
            self._drain_timer = self.loop.call_later(self.limits.drain_seconds, self._really_close)

    def _peer_may_be_sending(self) -> bool:
        return self.conn.their_state in (h11.SEND_BODY, h11.ERROR)

    def _really_close(self) -> None:
        self._cancel_timers()
        self.transport._transport.close()  # type: ignore[attr-defined]

    def _arm_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(
                self.limits.header_timeout, self.timeout_header_handler
            )

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _cancel_timers(self) -> None:
        self._cancel_header_timer()
        if self._drain_timer is not None:
            self._drain_timer.cancel()
            self._drain_timer = None


class _DrainingTransport:
    """The connection's transport, whose close() drains first while the client may be sending."""

    def __init__(self, transport: asyncio.Transport, protocol: GuardedH11Protocol) -> None:
        self._transport = transport
        self._protocol = protocol

    def close(self) -> None:
        if self._protocol._peer_may_be_sending() and not self._transport.is_closing():
            self._protocol.begin_drain()
        else:
            self._protocol._really_close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def raise_open_file_limit() -> tuple[int, int]:
    """Raise the soft limit on open files to the hard limit: each connection costs one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):  # not permitted here: keep what we have, and say so
            logger.warning("could not raise the open-file limit", extra={"soft": soft})
    return soft, hard


def server_config(app: Any, settings: Settings, **kwargs: Any) -> GuardedConfig:
    """The uvicorn configuration with every bound from settings."""
    return GuardedConfig(
        app,
        limits=ConnectionLimits.from_settings(settings),
        timeout_keep_alive=max(1, round(settings.keep_alive_seconds)),
        timeout_graceful_shutdown=max(1, round(settings.shutdown_timeout_seconds)),
        # With --workers, a worker that has not answered the supervisor's first ping within this
        # long is killed and replaced; importing the app on a busy machine can take longer than
        # uvicorn's default of 5 s, which turned slow starts into endless restarts.
        timeout_worker_healthcheck=WORKER_START_SECONDS,
        ws="none",
        log_level=settings.log_level,
        # The app's lifespan configures JSON logging; its request log replaces the access log.
        log_config=None,
        access_log=False,
        **kwargs,
    )


def _exit_cleanly_after_drain(signum: int, frame: object) -> None:
    """uvicorn re-raises the stop signal once it has drained; landing here, the exit code is 0."""


def run_server(settings: Settings, *, host: str, port: int, workers: int) -> None:
    """Serve until SIGTERM or SIGINT; drain in-flight requests up to the shutdown timeout."""
    soft, _ = raise_open_file_limit()
    logger.info("open-file limit", extra={"limit": soft})
    config = server_config(
        "app.main:create_app", settings, factory=True, host=host, port=port, workers=workers
    )
    server = uvicorn.Server(config)
    # A service stopped on purpose exits 0, not 143 (128 + SIGTERM). A caller that already
    # handles SIGTERM (to stop what it started, say) keeps its handler: uvicorn calls it instead.
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, _exit_cleanly_after_drain)
    if workers > 1:
        sock = config.bind_socket()
        Multiprocess(config, sockets=[sock]).run()
    else:
        server.run()
