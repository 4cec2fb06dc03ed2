"""Edit one cell of the block matrix: applicability, reason, stage, target date, evidence,
note. An application-level block is stored on the application: the form says how many
products follow, and lets you pick the application when a product uses two."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Select, Static, TextArea

from elo_tui.domain.blocks import (
    APPLICABILITY,
    BLOCKS_BY_CODE,
    SCOPE_APPLICATION,
    STAGE_LABELS,
    STAGES,
)
from elo_tui.screens.form import FormScreen
from elo_tui.services import clock
from elo_tui.services.mapping import Mapping, MatrixRow, set_block_status, status_values

FIELDS = ("applicability", "reason", "stage", "target_date", "evidence", "note")


class BlockForm(FormScreen):
    """Dismisses with the saved BlockStatus, or None when cancelled."""

    DEFAULT_CSS = """
    BlockForm #block-info { color: $text-muted; height: auto; }
    BlockForm #suggestion-row { height: auto; padding: 1 0 0 0; }
    BlockForm #suggestion { width: 1fr; height: auto; color: $warning; }
    """

    def __init__(self, mapping: Mapping, row: MatrixRow, block: str) -> None:
        super().__init__()
        self.mapping = mapping
        self.row = row
        self.block = block
        self.scopes = mapping.edit_scopes(row, block)
        self.scope = self.scopes[0]
        self.TITLE_TEXT = f"{BLOCKS_BY_CODE[block].label} – {row.name}"

    # -- layout --------------------------------------------------------------------------

    def compose_fields(self) -> ComposeResult:
        values = status_values(self.mapping.status(*self.scope, self.block))
        yield Static(self._info_text(), id="block-info")
        if len(self.scopes) > 1:
            options = [(Text(self.mapping.scope_name(k, i)), f"{k}:{i}") for k, i in self.scopes]
            yield from self.field(
                "scope",
                "Toepassing (dit product gebruikt er twee)",
                Select(options, allow_blank=False, value=f"{self.scope[0]}:{self.scope[1]}"),
            )
        yield from self.field(
            "applicability",
            "Toepasselijkheid",
            Select(
                [(label, key) for key, label in APPLICABILITY.items()],
                allow_blank=False,
                value=values["applicability"]
                if values["applicability"] in APPLICABILITY
                else "undecided",
            ),
        )
        with Horizontal(id="suggestion-row"):
            yield Static(self._suggestion_text(), id="suggestion")
            yield Button("Voorstel overnemen", id="take-suggestion")
        yield from self.field(
            "reason",
            "Reden (verplicht bij 'Niet van toepassing': pas toe of leg uit)",
            Input(values["reason"]),
        )
        yield from self.field(
            "stage",
            "Fase",
            Select(
                [(STAGE_LABELS[s], s) for s in STAGES],
                allow_blank=False,
                value=values["stage"] if values["stage"] in STAGES else "not_started",
            ),
        )
        yield from self.field(
            "target_date",
            "Streefdatum in productie (JJJJ-MM-DD)",
            Input(values["target_date"], placeholder="2026-12-31"),
        )
        yield from self.field(
            "evidence",
            "Bewijs (link of bestandsverwijzing)",
            Input(values["evidence"], placeholder="https://… of G:/dossiers/…"),
        )
        yield from self.field("note", "Notitie", TextArea(values["note"]))

    def on_mount(self) -> None:
        self._show_suggestion()

    def _info_text(self) -> Text:
        kind, scope_id = self.scope
        block = BLOCKS_BY_CODE[self.block]
        if kind == SCOPE_APPLICATION:
            n = len(self.mapping.affected_products(kind, scope_id))
            name = self.mapping.scope_name(kind, scope_id)
            return Text(
                f"Per toepassing: '{name}'. Een wijziging geldt voor alle {n} "
                f"product{'en' if n != 1 else ''} van deze toepassing. "
                f"Deadline: {block.deadline.label}."
            )
        return Text(f"Per product. Deadline: {block.deadline.label}.")

    def _suggestion_text(self) -> Text:
        s = self.mapping.suggestion(*self.scope, self.block)
        if s is None:
            return Text("Geen voorstel: beslis zelf.")
        source = "" if s.sourced else " (aanname, controleer)"
        return Text(f"Voorstel: {APPLICABILITY[s.applicability]}{source}. {s.why}")

    def _show_suggestion(self) -> None:
        s = self.mapping.suggestion(*self.scope, self.block)
        self.query_one("#suggestion", Static).update(self._suggestion_text())
        self.query_one("#take-suggestion", Button).display = s is not None

    # -- events ---------------------------------------------------------------------------

    @on(Select.Changed, "#f-scope")
    def _scope_changed(self, event: Select.Changed) -> None:
        if not isinstance(event.value, str):
            return
        kind, scope_id = event.value.split(":", 1)
        self.scope = (kind, scope_id)
        values = status_values(self.mapping.status(kind, scope_id, self.block))
        self.query_one("#f-applicability", Select).value = values["applicability"]
        self.query_one("#f-stage", Select).value = values["stage"]
        for key in ("reason", "target_date", "evidence"):
            self.query_one(f"#f-{key}", Input).value = values[key]
        self.query_one("#f-note", TextArea).text = values["note"]
        self.query_one("#block-info", Static).update(self._info_text())
        self._show_suggestion()

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
