"""The bottom line of every screen: the keys that work here, in one widget.

Textual's Footer builds a widget per key and rebuilds them all whenever focus moves;
at start-up that cost more than our whole inventory (measured), so this renders the
same information as one line of text. Clicking a key runs its action.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar { dock: bottom; height: 1; background: $footer-background; color: $footer-foreground; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[tuple[int, int, str, str]] = []  # start, end, action, namespace

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def render(self) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        seen: set[str] = set()
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            start = line.cell_len
            line.append(f" {self.app.get_key_display(binding)} ", style="bold reverse")
            line.append(f" {binding.description} ", style="" if active.enabled else "dim")
            self._spans.append((start, line.cell_len, binding.action, key))
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, _action, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
