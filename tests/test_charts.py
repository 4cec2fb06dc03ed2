"""Charts (issue 11 §4): readiness over time with the milestones and the baseline, per
block and requirement, P50/P80 per year; and the plotting library stays off start-up."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date
from types import SimpleNamespace

import pytest

from elo_tui.app import EloApp
from elo_tui.domain.roadmap import BaselineProgress
from elo_tui.services import charts
from elo_tui.services.workspaces import open_demo

TODAY = "2026-11-22"


@pytest.fixture
def demo(settings, monkeypatch):
    monkeypatch.setenv("ELO_TUI_TODAY", TODAY)
    ws = open_demo(settings)
    yield settings, ws
    ws.close()


async def _ready(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _plain(widget) -> str:
    return widget.render().plain


# -- start-up does not load the plotting library --------------------------------------


def test_start_up_does_not_import_plotext_and_the_first_chart_does(tmp_path):
    """In a fresh interpreter: open the demo on the dashboard (as a user would) and
    check plotext is not loaded; then show a chart, after which it is (so the check can
    fail)."""
    script = textwrap.dedent(
        f"""
        import asyncio, os, sys
        os.environ["ELO_TUI_CONFIG"] = {str(tmp_path / "settings.toml")!r}
        os.environ["ELO_TUI_TODAY"] = {TODAY!r}
        from elo_tui.app import EloApp
        from elo_tui.config import Settings
        from elo_tui.services.workspaces import open_demo

        def plot_modules():
            return sorted(m for m in sys.modules
                          if m.split(".")[0] in ("plotext", "textual_plotext"))

        async def main():
            settings = Settings.resolve({str(tmp_path / "state")!r})
            app = EloApp(settings, open_demo(settings))
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                print("before", plot_modules())
                await pilot.press("w")
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                print("after", bool(plot_modules()))

        asyncio.run(main())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=240
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "before []" in out.stdout
    assert "after True" in out.stdout


# -- the series --------------------------------------------------------------------------


def _roadmap(with_baseline=4, on_then=1, chosen=True):
    progress = BaselineProgress(10, with_baseline, 0, on_then, 0, 0, 0, 0)
    scenario = SimpleNamespace(
        scenario=SimpleNamespace(name="Gespreid", chosen=chosen),
        products=10,
        conform_by_quarter={"2026-Q4": 2, "2027-Q1": 5, "2027-Q2": 10, "2027-Q3": 10},
    )
    return SimpleNamespace(progress=progress, scenarios=[scenario])


def test_readiness_track_takes_history_baseline_and_the_chosen_plan():
    history = [
        ("2026-11-01", {"products": 20, "elo_conform": 2, "overall_percent": 30.0}),
        ("not a day", {"products": 20, "elo_conform": 20}),  # damaged row: left out
        ("2026-11-22", {"products": 20, "elo_conform": 5, "overall_percent": 41.5}),
    ]
    track = charts.readiness_track(history, _roadmap(), date(2026, 11, 22))
    assert track.realised == [(date(2026, 11, 1), 10.0), (date(2026, 11, 22), 25.0)]
    assert track.parts == [(date(2026, 11, 1), 30.0), (date(2026, 11, 22), 41.5)]
    assert track.baseline == (date(2025, 4, 1), 25.0)  # 1 of the 4 with a baseline
    # Quarters up to the milestone only, at each quarter's last day, as % of products.
    assert track.plan == [
        (date(2026, 12, 31), 20.0),
        (date(2027, 3, 31), 50.0),
        (date(2027, 6, 30), 100.0),
    ]
    assert track.start == date(2025, 4, 1) and track.end == date(2027, 6, 30)
    assert [d for d, _ in track.milestones] == [date(2027, 1, 1), date(2027, 6, 30)]
    notes = " ".join(track.notes())
    assert "Nulmeting 01/04/2025 (4 producten)" in notes and "'Gespreid'" in notes
    assert "aanname" in notes


def test_without_baseline_or_chosen_plan_the_track_says_so():
    track = charts.readiness_track([], _roadmap(with_baseline=0, chosen=False), date(2026, 11, 22))
    assert track.baseline is None and track.plan == [] and track.realised == []
    assert track.start == date(2026, 11, 22)
    assert charts.NO_PLAN_NOTE in track.notes()
    assert not any("Nulmeting" in n for n in track.notes())


def test_quarter_end():
    assert charts.quarter_end("2026-Q1") == date(2026, 3, 31)
    assert charts.quarter_end("2027-Q2") == date(2027, 6, 30)
    assert charts.quarter_end("2026-Q4") == date(2026, 12, 31)


