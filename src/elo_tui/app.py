"""The Textual application: wires the workspace to the screens.

Screens are Textual modes, one per area of work, created lazily from NAV so that start-up
only loads the first one (adding an area is one NavItem). Keys 1-9 and 0 switch area; the
command palette (ctrl+p, palette.py) reaches every area and action; ? or F1 lists the keys
of the current screen. Every binding has an id (keymap.py) and can be remapped in the
user's settings file; the chosen theme is kept there too.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.actions import SkipAction
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from elo_tui import background
from elo_tui.config import Settings
from elo_tui.keymap import APP_SCOPE, with_ids
from elo_tui.store import Workspace, WorkspaceError

if TYPE_CHECKING:
    from textual.widget import AwaitMount

    from elo_tui.frame_ready import ExitWhenPainted


@dataclass(frozen=True)
class NavItem:
    key: str
    mode: str
    label: str
    screen: str  # "module:Class", imported on first visit
    help: str


# The areas of work, in the order of the keys 1..9. An entry whose module is not
# installed is skipped, so a partial build still starts.
NAV: list[NavItem] = [
    NavItem(
        "1",
        "dashboard",
        "Overzicht",
        "elo_tui.screens.dashboard:DashboardScreen",
        "Gereedheid per bouwsteen, mijlpalen en producten met risico op vertraging",
    ),
    NavItem(
        "2",
        "inventory",
        "Producten",
        "elo_tui.screens.inventory:InventoryScreen",
        "Inventaris van producten en diensten",
    ),
    NavItem(
        "3",
        "applications",
        "Toepassingen",
        "elo_tui.screens.applications:ApplicationsScreen",
        "Toepassingen en loketten en de producten die ze bedienen",
    ),
    NavItem(
        "4",
        "matrix",
        "Bouwstenen",
        "elo_tui.screens.matrix:MatrixScreen",
        "Welke bouwsteen per product en toepassing, en waar staat de integratie",
    ),
    NavItem(
        "5",
        "checklist",
        "Checklist",
        "elo_tui.screens.checklist:ChecklistScreen",
        "Stappen per bouwsteen en programma",
    ),
    NavItem(
        "6", "costs", "Kosten", "elo_tui.screens.costs:CostsScreen", "Raming van de integratiekost"
    ),
    NavItem(
        "7",
        "submission",
        "Indiening",
        "elo_tui.screens.submission:SubmissionScreen",
        "Indiening voor cofinanciering en export",
    ),
    NavItem(
        "8",
        "sync",
        "Synchronisatie",
        "elo_tui.screens.sync:SyncScreen",
        "Synchronisatie met de centrale opvolging",
    ),
    NavItem(
        "9",
        "exemptions",
        "Uitzonderingen",
        "elo_tui.screens.exemptions:ExemptionsScreen",
        "Uitzonderingen (behoudens gegronde redenen) en gerechtvaardigde vertragingen",
    ),
    NavItem(
        "0",
        "roadmap",
        "Roadmap",
        "elo_tui.screens.roadmap:RoadmapScreen",
        "Prioriteiten, snel resultaat, knelpunten, nulmeting, scenario's, IPDC-correcties",
    ),
]


def _available(item: NavItem) -> bool:
    return importlib.util.find_spec(item.screen.split(":")[0]) is not None


def _import_quietly(modules: list[str]) -> None:
    """Import what is not imported yet; a module that fails says so when its area is
    opened (the same import, then in front of the person)."""
    import sys

    for name in modules:
        if name not in sys.modules:
            try:
                importlib.import_module(name)
            except Exception:  # reported on the visit, see above
                continue


def _preload(
    modules: list[str],
    ws: Workspace | None,
    costs: bool = True,
    agenda_stamp: tuple[int, int] | None = None,
) -> None:
    """Import the areas' modules, then read ahead on a connection of its own (`ws`
    given) the costs table's order and totals (`costs`) and the checklist's step groups
    (`agenda_stamp`: the app connection's change stamp, taken before this thread began)."""
    _import_quietly(modules)
    if ws is None:
        return
    from elo_tui.services import checklists, estimate

    # After the first area's own background work (the overview's roadmap lines): read
    # at the same time, both were held at once (+2.2 MiB peak at 20,000 products,
    # bench_dashboard_settled.py). A person's first visit reads what it needs itself.
    background.wait_while_working(PRELOAD_WAIT_LIMIT)

    try:
        reader = ws.reader()  # a thread never uses the app's connection
        try:
            if costs:
                estimate.read_order_ahead(reader)
            if agenda_stamp is not None:
                checklists.read_groups_ahead(reader, agenda_stamp)
        finally:
            reader.close()
    except Exception:  # only a head start: the area reads what it needs itself when opened
        return


def _screen_factory(spec: str, app: App | None = None) -> Callable[[], Screen]:
    def make() -> Screen:
        module, cls = spec.split(":")
        screen = getattr(importlib.import_module(module), cls)()
        if app is not None:
            # Textual re-parses all CSS (twice, 0.1-0.3 s at every first visit of an
            # area) when a mode's screen has not seen the app's latest CSS update; a
            # new screen never has (its count starts at -1), yet it is styled from the
            # current stylesheet when it mounts. A theme change after this still
            # refreshes it (the app's count moves on).
            screen._css_update_count = app._css_update_count
        return screen

    return make


INFO_TOAST_SECONDS = 3.0
PRELOAD_AREAS_AFTER = 0.5  # s after the first area's data is shown (see preload_areas)
PRELOAD_WAIT_LIMIT = 10.0  # s the read-ahead waits for running background work at most
# A full collection with the frozen objects (gc_tuning) when nobody typed or clicked
# for IDLE_COLLECT_AFTER s, looked at every IDLE_COLLECT_EVERY s.
IDLE_COLLECT_EVERY, IDLE_COLLECT_AFTER = 120.0, 60.0
# Once the first area is shown, the collector's full passes over what is not frozen wait
# for QUIET_COLLECT_AFTER s without input, looked at every QUIET_COLLECT_EVERY s.
QUIET_COLLECT_EVERY, QUIET_COLLECT_AFTER = 1.0, 1.0
_SWITCHING = "_switching"  # the blank mode shown while open_workspace rebuilds the areas
# Longest a switch back to an area holds painting while that area catches up (see
# switch_mode); it normally lets go as soon as the area has handled its resume.
RESUME_HOLD_LIMIT = 0.5
UI_SWITCH_INTERVAL = 0.001  # s; see run_app
FIRST_VISIT_SETTLE_ROUNDS = 4  # see _paint_first_visit
FIRST_VISIT_DATA_WAIT = 0.3  # s; longest a first visit waits for its worker's figures


class EloApp(App[int]):
    """elo_tui. `ws` is the open workspace (None until the first-run screen made one)."""

    TITLE = "elo_tui"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    ENABLE_COMMAND_PALETTE = True
    COMMAND_PALETTE_BINDING = "ctrl+p"
    BINDINGS = with_ids(
        APP_SCOPE,
        [
            Binding("question_mark,f1", "help", "Hulp", key_display="?", id="app.help"),
            Binding("ctrl+p", "command_palette", "Opdrachten", key_display="^p"),
            Binding("ctrl+q", "quit", "Afsluiten", key_display="^q", priority=True),
            Binding("ctrl+w", "switch_workspace", "Werkruimte", show=False),
            # Not a priority binding: in a text field ctrl+z undoes typing there.
            Binding(
                "ctrl+z", "undo", "Ongedaan maken", key_display="^z", show=False, id="app.undo"
            ),
            Binding("P", "presentation", "Presentatie", show=False, id="app.presentation"),
            # Not a priority binding: a screen whose own Esc leaves its field (a search
            # box that clears its filter) goes first; this one serves every other field.
            Binding("escape", "leave_field", "Veld verlaten", show=False),
            Binding("ctrl+c", "help_quit", show=False, system=True),
            # One key per area, from NAV: a new area gets its key by its NavItem alone.
            *(
                Binding(
                    i.key,
                    f"goto_nr({i.key})",
                    f"Naar {i.label}",
                    show=False,
                    id=f"app.area_{i.key}",
                )
                for i in NAV
            ),
        ],
    )

    def __init__(
        self,
        settings: Settings,
        workspace: Workspace | None = None,
        open_error: str | None = None,
        start_mode: str | None = None,
        presentation: bool = False,
    ) -> None:
        super().__init__()
        self.start_presentation = presentation  # `elo-tui --presentatie`
        self.settings = settings
        self.ws: Workspace | None = workspace
        self.open_error = open_error
        self.start_mode = start_mode
        self._exit_when_painted: ExitWhenPainted | None = None  # bench/ only (frame_ready.py)
        self._status_stamp: tuple | None = None  # status_text's cache key
        self._status_text = ""
        self._preload_scheduled = False
        self._last_input = 0.0  # time.monotonic() of the last key or mouse event
        self._input_at_collect = -1.0  # _last_input when collect_if_idle last collected
        self.data_version = 0  # bumped on every saved change; screens reload when stale
        self._after_frame: list[Callable[[], object]] = []  # see after_next_frame
        # A first visit of an area whose figures come from a worker, waiting for them
        # before its first frame (see _paint_first_visit), and its hold's release.
        self._awaiting_data: tuple[Screen, Callable[[], None]] | None = None
        self._areas_with_data: set[int] = set()  # id() of screens that showed their data
        self._resuming_mode = False  # inside switch_mode back to an open area
        self._hold_begun = False  # that switch's delay_update began a hold
        self.resume_held: Screen | None = None  # the area whose resume holds painting
        self.nav = [item for item in NAV if _available(item)]
        self.theme = settings.theme if settings.theme in self.available_themes else "textual-dark"
        if settings.keys:
            self.set_keymap(settings.keys)

    # -- start ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        if os.environ.get("ELO_TUI_EXIT_WHEN_READY") == "1":
            # bench/: leave once the first area's data has been written to the terminal.
            from elo_tui.frame_ready import ExitWhenPainted

            self._exit_when_painted = ExitWhenPainted(self)
        if not self.is_headless:
            self.set_interval(IDLE_COLLECT_EVERY, self.collect_if_idle)
            self.set_interval(QUIET_COLLECT_EVERY, self.collect_when_quiet)
        for item in self.nav:
            self.add_mode(item.mode, _screen_factory(item.screen, self))
        if self.ws is None:
            self._show_first_run()
        else:
            self._enter_workspace()
        for problem in self.settings.problems:  # a settings file we could not fully use
            self.notify(problem, title="Instellingen", severity="warning", markup=False)
        if self.open_error:
            self.notify(
                self.open_error,
                title="Werkruimte niet geopend",
                severity="error",
                timeout=12,
                markup=False,
            )
        if self._exit_when_painted is not None and self.ws is None:
            self._exit_when_painted.ready()  # the first-run screen has no data to wait for

    def _show_first_run(self) -> None:
        from elo_tui.screens.first_run import FirstRunScreen

        self.push_screen(FirstRunScreen(workspace_name=self.settings.workspace))

    def _enter_workspace(self) -> None:
        assert self.ws is not None
        from elo_tui.services import undo

        if undo.stack_of(self.ws) is None:
            undo.attach(self.ws)  # in memory, for this workspace session
        agency = self.ws.agency()
        self.sub_title = f"{agency.name if agency else ''} · {self.ws.path.stem}"
        modes = [i.mode for i in self.nav]
        mode = self.start_mode if self.start_mode in modes else modes[0]
        self.switch_mode(mode)
        if self.start_presentation:
            self.start_presentation = False
            self.call_later(self.action_presentation)
        if self.ws.read_only:
            self.notify(
                f"Werkruimte '{self.ws.path}' is alleen-lezen: je kunt alles bekijken, maar "
                "wijzigingen worden niet bewaard.",
                title="Alleen-lezen",
                severity="warning",
                timeout=12,
                markup=False,
            )

    async def open_workspace(self, ws: Workspace) -> None:
        """Switch to another workspace: close the old one and rebuild every screen
        (schedule with `call_later`)."""
        from textual.screen import ModalScreen

        old = self.ws
        self.ws = ws
        self.data_changed()
        while len(self.screen_stack) > 1 and isinstance(self.screen, ModalScreen):
            self.pop_screen()
        # Screens hold data of the old workspace: start every area afresh. Textual
        # cannot remove the active mode (nor switch to its "_default", which is no
        # mode), so a blank screen is shown meanwhile.
        if self.current_mode in self._modes:
            self.add_mode(_SWITCHING, Screen)
            await self.switch_mode(_SWITCHING)
        for item in self.nav:
            if item.mode in self._modes:
                await self.remove_mode(item.mode)
            self.add_mode(item.mode, _screen_factory(item.screen, self))
        if old is not None and old is not ws:
            old.close()
            from elo_tui import gc_tuning

            gc_tuning.release()  # the old screens' cycles can go (see gc_tuning)
        self._enter_workspace()
        if _SWITCHING in self._modes:
            await self.remove_mode(_SWITCHING)

    def switch_mode(self, mode: str) -> AwaitMount:
        """Textual's switch, but painting waits only until the area has handled its resume
        instead of Textual's fixed 50 ms (`delay_update`). Back to an area already open:
        until it has reloaded what changed and refreshed its bars (that delay was most of
        every later visit). A first visit from another area: until its screen is composed,
        mounted and loaded and its resume laid it out; Textual's delay instead rendered
        the half-built screen for nothing while it held (~20 ms at 20,000 products) and,
        let go, waited a frame more. The first area at start-up keeps Textual's way."""
        stack = self._screen_stacks.get(mode)
        if mode == self.current_mode or mode not in self._modes:
            return super().switch_mode(mode)
        first_visit = not stack
        if first_visit and self.current_mode not in {item.mode for item in self.nav}:
            return super().switch_mode(mode)
        self._resuming_mode = True
        self._hold_begun = False
        self.resume_held = stack[-1] if stack else None
        try:
            await_mount = super().switch_mode(mode)
        finally:
            self._resuming_mode = False
        if not self._hold_begun:  # a Textual that no longer delays here: nothing to let go
            self.resume_held = None
            return await_mount
        if first_visit:
            self.resume_held = self.screen  # made by Textual's switch just now
        # After the ScreenResume that switch_mode posted to the screen: its handlers (and a
        # reload they start) have run when this callback does; a new screen handles its
        # queue only once composed and mounted (its first load). The timer is a safety net
        # (a screen that never gets to it must not freeze the terminal).
        release = self._resume_hold_release()
        if first_visit:
            self.screen.call_later(self._first_visit_settled, self.screen, release)
        else:
            self.screen.call_later(release)
        self.set_timer(RESUME_HOLD_LIMIT, release)
        return await_mount

    def _first_visit_settled(self, screen: Screen, release: Callable[[], None]) -> None:
        """Paint a first visit once what its showing set going has been done; each of
        these, coming after the first frame, cost a second frame (10-50 ms later): the
        Resize its resume's layout pass posts to the screen (done before the screen is
        next idle), the toast rack's update that resume queues on the app (done before a
        later message of the app's) and Textual's wait for the screen's mount, which
        lays it out once more (an app's next callback, done before a later one)."""
        screen.call_after_refresh(
            self.call_later, self.call_next, self._paint_first_visit, screen, release
        )

    def _paint_first_visit(
        self,
        screen: Screen,
        release: Callable[[], None],
        waited: int = 0,
        for_data: bool = True,
    ) -> None:
        """Let go of a first visit's hold and paint it now: a new screen's update timer
        starts only when first asked for, a whole frame (~17 ms) later. Widgets sized by
        the resume's layout pass ask the screen for one more when next idle; while any
        has yet to (a few rounds at most), that pass comes first: after the frame it
        repainted the filter bar's selects, unchanged (the checklist, ~20 ms later)."""
        from textual.widget import Widget

        if (
            screen is not self.screen  # another area was asked for meanwhile
            or not screen.is_mounted
        ):
            release()
            return
        if (
            for_data
            and getattr(screen, "SHOWS_DATA_LATER", False)
            and id(screen) not in self._areas_with_data
        ):
            # Its figures come from a worker (the overview): one frame with them, as
            # Textual's fixed delay mostly gave, rather than a frame of placeholders and
            # a second one a few dozen ms later; bounded (FIRST_VISIT_DATA_WAIT).
            self._awaiting_data = (screen, release)
            self.set_timer(FIRST_VISIT_DATA_WAIT, partial(self._data_wait_over, screen))
            return
        if waited < FIRST_VISIT_SETTLE_ROUNDS and any(
            widget._layout_required for widget in screen.walk_children(Widget)
        ):
            screen.call_after_refresh(
                self.call_later,
                self.call_next,
                self._paint_first_visit,
                screen,
                release,
                waited + 1,
                False,
            )
            return
        release()
        if not self._batch_count:
            screen._on_timer_update()  # what that timer would run: layout pass and paint

    def delay_update(self, delay: float = 0.05) -> None:
        if not self._resuming_mode:
            super().delay_update(delay)
            return
        self._begin_batch()  # let go by _resume_hold_release
        self._hold_begun = True

    def _resume_hold_release(self) -> Callable[[], None]:
        """A callable that ends one resume hold, once however often it is called."""
        done = False
        held = self.resume_held

        def release() -> None:
            nonlocal done
            if done:
                return
            done = True
            if self.resume_held is held:  # not a later switch's (keys pressed quickly)
                self.resume_held = None
            self._end_batch()
            if not self._batch_count:
                self.screen.refresh()

        return release

    def after_next_frame(self, callback: Callable[[], object]) -> None:
        """Run `callback` once the next frame has been written to the terminal: for work
        (a worker's start) that must not compete with painting an area's first frame."""
        self._after_frame.append(callback)

    def post_display_hook(self) -> None:
        # Textual calls this right after every display (written to the terminal or not).
        if self._after_frame:
            waiting, self._after_frame = self._after_frame, []
            for callback in waiting:
                self.call_later(callback)

    def _data_wait_over(self, screen: Screen) -> None:
        """A first visit waited long enough for its worker's figures: paint without."""
        if self._awaiting_data is not None and self._awaiting_data[0] is screen:
            release = self._awaiting_data[1]
            self._awaiting_data = None
            self._paint_first_visit(screen, release, for_data=False)

    def area_data_shown(self, screen: Screen) -> None:
        """An area's first load is on its widgets (AreaScreen.data_shown)."""
        self._areas_with_data.add(id(screen))
        if self._awaiting_data is not None and self._awaiting_data[0] is screen:
            release = self._awaiting_data[1]
            self._awaiting_data = None
            # after the widgets' own handling of what was just put on them
            self.call_later(self._paint_first_visit, screen, release, 0, False)
        if self._exit_when_painted is not None:
            self._exit_when_painted.ready(screen)
        if not self._preload_scheduled and not self.is_headless:
            self._preload_scheduled = True
            self.set_timer(PRELOAD_AREAS_AFTER, self.preload_areas)
            from elo_tui import gc_tuning

            if gc_tuning.installed():
                # From now on people press keys: full collections wait for a pause
                # (collect_when_quiet; start-up keeps CPython's rhythm, so the loaded
                # data is frozen as it comes, not scanned in one long pass later).
                gc_tuning.defer_full_collections()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self._last_input = time.monotonic()
            background.note_input(self._last_input)  # long workers give way a moment
        await super().on_event(event)

    def collect_when_quiet(self) -> None:
        """A second without input: the full collection CPython deferred, if due (over
        what is not frozen; 10-60 ms at 20,000 products, that no key waits for). Not
        while paced work runs (background.working): its records would be visited too."""
        from elo_tui import gc_tuning

        quiet = time.monotonic() - self._last_input >= QUIET_COLLECT_AFTER
        if gc_tuning.installed() and quiet and not background.working():
            gc_tuning.collect_young_if_due()

    def collect_if_idle(self) -> None:
        """After a minute without input, once per stretch of input: the collector's
        frozen objects are collected too (gc_tuning; up to ~1 s at 20,000 products)."""
        from elo_tui import gc_tuning

        idle = time.monotonic() - self._last_input >= IDLE_COLLECT_AFTER
        if idle and self._input_at_collect != self._last_input and gc_tuning.installed():
            self._input_at_collect = self._last_input
            gc_tuning.collect_all()

    def preload_areas(self) -> None:
        """Import the other areas' modules in the background, after the first area is
        on screen: importing one took 15-110 ms of each first visit (the submission area
        the most). Not in tests (headless): they would all wait for it at exit."""
        modules = [i.screen.split(":")[0] for i in self.nav]
        # What the first visit of the costs and checklist areas reads, unless the area
        # is already open: the costs table's order and totals (services.estimate.
        # read_order_ahead) and the checklist's step groups (services.checklists.
        # read_groups_ahead, valid while this connection's change stamp stays as now).
        costs = "costs" not in self._screen_stacks
        checklist = "checklist" not in self._screen_stacks and self.ws is not None
        agenda_stamp = self.ws.change_stamp() if checklist and self.ws is not None else None
        ws = self.ws if costs or agenda_stamp is not None else None
        self.run_worker(
            partial(_preload, modules, ws, costs, agenda_stamp),
            thread=True,
            group="preload-areas",
            exit_on_error=False,
        )

    # -- shared services ------------------------------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        # An information toast covers part of the screen: gone after a short read.
        # Warnings and errors keep Textual's longer default (or the caller's timeout).
        if timeout is None and severity == "information":
            timeout = INFO_TOAST_SECONDS
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def data_changed(self) -> None:
        """Call after saving: other screens reload when they are shown again."""
        self.data_version += 1

    def status_text(self) -> str:
        """Right side of the nav bar: tracker state, conflicts, pending changes, last sync."""
        if self.ws is None:
            return ""
        # Read on every area switch and resize; at 20,000 products the counts behind it
        # take ~70 ms. It only depends on the workspace file: unchanged stamp, same text.
        stamp = (self.ws.path, id(self.ws), self.ws.read_only, self.ws.change_stamp())
        if stamp != self._status_stamp:
            self._status_text = self._compute_status_text()
            self._status_stamp = stamp
        return self._status_text

    def _compute_status_text(self) -> str:
        from elo_tui.domain.formats import format_number, plural
        from elo_tui.sync.state import status  # stdlib only: no HTTP client loaded

        assert self.ws is not None
        st = status(self.ws)
        parts = ["alleen-lezen"] if self.ws.read_only else []
        if st["state"] == "offline":
            parts.append("offline")
        elif st["state"] == "error":
            parts.append("synchronisatiefout")
        if st["conflicts"]:
            parts.append(plural(st["conflicts"], "conflict", "conflicten"))
        pending = st["pending"]
        parts.append(
            f"{format_number(pending)} te synchroniseren" if pending else "alles gesynchroniseerd"
        )
        if st["last_success"]:
            parts.append(f"laatste synchronisatie {st['last_success'][:16].replace('T', ' ')}")
        return " · ".join(parts)

    # -- actions --------------------------------------------------------------------------

    def action_goto_nr(self, number: int) -> None:
        item = next((i for i in self.nav if i.key == str(number)), None)
        if item is not None:
            self.action_goto(item.mode)

    def action_goto(self, mode: str) -> None:
        if self.ws is None or mode not in self._modes:
            return
        if self.current_mode != mode:
            self.switch_mode(mode)

    def action_help(self) -> None:
        from elo_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_leave_field(self) -> None:
        """Esc in a text field of an area: leave the field, so that the area keys, `?`
        and the screen's own keys work again. Anywhere else Esc does what it did."""
        from textual.widgets import Input, TextArea

        from elo_tui.screens.base import AreaScreen

        screen = self.screen
        if not isinstance(screen, AreaScreen) or not isinstance(screen.focused, Input | TextArea):
            raise SkipAction()
        screen.leave_text_field()

    def handle_bindings_clash(self, clashed_bindings: set[Binding], node) -> None:
        # A remapped key took the key of another binding, which then no longer works
        # with it: say so once (Textual calls this on every key press).
        told = self.__dict__.setdefault("_clashes_told", set())
        for binding in clashed_bindings:
            name = binding.id or binding.action
            if name not in told:
                told.add(name)
                self.notify(
                    f"De toets '{binding.key}' hoort nu bij '{name}' (je instellingen, "
                    "[keys]); wat deze toets hier eerst deed, werkt er niet meer mee. "
                    "F1 toont welke toetsen gelden.",
                    title="Toetsen",
                    severity="warning",
                    markup=False,
                )

    def action_help_quit(self) -> None:
        # Textual's own hint is in English; ctrl+c no longer quits, so say how.
        self.notify("Afsluiten doe je met ctrl+q.", title="Afsluiten?", markup=False)

    def action_command_palette(self) -> None:
        from elo_tui.palette import DutchCommandPalette

        # Textual types the app parameter App[object]; App is invariant in its result type.
        if self.use_command_palette and not DutchCommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(DutchCommandPalette(id="--command-palette"))

    def search_themes(self) -> None:
        from textual.theme import ThemeProvider

        from elo_tui.palette import DutchCommandPalette

        self.push_screen(
            DutchCommandPalette(providers=[ThemeProvider], placeholder="Zoek een thema…")
        )

    def watch_theme(self, theme: str) -> None:
        # Keep the chosen theme (the settings file is only written when it changed).
        if self.is_running and theme != self.settings.theme:
            self.settings.save(theme=theme)

    def action_undo(self) -> None:
        """Undo the last saved change (and, pressed again, the ones before it)."""
        from elo_tui.screens.base import AreaScreen

        if self.ws is None:
            return
        screen = self.screen
        if not isinstance(screen, AreaScreen):
            self.notify("Sluit eerst dit venster om ongedaan te maken.", markup=False)
            return
        from elo_tui.services import undo

        size = undo.last_step_size(self.ws)
        if size > undo.LARGE:
            from elo_tui.domain.formats import format_number
            from elo_tui.screens.busy import run_busy

            stack = undo.stack_of(self.ws)
            run_busy(
                self,
                f"Bezig met ongedaan maken ({format_number(size)} gegevens)…",
                lambda ws: undo.undo(ws, stack),
                lambda result, error: self._undone(screen, result, error),
            )
            return
        from elo_tui.store import WorkspaceError

        try:
            result = undo.undo(self.ws)
        except WorkspaceError as exc:
            self._undone(screen, None, str(exc))
            return
        self._undone(screen, result, "")

    def _undone(self, screen, result, error: str) -> None:
        if error:
            self.notify(error, title="Niet ongedaan gemaakt", severity="error", markup=False)
            return
        if result is None:
            self.notify("Er is niets om ongedaan te maken.", markup=False)
            return
        screen.saved()
        screen.load()
        self.notify(
            result.message(),
            severity="warning" if result.kept else "information",
            timeout=8 if result.kept else 5,
            markup=False,
        )

    def action_switch_workspace(self) -> None:
        from elo_tui.screens.workspaces import WorkspaceScreen

        self.push_screen(WorkspaceScreen())

    def action_presentation(self) -> None:
        """Presentation mode: big figures per entity and application (issue 11 §4)."""
        from elo_tui.screens.presentation import PresentationScreen

        if self.ws is not None and not isinstance(self.screen, PresentationScreen):
            self.push_screen(PresentationScreen())

    def action_add_product(self) -> None:
        if self.ws is None:
            return
        self.action_goto("inventory")
        self.call_after_refresh(lambda: self.screen.run_action("add"))

    def action_rules(self) -> None:
        """The decision's rules and the admission reading (an interpretation)."""
        if self.ws is None:
            return
        from elo_tui.screens.rules import RulesScreen
        from elo_tui.services.mapping import load_reading

        def done(reading: str | None) -> None:
            if reading is not None:
                self.data_changed()

        self.push_screen(RulesScreen(load_reading(self.ws)), done)

    def action_import(self) -> None:
        if self.ws is None:
            return
        try:
            from elo_tui.screens.import_wizard import ImportWizard
        except ImportError:
            self.notify("Importeren is in deze versie niet beschikbaar.", severity="warning")
            return
        self.push_screen(ImportWizard())

    def _goto_and_run(self, mode: str, action: str) -> None:
        """A palette command that opens an area and then runs one of its actions."""
        self.action_goto(mode)
        self.call_after_refresh(lambda: self.screen.run_action(action))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from elo_tui import palette

        yield from palette.unique(self._commands(screen))

    def _commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from elo_tui import palette

        if self.ws is not None:
            yield from palette.area_commands(self, screen)
            for item in self.nav:
                yield SystemCommand(
                    f"Ga naar {item.label} ({item.key})",
                    item.help,
                    lambda m=item.mode: self.action_goto(m),
                )
            yield SystemCommand(
                "Ongedaan maken",
                "De laatste wijziging ongedaan maken (tot 20 stappen) · toets ctrl+z",
                self.action_undo,
            )
            yield SystemCommand(
                "Product toevoegen", "Een nieuw product in de inventaris", self.action_add_product
            )
            yield SystemCommand(
                "Importeren", "Productlijst uit CSV of XLSX inlezen", self.action_import
            )
            yield SystemCommand(
                "Presentatie",
                "Grote cijfers voor een projector: dagen tot 30 juni 2027, % ELO-conform, per "
                "vereiste en per toepassing · toets P",
                self.action_presentation,
            )
            yield SystemCommand(
                "Producten te controleren",
                "Alleen de producten met problemen uit een import tonen (of weer alle)",
                lambda: self._goto_and_run("inventory", "toggle_to_check"),
            )
            yield SystemCommand(
                "Regels van de beslissing",
                "Bouwstenen en vereisten, ELO-conform, mijlpalen en de interpretatie van "
                "1 januari 2027",
                self.action_rules,
            )
            if "exemptions" in self._modes:
                yield SystemCommand(
                    "Uitzondering aanvragen",
                    "Behoudens gegronde redenen: een uitzondering per product of toepassing",
                    lambda: self._goto_and_run("exemptions", "add_exemption"),
                )
                yield SystemCommand(
                    "Vertraging aanvragen",
                    "Gerechtvaardigde vertraging (technisch of budgettair)",
                    lambda: self._goto_and_run("exemptions", "add_delay"),
                )
            if "roadmap" in self._modes:
                from elo_tui.screens.roadmap import roadmap_commands

                yield from roadmap_commands(self)
            if "sync" in self._modes:
                yield SystemCommand(
                    "Nu synchroniseren",
                    "Wijzigingen versturen en ophalen bij de centrale opvolging",
                    lambda: self._goto_and_run("sync", "sync"),
                )
        yield SystemCommand(
            "Werkruimte wisselen",
            "Een andere werkruimte openen of een nieuwe maken",
            self.action_switch_workspace,
        )
        yield SystemCommand("Toetsen", "Welke toetsen werken op dit scherm", self.action_help)
        yield SystemCommand(
            "Thema", "Kleurenthema wijzigen (wordt onthouden)", self.action_change_theme
        )
        yield SystemCommand("Afsluiten", "elo_tui afsluiten", self.action_quit)

    async def action_quit(self) -> None:
        self.exit(0)

    def _fatal_error(self) -> None:
        """An unexpected error (a bug, not bad input): instead of Textual's traceback,
        which shows local variables and so could show a token, say in Dutch what
        happened and keep a report without locals, owner-only, next to the workspaces."""
        from rich.text import Text

        from elo_tui.crash import write_report

        self.bell()
        path = write_report(self._exception, self.settings.state_dir)
        where = f"Foutrapport: {path}" if path else "Er kon geen foutrapport worden bewaard."
        self._exit_renderables.append(
            Text(
                "elo_tui is onverwacht gestopt door een fout in het programma. Alles wat je "
                f"had opgeslagen, is bewaard.\n{where}\nBezorg dat rapport aan wie elo_tui "
                "onderhoudt (het bevat geen tokens).",
                style="bold",
            )
        )
        self._close_messages_no_wait()

    def on_unmount(self) -> None:
        if self.ws is not None:
            self.ws.close()


def run_app(settings: Settings, start_mode: str | None = None, presentation: bool = False) -> int:
    """Open the chosen workspace (or none: first run) and run the TUI."""
    from elo_tui.services import workspaces
    from elo_tui.store import workspace_exists

    ws = None
    error = None
    name = settings.chosen_workspace()
    if settings.demo:
        ws = workspaces.open_demo(settings)
    elif name is not None and workspace_exists(settings.workspace_path(name)):
        try:
            ws = workspaces.open_named(settings, name)
        except WorkspaceError as exc:
            if settings.workspace:  # asked for explicitly: say so on the terminal
                raise
            error = str(exc)
    # A named workspace that does not exist yet is made by the first-run screen.
    app = EloApp(
        settings,
        ws,
        open_error=error,
        start_mode=start_mode or os.environ.get("ELO_TUI_START_SCREEN"),
        presentation=presentation,
    )
    from elo_tui import gc_tuning

    gc_tuning.install()  # no second-long collector pauses at 20,000 products
    # A worker thread (the completeness check, the simulation, the matrix's index) holds
    # the interpreter for up to the switch interval each time the UI thread wants it:
    # CPython's 5 ms made every area switch during a check ~4x slower. 1 ms hands it
    # over sooner, for a little more switching overhead in the worker.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(UI_SWITCH_INTERVAL)
    try:
        result = app.run()
    finally:
        sys.setswitchinterval(switch_interval)
        gc_tuning.uninstall()
    if app.return_code:  # Textual sets 1 when an unexpected error ended the app
        from elo_tui.cli import EXIT_SOFTWARE

        return EXIT_SOFTWARE
    return result or 0


class OpenEloApp(EloApp):
    """The app as screens see it, for the type checker: an area opens only once a
    workspace is open (the first-run screen makes one first), so `ws` is set."""

    ws: Workspace
