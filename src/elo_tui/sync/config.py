"""Where a workspace syncs to: the tracker URL and the agency token.

Stored next to the workspace file in `<workspace>.sync.toml`, owner-only (0600), so the
token never lands in the workspace itself (which gets copied, attached, exported).
Environment variables override the file: ELO_TUI_TRACKER_URL, ELO_TUI_TRACKER_TOKEN.

Plain http is refused except on the local machine (a token must never travel in the
clear); https certificates are always verified (a private CA can be given with
SSL_CERT_FILE, which httpx honours). The token is never printed: use `redact()` on any
text that might contain it.

Stdlib only at import time: the sync screen loads this at start-up of its tab.
"""

from __future__ import annotations

import ipaddress
import os
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ENV_URL = "ELO_TUI_TRACKER_URL"
ENV_TOKEN = "ELO_TUI_TRACKER_TOKEN"
ENV_RETRY_WINDOW = "ELO_TUI_SYNC_RETRY_WINDOW"
# How long a sync keeps retrying an unreachable tracker, in seconds: long enough for a
# tracker restart (tens of seconds). An assumption; configurable per workspace
# (`retry_window` in the settings file), per run (--retry-window) or in the environment.
DEFAULT_RETRY_WINDOW = 60.0
MAX_RETRY_WINDOW = 3600.0
SUFFIX = ".sync.toml"
MAX_TOKEN = 200


class SyncConfigError(Exception):
    """A settings problem with a Dutch message (never containing the token)."""


@dataclass(frozen=True)
class SyncConfig:
    url: str = ""
    token: str = field(default="", repr=False)  # never in logs or worker descriptions
    url_from_env: bool = False
    token_from_env: bool = False
    path: Path | None = None
    retry_window: float = DEFAULT_RETRY_WINDOW

    @property
    def complete(self) -> bool:
        return bool(self.url and self.token)

    def redact(self, text: str) -> str:
        """`text` with the token (if any) replaced, fit for logs and messages."""
        return text.replace(self.token, "***") if self.token else text

    def describe(self) -> str:
        """One Dutch line for people: where it syncs to, whether a token is set."""
        if not self.url:
            return "Geen centrale opvolging ingesteld."
        token = "token ingesteld" if self.token else "geen token"
        if self.token_from_env:
            token += f" (uit {ENV_TOKEN})"
        return f"{self.url} · {token}"


def config_path(workspace_path: Path) -> Path:
    return workspace_path.with_name(workspace_path.stem + SUFFIX)


def _is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_url(url: str) -> str:
    """The tracker's base URL, cleaned; raises SyncConfigError with a Dutch reason."""
    url = url.strip()
    if not url:
        raise SyncConfigError(
            "Geef het adres van de centrale opvolging, bv. https://tracker.vlaio.be."
        )
    try:
        parts = urlsplit(url)
        hostname = parts.hostname  # may raise too ("Invalid IPv6 URL", bad port)
        parts.port  # noqa: B018 - validates the port
    except ValueError:
        raise SyncConfigError(f"'{url}' is geen geldig adres.") from None
    if parts.scheme not in ("https", "http") or not hostname:
        raise SyncConfigError(
            f"'{url}' is geen geldig adres: begin met https:// gevolgd door de servernaam."
        )
    if parts.username or parts.password:
        raise SyncConfigError("Zet geen gebruikersnaam of wachtwoord in het adres.")
    if parts.scheme == "http" and not _is_loopback(hostname):
        raise SyncConfigError(
            f"'{url}' gebruikt http zonder versleuteling; het token zou onbeschermd over het "
            "netwerk gaan. Gebruik https:// (http mag alleen voor een tracker op deze computer)."
        )
    if parts.query or parts.fragment:
        raise SyncConfigError(f"'{url}': laat het deel na '?' of '#' weg.")
    path = parts.path.rstrip("/")
    if path.endswith("/v1"):
        path = path[:-3]  # the client adds /v1 itself
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def check_retry_window(value: object, where: str = "--retry-window") -> float:
    """Seconds to keep retrying (0 … 3600); a Dutch message saying where it is wrong."""
    try:
        seconds = float(str(value).strip().replace(",", "."))
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= MAX_RETRY_WINDOW:  # also refuses NaN
        raise SyncConfigError(
            f"{where}: '{value}' is geen geldig wachtvenster; geef een aantal seconden "
            f"van 0 tot {MAX_RETRY_WINDOW:.0f} (standaard {DEFAULT_RETRY_WINDOW:.0f})."
        )
    return seconds


