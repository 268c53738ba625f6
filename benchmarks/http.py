"""HTTP benchmark: ``POST /recommend`` against a bare FastAPI echo app, on loopback, with wrk.

Run from the repository root:

    python3 -m uv run python benchmarks/http.py [--duration 10] [--rounds 3] [--connections 32]

What it does, and stops by itself when done (every step has a time limit):

1. Creates a throwaway database on the PostgreSQL at 127.0.0.1:5432 if one answers there, else
   gives the embedded PostgreSQL a throwaway data directory; starts the service with the project's
   own ``framework-advisor serve --workers 1`` against it.
2. Starts a bare FastAPI app in the same venv, whose one route validates a ``ProjectProfile`` body
   and echoes it, served by uvicorn with the options ``serve`` uses.
3. Builds a pool of valid, randomised, realistic profiles from the service's own ``/openapi.json``
   (the enums), ``/features``, ``/criteria`` and ``/frameworks``; sends each once (all must be 2xx).
4. Loads each app with wrk, alternating (the order flips every round), for equal durations; a Lua
   script sends a profile drawn at random from the pool on every request.
5. Prints the medians over the rounds (req/s, p50, p99), the ratio, the non-2xx counts, and the
   size of the answer to the README's example profile at every ``detail`` level that the OpenAPI
   document of ``/recommend`` declares (only the default one when it declares none).

Needs ``wrk`` (Debian/Ubuntu: ``apt-get install wrk``). Loopback only.
"""

# No `from __future__ import annotations`: the echo route's annotations must be real types.
# This file is named http.py, and Python puts a script's own folder first on sys.path: drop it,
# so that `import http` (uvicorn, httpx) finds the standard library and not this file.
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402

ROOT = Path(_HERE).parent
HOST = "127.0.0.1"
LOCAL_POSTGRES = ("127.0.0.1", 5432)
LOCAL_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432"
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 15.0
WRK_TIMEOUT = "5s"  # a request slower than this counts as a wrk timeout error

LUA_SCRIPT = r"""
-- One profile drawn at random from the pool (one JSON document per line) on every request.
local bodies = {}
local path = "/"
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
  table.insert(threads, thread)
end

function init(args)
  path = args[1]
  for line in io.lines(args[2]) do
    bodies[#bodies + 1] = line
  end
  math.randomseed(tonumber(args[3]) + seed * 7919)
end

function request()
  local body = bodies[math.random(#bodies)]
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\n{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"non_2xx":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end
"""


# --- the echo app -------------------------------------------------------------------------------


def create_echo_app() -> Any:
    """A bare FastAPI app: validate the profile, answer it back. The baseline for /recommend."""
    from fastapi import FastAPI

    from app.engine.profile import ProjectProfile

    echo = FastAPI(title="echo")

    @echo.post("/echo")
    async def echo_profile(profile: ProjectProfile) -> ProjectProfile:
        return profile

    return echo


def serve_echo(port: int, log_level: str) -> None:
    """Serve the echo app as `framework-advisor serve --workers 1` serves the service: the same
    bounded server configuration (app.serving), the same settings."""
    import uvicorn

    from app.serving import server_config
    from app.settings import Settings

    settings = Settings.model_validate({"log_level": log_level})
    config = server_config(create_echo_app(), settings, host=HOST, port=port, workers=1)
    uvicorn.Server(config).run()


# --- processes ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def local_postgres_answers() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(LOCAL_POSTGRES, timeout=1):
        return True
    return False


