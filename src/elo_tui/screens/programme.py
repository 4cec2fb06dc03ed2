"""The programme view for VLAIO's central team (`elo-tui programma`).

Read-only except for VLAIO's own writes: decisions on exemptions and delays (aanvaard /
geweigerd, with motivatie) and review feedback on submissions. Five areas, one key each:
Entiteiten, Beslissingen, Knelpunten, Cofinanciering, Indieningen. Everything comes from
the programme snapshot (services.programme): the view opens at once from the last one
and, when a tracker address and an admin token are given, fetches a fresh one in the
background. Tables are virtual (only the visible rows are drawn).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Input, RadioButton, RadioSet, Static

from elo_tui.domain import programme as rows
from elo_tui.keymap import KeyedBindings, with_ids
from elo_tui.services import programme as service
from elo_tui.widgets.filter_input import FilterInput
from elo_tui.widgets.keybar import KeyBar
from elo_tui.widgets.virtual_table import Column, VirtualTable

SCOPE = "programme"
AREAS = (
    ("entities", "1", "Entiteiten", "Voortgang per entiteit, bouwsteen en vereiste"),
    ("decisions", "2", "Beslissingen", "Uitzonderingen en vertragingen te beslissen"),
    ("bottlenecks", "3", "Knelpunten", "Knelpunten over de entiteiten heen"),
    ("cofinancing", "4", "Cofinanciering", "Gevraagd per jaar tegenover de enveloppe"),
    ("submissions", "5", "Indieningen", "Versies, hash en beoordeling"),
)
# The actions that work on the five areas: off while a detail or dialog is on top.
MAIN_ACTIONS = ("area", "open", "decide", "focus_filter", "clear_filter", "refresh", "report")
OFFLINE_REPORT = (
    "Een rapport maken vraagt verbinding met de centrale opvolging: het rapport komt uit "
    "haar huidige gegevens, niet uit de momentopname."
)
OFFLINE_WRITE = (
    "Schrijven kan enkel met verbinding met de centrale opvolging (geen wachtrij: een "
    "beslissing moet het agentschap bereiken wanneer je ze neemt)."
)


class TextLine(Widget):
    """Fixed-height plain text that repaints without a layout pass (Static.update asks
    for one): the detail line changes on every cursor move."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""

    def render(self) -> Text:
        return Text(self.text)

    def update(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.refresh()


def _cell(row: dict[str, Any], key: str) -> str:
    return str(row.get(key, ""))


ENTITY_COLUMNS = [
    Column("name", "Entiteit", width=24),
    Column("products", "Prod.", width=6, align="right"),
    Column("ready", "Gereed", width=7, align="right"),
    Column("conform", "Conf.", width=6, align="right"),
    Column("verified", "Centr.", width=6, align="right"),
    Column("risk_jun", "Risico 6/27", width=11, align="right"),
    Column("overdue", "Achterst.", width=9, align="right"),
    Column("req_sso", "SSO", width=9, align="right"),
    Column("req_gericht_aanmelden", "Gericht", width=9, align="right"),
    Column("req_product_rights", "Rechten", width=9, align="right"),
    Column("risk_jan", "Risico opname*", width=14, align="right"),
    Column("requests", "Te beslissen", width=12, align="right"),
    Column("submission", "Indiening", width=18),
    Column("push", "Laatste push", width=12),
    Column("ovo", "OVO", width=9),
    *[
        Column(f"block_{code}", label, width=9, align="right")
        for code, label in rows.BLOCK_SHORT.items()
    ],
]
DECISION_COLUMNS = [
    Column("state", "Status", width=10),
    Column("agency", "Entiteit", width=18),
    Column("kind", "Soort", width=12),
    Column("subject", "Over", width=8),
    Column("scope", "Product/toepassing", width=20),
    Column("ground", "Grond", flex=1, min_width=14),
    Column("dates", "Datum → nieuw", width=23),
    Column("requested_on", "Gevraagd", width=10),
]
BOTTLENECK_COLUMNS = [
    Column("kind", "Soort", width=15),
    Column("block", "Bouwsteen", width=9),
    Column("agency", "Entiteit", width=16),
    Column("description", "Knelpunt", flex=1, min_width=12),
    Column("status", "Status", width=12),
    Column("reported_on", "Gemeld", width=10),
]
COFINANCING_COLUMNS = [
    Column("agency", "Entiteit", width=18),
    Column("qualifies", "Komt in aanmerking", width=28),
    Column("y2026", "Gevr. 2026", width=12, align="right"),
    Column("y2027", "Gevr. 2027", width=12, align="right"),
    Column("eligible", "Kosten i.a.", width=12, align="right"),
    Column("not_eligible", "Niet i.a.", width=12, align="right"),
    Column("delivered", "Info bezorgd", width=12),
]
SUBMISSION_COLUMNS = [
    Column("agency", "Entiteit", width=20),
    Column("version", "Versie", width=7),
    Column("state", "Beoordeling", width=16),
    Column("sha", "SHA-256", width=13),
    Column("received", "Ontvangen", width=10),
    Column("author", "Door", flex=1, min_width=8),
]


class ProgrammeApp(App[int]):
    TITLE = "elo-tui · programma-overzicht"
    ENABLE_COMMAND_PALETTE = True
    COMMAND_PALETTE_BINDING = "ctrl+p"
    CSS = """
    #status { height: 1; background: $boost; padding: 0 1; }
    #status.-warning { background: $warning 30%; }
    #nav { height: 1; padding: 0 1; }
    .summary { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    #cofinancing .summary { max-height: 5; }  /* envelope per year and the nota's figures */
    #filter { display: none; height: 1; border: none; padding: 0 1; }
    #filter.-shown { display: block; }
    #detail { height: 3; padding: 0 1; background: $panel; }
    ContentSwitcher { height: 1fr; }
    ContentSwitcher > Vertical { height: 1fr; }
    """
    BINDINGS = with_ids(
        SCOPE,
        [
            *[
                Binding(key, f"area('{mode}')", label, show=False, id=f"{SCOPE}.goto_{mode}")
                for mode, key, label, _help in AREAS
            ],
            Binding("enter", "open", "Openen"),
            Binding("a", "decide('accepted')", "Aanvaarden"),
            Binding("w", "decide('refused')", "Weigeren"),
            Binding("slash", "focus_filter", "Zoeken", key_display="/"),
            Binding("r", "refresh", "Vernieuwen"),
            Binding("R", "report", "Rapport", key_display="R"),
            Binding("ctrl+p", "command_palette", "Opdrachten", key_display="^p"),
            Binding("question_mark,f1", "help", "Hulp", key_display="?"),
            Binding("escape", "clear_filter", "Zoeken wissen", show=False),
            Binding("q,ctrl+q", "quit", "Afsluiten", key_display="q"),
        ],
    )

    def __init__(
        self,
        state_dir: Path,
        *,
        url: str | None = None,
        token: str | None = None,
        offline: bool = False,
        now: Callable[[], datetime] | None = None,
        transport=None,
    ) -> None:
        super().__init__()
        self.state_dir = Path(state_dir)
        self._url = url
        self._token = token  # held in memory only; never shown or written
        self.offline = offline
        self._now = now or (lambda: datetime.now(UTC))
        self._transport = transport
        self._tracker: service.Tracker | None = None
        self.snapshot: service.Snapshot | None = None
        self.load_error = ""
        self.connection = "offline" if offline else ""  # "", "online", "offline", "refused"
        self.connection_message = ""
        self.area = "entities"
        self._built: set[str] = set()
        self._entity_rows: list[dict[str, Any]] = []
        self.busy = False

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self.TITLE, id="title")
        yield Static("", id="status", markup=False)
        yield Static("", id="nav")
        yield FilterInput(
            self._filter_changed, placeholder="Zoek een entiteit (naam of OVO-code)…", id="filter"
        )
        with ContentSwitcher(initial="entities"):
            with Vertical(id="entities"):
                yield Static("", classes="summary", markup=False)
                yield VirtualTable(ENTITY_COLUMNS, _cell, empty_text="Geen entiteiten.")
            with Vertical(id="decisions"):
                yield Static("", classes="summary", markup=False)
                yield VirtualTable(DECISION_COLUMNS, _cell, empty_text="Geen aanvragen.")
            with Vertical(id="bottlenecks"):
                yield Static("", classes="summary", markup=False)
                yield VirtualTable(BOTTLENECK_COLUMNS, _cell, empty_text="Geen knelpunten.")
            with Vertical(id="cofinancing"):
                yield Static("", classes="summary", markup=False)
                yield VirtualTable(COFINANCING_COLUMNS, _cell, empty_text="Geen entiteiten.")
            with Vertical(id="submissions"):
                yield Static("", classes="summary", markup=False)
                yield VirtualTable(SUBMISSION_COLUMNS, _cell, empty_text="Geen indieningen.")
        yield TextLine(id="detail")
        yield KeyBar()

    def on_mount(self) -> None:
        try:
            self.snapshot = service.load_snapshot(self.state_dir)
        except service.ProgrammeError as exc:
            self.load_error = str(exc)
        self._show_area()
        self._watch_cursors()
        if os.environ.get("ELO_TUI_EXIT_WHEN_READY") == "1":
            # bench/: leave once the first full screen has been written.
            self.call_after_refresh(lambda: self.call_after_refresh(self.exit))
            return
        if not self.offline and self._url and self._token:
            self.call_after_refresh(self.action_refresh)
        elif not self.offline and self.snapshot is None and not self.load_error:
            self.connection_message = (
                "Geen momentopname en geen verbinding: geef --url en een beheerderstoken "
                f"(--token-file of {service.ENV_ADMIN_TOKEN})."
            )
        self._update_status()

    @property
    def _main(self) -> Screen:
        """The screen with the five areas (App.compose fills the first screen)."""
        return self.screen_stack[0]

    def _on_main(self) -> bool:
        return self.screen is self._main

    def _table(self, area: str | None = None) -> VirtualTable:
        return self._main.query_one(f"#{area or self.area} VirtualTable", VirtualTable)

    def _summary(self, area: str) -> Static:
        return self._main.query_one(f"#{area} .summary", Static)

    def _update_status(self) -> None:
        status = self._main.query_one("#status", Static)
        parts = []
        if self.snapshot is not None:
            parts.append(service.age_text(self.snapshot, self._now()))
        elif self.load_error:
            parts.append(self.load_error)
        else:
            parts.append("nog geen momentopname")
        label = {
            "online": "online",
            "offline": "offline",
            "refused": "token geweigerd",
            "busy": "ophalen…",
        }.get(self.connection, "")
        if label:
            parts.append(label)
        if self.connection_message:
            parts.append(self.connection_message)
        status.update(" · ".join(parts))
        status.set_class(self.connection in ("offline", "refused") or not self.snapshot, "-warning")
        nav = []
        for mode, key, label, _help in AREAS:
            # 78 cells in all with the current one marked: fits 80 columns.
            text = f"{key} {label}"
            nav.append(f"[reverse] {text} [/]" if mode == self.area else text)
        self._main.query_one("#nav", Static).update("  ".join(nav))

    def _show_area(self) -> None:
        """Fill the current area's table on first show (the others wait until asked)."""
        self._main.query_one(ContentSwitcher).current = self.area
        self._main.query_one("#filter", Input).set_class(
            self.area == "entities" and bool(self._main.query_one("#filter", Input).value), "-shown"
        )
        if self.area not in self._built:
            self._fill(self.area)
            self._built.add(self.area)
        self._update_status()
        self._table().focus()
        self._show_detail()
        self.refresh_bindings()

    def _rebuild(self) -> None:
        """A new snapshot: refill the visible area, the others when next shown."""
        self._built = {self.area}
        self._fill(self.area)
        self._update_status()
        self._show_detail()

    def _fill(self, area: str) -> None:
        snap = self.snapshot
        table = self._table(area)
        summary = self._summary(area)
        if snap is None:
            table.set_rows([])
            summary.update("")
            return
        agencies = snap.agencies
        # After a write the cursor stays where it was (the next request to decide).
        keep = table.current
        if area == "entities":
            self._entity_rows = rows.entity_rows(agencies)
            text = self._main.query_one("#filter", Input).value
            table.set_rows(rows.filter_rows(self._entity_rows, text), keep=keep)
            summary.update(
                rows.totals_line(snap.overview)
                + "\n* opname 01/01/2027 onder de lezing 'nieuwe opname' (een interpretatie)"
            )
        elif area == "decisions":
            found = rows.request_rows(agencies)
            open_count = sum(1 for r in found if r["state_code"] == "requested")
            table.set_rows(found, keep=keep)
            summary.update(
                f"{open_count} te beslissen van {len(found)} aanvragen (uitzonderingen en "
                "verantwoorde vertragingen) · a aanvaarden, w weigeren, met motivatie"
            )
        elif area == "bottlenecks":
            table.set_rows(rows.bottleneck_rows(snap.bottlenecks), keep=keep)
            summary.update(rows.bottleneck_summary(snap.bottlenecks))
        elif area == "cofinancing":
            from elo_tui.domain.cofinancing import NOTA_FIGURES

            found = rows.cofinancing_rows(agencies, snap.cofinancing)
            table.set_rows(found, keep=keep)
            summary.update(
                "\n".join(
                    [
                        *rows.envelope_lines(snap.overview),
                        rows.nota_line(found, NOTA_FIGURES),
                    ]
                )
            )
        elif area == "submissions":
            found = rows.submission_rows(agencies, snap.submissions)
            table.set_rows(found, keep=keep)
            summary.update(
                f"{len(found)} indieningen van {len(snap.submissions)} entiteiten · Enter: "
                "openen en beoordelen"
            )

    def _show_detail(self) -> None:
        row = self._table().current
        detail = self._main.query_one("#detail", TextLine)
        if row is None:
            detail.update(self.connection_message if not self.snapshot else "")
            return
        if self.area == "entities":
            a = row["_agency"]
            text = (
                f"{row['name']} ({row['ovo']}) · Enter: alles over deze entiteit · "
                f"{len(a.get('requests', []))} aanvragen, {row['overdue']} achterstallig"
            )
        elif self.area == "decisions":
            text = f"{row['agency']} · {row['kind']} {row['subject']} · {row['ground']}"
            if row["comment"]:
                text += f"\nMotivatie beslissing ({row['state']}): {row['comment']}"
        elif self.area == "bottlenecks":
            text = f"{row['agency']} · {row['scope']} · {row['description']}"
        elif self.area == "cofinancing":
            text = f"{row['agency']}: {row['qualifies']}\n{rows.DELIVERED_READING}"
        else:
            text = f"{row['agency']} {row['version']} · SHA-256 {row['_info'].get('sha256', '')}"
        detail.update(text)

    # -- events -----------------------------------------------------------------------------

    def _watch_cursors(self) -> None:
        # A watcher runs in the key's own call, so the detail line is painted in the same
        # frame as the moved cursor (the Highlighted message would come a frame later).
        for table in self._main.query(VirtualTable):
            self.watch(table, "cursor_row", self._cursor_moved, init=False)

    def _cursor_moved(self, _row: int) -> None:
        self._show_detail()

    def _filter_changed(self, value: str) -> None:
        # Called from the field's value watcher: the typed character and the filtered rows
        # are painted in one frame (FilterInput).
        if self.area == "entities":
            table = self._table()
            found = rows.filter_rows(self._entity_rows, value)
            # Most keystrokes keep the same entities: no repaint of the table then.
            if len(found) != table.row_count or any(
                a is not b for a, b in zip(found, table.rows, strict=True)
            ):
                table.set_rows(found, keep=table.current)
                self._show_detail()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self._table().focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in MAIN_ACTIONS and not self._on_main():
            return False  # a detail or dialog on top has its own keys
        if action == "decide":
            return self.area == "decisions"
        if action in ("focus_filter", "clear_filter"):
            return self.area == "entities"
        if action == "open":
            return self.area in ("entities", "submissions")
        return True

    # -- actions ----------------------------------------------------------------------------

    def action_area(self, mode: str) -> None:
        if not self._on_main():
            return
        self.area = mode
        self._show_area()

    def action_focus_filter(self) -> None:
        if not self._on_main():
            return
        box = self._main.query_one("#filter", Input)
        box.add_class("-shown")
        box.focus()

    def action_clear_filter(self) -> None:
        box = self._main.query_one("#filter", Input)
        box.value = ""
        box.remove_class("-shown")
        self._table().focus()

    def action_open(self) -> None:
        if not self._on_main():
            return
        row = self._table().current
        if row is None or self.snapshot is None:
            return
        if self.area == "entities":
            text = rows.entity_detail(row["_agency"], self.snapshot.overview.get("milestones", []))
            self.push_screen(DetailScreen(row["name"], text))
        elif self.area == "submissions":
            agency = next((a for a in self.snapshot.agencies if a["ovo_code"] == row["ovo"]), None)
            self.push_screen(SubmissionScreen(row, agency, self.snapshot))

    def show_decisions_of(self, ovo: str) -> None:
        """Beslissingen with the cursor on the entity's first request (open ones first)."""
        self.action_area("decisions")
        table = self._table("decisions")
        index = next((i for i, r in enumerate(table.rows) if r["ovo"] == ovo), None)
        if index is None:
            self.notify("Deze entiteit vroeg geen uitzondering of vertraging.", markup=False)
            return
        table.cursor_row = index

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        self.action_open()

    def action_decide(self, verdict: str, comment: str = "") -> None:
        if not self._on_main():
            return
        row = self._table("decisions").current
        if row is None:
            return
        if not self._can_write():
            return
        question = (
            f"{rows.STATE_LABELS[verdict].capitalize()}: {row['kind'].lower()} "
            f"{row['subject']} van {row['agency']} ({row['scope']})."
        )

        def done(answer: str | None) -> None:
            if answer is not None:
                self._write(
                    "decision",
                    row["ovo"],
                    row["kind_code"],
                    row["id"],
                    verdict,
                    answer,
                    retry=lambda text: self.action_decide(verdict, text),
                )

        self.push_screen(CommentScreen(question, "Motivatie (verplicht)", comment, True), done)

    def review_submission(self, row: dict[str, Any], verdict: str, comment: str = "") -> None:
        if not self._can_write():
            return
        required = verdict == "issues"
        question = (
            f"{rows.REVIEW_LABELS[verdict].capitalize()}: indiening {row['version']} van "
            f"{row['agency']}."
        )

        def done(answer: str | None) -> None:
            if answer is not None:
                self._write(
                    "review",
                    row["ovo"],
                    "submission",
                    row["id"],
                    verdict,
                    answer,
                    retry=lambda text: self.review_submission(row, verdict, text),
                )

        label = "Opmerking (verplicht)" if required else "Opmerking (mag leeg)"
        self.push_screen(CommentScreen(question, label, comment, required), done)

    def _can_write(self) -> bool:
        if self.offline or not (self._url and self._token):
            self.notify(
                "Je werkt met de momentopname zonder verbinding. " + OFFLINE_WRITE,
                title="Offline",
                severity="warning",
                markup=False,
            )
            return False
        if self.connection == "refused":
            self.notify(
                f"De centrale opvolging weigerde het token: {self.connection_message}",
                title="Token geweigerd",
                severity="error",
                markup=False,
            )
            return False
        if self.busy:
            self.notify("Even geduld: de vorige opdracht loopt nog.", markup=False)
            return False
        return True

    def _tracker_now(self) -> service.Tracker:
        if self._tracker is None:
            assert self._url and self._token
            self._tracker = service.Tracker(self._url, self._token, transport=self._transport)
        return self._tracker

    def _write(
        self,
        what: str,
        ovo: str,
        kind: str,
        target: str,
        verdict: str,
        comment: str,
        retry: Callable[[str], None],
    ) -> None:
        self.busy = True

        def work() -> None:
            try:
                self._tracker_now().review(ovo, kind, target, verdict, comment)
            except service.ProgrammeError as exc:
                self.call_from_thread(self._write_failed, exc, comment, retry)
                return
            self.call_from_thread(self._written, what, ovo, target, verdict, comment)

        self.run_worker(work, thread=True, exclusive=False, group="write")

    def _written(self, what: str, ovo: str, target: str, verdict: str, comment: str) -> None:
        self.busy = False
        self.connection = "online"
        assert self.snapshot is not None
        if what == "decision":
            service.apply_decision(self.snapshot, ovo, target, verdict, comment)
            message = f"Beslissing bewaard: {rows.STATE_LABELS[verdict]}."
        else:
            service.apply_review(self.snapshot, ovo, target, verdict)
            message = f"Beoordeling bewaard: {rows.REVIEW_LABELS[verdict]}."
        try:
            service.save_snapshot(self.state_dir, self.snapshot)
        except OSError:
            pass  # the tracker has it; the next fetch brings it back
        self._rebuild()
        for screen in self.screen_stack:
            if isinstance(screen, SubmissionScreen):
                screen.refresh_state()
        self.notify(
            message + " Het agentschap ziet het bij zijn volgende synchronisatie.", markup=False
        )

    def _write_failed(
        self, exc: service.ProgrammeError, comment: str, retry: Callable[[str], None]
    ) -> None:
        self.busy = False
        self._note_error(exc)
        self.notify(
            f"Niet bewaard: {exc} Je tekst blijft staan.",
            title="Niet bewaard",
            severity="error",
            timeout=12,
            markup=False,
        )
        retry(comment)  # the dialog again, with what was typed: nothing is lost

    def _note_error(self, exc: service.ProgrammeError) -> None:
        if isinstance(exc, service.TokenRefused):
            self.connection = "refused"
        elif isinstance(exc, service.TrackerUnavailable):
            self.connection = "offline"
        self.connection_message = str(exc)
        self._update_status()

    # -- reports ------------------------------------------------------------------------------

    def action_report(self) -> None:
        """The dialog for a governance report (kind, period, format, folder)."""
        if not self._on_main():
            return
        if self.offline or not (self._url and self._token):
            self.notify(OFFLINE_REPORT, title="Verbinding nodig", severity="warning", markup=False)
            return
        if self.connection == "refused":
            self.notify(
                f"De centrale opvolging weigerde het token: {self.connection_message}",
                title="Token geweigerd",
                severity="error",
                markup=False,
            )
            return
        today = self._now().astimezone().date()
        self.push_screen(ReportScreen(today, self.state_dir))

    def make_report(
        self, dialog: ReportScreen, kind: str, period: str, fmt: str, folder: str
    ) -> None:
        """Fetch the report and save it; the dialog stays, with its text, on an error."""
        if self.busy:
            dialog.show_error("Even geduld: de vorige opdracht loopt nog.")
            return
        self.busy = True
        dialog.show_error("Rapport ophalen bij de centrale opvolging…", error=False)

        def work() -> None:
            try:
                payload, name = self._tracker_now().report(kind, period, fmt)
                path = service.save_report(Path(folder), name, payload)
            except service.ProgrammeError as exc:
                self.call_from_thread(self._report_failed, dialog, exc)
                return
            except OSError as exc:
                message = f"Map: kan niet schrijven in {folder}: {exc.strerror}."
                self.call_from_thread(self._report_failed, dialog, message)
                return
            self.call_from_thread(self._report_saved, dialog, kind, path)

        self.run_worker(work, thread=True, exclusive=False, group="report")

    def _report_saved(self, dialog: ReportScreen, kind: str, path: Path) -> None:
        self.busy = False
        self.connection = "online"
        self._update_status()
        if self.screen is dialog:
            dialog.dismiss(None)
        self.notify(
            f"Rapport {rows.REPORT_KINDS[kind].lower()} bewaard in {path} "
            "(alleen voor jou leesbaar).",
            title="Rapport bewaard",
            timeout=12,
            markup=False,
        )

    def _report_failed(self, dialog: ReportScreen, exc: service.ProgrammeError | str) -> None:
        self.busy = False
        if isinstance(exc, service.ProgrammeError) and not isinstance(
            exc, service.ReportInputError
        ):
            self._note_error(exc)
        if isinstance(exc, service.ReportInputError):
            text, field = f"{str(exc)[:1].upper()}{str(exc)[1:]}", "period"
        elif isinstance(exc, service.TrackerUnavailable):
            # The client's own sentence speaks of syncing; the status line keeps it whole.
            text, field = f"Geen rapport: niet bereikbaar. {OFFLINE_REPORT}", None
        else:
            text, field = f"Geen rapport: {exc}", None
        if dialog in self.screen_stack:
            dialog.show_error(text, field=field)
        else:  # the dialog was closed meanwhile
            self.notify(text, title="Geen rapport", severity="error", timeout=12, markup=False)

    def action_refresh(self) -> None:
        if self.offline or not (self._url and self._token):
            self.notify(
                "Vernieuwen vraagt een adres (--url) en een beheerderstoken; je werkt met "
                "de laatste momentopname.",
                severity="warning",
                markup=False,
            )
            return
        if self.busy:
            return
        self.busy = True
        self.connection = "busy"
        self.connection_message = ""
        self._update_status()

        def work() -> None:
            try:
                snap = self._tracker_now().fetch()
                service.save_snapshot(self.state_dir, snap)
            except service.ProgrammeError as exc:
                self.call_from_thread(self._fetch_failed, exc)
                return
            except OSError as exc:
                self.call_from_thread(
                    self._fetch_failed,
                    service.ProgrammeError(
                        f"Momentopname niet bewaard in {self.state_dir}: {exc.strerror}."
                    ),
                )
                return
            self.call_from_thread(self._fetched, snap)

        self.run_worker(work, thread=True, group="fetch")

    def _fetched(self, snap: service.Snapshot) -> None:
        self.busy = False
        self.snapshot = snap
        self.load_error = ""
        self.connection = "online"
        self.connection_message = ""
        self._rebuild()

    def _fetch_failed(self, exc: service.ProgrammeError) -> None:
        self.busy = False
        if not isinstance(exc, (service.TokenRefused, service.TrackerUnavailable)):
            self.connection = "offline"
        self._note_error(exc)
        self.notify(str(exc), title="Niet vernieuwd", severity="error", timeout=12, markup=False)

    def _fatal_error(self) -> None:
        """A bug: as the main app (EloApp._fatal_error), a Dutch message and a report
        without local variables instead of Textual's traceback, which shows locals and
        so could show the admin token."""
        from elo_tui.crash import write_report

        self.bell()
        path = write_report(self._exception, self.state_dir)
        where = f"Foutrapport: {path}" if path else "Er kon geen foutrapport worden bewaard."
        self._exit_renderables.append(
            Text(
                "Het programma-overzicht is onverwacht gestopt door een fout in het programma; "
                f"bewaarde beslissingen staan bij de centrale opvolging.\n{where}\nBezorg dat "
                "rapport aan wie elo_tui onderhoudt (het bevat geen tokens).",
                style="bold",
            )
        )
        self._close_messages_no_wait()

    def action_help(self) -> None:
        """Every key of the programme view, from the bindings themselves."""
        if isinstance(self.screen, DetailScreen):
            return
        lines = []
        for screen_bindings in (self.screen.BINDINGS, self.BINDINGS):
            for b in screen_bindings:
                if not isinstance(b, Binding):
                    continue
                if b.action in ("clear_filter",) or b.key == "ctrl+q":
                    continue
                lines.append(f"  {b.key_display or b.key:<18} {b.description}")
        lines += [
            "",
            "In een tabel: pijltjes, PgUp/PgDn, Home/End; Enter opent.",
            "De gegevens komen uit de momentopname; schrijven (beslissingen, beoordelingen) "
            "kan enkel met verbinding.",
        ]
        self.push_screen(DetailScreen("Toetsen van het programma-overzicht", "\n".join(lines)))

    def action_command_palette(self) -> None:
        from elo_tui.palette import DutchCommandPalette

        if not DutchCommandPalette.is_open(self):  # type: ignore[arg-type]  # App[int]: is_open is typed for App[object]
            self.push_screen(DutchCommandPalette(id="--command-palette"))

    def _area_then(self, mode: str, action: Callable[[], object]) -> None:
        """Go to an area, then run one of its actions (a palette entry)."""
        self.action_area(mode)
        action()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for mode, key, label, help_text in AREAS:
            yield SystemCommand(
                f"Ga naar {label} ({key})", help_text, lambda m=mode: self.action_area(m)
            )
        yield SystemCommand(
            "Vernieuwen", "Een nieuwe momentopname ophalen bij de centrale opvolging",
            self.action_refresh,
        )  # fmt: skip
        yield SystemCommand(
            "Uitzondering of vertraging aanvaarden",
            "De geselecteerde aanvraag aanvaarden, met motivatie (Beslissingen)",
            lambda: self._area_then("decisions", lambda: self.action_decide("accepted")),
        )
        yield SystemCommand(
            "Uitzondering of vertraging weigeren",
            "De geselecteerde aanvraag weigeren, met motivatie (Beslissingen)",
            lambda: self._area_then("decisions", lambda: self.action_decide("refused")),
        )
        yield SystemCommand(
            "Rapport maken (kernwerkgroep, stuurgroep, evaluatie)",
            "Een rapport uit de huidige gegevens van de centrale opvolging bewaren (R)",
            self.action_report,
        )
        yield SystemCommand(
            "Entiteit zoeken", "Zoeken in de entiteiten op naam of OVO-code",
            lambda: self._area_then("entities", self.action_focus_filter),
        )  # fmt: skip
        yield SystemCommand("Afsluiten", "Het programma-overzicht sluiten", self.action_quit)


