"""A yes/no question before anything destructive."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from elo_tui.keymap import KeyedBindings
from elo_tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from textual import getters

    from elo_tui.app import OpenEloApp


class ConfirmScreen(KeyedBindings, ModalScreen[bool]):
    if TYPE_CHECKING:  # for the type checker: the app is ours (ws, settings, …)
        app = getters.app(OpenEloApp)
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 70; height: auto; border: thick $error; background: $surface; padding: 1 2;
    }
    ConfirmScreen Horizontal { height: auto; align-horizontal: right; padding-top: 1; }
    ConfirmScreen Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("j,y", "answer(True)", "Ja"),
        Binding("n,escape", "answer(False)", "Nee"),
    ]

    def __init__(self, question: str | Text, yes_label: str = "Ja") -> None:
        super().__init__()
        self.question = question if isinstance(question, Text) else Text(question)
        self.yes_label = yes_label

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question)
            with Horizontal():
                yield Button("Nee (n)", id="no")
                yield Button(f"{self.yes_label} (j)", variant="error", id="yes")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")