async def _admin(statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    connection = await asyncpg.connect(f"{LOCAL_POSTGRES_URL}/postgres", timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.contextmanager
def throwaway_database(workdir: Path, *, embedded: bool) -> Iterator[tuple[dict[str, str], str]]:
    """Environment for `serve`: a new database on the local server, or a new embedded one."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["ADVISOR_DATA_DIR"] = str(workdir / "embedded")
    if embedded or not local_postgres_answers():
        yield env, "embedded PostgreSQL (throwaway data directory)"
        return
    name = f"fa_bench_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f"CREATE DATABASE {name}"))
    env["DATABASE_URL"] = f"{LOCAL_POSTGRES_URL}/{name}"
    try:
        yield env, f"PostgreSQL at {LOCAL_POSTGRES_URL} (throwaway database {name})"
    finally:
        asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@contextlib.contextmanager
def running(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def wait_until_answers(
    process: subprocess.Popen[bytes], url: str, body: dict[str, Any], log: Path
) -> None:
    """Poll until a POST of ``body`` answers 2xx (the service: migrated, loaded, snapshot built)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{url}: the server exited ({process.returncode}):\n{tail(log)}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.post(url, json=body, timeout=5).is_success:
                return
        time.sleep(0.5)
    sys.exit(f"{url}: no 2xx answer within {START_TIMEOUT_S:.0f} s:\n{tail(log)}")


def tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


# --- profiles -----------------------------------------------------------------------------------


def readme_profile() -> dict[str, Any]:
    """The example profile of the README's "Asking for a recommendation" (its curl -d body)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"curl -s localhost:\d+/recommend .*? -d '(\{.*?\})'", text, re.DOTALL)
    if match is None:
        sys.exit("README.md: no `curl ... /recommend ... -d '{...}'` example found")
    profile: dict[str, Any] = json.loads(match.group(1))
    return profile


def _enum(document: dict[str, Any], name: str) -> list[str]:
    values: list[str] = document["components"]["schemas"][name]["enum"]
    return values


def _some(rng: random.Random, items: list[str], most: int) -> list[str]:
    return rng.sample(items, rng.randint(0, min(most, len(items))))


def profile_pool(
    count: int, seed: int, document: dict[str, Any], catalog: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """Valid profiles of the kind a caller sends: a project type and some of everything else."""
    rng = random.Random(seed)
    enums = {
        name: _enum(document, name)
        for name in (
            "ProjectType",
            "Need",
            "Workload",
            "Deployment",
            "AsyncExperience",
            "PythonExperience",
            "TeamStyle",
            "Codebase",
        )
    }
    frameworks = catalog["frameworks"]
    pool = []
    for _ in range(count):
        profile: dict[str, Any] = {"project_type": rng.choice(enums["ProjectType"])}
        features = _some(rng, catalog["features"], 5)
        if features:
            profile["features"] = {f: rng.choice(enums["Need"]) for f in features}
        team: dict[str, Any] = {}
        if rng.random() < 0.8:
            team["size"] = rng.choice([1, 2, 3, 4, 6, 8, 12, 20, 40])
        if rng.random() < 0.6:
            team["known_frameworks"] = _some(rng, frameworks, 3)
        for key, enum in (
            ("async_experience", "AsyncExperience"),
            ("python_experience", "PythonExperience"),
            ("style", "TeamStyle"),
        ):
            if rng.random() < 0.5:
                team[key] = rng.choice(enums[enum])
        if team:
            profile["team"] = team
        optional: list[tuple[str, float, Any]] = [
            ("expected_peak_rps", 0.6, lambda: rng.choice([10, 50, 200, 1000, 3000, 20000])),
            ("workload", 0.5, lambda: rng.choice(enums["Workload"])),
            ("timeline_weeks", 0.5, lambda: rng.choice([2, 4, 8, 12, 26, 52])),
            ("lifespan_years", 0.5, lambda: rng.choice([0.5, 1, 2, 3, 5, 10])),
            ("deployment", 0.6, lambda: rng.choice(enums["Deployment"])),
            (
                "priorities",
                0.5,
                lambda: {c: rng.randint(0, 5) for c in _some(rng, catalog["criteria"], 3)},
            ),
            ("current_framework", 0.3, lambda: rng.choice(frameworks)),
            ("codebase", 0.2, lambda: rng.choice(enums["Codebase"])),
            (
                "candidates",
                0.15,
                lambda: rng.sample(frameworks, rng.randint(2, min(6, len(frameworks)))),
            ),
            ("top_k", 0.2, lambda: rng.randint(1, 10)),
        ]
        for key, chance, value in optional:
            if rng.random() < chance:
                profile[key] = value()
        pool.append(profile)
    return pool


def check_pool(url: str, pool: list[dict[str, Any]]) -> list[str]:
    """Send each profile once (also a warm-up): every one must be 2xx. The failures, if any."""
    failures = []
    with httpx.Client(timeout=10) as client:
        for profile in pool:
            response = client.post(url, json=profile)
            if not response.is_success:
                failures.append(
                    f"{response.status_code}: {json.dumps(profile)}: {response.text[:300]}"
                )
    return failures


# --- detail levels ------------------------------------------------------------------------------


def detail_levels(document: dict[str, Any]) -> list[str | None]:
    """The values of /recommend's `detail` query parameter; [None] when it has none."""
    parameters = document["paths"]["/recommend"]["post"].get("parameters", [])
    parameter = next((p for p in parameters if p.get("name") == "detail"), None)
    if parameter is None:
        return [None]
    values: list[str] = []

    def collect(schema: dict[str, Any]) -> None:
        if "$ref" in schema:
            collect(document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]])
        values.extend(v for v in schema.get("enum", []) if isinstance(v, str))
        if isinstance(schema.get("const"), str):
            values.append(schema["const"])
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key, []):
                collect(sub)

    collect(parameter.get("schema", {}))
    return list(dict.fromkeys(values)) or [None]


