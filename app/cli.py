"""The ``framework-advisor`` command line: serve, recommend, the embedded database, openapi.json.

Only typer is imported at module level: the app, the database layer and rich are imported inside
the commands that need them, so ``--help`` and ``--version`` answer without loading them.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from app.auth.commands import keys

if TYPE_CHECKING:
    from app.engine.result import Detail, Recommendation, RecommendationFull, RecommendationSummary
    from app.engine.snapshot import KnowledgeSnapshot
    from app.settings import Settings

cli = typer.Typer(
    help="framework-advisor: which Python web framework fits your project.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain help: rendering it with rich costs about half a second of imports.
    rich_markup_mode=None,
)
db_cli = typer.Typer(
    help="The embedded PostgreSQL used when DATABASE_URL is not set.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
cli.add_typer(db_cli, name="db")
cli.add_typer(keys, name="keys")

# Exit status for input the service would answer with a 4xx problem.
EXIT_INVALID_INPUT = 2
# Reasons and warnings are cut to this many characters in the table (--json has them whole).
TABLE_CELL_CHARS = 90


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"framework-advisor {version('framework-advisor')}")
        raise typer.Exit()


@cli.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """framework-advisor: which Python web framework fits your project."""


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


@contextlib.contextmanager
def _database(settings: Settings) -> Iterator[str]:
    """DATABASE_URL, or the embedded server: started here and stopped on leaving if we own it."""
    if settings.database_url:
        yield settings.database_url
        return
    from app.db.embedded import EmbeddedPostgres, EmbeddedPostgresError

    embedded = EmbeddedPostgres(settings.data_dir)
    try:
        url = embedded.start()
    except EmbeddedPostgresError as error:
        raise _fail(str(error)) from None
    try:
        yield url
    finally:
        embedded.stop_if_owner()


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """SIGTERM (and SIGINT) unwind the stack, so the embedded server is stopped on the way out.

    uvicorn takes these signals while it serves and, after its graceful shutdown, raises them
    again with the handler that was there before: this one.
    """
    import signal

    def leave(signum: int, frame: object) -> None:
        raise SystemExit(0)

    previous = {sig: signal.signal(sig, leave) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _prepare_database(
    url: str, settings: Settings, *, force_load: bool = False, quiet: bool = False
) -> None:
    import asyncio

    from app.db.connection import create_engine, create_sessionmaker
    from app.db.migrate import upgrade_to_head
    from app.db.wait import DatabaseUnreachable, wait_for_database
    from app.knowledge.bundle import read_bundle
    from app.knowledge.store import CuratedConflict, load_bundle_report

    async def load() -> bool:
        engine = create_engine(url, settings)
        try:
            async with create_sessionmaker(engine).begin() as session:
                result = await load_bundle_report(session, read_bundle(), force=force_load)
        except CuratedConflict as conflict:
            raise _fail(str(conflict)) from None
        finally:
            await engine.dispose()
        for resource in result.conflicts:
            typer.echo(f"kept curated {resource} (the bundle differs; --force reverts it)")
        for resource in result.reverted:
            typer.echo(f"reverted curated {resource} to the bundle (audited)")
        return result.changed

    try:
        asyncio.run(wait_for_database(url, settings))
    except DatabaseUnreachable as unreachable:
        typer.echo(f"framework-advisor: {unreachable}", err=True)
        raise typer.Exit(1) from None
    if not quiet:
        typer.echo("migrating the database to head ...")
    upgrade_to_head(url, settings)
    changed = asyncio.run(load())
    if not quiet:
        typer.echo("knowledge base loaded" if changed else "knowledge base already up to date")


def _port_is_free(host: str, port: int) -> str | None:
    """None when ``host:port`` can be bound, else why not (checked before claiming to serve)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        return f"cannot resolve host {host!r}: {error.strerror}"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as error:
            return f"cannot listen on {host}:{port}: {error.strerror}"
    return None


