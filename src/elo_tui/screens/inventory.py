"""Inventory: every product in a fast table with live filter, filters and sorting."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, Select

from elo_tui.domain import codelists
from elo_tui.screens.base import AreaScreen
from elo_tui.services import inventory
from elo_tui.widgets.virtual_table import Column, VirtualTable

COLUMNS = [
    Column("name", "Naam", flex=4, min_width=20),
    Column("ipdc_number", "IPDC-nr", width=9),
    Column("type", "Type", flex=2, min_width=12),
    Column("themes", "Thema's", flex=2, min_width=12),
    Column("application", "Toepassing", flex=2, min_width=12),
    Column("volume", "Jaarvolume", width=10),
    Column("on_elo", "Vandaag op ELO", width=14),
]
SORTABLE = [c.key for c in COLUMNS]


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
        Binding("escape", "clear_filter", "Filter wissen", show=False),
    ]

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="filters"):
            yield Input(placeholder="Zoek op naam, nummer, type, thema of toepassing…", id="filter")
            yield Select([(c.label, c.uri) for c in codelists.PRODUCT_TYPES],
                         prompt="Alle types", id="filter-type")
            yield Select([(c.label, c.uri) for c in codelists.THEMES],
                         prompt="Alle thema's", id="filter-theme")
            yield Select([], prompt="Alle toepassingen", id="filter-app")
        yield VirtualTable(COLUMNS, lambda e, k: e.cell(k), id="products",
                           empty_text="Geen producten. Druk op 'a' om er een toe te voegen of 'i' om te importeren.")
        yield Label("", id="count")

    def load(self) -> None:
        ws = self.app.ws
        self.index = inventory.load_index(ws)
        table = self.query_one(VirtualTable)
        table.set_sort(self.index.sort_key, self.index.sort_reverse)
        apps = sorted(self.index.app_names.items(), key=lambda kv: kv[1].casefold())
        select = self.query_one("#filter-app", Select)
        current = select.value
        select.set_options([(Text(name), app_id) for app_id, name in apps])
        if current in self.index.app_names:
            select.value = current
        self.apply_filter()
        table.focus()

    # -- filtering -------------------------------------------------------------------------

    def current_filter(self) -> inventory.ProductFilter:
        def sel(widget_id: str) -> str:
            value = self.query_one(widget_id, Select).value
            return value if isinstance(value, str) else ""

        return inventory.ProductFilter(
            text=self.query_one("#filter", Input).value,
            type_uri=sel("#filter-type"),
            theme_uri=sel("#filter-theme"),
            application_id=sel("#filter-app"),
        )

    def apply_filter(self, keep_id: str | None = None) -> None:
        table = self.query_one(VirtualTable)
        current = table.current
        keep = self.index.entry(keep_id) if keep_id else current
        rows = self.index.filter(self.current_filter())
        table.set_rows(rows, keep=keep)
        total = len(self.index)
        shown = len(rows)
        text = f"{total} producten" if shown == total else f"{shown} van {total} producten"
        self.query_one("#count", Label).update(text)

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.apply_filter()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.query_one(VirtualTable).focus()

    @on(Select.Changed)
    def _select_changed(self) -> None:
        if hasattr(self, "index"):
            self.apply_filter()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        for widget_id in ("#filter-type", "#filter-theme", "#filter-app"):
            self.query_one(widget_id, Select).clear()
        self.query_one(VirtualTable).focus()

    # -- sorting ---------------------------------------------------------------------------

    def _sort(self, key: str, reverse: bool) -> None:
        self.index.sort(key, reverse)
        self.query_one(VirtualTable).set_sort(key, reverse)
        self.apply_filter()

    def action_sort_next(self) -> None:
        i = SORTABLE.index(self.index.sort_key)
        self._sort(SORTABLE[(i + 1) % len(SORTABLE)], False)

    def action_sort_reverse(self) -> None:
        self._sort(self.index.sort_key, not self.index.sort_reverse)

    @on(VirtualTable.HeaderClicked)
    def _header_clicked(self, event: VirtualTable.HeaderClicked) -> None:
        same = event.column_key == self.index.sort_key
        self._sort(event.column_key, not self.index.sort_reverse if same else False)

    # -- editing ---------------------------------------------------------------------------

    def _selected(self):
        entry = self.query_one(VirtualTable).current
        return entry.product if entry is not None else None

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
        self.index.put(product)
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
            inventory.delete_product(self.app.ws, product.id)
            self.index.remove(product.id)
            self.saved()
            self.apply_filter()
            self.notify(f"'{product.name}' is verwijderd.", markup=False)

        question = Text.assemble("Product ", (product.name, "bold"), " verwijderen?")
        self.app.push_screen(ConfirmScreen(question, "Verwijderen"), done)

    def action_import(self) -> None:
        self.app.action_import()
