"""Submission ("Indiening"): what is missing, frozen versions, their differences, export.

Left the completeness check (blocking first); right the versions and what changed
against the version before. A new version is only made when nothing blocks; exports
render a frozen version (or, explicitly, a concept of the current state).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from elo_tui import background
from elo_tui.domain.completeness import SEVERITY_LABELS, Issue
from elo_tui.domain.formats import format_date, format_number, format_stamp, plural
from elo_tui.screens.base import AreaScreen
from elo_tui.screens.form import FormScreen
from elo_tui.screens.store_errors import store_errors
from elo_tui.services import submission as service
from elo_tui.services.estimate import euro as service_euro
from elo_tui.services.submission import SubmissionHead
from elo_tui.store import WorkspaceError
from elo_tui.widgets.virtual_table import Column, VirtualTable

ISSUE_COLUMNS = [
    Column("severity", "Ernst", width=14),
    Column("message", "Wat ontbreekt", flex=1, min_width=30),
]
VERSION_COLUMNS = [
    Column("version", "Versie", width=6),
    Column("created", "Aangemaakt (UTC)", width=16),
    Column("author", "Door", flex=1, min_width=6),
    Column("sha", "SHA-256", width=13),
    Column("review", "Beoordeling", width=11),
]
CHECK_AFTER_SHOWN = 0.25  # s between showing the last check and checking again
EMPTY_CHECKED = "Niets ontbreekt: de aanvraag is volledig."
EMPTY_CHECKING = "Bezig met nakijken…"
REVIEW_LABELS = {"verified": "nagekeken", "issues": "opmerkingen", "approved": "goedgekeurd"}
EXPORT_FORMATS = {
    "all": "Alle formaten (TOML, JSON, XLSX, Markdown)",
    "xlsx": "XLSX voor financiën",
    "md": "Markdown-samenvatting voor de stuurgroep",
    "toml": "TOML (canoniek, opnieuw in te lezen)",
    "json": "JSON",
}


def issue_cell(issue: Issue, key: str) -> Text:
    if key == "severity":
        label = SEVERITY_LABELS[issue.severity]
        return Text(
            f"{'✗' if issue.blocking else '!'} {label}",
            style="bold red" if issue.blocking else "yellow",
        )
    return Text(issue.message)


def version_cell(record: SubmissionHead, key: str) -> str | Text:
    if key == "version":
        return f"v{record.version}"
    if key == "created":
        day = format_date(record.created_at[:10]) or record.created_at[:10]
        return f"{day} {record.created_at[11:16]}"
    if key == "author":
        return Text(record.author)
    if key == "sha":
        return record.sha256[:11] + "…"
    if key == "review":
        return REVIEW_LABELS.get(record.review_state, record.review_state or "–")
    return ""


class SubmissionScreen(AreaScreen):
    MODE = "submission"
    SHOWS_DATA_LATER = True  # figures come from a worker
    BINDINGS = [
        Binding("n", "create", "Nieuwe versie"),
        Binding("x", "export", "Exporteren"),
        Binding("c", "export_concept", "Concept exporteren"),
        Binding("r", "refresh", "Nakijken"),
        Binding("g", "request_data", "Aanvraaggegevens"),
    ]
    DEFAULT_CSS = """
    SubmissionScreen #sub-status { height: auto; padding: 0 1; }
    SubmissionScreen #sub-body { height: 1fr; }
    SubmissionScreen #sub-left { width: 1fr; }
    SubmissionScreen #sub-right { width: 58; border-left: solid $panel; }
    SubmissionScreen #issue-detail { height: auto; max-height: 4; padding: 0 1;
        color: $text-muted; }
    SubmissionScreen #versions { height: 9; }
    SubmissionScreen .sub-title { text-style: bold; padding: 0 1; }
    SubmissionScreen #sub-diff-box { height: 1fr; padding: 0 1; }
    /* Narrow (80x24): the panes one above the other, each with room for its columns;
       the body scrolls, and focusing the versions table brings it into view. */
    SubmissionScreen.-narrow #sub-body { layout: vertical; overflow-y: auto;
        scrollbar-size-vertical: 1; }
    SubmissionScreen.-narrow #sub-left { width: 1fr; height: 14; }
    SubmissionScreen.-narrow #sub-right { width: 1fr; height: 22; border-left: none;
        border-top: solid $panel; }
    SubmissionScreen.-narrow #versions { height: 6; }
    """
    # Side by side needs the issue table (severity + 30 for the message) next to the
    # 58 columns of the versions; below this width the panes are stacked.
    NARROW_BELOW = 106

    issues: list[Issue] = []

    def __init__(self) -> None:
        super().__init__()
        self._checked = False  # the issues shown come from a check on the data as it is
        self._n_blocking = 0
        self._diff_cache: dict[str, Text] = {}  # submission id -> diff panel

    def compose_body(self) -> ComposeResult:
        yield Static(Text("Bezig met nakijken…", style="italic"), id="sub-status")
        with Horizontal(id="sub-body"):
            with Vertical(id="sub-left"):
                yield Label("Wat ontbreekt nog (blokkerend eerst)", classes="sub-title")
                yield VirtualTable(
                    ISSUE_COLUMNS,
                    issue_cell,
                    id="issues",
                    empty_text=EMPTY_CHECKING,
                )
                yield Static("", id="issue-detail")
            with Vertical(id="sub-right"):
                yield Label("Versies", classes="sub-title")
                yield VirtualTable(
                    VERSION_COLUMNS,
                    version_cell,
                    id="versions",
                    empty_text="Nog geen indiening. Druk op 'n' om er een te maken.",
                )
                yield Label("Verschil met de vorige versie", classes="sub-title")
                with VerticalScroll(id="sub-diff-box"):
                    yield Static("", id="sub-diff")

    def on_resize(self) -> None:
        super().on_resize()
        self.set_class(self.size.width < self.NARROW_BELOW, "-narrow")

    # -- loading --------------------------------------------------------------------------

    def load(self) -> None:
        ws = self.app.ws
        if ws is None:
            return
        self.show_versions()
        current = service.current_check(ws)
        if current is not None:  # checked on exactly this data: nothing to redo
            self.show_issues(current)
            self.data_shown()
            return
        last = service.last_check(ws)
        if last is not None:  # at once, said to be out of date until checked again
            self.show_last(last)
            self.data_shown()
            # Check again once that frame is out: the check reads ~90,000 records and
            # would hold up the first paint (and the switch) it does not need.
            self.set_timer(CHECK_AFTER_SHOWN, self._compute)
            return
        self.call_after_refresh(self._compute)

    def _compute(self) -> None:
        ws = self.app.ws
        if ws is None:
            return
        if self._checked:  # 'r', or after a change: what is shown may no longer hold
            self._status(self._status_text(self.issues, fresh=False))
        self._check(ws, ws.change_stamp())

    @work(thread=True, exclusive=True, group="submission-check", exit_on_error=False)
    def _check(self, ws, stamp: tuple[int, int]) -> tuple[Any, list[Issue], tuple[int, int]]:
        reader = ws.reader()  # a thread never uses the app's connection
        try:
            # Gives way between pages while someone switches or types (the check ran
            # ~2 s at 20,000 products and slowed every switch made meanwhile).
            return ws, service.check(reader, pause=background.GiveWay()), stamp
        finally:
            reader.close()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        group = event.worker.group
        if group == "submission-check":
            if event.state == WorkerState.SUCCESS:
                result = event.worker.result
                if result is None:
                    return
                ws, issues, stamp = result
                if ws is not self.app.ws:  # another workspace was opened meanwhile
                    return
                if service.remember_check(ws, issues, stamp):
                    self.show_issues(issues)
                else:  # changed while checking: show it as such and check again
                    self.show_issues(issues, fresh=False)
                    self.call_after_refresh(self._compute)
                self.data_shown()
            elif event.state == WorkerState.ERROR:
                self._status(
                    Text(f"Kon de aanvraag niet nakijken: {event.worker.error}", style="red")
                )
                self.data_shown()
        elif group == "submission-diff":
            if event.state == WorkerState.SUCCESS and event.worker.result is not None:
                record, text = event.worker.result
                self._diff_cache[record.id] = text
                current = self.query_one("#versions", VirtualTable).current
                if current is not None and current.id == record.id:
                    self.query_one("#sub-diff", Static).update(text)
            elif event.state == WorkerState.ERROR:
                self.query_one("#sub-diff", Static).update(
                    Text(f"Kon de versies niet vergelijken: {event.worker.error}", style="red")
                )
        elif group == "submission-export":
            if event.state == WorkerState.SUCCESS:
                files = event.worker.result or []
                self.notify(
                    "Geëxporteerd:\n" + "\n".join(str(p) for p in files),
                    title="Export",
                    markup=False,
                    timeout=10,
                )
            elif event.state == WorkerState.ERROR:
                self.notify(
                    str(event.worker.error),
                    title="Export mislukt",
                    severity="error",
                    markup=False,
                    timeout=12,
                )

    def _status(self, text: Text) -> None:
        self.query_one("#sub-status", Static).update(text)

    def _issue_table(self, issues: list[Issue], *, fresh: bool) -> None:
        table = self.query_one("#issues", VirtualTable)
        # An empty table says "nothing missing" only after a check has finished.
        table.empty_text = EMPTY_CHECKED if fresh else EMPTY_CHECKING
        table.set_rows(issues)
        self.query_one("#issue-detail", Static).update(Text(issues[0].message) if issues else "")

    def show_issues(self, issues: list[Issue], *, fresh: bool = True) -> None:
        """The result of a finished check (`fresh=False`: the data changed meanwhile)."""
        self.issues = issues
        self._checked = fresh
        self._n_blocking = sum(1 for i in issues if i.blocking)
        self._status(self._status_text(issues, fresh=fresh))
        self._issue_table(issues, fresh=fresh)

    def _status_text(self, issues: list[Issue], *, fresh: bool) -> Text:
        n_block = sum(1 for i in issues if i.blocking)
        n_warn = len(issues) - n_block
        if not fresh:
            return self._stale_text(n_block, n_warn, "", len(issues))
        if n_block:
            text = Text(
                f"✗ Nog niet klaar om in te dienen: {format_number(n_block)} blokkerend, "
                f"{plural(n_warn, 'waarschuwing', 'waarschuwingen')}. Los eerst de "
                f"blokkerende {'punt' if n_block == 1 else 'punten'} op.",
                style="bold red",
            )
        else:
            text = Text(
                f"✓ Klaar om in te dienen ({plural(n_warn, 'waarschuwing', 'waarschuwingen')}). "
                "Druk op 'n' om een nieuwe versie te bevriezen.",
                style="bold green",
            )
        text.append_text(self._conditions_text(issues, n_block == 0))
        return text

    def show_last(self, last: service.LastCheck) -> None:
        """A remembered check, shown while the workspace is checked again."""
        self.issues = last.issues
        self._checked = False
        self._n_blocking = last.n_blocking
        self._status(
            self._stale_text(last.n_blocking, last.n_warnings, last.checked_at, len(last.issues))
        )
        self._issue_table(last.issues, fresh=False)

    @staticmethod
    def _stale_text(n_block: int, n_warn: int, checked_at: str, shown: int) -> Text:
        when = f" ({format_stamp(checked_at)})" if checked_at else ""
        text = Text(
            f"Vorige controle{when}: {format_number(n_block)} blokkerend, "
            f"{plural(n_warn, 'waarschuwing', 'waarschuwingen')}",
            style="yellow",
        )
        if shown < n_block + n_warn:
            text.append(f"; de eerste {format_number(shown)} staan in de lijst")
        text.append(".\nWordt bijgewerkt… (de gegevens worden opnieuw nagekeken)", style="italic")
        return text

    def _conditions_text(self, issues: list[Issue], complete: bool) -> Text:
        """The derived condition of beslissing 6° and the BVCO threshold, in one line."""
        from elo_tui.domain import cofinancing as cof

        threshold = service.bvco_threshold(self.app.ws)
        out = Text("\nVoorwaarde beslissing 6°: noodzakelijke informatie bezorgd: ")
        out.append(
            "ja" if complete else "nee (volledigheidscontrole)", style="" if complete else "red"
        )
        out.append(" · Interventiedrempel BVCO: ")
        out.append(cof.UNKNOWN if threshold is None else service_euro(threshold))
        if any(i.code == "bvco_threshold" for i in issues):
            out.append(f" – gevraagd bedrag erboven: {cof.THRESHOLD_FLAG}", style="yellow")
        return out

    def show_versions(self, select_version: int | None = None) -> None:
        records = list(reversed(service.list_submissions(self.app.ws)))  # newest first
        table = self.query_one("#versions", VirtualTable)
        keep = next((r for r in records if r.version == select_version), None)
        table.set_rows(records, keep=keep)
        self.show_diff(table.current)

    def show_diff(self, record: SubmissionHead | None) -> None:
        """The diff panel of a version: from the cache (versions never change), or
        worked out in a worker (at 20,000 products reading two versions takes seconds)."""
        widget = self.query_one("#sub-diff", Static)
        if record is None:
            widget.update("")
            return
        cached = self._diff_cache.get(record.id)
        if cached is not None:
            widget.update(cached)
            return
        rows = self.query_one("#versions", VirtualTable).rows  # newest first
        before = next((r for r in rows if r.version < record.version), None)
        widget.update(
            Text(f"SHA-256 {record.sha256}\nVersie {record.version} wordt nagekeken…", style="dim")
        )
        self._diff(self.app.ws, record, before)

    @work(thread=True, exclusive=True, group="submission-diff", exit_on_error=False)
    def _diff(
        self, ws, record: SubmissionHead, before: SubmissionHead | None
    ) -> tuple[SubmissionHead, Text]:
        reader = ws.reader()  # a thread never uses the app's connection
        try:
            out = Text()
            out.append(f"SHA-256 {record.sha256}\n", style="dim")
            if not service.verify(record, deep=False, ws=reader):
                out.append("Let op: de inhoud klopt niet meer met de SHA-256.\n", style="bold red")
            if before is None:
                out.append("Eerste versie: geen vorige om mee te vergelijken.")
            else:
                lines = service.diff_of(reader, before, record)
                out.append(lines[0] + "\n", style="bold")
                for line in lines[1:]:
                    out.append(f"• {line}\n")
            return record, out
        finally:
            reader.close()

    @on(VirtualTable.Highlighted, "#issues")
    def _issue_highlighted(self, event: VirtualTable.Highlighted) -> None:
        issue: Issue = event.row
        self.query_one("#issue-detail", Static).update(Text(issue.message))

    @on(VirtualTable.Highlighted, "#versions")
    def _version_highlighted(self, event: VirtualTable.Highlighted) -> None:
        self.show_diff(event.row)

    # -- actions --------------------------------------------------------------------------

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

    def action_create(self) -> None:
        try:
            with store_errors(self) as attempt:
                record = service.create(self.app.ws)
            if attempt.failed:
                return
        except service.IncompleteError as exc:
            self.show_issues(exc.issues)
            self.notify(
                f"{exc} Er is niets aangemaakt; zie de lijst.",
                title="Niet ingediend",
                severity="error",
                markup=False,
                timeout=10,
            )
            self.query_one("#issues", VirtualTable).focus()
            return
        self.saved()
        self.notify(
            f"Versie {record.version} bevroren (SHA-256 {record.sha256[:12]}…).",
            title="Indiening aangemaakt",
            markup=False,
        )
        self.show_versions(select_version=record.version)
        self._compute()

    def _selected_version(self) -> SubmissionHead | None:
        return self.query_one("#versions", VirtualTable).current

    def action_export(self) -> None:
        record = self._selected_version()
        if record is None:
            self.notify(
                "Er is nog geen indiening om te exporteren: maak er eerst een ('n'), of "
                "exporteer de huidige stand als concept ('c').",
                severity="warning",
                markup=False,
            )
            return

        def done(choice: tuple[str, str] | None) -> None:
            if choice is not None:
                self._export_version(self.app.ws, record, *choice)

        self.app.push_screen(ExportForm(f"versie {record.version}"), done)

    def action_export_concept(self) -> None:
        n_blocking = self._n_blocking  # from the last check, also when it is not complete

        def done(choice: tuple[str, str] | None) -> None:
            if choice is not None:
                # Building the concept reads and checks everything (seconds at 20,000
                # products): in the worker, never on the UI thread.
                self.notify("Het concept wordt samengesteld en geëxporteerd…", markup=False)
                self._export_concept(self.app.ws, *choice)

        title = "concept (huidige stand, niet ingediend)"
        if n_blocking:
            title += f" – {plural(n_blocking, 'blokkerend punt', 'blokkerende punten')}"
        self.app.push_screen(ExportForm(title), done)

    @work(thread=True, exclusive=True, group="submission-export", exit_on_error=False)
    def _export_version(self, ws, record: SubmissionHead, fmt: str, out: str) -> list[Path]:
        reader = ws.reader()  # a thread never uses the app's connection
        try:
            if not service.verify(record, deep=False, ws=reader):
                raise WorkspaceError(
                    f"Versie {record.version} klopt niet meer met haar SHA-256; er is niets "
                    "geëxporteerd."
                )
            return service.source_of(record, reader).export(fmt, out)
        finally:
            reader.close()

    @work(thread=True, exclusive=True, group="submission-export", exit_on_error=False)
    def _export_concept(self, ws, fmt: str, out: str) -> list[Path]:
        reader = ws.reader()  # a thread never uses the app's connection
        try:
            return service.concept_source(reader).export(fmt, out)
        finally:
            reader.close()


class ExportForm(FormScreen):
    """Choose a format and where to write; returns (format, path)."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.TITLE_TEXT = f"Exporteren: {what}"

    def compose_fields(self) -> ComposeResult:
        yield from self.field(
            "format",
            "Formaat",
            Select(
                [(label, key) for key, label in EXPORT_FORMATS.items()],
                allow_blank=False,
                value="all",
            ),
        )
        yield from self.field(
            "out", "Map (of bestand bij één formaat)", Input(str(Path.cwd() / "exports"))
        )

    def values(self) -> dict[str, Any]:
        return {"format": self.value("format"), "out": self.value("out").strip()}

    def submit(self, values: dict[str, Any]) -> Any:
        if not values["out"]:
            return {"out": "Geef een map of bestand op."}
        out = Path(values["out"]).expanduser()
        if values["format"] != "all" and not out.is_dir() and not out.parent.is_dir():
            return {"out": f"Map '{out.parent}' bestaat niet."}
        return (values["format"], str(out))
