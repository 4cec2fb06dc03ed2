"""The reference tracker service: FastAPI application factory (`create_app`).

The API is versioned under `/v1`; its OpenAPI document is served at `/openapi.json` and
checked into `docs/openapi.json` (`elo-tui tracker openapi` regenerates it; a test fails
when it drifts). Storage calls are blocking SQLite, so they run in the thread pool.

Bad input never yields a 500: bodies are size-limited before they are read, every field
is validated by pydantic (422 with the place and reason), a busy database answers 503
with Retry-After so clients back off and retry.
"""

import hashlib
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from elo_tui.tracker import auth, models
from elo_tui.tracker.store import (
    SERVER_FIELDS,
    DatabaseBusy,
    IdempotencyMismatch,
    Principal,
    SubmissionConflict,
    TrackerStore,
)

log = logging.getLogger("elo_tui.tracker")

API_VERSION = "1.0.0"
OVO_PATTERN = r"^OVO\d{6}$"


@dataclass(frozen=True)
class Limits:
    """Request limits (bytes / records); too large → 413, too many records → 422."""

    max_body_bytes: int = 4 * 1024 * 1024
    max_submission_bytes: int = 32 * 1024 * 1024
    max_page: int = 2000
    default_page: int = 500


_ERRORS = {
    401: {"model": models.Problem, "description": "Geen of ongeldig token"},
    403: {"model": models.Problem, "description": "Niet toegestaan voor deze rol"},
    404: {"model": models.Problem, "description": "Werkruimte niet gevonden (of niet de jouwe)"},
    413: {"model": models.Problem, "description": "Aanvraag te groot"},
    422: {"model": models.Problem, "description": "Ongeldige invoer"},
    503: {"model": models.Problem, "description": "Tijdelijk bezet; opnieuw na Retry-After"},
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: _ERRORS[c] for c in codes}


class BodyLimit:
    """ASGI middleware: refuse a body over the limit, whether announced or streamed."""

    def __init__(self, app, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = (
            self.limits.max_submission_bytes
            if scope["path"].endswith("/submissions")
            else self.limits.max_body_bytes
        )
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    announced = int(value)
                except ValueError:
                    await _send_problem(send, 400, "Ongeldige Content-Length.")
                    return
                if announced > limit:
                    await _send_problem(send, 413, _too_large(limit))
                    return
        received = 0

        async def limited() -> dict:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, _too_large(limit))
            return message

        await self.app(scope, limited, send)


def _too_large(limit: int) -> str:
    return f"Aanvraag te groot: maximaal {limit // 1024} KiB. Stuur kleinere batches."


async def _send_problem(send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _where(loc: tuple | list) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    # A discriminated union adds the tag as a path element: keep it, it helps.
    return ".".join(parts) or "aanvraag"


def _validation_problem(exc: RequestValidationError) -> dict[str, Any]:
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()[:50]
    ]
    first = errors[0] if errors else {"loc": [], "msg": "ongeldig", "type": ""}
    more = f" (en {len(exc.errors()) - 1} andere fouten)" if len(exc.errors()) > 1 else ""
    if first["type"] == "json_invalid":
        detail = "Geen geldige JSON in de aanvraag."
    elif first["type"] == "union_tag_invalid":
        detail = (
            f"Ongeldige invoer bij {_where(first['loc'])}: deze soort record wordt hier "
            f"niet aanvaard (toegelaten: {', '.join(models.PUSH_KINDS)}; reviews schrijft "
            "alleen VLAIO, indieningen gaan via /submissions)."
        )
    else:
        detail = f"Ongeldige invoer bij {_where(first['loc'])}: {first['msg']}"
    return {"detail": detail + more, "errors": errors}


