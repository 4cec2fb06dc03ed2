"""The checklist's paged agenda (ordered, filtered and counted in SQL) must give exactly
what the Python agenda (`load_agenda`, `cl.agenda`) gives: same rows, same order, same
counts, on generated, demo and edge-case workspaces, and must follow every change."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from elo_tui.domain import checklists as cl
from elo_tui.domain.records import BlockStatus, ChecklistItem, Product
from elo_tui.services import checklists as svc
from elo_tui.store import Workspace

TODAY = date(2026, 3, 1)
BENCH = Path(__file__).resolve().parent.parent / "bench"


def _key(row: svc.AgendaRow) -> tuple:
    return (row.bucket, row.item.id, row.scope_name, row.block_stage, row.contradiction)


def _python_filter(rows, show, block, needle):
    """The checklist screen's former filter over the whole Python agenda."""
    out = []
    for row in rows:
        b = row.bucket
        if show == "open" and b in ("closed", "obsolete"):
            continue
        if show in ("overdue", "soon", "closed", "obsolete") and b != show:
            continue
        if block == "agency" and row.item.scope_kind != "agency":
            continue
        if block not in (None, "agency") and row.item.block != block:
            continue
        if needle and needle not in f"{row.item.title} {row.scope_name}".casefold():
            continue
        out.append(row)
    return out


def assert_same_agenda(ws: Workspace, today: date = TODAY, needles=("",)) -> None:
    expected = svc.load_agenda(ws, today)
    assert [_key(r) for r in svc.agenda_rows(ws, today)] == [_key(r) for r in expected]
    blocks = [None, "agency", *sorted({r.item.block for r in expected if r.item.block})[:3]]
    for show in ("open", "overdue", "soon", "closed", "obsolete", "all"):
        for block in blocks:
            for needle in needles:
                got = svc.agenda_rows(ws, today, show=show, block=block, needle=needle)
                want = _python_filter(expected, show, block, needle)
                assert [_key(r) for r in got] == [_key(r) for r in want], (show, block, needle)
    counts = svc.agenda_counts(ws, today)
    assert counts.total == len(expected)
    for bucket in cl.BUCKETS:
        assert counts.buckets.get(bucket, 0) == sum(1 for r in expected if r.bucket == bucket)
    assert counts.contradicting == sum(1 for r in expected if r.contradiction)
    assert_same_first_rows(ws, today, expected)


def assert_same_first_rows(ws: Workspace, today: date, expected) -> None:
    """The first screen's rows, read from the step groups before the full order is known,
    are the Python agenda's first rows, for every show filter and any number of first
    rows (group boundaries, ties of the casefolded title); the rest follows in order."""
    item_ids = {}
    for show in ("open", "overdue", "soon", "closed", "obsolete", "all"):
        want = _python_filter(expected, show, None, "")
        for first, max_groups in ((1, 2000), (3, 0), (7, 2000), (50, 0)):
            # the full order from the groups, and sorted in SQL (too many groups)
            svc.FIRST_ROWS, svc.MAX_GROUPS = first, max_groups
            try:
                agenda = svc.AgendaReader(ws, today).rows(show=show)
                assert len(agenda) == len(want), (show, first)
                assert [_key(r) for r in agenda] == [_key(r) for r in want], (show, first)
            finally:
                svc.FIRST_ROWS, svc.MAX_GROUPS = 2 * svc.Agenda.PAGE, 2_000  # noqa: SLF001
            svc.FIRST_ROWS = first
            try:
                agenda = svc.AgendaReader(ws, today).rows(show=show)
            finally:
                svc.FIRST_ROWS = 2 * svc.Agenda.PAGE  # noqa: SLF001
            assert len(agenda) == len(want), (show, first)
            assert agenda.complete == (len(agenda.ids) >= len(want)), (show, first)
            if len(want) > first:
                assert len(agenda.ids) >= first
            for rowid in agenda.ids:
                if rowid not in item_ids:
                    names = {"agency_id": None, "agency_name": "", "missing": ""}
                    found = ws.checklist_agenda_rows([rowid], names, "required")
                    item_ids[rowid] = found[rowid][0].id
            known = [item_ids[r] for r in agenda.ids]
            assert known == [r.item.id for r in want[: len(known)]], (show, first)
            assert [_key(r) for r in agenda] == [_key(r) for r in want], (show, first)
            assert agenda.complete


