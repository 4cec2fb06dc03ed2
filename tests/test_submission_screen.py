"""The submission screen as a person uses it (Pilot), including the missing-information path."""

from __future__ import annotations

from elo_tui.app import EloApp
from elo_tui.domain.records import Product, Submission
from elo_tui.screens.submission import ExportForm, SubmissionScreen
from elo_tui.widgets.virtual_table import VirtualTable


async def _ready(pilot, app):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def _render(app, widget_id: str) -> str:
    return str(app.screen.query_one(widget_id).render())


async def test_missing_information_blocks_the_submission_and_says_what(demo_ws, settings):
    agency = demo_ws.agency()
    agency.contact_name = ""
    agency.own_budget = {}
    demo_ws.save(agency)
    product = demo_ws.list(Product)[0]
    product.ipdc_type = ""
    demo_ws.save(product)
    app = EloApp(settings, demo_ws, start_mode="submission")
    async with app.run_test(size=(150, 45)) as pilot:
        await _ready(pilot, app)
        assert isinstance(app.screen, SubmissionScreen)
        assert "3 blokkerend" in _render(app, "#sub-status")
        issues = app.screen.query_one("#issues", VirtualTable)
        top = [issue.message for issue in issues.rows[:3]]
        assert "Entiteit: geen contactpersoon ingevuld." in top
        assert f"Product '{product.name}': geen producttype (IPDC-type)." in top
        await pilot.press("n")
        await _ready(pilot, app)
        assert demo_ws.count(Submission) == 0
        assert issues.has_focus
        assert "Entiteit: geen contactpersoon ingevuld." in _render(app, "#issue-detail")
        await pilot.press("x")  # nothing to export yet: a warning, no form
        await pilot.pause()
        assert isinstance(app.screen, SubmissionScreen)


async def test_create_versions_and_see_the_diff(demo_ws, settings):
    app = EloApp(settings, demo_ws, start_mode="submission")
    async with app.run_test(size=(150, 45)) as pilot:
        await _ready(pilot, app)
        assert "Klaar om in te dienen" in _render(app, "#sub-status")
        await pilot.press("n")
        await _ready(pilot, app)
        versions = app.screen.query_one("#versions", VirtualTable)
        assert [r.version for r in versions.rows] == [1]
        assert "Eerste versie" in _render(app, "#sub-diff")
        product = next(p for p in demo_ws.list(Product) if p.name == "Groeisubsidie (voorbeeld)")
        product.name = "Groeisubsidie [nieuw]"
        demo_ws.save(product)
        await pilot.press("n")
        await _ready(pilot, app)
        assert [r.version for r in versions.rows] == [2, 1]
        diff = _render(app, "#sub-diff")
        assert "Wijzigingen van versie 1 naar versie 2" in diff
        assert (
            "Product 'Groeisubsidie [nieuw]': naam 'Groeisubsidie (voorbeeld)' → "
            "'Groeisubsidie [nieuw]'" in diff
        )
        versions.focus()
        await pilot.press("down")
        await pilot.pause()
        assert "Eerste versie" in _render(app, "#sub-diff")


async def test_export_a_version_from_the_screen(demo_ws, settings, tmp_path):
    app = EloApp(settings, demo_ws, start_mode="submission")
    async with app.run_test(size=(150, 45)) as pilot:
        await _ready(pilot, app)
        await pilot.press("n")
        await _ready(pilot, app)
        await pilot.press("x")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ExportForm)
        form.query_one("#f-out").value = str(tmp_path / "nope" / "x.xlsx")
        form.query_one("#f-format").value = "xlsx"
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is form and "bestaat niet" in str(form.query_one("#e-out").render())
        form.query_one("#f-format").value = "all"
        form.query_one("#f-out").value = str(tmp_path / "export")
        await pilot.press("f2")
        await _ready(pilot, app)
        assert isinstance(app.screen, SubmissionScreen)
        names = sorted(p.suffix for p in (tmp_path / "export").iterdir())
        assert names == [".json", ".md", ".toml", ".xlsx"]


async def test_concept_export_works_even_when_something_blocks(
    demo_ws, settings, tmp_path, monkeypatch
):
    import threading

    from elo_tui.services import submission as service

    built_on: list[threading.Thread] = []
    real = service.concept_source

    def concept_source(ws, **kw):
        built_on.append(threading.current_thread())
        return real(ws, **kw)

    monkeypatch.setattr(service, "concept_source", concept_source)
    agency = demo_ws.agency()
    agency.contact_email = ""
    demo_ws.save(agency)
    app = EloApp(settings, demo_ws, start_mode="submission")
    async with app.run_test(size=(150, 45)) as pilot:
        await _ready(pilot, app)
        await pilot.press("c")
        await pilot.pause()
        form = app.screen
        title = str(form.query_one("#form-title").render())
        assert isinstance(form, ExportForm) and "– 1 blokkerend punt" in title  # singular
        form.query_one("#f-format").value = "md"
        form.query_one("#f-out").value = str(tmp_path / "concept.md")
        await pilot.press("f2")
        await _ready(pilot, app)
        assert (tmp_path / "concept.md").read_text(encoding="utf-8").startswith("# CONCEPT")
        assert demo_ws.count(Submission) == 0
        # Built in the worker (seconds at 20,000 products), not on the UI thread.
        assert built_on and built_on[0] is not threading.main_thread()


async def test_fill_in_the_missing_request_data_then_submit(demo_ws, settings):
    from elo_tui.screens.request_form import RequestForm

    agency = demo_ws.agency()
    agency.contact_name = ""
    agency.own_budget = {}
    demo_ws.save(agency)
    app = EloApp(settings, demo_ws, start_mode="submission")
    async with app.run_test(size=(150, 50)) as pilot:
        await _ready(pilot, app)
        assert "2 blokkerend" in _render(app, "#sub-status")
        await pilot.press("g")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RequestForm)
        form.query_one("#f-contact_name").value = "Bert [PMO]"
        form.query_one("#f-own_budget_2026").value = "-5"
        form.query_one("#f-requested_2027").value = "veel"
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is form
        assert "negatief" in str(form.query_one("#e-own_budget_2026").render())
        assert "geen getal" in str(form.query_one("#e-requested_2027").render())
        form.query_one("#f-own_budget_2026").value = "150.000"
        form.query_one("#f-requested_2027").value = "50.000,50"
        await pilot.press("f2")
        await _ready(pilot, app)
        assert isinstance(app.screen, SubmissionScreen)
        saved = demo_ws.agency()
        assert saved.contact_name == "Bert [PMO]"
        assert saved.own_budget == {"2026": 150000.0}
        assert saved.requested_cofinancing == {"2026": 120000.0, "2027": 50000.5}
        assert "Klaar om in te dienen" in _render(app, "#sub-status")
        await pilot.press("n")
        await _ready(pilot, app)
        assert demo_ws.count(Submission) == 1
