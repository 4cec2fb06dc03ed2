"""Accept-all with preview in the matrix, and undo (ctrl+z) on the editing screens, as a
person uses them (Pilot); the field-level undo also at the store level."""

from __future__ import annotations

from datetime import date

import pytest

from blocks_support import small_workspace
from elo_tui.app import EloApp
from elo_tui.domain.records import BlockStatus, ChecklistItem, EstimateLine, Product
from elo_tui.screens.accept_all import AcceptAllDialog
from elo_tui.screens.matrix import MatrixScreen
from elo_tui.services import checklists, mapping, undo
from elo_tui.store import Workspace
from elo_tui.widgets.matrix_table import MatrixTable
from elo_tui.widgets.virtual_table import VirtualTable

TODAY = date(2026, 3, 1)


@pytest.fixture
def env(settings, monkeypatch):
    monkeypatch.setenv("ELO_TUI_TODAY", TODAY.isoformat())
    ws, recs = small_workspace(settings.workspace_path("test"))
    yield settings, ws, recs
    ws.close()


def _notes(app) -> list[str]:
    return [n.message for n in app._notifications]


def _live(ws, kind) -> list:
    return ws.list(kind)


async def _goto(pilot, app, name: str, block: str = "toelatingen") -> None:
    table = app.screen.query_one(MatrixTable)
    index = next(i for i, r in enumerate(table.rows) if r.name == name)
    table.move_to(index, block)
    await pilot.pause()


async def _open_accept_all(pilot, app) -> AcceptAllDialog:
    await pilot.press("V")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, AcceptAllDialog)
    return dialog


# -- accept-all ---------------------------------------------------------------------------------


async def test_accept_all_for_a_product_cancel_changes_nothing_confirm_takes_three(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await _goto(pilot, app, "Subsidie A")
        dialog = await _open_accept_all(pilot, app)
        scopes = str(dialog.query_one("#scopes").render())
        # counts per scope: the product's 3 cells; its application's 4 + 3 x 3 products
        assert "dit product (Subsidie A): 3 cellen" in scopes
        assert "(Subsidieloket): 13 cellen" in scopes
        assert "alles (alle toepassingen en producten): 20 cellen" in scopes
        preview = str(dialog.query_one("#preview").render())
        assert (
            "Subsidie A · Toelatingen (indien van toepassing): niet ingevuld → niet van toepassing"
            in preview
        )
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MatrixScreen)
        assert _live(ws, BlockStatus) == []
        await _open_accept_all(pilot, app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MatrixScreen)
        saved = _live(ws, BlockStatus)
        assert {(s.scope_id, s.block) for s in saved} == {
            (recs["p1"].id, b) for b in ("product_rights", "vms", "toelatingen")
        }
        assert any("3 voorstellen overgenomen voor Subsidie A" in n for n in _notes(app))
        table = app.screen.query_one(MatrixTable)
        line = next(
            table.render_line(y).text
            for y in range(table.size.height)
            if "Subsidie A" in table.render_line(y).text
        )
        assert "– nvt" in line  # the cell shows the decision, no longer the suggestion


async def test_accept_all_for_an_application_never_overwrites_a_decided_cell(env):
    settings, ws, recs = env
    # A person decided Subsidie A's toelatingen (against the suggestion 'niet van toepassing').
    mapping.set_block_status(
        ws, "product", recs["p1"].id, "toelatingen", {"applicability": "required"}, TODAY
    )
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await _goto(pilot, app, "Subsidieloket", "dosis")  # the application's own row
        dialog = await _open_accept_all(pilot, app)
        assert dialog.scope == "application"  # no product scope on an application row
        await pilot.press("p")  # refused with a message, the choice stays
        await pilot.pause()
        assert dialog.scope == "application"
        await pilot.press("escape")
        await pilot.pause()
        assert len(_live(ws, BlockStatus)) == 1
        dialog = await _open_accept_all(pilot, app)
        assert "(Subsidieloket): 12 cellen" in str(dialog.query_one("#scopes").render())
        await pilot.press("enter")
        await pilot.pause()
        statuses = _live(ws, BlockStatus)
        assert len(statuses) == 13
        decided = next(
            s for s in statuses if s.scope_id == recs["p1"].id and s.block == "toelatingen"
        )
        assert decided.applicability == "required"
        assert not any(s.scope_id == recs["p3"].id for s in statuses)  # other application


