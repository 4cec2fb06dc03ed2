"""HTTP client for the tracker API (`/v1`), with timeouts and retries.

Retried: connection errors, timeouts, dropped connections, truncated or unparsable JSON
answers, 5xx and 429, with exponential backoff and full jitter; a Retry-After header
(seconds or HTTP date) is honoured up to a ceiling. With a retry window (the sync uses
one, ~60 s by default) it keeps trying for that long, so a tracker that restarts is
waited for; every second of waiting is reported (`on_wait`) for a visible countdown.
Every call the client makes is safe to repeat: pulls are reads, pushes carry an
Idempotency-Key, submissions are keyed by id and hash.

Errors come out as `SyncError` subclasses with a Dutch message that never contains the
token. Loaded only when syncing (httpx costs start-up time).
"""

from __future__ import annotations

import email.utils
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from elo_tui import __version__


class SyncError(Exception):
    """Sync failed; the message is Dutch and safe to show."""

    exit_code = 5


class Offline(SyncError):
    """The tracker could not be reached (after retries)."""

    exit_code = 3


class AuthRefused(SyncError):
    """The tracker refused the token (401) or the action (403), or the token does not
    belong to this workspace's agency."""

    exit_code = 4


class Refused(SyncError):
    """The tracker refused the request (4xx other than auth): a bug, a version skew or,
    for a caller that passes what a person typed, bad input (`detail`, `field`)."""

    exit_code = 5

    def __init__(self, message: str, status: int = 0, detail: str = "", field: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail  # the tracker's Dutch sentence, without the token
        self.field = field


class _Unreadable(Exception):
    """A 2xx answer meant as JSON that does not parse (cut off mid-way): retried like a
    dropped connection, since the request is safe to repeat."""


def _json(response: httpx.Response) -> dict[str, Any]:
    """The answer as a JSON object; anything else (an HTML error page from a proxy, a
    list, garbage) is a Dutch SyncError rather than a traceback."""
    try:
        data = response.json()
    except ValueError:
        meant_as_json = "json" in response.headers.get("content-type", "") or (
            response.content.lstrip()[:1] in (b"{", b"[")
        )
        if meant_as_json or not response.content.strip():
            raise _Unreadable() from None
        data = None
    if not isinstance(data, dict):
        raise Refused(
            f"De centrale opvolging gaf een onverwacht antwoord op {response.request.url.path} "
            "(geen JSON-object). Klopt het adres van de centrale opvolging?"
        )
    return data


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries in total per request (at least)
    base_delay: float = 0.25  # seconds; doubles every retry
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    # Keep retrying until this many seconds after the first failure of a request, however
    # many tries that takes (0: only `attempts` count). Covers a tracker restart.
    window: float = 0.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before try number `attempt + 1` (attempt counts from 1)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        ceiling = min(self.max_delay, self.base_delay * 2 ** min(attempt - 1, 30))
        return rng.uniform(0, ceiling)  # "full jitter": spreads out a herd of clients


RETRY_STATUS = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Wait:
    """One tick of waiting before the next try: what failed, seconds until the next try,
    and seconds left in the retry window (None without a window)."""

    reason: str
    next_try_in: float
    window_left: float | None
    attempt: int


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


_TLS_CONTEXT = None


def _tls(url: str):
    """Certificate verification for https, always on; the context (CA bundle, honouring
    SSL_CERT_FILE) is built once per process: it costs ~0.1 s. Plain http is only
    accepted for a tracker on this machine (see config.normalize_url) and has no TLS."""
    global _TLS_CONTEXT
    if not url.startswith("https://"):
        return False
    if _TLS_CONTEXT is None:
        _TLS_CONTEXT = httpx.create_ssl_context(verify=True, trust_env=True)
    return _TLS_CONTEXT


class TrackerClient:
    """One tracker, one token. Use as a context manager or call `close()`."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        timeout: float = 15.0,
        connect_timeout: float = 5.0,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[str, float], None] | None = None,
        on_wait: Callable[[Wait], None] | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from elo_tui.sync.config import SyncConfigError, normalize_url

        try:
            self.url = normalize_url(url)  # refuses plain http beyond this machine
        except SyncConfigError as exc:
            raise SyncError(str(exc)) from None
        self._token = token
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._on_retry = on_retry
        self._on_wait = on_wait
        self._clock = clock
        self._rng = rng or random.Random()
        self.requests = 0  # HTTP requests sent, retries included
        self._http = httpx.Client(
            base_url=self.url + "/v1",
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            headers={"Authorization": f"Bearer {token}", "User-Agent": f"elo-tui/{__version__}"},
            verify=_tls(self.url),
            transport=transport,
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TrackerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    # -- the retry loop ------------------------------------------------------------------

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send with retries; returns a 2xx response or raises a SyncError."""
        return self._send(method, path, None, **kwargs)

    def request_json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """Send with retries and read the answer as a JSON object; an answer cut off or
        garbled on the way is retried like a dropped connection."""
        return self._send(method, path, _json, **kwargs)

    def _send(self, method: str, path: str, read, **kwargs: Any):
        attempt = 0
        first_failure: float | None = None
        waited = 0.0
        while True:
            attempt += 1
            retry_after = None
            try:
                self.requests += 1
                response = self._http.request(method, path, **kwargs)
            except httpx.TimeoutException:
                reason = "geen antwoord binnen de tijdslimiet"
            except httpx.TransportError as exc:
                if "CERTIFICATE_VERIFY_FAILED" in str(exc):
                    # Not a passing network problem: retrying will not help.
                    raise SyncError(
                        self._redact(
                            f"Het certificaat van {self.url} is niet geldig of niet vertrouwd. "
                            "Controleer het adres; een eigen CA geef je op met SSL_CERT_FILE."
                        )
                    ) from None
                reason = f"verbinding mislukt ({type(exc).__name__})"
            else:
                if response.status_code < 300:
                    if read is None:
                        return response
                    try:
                        return read(response)
                    except _Unreadable:
                        reason = "onvolledig of onleesbaar antwoord"
                elif response.status_code not in RETRY_STATUS:
                    raise self._refusal(response)
                else:
                    reason = f"de centrale opvolging antwoordde {response.status_code}"
                    retry_after = parse_retry_after(response.headers.get("Retry-After"))
            now = self._clock()
            if first_failure is None:
                first_failure = now
            delay = self.retry.delay(attempt, retry_after, self._rng)
            window_end = first_failure + self.retry.window if self.retry.window > 0 else None
            # Counted in waited time too, so an injected (instant) sleep cannot spin.
            spent = max(now - first_failure, waited)
            within_window = window_end is not None and spent + delay <= self.retry.window
            if attempt >= self.retry.attempts and not within_window:
                spell = f", {spent:.0f} s gewacht" if window_end else ""
                raise Offline(
                    self._redact(
                        f"Centrale opvolging {self.url} niet bereikbaar: {reason} (na {attempt} "
                        f"pogingen{spell}). Je wijzigingen blijven bewaard; synchroniseer "
                        "later opnieuw."
                    )
                )
            if self._on_retry is not None:
                self._on_retry(reason, delay)
            self._wait(reason, delay, window_end, attempt)
            waited += delay

    def _wait(self, reason: str, delay: float, window_end: float | None, attempt: int) -> None:
        """Sleep `delay` seconds in steps of at most one, reporting each (a countdown)."""
        if self._on_wait is None:
            self._sleep(delay)
            return
        left = delay
        while True:
            if self._on_wait is not None:
                window_left = None
                if window_end is not None:
                    window_left = max(0.0, window_end - self._clock())
                self._on_wait(Wait(self._redact(reason), left, window_left, attempt))
            if left <= 0:
                return
            step = min(1.0, left)
            self._sleep(step)
            left -= step

    def _refusal(self, response: httpx.Response) -> SyncError:
        field = ""
        try:
            body = response.json()
            detail = str(body.get("detail", ""))
            field = str(body.get("field") or "")
        except (ValueError, AttributeError):
            detail = response.text[:200]
        status = response.status_code
        if status == 401:
            return AuthRefused(
                "De centrale opvolging weigert het token (401). Controleer het token bij "
                "Synchronisatie › Instellingen of vraag VLAIO een nieuw."
            )
        if status == 403:
            return AuthRefused(
                self._redact(f"Niet toegestaan door de centrale opvolging (403): {detail}")
            )
        if status == 404:
            return AuthRefused(
                self._redact(
                    f"De centrale opvolging kent deze werkruimte niet "
                    f"of het token hoort bij een ander "
                    f"agentschap (404): {detail}"
                )
            )
        return Refused(
            self._redact(f"De centrale opvolging weigerde de aanvraag ({status}): {detail}"),
            status,
            self._redact(detail),
            field,
        )

    # -- calls -----------------------------------------------------------------------------

    def health(self) -> bool:
        """True when the tracker answers (one try, short timeout): the online indicator."""
        try:
            return self._http.get("/health", timeout=3.0).status_code == 200
        except httpx.HTTPError:
            return False

    def me(self) -> dict[str, Any]:
        return self.request_json("GET", "/me")

    def push(self, workspace: str, body: bytes, key: str) -> dict[str, Any]:
        return self.request_json(
            "POST",
            f"/workspaces/{workspace}/changes",
            content=body,
            headers={"Idempotency-Key": key, "Content-Type": "application/json"},
        )

    def pull(self, workspace: str, since: int, limit: int) -> dict[str, Any]:
        return self.request_json(
            "GET", f"/workspaces/{workspace}/changes", params={"since": since, "limit": limit}
        )

    def upload_submission(self, workspace: str, submission: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(submission, ensure_ascii=False).encode("utf-8")
        return self.request_json(
            "POST",
            f"/workspaces/{workspace}/submissions",
            content=body,
            headers={"Content-Type": "application/json"},
        )
