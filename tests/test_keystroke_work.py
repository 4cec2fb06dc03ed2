"""What a keystroke does, and what it must not do (issue 12).

A layout pass makes Textual re-arrange and repaint every widget of the screen: at 20,000
products it was the largest cost of a filter keystroke. These tests count the widgets
that ask for one while keys are typed, and check that what is shown stays right: rows,
scrollbar, counts and the rows redrawn after `v`.
"""

from __future__ import annotations

import pytest

from blocks_support import app as application
from blocks_support import product, small_workspace
from elo_tui.app import EloApp
from elo_tui.domain.records import Agency, Application, Exemption, Review
from elo_tui.screens.inventory import InventoryScreen
from elo_tui.screens.matrix import MatrixScreen
from elo_tui.services import mapping as svc
from elo_tui.store import Workspace
from elo_tui.widgets.matrix_table import MatrixTable
from elo_tui.widgets.virtual_table import VirtualTable


@pytest.fixture
def layouts(monkeypatch):
    """Names of the widgets that asked for a layout pass while `layouts.on` is True."""
    from textual.widget import Widget

    asked: list[str] = []
    original = Widget.refresh

    def refresh(self, *regions, repaint=True, layout=False, recompose=False):
        if layout and asked is not None and refresh.on:
            asked.append(type(self).__name__)
        return original(self, *regions, repaint=repaint, layout=layout, recompose=recompose)

    refresh.on = False
    monkeypatch.setattr(Widget, "refresh", refresh)

    class Spy:
        @property
        def on(self) -> bool:
            return refresh.on

        @on.setter
        def on(self, value: bool) -> None:
            refresh.on = value

        def __iter__(self):
            return iter(asked)

        def clear(self) -> None:
            asked.clear()

    return Spy()


@pytest.fixture
def many(settings):
    """400 products over three applications: many more rows than a 40-line screen shows."""
    ws = Workspace.open(settings.workspace_path("veel"), create=True, user="tester")
    apps = [application(f"Loket {i}") for i in range(3)]
    words = ["subsidie", "premie", "vergunning", "heffing"]
    products = [
        product(f"{words[i % 4].capitalize()} nummer {i}", req=apps[i % 3], fol=apps[i % 3])
        for i in range(400)
    ]
    ws.save(Agency(name="Testagentschap"))
    ws.save_many([*apps, *products])
    yield ws
    ws.close()


async def _settled(pilot) -> None:
    for _ in range(4):
        await pilot.pause()


async def test_filter_keys_relayout_nothing_while_the_table_keeps_scrolling(
    many, settings, layouts
):
    app = EloApp(settings, many, start_mode="inventory")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settled(pilot)
        assert isinstance(app.screen, InventoryScreen)
        table = app.screen.query_one(VirtualTable)
        assert table.row_count == 400 and table.show_vertical_scrollbar
        await pilot.press("slash")
        await _settled(pilot)
        layouts.clear()
        layouts.on = True
        for key in "sub":  # 100 subsidies: still more than a screenful
            await pilot.press(key)
        await _settled(pilot)
        layouts.on = False
        assert list(layouts) == []
        assert table.row_count == 100
        assert table.virtual_size.height == 101  # header + rows: the scrollbar is right
        assert table.show_vertical_scrollbar
        assert table.vertical_scrollbar.window_virtual_size == 101
        assert "100 van 400 producten" in str(app.screen.query_one("#count").render())
        assert app.screen.query_one("#filter").value == "sub"


async def test_a_result_that_fits_the_screen_drops_the_scrollbar(many, settings, layouts):
    app = EloApp(settings, many, start_mode="inventory")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settled(pilot)
        table = app.screen.query_one(VirtualTable)
        await pilot.press("slash")
        for key in "nummer 11":  # 11, 110-119 and a few more: fewer than a screenful
            await pilot.press(key if key != " " else "space")
        await _settled(pilot)
        assert 11 <= table.row_count < 25
        assert not table.show_vertical_scrollbar  # this one needed the layout pass
        for _ in range(9):
            await pilot.press("backspace")
        await _settled(pilot)
        assert table.row_count == 400 and table.show_vertical_scrollbar


async def test_v_redraws_the_changed_row_and_keeps_the_counts(settings, layouts):
    ws, recs = small_workspace(settings.workspace_path("test"))
    try:
        app = EloApp(settings, ws, start_mode="matrix")
        async with app.run_test(size=(120, 40)) as pilot:
            await _settled(pilot)
            assert isinstance(app.screen, MatrixScreen)
            table = app.screen.query_one(MatrixTable)
            p3 = next(i for i, r in enumerate(table.rows) if r.id == recs["p3"].id)
            table.move_to(p3, "toelatingen")  # a permit: the suggestion is "required"
            await _settled(pilot)
            before = table.render_line(p3 + 1).text
            count = str(app.screen.query_one("#count").render())
            layouts.clear()
            layouts.on = True
            await pilot.press("v")
            await _settled(pilot)
            layouts.on = False
            assert table.render_line(p3 + 1).text != before  # the cell shows the new status
            assert ws.list(
                svc.BlockStatus,
                where="scope_id = ? AND block = 'toelatingen'",
                params=(recs["p3"].id,),
            )
            assert str(app.screen.query_one("#count").render()) == count
            assert "MatrixTable" not in list(layouts)
            # A filter changes the rows: the counts follow.
            app.screen.set_filter(svc.RowFilter("", "", recs["a2"].id))
            await _settled(pilot)
            shown = {r.id for r in table.rows if r.kind == "product"}
            assert shown == {recs["p3"].id, recs["p4"].id}  # p4 is followed up on a2
            assert "2 van 4 producten" in str(app.screen.query_one("#count").render())
    finally:
        ws.close()


def test_new_application_context_reads_the_scopes_own_applications(tmp_path):
    ws, recs = small_workspace(tmp_path / "w.sqlite")
    try:
        a1, p1, p3 = recs["a1"], recs["p1"], recs["p3"]
        assert svc.new_application_context(ws, "product", p1.id, "vms") == (False, False)
        a1.is_new = True
        ws.save(a1)
        assert svc.new_application_context(ws, "product", p1.id, "vms") == (True, False)
        assert svc.new_application_context(ws, "application", a1.id, "dosis") == (True, False)
        assert svc.new_application_context(ws, "product", p3.id, "vms") == (False, False)
        e = Exemption(scope_kind="application", scope_id=a1.id, subject="vms", ground="g")
        ws.save(e)
        review = Review(
            target_kind=e.KIND,
            target_id=e.id,
            verdict="accepted",
            created_at="2026-02-01T00:00:00Z",
        )
        ws.put_synced([review])
        assert svc.new_application_context(ws, "product", p1.id, "vms") == (True, True)
        ws.delete(Application, a1.id)  # a removed application makes nothing new
        assert svc.new_application_context(ws, "product", p1.id, "vms") == (False, False)
    finally:
        ws.close()
