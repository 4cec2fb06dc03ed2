"""Run one long store job (thousands of records) in a worker thread on its own connection,
with a modal notice that holds every key until it is done: the screen stays painted and
nothing else edits the workspace meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class BusyScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    BusyScreen { align: center middle; }
    BusyScreen > Vertical {
        width: 60; height: auto; border: thick $primary; background: $surface; padding: 1 2;
    }
    """

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.message))
            yield Static(Text("Even geduld; alles wordt in één keer bewaard.", style="dim"))


def run_busy(
    app: Any, message: str, job: Callable[[Any], Any], done: Callable[[Any, str], None]
) -> None:
    """`job(ws)` runs in a thread with its own connection to the app's workspace; then
    `done(result, error)` runs on the app's thread (error: a Dutch message, or "")."""
    from elo_tui.store import WorkspaceError

    busy = BusyScreen(message)
    app.push_screen(busy)

    def work() -> None:
        result, error = None, ""
        try:
            ws = app.ws.writer()  # a worker never uses the app's connection
            try:
                result = job(ws)
            finally:
                ws.close()
        except WorkspaceError as exc:
            error = str(exc)
        app.call_from_thread(finish, result, error)

    def finish(result: Any, error: str) -> None:
        if app.screen is busy:
            app.pop_screen()
        done(result, error)

    app.run_worker(work, thread=True, group="busy", exit_on_error=False)