async def test_accept_all_everything_then_one_undo_reverts_all_of_it(env):
    settings, ws, recs = env
    checklists.sync_all(ws, TODAY)
    items_before = {i.id: (i.status, i.obsolete) for i in _live(ws, ChecklistItem)}
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await _goto(pilot, app, "Vergunning C")
        await _open_accept_all(pilot, app)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("escape")  # cancel: nothing changes, no undo step
        await pilot.pause()
        assert _live(ws, BlockStatus) == [] and undo.depth(ws) == 0
        dialog = await _open_accept_all(pilot, app)
        await pilot.press("a")
        await pilot.pause()
        assert dialog.scope == "all"
        await pilot.press("enter")
        await pilot.pause()
        assert len(_live(ws, BlockStatus)) == 20
        assert len(_live(ws, ChecklistItem)) > len(items_before)  # required blocks: steps
        assert undo.depth(ws) == 1  # one transaction, one step
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert _live(ws, BlockStatus) == []
        assert {i.id: (i.status, i.obsolete) for i in _live(ws, ChecklistItem)} == items_before
        assert any(
            n.startswith("Ongedaan gemaakt: alle voorstellen overnemen voor alle")
            for n in _notes(app)
        )
        table = app.screen.query_one(MatrixTable)
        assert all(
            "– nvt" not in table.render_line(y).text for y in range(table.size.height)
        )  # the matrix shows the suggestions again
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert _notes(app)[-1] == "Er is niets om ongedaan te maken."


async def test_a_large_accept_all_and_its_undo_run_in_a_worker_with_a_notice(env, monkeypatch):
    settings, ws, recs = env
    monkeypatch.setattr(undo, "LARGE", 5)  # 20 cells count as large here
    from elo_tui.screens import busy

    notices = []
    real_run_busy = busy.run_busy

    def spy(app, message, job, done):
        notices.append(message)
        real_run_busy(app, message, job, done)

    monkeypatch.setattr(busy, "run_busy", spy)
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await _open_accept_all(pilot, app)
        await pilot.press("a", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, MatrixScreen)  # the notice is gone again
        assert len(_live(ws, BlockStatus)) == 20
        assert any("20 voorstellen overgenomen" in n for n in _notes(app))
        assert undo.depth(ws) == 1  # recorded on the worker's connection, kept here
        assert notices == ["Bezig met 20 voorstellen overnemen…"]
        await pilot.press("ctrl+z")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, MatrixScreen)
        assert _live(ws, BlockStatus) == []
        assert undo.depth(ws) == 0
        assert notices[1].startswith("Bezig met ongedaan maken (102 gegevens)")
        assert any(n.startswith("Ongedaan gemaakt: alle voorstellen") for n in _notes(app))


# -- undo on the editing screens ------------------------------------------------------------------


