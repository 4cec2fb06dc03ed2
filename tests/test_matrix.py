"""The block matrix as a person uses it, driven with Textual's Pilot."""

from __future__ import annotations

from datetime import date

import pytest

from blocks_support import small_workspace
from elo_tui.app import EloApp
from elo_tui.domain.records import BlockStatus, ChecklistItem
from elo_tui.screens.block_form import BlockForm
from elo_tui.screens.matrix import MatrixScreen
from elo_tui.widgets.matrix_table import MatrixTable

TODAY = date(2026, 3, 1)


@pytest.fixture
def env(settings, monkeypatch):
    monkeypatch.setenv("ELO_TUI_TODAY", "2026-03-01")
    ws, recs = small_workspace(settings.workspace_path("test"))
    yield settings, ws, recs
    ws.close()


def _lines(app) -> list[str]:
    table = app.screen.query_one(MatrixTable)
    return [table.render_line(y).text for y in range(table.size.height)]


def _line_of(app, name: str) -> str:
    return next(line for line in _lines(app) if name in line)


async def _goto(pilot, app, name: str, block: str) -> None:
    table = app.screen.query_one(MatrixTable)
    index = next(i for i, r in enumerate(table.rows) if r.name == name)
    table.move_to(index, block)
    await pilot.pause()


async def test_arrows_move_over_rows_and_block_columns(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MatrixScreen)
        table = app.screen.query_one(MatrixTable)
        assert table.has_focus
        assert (table.cursor_row, table.current_column) == (0, "acm_idm")
        # grouped: application row first, then its products
        assert [r.kind for r in table.rows[:4]] == ["application", "product", "product", "product"]
        await pilot.press("right", "right", "down")
        assert table.current_column == "vms"  # parts grouped per essential block
        assert table.cursor_row == 1
        await pilot.press("left", "left", "left")  # stops at the first block column
        assert table.current_column == "acm_idm"
        for _ in range(10):
            await pilot.press("right")
        assert table.current_column == "capacity_switch"
        detail = str(app.screen.query_one("#cell-detail").render())
        assert "capaciteitswissel" in detail


async def test_editing_an_application_block_updates_every_product_of_that_application(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _goto(pilot, app, "Subsidie A", "dosis")  # a product row: stored on its app
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, BlockForm)
        assert "3 producten" in str(form.query_one("#block-info").render())
        form.query_one("#f-applicability").value = "required"
        form.query_one("#f-stage").value = "test"
        form.query_one("#f-target_date").value = "2026-10-31"
        form.query_one("#f-evidence").value = "https://jira.voorbeeld.invalid/DOSIS-7"
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, MatrixScreen)
        stored = ws.list(BlockStatus)
        assert [(s.scope_kind, s.scope_id, s.block, s.stage) for s in stored] == [
            ("application", recs["a1"].id, "dosis", "test")
        ]
        # every product of Subsidieloket shows it, the other application's product does not
        for name in ("Subsidie A", "Subsidie B", "Gemengd D"):
            assert "◕ test" in _line_of(app, name)
        assert "◕ test" not in _line_of(app, "Vergunning C")
        # the checklist for DOSIS on that application exists now
        items = ws.list(ChecklistItem, where="scope_id = ?", params=(recs["a1"].id,))
        assert {i.template for i in items} == {"dosis"}


async def test_not_applicable_without_reason_keeps_the_form_open(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _goto(pilot, app, "Subsidie B", "vms")
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        form.query_one("#f-applicability").value = "not_applicable"
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is form
        assert "motivering" in str(form.query_one("#e-reason").render()).lower()
        assert ws.list(BlockStatus) == []
        form.query_one("#f-reason").value = "Geen derden die voor de onderneming optreden."
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, MatrixScreen)
        assert "– nvt" in _line_of(app, "Subsidie B")


