"""The checklist screen, driven with Textual's Pilot: order, quick status keys, editing."""

from __future__ import annotations

from datetime import date

import pytest

from blocks_support import small_workspace
from elo_tui.app import EloApp
from elo_tui.domain.records import ChecklistItem
from elo_tui.screens.checklist import ChecklistScreen
from elo_tui.screens.checklist_form import ItemForm
from elo_tui.services import checklists, mapping
from elo_tui.widgets.virtual_table import VirtualTable

TODAY = date(2026, 3, 1)


@pytest.fixture
def env(settings, monkeypatch):
    monkeypatch.setenv("ELO_TUI_TODAY", TODAY.isoformat())
    ws, recs = small_workspace(settings.workspace_path("test"))
    checklists.sync_all(ws, TODAY)  # programme + aftoetsing
    # ACM on Subsidieloket, required since New Year and due soon: its first steps are
    # overdue by now, the last ones ahead. (A step is never due before the day it is
    # created, so "created today" would make none overdue.)
    mapping.set_block_status(
        ws,
        "application",
        recs["a1"].id,
        "acm_idm",
        {"applicability": "required", "stage": "analysis", "target_date": "2026-04-10"},
        date(2026, 1, 1),
    )
    yield settings, ws, recs
    ws.close()


def _table(app) -> VirtualTable:
    return app.screen.query_one("#items", VirtualTable)


async def test_overdue_then_due_soon_come_first(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="checklist")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ChecklistScreen)
        buckets = [r.bucket for r in _table(app).rows]
        assert buckets[0] == "overdue"
        order = {"overdue": 0, "soon": 1, "later": 2, "no_date": 3}
        assert buckets == sorted(buckets, key=order.__getitem__)
        assert "soon" in buckets and "later" in buckets
        dues = [r.item.due_date for r in _table(app).rows if r.bucket == "overdue"]
        assert dues == sorted(dues)
        count = str(app.screen.query_one("#count").render())
        assert f"{buckets.count('overdue')} te laat" in count


async def test_x_marks_done_and_the_step_leaves_the_open_list(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="checklist")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        first = _table(app).current.item
        await pilot.press("x")
        await pilot.pause()
        assert ws.get(ChecklistItem, first.id).status == "done"
        assert first.id not in {r.item.id for r in _table(app).rows}
        app.screen.query_one("#show").value = "closed"
        await pilot.pause()
        assert [r.item.id for r in _table(app).rows] == [first.id]


async def test_space_moves_the_status_on(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="checklist")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        item = _table(app).current.item
        await pilot.press("space")
        await pilot.pause()
        assert ws.get(ChecklistItem, item.id).status == "busy"
        assert _table(app).current.item.id == item.id  # the cursor stays on it


async def test_editing_a_step_validates_and_saves(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="checklist")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ItemForm)
        item_id = form.row.item.id
        form.query_one("#f-due_date").value = "volgende week"
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is form
        assert "geen datum" in str(form.query_one("#e-due_date").render())
        form.query_one("#f-due_date").value = "2026-05-15"
        form.query_one("#f-owner").value = "An [ICT] [/]"
        form.query_one("#f-note").text = "Integratieteam gemaild."
        form.query_one("#f-status").value = "blocked"
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ChecklistScreen)
        saved = ws.get(ChecklistItem, item_id)
        assert (saved.due_date, saved.owner, saved.status) == (
            "2026-05-15",
            "An [ICT] [/]",
            "blocked",
        )
        assert saved.note == "Integratieteam gemaild."


async def test_steps_of_a_block_no_longer_required_are_kept_apart(env):
    settings, ws, recs = env
    mapping.set_block_status(
        ws,
        "application",
        recs["a1"].id,
        "acm_idm",
        {"applicability": "not_applicable", "reason": "Geen aanmelding meer"},
        TODAY,
    )
    app = EloApp(settings, ws, start_mode="checklist")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not any(r.item.block == "acm_idm" for r in _table(app).rows)
        app.screen.query_one("#show").value = "obsolete"
        await pilot.pause()
        rows = _table(app).rows
        assert rows and all(r.item.block == "acm_idm" and r.bucket == "obsolete" for r in rows)


