"""The per-product readiness store (schema v8, services/readiness_store.py): the summary
summed from it must equal the Python computation on every kind of workspace, whatever
day it is read on; every write path marks exactly the products it concerns stale, and
only those are computed again."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from elo_tui.domain.blocks import BLOCK_CODES
from elo_tui.domain.readiness import product_readiness
from elo_tui.domain.records import Application, BlockStatus, Exemption, Product, Review
from elo_tui.services import mapping, readiness_store
from elo_tui.store import Workspace, schema
from test_summary_cache import TODAY, assert_same, computed, edge_cases, generated


def store_summary(ws: Workspace, today: date = TODAY):
    assert readiness_store.refresh(ws, today)
    summary, complete, _generation = readiness_store.summary(ws, today)
    assert complete
    return summary


def store_equals_computed(ws: Workspace, today: date = TODAY) -> None:
    assert_same(store_summary(ws, today), computed(ws, today))


def stale_ids(ws: Workspace) -> set[str]:
    return {pid for pid, _ in ws.readiness_stale()}


# -- the same figures ------------------------------------------------------------------------


def test_the_store_equals_the_computation_for_the_demo(demo_ws):
    store_equals_computed(demo_ws)


def test_the_store_equals_the_computation_for_the_edge_cases(tmp_path):
    with edge_cases(tmp_path / "e.sqlite") as ws:
        s = computed(ws)
        assert s.excluded and s.exempt_products and s.undecided  # the cases are there
        store_equals_computed(ws)
        for reading in ("all_products", "new_listing"):
            mapping.save_reading(ws, reading)
            store_equals_computed(ws)
        # Other days, also going back: target dates pass, milestones pass.
        for day in (date(2027, 1, 2), date(2027, 7, 1), date(2026, 9, 1), TODAY):
            store_equals_computed(ws, day)


@pytest.mark.parametrize("n", [40, 250])
def test_the_store_equals_the_computation_for_generated_workspaces(tmp_path, n):
    with generated(tmp_path / f"g{n}.sqlite", n) as ws:
        assert max(len(v) for v in computed(ws).at_risk.values()) > 5  # beyond the head
        store_equals_computed(ws)
        for day in (date(2027, 3, 1), date(2027, 7, 1), TODAY):
            store_equals_computed(ws, day)


def test_a_new_application_and_an_undecided_block(tmp_path):
    with edge_cases(tmp_path / "e.sqlite") as ws:
        store_summary(ws)
        a = ws.list(Application, order_by="name")[0]
        a.is_new = True
        ws.save(a)
        st = ws.list(BlockStatus, order_by="id")[0]
        ws.delete(BlockStatus, st.id)  # undecided again
        store_equals_computed(ws)


def test_another_day_recomputes_only_products_with_a_date_in_between(tmp_path):
    with edge_cases(tmp_path / "e.sqlite") as ws:
        store_summary(ws, date(2026, 9, 1))
        # The edge cases have one target date passing on 2026-10-01 (product p3).
        _summary, complete, _ = readiness_store.summary(ws, TODAY)
        assert not complete  # kept for another day: never read as today's
        ws.set_meta(readiness_store.DAY_META, "2026-09-01")
        readiness_store.refresh(ws, date(2026, 9, 2))  # nothing passes in between
        assert ws.get_meta(readiness_store.DAY_META) == "2026-09-02"
        assert not stale_ids(ws)
        ws.readiness_mark_dated("2026-09-02", TODAY.isoformat())
        marked = stale_ids(ws)
        assert len(marked) == 1
        p3 = next(p for p in ws.list(Product) if p.name == "Vergunning C")
        assert marked == {p3.id}
        store_equals_computed(ws)


# -- only what changed is computed again ---------------------------------------------------------


def _fresh(ws: Workspace) -> None:
    store_summary(ws)
    assert not stale_ids(ws)


def _products_of(ws: Workspace, app_id: str) -> set[str]:
    return {
        p.id
        for p in ws.list(Product, include_deleted=True)
        if app_id in (p.request_application_id, p.followup_application_id)
    }


def test_a_product_status_marks_its_product_only(demo_ws):
    _fresh(demo_ws)
    st = demo_ws.list(BlockStatus, where="scope_kind = 'product'", order_by="id")[0]
    st.stage = "production" if st.stage != "production" else "analysis"
    demo_ws.save(st)
    assert stale_ids(demo_ws) == {st.scope_id}
    store_equals_computed(demo_ws)


def test_an_application_status_marks_the_products_of_the_application(demo_ws):
    _fresh(demo_ws)
    st = demo_ws.list(BlockStatus, where="scope_kind = 'application'", order_by="id")[0]
    st.applicability = "undecided"
    demo_ws.save(st)
    expected = _products_of(demo_ws, st.scope_id)
    assert expected and stale_ids(demo_ws) == expected
    assert {a for a, _ in demo_ws.readiness_application_stale()} == {st.scope_id}
    store_equals_computed(demo_ws)


def test_an_application_exemption_and_its_review(demo_ws):
    _fresh(demo_ws)
    app = demo_ws.list(Application, order_by="id")[0]
    e = demo_ws.save(Exemption(scope_kind="application", scope_id=app.id, subject="sso"))
    assert stale_ids(demo_ws) == _products_of(demo_ws, app.id)
    _fresh(demo_ws)
    demo_ws.save(Review(target_kind="exemption", target_id=e.id, verdict="accepted"))
    assert stale_ids(demo_ws) == _products_of(demo_ws, app.id)
    store_equals_computed(demo_ws)


def test_a_product_exemption_and_an_excluded_application(demo_ws):
    _fresh(demo_ws)
    p = demo_ws.list(Product, order_by="id")[0]
    e = demo_ws.save(Exemption(scope_kind="product", scope_id=p.id, subject="vms"))
    demo_ws.save(Review(target_kind="exemption", target_id=e.id, verdict="accepted"))
    assert stale_ids(demo_ws) == {p.id}
    store_equals_computed(demo_ws)
    app = demo_ws.get(Application, p.request_application_id)
    app.excluded, app.exclusion_reason = True, "in onderling overleg"
    demo_ws.save(app)
    assert stale_ids(demo_ws) == _products_of(demo_ws, app.id)
    store_equals_computed(demo_ws)


def test_new_renamed_and_deleted_products(demo_ws):
    _fresh(demo_ws)
    new = demo_ws.save(Product(name="Nieuw product"))
    assert stale_ids(demo_ws) == {new.id}
    store_equals_computed(demo_ws)
    old = demo_ws.list(Product, order_by="id")[0]
    demo_ws.delete(Product, old.id)  # a tombstone
    assert stale_ids(demo_ws) == {old.id}
    store_equals_computed(demo_ws)
    demo_ws.conn.execute("DELETE FROM product WHERE id = ?", (new.id,))  # gone for good
    demo_ws.conn.commit()
    store_equals_computed(demo_ws)


def test_a_write_by_another_process_and_raw_sql(demo_ws):
    _fresh(demo_ws)
    conn = sqlite3.connect(demo_ws.path)
    conn.execute("UPDATE block_status SET stage = 'production' WHERE stage != 'production'")
    conn.commit()
    conn.close()
    assert stale_ids(demo_ws)
    store_equals_computed(demo_ws)


def test_a_sync_pull_marks_the_product(demo_ws):
    _fresh(demo_ws)
    p = demo_ws.list(Product, order_by="id")[0]
    p.on_elo = "none"
    demo_ws.put_synced([p])
    assert stale_ids(demo_ws) == {p.id}
    store_equals_computed(demo_ws)


def test_the_reading_marks_every_product(demo_ws):
    _fresh(demo_ws)
    mapping.save_reading(demo_ws, "all_products")
    _summary, complete, _ = readiness_store.summary(demo_ws, TODAY)
    assert not complete  # computed for the other reading: never read as this one's
    store_equals_computed(demo_ws)


def test_a_write_while_computing_leaves_the_product_stale(demo_ws):
    """The result of a computation that a write overtook is not kept."""
    _fresh(demo_ws)
    st = demo_ws.list(BlockStatus, where="scope_kind = 'product'", order_by="id")[0]
    st.stage = "production" if st.stage != "production" else "analysis"
    demo_ws.save(st)
    stale = demo_ws.readiness_stale()
    rows, risks, at_risk = readiness_store._compute(
        demo_ws,
        stale,
        mapping.load_reading(demo_ws),
        TODAY,
        readiness_store._overrides(demo_ws),
    )
    with Workspace.open(demo_ws.path) as other:  # meanwhile, another writer
        again = other.get(BlockStatus, st.id)
        again.stage = "not_started"
        other.save(again)
    assert demo_ws.readiness_put(rows, risks, at_risk) == 0
    assert stale_ids(demo_ws) == {st.scope_id}
    store_equals_computed(demo_ws)


# -- for the matrix ------------------------------------------------------------------------------


def test_conform_count_and_products_blocking(demo_ws):
    m = mapping.load_mapping(demo_ws, TODAY)
    readiness = {
        p.id: product_readiness(p, m.statuses, TODAY, overrides=m.overrides, reading=m.reading)
        for p in m.products.values()
    }
    counted = {pid: r for pid, r in readiness.items() if r.excluded is None}
    assert readiness_store.conform_count(demo_ws.path, TODAY) == sum(
        r.elo_conform for r in counted.values()
    )
    for blocks in ([BLOCK_CODES[0]], list(BLOCK_CODES[3:6]), ["dosis"]):
        expected = {pid for pid, r in counted.items() if any(r.cells[b].blocking for b in blocks)}
        assert readiness_store.products_blocking(demo_ws.path, blocks, TODAY) == expected
    assert readiness_store.products_blocking(demo_ws.path, [], TODAY) == set()
    summary = computed(demo_ws)
    for key, items in summary.at_risk.items():
        assert items
        assert readiness_store.products_at_risk(demo_ws.path, key, TODAY) == {
            a.product_id for a in items
        }


# -- an old workspace ----------------------------------------------------------------------------


def test_a_version_7_workspace_upgrades_with_its_data(tmp_path):
    path = tmp_path / "old.sqlite"
    with edge_cases(path):
        pass
    conn = sqlite3.connect(path)
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'readiness_%'"
    ).fetchall():
        conn.execute(f'DROP TRIGGER "{name}"')
    for table in (
        "readiness_product",
        "readiness_risk",
        "readiness_at_risk",
        "readiness_count",
        "readiness_application",
    ):
        conn.execute(f"DROP TABLE {table}")
    before = schema.MIGRATIONS.index(schema._v8_readiness_store)
    conn.execute(f"PRAGMA user_version = {before}")
    conn.commit()
    conn.close()
    with Workspace.open(path) as ws:
        assert len(stale_ids(ws)) == len(ws.list(Product, include_deleted=True))
        assert len(ws.readiness_application_stale()) == len(
            ws.list(Application, include_deleted=True)
        )
        store_equals_computed(ws)
    assert (tmp_path / f"old.sqlite.v{before}.bak").exists()


def test_the_matrix_functions_without_the_store_give_the_same(demo_ws, monkeypatch):
    """A store that cannot be brought up to date (read-only) is not used: computed."""
    blocks = list(BLOCK_CODES[2:5])
    key = next(iter(computed(demo_ws).at_risk))
    with_store = (
        readiness_store.conform_count(demo_ws.path, TODAY),
        readiness_store.products_blocking(demo_ws.path, blocks, TODAY),
        readiness_store.products_at_risk(demo_ws.path, key, TODAY),
    )
    monkeypatch.setattr(readiness_store, "_up_to_date", lambda ws, today: False)
    assert with_store == (
        readiness_store.conform_count(demo_ws.path, TODAY),
        readiness_store.products_blocking(demo_ws.path, blocks, TODAY),
        readiness_store.products_at_risk(demo_ws.path, key, TODAY),
    )
    assert with_store[0] and with_store[1] and with_store[2]
