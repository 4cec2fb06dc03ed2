"""Chart widgets (issue 11 §4): readiness over time, per block and requirement, costs.

This module imports textual-plotext, so screens import it only when a chart is first
shown: start-up never loads the plotting library (tests/test_charts.py checks that).
Line and bar charts are plotext; the per-block bars are drawn with block characters,
one row per part with its figure beside it: plotext's horizontal bars give 11 bars in
20 rows a thickness of one or two rows by rounding, which reads as a difference that
is not there.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.widgets import Static
from textual_plotext import PlotextPlot

from elo_tui.domain.blocks import format_percent
from elo_tui.domain.formats import euro, format_date, format_number
from elo_tui.services.charts import (
    PARTS_LABEL,
    REALISED_LABEL,
    BarGroup,
    CostYear,
    ReadinessTrack,
)

DATE_LABEL = 10  # columns of a dd/mm/jjjj label
LABEL_GAP = 2  # free columns between two x labels
PERCENT_TICKS = [0, 25, 50, 75, 100]


def percent_label(value: float) -> str:
    return f"{format_number(value)} %"


class ReadinessChart(PlotextPlot):
    """Readiness over time toward 30 June 2027: realised (daily snapshots), the
    baseline point, the chosen plan, and the 1 January 2027 and 30 June 2027 lines."""

    DEFAULT_CSS = "ReadinessChart { height: 1fr; min-height: 10; }"

    track: ReadinessTrack | None = None

    def show_track(self, track: ReadinessTrack) -> None:
        self.track = track
        self.refresh()

    def render(self):
        self._draw()
        return super().render()

    def _x(self, day: date) -> int:
        assert self.track is not None
        return (day - self.track.start).days

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        t = self.track
        if t is None:
            return
        plt.title("Gereedheid over tijd tot 30 juni 2027")
        end = max(t.end, t.today)
        span = max(self._x(end), 1)
        # Milestones, plan and baseline first: the realised figures are drawn over them.
        for when, _label in t.milestones:
            plt.vertical_line(self._x(when), color="red" if when == t.end else "orange")
        if t.plan:
            plt.plot(
                [self._x(d) for d, _ in t.plan],
                [v for _, v in t.plan],
                label="plan (aanname)",
                color="magenta",
                marker="dot",
            )
        if t.baseline is not None:
            plt.scatter([self._x(t.baseline[0])], [t.baseline[1]], label="nulmeting", marker="◆")
        for series, label, color, marker in (
            (t.parts, PARTS_LABEL, "cyan", "■"),
            (t.realised, REALISED_LABEL, "green", "●"),
        ):
            if len(series) >= 2:
                plt.plot(
                    [self._x(d) for d, _ in series],
                    [v for _, v in series],
                    color=color,
                    marker="braille",
                )
            if series:
                # The latest figure as a marked point (with one recorded day the line
                # would be a single dot): the legend shows the marker.
                when, value = series[-1]
                plt.scatter([self._x(when)], [value], color=color, marker=marker, label=label)
        plt.xlim(0, span)
        plt.ylim(0, 100)
        plt.yticks([float(v) for v in PERCENT_TICKS], [percent_label(v) for v in PERCENT_TICKS])
        ticks = self._date_ticks(span)
        plt.xticks([x for x, _ in ticks], [label for _, label in ticks])

    def _date_ticks(self, span: int) -> list[tuple[int, str]]:
        """Date labels (dd/mm/jjjj) that do not touch: the milestones first, then the start,
        then each 1 January in between."""
        t = self.track
        assert t is not None
        width = max(self.size.width - 8, 10)  # the y labels take ~8 columns
        # The admission milestone before the deadline: on a narrow chart the deadline's label
        # gives way (the title names 30 juni 2027 and its red line is the right edge).
        candidates = [d for d, _ in t.milestones] + [t.start]
        candidates += [date(y, 1, 1) for y in range(t.start.year + 1, t.end.year + 1)]
        kept: list[int] = []
        spans: list[tuple[float, float]] = []
        for day in candidates:
            x = self._x(day)
            if not 0 <= x <= span:
                continue
            # Where plotext will put the 10-wide label: centred on its tick, pushed inside
            # at the edges. Labels that would touch are left out here; left to plotext,
            # the one it shifts depends on the process's hash seed (a flaky chart).
            col = x * width / span
            start = min(max(col - DATE_LABEL / 2, 0), width - DATE_LABEL)
            extent = (start, start + DATE_LABEL)
            if all(extent[0] >= e + LABEL_GAP or extent[1] + LABEL_GAP <= b for b, e in spans):
                kept.append(x)
                spans.append(extent)
        return [
            (x, format_date(t.start.fromordinal(t.start.toordinal() + x))) for x in sorted(kept)
        ]


class CostChart(PlotextPlot):
    """P50 (budget) and P80 (ceiling) per budget year."""

    DEFAULT_CSS = "CostChart { height: 1fr; min-height: 10; }"

    years: list[CostYear] = []

    def show_years(self, years: list[CostYear]) -> None:
        self.years = years
        self.refresh()

    def render(self):
        self._draw()
        return super().render()

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if not self.years:
            return
        plt.title("Raming per begrotingsjaar: P50 (budget) en P80 (plafond)")
        labels = [y.label for y in self.years]
        plt.multiple_bar(
            labels,
            [[y.p50 for y in self.years], [y.p80 for y in self.years]],
            # plotext's annotations omit these two; its code takes them (multiple_bar).
            labels=["P50", "P80"],  # type: ignore[call-arg]
            color=["cyan", "orange"],  # type: ignore[arg-type]
        )
        top = max([y.p80 for y in self.years] + [1.0]) * 1.25  # room for the legend
        step = nice_step(top / 4)
        ticks = [step * i for i in range(int(top // step) + 1)]
        plt.ylim(0, top)
        plt.yticks(ticks, [euro(v) for v in ticks])


def nice_step(rough: float) -> float:
    """1, 2 or 5 times a power of ten, at least `rough` (round euro ticks)."""
    if rough <= 0:
        return 1.0
    power = 10 ** len(str(int(rough))) / 10
    for factor in (1, 2, 5, 10):
        if factor * power >= rough:
            return factor * power
    return 10 * power


class ReadinessBars(Static):
    """Per block part, per requirement and ELO-conform: one bar per row, 0-100 %."""

    DEFAULT_CSS = "ReadinessBars { height: auto; }"

    def show_groups(self, groups: list[BarGroup], width: int = 40, title: str = "") -> None:
        label_width = max(len(r.label) for g in groups for r in g.rows)
        label_width = min(label_width, 24)
        width = min(width, 50)  # longer bars read no better
        out = Text(no_wrap=True, overflow="ellipsis")
        if title:
            out.append(f"{title}\n", style="bold reverse")
        for group in groups:
            out.append(f"{group.title}\n", style="bold")
            for row in group.rows:
                out.append(f" {row.label[:label_width]:<{label_width}} ")
                out.append_text(_bar(row.percent, width))
                figure = format_percent(row.percent) if row.percent is not None else "?"
                out.append(f" {figure:>7} ", style="bold")
                out.append(f"{format_number(row.done)}/{format_number(row.applicable)}\n")
        out.append(
            "█ in productie/gerealiseerd  ░ nog te doen  ? niets van toepassing", style="dim"
        )
        self.update(out)


def _bar(percent: float | None, width: int) -> Text:
    if percent is None:
        return Text("·" * width, style="dim")
    filled = round(width * max(min(percent, 100.0), 0.0) / 100)
    style = "green" if percent >= 80 else "yellow" if percent >= 40 else "red"
    return Text.assemble(("█" * filled, style), ("░" * (width - filled), "dim"))
