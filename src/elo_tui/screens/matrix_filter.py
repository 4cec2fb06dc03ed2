"""The block matrix's filters (deadline, block, application) in a small dialog (f)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Select

from elo_tui.domain.blocks import BLOCKS, DEADLINES
from elo_tui.screens.filter_dialog import FilterDialog
from elo_tui.services.mapping import RowFilter
from elo_tui.widgets.keybar import KeyBar


class MatrixFilterScreen(FilterDialog):
    """Returns the chosen RowFilter, or None when cancelled."""

    def __init__(self, current: RowFilter, app_names: dict[str, str]) -> None:
        super().__init__()
        self.current = current
        self.app_names = app_names

    def compose(self) -> ComposeResult:
        c = self.current
        with Vertical():
            yield Label("Toon enkel wat deze mijlpaal tegenhoudt")
            yield Select(
                [
                    (
                        f"Blokkeert {d.label}" + ("" if d.binding else " – interpretatie"),
                        d.key,
                    )
                    for d in DEADLINES
                ],
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
            yield from self.application_filter(self.app_names, c.application)
        yield KeyBar()

    def action_apply(self) -> None:
        self.dismiss(
            RowFilter(
                deadline=self.value("deadline"),
                block=self.value("block"),
                application=self.value("app"),
            )
        )
