"""The matrix reads its rows light and a product's cells a page at a time (open_matrix),
and the figures over every product from a readiness index computed apart. Both must give
exactly what the full in-memory mapping (load_mapping) gives: these tests fail when the
fast path drifts."""

from __future__ import annotations

import sys
import threading
from datetime import date
from pathlib import Path

import pytest

from blocks_support import all_in_production, app, product, status
from elo_tui.domain.blocks import BLOCK_CODES, DEADLINES
from elo_tui.domain.readiness import count_conform, is_excluded
from elo_tui.domain.records import Agency, BlockStatus, Delay, Exemption, Product, Review
from elo_tui.services import mapping as svc
from elo_tui.store import Workspace

BENCH = Path(__file__).resolve().parent.parent / "bench"
TODAY = date(2026, 11, 22)


def _accepted(record) -> Review:
    return Review(
        target_kind=record.KIND,
        target_id=record.id,
        verdict="accepted",
        created_at="2026-02-01T00:00:00Z",
    )


def edge_workspace(path: Path) -> Workspace:
    """Exemptions, delays, not applicable with a reason, undecided, an excluded and a new
    application, a product of two applications, one without any, a deleted product and a
    deleted status."""
    ws = Workspace.open(path, create=True, user="tester")
    ws.save(Agency(name="Randgevallen"))
    a1, a2, a3 = app("Zeeloket"), app("Nieuw loket"), app("Mestbankloket")
    a2.is_new = True
    a3.excluded, a3.exclusion_reason = True, "in onderling overleg"
    ps = [
        product("Alles klaar", req=a1, fol=a1),
        product("Twee loketten", req=a1, fol=a2),
        product("Nieuw", req=a2, fol=a2),
        product("Uitgesloten", req=a3, fol=a3),
        product("Zonder loket"),
        product("Niet op ELO", req=a1, fol=a1, on_elo="none"),
        product("Écoles", req=a1, fol=a1),
        product("ecoles", req=a1, fol=a1),
    ]
    gone = product("Verwijderd", req=a1, fol=a1)
    statuses = all_in_production([a1, a2, a3], ps[:4] + ps[5:])
    statuses.append(status(ps[4], "vms", "not_applicable", reason="geen dossiers"))
    statuses.append(status(ps[6], "vms", "undecided"))
    statuses.append(status(ps[7], "toelatingen", "required", "analysis", target="2027-09-01"))
    dosis = next(s for s in statuses if s.block == "dosis" and s.scope_id == a2.id)
    dosis.stage = "not_started"
    dead = status(ps[0], "sso", "required", "test")
    ex_app = Exemption(scope_kind="application", scope_id=a2.id, subject="dosis", ground="x")
    ex_prod = Exemption(scope_kind="product", scope_id=ps[1].id, subject="vms", ground="y")
    delay = Delay(
        scope_kind="product",
        scope_id=ps[7].id,
        subject="toelatingen",
        original_date="2027-06-30",
        new_date="2027-12-31",
        reason="leverancier",
    )
    ws.save_many([a1, a2, a3, *ps, gone, *statuses, dead, ex_app, ex_prod, delay])
    ws.save_many([_accepted(ex_app), _accepted(ex_prod), _accepted(delay)])
    ws.delete(Product, gone.id)
    ws.delete(BlockStatus, dead.id)
    return ws


def bench_workspace(path: Path, n: int) -> Workspace:
    sys.path.insert(0, str(BENCH))
    try:
        from bench_matrix import add_block_statuses
        from generate import generate
    finally:
        sys.path.remove(str(BENCH))
    generate(path, n).close()
    add_block_statuses(path)
    return Workspace.open(path, user="tester")


def demo_workspace(path: Path) -> Workspace:
    from elo_tui.io.demo import populate_demo

    ws = Workspace.open(path, create=True, user="tester")
    populate_demo(ws)
    return ws


def filters() -> list[svc.RowFilter]:
    out = [svc.RowFilter(d.key, "", "") for d in DEADLINES]
    out += [svc.RowFilter("", b, "") for b in BLOCK_CODES]
    out += [svc.RowFilter(DEADLINES[0].key, BLOCK_CODES[0], "")]
    return out


