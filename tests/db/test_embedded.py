"""The embedded PostgreSQL belongs to the process that starts it, and is gone when that process is.

Each test gets a fresh data directory under the system temp dir (as root, the server runs as an
unprivileged user, which must be able to reach it) and stops whatever is left at the end.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.db.embedded import EmbeddedPostgres

ROOT = Path(__file__).resolve().parents[2]
# Bounds on waiting for a process to appear or go: a deadline for a poll, not a timed assertion.
DEADLINE_SECONDS = 90


@pytest.fixture
def data_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="fa-embedded-"))
    yield path
    EmbeddedPostgres(path).stop()
    shutil.rmtree(path, ignore_errors=True)


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_DATABASE_URL"}}
    return {**env, "ADVISOR_DATA_DIR": str(data_dir), "ADVISOR_LOG_LEVEL": "warning"}


def _servers(data_dir: Path) -> list[psutil.Process]:
    """PostgreSQL postmasters whose data directory is under ``data_dir``."""
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        if process.info["name"] == "postgres" and str(data_dir / "pgdata") in cmdline:
            found.append(process)
    return found


def _wait_until_gone(data_dir: Path) -> list[psutil.Process]:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while (left := _servers(data_dir)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_ready(server: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    output = server.communicate(timeout=10)[0] if server.poll() is not None else ""
    pytest.fail(f"serve did not become ready: {output}")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_stops_the_embedded_server_it_started(data_dir: Path, stop_signal: int) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        cwd=ROOT,
        env=_env(data_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_ready(server, port)
        assert len(_servers(data_dir)) == 1
        server.send_signal(stop_signal)
        output = server.communicate(timeout=DEADLINE_SECONDS)[0]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode == 0, output
    assert _servers(data_dir) == []
    assert not (data_dir / "owner.json").exists()


def test_db_status_shows_the_server_and_db_stop_stops_it(data_dir: Path) -> None:
    runner = CliRunner()
    env = _env(data_dir)
    EmbeddedPostgres(data_dir).start()
    (postmaster,) = _servers(data_dir)

    status = runner.invoke(cli, ["db", "status"], env=env)
    assert status.exit_code == 0, status.output
    assert f"data directory: {data_dir.resolve()}" in status.output
    assert f"running, pid {postmaster.pid}" in status.output
    assert f"owner:          pid {os.getpid()} (" in status.output

    stop = runner.invoke(cli, ["db", "stop"], env=env)
    assert stop.exit_code == 0, stop.output
    assert f"stopped the embedded PostgreSQL (pid {postmaster.pid})" in stop.output
    assert _servers(data_dir) == []

    after = runner.invoke(cli, ["db", "status"], env=env)
    assert "server:         stopped" in after.output
    assert "owner:          none" in after.output


OWNER_SCRIPT = """
import sys, threading, time
from pathlib import Path
from app.db.embedded import EmbeddedPostgres
server = EmbeddedPostgres(Path(sys.argv[1]))
if sys.argv[2] == "thread":  # started off the main thread: no parent-death signal
    starter = threading.Thread(target=server.start)
    starter.start()
    starter.join()
else:
    server.start()
print("started", flush=True)
time.sleep(600)
"""


def _killed_owner(data_dir: Path, how: str) -> int:
    """Start the server from a child process, SIGKILL that process, return its pid."""
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER_SCRIPT, str(data_dir), how],
        cwd=ROOT,
        env=_env(data_dir),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert owner.stdout is not None
    assert owner.stdout.readline().strip() == "started"
    assert len(_servers(data_dir)) == 1
    owner.kill()
    owner.wait()
    owner.stdout.close()
    return owner.pid


def test_the_server_stops_when_its_owner_is_killed(data_dir: Path) -> None:
    owner_pid = _killed_owner(data_dir, "main")
    assert _wait_until_gone(data_dir) == []
    status = CliRunner().invoke(cli, ["db", "status"], env=_env(data_dir))
    assert f"pid {owner_pid}, which no longer runs" in status.output


def test_a_stale_owner_is_cleaned_up_on_the_next_start(data_dir: Path) -> None:
    owner_pid = _killed_owner(data_dir, "thread")
    (orphan,) = _servers(data_dir)  # no parent-death signal: the server outlived its owner

    before = EmbeddedPostgres(data_dir).status()
    assert before.running
    assert before.stale
    assert before.owner_pid == owner_pid

    embedded = EmbeddedPostgres(data_dir)
    embedded.start()
    after = embedded.status()
    assert not orphan.is_running()
    assert after.running
    assert after.server_pid != orphan.pid
    assert after.owner_pid == os.getpid()
    assert after.owner_alive
    embedded.stop()
    assert _servers(data_dir) == []


def test_db_reset_asks_before_deleting(data_dir: Path) -> None:
    runner = CliRunner()
    env = _env(data_dir)
    EmbeddedPostgres(data_dir).start()

    declined = runner.invoke(cli, ["db", "reset"], env=env, input="n\n")
    assert declined.exit_code == 1
    assert "Delete the embedded database" in declined.output
    assert (data_dir / "pgdata" / "PG_VERSION").exists()
    assert len(_servers(data_dir)) == 1

    accepted = runner.invoke(cli, ["db", "reset"], env=env, input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert _servers(data_dir) == []
    assert not (data_dir / "pgdata").exists()
