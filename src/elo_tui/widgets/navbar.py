"""The top bar of every area: the areas with their keys, and the workspace status."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

# Below this size not every panel can be shown: the bar says so instead of hiding things.
MIN_WIDTH, MIN_HEIGHT = 80, 24
TOO_SMALL = f"Terminal te klein (minimaal {MIN_WIDTH}×{MIN_HEIGHT}): vergroot het venster"


class NavBar(Static):
    """Shows `1 Overzicht  2 Producten …` with the current area highlighted, and on the
    right the agency and how many changes wait for the next sync."""

    DEFAULT_CSS = """
    NavBar { dock: top; height: 1; background: $panel; color: $text; }
    """

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current
        self._shown: Text | None = None

    def on_mount(self) -> None:
        self.refresh_status()

    def refresh_status(self) -> None:
        app = self.app
        full_status = app.status_text() if hasattr(app, "status_text") else ""
        # Without the last-sync time: what matters most is what waits to be synced.
        brief_status = " · ".join(
            p for p in full_status.split(" · ") if not p.startswith("laatste synchronisatie")
        )
        width = self.size.width or 120
        screen = self.app.size
        if screen.width < MIN_WIDTH or screen.height < MIN_HEIGHT:
            text = f" {TOO_SMALL} (nu {screen.width}×{screen.height})"
            self._show(Text(text, style="bold reverse", no_wrap=True, overflow="ellipsis"))
            return
        # Full area names first; then a shorter status; then only the current area's name
        # with the other areas' keys (cut words like "Chec" are not readable).
        for short, status in (
            (False, full_status),
            (False, brief_status),
            (True, brief_status),
            (True, ""),
        ):
            line = self._areas(short)
            if line.cell_len + len(status) + 2 <= width:
                break
        if status:
            line.append(" " * max(width - line.cell_len - len(status) - 1, 1))
            line.append(status, style="italic")
        self._show(line)

    def _show(self, line: Text) -> None:
        # The status is refreshed both when an area comes back and after each save; back
        # from a form that saved, the second finds the same line: no repaint, no extra
        # frame after the key.
        if line != self._shown:
            self._shown = line
            self.update(line, layout=False)  # one fixed-height line: no relayout needed

    def _areas(self, short: bool) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        for item in getattr(self.app, "nav", []):
            current = item.mode == self.current
            line.append(f" {item.key} ", style="bold reverse" if current else "bold")
            if current or not short:
                line.append(f"{item.label} ", style="bold reverse" if current else "")
        return line

    def on_resize(self) -> None:
        self.refresh_status()
