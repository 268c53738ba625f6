"""The server as `serve` runs it (app.serving), over raw sockets: bounded in size and in time.

Heads too large or with too many fields get a 431 a client can read even when it sends everything
before reading; a client that trickles its head is closed within the header timeout; slow clients
do not keep a new one waiting; a 10 MB body gets a readable 413.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.main import create_app
from app.serving import raise_open_file_limit
from app.settings import Settings
from tests.conftest import serving

HEADER_TIMEOUT = 2.0
SLOW_CLIENTS = 1100


@pytest.fixture(scope="module")
def guarded_server(settings: Settings, engine: AsyncEngine) -> Iterator[tuple[str, int]]:
    """A server with a short header timeout, so the tests that wait on it stay short."""
    quick = settings.model_copy(update={"header_timeout_seconds": HEADER_TIMEOUT})
    with serving(create_app(quick), quick) as url:
        parts = urlsplit(url)
        assert parts.hostname is not None
        assert parts.port is not None
        yield parts.hostname, parts.port


def _exchange(address: tuple[str, int], request: bytes) -> bytes:
    """Send the whole request, then read the whole answer (until the server closes)."""
    with socket.create_connection(address, timeout=30) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
        return received


def _status_and_problem(answer: bytes) -> tuple[int, dict[str, object]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    assert b"content-type: application/problem+json" in head.lower()
    problem: dict[str, object] = json.loads(body)
    assert problem["status"] == status
    return status, problem


def test_a_100kb_header_sent_whole_gets_a_readable_431(guarded_server: tuple[str, int]) -> None:
    request = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n"
    status, problem = _status_and_problem(_exchange(guarded_server, request))
    assert status == 431
    assert "16384" in str(problem["detail"])


def test_a_large_head_with_a_body_behind_it_still_gets_a_readable_431(
    guarded_server: tuple[str, int],
) -> None:
    body = b"{" + b" " * 2_000_000 + b"}"
    request = (
        b"POST /recommend HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        + b"X-Big: "
        + b"a" * 100_000
        + b"\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )
    status, _ = _status_and_problem(_exchange(guarded_server, request))
    assert status == 431


def test_a_head_that_keeps_growing_is_refused_before_it_ends(
    guarded_server: tuple[str, int],
) -> None:
    # Sent in pieces, the head outgrows the limit while still incomplete: h11's own cap answers.
    with socket.create_connection(guarded_server, timeout=30) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: ")
        answer = b""
        for _ in range(40):
            try:
                connection.sendall(b"a" * 4096)
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.01)
        connection.settimeout(10)
        while chunk := connection.recv(65536):
            answer += chunk
    status, problem = _status_and_problem(answer)
    assert status == 431
    assert "16384 bytes" in str(problem["detail"])


def test_too_many_header_fields_get_a_431(guarded_server: tuple[str, int]) -> None:
    fields = b"".join(b"X-F%d: v\r\n" % i for i in range(150))
    request = b"GET /healthz HTTP/1.1\r\nHost: t\r\n" + fields + b"\r\n"
    status, problem = _status_and_problem(_exchange(guarded_server, request))
    assert status == 431
    assert "151 header fields" in str(problem["detail"])


def test_a_head_within_the_limits_is_served(guarded_server: tuple[str, int]) -> None:
    fields = b"".join(b"X-F%d: v\r\n" % i for i in range(50))
    request = b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" + fields + b"\r\n"
    assert _exchange(guarded_server, request).startswith(b"HTTP/1.1 200 ")


def test_a_client_trickling_its_head_is_closed_within_the_header_timeout(
    guarded_server: tuple[str, int],
) -> None:
    # A byte a second: never idle for long, so only a deadline on the whole head can stop it.
    request = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"s" * 100
    with socket.create_connection(guarded_server, timeout=30) as connection:
        started = time.monotonic()
        closed = False
        for byte in request:
            try:
                connection.sendall(bytes([byte]))
                connection.settimeout(1.0)
                closed = connection.recv(1) == b""
            except TimeoutError:
                continue
            except (ConnectionResetError, BrokenPipeError):
                closed = True
            if closed:
                break
        elapsed = time.monotonic() - started
    print(f"slow head closed after {elapsed:.2f} s (header timeout {HEADER_TIMEOUT} s)")
    assert closed
    assert elapsed <= HEADER_TIMEOUT + 3.0


def test_a_new_client_is_served_while_1100_slow_clients_hold_connections(
    guarded_server: tuple[str, int],
) -> None:
    raise_open_file_limit()  # this process holds both ends of every connection
    slow: list[socket.socket] = []
    try:
        for _ in range(SLOW_CLIENTS):
            connection = socket.create_connection(guarded_server, timeout=30)
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ")
            slow.append(connection)
        started = time.monotonic()
        body = json.dumps({"project_type": "api"}).encode()
        answer = _exchange(
            guarded_server,
            b"POST /recommend HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
            + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
            + body,
        )
        elapsed = time.monotonic() - started
    finally:
        for connection in slow:
            connection.close()
    print(f"with {SLOW_CLIENTS} slow connections open, a new client was served in {elapsed:.3f} s")
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert elapsed <= 2.0


def test_a_10mb_body_sent_with_urllib_gets_a_readable_413_every_time(
    guarded_server: tuple[str, int],
) -> None:
    host, port = guarded_server
    body = b'{"project_type": "api", "padding": "' + b"x" * 10_000_000 + b'"}'
    statuses = []
    for _ in range(10):
        request = urllib.request.Request(
            f"http://{host}:{port}/recommend",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        problem = json.loads(refused.value.read())
        assert problem["status"] == 413
        statuses.append(refused.value.code)
    assert statuses == [413] * 10
