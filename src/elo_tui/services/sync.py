"""One sync run, the same for the Sync screen and `elo-tui sync`.

Opens its own connection to the workspace file (it may run in a worker thread), builds the
tracker client with the retry window from the settings, runs the engine and turns every
outcome into one Dutch message and an exit code. Progress and the countdown while the
tracker is unreachable reach the caller already worded, so the screen and the command
say the same thing. The HTTP client is imported only when a sync starts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from elo_tui.sync.state import PHASE_LABELS

# Exit codes of `elo-tui sync` (README): also the outcome kinds' codes here.
EXIT_OK, EXIT_CONFLICTS, EXIT_USAGE, EXIT_OFFLINE, EXIT_AUTH, EXIT_REFUSED = 0, 1, 2, 3, 4, 5


class SyncCancelled(Exception):
    """The person left or stopped: the engine stops between two steps (all committed)."""


@dataclass(frozen=True)
class SyncOutcome:
    kind: str  # "ok" | "conflicts" | "offline" | "auth" | "refused" | "settings" | "cancelled"
    message: str  # Dutch, without the token
    exit_code: int
    result: Any = None  # the engine's SyncResult when the run finished

    @property
    def failed(self) -> bool:
        return self.kind not in ("ok", "conflicts", "cancelled")


def progress_text(progress) -> str:
    """One line for a progress step of the engine."""
    return f"{PHASE_LABELS.get(progress.phase, progress.phase)}: {progress.message}"


def wait_text(wait) -> str:
    """One line for a second of waiting on an unreachable tracker: why, when the next
    try is, and how long the sync keeps trying (the countdown)."""
    text = (
        f"Centrale opvolging niet bereikbaar ({wait.reason}); "
        f"nieuwe poging over {wait.next_try_in:.0f} s"
    )
    if wait.window_left is not None:
        text += f", nog {wait.window_left:.0f} s wachten voor de synchronisatie opgeeft"
    return text + "."


def retry_window(cfg, override: float | None = None) -> float:
    return cfg.retry_window if override is None else override


def run(
    workspace_path: Path,
    user: str,
    cfg,
    *,
    on_progress: Callable[[Any], None] | None = None,
    on_wait: Callable[[Any], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    window: float | None = None,
) -> SyncOutcome:
    """Sync the workspace at `workspace_path` with the tracker of `cfg` (complete
    settings). Never raises for a sync, network or workspace problem: the outcome says it."""
    from elo_tui.store import Workspace, WorkspaceError
    from elo_tui.sync import client as client_mod
    from elo_tui.sync.engine import SyncEngine

    def progress(p) -> None:
        if cancelled():
            raise SyncCancelled()
        if on_progress is not None:
            on_progress(p)

    def waiting(w) -> None:
        if cancelled():
            raise SyncCancelled()
        if on_wait is not None:
            on_wait(w)

    policy = client_mod.RetryPolicy(window=retry_window(cfg, window), max_delay=4.0)
    try:
        ws = Workspace.open(workspace_path, user=user)
        try:
            with client_mod.TrackerClient(
                cfg.url, cfg.token, retry=policy, on_wait=waiting
            ) as client:
                result = SyncEngine(ws, client, progress=progress).run()
        finally:
            ws.close()
    except SyncCancelled:
        return SyncOutcome(
            "cancelled", "Synchronisatie onderbroken; wat klaar was, is bewaard.", EXIT_OK
        )
    except client_mod.SyncError as exc:
        kinds = {EXIT_OFFLINE: "offline", EXIT_AUTH: "auth"}
        return SyncOutcome(kinds.get(exc.exit_code, "refused"), cfg.redact(str(exc)), exc.exit_code)
    except WorkspaceError as exc:
        return SyncOutcome("settings", str(exc), EXIT_USAGE)
    if result.conflicts:
        return SyncOutcome("conflicts", result.summary(), EXIT_CONFLICTS, result)
    return SyncOutcome("ok", result.summary(), EXIT_OK, result)


# -- joining an agency from a second laptop -------------------------------------------------


def join(
    settings,
    url: str,
    token: str,
    *,
    on_progress: Callable[[Any], None] | None = None,
    on_wait: Callable[[Any], None] | None = None,
    window: float | None = None,
) -> tuple[SyncOutcome, str]:
    """Make a new workspace from the tracker: the agency of `token` and all its records.

    The name is --workspace or the agency's name; an existing workspace of that name is
    refused (nothing is touched). When the first sync fails before the agency arrived, the
    new files are removed again, so the join can simply be repeated. Returns the outcome
    and the workspace name."""
    from elo_tui.config import slugify, valid_workspace_name
    from elo_tui.store import Workspace, WorkspaceError
    from elo_tui.sync import client as client_mod
    from elo_tui.sync import config as sync_config

    def refuse(message: str, code: int = EXIT_USAGE, kind: str = "settings"):
        return SyncOutcome(kind, message, code), ""

    try:
        url = sync_config.normalize_url(url)
        token = sync_config.check_token(token)
    except sync_config.SyncConfigError as exc:
        return refuse(str(exc))
    name = settings.workspace
    if name and not valid_workspace_name(name):
        return refuse(f"Ongeldige naam voor de werkruimte: '{name}'.")
    if name and settings.workspace_path(name).exists():
        return refuse(_exists_message(settings, name))
    try:
        probe = client_mod.RetryPolicy(window=0.0 if window is None else window, max_delay=4.0)
        with client_mod.TrackerClient(url, token, retry=probe, on_wait=on_wait) as client:
            me = client.me()
    except client_mod.SyncError as exc:
        kinds = {EXIT_OFFLINE: "offline", EXIT_AUTH: "auth"}
        message = str(exc).replace(token, "***")
        return refuse(message, exc.exit_code, kinds.get(exc.exit_code, "refused"))
    if me.get("role") != "agency" or not me.get("workspace"):
        return refuse(
            "Dit is een beheerderstoken van VLAIO; aansluiten kan alleen met het token van "
            "het agentschap.",
            EXIT_AUTH,
            "auth",
        )
    name = name or slugify(str(me.get("name") or me["workspace"]))
    path = settings.workspace_path(name)
    if path.exists():
        return refuse(_exists_message(settings, name))
    try:
        Workspace.open(path, create=True, user=settings.user).close()
        sync_config.save(path, url=url, token=token)
    except (WorkspaceError, sync_config.SyncConfigError) as exc:
        _remove_workspace_files(path)
        return refuse(str(exc))
    cfg = sync_config.load(path)
    outcome = run(path, settings.user, cfg, on_progress=on_progress, on_wait=on_wait, window=window)
    if not _has_agency(path, settings.user):
        _remove_workspace_files(path)
        if outcome.failed:
            return outcome, ""
        return refuse(
            f"De centrale opvolging heeft nog geen gegevens van "
            f"{me['workspace']}: synchroniseer eerst "
            "de werkruimte waarin het agentschap werd aangemaakt, en sluit dan aan."
        )
    try:
        settings.remember(last_workspace=name)
    except OSError:
        pass  # a read-only settings file must not undo a successful join
    return outcome, name


def _exists_message(settings, name: str) -> str:
    return (
        f"Er bestaat al een werkruimte '{name}' in {settings.state_dir}; aansluiten maakt "
        "altijd een nieuwe. Synchroniseer die met `elo-tui sync`, of kies een andere naam "
        "met --workspace."
    )


def _has_agency(path: Path, user: str) -> bool:
    from elo_tui.store import Workspace, WorkspaceError

    try:
        with Workspace.open(path, user=user) as ws:
            return ws.agency() is not None
    except WorkspaceError:
        return False


def _remove_workspace_files(path: Path) -> None:
    """The files a failed join made: the workspace, its SQLite journal files and its
    settings (with the token)."""
    from elo_tui.sync.config import config_path

    for leftover in (
        path,
        path.with_name(path.name + "-wal"),
        path.with_name(path.name + "-shm"),
        config_path(path),
    ):
        try:
            leftover.unlink()
        except FileNotFoundError:
            pass
