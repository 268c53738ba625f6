"""Structured logs: one JSON object per line on stdout, for structlog and stdlib loggers alike.

The service logs through structlog; uvicorn, SQLAlchemy and Alembic through the standard library.
Both go through the same processors and renderer, so every line is JSON and carries the request id
of the request it was written for. Called by the app's lifespan and the CLI, never at import.
"""

from __future__ import annotations

import logging
import sys

import structlog
from structlog.typing import EventDict, Processor

HANDLER_NAME = "framework-advisor"


def _drop_color_message(_: object, __: str, event: EventDict) -> EventDict:
    """uvicorn passes a terminal-coloured copy of each message as an extra: noise in JSON."""
    event.pop("color_message", None)
    return event


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.ExtraAdder(),
        _drop_color_message,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def json_formatter() -> logging.Formatter:
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )


def configure_logging(level: str = "info") -> None:
    """Route every log record to one JSON handler on stdout. Safe to call more than once."""
    structlog.configure(
        processors=[
            *_shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(json_formatter())

    root = logging.getLogger()
    # Replace our own handler from an earlier call, keep anyone else's (pytest's, for one).
    for existing in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level.upper())

    for name in ("uvicorn", "uvicorn.error"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    # The request log (app.api.middleware) is the access log: one line per request, with its id.
    logging.getLogger("uvicorn.access").disabled = True
