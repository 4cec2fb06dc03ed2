"""The matrix's readiness index, the history snapshot and `elo-tui report` read the
readiness store (services/readiness_store.py) instead of computing every product: they
must give exactly what the computation gives, also after a write the program did not
make (raw SQL, as a sync or another process), and fall back to the computation when the
store cannot be brought up to date (a read-only workspace)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from elo_tui.services import mapping as svc
from elo_tui.services import readiness_store
from elo_tui.store import Workspace
from test_matrix_paging import TODAY, bench_workspace, demo_workspace, edge_workspace
from test_summary_cache import assert_same, computed
from test_summary_cache import edge_cases as summary_edge_cases


def both_indexes(ws: Workspace) -> tuple[svc.ReadinessIndex, svc.ReadinessIndex]:
    """(from the store, computed) for the matrix's rows; fails when the store is not used."""
    m = svc.open_matrix(ws, TODAY)
    _generation, rows = m.start_index()
    assert readiness_store.index_cells(ws, TODAY) is not None  # the store answers
    stored = svc.readiness_index(ws, rows, m.overrides, today=TODAY)
    computed_index = svc.readiness_index(ws, rows, m.overrides, chunk=7, from_store=False)
    return stored, computed_index


def assert_index_from_store(ws: Workspace) -> None:
    stored, computed_index = both_indexes(ws)
    assert stored == computed_index
    assert stored.conform_count == computed_index.conform_count


def raw_write(path: Path, sql: str) -> None:
    """A write the program does not make (another process, a sync): only triggers see it."""
    conn = sqlite3.connect(path)
    conn.execute(sql)
    conn.commit()
    conn.close()


WORKSPACES = {
    "demo": demo_workspace,
    "generated": lambda path: bench_workspace(path, 300),
    "edge": edge_workspace,
}


@pytest.mark.parametrize("kind", list(WORKSPACES))
def test_the_index_from_the_store_equals_the_computed_one(tmp_path, kind):
    ws = WORKSPACES[kind](tmp_path / f"{kind}.sqlite")
    try:
        stored, computed_index = both_indexes(ws)
        assert stored == computed_index
        # The cases are there: some blocking, some conform (none in the generated one).
        assert any(computed_index.blocking)
        assert any(computed_index.conform) or kind == "generated"
    finally:
        ws.close()


def test_the_index_follows_raw_writes_and_excluded_applications(tmp_path):
    ws = bench_workspace(tmp_path / "gen.sqlite", 300)
    try:
        assert_index_from_store(ws)  # the store up to date
        before = both_indexes(ws)[0]
        raw_write(ws.path, "UPDATE block_status SET stage = 'production' WHERE block = 'vms'")
        assert ws.readiness_stale()  # the triggers saw it
        after, computed_index = both_indexes(ws)
        assert after == computed_index
        assert after != before  # the write changed something the index holds
        # An application left out of consideration: its products count no more.
        raw_write(
            ws.path,
            "UPDATE application SET excluded = 1, exclusion_reason = 'overleg' "
            "WHERE id = (SELECT request_application_id FROM product "
            "WHERE request_application_id != '' LIMIT 1)",
        )
        assert_index_from_store(ws)
    finally:
        ws.close()


def test_a_read_only_workspace_with_unseen_changes_computes_the_index(tmp_path):
    ws = demo_workspace(tmp_path / "demo.sqlite")
    path = ws.path
    assert_index_from_store(ws)
    ws.close()
    raw_write(path, "UPDATE block_status SET stage = 'production'")
    with Workspace.open(path, read_only=True) as ro:
        assert readiness_store.index_cells(ro, TODAY) is None  # stale: not used
        m = svc.open_matrix(ro, TODAY)
        _generation, rows = m.start_index()
        index = svc.readiness_index(ro, rows, m.overrides, today=TODAY)
        assert index == svc.readiness_index(ro, rows, m.overrides, from_store=False)
        # What the store would say once brought up to date.
    with Workspace.open(path) as rw:
        assert_index_from_store(rw)
        assert svc.readiness_index(rw, rows, m.overrides, today=TODAY) == index