def create_app(
    db_path: Path | str, limits: Limits | None = None, store: TrackerStore | None = None
) -> FastAPI:
    """The tracker as an ASGI app over the SQLite file `db_path`."""
    limits = limits or Limits()
    store = store or TrackerStore.open(db_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(store.prune_idempotency)
        yield
        store.close()

    app = FastAPI(
        title="elo_tui tracker",
        version=API_VERSION,
        description=(
            "Central tracker of the e-loketondernemers programme: agencies push and pull "
            "their workspace (offline-first sync), upload submissions for co-financing; "
            "VLAIO reviews and follows the programme. Authenticate with "
            "`Authorization: Bearer <token>`."
        ),
        lifespan=lifespan,
    )
    app.state.store = store
    app.add_middleware(BodyLimit, limits=limits)
    bearer = HTTPBearer(auto_error=False, description="Agency or admin token")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(_validation_problem(exc), status_code=422)

    @app.exception_handler(IdempotencyMismatch)
    async def _reused(request: Request, exc: IdempotencyMismatch) -> JSONResponse:
        return JSONResponse(
            {
                "detail": "Deze Idempotency-Key werd al gebruikt voor een andere aanvraag. "
                "Gebruik een nieuwe sleutel voor nieuwe wijzigingen."
            },
            status_code=422,
        )

    @app.exception_handler(SubmissionConflict)
    async def _immutable(request: Request, exc: SubmissionConflict) -> JSONResponse:
        return JSONResponse(
            {
                "detail": "Er bestaat al een indiening met dit id en een andere inhoud; "
                "indieningen zijn onveranderlijk. Maak een nieuwe versie."
            },
            status_code=409,
        )

    @app.exception_handler(DatabaseBusy)
    async def _busy(request: Request, exc: DatabaseBusy) -> JSONResponse:
        log.warning("database busy: %s", exc)
        return JSONResponse(
            {"detail": "De tracker is even bezet; probeer opnieuw."},
            status_code=503,
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "Interne fout in de tracker."}, status_code=500)

    async def principal(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        request: Request,
    ) -> Principal:
        token = auth.bearer_token(request.headers.get("authorization"))
        if token is None:
            raise auth.unauthorized()
        # A primary-key lookup that never waits on writers (WAL): cheaper inline than a
        # hop to the thread pool, which costs more than the query itself.
        who = store.authenticate(token)
        if who is None:
            raise auth.unauthorized("Token onbekend of ingetrokken.")
        return who

    Who = Annotated[Principal, Depends(principal)]
    Ovo = Annotated[str, PathParam(pattern=OVO_PATTERN, description="OVO code of the agency")]

    async def readable(ovo: str, who: Principal) -> None:
        exists = store.workspace_exists(ovo) if who.is_admin else True  # inline: see above
        auth.check_read(who, ovo, exists)

    # -- service ---------------------------------------------------------------------------

    @app.get("/v1/health", response_model=models.Health, tags=["service"])
    async def health() -> dict[str, str]:
        """Liveness, without authentication (the client's online indicator)."""
        return {"status": "ok", "api": "v1"}

    @app.get("/v1/me", response_model=models.Me, responses=_errors(401), tags=["service"])
    async def me(who: Who) -> dict[str, Any]:
        """Who this token belongs to; an agency token names its workspace (OVO code)."""
        return {"role": who.role, "name": who.name, "workspace": who.workspace}

    @app.get(
        "/v1/workspaces",
        response_model=list[models.WorkspaceInfo],
        responses=_errors(401),
        tags=["service"],
    )
    async def workspaces(who: Who) -> list[dict[str, Any]]:
        """Admins see every workspace; an agency only its own."""
        return await run_in_threadpool(store.workspaces, None if who.is_admin else who.workspace)

    # -- sync ------------------------------------------------------------------------------

    @app.post(
        "/v1/workspaces/{ovo}/changes",
        response_model=models.PushResponse,
        responses=_errors(401, 403, 404, 413, 422, 503),
        tags=["sync"],
    )
    async def push(
        ovo: Ovo,
        body: models.PushRequest,
        request: Request,
        who: Who,
        idempotency_key: Annotated[
            str,
            Header(
                alias="Idempotency-Key",
                min_length=8,
                max_length=200,
                pattern=r"^[A-Za-z0-9._:-]+$",
                description="Unique per batch; a replay returns the first answer.",
            ),
        ],
    ) -> Response:
        """Push a batch of changed records. A record is applied only when its `base_rev`
        equals the tracker's current revision; otherwise it comes back as a conflict with
        the tracker's version. The whole batch is one transaction."""
        auth.check_agency_write(who, ovo)
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

    @app.get(
        "/v1/workspaces/{ovo}/changes",
        response_model=models.PullResponse,
        responses=_errors(401, 404, 422, 503),
        tags=["sync"],
    )
    async def pull(
        ovo: Ovo,
        who: Who,
        since: Annotated[
            int,
            Query(ge=0, le=models.MAX_REV, description="Cursor from the previous answer; 0 = all"),
        ] = 0,
        limit: Annotated[int | None, Query(ge=1, le=limits.max_page)] = None,
    ) -> Response:
        """Records changed since the cursor, oldest first, including VLAIO's feedback."""
        await readable(ovo, who)
        page = await run_in_threadpool(store.pull, ovo, since, limit or limits.default_page)
        text = (
            '{"records": [' + ", ".join(page.records_json) + "], "
            f'"cursor": {page.cursor}, "has_more": {json.dumps(page.has_more)}, '
            f'"remaining": {page.remaining}, "reset": {json.dumps(page.reset)}}}'
        )
        return Response(text, media_type="application/json")

    # -- submissions -----------------------------------------------------------------------

    @app.post(
        "/v1/workspaces/{ovo}/submissions",
        response_model=models.WireRecord,
        status_code=201,
        responses={
            200: {"model": models.WireRecord, "description": "Already received"},
            409: {"model": models.Problem, "description": "Same id, other content"},
            **_errors(401, 403, 404, 413, 422, 503),
        },
        tags=["submissions"],
    )
    async def upload_submission(ovo: Ovo, body: models.SubmissionIn, who: Who) -> Response:
        """Hand in a frozen snapshot. The tracker checks SHA-256 over the UTF-8 content and
        stores it immutably; sending the same submission again is harmless."""
        auth.check_agency_write(who, ovo)
        digest = hashlib.sha256(body.content.encode("utf-8")).hexdigest()
        if digest != body.sha256:
            raise HTTPException(
                422,
                "De SHA-256 klopt niet met de inhoud van de indiening (sha256 over de "
                "UTF-8-inhoud). De indiening is niet opgeslagen.",
            )
        created, text = await run_in_threadpool(
            store.put_submission, ovo, body.model_dump(), who.name
        )
        return Response(text, media_type="application/json", status_code=201 if created else 200)

    @app.get(
        "/v1/workspaces/{ovo}/submissions",
        response_model=list[models.SubmissionInfo],
        responses=_errors(401, 404, 422),
        tags=["submissions"],
    )
    async def list_submissions(ovo: Ovo, who: Who) -> list[dict[str, Any]]:
        await readable(ovo, who)
        return await run_in_threadpool(store.submissions, ovo)

    @app.get(
        "/v1/workspaces/{ovo}/submissions/{sid}",
        response_model=models.SubmissionFull,
        responses=_errors(401, 404, 422),
        tags=["submissions"],
    )
    async def get_submission(
        ovo: Ovo, who: Who, sid: Annotated[str, PathParam(max_length=models.MAX_ID)]
    ) -> dict[str, Any]:
        await readable(ovo, who)
        found = await run_in_threadpool(store.submission, ovo, sid)
        if found is None:
            raise HTTPException(404, "Indiening niet gevonden.")
        return found

    # -- review (VLAIO) --------------------------------------------------------------------

    @app.post(
        "/v1/workspaces/{ovo}/reviews",
        response_model=models.WireRecord,
        status_code=201,
        responses=_errors(401, 403, 404, 413, 422, 503),
        tags=["review"],
    )
    async def review(ovo: Ovo, body: models.ReviewIn, who: Who) -> Response:
        """VLAIO's feedback on a record or submission (verified / issues / approved, with a
        comment). It reaches the agency on its next pull as a `review` record."""
        auth.require_admin(who)
        await readable(ovo, who)
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

    @app.get(
        "/v1/overview",
        responses={
            200: {"content": {"text/csv": {}}, "description": "JSON or CSV"},
            **_errors(401, 403, 422),
        },
        tags=["review"],
    )
    async def overview(
        who: Who,
        format: Annotated[Literal["json", "csv"], Query()] = "json",  # noqa: A002
        today: Annotated[date | None, Query(description="Reference day (default today)")] = None,
    ) -> Response:
        """Programme overview: per agency and per block the readiness, products
        ELO-conform, overdue items and requested co-financing against the envelope."""
        from elo_tui.tracker.overview import build_overview, overview_csv

        auth.require_admin(who)
        data = await run_in_threadpool(build_overview, store, today)
        if format == "csv":
            return Response(
                overview_csv(data),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": 'attachment; filename="elo-overzicht.csv"'},
            )
        return JSONResponse(data)

    return app
