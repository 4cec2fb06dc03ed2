"""Service routes: health (no token), who am I, which workspaces."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from elo_tracker import errors, models
from elo_tracker.deps import Store, Who

router = APIRouter(prefix="/v1", tags=["service"])


@router.get("/health", response_model=models.Health)
async def health() -> dict[str, str]:
    """Liveness, without authentication (the client's online indicator)."""
    return {"status": "ok", "api": "v1"}


@router.get("/me", response_model=models.Me, responses=errors.responses(401, 429))
async def me(who: Who) -> dict[str, Any]:
    """Who this token belongs to; an agency token names its workspace (OVO code)."""
    return {"role": who.role, "name": who.name, "workspace": who.workspace}


@router.get(
    "/workspaces",
    response_model=list[models.WorkspaceInfo],
    responses=errors.responses(401, 429),
)
async def workspaces(who: Who, store: Store) -> list[dict[str, Any]]:
    """Admins see every workspace; an agency only its own."""
    return await run_in_threadpool(store.workspaces, None if who.is_admin else who.workspace)
