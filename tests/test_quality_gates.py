"""The static checks run as part of the test suite, so one command gates everything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.quality
@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "format", "--check", "app", "tests", "migrations"],
        ["ruff", "check", "app", "tests", "migrations"],
        ["mypy", "--strict", "app"],
    ],
    ids=["ruff-format", "ruff-check", "mypy-strict"],
)
def test_static_check_passes(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