def worker_count(value: str | int) -> int:
    """`--workers`: a positive number, or `auto` for one per core this process may run on."""
    import os

    text = str(value).strip().lower()  # click hands over the default as it is: an int
    if text == "auto":
        if hasattr(os, "process_cpu_count"):  # Python 3.13+
            return os.process_cpu_count() or 1
        if hasattr(os, "sched_getaffinity"):  # Linux: the cores this process may run on
            return len(os.sched_getaffinity(0))
        return os.cpu_count() or 1
    if not text.isdecimal() or int(text) < 1:
        raise typer.BadParameter(f"{value!r} is neither a positive number nor auto")
    return int(text)


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[
        int,
        typer.Option(
            parser=worker_count,
            metavar="N|auto",
            help="Worker processes: a number, or auto for one per core.",
        ),
    ] = 1,
) -> None:
    """Migrate, load the bundled knowledge base if missing or stale, and serve.

    Without DATABASE_URL it starts the embedded PostgreSQL and stops it again when it exits.
    """
    import os

    from app.logging_config import configure_logging
    from app.settings import Settings

    settings = Settings()
    host = host or settings.host
    port = port or settings.port
    if problem := _port_is_free(host, port):
        raise _fail(problem)
    configure_logging(settings.log_level)
    with _stop_on_signals(), _database(settings) as url:
        _prepare_database(url, settings)
        # Workers are separate processes: hand them the resolved URL so they share one database.
        os.environ["DATABASE_URL"] = url
        typer.echo(f"serving on http://{host}:{port}  (Swagger UI: http://{host}:{port}/docs)")
        from app.serving import run_server  # the bounded server: limits, timeouts, clean SIGTERM

        run_server(settings, host=host, port=port, workers=workers)


@cli.command()
def migrate() -> None:
    """Migrate the database to head, and nothing else."""
    from app.db.migrate import upgrade_to_head
    from app.settings import Settings

    with _database(Settings()) as url:
        upgrade_to_head(url)
    typer.echo("database at head")


@cli.command("load-knowledge")
def load_knowledge(
    force: Annotated[
        bool,
        typer.Option(help="Reload even if this version is loaded; revert curated changes."),
    ] = False,
) -> None:
    """Migrate, then load the bundled knowledge base into the database."""
    from app.settings import Settings

    settings = Settings()
    with _database(settings) as url:
        _prepare_database(url, settings, force_load=force)


@cli.command()
def openapi(
    output: Annotated[
        Path, typer.Option(help="Where to write the document; `-` for standard output.")
    ] = Path("openapi.json"),
) -> None:
    """Write the OpenAPI document; `framework-advisor openapi` regenerates the committed one."""
    from app.api.openapi import render_openapi
    from app.main import create_app

    document = render_openapi(create_app())
    if str(output) == "-":
        sys.stdout.write(document)
        return
    output.write_text(document, encoding="utf-8")
    typer.echo(f"wrote {output}")


# -- recommend ----------------------------------------------------------------------------------


def _read_profile(source: str | None) -> dict[str, Any]:
    import json

    if source is None:
        return {}
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as error:
        raise _fail(f"cannot read {source}: {error.strerror}", EXIT_INVALID_INPUT) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _fail(
            f"the profile is not valid JSON: {error.msg} at line {error.lineno}", EXIT_INVALID_INPUT
        ) from None
    if not isinstance(data, dict):
        raise _fail("the profile must be a JSON object", EXIT_INVALID_INPUT)
    return data


def _apply_flags(
    profile: dict[str, Any],
    *,
    project_type: str | None,
    must: list[str],
    want: list[str],
    team_size: int | None,
    knows: list[str],
    current: str | None,
    top_k: int | None,
) -> dict[str, Any]:
    """Flags add to (or override) what the JSON profile says."""
    merged = dict(profile)
    if project_type is not None:
        merged["project_type"] = project_type
    if must or want:
        features = dict(merged.get("features") or {})
        features.update(dict.fromkeys(want, "want"))
        features.update(dict.fromkeys(must, "must"))
        merged["features"] = features
    if team_size is not None or knows:
        team = dict(merged.get("team") or {})
        if team_size is not None:
            team["size"] = team_size
        if knows:
            team["known_frameworks"] = [*(team.get("known_frameworks") or []), *knows]
        merged["team"] = team
    if current is not None:
        merged["current_framework"] = current
    if top_k is not None:
        merged["top_k"] = top_k
    return merged


def _invalid(detail: str, errors: list[tuple[str, str]]) -> typer.Exit:
    lines = [detail, *(f"  {field}: {message}" for field, message in errors)]
    return _fail("\n".join(lines), EXIT_INVALID_INPUT)


def _recommend_remote(
    url: str, profile: dict[str, Any], detail: Detail
) -> RecommendationSummary | Recommendation | RecommendationFull:
    from app.client import AdvisorClient, ProblemResponse, ServiceUnreachable

    try:
        with AdvisorClient(url) as client:
            return client.recommend(profile, detail)
    except ProblemResponse as error:
        code = EXIT_INVALID_INPUT if 400 <= error.problem.status < 500 else 1
        if code == EXIT_INVALID_INPUT:
            raise _invalid(
                error.problem.detail, [(e.field, e.message) for e in error.field_errors]
            ) from None
        raise _fail(f"{error.problem.title}: {error.problem.detail}") from None
    except ServiceUnreachable as error:
        raise _fail(str(error)) from None


