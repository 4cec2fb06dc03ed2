"""Exit once the first complete screen has been written to the terminal (bench/ only).

`ELO_TUI_EXIT_WHEN_READY=1` makes the app leave as soon as the screen it starts on shows
its data *on the terminal*: what was measured before (two `call_after_refresh` after the
app mounted) exited before the first area had even been painted.

How "painted" is decided, following Textual 8's own path to the terminal:

- the screen says its data is on its widgets (`ready(screen)`; an area calls it after
  `load()`, or when its worker has handed over the result);
- after that, `App._display` has written at least one frame to the driver (we count the
  frames through `App.post_display_hook`, which Textual calls right after each write);
- and nothing is left that would change the screen: no queued messages on the app, the
  screen or any of its widgets, no widget waiting to repaint or lay out, no dirty region
  or layout on the screen. Then what the terminal shows is what the compositor would
  render now. The process then ends at once (`_leave`): terminal restored, the driver's
  writer thread drained (so every written byte reaches the terminal), `os._exit`.

Only Textual is imported: bench/bare_app.py uses the same hook, so both sides of the
comparison stop at the same point.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

ENV = "ELO_TUI_EXIT_WHEN_READY"
_POLL = 0.002  # s between checks once the data is in: a few widgets' flags, nothing more


class ExitWhenPainted:
    """Install on an app (`ExitWhenPainted(app)`), then call `ready(screen)`."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.frames = 0  # frames written so far
        self._frames_at_ready: int | None = None
        self._screen: Any = None
        self._task: asyncio.Task | None = None
        previous = app.post_display_hook

        def counted() -> None:
            self.frames += 1
            previous()

        app.post_display_hook = counted

    def ready(self, screen: Any = None) -> None:
        """The data of `screen` (default: whatever screen is current) is on its widgets."""
        if self._frames_at_ready is not None:
            return  # the first screen counts, later ones do not
        self._frames_at_ready = self.frames
        self._screen = screen
        self._task = asyncio.get_running_loop().create_task(self._wait_then_exit())

    async def _wait_then_exit(self) -> None:
        while True:
            await asyncio.sleep(_POLL)
            if self.frames > (self._frames_at_ready or 0) and self._settled():
                self._leave()
                return

    def _leave(self) -> None:
        """End the process now: restore the terminal as Textual's exit does, wait for the
        driver's writer thread to hand every byte to the terminal, then `os._exit`. A
        normal exit would first wait for background workers (the inventory's index, the
        dashboard's roadmap lines), which the painted frame did not wait for."""
        driver = self.app._driver
        if driver is None or self.app.is_headless or not hasattr(driver, "close"):
            self.app.exit()  # no terminal (tests): an ordinary exit
            return
        driver.stop_application_mode()
        driver.close()  # joins the writer thread: everything written is on the terminal
        sys.stdout.flush()
        os._exit(0)

    def _settled(self) -> bool:
        app = self.app
        try:
            screen = app.screen
        except Exception:  # no screen yet
            return False
        if self._screen is not None and screen is not self._screen:
            return False
        if app._batch_count or app.message_queue_size or screen.message_queue_size:
            return False
        if (
            screen._layout_required
            or screen._scroll_required
            or screen._repaint_required
            or screen._recompose_required
            or screen._dirty_widgets
            or screen._layout_widgets
            or screen._callbacks
        ):
            return False
        for widget in screen.walk_children(with_self=False):
            if (
                widget.message_queue_size
                or widget._repaint_required
                or widget._layout_required
                or widget._scroll_required
                or widget._refresh_styles_required
                or widget._recompose_required
            ):
                return False
        return True
