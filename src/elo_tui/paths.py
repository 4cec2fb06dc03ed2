"""Where elo_tui finds its data files (stdlib only: used on the start path).

The checklist templates and the building-block catalogue live in `checklists/` at the
repository root, next to `src/`. ELO_TUI_CHECKLISTS points elsewhere (tests, an agency's
own adapted templates).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

ENV_CHECKLISTS = "ELO_TUI_CHECKLISTS"

# src/elo_tui/paths.py -> repository root is two levels above the package.
_REPO_ROOT = Path(__file__).resolve().parent.parent.parent


def checklists_dir(env: Mapping[str, str] | None = None) -> Path:
    """The folder with blocks.toml and the checklist templates."""
    env = os.environ if env is None else env
    override = env.get(ENV_CHECKLISTS)
    if override:
        return Path(override).expanduser()
    return _REPO_ROOT / "checklists"
