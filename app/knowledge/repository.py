"""Every SQL statement the knowledge base runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Table, delete, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import Base
from app.knowledge import models

#: The channel every change is announced on (by the API's writes and by the tables' trigger).
CHANGE_CHANNEL = "kb_changed"


async def loaded_version(session: AsyncSession) -> str | None:
    version: str | None = await session.scalar(select(models.KnowledgeBaseMeta.version))
    return version


async def loaded_bundle_version(session: AsyncSession) -> str | None:
    """The version of the bundle last loaded (the live version moves on with every edit)."""
    version: str | None = await session.scalar(select(models.KnowledgeBaseMeta.bundle_version))
    return version


async def set_version(
    session: AsyncSession, version: str, *, bundle_version: str | None = None
) -> None:
    """Set the live version (and, after a load, the bundle's), and tell every worker on commit."""
    values: dict[str, Any] = {"id": 1, "version": version}
    if bundle_version is not None:
        values["bundle_version"] = bundle_version
    statement = insert(models.KnowledgeBaseMeta).values(**values)
    updates = {name: statement.excluded[name] for name in values if name != "id"}
    if bundle_version is not None:
        updates["loaded_at"] = statement.excluded.loaded_at
    await session.execute(statement.on_conflict_do_update(index_elements=["id"], set_=updates))
    await session.execute(select(func.pg_notify(CHANGE_CHANNEL, version)))


async def lock_knowledge(session: AsyncSession) -> str | None:
    """Take the knowledge base's write lock until the transaction ends; the live version.

    Every write takes this one row lock first, so concurrent writers run one after another and
    each sees what the previous one committed (READ COMMITTED re-reads after the wait).
    """
    statement = select(models.KnowledgeBaseMeta.version).with_for_update()
    version: str | None = await session.scalar(statement)
    return version


async def replace_all(
    session: AsyncSession,
    rows_by_table: dict[Table, list[dict[str, Any]]],
    scope: dict[str, Any] | None = None,
) -> None:
    """Upsert every row by primary key, then delete rows that are no longer in the bundle.

    With a scope (column -> value), only rows matching it are written or deleted: one resource.
    Upserts run parents first; deletions run children first so no foreign key is left dangling.
    """
    scope = scope or {}
    rows_by_table = {
        table: [r for r in rows if all(r[c] == v for c, v in scope.items())]
        for table, rows in rows_by_table.items()
    }
    for table, rows in rows_by_table.items():
        if not rows:
            continue
        key = [c.name for c in table.primary_key.columns]
        statement = insert(table).values(rows)
        updates = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in key}
        if updates:
            await session.execute(statement.on_conflict_do_update(index_elements=key, set_=updates))
        else:
            await session.execute(statement.on_conflict_do_nothing(index_elements=key))
    for table, rows in reversed(list(rows_by_table.items())):
        key_columns = list(table.primary_key.columns)
        keep = [tuple(row[c.name] for c in key_columns) for row in rows]
        stale = delete(table).where(*(table.c[c] == v for c, v in scope.items()))
        if keep:
            stale = stale.where(tuple_(*key_columns).not_in(keep))
        await session.execute(stale)


def _natural_order(table: Table) -> list[Any]:
    """Position first where a table has one (data-file order), then the primary key."""
    order: list[Any] = list(table.primary_key.columns)
    if "position" in table.columns:
        order.insert(0, table.c.position)
    return order


async def all_rows(session: AsyncSession, model: type[Base]) -> list[Any]:
    """Every row of a knowledge table, in its natural order."""
    table: Table = model.__table__  # type: ignore[assignment]
    result = await session.scalars(select(model).order_by(*_natural_order(table)))
    return list(result.all())


async def framework(session: AsyncSession, slug: str) -> models.Framework | None:
    return await session.get(models.Framework, slug)


async def framework_rows(session: AsyncSession, model: type[Base], slug: str) -> list[Any]:
    """Rows of a per-framework table (assessments, evidence, features, benchmarks) for one slug."""
    table: Table = model.__table__  # type: ignore[assignment]
    statement = select(model).where(table.c.framework == slug).order_by(*_natural_order(table))
    result = await session.scalars(statement)
    return list(result.all())


async def curated_resources(session: AsyncSession) -> list[models.CuratedResource]:
    result = await session.scalars(
        select(models.CuratedResource).order_by(models.CuratedResource.resource)
    )
    return list(result.all())


async def mark_curated(session: AsyncSession, resource: str, kind: str) -> None:
    statement = insert(models.CuratedResource).values(resource=resource, kind=kind)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["resource"], set_={"curated_at": func.now()}
        )
    )


async def forget_curated(session: AsyncSession) -> None:
    """Every row is the bundle's again (after a forced load)."""
    await session.execute(delete(models.CuratedResource))


async def add_audit(session: AsyncSession, entry: models.AuditEntry) -> None:
    session.add(entry)
    await session.flush()


async def audit_page(
    session: AsyncSession,
    *,
    resource: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    before_id: int | None,
    limit: int,
) -> list[models.AuditEntry]:
    """Newest first; ``resource`` matches the resource and everything under it."""
    entry = models.AuditEntry
    statement = select(entry).order_by(entry.id.desc()).limit(limit)
    if resource is not None:
        prefix = resource.rstrip("/")
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(
            (entry.resource == prefix) | entry.resource.like(escaped + "/%", escape="\\")
        )
    if since is not None:
        statement = statement.where(entry.at >= since)
    if until is not None:
        statement = statement.where(entry.at < until)
    if before_id is not None:
        statement = statement.where(entry.id < before_id)
    return list((await session.scalars(statement)).all())
