"""The dashboard: the first screen after opening a workspace.

Readiness per block part grouped per essential block (bars), the three requirements apart,
products ELO-conform (zelf verklaard / centraal gecontroleerd), days left to 30 June 2027
(binding) and to the 1 January 2027 admission milestone (with its reading, an
interpretation the user switches with `m`), overdue and upcoming checklist items, the
producten met risico op vertraging per milestone, and readiness over time.

The figures are read and computed in a worker thread after the first paint, so opening
the workspace is not held up by 1,202 products; today's snapshot is written afterwards on
the main thread (the only writer).
"""

from __future__ import annotations

import threading

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from elo_tui import background
from elo_tui.domain.blocks import (
    ADMISSION_QUOTE,
    ADMISSION_READING_SHORT,
    ADMISSION_READINGS,
    BLOCKS,
    BLOCKS_BY_CODE,
    DEADLINES,
    PAIRS,
    REQUIREMENTS,
    format_percent,
)
from elo_tui.domain.checklists import ITEM_STATUS_SYMBOLS
from elo_tui.domain.formats import format_date, format_number, plural
from elo_tui.screens.base import AreaScreen
from elo_tui.screens.template_notice import report_problems, warm_templates
from elo_tui.services import clock

BAR_WIDTH = 20
CHART_LEVELS = " ▁▂▃▄▅▆▇█"


def bar(percent: float | None, width: int = BAR_WIDTH) -> Text:
    """A horizontal bar, readable without colour (█ done, ░ to do)."""
    if percent is None:
        return Text("·" * width, style="dim")
    filled = round(width * percent / 100)
    style = "green" if percent >= 80 else "yellow" if percent >= 40 else "red"
    return Text.assemble(("█" * filled, style), ("░" * (width - filled), "dim"))


def history_chart(values: list[float], width: int, height: int = 3) -> Text:
    """Readiness over time on an absolute 0–100 % scale (a sparkline that does not
    exaggerate small changes), newest on the right, one column per snapshot."""
    values = values[-width:]
    levels = len(CHART_LEVELS) - 1
    rows = []
    for line in range(height - 1, -1, -1):
        chars = []
        for v in values:
            filled = max(min(v, 100.0), 0.0) / 100 * height * levels
            part = int(round(filled)) - line * levels
            chars.append(CHART_LEVELS[max(min(part, levels), 0)])
        rows.append("".join(chars).ljust(width))
    return Text("\n".join(rows), style="green")


