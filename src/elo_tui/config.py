"""Where workspaces live and which one to open; small per-user settings.

Precedence for the state folder: `--state-dir` > ELO_TUI_STATE_DIR > ./local_state.
Precedence for the workspace: `--demo` > `--workspace` > ELO_TUI_WORKSPACE > the last one
opened (settings.toml in the state folder) > the first-run screen.
"""

from __future__ import annotations

import getpass
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ENV_STATE_DIR = "ELO_TUI_STATE_DIR"
ENV_WORKSPACE = "ELO_TUI_WORKSPACE"
ENV_USER = "ELO_TUI_USER"
WORKSPACE_SUFFIX = ".sqlite"
SETTINGS_FILE = "settings.toml"
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
    _file: dict = field(default_factory=dict, repr=False)

    @classmethod
    def resolve(
        cls,
        state_dir: str | None = None,
        workspace: str | None = None,
        demo: bool = False,
        env: dict[str, str] | None = None,
    ) -> Settings:
        env = os.environ if env is None else env
        sd = Path(state_dir or env.get(ENV_STATE_DIR) or "local_state").expanduser()
        ws = workspace or env.get(ENV_WORKSPACE) or None
        if ws is not None:
            ws = ws.removesuffix(WORKSPACE_SUFFIX)
            if not valid_workspace_name(ws):
                raise ConfigError(
                    f"Ongeldige naam voor een werkruimte: '{ws}'. Gebruik letters, cijfers, "
                    "'-', '_' of '.' (maximaal 80 tekens)."
                )
        settings = cls(state_dir=sd, workspace=DEMO_NAME if demo else ws, demo=demo)
        settings._file = settings._read_file()
        settings.user = env.get(ENV_USER) or settings._file.get("user") or _login_name()
        return settings

    @property
    def settings_path(self) -> Path:
        return self.state_dir / SETTINGS_FILE

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
        last = self._file.get("last_workspace")
        if (
            isinstance(last, str)
            and valid_workspace_name(last)
            and self.workspace_path(last).exists()
        ):
            return last
        return None

    def remember(self, **values: str) -> None:
        """Persist small settings (last workspace, user name) owner-only; never secrets."""
        if all(self._file.get(k) == v for k, v in values.items()):
            return  # unchanged: no write (and no tomli_w import) on every start
        import tomli_w  # only when writing

        self._file.update(values)
        self.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.settings_path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            tomli_w.dump(self._file, f)
        os.replace(tmp, self.settings_path)

    def _read_file(self) -> dict:
        try:
            with self.settings_path.open("rb") as f:
                return tomllib.load(f)
        except FileNotFoundError:
            return {}
        except (OSError, tomllib.TOMLDecodeError):
            # A broken settings file only holds conveniences: start without it.
            return {}


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "onbekend"