def assert_same(ws: Workspace) -> None:
    full = svc.load_mapping(ws, TODAY)
    paged = svc.open_matrix(ws, TODAY)
    # Small pages, few held: pages are read, dropped and read again along the way.
    paged.PAGE, paged.MAX_PAGES = 16, 2
    # Small chunks: the chunk boundaries are crossed many times.
    index = svc.readiness_index(ws, paged.rows, paged.overrides, chunk=7)
    products = list(full.products.values())
    assert index.conform_count == count_conform(products, full.statuses, full.overrides)
    masks = {p.id: index.blocking[paged.row_position(p.id)] for p in products}
    assert masks == {p.id: svc.blocking_mask(full.readiness(p.id).cells) for p in products}
    conform = {p.id for p in products if index.conform[paged.row_position(p.id)]}
    assert conform == {
        p.id
        for p in products
        if full.readiness(p.id).elo_conform and is_excluded(p, full.overrides) is None
    }
    assert paged.rows == full.rows
    assert paged.product_count() == len(products)
    assert paged.excluded_count() == sum(
        is_excluded(p, full.overrides) is not None for p in products
    )
    for row in full.rows:
        for block in BLOCK_CODES:
            assert paged.view(row, block) == full.view(row, block), (row, block)
            assert paged.edit_scopes(row, block) == full.edit_scopes(row, block)
        if row.kind == "product":
            assert paged.readiness(row.id) == full.readiness(row.id)
    assert paged.needs_index(filters()[0])
    generation, _ids = paged.start_index()
    assert paged.set_index(generation, index)
    for f in filters():
        assert paged.filter_rows(f) == full.filter_rows(f), f


def test_paged_matrix_equals_full_mapping_on_edge_cases(tmp_path):
    ws = edge_workspace(tmp_path / "edge.sqlite")
    try:
        m = svc.load_mapping(ws, TODAY)
        assert m.overrides.excluded_apps and m.overrides.new_apps  # the cases are there
        assert_same(ws)
    finally:
        ws.close()


def test_paged_matrix_equals_full_mapping_on_generated_workspace(tmp_path):
    ws = bench_workspace(tmp_path / "gen.sqlite", 450)
    try:
        assert ws.count(BlockStatus) > 450
        assert_same(ws)
    finally:
        ws.close()


def test_paged_matrix_equals_full_mapping_on_demo(tmp_path):
    ws = demo_workspace(tmp_path / "demo.sqlite")
    try:
        assert_same(ws)
    finally:
        ws.close()


def test_paged_matrix_reads_only_the_pages_it_shows(tmp_path):
    ws = bench_workspace(tmp_path / "gen.sqlite", 900)
    try:
        m = svc.open_matrix(ws, TODAY)
        assert not m.products  # nothing but the rows yet
        first = next(r for r in m.rows if r.kind == "product")
        m.view(first, "vms")
        assert 0 < len(m.products) <= m.PAGE
        assert all(k[0] == "application" or k[1] in m.products for k in m.statuses)
        # Scrolling through every row holds MAX_PAGES pages at most.
        m = svc.open_matrix(ws, TODAY)
        m.PAGE, m.MAX_PAGES = 50, 3
        for row in m.rows:
            m.view(row, "vms")
            assert len(m.products) <= m.PAGE * m.MAX_PAGES
        assert all(k[0] == "application" or k[1] in m.products for k in m.statuses)
        assert set(m._readiness) <= set(m.products)
    finally:
        ws.close()


def _fresh(ws: Workspace, m: svc.Mapping) -> svc.ReadinessIndex:
    return svc.readiness_index(ws, m.rows, m.overrides)


def test_index_follows_edits_also_those_made_while_it_was_computed(tmp_path):
    ws = bench_workspace(tmp_path / "gen.sqlite", 300)
    try:
        m = svc.open_matrix(ws, TODAY)
        generation, ids = m.start_index()
        stale = svc.readiness_index(ws, ids, m.overrides)  # read before the edits below
        app_row = next(r for r in m.rows if r.kind == "application" and r.id)
        prod_row = next(r for r in m.rows if r.kind == "product" and r.group == app_row.id)
        for scope_kind, scope_id, block, values in (
            ("application", app_row.id, "dosis", {"applicability": "not_applicable"}),
            ("product", prod_row.id, "vms", {"applicability": "required", "stage": "test"}),
        ):
            values = {**svc.status_values(m.status(scope_kind, scope_id, block)), **values}
            values.setdefault("reason", "")
            if values["applicability"] == "not_applicable":
                values["reason"] = "geen dossiers"
            saved, errors = svc.set_block_status(ws, scope_kind, scope_id, block, values, TODAY)
            assert not errors, errors
            m.apply(saved)
        assert m.set_index(generation, stale)
        assert m.index == _fresh(ws, m)
        # Once there, the index follows each edit.
        saved, errors = svc.set_block_status(
            ws,
            "product",
            prod_row.id,
            "vms",
            {**svc.status_values(m.status("product", prod_row.id, "vms")), "stage": "production"},
            TODAY,
        )
        assert not errors
        m.apply(saved)
        assert m.index == _fresh(ws, m)
        assert not m.set_index(generation - 1, stale)  # an outdated computation is refused
    finally:
        ws.close()


