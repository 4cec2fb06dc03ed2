"""The top bar of every area: the areas with their keys, and the workspace status."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class NavBar(Static):
    """Shows `1 Overzicht  2 Producten …` with the current area highlighted, and on the
    right the agency and how many changes wait for the next sync."""

    DEFAULT_CSS = """
    NavBar { dock: top; height: 1; background: $panel; color: $text; }
    """

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def on_mount(self) -> None:
        self.refresh_status()

    def refresh_status(self) -> None:
        app = self.app
        line = Text(no_wrap=True, overflow="ellipsis")
        for item in getattr(app, "nav", []):
            style = "bold reverse" if item.mode == self.current else ""
            line.append(f" {item.key} ", style="bold " + ("reverse" if style else ""))
            line.append(f"{item.label} ", style=style)
        status = app.status_text() if hasattr(app, "status_text") else ""
        if status:
            pad = max(self.size.width - line.cell_len - len(status) - 1, 1)
            line.append(" " * pad)
            line.append(status, style="italic")
        self.update(line, layout=False)  # one fixed-height line: no relayout needed

    def on_resize(self) -> None:
        self.refresh_status()
