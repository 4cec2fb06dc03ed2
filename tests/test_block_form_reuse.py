"""The block form is built once and reused for every cell (Enter in the matrix): what a
reopening may skip (the full restyle, unchanged texts) and what it must still show
right (the cell's own values, scope choice, VLAIO feedback, a theme chosen meanwhile)."""

from __future__ import annotations

import pytest

from blocks_support import small_workspace
from blocks_support import status as block_status
from elo_tui.app import EloApp
from elo_tui.domain.records import Review
from elo_tui.screens.block_form import BlockForm
from elo_tui.screens.matrix import MatrixScreen
from elo_tui.widgets.matrix_table import MatrixTable
from elo_tui.widgets.review_panel import ReviewPanel


@pytest.fixture
def env(settings, monkeypatch):
    monkeypatch.setenv("ELO_TUI_TODAY", "2026-03-01")
    ws, recs = small_workspace(settings.workspace_path("test"))
    yield settings, ws, recs
    ws.close()


@pytest.fixture
def work(monkeypatch):
    """Whole-screen restyles of a BlockForm and layout requests by its widgets, counted
    while `work.on` is True."""
    from textual.dom import DOMNode
    from textual.widget import Widget

    class Work:
        on = False
        restyles = 0
        resumes = 0
        layouts: list[str] = []

    original_refresh = Widget.refresh
    original_styles = DOMNode.update_node_styles

    def refresh(self, *regions, repaint=True, layout=False, recompose=False):
        if layout and Work.on and isinstance(self.screen, BlockForm):
            Work.layouts.append(f"{type(self).__name__}#{self.id}")
        return original_refresh(self, *regions, repaint=repaint, layout=layout, recompose=recompose)

    def update_node_styles(self, animate=True):
        if Work.on and isinstance(self, BlockForm):
            Work.restyles += 1
        return original_styles(self, animate=animate)

    from textual.screen import Screen

    original_resume = Screen._on_screen_resume

    def on_screen_resume(self, event):
        if Work.on and isinstance(self, BlockForm):
            Work.resumes += 1
        return original_resume(self, event)

    monkeypatch.setattr(Widget, "refresh", refresh)
    monkeypatch.setattr(DOMNode, "update_node_styles", update_node_styles)
    monkeypatch.setattr(Screen, "_on_screen_resume", on_screen_resume)
    return Work


async def _open(pilot, app, name: str, block: str) -> BlockForm:
    if not isinstance(app.screen, MatrixScreen):
        await pilot.press("escape")
        await pilot.pause()
    table = app.screen.query_one(MatrixTable)
    table.move_to(next(i for i, r in enumerate(table.rows) if r.name == name), block)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, BlockForm)
    return app.screen


async def test_a_reopened_form_is_not_restyled_whole_unless_the_theme_changed(env, work):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = await _open(pilot, app, "Subsidie A", "vms")
        work.on = True
        again = await _open(pilot, app, "Subsidie B", "vms")
        assert work.resumes == 1  # Screen's own handler once (Textual calls it itself)
        assert again is form and work.restyles == 0
        await pilot.press("escape")
        await pilot.pause()
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await pilot.pause()
        work.restyles = 0
        form = await _open(pilot, app, "Subsidie A", "vms")
        assert work.restyles == 1  # a new theme: the whole form follows it, once
        surface = app.current_theme.to_color_system().generate()["surface"]
        assert form.query_one("#form-box").styles.background.hex == surface.upper()


async def test_reopening_the_same_cell_asks_no_layout_for_unchanged_texts(env, work):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _open(pilot, app, "Subsidie A", "vms")
        await pilot.press("escape")
        await pilot.pause()
        work.on = True
        await _open(pilot, app, "Subsidie A", "vms")
        work.on = False
        # Before: the title, info and suggestion lines, every error label, the feedback
        # panel and the hidden scope choice each asked for one on every opening.
        assert not [w for w in work.layouts if w.split("#")[0] in ("Static", "Label")]
        assert "ReviewPanel#None" not in work.layouts
        assert "SelectOverlay#None" not in work.layouts  # the hidden scope choice


async def test_the_reused_form_follows_scope_choice_and_feedback_from_cell_to_cell(env):
    settings, ws, recs = env
    ws.save(block_status(recs["a1"], "acm_idm", stage="analysis"))
    saved = ws.list(type(block_status(recs["a1"], "acm_idm")))[0]
    ws.put_synced(
        [
            Review(
                target_kind="block_status",
                target_id=saved.id,
                verdict="issues",
                comment="Bewijs ontbreekt",
                dirty=False,
                rev=1,
            )
        ]
    )
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        # Gemengd D uses two applications: the form asks which one, the first by default.
        form = await _open(pilot, app, "Gemengd D", "acm_idm")
        scope = form.query_one("#f-scope")
        assert form.query_one("#scope-box").display
        assert scope.value == f"application:{recs['a1'].id}"
        assert {v for _, v in scope._options} >= {
            f"application:{recs['a1'].id}",
            f"application:{recs['a2'].id}",
        }
        panel = form.query_one(ReviewPanel)
        assert not panel.has_class("-empty") and "Bewijs ontbreekt" in str(panel.render())
        assert form.query_one("#f-stage").value == "analysis"
        # One application: no choice, no feedback, its own values.
        form = await _open(pilot, app, "Vergunning C", "acm_idm")
        assert not form.query_one("#scope-box").display
        assert panel.has_class("-empty")
        assert form.query_one("#f-stage").value == "not_started"
        assert "Vergunning C" in str(form.query_one("#form-title").render())
        # Back to the first: choice, feedback and values again.
        form = await _open(pilot, app, "Gemengd D", "acm_idm")
        assert form.query_one("#scope-box").display
        assert form.query_one("#f-scope").value == f"application:{recs['a1'].id}"
        assert not panel.has_class("-empty") and "Bewijs ontbreekt" in str(panel.render())
        assert form.query_one("#f-stage").value == "analysis"
        # Picking the other application shows that one's (empty) status and no feedback.
        form.query_one("#f-scope").value = f"application:{recs['a2'].id}"
        await pilot.pause()
        assert form.query_one("#f-stage").value == "not_started"
        assert panel.has_class("-empty")


async def test_saving_the_form_repaints_the_nav_bar_once_with_the_new_count(env, monkeypatch):
    """Back from the form, the area's resume and the save each refresh the sync status;
    the second found the same line and still repainted it, a frame after the key."""
    from elo_tui.widgets.navbar import NavBar

    settings, ws, recs = env
    updates: list[str] = []
    original = NavBar.update

    def update(self, content="", *, layout=True):
        updates.append(str(content))
        return original(self, content, layout=layout)

    monkeypatch.setattr(NavBar, "update", update)
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = await _open(pilot, app, "Subsidie A", "vms")
        pending_before = app.status_text()
        form.query_one("#f-applicability").value = "required"
        await pilot.pause()
        updates.clear()
        await pilot.press("f2")
        for _ in range(4):
            await pilot.pause()
        assert isinstance(app.screen, MatrixScreen)
        assert app.status_text() != pending_before  # one more change waits for the sync
        assert len(updates) == 1 and app.status_text() in updates[0]