async def test_the_reused_form_shows_the_cell_it_was_opened_on(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _goto(pilot, app, "Subsidie A", "vms")
        await pilot.press("enter")
        await pilot.pause()
        first = app.screen
        first.query_one("#f-applicability").value = "required"
        first.query_one("#f-note").text = "Boekhouders vragen erom."
        first.query_one("#f-target_date").value = "nog niet"
        await pilot.press("f2")  # refused: the error shows
        await pilot.pause()
        first.query_one("#f-target_date").value = "2026-09-30"
        await pilot.press("f2")
        await pilot.pause()
        await _goto(pilot, app, "Vergunning C", "toelatingen")
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert form is first  # reused, not rebuilt
        assert "Toelatingen (indien van toepassing) – Vergunning C" in str(
            form.query_one("#form-title").render()
        )
        assert form.query_one("#f-applicability").value == "undecided"
        assert form.query_one("#f-note").text == ""
        assert form.query_one("#f-target_date").value == ""
        assert str(form.query_one("#e-target_date").render()) == ""  # old error cleared
        assert not form.query_one("#scope-box").display
        await pilot.press("escape")
        await pilot.pause()
        await _goto(pilot, app, "Subsidie A", "vms")
        await pilot.press("enter")
        await pilot.pause()
        assert form.query_one("#f-note").text == "Boekhouders vragen erom."
        assert form.query_one("#f-target_date").value == "30/09/2026"  # stored ISO, shown Belgian


async def test_product_using_two_applications_asks_which_one(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _goto(pilot, app, "Gemengd D", "acm_idm")
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        scope = form.query_one("#f-scope")
        scope.value = f"application:{recs['a2'].id}"
        await pilot.pause()
        form.query_one("#f-applicability").value = "required"
        form.query_one("#f-stage").value = "production"
        await pilot.press("f2")
        await pilot.pause()
        status = ws.list(BlockStatus)[0]
        assert status.scope_id == recs["a2"].id
        # Vergunning C (on a2) is in production; Gemengd D still waits for Subsidieloket
        assert "● prod" in _line_of(app, "Vergunning C")
        assert "? ver" in _line_of(app, "Gemengd D")


async def test_v_takes_the_suggestion_of_an_undecided_cell(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _goto(pilot, app, "Subsidie A", "toelatingen")
        assert "? nvt" in _line_of(app, "Subsidie A")
        await pilot.press("v")
        await pilot.pause()
        status = ws.list(BlockStatus)[0]
        assert (status.block, status.applicability) == ("toelatingen", "not_applicable")
        assert "geen toelating" in status.reason  # the proposed reason, to edit later
        assert "– nvt" in _line_of(app, "Subsidie A")
        await pilot.press("v")  # already decided: nothing changes silently
        await pilot.pause()
        assert len(ws.list(BlockStatus)) == 1


async def test_deadline_and_application_filters(env):
    settings, ws, recs = env
    from elo_tui.services import mapping

    # Subsidieloket fully in production for January blocks, Vergunningenloket not.
    for block in ("acm_idm", "global_header", "dosis"):
        mapping.set_block_status(
            ws,
            "application",
            recs["a1"].id,
            block,
            {"applicability": "required", "stage": "production"},
            TODAY,
        )
    for p in ("p1", "p2"):
        for block, values in (
            ("vms", {"applicability": "not_applicable", "reason": "geen derden"}),
            ("toelatingen", {"applicability": "not_applicable", "reason": "geen toelating"}),
        ):
            mapping.set_block_status(ws, "product", recs[p].id, block, values, TODAY)
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        table = screen.query_one(MatrixTable)

        def products():
            return [r.name for r in table.rows if r.kind == "product"]

        await pilot.press("d")  # admission on 1 January 2027 ("nieuwe opname")
        await pilot.pause()
        assert products() == ["Vergunning C"]  # the one product not yet on ELO
        assert "1 januari 2027" in str(screen.query_one("#filter-summary").render())
        await pilot.press("d")  # blocks 30 June 2027: the capacity switch still undecided
        await pilot.pause()
        assert set(products()) == {"Gemengd D", "Subsidie A", "Subsidie B", "Vergunning C"}
        await pilot.press("d")  # back to everything
        await pilot.pause()
        assert len(products()) == 4
        # the dialog: only Vergunningenloket's products
        await pilot.press("f")
        await pilot.pause()
        app.screen.query_one("#app").value = recs["a2"].id
        await pilot.press("f2")
        await pilot.pause()
        assert products() == ["Gemengd D", "Vergunning C"]
        assert "Vergunningenloket" in str(screen.query_one("#filter-summary").render())
        await pilot.press("escape")
        await pilot.pause()
        assert len(products()) == 4
        await pilot.press("b")  # per block: ACM/IDM still open or undecided
        await pilot.pause()
        assert products() == ["Gemengd D", "Vergunning C"]


async def test_conform_count_follows_edits(env):
    settings, ws, recs = env
    from elo_tui.services import mapping

    p1 = recs["p1"]
    done = {"applicability": "forms_tool", "stage": "production"}
    for block in ("acm_idm", "capacity_switch", "global_header"):
        mapping.set_block_status(ws, "application", recs["a1"].id, block, done, TODAY)
    for block in ("product_rights", "vms", "toelatingen"):
        mapping.set_block_status(ws, "product", p1.id, block, done, TODAY)
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        count = app.screen.query_one("#count")
        assert "0 ELO-conform" in str(count.render())
        await _goto(pilot, app, "Subsidieloket", "dosis")  # the application row
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#f-applicability").value = "forms_tool"
        await pilot.press("f2")
        await pilot.pause()
        # a forms-tool route is a plan: it counts once it is in production
        assert "0 ELO-conform" in str(count.render())
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one("#f-stage").value = "production"
        await pilot.press("f2")
        await pilot.pause()
        assert "1 ELO-conform" in str(count.render())
        assert "ja" in _line_of(app, "Subsidie A")


async def test_product_names_are_shown_literally(env):
    settings, ws, recs = env
    p = recs["p1"]
    p.name = "Pilot [beta] [/]"
    ws.save(p)
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert any("Pilot [beta] [/]" in line for line in _lines(app))


async def test_filter_dialog_limits_the_matrix_to_one_application(settings):
    from elo_tui.app import EloApp
    from elo_tui.screens.matrix_filter import MatrixFilterScreen
    from elo_tui.services.workspaces import open_demo
    from elo_tui.widgets.matrix_table import MatrixTable

    ws = open_demo(settings)
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        matrix = app.screen
        before = matrix.query_one(MatrixTable).row_count
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, MatrixFilterScreen)
        app_id = next(i for i, n in dialog.app_names.items() if n.startswith("Heffingen"))
        dialog.query_one("#app").value = app_id
        await pilot.press("f2")
        await pilot.pause()
        assert matrix.filters.application == app_id
        assert 0 < matrix.query_one(MatrixTable).row_count < before
    ws.close()


async def test_vlaio_feedback_on_a_block_status_shows_in_its_edit_form(settings):
    from elo_tui.app import EloApp
    from elo_tui.domain.records import BlockStatus, Review
    from elo_tui.screens.block_form import BlockForm
    from elo_tui.services.workspaces import open_demo
    from elo_tui.widgets.matrix_table import MatrixTable
    from elo_tui.widgets.review_panel import ReviewPanel

    ws = open_demo(settings)
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(130, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(MatrixTable)
        row, block = table.current, table.current_column
        scope = app.screen.mapping.edit_scopes(row, block)[0]
        status = app.screen.mapping.status(*scope, block)
        assert status is not None
        ws.put_synced(
            [
                Review(
                    target_kind="block_status",
                    target_id=status.id,
                    verdict="issues",
                    comment="Bewijs [ontbreekt] voor productie",
                    dirty=False,
                    rev=1,
                )
            ]
        )
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BlockForm)
        panel = app.screen.query_one(ReviewPanel)
        assert not panel.has_class("-empty")
        assert "Bewijs [ontbreekt] voor productie" in str(panel.render())
    assert isinstance(status, BlockStatus)
    ws.close()


async def test_block_form_takes_a_belgian_target_date_and_shows_it_back(env):
    """Issue 11 §3: the Streefdatum is typed as 15/01/2027 (or 15-1-2027), stored ISO and
    shown as dd/mm/jjjj when the cell is edited again; a wrong date names the field."""
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _goto(pilot, app, "Subsidie A", "vms")
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, BlockForm)
        assert any(
            "Streefdatum in productie (dd/mm/jjjj)" in str(label.render())
            for label in form.query(".field-label")
        )
        form.query_one("#f-applicability").value = "required"
        field = form.query_one("#f-target_date")
        field.focus()
        await pilot.press(*"31/02/2027")  # typed, key by key
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is form and ws.list(BlockStatus) == []
        error = str(form.query_one("#e-target_date").render())
        assert error.startswith("Streefdatum:") and "bestaat niet als datum" in error
        field.value = ""
        await pilot.press(*"15/01/2027")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, MatrixScreen)
        [stored] = ws.list(BlockStatus)
        assert stored.target_date == "2027-01-15"
        await pilot.press("enter")
        await pilot.pause()
        assert form.query_one("#f-target_date").value == "15/01/2027"


async def test_history_snapshot_after_edits_is_written_off_the_ui_thread(env, monkeypatch):
    """The daily readiness entry (over a second at 20,000 products) is made in a worker
    on its own connection, from the saved data; keys do not wait for it."""
    import threading

    from elo_tui.services import mapping

    settings, ws, recs = env
    threads: list[int] = []
    apart = mapping.record_snapshot_apart

    def spy(*args):
        threads.append(threading.get_ident())
        return apart(*args)

    monkeypatch.setattr(mapping, "record_snapshot_apart", spy)
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _goto(pilot, app, "Subsidie A", "toelatingen")
        await pilot.press("v")
        await pilot.pause()
        app.screen.record_snapshot()  # what the timer does 2 s after the last edit
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert threads and threading.get_ident() not in threads
    from elo_tui.store import Workspace

    with Workspace.open(ws.path) as again:  # the app closed its connection
        expected = mapping.load_mapping(again, TODAY).summary(TODAY).snapshot()
        assert again.history()[-1] == (TODAY.isoformat(), expected)
    assert expected["blocks"]  # a real summary, with the edit in it
