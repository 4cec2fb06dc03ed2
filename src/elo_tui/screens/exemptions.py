"""The register of exemptions and justified delays (area 9, "Uitzonderingen").

An exemption asks to deviate "behoudens gegronde redenen" (beslissing 1° and 2°); a
delay asks a later date for a "gerechtvaardigde vertraging (technisch/budgettair)"
(governance). Both are per product or application and per requirement or block part.
VLAIO decides; the status (gevraagd / aanvaard / geweigerd) and its comment come back
with the synchronisation as a review. The rules live in domain/decisions.py.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Select, Static, TextArea

from elo_tui.domain.decisions import (
    DECISION_BODIES,
    DELAY_KINDS,
    DELAY_QUOTE,
    EXEMPTION_QUOTE,
    subject_choices,
)
from elo_tui.domain.formats import date_for_entry, format_date, sort_key
from elo_tui.domain.records import Application, Delay, Exemption, Product
from elo_tui.screens.base import AreaScreen
from elo_tui.screens.form import FormScreen
from elo_tui.screens.store_errors import store_errors
from elo_tui.services import decisions as svc
from elo_tui.widgets.virtual_table import Column, VirtualTable

COLUMNS = [
    Column("kind", "Soort", width=13),
    Column("scope", "Product of toepassing", flex=3, min_width=20),
    Column("subject", "Vereiste of bouwsteen", flex=2, min_width=16),
    Column("status", "Status", width=10),
    Column("detail", "Grond / datum", flex=3, min_width=16),
    Column("requested_on", "Gevraagd op", width=11),
]
STATUS_STYLES = {"requested": "yellow", "accepted": "green", "refused": "red"}


def _cell(row: svc.RegisterRow, key: str) -> str | Text:
    text = row.cell(key)
    if key == "status":
        return Text(text, style=STATUS_STYLES.get(row.decision.status, ""))
    return Text(text)


class ExemptionsScreen(AreaScreen):
    MODE = "exemptions"
    BINDINGS = [
        Binding("a,insert", "add_exemption", "Nieuwe uitzondering"),
        Binding("v", "add_delay", "Nieuwe vertraging"),
        Binding("e", "edit", "Bewerken"),
        Binding("d,delete", "delete", "Verwijderen"),
    ]
    DEFAULT_CSS = """
    ExemptionsScreen #register-detail { height: 9; border-top: solid $panel; padding: 0 1; }
    """

    def compose_body(self) -> ComposeResult:
        yield VirtualTable(
            COLUMNS,
            _cell,
            id="register",
            empty_text=(
                "Nog geen uitzonderingen of vertragingen. 'a': uitzondering aanvragen "
                "(behoudens gegronde redenen), 'v': gerechtvaardigde vertraging."
            ),
        )
        yield Static("", id="register-detail")

    def load(self) -> None:
        table = self.query_one(VirtualTable)
        current = table.current
        rows = svc.register_rows(self.app.ws)
        keep = next((r for r in rows if current and r.record.id == current.record.id), None)
        table.set_rows(rows, keep=keep)
        table.focus()
        self._show_detail(table.current)

    @on(VirtualTable.Highlighted, "#register")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._show_detail(event.row)

    def _show_detail(self, row: svc.RegisterRow | None) -> None:
        panel = self.query_one("#register-detail", Static)
        if row is None:
            panel.update(Text(f"{EXEMPTION_QUOTE}\n{DELAY_QUOTE}", style="dim"))
            return
        r = row.record
        text = Text()
        text.append(f"{row.kind_label} – {row.cell('subject')} – {row.cell('scope')}\n", "bold")
        text.append("Status: ")
        text.append(row.decision.label, style=STATUS_STYLES.get(row.decision.status, ""))
        if row.decision.status != "requested":
            who = row.decision.reviewer or "VLAIO"
            text.append(f" ({who}, {format_date(row.decision.day) or row.decision.day})")
            if row.decision.comment:
                text.append(f": {row.decision.comment}")
        text.append("\n")
        if isinstance(r, Exemption):
            body = DECISION_BODIES.get(r.decision_body, r.decision_body)
            text.append(f"Gegronde reden: {r.ground}\nBeslist door: {body}\n")
            text.append(
                "Indien aanvaard: telt niet als conform en niet als te laat.\n" + EXEMPTION_QUOTE,
                style="dim",
            )
        else:
            text.append(
                f"Oorspronkelijke datum {format_date(r.original_date or '2027-06-30')} → "
                f"nieuwe datum {format_date(r.new_date) or r.new_date} "
                f"({DELAY_KINDS.get(r.delay_kind, r.delay_kind)})\n"
                f"Reden: {r.reason}\n"
            )
            text.append(
                "Indien aanvaard: het onderdeel wordt aan de nieuwe datum gemeten.\n" + DELAY_QUOTE,
                style="dim",
            )
        panel.update(text)

    def _selected(self) -> svc.RegisterRow | None:
        return self.query_one(VirtualTable).current

    def action_add_exemption(self) -> None:
        self.app.push_screen(ExemptionForm(None), self._after_save)

    def action_add_delay(self) -> None:
        self.app.push_screen(DelayForm(None), self._after_save)

    def action_edit(self) -> None:
        row = self._selected()
        if row is None:
            return
        form = (
            ExemptionForm(row.record)
            if isinstance(row.record, Exemption)
            else DelayForm(row.record)
        )
        self.app.push_screen(form, self._after_save)

    @on(VirtualTable.Selected, "#register")
    def _selected_row(self) -> None:
        self.action_edit()

    def _after_save(self, record) -> None:
        if record is not None:
            self.saved()
            self.load()

    def action_delete(self) -> None:
        row = self._selected()
        if row is None:
            return
        from elo_tui.screens.confirm import ConfirmScreen

        question = Text.assemble(
            f"{row.kind_label} voor ", (row.cell("scope"), "bold"), " verwijderen?"
        )

        def done(yes: bool | None) -> None:
            if yes:
                with store_errors(self) as attempt:
                    svc.delete(self.app.ws, row.record)
                if attempt.failed:
                    return
                self.saved()
                self.load()

        self.app.push_screen(ConfirmScreen(question, "Verwijderen"), done)


# -- forms ------------------------------------------------------------------------------------


class _DecisionForm(FormScreen, abstract=True):
    """Fields shared by exemptions and delays: scope and subject."""

    record: Exemption | Delay | None

    def _scope_options(self) -> list[tuple[Text, str]]:
        ws = self.app.ws
        apps = sorted(ws.list(Application), key=lambda a: sort_key(a.name))
        products = sorted(ws.list(Product), key=lambda p: sort_key(p.name))
        return [(Text(f"Toepassing: {a.name}"), f"application:{a.id}") for a in apps] + [
            (Text(f"Product: {p.name}"), f"product:{p.id}") for p in products
        ]

    def compose_scope(self) -> ComposeResult:
        r = self.record
        value = f"{r.scope_kind}:{r.scope_id}" if r is not None else Select.NULL
        options = self._scope_options()
        if value is not Select.NULL and value not in {v for _, v in options}:
            value = Select.NULL
        yield from self.field(
            "scope",
            "Product of toepassing *",
            Select(options, allow_blank=True, prompt="Kies…", value=value),
        )
        subjects = subject_choices()
        yield from self.field(
            "subject",
            "Vereiste of bouwsteen *",
            Select(
                [(label, code) for code, label in subjects.items()],
                allow_blank=True,
                prompt="Kies…",
                value=r.subject if r is not None and r.subject in subjects else Select.NULL,
            ),
        )

    def scope_values(self) -> dict[str, Any]:
        scope = self.value("scope")
        kind, _, scope_id = scope.partition(":") if scope else ("", "", "")
        return {"scope_kind": kind, "scope_id": scope_id, "subject": self.value("subject")}

    def show_errors(self, errors: dict[str, str]) -> None:
        # The scope is one field on screen, two in the record.
        errors = dict(errors)
        for key in ("scope_kind", "scope_id"):
            if key in errors:
                errors.setdefault("scope", errors.pop(key))
        super().show_errors(errors)


def _date_input(stored: str) -> Input:
    """A date field: the stored ISO date shown Belgian; the service reads what is typed
    (15/01/2027, 15-1-2027 or 2027-01-15) and stores ISO."""
    return Input(date_for_entry(stored), placeholder="15/01/2027")


class ExemptionForm(_DecisionForm):
    record: Exemption | None

    def __init__(self, record: Exemption | None) -> None:
        super().__init__()
        self.record = record
        self.TITLE_TEXT = (
            "Uitzondering bewerken" if record else "Uitzondering aanvragen (gegronde redenen)"
        )

    def compose_fields(self) -> ComposeResult:
        r = self.record or Exemption()
        yield Static(Text(EXEMPTION_QUOTE, style="dim"))
        yield from self.compose_scope()
        yield from self.field("ground", "Gegronde reden *", TextArea(r.ground))
        yield from self.field(
            "decision_body",
            "Wie beslist",
            Select(
                [(label, key) for key, label in DECISION_BODIES.items()],
                allow_blank=False,
                value=r.decision_body if r.decision_body in DECISION_BODIES else "",
            ),
        )
        yield from self.field("requested_by", "Gevraagd door", Input(r.requested_by))
        yield from self.field(
            "requested_on", "Gevraagd op (dd/mm/jjjj)", _date_input(r.requested_on)
        )
        yield from self.field("note", "Notitie", TextArea(r.note))

    def values(self) -> dict[str, Any]:
        out = self.scope_values()
        for key in ("ground", "decision_body", "requested_by", "requested_on", "note"):
            out[key] = self.value(key)
        return out

    def submit(self, values: dict[str, Any]) -> Any:
        saved, errors = svc.save_exemption(self.app.ws, values, self.record)
        return errors if errors else saved


class DelayForm(_DecisionForm):
    record: Delay | None

    def __init__(self, record: Delay | None) -> None:
        super().__init__()
        self.record = record
        self.TITLE_TEXT = (
            "Vertraging bewerken" if record else "Gerechtvaardigde vertraging aanvragen"
        )

    def compose_fields(self) -> ComposeResult:
        r = self.record or Delay(original_date="2027-06-30")
        yield Static(Text(DELAY_QUOTE, style="dim"))
        yield from self.compose_scope()
        yield from self.field(
            "delay_kind",
            "Soort vertraging",
            Select(
                [(label, key) for key, label in DELAY_KINDS.items()],
                allow_blank=False,
                value=r.delay_kind if r.delay_kind in DELAY_KINDS else "technical",
            ),
        )
        yield from self.field(
            "original_date", "Oorspronkelijke datum (dd/mm/jjjj)", _date_input(r.original_date)
        )
        yield from self.field("new_date", "Nieuwe datum (dd/mm/jjjj) *", _date_input(r.new_date))
        yield from self.field("reason", "Reden *", TextArea(r.reason))
        yield from self.field("requested_by", "Gevraagd door", Input(r.requested_by))
        yield from self.field(
            "requested_on", "Gevraagd op (dd/mm/jjjj)", _date_input(r.requested_on)
        )
        yield from self.field("note", "Notitie", TextArea(r.note))

    def values(self) -> dict[str, Any]:
        out = self.scope_values()
        for key in (
            "delay_kind",
            "original_date",
            "new_date",
            "reason",
            "requested_by",
            "requested_on",
            "note",
        ):
            out[key] = self.value(key)
        return out

    def submit(self, values: dict[str, Any]) -> Any:
        saved, errors = svc.save_delay(self.app.ws, values, self.record)
        return errors if errors else saved
