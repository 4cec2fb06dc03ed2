"""Where workspaces live and which one to open; the user's settings, in one model.

One settings file per user, owner-only TOML: `$ELO_TUI_CONFIG`, else
`$XDG_CONFIG_HOME/elo_tui/settings.toml` (`~/.config/elo_tui/settings.toml`). It holds

    user = "An Peeters"            # author of your edits
    theme = "textual-light"        # kept when you choose another in the palette
    state_dir = "~/elo"            # default folder with the workspaces
    [last_workspace]               # per state folder, the workspace opened last
    "/home/an/elo" = "aio"
    [keys]                         # remapped keys, by binding id (see F1)
    "inventory.add" = "n"

Why a small stdlib dataclass and not pydantic-settings: pydantic costs about 0.35 s to
import and this is read on every start; five fields and one table need no framework.
tomllib reads, tomli_w (imported only when writing) writes.

Precedence for the state folder: `--state-dir` > ELO_TUI_STATE_DIR > `state_dir` in the
settings file > ./local_state. Precedence for the workspace: `--demo` > `--workspace` >
ELO_TUI_WORKSPACE > the last one opened in that folder > the first-run screen.
"""

from __future__ import annotations

import getpass
import os
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ENV_STATE_DIR = "ELO_TUI_STATE_DIR"
ENV_WORKSPACE = "ELO_TUI_WORKSPACE"
ENV_USER = "ELO_TUI_USER"
ENV_CONFIG = "ELO_TUI_CONFIG"
WORKSPACE_SUFFIX = ".sqlite"
SETTINGS_FILE = "settings.toml"  # also the name of the old per-state-folder file
DEMO_NAME = "demo"


class ConfigError(Exception):
    """A settings problem with a Dutch message."""


def slugify(name: str) -> str:
    """A file-name-safe workspace name.

    'Agentschap Innoveren & Ondernemen' -> 'agentschap-innoveren-ondernemen'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:60] or "werkruimte"


def valid_workspace_name(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}", name)) and ".." not in name


@dataclass
class Settings:
    """Resolved options shared by the TUI and every headless sub-command."""

    state_dir: Path
    workspace: str | None = None  # explicit name; None = decide (last used / first run)
    demo: bool = False
    user: str = ""
    theme: str = ""
    keys: dict[str, str] = field(default_factory=dict)  # binding id -> keys
    config_path: Path | None = None
    problems: list[str] = field(default_factory=list)  # Dutch, shown once at start
    _file: dict = field(default_factory=dict, repr=False)

    @classmethod
    def resolve(
        cls,
        state_dir: str | None = None,
        workspace: str | None = None,
        demo: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> Settings:
        env = os.environ if env is None else env
        path = config_file(env)
        problems: list[str] = []
        data = _read_toml(path, problems)
        default_dir = data.get("state_dir") if isinstance(data.get("state_dir"), str) else None
        sd = Path(state_dir or env.get(ENV_STATE_DIR) or default_dir or "local_state").expanduser()
        ws = workspace or env.get(ENV_WORKSPACE) or None
        if ws is not None:
            ws = ws.removesuffix(WORKSPACE_SUFFIX)
            if not valid_workspace_name(ws):
                raise ConfigError(
                    f"Ongeldige naam voor een werkruimte: '{ws}'. Gebruik letters, cijfers, "
                    "'-', '_' of '.' (maximaal 80 tekens)."
                )
        keys, key_problems = normalise_overrides(data.get("keys", {}))
        theme = data.get("theme")
        settings = cls(
            state_dir=sd,
            workspace=DEMO_NAME if demo else ws,
            demo=demo,
            theme=theme if isinstance(theme, str) else "",
            keys=keys,
            config_path=path,
            problems=problems + key_problems,
        )
        settings._file = data
        user = data.get("user") if isinstance(data.get("user"), str) else None
        settings.user = env.get(ENV_USER) or user or _legacy(sd).get("user") or _login_name()
        return settings

    @property
    def settings_path(self) -> Path:
        """The user's settings file."""
        return self.config_path or config_file(os.environ)

    def _folder_key(self) -> str:
        return str(self.state_dir.expanduser().absolute())

    def workspace_path(self, name: str) -> Path:
        return self.state_dir / f"{name}{WORKSPACE_SUFFIX}"

    def available_workspaces(self) -> list[str]:
        if not self.state_dir.is_dir():
            return []
        return sorted(p.stem for p in self.state_dir.glob(f"*{WORKSPACE_SUFFIX}") if p.is_file())

    def chosen_workspace(self) -> str | None:
        """The workspace to open now, or None when the first-run screen must ask."""
        if self.workspace:
            return self.workspace
        per_folder = self._file.get("last_workspace")
        last = per_folder.get(self._folder_key()) if isinstance(per_folder, dict) else None
        if last is None:  # written by an older version, in the state folder itself
            last = _legacy(self.state_dir).get("last_workspace")
        if (
            isinstance(last, str)
            and valid_workspace_name(last)
            and self.workspace_path(last).exists()
        ):
            return last
        return None

    def remember(self, last_workspace: str | None = None, **values: str) -> None:
        """Keep the last workspace (for this state folder) and other small settings."""
        if last_workspace is not None:
            per_folder = self._file.get("last_workspace")
            per_folder = dict(per_folder) if isinstance(per_folder, dict) else {}
            per_folder[self._folder_key()] = last_workspace
            self.save(**values, last_workspace=per_folder)
            return
        self.save(**values)

    def save(self, **values) -> None:
        """Write settings owner-only (atomically); never secrets. No write, and no tomli_w
        import, when nothing changed: this runs on every start."""
        if all(self._file.get(k) == v for k, v in values.items()):
            return
        import tomli_w  # only when writing

        self._file.update(values)
        if "theme" in values:
            self.theme = values["theme"]
        path = self.settings_path
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                tomli_w.dump(self._file, f)
            os.replace(tmp, path)
        except OSError:
            # Only conveniences live here: a read-only home must not stop the work.
            pass


def config_file(env) -> Path:
    """Where the user's settings file is (see the module doc)."""
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG]).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path("~/.config").expanduser())
    return Path(base) / "elo_tui" / SETTINGS_FILE


def _read_toml(path: Path, problems: list[str] | None = None) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        # Only conveniences live here: start without them, but say so.
        if problems is not None:
            problems.append(f"Instellingen in {path} niet gelezen ({exc}); standaardwaarden.")
        return {}


def normalise_overrides(raw: object) -> tuple[dict[str, str], list[str]]:
    """Key overrides from the settings file: {id: "keys"}; Dutch problems for the rest."""
    if not isinstance(raw, dict):
        return {}, ['[keys] moet een tabel zijn: binding-id = "toets".'] if raw else []
    good: dict[str, str] = {}
    problems: list[str] = []
    for bid, keys in raw.items():
        if not isinstance(keys, str) or not keys.strip() or "." not in str(bid):
            problems.append(f'Toets voor \'{bid}\' genegeerd: gebruik bv. "inventory.add" = "n".')
            continue
        good[str(bid)] = ",".join(k.strip() for k in keys.split(",") if k.strip())
    return good, problems


def _legacy(state_dir: Path) -> dict:
    """The settings file older versions kept in the state folder (read, never written)."""
    return _read_toml(state_dir / SETTINGS_FILE)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "onbekend"
