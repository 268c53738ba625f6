"""The framework-advisor command line against real, empty databases."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from app.cli import cli, worker_count
from tests.conftest import create_database, drop_database

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def empty_database_url(server_url: str) -> Iterator[str]:
    url = create_database(server_url, prefix="fa_cli")
    yield url
    drop_database(url)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_load_knowledge_migrates_and_loads_an_empty_database(empty_database_url: str) -> None:
    runner = CliRunner()
    env = {"DATABASE_URL": empty_database_url}
    first = runner.invoke(cli, ["load-knowledge"], env=env)
    assert first.exit_code == 0, first.output
    assert "knowledge base loaded" in first.output
    second = runner.invoke(cli, ["load-knowledge"], env=env)
    assert second.exit_code == 0, second.output
    assert "already up to date" in second.output


def test_serve_migrates_an_empty_database_and_becomes_ready(empty_database_url: str) -> None:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": empty_database_url, "ADVISOR_LOG_LEVEL": "warning"}
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        status = None
        deadline = time.monotonic() + 120  # a deadline for a loaded machine, not a timing check
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code
            except httpx.TransportError:
                time.sleep(0.3)
                continue
            if status == 200:
                break
            time.sleep(0.3)
        assert status == 200, server.stdout.read() if server.poll() is not None else status
        frameworks = httpx.get(f"http://127.0.0.1:{port}/frameworks", timeout=5).json()
        assert len(frameworks) >= 12
    finally:
        server.terminate()
        server.wait(timeout=20)
        if server.stdout:
            server.stdout.close()


def test_workers_auto_is_one_per_core_this_process_may_use() -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert worker_count("auto") == cores
    assert worker_count(" AUTO ") == cores


@pytest.mark.parametrize(("given", "expected"), [("1", 1), ("4", 4), (1, 1)])
def test_workers_takes_a_positive_number(given: str | int, expected: int) -> None:
    assert worker_count(given) == expected


@pytest.mark.parametrize("given", ["0", "-1", "two", "1.5", ""])
def test_workers_refuses_anything_else(given: str) -> None:
    with pytest.raises(typer.BadParameter, match="neither a positive number nor auto"):
        worker_count(given)


def test_serve_refuses_bad_workers_before_touching_the_database() -> None:
    result = CliRunner().invoke(cli, ["serve", "--workers", "zero"])
    assert result.exit_code == 2
    assert "neither a positive number nor auto" in result.output


def test_version_prints_the_package_version() -> None:
    from importlib.metadata import version

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"framework-advisor {version('framework-advisor')}\n"


def test_openapi_to_standard_output_writes_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.api.openapi import render_openapi
    from app.main import create_app

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["openapi", "--output", "-"])
    assert result.exit_code == 0, result.output
    assert result.stdout == render_openapi(create_app())
    assert list(tmp_path.iterdir()) == []


def test_serve_on_a_busy_port_fails_in_one_line_before_serving() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        # The database is unreachable too: the port is checked before anything else starts.
        env = {**os.environ, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nothing"}
        result = subprocess.run(
            [sys.executable, "-m", "app", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]
