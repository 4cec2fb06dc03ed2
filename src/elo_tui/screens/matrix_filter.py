"""The block matrix's filters (deadline, block, application) in a small dialog (f)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Select

from elo_tui.domain.blocks import BLOCKS, DEADLINES
from elo_tui.services.mapping import RowFilter
from elo_tui.widgets.keybar import KeyBar


class MatrixFilterScreen(ModalScreen[RowFilter | None]):
    DEFAULT_CSS = """
    MatrixFilterScreen { align: center middle; }
    MatrixFilterScreen > Vertical { width: 70; height: auto; border: thick $primary;
        background: $surface; padding: 1 2; }
    MatrixFilterScreen Label { padding-top: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("f2,enter", "apply", "Toepassen"),
        Binding("delete", "clear", "Alles wissen"),
        Binding("escape", "cancel", "Annuleren"),
    ]

    def __init__(self, current: RowFilter, app_names: dict[str, str]) -> None:
        super().__init__()
        self.current = current
        self.app_names = app_names

    def compose(self) -> ComposeResult:
        c = self.current
        apps = sorted(self.app_names.items(), key=lambda kv: kv[1].casefold())
        with Vertical():
            yield Label("Toon enkel wat deze deadline tegenhoudt")
            yield Select(
                [(f"Blokkeert {d.label}", d.key) for d in DEADLINES],
                prompt="Alle producten",
                value=c.deadline or Select.NULL,
                id="deadline",
            )
            yield Label("Bouwsteen (producten waar die nog open of onbeslist is)")
            yield Select(
                [(b.label, b.code) for b in BLOCKS],
                prompt="Alle bouwstenen",
                value=c.block or Select.NULL,
                id="block",
            )
            yield Label("Toepassing (aanvragen of opvolgen)")
            yield Select(
                [(Text(name), app_id) for app_id, name in apps],
                prompt="Alle toepassingen",
                value=c.application if c.application in self.app_names else Select.NULL,
                id="app",
            )
        yield KeyBar()

    def _value(self, widget_id: str) -> str:
        v = self.query_one(f"#{widget_id}", Select).value
        return v if isinstance(v, str) else ""

    def action_apply(self) -> None:
        self.dismiss(
            RowFilter(
                deadline=self._value("deadline"),
                block=self._value("block"),
                application=self._value("app"),
            )
        )

    def action_clear(self) -> None:
        for widget_id in ("deadline", "block", "app"):
            self.query_one(f"#{widget_id}", Select).clear()

    def action_cancel(self) -> None:
        self.dismiss(None)
