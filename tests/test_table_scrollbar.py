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


class _WideTableApp(App):
    """Columns wider than the view, rows set before the first layout (as an area's load)."""

    def compose(self) -> ComposeResult:
        yield VirtualTable(
            [Column("a", "Naam", flex=1, min_width=30, shrink=False), Column("b", "Bedrag", 40)],
            lambda row, key: str(row),
        )

    def on_mount(self) -> None:
        self.query_one(VirtualTable).set_rows(list(range(500)))


async def test_a_table_wider_than_its_view_scrolls_sideways_from_its_first_layout_pass(
    monkeypatch,
):
    # Left to the Resize after the first layout pass, the sideways scrollbar came with a
    # second layout pass and a second frame (the costs table next to its totals).
    widths_at_resize: list[int] = []
    real = VirtualTable.on_resize

    def on_resize(self, event):
        widths_at_resize.append(self.virtual_size.width)
        real(self, event)

    monkeypatch.setattr(VirtualTable, "on_resize", on_resize)
    app = _WideTableApp()
    async with app.run_test(size=(50, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        assert table.show_horizontal_scrollbar
        assert table.virtual_size.width == 71 > table.scrollable_content_region.width
        assert widths_at_resize and widths_at_resize[0] == 71  # known before the Resize
        await pilot.resize_terminal(120, 20)  # wide enough: nothing to scroll sideways
        await pilot.pause()
        assert not table.show_horizontal_scrollbar and table.virtual_size.width == 0
