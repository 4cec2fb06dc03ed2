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
        self._shown_keys: list[tuple[str, str, bool, str, str]] | None = None  # last render

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen: Screen) -> None:
        # Not while another screen is on top (a form covers this bar with its own): that
        # repaint of a hidden line made Textual repaint the whole form over it, a frame
        # after Enter. Textual signals again when this screen comes back.
        if self.is_attached and screen is self.screen and screen is self.app.screen:
            # Focus moves signal too, mostly with the same keys (opening a form): a
            # repaint of the same line would be one more frame after the key.
            if self._keys() != self._shown_keys:
                self.refresh()

    def _keys(self) -> list[tuple[str, str, bool, str, str]]:
        """(key shown, description, enabled, action, key) of each key to show: the
        screen's own keys first, then the app's."""
        keys: list[tuple[str, str, bool, str, str]] = []
        seen: set[str] = set()
        bindings = list(self.screen.active_bindings.items())
        bindings.sort(key=lambda kv: kv[1].node is self.app)  # stable: screen keys first
        for key, active in bindings:
            binding = active.binding
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            keys.append(
                (
                    self.app.get_key_display(binding),
                    binding.description,
                    active.enabled,
                    binding.action,
                    key,
                )
            )
        return keys

    def render(self) -> Text:
        """The screen's own keys first, then the app's; what does not fit is left out
        with a 'meer: F1' hint at the end (the help lists everything)."""
        width = self.size.width or 200
        keys = self._keys()
        self._shown_keys = keys
        items: list[tuple[Text, str, str]] = []
        for display, description, enabled, action, key in keys:
            item = Text()
            item.append(f" {display} ", style="bold reverse")
            item.append(f" {description} ", style="" if enabled else "dim")
            items.append((item, action, key))
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
