"""The reference tracker service: FastAPI application factory (`create_app`).

The API is versioned under `/v1`; its OpenAPI document is served at `/openapi.json` and
`/docs`, without a token: it is the public contract (also checked into
`docs/openapi.json`; `elo-tracker openapi` regenerates it and a test fails when it
drifts), holds no data and tells an attacker nothing the repository does not. Storage
calls are blocking SQLite, so they run in the thread pool.

Bad input never yields a 500: bodies are size-limited before they are read, every field
is validated against `elo_contract` (422 with a Dutch message, a `code` and the `field`
path), a token that sends too much gets 429 with Retry-After and a busy database 503 with
Retry-After, so clients back off and retry.
"""

import hashlib
import json
import logging
import math
import threading
import time
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
from starlette.exceptions import HTTPException as StarletteHTTPException

import elo_contract as contract
from elo_tracker import auth, models
from elo_tracker.store import (
    SERVER_FIELDS,
    DatabaseBusy,
    IdempotencyMismatch,
    Principal,
    SubmissionConflict,
    TrackerStore,
)

log = logging.getLogger("elo_tracker")

API_VERSION = contract.API_VERSION
OVO_PATTERN = contract.OVO_PATTERN


@dataclass(frozen=True)
class Limits:
    """Request limits (bytes / records / requests); too large → 413, too many records →
    422, too many requests → 429. The defaults are the contract's."""

    max_body_bytes: int = contract.MAX_BODY_BYTES
    max_submission_bytes: int = contract.MAX_SUBMISSION_BYTES
    max_page: int = contract.MAX_PAGE
    default_page: int = contract.DEFAULT_PAGE
    # Per token: a sustained rate and a burst. A full first sync of a large workspace is
    # ~10 pushes and ~20 pulls; 600 a minute leaves room for many of those.
    rate_per_minute: int = 600
    rate_burst: int = 120


STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "bad_request",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "rate_limited",
    503: "busy",
}


class RateLimiter:
    """A token bucket per token (key id): `take` answers 0 or the seconds to wait."""

    def __init__(self, per_minute: int, burst: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(1, burst))
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        now = time.monotonic()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate if self.rate > 0 else 60.0


