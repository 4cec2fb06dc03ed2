"""Settle sync conflicts: mine against the tracker's version, field by field.

Left the records in conflict, right their differing fields with my value, theirs and
the current choice. Per field `m` keeps mine and `t` takes theirs; `k` / `o` choose
mine / theirs for every field; F2 applies. Nothing is decided silently: until applied
the record keeps my edit and stays out of the push.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from elo_tui.domain.formats import format_date, plural
from elo_tui.domain.records import Application
from elo_tui.keymap import KeyedBindings
from elo_tui.screens.store_errors import store_errors
from elo_tui.sync import conflicts
from elo_tui.widgets.keybar import KeyBar

if TYPE_CHECKING:
    from textual import getters

    from elo_tui.app import OpenEloApp

CHOICE_TEXT = {"mine": "← mijn versie", "theirs": "versie centrale opvolging →"}


class ConflictScreen(KeyedBindings, ModalScreen[None]):
    """Conflicts are few (a table per record, DataTable is fine at this size)."""

    if TYPE_CHECKING:  # for the type checker: the app is ours (ws, settings, …)
        app = getters.app(OpenEloApp)

    DEFAULT_CSS = """
    ConflictScreen { background: $background 60%; }
    ConflictScreen > Vertical { margin: 1 2; border: thick $warning; background: $surface;
        padding: 0 1; }
    ConflictScreen #title { text-style: bold; height: 1; }
    ConflictScreen #help { color: $text-muted; height: auto; }
    ConflictScreen Horizontal { height: 1fr; }
    ConflictScreen OptionList { width: 36; height: 1fr; }
    ConflictScreen #detail { width: 1fr; height: 1fr; padding-left: 1; }
    ConflictScreen #who { height: auto; color: $text-muted; }
    ConflictScreen DataTable { height: 1fr; }
    ConflictScreen #values { height: 2fr; border-top: solid $panel; }
    """
    BINDINGS = [
        Binding("m", "pick('mine')", "Mijn waarde"),
        Binding("t", "pick('theirs')", "Hun waarde"),
        Binding("k", "pick_all('mine')", "Alles mijn versie"),
        Binding("o", "pick_all('theirs')", "Alles hun versie"),
        Binding("f2", "apply", "Toepassen"),
        Binding("escape", "close", "Terug"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[conflicts.Conflict] = []
        self.current: conflicts.Conflict | None = None
        self.choices: dict[str, conflicts.Choice] = {}
        self.to_choose: set[str] = set()
        self.diffs: list[conflicts.FieldDiff] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Conflicten bij synchronisatie"), id="title")
            yield Static(
                Text(
                    "Iemand anders wijzigde dezelfde records sinds jouw "
                    "laatste synchronisatie. Kies per "
                    "veld welke waarde blijft (m / t), of alles in één keer (k / o), en pas "
                    'toe met F2. Wat maar één kant wijzigde, staat al op die kant; "beide: '
                    'kies" vraagt jouw keuze. Tot dan blijft jouw versie lokaal bewaard.'
                ),
                id="help",
            )
            with Horizontal():
                yield OptionList(id="list")
                with Vertical(id="detail"):
                    yield Static("", id="who")
                    yield DataTable(cursor_type="row", zebra_stripes=True, id="fields")
                    # The table cuts long values; the highlighted field is shown here in
                    # full, wrapped, and scrolls when it is longer than the space.
                    with VerticalScroll(id="values"):
                        yield Static("", id="values-text")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Veld", key="field", width=24)
        table.add_column("Mijn versie", key="mine", width=30)
        table.add_column("Versie van de centrale opvolging", key="theirs", width=30)
        table.add_column("Keuze", key="choice", width=18)
        table.add_column("Gewijzigd door", key="changed", width=16)
        self.reload()

    # -- data ------------------------------------------------------------------------------

    def _app_name(self, value: str) -> str | None:
        app = self.app.ws.get(Application, value) if len(value) == 36 else None
        return app.name if app is not None else None

    def reload(self) -> None:
        self.items = conflicts.pending(self.app.ws)
        self.query_one("#title", Static).update(
            Text(
                "Conflicten bij synchronisatie · "
                f"{plural(len(self.items), 'conflict', 'conflicten')} te beslissen"
            )
        )
        self._refresh_counts()
        options = self.query_one(OptionList)
        options.clear_options()
        for c in self.items:
            kind = conflicts.KIND_LABELS.get(c.kind, c.kind)
            mine = conflicts.mine_record(self.app.ws, c)
            label = conflicts.record_label(mine or c.theirs_record())
            options.add_option(Option(Text(f"{kind}: {label}"), id=c.key))
        if not self.items:
            self.dismiss(None)
            return
        options.highlighted = 0
        self.show(self.items[0])

    def show(self, conflict: conflicts.Conflict) -> None:
        self.current = conflict
        ws = self.app.ws
        self.diffs = conflicts.field_diffs(ws, conflict, only_different=True)
        # Fields only one side changed start on that side; both changed: mine until chosen.
        self.choices = conflicts.suggested_choices(ws, conflict, self.diffs)
        clashes = conflicts.clashing_fields(ws, conflict)
        self.to_choose = {d.name for d in self.diffs} if clashes is None else set(clashes)
        theirs = conflict.theirs
        who = Text()
        who.append("Versie van de centrale opvolging: ")
        who.append(f"gewijzigd door {theirs.get('updated_by') or 'onbekend'}")
        stamp = str(theirs.get("updated_at") or "")
        when = f"{format_date(stamp[:10]) or stamp[:10]} {stamp[11:16]}".strip()
        if when:
            who.append(f" op {when} UTC")
        differ = plural(len(self.diffs), "veld verschilt", "velden verschillen")
        who.append(f" · {differ}, {len(self.to_choose)} te kiezen")
        back = conflicts.comes_back_with(ws, conflict)
        if back:
            statuses = sum(1 for r in back if r.KIND == "block_status")
            items = len(back) - statuses
            who.append(
                "\nBlijft het record bestaan, dan komen ook terug: "
                f"{plural(statuses, 'bouwsteenstatus', 'bouwsteenstatussen')} en "
                f"{plural(items, 'checklistpunt', 'checklistpunten')}, verwijderd samen ermee."
            )
        self.query_one("#who", Static).update(who)
        table = self.query_one(DataTable)
        table.clear()
        for d in self.diffs:
            table.add_row(
                Text(d.label),
                Text(conflicts.format_value(d.mine, self._app_name)),
                Text(conflicts.format_value(d.theirs, self._app_name)),
                Text(CHOICE_TEXT[self.choices[d.name]]),
                Text(self._changed_by(d.name), style="bold" if d.name in self.to_choose else ""),
                key=d.name,
            )
        self._show_values(0)
        table.focus()

    def _show_values(self, index: int | None) -> None:
        """Both values of one field in full (the table cuts them at its column width)."""
        out = Text()
        if index is not None and 0 <= index < len(self.diffs):
            d = self.diffs[index]
            out.append(f"{d.label}\n", style="bold")
            out.append("Mijn versie: ", style="bold")
            out.append(conflicts.format_value(d.mine, self._app_name) + "\n")
            out.append("Versie van de centrale opvolging: ", style="bold")
            out.append(conflicts.format_value(d.theirs, self._app_name))
        self.query_one("#values-text", Static).update(out)
        self.query_one("#values", VerticalScroll).scroll_home(animate=False)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_values(event.cursor_row)

    def _refresh_counts(self) -> None:
        """The sync screen below and the nav bar count what is still pending, after every
        decision (not only when this dialog closes)."""
        from elo_tui.screens.sync import SyncScreen

        for screen in self.app.screen_stack:
            if isinstance(screen, SyncScreen) and screen.is_mounted:
                screen.refresh_status()
        try:
            from elo_tui.widgets.navbar import NavBar

            for screen in self.app.screen_stack:
                for bar in screen.query(NavBar):
                    bar.refresh_status()
        except Exception:  # noqa: BLE001 - the nav bar is decoration here
            pass

    def _changed_by(self, name: str) -> str:
        if name in self.to_choose:
            return "beide: kies"
        return "centrale opvolging" if self.choices.get(name) == "theirs" else "mij"

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        found = next((c for c in self.items if c.key == event.option.id), None)
        if found is not None and found is not self.current:
            self.show(found)

    # -- choosing --------------------------------------------------------------------------

    def _set(self, name: str, choice: conflicts.Choice) -> None:
        self.choices[name] = choice
        self.query_one(DataTable).update_cell(name, "choice", Text(CHOICE_TEXT[choice]))

    def action_pick(self, choice: conflicts.Choice) -> None:
        table = self.query_one(DataTable)
        if not self.diffs or table.cursor_row is None:
            return
        name = self.diffs[table.cursor_row].name
        self._set(name, choice)
        if table.cursor_row < len(self.diffs) - 1:
            table.move_cursor(row=table.cursor_row + 1)

    def action_pick_all(self, choice: conflicts.Choice) -> None:
        for d in self.diffs:
            self._set(d.name, choice)

    def action_apply(self) -> None:
        if self.current is None:
            return
        picks = set(self.choices.values())
        if picks <= {"theirs"} and picks:
            decision: str | dict[str, str] = "theirs"
        elif picks <= {"mine"}:
            decision = "mine"
        else:
            decision = dict(self.choices)
        with store_errors(self) as attempt:
            conflicts.resolve(self.app.ws, self.current, decision)  # type: ignore[arg-type]
        if attempt.failed:
            return
        self.app.data_changed()
        if decision == "mine":
            how = "mijn versie gehouden"
        elif decision == "theirs":
            how = "versie van de centrale opvolging genomen"
        else:
            how = "samengevoegd per veld"
        self.notify(f"Conflict opgelost: {how}. Synchroniseer om het te versturen.", markup=False)
        self.reload()

    def action_close(self) -> None:
        self.dismiss(None)