# -- the chart panels --------------------------------------------------------------------


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_dashboard_w_shows_readiness_over_time_then_per_block_then_the_figures(demo, size):
    settings, ws = demo
    app = EloApp(settings, ws)
    async with app.run_test(size=size) as pilot:
        await _ready(pilot)
        await pilot.press("w")
        await _ready(pilot)
        from elo_tui.widgets.charts import ReadinessBars, ReadinessChart

        assert not app.screen.query_one("#dash").display
        chart = app.screen.query_one(ReadinessChart)
        text = _plain(chart)
        # The milestones and the baseline, in Belgian date format, and the legend.
        assert "01/01/2027" in text and "01/04/2025" in text
        # At 80 columns the deadline's label gives way to the admission milestone's; the
        # title names the deadline.
        assert "30/06/2027" in text or size == (80, 24)
        assert "tot 30 juni 2027" in text
        assert "nulmeting" in text and "ELO-conform (zelf verklaard)" in text
        assert "plan (aanname)" in text  # the demo has a chosen scenario
        assert "100 %" in text and "50 %" in text
        notes = str(app.screen.query_one(".chart-notes").render())
        assert "Voorbeeld: gespreid" in notes and "aanname" in notes
        assert "01/01/2027 opname op ELO" in notes and "30/06/2027 deadline" in notes

        await pilot.press("w")
        await _ready(pilot)
        assert not app.screen.query(ReadinessChart)
        bars = str(app.screen.query_one(ReadinessBars).render())
        summary = app.screen.data.summary
        for label in ("ACM/IDM", "Toelat.", "single sign-on (SSO)", "gericht aanmelden"):
            assert label in bars
        sso = summary.requirement("sso")
        assert f"{sso.yes}/{summary.products_total - sso.not_applicable - sso.exempt}" in bars
        assert "ELO-conform" in bars

        await pilot.press("w")
        await pilot.pause()
        assert app.screen.query_one("#dash").display
        assert not app.screen.query_one("#dash-charts").display


async def test_date_labels_do_not_overlap_on_a_narrow_chart(demo):
    settings, ws = demo
    app = EloApp(settings, ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await pilot.press("w")
        await _ready(pilot)
        from elo_tui.widgets.charts import DATE_LABEL, LABEL_GAP, ReadinessChart

        chart = app.screen.query_one(ReadinessChart)
        line = _plain(chart).splitlines()[-1]
        starts = [
            i
            for i in range(len(line))
            if line[i : i + 1].isdigit() and line[i - 1 : i] in (" ", "")
        ]
        assert len(starts) >= 2
        # Labels never touch (left to plotext, touching labels were shifted in a way that
        # depended on the hash seed); a milestone left without a label is in the notes.
        gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
        assert all(g >= DATE_LABEL + LABEL_GAP for g in gaps), line
        notes = str(app.screen.query_one(".chart-notes").render())
        assert "01/01/2027 opname op ELO" in notes


async def test_costs_w_shows_p50_and_p80_per_year_with_euro_labels(demo):
    settings, ws = demo
    app = EloApp(settings, ws, start_mode="costs")
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await pilot.press("w")
        await _ready(pilot)
        from elo_tui.widgets.charts import CostChart

        text = _plain(app.screen.query_one(CostChart))
        assert "2026" in text and "2027" in text and "Later" in text
        assert "P50" in text and "P80" in text and "€ " in text
        notes = str(app.screen.query_one(".chart-notes").render())
        by_year = app.screen.overview.summary.by_year
        from elo_tui.domain.formats import euro

        assert f"P50 {euro(by_year['2026'].p50)} · P80 {euro(by_year['2026'].p80)}" in notes
        await pilot.press("w")
        await pilot.pause()
        assert app.screen.query_one("#costs-body").display


def test_nice_step_gives_round_euro_ticks():
    from elo_tui.widgets.charts import nice_step

    assert nice_step(80_000) == 100_000
    assert nice_step(120_000) == 200_000
    assert nice_step(40_000) == 50_000
    assert nice_step(0) == 1.0


@pytest.mark.parametrize("mode", ["dashboard", "costs"])
async def test_refreshing_while_a_chart_shows_replaces_it_without_a_clash(demo, mode):
    settings, ws = demo
    app = EloApp(settings, ws, start_mode=mode)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await pilot.press("w")
        await _ready(pilot)
        # Two recomputations in a row: each replaces the chart while the old one is
        # still being removed.
        app.screen.action_refresh()
        app.screen.action_refresh()
        await _ready(pilot)
        await pilot.press("r")
        await _ready(pilot)
        from elo_tui.widgets.charts import CostChart, ReadinessChart

        kind = ReadinessChart if mode == "dashboard" else CostChart
        assert len(app.screen.query(kind)) == 1
        assert len(app.screen.query(".chart-notes")) == 1
