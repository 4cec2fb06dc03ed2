"""The baseline: a bare Textual app that shows a DataTable with the inventory's columns.

It fills the rows a screen shows (50), the fair comparison for an app that renders only
what is visible; `--rows N` fills N rows, to show what a plain DataTable costs.
With ELO_TUI_EXIT_WHEN_READY=1 it exits once its rows have been written to the terminal,
through the same hook as elo-tui (elo_tui/frame_ready.py: only Textual is imported).
"""

import os
import sys

from textual.app import App
from textual.widgets import DataTable, Footer

ROWS = int(sys.argv[sys.argv.index("--rows") + 1]) if "--rows" in sys.argv else 50


class Bare(App):
    def compose(self):
        yield DataTable()
        yield Footer()

    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("Naam", "IPDC-nr", "Type", "Thema's", "Toepassing", "Jaarvolume", "ELO")
        table.add_rows(
            (
                f"Product {i}",
                str(100000 + i),
                "Toelating",
                "Economie en Werk",
                "Loket",
                "1.000",
                "Niet",
            )
            for i in range(ROWS)
        )
        if os.environ.get("ELO_TUI_EXIT_WHEN_READY"):
            from elo_tui.frame_ready import ExitWhenPainted

            ExitWhenPainted(self).ready(self.screen)


if __name__ == "__main__":
    Bare().run()