def _recommend_local(
    profile_data: dict[str, Any], detail: Detail
) -> RecommendationSummary | Recommendation | RecommendationFull:
    import asyncio

    from pydantic import ValidationError

    from app.db.connection import create_engine
    from app.engine import answer
    from app.engine.profile import ProjectProfile, unknown_slugs
    from app.knowledge.store import build_snapshot
    from app.settings import Settings

    try:
        profile = ProjectProfile.model_validate(profile_data)
    except ValidationError as error:
        problems = [
            (".".join(str(p) for p in e["loc"]) or "body", e["msg"]) for e in error.errors()
        ]
        raise _invalid(f"{len(problems)} invalid input(s)", problems) from None

    settings = Settings()

    async def snapshot_of(url: str) -> KnowledgeSnapshot | None:
        from sqlalchemy.ext.asyncio import AsyncSession

        engine = create_engine(url, settings)
        try:
            async with AsyncSession(engine) as session:
                return await build_snapshot(session)
        finally:
            await engine.dispose()

    with _database(settings) as url:
        _prepare_database(url, settings, quiet=True)
        snapshot = asyncio.run(snapshot_of(url))
    if snapshot is None:
        raise _fail("the knowledge base is not loaded")
    unknown = unknown_slugs(
        profile,
        frameworks=snapshot.frameworks.keys(),
        criteria=set(snapshot.criteria),
        features=set(snapshot.features),
    )
    if unknown:
        errors = [(".".join(str(p) for p in loc), msg) for loc, msg in unknown]
        raise _invalid(f"{len(errors)} invalid input(s)", errors)
    return answer(profile, snapshot, detail)


def _short(text: str, limit: int = TABLE_CELL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _print_table(answer: RecommendationSummary) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"framework-advisor (knowledge base {answer.kb_version})")
    table.add_column("#", justify="right")
    table.add_column("framework")
    table.add_column("score", justify="right")
    table.add_column("strongest reasons")
    table.add_column("main warning")
    for entry in answer.recommendations:
        table.add_row(
            str(entry.rank),
            entry.name,
            f"{entry.score:.1f}",
            "\n".join(f"• {_short(note.text)}" for note in entry.reasons[:2]) or "-",
            _short(entry.warnings[0].text) if entry.warnings else "-",
        )
    console = Console()
    console.print(table)
    console.print(answer.summary, highlight=False)
    decision = answer.decision
    top = answer.recommendations[0].name if answer.recommendations else "nothing"
    margin = "n/a" if decision.margin is None else f"{decision.margin:.1f} points"
    line = f"Decision: {top}, confidence {decision.confidence.value}, margin {margin}"
    if decision.flips:
        flip = decision.flips[0]
        line += f"; would change to {flip.new_top} if {flip.change}"
    console.print(line, highlight=False)


