"""Issue 11: every area shows Belgian formats — dd/mm/jjjj dates, decimal commas, Dutch
plurals — also where a table holds plain values for CSV/XLSX (the roadmap)."""

from __future__ import annotations

import re

import pytest

from elo_tui.app import EloApp
from elo_tui.domain.formats import format_cell
from elo_tui.services.workspaces import open_demo
from elo_tui.widgets.virtual_table import VirtualTable

ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
POINT_DECIMAL = re.compile(r"\b\d+\.\d{1,2}\b(?!\.)")  # 21.3 (not the 1.202 of thousands)


def _cells(table: VirtualTable) -> list[str]:
    return [
        str(table._cell(row, column.key))  # noqa: SLF001 - the table's own renderer
        for row in table.rows
        for column in table.columns
    ]


@pytest.fixture
def demo(settings, monkeypatch):
    monkeypatch.setenv("ELO_TUI_TODAY", "2026-12-02")
    ws = open_demo(settings)
    yield settings, ws
    ws.close()


async def test_areas_show_belgian_dates_numbers_and_plurals(demo):
    settings, ws = demo
    app = EloApp(settings, ws)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        # The figures come from a worker: one pause was not always enough under load.
        await app.workers.wait_for_complete()
        await pilot.pause()
        blocks = app.screen.query_one("#dash-blocks")
        assert blocks.border_subtitle == "stand op 02/12/2026"
        for panel in ("#dash-agenda", "#dash-deadlines"):
            text = str(app.screen.query_one(panel).render())
            assert not ISO_DAY.search(text), (panel, ISO_DAY.search(text))
        assert "(en)" not in str(app.screen.query_one("#dash-deadlines").render())
        assert "Vervaldagen: planningsaannames" in str(
            app.screen.query_one("#dash-agenda").render()
        )

        await pilot.press("5")  # checklist: the due date column
        await pilot.pause()
        cells = _cells(app.screen.query_one("#items", VirtualTable))
        assert any(re.fullmatch(r"\d{2}/\d{2}/\d{4}", c) for c in cells)
        assert not [c for c in cells if ISO_DAY.search(c)]

        await pilot.press("9")  # exemptions and delays
        await pilot.pause()
        cells = _cells(app.screen.query_one("#register", VirtualTable))
        assert "15/04/2026" in cells
        assert not [c for c in cells if ISO_DAY.search(c)]
        assert not ISO_DAY.search(str(app.screen.query_one("#register-detail").render()))

        await pilot.press("0")  # roadmap: plain values in the table, Belgian on screen
        await pilot.pause()
        cells = _cells(app.screen.query_one("#roadmap-table", VirtualTable))
        assert any(re.fullmatch(r"\d+,\d", c) for c in cells)  # impact 66,1
        assert any(c.endswith(",3 + onbekend") for c in cells)
        assert not [c for c in cells if POINT_DECIMAL.search(c)]
        await pilot.press("k")  # bottlenecks: reported on
        await pilot.pause()
        cells = _cells(app.screen.query_one("#roadmap-table", VirtualTable))
        assert not [c for c in cells if ISO_DAY.search(c)]

        await pilot.press("8")  # sync: VLAIO's feedback carries a date
        await pilot.pause()
        feedback = str(app.screen.query_one("#feedback").render())
        assert "VLAIO (voorbeeld), 20/03/2026: " in feedback  # the comment itself is user text


def test_format_cell_reads_the_belgian_way():
    assert format_cell(66.1) == "66,1"
    assert format_cell(20.034) == "20,03"
    assert format_cell(7.0) == "7"
    assert format_cell(1202) == "1.202"
    assert format_cell("2027-06-30") == "30/06/2027"
    assert format_cell("2027-Q1") == "2027-Q1"
    assert format_cell(True) == "ja" and format_cell(None) == ""


def test_the_matrix_sorts_names_the_dutch_way(tmp_path):
    """'Éénloket' sorts with the E's, not after the Z's (plain casefold put it last)."""
    from blocks_support import app, product
    from elo_tui.services import mapping
    from elo_tui.store import Workspace

    with Workspace.open(tmp_path / "t.sqlite", create=True, user="t") as ws:
        apps = [app("Zorgloket"), app("Éénloket"), app("Fietsloket")]
        ws.save_many([*apps, product("Ölie", req=apps[0]), product("Olie", req=apps[0])])
        ws.save_many([product("Appel", req=apps[0])])
        rows = mapping.load_mapping(ws).rows
        groups = [r.name for r in rows if r.kind == "application"]
        assert groups == ["Éénloket", "Fietsloket", "Zorgloket"]
        assert [r.name for r in rows if r.kind == "product"][0] == "Appel"


async def test_costs_counts_use_the_thousands_separator(settings, tmp_path):
    from elo_tui.domain.records import EstimateLine
    from elo_tui.store import Workspace

    ws = Workspace.open(tmp_path / "veel.sqlite", create=True, user="t")
    ws.save_many(
        [
            EstimateLine(
                scope_kind="agency",
                description=f"Lijn {i}",
                fixed_amount=100.0,
                method="fixed",
                assumed=True,
                day_rate=None,
            )
            for i in range(1001)
        ]
    )
    app = EloApp(settings, ws, start_mode="costs")
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            info = str(app.screen.query_one("#costs-info").render())
            assert "1.001 lijnen" in info and "1.001 nog aanname" in info, info
    finally:
        ws.close()


async def test_dashboard_counts_use_the_thousands_separator(settings, tmp_path):
    import sys
    from pathlib import Path

    bench = str(Path(__file__).resolve().parents[1] / "bench")
    sys.path.insert(0, bench)
    try:
        from generate import generate
    finally:
        sys.path.remove(bench)
    ws = generate(tmp_path / "groot.sqlite", 1202)
    app = EloApp(settings, ws, start_mode="dashboard")
    try:
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            text = str(app.screen.query_one("#dash-blocks").render())
            assert "/1.202" in text, text  # e.g. "SSO 35/1.202" and the blocks' "12/1.202"
            assert "/1202" not in text
    finally:
        ws.close()
