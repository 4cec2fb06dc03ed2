"""The key bar repaints only when the keys it shows change, and not while a screen on top
covers it (each repaint under a modal made Textual repaint the whole modal: one more
frame after Enter in the matrix)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from blocks_support import small_workspace
from elo_tui.app import EloApp
from elo_tui.screens.block_form import BlockForm
from elo_tui.screens.matrix import MatrixScreen
from elo_tui.widgets.keybar import KeyBar


@pytest.fixture
def repaints(monkeypatch):
    """KeyBar -> number of refresh calls."""
    counts: dict[KeyBar, int] = {}
    original = KeyBar.refresh

    def refresh(self, *args, **kwargs):
        counts[self] = counts.get(self, 0) + 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(KeyBar, "refresh", refresh)
    return counts


class Main(Screen):
    BINDINGS = [Binding("f5", "toggle", "Wissel"), Binding("f6", "open", "Openen")]
    allowed = True

    def compose(self) -> ComposeResult:
        yield Input(id="one")
        yield Input(id="two")
        yield KeyBar()

    def check_action(self, action: str, parameters) -> bool | None:
        return self.allowed if action == "open" else True

    def action_toggle(self) -> None:
        self.allowed = not self.allowed
        self.refresh_bindings()


class Dialog(ModalScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Sluiten")]

    def compose(self) -> ComposeResult:
        yield Static("dialoog")
        yield KeyBar()


class Demo(App):
    def on_mount(self) -> None:
        self.push_screen(Main())


async def test_same_keys_no_repaint_changed_keys_repaint(repaints):
    app = Demo()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        assert "Openen" in str(bar.render())
        repaints.clear()
        await pilot.press("tab")  # focus moves: the same keys
        await pilot.pause()
        assert repaints.get(bar, 0) == 0
        await pilot.press("f5")  # "Openen" is not available now: not shown
        await pilot.pause()
        assert repaints.get(bar, 0) >= 1
        assert "Openen" not in str(bar.render()) and "Wissel" in str(bar.render())


async def test_a_covered_key_bar_waits_and_is_right_when_uncovered(repaints):
    app = Demo()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        main = app.screen
        bar = main.query_one(KeyBar)
        app.push_screen(Dialog())
        await pilot.pause()
        repaints.clear()
        main.allowed = False  # the keys change while covered
        main.refresh_bindings()
        await pilot.pause()
        assert repaints.get(bar, 0) == 0
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is main
        assert repaints.get(bar, 0) >= 1  # repainted once it shows again
        assert "Openen" not in str(bar.render()) and "Wissel" in str(bar.render())


async def test_opening_the_block_form_repaints_no_key_bar_of_the_matrix(settings, repaints):
    ws, recs = small_workspace(settings.workspace_path("test"))
    try:
        app = EloApp(settings, ws, start_mode="matrix")
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, MatrixScreen)
            bar = app.screen.query_one(KeyBar)
            repaints.clear()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, BlockForm)
            assert repaints.get(bar, 0) == 0
            assert "Opslaan" in str(app.screen.query_one(KeyBar).render())
            await pilot.press("escape")
            await pilot.pause()
            assert "Bewerken" in str(bar.render())
    finally:
        ws.close()
