"""Sync routes: push a batch of changes, pull what changed since a cursor."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

import elo_contract as contract
from elo_tracker import auth, errors, models
from elo_tracker.deps import Ovo, Store, Who, readable
from elo_tracker.store import SERVER_FIELDS

router = APIRouter(prefix="/v1", tags=["sync"])


@router.post(
    "/workspaces/{ovo}/changes",
    response_model=models.PushResponse,
    responses=errors.responses(400, 401, 403, 404, 413, 422, 429, 503),
)
async def push(
    ovo: Ovo,
    body: models.PushRequest,
    request: Request,
    who: Who,
    store: Store,
    idempotency_key: Annotated[
        str,
        Header(
            alias=contract.IDEMPOTENCY_HEADER,
            pattern=contract.IDEMPOTENCY_KEY_PATTERN,
            description="Unique per batch; a replay returns the first answer.",
        ),
    ],
) -> Response:
    """Push a batch of changed records. A record is applied only when its `base_rev`
    equals the tracker's current revision; otherwise it comes back as a conflict with
    the tracker's version. The whole batch is one transaction."""
    auth.check_agency_write(who, ovo)
    for index, r in enumerate(body.records):
        # The contract's own check, the one the client runs on pull (pydantic has
        # already checked the same rules; this keeps both sides identical by construction).
        found = contract.check_record(r.kind, vars(r.data))  # the fields, no copy
        if found:
            return JSONResponse(errors.contract_problem(index, r.kind, found), status_code=422)
    request_hash = hashlib.sha256(await request.body()).hexdigest()
    records = [
        {
            "kind": r.kind,
            "id": r.id,
            "base_rev": r.base_rev,
            "deleted": r.deleted,
            "updated_at": r.updated_at,
            "updated_by": r.updated_by,
            "data": r.data.model_dump_json(),
            "server_values": {n: getattr(r.data, n) for n in SERVER_FIELDS.get(r.kind, ())},
        }
        for r in body.records
    ]
    text = await run_in_threadpool(
        store.push, ovo, idempotency_key, request_hash, records, body.since
    )
    return Response(text, media_type="application/json")


@router.get(
    "/workspaces/{ovo}/changes",
    response_model=models.PullResponse,
    responses=errors.responses(401, 404, 422, 429, 503),
)
async def pull(
    ovo: Ovo,
    who: Who,
    store: Store,
    since: Annotated[
        int,
        Query(ge=0, le=models.MAX_REV, description="Cursor from the previous answer; 0 = all"),
    ] = 0,
    limit: Annotated[
        int | None,
        Query(ge=1, le=contract.MAX_PAGE, description=f"Default {contract.DEFAULT_PAGE}"),
    ] = None,
) -> Response:
    """Records changed since the cursor, oldest first, including VLAIO's feedback."""
    await readable(store, ovo, who)
    page = await run_in_threadpool(store.pull, ovo, since, limit or contract.DEFAULT_PAGE)
    text = (
        '{"records": [' + ", ".join(page.records_json) + "], "
        f'"cursor": {page.cursor}, "has_more": {json.dumps(page.has_more)}, '
        f'"remaining": {page.remaining}, "reset": {json.dumps(page.reset)}}}'
    )
    return Response(text, media_type="application/json")
