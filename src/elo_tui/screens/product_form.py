"""Add or edit one product."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Label, Select, SelectionList, TextArea

from elo_tui.domain import codelists
from elo_tui.domain.formats import sort_key
from elo_tui.domain.records import Application, Product
from elo_tui.screens.form import FormScreen
from elo_tui.services import inventory


class ProductForm(FormScreen):
    def __init__(self, product: Product | None) -> None:
        super().__init__()
        self.product = product
        self.TITLE_TEXT = f"Product bewerken: {product.name}" if product else "Nieuw product"

    def compose_fields(self) -> ComposeResult:
        p = self.product or Product()
        if self.product is not None:
            from elo_tui.widgets.review_panel import ReviewPanel

            yield ReviewPanel(self.app.ws, p.id)
        if p.to_check:
            # Problems an import found. Unticking one says "checked, it is right"; a line
            # about a field also goes when that field is corrected and saved.
            yield Label(
                Text(
                    f"Te controleren ({len(p.to_check)}): vink af wat nagekeken is; de lijn "
                    "van een verbeterd veld verdwijnt bij opslaan",
                    style="bold",
                ),
                classes="field-label",
            )
            yield SelectionList(*[(Text(line), line, True) for line in p.to_check], id="to-check")
        apps = sorted(self.app.ws.list(Application), key=lambda a: sort_key(a.name))
        app_options = [(Text(a.name), a.id) for a in apps]
        app_ids = {a.id for a in apps}
        yield from self.field("name", "Naam *", Input(p.name))
        yield from self.field(
            "ipdc_number", "IPDC-productnummer (leeg zolang onbekend)", Input(p.ipdc_number)
        )
        if p.ipdc_uri:  # the IPDC record it was imported from (services/ipdc_import.py)
            yield Label(Text(f"IPDC-record: {p.ipdc_uri}"), classes="field-label")
        yield from self.field(
            "ipdc_type",
            "Producttype (IPDC)",
            Select(
                [(c.label, c.uri) for c in codelists.PRODUCT_TYPES],
                prompt="Nog niet bepaald",
                value=p.ipdc_type
                if codelists.find(codelists.PRODUCT_TYPES, p.ipdc_type)
                else Select.NULL,
            ),
        )
        yield from self.field(
            "themes",
            "Thema's",
            SelectionList(*[(c.label, c.uri, c.uri in p.themes) for c in codelists.THEMES]),
        )
        yield from self.field(
            "target_groups",
            "Doelgroepen",
            SelectionList(
                *[(c.label, c.uri, c.uri in p.target_groups) for c in codelists.TARGET_GROUPS]
            ),
        )
        yield from self.field(
            "request_application_id",
            "Toepassing om aan te vragen",
            Select(
                app_options,
                prompt="Geen",
                value=p.request_application_id
                if p.request_application_id in app_ids
                else Select.NULL,
            ),
        )
        yield from self.field(
            "followup_application_id",
            "Toepassing om op te volgen",
            Select(
                app_options,
                prompt="Geen",
                value=p.followup_application_id
                if p.followup_application_id in app_ids
                else Select.NULL,
            ),
        )
        yield from self.field(
            "yearly_volume",
            "Jaarvolume (aanvragen per jaar, bv. 45.000)",
            Input(inventory.format_volume(p.yearly_volume)),
        )
        yield from self.field(
            "on_elo",
            "Vandaag op e-loketondernemers",
            Select(
                [(label, key) for key, label in codelists.ON_ELO.items()],
                allow_blank=False,
                value=p.on_elo if p.on_elo in codelists.ON_ELO else "none",
            ),
        )
        yield from self.field("description", "Beschrijving", TextArea(p.description))
        yield from self.field("notes", "Notities", TextArea(p.notes))

    def values(self) -> dict[str, Any]:
        keys = (
            "name",
            "ipdc_number",
            "ipdc_type",
            "themes",
            "target_groups",
            "request_application_id",
            "followup_application_id",
            "yearly_volume",
            "on_elo",
            "description",
            "notes",
        )
        values = {k: self.value(k) for k in keys}
        if self.product is not None and self.product.to_check:
            values["to_check"] = list(self.query_one("#to-check", SelectionList).selected)
        return values

    def submit(self, values: dict[str, Any]) -> Any:
        saved, errors = inventory.save_product(self.app.ws, values, self.product)
        return errors if errors else saved
