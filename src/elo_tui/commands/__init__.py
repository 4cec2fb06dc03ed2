"""Headless sub-commands. Each module has `register(subparsers, add_workspace_options)`
which adds its parser(s) and sets `run=function(args, settings) -> exit code`.
Modules import only argparse at top level: heavy imports go inside `run`."""

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


def load_command(name: str) -> ModuleType:
    return importlib.import_module(f"elo_tui.commands.{name}")
