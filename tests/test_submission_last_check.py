"""The submission screen shows the last completeness check at once (said to be out of
date) and checks again in a worker; "nothing missing" and "ready" only come from a
finished check on the data as it is. The remembered check must equal the full one and
must be dropped by every write path."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from elo_tui.app import EloApp
from elo_tui.domain.records import Application, BlockStatus, Product
from elo_tui.screens.submission import EMPTY_CHECKED, EMPTY_CHECKING
from elo_tui.services import submission as service
from elo_tui.services import undo
from elo_tui.store import Workspace
from elo_tui.widgets.virtual_table import VirtualTable

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _render(app, widget_id: str) -> str:
    return str(app.screen.query_one(widget_id).render())


def _checked(ws: Workspace) -> list:
    issues = service.check(ws)
    assert service.remember_check(ws, issues, ws.change_stamp())
    return issues


def _assert_remembered_equals_full(ws: Workspace) -> None:
    issues = service.check(ws)
    # the lean read (no dicts kept) gives exactly what the full snapshot state gives
    assert issues == service.check(ws, service.read_state(ws))
    stamp = ws.change_stamp()
    assert service.remember_check(ws, issues, stamp)
    assert service.current_check(ws) == issues
    service._current.clear()  # as a new process sees it: only the note in the workspace
    last = service.last_check(ws)
    assert last is not None
    n_blocking = sum(1 for i in issues if i.blocking)
    assert (last.n_blocking, last.n_warnings) == (n_blocking, len(issues) - n_blocking)
    assert last.issues == issues[: service.LAST_CHECK_ISSUES]
    assert last.checked_at


@pytest.fixture(autouse=True)
def _forget():
    service._current.clear()
    yield
    service._current.clear()


def test_remembered_check_equals_the_full_check_on_the_demo(demo_ws):
    _assert_remembered_equals_full(demo_ws)


def test_remembered_check_equals_the_full_check_with_edge_cases(demo_ws):
    """Undecided, not applicable with and without reason, an excluded application."""
    statuses = demo_ws.list(BlockStatus)
    assert len(statuses) >= 3
    statuses[0].applicability = "undecided"
    statuses[1].applicability = "not_applicable"
    statuses[1].reason = ""
    statuses[2].applicability = "not_applicable"
    statuses[2].reason = "Geen betaling in dit product."
    demo_ws.save_many(statuses[:3])
    app = demo_ws.list(Application)[0]
    app.excluded = True
    demo_ws.save(app)
    product = demo_ws.list(Product)[0]
    product.ipdc_type = ""
    demo_ws.save(product)
    issues = service.check(demo_ws)
    codes = {i.code for i in issues}
    assert {"undecided", "reason", "product_type"} <= codes
    _assert_remembered_equals_full(demo_ws)


def test_remembered_check_equals_the_full_check_on_a_generated_workspace(tmp_path):
    sys.path.insert(0, str(BENCH))
    try:
        from generate import generate, work_on

        path = tmp_path / "gen.sqlite"
        generate(path, 500).close()
        work_on(path)  # imports bench_matrix lazily
    finally:
        sys.path.remove(str(BENCH))
    with Workspace.open(path, user="test") as ws:
        issues = service.check(ws)
        assert len(issues) > service.LAST_CHECK_ISSUES  # the note holds only the first
        _assert_remembered_equals_full(ws)


def test_every_write_path_drops_the_current_check(demo_ws):
    product = demo_ws.list(Product)[0]

    _checked(demo_ws)
    product.name = "Lokaal gewijzigd"
    demo_ws.save(product)  # a local save
    assert service.current_check(demo_ws) is None

    _checked(demo_ws)
    with Workspace.open(demo_ws.path, user="ander") as other:  # another process
        other.save(Product(name="Van een ander proces"))
    assert service.current_check(demo_ws) is None

    _checked(demo_ws)
    fresh = demo_ws.list(Product)[0]
    fresh.name = "Van de centrale opvolging"
    fresh.dirty = False
    demo_ws.put_synced([fresh])  # a sync pull
    assert service.current_check(demo_ws) is None

    _checked(demo_ws)
    demo_ws.save_many([Product(name="Ingelezen")], by="import")  # an import
    assert service.current_check(demo_ws) is None

    undo.attach(demo_ws)
    product = demo_ws.get(Product, product.id)
    product.name = "Voor het ongedaan maken"
    demo_ws.save(product)
    _checked(demo_ws)
    assert undo.undo(demo_ws) is not None  # undo
    assert service.current_check(demo_ws) is None


def test_a_damaged_note_is_ignored(demo_ws):
    for text in ("{niet json", "[]", '{"issues": [["x"]]}', '{"issues": 5}'):
        demo_ws.set_meta(service.LAST_CHECK_META_KEY, text)
        assert service.last_check(demo_ws) is None


def test_a_change_during_the_check_is_not_taken_as_current(demo_ws):
    stamp = demo_ws.change_stamp()
    issues = service.check(demo_ws)
    demo_ws.save(Product(name="Tijdens het nakijken"))
    assert not service.remember_check(demo_ws, issues, stamp)
    assert service.current_check(demo_ws) is None


def _hold_the_check(monkeypatch) -> threading.Event:
    release = threading.Event()
    real = service.check

    def held(ws, state=None, **kw):
        release.wait(30)
        return real(ws, state, **kw)

    monkeypatch.setattr(service, "check", held)
    return release


async def test_nothing_missing_is_only_said_once_the_check_has_finished(
    demo_ws, settings, monkeypatch
):
    release = _hold_the_check(monkeypatch)
    app = EloApp(settings, demo_ws, start_mode="submission")
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#issues", VirtualTable)
        assert not table.rows and table.empty_text == EMPTY_CHECKING
        assert "Klaar om in te dienen" not in _render(app, "#sub-status")
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Klaar om in te dienen" in _render(app, "#sub-status")
        assert table.empty_text == EMPTY_CHECKED


async def test_the_last_check_shows_at_once_marked_as_being_updated(demo_ws, settings, monkeypatch):
    agency = demo_ws.agency()
    agency.contact_name = ""
    demo_ws.save(agency)
    _checked(demo_ws)
    service._current.clear()  # a new start: only the note in the workspace
    agency.contact_name = "Iemand"
    demo_ws.save(agency)  # fixed since: the note is out of date
    release = _hold_the_check(monkeypatch)
    app = EloApp(settings, demo_ws, start_mode="submission")
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.pause()
        status = _render(app, "#sub-status")
        assert "Vorige controle" in status and "1 blokkerend" in status
        assert "Wordt bijgewerkt" in status
        assert "Klaar om in te dienen" not in status
        rows = app.screen.query_one("#issues", VirtualTable).rows
        assert [i.code for i in rows if i.blocking] == ["contact_name"]
        release.set()
        # the check starts a moment after the first frame (CHECK_AFTER_SHOWN)
        for _ in range(200):
            await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            if "Wordt bijgewerkt" not in _render(app, "#sub-status"):
                break
        status = _render(app, "#sub-status")
        assert "Klaar om in te dienen" in status and "Wordt bijgewerkt" not in status


async def test_a_second_visit_on_unchanged_data_does_not_check_again(
    demo_ws, settings, monkeypatch
):
    app = EloApp(settings, demo_ws, start_mode="submission")
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        calls = []
        real = service.check
        monkeypatch.setattr(service, "check", lambda ws, s=None: calls.append(1) or real(ws, s))
        await pilot.press("2")  # the inventory (the dashboard writes its daily history)
        await pilot.pause()
        await pilot.press("7")
        await pilot.pause()
        app.screen.load()  # as on a reload with nothing changed
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert calls == []
        assert "Klaar om in te dienen" in _render(app, "#sub-status")


def test_a_reopened_workspace_does_not_inherit_the_current_check(demo_ws):
    _checked(demo_ws)
    assert service.current_check(demo_ws) is not None
    with Workspace.open(demo_ws.path, user="tester") as again:
        assert service.current_check(again) is None  # a new connection, a new stamp


def test_keeping_the_check_is_no_change_for_the_other_areas(demo_ws):
    """The note with the last check is bookkeeping: the stamp the other areas reread on
    (checklist, costs, the status line) stays as it was, yet the note is there."""
    stamp = demo_ws.change_stamp()
    issues = service.check(demo_ws)
    assert service.remember_check(demo_ws, issues, stamp)
    assert demo_ws.change_stamp() == stamp
    assert demo_ws.get_meta(service.LAST_CHECK_META_KEY)
    assert service.current_check(demo_ws) == issues
    # a real change after it still counts, and drops the current check
    product = demo_ws.list(Product)[0]
    product.name = "Daarna gewijzigd"
    demo_ws.save(product)
    assert demo_ws.change_stamp() != stamp
    assert service.current_check(demo_ws) is None


def test_bookkeeping_writes_leave_the_stamp_data_writes_do_not(demo_ws):
    stamp = demo_ws.change_stamp()
    with demo_ws.bookkeeping():
        demo_ws.set_meta("een_notitie", "1")
        demo_ws.set_meta("een_notitie", "2")
    assert demo_ws.change_stamp() == stamp
    demo_ws.set_meta("een_instelling", "x")  # outside: counts as a change
    changed = demo_ws.change_stamp()
    assert changed != stamp
    with demo_ws.bookkeeping():
        product = demo_ws.list(Product)[0]
    product.name = "Gewijzigd"
    demo_ws.save(product)  # a save after the block counts again
    assert demo_ws.change_stamp() != changed
    # another connection still sees the note as a commit (SQLite cannot tell it apart)
    with Workspace.open(demo_ws.path, user="ander") as other:
        before = other.change_stamp()
        with demo_ws.bookkeeping():
            demo_ws.set_meta("een_notitie", "3")
        assert other.change_stamp() != before
