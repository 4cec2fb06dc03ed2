"""The dashboard: what it shows for the demo agency, its daily history, and how it looks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from blocks_support import small_workspace
from elo_tui import app as elo_app
from elo_tui.app import EloApp
from elo_tui.screens.dashboard import DashboardScreen, bar, history_chart
from elo_tui.screens.matrix import MatrixScreen
from elo_tui.services import mapping
from elo_tui.services.workspaces import open_demo
from elo_tui.store import Workspace

TODAY = "2026-11-22"


@pytest.fixture
def demo(settings, monkeypatch):
    # Fixed "today" before the demo is made: its checklist dates count from it.
    monkeypatch.setenv("ELO_TUI_TODAY", TODAY)
    ws = open_demo(settings)
    yield settings, ws
    ws.close()


async def _ready(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _text(app, widget_id: str) -> str:
    return str(app.screen.query_one(widget_id).render())


async def test_dashboard_is_the_first_screen_and_shows_the_figures(demo):
    settings, ws = demo
    app = EloApp(settings, ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot)
        assert isinstance(app.screen, DashboardScreen)
        summary = mapping.load_mapping(ws, date.fromisoformat(TODAY)).summary()
        blocks = _text(app, "#dash-blocks")
        assert (
            f"{summary.elo_conform} van {summary.products_total} producten zelf verklaard"
        ) in blocks
        assert f"{summary.elo_conform_verified} centraal gecontroleerd" in blocks
        assert "ACM/IDM" in blocks and "Toelat." in blocks
        assert "single sign-on (SSO)" in blocks  # requirements apart from the blocks
        deadlines = _text(app, "#dash-deadlines")
        assert "1 januari 2027: nog 40 dagen" in deadlines
        assert "opname op e-loketondernemers" in deadlines
        assert "interpretatie: nieuwe opname (m)" in deadlines
        assert "30 juni 2027: nog 220 dagen" in deadlines
        assert "in gevaar" not in deadlines
        agenda = _text(app, "#dash-agenda")
        assert "Te laat" in agenda and "Volgende" in agenda
        risk = _text(app, "#dash-risk")
        n_jan = len(summary.at_risk["2027-01-01"])
        assert f"1 januari 2027 – opname (interpretatie) ({n_jan})" in risk


async def test_opening_records_one_snapshot_a_day(demo):
    settings, ws = demo
    path = ws.path
    for _ in range(2):
        app = EloApp(settings, Workspace.open(path))  # the app closes it when it ends
        async with app.run_test(size=(120, 40)) as pilot:
            await _ready(pilot)
    ws = Workspace.open(path)
    history = ws.history()
    assert [day for day, _ in history] == [TODAY]
    assert history[0][1]["products"] == 24  # the excluded application's product is not counted
    ws.close()


async def test_history_chart_draws_older_days(settings, monkeypatch):
    monkeypatch.setenv("ELO_TUI_TODAY", "2026-03-03")
    ws, _ = small_workspace(settings.workspace_path("test"))
    ws.record_history("2026-03-01", {"overall_percent": 10.0})
    ws.record_history("2026-03-02", {"overall_percent": 50.0})
    app = EloApp(settings, ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot)
        text = _text(app, "#dash-deadlines")
        assert "3 dagen sinds 01/03/2026" in text
        assert "10,0 % → 0,0 %" in text
    ws.close()


async def test_b_goes_to_the_matrix(demo):
    settings, ws = demo
    app = EloApp(settings, ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await _ready(pilot)
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, MatrixScreen)


def test_bars_and_chart_are_readable_without_colour():
    assert bar(50.0, 10).plain == "█████░░░░░"
    assert bar(None, 4).plain == "····"
    chart = history_chart([0.0, 50.0, 100.0], width=3, height=2).plain.splitlines()
    assert chart == ["  █", " ██"]


class _SnapshotApp(EloApp):
    """The real app, with the nav bar limited to this issue's screens and no sync status,
    so that screens and demo records added by other work do not change this picture."""

    CSS_PATH = str(Path(elo_app.__file__).with_name("app.tcss"))  # relative to app.py

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.nav = [i for i in self.nav if i.mode in ("dashboard", "matrix", "checklist")]

    def status_text(self) -> str:
        return ""


def test_dashboard_snapshot(demo, snap_compare):
    settings, ws = demo
    app = _SnapshotApp(settings, ws)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_ready)
