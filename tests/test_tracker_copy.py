"""`elo-tracker copy`: a whole tracker database into an empty one (SQLite -> PostgreSQL
when VLAIO moves to production, or back for a backup): every table, tokens still valid,
pulls identical, all or nothing, checked by reading the target back."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

pytest.importorskip("fastapi")  # the tracker's extra

from elo_tracker import cli  # noqa: E402
from elo_tracker.store import (  # noqa: E402
    COPY_TABLES,
    TrackerStore,
    TrackerStoreError,
)
from tracker_testing import fresh_database  # noqa: E402

A, B = "OVO000901", "OVO000902"


def record(rid: str, kind: str = "product", **data) -> dict:
    return {
        "kind": kind,
        "id": rid,
        "base_rev": None,
        "deleted": False,
        "updated_at": "2026-01-01T00:00:00.000000Z",
        "updated_by": "test",
        "data": {"name": f"Product {rid} — é ✓", **data},
    }


def _fill(db) -> dict[str, str]:
    """Two agencies with records (one deleted, one reviewed), a submission, Idempotency-
    Keys and an admin; returns the tokens."""
    store = TrackerStore.open(db)
    try:
        tokens = {
            "a": store.add_agency("Agentschap Alfa", A),
            "b": store.add_agency("Agentschap Bèta", B),
            "admin": store.add_admin("Vera VLAIO"),
        }
        store.push(A, "k1", "h1", [record(f"p{i}") for i in range(2500)], None)
        gone = dict(record("p7"), base_rev=1, deleted=True)
        store.push(A, "k2", "h2", [gone], None)
        store.push(B, "k3", "h3", [record("q1"), record("app1", kind="application")], None)
        store.add_review(A, "product", "p1", "approved", "Goed zo", "Vera VLAIO")
        content = '{"versie": 1}'
        store.put_submission(
            A,
            {
                "id": "s1",
                "version": 1,
                "created_at": "2026-11-30T10:00:00Z",
                "author": "An",
                "sha256": hashlib.sha256(content.encode()).hexdigest(),
                "content": content,
            },
            "An",
        )
        return tokens
    finally:
        store.close()


def _everything(db) -> dict[str, list]:
    store = TrackerStore.open(db)
    try:
        with store._db.snapshot() as read:
            return {
                table: sorted(
                    tuple(row)
                    for rows in read(f"SELECT {', '.join(cols)} FROM {table}")
                    for row in rows
                )
                for table, cols in COPY_TABLES
            }
    finally:
        store.close()


@pytest.mark.parametrize(
    "source_backend, target_backend",
    [("sqlite", "sqlite"), ("sqlite", "postgresql"), ("postgresql", "sqlite")],
)
def test_copy_moves_every_table_and_tokens_and_pulls_still_work(
    source_backend, target_backend, tmp_path, capsys
):
    (tmp_path / "bron").mkdir()
    source = fresh_database(source_backend, tmp_path / "bron")
    tokens = _fill(source)
    target = fresh_database(target_backend, tmp_path / "doel")
    where = "--db" if source_backend == "sqlite" else "--database-url"
    assert cli.main(["copy", where, str(source), "--to", str(target)]) == 0
    message = capsys.readouterr().err
    assert "records 2.504" in message and "Nagelezen" in message
    assert "wachtwoord" not in message and "password" not in message

    assert _everything(target) == _everything(source)
    copy = TrackerStore.open(target)
    try:
        assert copy.authenticate(tokens["a"]).workspace == A
        assert copy.authenticate(tokens["admin"]).is_admin
        page = copy.pull(A, 0, 5000)
        assert len(page.records_json) == 2502  # 2500 products, the review and the submission
        # New writes continue the workspace's sequence.
        copy.push(A, "k4", "h4", [record("p-new")], None)
        after = copy.pull(A, page.cursor, 10).records_json
        assert [json.loads(r)["id"] for r in after] == ["p-new"]
    finally:
        copy.close()


def test_copy_refuses_a_target_that_is_not_empty_and_changes_nothing(tmp_path, capsys):
    source, target = tmp_path / "bron.db", tmp_path / "doel.db"
    _fill(source)
    other = TrackerStore.open(target)
    other.add_agency("Al aanwezig", "OVO000999")
    other.close()
    before = _everything(target)
    assert cli.main(["copy", "--db", str(source), "--to", str(target)]) == 2
    err = capsys.readouterr().err
    assert "niet leeg" in err and "Traceback" not in err
    assert _everything(target) == before


def test_copy_into_itself_or_without_a_target_is_a_clear_message(tmp_path, capsys, monkeypatch):
    source = tmp_path / "bron.db"
    _fill(source)
    monkeypatch.delenv("ELO_TRACKER_COPY_TO", raising=False)
    assert cli.main(["copy", "--db", str(source)]) == 2
    assert "--to" in capsys.readouterr().err
    assert cli.main(["copy", "--db", str(source), "--to", str(source)]) == 2
    assert "dezelfde databank" in capsys.readouterr().err
    not_a_db = tmp_path / "tekst.db"
    not_a_db.write_text("geen databank\n" * 100)
    assert cli.main(["copy", "--db", str(source), "--to", str(not_a_db)]) == 2
    assert "geen SQLite-bestand" in capsys.readouterr().err


def test_the_copy_check_finds_a_target_that_differs(tmp_path, monkeypatch):
    """The read-back is a real check: a row lost on the way is reported, not copied."""
    source, target = tmp_path / "bron.db", tmp_path / "doel.db"
    _fill(source)
    src, dst = TrackerStore.open(source), TrackerStore.open(target)
    real = dst._db.write

    def losing_one_row(workspace):
        ctx = real(workspace)

        class Lossy:
            def __enter__(self):
                conn = ctx.__enter__()
                self.conn = conn
                return self

            def __exit__(self, *exc):
                if exc[0] is None:
                    self.conn.execute("DELETE FROM records WHERE id = 'p3'")
                return ctx.__exit__(*exc)

            def execute(self, *a):
                return self.conn.execute(*a)

            def executemany(self, *a):
                return self.conn.executemany(*a)

        return Lossy()

    monkeypatch.setattr(dst._db, "write", losing_one_row)
    try:
        with pytest.raises(TrackerStoreError, match="Nacontrole mislukt: tabel records"):
            src.copy_into(dst)
    finally:
        src.close()
        dst.close()


def test_copy_tables_are_the_whole_schema(tmp_path):
    db = tmp_path / "t.db"
    TrackerStore.open(db).close()
    conn = sqlite3.connect(db)
    try:
        tables = {
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        assert tables == {t for t, _ in COPY_TABLES}
        for table, columns in COPY_TABLES:
            have = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            assert sorted(have) == sorted(columns), table
    finally:
        conn.close()
