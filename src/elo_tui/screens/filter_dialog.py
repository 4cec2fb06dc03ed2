"""A small dialog of Select filters (used by the inventory and the block matrix)."""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Select


class FilterDialog(ModalScreen):
    """Subclasses compose Labels and Selects inside a Vertical and define
    `action_apply`, which dismisses with their filter built from `self.value(id)`;
    clear and cancel are shared."""

    DEFAULT_CSS = """
    FilterDialog { align: center middle; }
    FilterDialog > Vertical { width: 70; height: auto; border: thick $primary;
        background: $surface; padding: 1 2; }
    FilterDialog Label { padding-top: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("f2,enter", "apply", "Toepassen"),
        Binding("delete", "clear", "Alles wissen"),
        Binding("escape", "cancel", "Annuleren"),
    ]

    def value(self, widget_id: str) -> str:
        v = self.query_one(f"#{widget_id}", Select).value
        return v if isinstance(v, str) else ""

    def action_clear(self) -> None:
        for select in self.query(Select):
            select.clear()

    def action_cancel(self) -> None:
        self.dismiss(None)