def check_token(token: str) -> str:
    token = token.strip()
    if not token:
        raise SyncConfigError("Geef het token dat je van VLAIO kreeg.")
    if (
        len(token) > MAX_TOKEN
        or any(c.isspace() for c in token)
        or not token.isprintable()
        or not token.isascii()  # it travels in an HTTP header
    ):
        raise SyncConfigError("Dit token is ongeldig (spaties, vreemde tekens of te lang).")
    return token


def _read_file(path: Path) -> dict:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SyncConfigError(f"Kan '{path}' niet lezen: {exc.strerror}.") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        # Others could read the token: make it owner-only again before using it.
        try:
            os.chmod(path, 0o600)
        except OSError:
            raise SyncConfigError(
                f"'{path}' is leesbaar voor anderen en kan niet afgeschermd worden "
                "(chmod 600). Het token wordt niet gebruikt."
            ) from None
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SyncConfigError(
            f"'{path}' is onleesbaar ({type(exc).__name__}); stel de centrale opvolging opnieuw in."
        ) from None
    return data if isinstance(data, dict) else {}


def load(workspace_path: Path, env: Mapping[str, str] | None = None) -> SyncConfig:
    """The effective settings: environment first, then the workspace's sidecar file."""
    env = os.environ if env is None else env
    path = config_path(workspace_path)
    data = _read_file(path)
    url, token = env.get(ENV_URL, ""), env.get(ENV_TOKEN, "")
    url_env, token_env = bool(url), bool(token)
    url = url or str(data.get("url", ""))
    token = token or str(data.get("token", ""))
    if token:
        check_token(token)  # a bad token from a file or the environment: a Dutch message
    if url:
        url = normalize_url(url)
    window = DEFAULT_RETRY_WINDOW
    if env.get(ENV_RETRY_WINDOW, "").strip():
        window = check_retry_window(env[ENV_RETRY_WINDOW], ENV_RETRY_WINDOW)
    elif "retry_window" in data:
        window = check_retry_window(data["retry_window"], f"retry_window in '{path}'")
    return SyncConfig(
        url=url,
        token=token,
        url_from_env=url_env,
        token_from_env=token_env,
        path=path,
        retry_window=window,
    )


def save(
    workspace_path: Path,
    *,
    url: str | None = None,
    token: str | None = None,
    retry_window: float | None = None,
) -> SyncConfig:
    """Store URL, token and/or retry window (validated) in the sidecar file, owner-only,
    atomically."""
    import tomli_w  # only when writing

    path = config_path(workspace_path)
    data = _read_file(path)
    if url is not None:
        data["url"] = normalize_url(url)
    if token is not None:
        data["token"] = check_token(token)
    if retry_window is not None:
        data["retry_window"] = check_retry_window(retry_window)
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            tomli_w.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)  # O_CREAT's mode is ignored for an existing file
        os.replace(tmp, path)
    except OSError as exc:
        raise SyncConfigError(
            f"Kan de instellingen niet bewaren in '{path}': {exc.strerror}."
        ) from None
    return load(workspace_path)


def forget_token(workspace_path: Path) -> None:
    """Remove the stored token (the URL stays)."""
    path = config_path(workspace_path)
    data = _read_file(path)
    if "token" in data:
        data.pop("token")
        import tomli_w

        fd = os.open(path, os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            tomli_w.dump(data, f)
