"""Engine-test plumbing: lines a test wants shown in the terminal summary of a normal run."""

from __future__ import annotations

import pytest

#: Lines appended by tests (e.g. the real-cases pass count), printed after the run.
SUMMARY_LINES = pytest.StashKey[list[str]]()


def summary_lines(config: pytest.Config) -> list[str]:
    """The run's list of summary lines, created on first use."""
    return config.stash.setdefault(SUMMARY_LINES, [])


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    lines = config.stash.get(SUMMARY_LINES, [])
    if lines:
        terminalreporter.section("engine report")
        for line in lines:
            terminalreporter.write_line(line)
