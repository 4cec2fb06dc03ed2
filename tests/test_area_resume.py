"""Coming back to an area already open (a later visit): what EloApp.switch_mode and
AreaScreen do to make it quick, and what must still hold.

- Painting is held until the area has handled its resume (reloaded what changed
  elsewhere, refreshed its bars), then let go at once, not after Textual's fixed 50 ms.
- The whole-screen restyle is skipped unless something a hidden screen does not follow
  changed meanwhile (theme, the terminal's focus).
- Partial paints that the resume's whole-screen paint redoes are skipped; the area still
  ends up fully painted on the terminal (checked in a real pseudo-terminal).
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time

from textual.widgets import Static

from elo_tui import app as app_module
from elo_tui.app import EloApp
from elo_tui.screens.base import AreaScreen


def _blocks_text(app) -> str:
    return str(app.screen.query_one("#dash-blocks", Static).render())


async def test_a_resumed_area_shows_a_change_made_in_another_area(demo_ws, settings):
    from elo_tui.services.inventory import save_product

    app = EloApp(settings, demo_ws, start_mode="dashboard")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "van 24 producten" in _blocks_text(app)
        await pilot.press("2")
        await pilot.pause()
        assert app.current_mode == "inventory"
        product, errors = save_product(app.ws, {"name": "Nieuw product van de test"})
        assert product is not None and not errors
        app.screen.saved()  # what the inventory's form does after a save
        await pilot.press("1")  # back to the dashboard: a later visit
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.current_mode == "dashboard"
        assert "van 25 producten" in _blocks_text(app)
        assert app._batch_count == 0


async def test_painting_waits_for_the_resume_and_is_let_go_by_the_area(
    demo_ws, settings, monkeypatch
):
    # Only the area can let go now: the safety timer is an hour away.
    monkeypatch.setattr(app_module, "RESUME_HOLD_LIMIT", 3600.0)
    released: list[tuple[str, bool]] = []
    original = EloApp._resume_hold_release

    def watched(self):
        release = original(self)

        def release_and_record() -> None:
            if self.resume_held is not None:  # the first of its two calls
                screen = self.screen
                released.append((screen.MODE, screen._loaded_version == self.data_version))
            release()

        return release_and_record

    monkeypatch.setattr(EloApp, "_resume_hold_release", watched)
    app = EloApp(settings, demo_ws, start_mode="inventory")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("3")  # a first visit: held until the area is built and loaded
        await pilot.pause(0.1)
        assert released == [("applications", True)]
        assert app._batch_count == 0
        app.data_changed()  # a change elsewhere: the inventory must reload on its return
        await pilot.press("2")
        await pilot.pause()
        assert released[-1] == ("inventory", True)  # let go after the reload, by the area
        assert app._batch_count == 0
        assert app.resume_held is None
        await pilot.press("3")
        await pilot.pause()
        assert released[-1] == ("applications", True)
        assert app._batch_count == 0


async def test_switches_in_quick_succession_let_go_of_every_hold(demo_ws, settings, monkeypatch):
    monkeypatch.setattr(app_module, "RESUME_HOLD_LIMIT", 3600.0)
    app = EloApp(settings, demo_ws, start_mode="inventory")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause(0.1)
        # Two switches before either area had its turn (keys typed quickly).
        app.action_goto("inventory")
        app.action_goto("applications")
        app.action_goto("inventory")
        assert app._batch_count == 3
        await pilot.pause()
        assert app.current_mode == "inventory"
        assert app._batch_count == 0
        assert app.resume_held is None


async def test_the_whole_screen_restyle_only_when_a_hidden_screen_could_be_stale(demo_ws, settings):
    app = EloApp(settings, demo_ws, start_mode="inventory")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        inventory = app.screen
        assert isinstance(inventory, AreaScreen)
        restyled: list[int] = []
        original = inventory.update_node_styles

        def counted(animate: bool = True) -> None:
            restyled.append(1)
            original(animate)

        inventory.update_node_styles = counted  # type: ignore[method-assign]
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        assert app.screen is inventory
        assert restyled == []  # nothing changed while it was hidden
        await pilot.press("3")
        await pilot.pause()
        app.app_focus = False  # the terminal lost focus (App:blur): restyles only area 3
        await pilot.pause()
        # A click or key would give the focus back first: switch as the palette does.
        app.action_goto("inventory")
        await pilot.pause()
        assert restyled == [1]
        app.app_focus = True
        await pilot.pause()
        restyled.clear()
        await pilot.press("3")
        await pilot.pause()
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        assert restyled  # a new theme reaches the hidden screen
        assert app.screen.styles.background == app.screen_stack[0].styles.background


# -- for real, in a pseudo-terminal (a headless Pilot paints nothing) ------------------------

ESCAPES = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|.)")


def test_a_later_visit_paints_the_whole_area_on_the_terminal(tmp_path):
    env = dict(
        os.environ,
        TERM="xterm-256color",
        ELO_TUI_START_SCREEN="inventory",
        ELO_TUI_STATE_DIR=str(tmp_path),
        ELO_TUI_TODAY="2026-11-22",
    )
    env.pop("ELO_TUI_EXIT_WHEN_READY", None)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    argv = [sys.executable, "-m", "elo_tui", "--demo"]
    pid = os.fork()
    if pid == 0:  # child
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.close(master)
        os.execvpe(argv[0], argv, env)
    os.close(slave)

    def read_until(pattern: bytes, timeout: float = 60.0) -> bytes:
        """Output until `pattern` shows (escape codes removed) and 0.3 s pass quietly."""
        raw = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.3)
            if not ready:
                if re.search(pattern, ESCAPES.sub(b"", raw)):
                    return raw
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            raw += chunk
        raise AssertionError(f"no {pattern!r} in {ESCAPES.sub(b'', raw)[-1500:]!r}")

    try:
        read_until(rb"Zoek op naam")  # the inventory, first screen
        os.write(master, b"3")
        read_until(rb"3 Toepassingen")  # the applications area (first visit)
        os.write(master, b"2")
        raw = read_until(rb"Zoek op naam")  # back: a later visit
        text = ESCAPES.sub(b"", raw).decode("utf-8", "replace")
        # the whole area again: nav bar, search field, table rows, key bar
        for part in ("2 Producten", "Zoek op naam", "Groeisubsidie", "Nieuw"):
            assert part in text, text[-1500:]
        assert text.count("\r\n") >= 39  # a whole-screen paint: every one of the 40 lines
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(master)


async def test_first_visits_in_quick_succession_let_go_of_every_hold(
    demo_ws, settings, monkeypatch
):
    monkeypatch.setattr(app_module, "RESUME_HOLD_LIMIT", 3600.0)
    app = EloApp(settings, demo_ws, start_mode="inventory")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        # Three areas never opened, before any of them had its turn (keys typed quickly).
        app.action_goto("applications")
        app.action_goto("costs")
        app.action_goto("checklist")
        assert app._batch_count == 3
        await pilot.pause()
        await pilot.pause()
        assert app.current_mode == "checklist"
        assert app._batch_count == 0
        assert app.resume_held is None
        assert "stappen" in str(app.screen.query_one("#count").render())


async def test_a_first_visit_whose_figures_come_from_a_worker_is_painted_with_them(
    demo_ws, settings, monkeypatch
):
    monkeypatch.setattr(app_module, "RESUME_HOLD_LIMIT", 3600.0)
    monkeypatch.setattr(app_module, "FIRST_VISIT_DATA_WAIT", 3600.0)
    released: list[bool] = []
    original = EloApp._resume_hold_release

    def watched(self):
        release = original(self)

        def release_and_record() -> None:
            if self.resume_held is not None:
                released.append(id(self.screen) in self._areas_with_data)
            release()

        return release_and_record

    monkeypatch.setattr(EloApp, "_resume_hold_release", watched)
    app = EloApp(settings, demo_ws, start_mode="inventory")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await pilot.press("1")  # the overview: its figures come from a worker
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert released == [True]  # let go once the figures were on its widgets
        assert app._batch_count == 0
        assert "van 24 producten" in _blocks_text(app)


async def test_a_first_visit_waits_for_a_workers_figures_only_so_long(
    demo_ws, settings, monkeypatch
):
    from elo_tui.screens.dashboard import DashboardScreen

    monkeypatch.setattr(app_module, "RESUME_HOLD_LIMIT", 3600.0)
    monkeypatch.setattr(app_module, "FIRST_VISIT_DATA_WAIT", 0.05)
    monkeypatch.setattr(DashboardScreen, "_compute", lambda self: None)  # figures never come
    app = EloApp(settings, demo_ws, start_mode="inventory")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause(0.3)
        assert app.current_mode == "dashboard"
        assert app._batch_count == 0
        assert app.resume_held is None and app._awaiting_data is None
