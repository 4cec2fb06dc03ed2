"""The nav bar's "N te synchroniseren" reads per-kind counts that triggers in the file
keep (schema 7), instead of counting every dirty row after each edit. The kept count must
equal the rows counted, whoever writes: this connection, another one, sync, undo, an
import, and a workspace from before schema 7 must upgrade with its data and its count."""

from __future__ import annotations

import sqlite3
import sys
from datetime import date
from pathlib import Path

from elo_tui.domain.records import RECORD_KINDS, Application, BlockStatus, Product
from elo_tui.services import mapping
from elo_tui.services import undo as undo_svc
from elo_tui.store import Workspace, schema

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from bench_matrix import add_block_statuses  # noqa: E402
from generate import generate  # noqa: E402

TODAY = date(2026, 3, 1)


def _kept(ws: Workspace) -> dict[str, int]:
    return dict(ws.conn.execute("SELECT kind, n FROM dirty_count").fetchall())


def _counted(ws: Workspace) -> dict[str, int]:
    return {
        k: ws.conn.execute(f'SELECT count(*) FROM "{k}" WHERE dirty = 1').fetchone()[0]
        for k in RECORD_KINDS
    }


def _same(ws: Workspace) -> int:
    assert _kept(ws) == _counted(ws)  # every kind has a kept count, each one right
    assert ws.count_dirty() == ws.count_dirty_rows()
    return ws.count_dirty()


def test_kept_count_follows_every_write_path(tmp_path):
    path = tmp_path / "w.sqlite"
    generate(path, 60).close()
    add_block_statuses(path)  # statuses and their checklists, as the benches have them
    ws = Workspace.open(path)
    assert ws.count(BlockStatus) and _same(ws) > 60  # never pushed: all dirty

    # local saves, one and many
    app = ws.save(Application(name="Loket"))
    ws.save_many([Product(name=f"P{i}") for i in range(5)])
    before = _same(ws)

    # a push: mark_pushed clears `dirty` of records still as sent
    products = ws.list(Product)[:10]
    ws.mark_pushed(Product, [(p.id, 7, p.updated_at, False) for p in products])
    assert _same(ws) == before - 10

    # a pull: server versions stored as they come, clean and dirty over both
    clean = [ws.get(Product, p.id) for p in products[:3]]
    pulled = ws.list(Product)[10:14]
    for record in pulled:
        record.dirty = False
    for record in clean:
        record.dirty = True
    ws.put_synced(pulled + clean)
    assert _same(ws) == before - 10 - 4 + 3

    # an edit of a clean record makes it dirty again; deletion (soft) keeps it dirty
    ws.save(ws.get(Product, products[5].id))
    ws.delete(Product, products[6].id)
    assert _same(ws) == before - 10 - 4 + 3 + 2

    # undo of a matrix edit (a new block status, and its checklist)
    undo_svc.attach(ws)
    mapping.set_block_status(
        ws, "application", app.id, "acm_idm", {"applicability": "forms_tool"}, TODAY
    )
    edited = _same(ws)
    assert undo_svc.undo(ws) is not None
    assert _same(ws) == edited  # the restore is an edit too: it goes out with the push

    # another process: raw SQL, updates, hard deletes and a rolled-back transaction
    with sqlite3.connect(ws.path) as other:
        other.execute("UPDATE block_status SET dirty = 0 WHERE rowid % 2 = 0")
        other.execute("UPDATE product SET dirty = NULL WHERE rowid % 7 = 0")
        other.execute("DELETE FROM checklist_item WHERE rowid % 3 = 0")
    other.close()
    try:
        with ws.transaction():
            ws.conn.execute("UPDATE product SET dirty = 0")
            raise RuntimeError("abandon")
    except RuntimeError:
        pass
    _same(ws)
    ws.close()


def test_a_kind_without_its_count_or_a_trigger_is_counted(tmp_path):
    """A record kind added later whose migration forgot its triggers, or a table rebuilt
    without them, is slow, not wrong."""
    ws = Workspace.open(tmp_path / "w.sqlite", create=True)
    ws.save_many([Product(name="A"), Product(name="B")])
    ws.conn.execute("DELETE FROM dirty_count WHERE kind = 'product'")
    ws.conn.commit()
    assert ws.count_dirty() == ws.count_dirty_rows() == 2

    ws.save(Application(name="Loket"))
    ws.conn.execute('DROP TRIGGER "dirty_count_application_insert"')
    ws.conn.commit()
    ws.save(Application(name="Niet geteld door een trigger"))
    assert _kept(ws)["application"] == 1  # the kept count went stale ...
    assert ws.count_dirty() == ws.count_dirty_rows() == 4  # ... and is not used


def test_a_schema_5_workspace_upgrades_with_its_data_and_its_dirty_count(tmp_path):
    path = tmp_path / "old.sqlite"
    ws = generate(path, 40)
    pushed = ws.list(Product)[:15]
    ws.mark_pushed(Product, [(p.id, 3, p.updated_at, False) for p in pushed])
    status = ws.save(BlockStatus(scope_kind="product", scope_id=pushed[0].id, block="vms"))
    expected = ws.count_dirty_rows()
    names = sorted(p.name for p in ws.list(Product))
    ws.close()
    # Back to schema 6: no dirty_count table, no triggers.
    conn = sqlite3.connect(path)
    for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'dirty_count_%'"
    ).fetchall():
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.execute("DROP TABLE dirty_count")
    before = schema.MIGRATIONS.index(schema._v7_dirty_count)
    conn.execute(f"PRAGMA user_version = {before}")
    conn.commit()
    conn.close()

    with Workspace.open(path) as ws:
        assert ws.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert sorted(p.name for p in ws.list(Product)) == names
        assert ws.get(BlockStatus, status.id).block == "vms"
        assert _same(ws) == expected
        ws.save(pushed[1])  # the upgraded file keeps counting
        assert _same(ws) == expected + 1
    assert (tmp_path / f"old.sqlite.v{before}.bak").exists()


def test_demo_workspace_count_is_kept(demo_ws):
    _same(demo_ws)
