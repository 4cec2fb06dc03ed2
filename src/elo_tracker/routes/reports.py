"""VLAIO's governance reports over the API: the same bytes `elo-tracker report` writes
(one function, `reports.render_report`), for the programme view and other admin tools."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from elo_tracker import auth, errors
from elo_tracker.deps import Store, Who

router = APIRouter(prefix="/v1", tags=["review"])

_CONTENT = {
    "text/markdown": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    },
}


@router.get(
    "/reports/{kind}",
    response_class=Response,
    responses={
        200: {
            "content": _CONTENT,
            "description": "The report as a file (Content-Disposition names it, e.g. "
            "elo-kernwerkgroep-2026-11.md)",
        },
        **errors.responses(401, 403, 422, 429),
    },
)
async def report(
    kind: Literal["kernwerkgroep", "stuurgroep", "evaluatie"],
    who: Who,
    store: Store,
    period: Annotated[
        str,
        Query(
            max_length=20,
            description="JJJJ-MM (kernwerkgroep, evaluatie) or JJJJ-Qn (stuurgroep, evaluatie)",
        ),
    ],
    format: Annotated[Literal["md", "xlsx"], Query()] = "md",  # noqa: A002
) -> Response:
    """A governance report from the tracker's current data for a period: kernwerkgroep
    (monthly, operational), stuurgroep (quarterly, strategic) or evaluatie (the interim
    evaluation), as Markdown or XLSX. Reproducible: the same data and period give the same
    bytes apart from the line `Gegenereerd op: …`. The reference date is the period's last
    day; the data cut-off (the latest change the report saw) is in the report."""
    from elo_tracker.reports import MEDIA_TYPES, ReportError, render_report

    auth.require_admin(who)
    try:
        payload, name = await run_in_threadpool(render_report, store, kind, period, format)
    except ReportError as exc:
        return JSONResponse(
            errors.problem(f"Ongeldige invoer bij query.period: {exc}.", "invalid", "query.period"),
            status_code=422,
        )
    return Response(
        payload,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
