"""`elo-tui checklists validate [MAP]`: check the checklist templates and block catalogue.

Prints every problem as `file: key: what is wrong` and exits 1 when there is one, so it
fits in a CI job for an agency's own adapted templates. Needs no workspace.
"""

from __future__ import annotations


def register(subparsers, add_workspace_options) -> None:
    p = subparsers.add_parser(
        "checklists",
        help="checklistsjablonen en bouwsteencatalogus nakijken",
        description="Werk met de checklistsjablonen in checklists/ (of $ELO_TUI_CHECKLISTS).",
    )
    add_workspace_options(p)
    sub = p.add_subparsers(dest="checklists_command", metavar="ACTIE", required=True)
    v = sub.add_parser(
        "validate",
        help="kijk de sjablonen na (exitcode 1 bij een probleem)",
        description="Kijk de bouwsteencatalogus (blocks.toml) en alle sjablonen in MAP na.",
    )
    add_workspace_options(v)
    v.add_argument("directory", nargs="?", metavar="MAP", help="map met de sjablonen")
    v.set_defaults(run=run_validate)


def run_validate(args, settings) -> int:
    from pathlib import Path

    from elo_tui import paths
    from elo_tui.domain.templates import load_all

    directory = Path(args.directory) if args.directory else paths.checklists_dir()
    templates, problems = load_all(directory)
    for problem in problems:
        print(problem)
    steps = sum(len(t.steps) for t in templates)
    from elo_tui.domain.formats import plural

    summary = (
        f"{plural(len(templates), 'geldig sjabloon', 'geldige sjablonen')} "
        f"({plural(steps, 'stap', 'stappen')}) in {directory}"
    )
    if problems:
        print(f"{plural(len(problems), 'probleem', 'problemen')} gevonden; {summary}.")
        return 1
    print(f"In orde: {summary}.")
    return 0
