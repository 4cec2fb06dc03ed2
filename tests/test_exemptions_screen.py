"""The register of exemptions and delays, and the new form fields, driven with Pilot."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, TextArea

from blocks_support import small_workspace
from elo_tui.app import EloApp
from elo_tui.domain.records import Application, BlockStatus, Delay, Exemption, Review
from elo_tui.screens.applications import ApplicationForm
from elo_tui.screens.exemptions import DelayForm, ExemptionForm, ExemptionsScreen
from elo_tui.widgets.virtual_table import VirtualTable


@pytest.fixture
def env(settings, monkeypatch):
    monkeypatch.setenv("ELO_TUI_TODAY", "2026-03-01")
    ws, recs = small_workspace(settings.workspace_path("test"))
    yield settings, ws, recs
    ws.close()


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _rows(app) -> list:
    return list(app.screen.query_one(VirtualTable).rows)


async def test_register_adds_an_exemption_and_shows_it_requested(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="exemptions")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        assert isinstance(app.screen, ExemptionsScreen)
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ExemptionForm)
        await pilot.press("f2")  # nothing filled in: Dutch messages, nothing saved
        await pilot.pause()
        assert "Kies" in str(form.query_one("#e-scope").render())
        assert "gegronde reden" in str(form.query_one("#e-ground").render()).lower()
        assert ws.list(Exemption) == []
        form.query_one("#f-scope", Select).value = f"application:{recs['a2'].id}"
        form.query_one("#f-subject", Select).value = "dosis"
        form.query_one("#f-ground", TextArea).text = "Toepassing wordt in 2028 vervangen."
        form.query_one("#f-decision_body", Select).value = "stuurgroep"
        await pilot.press("f2")
        await _settle(pilot)
        assert isinstance(app.screen, ExemptionsScreen)
        [saved] = ws.list(Exemption)
        assert (saved.scope_kind, saved.scope_id, saved.subject) == (
            "application",
            recs["a2"].id,
            "dosis",
        )
        [row] = _rows(app)
        assert row.cell("status") == "gevraagd"
        assert "Vergunningenloket" in row.cell("scope")


async def test_register_shows_vlaios_decision_and_comment(env):
    settings, ws, recs = env
    e = Exemption(scope_kind="product", scope_id=recs["p3"].id, subject="toelatingen", ground="g")
    ws.save(e)
    ws.put_synced(
        [
            Review(
                target_kind="exemption",
                target_id=e.id,
                verdict="refused",
                comment="Onvoldoende gemotiveerd.",
                reviewer="Vera",
                created_at="2026-02-20T10:00:00Z",
                dirty=False,
            )
        ]
    )
    app = EloApp(settings, ws, start_mode="exemptions")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        [row] = _rows(app)
        assert row.cell("status") == "geweigerd"
        detail = str(app.screen.query_one("#register-detail").render())
        assert "Onvoldoende gemotiveerd." in detail and "Vera" in detail


async def test_register_adds_edits_and_deletes_a_delay(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="exemptions")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("v")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, DelayForm)
        form.query_one("#f-scope", Select).value = f"product:{recs['p1'].id}"
        form.query_one("#f-subject", Select).value = "sso"
        form.query_one("#f-delay_kind", Select).value = "budgetary"
        form.query_one("#f-new_date", Input).value = "2027-05-01"  # before the original
        form.query_one("#f-reason", TextArea).text = "Budget pas in 2027."
        await pilot.press("f2")
        await pilot.pause()
        assert "na de oorspronkelijke datum" in str(form.query_one("#e-new_date").render())
        form.query_one("#f-new_date", Input).value = "2027-12-31"
        await pilot.press("f2")
        await _settle(pilot)
        [delay] = ws.list(Delay)
        assert (delay.delay_kind, delay.original_date, delay.new_date) == (
            "budgetary",
            "2027-06-30",
            "2027-12-31",
        )
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#f-new_date", Input).value = "2027-10-31"
        await pilot.press("f2")
        await _settle(pilot)
        assert ws.list(Delay)[0].new_date == "2027-10-31"
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("j")  # ja
        await _settle(pilot)
        assert ws.list(Delay) == []
        assert [d.deleted for d in ws.list(Delay, include_deleted=True)] == [True]
        assert _rows(app) == []


async def test_register_is_in_the_command_palette_and_on_key_9(env):
    settings, ws, _ = env
    app = EloApp(settings, ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert any("Uitzonderingen (9)" in t for t in commands)
        await pilot.press("9")
        await _settle(pilot)
        assert isinstance(app.screen, ExemptionsScreen)


async def test_application_form_edits_new_and_excluded(env):
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="applications")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("e")  # the first application (sorted by name): Subsidieloket
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ApplicationForm)
        form.query_one("#f-is_new", Select).value = "ja"
        form.query_one("#f-excluded", Select).value = "ja"
        await pilot.press("f2")
        await pilot.pause()
        assert "buiten beschouwing" in str(form.query_one("#e-exclusion_reason").render())
        form.query_one("#f-exclusion_reason", Input).value = "Afgesproken met VLAIO."
        await pilot.press("f2")
        await _settle(pilot)
        saved = ws.get(Application, recs["a1"].id)
        assert (saved.is_new, saved.excluded, saved.exclusion_reason) == (
            True,
            True,
            "Afgesproken met VLAIO.",
        )
        from elo_tui.domain.records import ChecklistItem

        # a new application gets its aftoetsing checklist
        steps = ws.list(ChecklistItem, where="scope_id = ?", params=(saved.id,))
        assert {i.template for i in steps} == {"aftoetsing"}


async def test_block_form_refuses_not_applicable_for_a_new_application(env):
    settings, ws, recs = env
    a1 = recs["a1"]
    a1.is_new = True
    ws.save(a1)
    from elo_tui.screens.block_form import BlockForm
    from elo_tui.screens.matrix import MatrixScreen
    from elo_tui.widgets.matrix_table import MatrixTable

    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        assert isinstance(app.screen, MatrixScreen)
        table = app.screen.query_one(MatrixTable)
        table.move_to(next(i for i, r in enumerate(table.rows) if r.id == a1.id), "dosis")
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, BlockForm)
        form.query_one("#f-applicability", Select).value = "not_applicable"
        form.query_one("#f-reason", Input).value = "Geen dossiers."
        await pilot.press("f2")
        await pilot.pause()
        message = str(form.query_one("#e-applicability").render())
        assert "alle nieuwe applicaties" in message
        assert ws.list(BlockStatus) == []


async def test_block_form_records_waiting_on_a_block(env):
    settings, ws, recs = env
    from elo_tui.screens.matrix import MatrixScreen
    from elo_tui.widgets.matrix_table import MatrixTable

    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        assert isinstance(app.screen, MatrixScreen)
        table = app.screen.query_one(MatrixTable)
        table.move_to(next(i for i, r in enumerate(table.rows) if r.id == recs["p3"].id), "vms")
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        form.query_one("#f-applicability", Select).value = "required"
        form.query_one("#f-stage", Select).value = "analysis"
        form.query_one("#f-waiting_on_block", Select).value = "ja"
        form.query_one("#f-waiting_reason", Input).value = "VMS-mandaattypes nog niet klaar"
        await pilot.press("f2")
        await _settle(pilot)
        [status] = ws.list(BlockStatus)
        assert (status.waiting_on_block, status.waiting_reason) == (
            True,
            "VMS-mandaattypes nog niet klaar",
        )
        line = next(
            table.render_line(y).text
            for y in range(table.size.height)
            if "Vergunning C" in table.render_line(y).text
        )
        assert "⧗" in line


async def test_dashboard_m_switches_the_admission_reading_and_shows_it(settings, monkeypatch):
    from elo_tui.services import mapping
    from elo_tui.services.workspaces import open_demo

    monkeypatch.setenv("ELO_TUI_TODAY", "2026-11-22")
    ws = open_demo(settings)
    try:
        app = EloApp(settings, ws)
        async with app.run_test(size=(120, 40)) as pilot:
            await _settle(pilot)
            text = str(app.screen.query_one("#dash-deadlines").render())
            assert "interpretatie: nieuwe opname (m)" in text
            await pilot.press("m")
            await _settle(pilot)
            assert mapping.load_reading(ws) == "all_products"
            text = str(app.screen.query_one("#dash-deadlines").render())
            assert "interpretatie: alle producten (m)" in text
            await pilot.press("m")
            await _settle(pilot)
            assert mapping.load_reading(ws) == "not_applied"
            risk = str(app.screen.query_one("#dash-risk").render())
            assert "1 januari 2027 – opname (interpretatie) (0)" in risk
    finally:
        ws.close()


async def test_matrix_shows_an_accepted_exemption_and_a_delay_in_the_demo(settings, monkeypatch):
    from elo_tui.services.workspaces import open_demo
    from elo_tui.widgets.matrix_table import MatrixTable

    monkeypatch.setenv("ELO_TUI_TODAY", "2026-11-22")
    ws = open_demo(settings)
    try:
        app = EloApp(settings, ws, start_mode="matrix")
        async with app.run_test(size=(120, 40)) as pilot:
            await _settle(pilot)
            table = app.screen.query_one(MatrixTable)
            lines = [table.render_line(y).text for y in range(table.size.height)]
            erkenning = next(line for line in lines if "Erkenning asbest" in line)
            assert "⊘ uitz" in erkenning and "uitz" in erkenning.split("║")[-1]
            index = next(
                i for i, r in enumerate(table.rows) if r.name.startswith("Omgevingsvergunning")
            )
            table.move_to(index, "global_header")
            await pilot.pause()
            detail = str(app.screen.query_one("#cell-detail").render())
            assert "aanvaarde vertraging: gemeten tegen 30/09/2027 i.p.v. 30/06/2027" in detail
    finally:
        ws.close()


async def test_rules_dialog_quotes_the_decision_and_sets_the_reading(env):
    from elo_tui.screens.rules import RulesScreen
    from elo_tui.services import mapping

    settings, ws, _ = env
    app = EloApp(settings, ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        assert any(
            c.title == "Regels van de beslissing" for c in app.get_system_commands(app.screen)
        )
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, RulesScreen)
        text = str(app.screen.query_one("#rules-text").render())
        assert "Dat de essentiële bouwstenen zijn" in text
        assert "ELO-conform: het product kan via e-loketondernemers" in text
        assert "● nieuwe opname" in text
        await pilot.press("3")
        await pilot.pause()
        assert mapping.load_reading(ws) == "not_applied"
        assert "● niet toegepast" in str(app.screen.query_one("#rules-text").render())
        await pilot.press("escape")
        await _settle(pilot)
        assert "interpretatie: niet toegepast" in str(
            app.screen.query_one("#dash-deadlines").render()
        )


def _labels(form) -> list[str]:
    return [str(label.render()) for label in form.query(".field-label")]


async def test_delay_and_exemption_forms_take_belgian_dates(env):
    """Issue 11 §3: every date typed as 15/01/2027, 15-1-2027 or 2027-01-15, stored ISO,
    shown as dd/mm/jjjj when edited again; a wrong date names its field."""
    settings, ws, recs = env
    app = EloApp(settings, ws, start_mode="exemptions")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("v")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, DelayForm)
        labels = _labels(form)
        assert "Nieuwe datum (dd/mm/jjjj) *" in labels
        assert "Oorspronkelijke datum (dd/mm/jjjj)" in labels
        assert "Gevraagd op (dd/mm/jjjj)" in labels
        assert not any("JJJJ-MM-DD" in label for label in labels)
        assert form.query_one("#f-original_date", Input).value == "30/06/2027"  # the default
        form.query_one("#f-scope", Select).value = f"product:{recs['p1'].id}"
        form.query_one("#f-subject", Select).value = "sso"
        form.query_one("#f-reason", TextArea).text = "Budget pas in 2028."
        form.query_one("#f-new_date", Input).focus()
        await pilot.press(*"31/02/2028")  # typed key by key: no such day
        await pilot.press("f2")
        await pilot.pause()
        error = str(form.query_one("#e-new_date").render())
        assert error.startswith("Nieuwe datum:") and "bestaat niet als datum" in error
        assert ws.list(Delay) == []
        form.query_one("#f-new_date", Input).value = ""
        await pilot.press(*"15/01/2028")
        form.query_one("#f-requested_on", Input).focus()
        await pilot.press(*"1-2-2026")
        await pilot.press("f2")
        await _settle(pilot)
        [delay] = ws.list(Delay)
        assert (delay.original_date, delay.new_date, delay.requested_on) == (
            "2027-06-30",
            "2028-01-15",
            "2026-02-01",
        )
        await pilot.press("e")
        await pilot.pause()
        edit = app.screen
        assert isinstance(edit, DelayForm)
        assert edit.query_one("#f-new_date", Input).value == "15/01/2028"
        assert edit.query_one("#f-requested_on", Input).value == "01/02/2026"
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ExemptionForm)
        assert "Gevraagd op (dd/mm/jjjj)" in _labels(form)
        form.query_one("#f-scope", Select).value = f"application:{recs['a2'].id}"
        form.query_one("#f-subject", Select).value = "dosis"
        form.query_one("#f-ground", TextArea).text = "Toepassing wordt in 2028 vervangen."
        form.query_one("#f-decision_body", Select).value = "stuurgroep"
        form.query_one("#f-requested_on", Input).focus()
        await pilot.press(*"15/01/2027")
        await pilot.press("f2")
        await _settle(pilot)
        [exemption] = ws.list(Exemption)
        assert exemption.requested_on == "2027-01-15"


async def test_a_stored_date_that_is_no_date_is_kept_in_the_field(env):
    """Editing never drops what is stored: text that is not a date shows as it is."""
    settings, ws, recs = env
    delay = Delay(
        scope_kind="product",
        scope_id=recs["p1"].id,
        subject="sso",
        new_date="2027-12-31",
        reason="r",
        requested_on="begin 2026",
    )
    form = DelayForm(delay)
    app = EloApp(settings, ws, start_mode="exemptions")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        app.push_screen(form)
        await pilot.pause()
        assert form.query_one("#f-requested_on", Input).value == "begin 2026"
        assert form.query_one("#f-new_date", Input).value == "31/12/2027"
