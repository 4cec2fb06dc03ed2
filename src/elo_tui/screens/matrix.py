"""The block matrix: products (grouped by application) x building blocks.

Each cell shows applicability and stage as a symbol and a short word (readable without
colour) and a colour. Arrows move over cells, Enter edits one, `v` takes the suggestion of
an undecided cell. Application-level blocks are edited on the application: every product
of that application follows at once.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Label, Select, Static

from elo_tui.domain.blocks import (
    APPLICABILITY,
    BLOCKS,
    BLOCKS_BY_CODE,
    DEADLINES,
    FORMS_TOOL,
    LEGEND,
    NOT_APPLICABLE,
    REQUIRED,
    SCOPE_APPLICATION,
    STAGE_LABELS,
    UNDECIDED,
    cell_text,
)
from elo_tui.domain.readiness import product_readiness
from elo_tui.screens.base import AreaScreen
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
COLUMNS = [
    Column("name", "Product (per toepassing)", flex=1, min_width=18),
    *(Column(b.code, b.short, width=BLOCK_WIDTH) for b in BLOCKS),
    Column("conform", "ELO", width=3),
]
BLOCK_KEYS = [b.code for b in BLOCKS]


def cell_markup(view: svc.CellView) -> Text:
    """A cell as styled literal text."""
    cell = view.cell
    if cell is None:
        return Text("")
    suggestion = view.suggestion.applicability if view.suggestion else ""
    text = cell_text(cell.applicability, cell.stage, suggestion)
    if cell.applicability == REQUIRED:
        style = STAGE_STYLES.get(cell.stage, "red")
    else:
        style = APPLICABILITY_STYLES.get(cell.applicability, "")
    return Text(text, style=style)


class MatrixScreen(AreaScreen):
    MODE = "matrix"
    BINDINGS = [
        Binding("enter,e", "edit", "Bewerken"),
        Binding("v", "accept_suggestion", "Voorstel overnemen"),
        Binding("d", "cycle_deadline", "Deadlinefilter"),
        Binding("b", "cycle_block", "Bouwsteenfilter"),
        Binding("escape", "clear_filters", "Filters wissen"),
    ]
    DEFAULT_CSS = """
    MatrixScreen #filters { height: 3; }
    MatrixScreen #filters Select { width: 1fr; }
    MatrixScreen #cell-detail { height: 3; padding: 0 1; border-top: solid $panel; }
    MatrixScreen #legend { height: 1; padding: 0 1; color: $text-muted; }
    """

    mapping: svc.Mapping | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="filters"):
            yield Select(
                [(f"Blokkeert {d.label}", d.key) for d in DEADLINES],
                prompt="Alle producten",
                id="filter-deadline",
            )
            yield Select([(b.label, b.code) for b in BLOCKS], prompt="Alle bouwstenen",
                         id="filter-block")
            yield Select([], prompt="Alle toepassingen", id="filter-app")
        yield MatrixTable(
            COLUMNS,
            self._cell,
            cell_keys=BLOCK_KEYS,
            is_group=lambda row: row.kind == SCOPE_APPLICATION,
            id="matrix",
            empty_text="Geen producten (of geen die aan de filter voldoen).",
        )
        yield Static("", id="cell-detail")
        yield Static(Text(LEGEND), id="legend")
        yield Label("", id="count")

    # -- data -------------------------------------------------------------------------------

    def load(self) -> None:
        self.mapping = svc.load_mapping(self.app.ws)
        select = self.query_one("#filter-app", Select)
        current = select.value
        apps = sorted(self.mapping.applications.values(), key=lambda a: a.name.casefold())
        with self.prevent(Select.Changed):
            select.set_options([(Text(a.name), a.id) for a in apps])
            if current in self.mapping.applications:
                select.value = current
        self.apply_filter()
        self.query_one(MatrixTable).focus()
        self.conform: int | None = None
        self._count_conform(self.mapping)
        self._warm_templates()

    @work(thread=True, exclusive=True, group="matrix-count", exit_on_error=False)
    def _count_conform(self, mapping: svc.Mapping) -> None:
        # All 1,202 products' readiness (~0.1 s) would delay the first paint: count in
        # the background, on a copy, without touching the cache the screen draws from.
        statuses = dict(mapping.statuses)
        products = list(mapping.products.values())
        n = sum(product_readiness(p, statuses, mapping.today).elo_conform for p in products)

        def show() -> None:
            if mapping is self.mapping and self.conform is None:
                self.conform = n
                self._update_count(self.query_one(MatrixTable).rows)

        self.app.call_from_thread(show)

    @work(thread=True, exclusive=True, group="templates", exit_on_error=False)
    def _warm_templates(self) -> None:
        # Validating the templates imports pydantic (~0.3 s): do it now, in the background,
        # so that the first edit that creates checklist items does not wait for it.
        from elo_tui.services import checklists

        checklists.load_templates()

    def _cell(self, row: svc.MatrixRow, key: str) -> str | Text:
        m = self.mapping
        if m is None:
            return ""
        if key == "name":
            return Text(row.name if row.kind == SCOPE_APPLICATION else f"  {row.name}")
        if key == "conform":
            if row.kind == SCOPE_APPLICATION:
                return ""
            ok = m.readiness(row.id).elo_conform
            return Text("ja" if ok else "nee", style="green" if ok else "red")
        return cell_markup(m.view(row, key))

    def current_filter(self) -> svc.RowFilter:
        def value(widget_id: str) -> str:
            v = self.query_one(widget_id, Select).value
            return v if isinstance(v, str) else ""

        return svc.RowFilter(
            deadline=value("#filter-deadline"),
            block=value("#filter-block"),
            application=value("#filter-app"),
        )

    def apply_filter(self) -> None:
        if self.mapping is None:
            return
        table = self.query_one(MatrixTable)
        keep = table.current
        rows = self.mapping.filter_rows(self.current_filter())
        table.set_rows(rows, keep=keep if keep in rows else None)
        self._update_count(rows)
        self._show_detail()

    def _update_count(self, rows) -> None:
        m = self.mapping
        assert m is not None
        shown = sum(1 for r in rows if r.kind != SCOPE_APPLICATION)
        total = len(m.products)
        part = f"{shown} van {total} producten" if shown != total else f"{total} producten"
        conform = "…" if getattr(self, "conform", None) is None else str(self.conform)
        self.query_one("#count", Label).update(
            Text(f"{part} · {conform} ELO-conform · ←→↑↓ cel kiezen · Enter bewerken")
        )

    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self.apply_filter()

    def _cycle(self, widget_id: str, keys: list[str]) -> None:
        select = self.query_one(widget_id, Select)
        current = select.value if isinstance(select.value, str) else ""
        options = ["", *keys]
        nxt = options[(options.index(current) + 1) % len(options)] if current in options else ""
        if nxt:
            select.value = nxt
        else:
            select.clear()

    def action_cycle_deadline(self) -> None:
        self._cycle("#filter-deadline", [d.key for d in DEADLINES])

    def action_cycle_block(self) -> None:
        self._cycle("#filter-block", BLOCK_KEYS)

    def action_clear_filters(self) -> None:
        for widget_id in ("#filter-deadline", "#filter-block", "#filter-app"):
            self.query_one(widget_id, Select).clear()
        self.query_one(MatrixTable).focus()

    # -- the current cell ----------------------------------------------------------------------

    @on(MatrixTable.CellHighlighted)
    def _cell_moved(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#cell-detail", Static)
        table = self.query_one(MatrixTable)
        row, block = table.current, table.current_column
        m = self.mapping
        if m is None or row is None or not block:
            detail.update("", layout=False)
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
            if cell.applicability == REQUIRED:
                status_line += f" – {STAGE_LABELS.get(cell.stage, cell.stage)}"
            if cell.target_date:
                status_line += f" · streefdatum {cell.target_date}"
            if view.derived:
                apps = [m.scope_name(k, i) for k, i in m.edit_scopes(row, block)]
                status_line += " · via " + (" en ".join(apps) if apps else "geen toepassing")
            else:
                status = m.status(*m.edit_scopes(row, block)[0], block)
                if status is not None and status.reason and cell.applicability == NOT_APPLICABLE:
                    status_line += f": {status.reason}"
            lines.append(Text(status_line))
            if cell.applicability == UNDECIDED and view.suggestion is not None:
                s = view.suggestion
                lines.append(
                    Text(f"Voorstel: {APPLICABILITY[s.applicability]} – {s.why} (v: overnemen)",
                         style="italic")
                )
        # Fixed height: no layout pass needed (it would repaint the whole screen).
        detail.update(Text("\n").join(lines), layout=False)

    # -- editing -------------------------------------------------------------------------------

    def action_edit(self) -> None:
        table = self.query_one(MatrixTable)
        row, block = table.current, table.current_column
        if self.mapping is None or row is None or not block:
            return
        if not self.mapping.edit_scopes(row, block):
            self.notify(self._not_here(row, block), severity="warning", markup=False)
            return
        from elo_tui.screens.block_form import BlockForm

        self.app.push_screen(BlockForm(self.mapping, row, block), self._after_edit)

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
        if m is None or row is None or not block:
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
        self._after_edit(saved)
        self.notify(
            f"{BLOCKS_BY_CODE[block].short}: {APPLICABILITY[saved.applicability]} "
            f"({m.scope_name(*scope)})",
            markup=False,
        )

    def _after_edit(self, status) -> None:
        if status is None or self.mapping is None:
            return
        m = self.mapping
        affected = m.affected_products(status.scope_kind, status.scope_id)
        before = sum(m.readiness(p).elo_conform for p in affected)
        changed = set(m.apply(status)) | {status.scope_id}
        if self.conform is not None:
            self.conform += sum(m.readiness(p).elo_conform for p in affected) - before
        self.saved()
        table = self.query_one(MatrixTable)
        rows = self.mapping.filter_rows(self.current_filter())
        if self.current_filter().active:
            # Filters may now hide or show rows; keep the cursor on the same cell if we can.
            table.set_rows(rows, keep=table.current if table.current in rows else None)
        else:
            # Redraw only the rows of the products (and application) that changed.
            table.refresh_rows([i for i, r in enumerate(table.rows) if r.id in changed])
        self._update_count(rows)
        self._show_detail()
        table.focus()
        self._schedule_snapshot()

    def _schedule_snapshot(self) -> None:
        # Many edits in a row make one history write, a moment after the last one.
        timer = getattr(self, "_snapshot_timer", None)
        if timer is not None:
            timer.stop()
        self._snapshot_timer = self.set_timer(2.0, self.record_snapshot)

    def record_snapshot(self) -> None:
        if self.mapping is None or self.app.ws is None:
            return
        from elo_tui.store import WorkspaceError

        try:
            svc.record_snapshot(self.app.ws, self.mapping.summary())
        except WorkspaceError:
            pass  # the history is a convenience; the edit itself is saved
