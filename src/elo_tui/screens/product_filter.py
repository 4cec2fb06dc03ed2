"""The inventory's filters by type, theme and application, in a small dialog (f)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Select

from elo_tui.domain import codelists
from elo_tui.screens.filter_dialog import FilterDialog
from elo_tui.services.inventory import ProductFilter
from elo_tui.widgets.keybar import KeyBar


class ProductFilterScreen(FilterDialog):
    """Returns the chosen ProductFilter, or None when cancelled."""

    def __init__(self, current: ProductFilter, app_names: dict[str, str]) -> None:
        super().__init__()
        self.current = current
        self.app_names = app_names

    def compose(self) -> ComposeResult:
        c = self.current
        with Vertical():
            yield Label("Producttype")
            yield Select(
                [(x.label, x.uri) for x in codelists.PRODUCT_TYPES],
                prompt="Alle types",
                value=c.type_uri or Select.NULL,
                id="type",
            )
            yield Label("Thema")
            yield Select(
                [(x.label, x.uri) for x in codelists.THEMES],
                prompt="Alle thema's",
                value=c.theme_uri or Select.NULL,
                id="theme",
            )
            yield from self.application_filter(self.app_names, c.application_id)
            yield Label("Te controleren (problemen uit een import)")
            yield Select(
                [("Alleen producten te controleren", "yes")],
                prompt="Alle producten",
                value="yes" if c.to_check else Select.NULL,
                id="to-check",
            )
        yield KeyBar()

    def action_apply(self) -> None:
        self.dismiss(
            ProductFilter(
                text=self.current.text,
                type_uri=self.value("type"),
                theme_uri=self.value("theme"),
                application_id=self.value("app"),
                to_check=self.value("to-check") == "yes",
            )
        )


def describe(f: ProductFilter, app_names: dict[str, str]) -> Text:
    """One line saying which filters are on, for the inventory's filter bar."""
    parts = []
    if f.type_uri:
        parts.append(("type", codelists.label_for(f.type_uri)))
    if f.theme_uri:
        parts.append(("thema", codelists.label_for(f.theme_uri)))
    if f.application_id:
        parts.append(("toepassing", app_names.get(f.application_id, "?")))
    if f.to_check:
        parts.append(("alleen", "te controleren"))
    line = Text(" Filters: ", style="bold")
    if not parts:
        line.append("geen (f om te filteren op type, thema of toepassing)", style="dim")
    for i, (what, value) in enumerate(parts):
        if i:
            line.append(" · ")
        line.append(f"{what} ")
        line.append(value, style="bold")
    return line
