"""A table that renders only the visible rows (Textual Line API).

DataTable builds every row up front (about 3 s for 10,000 rows here); this widget keeps
a reference to the caller's row sequence and asks for cell text only for lines on
screen, so replacing 20,000 rows after a filter keystroke costs next to nothing.
Cell text is always literal (never parsed as markup).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    width: int = 0  # fixed width in cells; 0 = share the remaining width
    flex: int = 1  # weight when sharing
    min_width: int = 6
    # "right" for numbers: their digits line up and a narrow column never hides the end.
    align: str = "left"
    # False: never narrower than min_width, also in a narrow view (the table then scrolls
    # sideways): for the column that says which row it is (a name cut to 7 cells is not).
    shrink: bool = True


MIN_TEXT_WIDTH = 8  # a text column narrower than this says nothing

CellFn = Callable[[Any, str], "str | Text"]


class VirtualTable(ScrollView, can_focus=True):
    """Rows are any objects; `cell(row, column_key)` turns one into a cell's text."""

    DEFAULT_CSS = """
    VirtualTable { height: 1fr; }
    VirtualTable > .virtual-table--header { text-style: bold; background: $panel; }
    VirtualTable > .virtual-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    VirtualTable:blur > .virtual-table--cursor {
        background: $block-cursor-blurred-background;
    }
    VirtualTable > .virtual-table--empty { color: $text-muted; text-style: italic; }
    """
    COMPONENT_CLASSES = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--empty",
    }
    BINDINGS = [
        Binding("up", "cursor_up", "Omhoog", show=False),
        Binding("down", "cursor_down", "Omlaag", show=False),
        Binding("pageup", "page_up", "Pagina op", show=False),
        Binding("pagedown", "page_down", "Pagina neer", show=False),
        Binding("home", "first", "Eerste", show=False),
        Binding("end", "last", "Laatste", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)

    class _RowMessage(Message):
        def __init__(self, table: VirtualTable, row: Any, index: int) -> None:
            super().__init__()
            self.table = table
            self.row = row
            self.index = index

        @property
        def control(self) -> VirtualTable:
            return self.table

    class Selected(_RowMessage):
        """Enter or a double click on a row."""

    class Highlighted(_RowMessage):
        """The cursor moved to another row."""

    class HeaderClicked(Message):
        def __init__(self, table: VirtualTable, column_key: str) -> None:
            super().__init__()
            self.table = table
            self.column_key = column_key

        @property
        def control(self) -> VirtualTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column],
        cell: CellFn,
        *,
        empty_text: str = "Geen rijen.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns: list[Column] = list(columns)
        self._cell = cell
        self._rows: Sequence[Any] = ()
        self.empty_text = empty_text
        self.sort_key: str | None = None
        self.sort_reverse = False
        self._widths: list[int] = []
        self._layout_width = 0
        self._line_width = 0  # all columns side by side; wider than the view = scroll
        self._cache: LRUCache[tuple[int, int], Strip] = LRUCache(512)

    # -- data ---------------------------------------------------------------------------

    @property
    def rows(self) -> Sequence[Any]:
        return self._rows

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def set_rows(self, rows: Sequence[Any], *, keep: Any = None) -> None:
        """Show `rows`; the cursor stays on `keep` when it is still present."""
        self._rows = rows
        self._cache.clear()
        index = 0
        if keep is not None:
            try:
                index = rows.index(keep)
            except ValueError:
                index = min(self.cursor_row, max(len(rows) - 1, 0))
        self._set_virtual_size(Size(self._virtual_width(), self._virtual_height()))
        self.cursor_row = index
        self.refresh()

    def _set_virtual_size(self, size: Size) -> None:
        """A new row count without a layout pass of the whole screen when the table's own
        size cannot change: a fixed height, and a vertical scrollbar that is shown (or
        not) both before and after. Setting `virtual_size` always relays out the screen and
        repaints every widget on it, the biggest cost of a filter keystroke over 20,000
        products; only the scrollbar needs updating. What Textual itself does for a size
        change without layout (`Widget._size_updated(layout=False)`)."""
        old = self.virtual_size
        if size == old:
            return
        height = self._container_size.height
        room = height - self.styles.scrollbar_size_horizontal  # a horizontal bar takes a line
        scrolls = old.height > height and size.height > height
        fits = old.height <= room and size.height <= room
        if (
            not self.is_mounted
            or not height
            or size.width != old.width
            or self.styles.height is None
            or self.styles.height.is_auto
            or not (scrolls or fits)
        ):
            self.virtual_size = size
            return
        self.set_reactive(ScrollView.virtual_size, size)
        self._scroll_update(size)  # scrollbar thumb and scroll position, in this frame

    def refresh_row(self, row: Any) -> None:
        self._cache.clear()
        self.refresh()

    @property
    def current(self) -> Any | None:
        if 0 <= self.cursor_row < len(self._rows):
            return self._rows[self.cursor_row]
        return None

    def set_sort(self, key: str | None, reverse: bool = False) -> None:
        self.sort_key, self.sort_reverse = key, reverse
        self._cache.clear()
        self.refresh()

    # -- layout -------------------------------------------------------------------------

    @property
    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    def on_resize(self, event: events.Resize) -> None:
        self._layout_columns(self._content_width)
        self.virtual_size = Size(self._virtual_width(), self._virtual_height())

    _scrolled_for: tuple | None = None  # (size, container size, virtual size) last updated for

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # Textual passes the arranged size as `virtual_size`, never a scroll view's own, so
        # every layout pass of the screen updated and repainted the scrollbar even when
        # nothing had changed: on a first visit the screen's own mount and the toast rack
        # each ask for one right after the first frame (a second frame ~20-60 ms later, for
        # every table: inventory, matrix, checklist, costs, …).
        key = (size, container_size, self.virtual_size)
        if key == self._scrolled_for and self._size == size:
            return self._container_size != container_size
        updated = super()._size_updated(size, virtual_size, container_size, layout)
        # The columns for the new width now, in this layout pass: a table wider than its
        # view (the costs lines next to their totals) then has its sideways scrollbar
        # from the first frame. Left to on_resize, the new virtual width came after the
        # first frame and cost a second layout pass and a second frame (~50 ms later).
        view_width = self._content_width
        if view_width and view_width != self._layout_width:
            self._layout_columns(view_width)
            wide = Size(self._virtual_width(), self._virtual_height())
            if wide.width != self.virtual_size.width:
                self.set_reactive(ScrollView.virtual_size, wide)
                self._scroll_update(wide)  # the scrollbar asks for the layout pass it needs
        self._scrolled_for = (size, container_size, self.virtual_size)
        return updated

    def _virtual_height(self) -> int:
        """Lines of the whole table: the header and every row (a subclass may count rows
        still to come, see MatrixTable)."""
        return len(self._rows) + 1

    def _virtual_width(self) -> int:
        # Columns that do not fit scroll sideways rather than being cut at the edge. 0
        # while they fit (nothing to scroll sideways): the same before the first layout,
        # when the view's width is not known yet, as after it; the resize after the first
        # frame then sets no other virtual size, which made Textual lay the screen out
        # again and repaint the scrollbar (see _size_updated).
        return self._line_width if self._line_width > self._content_width else 0

    def _layout_columns(self, width: int) -> None:
        before = self._widths
        self._layout_width = width
        gaps = max(len(self.columns) - 1, 0)
        fixed = sum(c.width for c in self.columns if c.width)
        flex_cols = [c for c in self.columns if not c.width]
        spare = max(width - fixed - gaps, 0)
        total_flex = sum(c.flex for c in flex_cols) or 1
        # Text columns give way first (cut with '…') so that the fixed ones, the numbers,
        # stay in view; only when even that is too wide does the table scroll sideways.
        fits = sum(c.min_width for c in flex_cols) <= spare
        if not fits:  # the columns that keep their width first, the others share the rest
            kept = sum(c.min_width for c in flex_cols if not c.shrink)
            spare = max(spare - kept, 0)
            total_flex = sum(c.flex for c in flex_cols if c.shrink) or 1
        widths = []
        for c in self.columns:
            if c.width:
                widths.append(c.width)
            elif not fits and not c.shrink:
                widths.append(c.min_width)
            else:
                floor = c.min_width if fits else min(c.min_width, MIN_TEXT_WIDTH)
                widths.append(max(floor, spare * c.flex // total_flex))
        self._widths = widths
        self._line_width = max(sum(widths) + gaps, width)
        if widths != before:  # a resize that keeps the columns keeps the drawn rows
            self._cache.clear()

    # -- rendering ------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        view_width = self._content_width
        # Also when a scrollbar came or went, which narrows the view without a resize.
        if not self._widths or view_width != self._layout_width:
            self._layout_columns(view_width)
        width = max(self._line_width, view_width)
        x = self.scroll_offset.x
        if y == 0:
            return self._in_view(self._header_strip(width), x, view_width)
        index = self.scroll_offset.y + y - 1
        if index >= len(self._rows):
            if index == 0 and not self._rows:
                style = self.get_component_rich_style("virtual-table--empty")
                text = f" {self.empty_text}"[:view_width].ljust(view_width)
                return Strip([Segment(text, style)])
            return Strip.blank(view_width, self.rich_style)
        is_cursor = index == self.cursor_row
        # 0: plain row, 1: cursor row in a focused table, 2: cursor row, table blurred
        key = (index, (1 if self.has_focus else 2) if is_cursor else 0)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._row_strip(self._rows[index], is_cursor, width)
            self._cache[key] = strip
        return self._in_view(strip, x, view_width)

    def _in_view(self, strip: Strip, x: int, view_width: int) -> Strip:
        """The part of a full-width line in view. A number column cut at either edge is
        left out whole: '€ 15.7' for € 15.758 would read as another number."""
        if self._line_width <= view_width:
            return strip.crop(0, view_width)
        left, right, start = x, x + view_width, 0
        for col, w in zip(self.columns, self._widths, strict=False):
            end = start + w
            if col.align == "right":
                if start < left < end:
                    left = end
                if start < right < end:
                    right = start
            start = end + 1
        if right <= left:
            return strip.crop(x, x + view_width)
        parts = [strip.crop(left, right)]
        if left > x:
            parts.insert(0, Strip.blank(left - x, self.rich_style))
        if x + view_width > right:
            parts.append(Strip.blank(x + view_width - right, self.rich_style))
        return Strip.join(parts)

    def _header_strip(self, width: int) -> Strip:
        style = self.get_component_rich_style("virtual-table--header")
        parts = []
        for col, w in zip(self.columns, self._widths, strict=False):
            label = col.label
            if col.key == self.sort_key:
                label += " ▼" if self.sort_reverse else " ▲"
            parts.append(_fit(label, w))
        text = " ".join(parts)
        return Strip([Segment(_fit(text, width), style)])

    def _row_strip(self, row: Any, is_cursor: bool, width: int) -> Strip:
        base = self.rich_style
        if is_cursor:
            base = base + self.get_component_rich_style("virtual-table--cursor")
        values = [self._cell(row, col.key) for col in self.columns]
        if not any(isinstance(v, Text) for v in values):
            # Plain text rows (the inventory): one segment, no rich layout pass.
            texts = cast(list[str], values)  # no Text among them (checked just above)
            plain = " ".join(
                _fit(v, w, col.align)
                for v, w, col in zip(texts, self._widths, self.columns, strict=False)
            )
            return Strip([Segment(_fit(plain, width), base)], width)
        line = Text(no_wrap=True, overflow="crop", end="")
        for i, (value, w, col) in enumerate(zip(values, self._widths, self.columns, strict=False)):
            if i:
                line.append(" ")
            if isinstance(value, Text):
                cell = value.copy()
                if col.align == "right" and cell.cell_len < w:
                    cell = Text(" " * (w - cell.cell_len), end="") + cell
                cell.truncate(w, overflow="ellipsis", pad=True)
                line.append_text(cell)
            else:
                line.append(_fit(value, w, col.align))
        line.truncate(width, pad=True)
        segments = [
            Segment(seg.text, base + seg.style if seg.style else base)
            for seg in line.render(self.app.console)
            if seg.text
        ]
        return Strip(segments, width)

    def _style_key(self) -> tuple:
        return (
            self.rich_style,
            *(self.get_component_rich_style(c) for c in sorted(self.COMPONENT_CLASSES)),
        )

    def notify_style_update(self) -> None:
        # Focus changes restyle the widget too; drawn rows stay valid unless a style they
        # use really changed (a theme switch).
        super().notify_style_update()
        try:
            key = self._style_key()
        except KeyError:  # component styles not set up yet (while mounting)
            key = None
        if key is None or key != getattr(self, "_drawn_with", None):
            self._drawn_with = key
            self._cache.clear()

    def _on_focus(self, event: events.Focus) -> None:
        self._refresh_line(self.cursor_row)  # only the cursor row looks different

    def _on_blur(self, event: events.Blur) -> None:
        self._refresh_line(self.cursor_row)

    def _forget_row(self, index: int) -> None:
        """Drop the drawn versions of one row (after its content or cursor changed)."""
        for state in (0, 1, 2):
            self._cache.discard((index, state))

    def _refresh_line(self, index: int) -> None:
        """Repaint one row (index -1: the header) if it is on screen."""
        y = 0 if index < 0 else index - self.scroll_offset.y + 1
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    # -- cursor ---------------------------------------------------------------------------

    def watch_cursor_row(self, old: int, new: int) -> None:
        if self._rows and not 0 <= new < len(self._rows):
            self.cursor_row = max(0, min(new, len(self._rows) - 1))
            return
        top = self.scroll_offset.y
        self._scroll_cursor_into_view()
        if self.scroll_offset.y != top:
            self.refresh()
        else:  # repaint just the two rows that changed
            self._forget_row(old)
            self._forget_row(new)
            self._refresh_line(old)
            self._refresh_line(new)
        if self._rows:
            self.post_message(self.Highlighted(self, self._rows[new], new))

    def _scroll_cursor_into_view(self) -> None:
        body = max(self.size.height - 1, 1)
        top = self.scroll_offset.y
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + body:
            self.scroll_to(y=self.cursor_row - body + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.cursor_row = max(self.cursor_row - 1, 0)

    def action_cursor_down(self) -> None:
        self.cursor_row = min(self.cursor_row + 1, max(len(self._rows) - 1, 0))

    def action_page_up(self) -> None:
        self.cursor_row = max(self.cursor_row - max(self.size.height - 2, 1), 0)

    def action_page_down(self) -> None:
        last = max(len(self._rows) - 1, 0)
        self.cursor_row = min(self.cursor_row + max(self.size.height - 2, 1), last)

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = max(len(self._rows) - 1, 0)

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self, self.current, self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            x = -self.scroll_offset.x
            for col, w in zip(self.columns, self._widths, strict=False):
                if x <= event.x < x + w + 1:
                    self.post_message(self.HeaderClicked(self, col.key))
                    return
                x += w + 1
            return
        index = self.scroll_offset.y + event.y - 1
        if 0 <= index < len(self._rows):
            self.cursor_row = index
            if event.chain >= 2:
                self.action_select()


def _fit(text: str, width: int, align: str = "left") -> str:
    """Pad or cut to exactly `width` terminal cells (ellipsis when cut)."""
    if align == "right" and cell_len(text) < width:
        text = " " * (width - cell_len(text)) + text
    if width <= 0:
        return ""
    text = text.replace("\n", " ")
    if text.isascii():
        if len(text) > width:
            return text[: width - 1] + "…"
        return text.ljust(width)
    if cell_len(text) > width:  # wide characters count double
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)