async def test_nothing_to_undo_says_so(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert _notes(app) == ["Er is niets om ongedaan te maken."]


async def test_undo_a_matrix_status_change_names_the_cell(env):
    settings, ws, recs = env
    mapping.set_block_status(
        ws, "application", recs["a1"].id, "dosis", {"applicability": "undecided"}, TODAY
    )
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await _goto(pilot, app, "Subsidieloket", "dosis")
        await pilot.press("v")  # suggestion: required
        await pilot.pause()
        stored = next(s for s in _live(ws, BlockStatus) if s.block == "dosis")
        assert stored.applicability == "required"
        await pilot.press("ctrl+z")
        await pilot.pause()
        restored = ws.get(BlockStatus, stored.id)
        assert (restored.applicability, restored.deleted, restored.dirty) == (
            "undecided",
            False,
            True,  # goes out with the next sync, like any edit
        )
        assert any(
            n.startswith(
                "Ongedaan gemaakt: status Dossierstatusinformatiesysteem (DOSIS) "
                "van 'Subsidieloket'"
            )
            for n in _notes(app)
        ), _notes(app)


async def test_undo_a_product_edit_in_the_inventory(demo_ws, settings):
    app = EloApp(settings, demo_ws, start_mode="inventory")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(VirtualTable)
        first = demo_ws.get(Product, table.current.id)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#f-name").value = "Hernoemd product"
        await pilot.press("f2")
        await pilot.pause()
        assert demo_ws.get(Product, first.id).name == "Hernoemd product"
        await pilot.press("ctrl+z")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert demo_ws.get(Product, first.id).name == first.name
        assert any("product 'Hernoemd product'" in n for n in _notes(app))


async def test_undo_a_checklist_step(env):
    settings, ws, recs = env
    checklists.sync_all(ws, TODAY)
    app = EloApp(settings, ws, start_mode="checklist")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        item = app.screen.query_one("#items", VirtualTable).current.item
        before = item.status  # the screen changes its own object in place
        assert before != "done"
        await pilot.press("x")
        await pilot.pause()
        assert ws.get(ChecklistItem, item.id).status == "done"
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert ws.get(ChecklistItem, item.id).status == before
        assert item.id in {r.item.id for r in app.screen.query_one("#items", VirtualTable).rows}
        assert any("checklist-stap" in n for n in _notes(app))


async def test_undo_a_cost_line_edit(demo_ws, settings):
    app = EloApp(settings, demo_ws, start_mode="costs")
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#lines", VirtualTable)
        table.focus()
        index = next(i for i, r in enumerate(table.rows) if r.line.method == "three_point")
        table.cursor_row = index
        before = demo_ws.get(EstimateLine, table.current.line.id)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#f-likely_days").value = str((before.likely_days or 0) + 7)
        app.screen.query_one("#f-pessimistic_days").value = str((before.likely_days or 0) + 50)
        await pilot.press("f2")
        await pilot.pause()
        await app.workers.wait_for_complete()
        changed = demo_ws.get(EstimateLine, before.id)
        assert changed.likely_days == (before.likely_days or 0) + 7
        await pilot.press("ctrl+z")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        after = demo_ws.get(EstimateLine, before.id)
        assert (after.likely_days, after.pessimistic_days, after.assumed) == (
            before.likely_days,
            before.pessimistic_days,
            before.assumed,
        )
        assert any("kostenlijn" in n for n in _notes(app))


async def test_undo_goes_back_twenty_steps_then_says_there_is_nothing_more(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        for n in range(undo.MAX_STEPS + 2):  # 22 edits: the oldest two fall off
            mapping.set_block_status(
                ws,
                "product",
                recs["p1"].id,
                "vms",
                {"applicability": "required", "note": str(n)},
                TODAY,
            )
        assert undo.depth(ws) == undo.MAX_STEPS
        for _ in range(undo.MAX_STEPS):
            await pilot.press("ctrl+z")
            await pilot.pause()
        status = next(s for s in _live(ws, BlockStatus) if s.block == "vms")
        assert status.note == "1"  # back to after the second edit: the first two are gone
        assert _notes(app)[-1].endswith("(nog 0 van max. 20)")
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert _notes(app)[-1] == "Er is niets om ongedaan te maken."
        assert next(s for s in _live(ws, BlockStatus) if s.block == "vms").note == "1"


async def test_undo_is_in_the_palette_and_the_help(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Ongedaan maken" in titles
        assert "Alle voorstellen overnemen" in titles
        from elo_tui.keymap import screen_entries

        app_keys = {e.id: e for e in screen_entries(app.screen, app_level=True)}
        assert app_keys["app.undo"].description == "Ongedaan maken"
        screen_keys = {e.id: e for e in screen_entries(app.screen)}
        assert screen_keys["matrix.accept_all"].keys == "V"


# -- store level -------------------------------------------------------------------------------


def test_undo_restores_only_its_own_fields_and_keeps_a_later_sync_change(tmp_path):
    ws = Workspace.open(tmp_path / "u.elo", create=True, user="tester")
    try:
        product = Product(name="Oud", description="Uitleg", notes="An")
        ws.save(product)
        stack = undo.attach(ws)
        edit = ws.get(Product, product.id)
        edit.name = "Nieuw"
        edit.notes = "Bo"
        ws.save(edit)
        assert len(stack.steps) == 1
        # Then a sync (another connection) changes another field and one of ours.
        other = Workspace.open(tmp_path / "u.elo", user="sync")
        synced = other.get(Product, product.id)
        synced.description = "Uitleg van de tracker"
        synced.notes = "Cas"
        other.put_synced([synced])
        other.close()
        result = undo.undo(ws)
        assert result is not None
        now = ws.get(Product, product.id)
        assert now.name == "Oud"  # ours: restored
        assert now.description == "Uitleg van de tracker"  # not ours: untouched
        assert now.notes == "Cas"  # changed since by the sync: left, and said so
        assert result.kept == ["product 'Nieuw': notities"]
        assert "Niet teruggezet" in result.message()
        assert now.dirty
        assert undo.undo(ws) is None
    finally:
        ws.close()


def test_a_rolled_back_edit_is_no_undo_step(tmp_path):
    ws = Workspace.open(tmp_path / "r.elo", create=True, user="tester")
    try:
        stack = undo.attach(ws)
        with pytest.raises(RuntimeError), ws.transaction():
            ws.save(Product(name="Half"))
            raise RuntimeError("stop")
        assert len(stack.steps) == 0
        ws.save(Product(name="Heel"))
        assert len(stack.steps) == 1
        undo.undo(ws)
        assert ws.list(Product) == []  # a new record is undone as a tombstone
    finally:
        ws.close()


def test_undo_of_deleting_an_application_brings_back_its_links_and_statuses(tmp_path):
    from elo_tui.domain.records import Application
    from elo_tui.services import inventory

    ws, recs = small_workspace(tmp_path / "d.elo")
    try:
        mapping.set_block_status(
            ws, "application", recs["a1"].id, "dosis", {"applicability": "required"}, TODAY
        )
        undo.attach(ws)
        assert inventory.delete_application(ws, recs["a1"].id) == 3
        assert ws.get(Application, recs["a1"].id).deleted
        assert not any(s.block == "dosis" for s in _live(ws, BlockStatus))
        result = undo.undo(ws)
        assert result is not None
        assert result.label.startswith("verwijderen van toepassing 'Subsidieloket' en ")
        assert not ws.get(Application, recs["a1"].id).deleted
        assert ws.get(Product, recs["p1"].id).request_application_id == recs["a1"].id
        assert ws.get(Product, recs["p4"].id).followup_application_id == recs["a2"].id
        assert any(s.block == "dosis" for s in _live(ws, BlockStatus))
    finally:
        ws.close()


async def test_undo_from_the_command_palette(env):
    from textual.command import CommandInput

    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await _goto(pilot, app, "Subsidie A")
        await pilot.press("v")
        await pilot.pause()
        assert len(_live(ws, BlockStatus)) == 1
        await pilot.press("ctrl+p")
        await pilot.pause()
        app.screen.query_one(CommandInput).value = "Ongedaan maken"
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, MatrixScreen)
        assert _live(ws, BlockStatus) == []
        assert any(
            n.startswith(
                "Ongedaan gemaakt: toevoegen van status Toelatingen (indien van toepassing) "
                "van 'Subsidie A'"
            )
            for n in _notes(app)
        ), _notes(app)


def test_accept_all_leaves_a_cell_decided_after_the_preview_was_made(tmp_path):
    ws, recs = small_workspace(tmp_path / "p.elo")
    try:
        m = mapping.load_mapping(ws, TODAY)
        row = next(r for r in m.rows if r.name == "Subsidie A")
        name, cells = mapping.accept_scopes(m, row)["product"]
        plan = mapping.plan_accept(m, "product", name, cells)
        assert len(plan.allowed) == 3
        # Meanwhile (another screen, a sync) a person decides one of those cells.
        mapping.set_block_status(
            ws,
            "product",
            recs["p1"].id,
            "vms",
            {"applicability": "not_applicable", "reason": "Geen derden."},
            TODAY,
        )
        saved = mapping.accept_all(ws, plan, TODAY)
        assert sorted(s.block for s in saved) == ["product_rights", "toelatingen"]
        vms = next(s for s in _live(ws, BlockStatus) if s.block == "vms")
        assert (vms.applicability, vms.reason) == ("not_applicable", "Geen derden.")
    finally:
        ws.close()