class DetailScreen(KeyedBindings, Screen):
    """One entity in full (read-only)."""

    KEY_SCOPE = "programme_detail"
    BINDINGS = [Binding("escape,q", "app.pop_screen", "Terug")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        yield Static(self.title_text, id="title", markup=False)
        with VerticalScroll():
            yield Static(self.text, markup=False)
        yield KeyBar()


class SubmissionScreen(KeyedBindings, Screen):
    """One entity's submission: version, hash, review state, the co-financing figures
    and the entity's progress; review feedback from here."""

    KEY_SCOPE = "programme_submission"
    BINDINGS = [
        Binding("n", "review('verified')", "Nagekeken"),
        Binding("p", "review('issues')", "Heeft problemen"),
        Binding("g", "review('approved')", "Goedgekeurd"),
        Binding("b", "decisions", "Beslissingen"),
        Binding("escape", "app.pop_screen", "Terug"),
    ]

    def __init__(
        self, row: dict[str, Any], agency: dict[str, Any] | None, snap: service.Snapshot
    ) -> None:
        super().__init__()
        self.row = row
        self.agency = agency
        self.snap = snap

    def compose(self) -> ComposeResult:
        yield Static(f"Indiening {self.row['version']} · {self.row['agency']}", id="title",
                     markup=False)  # fmt: skip
        with VerticalScroll():
            yield Static("", id="head", markup=False)
            if self.agency is not None:
                yield Static(
                    "\n"
                    + rows.entity_detail(self.agency, self.snap.overview.get("milestones", [])),
                    markup=False,
                )
        yield KeyBar()

    def on_mount(self) -> None:
        self.refresh_state()

    def refresh_state(self) -> None:
        info = self.row["_info"]
        figures = self.snap.cofinancing.get(self.row["ovo"], {})
        lines = [
            f"Versie: {self.row['version']} · gemaakt door {info.get('author', '')} · "
            f"ontvangen {self.row['received']}",
            f"SHA-256: {info.get('sha256', '')}",
            f"Beoordeling: {rows.REVIEW_LABELS.get(info.get('review_state', ''), '')}",
        ]
        if figures:
            from elo_tui.domain.formats import euro

            lines.append(
                f"Kosten die in aanmerking komen: {euro(figures['eligible_total'])} · niet: "
                f"{euro(figures['not_eligible_total'])} (laatste indiening; "
                f"{figures.get('lines_by_default_rule', 0)} lijnen volgens de standaardregel, "
                "een aanname)"
            )
        lines.append(
            "n nagekeken · p heeft problemen · g goedgekeurd (met opmerking) · b naar de "
            "uitzonderingen en vertragingen van deze entiteit"
        )
        self.query_one("#head", Static).update("\n".join(lines))

    def action_decisions(self) -> None:
        """To this entity's exemptions and delays in Beslissingen, to decide them."""
        app = self.app
        assert isinstance(app, ProgrammeApp)
        app.pop_screen()
        app.call_later(app.show_decisions_of, self.row["ovo"])

    def action_review(self, verdict: str) -> None:
        app = self.app
        assert isinstance(app, ProgrammeApp)
        app.review_submission(self.row, verdict)


class CommentScreen(KeyedBindings, ModalScreen[str | None]):
    """The motivation of a decision or the comment of a review; Enter saves, Esc cancels."""

    KEY_SCOPE = "programme_comment"
    DEFAULT_CSS = """
    CommentScreen { align: center middle; }
    CommentScreen > Vertical {
        width: 76; height: auto; border: thick $primary; background: $surface; padding: 1 2;
    }
    CommentScreen #error { color: $error; height: auto; }
    """
    BINDINGS = [
        Binding("enter", "save", "Bewaren", priority=True),
        Binding("escape", "cancel", "Annuleren"),
    ]

    def __init__(self, question: str, label: str, text: str = "", required: bool = False) -> None:
        super().__init__()
        self.question = question
        self.label = label
        self.text = text
        self.required = required

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, markup=False)
            yield Static(self.label, markup=False)
            yield Input(self.text, id="comment", max_length=10_000)
            yield Static("", id="error", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def action_save(self) -> None:
        text = self.query_one(Input).value.strip()
        if self.required and not text:
            self.query_one("#error", Static).update(
                f"{self.label.split(' (')[0]} is verplicht: zeg waarom."
            )
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReportScreen(KeyedBindings, ModalScreen[None]):
    """A governance report from the tracker: kind, period, format and folder. Enter in a
    text field or F2 makes it; Esc cancels. On an error the dialog stays with the text."""

    KEY_SCOPE = "programme_report"
    DEFAULT_CSS = """
    ReportScreen { align: center middle; }
    ReportScreen > Vertical {
        width: 80; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 2;
    }
    ReportScreen #report-title { text-style: bold; padding: 0 0 1 0; }
    ReportScreen .label { color: $text-muted; }
    ReportScreen RadioSet { layout: horizontal; width: 100%; border: none; height: auto; }
    ReportScreen RadioSet > RadioButton { width: auto; margin-right: 2; }
    ReportScreen #error { color: $error; height: auto; }
    ReportScreen #error.-info { color: $text; }
    """
    BINDINGS = [
        Binding("f2", "make", "Maken"),
        Binding("escape", "cancel", "Annuleren"),
    ]

    def __init__(self, today: date, folder: Path) -> None:
        super().__init__()
        self.today = today
        self.folder = folder
        self._default = rows.default_report_period("kernwerkgroep", today)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                "Rapport maken uit de huidige gegevens van de centrale opvolging",
                id="report-title",
                markup=False,
            )
            yield Static("Soort", classes="label", markup=False)
            with RadioSet(id="kind"):
                for n, label in enumerate(rows.REPORT_KINDS.values()):
                    yield RadioButton(label, value=n == 0)
            yield Static(rows.REPORT_PERIOD_HINT, classes="label", markup=False)
            yield Input(self._default, id="period", max_length=20)
            yield Static("Formaat", classes="label", markup=False)
            with RadioSet(id="format"):
                for n, label in enumerate(rows.REPORT_FORMATS.values()):
                    yield RadioButton(label, value=n == 0)
            yield Static(
                "Map (standaard de statusmap; een bestaand rapport blijft staan)",
                classes="label",
                markup=False,
            )
            yield Input(str(self.folder), id="folder")
            yield Static("", id="error", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#period", Input).focus()

    def _choice(self, which: str, options: dict[str, str]) -> str:
        index = self.query_one(f"#{which}", RadioSet).pressed_index
        return list(options)[max(index, 0)]

    @property
    def kind(self) -> str:
        return self._choice("kind", rows.REPORT_KINDS)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        if event.radio_set.id != "kind":
            return
        # A period still at the previous kind's default follows the kind; a typed one stays.
        box = self.query_one("#period", Input)
        if box.value.strip() == self._default:
            self._default = rows.default_report_period(self.kind, self.today)
            box.value = self._default

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_make()

    def show_error(self, text: str, field: str | None = None, error: bool = True) -> None:
        line = self.query_one("#error", Static)
        line.update(text)
        line.set_class(not error, "-info")
        if field:
            self.query_one(f"#{field}", Input).focus()

    def action_make(self) -> None:
        period = self.query_one("#period", Input).value.strip()
        folder = self.query_one("#folder", Input).value.strip()
        if not period:
            self.show_error("Periode ontbreekt: bv. " + self._default + ".", field="period")
            return
        if not folder:
            self.show_error("Map ontbreekt: waar moet het rapport komen?", field="folder")
            return
        app = self.app
        assert isinstance(app, ProgrammeApp)
        fmt = self._choice("format", rows.REPORT_FORMATS)
        app.make_report(self, self.kind, period, fmt, folder)

    def action_cancel(self) -> None:
        self.dismiss(None)


def run_programme(state_dir: Path, *, url: str | None, token: str | None, offline: bool) -> int:
    app = ProgrammeApp(state_dir, url=url, token=token, offline=offline)
    result = app.run()
    if app.return_code:
        return 70  # EXIT_SOFTWARE, as the main app
    return result or 0
