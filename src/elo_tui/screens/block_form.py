"""Edit one cell of the block matrix: applicability, motivering, stage, target date,
evidence, "wacht op bouwsteen", note. An application-level block is stored on the
application: the form says how many products follow, and lets you pick the application
when a product uses two.

Building a form with selects and a text area costs Textual ~0.3 s, too slow for a key
pressed on every cell: the matrix installs one form and reuses it (`prepare`), so only
the first edit pays for it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Select, Static, TextArea

from elo_tui.domain.blocks import (
    APPLICABILITY,
    BLOCKS_BY_CODE,
    PAIRS,
    SCOPE_APPLICATION,
    STAGE_LABELS,
    STAGES,
)
from elo_tui.domain.formats import date_for_entry
from elo_tui.screens.form import FormScreen, repaint_with_resume, update_static
from elo_tui.services import clock
from elo_tui.services.mapping import Mapping, MatrixRow, set_block_status, status_values

FIELDS = (
    "applicability",
    "reason",
    "stage",
    "target_date",
    "evidence",
    "waiting_on_block",
    "waiting_reason",
    "note",
)
YES_NO = [("nee", "nee"), ("ja", "ja")]
INSTALLED_NAME = "elo-block-form"


class BlockForm(FormScreen):
    """Dismisses with the saved BlockStatus, or None when cancelled."""

    DEFAULT_CSS = """
    BlockForm #block-info { color: $text-muted; height: auto; }
    BlockForm #scope-box { height: auto; }
    BlockForm #suggestion-row { height: auto; padding: 1 0 0 0; }
    BlockForm #suggestion { width: 1fr; height: auto; color: $warning; }
    """

    def __init__(self, mapping: Mapping, row: MatrixRow, block: str) -> None:
        super().__init__()
        self._shown: dict[str, Text] = {}  # selector -> text shown (see _show_text)
        self._scope_options: list[tuple[str, str]] | None = None
        self._target(mapping, row, block)

    def _target(self, mapping: Mapping, row: MatrixRow, block: str) -> None:
        self.mapping = mapping
        self.row = row
        self.block = block
        self.scopes = mapping.edit_scopes(row, block)
        self.scope = self.scopes[0]
        self.TITLE_TEXT = f"{BLOCKS_BY_CODE[block].label} – {row.name}"

    def prepare(self, mapping: Mapping, row: MatrixRow, block: str) -> None:
        """Point a reused form at another cell (before pushing it again)."""
        self._target(mapping, row, block)
        if self.is_mounted:
            self._fill()

    # -- layout --------------------------------------------------------------------------

    def compose_fields(self) -> ComposeResult:
        yield Static("", id="block-info")
        with Vertical(id="scope-box"):
            yield from self.field(
                "scope",
                "Toepassing (dit product gebruikt er twee)",
                Select([], allow_blank=True, prompt="Toepassing"),
            )
        yield from self.field(
            "applicability",
            "Toepasselijkheid",
            Select([(label, key) for key, label in APPLICABILITY.items()], allow_blank=False),
        )
        with Horizontal(id="suggestion-row"):
            yield Static("", id="suggestion")
            yield Button("Voorstel overnemen", id="take-suggestion")
        yield from self.field("reason", "Motivering (verplicht bij 'Niet van toepassing')", Input())
        yield from self.field(
            "stage", "Fase", Select([(STAGE_LABELS[s], s) for s in STAGES], allow_blank=False)
        )
        yield from self.field(
            "target_date",
            "Streefdatum in productie (dd/mm/jjjj)",
            Input(placeholder="31/12/2026"),
        )
        yield from self.field(
            "evidence",
            "Bewijs (link of bestandsverwijzing)",
            Input(placeholder="https://… of G:/dossiers/…"),
        )
        yield from self.field(
            "waiting_on_block",
            "Wacht op bouwsteen? (de bouwsteen of de formulieren- en opvolgingstool is nog "
            "niet beschikbaar bij Digitaal Vlaanderen)",
            Select(YES_NO, allow_blank=False, value="nee"),
        )
        yield from self.field("waiting_reason", "Waarop wordt gewacht (toelichting)", Input())
        yield from self.field("note", "Notitie", TextArea())
        from elo_tui.widgets.review_panel import ReviewPanel

        yield ReviewPanel(self.app.ws, "")  # VLAIO's feedback on this status, if any

    def on_mount(self) -> None:
        self._fill()

    def _fill(self) -> None:
        """Show the current cell: title, scope choice, stored values, suggestion."""
        self._show_text("#form-title", Text(self.TITLE_TEXT))
        self.show_errors({})
        box = self.query_one("#scope-box")
        box.display = len(self.scopes) > 1
        if box.display:  # hidden with one scope: its choice is self.scope
            scope_select = self.query_one("#f-scope", Select)
            options = [(self.mapping.scope_name(k, i), f"{k}:{i}") for k, i in self.scopes]
            with self.prevent(Select.Changed):
                if options != self._scope_options:
                    scope_select.set_options([(Text(name), key) for name, key in options])
                    self._scope_options = options
                scope_select.value = f"{self.scope[0]}:{self.scope[1]}"
        self._show_values()
        applicability = self.query_one("#f-applicability", Select)
        if self.focused is not applicability:  # focus() repaints even a focused widget
            applicability.focus()

    def _show_text(self, selector: str, text: Text) -> None:
        """Update a Static only when its text changed, and without a layout pass when its
        height stays: the form is refilled for every cell (most lines stay the same)."""
        if self._shown.get(selector) != text:
            self._shown[selector] = text
            update_static(self.query_one(selector, Static), text)

    def _show_values(self) -> None:
        from elo_tui.widgets.review_panel import ReviewPanel

        status = self.mapping.status(*self.scope, self.block)
        panel = self.query_one(ReviewPanel)
        panel.record_id = status.id if status is not None else ""
        panel.reload()
        values = status_values(status)
        applicability = values["applicability"]
        stage = values["stage"]
        # Reactive values: setting the value a field already has costs nothing.
        self.query_one("#f-applicability", Select).value = (
            applicability if applicability in APPLICABILITY else "undecided"
        )
        self.query_one("#f-stage", Select).value = stage if stage in STAGES else "not_started"
        for key in ("reason", "evidence", "waiting_reason"):
            self.query_one(f"#f-{key}", Input).value = values[key]
        # Stored ISO, shown and typed Belgian (the service reads both).
        self.query_one("#f-target_date", Input).value = date_for_entry(values["target_date"])
        self.query_one("#f-waiting_on_block", Select).value = (
            "ja" if values["waiting_on_block"] else "nee"
        )
        note = self.query_one("#f-note", TextArea)
        if note.text != values["note"]:  # loading a text resets and repaints the area
            note.text = values["note"]
        self._show_text("#block-info", self._info_text())
        suggestion = self.mapping.suggestion(*self.scope, self.block)
        self._show_text("#suggestion", self._suggestion_text())
        self.query_one("#take-suggestion", Button).display = suggestion is not None

    def _info_text(self) -> Text:
        kind, scope_id = self.scope
        block = BLOCKS_BY_CODE[self.block]
        extra = f" Bouwsteen {PAIRS[block.pair]}."
        if block.availability:
            extra += f" Beschikbaarheid: {block.availability}."
        if self.mapping.is_new_scope(kind, scope_id):
            extra += (
                " Nieuwe of grondig vernieuwde toepassing: vereist vanaf de start; "
                "'niet van toepassing' of de formulieren- en opvolgingstool enkel met een "
                "aanvaarde uitzondering (beslissing 5°)."
            )
        extra += (
            " Formulieren- en opvolgingstool: een plan, telt pas mee als de route in "
            "productie is; wat de tool dekt, is nog onbekend."
        )
        if kind == SCOPE_APPLICATION:
            n = len(self.mapping.affected_products(kind, scope_id))
            name = self.mapping.scope_name(kind, scope_id)
            return Text(
                f"Per toepassing: '{name}'. Een wijziging geldt voor alle {n} "
                f"product{'en' if n != 1 else ''} van deze toepassing. "
                f"Deadline: {block.deadline.label}.{extra}"
            )
        return Text(f"Per product. Deadline: {block.deadline.label}.{extra}")

    def _suggestion_text(self) -> Text:
        s = self.mapping.suggestion(*self.scope, self.block)
        if s is None:
            return Text("Geen voorstel: beslis zelf.")
        source = "" if s.sourced else " (aanname, controleer)"
        return Text(f"Voorstel: {APPLICABILITY[s.applicability]}{source}. {s.why}")

    # -- events ---------------------------------------------------------------------------

    @on(Select.Changed, "#f-scope")
    def _scope_changed(self, event: Select.Changed) -> None:
        if not isinstance(event.value, str):
            return
        kind, scope_id = event.value.split(":", 1)
        if (kind, scope_id) != self.scope:
            self.scope = (kind, scope_id)
            self._show_values()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "take-suggestion":
            event.stop()
            self.take_suggestion()
            return
        super().on_button_pressed(event)

    def take_suggestion(self) -> None:
        s = self.mapping.suggestion(*self.scope, self.block)
        if s is None:
            return
        self.query_one("#f-applicability", Select).value = s.applicability
        reason = self.query_one("#f-reason", Input)
        if s.reason and not reason.value.strip():
            reason.value = s.reason

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    # -- saving ---------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        return {k: self.value(k) for k in FIELDS}

    def submit(self, values: dict[str, Any]) -> Any:
        saved, errors = set_block_status(
            self.app.ws, *self.scope, self.block, values, self.mapping.today or clock.today()
        )
        return errors if errors else saved


def open_block_form(screen, mapping: Mapping, row: MatrixRow, block: str, callback) -> None:
    """Push the (reused) block form for one cell of `screen`'s matrix."""
    app = screen.app

    def saved(status) -> None:
        callback(status)
        if status is not None:  # the matrix changed: one frame for it and the resume
            repaint_with_resume(screen)

    if app.is_screen_installed(INSTALLED_NAME):
        form = app.get_screen(INSTALLED_NAME)
        form.prepare(mapping, row, block)
        app.push_screen(form, saved)
        # Pushed again: Textual repaints it whole; what prepare() changed goes in that frame.
        repaint_with_resume(form)
    else:
        form = BlockForm(mapping, row, block)
        app.install_screen(form, INSTALLED_NAME)
        app.push_screen(form, saved)
