"""The tracker counts readiness without importing the app; it must count what the app's
dashboard counts (`elo_tui.domain.readiness.summarize`) for the same records."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from elo_tracker.readiness import readiness
from elo_tui.domain.readiness import summarize
from elo_tui.domain.records import Application, BlockStatus, Product
from elo_tui.store import Workspace
from elo_tui.sync.wire import record_data

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _demo(path: Path) -> Workspace:
    from elo_tui.io.demo import populate_demo

    ws = Workspace.open(path, create=True, user="t")
    populate_demo(ws)
    return ws


def _generated(path: Path) -> Workspace:
    sys.path.insert(0, str(BENCH))
    try:
        from bench_export import populate
    finally:
        sys.path.remove(str(BENCH))
    return populate(path, 300)


@pytest.mark.parametrize("make", [_demo, _generated], ids=["demo", "generated"])
def test_tracker_readiness_equals_the_apps_summary(make, tmp_path):
    ws = make(tmp_path / "w.sqlite")
    products, apps, statuses = ws.list(Product), ws.list(Application), ws.list(BlockStatus)
    app_view = summarize(products, apps, statuses, date(2026, 6, 1))
    as_pushed = [record_data(p) | {"id": p.id} for p in products]
    tracker_view = readiness(as_pushed, [record_data(s) | {"id": s.id} for s in statuses])
    assert tracker_view.products_total == app_view.products_total > 0
    assert tracker_view.elo_conform == app_view.elo_conform
    assert tracker_view.overall_percent == app_view.overall_percent
    for mine, theirs in zip(tracker_view.blocks, app_view.blocks, strict=True):
        assert (mine.block, mine.applicable, mine.done, mine.undecided) == (
            theirs.block,
            theirs.applicable,
            theirs.done,
            theirs.undecided,
        )