class DashboardScreen(AreaScreen):
    MODE = "dashboard"
    SHOWS_DATA_LATER = True  # figures come from a worker
    BINDINGS = [
        Binding("b", "goto('matrix')", "Bouwstenen"),
        Binding("c", "goto('checklist')", "Checklist"),
        Binding("r", "refresh", "Vernieuwen"),
        Binding("m", "next_reading", "Interpretatie 1/1/2027"),
        Binding("i", "rules", "Regels"),
        Binding("u", "goto('exemptions')", "Uitzonderingen"),
        Binding("w", "charts", "Grafieken"),
    ]
    DEFAULT_CSS = """
    DashboardScreen #dash { grid-size: 2 2; grid-columns: 3fr 2fr; grid-rows: auto auto;
        height: 1fr; overflow-y: scroll; scrollbar-size-vertical: 1; }
    DashboardScreen #dash > Static { border: round $panel; padding: 0 1; height: auto;
        border-title-color: $text; border-title-style: bold; }
    DashboardScreen #dash-agenda, DashboardScreen #dash-risk, DashboardScreen #dash-deadlines {
        text-wrap: nowrap; text-overflow: ellipsis; }
    DashboardScreen #dash-charts { display: none; height: 1fr; padding: 0 1; }
    DashboardScreen.-charts #dash { display: none; }
    DashboardScreen.-charts #dash-charts { display: block; }
    DashboardScreen .chart-notes { height: auto; color: $text-muted; }
    """

    data = None
    # Which chart the `w` key shows: "" (the figures), "track" (readiness over time),
    # "bars" (per block and requirement). The chart widgets load on first use.
    CHART_VIEWS = ("", "track", "bars")
    chart_view = ""

    def compose_body(self) -> ComposeResult:
        with Grid(id="dash"):
            yield Static(Text("Bezig met berekenen…", style="italic"), id="dash-blocks")
            yield Static("", id="dash-deadlines")
            yield Static("", id="dash-agenda")
            yield Static("", id="dash-risk")
        yield Vertical(id="dash-charts")

    def on_mount(self) -> None:
        titles = {
            "#dash-blocks": "Gereedheid per bouwsteen",
            "#dash-deadlines": "Mijlpalen",
            "#dash-agenda": "Checklist",
            "#dash-risk": "Producten met risico op vertraging",
        }
        for widget_id, title in titles.items():
            self.query_one(widget_id).border_title = title
        super().on_mount()

    # -- loading --------------------------------------------------------------------------

    def load(self) -> None:
        # Let the screen paint first; the figures follow a moment later.
        self.call_after_refresh(self._compute)

    def action_refresh(self) -> None:
        self._compute()

    def action_goto(self, mode: str) -> None:
        self.app.action_goto(mode)

    def action_rules(self) -> None:
        def done(reading) -> None:
            if reading is not None:
                self._compute()

        from elo_tui.screens.rules import RulesScreen
        from elo_tui.services import mapping

        if self.app.ws is not None:
            self.app.push_screen(RulesScreen(mapping.load_reading(self.app.ws)), done)

    def action_next_reading(self) -> None:
        """Switch the reading of the 1 January 2027 milestone (an interpretation)."""
        from elo_tui.services import mapping
        from elo_tui.store import WorkspaceError

        if self.app.ws is None:
            return
        keys = list(ADMISSION_READINGS)
        current = mapping.load_reading(self.app.ws)
        nxt = keys[(keys.index(current) + 1) % len(keys)]
        try:
            mapping.save_reading(self.app.ws, nxt)
        except WorkspaceError as exc:
            self.notify(f"Kon de interpretatie niet bewaren: {exc}", severity="error")
            return
        self.notify(f"Interpretatie van 1 januari 2027: {ADMISSION_READINGS[nxt]}", markup=False)
        self._compute()

    def _compute(self) -> None:
        if self.app.ws is not None:
            self._load_data(self.app.ws.path, clock.today())

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def _load_data(self, path, today):
        # Its own connection: the app's may be closed (quit) while this still reads, and
        # closing a connection another thread is using can crash SQLite.
        from textual.worker import get_current_worker

        from elo_tui.services.dashboard import load_dashboard_in_two_steps

        def figures_first(data) -> None:
            # The roadmap lines read every product, status and estimate line again
            # (seconds at 20,000 products): they start only once the figures are on the
            # terminal, not competing with that frame.
            if get_current_worker().is_cancelled:
                return
            painted = threading.Event()
            self.app.call_from_thread(self._show_figures, data, painted)
            painted.wait(timeout=2.0)  # bounded: a screen in the background may not paint

        # The roadmap lines give way between pages while someone switches or types
        # (1-1.7 s of work at 20,000 products, right when people start moving around).
        return load_dashboard_in_two_steps(path, today, figures_first, background.GiveWay())

    def _show_figures(self, data, painted: threading.Event) -> None:
        self.show(data)
        self.data_shown()
        self.call_after_refresh(painted.set)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "templates":
            if event.state == WorkerState.SUCCESS and event.worker.result is not None:
                report_problems(self, event.worker.result[1])
            return
        if event.worker.group == "dashboard-track":
            if event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
                self._chart_worker_done(event)
            return
        if event.worker.group != "dashboard":
            return
        if event.state == WorkerState.SUCCESS and event.worker.result is not None:
            if event.worker.result is self.data:
                self._show_agenda(self.data)  # now with the roadmap lines
            else:
                self.show(event.worker.result)
            # A moment later, still in the background, get the checklist templates ready
            # for the first edit, and say so if some template file is broken.
            self.set_timer(1.0, lambda: warm_templates(self))
            self.data_shown()
        elif event.state == WorkerState.ERROR:
            self.query_one("#dash-blocks", Static).update(
                Text(f"Kon het overzicht niet berekenen: {event.worker.error}", style="red")
            )
            self.data_shown()

    def show(self, data) -> None:
        from elo_tui.services import mapping
        from elo_tui.services.dashboard import with_today
        from elo_tui.store import WorkspaceError

        self.data = data
        try:
            mapping.record_snapshot(self.app.ws, data.summary)
        except WorkspaceError:
            pass  # a read-only or damaged file: the dashboard still shows today's figures
        data.history = with_today(data.history, data.summary)
        self._show_blocks(data)
        self._show_deadlines(data)
        self._show_agenda(data)
        self._show_risk(data)
        if self.chart_view:
            self._show_chart()

    # -- charts (issue 11 §4) ---------------------------------------------------------------

    def action_charts(self) -> None:
        """Cycle: the figures -> readiness over time -> per block and requirement."""
        views = self.CHART_VIEWS
        self.chart_view = views[(views.index(self.chart_view) + 1) % len(views)]
        self.set_class(bool(self.chart_view), "-charts")
        if self.chart_view:
            self._show_chart()

    def _show_chart(self) -> None:
        # Widgets mounted here have no id: remove_children() completes a frame later, so
        # a new widget with the old one's id would clash when figures arrive quickly.
        box = self.query_one("#dash-charts", Vertical)
        if self.data is None:
            box.remove_children()
            box.mount(Static(Text("Bezig met berekenen…", style="italic")))
            return
        if self.chart_view == "track":
            # The baseline and the plan come from the roadmap: read in the background.
            self._load_track(self.app.ws.path, self.data.history, self.data.summary.today)
        else:
            self._show_bars()

    @work(thread=True, exclusive=True, group="dashboard-track", exit_on_error=False)
    def _load_track(self, path, history, today):
        from elo_tui.services.charts import load_readiness_track_from

        return load_readiness_track_from(path, history, today)

    def _chart_worker_done(self, event: Worker.StateChanged) -> None:
        if self.chart_view != "track":
            return
        box = self.query_one("#dash-charts", Vertical)
        if event.state == WorkerState.ERROR:
            box.remove_children()
            box.mount(Static(Text(f"Kon de grafiek niet maken: {event.worker.error}", style="red")))
            return
        from elo_tui.widgets.charts import ReadinessChart

        track = event.worker.result
        if track is None:
            return
        box.remove_children()
        chart = ReadinessChart()
        box.mount(chart)
        box.mount(Static(Text("\n".join(track.notes())), classes="chart-notes"))
        chart.show_track(track)

    def _show_bars(self) -> None:
        from elo_tui.services.charts import readiness_bars
        from elo_tui.widgets.charts import ReadinessBars

        if self.data is None:  # called once the data has been read
            return
        box = self.query_one("#dash-charts", Vertical)
        box.remove_children()
        bars = ReadinessBars()
        box.mount(bars)
        # Room for the label (24), the figures (~18) and the padding: the rest is bar.
        summary = self.data.summary
        bars.show_groups(
            readiness_bars(summary),
            width=max(self.size.width - 46, 10),
            title=f"Gereedheid per bouwsteen en vereiste · stand op {format_date(summary.today)}",
        )

    # -- panels ---------------------------------------------------------------------------

    def _show_blocks(self, data) -> None:
        s = data.summary
        panel = self.query_one("#dash-blocks", Static)
        # Text, not a str: a str title is parsed as markup ("Agentschap [Test]").
        panel.border_title = Text(f"Gereedheid per bouwsteen · {data.agency_name}")
        panel.border_subtitle = f"stand op {format_date(s.today)}"
        out = Text()
        out.append("ELO-conform: ", style="bold")
        total = plural(s.products_total, "product", "producten")
        out.append(f"{format_number(s.elo_conform)} van {total} zelf verklaard")
        out.append(f" ({format_percent(s.elo_conform_percent)})")
        out.append(f" · {format_number(s.elo_conform_verified)} centraal gecontroleerd\n")
        extra = []
        if s.exempt_products:
            extra.append(f"{format_number(s.exempt_products)} met aanvaarde uitzondering")
        if s.excluded:
            extra.append(f"{format_number(len(s.excluded))} buiten beschouwing gelaten")
        if extra:
            out.append(" · ".join(extra) + "\n", style="dim")
        out.append("Vereisten: ", style="bold")
        parts = []
        for r in REQUIREMENTS:
            f = s.requirement(r.code)
            counted = s.products_total - f.not_applicable - f.exempt
            parts.append(f"{r.label} {format_number(f.yes)}/{format_number(counted)}")
        out.append(" · ".join(parts) + "\n")
        # The bars give way in a narrow panel (80x24), so that the figures and the
        # markers after them stay on the block's line (also with 20.000's separators).
        tails: dict[str, Text] = {}
        for info in BLOCKS:
            b = s.block(info.code)
            done, applicable = format_number(b.done), format_number(b.applicable)
            tail = Text(f" {format_percent(b.percent):>8} {done:>5}/{applicable:<5}")
            if b.undecided:
                tail.append(f" ?{format_number(b.undecided)}", style="magenta")
            if b.exempt:
                tail.append(f" ⊘{format_number(b.exempt)}", style="cyan")
            if b.waiting:
                tail.append(f" ⧗{format_number(b.waiting)}", style="yellow")
            tails[info.code] = tail
        overall = Text(
            f" {format_percent(s.overall_percent):>8} {format_number(s.overall_done):>5}/"
            f"{format_number(s.overall_applicable):<5}"
        )
        room = panel.content_size.width
        bar_width = 16 if room < 8 else max(6, min(16, room - 41))
        widest = max(t.cell_len for t in (*tails.values(), overall))
        # 9: the block's short name; one column spare (a full line wrapped in tmux).
        if 8 <= room < 10 + bar_width + widest:
            bar_width = max(2, room - 10 - widest)
        for pair, pair_label in PAIRS.items():
            out.append(f"{pair_label}\n", style="bold")
            for info in (b for b in BLOCKS if b.pair == pair):
                out.append(f" {info.short:<8}")
                out.append_text(bar(s.block(info.code).percent, bar_width))
                out.append_text(tails[info.code])
                out.append("\n")
        out.append(f"{'Alles':<9}", style="bold")
        out.append_text(bar(s.overall_percent, bar_width))
        out.append_text(overall)
        out.append("\n? te beslissen ⊘ aanvaarde uitzondering ⧗ wacht op bouwsteen", style="dim")
        panel.update(out)

    def on_resize(self) -> None:
        super().on_resize()
        if self.data is not None:  # the bars and the chart follow the panels' width
            self.call_after_refresh(self._show_blocks, self.data)
            self.call_after_refresh(self._show_deadlines, self.data)

    def _show_deadlines(self, data) -> None:
        s = data.summary
        out = Text(no_wrap=True, overflow="ellipsis")
        for d in reversed(DEADLINES):  # the binding deadline first
            left = s.days_left[d.key]
            out.append(f"{d.label.split(' (')[0]}: ", style="bold")
            if left >= 0:
                out.append(
                    f"nog {plural(left, 'dag', 'dagen')}\n", style="red" if left < 60 else ""
                )
            else:
                out.append(f"{plural(-left, 'dag', 'dagen')} voorbij\n", style="red")
            if d.binding:
                out.append("  deadline (beslissing 1° en 2°)\n", style="dim")
            else:
                out.append("  opname op e-loketondernemers\n", style="dim")
                out.append(
                    f"  interpretatie: {ADMISSION_READING_SHORT[s.reading]} (m)\n", style="dim"
                )
            n = len(s.at_risk.get(d.key, []))
            out.append(f"  {plural(n, 'product', 'producten')} met risico op vertraging\n")
            waiting = s.waiting_at_risk(d.key)
            if waiting:
                out.append(f"  waarvan {waiting} wacht op bouwsteen\n", style="yellow")
        values = [float(h[1].get("overall_percent") or 0.0) for h in data.history]
        out.append("\nGereedheid over tijd\n", style="bold")
        first = data.history[0][0] if data.history else ""
        out.append(
            f"{plural(len(values), 'dag', 'dagen')} sinds {format_date(first)}\n", style="dim"
        )
        # As wide as the panel allows (36 at most): at 80x24 a fixed 36 was cut to "…".
        room = self.query_one("#dash-deadlines").content_size.width
        out.append_text(history_chart(values, width=min(36, room) if room >= 8 else 36))
        if len(values) >= 2:
            out.append(f"\n{format_percent(values[0])} → {format_percent(values[-1])}", style="dim")
        self.query_one("#dash-deadlines", Static).update(out)
        self.query_one("#dash-deadlines", Static).tooltip = ADMISSION_QUOTE

    def _show_agenda(self, data) -> None:
        widget = self.query_one("#dash-agenda", Static)
        widget.border_title = (
            f"Checklist · {data.overdue_count} te laat · {data.soon_count} binnen 14 dagen"
        )
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append("Te laat\n", style="bold red")
        self._agenda_lines(out, data.overdue, data.overdue_count, "Niets te laat.")
        out.append("\nVolgende\n", style="bold")
        self._agenda_lines(out, data.upcoming, None, "Geen open stappen met een datum.")
        out.append("  Vervaldagen: planningsaannames van de sjablonen, geen bron.\n", style="dim")
        out.append("\nRoadmap (0)\n", style="bold")  # baseline, bottlenecks, chosen plan
        if data.roadmap is None:
            out.append("  Wordt berekend…\n", style="dim italic")
        for line in data.roadmap or ():
            out.append(f"  {line}\n")
        widget.update(out)

    @staticmethod
    def _agenda_lines(out: Text, rows, total: int | None, empty: str) -> None:
        if not rows:
            out.append(f"  {empty}\n", style="dim")
            return
        for row in rows:
            item = row.item
            out.append(
                f"  {ITEM_STATUS_SYMBOLS.get(item.status, '□')} {format_date(item.due_date)} "
            )
            out.append(item.title)
            out.append(f" – {row.scope_name}\n", style="dim")
        if total is not None and total > len(rows):
            out.append(f"  … en nog {total - len(rows)} (5: Checklist)\n", style="dim")

    def _show_risk(self, data) -> None:
        s = data.summary
        out = Text(no_wrap=True, overflow="ellipsis")
        for d in reversed(DEADLINES):
            risky = s.at_risk.get(d.key, [])
            title = d.label if d.binding else "1 januari 2027 – opname (interpretatie)"
            out.append(f"{title} ({len(risky)})\n", style="bold")
            if not risky:
                out.append("  geen\n", style="dim")
            for item in risky[:5]:
                blocks = ", ".join(BLOCKS_BY_CODE[r.block].short for r in item.risks)
                out.append(f"  {item.product_name}")
                out.append(f" – {blocks}", style="dim")
                out.append(" (wacht op bouwsteen)\n" if item.waiting else "\n", style="yellow")
            if len(risky) > 5:
                out.append(f"  … en nog {len(risky) - 5} (4: Bouwstenen, filter d)\n", style="dim")
        self.query_one("#dash-risk", Static).update(out)
