"""Costs ("Kosten"): the estimate lines, the totals with P50/P80, and where the money goes.

Left the lines in a fast table; right the totals, own contribution against requested
co-financing per year and a bar chart per block. The table reads the lines on screen from
the store and the expected totals are SQL sums, so the first frame shows real figures
also at 25,000+ lines; the Monte Carlo (P50/P80, and with it the request and the own
contribution) runs in a worker after that frame and says "wordt berekend…" until it is
done. Edits happen in a modal form that names what is wrong per field. The rules live in
`domain.estimate` and `services.estimate`; this screen only shows them.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Select, Static, TextArea
from textual.worker import Worker, WorkerState

from elo_tui.domain import cofinancing as cof
from elo_tui.domain import estimate as est
from elo_tui.domain.blocks import BLOCKS
from elo_tui.domain.formats import format_number, plural
from elo_tui.domain.records import EstimateLine
from elo_tui.screens.base import AreaScreen
from elo_tui.screens.form import FormScreen
from elo_tui.screens.store_errors import store_errors
from elo_tui.services import estimate as service
from elo_tui.services.estimate import euro
from elo_tui.store import WorkspaceError
from elo_tui.widgets.virtual_table import Column, VirtualTable

COLUMNS = [
    # The scope says which line it is: 22 cells, also at 80 columns; any wider and the
    # status column no longer fits next to the totals panel at 160 columns.
    Column("scope", "Toepassing / product", flex=3, min_width=22, shrink=False),
    Column("block", "Bouwsteen", width=9),
    # The amounts before the other fixed columns: in a narrow view they stay visible.
    Column("mean", "Verwacht", width=10, align="right"),
    Column("sd", "± sd", width=8, align="right"),
    Column("description", "Omschrijving", flex=2, min_width=12),
    Column("year", "Jaar", width=5),
    Column("category", "Categorie", width=11),
    Column("days", "O/M/P dagen", width=11),
    Column("eligible", "In aanm.", width=8),
    Column("state", "Status", width=10),
]
SHORT_CATEGORIES = {"internal": "Eigen", "supplier": "Leverancier", "licence": "Licentie"}
BAR_WIDTH = 18
SHORT_BLOCKS = {b.code: b.short for b in BLOCKS} | {"": "Algemeen"}


def _days(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:g}".replace(".", ",")


def money_bar(value: float, largest: float, width: int = BAR_WIDTH) -> Text:
    """A bar relative to the largest value, readable without colour."""
    filled = 0 if largest <= 0 else round(width * value / largest)
    return Text.assemble(("█" * filled, "cyan"), ("░" * (width - filled), "dim"))


def cell(row: service.CostRow, key: str) -> str | Text:
    """One cell of a costed line (`row.cost`, the domain's costing of `row.line`)."""
    line, c = row.cost.line, row.cost
    if key == "scope":
        return Text(row.scope)
    if key == "block":
        return SHORT_BLOCKS.get(line.block, line.block)
    if key == "description":
        return Text(line.description)
    if key == "year":
        return est.YEAR_LABELS.get(line.budget_year, line.budget_year)
    if key == "category":
        return SHORT_CATEGORIES.get(line.category, line.category)
    if key == "days":
        if line.method == "fixed":
            return "vast bedrag"
        o, m, p = line.optimistic_days, line.likely_days, line.pessimistic_days
        return f"{_days(o)}/{_days(m)}/{_days(p)}"
    if key == "mean":
        return euro(c.mean) if c.valid else "–"
    if key == "sd":
        return euro(c.sd) if c.valid and c.sd else ""
    if key == "eligible":
        # "*" marks the default rule: an assumption until the samenwerkingsovereenkomst.
        if line.eligible is None:
            return Text("ja*" if cof.is_eligible(line) else "nee*", style="yellow")
        return "ja" if line.eligible else "nee"
    if key == "state":
        if row.excluded:
            return Text("buiten besch.", style="dim")
        if not c.valid:
            return Text("⚠ ongeldig", style="red")
        return Text("aanname", style="yellow") if line.assumed else Text("bevestigd", style="green")
    return ""


COMPUTING = "wordt berekend…"  # a figure of the Monte Carlo that is not there yet


class CostsScreen(AreaScreen):
    MODE = "costs"
    BINDINGS = [
        Binding("e,enter", "edit", "Bewerken"),
        Binding("a,insert", "add", "Nieuwe lijn"),
        Binding("A", "add_general", "Algemene lijn", show=False),
        Binding("d,delete", "delete", "Verwijderen"),
        Binding("b", "confirm_line", "Bevestigen"),
        Binding("p", "propose", "Voorstel uit sjabloon"),
        Binding("f", "forms_tool", "Formulieren- en opvolgingstool"),
        Binding("r", "refresh", "Vernieuwen"),
        Binding("g", "request_data", "Aanvraaggegevens"),
        Binding("w", "chart", "Grafiek"),
    ]
    DEFAULT_CSS = """
    CostsScreen #costs-body { height: 1fr; }
    CostsScreen #costs-left { width: 1fr; }
    CostsScreen #costs-side { width: 46; border-left: solid $panel; padding: 0 1; }
    CostsScreen #costs-side > Static { margin-bottom: 1; }
    CostsScreen #costs-info { width: 1fr; height: auto; padding: 0 1; color: $text-muted; }
    CostsScreen #costs-chart { display: none; height: 1fr; padding: 0 1; }
    /* Narrow (80x24): the totals under the lines, so the table has the full width. */
    CostsScreen.-narrow #costs-body { layout: vertical; }
    CostsScreen.-narrow #costs-left { height: 1fr; }
    CostsScreen.-narrow #costs-side { width: 1fr; height: 1fr; border-left: none;
        border-top: solid $panel; }
    CostsScreen.-chart #costs-body { display: none; }
    CostsScreen.-chart #costs-chart { display: block; }
    CostsScreen .chart-notes { height: auto; color: $text-muted; }
    """

    # Side by side needs the scope, block and amounts (about 54 cells) next to the 46 of
    # the totals panel; below this width the panel goes under the table.
    NARROW_BELOW = 100

    overview: service.CostRanges | None = None  # the Monte Carlo's answer, once computed
    reader: service.CostsReader | None = None
    lines: service.CostLines | None = None
    totals: service.CostTotals | None = None
    _keep_id: str | None = None  # line to keep the cursor on after the next load

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="costs-body"):
            with Vertical(id="costs-left"):
                yield VirtualTable(
                    COLUMNS,
                    cell,
                    id="lines",
                    empty_text="Nog geen ramingslijnen. Druk op 'p' voor een voorstel uit het "
                    "kostensjabloon of 'a' voor een eigen lijn.",
                )
                yield Label("", id="costs-info")
            with VerticalScroll(id="costs-side"):
                yield Static(Text("Bezig met berekenen…", style="italic"), id="costs-totals")
                yield Static("", id="costs-years")
                yield Static("", id="costs-blocks")
        yield Vertical(id="costs-chart")  # `w`: P50/P80 per year (charts load on first use)

    def on_resize(self) -> None:
        super().on_resize()
        self.set_class(self.size.width < self.NARROW_BELOW, "-narrow")

    # -- loading --------------------------------------------------------------------------

    def load(self) -> None:
        """The lines on screen and the expected totals now (SQL: the first frame shows
        them); the Monte Carlo in a worker unless it is known for the file as it is."""
        ws = self.app.ws
        if ws is None:
            return
        if self.reader is None or self.reader.ws is not ws:
            self.reader = service.CostsReader(ws)
        table = self.query_one("#lines", VirtualTable)
        current = table.current
        keep_id = self._keep_id or (current.line.id if current is not None else None)
        self._keep_id = None
        try:
            lines = self.reader.lines()
            totals = self.reader.totals()
        except WorkspaceError as exc:
            self.query_one("#costs-totals", Static).update(
                Text(f"Kon de raming niet lezen: {exc}", style="red")
            )
            return
        self.lines, self.totals = lines, totals
        cursor = table.cursor_row
        position = lines.position_of(keep_id) if keep_id else None
        table.set_rows(lines)
        if position is None and keep_id:  # its line is gone: stay where the cursor was
            position = min(cursor, len(lines) - 1)
        if position is not None and position > 0:
            table.cursor_row = position
        self.overview = self.reader.ranges
        self._show_all()
        if not lines.complete:
            # The first frame read only the first rows in order; the rest of the order
            # after it, on a connection of its own (a row past them reads it at once).
            self.app.after_next_frame(lambda: self._load_order(ws))
        if self.overview is None:
            # Once the first frame is on the terminal: the simulation would hold the
            # interpreter (and ~3 MB at 25,000 lines) while the lines and totals are
            # being painted (call_after_refresh started it before that paint).
            self.app.after_next_frame(lambda: self._load_ranges(ws))

    def _compute(self) -> None:
        self._reload()

    @work(thread=True, exclusive=True, group="costs", exit_on_error=False)
    def _load_ranges(self, ws) -> tuple[service.CostRanges, int]:
        reader = ws.reader()  # a thread never uses the app's connection
        try:
            return service.ranges_at(reader)
        finally:
            reader.close()

    @work(thread=True, exclusive=True, group="costs-order", exit_on_error=False)
    def _load_order(self, ws) -> tuple[Any, int]:
        reader = ws.reader()  # a thread never uses the app's connection
        try:
            return service.line_order_at(reader)
        finally:
            reader.close()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "costs-order":
            # Kept for the file as it is (the table then holds every rowid); otherwise,
            # or on an error, the first row past the known ones reads the order itself.
            result = event.worker.result
            if (
                event.state == WorkerState.SUCCESS
                and result is not None
                and self.reader is not None
            ):
                ids, stamp = result
                self.reader.set_order(ids, stamp)
            return
        if event.worker.group != "costs":
            return
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            found, stamp = event.worker.result
            # Kept (and shown) only for the inputs as they are now, never silently old
            # figures; when they changed meanwhile, everything is read again.
            if self.reader is None:
                return
            if self.reader.set_ranges(found, stamp):
                self.overview = found
                self._show_all()
            elif self.reader.ranges is None:
                self._reload()
        elif event.state == WorkerState.ERROR:
            self.query_one("#costs-totals", Static).update(
                Text(f"Kon de raming niet berekenen: {event.worker.error}", style="red")
            )

    def _show_all(self) -> None:
        if self.totals is None:
            return
        self._show_totals(self.totals, self.overview)
        self._show_years(self.overview)
        self._show_blocks(self.totals)
        self._show_info(self.totals, self.overview)
        if self.has_class("-chart"):
            self._show_chart(self.overview)

    def _show_totals(self, t: service.CostTotals, ov: service.CostRanges | None) -> None:
        s = ov.summary if ov is not None else None
        out = Text()
        out.append("Raming\n", style="bold")
        for label, value, style in (
            ("Verwacht (PERT)", t.total_mean, ""),
            ("P50 (budget)", s.total.p50 if s else None, "bold"),
            ("P80 (plafond)", s.total.p80 if s else None, ""),
            ("Reserve P80−P50", s.total.contingency if s else None, ""),
            ("Gevraagd", s.requested_total if s else None, "bold"),
            ("Eigen bijdrage", s.own_contribution_total if s else None, ""),
            ("In aanmerking", t.eligible_total, ""),
            ("Niet in aanm.", t.not_eligible_total, ""),
        ):
            out.append(f"{label:<17}")
            if value is None:
                out.append(f"{COMPUTING:>16}\n", style="italic dim")
            else:
                out.append(f"{euro(value):>16}\n", style=style)
        out.append(
            "In aanmerking / niet: verwachte kost. * = standaardregel, een AANNAME tot de "
            "samenwerkingsovereenkomst de criteria vastlegt.\n",
            style="dim",
        )
        if t.excluded_lines:
            apps = service.excluded_applications(self.app.ws, t.excluded_by_application)
            out.append("Buiten beschouwing (in onderling overleg)\n", style="bold")
            for app_id, mean in t.excluded_by_application.items():
                name, reason = apps.get(app_id, (app_id[:8], ""))
                out.append(Text(f"{name[:28]:<29}"))
                out.append(f"{euro(mean):>12}\n")
                if reason:
                    out.append(Text(f"  reden: {reason}\n", style="dim"))
            out.append("Niet in de totalen en niet in de aanvraag.\n", style="dim")
        if s is not None:
            sim = s.simulation
            draws = f"{sim.draws:,}".replace(",", ".")
            out.append(f"{draws} trekkingen, zaad {sim.seed}", style="dim")
        else:
            out.append("P50/P80: Monte Carlo " + COMPUTING, style="italic dim")
        self.query_one("#costs-totals", Static).update(out)

    def _show_years(self, ov: service.CostRanges | None) -> None:
        out = Text()
        # 40 cells a row: the side panel's width, so that no '€' wraps away from its amount.
        out.append(f"{'Jaar':<6}{'kost (P50)':>12}{'gevraagd':>11}{'eigen':>11}\n", style="bold")
        if ov is None:
            out.append(f"{COMPUTING}\n", style="italic dim")
        else:
            for row in ov.summary.cofinancing:
                out.append(f"{est.YEAR_LABELS[row.year]:<6}{euro(row.cost):>12}")
                out.append(f"{euro(row.requested):>11}{euro(row.own_contribution):>11}\n")
                if row.envelope > 0:
                    out.append(f"  in aanmerking (P50) {euro(row.eligible_cost)}\n", style="dim")
                if row.cap:
                    out.append(
                        f"  {est.cap_note(row.asked, row.requested, row.cap)}\n", style="yellow"
                    )
                if row.shortfall > 0:
                    out.append(
                        f"  eigen budget {euro(row.own_budget)}: tekort {euro(row.shortfall)}\n",
                        style="red",
                    )
            note = est.years_note(ov.summary)
            if note:
                out.append(note + "\n", style="dim")
        out.append(
            f"Vaste enveloppe (lezing, alle entiteiten): {euro(cof.firm_envelope('2026'))} per "
            f"jaar in 2026 en 2027; VRD 3 2026 {euro(cof.reserved_envelope('2026'))} onder "
            "voorbehoud. Citaten: g.\n",
            style="dim",
        )
        if ov is not None:
            rows = ov.summary.cofinancing
            largest = max((r.cost for r in rows), default=0.0)
            for row in rows:
                out.append(f"{est.YEAR_LABELS[row.year]:<6}")
                out.append_text(money_bar(row.cost, largest))
                out.append("\n")
        self.query_one("#costs-years", Static).update(out)

    def _show_blocks(self, t: service.CostTotals) -> None:
        by_block = t.by_block
        out = Text()
        out.append("Per bouwsteen (verwacht)\n", style="bold")
        largest = max(by_block.values(), default=0.0)
        for code, value in by_block.items():
            out.append(f"{SHORT_BLOCKS.get(code, code)[:9]:<10}")
            out.append_text(money_bar(value, largest))
            out.append(f"{euro(value):>12}\n")
        if not by_block:
            out.append("(nog geen kosten)", style="dim")
        out.append("\nPer categorie (verwacht)\n", style="bold")
        for code, value in t.by_category.items():
            out.append(f"{est.CATEGORIES[code]:<17}{euro(value):>16}\n")
        self.query_one("#costs-blocks", Static).update(out)

    def _show_info(self, t: service.CostTotals, ov: service.CostRanges | None) -> None:
        parts = [plural(t.lines, "lijn", "lijnen")]
        if t.assumed:
            parts.append(f"{format_number(t.assumed)} nog aanname (b = bevestigen)")
        if t.invalid:
            parts.append(f"{format_number(t.invalid)} ongeldig (e = verbeteren)")
        if ov is not None and ov.forms_tool_count:
            n_forms = plural(ov.forms_tool_count, "product", "producten")
            parts.append(f"{n_forms} met weinig aanvragen (aanname; f)")
        if t.excluded_lines:
            parts.append(f"{format_number(t.excluded_lines)} buiten beschouwing")
        text = Text(" · ".join(parts))
        if t.invalid:
            text.stylize("red")
        if ov is not None and ov.template_problem:
            text.append("\n" + ov.template_problem, style="red")
        self.query_one("#costs-info", Label).update(text)

    # -- chart (issue 11 §4) ----------------------------------------------------------------

    def action_chart(self) -> None:
        """Show or hide the chart of P50 (budget) and P80 (ceiling) per budget year."""
        self.toggle_class("-chart")
        if self.has_class("-chart"):
            self._show_chart(self.overview)
        else:
            self.query_one("#lines", VirtualTable).focus()

    def _show_chart(self, ov: service.CostRanges | None) -> None:
        box = self.query_one("#costs-chart", Vertical)
        box.remove_children()
        if ov is None:
            box.mount(Static(Text("Bezig met berekenen…", style="italic")))
            return
        from elo_tui.services.charts import cost_years
        from elo_tui.widgets.charts import CostChart

        years = cost_years(ov.summary)
        if not years:
            box.mount(Static(Text("Nog geen kosten om te tonen (p: voorstel).", style="dim")))
            return
        chart = CostChart()
        notes = Text()
        for y in years:
            notes.append(f"{y.label:<6}", style="bold")
            notes.append(f"P50 {euro(y.p50)} · P80 {euro(y.p80)}")
            notes.append(f" · gevraagde cofinanciering {euro(y.requested)}\n")
        notes.append(
            "P50 = budget, P80 = plafond (Monte Carlo over de PERT-ramingen; w: terug).",
            style="dim",
        )
        box.mount(chart, Static(notes, classes="chart-notes"))
        chart.show_years(years)

    # -- actions --------------------------------------------------------------------------

    def _current(self) -> service.CostRow | None:
        return self.query_one("#lines", VirtualTable).current

    def action_refresh(self) -> None:
        if self.reader is not None:
            self.reader.forget()  # also what the store cannot see: a new cost template
        self._compute()

    def action_request_data(self) -> None:
        """Contact, day rates, own budget and requested co-financing per year."""
        from elo_tui.screens.request_form import RequestForm

        def done(agency) -> None:
            if agency is not None:
                self.saved()
                self._compute()
                self.notify("Aanvraaggegevens opgeslagen.", markup=False)

        self.app.push_screen(RequestForm(), done)

    def _after_save(self, line: EstimateLine | None) -> None:
        if line is None:
            return
        self.saved()
        self._keep_id = line.id
        self._compute()
        self.query_one("#lines", VirtualTable).focus()

    def _open_form(
        self, line: EstimateLine | None, scope_kind: str, scope_id: str, label: str
    ) -> None:
        agency = self.app.ws.agency()
        scopes = None
        if line is None:
            # A new line may go to any application or product; the selected one is preset.
            scopes = service.scope_choices(self.app.ws)
        self.app.push_screen(
            EstimateLineForm(line, scope_kind, scope_id, label, est.Rates.of(agency), scopes),
            self._after_save,
        )

    def action_edit(self) -> None:
        row = self._current()
        if row is not None:
            line = self.app.ws.get(EstimateLine, row.line.id)
            if line is not None:
                self._open_form(line, line.scope_kind, line.scope_id, row.scope)

    @on(VirtualTable.Selected, "#lines")
    def _row_selected(self) -> None:
        self.action_edit()

    def action_add(self) -> None:
        """A new line for the same application or product as the selected line."""
        row = self._current()
        if row is None:
            self.action_add_general()
        else:
            self._open_form(None, row.line.scope_kind, row.line.scope_id, row.scope)

    def action_add_general(self) -> None:
        self._open_form(None, "agency", "", service.AGENCY_LABEL)

    def action_confirm_line(self) -> None:
        row = self._current()
        if row is None:
            return
        if not row.cost.valid:
            self.notify(
                "Een ongeldige lijn kan niet bevestigd worden: verbeter ze eerst (e).",
                severity="warning",
                markup=False,
            )
            return
        with store_errors(self) as attempt:
            confirmed = service.confirm_line(self.app.ws, row.line.id)
        if not attempt.failed and confirmed is not None:
            self._after_save(row.line)

    def action_delete(self) -> None:
        row = self._current()
        if row is None:
            return
        from elo_tui.screens.confirm import ConfirmScreen

        def done(yes: bool | None) -> None:
            if yes:
                with store_errors(self) as attempt:
                    service.delete_line(self.app.ws, row.line.id)
                if attempt.failed:
                    return
                self.saved()
                self._compute()
                self.notify("Ramingslijn verwijderd.", markup=False)

        title = row.line.description or est.block_label(row.line.block)
        question = Text.assemble("Ramingslijn ", (title, "bold"), " (", row.scope, ") verwijderen?")
        self.app.push_screen(ConfirmScreen(question, "Verwijderen"), done)

    def action_propose(self) -> None:
        from elo_tui.io.cost_template import CostTemplateError

        try:
            with store_errors(self) as attempt:
                new = service.propose_lines(self.app.ws)
            if attempt.failed:
                return
        except CostTemplateError as exc:
            self.notify(
                str(exc), title="Kostensjabloon", severity="error", markup=False, timeout=12
            )
            return
        if not new:
            self.notify(
                "Geen nieuwe lijnen: elke vereiste bouwsteen die nog niet in productie is, "
                "heeft al een raming.",
                markup=False,
            )
            return
        self.saved()
        self._compute()
        self.notify(
            f"{plural(len(new), 'lijn', 'lijnen')} voorgesteld uit het kostensjabloon "
            "(aannames: bevestig of "
            "pas aan).",
            markup=False,
        )

    def action_forms_tool(self) -> None:
        """Compare with the forms tool: per low-volume product, so computed over every
        line and product when asked for (in a worker: ~1 s at 20,000 products)."""
        if self.app.ws is not None:
            self._load_forms_tool(self.app.ws)

    @work(thread=True, exclusive=True, group="costs-forms", exit_on_error=False)
    def _load_forms_tool(self, ws) -> service.CostOverview:
        reader = ws.reader()
        try:
            return service.overview(reader)
        finally:
            reader.close()

    @on(Worker.StateChanged)
    def _forms_tool_loaded(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "costs-forms":
            return
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            self.app.push_screen(FormsToolScreen(event.worker.result))
        elif event.state == WorkerState.ERROR:
            self.notify(
                f"Kon de vergelijking niet berekenen: {event.worker.error}",
                severity="error",
                markup=False,
            )


class EstimateLineForm(FormScreen):
    """Add or edit one estimate line; every field checked with a Dutch message."""

    DEFAULT_CSS = "EstimateLineForm .field-label { width: 100%; }"  # long labels wrap

    def __init__(
        self,
        line: EstimateLine | None,
        scope_kind: str,
        scope_id: str,
        scope_label: str,
        rates: est.Rates,
        scopes: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__()
        self.line = line
        self.scopes = scopes  # (label, "kind:id") choices for a new line
        self.scope_kind = scope_kind
        self.scope_id = scope_id
        self.rates = rates
        self.TITLE_TEXT = (
            f"{'Ramingslijn bewerken' if line else 'Nieuwe ramingslijn'} – {scope_label}"
        )

    def compose_fields(self) -> ComposeResult:
        v = service.form_values(self.line or EstimateLine(scope_kind=self.scope_kind))
        blocks = [(label, code) for code, (_scope, label) in est.BLOCKS.items()]
        if self.scopes:
            current = f"{self.scope_kind}:{self.scope_id}"
            values = {value for _label, value in self.scopes}
            yield from self.field(
                "scope",
                "Toepassing of product",
                Select(
                    [(Text(label), value) for label, value in self.scopes],
                    allow_blank=False,
                    value=current if current in values else "agency:",
                ),
            )
        yield from self.field("description", "Omschrijving", Input(v["description"]))
        yield from self.field(
            "block",
            "Bouwsteen",
            Select(
                blocks,
                prompt="Geen (algemeen)",
                value=v["block"] if v["block"] in est.BLOCKS else Select.NULL,
            ),
        )
        yield from self.field(
            "method",
            "Methode",
            Select(
                [(label, key) for key, label in est.METHODS.items()],
                allow_blank=False,
                value=v["method"] if v["method"] in est.METHODS else "three_point",
            ),
        )
        yield from self.field(
            "optimistic_days", "Optimistisch (persoonsdagen, O)", Input(v["optimistic_days"])
        )
        yield from self.field(
            "likely_days", "Meest waarschijnlijk (persoonsdagen, M)", Input(v["likely_days"])
        )
        yield from self.field(
            "pessimistic_days", "Pessimistisch (persoonsdagen, P)", Input(v["pessimistic_days"])
        )
        defaults = []
        if self.rates.internal is not None:
            defaults.append(f"eigen {euro(self.rates.internal)}")
        if self.rates.supplier is not None:
            defaults.append(f"leverancier {euro(self.rates.supplier)}")
        hint = f"leeg = standaard: {', '.join(defaults)}" if defaults else "verplicht"
        yield from self.field("day_rate", f"Dagtarief € per dag ({hint})", Input(v["day_rate"]))
        yield from self.field(
            "fixed_amount",
            "Vast bedrag in € (offerte, licentie; bij methode 'vast bedrag')",
            Input(v["fixed_amount"]),
        )
        yield from self.field(
            "budget_year",
            "Begrotingsjaar",
            Select(
                [(label, key) for key, label in est.YEAR_LABELS.items()],
                allow_blank=False,
                value=v["budget_year"] if v["budget_year"] in est.YEARS else "2026",
            ),
        )
        yield from self.field(
            "recurrence",
            "Eenmalig of terugkerend",
            Select(
                [(label, key) for key, label in est.RECURRENCES.items()],
                allow_blank=False,
                value=v["recurrence"] if v["recurrence"] in est.RECURRENCES else "one_off",
            ),
        )
        yield from self.field(
            "category",
            "Categorie",
            Select(
                [(label, key) for key, label in est.CATEGORIES.items()],
                allow_blank=False,
                value=v["category"] if v["category"] in est.CATEGORIES else "internal",
            ),
        )
        yield from self.field(
            "eligible",
            "Komt in aanmerking voor cofinanciering (standaardregel = "
            "AANNAME tot de samenwerkingsovereenkomst)",
            Select(
                [(label, key) for key, label in cof.ELIGIBLE_CHOICES.items()],
                allow_blank=False,
                value=v["eligible"] if v["eligible"] in cof.ELIGIBLE_CHOICES else "default",
            ),
        )
        yield from self.field(
            "basis", "Onderbouwing (aannames, wie schatte, wanneer)", TextArea(v["basis"])
        )

    def values(self) -> dict[str, Any]:
        values = {k: self.value(k) for k in est.LINE_FORM_FIELDS}
        if self.scopes:
            values["scope"] = self.value("scope")
        return values

    def submit(self, values: dict[str, Any]) -> Any:
        kind, scope_id = self.scope_kind, self.scope_id
        if "scope" in values:
            kind, _, scope_id = str(values.pop("scope")).partition(":")
        return service.save_line(
            self.app.ws, values, line=self.line, scope_kind=kind, scope_id=scope_id
        )


class FormsToolScreen(FormScreen):
    """Low-volume products: own integration side by side with the forms tool (read-only)."""

    def __init__(self, overview: service.CostOverview) -> None:
        super().__init__()
        self.overview = overview
        self.TITLE_TEXT = (
            "Eigen integratie of formulieren- en opvolgingstool? (producten met weinig aanvragen)"
        )

    def compose_fields(self) -> ComposeResult:
        ov = self.overview
        out = Text()
        out.append(cof.forms_tool_assumption(ov.forms_tool_threshold) + "\n\n", style="yellow")
        if ov.forms_tool_cost is None:
            out.append(
                "Geen vergelijking mogelijk: het kostensjabloon of het dagtarief ontbreekt.\n"
            )
        else:
            out.append(
                "De formulieren- en opvolgingstool 'wordt … onderzocht': beschikbaarheid en "
                "wat ze dekt zijn nog onbekend; kiezen is een plan, geen resultaat.\n",
                style="yellow",
            )
            out.append(
                f"Formulieren- en opvolgingstool: {euro(ov.forms_tool_cost)} per product "
                "(raming uit het sjabloon). "
                "Eigen integratie = eigen lijnen + aandeel van de toepassing; dat aandeel valt pas "
                "weg als alle producten van de toepassing verhuizen.\n\n",
                style="dim",
            )
            out.append(
                f"{'Product':<38}{'aanvr./jaar':>12}{'eigen':>12}{'tool':>12}{'verschil':>12}\n",
                style="bold",
            )
            for r in ov.forms_tool:
                out.append(f"{r.name[:37]:<38}")
                out.append(
                    f"{r.yearly_volume:>12}{euro(r.own_integration):>12}{euro(r.forms_tool):>12}"
                )
                out.append(f"{euro(r.saving):>12}\n", style="green" if r.saving > 0 else "")
            if not ov.forms_tool:
                out.append(
                    "Geen producten onder de drempel (aanname) die nog niet via de formulieren- "
                    "en opvolgingstool lopen."
                )
        yield Static(out, id="forms-table")

    def on_mount(self) -> None:
        self.query_one("#save").display = False

    def submit(self, values: dict[str, Any]) -> None:
        return None  # read-only: nothing to save, F2 closes it as Esc does
