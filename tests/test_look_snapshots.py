"""Presentation mode and the charts on the demo workspace at 80×24 and 120×40 (issue 11
§4). Seeded as tests/test_area_snapshots.py: a fixed today and fixed record ids."""

from __future__ import annotations

import random
import uuid

import pytest

from elo_tui.app import EloApp
from elo_tui.services.workspaces import open_demo

TODAY = "2026-11-22"
SIZES = [(80, 24), (120, 40)]


@pytest.fixture
def demo_today(settings, monkeypatch):
    monkeypatch.setenv("ELO_TUI_TODAY", TODAY)
    ids = random.Random(11)
    monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=ids.getrandbits(128), version=4))
    ws = open_demo(settings)
    yield settings, ws
    ws.close()


def _after(*keys: str):
    async def run(pilot) -> None:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    "view, mode, keys",
    [
        ("presentation", "dashboard", ("P",)),
        ("presentation_application", "dashboard", ("P", "space")),
        ("readiness_over_time", "dashboard", ("w",)),
        ("per_block", "dashboard", ("w", "w")),
        ("costs_per_year", "costs", ("w",)),
    ],
)
def test_look_snapshot(demo_today, snap_compare, view, mode, keys, size):
    settings, ws = demo_today
    app = EloApp(settings, ws, start_mode=mode)
    assert snap_compare(app, terminal_size=size, run_before=_after(*keys))