_ERRORS = {
    401: {"model": models.Problem, "description": "Geen of ongeldig token"},
    403: {"model": models.Problem, "description": "Niet toegestaan voor deze rol"},
    404: {"model": models.Problem, "description": "Werkruimte niet gevonden (of niet de jouwe)"},
    413: {"model": models.Problem, "description": "Aanvraag te groot"},
    422: {
        "model": models.Problem,
        "description": "Ongeldige invoer: een waarde buiten het contract, geen geldige JSON "
        "(code invalid_json) of een hergebruikte Idempotency-Key (code idempotency_reused). "
        "`field` zegt waar, `detail` wat er mis is (Nederlands).",
    },
    429: {
        "model": models.Problem,
        "description": "Te veel aanvragen met dit token; opnieuw na Retry-After (seconden)",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
    503: {
        "model": models.Problem,
        "description": "Tijdelijk bezet; opnieuw na Retry-After",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
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


def problem(
    detail: str, code: str, field: str | None = None, errors: list | None = None
) -> dict[str, Any]:
    """The one error shape of the API (see elo_contract.ERROR_CODES)."""
    out: dict[str, Any] = {"detail": detail, "code": code, "field": field}
    if errors is not None:
        out["errors"] = errors
    return out


async def _send_problem(send, status: int, detail: str) -> None:
    body = json.dumps(problem(detail, STATUS_CODES.get(status, "bad_request"))).encode()
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


def _dutch(error: dict[str, Any]) -> str:
    """Pydantic's English message as a Dutch one (the API speaks Dutch to people)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "ontbreekt"
    if kind == "extra_forbidden":
        return "onbekend veld"
    if kind in ("string_too_long", "too_long"):
        unit = "tekens" if kind == "string_too_long" else "elementen"
        return f"te lang (maximaal {ctx.get('max_length')} {unit})"
    if kind in ("string_too_short", "too_short"):
        return f"te kort (minstens {ctx.get('min_length')})"
    if kind == "string_pattern_mismatch":
        return f"heeft niet de vereiste vorm ({ctx.get('pattern')})"
    if kind in ("greater_than_equal", "greater_than"):
        return f"moet minstens {ctx.get('ge', ctx.get('gt'))} zijn"
    if kind in ("less_than_equal", "less_than"):
        return f"mag hoogstens {ctx.get('le', ctx.get('lt'))} zijn"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "moet een geheel getal zijn"
    if kind in ("float_type", "float_parsing", "finite_number"):
        return "moet een (eindig) getal zijn"
    if kind in ("bool_type", "bool_parsing"):
        return "moet true of false zijn"
    if kind in ("string_type",):
        return "moet tekst zijn"
    if kind in ("list_type",):
        return "moet een lijst zijn"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "moet een object zijn"
    if kind == "literal_error":
        return f"onbekende waarde; toegelaten: {ctx.get('expected', '')}"
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return "geen datum; schrijf JJJJ-MM-DD"
    if kind == "union_tag_invalid":
        return (
            f"deze soort record wordt hier niet aanvaard (toegelaten: "
            f"{', '.join(contract.PUSH_KINDS)}; reviews schrijft alleen VLAIO, indieningen "
            "gaan via /submissions)"
        )
    if kind == "union_tag_not_found":
        return "'kind' ontbreekt"
    return "ongeldige waarde"


def _validation_problem(exc: RequestValidationError) -> dict[str, Any]:
    raw = exc.errors()
    errors = [
        {"field": _where(e.get("loc", ())), "detail": _dutch(e), "code": "invalid"}
        for e in raw[:50]
    ]
    if raw and raw[0].get("type") == "json_invalid":
        return problem("Geen geldige JSON in de aanvraag.", "invalid_json", None, errors)
    first = errors[0] if errors else {"field": None, "detail": "ongeldige invoer"}
    more = f" (en {len(raw) - 1} andere fouten)" if len(raw) > 1 else ""
    detail = f"Ongeldige invoer bij {first['field'] or 'aanvraag'}: {first['detail']}{more}."
    return problem(detail, "invalid", first["field"], errors)


def _contract_problem(index: int, kind: str, problems: list[contract.Problem]) -> dict[str, Any]:
    # The same path as a pydantic error of the discriminated union: records.N.kind.data.x
    errors = [
        {"field": f"records.{index}.{kind}.{p.field}", "detail": p.detail, "code": p.code}
        for p in problems[:50]
    ]
    first = errors[0]
    return problem(f"Ongeldige invoer bij {first['field']}: {first['detail']}", "invalid",
                   first["field"], errors)  # fmt: skip


def create_app(
    db_path: Path | str, limits: Limits | None = None, store: TrackerStore | None = None
) -> FastAPI:
    """The tracker as an ASGI app over the SQLite file `db_path`."""
    limits = limits or Limits()
    store = store or TrackerStore.open(db_path)
    limiter = RateLimiter(limits.rate_per_minute, limits.rate_burst)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(store.prune_idempotency)
        yield
        store.close()

    app = FastAPI(
        title="elo_tracker",
        version=API_VERSION,
        description=(
            "Central tracker of the e-loketondernemers programme: agencies push and pull "
            "their workspace (offline-first sync), upload submissions for co-financing; "
            "VLAIO reviews and follows the programme. Authenticate with "
            "`Authorization: Bearer <token>`.\n\n"
            "Every error answer is `{detail, code, field, errors?}`: `detail` a Dutch "
            "sentence, `code` one of " + ", ".join(contract.ERROR_CODES) + ", `field` the "
            "path of the offending value (e.g. `records.3.data.yearly_volume`). The limits "
            "of every field are in the schemas below (the wire contract `elo_contract`); "
            f"a push holds at most {contract.MAX_BATCH} records and "
            f"{limits.max_body_bytes // 1024} KiB, a submission at most "
            f"{limits.max_submission_bytes // (1024 * 1024)} MiB, a pull page at most "
            f"{limits.max_page} records. Each token may make {limits.rate_per_minute} "
            f"requests a minute (bursts of {limits.rate_burst}); beyond that 429 with "
            "Retry-After. `/openapi.json` and `/docs` need no token: the contract is "
            "public and holds no data."
        ),
        lifespan=lifespan,
    )
    app.state.store = store
    app.add_middleware(BodyLimit, limits=limits)
    bearer = HTTPBearer(auto_error=False, description="Agency or admin token")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(_validation_problem(exc), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "Ongeldige aanvraag."
        if exc.status_code == 404 and detail == "Not Found":
            detail = "Onbekend adres; de API staat onder /v1."
        elif exc.status_code == 405:
            detail = "Deze methode is hier niet toegelaten."
        body = exc.detail if isinstance(exc.detail, dict) else problem(
            detail, STATUS_CODES.get(exc.status_code, "bad_request")
        )  # fmt: skip
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(IdempotencyMismatch)
    async def _reused(request: Request, exc: IdempotencyMismatch) -> JSONResponse:
        return JSONResponse(
            problem(
                "Deze Idempotency-Key werd al gebruikt voor een andere aanvraag. "
                "Gebruik een nieuwe sleutel voor nieuwe wijzigingen.",
                "idempotency_reused",
                contract.IDEMPOTENCY_HEADER,
            ),
            status_code=422,
        )

    @app.exception_handler(SubmissionConflict)
    async def _immutable(request: Request, exc: SubmissionConflict) -> JSONResponse:
        return JSONResponse(
            problem(
                "Er bestaat al een indiening met dit id en een andere inhoud; "
                "indieningen zijn onveranderlijk. Maak een nieuwe versie.",
                "conflict",
                "id",
            ),
            status_code=409,
        )

    @app.exception_handler(DatabaseBusy)
    async def _busy(request: Request, exc: DatabaseBusy) -> JSONResponse:
        log.warning("database busy: %s", exc)
        return JSONResponse(
            problem("De tracker is even bezet; probeer opnieuw.", "busy"),
            status_code=503,
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(problem("Interne fout in de tracker.", "internal"), status_code=500)

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
        wait = limiter.take(token.partition(".")[0])  # the key id, never the secret
        if wait > 0:
            raise HTTPException(
                429,
                "Te veel aanvragen met dit token; probeer opnieuw na "
                f"{math.ceil(wait)} seconde(n).",
                headers={"Retry-After": str(math.ceil(wait))},
            )
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

    @app.get("/v1/me", response_model=models.Me, responses=_errors(401, 429), tags=["service"])
    async def me(who: Who) -> dict[str, Any]:
        """Who this token belongs to; an agency token names its workspace (OVO code)."""
        return {"role": who.role, "name": who.name, "workspace": who.workspace}

    @app.get(
        "/v1/workspaces",
        response_model=list[models.WorkspaceInfo],
        responses=_errors(401, 429),
        tags=["service"],
    )
    async def workspaces(who: Who) -> list[dict[str, Any]]:
        """Admins see every workspace; an agency only its own."""
        return await run_in_threadpool(store.workspaces, None if who.is_admin else who.workspace)

    # -- sync ------------------------------------------------------------------------------

    @app.post(
        "/v1/workspaces/{ovo}/changes",
        response_model=models.PushResponse,
        responses=_errors(401, 403, 404, 413, 422, 429, 503),
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
                return JSONResponse(_contract_problem(index, r.kind, found), status_code=422)
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
        responses=_errors(401, 404, 422, 429, 503),
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
            **_errors(401, 403, 404, 413, 422, 429, 503),
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
                problem(
                    "De SHA-256 klopt niet met de inhoud van de indiening (sha256 over de "
                    "UTF-8-inhoud). De indiening is niet opgeslagen.",
                    "invalid",
                    "sha256",
                ),
            )
        created, text = await run_in_threadpool(
            store.put_submission, ovo, body.model_dump(), who.name
        )
        return Response(text, media_type="application/json", status_code=201 if created else 200)

    @app.get(
        "/v1/workspaces/{ovo}/submissions",
        response_model=list[models.SubmissionInfo],
        responses=_errors(401, 404, 422, 429),
        tags=["submissions"],
    )
    async def list_submissions(ovo: Ovo, who: Who) -> list[dict[str, Any]]:
        await readable(ovo, who)
        return await run_in_threadpool(store.submissions, ovo)

    @app.get(
        "/v1/workspaces/{ovo}/submissions/{sid}",
        response_model=models.SubmissionFull,
        responses=_errors(401, 404, 422, 429),
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
        responses=_errors(401, 403, 404, 413, 422, 429, 503),
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
            **_errors(401, 403, 422, 429),
        },
        tags=["review"],
    )
    async def overview(
        who: Who,
        format: Annotated[Literal["json", "csv"], Query()] = "json",  # noqa: A002
        today: Annotated[
            str | None,
            Query(
                pattern=r"^\d{4}-\d{2}-\d{2}$",
                description="Reference day JJJJ-MM-DD, 2000-01-01 to 2100-12-31 (default: today)",
            ),
        ] = None,
    ) -> Response:
        """Programme overview: per agency and per block the readiness, products
        ELO-conform, overdue items and requested co-financing against the envelope."""
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
                    problem(
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

    return app
