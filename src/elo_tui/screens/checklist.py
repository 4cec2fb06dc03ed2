"""The checklist: every step of every instantiated checklist, overdue and due-soon first.

Steps come from the templates in `checklists/` and appear when a block becomes required
(agency-wide steps from the start). Enter edits a step, space moves its status on, x marks
it done. Steps of blocks that are no longer required are kept (with their notes) under
"Niet meer nodig".
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Input, Label, Select, Static
from textual.worker import WorkerState

from elo_tui.domain import checklists as cl
from elo_tui.domain.blocks import BLOCKS, BLOCKS_BY_CODE
from elo_tui.domain.formats import format_date, format_number, plural
from elo_tui.screens.base import AreaScreen
from elo_tui.screens.template_notice import report_problems, warm_templates
from elo_tui.services import checklists as svc
from elo_tui.services import clock
from elo_tui.widgets.virtual_table import Column, VirtualTable

COLUMNS = [
    Column("status", "Status", width=13),
    Column("due", "Vervaldag", width=10),
    Column("title", "Stap", flex=3, min_width=20),
    Column("scope", "Voor", flex=2, min_width=14),
    Column("block", "Bouwsteen", width=9),
    Column("owner", "Eigenaar", width=16),
]
STATUS_STYLES = {"open": "", "busy": "cyan", "blocked": "red", "done": "green", "na": "dim"}
BUCKET_STYLES = {"overdue": "bold red", "soon": "yellow"}

SHOW = {
    "open": "Open stappen",
    "overdue": "Te laat",
    "soon": "Binnen 14 dagen",
    "closed": "Afgerond",
    "obsolete": "Niet meer nodig",
    "all": "Alles",
}


def _cell(row: svc.AgendaRow, key: str) -> str | Text:
    item = row.item
    match key:
        case "status":
            symbol = cl.ITEM_STATUS_SYMBOLS.get(item.status, "□")
            label = cl.ITEM_STATUSES.get(item.status, item.status)
            if row.contradiction:  # the matrix says the block is in production already
                return Text.assemble(("⚠", "bold yellow"), f" {label}")
            return Text(f"{symbol} {label}", style=STATUS_STYLES.get(item.status, ""))
        case "due":
            return Text(format_date(item.due_date), style=BUCKET_STYLES.get(row.bucket, ""))
        case "title":
            return Text(item.title, style="dim" if item.obsolete else "")
        case "scope":
            return Text(row.scope_name)
        case "block":
            if item.block in BLOCKS_BY_CODE:
                return BLOCKS_BY_CODE[item.block].short
            return "Aftoets." if item.template == "aftoetsing" else "Programma"
        case "owner":
            return Text(item.owner)
    return ""


class ChecklistScreen(AreaScreen):
    MODE = "checklist"
    # The table, as load() does: Textual's default (the search field, first in the screen)
    # moved focus once more after the first frame, a second frame (~7 KiB) ~40 ms later.
    AUTO_FOCUS = "#items"
    BINDINGS = [
        Binding("enter,e", "edit", "Bewerken"),
        Binding("space", "cycle_status", "Status verder"),
        Binding("x", "done", "Klaar"),
        Binding("slash", "focus_search", "Zoeken", key_display="/"),
        Binding("escape", "clear_filters", "Filters wissen"),
    ]
    DEFAULT_CSS = """
    ChecklistScreen #filters { height: 3; }
    ChecklistScreen #filters Input { width: 2fr; }
    ChecklistScreen #filters Select { width: 1fr; }
    ChecklistScreen #step-detail { height: 5; padding: 0 1; border-top: solid $panel; }
    """

    counts: svc.AgendaCounts | None = None
    _visible = 0
    _applied: tuple[Any, ...] | None = None  # the filters and file stamp the table shows

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="filters"):
            yield Input(placeholder="Zoek in stap of product/toepassing…", id="search")
            yield Select(
                [(label, key) for key, label in SHOW.items()],
                allow_blank=False,
                value="open",
                id="show",
            )
            yield Select(
                [("Programma (agentschap)", "agency")] + [(b.label, b.code) for b in BLOCKS],
                prompt="Alle bouwstenen",
                id="filter-block",
            )
        yield VirtualTable(
            COLUMNS,
            _cell,
            id="items",
            empty_text="Geen stappen. Ze verschijnen wanneer een bouwsteen "
            "vereist wordt (4: Bouwstenen).",
        )
        yield Static("", id="step-detail")
        yield Label("", id="count")

    def load(self) -> None:
        ws = self.app.ws
        self.today = clock.today()
        self.reader = svc.AgendaReader(ws, self.today)
        self.counts = self.reader.counts(contradictions=False)
        self.apply_filter()
        self._stamp = svc.agenda_stamp(ws)
        self.query_one(VirtualTable).focus()
        # Once the first frame is on the terminal: the worker would compete with painting.
        self.app.after_next_frame(self._count_contradictions)
        self.set_timer(0.3, self._warm_templates)  # step descriptions; after the first paint

    def _count_contradictions(self) -> None:
        # After the first frame, on a connection of its own (the app's may be closed, at
        # quit, while this still reads): the contradiction count, then the full order
        # (the first frame read only its first rows).
        if self.app.ws is not None:
            self._after_first_frame(self.app.ws.path, self.reader.stamp, self.today)

    @work(thread=True, exclusive=True, group="checklist-contradictions", exit_on_error=False)
    def _after_first_frame(self, path, stamp, today):
        count = svc.count_contradictions(path)
        return stamp, count, svc.agenda_order(path, today)

    def _contradictions_counted(self, stamp, count: int, order) -> None:
        if self.reader.set_contradictions(count, stamp):
            self.reader.set_order(order, stamp)
            self.counts = self.reader.counts()
            self._show_count()
        else:  # the file changed while counting: count again
            self._count_contradictions()

    @property
    def rows(self) -> svc.Agenda:
        """Every step in agenda order (read in pages; the table holds the filtered ones)."""
        return svc.agenda_rows(self.app.ws, self.today)

    def on_screen_resume(self) -> None:
        # The table reads its rows from the store as they come on screen; when the file
        # changed meanwhile (another process, a sync) order and counts are read again.
        if (
            getattr(self, "_stamp", None) is not None
            and svc.agenda_stamp(self.app.ws) != self._stamp
        ):
            self._loaded_version = -1
        super().on_screen_resume()

    def _warm_templates(self) -> None:
        warm_templates(self)

    def on_worker_state_changed(self, event) -> None:
        if event.worker.group == "checklist-contradictions":
            if event.state == WorkerState.SUCCESS:
                self._contradictions_counted(*event.worker.result)
            return
        if event.worker.group == "templates" and event.worker.result is not None:
            report_problems(self, event.worker.result[1])
            self._templates_ready()

    def _templates_ready(self) -> None:
        self._show_detail()  # the step's description comes from its template

    # -- filtering -------------------------------------------------------------------------

    def _filters(self) -> tuple[str, str | None, str]:
        show = self.query_one("#show", Select).value
        block = self.query_one("#filter-block", Select).value
        return (
            show if isinstance(show, str) else "open",
            block if isinstance(block, str) else None,
            self.query_one("#search", Input).value.strip().casefold(),
        )

    def visible_rows(self) -> svc.Agenda:
        show, block, needle = self._filters()
        return self.reader.rows(show=show, block=block, needle=needle)

    def apply_filter(self, keep_id: str | None = None) -> None:
        table = self.query_one(VirtualTable)
        current = table.current
        keep_id = keep_id or (current.item.id if current else None)
        rows = self.visible_rows()  # after a change of the file: the order read again
        at = rows.position_of(keep_id) if keep_id else None
        table.set_rows(rows, keep=rows[at] if at is not None else None)
        self._visible = len(rows)
        self._applied = (self._filters(), self.reader.stamp)
        self._show_count()
        self._show_detail()

    def _show_count(self) -> None:
        counts = self.counts
        if counts is None:
            return
        overdue = counts.buckets.get("overdue", 0)
        soon = counts.buckets.get("soon", 0)
        n = format_number
        count = Text(
            f"{n(self._visible)} van {plural(counts.total, 'stap', 'stappen')} · "
            f"{n(overdue)} te laat · {n(soon)} binnen 14 dagen"
        )
        if counts.contradicting < 0:  # counted in a worker after the first frame
            count.append(" · tegenspraak met de matrix: wordt bijgewerkt…", style="dim")
        elif counts.contradicting:
            count.append(
                f" · ⚠ {n(counts.contradicting)} open terwijl de bouwsteen in productie is"
            )
        self.query_one("#count", Label).update(
            count,
            layout=False,  # fixed one-line widget: no layout pass per keystroke
        )

    _search_timer: Timer | None = None

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        # Searching reads "title scope-name" of every step in SQL (~0.2 s at 128,000
        # steps): once typing pauses, not on every key; Enter searches at once.
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(0.25, self.apply_filter)

    @on(Select.Changed)
    def _filter_changed(self) -> None:
        # A Select posts Changed for its first value too, after mount: the rows shown are
        # those already (reading them again cost ~20 ms of the first frame at 20,000).
        if self._applied == (self._filters(), svc.agenda_stamp(self.app.ws)):
            return
        self.apply_filter()

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
            self.apply_filter()
        self.query_one(VirtualTable).focus()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_filters(self) -> None:
        self.query_one("#search", Input).value = ""
        self.query_one("#show", Select).value = "open"
        self.query_one("#filter-block", Select).clear()
        self.query_one(VirtualTable).focus()

    # -- detail -------------------------------------------------------------------------------

    @on(VirtualTable.Highlighted, "#items")
    def _moved(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#step-detail", Static)
        row = self.query_one(VirtualTable).current
        if row is None:
            detail.update("", layout=False)
            return
        detail.update(step_text(row), layout=False)  # fixed height: no relayout per move

    # -- editing ------------------------------------------------------------------------------

    def _current(self) -> svc.AgendaRow | None:
        return self.query_one(VirtualTable).current

    def action_edit(self) -> None:
        row = self._current()
        if row is not None:
            # The form (and TextArea, its forms module) only when asked: ~20 ms less
            # before the checklist's first frame.
            from elo_tui.screens.checklist_form import ItemForm

            self.app.push_screen(ItemForm(row, self.today), self._after_save)

    @on(VirtualTable.Selected, "#items")
    def _selected(self) -> None:
        self.action_edit()

    def action_cycle_status(self) -> None:
        row = self._current()
        if row is None:
            return
        self._set_status(row, cl.next_status(row.item.status))

    def action_done(self) -> None:
        row = self._current()
        if row is not None:
            self._set_status(row, "done")

    def _set_status(self, row: svc.AgendaRow, status: str) -> None:
        from elo_tui.store import WorkspaceError

        try:
            item = svc.set_status(self.app.ws, row.item, status, self.today)
        except (WorkspaceError, ValueError) as exc:
            self.notify(str(exc), title="Niet opgeslagen", severity="error", markup=False)
            return
        self._after_save(item)

    def _after_save(self, item) -> None:
        if item is None:
            return
        # Its bucket may change: order and counts are read again (the file changed).
        self.counts = self.reader.counts(contradictions=False)
        self.saved()
        self.apply_filter(keep_id=item.id)
        self._stamp = svc.agenda_stamp(self.app.ws)
        self._count_contradictions()
        self.query_one(VirtualTable).focus()


def step_text(row: svc.AgendaRow) -> Text:
    """Title, where it belongs, the template's description and whether it is sourced."""
    item = row.item
    out = Text()
    out.append(item.title, style="bold")
    out.append(f" · {row.scope_name}")
    if item.obsolete:
        out.append(" · niet meer nodig (bouwsteen niet langer vereist)", style="dim")
    out.append("\n")
    if row.contradiction:
        out.append(f"⚠ {row.contradiction} Vink de stap af of zet de matrix juist.\n", "yellow")
    template, step = _find(item)
    if step is not None:
        out.append(step.description or "")
        out.append("\n")
        if step.sourced:
            out.append(f"Bron van de stap: {step.source}", style="dim")
        else:
            out.append(
                "Aanname: pas deze stap aan wat jullie met Digitaal Vlaanderen of VLAIO afspreken.",
                style="dim italic",
            )
        out.append("\n")
        out.append(
            "Vervaldatum: planningsaanname (standaardtermijn van het sjabloon, geen bron); "
            "pas ze aan.\n",
            style="dim italic",
        )
    if item.evidence:
        out.append(f"Bewijs: {item.evidence}\n")
    if item.note:
        out.append(f"Notitie: {item.note.splitlines()[-1]}")
    return out


def _find(item):
    # Only when the templates are already loaded: never block the screen on pydantic.
    cache = svc._cache  # noqa: SLF001 - the service owns the cache; we only peek
    if not cache:
        return None, None
    for templates, _problems in cache.values():
        for t in templates:
            if t.id == item.template:
                return t, t.step(item.step)
    return None, None
