"""`elo-tui workspaces`: list the workspaces in the state folder."""

from __future__ import annotations


def register(subparsers, add_workspace_options) -> None:
    p = subparsers.add_parser("workspaces", help="toon de werkruimtes in de map")
    add_workspace_options(p)
    p.set_defaults(run=run)


def run(args, settings) -> int:
    names = settings.available_workspaces()
    if not names:
        print(f"Geen werkruimtes in {settings.state_dir}.")
        return 0
    current = settings.chosen_workspace()
    for name in names:
        print(("* " if name == current else "  ") + name)
    return 0
