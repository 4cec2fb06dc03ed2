"""Inventory: every product in a fast table with live filter, filters and sorting."""

from __future__ import annotations

import os

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Label, Static

from elo_tui.domain.formats import format_number, plural
from elo_tui.domain.records import Product
from elo_tui.screens.base import AreaScreen
from elo_tui.screens.store_errors import store_errors
from elo_tui.services import inventory
from elo_tui.store import WorkspaceError
from elo_tui.widgets.filter_input import FilterInput
from elo_tui.widgets.virtual_table import Column, VirtualTable

COLUMNS = [
    Column("name", "Naam", flex=4, min_width=20),
    Column("ipdc_number", "IPDC-nr", width=9),
    Column("type", "Type", flex=2, min_width=12),
    Column("themes", "Thema's", flex=2, min_width=12),
    Column("application", "Toepassing", flex=2, min_width=12),
    Column("volume", "Jaarvolume", width=10, align="right"),
    Column("on_elo", "Vandaag op ELO", width=14),
]
SORTABLE = [c.key for c in COLUMNS]
_NEEDS_INDEX = {
    "add",
    "edit",
    "delete",
    "sort_next",
    "sort_reverse",
    "filters",
    "toggle_to_check",
}
# Not "import": the wizard needs no index, and with the index built after the first frame
# (seconds at 20,000 products) an `i` pressed at once did nothing.


