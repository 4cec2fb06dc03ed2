"""Presentation mode (issue 11 §4): big figures for a projector, one slide at a time.

`elo-tui --presentatie`, key P or the palette ("Presentatie"). The entity first, then
each application: days to 30 June 2027, % ELO-conform and % per requirement in Textual's
`Digits`, white and yellow on black whatever the theme, so they read from the back of
the room. Space, → or PageDown (what a presenter's clicker sends) step forward; ←,
PageUp or Backspace back; Esc leaves. The figures come from services/presentation.py
(the dashboard's own summary function); this screen only lays them out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Digits, Static
from textual.worker import Worker, WorkerState

from elo_tui.domain.blocks import format_percent
from elo_tui.domain.formats import format_number, plural
from elo_tui.keymap import KeyedBindings
from elo_tui.services import clock
from elo_tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from textual import getters

    from elo_tui.app import OpenEloApp

REQUIREMENT_SHORT = {  # what fits above a figure at 80 columns; the help says the rest
    "single sign-on (SSO)": "Single sign-on",
    "gericht aanmelden": "Gericht aanmelden",
    "rechtenbeheer op productniveau (IDM en VMS)": "Rechtenbeheer product",
}


def big_percent(value: float | None) -> str:
    """'4,2%' for Digits (its comma and % sit on the baseline; a space there would be
    three cells wide); '?' when nothing applies."""
    return "?" if value is None else format_percent(value).replace(" %", "%")


class PresentationScreen(KeyedBindings, Screen):
    if TYPE_CHECKING:  # for the type checker: the app is ours (ws, …)
        app = getters.app(OpenEloApp)

    KEY_SCOPE = "presentation"
    BINDINGS = [
        # Separate actions, not step(1)/step(-1): a binding's id comes from its action,
        # and both would be "presentation.step_1".
        Binding("space,right,pagedown", "next", "Volgende", key_display="spatie/→"),
        Binding("left,pageup,backspace", "previous", "Vorige", key_display="←"),
        Binding("escape", "leave", "Sluiten", key_display="Esc"),
    ]
    DEFAULT_CSS = """
    PresentationScreen { background: black; color: white; align: center middle; }
    PresentationScreen #pres { width: 100%; max-width: 120; height: auto; padding: 0 1; }
    PresentationScreen #pres-title { text-style: bold; color: black; background: white;
        padding: 0 1; height: auto; }
    PresentationScreen #pres-where { color: white; height: 1; margin-bottom: 1; }
    PresentationScreen Horizontal { height: auto; }
    PresentationScreen .pres-box { width: 1fr; height: auto; border: heavy white;
        padding: 0 1; }
    PresentationScreen .pres-label { text-style: bold; color: white; height: 1;
        text-wrap: nowrap; text-overflow: ellipsis; }
    PresentationScreen .pres-sub { color: white; height: 1; text-wrap: nowrap;
        text-overflow: ellipsis; }
    PresentationScreen Digits { color: yellow; text-style: bold; width: auto; }
    PresentationScreen #pres-days Digits { color: #ff6060; }
    PresentationScreen #pres-note { color: white; height: auto; margin-top: 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.slides: list = []
        self.index = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="pres"):
            yield Static(Text("Bezig met berekenen…"), id="pres-title")
            yield Static("", id="pres-where")
            with Horizontal():
                yield self._box("pres-days", "Dagen tot 30 juni 2027")
                yield self._box("pres-conform", "ELO-conform")
            with Horizontal():
                for n in range(3):
                    yield self._box(f"pres-req-{n}", "")
            yield Static("", id="pres-note")
        yield KeyBar()

    @staticmethod
    def _box(box_id: str, label: str) -> Vertical:
        return Vertical(
            Static(label, classes="pres-label"),
            Digits("", id=f"{box_id}-value"),
            Static("", classes="pres-sub"),
            id=box_id,
            classes="pres-box",
        )

    def on_mount(self) -> None:
        if self.app.ws is not None:
            self._load(self.app.ws.path, clock.today())

    @work(thread=True, exclusive=True, group="presentation", exit_on_error=False)
    def _load(self, path, today):
        from elo_tui.services.presentation import load_slides_from

        return load_slides_from(path, today)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "presentation":
            return
        if event.state == WorkerState.SUCCESS:
            self.slides = event.worker.result or []
            self.index = 0
            self.show_slide()
        elif event.state == WorkerState.ERROR:
            self.query_one("#pres-title", Static).update(
                Text(f"Kon de cijfers niet berekenen: {event.worker.error}")
            )

    # -- actions --------------------------------------------------------------------------

    def action_next(self) -> None:
        self._step(1)

    def action_previous(self) -> None:
        self._step(-1)

    def _step(self, delta: int) -> None:
        if self.slides:
            self.index = (self.index + delta) % len(self.slides)
            self.show_slide()

    def action_leave(self) -> None:
        self.dismiss()

    # -- the slide ------------------------------------------------------------------------

    def _fill(self, box_id: str, label: str | None, value: str, sub: str) -> None:
        box = self.query_one(f"#{box_id}", Vertical)
        if label is not None:
            box.query_one(".pres-label", Static).update(Text(label))
        box.query_one(Digits).update(value)
        box.query_one(".pres-sub", Static).update(Text(sub))

    def show_slide(self) -> None:
        slide = self.slides[self.index]
        kind = "Entiteit" if slide.kind == "entity" else "Toepassing"
        self.query_one("#pres-title", Static).update(Text(f"{kind}: {slide.title}"))
        apps = len(self.slides) - 1
        self.query_one("#pres-where", Static).update(
            Text(
                f"{self.index + 1} van {len(self.slides)} · entiteit en "
                f"{apps} toepassing{'en' if apps != 1 else ''} · "
                f"{format_number(slide.products)} product{'en' if slide.products != 1 else ''}"
            )
        )
        days = slide.days_to_deadline
        self._fill(
            "pres-days",
            "Dagen tot 30 juni 2027" if days >= 0 else "Dagen voorbij 30 juni 2027",
            format_number(abs(days)),
            f"01/01/2027 (opname): {self._days_text(slide.days_to_admission)}",
        )
        c = slide.conform
        self._fill(
            "pres-conform",
            None,
            big_percent(c.percent),
            f"{format_number(c.done)} van {plural(c.applicable, 'product', 'producten')} "
            "(zelf verklaard)",
        )
        for n, r in enumerate(slide.requirements):
            self._fill(
                f"pres-req-{n}",
                REQUIREMENT_SHORT.get(r.label, r.label),
                big_percent(r.percent),
                f"{format_number(r.done)} van {format_number(r.applicable)}",
            )
        note = (
            f"{format_number(slide.at_risk)} product{'en' if slide.at_risk != 1 else ''} "
            "met risico op vertraging voor 30 juni 2027. Vereisten: aandeel van de "
            "producten waarvoor ze gelden."
        )
        self.query_one("#pres-note", Static).update(Text(note))

    @staticmethod
    def _days_text(days: int) -> str:
        if days >= 0:
            return f"nog {plural(days, 'dag', 'dagen')}"
        return f"{plural(-days, 'dag', 'dagen')} voorbij"
