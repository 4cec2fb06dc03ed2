"""The reference tracker service: FastAPI application factory (`create_app`).

The API is versioned under `/v1`; its OpenAPI document is served at `/openapi.json` and
`/docs`, without a token: it is the public contract (also checked into
`docs/openapi.json`; `elo-tracker openapi` regenerates it and a test fails when it
drifts), holds no data and tells an attacker nothing the repository does not. Storage
calls are blocking (SQLite or PostgreSQL), so they run in the thread pool. Several
worker processes each build their app with `app_from_environment` (see `elo-tracker
serve --workers`); the store makes that safe (see `elo_tracker.store`). The rate limit
is per process: with N workers a token may reach up to N times it.

Bad input never yields a 500: bodies are size-limited before they are read, every field
is validated against `elo_contract` (422 with a Dutch message, a `code` and the `field`
path), a token that sends too much gets 429 with Retry-After and a busy database 503 with
Retry-After, so clients back off and retry.
"""

import json
import logging
import os
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from fastapi import FastAPI, HTTPException
from starlette.concurrency import run_in_threadpool

import elo_contract as contract
from elo_tracker import errors
from elo_tracker.routes import reports, review, service, submissions, sync
from elo_tracker.store import TrackerStore

log = logging.getLogger("elo_tracker")

API_VERSION = contract.API_VERSION
OVO_PATTERN = contract.OVO_PATTERN


@dataclass(frozen=True)
class Limits:
    """Request limits (bytes / records / requests); too large → 413, too many records →
    422, too many requests → 429. The defaults are the contract's."""

    max_body_bytes: int = contract.MAX_BODY_BYTES
    max_submission_bytes: int = contract.MAX_SUBMISSION_BYTES
    # Per token: a sustained rate and a burst. A full first sync of a large workspace is
    # ~10 pushes and ~20 pulls; 600 a minute leaves room for many of those.
    rate_per_minute: int = 600
    rate_burst: int = 120


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
    body = json.dumps(
        errors.problem(detail, errors.STATUS_CODES.get(status, "bad_request"))
    ).encode()
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


def create_app(
    db_path: Path | str, limits: Limits | None = None, store: TrackerStore | None = None
) -> FastAPI:
    """The tracker as an ASGI app over the SQLite file or PostgreSQL URL `db_path`."""
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
            "path of the offending value (e.g. `records.3.product.data.yearly_volume`). The limits "
            "of every field are in the schemas below (the wire contract `elo_contract`); "
            f"a push holds at most {contract.MAX_BATCH} records and "
            f"{limits.max_body_bytes // 1024} KiB, a submission at most "
            f"{limits.max_submission_bytes // (1024 * 1024)} MiB, a pull page at most "
            f"{contract.MAX_PAGE} records. Each token may make {limits.rate_per_minute} "
            f"requests a minute (bursts of {limits.rate_burst}); beyond that 429 with "
            "Retry-After. `/openapi.json` and `/docs` need no token: the contract is "
            "public and holds no data."
        ),
        lifespan=lifespan,
    )
    app.state.store = store
    app.state.limits = limits
    app.state.limiter = limiter
    app.add_middleware(BodyLimit, limits=limits)
    errors.install(app)
    for routes in (service, sync, submissions, review, reports):
        app.include_router(routes.router)
    return app


_ENV_TARGET = "ELO_TRACKER_WORKER_DATABASE"
_ENV_LIMITS = "ELO_TRACKER_WORKER_LIMITS"


def app_environment(db: Path | str, limits: Limits) -> dict[str, str]:
    """What a worker process needs to build the same app (see `app_from_environment`)."""
    return {_ENV_TARGET: str(db), _ENV_LIMITS: json.dumps(asdict(limits))}


def app_from_environment() -> FastAPI:
    """The app of one worker process of `elo-tracker serve --workers N` (a uvicorn factory).

    The schema was migrated by the parent before the workers started: never here."""
    target = os.environ[_ENV_TARGET]
    limits = Limits(**json.loads(os.environ[_ENV_LIMITS]))
    return create_app(target, limits=limits, store=TrackerStore.open(target, migrate=False))
