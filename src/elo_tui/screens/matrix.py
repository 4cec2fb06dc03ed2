"""The block matrix: products (grouped by application) x block parts, grouped per essential
block (beslissing 3°), with the three requirements (results, not blocks) in columns apart.

Each cell shows applicability and stage as a symbol and a short word (readable without
colour) and a colour; an accepted exemption shows as such, "wacht op bouwsteen" adds a
mark. Arrows move over cells, Enter edits one, `v` takes the suggestion of
an undecided cell, `V` those of a product, an application or everything (with a
preview). Application-level blocks are edited on the application: every product
of that application follows at once.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Label, Static

from elo_tui.domain.blocks import (
    APPLICABILITY,
    BLOCKS,
    BLOCKS_BY_CODE,
    DEADLINES,
    DEADLINES_BY_KEY,
    EXEMPT_TEXT,
    FORMS_TOOL,
    LEGEND,
    NOT_APPLICABLE,
    PAIRS,
    REQUIRED,
    REQUIREMENTS,
    SCOPE_APPLICATION,
    STAGE_LABELS,
    UNDECIDED,
    WAITING_MARK,
    cell_text,
)
from elo_tui.domain.formats import format_date, format_number, plural
from elo_tui.domain.readiness import REQUIREMENT_STATES
from elo_tui.screens.base import AreaScreen
from elo_tui.screens.template_notice import report_problems, warm_templates
from elo_tui.services import mapping as svc
from elo_tui.widgets.matrix_table import MatrixTable
from elo_tui.widgets.virtual_table import Column

STAGE_STYLES = {
    "not_started": "red",
    "analysis": "yellow",
    "filed": "dark_orange",
    "test": "cyan",
    "production": "green",
}
APPLICABILITY_STYLES = {NOT_APPLICABLE: "dim", FORMS_TOOL: "green", UNDECIDED: "magenta"}

BLOCK_WIDTH = 7
REQUIREMENT_SHORT = {"sso": "SSO", "gericht_aanmelden": "Gericht", "product_rights": "Rechtb."}


def _columns() -> list[Column]:
    """Block parts grouped per essential block with a thin separator between groups,
    then the requirements apart."""
    # The name keeps 21 cells (18 characters of a product's name after its indent and
    # before a '…'), also at 80 columns: the block columns then scroll sideways past it
    # (MatrixTable keeps it at the left).
    cols = [Column("name", "Product (per toepassing)", flex=1, min_width=21, shrink=False)]
    for pair in PAIRS:
        cols.append(Column(f"sep_{pair}", "│", width=1, min_width=1))
        cols += [Column(b.code, b.short, width=BLOCK_WIDTH) for b in BLOCKS if b.pair == pair]
    cols.append(Column("sep_req", "║", width=1, min_width=1))
    cols += [Column(f"req_{r.code}", REQUIREMENT_SHORT[r.code], width=7) for r in REQUIREMENTS]
    cols.append(Column("conform", "ELO", width=4))
    return cols


COLUMNS = _columns()
BLOCK_KEYS = [b.code for b in BLOCKS]
REQUIREMENT_TEXT = {"met": "ja", "open": "nee", "exempt": "uitz", "not_applicable": "nvt"}
REQUIREMENT_STYLES = {"met": "green", "open": "red", "exempt": "cyan", "not_applicable": "dim"}


def cell_markup(view: svc.CellView) -> Text:
    """A cell as styled literal text."""
    cell = view.cell
    if cell is None:
        return Text("")
    if cell.exempt:
        return Text(EXEMPT_TEXT, style="cyan")
    suggestion = view.suggestion.applicability if view.suggestion else ""
    text = cell_text(cell.applicability, cell.stage, suggestion)
    if cell.applicability == REQUIRED:
        style = STAGE_STYLES.get(cell.stage, "red")
    elif cell.applicability == FORMS_TOOL and cell.stage != "production":
        style = "yellow"  # a plan, not a result
    else:
        style = APPLICABILITY_STYLES.get(cell.applicability, "")
    if cell.waiting and cell.blocking:
        return Text.assemble((text, style), (WAITING_MARK, "bold yellow"))
    return Text(text, style=style)


def describe_filter(f: svc.RowFilter, app_names: dict[str, str]) -> Text:
    """One line saying which filters are on, for the matrix's filter bar."""
    parts = []
    if f.deadline in DEADLINES_BY_KEY:
        d = DEADLINES_BY_KEY[f.deadline]
        parts.append(("blokkeert", d.label + ("" if d.binding else " – interpretatie")))
    if f.block in BLOCKS_BY_CODE:
        parts.append(("bouwsteen", BLOCKS_BY_CODE[f.block].label))
    if f.application:
        parts.append(("toepassing", app_names.get(f.application, "?")))
    line = Text(" Filters: ", style="bold")
    if not parts:
        line.append(
            "geen (f: filteren · d: wat een mijlpaal tegenhoudt · b: per bouwsteen)", style="dim"
        )
    for i, (what, value) in enumerate(parts):
        if i:
            line.append(" · ")
        line.append(f"{what} ")
        line.append(value, style="bold")
    if parts:
        line.append("   (Esc: wissen)", style="dim")
    return line


