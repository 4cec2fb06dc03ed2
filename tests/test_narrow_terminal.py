"""The workshop at 80×24 (issue 11): what a person sees on a small terminal is readable
and nothing is cut silently. Driven with Textual's Pilot."""

from __future__ import annotations

from elo_tui.app import INFO_TOAST_SECONDS, EloApp
from elo_tui.screens.costs import CostsScreen
from elo_tui.screens.import_wizard import ImportWizard
from elo_tui.screens.matrix import MatrixScreen
from elo_tui.widgets.matrix_table import MatrixTable
from elo_tui.widgets.virtual_table import VirtualTable

SIZE = (80, 24)


async def _ready(pilot, app) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def _screen_lines(app) -> list[str]:
    """The terminal as text, line by line (toasts and all layers included)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def _column_text(table: VirtualTable, key: str, y: int) -> str:
    """The cell of column `key` on line `y` as drawn (after any sideways scroll)."""
    line = table.render_line(y).text
    start = 0
    for col, w in zip(table.columns, table._widths, strict=False):
        if col.key == key:
            return line[start : start + w]
        start += w + 1
    raise KeyError(key)


async def test_costs_scope_names_are_readable_and_the_totals_go_under_the_table(demo_ws, settings):
    app = EloApp(settings, demo_ws, start_mode="costs")
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        assert isinstance(app.screen, CostsScreen)
        table = app.screen.query_one("#lines", VirtualTable)
        assert table.size.width >= 78  # the side panel no longer takes 46 of 80 columns
        side = app.screen.query_one("#costs-side")
        assert side.region.y > table.region.y and side.region.width >= 78
        scope = _column_text(table, "scope", 1)
        label = table.rows[0].scope
        name = label.split(": ", 1)[-1]  # "Toepassing: …" / "Product: …"
        assert scope.rstrip().rstrip("…") == label[: len(scope.rstrip().rstrip("…"))]
        assert len(scope) >= 22 and name[:8] in scope
        # The amounts stay whole next to it.
        line = table.render_line(1).text
        assert "€" in line and line.split("€")[1].strip().split()[0][-1].isdigit()
        # The line under the table wraps rather than being cut at the edge.
        screen = " ".join(line.strip() for line in _screen_lines(app))
        assert "met weinig aanvragen (aanname; f)" in screen
        # Wide enough: side by side as before.
        await pilot.resize_terminal(140, 40)
        await _ready(pilot, app)
        side = app.screen.query_one("#costs-side")
        assert side.region.x > table.region.x and side.region.y == table.region.y


async def test_matrix_names_show_18_characters_and_stay_while_scrolling_sideways(demo_ws, settings):
    app = EloApp(settings, demo_ws, start_mode="matrix")
    async with app.run_test(size=SIZE) as pilot:
        await _ready(pilot, app)
        assert isinstance(app.screen, MatrixScreen)
        table = app.screen.query_one(MatrixTable)
        product_y = next(
            i + 1 for i, r in enumerate(table.rows[: table.size.height - 1]) if r.kind == "product"
        )
        row = table.rows[product_y - 1]
        name = _column_text(table, "name", product_y).strip()
        assert len(name.rstrip("…")) >= 18
        assert name.endswith("…") == (len(row.name) > len(name))  # '…' when cut
        assert row.name.startswith(name.rstrip("…"))
        # Only whole cells right of the name: a header cut at the edge ('Cap') is left out.
        labels = {word for col in table.columns for word in col.label.split()}
        assert set(table.render_line(0).text[table._widths[0] + 1 :].split()) <= labels
        # To the last column: the view scrolls sideways, the name stays at the left.
        for _ in table.cell_keys:
            await pilot.press("right")
        await pilot.pause()
        assert table.current_column == table.cell_keys[-1]
        assert table.scroll_offset.x > 0
        assert table.render_line(product_y).text.strip().startswith(name)
        assert table.render_line(0).text.rstrip().endswith("ELO")  # the last column in view
        assert table.render_line(product_y).text.split()[-1] in {"ja", "nee", "uitz", "–"}
        await pilot.press("left")
        assert table.render_line(product_y).text.strip().startswith(name)


async def test_import_wizard_step_3_wraps_the_rejected_rows_title(settings, tmp_path):
    from elo_tui.domain.records import Agency
    from elo_tui.services.workspaces import create

    path = tmp_path / "producten.csv"
    path.write_text("Productnaam;Jaarvolume\nEen;5\n;3\n", encoding="utf-8")
    ws = create(settings, Agency(name="Agentschap Test"))
    app = EloApp(settings, ws, start_mode="inventory")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(ImportWizard(path=str(path)))
        await _ready(pilot, app)
        wizard = app.screen
        for _ in range(3):
            if wizard.step == "step-preview":
                break
            await pilot.press("f2")
            await _ready(pilot, app)
        assert wizard.step == "step-preview"
        screen = " ".join(line.strip() for line in _screen_lines(app))
        assert "Geweigerde rijen (1): worden niet ingelezen" in screen
        assert "worden ingelezen zonder de foute waarde" in screen  # the end, not cut
        assert "(0 producten)" in screen
    ws.close()


async def test_an_information_toast_is_short_and_leaves_the_key_bar_free(demo_ws, settings):
    app = EloApp(settings, demo_ws, start_mode="inventory")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _ready(pilot, app)
        keybar_before = _screen_lines(app)[-1]
        status_before = _screen_lines(app)[-2]
        app.notify("Een melding die lang genoeg is om over meerdere regels te lopen, echt.")
        app.notify("Fout", severity="error")
        await _ready(pilot, app)
        notes = list(app._notifications)
        info = next(n for n in notes if n.severity == "information")
        error = next(n for n in notes if n.severity == "error")
        assert info.timeout == INFO_TOAST_SECONDS <= 3
        assert error.timeout > INFO_TOAST_SECONDS  # errors stay longer
        lines = _screen_lines(app)
        assert any("Een melding" in line for line in lines)
        assert lines[-1] == keybar_before  # the key bar stays readable
        assert lines[-2] == status_before  # and the status line above it
