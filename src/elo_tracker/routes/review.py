"""VLAIO's routes: feedback on a record or submission, the programme overview."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

import elo_contract as contract
from elo_tracker import auth, errors, models
from elo_tracker.deps import Ovo, Store, Who, readable

router = APIRouter(prefix="/v1", tags=["review"])


@router.post(
    "/workspaces/{ovo}/reviews",
    response_model=models.WireRecord,
    status_code=201,
    responses=errors.responses(400, 401, 403, 404, 413, 422, 429, 503),
)
async def review(ovo: Ovo, body: models.ReviewIn, who: Who, store: Store) -> Response:
    """VLAIO's feedback on a record or submission (verified / issues / approved, with a
    comment), or its decision on an exemption or delay request (accepted / refused). It
    reaches the agency on its next pull as a `review` record."""
    auth.require_admin(who)
    await readable(store, ovo, who)
    if body.verdict in contract.DECISION_VERDICTS and body.target_kind not in (
        contract.DECIDABLE_KINDS
    ):
        raise HTTPException(
            422,
            errors.problem(
                f"Ongeldige invoer bij verdict: '{body.verdict}' is een beslissing over een "
                "uitzondering of vertraging (exemption, delay), niet over "
                f"'{body.target_kind}'.",
                "invalid",
                "verdict",
            ),
        )
    text = await run_in_threadpool(
        store.add_review,
        ovo,
        body.target_kind,
        body.target_id,
        body.verdict,
        body.comment,
        who.name,
    )
    if text is None:
        raise HTTPException(404, "Record niet gevonden in deze werkruimte.")
    return Response(text, media_type="application/json", status_code=201)


@router.get(
    "/overview",
    responses={
        200: {"content": {"text/csv": {}}, "description": "JSON or CSV"},
        **errors.responses(401, 403, 422, 429),
    },
)
async def overview(
    who: Who,
    store: Store,
    format: Annotated[Literal["json", "csv"], Query()] = "json",  # noqa: A002
    today: Annotated[
        str | None,
        Query(
            pattern=r"^\d{4}-\d{2}-\d{2}$",
            description="Reference day JJJJ-MM-DD, 2000-01-01 to 2100-12-31 (default: today)",
        ),
    ] = None,
) -> Response:
    """Programme overview: per agency and per block part the readiness, the requirements
    (SSO, gericht aanmelden, rechtenbeheer op productniveau), products ELO-conform
    (self-declared and centrally verified), products at risk per milestone (1 January 2027
    under the reading "nieuwe opname", an interpretation), overdue items and requested
    co-financing against the firm envelope, with VRD 3's amount apart (onder voorbehoud)."""
    from elo_tracker.overview import build_overview, overview_csv

    auth.require_admin(who)
    day = None
    if today is not None:
        try:
            day = date.fromisoformat(today)
        except ValueError:
            day = None
        if day is None or not date(2000, 1, 1) <= day <= date(2100, 12, 31):
            return JSONResponse(
                errors.problem(
                    f"Ongeldige invoer bij query.today: '{today}' is geen datum tussen "
                    "2000-01-01 en 2100-12-31.",
                    "invalid",
                    "query.today",
                ),
                status_code=422,
            )
    data = await run_in_threadpool(build_overview, store, day)
    if format == "csv":
        return Response(
            overview_csv(data),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="elo-overzicht.csv"'},
        )
    return JSONResponse(data)


@router.get(
    "/bottlenecks",
    responses={
        200: {"content": {"text/csv": {}}, "description": "JSON or CSV"},
        **errors.responses(401, 403, 422, 429),
    },
)
async def bottlenecks(
    who: Who,
    store: Store,
    format: Annotated[Literal["json", "csv"], Query()] = "json",  # noqa: A002
    include_resolved: Annotated[bool, Query(description="Also the resolved ones")] = False,
) -> Response:
    """The bottleneck register of every agency (the `bottleneck` records they pushed),
    grouped by kind and block: for bundling into improvement tracks with Digitaal
    Vlaanderen."""
    from elo_tracker.bottlenecks import build_register, register_csv

    auth.require_admin(who)
    data = await run_in_threadpool(build_register, store, include_resolved=include_resolved)
    if format == "csv":
        return Response(
            register_csv(data),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="elo-knelpunten.csv"'},
        )
    return JSONResponse(data)
