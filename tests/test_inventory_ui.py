"""The inventory as a person uses it, driven with Textual's Pilot."""

from elo_tui.app import EloApp
from elo_tui.domain.records import Product
from elo_tui.screens.first_run import FirstRunScreen
from elo_tui.screens.inventory import InventoryScreen
from elo_tui.screens.product_form import ProductForm
from elo_tui.widgets.virtual_table import VirtualTable


def _table_text(app) -> str:
    table = app.screen.query_one(VirtualTable)
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


async def _type(pilot, text):
    for ch in text:
        await pilot.press(ch if ch != " " else "space")


async def test_first_run_creates_a_workspace_after_fixing_a_bad_ovo_code(settings):
    app = EloApp(settings, None, start_mode="inventory")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, FirstRunScreen)
        app.screen.query_one("#f-name").value = "Agentschap Test"
        app.screen.query_one("#f-ovo_code").value = "OVO12"
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, FirstRunScreen)
        assert "OVO" in str(app.screen.query_one("#e-ovo_code").render())
        app.screen.query_one("#f-ovo_code").value = "OVO001234"
        await pilot.press("f2")
        await pilot.pause()
        await pilot.pause()
        assert app.ws is not None
        assert app.ws.agency().ovo_code == "OVO001234"
        assert settings.workspace_path("agentschap-test").exists()


async def test_add_product_shows_field_errors_then_saves(demo_ws, settings):
    app = EloApp(settings, demo_ws, start_mode="inventory")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, InventoryScreen)
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ProductForm)
        form.query_one("#f-yearly_volume").value = "veel"
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is form  # nothing invalid is saved, the form stays
        assert "verplicht" in str(form.query_one("#e-name").render())
        assert "geen getal" in str(form.query_one("#e-yearly_volume").render())
        form.query_one("#f-name").value = "Pilot [beta] [/]"
        form.query_one("#f-yearly_volume").value = "45.000"
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, InventoryScreen)
        saved = [p for p in demo_ws.list(Product) if p.name == "Pilot [beta] [/]"]
        assert len(saved) == 1 and saved[0].yearly_volume == 45000
        # user text is shown literally, markup-looking or not
        assert "Pilot [beta] [/]" in _table_text(app)
        assert "45.000" in _table_text(app)


async def test_edit_and_delete_with_confirmation(demo_ws, settings):
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
        # cursor follows the edited product wherever it sorts to
        assert table.current.id == first.id
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("n")  # no: nothing happens
        await pilot.pause()
        assert demo_ws.get(Product, first.id).deleted is False
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("j")
        await pilot.pause()
        assert demo_ws.get(Product, first.id).deleted is True
        assert "Hernoemd product" not in _table_text(app)


async def test_filter_narrows_the_table_and_escape_clears_it(demo_ws, settings):
    app = EloApp(settings, demo_ws, start_mode="inventory")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        total = demo_ws.count(Product)
        await pilot.press("slash")
        await _type(pilot, "heffing")
        await pilot.pause()
        table = app.screen.query_one(VirtualTable)
        names = [e.name for e in table.rows]
        assert names and all("heffing" in n.lower() for n in names)
        assert f"{len(names)} van {total} producten" in str(app.screen.query_one("#count").render())
        await pilot.press("enter")  # back to the table
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == total


async def test_sorting_by_volume_orders_rows(demo_ws, settings):
    app = EloApp(settings, demo_ws, start_mode="inventory")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        screen._sort("volume", True)
        await pilot.pause()
        vols = [e.yearly_volume for e in screen.query_one(VirtualTable).rows]
        assert vols == sorted(vols, reverse=True)
        await pilot.press("r")
        vols = [e.yearly_volume for e in screen.query_one(VirtualTable).rows]
        assert vols == sorted(vols)


async def test_first_screen_is_painted_before_the_index_and_typing_early_is_kept(demo_ws, settings):
    app = EloApp(settings, demo_ws, start_mode="inventory")
    async with app.run_test(size=(140, 45)) as pilot:
        screen = app.screen
        await pilot.press("slash")
        await _type(pilot, "erkenning")
        await app.workers.wait_for_complete()
        await pilot.pause()
        rows = screen.query_one(VirtualTable).rows
        assert 0 < len(rows) < demo_ws.count(Product)
        # matched in the name or, as here, the application ("Erkenningendatabank")
        assert all("erkenning" in (e.name + e.app_label).lower() for e in rows)


async def test_filter_dialog_limits_by_type_and_application(demo_ws, settings):
    from elo_tui.domain import codelists
    from elo_tui.screens.product_filter import ProductFilterScreen

    app = EloApp(settings, demo_ws, start_mode="inventory")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        await pilot.press("f")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ProductFilterScreen)
        toelating = codelists.find(codelists.PRODUCT_TYPES, "Toelating").uri
        dialog.query_one("#type").value = toelating
        await pilot.press("f2")
        await pilot.pause()
        rows = screen.query_one(VirtualTable).rows
        assert rows and all(e.type_uri == toelating for e in rows)
        assert "Toelating" in str(screen.query_one("#filter-summary").render())