# -- the screen --------------------------------------------------------------------------------


async def test_matrix_counts_in_a_worker_and_waits_before_filtering(settings, monkeypatch):
    """Above INLINE_INDEX_MAX the index comes from a worker: until then the count shows
    '…' and a readiness filter shows no rows but says it is being computed."""
    from elo_tui.app import EloApp
    from elo_tui.screens.matrix import MatrixScreen
    from elo_tui.widgets.matrix_table import MatrixTable

    ws = bench_workspace(settings.workspace_path("gen"), 300)
    full = svc.load_mapping(ws)
    expected_conform = count_conform(full.products.values(), full.statuses, full.overrides)
    deadline_rows = full.filter_rows(svc.RowFilter(DEADLINES[0].key, "", ""))

    release = threading.Event()
    real = svc.readiness_index

    def slow(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(svc, "readiness_index", slow)
    monkeypatch.setattr(MatrixScreen, "INLINE_INDEX_MAX", 0)
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MatrixScreen)
        count = str(screen.query_one("#count").render())
        assert "ELO-conform wordt berekend…" in count
        for _ in range(200):  # the rows' worker is not held back; the index's is
            if not screen.mapping.partial:
                break
            await pilot.pause(0.02)
        assert not screen.mapping.partial
        await pilot.press("d")
        await pilot.pause()
        table = screen.query_one(MatrixTable)
        assert table.rows == []
        assert "filter wordt berekend" in str(screen.query_one("#count").render())
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.conform == expected_conform
        assert f"{expected_conform} ELO-conform" in str(screen.query_one("#count").render())
        assert table.rows == deadline_rows
    ws.close()


@pytest.mark.parametrize("reindex_max", [2000, 0])
def test_index_follows_accept_all_or_is_dropped_to_be_computed_anew(tmp_path, reindex_max):
    ws = bench_workspace(tmp_path / "gen.sqlite", 300)
    try:
        m = svc.open_matrix(ws, TODAY)
        m.REINDEX_MAX = reindex_max
        generation, ids = m.start_index()
        assert m.set_index(generation, svc.readiness_index(ws, ids, m.overrides))
        row = next(r for r in m.rows if r.kind == "product" and r.group)
        scope, (name, cells) = next(
            (k, v) for k, v in svc.accept_scopes(m, row).items() if k == svc.ACCEPT_APPLICATION
        )
        plan = svc.plan_accept(m, scope, name, cells)
        saved = svc.accept_all(ws, plan, TODAY)
        assert saved  # the bench workspace leaves cells undecided with a suggestion
        affected = m.apply_many(saved)
        assert row.id in affected
        if reindex_max:
            assert m.index == _fresh(ws, m)
        else:
            assert m.index is None  # the screen computes it anew
            generation, ids = m.start_index()
            assert m.set_index(generation, svc.readiness_index(ws, ids, m.overrides))
            assert m.index == _fresh(ws, m)
    finally:
        ws.close()


async def test_large_matrix_shows_its_first_rows_then_all(settings, monkeypatch):
    """Above INLINE_INDEX_MAX the first frame holds the first application groups only
    (read by application); every row follows from a worker, the cursor staying put.
    Meanwhile nothing counts over all products: no total, no accept-all, filters wait."""
    from elo_tui.app import EloApp
    from elo_tui.screens.accept_all import AcceptAllDialog
    from elo_tui.screens.matrix import MatrixScreen
    from elo_tui.widgets.matrix_table import MatrixTable

    ws = bench_workspace(settings.workspace_path("gen"), 300)
    full_rows = svc.load_mapping(ws).rows
    release = threading.Event()
    real = svc.open_matrix

    def slow(*args, **kwargs):
        if kwargs.get("pages_from") is not None:  # the worker's call
            release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(svc, "open_matrix", slow)
    monkeypatch.setattr(MatrixScreen, "INLINE_INDEX_MAX", 0)
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MatrixScreen)
        table = screen.query_one(MatrixTable)
        first = list(table.rows)
        assert screen.mapping.partial
        assert 80 <= len(first) < len(full_rows)
        assert first == full_rows[: len(first)]  # whole groups, in display order
        # The whole counted in SQL from the first frame; the conform count waits for the
        # index (the readiness store was never brought up to date here).
        assert "300 producten · ELO-conform wordt berekend…" in str(
            screen.query_one("#count").render()
        )
        assert table.virtual_size.height == len(full_rows) + 1  # the scrollbar of the whole
        await pilot.press("V")
        await pilot.pause()
        assert not isinstance(app.screen, AcceptAllDialog)
        table.move_to(50, "vms")
        await pilot.pause()
        release.set()
        for _ in range(200):
            if not screen.mapping.partial:
                break
            await pilot.pause(0.02)
        assert table.rows == full_rows
        assert (table.cursor_row, table.current_column) == (50, "vms")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "300 producten" in str(screen.query_one("#count").render())
        assert screen.conform is not None
    ws.close()


