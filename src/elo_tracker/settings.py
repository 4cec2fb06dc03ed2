"""The tracker's one settings model: defaults < TOML file < environment < command line.

    # tracker.toml (`elo-tracker --config tracker.toml …` or $ELO_TRACKER_CONFIG)
    database_url = "postgresql://tracker@db.internal:5432/tracker"   # or: db = "tracker.db"
    host = "127.0.0.1"
    port = 8765
    workers = 2
    rate_per_minute = 600
    rate_burst = 120
    max_body_kib = 4096
    access_log = true
    log_level = "info"

Every key can also come from the environment as ELO_TRACKER_<KEY> (ELO_TRACKER_PORT=9000)
and most from a command-line flag; the flag wins, then the environment, then the file,
then the default. The database is one choice, made by the highest layer that names one
(`database_url` before `db` within a layer), so `--db x.db` beats a URL in the file.
Keep the password out of the file: put it in $ELO_TRACKER_DATABASE_URL or in PostgreSQL's
own ~/.pgpass. A bad file or value stops the command with a Dutch message naming the key
and where it came from; a database URL is only ever shown without its password.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

import elo_contract as contract

ENV_PREFIX = "ELO_TRACKER_"
ENV_CONFIG = "ELO_TRACKER_CONFIG"
ENV_DB_OLD = "ELO_TUI_TRACKER_DB"  # where `elo-tui tracker` read its database from
MIN_BODY_KIB = contract.MAX_BODY_BYTES // 1024
LogLevel = Literal["critical", "error", "warning", "info", "debug"]


class TrackerSettings(BaseModel):
    """What `elo-tracker` runs with; the defaults are the contract's and a safe local set-up."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    database_url: str | None = None  # PostgreSQL (production)
    db: str | None = None  # SQLite file; neither → $ELO_TUI_TRACKER_DB or tracker.db
    host: str = Field("127.0.0.1", min_length=1)
    port: int = Field(8765, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64)
    rate_per_minute: int = Field(600, ge=1)
    rate_burst: int = Field(120, ge=1)
    # Clients batch up to the contract's limit: a lower one would refuse them.
    max_body_kib: int = Field(MIN_BODY_KIB, ge=MIN_BODY_KIB)
    access_log: bool = True
    log_level: LogLevel = "info"


KEYS = tuple(TrackerSettings.model_fields)
_DATABASE_KEYS = ("database_url", "db")


class SettingsError(Exception):
    """A bad settings file or value; the message is Dutch and names the key."""


@dataclass(frozen=True)
class Source:
    label: str  # "ELO_TRACKER_PORT", "tracker.toml", "--port"
    values: Mapping[str, Any]

    def where(self, key: str) -> str:
        if self.label.startswith(ENV_PREFIX):
            return f"${ENV_PREFIX}{key.upper()}"
        if self.label.startswith("--"):
            return f"--{key.replace('_', '-')}"
        return f"{self.label}, sleutel '{key}'"


def mask_url(url: str) -> str:
    """The URL without its password: for every message, log line and echo."""
    return re.sub(r"^([a-z0-9+.-]+://[^:/@]*):[^@]*@", r"\1:***@", url, flags=re.IGNORECASE)


def _shown(key: str, value: Any) -> str:
    if key == "database_url":  # may hold a password, whatever its shape
        return f"'{mask_url(value)}'" if isinstance(value, str) else "(waarde niet getoond)"
    return f"'{value}'" if isinstance(value, str) else repr(value)


def read_file(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SettingsError(f"configuratiebestand '{path}' bestaat niet") from None
    except OSError as exc:
        raise SettingsError(
            f"kan configuratiebestand '{path}' niet lezen: {exc.strerror}"
        ) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SettingsError(f"configuratiebestand '{path}' is geen UTF-8-tekst") from None
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        at = f" (regel {line.group(1)})" if line else ""
        raise SettingsError(f"configuratiebestand '{path}' is geen geldige TOML{at}") from None
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise SettingsError(f"{path}: onbekende sleutel '{unknown[0]}' (gekend: {', '.join(KEYS)})")
    return data


def from_environment(env: Mapping[str, str]) -> dict[str, str]:
    """The known ELO_TRACKER_<KEY> variables; others with the prefix are internal (workers)."""
    values = {
        key: env[ENV_PREFIX + key.upper()] for key in KEYS if env.get(ENV_PREFIX + key.upper())
    }
    if "db" not in values and env.get(ENV_DB_OLD):
        values["db"] = env[ENV_DB_OLD]
    return values


_MESSAGES = {
    "int_parsing": "is geen geheel getal",
    "int_from_float": "is geen geheel getal",
    "int_type": "is geen geheel getal",
    "bool_parsing": "moet true of false zijn",
    "bool_type": "moet true of false zijn",
    "string_type": "moet tekst zijn",
}


def _dutch(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "greater_than_equal":
        return f"moet minstens {ctx.get('ge')} zijn"
    if kind == "less_than_equal":
        return f"mag hoogstens {ctx.get('le')} zijn"
    if kind == "string_too_short":
        return "mag niet leeg zijn"
    if kind == "literal_error":
        return f"moet een van {', '.join(get_args(LogLevel))} zijn"
    return "is geen geldige waarde"


def resolve(sources: list[Source]) -> TrackerSettings:
    """Merge the layers (lowest first) and validate; a bad value names its layer and key."""
    merged: dict[str, Any] = {}
    origin: dict[str, Source] = {}
    database_layer: Source | None = None
    for source in sources:
        for key, value in source.values.items():
            if key in _DATABASE_KEYS:
                continue
            merged[key], origin[key] = value, source
        if any(source.values.get(k) for k in _DATABASE_KEYS):
            database_layer = source
    if database_layer is not None:
        url = database_layer.values.get("database_url")
        key = "database_url" if url else "db"
        merged[key], origin[key] = database_layer.values[key], database_layer
    try:
        return TrackerSettings(**merged)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        key = str(error["loc"][0]) if error["loc"] else "?"
        if key not in origin:  # an unknown key slipped through: name it plainly
            raise SettingsError(f"onbekende instelling '{key}'") from None
        raise SettingsError(
            f"{origin[key].where(key)}: {_shown(key, merged[key])} {_dutch(error)}"
        ) from None


def load_settings(
    flags: Mapping[str, Any] | None = None,
    config: str | Path | None = None,
    env: Mapping[str, str] | None = None,
) -> TrackerSettings:
    """Defaults < file (`config` or $ELO_TRACKER_CONFIG) < environment < flags (given ones)."""
    env = os.environ if env is None else env
    sources: list[Source] = []
    config = config or env.get(ENV_CONFIG) or None
    if config:
        path = Path(config)
        sources.append(Source(str(path), read_file(path)))
    sources.append(Source(ENV_PREFIX, from_environment(env)))
    given = {k: v for k, v in (flags or {}).items() if v is not None and k in KEYS}
    sources.append(Source("--", given))
    return resolve(sources)


def database_target(settings: TrackerSettings) -> Path | str | None:
    """The PostgreSQL URL or the SQLite file the settings name (None: the default file)."""
    if settings.database_url:
        return settings.database_url
    if settings.db:
        return Path(settings.db)
    return None


def describe(settings: TrackerSettings) -> dict[str, Any]:
    """The settings as shown to people: the password never."""
    shown = settings.model_dump()
    if shown["database_url"]:
        shown["database_url"] = mask_url(shown["database_url"])
    return shown
