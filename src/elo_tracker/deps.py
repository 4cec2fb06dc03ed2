"""Dependencies of the routes: the caller (token → principal, rate-limited), the OVO
path parameter and the read check. The store and the limiter live in `app.state`."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

import elo_contract as contract
from elo_tracker import auth
from elo_tracker.store import Principal, TrackerStore

bearer = HTTPBearer(auto_error=False, description="Agency or admin token")


def store_of(request: Request) -> TrackerStore:
    return request.app.state.store


Store = Annotated[TrackerStore, Depends(store_of)]


async def principal(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    request: Request,
) -> Principal:
    """The token's owner; 401 without a valid token, 429 beyond the token's rate."""
    store = store_of(request)
    limiter = request.app.state.limiter
    token = auth.bearer_token(request.headers.get("authorization"))
    if token is None:
        raise auth.unauthorized()
    who = await _quick(store, store.authenticate, token)
    if who is None:
        raise auth.unauthorized("Token onbekend of ingetrokken.")
    wait = limiter.take(token.partition(".")[0])  # the key id, never the secret
    if wait > 0:
        raise HTTPException(
            429,
            f"Te veel aanvragen met dit token; probeer opnieuw na {math.ceil(wait)} seconde(n).",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    return who


Who = Annotated[Principal, Depends(principal)]
Ovo = Annotated[str, PathParam(pattern=contract.OVO_PATTERN, description="OVO code of the agency")]


async def readable(store: TrackerStore, ovo: str, who: Principal) -> None:
    """Admins read any existing workspace; an agency only its own (404 otherwise)."""
    exists = await _quick(store, store.workspace_exists, ovo) if who.is_admin else True
    auth.check_read(who, ovo, exists)


async def _quick(store: TrackerStore, lookup, arg):
    """A primary-key lookup. On SQLite it never waits on writers (WAL): cheaper inline
    than a hop to the thread pool, which costs more than the query itself. On PostgreSQL
    it may wait for a pooled connection, which must never block the event loop."""
    if store.is_postgres:
        return await run_in_threadpool(lookup, arg)
    return lookup(arg)
