"""`framework-advisor keys create|list|revoke`: manage API keys in the database.

Imports are inside the commands, as in app.cli: `framework-advisor --help` stays fast.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

keys = typer.Typer(
    help="Manage API keys (writes need a `write` key; the audit needs `admin`).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

T = TypeVar("T")


class ScopeName(StrEnum):
    read = "read"
    write = "write"
    admin = "admin"


def _in_transaction(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    import asyncio

    from app.cli import _database
    from app.db.connection import create_engine, create_sessionmaker
    from app.settings import Settings

    settings = Settings()

    async def run(url: str) -> T:
        engine = create_engine(url, settings)
        try:
            async with create_sessionmaker(engine).begin() as session:
                return await work(session)
        finally:
            await engine.dispose()

    with _database(settings) as url:
        return asyncio.run(run(url))


@keys.command("create")
def create(
    name: Annotated[str, typer.Option(help="Who holds it; recorded in the audit.", max=64)],
    scope: Annotated[ScopeName, typer.Option(help="What it may do.")] = ScopeName.read,
) -> None:
    """Create a key and print it: it is shown once, and only its hash is stored."""
    from app.auth.keys import Scope, create_key
    from app.errors import Conflict

    try:
        key = _in_transaction(lambda session: create_key(session, name, Scope[scope.value]))
    except Conflict as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(key)


@keys.command("list")
def list_() -> None:
    """List keys: name, scope, created, and whether revoked (never the key itself)."""
    from app.auth.keys import list_keys

    for info in _in_transaction(list_keys):
        state = "revoked" if info.revoked else "active"
        typer.echo(f"{info.name}\t{info.scope}\t{info.created_at}\t{state}")


@keys.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke a key: it stops working at once, on every worker."""
    from app.auth.keys import revoke_key

    if not _in_transaction(lambda session: revoke_key(session, name)):
        typer.echo(f"error: no active key named {name!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {name}")
