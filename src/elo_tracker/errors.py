"""The tracker's one error shape and its Dutch messages.

Every error answer is `{"detail": Dutch sentence, "code": one of
elo_contract.ERROR_CODES, "field": path of the offending value or null, "errors": [...]}`,
whatever raised it: pydantic's validation, the contract's `check_record`, an
HTTPException of a route, the body limit, the rate limit or a bug.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

import elo_contract as contract
from elo_tracker import models
from elo_tracker.store import (
    DatabaseBusy,
    IdempotencyMismatch,
    SubmissionConflict,
    UnstorableText,
)

log = logging.getLogger("elo_tracker")

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


def _example(detail: str, code: str, field: str | None = None) -> dict[str, Any]:
    return {"application/json": {"example": {"detail": detail, "code": code, "field": field}}}


_ERRORS = {
    400: {
        "model": models.Problem,
        "description": "Onleesbare aanvraag (bv. een ongeldige Content-Length)",
        "content": _example("Ongeldige Content-Length.", "bad_request"),
    },
    401: {
        "model": models.Problem,
        "description": "Geen of ongeldig token",
        "content": _example("Token onbekend of ingetrokken.", "unauthorized"),
    },
    403: {"model": models.Problem, "description": "Niet toegestaan voor deze rol"},
    404: {
        "model": models.Problem,
        "description": "Werkruimte niet gevonden (of niet de jouwe)",
        "content": _example("Werkruimte niet gevonden.", "not_found"),
    },
    413: {
        "model": models.Problem,
        "description": "Aanvraag te groot",
        "content": _example(
            "Aanvraag te groot: maximaal 4096 KiB. Stuur kleinere batches.", "too_large"
        ),
    },
    422: {
        "model": models.Problem,
        "description": "Ongeldige invoer: een waarde buiten het contract (code invalid), geen "
        "geldige JSON (code invalid_json) of een hergebruikte Idempotency-Key (code "
        "idempotency_reused). `field` zegt waar, `detail` wat er mis is (Nederlands), "
        "`errors` somt tot 50 problemen op.",
        "content": _example(
            "Ongeldige invoer bij records.0.product.data.yearly_volume: mag hoogstens "
            "1000000000 zijn.",
            "invalid",
            "records.0.product.data.yearly_volume",
        ),
    },
    429: {
        "model": models.Problem,
        "description": "Te veel aanvragen met dit token; opnieuw na Retry-After (seconden)",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": _example(
            "Te veel aanvragen met dit token; probeer opnieuw na 1 seconde(n).", "rate_limited"
        ),
    },
    503: {
        "model": models.Problem,
        "description": "Tijdelijk bezet; opnieuw na Retry-After",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": _example("De tracker is even bezet; probeer opnieuw.", "busy"),
    },
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: _ERRORS[c] for c in codes}


problem = contract.error_body  # the contract's one error shape


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
        expected = str(ctx.get("expected", "")).replace(" or ", " of ")
        return f"onbekende waarde; toegelaten: {expected}"
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


def validation_problem(exc: RequestValidationError) -> dict[str, Any]:
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


def contract_problem(index: int, kind: str, problems: list[contract.Problem]) -> dict[str, Any]:
    # The same path as a pydantic error of the discriminated union: records.N.kind.data.x
    errors = [
        {"field": f"records.{index}.{kind}.{p.field}", "detail": p.detail, "code": p.code}
        for p in problems[:50]
    ]
    first = errors[0]
    return problem(f"Ongeldige invoer bij {first['field']}: {first['detail']}", "invalid",
                   first["field"], errors)  # fmt: skip


def install(app: FastAPI) -> None:
    """Register the exception handlers that give every error the one shape."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_problem(exc), status_code=422)

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

    @app.exception_handler(UnstorableText)
    async def _nul(request: Request, exc: UnstorableText) -> JSONResponse:
        return JSONResponse(
            problem(
                f"Ongeldige invoer bij {exc.field}: tekst met een NUL-teken (U+0000) kan de "
                "tracker niet bewaren. Verwijder dat teken.",
                "invalid",
                exc.field,
            ),
            status_code=422,
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
