"""Service settings, read from the environment (and an optional ``.env`` file)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["debug", "info", "warning", "error", "critical"]

DEFAULT_MAX_BODY_BYTES = 64 * 1024
DEFAULT_MAX_IN_FLIGHT = 256


def default_data_dir() -> Path:
    """The user's data dir; for root, /var/lib (the embedded server runs as a system user there)."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/var/lib/framework-advisor")
    return platformdirs.user_data_path("framework-advisor")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ADVISOR_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str | None = Field(
        None,
        validation_alias=AliasChoices("DATABASE_URL", "ADVISOR_DATABASE_URL"),
        description="postgresql+asyncpg:// URL. Unset: start the embedded PostgreSQL.",
    )
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    log_level: LogLevel = "info"
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Where the embedded PostgreSQL keeps its data directory.",
    )
    db_connect_timeout: float = Field(
        3.0, gt=0, description="Seconds to open a database connection (service and migrations)."
    )
    db_statement_timeout: float = Field(
        5.0,
        gt=0,
        description=(
            "Seconds a statement may run (PostgreSQL's statement_timeout) and a command may wait "
            "for the server's answer; also the most a catalog request spends on the database."
        ),
    )
    db_wait_seconds: float = Field(
        30.0, ge=0, le=600, description="How long `serve` waits for the database at start."
    )
    kb_refresh_seconds: float = Field(
        30.0, gt=0, description="How often the knowledge-base version is checked for changes."
    )
    require_key_for_reads: bool = Field(
        False, description="Require an API key (any scope) for reads and /recommend too."
    )
    kb_listen: bool = Field(
        True, description="LISTEN for knowledge-base changes (polling stays as a backstop)."
    )
    max_body_bytes: int = Field(
        DEFAULT_MAX_BODY_BYTES, ge=1024, description="Largest request body accepted, in bytes."
    )
    max_in_flight: int = Field(
        DEFAULT_MAX_IN_FLIGHT,
        ge=1,
        description="Requests handled at once per worker; more get 503 + Retry-After.",
    )
    max_header_bytes: int = Field(
        16 * 1024, ge=1024, description="Largest request head (line and headers); else 431."
    )
    max_header_count: int = Field(100, ge=8, description="Most header fields; else 431.")
    header_timeout_seconds: float = Field(
        10.0, gt=0, description="Seconds a client has to send a request's head; then closed."
    )
    keep_alive_seconds: float = Field(
        5.0, gt=0, description="Seconds an idle keep-alive connection stays open."
    )
    shutdown_timeout_seconds: float = Field(
        10.0, gt=0, description="Seconds SIGTERM waits for in-flight requests before cancelling."
    )
    drain_bytes: int = Field(
        16 * 1024 * 1024,
        ge=0,
        description="Bytes of a refused request read and dropped before closing, so the client "
        "can read the refusal.",
    )
    drain_seconds: float = Field(
        5.0, gt=0, description="Seconds spent at most draining a refused request."
    )

    @field_validator("database_url")
    @classmethod
    def _use_asyncpg(cls, url: str | None) -> str | None:
        """Accept plain postgresql:// URLs too: the service always talks through asyncpg."""
        if url is None or not url.strip():
            return None
        for prefix in ("postgresql://", "postgres://", "postgresql+psycopg://"):
            if url.startswith(prefix):
                return "postgresql+asyncpg://" + url.removeprefix(prefix)
        if not url.startswith("postgresql+asyncpg://"):
            raise ValueError("DATABASE_URL must be a postgresql:// or postgresql+asyncpg:// URL")
        return url