async def test_a_block_in_production_with_open_steps_shows_the_contradiction(env):
    """Issue 11: the checklist is not ticked off by the matrix; it says where they differ."""
    settings, ws, recs = env
    a1 = recs["a1"].id
    mapping.set_block_status(
        ws,
        "application",
        a1,
        "acm_idm",
        {"applicability": "required", "stage": "production", "target_date": "2026-04-10"},
        TODAY,
    )
    steps = [i for i in ws.list(ChecklistItem) if i.block == "acm_idm" and i.scope_id == a1]
    for item in steps[:-1]:  # all but the last step done
        checklists.save_item(ws, item, {"status": "done", "due_date": item.due_date}, TODAY)
    app = EloApp(settings, ws, start_mode="checklist")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        flagged = [r for r in _table(app).rows if r.contradiction]
        assert [r.item.id for r in flagged] == [steps[-1].id]
        assert str(_table(app)._cell(flagged[0], "status")).startswith("⚠")  # noqa: SLF001
        await app.workers.wait_for_complete()  # the contradictions are counted in a worker
        await pilot.pause()
        count = str(app.screen.query_one("#count").render())
        assert "⚠ 1 open terwijl de bouwsteen in productie is" in count
        table = _table(app)
        table.cursor_row = table.rows.index(flagged[0])
        await pilot.pause()
        detail = str(app.screen.query_one("#step-detail").render())
        assert "Bouwsteen staat in productie, maar stap" in detail
        await pilot.press("x")  # ticking it off ends the contradiction
        await pilot.pause()
        assert not [r for r in app.screen.rows if r.contradiction]
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "in productie" not in str(app.screen.query_one("#count").render())


async def test_open_steps_of_a_block_not_in_production_are_no_contradiction(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="checklist")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        rows = _table(app).rows
        assert any(r.item.block == "acm_idm" and r.block_stage == "analysis" for r in rows)
        assert not [r for r in rows if r.contradiction]
        assert "in productie" not in str(app.screen.query_one("#count").render())


async def test_counts_say_they_are_being_updated_then_follow_another_process(env):
    """The contradiction count comes from a worker: until then the line says so; a step
    changed by another connection shows when the screen is shown again."""
    from elo_tui.store import Workspace

    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="checklist")
    async with app.run_test(size=(120, 40)) as pilot:
        # The count load() started is done first: starting the (exclusive) worker again
        # below would cancel it mid-way, and waiting for a cancelled worker raises.
        await pilot.pause()
        await app.workers.wait_for_complete()
        screen = app.screen
        screen.reader._contradicting = None  # noqa: SLF001
        screen.counts = screen.reader.counts(contradictions=False)
        screen._show_count()  # noqa: SLF001 - the state right after the first frame
        assert "wordt bijgewerkt" in str(screen.query_one("#count").render())
        screen._count_contradictions()  # noqa: SLF001 - what load() starts after the frame
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "wordt bijgewerkt" not in str(screen.query_one("#count").render())
        before = len(_table(app).rows)
        with Workspace.open(ws.path, user="ander") as other:
            other.save(ChecklistItem(title="Van een ander proces", due_date="2020-01-01"))
        screen.on_screen_resume()  # shown again: the file changed, the agenda is read again
        await pilot.pause()
        assert len(_table(app).rows) == before + 1
        assert _table(app).rows[0].item.title == "Van een ander proces"  # overdue, first


async def test_search_finds_steps_by_title_and_scope(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="checklist")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        everything = len(_table(app).rows)
        await pilot.press("slash", *"subsidie", "enter")  # Enter searches at once
        await pilot.pause()
        rows = _table(app).rows
        assert 0 < len(rows) < everything
        assert all("subsidie" in f"{r.item.title} {r.scope_name}".casefold() for r in rows)
        count = str(app.screen.query_one("#count").render())
        assert count.startswith(f"{len(rows)} van ")


async def test_first_rows_before_the_full_order_then_scrolling_to_the_end(env, monkeypatch):
    """The first frame knows only the first rows' order (read from the step groups); the
    table still has every open step, the worker's full order arrives later, and End reaches
    the last step, in the Python agenda's order (also before the worker is done)."""
    settings, ws, recs = env
    ws.save_many(
        [
            ChecklistItem(title=f"Stap {i % 7}", due_date=f"2026-0{4 + i % 5}-0{1 + i % 9}")
            for i in range(300)
        ]
    )
    monkeypatch.setattr(checklists, "FIRST_ROWS", 100)  # the first page
    # The worker's full order is held back: the screen must not need it to scroll.
    monkeypatch.setattr(checklists, "agenda_order", lambda path, today: None)
    expected = [
        r.item.id
        for r in checklists.load_agenda(ws, TODAY)
        if r.bucket not in ("closed", "obsolete")
    ]
    app = EloApp(settings, ws, start_mode="checklist")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        rows = _table(app).rows
        assert not rows.complete and len(rows.ids) < len(expected)
        assert len(rows) == len(expected)
        count = str(app.screen.query_one("#count").render())
        assert count.startswith(f"{len(expected)} van ")
        assert _table(app).current.item.id == expected[0]
        await pilot.press("end")
        await pilot.pause()
        assert rows.complete
        assert _table(app).current.item.id == expected[-1]
        assert [r.item.id for r in rows] == expected
