"""A VirtualTable with a cell cursor: rows move with up/down, columns with left/right.

Used by the block matrix (products x building blocks). Like VirtualTable it renders only
the visible lines; moving the cell cursor re-renders one line. Rows may be marked as group
headers (bold). Cell text is always literal (never parsed as markup).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from elo_tui.widgets.virtual_table import CellFn, Column, VirtualTable, _fit


class MatrixTable(VirtualTable):
    """`cell_keys` are the columns the cell cursor moves over (the others are row labels).
    `is_group(row)` marks group-header rows."""

    DEFAULT_CSS = """
    MatrixTable > .matrix-table--cell-cursor {
        background: $accent; color: $foreground; text-style: bold;
    }
    MatrixTable:blur > .matrix-table--cell-cursor { background: $accent 50%; }
    MatrixTable > .matrix-table--group { text-style: bold; background: $boost; }
    MatrixTable > .matrix-table--column { text-style: bold reverse; }
    """
    COMPONENT_CLASSES = VirtualTable.COMPONENT_CLASSES | {
        "matrix-table--cell-cursor",
        "matrix-table--group",
        "matrix-table--column",
    }
    BINDINGS = [
        Binding("left", "cursor_left", "Links", show=False),
        Binding("right", "cursor_right", "Rechts", show=False),
    ]

    cursor_col: reactive[int] = reactive(0, repaint=False)

    class CellHighlighted(Message):
        """The cell cursor moved (to another row or column)."""

        def __init__(self, table: MatrixTable, row: Any, column_key: str) -> None:
            super().__init__()
            self.table = table
            self.row = row
            self.column_key = column_key

        @property
        def control(self) -> MatrixTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column],
        cell: CellFn,
        *,
        cell_keys: Sequence[str],
        is_group: Callable[[Any], bool] = lambda row: False,
        empty_text: str = "Geen rijen.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(columns, cell, empty_text=empty_text, name=name, id=id, classes=classes)
        self.cell_keys = list(cell_keys)
        self._is_group = is_group
        self.on_cell: Callable[[], None] | None = None  # synchronous cell-change hook
        self._styles: dict[str, Style] = {}  # parsed cell styles ("green", "dim", ...)

    # -- rows still to come -------------------------------------------------------------------
    # A large matrix first shows its first screenful of rows; the rest follows from a worker
    # a moment later. With `total` the scrollbar is that of the whole from the first frame,
    # and the rows not read yet say so; when the rest arrives and nothing on screen
    # changes, nothing is repainted (a second full frame of the table otherwise).

    _total: int | None = None
    PENDING_TEXT = " … wordt gelezen"

    def set_rows(self, rows: Sequence[Any], *, keep: Any = None, total: int | None = None) -> None:
        """Show `rows`; the cursor stays on `keep` when it is still present. `total`: the
        rows there will be once every row is read (more than `rows`), or None."""
        old, old_total = self._rows, self._total
        self._total = total if total is not None and total > len(rows) else None
        if self._same_on_screen(old, old_total, rows, keep):
            self._rows = rows  # rows drawn so far stay valid: the same rows at the same places
            return
        super().set_rows(rows, keep=keep)

    def _same_on_screen(
        self, old: Sequence[Any], old_total: int | None, rows: Sequence[Any], keep: Any
    ) -> bool:
        """The new rows change nothing on screen: same height (scrollbar), the cursor on
        the same row at the same place, the same rows in view, none of them still to come."""
        if not self.is_mounted or not old or rows is old or keep is None:
            return False
        if max(len(rows), self._total or 0) != max(len(old), old_total or 0):
            return False
        at = self.cursor_row
        if not (at < len(old) and at < len(rows) and old[at] == keep and rows[at] == keep):
            return False
        top = self.scroll_offset.y
        bottom = top + max(self.size.height - 1, 0)  # rows in view (line 0: the header)
        if bottom > len(old) or bottom > len(rows):
            return False
        return old[top:bottom] == rows[top:bottom]

    def _virtual_height(self) -> int:
        return max(len(self._rows), self._total or 0) + 1

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y - 1
        if y and self._total is not None and len(self._rows) <= index < self._total:
            width = self._content_width
            style = self.get_component_rich_style("virtual-table--empty")
            return Strip([Segment(self.PENDING_TEXT[:width].ljust(width), style)])
        return super().render_line(y)

    # -- the cell cursor -------------------------------------------------------------------

    @property
    def current_column(self) -> str:
        return self.cell_keys[self.cursor_col] if self.cell_keys else ""

    def action_cursor_left(self) -> None:
        self.cursor_col = max(self.cursor_col - 1, 0)

    def action_cursor_right(self) -> None:
        self.cursor_col = min(self.cursor_col + 1, max(len(self.cell_keys) - 1, 0))

    def move_to(self, row_index: int, column_key: str | None = None) -> None:
        if column_key is not None and column_key in self.cell_keys:
            self.cursor_col = self.cell_keys.index(column_key)
        self.cursor_row = row_index

    def watch_cursor_col(self, old: int, new: int) -> None:
        self._forget_row(self.cursor_row)
        self._refresh_line(-1)  # the header marks the current column
        self._refresh_line(self.cursor_row)
        self._scroll_column_into_view()
        self._post_cell()

    # -- the frozen first column -------------------------------------------------------------
    # When the columns are wider than the view the table scrolls sideways, but the first
    # column (which row this is) stays at the left, like a frozen column in a spreadsheet.

    def _frozen_width(self) -> int:
        return self._widths[0] + 1 if self._widths else 0

    def _in_view(self, strip: Strip, x: int, view_width: int) -> Strip:
        frozen = self._frozen_width()
        if self._line_width <= view_width or not frozen or frozen >= view_width:
            return super()._in_view(strip, x, view_width)
        # Only whole cells right of it: '◑ i' cut at an edge would read as something else.
        left, right = x + frozen, x + view_width
        start = 0
        for w in self._widths:
            end = start + w
            if start < left < end:
                left = end
            if start < right < end:
                right = start
            start = end + 1
        parts = [strip.crop(0, frozen)]
        if left > x + frozen:
            parts.append(Strip.blank(left - x - frozen, self.rich_style))
        if right > left:
            parts.append(strip.crop(left, right))
        filled = sum(p.cell_length for p in parts)
        if filled < view_width:
            parts.append(Strip.blank(view_width - filled, self.rich_style))
        return Strip.join(parts)

    def _column_span(self, key: str) -> tuple[int, int] | None:
        start = 0
        for col, w in zip(self.columns, self._widths, strict=False):
            if col.key == key:
                return start, start + w
            start += w + 1
        return None

    def _scroll_column_into_view(self) -> None:
        span = self._column_span(self.current_column)
        view = self._content_width
        frozen = self._frozen_width()
        if span is None or self._line_width <= view or frozen >= view:
            return
        start, end = span
        if self.cursor_col == len(self.cell_keys) - 1:
            end = self._line_width  # the last cell: the columns after it come into view too
        x = self.scroll_offset.x
        if start - frozen < x:
            x = start - frozen
        elif end > x + view:
            x = end - view
        if x != self.scroll_offset.x:
            self.scroll_to(x=max(x, 0), animate=False, immediate=True)
            self.refresh()

    def watch_cursor_row(self, old: int, new: int) -> None:
        # Like VirtualTable's, but repaints only the two lines that changed unless the
        # view scrolled: a cursor move must not repaint 40 lines of 9 columns.
        if self._rows and not 0 <= new < len(self._rows):
            self.cursor_row = max(0, min(new, len(self._rows) - 1))
            return
        self._forget_row(old)
        self._forget_row(new)
        top = self.scroll_offset.y
        self._scroll_cursor_into_view()
        if self.scroll_offset.y != top:
            self.refresh()
        else:
            self._refresh_line(old)
            self._refresh_line(new)
        if self._rows:
            self.post_message(self.Highlighted(self, self._rows[new], new))
            self._post_cell()

    def _post_cell(self) -> None:
        if self._rows and 0 <= self.cursor_row < len(self._rows):
            if self.on_cell is not None:
                # Called now, not via a message: the screen's detail panel then repaints
                # in the same frame as the table (a message made it a second repaint).
                self.on_cell()
                return
            self.post_message(
                self.CellHighlighted(self, self._rows[self.cursor_row], self.current_column)
            )

    def refresh_rows(self, indices: Sequence[int] | None = None) -> None:
        """Re-render after the data behind the rows changed: all rows, or only the rows at
        `indices` (the others stay as drawn). Only visible lines are ever drawn."""
        if indices is None:
            self._cache.clear()
            self.refresh()
            return
        for index in indices:
            self._forget_row(index)
            self._refresh_line(index)

    # -- rendering ---------------------------------------------------------------------------

    def _header_strip(self, width: int) -> Strip:
        style = self.get_component_rich_style("virtual-table--header")
        current = self.get_component_rich_style("matrix-table--column")
        line = Text(no_wrap=True, overflow="crop", end="")
        for i, (col, w) in enumerate(zip(self.columns, self._widths, strict=False)):
            if i:
                line.append(" ")
            is_current = col.key == self.current_column
            line.append(_fit(col.label, w), style=current if is_current else None)
        line.truncate(width, pad=True)
        segments = [
            Segment(seg.text, style + seg.style if seg.style else style)
            for seg in line.render(self.app.console)
            if seg.text
        ]
        return Strip(segments, width)

    def _row_strip(self, row: Any, is_cursor: bool, width: int) -> Strip:
        # Segments are built directly (no rich Text layout): a cursor move redraws two
        # rows of nine styled cells, and Text.render made that the slowest part of a key.
        # Cells are plain strings or Text with one whole-cell style (no spans).
        base = self.rich_style
        if self._is_group(row):
            base = base + self.get_component_rich_style("matrix-table--group")
        if is_cursor:
            base = base + self.get_component_rich_style("virtual-table--cursor")
        cursor_style = self.get_component_rich_style("matrix-table--cell-cursor")
        current = self.current_column if is_cursor else None
        styles = self._styles
        segments: list[Segment] = []
        used = 0
        for i, (col, w) in enumerate(zip(self.columns, self._widths, strict=False)):
            if i:
                segments.append(Segment(" ", base))
                used += 1
            value = self._cell(row, col.key)
            if isinstance(value, Text):
                text, style = value.plain, value.style
            else:
                text, style = value, ""
            cell_style = base
            if style:
                if isinstance(style, str):
                    extra = styles.get(style)
                    if extra is None:
                        extra = styles[style] = Style.parse(style)
                else:
                    extra = style
                cell_style = base + extra
            if col.key == current:
                cell_style = cell_style + cursor_style
            segments.append(Segment(_fit(text, w), cell_style))
            used += w
        if used < width:
            segments.append(Segment(" " * (width - used), base))
        return Strip(segments).crop(0, width)

    def on_click(self, event: events.Click) -> None:
        if event.y > 0:
            x = 0
            # Right of the frozen first column the view is scrolled sideways.
            at = event.x if event.x < self._frozen_width() else event.x + self.scroll_offset.x
            for col, w in zip(self.columns, self._widths, strict=False):
                if x <= at < x + w + 1:
                    if col.key in self.cell_keys:
                        self.cursor_col = self.cell_keys.index(col.key)
                    break
                x += w + 1
        super().on_click(event)
