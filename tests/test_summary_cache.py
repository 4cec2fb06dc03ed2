"""The dashboard's readiness summary kept in the workspace (issue 12): it must give exactly
the figures the Python computation gives, and be computed anew after every write to what
readiness is computed from, by whichever path or process."""

from __future__ import annotations

import dataclasses
import sqlite3
import sys
from datetime import date
from pathlib import Path

import pytest

from blocks_support import all_in_production, app, product, small_workspace, status
from elo_tui.domain.readiness import ReadinessSummary, StoredRisks
from elo_tui.domain.records import Application, BlockStatus, Delay, Exemption, Product, Review
from elo_tui.services import mapping
from elo_tui.services.dashboard import (
    SUMMARY_CACHE,
    load_dashboard,
    readiness_summary,
    readiness_summary_and_source,
)
from elo_tui.services.workspaces import open_demo
from elo_tui.store import Workspace, schema

TODAY = date(2026, 11, 22)
BENCH = Path(__file__).resolve().parent.parent / "bench"


def _plain(s: ReadinessSummary) -> ReadinessSummary:
    """Comparable: the at-risk lists as lists, no per-product readiness (not cached)."""
    return dataclasses.replace(s, at_risk={k: list(v) for k, v in s.at_risk.items()}, products={})


def assert_same(fast: ReadinessSummary, slow: ReadinessSummary) -> None:
    assert _plain(fast) == _plain(slow)
    assert fast.to_dict() == slow.to_dict()  # every figure, every risk, as reported
    assert fast.snapshot() == slow.snapshot()
    for key in slow.at_risk:
        assert fast.waiting_at_risk(key) == slow.waiting_at_risk(key)


def computed(ws: Workspace, today: date = TODAY) -> ReadinessSummary:
    return mapping.load_mapping(ws, today).summary()


def cached_equals_computed(ws: Workspace, today: date = TODAY) -> None:
    first, _m, source = readiness_summary_and_source(ws, today)
    assert source != "cache"  # nothing kept yet: computed (from the per-product store)
    second, m, source = readiness_summary_and_source(ws, today)
    assert m is None and source == "cache"
    assert isinstance(next(iter(second.at_risk.values())), StoredRisks)
    slow = computed(ws, today)
    assert_same(first, slow)
    assert_same(second, slow)


def edge_cases(path: Path) -> Workspace:
    """Exemptions and a delay (accepted, refused, asked), not applicable with a reason,
    undecided, waiting on a block, an excluded application, a tombstoned product."""
    ws, r = small_workspace(path)
    a1, a2, p1, p2, p3, p4 = (r[k] for k in ("a1", "a2", "p1", "p2", "p3", "p4"))
    excluded = app("Uitgesloten loket")
    excluded.excluded, excluded.exclusion_reason = True, "valt buiten het decreet"
    p5 = product("Buiten beschouwing E", req=excluded, fol=excluded)
    gone = product("Verwijderd F", req=a1, fol=a1)
    ws.save_many([excluded, p5, gone])
    statuses = all_in_production([a1, a2, excluded], [p1, p2, p3, p4, p5, gone])
    by = {(s.scope_id, s.block): s for s in statuses}
    by[(a1.id, "dosis")].stage = "analysis"
    by[(a1.id, "dosis")].target_date = "2027-09-15"
    by[(a2.id, "global_header")].stage = "not_started"
    by[(a2.id, "global_header")].waiting_on_block = True
    by[(p1.id, "vms")].applicability = "not_applicable"
    by[(p1.id, "vms")].reason = "geen mandaten"
    by[(p2.id, "toelatingen")].applicability = "undecided"
    by[(p3.id, "product_rights")].stage = "development"
    by[(p3.id, "product_rights")].target_date = "2026-10-01"  # passed
    by[(p4.id, "vms")].stage = "analysis"
    by[(p4.id, "vms")].target_date = "2027-03-01"  # after 1 January 2027
    ws.save_many(statuses)
    ws.save(status(p4, "toelatingen", "forms_tool", "production"))
    accepted = Exemption(scope_kind="application", scope_id=a2.id, subject="dosis", ground="x")
    asked = Exemption(scope_kind="product", scope_id=p2.id, subject="sso", ground="y")
    refused = Exemption(scope_kind="product", scope_id=p3.id, subject="vms", ground="z")
    delay = Delay(
        scope_kind="application",
        scope_id=a1.id,
        subject="dosis",
        original_date="2027-06-30",
        new_date="2027-09-30",
        reason="leverancier",
    )
    ws.save_many([accepted, asked, refused, delay])
    ws.save_many(
        [
            Review(target_kind="exemption", target_id=accepted.id, verdict="accepted"),
            Review(target_kind="exemption", target_id=refused.id, verdict="refused"),
            Review(target_kind="delay", target_id=delay.id, verdict="accepted"),
        ]
    )
    ws.delete(Product, gone.id)
    return ws


