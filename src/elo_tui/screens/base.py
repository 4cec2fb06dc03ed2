"""Base class for the areas of work (the app's modes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.screen import Screen

from elo_tui.keymap import KeyedBindings
from elo_tui.widgets.keybar import KeyBar
from elo_tui.widgets.navbar import NavBar

if TYPE_CHECKING:
    from textual import getters

    from elo_tui.app import OpenEloApp


class AreaScreen(KeyedBindings, Screen):
    """An area of work: nav bar on top, body, footer with the keys.

    Subclasses set MODE (the NAV mode name), implement `compose_body()` and
    `load()` (read from `self.app.ws`); `load()` runs on mount and again whenever the
    screen is shown after data changed elsewhere (app.data_version).

    Focus model: keys never trap. The area keys, `?` and the screen's keys work
    everywhere except while typing in a text field; Esc leaves a field (the app's
    `leave_field`, or the screen's own Esc binding when it has one).
    """

    MODE = ""
    if TYPE_CHECKING:  # for the type checker: the app is ours (ws, data_version, …)
        app = getters.app(OpenEloApp)
    # True when `load()` hands its figures to a worker: the screen then calls
    # `data_shown()` itself once they are on its widgets.
    SHOWS_DATA_LATER = False

    def __init__(self) -> None:
        super().__init__()
        self._loaded_version = -1
        self._mounted = False
        self._styled_for: tuple[int, bool] | None = None  # _style_inputs() when last suspended
        self._resume_paint_due = False  # see _compositor_refresh
        self._restyled_on_resume: tuple[int, bool] | None = None  # see _restyle_only_if_stale

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        yield from self.compose_body()
        yield KeyBar()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def load(self) -> None:
        """(Re)read what this screen shows from the workspace."""

    def leave_text_field(self) -> None:
        """Move focus off a text field: to the first other focusable widget that is not
        a text field (a table, a button), else to nothing (the screen's keys work)."""
        from textual.widgets import Input, TextArea

        for widget in self.focus_chain:
            if not isinstance(widget, Input | TextArea):
                widget.focus()
                return
        self.set_focus(None)

    def on_mount(self) -> None:
        # Textual calls the on_mount of every class along the MRO; a subclass that also
        # calls super().on_mount() would otherwise load (and compute) everything twice.
        if self._mounted:
            return
        self._mounted = True
        self._reload()
        if not self.SHOWS_DATA_LATER:
            self.data_shown()

    def data_shown(self) -> None:
        """The first load's data is on the widgets (the bench's painted-frame exit waits
        for this; see frame_ready.py)."""
        ready = getattr(self.app, "area_data_shown", None)
        if ready is not None:
            ready(self)

    @on(events.ScreenResume)
    def _restyle_only_if_stale(self, event: events.ScreenResume) -> None:
        # Textual restyles every widget of a screen each time it comes back (a quarter of
        # an area switch's work). While the screen was current, every change restyled
        # what it touched (classes, focus, hover; a theme or app focus change restyles the
        # current screen), and a screen's CSS added later restyles every screen: what
        # reaches a hidden screen only through this whole-screen pass is a new theme or
        # stylesheet (Textual's `_css_update_count`) and the terminal's focus
        # (App:focus/:blur): restyle only when one of those moved since it was hidden.
        # (Textual runs this before Screen's own handler, further along the MRO.)
        inputs = _style_inputs(self.app)
        # A new screen gets two resumes (Textual's mode set-up posts one, its switch
        # another): the second restyle redid the first (~5 ms of a first visit).
        if inputs in (self._styled_for, self._restyled_on_resume):
            event.refresh_styles = False
        self._restyled_on_resume = inputs
        # A later visit (hidden before), or a first one the app holds until it is laid
        # out (EloApp.switch_mode): the resume's whole-screen paint is due.
        self._resume_paint_due = (
            self._styled_for is not None or getattr(self.app, "resume_held", None) is self
        )

    def on_screen_resume(self) -> None:
        if self._loaded_version != self.app.data_version:
            self._reload()
        self.query_one(NavBar).refresh_status()

    def on_screen_suspend(self) -> None:
        self._styled_for = _style_inputs(self.app)
        self._restyled_on_resume = None

    def _compositor_refresh(self) -> None:
        # Back on an area (a later visit), Textual first paints what changed while it was
        # hidden (a worker's figures) in its layout pass, and again in the update that
        # then does the resume's whole-screen paint: work nobody sees, as that paint
        # follows at once. The skipped regions stay marked and go with it. (Not at an
        # area's first showing: start-up keeps Textual's order of paints.)
        if self is self.app.screen:
            if getattr(self.app, "resume_held", None) is self:
                return  # EloApp.switch_mode holds painting until the resume is handled
            if self._resume_paint_due:
                if self._repaint_required:
                    return  # Screen._on_timer_update paints the whole screen right after
                self._resume_paint_due = False  # this is that whole-screen paint
        super()._compositor_refresh()

    def on_resize(self) -> None:
        # The nav bar says when the terminal is too small, also when only its height changed.
        self.query_one(NavBar).refresh_status()

    def _reload(self) -> None:
        self._loaded_version = self.app.data_version
        self.load()

    def saved(self) -> None:
        """Call after this screen saved a change: others reload, the status updates."""
        self.app.data_changed()
        self._loaded_version = self.app.data_version
        # After the change itself is on screen: the status counts what waits to be synced
        # over every table (~20 ms at 20,000 products), which a keystroke need not wait for.
        self.call_after_refresh(self.query_one(NavBar).refresh_status)


def _style_inputs(app) -> tuple[int, bool]:
    """What a hidden screen's styles depend on that can change without restyling it."""
    return (app._css_update_count, app.app_focus)
