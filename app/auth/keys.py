"""API keys: ``fa_<id>_<secret>``. The id finds the row; only an argon2 hash of the secret is kept.

Verifying an argon2 hash is deliberately slow, so a verified key is remembered in-process by the
SHA-256 of the presented key together with the stored hash: a revoked key still fails at once,
because its row is read (and checked) on every request.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from dataclasses import dataclass
from enum import IntEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import repository
from app.auth.models import ApiKey
from app.errors import Conflict

_HASHER = PasswordHasher()
_KEY = re.compile(r"^fa_([a-z0-9]{12})_([A-Za-z0-9_\-]{32,64})$")
_VERIFIED: dict[str, str] = {}  # sha256(presented key) -> the stored hash it verified against
_VERIFIED_MAX = 1024


class Scope(IntEnum):
    """What a key may do; each scope includes the ones below it."""

    read = 1
    write = 2
    admin = 3


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's name (what the audit records) and its scope."""

    name: str
    scope: Scope


@dataclass(frozen=True)
class KeyInfo:
    name: str
    scope: str
    created_at: str
    revoked: bool


async def create_key(session: AsyncSession, name: str, scope: Scope) -> str:
    """Store a new key and return it: the only time its secret is ever shown."""
    if await repository.by_name(session, name) is not None:
        raise Conflict(f"a key named {name!r} already exists")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    digest = await asyncio.to_thread(_HASHER.hash, secret)
    try:
        await repository.add(
            session, ApiKey(id=key_id, name=name, scope=scope.name, secret_hash=digest)
        )
    except IntegrityError as exc:
        raise Conflict(f"a key named {name!r} already exists") from exc
    return f"fa_{key_id}_{secret}"


async def list_keys(session: AsyncSession) -> list[KeyInfo]:
    return [
        KeyInfo(k.name, k.scope, k.created_at.isoformat(), k.revoked_at is not None)
        for k in await repository.all_keys(session)
    ]


async def revoke_key(session: AsyncSession, name: str) -> bool:
    return await repository.revoke(session, name)


async def authenticate(session: AsyncSession, presented: str) -> Principal | None:
    """The key's principal, or None when it is malformed, unknown, revoked or wrong."""
    match = _KEY.fullmatch(presented)
    if match is None:
        return None
    key_id, secret = match.groups()
    row = await repository.by_id(session, key_id)
    if row is None or row.revoked_at is not None:
        return None
    fingerprint = hashlib.sha256(presented.encode()).hexdigest()
    if _VERIFIED.get(fingerprint) != row.secret_hash:
        try:
            await asyncio.to_thread(_HASHER.verify, row.secret_hash, secret)
        except (VerificationError, InvalidHashError):
            return None
        if len(_VERIFIED) >= _VERIFIED_MAX:
            _VERIFIED.clear()
        _VERIFIED[fingerprint] = row.secret_hash
    return Principal(name=row.name, scope=Scope[row.scope])