def generated(path: Path, n: int) -> Workspace:
    sys.path.insert(0, str(BENCH))
    try:
        from generate import generate, work_on

        generate(path, n).close()
        work_on(path)  # block statuses (bench_matrix), checklists, estimate lines
    finally:
        sys.path.remove(str(BENCH))
    return Workspace.open(path)


# -- the same figures ------------------------------------------------------------------------


def test_cached_summary_equals_the_computed_one_for_the_demo(demo_ws):
    cached_equals_computed(demo_ws)


def test_cached_summary_equals_the_computed_one_for_the_edge_cases(tmp_path):
    with edge_cases(tmp_path / "e.sqlite") as ws:
        s = computed(ws)
        # the cases are really there
        assert s.excluded and s.exempt_products and s.undecided
        assert s.waiting_at_risk("2027-06-30") or any(b.waiting for b in s.blocks)
        assert all(s.at_risk.values())
        cached_equals_computed(ws)
        for reading in ("all_products", "new_listing"):
            mapping.save_reading(ws, reading)
            cached_equals_computed(ws)
        cached_equals_computed(ws, date(2027, 7, 1))  # every milestone passed


@pytest.mark.parametrize("n", [40, 250])
def test_cached_summary_equals_the_computed_one_for_generated_workspaces(tmp_path, n):
    with generated(tmp_path / f"g{n}.sqlite", n) as ws:
        assert max(len(v) for v in computed(ws).at_risk.values()) > 5  # beyond the head
        cached_equals_computed(ws)


def test_risks_beyond_the_first_five_are_read_when_asked(tmp_path):
    with generated(tmp_path / "g.sqlite", 40) as ws:
        readiness_summary(ws, TODAY)
        cached, m = readiness_summary(ws, TODAY)
        assert m is None
        slow = computed(ws)
        for key, items in slow.at_risk.items():
            stored = cached.at_risk[key]
            assert len(stored) == len(items)
            assert stored[:5] == items[:5] and stored[-1] == items[-1]
            assert list(stored) == items


def test_the_dashboard_data_is_the_same_from_the_cache(demo_ws):
    first = load_dashboard(demo_ws, TODAY, with_roadmap=False)
    second = load_dashboard(demo_ws, TODAY, with_roadmap=False)
    assert first.source != "cache" and second.source == "cache"
    assert_same(second.summary, first.summary)
    assert [(r.item.id, r.scope_name) for r in first.overdue + first.upcoming] == [
        (r.item.id, r.scope_name) for r in second.overdue + second.upcoming
    ]
    assert (first.agency_name, first.overdue_count, first.soon_count) == (
        second.agency_name,
        second.overdue_count,
        second.soon_count,
    )


# -- computed anew after every write -----------------------------------------------------------


def _warm(ws: Workspace, today: date = TODAY) -> None:
    readiness_summary(ws, today)
    assert readiness_summary_and_source(ws, today)[2] == "cache"


def _fresh_after(ws: Workspace, today: date = TODAY) -> None:
    """The next read recomputes, and gives what the computation gives."""
    s, _m, source = readiness_summary_and_source(ws, today)
    assert source != "cache", "a stale summary was taken from the cache"
    assert_same(s, computed(ws, today))


def _a_status(ws: Workspace) -> BlockStatus:
    return ws.list(BlockStatus, order_by="id")[0]


def test_a_save_on_this_connection_invalidates(demo_ws):
    _warm(demo_ws)
    st = _a_status(demo_ws)
    st.stage = "production" if st.stage != "production" else "analysis"
    demo_ws.save(st)
    _fresh_after(demo_ws)


def test_a_delete_and_a_new_product_invalidate(demo_ws):
    _warm(demo_ws)
    demo_ws.delete(Product, demo_ws.list(Product, order_by="id")[0].id)
    _fresh_after(demo_ws)
    _warm(demo_ws)
    demo_ws.save(Product(name="Nieuw product"))
    _fresh_after(demo_ws)


@pytest.mark.parametrize("kind", [Application, Exemption, Delay, Review])
def test_a_write_to_any_input_invalidates(demo_ws, kind):
    _warm(demo_ws)
    demo_ws.save(kind())
    _fresh_after(demo_ws)


def test_a_write_by_another_process_invalidates(demo_ws):
    _warm(demo_ws)
    with Workspace.open(demo_ws.path, user="ander") as other:
        st = _a_status(other)
        st.applicability = "undecided"
        other.save(st)
    _fresh_after(demo_ws)


