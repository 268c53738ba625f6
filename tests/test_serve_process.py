"""`framework-advisor serve` as a process: it waits for its database, and stops like a service."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.pg_cluster import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHUTDOWN_TIMEOUT = 3


def _serve(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "ADVISOR_LOG_LEVEL": "info", **env}
    with (tmp_path / "stdout").open("wb") as stdout, (tmp_path / "stderr").open("wb") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "app", "serve", *args],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=stdout,
            stderr=stderr,
        )


def test_serve_against_an_unreachable_database_exits_non_zero_with_one_reason(
    tmp_path: Path,
) -> None:
    wait_seconds = 3
    started = time.monotonic()
    process = _serve(
        tmp_path,
        {
            "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nowhere",  # nothing listens on 1
            "ADVISOR_DB_WAIT_SECONDS": str(wait_seconds),
        },
        "--port",
        str(free_port()),
    )
    code = process.wait(timeout=120)
    elapsed = time.monotonic() - started
    stderr = (tmp_path / "stderr").read_text().strip().splitlines()
    stdout = (tmp_path / "stdout").read_text().splitlines()
    print(f"serve gave up after {elapsed:.1f} s (wait {wait_seconds} s); stderr: {stderr}")
    assert code != 0
    assert elapsed <= wait_seconds + 15  # the wait, plus starting Python and importing the app
    assert 1 <= len(stderr) <= 5
    assert "did not answer within 3 s" in stderr[-1]
    attempts = [json.loads(line) for line in stdout if line.startswith("{")]
    waiting = [a for a in attempts if a.get("event") == "waiting for the database"]
    assert len(waiting) >= 2
    assert all("ConnectionRefusedError" in a["error"] for a in waiting)


def _ready(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/readyz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


BODY = json.dumps({"project_type": "api", "team": {"size": 3}}).encode()


def _head(length: int) -> bytes:
    return (
        b"POST /recommend HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        + b"Content-Length: %d\r\n\r\n" % length
    )


def test_sigterm_under_load_finishes_in_flight_requests_and_exits_0(
    tmp_path: Path, database_url: str, engine: AsyncEngine
) -> None:
    port = free_port()
    process = _serve(
        tmp_path,
        {"DATABASE_URL": database_url, "ADVISOR_SHUTDOWN_TIMEOUT_SECONDS": str(SHUTDOWN_TIMEOUT)},
        "--port",
        str(port),
    )
    try:
        deadline = time.monotonic() + 120
        while not _ready(port):  # a readiness poll, not a timing assertion
            assert process.poll() is None, (tmp_path / "stderr").read_text()
            assert time.monotonic() < deadline, "serve never became ready"
            time.sleep(0.1)

        # Load: clients posting profiles as fast as they can, until the server goes away.
        statuses: list[int] = []
        stop = threading.Event()

        def load() -> None:
            while not stop.is_set():
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                try:
                    connection.request(
                        "POST", "/recommend", BODY, {"Content-Type": "application/json"}
                    )
                    statuses.append(connection.getresponse().status)
                except OSError:  # refused once the server stops listening: not in flight
                    return
                finally:
                    connection.close()

        workers = [threading.Thread(target=load) for _ in range(4)]
        for worker in workers:
            worker.start()

        # In flight at SIGTERM: one request half sent (it will finish), one stalled for good.
        finishing = socket.create_connection(("127.0.0.1", port), timeout=30)
        finishing.sendall(_head(len(BODY)) + BODY[:10])
        stalled = socket.create_connection(("127.0.0.1", port), timeout=30)
        stalled.sendall(_head(1000) + b'{"project')
        time.sleep(0.5)  # let the server read both heads

        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        time.sleep(0.5)
        finishing.sendall(BODY[10:])
        answer = b""
        while chunk := finishing.recv(65536):
            answer += chunk
            if b"\r\n\r\n" in answer and answer.endswith(b"}"):
                break
        code = process.wait(timeout=SHUTDOWN_TIMEOUT + 30)
        elapsed = time.monotonic() - signalled
        stop.set()
        for worker in workers:
            worker.join()
        stalled.settimeout(5)
        try:
            cut_off = stalled.recv(65536)
        except OSError:
            cut_off = b""
        finishing.close()
        stalled.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    print(
        f"SIGTERM: exit {code} after {elapsed:.2f} s (shutdown timeout {SHUTDOWN_TIMEOUT} s); "
        f"{len(statuses)} requests under load"
    )
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
    # The stalled upload was cut off at the shutdown timeout, with an answer that says so.
    assert cut_off.startswith(b"HTTP/1.1 503 "), cut_off[:200]
    assert b"application/problem+json" in cut_off
    assert code == 0, (tmp_path / "stderr").read_text()
    assert elapsed <= SHUTDOWN_TIMEOUT + 5
    assert statuses
    assert set(statuses) == {200}
