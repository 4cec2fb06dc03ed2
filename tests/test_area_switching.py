"""What keeps area switches quick at 20,000 products: collector pauses (what survives a
full collection is frozen while the interface runs, elo_tui/gc_tuning.py; a closed
workspace's objects can be collected again; once the first area is shown, full passes
wait for a second without input), no CSS re-parse for a new area screen, and the areas'
modules imported in the background after start."""

from __future__ import annotations

import gc
import sys
import weakref

import pytest

from elo_tui import gc_tuning


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


@pytest.fixture(autouse=True)
def _clean():
    gc_tuning.uninstall()
    yield
    gc_tuning.uninstall()


def test_survivors_of_a_full_collection_are_frozen_and_released_again():
    gc_tuning.install()
    assert gc_tuning.installed()
    gc.unfreeze()
    node = _Node()
    gc.collect()  # a full collection: the callback freezes what survived it
    assert gc.get_freeze_count() > 0
    frozen = gc.get_freeze_count()
    alive = weakref.ref(node)
    del node
    gc.collect()
    assert alive() is not None  # a dead cycle among frozen objects waits for release
    assert gc.get_freeze_count() >= frozen - 1
    gc_tuning.release()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert alive() is None


def test_young_collections_freeze_nothing():
    gc_tuning.install()
    gc.unfreeze()
    gc.collect(1)
    assert gc.get_freeze_count() == 0


def test_uninstall_stops_freezing():
    gc_tuning.install()
    gc_tuning.uninstall()
    assert not gc_tuning.installed()
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gc.get_freeze_count() == 0


def test_run_app_tunes_the_collector_and_the_switch_interval_only_while_the_interface_runs(
    settings, monkeypatch
):
    from elo_tui import app as app_module

    seen = []

    def run(self):
        seen.append((gc_tuning.installed(), sys.getswitchinterval()))
        return 0

    before = sys.getswitchinterval()
    monkeypatch.setattr(app_module.EloApp, "run", run)
    assert app_module.run_app(settings) == 0
    # The interpreter is handed to the UI thread sooner while the interface runs.
    assert seen == [(True, app_module.UI_SWITCH_INTERVAL)]
    assert app_module.UI_SWITCH_INTERVAL < before
    assert not gc_tuning.installed()
    assert gc.get_freeze_count() == 0
    assert sys.getswitchinterval() == before


async def test_opening_another_workspace_from_an_area_releases_the_frozen_objects(settings):
    """Also: switching workspaces from an area works (Textual 8 has no "_default" mode
    to switch to while the areas are rebuilt) and shows the other workspace."""
    from elo_tui.app import EloApp
    from elo_tui.services.workspaces import open_demo, open_named
    from elo_tui.store import Workspace

    Workspace.open(settings.workspace_path("tweede"), create=True).close()
    first = open_demo(settings)
    app = EloApp(settings, first, start_mode="inventory")
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.current_mode == "inventory"
        gc.freeze()
        assert gc.get_freeze_count() > 0
        app.call_later(app.open_workspace, open_named(settings, "tweede"))
        await pilot.pause()
        await pilot.pause()
        assert gc.get_freeze_count() == 0
        assert app.ws is not first and app.ws.path.stem == "tweede"
        assert app.current_mode == "inventory"
        assert "_switching" not in app._modes
        assert "tweede" in app.sub_title
        assert app.screen.query_one("#products").row_count == 0  # the new, empty one


# -- the areas' modules are imported in the background after the first area ----------------


