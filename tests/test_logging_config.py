"""Logging is configured on demand (not at import) and renders every record as one JSON line."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator

import pytest
import structlog

from app.logging_config import HANDLER_NAME, configure_logging, json_formatter


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if h.get_name() == HANDLER_NAME]


@pytest.mark.usefixtures("restore_root_logger")
def test_configuring_twice_installs_one_handler_and_sets_the_level() -> None:
    configure_logging("warning")
    configure_logging("debug")
    assert len(_ours()) == 1
    assert logging.getLogger().level == logging.DEBUG
    assert logging.getLogger("uvicorn.access").disabled


def test_a_stdlib_record_with_an_exception_renders_as_one_json_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "sqlalchemy", logging.ERROR, __file__, 1, "failed %s", ("x",), None
        )
        record.exc_info = sys.exc_info()
    with structlog.contextvars.bound_contextvars(request_id="req-7"):
        rendered = json_formatter().format(record)
    assert "\n" not in rendered
    line = json.loads(rendered)
    assert line["event"] == "failed x"
    assert line["level"] == "error"
    assert line["request_id"] == "req-7"
    assert "ValueError: boom" in line["exception"]


def test_importing_the_app_configures_no_logging() -> None:
    code = (
        "import logging, app.main; "
        f"print(any(h.get_name() == {HANDLER_NAME!r} for h in logging.getLogger().handlers))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
