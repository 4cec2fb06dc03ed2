"""A table's scrollbar is drawn again only when something it shows changed: Textual updated
it on every layout pass of the screen (two of them right after an area's first frame),
a second frame for nothing. It must still follow a new row count and a resize."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.scrollbar import ScrollBar

from elo_tui.widgets.virtual_table import Column, VirtualTable


class _TableApp(App):
    def compose(self) -> ComposeResult:
        yield VirtualTable([Column("n", "Nummer", flex=1)], lambda row, key: str(row))

    def on_mount(self) -> None:
        self.query_one(VirtualTable).set_rows(list(range(500)))


async def test_a_layout_pass_that_changes_nothing_does_not_redraw_the_scrollbar(monkeypatch):
    app = _TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        bar = table.vertical_scrollbar
        assert table.show_vertical_scrollbar and bar.window_virtual_size == 501
        drawn: list[int] = []
        real = ScrollBar.refresh
        monkeypatch.setattr(
            ScrollBar, "refresh", lambda self, *a, **k: drawn.append(1) or real(self, *a, **k)
        )
        app.screen.refresh(layout=True)  # what a screen's mount or a toast rack asks for
        await pilot.pause()
        assert drawn == []
        table.set_rows(list(range(2000)))  # a new row count: the thumb follows
        await pilot.pause()
        assert bar.window_virtual_size == 2001 and drawn
        drawn.clear()
        await pilot.resize_terminal(60, 30)  # and a resize
        await pilot.pause()
        assert drawn and bar.window_size == table.container_size.height
        assert table.virtual_size.height == 2001
