"""Applications and loketten, and which products each one serves."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Label, Select, Static, TextArea

from elo_tui.domain import codelists
from elo_tui.domain.formats import plural, sort_key
from elo_tui.domain.records import Application, Product
from elo_tui.screens.base import AreaScreen
from elo_tui.screens.form import FormScreen
from elo_tui.screens.store_errors import store_errors
from elo_tui.services import inventory
from elo_tui.widgets.virtual_table import Column, VirtualTable

COLUMNS = [
    Column("name", "Naam", flex=3, min_width=20),
    Column("state", "Nieuw/uitgesloten", width=18),
    Column("kind", "Soort", width=22),
    Column("url", "URL", flex=2, min_width=16),
    Column("supplier", "Leverancier", flex=2, min_width=12),
    Column("products", "Producten", width=9),
]


class AppRow:
    __slots__ = ("app", "n_products")

    def __init__(self, app: Application, n_products: int) -> None:
        self.app = app
        self.n_products = n_products

    def cell(self, key: str) -> str:
        a = self.app
        return {
            "name": a.name,
            "kind": codelists.APPLICATION_KINDS.get(a.kind, a.kind),
            "url": a.url,
            "supplier": a.supplier,
            "products": str(self.n_products),
            "state": " · ".join(
                x for x, on in (("nieuw", a.is_new), ("buiten beschouwing", a.excluded)) if on
            ),
        }[key]


class ApplicationsScreen(AreaScreen):
    MODE = "applications"
    BINDINGS = [
        Binding("a,insert", "add", "Nieuw"),
        Binding("e", "edit", "Bewerken"),
        Binding("d,delete", "delete", "Verwijderen"),
    ]
    DEFAULT_CSS = """
    ApplicationsScreen #served { height: 12; border-top: solid $panel; padding: 0 1; }
    """

    def compose_body(self) -> ComposeResult:
        yield VirtualTable(
            COLUMNS,
            lambda r, k: r.cell(k),
            id="apps",
            empty_text="Nog geen toepassingen. Druk op 'a' om er een toe te voegen.",
        )
        yield Static("", id="served")

    def load(self) -> None:
        ws = self.app.ws
        products = ws.list(Product)
        self.served: dict[str, list[Product]] = {}
        for p in products:
            for app_id in {p.request_application_id, p.followup_application_id} - {""}:
                self.served.setdefault(app_id, []).append(p)
        apps = sorted(ws.list(Application), key=lambda a: sort_key(a.name))
        table = self.query_one(VirtualTable)
        current = table.current
        rows = [AppRow(a, len(self.served.get(a.id, []))) for a in apps]
        keep = next((r for r in rows if current and r.app.id == current.app.id), None)
        table.set_rows(rows, keep=keep)
        table.focus()
        self._show_served(table.current)

    @on(VirtualTable.Highlighted, "#apps")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._show_served(event.row)

    def _show_served(self, row: AppRow | None) -> None:
        panel = self.query_one("#served", Static)
        if row is None:
            panel.update("")
            return
        products = sorted(self.served.get(row.app.id, []), key=lambda p: sort_key(p.name))
        text = Text()
        if row.app.excluded:
            text.append("Buiten beschouwing gelaten", style="bold yellow")
            text.append(f" (niet meegeteld in totalen en risico's): {row.app.exclusion_reason}\n")
        if row.app.is_new:
            text.append(
                "Nieuw (beslissing 5°) of grondig vernieuwd (interpretatie): alle essentiële "
                "bouwstenen vanaf de start; aftoetsing aan de digitale "
                "dienstverleningsstrategie.\n",
                style="cyan",
            )
        text.append(f"Producten van {row.app.name}", style="bold")
        text.append(f" ({len(products)})\n")
        for p in products[:50]:
            roles = []
            if p.request_application_id == row.app.id:
                roles.append("aanvragen")
            if p.followup_application_id == row.app.id:
                roles.append("opvolgen")
            text.append(f"• {p.name}")
            text.append(f"  ({', '.join(roles)})\n", style="dim")
        if len(products) > 50:
            text.append(f"… en nog {len(products) - 50}\n", style="dim")
        if not products:
            text.append(
                "Nog geen producten gekoppeld. Koppel ze in het productformulier.", style="dim"
            )
        panel.update(text)

    def _selected(self) -> Application | None:
        row = self.query_one(VirtualTable).current
        return row.app if row else None

    def action_add(self) -> None:
        self.app.push_screen(ApplicationForm(None), self._after_save)

    def action_edit(self) -> None:
        if (app := self._selected()) is not None:
            self.app.push_screen(ApplicationForm(app), self._after_save)

    @on(VirtualTable.Selected, "#apps")
    def _selected_row(self) -> None:
        self.action_edit()

    def _after_save(self, app: Application | None) -> None:
        if app is not None:
            self.saved()
            self.load()
            from elo_tui.services.mapping import new_application_conflicts

            conflicts = new_application_conflicts(self.app.ws, app)
            if conflicts:
                n = len(conflicts)
                self.notify(
                    f"Let op: {n} onderde{'len staan' if n != 1 else 'el staat'} op 'niet van "
                    "toepassing' of de formulieren- en opvolgingstool zonder aanvaarde "
                    "uitzondering. Een nieuwe toepassing implementeert alle essentiële "
                    "bouwstenen vanaf de start (beslissing 5°): pas ze aan in Bouwstenen (4) "
                    "of vraag een uitzondering aan (9).",
                    severity="warning",
                    timeout=12,
                    markup=False,
                )

    def action_delete(self) -> None:
        app = self._selected()
        if app is None:
            return
        from elo_tui.screens.confirm import ConfirmScreen

        n = len(self.served.get(app.id, []))
        question = Text.assemble("Toepassing ", (app.name, "bold"), " verwijderen?")
        if n:
            refer = "verwijst" if n == 1 else "verwijzen"
            question.append(
                f"\n{plural(n, 'product', 'producten')} {refer} ernaar; die koppeling wordt "
                "leeggemaakt."
            )

        def done(yes: bool | None) -> None:
            if yes:
                with store_errors(self) as attempt:
                    inventory.delete_application(self.app.ws, app.id)
                if attempt.failed:
                    return
                self.saved()
                self.load()

        self.app.push_screen(ConfirmScreen(question, "Verwijderen"), done)


YES_NO = [("nee", "nee"), ("ja", "ja")]


class ApplicationForm(FormScreen):
    def __init__(self, application: Application | None) -> None:
        super().__init__()
        self.application = application
        self.TITLE_TEXT = (
            f"Toepassing bewerken: {application.name}" if application else "Nieuwe toepassing"
        )

    def compose_fields(self) -> ComposeResult:
        a = self.application or Application()
        yield from self.field("name", "Naam *", Input(a.name))
        yield from self.field("url", "URL (https://…)", Input(a.url))
        yield from self.field(
            "kind",
            "Soort",
            Select(
                [(label, key) for key, label in codelists.APPLICATION_KINDS.items()],
                allow_blank=False,
                value=a.kind if a.kind in codelists.APPLICATION_KINDS else "own_application",
            ),
        )
        yield from self.field("supplier", "Leverancier", Input(a.supplier))
        yield from self.field(
            "is_new",
            "Nieuw (beslissing 5°: alle essentiële bouwstenen vanaf de start) of grondig "
            "vernieuwd (interpretatie)?",
            Select(YES_NO, allow_blank=False, value="ja" if a.is_new else "nee"),
        )
        yield from self.field(
            "excluded",
            "In onderling overleg buiten beschouwing gelaten?",
            Select(YES_NO, allow_blank=False, value="ja" if a.excluded else "nee"),
        )
        yield from self.field(
            "exclusion_reason",
            "Reden en afspraak (verplicht als de toepassing buiten beschouwing blijft)",
            Input(a.exclusion_reason),
        )
        yield from self.field("notes", "Notities", TextArea(a.notes))
        yield Label("")

    def values(self) -> dict[str, Any]:
        return {
            k: self.value(k)
            for k in (
                "name",
                "url",
                "kind",
                "supplier",
                "is_new",
                "excluded",
                "exclusion_reason",
                "notes",
            )
        }

    def submit(self, values: dict[str, Any]) -> Any:
        saved, errors = inventory.save_application(self.app.ws, values, self.application)
        if errors:
            return errors
        from elo_tui.services import checklists, clock

        # A new or renewed application gets its aftoetsing checklist (and loses it when
        # it is no longer new; notes kept).
        checklists.save_plan(
            self.app.ws, checklists.plan_for_application(self.app.ws, saved, clock.today())
        )
        return saved