def test_inventory_snapshot(demo_ws, settings, snap_compare):
    """How the inventory looks with the demo data: nav bar, search, table, key bar."""

    async def ready(pilot):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    app = EloApp(settings, demo_ws, start_mode="inventory")
    assert snap_compare(app, terminal_size=(120, 34), run_before=ready)


def test_deleting_a_product_removes_its_block_statuses_and_closes_its_checklist(demo_ws):
    from elo_tui.domain.records import BlockStatus, ChecklistItem
    from elo_tui.services import inventory

    status = next(s for s in demo_ws.list(BlockStatus) if s.scope_kind == "product")
    product_id = status.scope_id
    items = demo_ws.list(ChecklistItem, where="scope_id = ?", params=(product_id,))
    inventory.delete_product(demo_ws, product_id)
    assert demo_ws.list(BlockStatus, where="scope_id = ?", params=(product_id,)) == []
    after = demo_ws.list(ChecklistItem, where="scope_id = ?", params=(product_id,))
    assert len(after) == len(items) and all(i.obsolete for i in after)


async def test_agency_name_with_markup_characters_is_shown_literally(demo_ws, settings):
    agency = demo_ws.agency()
    agency.name = "Agentschap [Test] [/] pilot"
    demo_ws.save(agency)
    app = EloApp(settings, demo_ws, start_mode="dashboard")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen_text = app.export_screenshot().replace("&#160;", " ")
        assert "Agentschap [Test] [/] pilot" in screen_text


async def test_a_storage_failure_on_delete_is_reported_and_the_app_keeps_running(
    demo_ws, settings, monkeypatch
):
    from elo_tui.services import inventory
    from elo_tui.store import WorkspaceError

    def locked(ws, product_id):
        raise WorkspaceError("Werkruimte is vergrendeld door een ander programma.")

    monkeypatch.setattr(inventory, "delete_product", locked)
    app = EloApp(settings, demo_ws, start_mode="inventory")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(VirtualTable)
        before = table.row_count
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("j")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, InventoryScreen)
        assert table.row_count == before
        assert any("vergrendeld" in str(n.message) for n in app._notifications)


async def test_products_to_check_are_marked_filtered_and_cleared_in_the_form(demo_ws, settings):
    from textual.widgets import SelectionList

    from elo_tui.domain.to_check import problem_line

    volume_line = problem_line("yearly_volume", 7, "Aantal", "12/03/2025", "een datum")
    type_line = problem_line("ipdc_type", 7, "Soort", "Lening", "niet herkend")
    flagged = Product(name="Starterslening [x]", to_check=[volume_line, type_line])
    demo_ws.save(flagged)
    total = demo_ws.count(Product)
    app = EloApp(settings, demo_ws, start_mode="inventory")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert "1 te controleren" in str(screen.query_one("#count").render())
        await pilot.press("t")  # quick key: only the products to check
        await pilot.pause()
        table = screen.query_one(VirtualTable)
        assert [e.id for e in table.rows] == [flagged.id]
        assert "! Starterslening [x]" in _table_text(app)
        assert "te controleren" in str(screen.query_one("#filter-summary").render())

        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        problems = form.query_one("#to-check", SelectionList)
        assert problems.selected == [volume_line, type_line]
        form.query_one("#f-yearly_volume").value = "1.200"  # the volume is corrected
        await pilot.press("f2")
        await pilot.pause()
        assert demo_ws.get(Product, flagged.id).to_check == [type_line]
        assert [e.id for e in table.rows] == [flagged.id]  # still to check: the type

        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#to-check", SelectionList).deselect_all()  # checked: fine
        await pilot.press("f2")
        await pilot.pause()
        saved = demo_ws.get(Product, flagged.id)
        assert saved.to_check == [] and saved.yearly_volume == 1200
        assert table.row_count == 0
        await pilot.press("t")
        await pilot.pause()
        assert table.row_count == total
        assert "te controleren" not in str(screen.query_one("#count").render())


async def test_filter_dialog_can_limit_to_products_to_check(demo_ws, settings):
    from elo_tui.screens.product_filter import ProductFilterScreen

    flagged = demo_ws.save(Product(name="Nakijken", to_check=["Type — rij 2: niet herkend."]))
    app = EloApp(settings, demo_ws, start_mode="inventory")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, ProductFilterScreen)
        app.screen.query_one("#to-check").value = "yes"
        await pilot.press("f2")
        await pilot.pause()
        assert [e.id for e in screen.query_one(VirtualTable).rows] == [flagged.id]
        await pilot.press("escape")  # clears every filter
        await pilot.pause()
        assert screen.query_one(VirtualTable).row_count == demo_ws.count(Product)
