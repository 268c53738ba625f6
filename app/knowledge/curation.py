"""Curating the knowledge base through the API: read, create, replace, patch, delete a resource.

Every write runs in one transaction that
1. takes the knowledge base's write lock (so concurrent writers are serialized by Postgres);
2. reads the stored bundle and checks the caller's precondition against the resource's ETag;
3. validates the resource with the bundle's own model, then the whole would-be bundle (so a
   dangling reference is refused, and a framework that something still names cannot go);
4. writes the resource's rows, marks it curated, records the audit entry, and sets the new
   content version, which NOTIFYs every worker when the transaction commits.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.keys import Principal
from app.errors import (
    Conflict,
    InvalidKnowledge,
    KnowledgeUnavailable,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
)
from app.knowledge import models, repository
from app.knowledge.bundle import KnowledgeBundle
from app.knowledge.resources import BundleDoc, Item, Key, ResourceKind
from app.knowledge.store import bundle_rows, read_bundle


@dataclass(frozen=True)
class Current:
    """A resource as stored, with its ETag; ``item`` None when it does not exist."""

    item: Item | None
    etag: str | None


@dataclass(frozen=True)
class Written:
    """A write's outcome; ``bundle`` and the versions are None when nothing changed."""

    current: Current
    created: bool
    bundle: KnowledgeBundle | None = None
    version: str | None = None
    previous_version: str | None = None


@dataclass(frozen=True)
class Preconditions:
    if_match: str | None = None
    if_none_match: str | None = None


def etag(item: Item) -> str:
    """A strong ETag: the hash of the resource's canonical JSON."""
    canonical = json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch: objects merge member by member, null removes, the rest replace."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = merge_patch(result.get(name), value)
    return result


async def _stored(session: AsyncSession) -> BundleDoc:
    return (await read_bundle(session)).model_dump(mode="json", by_alias=True)


async def read(session: AsyncSession, kind: ResourceKind, key: Key) -> Current:
    item = kind.find(await _stored(session), key)
    if item is None:
        raise NotFound(f"no {kind.name.replace('_', ' ')} at {kind.url(key)}")
    return Current(item, etag(item))


def _matches(header: str, tag: str) -> bool:
    """If-Match: a list of strong ETags, or * (any current representation)."""
    candidates = [c.strip() for c in header.split(",")]
    return "*" in candidates or tag in candidates


def _check(kind: ResourceKind, key: Key, current: Item | None, pre: Preconditions) -> None:
    url = kind.url(key)
    if current is None:
        if pre.if_match is not None:
            raise PreconditionFailed(f"If-Match was sent but nothing exists at {url}")
        return
    tag = etag(current)
    if pre.if_none_match is not None and (
        pre.if_none_match.strip() == "*" or _matches(pre.if_none_match, tag)
    ):
        raise PreconditionFailed(f"If-None-Match: {url} already exists (ETag {tag})")
    if pre.if_match is None:
        raise PreconditionRequired(
            f"{url} exists: send If-Match with its ETag (GET {url}) to change it"
        )
    if not _matches(pre.if_match, tag):
        raise PreconditionFailed(
            f"{url} has changed (its ETag is now {tag}): read it again and retry"
        )


