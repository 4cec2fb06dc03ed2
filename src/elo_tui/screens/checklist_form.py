"""The form that edits one checklist step (its own module: the checklist screen imports
it, and the forms module with TextArea, only when a step is opened)."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Select, Static, TextArea

from elo_tui.domain import checklists as cl
from elo_tui.domain.formats import date_for_entry
from elo_tui.screens.checklist import step_text
from elo_tui.screens.form import FormScreen
from elo_tui.services import checklists as svc


class ItemForm(FormScreen):
    """Edit one checklist step; dismisses with the saved item."""

    def __init__(self, row: svc.AgendaRow, today) -> None:
        super().__init__()
        self.row = row
        self.today = today
        self.TITLE_TEXT = f"{row.item.title} – {row.scope_name}"

    def compose_fields(self) -> ComposeResult:
        item = self.row.item
        yield Static(step_text(self.row), id="step-info")
        yield from self.field(
            "status",
            "Status",
            Select(
                [(label, key) for key, label in cl.ITEM_STATUSES.items()],
                allow_blank=False,
                value=item.status if item.status in cl.ITEM_STATUSES else "open",
            ),
        )
        yield from self.field("owner", "Eigenaar (rol of naam)", Input(item.owner))
        yield from self.field(
            "due_date",
            "Vervaldag (dd/mm/jjjj)",
            Input(date_for_entry(item.due_date), placeholder="31/12/2026"),
        )
        yield from self.field(
            "evidence", "Bewijs (link of bestandsverwijzing)", Input(item.evidence)
        )
        yield from self.field("note", "Notitie", TextArea(item.note))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def values(self) -> dict[str, Any]:
        return {k: self.value(k) for k in ("status", "owner", "due_date", "evidence", "note")}

    def submit(self, values: dict[str, Any]) -> Any:
        saved, errors = svc.save_item(self.app.ws, self.row.item, values, self.today)
        return errors if errors else saved
