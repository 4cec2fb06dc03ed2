"""The costs table's first screen reads only the first rows in order (an ORDER BY with a
LIMIT); the whole order follows from a worker after the first frame, or at once when a
row past the first ones is asked for. Both must give exactly the rows of the whole
order, and an order read for an older state of the file is never kept."""

from __future__ import annotations

import threading

import pytest

from elo_tui.domain.records import EstimateLine
from elo_tui.services import estimate as service
from elo_tui.store import Workspace
from test_costs_paged import assert_same_as_domain, edge_cases, former_rows


@pytest.fixture
def small_pages(monkeypatch):
    """Six first rows in pages of two: the edge cases (80+ lines) span many pages."""
    monkeypatch.setattr(service, "FIRST_ROWS", 6)
    monkeypatch.setattr(service.CostLines, "PAGE", 2)


def full_ids(ws: Workspace) -> list[str]:
    return [c.line.id for c, _, _ in former_rows(ws)]


def test_the_first_rows_are_the_first_of_the_whole_order(tmp_path, small_pages):
    ws = edge_cases(tmp_path / "edge.sqlite")
    try:
        want = full_ids(ws)
        reader = service.CostsReader(ws)
        lines = reader.lines()
        assert not lines.complete and len(lines.ids) == 6
        assert len(lines) == len(want) == reader.totals().lines
        assert [lines[i].line.id for i in range(6)] == want[:6]
        assert not lines.complete  # the first screen read nothing more
        assert lines[len(lines) - 1].line.id == want[-1]  # past them: the whole order
        assert lines.complete and [r.line.id for r in lines] == want
        assert_same_as_domain(ws)  # every cell, total and range, with first rows too
    finally:
        ws.close()


def test_a_line_past_the_first_rows_is_found(tmp_path, small_pages):
    ws = edge_cases(tmp_path / "edge.sqlite")
    try:
        want = full_ids(ws)
        lines = service.CostsReader(ws).lines()
        assert lines.position_of(want[-2]) == len(want) - 2
        assert lines.position_of("no-such-line") is None
    finally:
        ws.close()


def test_the_workers_order_is_kept_only_for_the_same_file(tmp_path, small_pages):
    ws = edge_cases(tmp_path / "edge.sqlite")
    other = Workspace.open(ws.path)
    try:
        reader = service.CostsReader(ws)
        lines = reader.lines()
        order, stamp = service.line_order_at(other)
        assert reader.set_order(order, stamp) and lines.complete
        assert [r.line.id for r in lines] == full_ids(ws)

        old_order, old_stamp = order, stamp
        other.save(EstimateLine(scope_kind="agency", method="fixed", fixed_amount=1.0))
        assert not reader.set_order(old_order, old_stamp)  # read before the change
        fresh = reader.lines()
        assert fresh is not lines and not fresh.complete
        assert len(fresh) == len(lines) + 1
        assert [r.line.id for r in fresh] == full_ids(ws)
    finally:
        other.close()
        ws.close()


def test_few_lines_are_read_whole(tmp_path):
    ws = edge_cases(tmp_path / "edge.sqlite")
    try:
        lines = service.CostsReader(ws).lines()
        assert len(lines) < service.FIRST_ROWS and lines.complete
    finally:
        ws.close()


async def test_the_screen_shows_the_first_rows_then_takes_the_whole_order(
    tmp_path, settings, monkeypatch
):
    # more first rows than the screen shows, fewer than the lines, as at 20,000 products
    monkeypatch.setattr(service, "FIRST_ROWS", 50)
    monkeypatch.setattr(service.CostLines, "PAGE", 25)
    from elo_tui.app import EloApp
    from elo_tui.widgets.virtual_table import VirtualTable

    ws = edge_cases(tmp_path / "edge.sqlite")
    want = full_ids(ws)
    release = threading.Event()
    real = service.line_order_at

    def slow_order(reader):
        release.wait(10)
        return real(reader)

    monkeypatch.setattr(service, "line_order_at", slow_order)
    app = EloApp(settings, ws, start_mode="costs")
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            screen = app.screen
            table = screen.query_one("#lines", VirtualTable)
            assert table.row_count == len(want)
            assert table.current.line.id == want[0]
            assert len(want) > 50
            assert not screen.lines.complete  # the worker is still reading the order
            release.set()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert screen.lines.complete
            await pilot.press("end")
            await pilot.pause()
            assert table.current.line.id == want[-1]
    finally:
        ws.close()


def _read_ahead(ws: Workspace) -> None:
    reader = ws.reader()
    try:
        service.read_order_ahead(reader)
    finally:
        reader.close()


def test_an_order_read_ahead_serves_the_first_visit_once_and_only_unchanged(tmp_path, small_pages):
    ws = edge_cases(tmp_path / "edge.sqlite")
    try:
        want = full_ids(ws)
        _read_ahead(ws)
        lines = service.CostsReader(ws).lines()
        assert lines.complete and [r.line.id for r in lines] == want  # no first rows only
        again = service.CostsReader(ws).lines()  # used once: a new reader reads itself
        assert not again.complete

        _read_ahead(ws)
        line = ws.get(EstimateLine, want[0])
        line.deleted = True  # the order read ahead still begins with it
        ws.save(line)
        lines = service.CostsReader(ws).lines()
        assert not lines.complete  # the order read ahead holds for the file before the save
        assert [r.line.id for r in lines] == full_ids(ws) == want[1:]
    finally:
        ws.close()


def test_totals_read_ahead_are_those_read_at_the_visit_and_only_for_an_unchanged_file(
    tmp_path,
):
    ws = edge_cases(tmp_path / "edge.sqlite")
    try:
        want = service.totals(ws, ws.agency())
        _read_ahead(ws)
        assert str(ws.path) in service._totals_ahead  # noqa: SLF001 - read ahead indeed
        assert service.CostsReader(ws).totals() == want
        assert str(ws.path) not in service._totals_ahead  # noqa: SLF001 - used once

        _read_ahead(ws)
        line = ws.get(EstimateLine, full_ids(ws)[0])
        line.deleted = True  # in the totals read ahead, not in the file any more
        ws.save(line)
        after = service.CostsReader(ws).totals()
        assert after == service.totals(ws, ws.agency()) != want
        assert after.lines == want.lines - 1
    finally:
        ws.close()
