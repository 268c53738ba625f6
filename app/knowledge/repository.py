"""Every SQL statement the knowledge base runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.base import Base
from app.knowledge import models


async def loaded_version(session: AsyncSession) -> str | None:
    version: str | None = await session.scalar(select(models.KnowledgeBaseMeta.version))
    return version


async def set_version(session: AsyncSession, version: str) -> None:
    statement = insert(models.KnowledgeBaseMeta).values(id=1, version=version)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["id"],
            set_={"version": statement.excluded.version, "loaded_at": statement.excluded.loaded_at},
        )
    )


async def replace_all(
    session: AsyncSession, rows_by_table: dict[Table, list[dict[str, Any]]]
) -> None:
    """Upsert every row by primary key, then delete rows that are no longer in the bundle.

    Upserts run parents first; deletions run children first so no foreign key is left dangling.
    """
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
        stale = delete(table)
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
