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
        """The screen's own keys first, then the app's; what does not fit is left out
        with a 'meer: F1' hint at the end (the help lists everything)."""
        width = self.size.width or 200
        items: list[tuple[Text, str, str]] = []
        seen: set[str] = set()
        bindings = list(self.screen.active_bindings.items())
        bindings.sort(key=lambda kv: kv[1].node is self.app)  # stable: screen keys first
        for key, active in bindings:
            binding = active.binding
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            item = Text()
            item.append(f" {self.app.get_key_display(binding)} ", style="bold reverse")
            item.append(f" {binding.description} ", style="" if active.enabled else "dim")
            items.append((item, binding.action, key))
        hint = Text(" meer: F1 ", style="italic")
        line = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        for index, (item, action, key) in enumerate(items):
            last = index == len(items) - 1
            room = width - line.cell_len - (0 if last else hint.cell_len)
            if item.cell_len > room:
                line.append_text(hint)
                self._spans.append((line.cell_len - hint.cell_len, line.cell_len, "help", "f1"))
                break
            start = line.cell_len
            line.append_text(item)
            self._spans.append((start, line.cell_len, action, key))
        return line

    def on_resize(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        for start, end, _action, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
