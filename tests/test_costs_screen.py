"""The costs screen as a person uses it (Pilot)."""

from __future__ import annotations

from elo_tui.app import EloApp
from elo_tui.domain.records import EstimateLine
from elo_tui.screens.costs import CostsScreen, EstimateLineForm, FormsToolScreen
from elo_tui.services import estimate as service
from elo_tui.widgets.virtual_table import VirtualTable


async def _ready(pilot, app):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def _text(app, widget_id: str) -> str:
    return str(app.screen.query_one(widget_id).render())


def _table(app) -> VirtualTable:
    return app.screen.query_one("#lines", VirtualTable)


async def test_costs_screen_shows_lines_totals_and_chart(demo_ws, settings):
    app = EloApp(settings, demo_ws, start_mode="costs")
    async with app.run_test(size=(160, 45)) as pilot:
        await _ready(pilot, app)
        assert isinstance(app.screen, CostsScreen)
        assert _table(app).row_count == demo_ws.count(EstimateLine)
        summary = service.overview(demo_ws).summary
        totals = _text(app, "#costs-totals")
        assert "P50 (budget)" in totals and service.euro(summary.total.p50) in totals
        assert service.euro(summary.total.p80) in totals
        assert "█" in _text(app, "#costs-blocks") and "DOSIS" in _text(app, "#costs-blocks")
        assert "2027" in _text(app, "#costs-years")
        rendered = "\n".join(_table(app).render_line(y).text for y in range(6))
        assert "Verwacht" in rendered and "aanname" in rendered


async def test_editing_a_line_names_each_wrong_field_then_saves(demo_ws, settings):
    app = EloApp(settings, demo_ws, start_mode="costs")
    async with app.run_test(size=(160, 50)) as pilot:
        await _ready(pilot, app)
        table = _table(app)
        table.focus()
        index = next(i for i, r in enumerate(table.rows) if r.line.method == "three_point")
        table.cursor_row = index
        line_id = table.current.line.id
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, EstimateLineForm)
        form.query_one("#f-optimistic_days").value = "-2"
        form.query_one("#f-likely_days").value = "12"
        form.query_one("#f-pessimistic_days").value = "8"
        form.query_one("#f-day_rate").value = "duur"
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is form  # nothing saved
        assert "negatief" in str(form.query_one("#e-optimistic_days").render())
        assert "geen getal" in str(form.query_one("#e-day_rate").render())
        form.query_one("#f-optimistic_days").value = "5"
        form.query_one("#f-day_rate").value = ""
        await pilot.press("f2")
        await pilot.pause()
        assert "M ≤ P" in str(form.query_one("#e-pessimistic_days").render())
        form.query_one("#f-pessimistic_days").value = "20"
        form.query_one("#f-basis").text = "Offerte [v2] van 3/2/2026"
        await pilot.press("f2")
        await _ready(pilot, app)
        assert isinstance(app.screen, CostsScreen)
        saved = demo_ws.get(EstimateLine, line_id)
        assert (saved.optimistic_days, saved.likely_days, saved.pessimistic_days) == (
            5.0,
            12.0,
            20.0,
        )
        assert saved.day_rate is None and not saved.assumed
        assert saved.basis == "Offerte [v2] van 3/2/2026"
        assert _table(app).current.line.id == line_id  # cursor stays on the edited line


async def test_propose_and_confirm_from_the_screen(demo_ws, settings):
    for line in demo_ws.list(EstimateLine):
        if line.scope_kind != "agency":
            demo_ws.delete(EstimateLine, line.id)
    app = EloApp(settings, demo_ws, start_mode="costs")
    async with app.run_test(size=(160, 45)) as pilot:
        await _ready(pilot, app)
        before = _table(app).row_count
        _table(app).focus()
        await pilot.press("p")
        await _ready(pilot, app)
        assert _table(app).row_count > before
        assert demo_ws.count(EstimateLine) == _table(app).row_count
        await pilot.press("p")  # a second proposal adds nothing
        await _ready(pilot, app)
        assert demo_ws.count(EstimateLine) == _table(app).row_count
        table = _table(app)
        table.cursor_row = next(i for i, r in enumerate(table.rows) if r.line.assumed)
        line_id = table.current.line.id
        await pilot.press("b")
        await _ready(pilot, app)
        assert not demo_ws.get(EstimateLine, line_id).assumed


async def test_forms_tool_comparison_opens_and_closes(demo_ws, settings):
    app = EloApp(settings, demo_ws, start_mode="costs")
    async with app.run_test(size=(160, 45)) as pilot:
        await _ready(pilot, app)
        _table(app).focus()
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FormsToolScreen)
        text = str(app.screen.query_one("#forms-table").render())
        assert "Formulieren- en opvolgingstool" in text
        assert "Strategische transformatiesteun" in text
        # The "few requests" threshold is not in the decision: labelled as an assumption.
        assert "AANNAME: de drempel van 500 aanvragen per jaar" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CostsScreen)
        # Read-only: F2 (save in every form) closes it too, saving nothing.
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, FormsToolScreen)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, CostsScreen)


async def test_new_general_line_with_a_fixed_amount(demo_ws, settings):
    app = EloApp(settings, demo_ws, start_mode="costs")
    async with app.run_test(size=(160, 50)) as pilot:
        await _ready(pilot, app)
        before = demo_ws.count(EstimateLine)
        _table(app).focus()
        await pilot.press("A")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, EstimateLineForm)
        assert form.query_one("#f-scope").value == "agency:"
        form.query_one("#f-description").value = "Opleiding [team]"
        form.query_one("#f-method").value = "fixed"
        form.query_one("#f-fixed_amount").value = "€ 4.500"
        form.query_one("#f-category").value = "supplier"
        await pilot.press("f2")
        await _ready(pilot, app)
        assert demo_ws.count(EstimateLine) == before + 1
        new = next(x for x in demo_ws.list(EstimateLine) if x.description == "Opleiding [team]")
        assert (new.scope_kind, new.method, new.fixed_amount) == ("agency", "fixed", 4500.0)


async def test_new_line_can_go_to_any_product(demo_ws, settings):
    from elo_tui.domain.records import Product

    target = next(p for p in demo_ws.list(Product) if p.name == "Groeisubsidie (voorbeeld)")
    app = EloApp(settings, demo_ws, start_mode="costs")
    async with app.run_test(size=(160, 50)) as pilot:
        await _ready(pilot, app)
        table = _table(app)
        table.focus()
        table.cursor_row = next(
            i for i, r in enumerate(table.rows) if r.line.scope_kind == "application"
        )
        preset = f"application:{table.current.line.scope_id}"
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, EstimateLineForm)
        assert form.query_one("#f-scope").value == preset  # the selected line's scope
        form.query_one("#f-scope").value = f"product:{target.id}"
        form.query_one("#f-block").value = "toelatingen"
        form.query_one("#f-optimistic_days").value = "1"
        form.query_one("#f-likely_days").value = "2"
        form.query_one("#f-pessimistic_days").value = "3"
        await pilot.press("f2")
        await _ready(pilot, app)
        assert isinstance(app.screen, CostsScreen)
        new = [
            x
            for x in demo_ws.list(EstimateLine)
            if x.scope_id == target.id and x.block == "toelatingen"
        ]
        assert len(new) == 1 and new[0].scope_kind == "product"
        assert _table(app).current.line.id == new[0].id
