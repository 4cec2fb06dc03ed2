"""Regels: the decision's rules as elo_tui applies them, with their quotes, and the one
setting that is an interpretation (the reading of the 1 January 2027 milestone).

Keys 1/2/3 choose the reading (stored per workspace); Esc closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from elo_tui.domain.blocks import (
    ADMISSION_QUOTE,
    ADMISSION_READINGS,
    BLOCKS,
    ELO_CONFORM_DEFINITION,
    ELO_CONFORM_QUOTE,
    ESSENTIAL_BLOCKS_QUOTE,
    NEW_APPLICATION_QUOTE,
    PAIRS,
    REQUIREMENTS,
)
from elo_tui.domain.decisions import DELAY_QUOTE, EXEMPTION_QUOTE
from elo_tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from textual import getters

    from elo_tui.app import OpenEloApp

READING_KEYS = dict(zip(("1", "2", "3"), ADMISSION_READINGS, strict=True))


def rules_text(reading: str) -> Text:
    out = Text()

    def head(title: str) -> None:
        out.append(f"\n{title}\n", style="bold")

    head("Essentiële bouwstenen (drie; per onderdeel opgevolgd)")
    out.append(ESSENTIAL_BLOCKS_QUOTE + "\n", style="dim")
    for pair, label in PAIRS.items():
        parts = ", ".join(b.label for b in BLOCKS if b.pair == pair)
        out.append(f"• {label}: {parts}\n")
    head("Vereisten (resultaten van de bouwstenen, geen bouwstenen)")
    for r in REQUIREMENTS:
        out.append(f"• {r.label}: {r.note}\n")
    head("ELO-conform")
    out.append(ELO_CONFORM_DEFINITION + "\n")
    out.append(ELO_CONFORM_QUOTE + "\n", style="dim")
    head("30 juni 2027 – deadline")
    out.append("Voor elk onderdeel en elke vereiste, behoudens gegronde redenen.\n")
    head("1 januari 2027 – opname op e-loketondernemers (geen deadline)")
    out.append(ADMISSION_QUOTE + "\n", style="dim")
    out.append("Interpretatie (kies met 1, 2 of 3; bewaard in deze werkruimte):\n")
    for key, code in READING_KEYS.items():
        mark = "●" if code == reading else "○"
        out.append(
            f"  {key} {mark} {ADMISSION_READINGS[code]}\n", style="bold" if mark == "●" else ""
        )
    head("Uitzonderingen en vertragingen")
    out.append(EXEMPTION_QUOTE + "\n", style="dim")
    out.append(DELAY_QUOTE + "\n", style="dim")
    out.append(
        "Aanvaarde uitzondering: niet conform en niet te laat. Aanvaarde vertraging: het "
        "onderdeel wordt aan de nieuwe datum gemeten (tegenover de oorspronkelijke).\n"
    )
    head("Nieuwe of grondig vernieuwde toepassingen")
    out.append(NEW_APPLICATION_QUOTE + "\n", style="dim")
    out.append(
        "Alle onderdelen vereist vanaf de start; 'niet van toepassing' of de formulieren- en "
        "opvolgingstool enkel met een aanvaarde uitzondering ('Toelatingen indien van "
        "toepassing' blijft mogelijk). Beslissing 5° noemt nieuwe applicaties; een grondig "
        "vernieuwde toepassing zo behandelen is een interpretatie, op basis van de nota: "
        "'elke nieuwe of grondig vernieuwde digitale dienst te toetsen'. Aftoetsing aan de "
        "digitale dienstverleningsstrategie per nieuwe of grondig vernieuwde toepassing.\n"
    )
    head("Formulieren- en opvolgingstool")
    out.append(
        "“Voor agentschappen en departementen met een beperkt aantal aanvragen wordt samen met "
        "Digitaal Vlaanderen een … oplossing onderzocht” (nota): een plan, geen resultaat. Telt "
        "pas mee als de route in productie is; beschikbaarheid en dekking zijn onbekend; de "
        "drempel voor 'weinig aanvragen' in elo_tui is een aanname.\n"
    )
    return out


class RulesScreen(ModalScreen):
    """Dismisses with the chosen reading (or None when nothing changed)."""

    if TYPE_CHECKING:  # for the type checker: the app is ours (ws, settings, …)
        app = getters.app(OpenEloApp)

    DEFAULT_CSS = """
    RulesScreen { align: center middle; }
    RulesScreen #rules-box { width: 100; max-width: 100%; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1; }
    """
    BINDINGS = [
        Binding("1", "choose('1')", "Nieuwe opname"),
        Binding("2", "choose('2')", "Alle producten"),
        Binding("3", "choose('3')", "Niet toegepast"),
        Binding("escape", "close", "Sluiten"),
    ]

    def __init__(self, reading: str) -> None:
        super().__init__()
        self.reading = reading
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="rules-box"):
            yield Static(Text("Regels van de beslissing (VR 2025 1212 DOC.1191/1BIS)", "bold"))
            with VerticalScroll():
                yield Static(rules_text(self.reading), id="rules-text")
        yield KeyBar()

    def action_choose(self, key: str) -> None:
        from elo_tui.services import mapping
        from elo_tui.store import WorkspaceError

        try:
            self.reading = mapping.save_reading(self.app.ws, READING_KEYS[key])
        except WorkspaceError as exc:
            self.notify(str(exc), title="Niet bewaard", severity="error", markup=False)
            return
        self.changed = True
        self.query_one("#rules-text", Static).update(rules_text(self.reading))

    def action_close(self) -> None:
        self.dismiss(self.reading if self.changed else None)
