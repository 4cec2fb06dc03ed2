"""Switch workspace: the workspaces in the state folder, a new one, or the demo."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from elo_tui.config import DEMO_NAME
from elo_tui.keymap import KeyedBindings
from elo_tui.services import workspaces
from elo_tui.store import WorkspaceError
from elo_tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from textual import getters

    from elo_tui.app import OpenEloApp

NEW = "\x00new"


class WorkspaceScreen(KeyedBindings, ModalScreen):
    if TYPE_CHECKING:  # for the type checker: the app is ours (ws, settings, …)
        app = getters.app(OpenEloApp)
    DEFAULT_CSS = """
    WorkspaceScreen { align: center middle; }
    WorkspaceScreen > Vertical { width: 70; height: auto; max-height: 90%; border: thick $primary;
        background: $surface; padding: 1 2; }
    WorkspaceScreen OptionList { height: auto; max-height: 20; }
    """
    BINDINGS = [
        Binding("n", "new", "Nieuwe werkruimte"),
        Binding("escape", "close", "Sluiten"),
    ]

    def compose(self) -> ComposeResult:
        settings = self.app.settings
        names = settings.available_workspaces()
        current = self.app.ws.path.stem if self.app.ws else None
        options = [
            Option(Text(f"{name}{'  (open)' if name == current else ''}"), id=name)
            for name in names
        ]
        if DEMO_NAME not in names:
            options.append(Option(Text("Voorbeeldwerkruimte (fictieve gegevens)"), id=DEMO_NAME))
        options.append(Option(Text("＋ Nieuwe werkruimte…"), id=NEW))
        with Vertical():
            yield Label(Text(f"Werkruimtes in {settings.state_dir}", style="bold"))
            yield OptionList(*options)
        yield KeyBar()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        choice = event.option.id
        if choice is None:  # every option here has an id
            return
        if choice == NEW:
            self.action_new()
            return
        if self.app.ws is not None and choice == self.app.ws.path.stem:
            self.dismiss()
            return
        try:
            ws = workspaces.open_named(self.app.settings, choice)
        except WorkspaceError as exc:
            self.notify(str(exc), title="Niet geopend", severity="error", markup=False, timeout=10)
            return
        self.dismiss()
        self.app.call_later(self.app.open_workspace, ws)

    def action_new(self) -> None:
        from elo_tui.screens.first_run import FirstRunScreen

        self.dismiss()
        self.app.push_screen(FirstRunScreen(can_cancel=True))

    def action_close(self) -> None:
        self.dismiss()