async def test_preload_imports_the_areas_modules_in_the_background(settings, tmp_path, monkeypatch):
    import sys

    from elo_tui.app import EloApp, NavItem
    from elo_tui.services.workspaces import open_demo

    (tmp_path / "elo_probe_area.py").write_text(
        "from textual.screen import Screen\n\nclass ProbeScreen(Screen):\n    pass\n"
    )
    (tmp_path / "elo_probe_broken.py").write_text("raise RuntimeError('kapot')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    app = EloApp(settings, open_demo(settings), start_mode="inventory")
    async with app.run_test() as pilot:
        await pilot.pause()
        assert not app._preload_scheduled  # headless (tests): not by itself
        for name in ("probe_broken", "probe_area"):  # a broken one does not stop the rest
            app.nav.append(NavItem("x", name, name, f"elo_{name}:ProbeScreen", ""))
        assert "elo_probe_area" not in sys.modules
        app.preload_areas()
        await app.workers.wait_for_complete()
        assert "elo_probe_area" in sys.modules
        assert "elo_probe_broken" not in sys.modules
    sys.modules.pop("elo_probe_area", None)


async def test_a_first_visit_does_not_re_parse_the_css_and_themes_still_apply(settings):
    from elo_tui.app import EloApp
    from elo_tui.services.workspaces import open_demo

    app = EloApp(settings, open_demo(settings), start_mode="inventory")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        refreshed = []
        original = app.refresh_css
        app.refresh_css = lambda *a, **k: (refreshed.append(1), original(*a, **k))[1]
        await pilot.press("3")  # a first visit
        await pilot.pause()
        assert app.current_mode == "applications"
        assert refreshed == []  # Textual re-parsed all CSS twice here before
        dark = app.screen.styles.background
        app.theme = "textual-light"
        await pilot.pause()
        assert refreshed  # a theme change still refreshes
        await pilot.press("9")  # a new screen after the change
        await pilot.pause()
        light = app.screen.styles.background
        assert light != dark
        await pilot.press("2")  # a screen from before the change
        await pilot.pause()
        assert app.screen.styles.background == light
        assert app.screen._css_update_count == app._css_update_count


async def test_after_a_minute_without_input_frozen_cycles_are_collected(settings, monkeypatch):
    import time

    from elo_tui.app import IDLE_COLLECT_AFTER, EloApp
    from elo_tui.services.workspaces import open_demo

    app = EloApp(settings, open_demo(settings), start_mode="inventory")
    async with app.run_test() as pilot:
        await pilot.pause()
        before = time.monotonic()
        await pilot.press("down")
        assert app._last_input >= before  # every key counts as input
        gc_tuning.install()
        node = _Node()
        gc.collect()  # frozen with everything else
        alive = weakref.ref(node)
        del node
        app.collect_if_idle()  # just typed: nothing collected
        assert alive() is not None
        app._last_input = time.monotonic() - IDLE_COLLECT_AFTER - 1
        app.collect_if_idle()
        assert alive() is None
        assert gc.get_freeze_count() > 0  # the survivors frozen again
        collected = []
        monkeypatch.setattr(gc_tuning, "collect_all", lambda: collected.append(1))
        app.collect_if_idle()  # no input since: once is enough
        assert collected == []
        await pilot.press("down")
        app._last_input -= IDLE_COLLECT_AFTER + 1
        app.collect_if_idle()
        assert collected == [1]


# -- full collections wait for a pause once the first area is shown ------------------------


def test_deferred_full_collections_and_uninstall_restores_the_thresholds():
    default = gc.get_threshold()
    gc_tuning.install()
    gc_tuning.defer_full_collections()
    young, middle, full = gc.get_threshold()
    assert (young, middle) == default[:2]
    assert full == default[2] * gc_tuning.DEFERRED_FULL_EVERY
    gc_tuning.uninstall()
    assert gc.get_threshold() == default


def test_the_deferred_full_collection_runs_when_due_and_freezes_its_survivors():
    gc_tuning.install()
    gc_tuning.defer_full_collections()
    gc.collect()  # a full pass: CPython's count of middle collections starts again
    gc.unfreeze()
    assert not gc_tuning.collect_young_if_due()  # not due: nothing ran
    assert gc.get_freeze_count() == 0
    for _ in range(10):  # CPython's own due point (its default third threshold)
        gc.collect(1)
    assert gc.get_count()[2] >= 10
    assert gc_tuning.collect_young_if_due()
    assert gc.get_freeze_count() > 0  # what survived is frozen
    assert gc.get_count()[2] == 0


async def test_the_app_runs_the_deferred_collection_only_after_a_second_without_input(
    settings, monkeypatch
):
    import time

    from elo_tui.app import QUIET_COLLECT_AFTER, EloApp
    from elo_tui.services.workspaces import open_demo

    ran = []
    monkeypatch.setattr(gc_tuning, "collect_young_if_due", lambda: ran.append(1) or True)
    app = EloApp(settings, open_demo(settings), start_mode="inventory")
    async with app.run_test() as pilot:
        await pilot.pause()
        gc_tuning.install()
        await pilot.press("down")
        app.collect_when_quiet()  # just typed
        assert ran == []
        app._last_input = time.monotonic() - QUIET_COLLECT_AFTER - 0.1
        app.collect_when_quiet()
        assert ran == [1]
        gc_tuning.uninstall()
        app.collect_when_quiet()  # not installed (tests, or after the interface ran)
        assert ran == [1]