@cli.command()
def recommend(
    profile: Annotated[
        str | None,
        typer.Argument(help="A profile as a JSON file, or `-` to read it from standard input."),
    ] = None,
    project_type: Annotated[
        str | None, typer.Option("--type", help="project_type, e.g. api, saas, prototype.")
    ] = None,
    must: Annotated[list[str] | None, typer.Option(help="A feature the project must have.")] = None,
    want: Annotated[list[str] | None, typer.Option(help="A feature that would be nice.")] = None,
    team_size: Annotated[int | None, typer.Option(help="People writing the code.")] = None,
    knows: Annotated[list[str] | None, typer.Option(help="A framework the team knows.")] = None,
    current: Annotated[
        str | None, typer.Option(help="The framework the project runs on today.")
    ] = None,
    top_k: Annotated[int | None, typer.Option(help="How many frameworks to list.")] = None,
    url: Annotated[
        str | None,
        typer.Option(help="A running service to ask; without it, score on the local database."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the raw JSON answer.")] = False,
    detail: Annotated[
        str,
        typer.Option(
            help="With --json: summary, default or full (evidence and raw figures inline)."
        ),
    ] = "default",
) -> None:
    """Recommend frameworks for a profile given as JSON, as flags, or both.

    Exit status: 0 with an answer, 2 when the profile is invalid (the problem is printed).
    """
    data = _apply_flags(
        _read_profile(profile),
        project_type=project_type,
        must=must or [],
        want=want or [],
        team_size=team_size,
        knows=knows or [],
        current=current,
        top_k=top_k,
    )
    if not data:
        raise _fail(
            "give a profile: a JSON file, `-` for standard input, or flags such as --type api",
            EXIT_INVALID_INPUT,
        )
    from app.engine.result import Detail, RecommendationSummary

    try:
        level = Detail(detail) if as_json else Detail.summary
    except ValueError:
        raise _fail(
            f"--detail: '{detail}' is not one of summary, default, full", EXIT_INVALID_INPUT
        ) from None
    answer = _recommend_remote(url, data, level) if url else _recommend_local(data, level)
    if as_json:
        typer.echo(answer.model_dump_json(by_alias=True, indent=2))
    else:
        assert isinstance(answer, RecommendationSummary)
        _print_table(answer)


# -- db ------------------------------------------------------------------------------------------


def _embedded() -> Any:
    from app.db.embedded import EmbeddedPostgres
    from app.settings import Settings

    settings = Settings()
    if settings.database_url:
        typer.echo(
            "note: DATABASE_URL is set, so the service uses that server, not this one.", err=True
        )
    return EmbeddedPostgres(settings.data_dir)


def _command_line(pid: int) -> str:
    import psutil

    try:
        words = psutil.Process(pid).cmdline()
    except psutil.Error:
        return "?"
    return _short(" ".join(Path(words[0]).name if i == 0 else w for i, w in enumerate(words)))


@db_cli.command("status")
def db_status() -> None:
    """Whether the embedded PostgreSQL runs, where its data lives and which process owns it."""
    state = _embedded().status()
    typer.echo(f"data directory: {state.data_dir}")
    typer.echo(f"initialized:    {'yes' if state.initialized else 'no'}")
    running = f"running, pid {state.server_pid}" if state.running else "stopped"
    typer.echo(f"server:         {running}")
    if state.owner_pid is None:
        owner = "none"
    elif state.owner_alive:
        owner = f"pid {state.owner_pid} ({_command_line(state.owner_pid)})"
    else:
        owner = f"pid {state.owner_pid}, which no longer runs (stale: cleaned up on next start)"
    typer.echo(f"owner:          {owner}")
    if state.socket_dir is not None:
        typer.echo(f"socket dir:     {state.socket_dir}")


@db_cli.command("stop")
def db_stop() -> None:
    """Stop the embedded PostgreSQL (fast shutdown), whoever started it."""
    embedded = _embedded()
    pid = embedded.status().server_pid
    if embedded.stop():
        typer.echo(f"stopped the embedded PostgreSQL (pid {pid})")
    else:
        typer.echo("the embedded PostgreSQL is not running")


@db_cli.command("reset")
def db_reset(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Stop the embedded PostgreSQL and delete all its data (asks first)."""
    embedded = _embedded()
    if not yes:
        typer.confirm(
            f"Delete the embedded database and everything under {embedded.data_dir}?", abort=True
        )
    embedded.reset()
    typer.echo(f"deleted the embedded database under {embedded.data_dir}")


# -- kb ------------------------------------------------------------------------------------------

kb = typer.Typer(
    help="Maintain the bundled knowledge base (the YAML under app/knowledge/data).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
cli.add_typer(kb, name="kb")


@kb.command("refresh-health")
def refresh_health(
    index_url: Annotated[
        str, typer.Option(help="The package index's JSON API root (PyPI's by default).")
    ] = "https://pypi.org/pypi",
    data_dir: Annotated[
        Path | None, typer.Option(help="The bundle to update. Default: the bundled one.")
    ] = None,
    today: Annotated[
        str | None, typer.Option(help="The date the figures are read on (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Re-read every named package's release activity and rewrite data/packages.yaml."""
    import asyncio
    import datetime as dt

    from app.knowledge import health
    from app.knowledge.bundle import DATA_DIR, read_bundle

    directory = data_dir or DATA_DIR
    before = read_bundle(directory)
    day = dt.date.fromisoformat(today) if today else dt.datetime.now(dt.UTC).date()
    names = health.named_packages(before)
    packages = asyncio.run(health.read_health(names, index_url=index_url, today=day))
    path = health.write_packages(packages, directory)
    after = read_bundle(directory)
    missing = [p.name for p in packages if p.health is None]
    typer.echo(f"wrote {path}: {len(packages)} packages, {len(missing)} not on the index")
    for name in missing:
        typer.echo(f"  not on the index: {name}")
    typer.echo(f"knowledge-base version {before.version()} -> {after.version()}")


def main() -> None:
    cli()