class InventoryScreen(AreaScreen):
    MODE = "inventory"
    BINDINGS = [
        Binding("a,insert", "add", "Nieuw"),
        Binding("e", "edit", "Bewerken"),
        Binding("d,delete", "delete", "Verwijderen"),
        Binding("slash", "focus_filter", "Zoeken", key_display="/"),
        Binding("s", "sort_next", "Sorteren"),
        Binding("r", "sort_reverse", "Omkeren"),
        Binding("i", "import", "Importeren"),
        Binding("f", "filters", "Filters"),
        Binding("t", "toggle_to_check", "Te controleren"),
        Binding("escape", "clear_filter", "Filter wissen", show=False),
    ]
    AUTO_FOCUS = "#products"

    def __init__(self) -> None:
        super().__init__()
        self.filters = inventory.ProductFilter()
        self.index: inventory.ProductIndex | None = None
        self._summary: Text | None = None

    def compose_body(self) -> ComposeResult:
        yield FilterInput(
            lambda _value: self.apply_filter(),
            placeholder="Zoek op naam, nummer, type, thema of toepassing…  (/)",
            id="filter",
        )
        yield Static(id="filter-summary")
        yield VirtualTable(
            COLUMNS,
            lambda e, k: e.cell(k),
            id="products",
            empty_text="Geen producten. Druk op 'a' om er een toe te voegen "
            "of 'i' om te importeren.",
        )
        yield Label("", id="count")

    def load(self) -> None:
        """Paint a first screenful at once; build the full index in a thread.

        At 20,000 products the index takes a few hundred milliseconds: the screen is
        usable before that (scrolling, opening the first rows) and filtering starts as
        soon as the index is there, with what was typed in the meantime."""
        if self.index is None:
            self.query_one(VirtualTable).set_rows(inventory.first_page(self.app.ws))
            self.query_one("#count", Label).update("Producten laden…")
            # Once that first page is on the terminal: the index thread would otherwise
            # hold the interpreter while the first frame is being rendered.
            self.call_after_refresh(self._build_index)
            return
        self._build_index()

    @work(thread=True, exclusive=True, group="inventory-index", exit_on_error=False)
    def _build_index(self) -> None:
        try:
            index = inventory.load_index_in_background(self.app.ws)
        except WorkspaceError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._index_ready, index)

    def _index_ready(self, index: inventory.ProductIndex) -> None:
        table = self.query_one(VirtualTable)
        current = table.current
        if self.index is not None:
            index.sort(self.index.sort_key, self.index.sort_reverse)
        self.index = index
        table.set_sort(index.sort_key, index.sort_reverse)
        if self.filters.application_id not in index.app_names:
            self.filters.application_id = ""
        self.apply_filter(keep_id=current.id if current is not None else None)
        self.refresh_bindings()
        if os.environ.get("ELO_TUI_EXIT_WHEN_READY") == "index":
            self.app.exit()  # bench/: time until the whole index is usable

    @property
    def built_index(self) -> inventory.ProductIndex:
        """The index, for what runs only once it is built (see `check_action`)."""
        assert self.index is not None, "the actions that need the index wait for it"
        return self.index

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.index is None and action in _NEEDS_INDEX:
            return None  # shown, but not yet available
        return True

    # -- filtering -------------------------------------------------------------------------

    def current_filter(self) -> inventory.ProductFilter:
        self.filters.text = self.query_one("#filter", Input).value
        return self.filters

    def apply_filter(self, keep_id: str | None = None) -> None:
        if self.index is None:
            return  # applied when the index is ready
        table = self.query_one(VirtualTable)
        current = table.current
        keep = self.index.entry(keep_id) if keep_id else current
        rows = self.index.filter(self.current_filter())
        table.set_rows(rows, keep=keep)
        from elo_tui.screens.product_filter import describe

        summary = describe(self.filters, self.index.app_names)
        if summary != self._summary:  # unchanged while typing: no repaint at all
            self._summary = summary
            # fixed one-line widgets: no layout pass (it would repaint the whole screen)
            self.query_one("#filter-summary", Static).update(summary, layout=False)
        total = len(self.index)
        shown = len(rows)
        text = plural(total, "product", "producten")
        if shown != total:
            text = f"{format_number(shown)} van {text}"
        flagged = self.index.flagged_count()
        if flagged:
            text += f" · {flagged} te controleren ({inventory.TO_CHECK_MARK.strip()}; t toont ze)"
        self.query_one("#count", Label).update(text, layout=False)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.query_one(VirtualTable).focus()

    def action_filters(self) -> None:
        from elo_tui.screens.product_filter import ProductFilterScreen

        def done(chosen: inventory.ProductFilter | None) -> None:
            if chosen is not None:
                self.filters = chosen
                self.apply_filter()

        self.app.push_screen(
            ProductFilterScreen(self.current_filter(), self.built_index.app_names), done
        )

    def action_toggle_to_check(self) -> None:
        """Only the products "te controleren" (problems from an import), or all again."""
        self.filters.to_check = not self.filters.to_check
        self.apply_filter()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.filters = inventory.ProductFilter()
        self.query_one("#filter", Input).value = ""
        self.apply_filter()
        self.query_one(VirtualTable).focus()

    # -- sorting ---------------------------------------------------------------------------

    def _sort(self, key: str, reverse: bool) -> None:
        self.built_index.sort(key, reverse)
        self.query_one(VirtualTable).set_sort(key, reverse)
        self.apply_filter()

    def action_sort_next(self) -> None:
        i = SORTABLE.index(self.built_index.sort_key)
        self._sort(SORTABLE[(i + 1) % len(SORTABLE)], False)

    def action_sort_reverse(self) -> None:
        index = self.built_index
        self._sort(index.sort_key, not index.sort_reverse)

    @on(VirtualTable.HeaderClicked)
    def _header_clicked(self, event: VirtualTable.HeaderClicked) -> None:
        if self.index is None:  # a click before the index is built: nothing to sort yet
            return
        same = event.column_key == self.index.sort_key
        self._sort(event.column_key, not self.index.sort_reverse if same else False)

    # -- editing ---------------------------------------------------------------------------

    def _selected(self):
        entry = self.query_one(VirtualTable).current
        return self.app.ws.get(Product, entry.id) if entry is not None else None

    def action_add(self) -> None:
        from elo_tui.screens.product_form import ProductForm

        self.app.push_screen(ProductForm(None), self._after_save)

    def action_edit(self) -> None:
        product = self._selected()
        if product is None:
            return
        from elo_tui.screens.product_form import ProductForm

        self.app.push_screen(ProductForm(product), self._after_save)

    @on(VirtualTable.Selected, "#products")
    def _row_selected(self) -> None:
        self.action_edit()

    def _after_save(self, product) -> None:
        if product is None:
            return
        self.built_index.put(product)
        self.saved()
        self.apply_filter(keep_id=product.id)
        self.query_one(VirtualTable).focus()

    def action_delete(self) -> None:
        product = self._selected()
        if product is None:
            return
        from elo_tui.screens.confirm import ConfirmScreen

        def done(confirmed: bool | None) -> None:
            if not confirmed:
                return
            with store_errors(self) as attempt:
                inventory.delete_product(self.app.ws, product.id)
            if attempt.failed:
                return
            self.built_index.remove(product.id)
            self.saved()
            self.apply_filter()
            self.notify(f"'{product.name}' is verwijderd.", markup=False)

        question = Text.assemble("Product ", (product.name, "bold"), " verwijderen?")
        self.app.push_screen(ConfirmScreen(question, "Verwijderen"), done)

    def action_import(self) -> None:
        self.app.action_import()
