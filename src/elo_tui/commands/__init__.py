"""Headless sub-commands. Each module has `register(subparsers, add_workspace_options)`
which adds its parser(s) and sets `run=function(args, settings) -> exit code`.
Modules import only argparse (and domain.formats) at top level: heavy imports go inside
`run`. `elo-tui` loads only the module of the sub-command it is given (COMMANDS), all of
them for `--help` or an unknown command, none when it opens the interface."""

from __future__ import annotations

import importlib
from types import ModuleType

# Order is the order of `elo-tui --help`.
COMMAND_MODULES = [
    "workspaces",
    "importing",
    "sync",
    "report",
    "checklists",
    "export",
    "submission",
    "serve",
    "tracker",  # a signpost to elo-tracker
    "roadmap",
    "programme",  # elo-tui programma (VLAIO)
]


# Sub-command (as typed, aliases included) -> the module that registers it. A test checks
# that this matches what the modules register.
COMMANDS = {
    "workspaces": "workspaces",
    "import": "importing",
    "sync": "sync",
    "report": "report",
    "checklists": "checklists",
    "export": "export",
    "submission": "submission",
    "indiening": "submission",
    "serve": "serve",
    "tracker": "tracker",
    "roadmap": "roadmap",
    "programma": "programme",
}


def load_command(name: str) -> ModuleType:
    return importlib.import_module(f"elo_tui.commands.{name}")
