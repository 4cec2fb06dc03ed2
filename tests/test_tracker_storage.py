"""The tracker's storage on both back ends (SQLite file, PostgreSQL): versioned
migrations that keep the data, the `migrate` command, the refusal of an older schema
where an explicit migration is expected, and the per-workspace write lock that keeps
seq order equal to commit order (what makes pull cursors safe under concurrent writers)."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("fastapi")  # the tracker's extra

from elo_tracker import cli  # noqa: E402
from elo_tracker.store import (  # noqa: E402
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    TrackerStore,
    TrackerStoreError,
    _statements,
    hash_token,
)
from tracker_testing import BACKENDS, fresh_database  # noqa: E402

OVO = "OVO000901"
TOKEN = "elot_0123456789abcdef.geheim-v1"


def record(rid: str, **data) -> dict:
    return {
        "kind": "product",
        "id": rid,
        "base_rev": None,
        "deleted": False,
        "updated_at": "2026-01-01T00:00:00.000000Z",
        "updated_by": "test",
        "data": {"name": "Product", **data},
    }


def _v1_rows(execute) -> None:
    execute(
        "INSERT INTO workspaces (ovo_code, name, created_at) VALUES (?, ?, ?)",
        (OVO, "Agentschap V1", "2025-01-01T00:00:00.000000Z"),
    )
    execute(
        "INSERT INTO principals (key_id, token_hash, role, name, workspace, created_at) "
        "VALUES (?, ?, 'agency', ?, ?, ?)",
        ("0123456789abcdef", hash_token(TOKEN), "Agentschap V1", OVO, "2025-01-01T00:00Z"),
    )
    execute(
        "INSERT INTO records (workspace, kind, id, rev, seq, deleted, updated_at, updated_by, "
        "data) VALUES (?, 'product', 'p-old', 7, 7, 0, ?, 'an', ?)",
        (OVO, "2025-01-02T00:00:00.000000Z", '{"name": "Uit versie 1"}'),
    )


def make_v1_database(backend: str, folder: Path) -> Path | str:
    """A tracker database as schema version 1 left it, with an agency and a record."""
    db = fresh_database(backend, folder)
    v1_sqlite, v1_postgres = MIGRATIONS[0][2], MIGRATIONS[0][3]
    if backend == "sqlite":
        conn = sqlite3.connect(db)
        conn.executescript(v1_sqlite)
        _v1_rows(conn.execute)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA user_version = 1")
        conn.commit()
        conn.close()
        return db
    import psycopg

    with psycopg.connect(db, autocommit=True) as conn:
        for statement in _statements(v1_postgres):
            conn.execute(statement)
        _v1_rows(lambda sql, params: conn.execute(sql.replace("?", "%s"), params))
        conn.execute(
            "CREATE TABLE elo_tracker_schema (version INTEGER PRIMARY KEY, "
            "description TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        conn.execute("INSERT INTO elo_tracker_schema VALUES (1, 'tabellen', '2025-01-01')")
    return db


def db_option(db: Path | str) -> list[str]:
    return ["--db", str(db)] if isinstance(db, Path) else ["--database-url", db]


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrate_upgrades_a_version_1_database_and_keeps_its_data(backend, tmp_path, capsys):
    db = make_v1_database(backend, tmp_path)
    assert cli.main(["migrate", *db_option(db)]) == 0
    assert f"van versie 1 naar {SCHEMA_VERSION}" in capsys.readouterr().err
    store = TrackerStore.open(db, migrate=False)
    try:
        assert store.migrated == (SCHEMA_VERSION, SCHEMA_VERSION)
        assert store.authenticate(TOKEN).workspace == OVO
        page = store.pull(OVO, 0, 10)
        assert [r for r in page.records_json if "Uit versie 1" in r] and page.cursor == 7
        # New writes continue the old sequence: a client's cursor stays valid.
        store.push(OVO, "k1", "h1", [record("p-new")], None)
        assert store.pull(OVO, 7, 10).cursor == 8
    finally:
        store.close()
    assert cli.main(["migrate", *db_option(db)]) == 0
    assert f"al versie {SCHEMA_VERSION}" in capsys.readouterr().err


def test_postgresql_serve_refuses_an_older_schema_and_names_the_command(tmp_path):
    db = make_v1_database("postgresql", tmp_path)
    with pytest.raises(TrackerStoreError, match="elo-tracker migrate"):
        TrackerStore.open(db, migrate=False)


def test_sqlite_stays_zero_setup_and_upgrades_itself_on_open(tmp_path):
    db = make_v1_database("sqlite", tmp_path)
    store = TrackerStore.open(db)
    try:
        assert store.migrated == (1, SCHEMA_VERSION)
        assert store.authenticate(TOKEN) is not None
    finally:
        store.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_newer_schema_is_refused_untouched(backend, tmp_path):
    db = fresh_database(backend, tmp_path)
    TrackerStore.open(db).close()
    if backend == "sqlite":
        conn = sqlite3.connect(db)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.close()
    else:
        import psycopg

        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO elo_tracker_schema VALUES (%s, 'toekomst', 'later')",
                (SCHEMA_VERSION + 1,),
            )
    with pytest.raises(TrackerStoreError, match="nieuwere versie"):
        TrackerStore.open(db)


def test_a_postgresql_database_of_another_application_is_refused(tmp_path):
    db = fresh_database("postgresql", tmp_path)
    import psycopg

    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("CREATE TABLE records (x INTEGER)")
    with pytest.raises(TrackerStoreError, match="geen trackerdatabank"):
        TrackerStore.open(db)


def test_an_unreachable_postgresql_server_is_a_dutch_message_without_the_password(capsys):
    from tracker_testing import free_port

    pytest.importorskip("psycopg", reason="PostgreSQL needs the 'tracker' extra")
    url = f"postgresql://tracker:zeergeheim@127.0.0.1:{free_port()}/tracker?connect_timeout=2"
    assert cli.main(["add-admin", "Vera", "--database-url", url]) == 2
    err = capsys.readouterr().err
    assert "Kan PostgreSQL-databank" in err and "zeergeheim" not in err and "***" in err


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_second_writer_of_a_workspace_waits_for_the_first_ones_commit(backend, tmp_path):
    """Seq order is commit order: while one transaction holds the workspace (and has not
    committed its seq), another push to it cannot take a seq, so a pull that returned
    seq N can never later meet an unseen record with a seq below N."""
    db = fresh_database(backend, tmp_path)
    store = TrackerStore.open(db)
    store.add_agency("Agentschap W", OVO)
    done: list[str] = []
    try:
        with store._tx(OVO) as conn:
            conn.execute(
                "INSERT INTO records (workspace, kind, id, rev, seq, deleted, updated_at, "
                "updated_by, data) VALUES (?, 'product', 'first', 1, 1, 0, 'x', 'x', '{}')",
                (OVO,),
            )
            second = threading.Thread(
                target=lambda: done.append(store.push(OVO, "k", "h", [record("second")], None))
            )
            second.start()
            second.join(0.5)
            assert second.is_alive() and not done  # waiting for the first commit
            # Another connection (thread) sees nothing half-committed.
            with ThreadPoolExecutor(1) as other:
                assert other.submit(store.pull, OVO, 0, 10).result().records_json == []
        second.join(30)
        assert done
        assert store.pull(OVO, 0, 1).cursor == 1
        assert store.pull(OVO, 1, 10).cursor == 2  # the waiting push got the next seq
    finally:
        store.close()
