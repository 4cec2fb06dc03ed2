"""The import wizard: file -> column and value mapping -> preview -> import -> result.

Thin on purpose: reading is `io.tabular`, every decision is `services.product_import`;
this screen only shows the proposal, lets a person change it and reports the outcome.
Reading the file and checking the rows run in a worker thread so a big XLSX never
freezes the interface; the import itself is one transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Input, Label, Select, Static

from elo_tui.domain.formats import format_number, plural
from elo_tui.domain.to_check import shorten
from elo_tui.widgets.keybar import KeyBar
from elo_tui.widgets.virtual_table import Column, VirtualTable

if TYPE_CHECKING:
    from elo_tui.app import OpenEloApp
    from elo_tui.io.tabular import Table
    from elo_tui.services import product_import as pi

STEPS = {
    "step-file": "stap 1 van 3: bestand kiezen",
    "step-mapping": "stap 2 van 3: kolommen en waarden koppelen",
    "step-preview": "stap 3 van 3: controleren en importeren",
    "step-done": "klaar",
}
IGNORE = "\x00leeg"  # Select value for "leave this value out" (Select has no "" choice)

PREVIEW_COLUMNS = [
    Column("row", "Rij", width=5),
    Column("status", "Status", width=11),
    Column("name", "Naam", flex=3, min_width=16),
    Column("detail", "Details", flex=4, min_width=16),
]
REJECTED_COLUMNS = [
    Column("row", "Rij", width=5),
    Column("status", "Status", width=14),
    Column("name", "Naam", flex=2, min_width=14),
    Column("reason", "Reden", flex=5, min_width=20),
]


def _cell(line: Any, key: str) -> str:
    value = getattr(line, key, "")
    return str(value) if value is not None else ""


class ImportWizard(Screen):
    """Push with `app.push_screen(ImportWizard(path=None))`; needs `app.ws`."""

    if TYPE_CHECKING:  # for the type checker: the app is ours (ws, settings, …)
        app = getters.app(OpenEloApp)

    DEFAULT_CSS = """
    ImportWizard #wizard-title { text-style: bold; padding: 0 1; background: $panel; }
    ImportWizard #wizard-status { height: auto; padding: 0 1; color: $text-muted; }
    ImportWizard #wizard-status.-error { color: $error; }
    ImportWizard ContentSwitcher { height: 1fr; }
    ImportWizard #step-file { padding: 1 2; }
    ImportWizard #step-file Input { width: 100%; max-width: 120; }
    ImportWizard .hint { color: $text-muted; padding: 1 0 0 0; }
    ImportWizard .section { text-style: bold; padding: 1 0 0 0; }
    ImportWizard #step-mapping { padding: 0 2; }
    ImportWizard .map-row { height: auto; }
    ImportWizard .map-row > Label { width: 32; padding: 0 1 0 0; }
    ImportWizard .map-row > Select { width: 1fr; max-width: 70; }
    ImportWizard .detail { height: auto; max-height: 4; padding: 0 1; background: $panel; }
    ImportWizard #values { height: auto; }
    ImportWizard #step-preview, ImportWizard #step-done { padding: 0 1; }
    ImportWizard #preview { height: 2fr; }
    ImportWizard #rejected, ImportWizard #done-rejected { height: 1fr; }
    """
    BINDINGS = [
        Binding("f2", "next", "Volgende"),
        Binding("f2", "run_import", "Importeren"),
        Binding("f2", "close", "Sluiten"),
        Binding("f3", "back", "Vorige"),
        Binding("escape", "cancel", "Annuleren"),
        Binding("escape", "close", "Sluiten"),
    ]

    def __init__(self, path: str | None = None) -> None:
        super().__init__()
        self.initial_path = path or ""
        self.table: Table | None = None  # once read
        self.mapping: pi.Mapping | None = None
        self.plan: pi.ImportPlan | None = None
        self.result = None  # product_import.ImportResult
        self.busy = False
        self.applying = False
        self._value_keys: dict[str, tuple[str, str]] = {}  # Select id -> (field, value)
        self._syncing = False

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        from elo_tui.services import product_import as pi

        yield Static("", id="wizard-title")
        with ContentSwitcher(initial="step-file"):
            with Vertical(id="step-file"):
                yield Label("Pad naar het CSV- of XLSX-bestand")
                yield Input(
                    self.initial_path, placeholder="bv. ~/Documenten/producten.xlsx", id="path"
                )
                yield Label("Blad (alleen voor XLSX; leeg = het eerste blad met een tabel)")
                yield Input(placeholder="bv. Producten", id="sheet")
                yield Static(
                    Text(
                        "Excel met Belgische instellingen is prima: ';' als scheidingsteken, "
                        "45.000 als duizendtal, € in bedragen, Nederlandse of Engelse "
                        "kolomnamen in eender welke volgorde. Opnieuw importeren werkt "
                        "bestaande producten bij (op IPDC-productnummer, anders op naam)."
                    ),
                    classes="hint",
                )
            with VerticalScroll(id="step-mapping"):
                yield Static("", id="table-info", classes="hint")
                yield Static("Welke kolom bevat wat?", classes="section")
                for f in pi.FIELDS:
                    with Horizontal(classes="map-row"):
                        yield Label(Text(f.label))
                        yield Select([], prompt="(niet inlezen)", id=f"col-{f.key}", compact=True)
                yield Static("", id="ignored", classes="hint")
                yield Vertical(id="values")
            with Vertical(id="step-preview"):
                yield Static("", id="summary", classes="section")
                yield Label(f"Voorbeeld (eerste {pi.PREVIEW_ROWS} rijen)")
                yield VirtualTable(PREVIEW_COLUMNS, _cell, id="preview", empty_text="Geen rijen.")
                yield Static("", id="rejected-title")  # wraps at 80 columns (a Label cuts)
                yield VirtualTable(
                    REJECTED_COLUMNS,
                    _cell,
                    id="rejected",
                    empty_text="Geen geweigerde rijen, niets te controleren.",
                )
                yield Static("", id="rejected-detail", classes="detail")
            with Vertical(id="step-done"):
                yield Static("", id="result", classes="section")
                yield VirtualTable(
                    REJECTED_COLUMNS,
                    _cell,
                    id="done-rejected",
                    empty_text="Alle rijen zijn ingelezen zoals ze er staan.",
                )
                yield Static("", id="done-detail", classes="detail")
        yield Static("", id="wizard-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self._show_step("step-file")
        self.query_one("#path", Input).focus()

    # -- steps -------------------------------------------------------------------------------

    @property
    def step(self) -> str:
        return self.query_one(ContentSwitcher).current or "step-file"

    def _show_step(self, step: str) -> None:
        self.query_one(ContentSwitcher).current = step
        self.query_one("#wizard-title", Static).update(
            Text(f"Productlijst importeren – {STEPS[step]}")
        )
        self._status("")
        self.refresh_bindings()

    def _status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#wizard-status", Static)
        status.update(Text(message))
        status.set_class(error, "-error")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        step = self.step if self.is_mounted else "step-file"
        allowed = {
            "next": step in ("step-file", "step-mapping"),
            "run_import": step == "step-preview",
            "close": step == "step-done",
            "back": step in ("step-mapping", "step-preview"),
            "cancel": step != "step-done",
        }
        return allowed.get(action, True)

    def action_next(self) -> None:
        if self.busy:
            return
        if self.step == "step-file":
            self._start_reading()
        elif self.step == "step-mapping":
            self._start_planning()

    def action_back(self) -> None:
        if self.busy:
            return
        if self.step == "step-mapping":
            self._show_step("step-file")
            self.query_one("#path", Input).focus()
        elif self.step == "step-preview":
            self._show_step("step-mapping")

    def action_cancel(self) -> None:
        if self.applying:
            return  # the transaction finishes (or rolls back) first; then the result shows
        self.workers.cancel_group(self, "import")
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(self.result)

    # -- step 1: read the file -------------------------------------------------------------------

    @on(Input.Submitted, "#path, #sheet")
    def _submitted(self) -> None:
        self.action_next()

    def _start_reading(self) -> None:
        raw = self.query_one("#path", Input).value.strip().strip('"').strip("'")
        if not raw:
            self._status("Geef het pad naar een CSV- of XLSX-bestand.", error=True)
            return
        path = Path(raw).expanduser()
        from elo_tui.screens.roadmap import import_from_wizard  # IPDC JSON-LD (H7)

        if import_from_wizard(self, path):
            return
        sheet = self.query_one("#sheet", Input).value.strip() or None
        self.busy = True
        self._status(f"Bezig met lezen van {path.name}…")
        self._read(path, sheet)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _read(self, path: Path, sheet: str | None) -> None:
        from elo_tui.io.tabular import TabularError, read_table
        from elo_tui.services import product_import as pi

        try:
            table = read_table(path, sheet=sheet)
            mapping = pi.propose_mapping(table)
        except TabularError as exc:
            self.app.call_from_thread(self._read_failed, str(exc))
            return
        except Exception as exc:  # never a traceback for a bad file
            self.app.call_from_thread(self._read_failed, f"Kan '{path}' niet lezen: {exc}")
            return
        # Textual's typing cannot infer the result of an async callback (None here).
        self.app.call_from_thread(self._show_mapping, table, mapping)  # type: ignore[arg-type]

    def _read_failed(self, message: str) -> None:
        self.busy = False
        self._status(message, error=True)
        self.query_one("#path", Input).focus()

    # -- step 2: mapping -------------------------------------------------------------------------

    async def _show_mapping(self, table, mapping) -> None:
        from elo_tui.services import product_import as pi

        self.table, self.mapping = table, mapping
        with self.app.batch_update():  # one repaint for all the selects
            info = "\n".join([f"Gelezen: {table.describe()}.", *table.warnings])
            self.query_one("#table-info", Static).update(Text(info))
            options = [(Text(h), h) for h in table.headers]
            self._syncing = True
            try:
                for f in pi.FIELDS:
                    select = self.query_one(f"#col-{f.key}", Select)
                    select.set_options(options)
                    header = mapping.column(f.key)
                    if header:
                        select.value = header
                    else:
                        select.clear()
            finally:
                self._syncing = False
            self._show_ignored()
            await self._rebuild_values()
            self.busy = False
            self._show_step("step-mapping")
            self.query_one("#col-name", Select).focus()

    def _show_ignored(self) -> None:
        assert self.table is not None and self.mapping is not None  # read in step 1
        ignored = self.mapping.ignored_headers(self.table)
        text = ("Niet ingelezen kolommen: " + ", ".join(ignored)) if ignored else ""
        self.query_one("#ignored", Static).update(Text(text))

    async def _rebuild_values(self) -> None:
        from elo_tui.services import product_import as pi

        box = self.query_one("#values", Vertical)
        await box.remove_children()
        self._value_keys.clear()
        widgets: list[Widget] = []
        n = 0
        assert self.mapping is not None  # read in step 1
        for key in pi.VALUE_FIELDS:
            header = self.mapping.column(key)
            values = self.mapping.values.get(key, {})
            if not header or not values:
                continue
            label = pi.FIELD_BY_KEY[key].label
            widgets.append(
                Static(Text(f"Waarden in kolom '{header}' → {label}"), classes="section")
            )
            choices = [(Text("(leeg laten)"), IGNORE)] + [
                (Text(text), code) for code, text in pi.value_choices(key)
            ]
            for raw, code in values.items():
                n += 1
                select_id = f"val-{n}"
                self._value_keys[select_id] = (key, raw)
                value = IGNORE if code == "" else (code if code else Select.NULL)
                widgets.append(
                    Horizontal(
                        Label(Text(shorten(raw))),
                        Select(
                            choices,
                            prompt="? niet herkend – kies (anders te controleren)",
                            value=value,
                            id=select_id,
                            compact=True,
                        ),
                        classes="map-row",
                    )
                )
        if widgets:
            await box.mount_all(widgets)

    @on(Select.Changed)
    async def _select_changed(self, event: Select.Changed) -> None:
        if self._syncing or self.mapping is None or event.select.id is None:
            return
        select_id = event.select.id
        value = event.value
        if select_id.startswith("col-"):
            await self._column_changed(select_id.removeprefix("col-"), value)
        elif select_id in self._value_keys:
            key, raw = self._value_keys[select_id]
            code = None if value is Select.NULL else ("" if value == IGNORE else str(value))
            self.mapping.set_value(key, raw, code)

    async def _column_changed(self, key: str, value: Any) -> None:
        from elo_tui.services import product_import as pi

        header = "" if value is Select.NULL else str(value)
        assert self.table is not None and self.mapping is not None  # read in step 1
        if self.mapping.column(key) == header:
            return
        self.mapping.set_column(key, header)
        # A column feeds one field: clear the field that had it before.
        self._syncing = True
        try:
            for f in pi.FIELDS:
                select = self.query_one(f"#col-{f.key}", Select)
                if not self.mapping.column(f.key) and select.value is not Select.NULL:
                    select.clear()
        finally:
            self._syncing = False
        self._show_ignored()
        if key in pi.VALUE_FIELDS:
            pi.propose_values(self.table, self.mapping)
            await self._rebuild_values()

    # -- step 3: preview ---------------------------------------------------------------------------

    def _start_planning(self) -> None:
        from elo_tui.services import product_import as pi

        try:
            assert self.table is not None and self.mapping is not None  # read in step 1
            self.mapping.check(self.table)
        except pi.MappingError as exc:
            self._status(str(exc), error=True)
            return
        self.busy = True
        self._status("Bezig met controleren van de rijen…")
        self._plan()

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _plan(self) -> None:
        from elo_tui.services import product_import as pi
        from elo_tui.store import WorkspaceError

        try:
            # Its own connection: a thread must not share the app's (see Workspace.reader).
            reader = self.app.ws.reader()
            try:
                assert self.table is not None and self.mapping is not None  # read in step 1
                plan = pi.plan_for_workspace(reader, self.table, self.mapping)
            finally:
                reader.close()
        except (pi.MappingError, WorkspaceError) as exc:
            self.app.call_from_thread(self._plan_failed, str(exc))
            return
        except Exception as exc:  # a bug must not leave the wizard stuck on "busy"
            self.app.call_from_thread(self._plan_failed, f"Controle mislukt: {exc}")
            return
        self.app.call_from_thread(self._show_preview, plan)

    def _plan_failed(self, message: str) -> None:
        self.busy = self.applying = False
        self._status(message, error=True)

    def _show_preview(self, plan) -> None:
        self.plan = plan
        self.busy = False
        self.query_one("#summary", Static).update(
            Text(
                f"{plural(plan.total_rows, 'rij', 'rijen')}: {plan.summary()}. "
                "F2 importeert de geldige rijen."
            )
        )
        self.query_one("#preview", VirtualTable).set_rows(plan.preview())
        self.query_one("#rejected-title", Static).update(
            Text(
                f"Geweigerde rijen ({format_number(len(plan.rejected))}): worden niet "
                "ingelezen; te controleren "
                f"({plural(plan.flagged_products(), 'product', 'producten')}): worden ingelezen "
                "zonder de foute waarde"
            )
        )
        self.query_one("#rejected", VirtualTable).set_rows(plan.problems())
        self._show_step("step-preview")
        self.query_one("#preview", VirtualTable).focus()

    @on(VirtualTable.Highlighted, "#rejected, #done-rejected")
    def _rejected_highlighted(self, event: VirtualTable.Highlighted) -> None:
        # The table cuts long reasons; the line below shows the whole one.
        target = "#rejected-detail" if event.table.id == "rejected" else "#done-detail"
        self.query_one(target, Static).update(Text(event.row.line()))

    # -- import ------------------------------------------------------------------------------------

    def action_run_import(self) -> None:
        if self.busy or self.plan is None:
            return
        self.busy = self.applying = True
        self._status("Bezig met importeren…")
        self._apply()

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _apply(self) -> None:
        from elo_tui.services import product_import as pi
        from elo_tui.store import WorkspaceError

        try:
            # Its own connection: the main thread's writes must not join this transaction.
            writer = self.app.ws.writer()
            try:
                assert self.plan is not None  # made in step 3
                result = pi.apply_plan(writer, self.plan)
            finally:
                writer.close()
        except Exception as exc:
            # One transaction: nothing was saved, the plan is still here to retry.
            message = str(exc) if isinstance(exc, WorkspaceError) else f"Import mislukt: {exc}"
            self.app.call_from_thread(self._plan_failed, f"{message} Er is niets opgeslagen.")
            return
        self.app.call_from_thread(self._show_result, result)

    def _show_result(self, result) -> None:
        self.result = result
        self.busy = self.applying = False
        if hasattr(self.app, "data_changed"):
            self.app.data_changed()
        self.query_one("#result", Static).update(Text(f"Ingelezen: {result.summary()}."))
        self.query_one("#done-rejected", VirtualTable).set_rows(result.problems())
        self._show_step("step-done")
        self.query_one("#done-rejected", VirtualTable).focus()
        self.notify(f"Import klaar: {result.summary()}.", markup=False)
