"""The ``framework-advisor`` command line: serve, migrate, load knowledge, write openapi.json."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import typer

from app.api.openapi import render_openapi
from app.db.connection import create_engine, create_sessionmaker, resolve_database_url
from app.db.migrate import upgrade_to_head
from app.knowledge.bundle import read_bundle
from app.knowledge.store import load_bundle
from app.logging_config import configure_logging
from app.main import create_app
from app.settings import Settings

cli = typer.Typer(help="framework-advisor: which Python web framework fits your project.")


async def _load_knowledge(url: str, settings: Settings, *, force: bool) -> bool:
    engine = create_engine(url, settings)
    try:
        async with create_sessionmaker(engine).begin() as session:
            return await load_bundle(session, read_bundle(), force=force)
    finally:
        await engine.dispose()


def _prepare_database(settings: Settings, *, force_load: bool = False) -> str:
    from app.db.wait import DatabaseUnreachable, wait_for_database

    url = resolve_database_url(settings)
    try:
        asyncio.run(wait_for_database(url, settings))
    except DatabaseUnreachable as unreachable:
        typer.echo(f"framework-advisor: {unreachable}", err=True)
        raise typer.Exit(1) from None
    typer.echo("migrating the database to head ...")
    upgrade_to_head(url, settings)
    changed = asyncio.run(_load_knowledge(url, settings, force=force_load))
    typer.echo("knowledge base loaded" if changed else "knowledge base already up to date")
    return url


def worker_count(value: str | int) -> int:
    """`--workers`: a positive number, or `auto` for one per core this process may run on."""
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
    """Migrate, load the bundled knowledge base if missing or stale, and serve."""
    settings = Settings()
    configure_logging(settings.log_level)
    url = _prepare_database(settings)
    # Workers are separate processes: hand them the resolved URL so they share one database.
    os.environ["DATABASE_URL"] = url
    host = host or settings.host
    port = port or settings.port
    typer.echo(f"serving on http://{host}:{port}  (Swagger UI: http://{host}:{port}/docs)")
    from app.serving import run_server  # the bounded server: limits, timeouts, clean SIGTERM

    run_server(settings, host=host, port=port, workers=workers)


@cli.command()
def migrate() -> None:
    """Migrate the database to head, and nothing else."""
    upgrade_to_head(resolve_database_url(Settings()))
    typer.echo("database at head")


@cli.command("load-knowledge")
def load_knowledge(
    force: Annotated[bool, typer.Option(help="Reload even if this version is loaded.")] = False,
) -> None:
    """Migrate, then load the bundled knowledge base into the database."""
    _prepare_database(Settings(), force_load=force)


@cli.command()
def openapi(
    output: Annotated[Path, typer.Option(help="Where to write the document.")] = Path(
        "openapi.json"
    ),
) -> None:
    """Write the OpenAPI document; `framework-advisor openapi` regenerates the committed one."""
    output.write_text(render_openapi(create_app()), encoding="utf-8")
    typer.echo(f"wrote {output}")


kb = typer.Typer(help="Maintain the bundled knowledge base (the YAML under app/knowledge/data).")
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
    import datetime as dt

    from app.knowledge import health
    from app.knowledge.bundle import DATA_DIR

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