def test_first_rows_equal_the_full_matrix_as_far_as_they_go(tmp_path):
    """open_matrix_start: whole groups in display order, and for what they show the same
    cells, suggestions and products per application as the full mapping."""
    ws = bench_workspace(tmp_path / "gen.sqlite", 300)
    try:
        full = svc.load_mapping(ws, TODAY)
        first = svc.open_matrix_start(ws, TODAY, rows=30)
        assert first.partial
        assert 30 <= len(first.rows) < len(full.rows)
        assert first.rows == full.rows[: len(first.rows)]
        assert full.rows[len(first.rows)].kind == "application"  # whole groups
        for row in first.rows:
            for block in BLOCK_CODES:
                assert first.view(row, block) == full.view(row, block), (row, block)
            if row.kind == "application":
                assert sorted(first.products_of_app[row.id]) == sorted(full.products_of_app[row.id])
        assert first.needs_index(svc.RowFilter("", "", first.rows[0].id))
        assert not first.needs_index(svc.RowFilter())
        small = svc.open_matrix_start(ws, TODAY, rows=100_000)  # everything fits
        assert not small.partial and small.rows == full.rows
    finally:
        ws.close()


def _with_more_applications(ws: Workspace) -> None:
    """Applications named to come first, so that open_matrix_start shows them only: one
    with products, empty ones, and a deleted one whose product is then listed without
    an application."""
    first = [app(f"Aaa loket {i}") for i in range(9)]
    gone = app("Aaa weg")
    ps = [product(f"Eerste {i}", req=first[i % 3], fol=first[(i + 1) % 3]) for i in range(5)]
    orphan = product("Wees", req=gone, fol=gone)
    ws.save_many([*first, gone, *ps, orphan, *all_in_production(first[:3], ps)])
    ws.delete(type(gone), gone.id)


@pytest.mark.parametrize("kind", ["edge", "generated", "demo"])
def test_first_rows_count_the_whole_as_the_full_mapping(tmp_path, kind):
    """The counts a partial mapping shows from the first frame (rows of the whole for the
    scrollbar, products, excluded, conform from the readiness store) are the full
    mapping's; the conform count only when the store holds every product as it is."""
    from elo_tui.services import readiness_store

    if kind == "edge":
        ws = edge_workspace(tmp_path / "edge.sqlite")
        _with_more_applications(ws)
    elif kind == "generated":
        ws = bench_workspace(tmp_path / "gen.sqlite", 300)
    else:
        ws = demo_workspace(tmp_path / "demo.sqlite")
    try:
        full = svc.load_mapping(ws, TODAY)
        first = svc.open_matrix_start(ws, TODAY, rows=3)
        assert first.partial and first.head is not None
        products = list(full.products.values())
        expected_conform = count_conform(products, full.statuses, full.overrides)
        if kind == "edge":  # the cases are there
            assert full.rows[-1].kind == "product" and not full.rows[-1].group
            assert full.excluded_count() and full.overrides.new_apps
        assert first.head.rows == len(full.rows)
        assert first.head.products == len(products) == full.product_count()
        assert first.head.excluded == full.excluded_count()
        readiness_store.refresh(ws, TODAY)
        head = svc.open_matrix_start(ws, TODAY, rows=3).head
        assert head is not None and head.conform == expected_conform
        index = svc.readiness_index(ws, full.rows, full.overrides, from_store=False)
        assert head.conform == index.conform_count
        # A write the store has not seen yet (here: raw SQL, as another program might):
        # not known, never the old figure.
        row = next(r for r in full.rows if r.kind == "product")
        ws.conn.execute("UPDATE product SET name = name || ' ' WHERE id = ?", (row.id,))
        ws.conn.commit()
        head = svc.open_matrix_start(ws, TODAY, rows=3).head
        assert head is not None and head.conform is None
    finally:
        ws.close()