# -- the summary: history snapshot and report ---------------------------------------------------


def test_the_current_summary_equals_the_computed_one(tmp_path):
    for ws in (
        demo_workspace(tmp_path / "demo.sqlite"),
        summary_edge_cases(tmp_path / "e.sqlite"),
        bench_workspace(tmp_path / "gen.sqlite", 250),
    ):
        with ws:
            assert_same(readiness_store.current_summary(ws, TODAY), computed(ws))
            raw_write(
                ws.path,
                "UPDATE block_status SET stage = 'test' WHERE rowid IN "
                "(SELECT rowid FROM block_status WHERE stage = 'production' LIMIT 5)",
            )
            assert ws.readiness_stale()
            assert_same(readiness_store.current_summary(ws, TODAY), computed(ws))


def test_the_current_summary_of_a_read_only_workspace_is_computed(tmp_path, monkeypatch):
    ws = demo_workspace(tmp_path / "demo.sqlite")
    path = ws.path
    readiness_store.refresh(ws, TODAY)
    ws.close()
    raw_write(path, "UPDATE block_status SET stage = 'production'")
    with Workspace.open(path, read_only=True) as ro:
        expected = computed(ro)
        calls = []
        real = svc.load_mapping
        monkeypatch.setattr(svc, "load_mapping", lambda *a: calls.append(a) or real(*a))
        assert_same(readiness_store.current_summary(ro, TODAY), expected)
        assert calls  # the store was stale and could not be refreshed: computed


def test_the_history_snapshot_reads_the_store(tmp_path, monkeypatch):
    ws = bench_workspace(tmp_path / "gen.sqlite", 250)
    try:
        expected = computed(ws).snapshot()
        raw_write(ws.path, "DELETE FROM readiness_history")  # none recorded yet
        calls = []
        real = svc.load_mapping
        monkeypatch.setattr(svc, "load_mapping", lambda *a: calls.append(a) or real(*a))
        assert svc.record_snapshot_apart(ws, TODAY)
        assert not calls  # summed from the store, not computed from every product
        assert ws.history()[-1] == (TODAY.isoformat(), expected)
        assert not svc.record_snapshot_apart(ws, TODAY)  # nothing changed
    finally:
        ws.close()


def test_a_store_with_many_stale_products_is_not_refreshed_for_the_index(tmp_path, monkeypatch):
    """A new workspace (every product stale): the index is computed, the store left as is."""
    ws = demo_workspace(tmp_path / "demo.sqlite")
    try:
        stale = len(ws.readiness_stale())
        assert stale > 2
        monkeypatch.setattr(readiness_store, "REFRESH_MAX", stale - 1)
        assert readiness_store.index_cells(ws, TODAY) is None
        assert len(ws.readiness_stale()) == stale  # not refreshed
        m = svc.open_matrix(ws, TODAY)
        _generation, rows = m.start_index()
        index = svc.readiness_index(ws, rows, m.overrides, today=TODAY)
        assert index == svc.readiness_index(ws, rows, m.overrides, from_store=False)
        monkeypatch.setattr(readiness_store, "REFRESH_MAX", stale)
        assert readiness_store.index_cells(ws, TODAY) is not None
        assert not ws.readiness_stale()
    finally:
        ws.close()


def test_a_summary_with_many_stale_products_is_computed(tmp_path, monkeypatch):
    ws = demo_workspace(tmp_path / "demo.sqlite")
    try:
        stale = len(ws.readiness_stale())
        monkeypatch.setattr(readiness_store, "REFRESH_MAX", stale - 1)
        assert_same(readiness_store.current_summary(ws, TODAY), computed(ws))
        assert len(ws.readiness_stale()) == stale  # not refreshed: computed
        monkeypatch.setattr(readiness_store, "REFRESH_MAX", stale)
        assert_same(readiness_store.current_summary(ws, TODAY), computed(ws))
        assert not ws.readiness_stale()
    finally:
        ws.close()
