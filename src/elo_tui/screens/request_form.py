"""The entity's data for the co-financing request: contact, day rates, own budget and
requested amount per year, justification, the statements on the conditions of beslissing
6° and the BVCO intervention threshold. Opened with 'g' on the costs and submission
screens. Rules and quotes: domain/cofinancing.py."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select, Static, TextArea

from elo_tui.domain import cofinancing as cof
from elo_tui.domain.cofinancing_request import (
    BUDGET_YEARS,
    REQUEST_YEARS,
    STATEMENT_NO,
    STATEMENT_YES,
    form_values,
)
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
    *(f"statement_{s.key}" for s in cof.STATED),
    "bvco_threshold",
)


class RequestForm(FormScreen):
    TITLE_TEXT = "Gegevens van de aanvraag tot cofinanciering (entiteit)"
    # Labels carrying a quote are long: wrap them instead of cutting them off.
    DEFAULT_CSS = """
    RequestForm .field-label { width: 100%; }
    RequestForm #request-envelope, RequestForm #request-derived-statement { margin-top: 1; }
    """

    def compose_fields(self) -> ComposeResult:
        from elo_tui.services.submission import bvco_threshold

        v = form_values(self.app.ws.agency(), bvco_threshold(self.app.ws))
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
        yield Static(envelope_text(), id="request-envelope")
        for year in REQUEST_YEARS:
            yield from self.field(
                f"requested_{year}",
                f"Gevraagde cofinanciering {year} (€; vaste enveloppe voor alle entiteiten "
                f"{euro(ENVELOPE[year])}; begrensd tot de kosten die in aanmerking komen)",
                Input(v[f"requested_{year}"]),
            )
        yield from self.field(
            "justification",
            "Toelichting (motivering van de aanvraag)",
            TextArea(v["justification"]),
        )
        yield Static(
            Text.assemble(
                ("Voorwaarden (", "bold"),
                (cof.STATEMENT_REFERENCE, "bold"),
                (")\n", "bold"),
                "De entiteit heeft de noodzakelijke informatie bezorgd: volgt uit de "
                "volledigheidscontrole (scherm Indiening), geen vinkje. “",
                cof.STATEMENTS[0].quote,
                "”",
            ),
            id="request-derived-statement",
        )
        choices = [
            ("Nog niet verklaard", STATEMENT_NO),
            ("Ja, de entiteit verklaart dit", STATEMENT_YES),
        ]
        for statement in cof.STATED:
            key = f"statement_{statement.key}"
            yield from self.field(
                key,
                f"{statement.label}\n“{statement.quote}”",
                Select(choices, allow_blank=False, value=v[key]),
            )
        yield from self.field(
            "bvco_threshold",
            "Interventiedrempel BVCO (€; leeg = onbekend). Daarboven "
            f"{cof.THRESHOLD_FLAG}: “{cof.QUOTE_THRESHOLD}”",
            Input(v["bvco_threshold"], placeholder=cof.UNKNOWN),
        )

    def values(self) -> dict[str, Any]:
        return {k: self.value(k) for k in FIELDS}

    def submit(self, values: dict[str, Any]) -> Any:
        from elo_tui.services.submission import save_request

        return save_request(self.app.ws, values)


def envelope_text() -> Text:
    """The envelope as read, with both quotes, and the VRD 3 line under reservation."""
    out = Text()
    out.append("Enveloppe cofinanciering\n", style="bold")
    out.append(cof.ENVELOPE_READING + "\n")
    out.append(f"Beslissing 6°: “{cof.QUOTE_DECISION_6}”\n", style="dim")
    out.append(f"Budgettaire impact: “{cof.QUOTE_BUDGET_FIO}”\n", style="dim")
    out.append(f"Begrotingsartikel: {cof.FIO_ARTICLE}.\n", style="dim")
    for line in cof.ENVELOPE_LINES:
        if line.firm:
            continue
        out.append(
            f"Onder voorbehoud, niet in de vaste enveloppe: {euro(line.amount)} in {line.year} "
            f"uit {line.source} ({line.article}).\n",
            style="yellow",
        )
    return out