async def test_large_matrix_first_frame_is_the_whole_and_the_rest_repaints_nothing(
    settings, monkeypatch
):
    """With the readiness store up to date the first frame holds every figure; the rows
    arriving from the worker and the index after them change nothing on screen, so the
    table, the count and the detail are not drawn a second time."""
    from textual.widgets import Static

    from elo_tui.app import EloApp
    from elo_tui.screens.matrix import MatrixScreen
    from elo_tui.services import readiness_store
    from elo_tui.widgets.matrix_table import MatrixTable

    ws = bench_workspace(settings.workspace_path("gen"), 300)
    readiness_store.refresh(ws, TODAY)
    full = svc.load_mapping(ws)
    expected_conform = count_conform(full.products.values(), full.statuses, full.overrides)
    release = threading.Event()
    real = svc.open_matrix

    def slow(*args, **kwargs):
        if kwargs.get("pages_from") is not None:  # the worker's call
            release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(svc, "open_matrix", slow)
    monkeypatch.setattr(MatrixScreen, "INLINE_INDEX_MAX", 0)
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MatrixScreen)
        table = screen.query_one(MatrixTable)
        assert screen.mapping.partial
        count = f"300 producten · {expected_conform} ELO-conform (zelf verklaard)"
        assert count in str(screen.query_one("#count").render())
        assert table.virtual_size.height == len(full.rows) + 1
        # Past the rows read so far: said so, not blank.
        table.scroll_to(y=len(table.rows) + 5, animate=False, immediate=True)
        await pilot.pause()
        assert "wordt gelezen" in "".join(s.text for s in table.render_line(1))
        table.scroll_to(y=0, animate=False, immediate=True)
        await pilot.pause()
        drawn: list[str] = []
        real_refresh = table.refresh
        monkeypatch.setattr(
            table, "refresh", lambda *a, **k: drawn.append("table") or real_refresh(*a, **k)
        )
        for widget in screen.query(Static):
            real_update = widget.update
            monkeypatch.setattr(
                widget,
                "update",
                lambda *a, _w=widget, _u=real_update, **k: drawn.append(_w.id) or _u(*a, **k),
            )
        release.set()
        for _ in range(200):
            if not screen.mapping.partial:
                break
            await pilot.pause(0.02)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.mapping.partial and screen.mapping.index is not None
        assert table.rows == full.rows
        assert screen.conform == expected_conform
        assert count in str(screen.query_one("#count").render())
        assert drawn == []
        await pilot.press("down")  # and the table still answers
        assert table.cursor_row == 1
    ws.close()


async def test_an_edit_before_the_index_arrives_makes_the_count_unknown(settings, monkeypatch):
    """The first frame's conform count (from the readiness store) is not carried past an
    edit made before the index is there: 'wordt berekend…' until the index, which takes
    the edit in, gives the figure."""
    from elo_tui.app import EloApp
    from elo_tui.screens.matrix import MatrixScreen
    from elo_tui.services import readiness_store

    ws = bench_workspace(settings.workspace_path("gen"), 300)
    readiness_store.refresh(ws, TODAY)
    release = threading.Event()
    real = svc.readiness_index

    def slow(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(svc, "readiness_index", slow)
    monkeypatch.setattr(MatrixScreen, "INLINE_INDEX_MAX", 0)
    app = EloApp(settings, ws, start_mode="matrix")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MatrixScreen)
        assert screen.conform is not None
        for _ in range(200):
            if not screen.mapping.partial:
                break
            await pilot.pause(0.02)
        m = screen.mapping
        row = next(r for r in m.rows if r.kind == "product")
        values = {**svc.status_values(m.status("product", row.id, "vms")), "reason": ""}
        values.update(applicability="required", stage="production")
        saved, errors = svc.set_block_status(app.ws, "product", row.id, "vms", values, TODAY)
        assert not errors, errors
        screen._after_edit(saved)
        await pilot.pause()
        assert screen.conform is None
        assert "ELO-conform wordt berekend…" in str(screen.query_one("#count").render())
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        full = svc.load_mapping(app.ws)
        expected = count_conform(full.products.values(), full.statuses, full.overrides)
        assert screen.conform == expected
    ws.close()
