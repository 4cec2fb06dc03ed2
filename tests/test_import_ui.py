"""The import wizard as a person uses it, driven with Textual's Pilot."""

from __future__ import annotations

import asyncio

from textual.widgets import Select, Static

from elo_tui.app import EloApp
from elo_tui.domain.records import Agency, Application, Product
from elo_tui.screens.import_wizard import ImportWizard
from elo_tui.screens.inventory import InventoryScreen
from elo_tui.services.workspaces import create
from elo_tui.widgets.virtual_table import VirtualTable

CSV = (
    "Productenlijst (export)\r\n"
    "\r\n"
    "Productnaam;Soort;Jaarvolume;Aanvragen via\r\n"
    "Groeisubsidie [beta];Subsidie;45.000;Subsidieloket\r\n"
    "Uitleendienst;Kwispel;12;\r\n"
    ";Heffing;5;\r\n"
    "Waterheffing;Heffing;7.300;Heffingenportaal\r\n"
    "Bodemattest;Attest;12/03/2025;\r\n"
)


def _status(app) -> str:
    return str(app.screen.query_one("#wizard-status", Static).render())


def _table_text(screen, selector: str) -> str:
    table = screen.query_one(selector, VirtualTable)
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


async def _settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def test_wizard_imports_a_file_and_products_appear(settings, tmp_path):
    path = tmp_path / "producten.csv"
    path.write_bytes(CSV.encode("cp1252"))
    ws = create(settings, Agency(name="Agentschap Test"))

    async def scenario() -> None:
        app = EloApp(settings, ws, start_mode="inventory")
        async with app.run_test(size=(140, 45)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, InventoryScreen)
            await pilot.press("i")
            await pilot.pause()
            wizard = app.screen
            assert isinstance(wizard, ImportWizard)
            footer_keys = {b.binding.description for b in wizard.active_bindings.values()}
            assert {"Volgende", "Annuleren"} <= footer_keys

            # step 1: validation messages for no path and a missing file
            await pilot.press("f2")
            await _settle(app, pilot)
            assert "Geef het pad" in _status(app)
            wizard.query_one("#path").value = str(tmp_path / "weg.csv")
            await pilot.press("f2")
            await _settle(app, pilot)
            assert "bestaat niet" in _status(app)
            assert wizard.step == "step-file"

            wizard.query_one("#path").value = str(path)
            await pilot.press("enter")
            await _settle(app, pilot)

            # step 2: the proposal, and a value nobody recognised mapped by hand
            assert wizard.step == "step-mapping"
            assert wizard.query_one("#col-name", Select).value == "Productnaam"
            assert wizard.query_one("#col-yearly_volume", Select).value == "Jaarvolume"
            assert wizard.query_one("#col-ipdc_type", Select).value == "Soort"
            value_selects = {wizard._value_keys[s.id][1]: s for s in wizard.query("#values Select")}
            assert value_selects["Subsidie"].value == "FinancieelVoordeel"
            assert value_selects["Kwispel"].value is Select.NULL
            value_selects["Kwispel"].value = "Voorwerp"
            await pilot.pause()
            assert wizard.mapping.values["ipdc_type"]["Kwispel"] == "Voorwerp"

            # step 3: preview and rejected rows
            await pilot.press("f2")
            await _settle(app, pilot)
            assert wizard.step == "step-preview"
            summary = str(wizard.query_one("#summary", Static).render())
            assert "4 nieuw" in summary and "1 geweigerd" in summary
            assert "1 product te controleren" in summary
            assert "Groeisubsidie [beta]" in _table_text(wizard, "#preview")
            problems = _table_text(wizard, "#rejected")
            assert "geweigerd" in problems and "Naam is verplicht" in problems
            assert "te controleren" in problems and "Jaarvolume — rij 8" in problems
            assert ws.count(Product) == 0  # nothing saved before the person confirms

            await pilot.press("f2")
            await _settle(app, pilot)
            assert wizard.step == "step-done"
            assert "4 nieuw" in str(wizard.query_one("#result", Static).render())
            assert "Jaarvolume — rij 8" in _table_text(wizard, "#done-rejected")
            assert {p.name for p in ws.list(Product)} == {
                "Groeisubsidie [beta]",
                "Uitleendienst",
                "Waterheffing",
                "Bodemattest",
            }
            assert ws.count(Application) == 2

            await pilot.press("escape")
            await _settle(app, pilot)
            assert isinstance(app.screen, InventoryScreen)
            shown = _table_text(app.screen, "#products")
            assert "Groeisubsidie [beta]" in shown and "45.000" in shown
            assert "! Bodemattest" in shown  # marked: te controleren

    asyncio.run(scenario())


def test_wizard_refuses_a_binary_file_and_goes_back_from_mapping(settings, tmp_path):
    garbage = tmp_path / "foto.csv"
    garbage.write_bytes(bytes(range(256)) * 8)
    good = tmp_path / "ok.csv"
    good.write_text("Kleur;Gewicht\nrood;5\n", encoding="utf-8")
    ws = create(settings, Agency(name="Agentschap Test"))

    async def scenario() -> None:
        app = EloApp(settings, ws, start_mode="inventory")
        async with app.run_test(size=(140, 45)) as pilot:
            await pilot.pause()
            app.push_screen(ImportWizard(path=str(garbage)))
            await pilot.pause()
            wizard = app.screen
            await pilot.press("f2")
            await _settle(app, pilot)
            assert "geen tabel" in _status(app) and wizard.step == "step-file"

            wizard.query_one("#path").value = str(good)
            await pilot.press("f2")
            await _settle(app, pilot)
            assert wizard.step == "step-mapping"
            # no column for the name: the wizard says so and stays on the mapping
            await pilot.press("f2")
            await _settle(app, pilot)
            assert wizard.step == "step-mapping"
            assert "Geen kolom voor de productnaam" in _status(app)
            wizard.query_one("#col-name", Select).value = "Kleur"
            await pilot.pause()
            await pilot.press("f2")
            await _settle(app, pilot)
            assert wizard.step == "step-preview"
            await pilot.press("f3")
            await pilot.pause()
            assert wizard.step == "step-mapping"
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, InventoryScreen)
            assert ws.count(Product) == 0

    asyncio.run(scenario())