def test_raw_sql_writes_invalidate(demo_ws):
    """Sync pulls, imports and undo all write through SQL: a trigger sees any of them,
    even one by a program that knows nothing of the cache."""
    _warm(demo_ws)
    conn = sqlite3.connect(demo_ws.path)
    conn.execute("UPDATE block_status SET stage = 'production' WHERE stage != 'production'")
    conn.commit()
    conn.close()
    _fresh_after(demo_ws)


def test_a_sync_pull_invalidates(demo_ws):
    _warm(demo_ws)
    p = demo_ws.list(Product, order_by="id")[0]
    p.name = "Hernoemd op een andere laptop"
    demo_ws.put_synced([p])
    _fresh_after(demo_ws)


def test_the_reading_and_the_day_are_part_of_the_key(demo_ws):
    _warm(demo_ws)
    mapping.save_reading(demo_ws, "all_products")
    _fresh_after(demo_ws)
    _warm(demo_ws)
    _fresh_after(demo_ws, date(2026, 11, 23))


def test_a_damaged_cache_is_computed_anew(demo_ws):
    _warm(demo_ws)
    demo_ws.conn.execute("UPDATE summary_cache SET data = '{' WHERE name = ?", (SUMMARY_CACHE,))
    demo_ws.conn.commit()
    _fresh_after(demo_ws)


def test_a_read_only_workspace_computes_without_keeping(demo_ws):
    path = demo_ws.path
    with Workspace.open(path, read_only=True) as ro:
        s, m = readiness_summary(ro, TODAY)
        assert m is not None
        assert_same(s, computed(demo_ws))
        assert ro.cached_summary(SUMMARY_CACHE) is None


def test_a_version_5_workspace_upgrades_with_its_data(tmp_path):
    path = tmp_path / "old.sqlite"
    with Workspace.open(path, create=True) as ws:
        prod = ws.save(Product(name="Premie"))
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE change_counter")
    conn.execute("DROP TABLE summary_cache")
    conn.execute("DROP INDEX idx_checklist_item_open_due")
    before = schema.MIGRATIONS.index(schema._v6_change_counter)
    conn.execute(f"PRAGMA user_version = {before}")
    conn.commit()
    conn.close()
    with Workspace.open(path) as ws:
        assert ws.get(Product, prod.id).name == "Premie"
        start = ws.change_generation()
        ws.save(Product(name="Tweede"))
        assert ws.change_generation() > start
        _warm(ws)
    assert (tmp_path / f"old.sqlite.v{before}.bak").exists()


def test_writes_outside_the_inputs_keep_the_cache(demo_ws):
    """The snapshot the dashboard writes, and settings, are no input: no recomputing."""
    _warm(demo_ws)
    mapping.record_snapshot(demo_ws, computed(demo_ws))
    demo_ws.set_meta("iets", "anders")
    assert readiness_summary(demo_ws, TODAY)[1] is None


def test_open_demo_twice_uses_the_cache(settings):
    ws = open_demo(settings)
    readiness_summary(ws, TODAY)
    ws.close()
    with open_demo(settings) as again:
        assert readiness_summary(again, TODAY)[1] is None


async def test_the_dashboard_shows_the_same_from_the_cache(settings, monkeypatch):
    from elo_tui.app import EloApp
    from elo_tui.screens.dashboard import DashboardScreen

    monkeypatch.setenv("ELO_TUI_TODAY", TODAY.isoformat())
    panels = ("#dash-blocks", "#dash-deadlines", "#dash-agenda", "#dash-risk")
    shown = []
    for _ in range(2):
        ws = open_demo(settings)
        app = EloApp(settings, ws)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, DashboardScreen)
            shown.append(
                (
                    [str(app.screen.query_one(p).render()) for p in panels],
                    app.screen.data.source == "cache",
                )
            )
        ws.close()
    assert shown[0][1] is False and shown[1][1] is True  # computed, then from the cache
    assert shown[0][0] == shown[1][0]
    assert "ELO-conform" in shown[1][0][0]


def test_a_damaged_packed_detail_is_computed_anew_when_read(demo_ws):
    """The packed at-risk lists are read lazily; damaged, they are computed again rather
    than surfacing a zlib error (`report --json` reads them)."""
    _warm(demo_ws)
    demo_ws.conn.execute(
        "UPDATE summary_cache SET detail = x'00ff' WHERE name = ?", (SUMMARY_CACHE,)
    )
    demo_ws.conn.commit()
    summary, m = readiness_summary(demo_ws, TODAY)
    assert m is None  # the figures still come from the cache
    assert_same(summary, computed(demo_ws))  # reading every at-risk product works
