"""Costs ("Kosten"): the estimate lines, the totals with P50/P80, and where the money goes.

Left the lines in a fast table; right the totals, own contribution against requested
co-financing per year and a bar chart per block. Figures are computed in a worker thread
(the Monte Carlo over 1,202 products takes a moment), edits happen in a modal form that
names what is wrong per field. The rules live in `domain.estimate` and
`services.estimate`; this screen only shows them.
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
from elo_tui.domain.formats import plural, sort_key
from elo_tui.domain.records import EstimateLine
from elo_tui.screens.base import AreaScreen
from elo_tui.screens.form import FormScreen
from elo_tui.screens.store_errors import store_errors
from elo_tui.services import estimate as service
from elo_tui.services.estimate import euro
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


class Row:
    """One table row: a costed line plus the name of its scope (computed once)."""

    __slots__ = ("cost", "excluded", "scope")

    def __init__(self, cost: est.LineCost, scope: str, excluded: bool = False) -> None:
        self.cost = cost
        self.scope = scope
        self.excluded = excluded  # its application is "buiten beschouwing"

    @property
    def line(self) -> EstimateLine:
        return self.cost.line

    def cell(self, key: str) -> str | Text:
        line, c = self.cost.line, self.cost
        if key == "scope":
            return Text(self.scope)
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
            if self.excluded:
                return Text("buiten besch.", style="dim")
            if not c.valid:
                return Text("⚠ ongeldig", style="red")
            return (
                Text("aanname", style="yellow")
                if line.assumed
                else Text("bevestigd", style="green")
            )
        return ""


class CostsScreen(AreaScreen):
    MODE = "costs"
    SHOWS_DATA_LATER = True  # figures come from a worker
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

    overview: service.CostOverview | None = None
    _keep_id: str | None = None  # line to keep the cursor on after the next computation

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="costs-body"):
            with Vertical(id="costs-left"):
                yield VirtualTable(
                    COLUMNS,
                    lambda row, key: row.cell(key),
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
        self.call_after_refresh(self._compute)

    def _compute(self) -> None:
        if self.app.ws is not None:
            self._load_overview(self.app.ws)

    @work(thread=True, exclusive=True, group="costs", exit_on_error=False)
    def _load_overview(self, ws) -> service.CostOverview:
        reader = ws.reader()  # a thread never uses the app's connection
        try:
            return service.overview(reader)
        finally:
            reader.close()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "costs":
            return
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            self.show(event.worker.result)
            self.data_shown()
        elif event.state == WorkerState.ERROR:
            self.query_one("#costs-totals", Static).update(
                Text(f"Kon de raming niet berekenen: {event.worker.error}", style="red")
            )
            self.data_shown()

    def show(self, ov: service.CostOverview) -> None:
        self.overview = ov
        table = self.query_one("#lines", VirtualTable)
        current = table.current
        keep_id = self._keep_id or (current.line.id if current is not None else None)
        self._keep_id = None
        rows = [
            Row(c, ov.scope_label(c.line.scope_kind, c.line.scope_id)) for c in ov.summary.costs
        ]
        order = {code: i for i, code in enumerate(est.BLOCKS)}
        rows.sort(
            key=lambda r: (sort_key(r.scope), order.get(r.line.block, 99), r.line.description)
        )
        # Lines of applications "buiten beschouwing" come last, apart: not in any total.
        apart = [
            Row(c, ov.scope_label(c.line.scope_kind, c.line.scope_id), excluded=True)
            for c in ov.summary.excluded
        ]
        apart.sort(key=lambda r: (sort_key(r.scope), r.line.description))
        rows += apart
        keep = next((r for r in rows if r.line.id == keep_id), None)
        table.set_rows(rows, keep=keep)
        self._show_totals(ov)
        self._show_years(ov)
        self._show_blocks(ov)
        self._show_info(ov, rows)
        if self.has_class("-chart"):
            self._show_chart(ov)

    def _show_totals(self, ov: service.CostOverview) -> None:
        s = ov.summary
        t = s.total
        out = Text()
        out.append("Raming\n", style="bold")
        for label, value, style in (
            ("Verwacht (PERT)", t.mean, ""),
            ("P50 (budget)", t.p50, "bold"),
            ("P80 (plafond)", t.p80, ""),
            ("Reserve P80−P50", t.contingency, ""),
            ("Gevraagd", s.requested_total, "bold"),
            ("Eigen bijdrage", s.own_contribution_total, ""),
            ("In aanmerking", s.eligible_total, ""),
            ("Niet in aanm.", s.not_eligible_total, ""),
        ):
            out.append(f"{label:<17}")
            out.append(f"{euro(value):>16}\n", style=style)
        out.append(
            "In aanmerking / niet: verwachte kost. * = standaardregel, een AANNAME tot de "
            "samenwerkingsovereenkomst de criteria vastlegt.\n",
            style="dim",
        )
        if s.excluded:
            out.append("Buiten beschouwing (in onderling overleg)\n", style="bold")
            for app_id, mean in s.excluded_by_application.items():
                name = ov.scope_names.get(("application", app_id), app_id[:8])
                out.append(Text(f"{name[:28]:<29}"))
                out.append(f"{euro(mean):>12}\n")
                reason = ov.exclusion_reasons.get(app_id, "")
                if reason:
                    out.append(Text(f"  reden: {reason}\n", style="dim"))
            out.append("Niet in de totalen en niet in de aanvraag.\n", style="dim")
        sim = s.simulation
        draws = f"{sim.draws:,}".replace(",", ".")
        out.append(f"{draws} trekkingen, zaad {sim.seed}", style="dim")
        self.query_one("#costs-totals", Static).update(out)

    def _show_years(self, ov: service.CostOverview) -> None:
        out = Text()
        # 40 cells a row: the side panel's width, so that no '€' wraps away from its amount.
        out.append(f"{'Jaar':<6}{'kost (P50)':>12}{'gevraagd':>11}{'eigen':>11}\n", style="bold")
        for row in ov.summary.cofinancing:
            out.append(f"{est.YEAR_LABELS[row.year]:<6}{euro(row.cost):>12}")
            out.append(f"{euro(row.requested):>11}{euro(row.own_contribution):>11}\n")
            if row.envelope > 0:
                out.append(f"  in aanmerking (P50) {euro(row.eligible_cost)}\n", style="dim")
            if row.cap:
                out.append(f"  {est.cap_note(row.asked, row.requested, row.cap)}\n", style="yellow")
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
        largest = max((r.cost for r in ov.summary.cofinancing), default=0.0)
        for row in ov.summary.cofinancing:
            out.append(f"{est.YEAR_LABELS[row.year]:<6}")
            out.append_text(money_bar(row.cost, largest))
            out.append("\n")
        self.query_one("#costs-years", Static).update(out)

    def _show_blocks(self, ov: service.CostOverview) -> None:
        by_block = ov.summary.by_block
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
        for code, value in ov.summary.by_category.items():
            out.append(f"{est.CATEGORIES[code]:<17}{euro(value):>16}\n")
        self.query_one("#costs-blocks", Static).update(out)

    def _show_info(self, ov: service.CostOverview, rows: list[Row]) -> None:
        assumed = sum(1 for r in rows if r.line.assumed)
        invalid = len(ov.summary.invalid)
        parts = [plural(len(rows), "lijn", "lijnen")]
        if assumed:
            parts.append(f"{assumed} nog aanname (b = bevestigen)")
        if invalid:
            parts.append(f"{invalid} ongeldig (e = verbeteren)")
        if ov.forms_tool:
            n_forms = plural(len(ov.forms_tool), "product", "producten")
            parts.append(f"{n_forms} met weinig aanvragen (aanname; f)")
        if ov.summary.excluded:
            parts.append(f"{len(ov.summary.excluded)} buiten beschouwing")
        text = Text(" · ".join(parts))
        if invalid:
            text.stylize("red")
        if ov.template_problem:
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

    def _show_chart(self, ov: service.CostOverview | None) -> None:
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

    def _current(self) -> Row | None:
        return self.query_one("#lines", VirtualTable).current

    def action_refresh(self) -> None:
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

    def _open_form(self, line: EstimateLine | None, scope_kind: str, scope_id: str) -> None:
        label = service.scope_label(
            scope_kind, scope_id, self.overview.scope_names if self.overview else {}
        )
        agency = self.app.ws.agency()
        scopes = None
        if line is None and self.overview is not None:
            # A new line may go to any application or product; the selected one is preset.
            names = self.overview.scope_names
            ordered = sorted(names.items(), key=lambda kv: (kv[0][0], sort_key(kv[1])))
            scopes = [("Entiteit (algemeen)", "agency:")] + [
                (service.scope_label(kind, sid, names), f"{kind}:{sid}")
                for (kind, sid), _ in ordered
            ]
        self.app.push_screen(
            EstimateLineForm(line, scope_kind, scope_id, label, est.Rates.of(agency), scopes),
            self._after_save,
        )

    def action_edit(self) -> None:
        row = self._current()
        if row is not None:
            line = self.app.ws.get(EstimateLine, row.line.id)
            if line is not None:
                self._open_form(line, line.scope_kind, line.scope_id)

    @on(VirtualTable.Selected, "#lines")
    def _row_selected(self) -> None:
        self.action_edit()

    def action_add(self) -> None:
        """A new line for the same application or product as the selected line."""
        row = self._current()
        if row is None:
            self._open_form(None, "agency", "")
        else:
            self._open_form(None, row.line.scope_kind, row.line.scope_id)

    def action_add_general(self) -> None:
        self._open_form(None, "agency", "")

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
        if self.overview is None:
            return
        self.app.push_screen(FormsToolScreen(self.overview))


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

    def action_save(self) -> None:
        self.dismiss(None)
