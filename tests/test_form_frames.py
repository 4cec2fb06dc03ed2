"""Enter and F2 in the matrix each reach the terminal as one frame: the reused block form
without a layout pass when its texts keep their height, and the matrix after a save
without its changed widgets repainting a second time after the whole-screen repaint
Textual does when a modal closes (bench/bench_keys.py measured that second frame 20–30 ms
after F2 at 20,000 products)."""

from __future__ import annotations

import re

import pytest
from textual.app import App

from blocks_support import product, small_workspace
from elo_tui.app import EloApp
from elo_tui.screens.block_form import BlockForm
from elo_tui.screens.matrix import MatrixScreen
from elo_tui.widgets.matrix_table import MatrixTable


@pytest.fixture
def env(settings, monkeypatch):
    monkeypatch.setenv("ELO_TUI_TODAY", "2026-03-01")
    ws, recs = small_workspace(settings.workspace_path("test"))
    long_name = "Premie " + " ".join(["voor de verduurzaming van bedrijfsgebouwen"] * 2)
    ws.save(product(long_name, req=recs["a1"], fol=recs["a1"]))
    yield settings, ws, recs, long_name
    ws.close()


@pytest.fixture
def frames(monkeypatch):
    """Every frame Textual renders for the terminal (headless: rendered, not written):
    (screen class name, the frame as terminal text)."""
    shown: list[tuple[str, str]] = []
    original = App._display

    def display(self, screen, renderable):
        if renderable is not None and not self._batch_count:
            shown.append((type(screen).__name__, renderable.render_segments(self.console)))
        return original(self, screen, renderable)

    monkeypatch.setattr(App, "_display", display)
    return shown


@pytest.fixture
def layouts(monkeypatch):
    """Widgets of a BlockForm that ask for a layout pass."""
    from textual.widget import Widget

    asked: list[str] = []
    original = Widget.refresh

    def refresh(self, *regions, repaint=True, layout=False, recompose=False):
        if layout and isinstance(self._parent and self.screen, BlockForm):
            asked.append(f"{type(self).__name__}#{self.id}")
        return original(self, *regions, repaint=repaint, layout=layout, recompose=recompose)

    monkeypatch.setattr(Widget, "refresh", refresh)
    return asked


def _lines_touched(frame: str) -> set[int]:
    """Terminal lines a frame writes on: where it moves the cursor to (CSI row;col H) before
    writing (the move at the end only places the cursor)."""
    return {int(m) for m in re.findall(r"\x1b\[(\d+);\d+H(?!$)", frame)}


async def _settle(pilot) -> None:
    # Long enough for every follow-up frame (widget messages, the status line after a
    # save) to be rendered: several screen update periods.
    for _ in range(4):
        await pilot.pause(0.05)


async def _goto(pilot, app, name: str, block: str) -> None:
    table = app.screen.query_one(MatrixTable)
    table.move_to(next(i for i, r in enumerate(table.rows) if r.name == name), block)
    await _settle(pilot)


async def test_f2_in_the_block_form_shows_the_saved_matrix_in_one_frame(env, frames):
    settings, ws, recs, _ = env
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for name, stage, shown in (("Subsidie A", "test", "◕ test"), ("Subsidie B", "", "")):
            await _goto(pilot, app, name, "vms")
            await pilot.press("enter")
            await _settle(pilot)
            form = app.screen
            assert isinstance(form, BlockForm)
            if stage:
                form.query_one("#f-applicability").value = "required"
                form.query_one("#f-stage").value = stage
            else:
                form.query_one("#f-applicability").value = "not_applicable"
                form.query_one("#f-reason").value = "Geen vertegenwoordiging mogelijk."
            await _settle(pilot)
            frames.clear()
            await pilot.press("f2")
            await _settle(pilot)
            assert isinstance(app.screen, MatrixScreen)
            # One frame: the whole matrix, the saved cell in it (before: a second frame
            # of the table, count line and detail line with the same content).
            # One frame: the whole matrix, the saved cell in it (before: a second frame
            # of the table, count line and detail line with the same content). The status
            # line may follow on its own (line 1): it is counted after the frame on purpose.
            assert [screen for screen, _ in frames][:1] == ["MatrixScreen"]
            assert all(_lines_touched(later) == {1} for _, later in frames[1:])
            text = frames[0][1]
            assert shown in text if shown else "nvt" in text
            assert "Toepasselijkheid" not in text  # the form is gone


async def test_enter_shows_the_reused_form_in_one_frame_without_a_layout_pass(env, frames, layouts):
    settings, ws, recs, _ = env
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _goto(pilot, app, "Subsidie A", "vms")
        await pilot.press("enter")  # the first opening builds and lays out the form
        await _settle(pilot)
        # Focus in the first field shown (before: the hidden scope choice of a one-scope
        # cell, so arrows and typing went to a field nobody saw)
        assert app.screen.focused is app.screen.query_one("#f-applicability")
        await pilot.press("escape")
        await _settle(pilot)
        await _goto(pilot, app, "Subsidie B", "vms")
        frames.clear()
        layouts.clear()
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, BlockForm)
        # Another product's name in the one-line title: same height, no layout pass
        # (before: the title asked for one, and Textual wrote the title as a frame of its
        # own before the whole form).
        assert "Static#form-title" not in layouts
        assert [screen for screen, _ in frames] == ["BlockForm"]
        assert "Subsidie B" in frames[0][1]
        assert "Subsidie B" in str(app.screen.query_one("#form-title").render())


async def test_a_title_that_wraps_differently_is_laid_out_and_shown_whole(env, layouts):
    settings, ws, recs, long_name = env
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _goto(pilot, app, "Subsidie A", "vms")
        await pilot.press("enter")
        await _settle(pilot)
        title = app.screen.query_one("#form-title")
        assert title.content_size.height == 1
        await pilot.press("escape")
        await _settle(pilot)
        layouts.clear()
        await _goto(pilot, app, long_name, "vms")
        await pilot.press("enter")
        await _settle(pilot)
        assert "Static#form-title" in layouts
        assert title.content_size.height == 2  # the long name wraps: nothing cut off
        await pilot.press("escape")
        await _settle(pilot)
        layouts.clear()
        await _goto(pilot, app, "Subsidie B", "vms")
        await pilot.press("enter")
        await _settle(pilot)
        assert "Static#form-title" in layouts
        assert title.content_size.height == 1  # and back to one line


async def test_v_repaints_the_changed_row_not_the_whole_table(env, frames):
    settings, ws, recs, _ = env
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(MatrixTable)
        p3 = next(i for i, r in enumerate(table.rows) if r.id == recs["p3"].id)
        other = next(i for i, r in enumerate(table.rows) if r.name == "Subsidie B")
        await _goto(pilot, app, "Vergunning C", "toelatingen")  # suggestion: required
        frames.clear()
        await pilot.press("v")
        await _settle(pilot)
        assert [screen for screen, _ in frames] == ["MatrixScreen"]
        lines = _lines_touched(frames[0][1])

        def line_of(index: int) -> int:  # terminal line (1-based) below the header
            return table.region.y + 2 + index - table.scroll_offset.y

        assert line_of(p3) in lines  # the saved cell
        # Before: the table was focused again after the save, which repaints every line.
        assert line_of(other) not in lines