def _field_errors(exc: ValidationError, prefix: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    return [
        (".".join(str(p) for p in (*prefix, *e["loc"])) or "body", e["msg"]) for e in exc.errors()
    ]


def _validated(kind: ResourceKind, key: Key, item: Item) -> Item:
    """Validate as the JSON it came as, strictly: "2018" is not a year, 2018.0 is not an int."""
    try:
        model: BaseModel = kind.model.model_validate_json(json.dumps(item), strict=True)
    except ValidationError as exc:
        raise InvalidKnowledge(
            f"the {kind.name.replace('_', ' ')} is not valid", errors=_field_errors(exc)
        ) from exc
    valid: Item = model.model_dump(mode="json", by_alias=True)
    errors = [
        (field, f"{valid[field]!r} does not match the URL's {value!r}")
        for field, value in zip(kind.body_key, key, strict=False)  # assessments repeat no key
        if valid[field] != value
    ]
    if errors:
        raise InvalidKnowledge("the body names a different resource than the URL", errors=errors)
    return valid


def _bundle_problems(exc: ValidationError) -> list[str]:
    problems: list[str] = []
    for error in exc.errors():
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.extend(message.split("; "))
    return problems


async def write(
    session: AsyncSession,
    kind: ResourceKind,
    key: Key,
    *,
    body: Item | None,
    patch: bool = False,
    principal: Principal,
    preconditions: Preconditions,
    request_id: str | None,
) -> Written:
    """Create, replace (``body``), merge-patch (``patch``) or delete (``body`` None) a resource.

    Returns the resource as now stored, whether it was created, and the knowledge base it left.
    """
    # A replacement is judged on its own first: a malformed body is a 422 whatever the ETag.
    after = _validated(kind, key, body) if body is not None and not patch else None
    previous = await repository.lock_knowledge(session)
    if previous is None:
        raise KnowledgeUnavailable("the knowledge base is not loaded yet; retry shortly")
    stored = await _stored(session)
    before = kind.find(stored, key)
    if (patch or body is None) and before is None:
        raise NotFound(f"no {kind.name.replace('_', ' ')} at {kind.url(key)}")
    _check(kind, key, before, preconditions)
    if body is not None and patch:
        after = _validated(kind, key, merge_patch(before, body))
    wanted = copy.deepcopy(stored)
    kind.put(wanted, key, after)
    try:
        bundle = KnowledgeBundle.model_validate(wanted)
    except ValidationError as exc:
        problems = _bundle_problems(exc)
        if after is None:
            raise Conflict(f"{kind.url(key)} is still referred to: " + "; ".join(problems)) from exc
        raise InvalidKnowledge(
            "the change would leave the knowledge base inconsistent",
            errors=[("body", p) for p in problems],
        ) from exc
    if after == before:  # nothing to change: no new version, no audit entry
        return Written(Current(after, etag(after) if after else None), created=False)
    url = kind.url(key)
    rows = bundle_rows(bundle)
    tables = {model.__table__ for model in kind.tables}
    own = {table: table_rows for table, table_rows in rows.items() if table in tables}
    await repository.replace_all(session, own, kind.scope(key))
    await repository.mark_curated(session, url, kind.name)
    action = (
        "delete"
        if after is None
        else "create"
        if before is None
        else "patch"
        if patch
        else "replace"
    )
    await repository.add_audit(
        session,
        models.AuditEntry(
            key_name=principal.name,
            action=action,
            resource=url,
            before=before,
            after=after,
            request_id=request_id,
        ),
    )
    version = bundle.version()
    await repository.set_version(session, version)
    # Committed here, not after the response: the ETag a caller gets must already be the stored one.
    await session.commit()
    return Written(
        Current(after, etag(after) if after else None),
        created=before is None,
        bundle=bundle,
        version=version,
        previous_version=previous,
    )


async def audit_page(
    session: AsyncSession,
    *,
    resource: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    before_id: int | None,
    limit: int,
) -> list[models.AuditEntry]:
    """A page of the audit log, newest first; a time without a zone is taken as UTC."""

    def aware(moment: dt.datetime | None) -> dt.datetime | None:
        if moment is None or moment.tzinfo is not None:
            return moment
        return moment.replace(tzinfo=dt.UTC)

    return await repository.audit_page(
        session,
        resource=resource,
        since=aware(since),
        until=aware(until),
        before_id=before_id,
        limit=limit,
    )


async def export(session: AsyncSession) -> KnowledgeBundle:
    """The whole knowledge base, bundle and curated data together, in the bundle's format."""
    return await read_bundle(session)
