"""Submission routes: hand in a frozen snapshot (immutable), list, read."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException
from fastapi import Path as PathParam
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from elo_tracker import auth, errors, models
from elo_tracker.deps import Ovo, Store, Who, readable

router = APIRouter(prefix="/v1", tags=["submissions"])


@router.post(
    "/workspaces/{ovo}/submissions",
    response_model=models.WireRecord,
    status_code=201,
    responses={
        200: {"model": models.WireRecord, "description": "Already received"},
        409: {"model": models.Problem, "description": "Same id, other content"},
        **errors.responses(400, 401, 403, 404, 413, 422, 429, 503),
    },
)
async def upload_submission(
    ovo: Ovo, body: models.SubmissionIn, who: Who, store: Store
) -> Response:
    """Hand in a frozen snapshot. The tracker checks SHA-256 over the UTF-8 content and
    stores it immutably; sending the same submission again is harmless."""
    auth.check_agency_write(who, ovo)
    digest = hashlib.sha256(body.content.encode("utf-8")).hexdigest()
    if digest != body.sha256:
        raise HTTPException(
            422,
            errors.problem(
                "De SHA-256 klopt niet met de inhoud van de indiening (sha256 over de "
                "UTF-8-inhoud). De indiening is niet opgeslagen.",
                "invalid",
                "sha256",
            ),
        )
    created, text = await run_in_threadpool(store.put_submission, ovo, body.model_dump(), who.name)
    return Response(text, media_type="application/json", status_code=201 if created else 200)


@router.get(
    "/workspaces/{ovo}/submissions",
    response_model=list[models.SubmissionInfo],
    responses=errors.responses(401, 404, 422, 429),
)
async def list_submissions(ovo: Ovo, who: Who, store: Store) -> list[dict[str, Any]]:
    await readable(store, ovo, who)
    return await run_in_threadpool(store.submissions, ovo)


@router.get(
    "/workspaces/{ovo}/submissions/{sid}",
    response_model=models.SubmissionFull,
    responses=errors.responses(401, 404, 422, 429),
)
async def get_submission(
    ovo: Ovo, who: Who, store: Store, sid: Annotated[str, PathParam(max_length=models.MAX_ID)]
) -> dict[str, Any]:
    await readable(store, ovo, who)
    found = await run_in_threadpool(store.submission, ovo, sid)
    if found is None:
        raise HTTPException(404, "Indiening niet gevonden.")
    return found
