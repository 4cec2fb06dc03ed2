"""The top bar of every area: the areas with their keys, and the workspace status."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

# Abbreviations when the bar is narrow ("Sync" is not a word the interface uses).
SHORT_LABELS = {"Synchronisatie": "Synchr.", "Uitzonderingen": "Uitz."}


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
        full_status = app.status_text() if hasattr(app, "status_text") else ""
        # Without the last-sync time: what matters most is what waits to be synced.
        brief_status = " · ".join(
            p for p in full_status.split(" · ") if not p.startswith("laatste synchronisatie")
        )
        width = self.size.width or 120
        # Full area names first; then a shorter status; only then abbreviated names.
        for short, status in ((False, full_status), (False, brief_status), (True, brief_status)):
            line = self._areas(short)
            if line.cell_len + len(status) + 2 <= width:
                break
        if status:
            line.append(" " * max(width - line.cell_len - len(status) - 1, 1))
            line.append(status, style="italic")
        self.update(line, layout=False)  # one fixed-height line: no relayout needed

    def _areas(self, short: bool) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        for item in getattr(self.app, "nav", []):
            current = item.mode == self.current
            label = (
                item.label if current or not short else SHORT_LABELS.get(item.label, item.label[:4])
            )
            line.append(f" {item.key} ", style="bold reverse" if current else "bold")
            line.append(f"{label} ", style="bold reverse" if current else "")
        return line

    def on_resize(self) -> None:
        self.refresh_status()