def answer_sizes(base: str, profile: dict[str, Any], levels: list[str | None]) -> list[str]:
    lines = []
    for level in levels:
        params = {} if level is None else {"detail": level}
        response = httpx.post(f"{base}/recommend", json=profile, params=params, timeout=10)
        name = "default (no `detail` parameter declared)" if level is None else f"detail={level}"
        lines.append(
            f"  {name}: {len(response.content):,} bytes ({len(response.content) / 1024:.1f} KiB),"
            f" status {response.status_code}"
        )
    return lines


# --- wrk ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int


def run_wrk(
    url: str, path: str, pool_file: Path, script: Path, args: argparse.Namespace, seed: int
) -> Run:
    command = [
        "wrk",
        f"--threads={args.threads}",
        f"--connections={args.connections}",
        f"--duration={args.duration}s",
        f"--timeout={WRK_TIMEOUT}",
        f"--script={script}",
        url + path,
        "--",
        path,
        str(pool_file),
        str(seed),
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=args.duration + 60, check=False
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        sys.exit(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    r = json.loads(lines[-1])
    return Run(
        requests_per_s=r["requests"] / (r["duration_us"] / 1e6),
        p50_ms=r["p50_us"] / 1000,
        p99_ms=r["p99_us"] / 1000,
        non_2xx=r["non_2xx"],
        socket_errors=r["connect"] + r["read"] + r["write"] + r["timeout"],
    )


def summarise(runs: list[Run]) -> Run:
    return Run(
        requests_per_s=statistics.median(r.requests_per_s for r in runs),
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
        non_2xx=sum(r.non_2xx for r in runs),
        socket_errors=sum(r.socket_errors for r in runs),
    )


def machine() -> str:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{cores} cores ({model}), {platform.system()} {platform.release()}, load {load}"


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per run (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per app (default 3)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument(
        "--threads", type=int, default=cores or 1, help="wrk threads (default: one per core)"
    )
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds per app (default 3)")
    parser.add_argument(
        "--profiles", type=int, default=500, help="profiles in the pool (default 500)"
    )
    parser.add_argument(
        "--seed", type=int, default=11, help="seed of the profile pool (default 11)"
    )
    parser.add_argument(
        "--embedded",
        action="store_true",
        help="use the embedded PostgreSQL even when one answers at 127.0.0.1:5432",
    )
    parser.add_argument("--serve-echo", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= 300 or not 1 <= args.rounds <= 10 or not 0 <= args.warmup <= 60:
        parser.error("bounded runs only: 1-300 s duration, 1-10 rounds, 0-60 s warm-up")
    if not 1 <= args.threads <= args.connections <= 1024:
        parser.error("need 1 <= threads <= connections <= 1024")
    if not 1 <= args.profiles <= 100_000:
        parser.error("need 1-100000 profiles")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.serve_echo is not None:
        serve_echo(args.serve_echo, os.environ.get("ADVISOR_LOG_LEVEL", "info"))
        return
    if shutil.which("wrk") is None:
        sys.exit(
            "wrk is not installed. On Debian/Ubuntu: sudo apt-get install wrk "
            "(or build it from https://github.com/wg/wrk)."
        )
    started = dt.datetime.now(dt.UTC)
    example = readme_profile()
    with tempfile.TemporaryDirectory(prefix="fa-bench-") as tmp:
        workdir = Path(tmp)
        with throwaway_database(workdir, embedded=args.embedded) as (env, database):
            service_port, echo_port = free_port(), free_port()
            service, echo = f"http://{HOST}:{service_port}", f"http://{HOST}:{echo_port}"
            serve = [sys.executable, "-m", "app", "serve", "--host", HOST]
            serve += ["--port", str(service_port), "--workers", "1"]
            echo_cmd = [sys.executable, str(Path(__file__).resolve()), f"--serve-echo={echo_port}"]
            echo_env = {**env, "PYTHONPATH": str(ROOT)}
            service_log, echo_log = workdir / "service.log", workdir / "echo.log"
            print(f"database: {database}", flush=True)
            with (
                running(serve, env, service_log) as service_process,
                running(echo_cmd, echo_env, echo_log) as echo_process,
            ):
                wait_until_answers(service_process, f"{service}/recommend", example, service_log)
                wait_until_answers(echo_process, f"{echo}/echo", example, echo_log)
                print(f"service: {' '.join(serve[1:])}  (pid {service_process.pid})", flush=True)
                print(f"echo:    benchmarks/http.py echo app on {echo}  (pid {echo_process.pid})")
                document = httpx.get(f"{service}/openapi.json", timeout=10).json()
                catalog = {
                    name: [
                        item["slug"] for item in httpx.get(f"{service}/{name}", timeout=10).json()
                    ]
                    for name in ("features", "criteria", "frameworks")
                }
                pool = profile_pool(args.profiles, args.seed, document, catalog)
                failures = check_pool(f"{service}/recommend", pool)
                if failures:
                    sys.exit("profiles the service refused:\n" + "\n".join(failures[:10]))
                pool_file = workdir / "profiles.jsonl"
                pool_file.write_text(
                    "".join(json.dumps(p, separators=(",", ":")) + "\n" for p in pool)
                )
                print(f"profiles: {len(pool)} distinct, each answered 2xx once", flush=True)
                script = workdir / "profiles.lua"
                script.write_text(LUA_SCRIPT)
                targets = {"echo": (echo, "/echo"), "recommend": (service, "/recommend")}
                if args.warmup:
                    warm = argparse.Namespace(**{**vars(args), "duration": args.warmup})
                    for base, path in targets.values():
                        run_wrk(base, path, pool_file, script, warm, args.seed)
                runs: dict[str, list[Run]] = {name: [] for name in targets}
                for i in range(args.rounds):
                    order = list(targets) if i % 2 == 0 else list(reversed(targets))
                    for name in order:
                        base, path = targets[name]
                        run = run_wrk(base, path, pool_file, script, args, args.seed + i)
                        runs[name].append(run)
                        print(
                            f"  round {i + 1} {name:9} {run.requests_per_s:9,.0f} req/s"
                            f"  p50 {run.p50_ms:7.2f} ms  p99 {run.p99_ms:7.2f} ms"
                            f"  non-2xx {run.non_2xx}  socket errors {run.socket_errors}",
                            flush=True,
                        )
                sizes = answer_sizes(service, example, detail_levels(document))
    report(args, started, database, runs, sizes)


def report(
    args: argparse.Namespace,
    started: dt.datetime,
    database: str,
    runs: dict[str, list[Run]],
    sizes: list[str],
) -> None:
    echo, recommend = summarise(runs["echo"]), summarise(runs["recommend"])
    print()
    print(f"date:     {started:%Y-%m-%d %H:%M} UTC")
    print(f"machine:  {machine()}")
    print(f"python:   {platform.python_version()}; database: {database}")
    print(
        f"load:     wrk, {args.connections} connections, {args.threads} threads, "
        f"{args.rounds} rounds x {args.duration} s per app, alternating; medians"
    )
    print()
    print("| endpoint | req/s | p50 | p99 | non-2xx | socket errors |")
    print("|---|---|---|---|---|---|")
    for name, r in (("echo (bare FastAPI, Pydantic body)", echo), ("`POST /recommend`", recommend)):
        print(
            f"| {name} | {r.requests_per_s:,.0f} | {r.p50_ms:.2f} ms | {r.p99_ms:.2f} ms "
            f"| {r.non_2xx} | {r.socket_errors} |"
        )
    print()
    print(
        f"ratio: /recommend at {recommend.requests_per_s / echo.requests_per_s:.2f}x"
        " the echo's req/s"
    )
    print("answer size for the README's example profile:")
    print("\n".join(sizes))


if __name__ == "__main__":
    main()