def test_generated_workspace(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    from generate import generate, work_on

    path = tmp_path / "bench.sqlite"
    generate(path, 60).close()
    work_on(path, today="2026-03-01")
    with Workspace.open(path, user="test") as ws:
        assert ws.count(ChecklistItem) > 100
        assert_same_agenda(ws, needles=("", "aftoets", "product 1"))
        assert_same_agenda(ws, date(2026, 12, 1))  # other buckets on another day


def test_demo_workspace(demo_ws):
    svc.sync_all(demo_ws, TODAY)
    assert demo_ws.count(ChecklistItem) > 0
    assert_same_agenda(demo_ws, needles=("", "toets", "zz-nothing"))


def test_edge_cases(demo_ws):
    ws = demo_ws
    svc.sync_all(ws, TODAY)
    product = ws.save(Product(name="Straße Ärger"))
    gone = ws.save(Product(name="Weg"))
    odd = [
        ("", "Zonder datum"),
        ("2026-02-30", "Geen echte dag"),
        (" 2026-02-01 ", "Spaties rond de datum"),
        ("0000-01-01", "Jaar nul"),
        ("01/02/2026", "Belgisch geschreven"),
        ("2026-03-01", "vandaag"),
        ("2026-03-15", "Grens binnenkort"),
        ("2026-03-16", "Net later"),
        ("2026-02-29", "Geen schrikkeljaar"),
        ("2028-02-29", "Schrikkeljaar"),
        ("2026-04-31", "April heeft 30 dagen"),
        ("2026-13-01", "Maand dertien"),
        ("2026-00-10", "Maand nul"),
        ("2026-01-00", "Dag nul"),
        ("2026-03-31", "Laatste van maart"),
        ("２０２６-01-01", "Brede cijfers"),
        ("2026-02-28", "ÉÉN DAG TE LAAT"),
        ("2026-02-28", "één dag te laat"),
        ("2026-02-28", "STRASSE"),
        ("2026-02-28", "straße"),
    ]
    for due, title in odd:
        ws.save(
            ChecklistItem(
                scope_kind="product",
                scope_id=product.id,
                block="acm_idm",
                title=title,
                due_date=due,
            )
        )
    ws.save(
        ChecklistItem(
            scope_kind="product",
            scope_id=product.id,
            block="acm_idm",
            title="Klaar",
            status="done",
            due_date="2026-01-01",
        )
    )
    ws.save(
        ChecklistItem(
            scope_kind="product",
            scope_id=product.id,
            block="acm_idm",
            title="Niet van toepassing",
            status="na",
        )
    )
    ws.save(
        ChecklistItem(
            scope_kind="product",
            scope_id=product.id,
            block="acm_idm",
            title="Niet meer nodig",
            obsolete=True,
            due_date="2026-01-01",
        )
    )
    ws.save(
        ChecklistItem(
            scope_kind="product",
            scope_id=gone.id,
            block="acm_idm",
            title="Van een verwijderd product",
            due_date="2026-02-01",
        )
    )
    deleted = ws.save(ChecklistItem(scope_kind="product", scope_id=product.id, title="Weg"))
    ws.delete(ChecklistItem, deleted.id)
    ws.delete(Product, gone.id)
    # The block in production (a contradiction for the open steps), once as "not
    # required" first: only required statuses count.
    ws.save(
        BlockStatus(
            scope_kind="product",
            scope_id=product.id,
            block="acm_idm",
            applicability="required",
            stage="production",
        )
    )
    assert_same_agenda(ws, needles=("", "straße", "strasse", "één", "verwijderd", "ärger"))
    assert svc.agenda_counts(ws, TODAY).contradicting > 0


def test_paged_agenda_follows_every_write(demo_ws, tmp_path):
    ws = demo_ws
    svc.sync_all(ws, TODAY)
    before = svc.agenda_counts(ws, TODAY)
    item = next(iter(svc.agenda_rows(ws, TODAY, show="open"))).item
    svc.set_status(ws, item, "done", TODAY)  # a local save
    after = svc.agenda_counts(ws, TODAY)
    assert after.buckets.get("closed", 0) == before.buckets.get("closed", 0) + 1
    assert_same_agenda(ws)
    with Workspace.open(ws.path, user="ander") as other:  # another connection / process
        other.save(ChecklistItem(title="Van een ander", due_date="2026-02-01"))
    assert svc.agenda_counts(ws, TODAY).total == after.total + 1
    assert_same_agenda(ws)


def test_a_reader_follows_every_write(demo_ws):
    """One reader (the screen keeps one) reads its groups and order again after a save on
    its own connection, a write by another connection, and raw SQL (an undo, an import)."""
    ws = demo_ws
    svc.sync_all(ws, TODAY)
    reader = svc.AgendaReader(ws, TODAY)
    total = reader.counts(contradictions=False).total
    ws.save(ChecklistItem(title="Hier bewaard", due_date="2026-02-01"))
    assert reader.counts(contradictions=False).total == total + 1
    with Workspace.open(ws.path, user="ander") as other:
        other.save(ChecklistItem(title="Van een ander", due_date="2026-02-01"))
    assert reader.counts(contradictions=False).total == total + 2
    ws.conn.execute("UPDATE checklist_item SET status = 'done' WHERE title = 'Hier bewaard'")
    ws.conn.commit()
    counts = reader.counts(contradictions=False)
    assert counts.total == total + 2
    assert counts.buckets == svc.AgendaReader(ws, TODAY).counts(contradictions=False).buckets
    first = reader.rows(show="closed")
    assert "Hier bewaard" in [r.item.title for r in first]


def test_a_full_order_read_for_an_older_file_is_not_kept(demo_ws):
    ws = demo_ws
    svc.sync_all(ws, TODAY)
    reader = svc.AgendaReader(ws, TODAY)
    reader.counts(contradictions=False)
    stamp = reader.stamp
    order = svc.agenda_order(ws.path, TODAY)
    ws.save(ChecklistItem(title="Daarna bewaard", due_date="2026-02-01"))
    assert not reader.set_order(order, stamp)
    assert "Daarna bewaard" in [r.item.title for r in reader.rows(show="overdue")]
    assert reader.set_order(svc.agenda_order(ws.path, TODAY), reader.stamp)


def test_the_first_screen_reads_two_index_scans(tmp_path, monkeypatch):
    """The step groups come from the two partial indexes, not a scan of every step: the
    queries' conditions must match the indexes' word for word."""
    monkeypatch.syspath_prepend(str(BENCH))
    from generate import generate

    ws = generate(tmp_path / "g.sqlite", 5)
    plans = []
    ws.conn.set_trace_callback(None)
    real = ws.conn.execute

    class Spy:
        def __getattr__(self, name):
            return getattr(real.__self__, name)

        def execute(self, sql, *args):
            if sql.lstrip().upper().startswith("SELECT"):
                plans.append(" ".join(str(r[-1]) for r in real("EXPLAIN QUERY PLAN " + sql, *args)))
            return real(sql, *args)

    ws.conn = Spy()
    reader = svc.AgendaReader(ws, TODAY)
    reader._fresh()  # noqa: SLF001
    plans.clear()
    ws.checklist_agenda_groups()
    ws.checklist_group_rowids([("2026-03-01", "x")], [(0, "done", "", "x")])
    ws.conn = real.__self__
    assert len(plans) == 4
    assert (
        "idx_checklist_item_open_due" in plans[0] and "idx_checklist_item_agenda_rest" in plans[1]
    )
    assert (
        "idx_checklist_item_open_due" in plans[2] and "idx_checklist_item_agenda_rest" in plans[3]
    )
    assert not any("SCAN checklist_item" in p and "INDEX" not in p for p in plans)
    ws.close()


def test_a_schema_7_workspace_upgrades_with_its_steps(tmp_path, monkeypatch):
    import sqlite3

    from elo_tui.store import schema

    monkeypatch.syspath_prepend(str(BENCH))
    from generate import generate, work_on

    path = tmp_path / "old.sqlite"
    generate(path, 30).close()
    work_on(path, today="2026-03-01")
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX idx_checklist_item_agenda_rest")
    before = schema.MIGRATIONS.index(schema._v9_checklist_agenda_rest)  # noqa: SLF001
    conn.execute(f"PRAGMA user_version = {before}")
    conn.commit()
    steps = conn.execute("SELECT count(*) FROM checklist_item").fetchone()[0]
    conn.close()
    with Workspace.open(path) as ws:
        assert ws.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert ws.count(ChecklistItem) == steps > 0
        names = [r[0] for r in ws.conn.execute("SELECT name FROM sqlite_master")]
        assert "idx_checklist_item_agenda_rest" in names
        assert_same_agenda(ws)


@pytest.mark.parametrize("size", [200])
def test_rows_are_read_a_page_at_a_time(demo_ws, size):
    ws = demo_ws
    for i in range(size):
        ws.save(ChecklistItem(title=f"Stap {i:03}", due_date="2026-04-01"))
    agenda = svc.agenda_rows(ws, TODAY)
    assert len(agenda) >= size
    assert agenda[150].item.title  # only the page holding it is read
    assert len(agenda._pages) == 1  # noqa: SLF001
    assert agenda.index(agenda[150]) == 150


def _groups_read_ahead(ws: Workspace, stamp) -> None:
    reader = ws.reader()  # as the app's preload does: a connection of its own
    try:
        svc.read_groups_ahead(reader, stamp)
    finally:
        reader.close()


def test_step_groups_read_ahead_serve_a_first_visit_once_and_only_unchanged(demo_ws):
    """The app's preload reads the step groups on its own connection, with the app
    connection's stamp taken before; a first visit uses them (same rows and counts as
    reading itself) only while that stamp has not moved, and only once."""
    ws = demo_ws
    svc.sync_all(ws, TODAY)
    want = svc.AgendaReader(ws, TODAY)
    want_counts, want_rows = want.counts(contradictions=False), want.rows(show="open")

    _groups_read_ahead(ws, ws.change_stamp())
    assert str(ws.path) in svc._groups_ahead  # noqa: SLF001 - read ahead indeed
    reader = svc.AgendaReader(ws, TODAY)
    assert reader.counts(contradictions=False) == want_counts
    assert [_key(r) for r in reader.rows(show="open")] == [_key(r) for r in want_rows]
    assert str(ws.path) not in svc._groups_ahead  # noqa: SLF001 - used once

    for write in ("here", "other", "raw"):
        stamp = ws.change_stamp()
        _groups_read_ahead(ws, stamp)
        if write == "here":  # a save on the app's own connection after the read ahead
            ws.save(ChecklistItem(title="Na het vooruitlezen", due_date="2026-02-01"))
        elif write == "other":  # another connection or process
            with Workspace.open(ws.path, user="ander") as other:
                other.save(ChecklistItem(title="Van een ander", due_date="2026-02-01"))
        else:  # raw SQL (an undo, an import)
            ws.conn.execute(
                "UPDATE checklist_item SET status = 'done' WHERE title = 'Van een ander'"
            )
            ws.conn.commit()
        fresh = svc.AgendaReader(ws, TODAY).counts(contradictions=False)
        assert fresh != want_counts, write
        assert_same_agenda(ws)
        want_counts = fresh
