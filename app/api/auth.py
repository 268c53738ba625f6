"""Bearer API keys at the HTTP edge: who is calling, and whether their scope allows it.

Writes declare the `apiKey` security scheme (so Swagger UI's Authorize button works). Reads and
/recommend are open unless `ADVISOR_REQUIRE_KEY_FOR_READS` is set; then any live key will do.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.api.deps import SessionDep, SettingsDep
from app.auth.keys import Principal, Scope, authenticate
from app.errors import Forbidden, Unauthorized

REALM = 'Bearer realm="framework-advisor"'

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    description=(
        "An API key from `framework-advisor keys create --name NAME --scope read|write|admin`, "
        "sent as `Authorization: Bearer <key>`."
    ),
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def _principal(session: AsyncSession, credentials: str | None) -> Principal:
    if not credentials:
        raise Unauthorized(
            "this operation needs an API key: send Authorization: Bearer <key>",
            headers={"WWW-Authenticate": REALM},
        )
    principal = await authenticate(session, credentials)
    if principal is None:
        raise Unauthorized(
            "the API key is not valid (unknown, revoked or mistyped)",
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    return principal


def _require(scope: Scope) -> object:
    async def dependency(session: SessionDep, credentials: Credentials) -> Principal:
        principal = await _principal(session, credentials.credentials if credentials else None)
        if principal.scope < scope:
            raise Forbidden(
                f"the key {principal.name!r} has scope {principal.scope.name!r}; "
                f"this operation needs {scope.name!r}",
                headers={
                    "WWW-Authenticate": (
                        f'{REALM}, error="insufficient_scope", scope="{scope.name}"'
                    )
                },
            )
        return principal

    return dependency


async def read_access(request: Request, settings: SettingsDep) -> None:
    """Open by default; with require_key_for_reads, any live key (read scope or above)."""
    if not settings.require_key_for_reads:
        return
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        await _principal(session, token.strip() if scheme.lower() == "bearer" else None)


WriterDep = Annotated[Principal, Depends(_require(Scope.write))]
AdminDep = Annotated[Principal, Depends(_require(Scope.admin))]
ReadAccess = Depends(read_access)
