"""The floor for area switches: a bare Textual app with one mode per area, switched with
the keys 1-7 (8: a light start screen), as elo-tui switches its areas.

Each mode's screen has about the widgets of an area: a one-line bar on top, a search
field, a summary line, a DataTable filled with the rows a screen shows (50, 7 columns),
a detail line and Textual's Footer. Nothing is loaded on a switch: what a switch costs
here is Textual's own work (App.switch_mode: a 50 ms delay_update batch, layout,
restyle of the screen, a full repaint). Used by bench_startup.py --switch-only.
"""

import sys

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

AREAS = 7  # modes "a1".."a7" on keys 1..7
ROWS = 50
# --light: the same screen of plain Static lines (no DataTable, no Footer, no Input): what
# Textual itself pays to switch and repaint a full screen, without its heavier widgets.
LIGHT = "--light" in sys.argv


class AreaLike(Screen):
    def __init__(self, number: int) -> None:
        super().__init__()
        self.number = number

    def compose(self):
        if LIGHT:
            yield Static(" ".join(f"{k} Gebied{k}" for k in range(1, AREAS + 1)), id="nav")
            yield Static("Zoek…")
            yield Static(
                "\n".join(
                    f"Scherm{self.number} rij {i}  100{i:03}  Toelating  Economie en Werk  "
                    "Loket  1.000  Niet"
                    for i in range(ROWS)
                ),
                id="rows",
            )
            yield Static("Details van de geselecteerde rij", id="detail")
            yield Static(" 1 Gebied  2 Gebied  3 Gebied", id="keys")
            return
        yield Static(" ".join(f"{k} Gebied{k}" for k in range(1, AREAS + 1)), id="nav")
        yield Input(placeholder="Zoek…")
        yield Static(f"{ROWS} rijen", id="summary")
        yield DataTable()
        yield Static("Details van de geselecteerde rij", id="detail")
        yield Footer()

    def on_mount(self) -> None:
        if LIGHT:
            return
        table = self.query_one(DataTable)
        table.add_columns("Naam", "IPDC-nr", "Type", "Thema's", "Toepassing", "Jaarvolume", "ELO")
        table.add_rows(
            (
                f"Scherm{self.number} rij {i}",
                str(100000 + i),
                "Toelating",
                "Economie en Werk",
                "Loket",
                "1.000",
                "Niet",
            )
            for i in range(ROWS)
        )
        table.focus()


class BareSwitch(App):
    CSS = (
        "#nav { dock: top; height: 1; } #keys { dock: bottom; height: 1; } "
        "#rows { height: 1fr; } #detail { height: 3; }"
    )
    BINDINGS = [
        Binding(str(k), f"switch_mode('a{k}')", f"Gebied {k}", show=False)
        for k in range(1, AREAS + 1)
    ] + [Binding("8", "switch_mode('start')", "Start", show=False)]

    def on_mount(self) -> None:
        for k in range(1, AREAS + 1):
            self.add_mode(f"a{k}", lambda k=k: AreaLike(k))
        self.add_mode("start", lambda: Screen())
        self.switch_mode("start")


if __name__ == "__main__":
    BareSwitch().run()
