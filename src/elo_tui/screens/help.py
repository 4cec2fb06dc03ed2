"""Which keys work on the current screen (? or F1)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from elo_tui.widgets.keybar import KeyBar

GENERAL = [
    ("1 … 8", "Naar een ander scherm (zie de balk bovenaan)"),
    ("ctrl+p", "Opdrachtenpalet: elk scherm en elke actie zoeken"),
    ("ctrl+w", "Werkruimte wisselen of een nieuwe maken"),
    ("tab / shift+tab", "Naar het volgende / vorige veld"),
    ("↑ ↓ PgUp PgDn Home End", "Door een tabel bewegen"),
    ("? of F1", "Deze hulp"),
    ("ctrl+q", "Afsluiten (alles is al opgeslagen)"),
]


class HelpScreen(ModalScreen):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 80; max-height: 90%; height: auto; border: thick $primary;
        background: $surface; padding: 1 2; }
    """
    BINDINGS = [Binding("escape,question_mark,f1,q", "close", "Sluiten")]

    def __init__(self, for_screen: Screen) -> None:
        super().__init__()
        self.for_screen = for_screen

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        seen = set()
        rows = []
        for active in self.for_screen.active_bindings.values():
            binding = active.binding
            if binding.description and binding.action not in seen and active.node is not self.app:
                seen.add(binding.action)
                keys = [
                    b.key_display or b.key
                    for a in self.for_screen.active_bindings.values()
                    if (b := a.binding).action == binding.action
                ]
                rows.append((" / ".join(dict.fromkeys(keys)), binding.description))
        title = Text("Toetsen op dit scherm", style="bold")
        with VerticalScroll():
            yield Static(title)
            for key, desc in rows:
                table.add_row(Text(key), Text(desc))
            table.add_row("", "")
            table.add_row(Text("Overal", style="bold underline"), "")
            for key, desc in GENERAL:
                table.add_row(Text(key), Text(desc))
            yield Static(table)
        yield KeyBar()

    def action_close(self) -> None:
        self.dismiss()
