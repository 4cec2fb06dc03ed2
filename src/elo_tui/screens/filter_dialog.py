"""A small dialog of Select filters (used by the inventory and the block matrix)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Label, Select

from elo_tui.domain.formats import sort_key
from elo_tui.keymap import KeyedBindings

if TYPE_CHECKING:
    from textual import getters

    from elo_tui.app import OpenEloApp


class FilterDialog(KeyedBindings, ModalScreen):
    """Subclasses compose Labels and Selects inside a Vertical and define
    `action_apply`, which dismisses with their filter built from `self.value(id)`;
    clear and cancel are shared."""

    if TYPE_CHECKING:  # for the type checker: the app is ours (ws, settings, …)
        app = getters.app(OpenEloApp)

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

    def application_filter(self, app_names: dict[str, str], current: str) -> ComposeResult:
        """Label and Select of the application filter (id "app"), names shown literally."""
        apps = sorted(app_names.items(), key=lambda kv: sort_key(kv[1]))
        yield Label("Toepassing (aanvragen of opvolgen)")
        yield Select(
            [(Text(name), app_id) for app_id, name in apps],
            prompt="Alle toepassingen",
            value=current if current in app_names else Select.NULL,
            id="app",
        )

    def value(self, widget_id: str) -> str:
        v = self.query_one(f"#{widget_id}", Select).value
        return v if isinstance(v, str) else ""

    def action_clear(self) -> None:
        for select in self.query(Select):
            select.clear()

    def action_cancel(self) -> None:
        self.dismiss(None)
