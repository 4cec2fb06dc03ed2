"""A one-line filter field that filters in the keystroke's own step, without a layout pass.

Textual's `Input` makes the value's width its virtual width, and `virtual_size` is a
layout reactive: every key relays out the whole screen, and the scrollbars of every
scrolling widget on it are repainted one frame (~30 ms) after the typed character
(measured in the programme view: the 120×40 entity table's two scrollbars, 4 KB per key).
A filter field's own size never depends on its value's width (fixed height, full
width), so this one updates the scroll region without a layout pass, as Textual itself
does for a size change that cannot move anything (`Widget._size_updated(layout=False)`).

It also calls `on_value` from the value watcher, in the same step as the keystroke, so
the typed character and the filtered rows reach the terminal in one frame (through the
`Changed` message they took two).
"""

from __future__ import annotations

from collections.abc import Callable

from textual.geometry import Size
from textual.widgets import Input


class FilterInput(Input):
    def __init__(self, on_value: Callable[[str], None], **kwargs) -> None:
        super().__init__(**kwargs)
        self._on_value = on_value

    def _watch_value(self, value: str) -> None:
        size = Size(self.content_width, 1)
        if self.virtual_size != size and self.is_mounted and not self.styles.auto_dimensions:
            self.set_reactive(Input.virtual_size, size)
            self._scroll_update(size)
        super()._watch_value(value)

    def watch_value(self, value: str) -> None:
        self._on_value(value)
