"""Opening, creating and choosing workspaces, the same way for the TUI and the CLI."""

from __future__ import annotations

from elo_tui.config import DEMO_NAME, ConfigError, Settings, slugify, valid_workspace_name
from elo_tui.domain.records import Agency
from elo_tui.store import Workspace, WorkspaceError, workspace_exists


def open_named(settings: Settings, name: str) -> Workspace:
    """Open an existing workspace by name and remember it as the last one used."""
    if name == DEMO_NAME:
        return open_demo(settings)
    ws = Workspace.open(settings.workspace_path(name), user=settings.user)
    _remember(settings, name)
    return ws


def open_demo(settings: Settings) -> Workspace:
    """Open the demo workspace, creating it with the example data on first use."""
    path = settings.workspace_path(DEMO_NAME)
    fresh = not workspace_exists(path)
    ws = Workspace.open(path, create=True, user=settings.user)
    if fresh or ws.agency() is None:
        from elo_tui.io.demo import populate_demo

        populate_demo(ws)
    _remember(settings, DEMO_NAME)
    return ws


def new_name_problem(settings: Settings, name: str) -> str | None:
    """Why `name` cannot be a new workspace (Dutch), or None when it can."""
    if not valid_workspace_name(name):
        return (
            f"Ongeldige naam '{name}': gebruik letters, cijfers, '-', '_' of '.' "
            "(maximaal 80 tekens)."
        )
    if workspace_exists(settings.workspace_path(name)):
        return f"Er bestaat al een werkruimte '{name}'. Kies een andere naam."
    return None


def create(settings: Settings, agency: Agency, name: str | None = None) -> Workspace:
    """Make a new workspace for `agency`; refuses to touch an existing file.

    The workspace and its agency appear together or not at all (a kill halfway leaves
    no workspace), so a first import on a fresh machine can simply be run again."""
    name = name or slugify(agency.name)
    problem = new_name_problem(settings, name)
    if problem:
        raise ConfigError(problem)
    ws = Workspace.create(settings.workspace_path(name), [agency], user=settings.user)
    _remember(settings, name)
    return ws


def open_for_command(settings: Settings, *, create_if_missing: bool = False) -> Workspace:
    """The workspace a headless command works on.

    With `create_if_missing` (import on a fresh machine) a workspace is made when there is
    none yet: named by --workspace, or 'werkruimte' with a placeholder agency to fill in.
    """
    if settings.demo:
        return open_demo(settings)
    name = settings.chosen_workspace()
    if name is not None and workspace_exists(settings.workspace_path(name)):
        return open_named(settings, name)
    if name is None:
        # A 0-byte file (an interrupted creation by an older version) is no workspace.
        existing = [
            n
            for n in settings.available_workspaces()
            if workspace_exists(settings.workspace_path(n))
        ]
        if len(existing) == 1:
            return open_named(settings, existing[0])
        if len(existing) > 1:
            raise ConfigError(
                "Er zijn meerdere werkruimtes in "
                f"{settings.state_dir}: {', '.join(existing)}. Kies er een met --workspace."
            )
    if not create_if_missing:
        where = f"'{name}' " if name else ""
        raise WorkspaceError(
            f"Geen werkruimte {where}gevonden in {settings.state_dir}. Start `elo-tui` om er "
            "een te maken, of gebruik --demo."
        )
    name = name or "werkruimte"
    agency = Agency(name=name if settings.workspace else "Nog in te vullen agentschap")
    return create(settings, agency, name)


def _remember(settings: Settings, name: str) -> None:
    try:
        settings.remember(last_workspace=name)
    except OSError:
        pass  # a read-only state folder must not stop work on the workspace itself
