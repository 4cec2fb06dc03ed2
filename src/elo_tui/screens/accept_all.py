"""Take all suggestions of a product, an application or the whole workspace: choose the
scope, see what changes (record, block, from -> to), then confirm or cancel.

The preview is one text widget with the first PREVIEW_LINES lines and counts for the
rest: at 20,000 products "everything" is tens of thousands of cells, not widgets.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from elo_tui.domain.blocks import APPLICABILITY, BLOCKS_BY_CODE, SCOPE_APPLICATION
from elo_tui.domain.formats import format_number, plural
from elo_tui.keymap import KeyedBindings
from elo_tui.services import mapping as svc
from elo_tui.widgets.keybar import KeyBar

PREVIEW_LINES = 200
SCOPE_ORDER = (svc.ACCEPT_PRODUCT, svc.ACCEPT_APPLICATION, svc.ACCEPT_ALL)
SCOPE_TITLES = {
    svc.ACCEPT_PRODUCT: "p: dit product",
    svc.ACCEPT_APPLICATION: "t: deze toepassing en haar producten",
    svc.ACCEPT_ALL: "a: alles",
}


def change_line(m: svc.Mapping, c: svc.SuggestionChange) -> Text:
    """'Aanvraagportaal · SSO: nog te beslissen → vereist' (with the refusal, if any)."""
    before = APPLICABILITY.get(c.before, c.before) if c.before else "niet ingevuld"
    after = APPLICABILITY.get(c.after, c.after)
    what = "toepassing " if c.scope_kind == SCOPE_APPLICATION else ""
    line = Text.assemble(
        f"{what}{m.scope_name(c.scope_kind, c.scope_id)} · ",
        (BLOCKS_BY_CODE[c.block].label, "bold"),
        f": {before.lower()} → ",
        (after.lower(), "dim" if c.refused else "green"),
    )
    if c.refused:
        line.append(f"  niet overgenomen: {c.refused}", style="yellow")
    return line


class AcceptAllDialog(KeyedBindings, ModalScreen[svc.AcceptPlan | None]):
    """Dismisses with the plan to apply, or None (nothing changes)."""

    KEY_SCOPE = "accept_all"
    DEFAULT_CSS = """
    AcceptAllDialog { align: center middle; }
    AcceptAllDialog > Vertical {
        width: 100; max-width: 95%; height: 80%; border: thick $primary;
        background: $surface; padding: 0 1;
    }
    AcceptAllDialog #scopes { height: auto; }
    AcceptAllDialog #summary { height: auto; padding-top: 1; }
    AcceptAllDialog #preview-scroll { height: 1fr; border: round $panel; }
    AcceptAllDialog Horizontal { height: auto; align-horizontal: right; }
    AcceptAllDialog Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("p", "scope('product')", "Dit product"),
        Binding("t", "scope('application')", "Deze toepassing"),
        Binding("a", "scope('all')", "Alles"),
        Binding("enter,j", "confirm", "Overnemen"),
        Binding("escape,n", "cancel", "Annuleren"),
    ]

    def __init__(self, mapping: svc.Mapping, row: svc.MatrixRow | None) -> None:
        super().__init__()
        self.mapping = mapping
        self.scopes = svc.accept_scopes(mapping, row)
        self.plans: dict[str, svc.AcceptPlan] = {
            scope: svc.plan_accept(mapping, scope, name, cells)
            for scope, (name, cells) in self.scopes.items()
        }
        self.scope = next(s for s in SCOPE_ORDER if s in self.scopes)

    @property
    def plan(self) -> svc.AcceptPlan:
        return self.plans[self.scope]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Alle voorstellen overnemen", style="bold"), id="title")
            yield Static(id="scopes")
            yield Static(id="summary")
            with VerticalScroll(id="preview-scroll"):
                yield Static(id="preview")
            with Horizontal():
                yield Button("Annuleren (Esc)", id="cancel")
                yield Button("Overnemen (Enter)", variant="primary", id="confirm")
        yield KeyBar()

    def on_mount(self) -> None:
        self.show()
        self.query_one("#preview-scroll").focus()

    def show(self) -> None:
        lines = []
        for scope in SCOPE_ORDER:
            if scope not in self.plans:
                continue
            plan = self.plans[scope]
            n = len(plan.allowed)
            text = f"{SCOPE_TITLES[scope]} ({plan.scope_name}): {plural(n, 'cel', 'cellen')}"
            style = "bold reverse" if scope == self.scope else ""
            lines.append(Text(("▶ " if scope == self.scope else "  ") + text, style=style))
        self.query_one("#scopes", Static).update(Text("\n").join(lines))
        plan = self.plan
        allowed, refused = plan.allowed, plan.refused
        summary = Text(
            (
                "1 cel krijgt haar voorstel"
                if len(allowed) == 1
                else f"{format_number(len(allowed))} cellen krijgen hun voorstel"
            )
            + (f", {format_number(len(refused))} niet (zie onder)" if refused else "")
            + ". Enkel cellen die nog te beslissen zijn; wat iemand al besliste blijft. "
            "Alles in één keer bewaard; ctrl+z maakt het in één stap ongedaan."
        )
        self.query_one("#summary", Static).update(summary)
        shown = [*allowed, *refused][:PREVIEW_LINES]
        preview = Text("\n").join(change_line(self.mapping, c) for c in shown)
        rest = len(plan.changes) - len(shown)
        if not plan.changes:
            preview = Text("Geen voorstellen voor onbesliste cellen: er verandert niets.")
        elif rest:
            preview.append(f"\n… en nog {plural(rest, 'cel', 'cellen')} (niet alle getoond)")
        self.query_one("#preview", Static).update(preview)
        self.query_one("#confirm", Button).disabled = not allowed

    def action_scope(self, scope: str) -> None:
        if scope not in self.plans:
            self.notify("Deze rij is geen product: kies een toepassing of alles.", markup=False)
            return
        self.scope = scope
        self.show()

    def action_confirm(self) -> None:
        if not self.plan.allowed:
            self.notify("Er is niets over te nemen in deze keuze.", markup=False)
            return
        self.dismiss(self.plan)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "confirm":
            self.action_confirm()
        else:
            self.action_cancel()
