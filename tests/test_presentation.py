"""Presentation mode (issue 11 §4): big figures, one key steps through the entity and
its applications, Esc leaves; the figures are the dashboard's."""

from __future__ import annotations

from datetime import date

import pytest
from textual.widgets import Digits

from elo_tui import cli
from elo_tui.app import EloApp
from elo_tui.domain.blocks import format_percent
from elo_tui.screens.dashboard import DashboardScreen
from elo_tui.screens.presentation import PresentationScreen
from elo_tui.services import mapping
from elo_tui.services.presentation import load_slides
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


def _digits(app, box_id: str) -> str:
    return app.screen.query_one(f"#{box_id}-value", Digits).value


def _title(app) -> str:
    return str(app.screen.query_one("#pres-title").render())


def test_the_entity_slide_has_the_dashboards_figures(demo):
    settings, ws = demo
    today = date.fromisoformat(TODAY)
    summary = mapping.load_mapping(ws, today).summary()
    slides = load_slides(ws, today)
    entity = slides[0]
    assert entity.kind == "entity" and entity.title == ws.agency().name
    assert entity.days_to_deadline == 220 and entity.days_to_admission == 40
    assert (entity.conform.done, entity.conform.applicable) == (
        summary.elo_conform,
        summary.products_total,
    )
    sso = summary.requirement("sso")
    assert entity.requirements[0].done == sso.yes
    # One slide per application that serves a product, by name.
    m = mapping.load_mapping(ws, today)
    served = sorted(
        (a for a in m.applications.values() if m.products_of_app[a.id]),
        key=lambda a: a.name.casefold(),
    )
    assert [s.title for s in slides[1:]] == [a.name for a in served]
    for slide, app in zip(slides[1:], served, strict=True):
        assert slide.kind == "application"
        assert slide.products <= len(m.products_of_app[app.id])  # excluded ones apart


async def test_p_opens_presentation_space_steps_left_goes_back_esc_leaves(demo):
    settings, ws = demo
    app = EloApp(settings, ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        await pilot.press("P")
        await _ready(pilot)
        assert isinstance(app.screen, PresentationScreen)
        slides = app.screen.slides
        assert len(slides) >= 3
        assert _title(app).startswith("Entiteit: ")
        assert _digits(app, "pres-days") == "220"
        assert _digits(app, "pres-conform") == format_percent(slides[0].conform.percent).replace(
            " %", "%"
        )
        await pilot.press("space")
        assert _title(app) == f"Toepassing: {slides[1].title}"
        await pilot.press("right")
        assert _title(app) == f"Toepassing: {slides[2].title}"
        await pilot.press("left")
        await pilot.press("left")
        assert _title(app).startswith("Entiteit: ")
        await pilot.press("left")  # wraps round to the last application
        assert _title(app) == f"Toepassing: {slides[-1].title}"
        assert "van" in str(app.screen.query_one("#pres-where").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_presentation_is_in_the_palette(demo):
    settings, ws = demo
    app = EloApp(settings, ws)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Presentatie")
        command.callback()
        await _ready(pilot)
        assert isinstance(app.screen, PresentationScreen)


async def test_started_with_presentatie_the_app_opens_in_presentation_mode(demo):
    settings, ws = demo
    app = EloApp(settings, ws, presentation=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _ready(pilot)
        assert isinstance(app.screen, PresentationScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


def test_cli_presentatie_option_reaches_the_app(monkeypatch, state_dir):
    seen = {}

    def fake_run_app(settings, start_mode=None, presentation=False):
        seen["presentation"] = presentation
        return 0

    import elo_tui.app

    monkeypatch.setattr(elo_tui.app, "run_app", fake_run_app)
    assert cli.main(["--state-dir", str(state_dir), "--presentatie"]) == 0
    assert seen == {"presentation": True}
    assert cli.main(["--state-dir", str(state_dir)]) == 0
    assert seen == {"presentation": False}


def test_presentation_keys_have_their_own_ids():
    # Ids come from the action: step(1) and step(-1) would both be "step_1".
    ids = [b.id for b in PresentationScreen.BINDINGS]
    assert ids == ["presentation.next", "presentation.previous", "presentation.leave"]