EMPTY_TEXT = "Geen producten (of geen die aan de filter voldoen)."


class MatrixScreen(AreaScreen):
    MODE = "matrix"
    BINDINGS = [
        Binding("enter,e", "edit", "Bewerken"),
        Binding("v", "accept_suggestion", "Voorstel overnemen"),
        Binding("f", "filters", "Filters"),
        Binding("d", "cycle_deadline", "Mijlpaalfilter"),
        Binding("b", "cycle_block", "Bouwsteenfilter"),
        Binding("escape", "clear_filters", "Filters wissen"),
        # Last: the key bar shows it where there is room, F1 and the palette always.
        Binding("V", "accept_all", "Alle voorstellen"),
    ]
    DEFAULT_CSS = """
    MatrixScreen #filter-summary { height: 1; }
    MatrixScreen #cell-detail { height: 4; padding: 0 1; border-top: solid $panel; }
    MatrixScreen #legend { height: 1; padding: 0 1; color: $text-muted; }
    """

    mapping: svc.Mapping | None = None
    filters: svc.RowFilter = svc.RowFilter()
    conform: int | None = None  # products ELO-conform
    # Up to this many products the conform count and the readiness filters are computed
    # right after the first frame on the UI thread (~20 ms at 1,202); above, in a worker
    # on its own connection (20,000: ~1 s of CPU the keys must not wait for).
    INLINE_INDEX_MAX = 3000
    _counts: tuple | None = None  # (rows, mapping, products shown, products excluded)
    _row_positions: tuple | None = None  # (rows, row id -> index), see _positions
    _waiting_for_index = False  # a readiness filter waits for the index

    def __init__(self) -> None:
        super().__init__()
        self._shown_texts: dict[str, Text] = {}  # selector -> what it shows (_update_static)

    def compose_body(self) -> ComposeResult:
        yield Static(id="filter-summary")
        yield MatrixTable(
            COLUMNS,
            self._cell,
            cell_keys=BLOCK_KEYS,
            is_group=lambda row: row.kind == SCOPE_APPLICATION,
            id="matrix",
            empty_text=EMPTY_TEXT,
        )
        yield Static("", id="cell-detail")
        yield Static(Text(LEGEND), id="legend")
        yield Label("", id="count")

    # -- data -------------------------------------------------------------------------------

    def load(self) -> None:
        # Rows only; a product's cells are read with its page of rows when first shown
        # (services/mapping.py open_matrix). A large workspace first shows its first
        # screenful of rows, read by application; the rest follows from a worker.
        ws = self.app.ws
        large = svc.product_count(ws) > self.INLINE_INDEX_MAX
        self.mapping = svc.open_matrix_start(ws) if large else svc.open_matrix(ws)
        if self.filters.application not in self.mapping.applications:
            self.filters = svc.RowFilter(self.filters.deadline, self.filters.block, "")
        # The conform count from the readiness store when it holds every product as it
        # is (then the index's, arriving later, says the same); else "wordt berekend…".
        self.conform = self.mapping.head.conform if self.mapping.head is not None else None
        self.apply_filter()
        # After the first frame is on the terminal: a thread competing for the GIL
        # would delay painting it.
        if self.mapping.partial:
            self.app.after_next_frame(self._load_rest)
        elif large:
            self.app.after_next_frame(self._start_index)
        else:
            self.call_after_refresh(self._start_index)
        self.query_one(MatrixTable).focus()
        # Get the checklist templates ready for the first edit, once the screen is up.
        self.set_timer(0.5, self._warm_templates)

    def _load_rest(self) -> None:
        """Every row (a worker reads them on its own connection), then the index."""
        first = self.mapping
        if first is None or not first.partial:
            return
        ws = self.app.ws
        today = first.today

        def done(full: svc.Mapping) -> None:
            if self.mapping is not first:
                return  # reloaded meanwhile
            self.mapping = full
            self.apply_filter()  # the same rows first: the cursor stays where it is
            self._start_index()

        def run() -> None:
            from elo_tui.store import WorkspaceError

            try:
                try:
                    own = ws.reader()
                    try:
                        # Pages are read later on the UI thread's connection.
                        full = svc.open_matrix(own, today, pages_from=ws)
                    finally:
                        own.close()
                except WorkspaceError as exc:
                    self.app.call_from_thread(self._index_failed, str(exc))
                    return
                self.app.call_from_thread(done, full)
            except RuntimeError:
                pass  # the app closed meanwhile

        self.run_worker(run, thread=True, group="matrix-rows", exclusive=True)

    def _index_failed(self, message: str) -> None:
        self.notify(
            f"De matrix kon niet volledig gelezen worden: {message}",
            severity="error",
            markup=False,
        )

    def _start_index(self) -> None:
        """The conform count and the readiness filters need every product's readiness:
        computed after the first frame. Until it is there the count and a readiness
        filter say it is being computed ('wordt berekend…')."""
        m = self.mapping
        if m is None:
            return
        generation, rows = m.start_index()
        overrides = m.overrides
        today = m.today
        if m.product_count() <= self.INLINE_INDEX_MAX:
            index = svc.readiness_index(self.app.ws, rows, overrides, today=today)
            self._index_ready(m, generation, index)
            return
        ws = self.app.ws

        def compute() -> svc.ReadinessIndex:
            # Writable when the workspace is: the readiness store's stale products are
            # computed and kept there (readiness_index reads the rest from it).
            own = ws.reader() if ws.read_only else ws.writer()
            try:
                return svc.readiness_index(own, rows, overrides, today=today)
            finally:
                own.close()

        def done(index: svc.ReadinessIndex) -> None:
            self._index_ready(m, generation, index)

        def run() -> None:
            from elo_tui.store import WorkspaceError

            try:
                try:
                    index = compute()
                except WorkspaceError as exc:
                    # The count keeps saying it is not known; the next load tries again.
                    self.app.call_from_thread(self._index_failed, str(exc))
                    return
                self.app.call_from_thread(done, index)
            except RuntimeError:
                pass  # the app closed meanwhile: nobody to tell

        self.run_worker(run, thread=True, group="matrix-index", exclusive=True)

    def _index_ready(self, m: svc.Mapping, generation: int, index: svc.ReadinessIndex) -> None:
        if m is not self.mapping or not m.set_index(generation, index):
            return  # a newer mapping or computation replaced it
        self.conform = index.conform_count
        if self._waiting_for_index:
            self.apply_filter()
        else:
            self._update_count(self.query_one(MatrixTable).rows)

    def _warm_templates(self) -> None:
        warm_templates(self)

    def on_worker_state_changed(self, event) -> None:
        if event.worker.group == "templates" and event.worker.result is not None:
            report_problems(self, event.worker.result[1])

    def _cell(self, row: svc.MatrixRow, key: str) -> str | Text:
        m = self.mapping
        if m is None:
            return ""
        if key.startswith("sep_"):
            return Text(key == "sep_req" and "║" or "│", style="dim")
        if key == "name":
            if row.kind == SCOPE_APPLICATION:
                app = m.applications.get(row.id)
                marks = []
                if app is not None and app.is_new:
                    marks.append("nieuw")
                if app is not None and app.excluded:
                    marks.append("buiten beschouwing")
                return Text(row.name + (f" ({', '.join(marks)})" if marks else ""))
            return Text(f"  {row.name}")
        if row.kind == SCOPE_APPLICATION and (key == "conform" or key.startswith("req_")):
            return ""
        if key.startswith("req_"):
            state = m.readiness(row.id).requirements[key[4:]]
            return Text(REQUIREMENT_TEXT[state], style=REQUIREMENT_STYLES[state])
        if key == "conform":
            r = m.readiness(row.id)
            if r.excluded is not None:
                return Text("–", style="dim")
            if r.exempt and not r.elo_conform:
                return Text("uitz", style="cyan")
            ok = r.elo_conform
            return Text("ja" if ok else "nee", style="green" if ok else "red")
        return cell_markup(m.view(row, key))

    def set_filter(self, f: svc.RowFilter) -> None:
        self.filters = f
        self.apply_filter()

    def apply_filter(self) -> None:
        if self.mapping is None:
            return
        table = self.query_one(MatrixTable)
        keep = table.current
        self._waiting_for_index = self.mapping.needs_index(self.filters)
        if self._waiting_for_index:
            # Never a wrong list: no rows until every product's readiness is known.
            rows: list[svc.MatrixRow] = []
            table.empty_text = "Filter wordt berekend…"
        else:
            rows = self.mapping.filter_rows(self.filters)
            table.empty_text = EMPTY_TEXT
        head = self.mapping.head if self.mapping.partial else None
        total = head.rows if head is not None and not self.filters.active else None
        table.set_rows(rows, keep=keep if keep in rows else None, total=total)
        names = {i: a.name for i, a in self.mapping.applications.items()}
        self._update_static("#filter-summary", describe_filter(self.filters, names))
        self._update_count(rows)
        self._show_detail()

    def _update_static(self, selector: str, text: Text) -> None:
        """Show `text` in a one-line (or fixed-height) Static, without a layout pass; not
        at all when it already shows it: the rows arriving after the first frame change
        no text, and a repaint of each would make a second frame."""
        shown = self._shown_texts.get(selector)
        if shown is not None and (shown.plain, shown.spans, shown.style) == (
            text.plain,
            text.spans,
            text.style,
        ):
            return
        self._shown_texts[selector] = text
        self.query_one(selector, Static).update(text, layout=False)

    def _update_count(self, rows) -> None:
        m = self.mapping
        assert m is not None
        # Both counts walk every row or product (20,000 of them: ~25 ms, on every `v`);
        # they only change with the rows shown or with a newly loaded mapping (exclusion
        # follows the application, never a block status), so they are kept until then.
        cached = self._counts
        if cached is None or cached[0] is not rows or cached[1] is not m:
            shown = sum(1 for r in rows if r.kind != SCOPE_APPLICATION)
            cached = self._counts = (rows, m, shown, m.excluded_count())
        shown, excluded = cached[2], cached[3]
        total = m.product_count()
        head = m.head if m.partial else None
        if head is not None:  # the first rows only: the whole counted in SQL
            total, excluded = head.products, head.excluded
            if not self.filters.active:
                shown = total
        part = plural(total, "product", "producten")
        if m.partial and head is None:
            part = "producten worden geteld…"
        elif self._waiting_for_index:
            part = f"filter wordt berekend… · {part}"
        elif shown != total:
            part = f"{format_number(shown)} van {part}"
        if excluded:
            part += f" (waarvan {excluded} buiten beschouwing, niet meegeteld)"
        # Until the worker has every product's readiness: said so, never a number.
        if self.conform is None:
            conform = "ELO-conform wordt berekend…"
        else:
            conform = f"{self.conform} ELO-conform (zelf verklaard)"
        self._update_static("#count", Text(f"{part} · {conform} · ←→↑↓ cel · Enter bewerken"))

    def _cycle(self, current: str, keys: list[str]) -> str:
        options = ["", *keys]
        return options[(options.index(current) + 1) % len(options)] if current in options else ""

    def action_cycle_deadline(self) -> None:
        f = self.filters
        nxt = self._cycle(f.deadline, [d.key for d in DEADLINES])
        self.set_filter(svc.RowFilter(nxt, f.block, f.application))

    def action_cycle_block(self) -> None:
        f = self.filters
        self.set_filter(svc.RowFilter(f.deadline, self._cycle(f.block, BLOCK_KEYS), f.application))

    def action_filters(self) -> None:
        if self.mapping is None:
            return
        from elo_tui.screens.matrix_filter import MatrixFilterScreen

        def chosen(f: svc.RowFilter | None) -> None:
            if f is not None:
                self.set_filter(f)
            self.query_one(MatrixTable).focus()

        names = {i: a.name for i, a in self.mapping.applications.items()}
        self.app.push_screen(MatrixFilterScreen(self.filters, names), chosen)

    def action_clear_filters(self) -> None:
        self.set_filter(svc.RowFilter())
        self.query_one(MatrixTable).focus()

    # -- the current cell ----------------------------------------------------------------------

    def on_mount(self) -> None:
        self.query_one(MatrixTable).on_cell = self._show_detail
        super().on_mount()

    def _show_detail(self) -> None:
        table = self.query_one(MatrixTable)
        row, block = table.current, table.current_column
        m = self.mapping
        if m is None or row is None or not block:
            self._update_static("#cell-detail", Text(""))
            return
        info = BLOCKS_BY_CODE[block]
        view = m.view(row, block)
        lines = [Text.assemble((info.label, "bold"), " · ", row.name)]
        if view.cell is None:
            where = "per product" if info.scope != SCOPE_APPLICATION else "per toepassing"
            lines.append(Text(f"Deze bouwsteen geldt {where}: bewerk hem op die rij."))
        else:
            cell = view.cell
            status_line = APPLICABILITY.get(cell.applicability, cell.applicability)
            if cell.applicability in (REQUIRED, FORMS_TOOL):
                status_line += f" – {STAGE_LABELS.get(cell.stage, cell.stage)}"
            if cell.exempt:
                status_line = "Aanvaarde uitzondering (niet conform, niet te laat) · " + status_line
            if cell.target_date:
                status_line += f" · streefdatum {format_date(cell.target_date)}"
            if cell.delayed_to:
                status_line += (
                    f" · aanvaarde vertraging: gemeten tegen {format_date(cell.delayed_to)} "
                    f"i.p.v. {format_date(cell.original_date)}"
                )
            if cell.waiting:
                status_line += " · wacht op bouwsteen"
            if view.derived:
                apps = [m.scope_name(k, i) for k, i in m.edit_scopes(row, block)]
                status_line += " · via " + (" en ".join(apps) if apps else "geen toepassing")
            else:
                status = m.status(*m.edit_scopes(row, block)[0], block)
                if status is not None and status.reason and cell.applicability == NOT_APPLICABLE:
                    status_line += f": {status.reason}"
                if status is not None and status.verified_central:
                    status_line += " · centraal gecontroleerd"
            lines.append(Text(status_line))
            if cell.applicability == UNDECIDED and view.suggestion is not None:
                s = view.suggestion
                lines.append(
                    Text(
                        f"Voorstel: {APPLICABILITY[s.applicability]} – {s.why} (v: overnemen)",
                        style="italic",
                    )
                )
        if row.kind != SCOPE_APPLICATION:
            req = m.readiness(row.id).requirements
            lines.append(
                Text(
                    "Vereisten: "
                    + " · ".join(
                        f"{r.label}: {REQUIREMENT_STATES[req[r.code]]}" for r in REQUIREMENTS
                    ),
                    style="dim",
                )
            )
        # Fixed height: no layout pass needed (it would repaint the whole screen).
        self._update_static("#cell-detail", Text("\n").join(lines))

    # -- editing -------------------------------------------------------------------------------

    def _still_reading(self) -> bool:
        """The first rows only are in (a moment at 20,000 products): an edit waits, as
        what follows from it (products of an application, suggestions) needs them all."""
        if self.mapping is not None and self.mapping.partial:
            self.notify("De matrix wordt nog gelezen; probeer het zo opnieuw.", markup=False)
            return True
        return False

    def action_edit(self) -> None:
        table = self.query_one(MatrixTable)
        row, block = table.current, table.current_column
        if self.mapping is None or row is None or not block or self._still_reading():
            return
        if not self.mapping.edit_scopes(row, block):
            self.notify(self._not_here(row, block), severity="warning", markup=False)
            return
        from elo_tui.screens.block_form import open_block_form

        open_block_form(self, self.mapping, row, block, self._after_edit)

    def _not_here(self, row: svc.MatrixRow, block: str) -> str:
        info = BLOCKS_BY_CODE[block]
        if info.scope == SCOPE_APPLICATION and row.kind != SCOPE_APPLICATION:
            return "Dit product heeft nog geen toepassing: koppel er een in de inventaris (2)."
        if info.scope == SCOPE_APPLICATION:
            return "Producten zonder toepassing: koppel eerst een toepassing in de inventaris."
        return f"{info.label} geldt per product: kies de cel op een productrij."

    @on(MatrixTable.Selected)
    def _selected(self) -> None:
        self.action_edit()

    def action_accept_suggestion(self) -> None:
        table = self.query_one(MatrixTable)
        row, block = table.current, table.current_column
        m = self.mapping
        if m is None or row is None or not block or self._still_reading():
            return
        scopes = m.edit_scopes(row, block)
        if not scopes:
            self.notify(self._not_here(row, block), severity="warning", markup=False)
            return
        scope = scopes[0]
        current = m.status(*scope, block)
        if current is not None and current.applicability != UNDECIDED:
            self.notify("Deze cel is al beslist; bewerk ze met Enter.", markup=False)
            return
        from elo_tui.store import WorkspaceError

        try:
            saved, errors = svc.accept_suggestion(self.app.ws, m, *scope, block, m.today)
        except WorkspaceError as exc:
            self.notify(str(exc), title="Niet opgeslagen", severity="error", markup=False)
            return
        if errors:
            self.notify(next(iter(errors.values())), severity="warning", markup=False)
            return
        # No toast: the cell and the detail line show the result (and a toast would
        # cost a layout pass of the whole screen on every key).
        self._after_edit(saved)

    def action_accept_all(self) -> None:
        if self.mapping is None or self._still_reading():
            return
        from elo_tui.screens.accept_all import AcceptAllDialog

        m = self.mapping
        self.app.push_screen(
            AcceptAllDialog(m, self.query_one(MatrixTable).current), self._accept_plan
        )

    def _accept_plan(self, plan: svc.AcceptPlan | None) -> None:
        table = self.query_one(MatrixTable)
        table.focus()
        if plan is None or self.mapping is None:
            return
        from elo_tui.domain.formats import format_number
        from elo_tui.services import undo

        today = self.mapping.today
        if len(plan.allowed) > undo.LARGE:
            from elo_tui.screens.busy import run_busy

            def job(ws):
                # Recorded on the worker's connection, then taken into the session's stack.
                stack = undo.attach(ws)
                return svc.accept_all(ws, plan, today), stack

            def done(result, error: str) -> None:
                if error:
                    self._accepted(plan, None, error)
                    return
                saved, stack = result
                undo.adopt(self.app.ws, stack)
                self._accepted(plan, saved, "")

            n = format_number(len(plan.allowed))
            run_busy(self.app, f"Bezig met {n} voorstellen overnemen…", job, done)
            return
        from elo_tui.store import WorkspaceError

        try:
            saved = svc.accept_all(self.app.ws, plan, today)
        except WorkspaceError as exc:
            self._accepted(plan, None, str(exc))
            return
        self._accepted(plan, saved, "")

    def _accepted(self, plan: svc.AcceptPlan, saved: list | None, error: str) -> None:
        from elo_tui.domain.formats import format_number

        if error or saved is None or self.mapping is None:
            self.notify(error, title="Niet opgeslagen", severity="error", markup=False)
            return
        self.mapping.apply_many(saved)  # keeps the index (count, filters) in step…
        self.saved()
        index = self.mapping.index
        self.conform = None if index is None else index.conform_count
        self.apply_filter()
        if index is None:  # …or most products changed: computed anew, after this frame
            self.call_after_refresh(self._start_index)
        self._schedule_snapshot()
        n = len(saved)
        self.notify(
            f"{format_number(n)} {'voorstel' if n == 1 else 'voorstellen'} overgenomen "
            f"voor {plan.scope_name} (ctrl+z: ongedaan maken).",
            markup=False,
        )

    def _after_edit(self, status) -> None:
        if status is None or self.mapping is None:
            return
        m = self.mapping
        changed = set(m.apply(status)) | {status.scope_id}  # the index follows
        # Without the index (still being computed) the count read before the edit may be
        # off now: "wordt berekend…" until the index, which takes the edit in, arrives.
        self.conform = m.index.conform_count if m.index is not None else None
        self.saved()
        table = self.query_one(MatrixTable)
        rows = [] if self._waiting_for_index else self.mapping.filter_rows(self.filters)
        if self.filters.active and not self._waiting_for_index:
            # Filters may now hide or show rows; keep the cursor on the same cell if we can.
            table.set_rows(rows, keep=table.current if table.current in rows else None)
        else:
            # Redraw only the rows of the products (and application) that changed.
            table.refresh_rows(self._positions(table.rows, changed))
        self._update_count(rows)
        self._show_detail()
        if self.focused is not table:  # focus() repaints every line of a focused table
            table.focus()
        self._schedule_snapshot()

    def _positions(self, rows, ids) -> list[int]:
        """Indices of the rows with these ids. For the mapping's own rows it knows where
        each product is, so the map made once per row list holds the headers only (a list
        per row for 21,000 rows made the first `v` after a load wait for the GC)."""
        m = self.mapping
        own = m is not None and rows is m.rows
        cached = self._row_positions
        if cached is None or cached[0] is not rows:
            positions = {
                r.id: i for i, r in enumerate(rows) if not own or r.kind == SCOPE_APPLICATION
            }
            cached = self._row_positions = (rows, positions)
        out = []
        for row_id in ids:
            at = cached[1].get(row_id)
            if at is None and own and m is not None and m.has_product(row_id):
                at = m.row_position(row_id)
            if at is not None and at >= 0:
                out.append(at)
        return out

    def _schedule_snapshot(self) -> None:
        # Many edits in a row make one history write, a moment after the last one.
        timer = getattr(self, "_snapshot_timer", None)
        if timer is not None:
            timer.stop()
        self._snapshot_timer = self.set_timer(2.0, self.record_snapshot)

    def record_snapshot(self) -> None:
        """Today's readiness for the history chart, in a thread on its own connection:
        the summary of 20,000 products takes over a second, keys must not wait for it."""
        if self.mapping is None or self.app.ws is None:
            return
        ws, today = self.app.ws, self.mapping.today
        if ws.read_only:
            return

        def record() -> None:
            from elo_tui.store import WorkspaceError

            try:
                svc.record_snapshot_apart(ws, today)
            except WorkspaceError:
                pass  # the history is a convenience; the edit itself is saved

        # One at a time; a newer edit's snapshot replaces one still waiting.
        self.run_worker(record, thread=True, group="matrix-snapshot", exclusive=True)
