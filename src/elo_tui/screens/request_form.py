"""The agency's data for the co-financing request: contact, day rates, own budget and
requested amount per year, justification. Opened with 'g' on the costs and submission
screens."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Input, TextArea

from elo_tui.domain.cofinancing_request import BUDGET_YEARS, REQUEST_YEARS, form_values
from elo_tui.domain.estimate import ENVELOPE, YEAR_LABELS
from elo_tui.screens.form import FormScreen
from elo_tui.services.estimate import euro

FIELDS = (
    "contact_name",
    "contact_email",
    "contact_phone",
    "day_rate_internal",
    "day_rate_supplier",
    *(f"own_budget_{y}" for y in BUDGET_YEARS),
    *(f"requested_{y}" for y in REQUEST_YEARS),
    "justification",
)


class RequestForm(FormScreen):
    TITLE_TEXT = "Gegevens van de aanvraag tot cofinanciering"

    def compose_fields(self) -> ComposeResult:
        v = form_values(self.app.ws.agency())
        yield from self.field("contact_name", "Contactpersoon *", Input(v["contact_name"]))
        yield from self.field("contact_email", "E-mail contactpersoon *", Input(v["contact_email"]))
        yield from self.field("contact_phone", "Telefoon", Input(v["contact_phone"]))
        yield from self.field(
            "day_rate_internal",
            "Standaarddagtarief eigen personeel (€ per dag)",
            Input(v["day_rate_internal"]),
        )
        yield from self.field(
            "day_rate_supplier",
            "Standaarddagtarief leverancier (€ per dag)",
            Input(v["day_rate_supplier"]),
        )
        for year in BUDGET_YEARS:
            yield from self.field(
                f"own_budget_{year}",
                f"Eigen budget {YEAR_LABELS[year]} (€)",
                Input(v[f"own_budget_{year}"]),
            )
        for year in REQUEST_YEARS:
            yield from self.field(
                f"requested_{year}",
                f"Gevraagde cofinanciering {year} (€; enveloppe voor alle entiteiten "
                f"{euro(ENVELOPE[year])})",
                Input(v[f"requested_{year}"]),
            )
        yield from self.field(
            "justification",
            "Toelichting (motivering van de aanvraag)",
            TextArea(v["justification"]),
        )

    def values(self) -> dict[str, Any]:
        return {k: self.value(k) for k in FIELDS}

    def submit(self, values: dict[str, Any]) -> Any:
        from elo_tui.services.submission import save_request

        return save_request(self.app.ws, values)
