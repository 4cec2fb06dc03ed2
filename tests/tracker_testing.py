"""Running a real tracker for tests and benchmarks: a uvicorn server in a thread on
127.0.0.1 (a free port), and an ASGI wrapper that injects faults (5xx, 429 with
Retry-After, dropped connections before or after the request was handled).

`BACKENDS` and `fresh_database` run a test against both storage back ends: SQLite (a
file) and PostgreSQL (a new database on the server in $ELO_TRACKER_TEST_PG_URL, which
`.ci/run` starts; without it those tests skip with the reason).

Not used by the service itself.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import uvicorn

PG_URL_ENV = "ELO_TRACKER_TEST_PG_URL"
BACKENDS = ["sqlite", "postgresql"]
_created: list[str] = []


def fresh_database(backend: str, folder: Path) -> Path | str:
    """A new, empty tracker database: a file in `folder`, or a new PostgreSQL database."""
    if backend == "sqlite":
        return folder / "tracker.db"
    url = os.environ.get(PG_URL_ENV)
    if not url:
        pytest.skip(f"PostgreSQL back end: set {PG_URL_ENV} (.ci/run starts a server)")
    psycopg = pytest.importorskip("psycopg", reason="PostgreSQL needs the 'tracker' extra")
    name = "elo_test_" + secrets.token_hex(6)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    if not _created:
        atexit.register(_drop_created, url)
    _created.append(name)
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _drop_created(url: str) -> None:
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True) as conn:
            for name in _created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.Error:
        pass  # the throwaway server of .ci/run is removed anyway


def stored_text(db: Path | str) -> bytes:
    """Everything the tracker database holds about principals, as bytes (to search)."""
    if isinstance(db, Path):
        wal = db.with_name(db.name + "-wal")
        return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    import psycopg

    with psycopg.connect(db) as conn:
        rows = conn.execute("SELECT * FROM principals").fetchall()
    return repr(rows).encode()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerThread:
    """`uvicorn.Server` in a daemon thread; `start()` returns once it accepts connections."""

    def __init__(self, app, port: int | None = None, host: str = "127.0.0.1") -> None:
        self.app = app
        self.host = host
        self.port = port or free_port()
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> ServerThread:
        config = uvicorn.Config(
            self.app,
            host=self.host,
            port=self.port,
            log_level="critical",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=2,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="tracker", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"tracker did not start on port {self.port}")
            time.sleep(0.005)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout)
        self.server = None
        self.thread = None

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Dropped(Exception):
    """Raised after a response was started: uvicorn then closes the connection mid-answer."""


@dataclass
class Fault:
    kind: str  # "500" | "503" | "429" | "drop_before" | "drop_after" | "pass"
    times: int = 1
    method: str | None = None
    path_contains: str | None = None
    retry_after: str | None = None
    delay: float = 0.0  # seconds before answering (for timeouts)
    hold: threading.Event | None = None  # wait until the test sets it (max 30 s)


class FaultInjector:
    """Wraps an ASGI app; planned faults hit the next matching requests.

    - "500"/"503"/"429": answer with that status (429/503 with Retry-After if given);
    - "drop_before": break the connection without handling the request;
    - "drop_after": handle the request (the tracker applies it) but break the connection
      before the answer arrives, the case idempotency keys exist for.
    """

    def __init__(self, app) -> None:
        self.app = app
        self.faults: list[Fault] = []
        self.hits: list[tuple[str, str, str]] = []  # (fault, method, path)
        self.requests = 0
        self._lock = threading.Lock()

    def inject(
        self,
        kind: str,
        times: int = 1,
        *,
        method: str | None = None,
        path_contains: str | None = None,
        retry_after: str | None = None,
        delay: float = 0.0,
        hold: threading.Event | None = None,
    ) -> None:
        """Plan a fault; kind "pass" only delays or holds the request, then handles it."""
        with self._lock:
            self.faults.append(Fault(kind, times, method, path_contains, retry_after, delay, hold))

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
            self.hits.clear()

    def _take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.times <= 0:
                    continue
                if fault.method and fault.method != method:
                    continue
                if fault.path_contains and fault.path_contains not in path:
                    continue
                fault.times -= 1
                self.hits.append((fault.kind, method, path))
                return fault
        return None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.requests += 1
        fault = self._take(scope["method"], scope["path"])
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.hold is not None:
            deadline = time.monotonic() + 30
            while not fault.hold.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
        if fault.kind == "pass":
            await self.app(scope, receive, send)
            return
        if fault.kind in ("500", "503", "429"):
            headers = [(b"content-type", b"application/json")]
            if fault.retry_after is not None:
                headers.append((b"retry-after", fault.retry_after.encode()))
            await send(
                {"type": "http.response.start", "status": int(fault.kind), "headers": headers}
            )
            await send({"type": "http.response.body", "body": b'{"detail": "injected"}'})
            return
        if fault.kind == "drop_after":

            async def swallow(message) -> None:
                pass

            await self.app(scope, receive, swallow)
        # A started response without its body, then an error: the client sees the
        # connection close mid-answer.
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        raise _Dropped(fault.kind)


def tracker_app(db_path: Path, **kwargs):
    """A tracker app wrapped in a FaultInjector (returns both)."""
    from elo_tracker.app import create_app

    app = create_app(db_path, **kwargs)
    return FaultInjector(app), app
