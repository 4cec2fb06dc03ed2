"""Which keys work on the current screen (? or F1), generated from the key data.

The same bindings feed the key bar and the command palette (keymap.py), so this list
cannot drift from what the keys do. Each line shows the binding's id: that is the name
to use in the `[keys]` table of the settings file to choose another key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from elo_tui import keymap
from elo_tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from textual import getters

    from elo_tui.app import OpenEloApp

# Keys handled by widgets rather than by bindings, so not in the key data.
MOVING = [
    ("tab / shift+tab", "Naar het volgende / vorige veld"),
    ("↑ ↓ PgUp PgDn Home End", "Door een tabel bewegen"),
    ("Esc", "Een tekstveld verlaten (daarna werken de toetsen weer)"),
]


class HelpScreen(keymap.KeyedBindings, ModalScreen):
    if TYPE_CHECKING:  # for the type checker: the app is ours (ws, settings, …)
        app = getters.app(OpenEloApp)
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 96; max-width: 100%; max-height: 90%; height: auto;
        border: thick $primary; background: $surface; padding: 1 2; }
    """
    BINDINGS = [Binding("escape,question_mark,f1,q", "close", "Sluiten")]

    def __init__(self, for_screen: Screen) -> None:
        super().__init__()
        self.for_screen = for_screen

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        table.add_column(style="dim")
        with VerticalScroll():
            yield Static(Text("Toetsen op dit scherm", style="bold"))
            for entry in keymap.screen_entries(self.for_screen):
                table.add_row(Text(entry.keys), Text(entry.description), Text(entry.id))
            table.add_row("", "", "")
            table.add_row(Text("Overal", style="bold underline"), "", "")
            if getattr(self.app, "nav", None):
                keys = " ".join(item.key for item in self.app.nav)
                table.add_row(Text(keys), Text("Naar een ander scherm"), "")
            for entry in keymap.screen_entries(self.for_screen, app_level=True):
                if not entry.id.startswith("app.area_"):
                    table.add_row(Text(entry.keys), Text(entry.description), Text(entry.id))
            for keys, text in MOVING:
                table.add_row(Text(keys), Text(text), "")
            yield Static(table)
            yield Static(
                Text(
                    "Een andere toets kiezen: zet in het instellingenbestand onder [keys] "
                    'de code uit de rechterkolom, bv. "inventory.add" = "n".',
                    style="dim",
                )
            )
        yield KeyBar()

    def action_close(self) -> None:
        self.dismiss()
