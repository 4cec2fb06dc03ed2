"""The tracker's store: the only place in `elo_tracker` that speaks SQL.

Two back ends, one code path: embedded SQLite (the zero-setup default, a file) and
PostgreSQL (production, a `postgresql://` URL, with a connection pool). Every method
below runs the same SQL on both; only connections, transactions and the DDL of the
migrations differ (`_SqliteBackend`, `_PostgresBackend`). The SQL is plain, written
with `?` placeholders (psycopg gets them as `%s`), and stays portable: ON CONFLICT
upserts, no dialect functions. Why psycopg 3 and not SQLAlchemy Core: the store is
~20 hand-written statements that are already portable, the push path is measured
(bench/load_tracker.py) and a query builder would only sit in its way; psycopg_pool
gives the pool, and the migrations are a short numbered list (`MIGRATIONS`) that each
back end applies in one transaction, so Alembic (and SQLAlchemy with it) would add a
dependency and a second configuration for nothing the list does not already do.

One database holds every agency's workspace on the server side. Each record is keyed by
(workspace, kind, id) so that one agency can never touch another's record, even with a
guessed id. Two counters per record:

- `seq`: the workspace's change sequence, bumped on every write (pull cursor);
- `rev`: the revision of the agency's own content, bumped only when the agency's data
  changes. Tracker-owned fields (`verified_central`, `review_state`) change `seq` but
  not `rev`, so a review never turns an agency's pending edit into a conflict.

Pull cursors and concurrent writers (several worker processes): a pull reads
`seq > cursor`, so a record that commits *after* a pull with a seq *lower* than one that
pull already returned would be skipped forever. That cannot happen here because a
workspace's seq is assigned and committed under one lock per workspace, held from
before `max(seq)` is read until the commit: seq order is commit order. SQLite: a write
transaction is `BEGIN IMMEDIATE` (one writer per file, across processes; WAL readers see
whole commits). PostgreSQL: `pg_advisory_xact_lock` on the workspace, taken first in
every transaction that writes its records and released by the commit itself (after the
commit became visible), with READ COMMITTED so the next holder's statements see it. The
same lock makes an Idempotency-Key hold across workers: the second request with a key
waits, then finds the first one's stored answer.

SQLite writes use `synchronous=FULL` and PostgreSQL commits are durable by default: an
answered push survives a crash of the server.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import elo_contract as contract

APPLICATION_ID = 0x454C4F54  # "ELOT": marks a file as an elo_tracker database
OVO_RE = re.compile(r"^OVO\d{6}$")
TOKEN_PREFIX = "elot_"
MAX_NAME = contract.NAME
POOL_SIZE = 10  # PostgreSQL connections per worker process (ELO_TRACKER_POOL_SIZE)

# Fields only the tracker writes; an agency's push never changes them.
SERVER_FIELDS: dict[str, dict[str, Any]] = contract.TRACKER_OWNED
IDEMPOTENCY_TTL = timedelta(days=30)
LAST_SEEN_EVERY = timedelta(seconds=60)

# Versioned schema migrations: (version, what, SQLite DDL, PostgreSQL DDL). A database
# records its version (SQLite: PRAGMA user_version; PostgreSQL: table
# elo_tracker_schema); `migrate` applies the missing steps in order, in one transaction,
# keeping the data. Append new steps; never edit an applied one.
_V1_TABLES = """
CREATE TABLE IF NOT EXISTS principals (
    key_id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('agency', 'admin')),
    name TEXT NOT NULL,
    workspace TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS workspaces (
    ovo_code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_push_at TEXT,
    last_seen_at TEXT
);
CREATE TABLE IF NOT EXISTS records (
    workspace TEXT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    rev {int} NOT NULL,
    seq {int} NOT NULL,
    deleted INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (workspace, kind, id)
){rowid};
CREATE UNIQUE INDEX IF NOT EXISTS records_by_seq ON records (workspace, seq);
CREATE TABLE IF NOT EXISTS idempotency (
    workspace TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (workspace, key)
){rowid};
CREATE TABLE IF NOT EXISTS submissions (
    workspace TEXT NOT NULL,
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    author TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    content TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (workspace, id)
){rowid};
"""
_V2_PRUNE_INDEX = "CREATE INDEX IF NOT EXISTS idempotency_by_age ON idempotency (created_at);"

MIGRATIONS: list[tuple[int, str, str, str]] = [
    (
        1,
        "tabellen",
        _V1_TABLES.format(int="INTEGER", rowid=" WITHOUT ROWID"),
        _V1_TABLES.format(int="BIGINT", rowid=""),
    ),
    # Pruning old Idempotency-Keys at start-up scanned the whole table.
    (2, "index op de ouderdom van Idempotency-Keys", _V2_PRUNE_INDEX, _V2_PRUNE_INDEX),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]

# Every table of the schema with its columns and primary key, in the order `copy_into`
# writes them (a new table must be added here, or a copy would leave it behind; a test
# compares this list with the schema).
COPY_TABLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("principals", ("key_id", "token_hash", "role", "name", "workspace", "created_at")),
    ("workspaces", ("ovo_code", "name", "created_at", "last_push_at", "last_seen_at")),
    ("records", ("workspace", "kind", "id", "rev", "seq", "deleted", "updated_at",
                 "updated_by", "data")),
    ("idempotency", ("workspace", "key", "request_hash", "response", "created_at")),
    ("submissions", ("workspace", "id", "version", "created_at", "author", "sha256",
                     "content", "received_at")),
)  # fmt: skip
COPY_BATCH = 1000  # rows per read and per insert: memory stays flat at any size


def _statements(script: str) -> list[str]:
    return [part.strip() for part in script.split(";") if part.strip()]


class DatabaseBusy(Exception):
    """The database stayed locked or unreachable beyond the timeout; the API answers 503."""


class TrackerStoreError(Exception):
    """A problem with the tracker database, with a Dutch message."""


class IdempotencyMismatch(Exception):
    """An Idempotency-Key was reused for a different request."""


class UnstorableText(Exception):
    """A text with a NUL character (U+0000), which PostgreSQL cannot hold in a text
    column; refused on both back ends alike. `field` is its path in the request."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def _check_text(values: dict[str, Any]) -> None:
    # Record data is stored as JSON text, where a NUL is escaped: only plain columns count.
    for field, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            raise UnstorableText(field)


class SubmissionConflict(Exception):
    """A submission id that already exists with different content (submissions are immutable)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a token belongs to."""

    role: str  # "agency" | "admin"
    name: str
    workspace: str | None  # the agency's OVO code; None for admins

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(slots=True)
class PullPage:
    records_json: list[str]  # each a complete wire record as JSON text
    cursor: int
    has_more: bool
    reset: bool
    remaining: int  # records after this page (for progress bars)


def new_id() -> str:
    return str(uuid.uuid4())


def utc_now() -> str:
    """UTC timestamp in ISO 8601 with microseconds and a Z suffix (as the client writes)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _split_token(token: str) -> str | None:
    """The key id of a well-formed token, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    key_id, dot, secret = token[len(TOKEN_PREFIX) :].partition(".")
    if not dot or not key_id or not secret:
        return None
    return key_id


def wire_json(
    kind: str,
    rid: str,
    rev: int,
    deleted: int,
    updated_at: str,
    updated_by: str,
    data: str,
) -> str:
    """A stored record as wire JSON; `data` is spliced in as stored (no re-parsing)."""
    head = json.dumps(
        {
            "kind": kind,
            "id": rid,
            "rev": rev,
            "deleted": bool(deleted),
            "updated_at": updated_at,
            "updated_by": updated_by,
        },
        ensure_ascii=False,
    )
    return f'{head[:-1]}, "data": {data}}}'


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, allow_nan=False)


_PG_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def is_postgres_url(target: Path | str) -> bool:
    return isinstance(target, str) and target.partition("://")[0].lower() in _PG_SCHEMES


def redact_url(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    return re.sub(r"^([a-z+]+://[^:/@]*):[^@]*@", r"\1:***@", url, flags=re.IGNORECASE)


def _sqlite_path(target: Path | str) -> Path:
    text = str(target)
    if text.lower().startswith("sqlite:///"):
        return Path(text[len("sqlite:///") :])
    return Path(target)


@functools.lru_cache(maxsize=256)
def _pg_sql(sql: str) -> str:
    # The store's SQL has no literal '?' or '%': a plain swap of the placeholder style.
    return sql.replace("?", "%s")


class _PgConn:
    """A psycopg connection that takes the store's `?` SQL (the sqlite3 calls we use)."""

    __slots__ = ("raw",)

    def __init__(self, raw) -> None:
        self.raw = raw

    def execute(self, sql: str, params: tuple | list = ()):
        return self.raw.execute(_pg_sql(sql), params)

    def executemany(self, sql: str, rows: list) -> None:
        if rows:
            with self.raw.cursor() as cur:
                cur.executemany(_pg_sql(sql), rows)


class _SqliteBackend:
    """One connection per thread; one writer at a time (queued in Python in-process,
    `BEGIN IMMEDIATE` with a busy timeout across processes)."""

    is_postgres = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self.display = str(path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        # SQLite's own busy handler polls with sleeps of up to 100 ms, which under many
        # concurrent pushes costs far more than the writes themselves. Readers are not
        # blocked (WAL).
        self.write_lock = threading.Lock()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=30, check_same_thread=False, isolation_level=None
            )
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA busy_timeout = 30000")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        try:
            yield self._conn()
        except sqlite3.OperationalError as exc:
            raise DatabaseBusy(str(exc)) from exc

    @contextmanager
    def write(self, workspace: str | None) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the file's write lock: `workspace` needs no lock of its own.
        conn = self._conn()
        with self.write_lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise DatabaseBusy(str(exc)) from exc
            try:
                yield conn
            except sqlite3.OperationalError as exc:
                conn.execute("ROLLBACK")
                raise DatabaseBusy(str(exc)) from exc
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                conn.execute("ROLLBACK")
                raise DatabaseBusy(str(exc)) from exc

    @contextmanager
    def snapshot(self) -> Iterator[Callable[[str], Iterator[list]]]:
        """Batches of rows of any query, every query in one read transaction: one
        consistent view of the whole database (WAL: writers go on meanwhile)."""
        conn = self._conn()
        try:
            conn.execute("BEGIN")

            def batches(sql: str) -> Iterator[list]:
                cur = conn.execute(sql)
                while rows := cur.fetchmany(COPY_BATCH):
                    yield rows

            yield batches
        except sqlite3.OperationalError as exc:
            raise DatabaseBusy(str(exc)) from exc
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")

    def can_write_now(self) -> bool:
        if not self.write_lock.acquire(blocking=False):
            return False
        self.write_lock.release()
        return True

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    def prepare(self, migrate: bool) -> tuple[int, int]:
        # Never open() the file to check its header: this process may hold SQLite
        # connections on it, and closing that descriptor drops all their POSIX locks.
        # SQLite itself says SQLITE_NOTADB (26) for a file that is not a database.
        if not (self.path.exists() and self.path.stat().st_size > 0):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Token hashes and every agency's data: owner-only (SQLite gives the -wal and
            # -shm files the same mode).
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        try:
            conn = self._conn()
            with self.write_lock:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    found = self._migrate(conn, migrate)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            return found
        except sqlite3.DatabaseError as exc:
            self.close()
            if getattr(exc, "sqlite_errorcode", None) == 26:
                raise TrackerStoreError(f"'{self.path}' is geen SQLite-bestand.") from None
            raise TrackerStoreError(
                f"Kan trackerdatabank '{self.path}' niet openen: {exc}."
            ) from None
        except TrackerStoreError:
            self.close()
            raise

    def _migrate(self, conn: sqlite3.Connection, migrate: bool) -> tuple[int, int]:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        n_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id != APPLICATION_ID and not (app_id == 0 and n_tables == 0):
            raise TrackerStoreError(
                f"'{self.path}' is geen trackerdatabank van elo_tracker; niet gewijzigd."
            )
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        _check_version(self.display, version, migrate)
        for step, _what, ddl, _pg in MIGRATIONS:
            if step > version:
                for statement in _statements(ddl):
                    conn.execute(statement)
        if version < SCHEMA_VERSION:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return version, SCHEMA_VERSION


def _check_version(where: str, version: int, migrate: bool) -> None:
    if version > SCHEMA_VERSION:
        raise TrackerStoreError(
            f"Trackerdatabank '{where}' is van een nieuwere versie (schema {version}); "
            "werk elo_tracker bij."
        )
    if version < SCHEMA_VERSION and version > 0 and not migrate:
        raise TrackerStoreError(
            f"Trackerdatabank '{where}' heeft schema {version}, deze versie van elo_tracker "
            f"verwacht {SCHEMA_VERSION}: voer eerst 'elo-tracker migrate' uit."
        )


# A fixed key for the migration lock (PostgreSQL advisory locks take a bigint).
_MIGRATION_LOCK = 0x454C4F54_4D494752  # "ELOTMIGR"


class _PostgresBackend:
    """A psycopg_pool pool of autocommit connections; a write is an explicit transaction
    that first takes the workspace's advisory lock (see the module docstring)."""

    is_postgres = True

    def __init__(self, url: str, pool_size: int) -> None:
        try:
            import psycopg
            import psycopg_pool
        except ImportError:
            raise TrackerStoreError(
                "PostgreSQL vraagt extra pakketten: pip install 'elo-tui[tracker]'."
            ) from None
        self._psycopg = psycopg
        self._pool_timeout = psycopg_pool.PoolTimeout
        self.path = None
        self.display = redact_url(url)
        # SQLAlchemy-style URL schemes are accepted; libpq knows only postgresql://.
        conninfo = re.sub(r"^[a-z+]+://", "postgresql://", url, flags=re.IGNORECASE)
        self.pool = psycopg_pool.ConnectionPool(
            conninfo,
            min_size=1,
            max_size=pool_size,
            kwargs={"autocommit": True},
            timeout=30,
            open=False,
            name="elo_tracker",
        )

    def _busy(self, exc: Exception) -> DatabaseBusy:
        return DatabaseBusy(f"{type(exc).__name__}: PostgreSQL {self.display} niet bereikbaar")

    @contextmanager
    def read(self) -> Iterator[_PgConn]:
        try:
            with self.pool.connection() as raw:
                yield _PgConn(raw)
        except (self._psycopg.OperationalError, self._pool_timeout) as exc:
            raise self._busy(exc) from exc

    @contextmanager
    def write(self, workspace: str | None) -> Iterator[_PgConn]:
        try:
            with self.pool.connection() as raw, raw.transaction():
                if workspace is not None:
                    raw.execute(
                        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                        ("elo_tracker:" + workspace,),
                    )
                yield _PgConn(raw)
        except (self._psycopg.OperationalError, self._pool_timeout) as exc:
            raise self._busy(exc) from exc

    @contextmanager
    def snapshot(self) -> Iterator[Callable[[str], Iterator[list]]]:
        """As the SQLite one: REPEATABLE READ gives every query the same snapshot, and a
        server-side cursor keeps only one batch in memory."""
        try:
            with self.pool.connection() as raw, raw.transaction():
                raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

                def batches(sql: str) -> Iterator[list]:
                    with raw.cursor(name="elo_tracker_copy") as cur:
                        cur.execute(_pg_sql(sql))
                        while rows := cur.fetchmany(COPY_BATCH):
                            yield rows

                yield batches
        except (self._psycopg.OperationalError, self._pool_timeout) as exc:
            raise self._busy(exc) from exc

    def can_write_now(self) -> bool:
        return True

    def close(self) -> None:
        self.pool.close()

    def prepare(self, migrate: bool) -> tuple[int, int]:
        try:
            self.pool.open(wait=True, timeout=30)
        except (self._psycopg.Error, self._pool_timeout):
            self.pool.close()
            raise TrackerStoreError(
                f"Kan PostgreSQL-databank '{self.display}' niet bereiken (adres, gebruiker, "
                "wachtwoord en databanknaam nakijken)."
            ) from None
        try:
            with self.pool.connection() as raw, raw.transaction():
                # Two workers starting together: one migrates, the other then sees it done.
                raw.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
                return self._migrate(_PgConn(raw), migrate)
        except self._psycopg.Error as exc:
            self.pool.close()
            raise TrackerStoreError(
                f"Kan PostgreSQL-databank '{self.display}' niet voorbereiden: "
                f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}."
            ) from None
        except TrackerStoreError:
            self.pool.close()
            raise

    def _migrate(self, conn: _PgConn, migrate: bool) -> tuple[int, int]:
        has_meta, has_records = conn.execute(
            "SELECT to_regclass('elo_tracker_schema') IS NOT NULL, "
            "to_regclass('records') IS NOT NULL"
        ).fetchone()
        if has_meta:
            version = conn.execute("SELECT max(version) FROM elo_tracker_schema").fetchone()[0]
            version = version or 0
        elif has_records:
            raise TrackerStoreError(
                f"'{self.display}' is geen trackerdatabank van elo_tracker; niet gewijzigd."
            )
        else:
            version = 0
        _check_version(self.display, version, migrate)
        if version == SCHEMA_VERSION:
            return version, version
        if not has_meta:
            conn.execute(
                "CREATE TABLE elo_tracker_schema (version INTEGER PRIMARY KEY, "
                "description TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
        for step, what, _sqlite, ddl in MIGRATIONS:
            if step > version:
                for statement in _statements(ddl):
                    conn.execute(statement)
                conn.execute(
                    "INSERT INTO elo_tracker_schema (version, description, applied_at) "
                    "VALUES (?, ?, ?)",
                    (step, what, utc_now()),
                )
        return version, SCHEMA_VERSION


class _RowsDigest:
    """An order-free digest of a table's rows: the sum of every row's SHA-256 modulo
    2**256. Order-free because SQLite and PostgreSQL sort text differently (collations);
    with the row count it tells a complete, unchanged copy from any other."""

    __slots__ = ("n", "total")

    def __init__(self) -> None:
        self.n, self.total = 0, 0

    def add(self, rows: list) -> None:
        # Both back ends give the same Python values (str, int, None) for these columns.
        for row in rows:
            h = hashlib.sha256(json.dumps(list(row), ensure_ascii=False).encode()).digest()
            self.total = (self.total + int.from_bytes(h, "big")) % (1 << 256)
        self.n += len(rows)


class TrackerStore:
    """The tracker database (SQLite file or PostgreSQL URL). Thread-safe."""

    def __init__(self, target: Path | str, pool_size: int | None = None) -> None:
        if is_postgres_url(target):
            size = pool_size or int(os.environ.get("ELO_TRACKER_POOL_SIZE") or POOL_SIZE)
            self._db: _SqliteBackend | _PostgresBackend = _PostgresBackend(str(target), size)
        else:
            self._db = _SqliteBackend(_sqlite_path(target))
        self.path: Path | None = self._db.path  # None on PostgreSQL
        self.display = self._db.display  # where the data is, without a password
        self.migrated: tuple[int, int] = (0, 0)  # schema version before and after open

    @classmethod
    def open(
        cls, target: Path | str, *, migrate: bool = True, pool_size: int | None = None
    ) -> TrackerStore:
        """Open (and create or upgrade, unless `migrate` is False) the database.

        With `migrate=False` an older schema is refused with the advice to run
        `elo-tracker migrate` (a new, empty database is still created)."""
        store = cls(target, pool_size)
        store.migrated = store._db.prepare(migrate)
        return store

    @property
    def is_postgres(self) -> bool:
        return self._db.is_postgres

    def close(self) -> None:
        self._db.close()

    # -- copying a whole database (SQLite -> PostgreSQL, or back for a backup) -----------

    def copy_into(self, target: TrackerStore) -> dict[str, int]:
        """Copy every table into `target`, which must be empty, in one transaction on the
        target (all or nothing) from one consistent snapshot of this store; then read the
        target back and compare every table's rows (count and `_RowsDigest`).
        Returns the rows per table. Tokens keep working: their hashes are copied."""
        if target.display == self.display:
            raise TrackerStoreError("Bron en doel zijn dezelfde databank; niets gekopieerd.")
        digests: dict[str, _RowsDigest] = {}
        with self._db.snapshot() as read, target._tx() as out:
            for table, _columns in COPY_TABLES:
                (n,) = out.execute(f"SELECT count(*) FROM {table}").fetchone()
                if n:
                    found = "1 rij" if n == 1 else f"{n} rijen"
                    raise TrackerStoreError(
                        f"Doel {target.display} is niet leeg (tabel {table}: {found}); de kopie "
                        "schrijft alleen in een lege databank. Niets gewijzigd."
                    )
            for table, columns in COPY_TABLES:
                digests[table] = digest = _RowsDigest()
                insert = (
                    f"INSERT INTO {table} ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' * len(columns))})"
                )
                for rows in read(f"SELECT {', '.join(columns)} FROM {table}"):
                    out.executemany(insert, rows)
                    digest.add(rows)
        with target._db.snapshot() as read:
            for table, columns in COPY_TABLES:
                check = _RowsDigest()
                for rows in read(f"SELECT {', '.join(columns)} FROM {table}"):
                    check.add(rows)
                want = digests[table]
                if (check.n, check.total) != (want.n, want.total):
                    raise TrackerStoreError(
                        f"Nacontrole mislukt: tabel {table} in {target.display} verschilt van "
                        f"de bron ({check.n} rijen gelezen, {want.n} gekopieerd)."
                    )
        copied = {table: d.n for table, d in digests.items()}
        return copied

    # -- connections and transactions --------------------------------------------------

    def _read(self):
        return self._db.read()

    def _tx(self, workspace: str | None = None):
        """A write transaction; pass the workspace when it writes that workspace's records
        (PostgreSQL then serialises it with the workspace's other writers)."""
        return self._db.write(workspace)

    # -- principals ----------------------------------------------------------------------

    def _new_principal(self, conn: Any, role: str, name: str, workspace: str | None) -> str:
        key_id = secrets.token_hex(8)
        token = f"{TOKEN_PREFIX}{key_id}.{secrets.token_urlsafe(32)}"
        conn.execute(
            "INSERT INTO principals (key_id, token_hash, role, name, workspace, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (key_id, hash_token(token), role, name, workspace, utc_now()),
        )
        return token

    def add_agency(self, name: str, ovo_code: str) -> str:
        """Register an agency workspace (or a further token for it); returns the token."""
        name = name.strip()
        if not name:
            raise TrackerStoreError("Geef de naam van het agentschap.")
        if "\x00" in name:
            raise TrackerStoreError("De naam bevat een NUL-teken; dat kan niet bewaard worden.")
        if len(name) > MAX_NAME:
            raise TrackerStoreError(f"De naam is te lang (maximaal {MAX_NAME} tekens).")
        if not OVO_RE.match(ovo_code):
            raise TrackerStoreError(f"'{ovo_code}' is geen OVO-code (OVO gevolgd door 6 cijfers).")
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO workspaces (ovo_code, name, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT(ovo_code) DO UPDATE SET name = excluded.name",
                (ovo_code, name, utc_now()),
            )
            return self._new_principal(conn, "agency", name, ovo_code)

    def add_admin(self, name: str) -> str:
        name = name.strip()
        if not name:
            raise TrackerStoreError("Geef de naam van de beheerder.")
        if "\x00" in name:
            raise TrackerStoreError("De naam bevat een NUL-teken; dat kan niet bewaard worden.")
        if len(name) > MAX_NAME:
            # It becomes a review's `reviewer`: the contract's limit for a name.
            raise TrackerStoreError(f"De naam is te lang (maximaal {MAX_NAME} tekens).")
        with self._tx() as conn:
            return self._new_principal(conn, "admin", name, None)

    def revoke_tokens(self, *, workspace: str | None = None, name: str | None = None) -> int:
        """Withdraw every token of an agency (by OVO code) or admin (by name)."""
        with self._tx() as conn:
            if workspace is not None:
                cur = conn.execute("DELETE FROM principals WHERE workspace = ?", (workspace,))
            else:
                cur = conn.execute(
                    "DELETE FROM principals WHERE role = 'admin' AND name = ?", (name,)
                )
            return cur.rowcount

    def authenticate(self, token: str) -> Principal | None:
        key_id = _split_token(token)
        if key_id is None:
            return None
        with self._read() as conn:
            row = conn.execute(
                "SELECT token_hash, role, name, workspace FROM principals WHERE key_id = ?",
                (key_id,),
            ).fetchone()
        # Always compare (against a dummy when unknown) so timing does not tell.
        stored = row[0] if row else "0" * 64
        if not hmac.compare_digest(stored, hash_token(token)) or row is None:
            return None
        return Principal(role=row[1], name=row[2], workspace=row[3])

    # -- workspaces ----------------------------------------------------------------------

    def workspace_exists(self, ovo_code: str) -> bool:
        with self._read() as conn:
            row = conn.execute(
                "SELECT 1 FROM workspaces WHERE ovo_code = ?", (ovo_code,)
            ).fetchone()
        return row is not None

    def workspaces(self, only: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT ovo_code, name, created_at, last_push_at, last_seen_at FROM workspaces"
        params: tuple = ()
        if only is not None:
            sql += " WHERE ovo_code = ?"
            params = (only,)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY ovo_code", params).fetchall()
        return [
            {
                "ovo_code": r[0],
                "name": r[1],
                "created_at": r[2],
                "last_push_at": r[3],
                "last_seen_at": r[4],
            }
            for r in rows
        ]

    def _touch(self, conn: Any, workspace: str, column: str) -> None:
        conn.execute(
            f"UPDATE workspaces SET {column} = ? WHERE ovo_code = ?", (utc_now(), workspace)
        )

    def _max_seq(self, conn: Any, workspace: str) -> int:
        row = conn.execute(
            "SELECT max(seq) FROM records WHERE workspace = ?", (workspace,)
        ).fetchone()
        return row[0] or 0

    # -- push ----------------------------------------------------------------------------

    def push(
        self,
        workspace: str,
        key: str,
        request_hash: str,
        records: Iterable[dict[str, Any]],
        since: int | None,
    ) -> str:
        """Apply a batch atomically; returns the answer as JSON text.

        Each record: kind, id, base_rev, deleted, updated_at, updated_by and data (the
        validated fields, as a dict or already as JSON text); optionally server_values,
        the sent values of the tracker-owned fields (saves parsing the JSON text).

        A key seen before returns its first answer (never applies twice); the same key
        with another request raises IdempotencyMismatch.
        """
        records = list(records)
        for index, rec in enumerate(records):
            _check_text(
                {
                    f"records.{index}.{key}": rec[key]
                    for key in ("kind", "id", "updated_at", "updated_by")
                }
                | ({f"records.{index}.data": rec["data"]} if isinstance(rec["data"], str) else {})
            )
        with self._tx(workspace) as conn:
            row = conn.execute(
                "SELECT request_hash, response FROM idempotency WHERE workspace = ? AND key = ?",
                (workspace, key),
            ).fetchone()
            if row is not None:
                if row[0] != request_hash:
                    raise IdempotencyMismatch(key)
                return row[1]
            response = self._apply(conn, workspace, records, since)
            text = json.dumps(response, ensure_ascii=False)
            conn.execute(
                "INSERT INTO idempotency (workspace, key, request_hash, response, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (workspace, key, request_hash, text, utc_now()),
            )
            self._touch(conn, workspace, "last_push_at")
            return text

    def _apply(
        self,
        conn: Any,
        workspace: str,
        records: Iterable[dict[str, Any]],
        since: int | None,
    ) -> dict[str, Any]:
        records = list(records)
        start = seq = self._max_seq(conn, workspace)
        current = self._current(conn, workspace, records)
        applied: list[dict[str, Any]] = []
        conflicts: list[dict[str, Any]] = []
        rows: list[tuple] = []
        for rec in records:
            kind, rid, data = rec["kind"], rec["id"], rec["data"]
            row = current.get((kind, rid))
            if row is not None and rec["base_rev"] != row[0]:
                conflicts.append(
                    {
                        "kind": kind,
                        "id": rid,
                        "base_rev": rec["base_rev"],
                        "server": json.loads(wire_json(kind, rid, *row)),
                    }
                )
                continue
            # Tracker-owned fields keep the tracker's value whatever the agency sent.
            overrides = {}
            server_fields = SERVER_FIELDS.get(kind)
            if server_fields:
                sent = rec.get("server_values")
                if sent is None:
                    data = json.loads(data) if isinstance(data, str) else dict(data)
                    sent = data
                kept = json.loads(row[4]) if row is not None else {}
                for name, default in server_fields.items():
                    value = kept.get(name, default)
                    if sent.get(name, default) != value:
                        overrides[name] = value
                if overrides:  # only then rewrite the JSON (rare: a new record never)
                    data = json.loads(data) if isinstance(data, str) else dict(data)
                    data.update(overrides)
            seq += 1
            text = data if isinstance(data, str) else _dump(data)
            rows.append(
                (
                    workspace,
                    kind,
                    rid,
                    seq,
                    seq,
                    int(rec["deleted"]),
                    rec["updated_at"],
                    rec["updated_by"],
                    text,
                )
            )
            current[(kind, rid)] = (
                seq,
                int(rec["deleted"]),
                rec["updated_at"],
                rec["updated_by"],
                text,
            )
            entry: dict[str, Any] = {"kind": kind, "id": rid, "rev": seq}
            if overrides:
                entry["server_data"] = overrides
            applied.append(entry)
        conn.executemany(
            "INSERT INTO records (workspace, kind, id, rev, seq, deleted, updated_at, "
            "updated_by, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (workspace, kind, id) DO UPDATE SET rev = excluded.rev, "
            "seq = excluded.seq, deleted = excluded.deleted, "
            "updated_at = excluded.updated_at, updated_by = excluded.updated_by, "
            "data = excluded.data",
            rows,
        )
        cursor = None
        if since is not None and applied and since <= start:
            # The client may skip its own echo only when nobody else wrote since its
            # cursor: then everything in (since, seq] is this batch.
            others = conn.execute(
                "SELECT count(*) FROM records WHERE workspace = ? AND seq > ? AND seq <= ?",
                (workspace, since, start),
            ).fetchone()[0]
            if others == 0:
                cursor = seq
        return {"applied": applied, "conflicts": conflicts, "cursor": cursor}

    def _current(
        self, conn: Any, workspace: str, records: list[dict[str, Any]]
    ) -> dict[tuple[str, str], tuple]:
        """(rev, deleted, updated_at, updated_by, data) of the batch's records we hold."""
        ids: dict[str, list[str]] = {}
        for rec in records:
            ids.setdefault(rec["kind"], []).append(rec["id"])
        out: dict[tuple[str, str], tuple] = {}
        for kind, kind_ids in ids.items():
            for i in range(0, len(kind_ids), 500):
                chunk = kind_ids[i : i + 500]
                marks = ", ".join("?" for _ in chunk)
                for row in conn.execute(
                    "SELECT id, rev, deleted, updated_at, updated_by, data FROM records "
                    f"WHERE workspace = ? AND kind = ? AND id IN ({marks})",
                    (workspace, kind, *chunk),
                ):
                    out[(kind, row[0])] = row[1:]
        return out

    def prune_idempotency(self, older_than: timedelta = IDEMPOTENCY_TTL) -> int:
        limit = (datetime.now(UTC) - older_than).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with self._tx() as conn:
            return conn.execute("DELETE FROM idempotency WHERE created_at < ?", (limit,)).rowcount

    # -- pull ----------------------------------------------------------------------------

    def pull(self, workspace: str, since: int, limit: int) -> PullPage:
        self._maybe_touch_seen(workspace)
        with self._read() as conn:
            return self._pull(conn, workspace, since, limit)

    def _pull(self, conn: Any, workspace: str, since: int, limit: int) -> PullPage:
        rows = conn.execute(
            "SELECT kind, id, rev, deleted, updated_at, updated_by, data, seq FROM records "
            "WHERE workspace = ? AND seq > ? ORDER BY seq LIMIT ?",
            (workspace, since, limit + 1),
        ).fetchall()
        if not rows and since > 0 and since > self._max_seq(conn, workspace):
            # The client is ahead of us (database restored from a backup): start over.
            return PullPage([], 0, True, True, 0)
        has_more = len(rows) > limit
        rows = rows[:limit]
        cursor = rows[-1][7] if rows else since
        remaining = 0
        if has_more:
            remaining = conn.execute(
                "SELECT count(*) FROM records WHERE workspace = ? AND seq > ?",
                (workspace, cursor),
            ).fetchone()[0]
        return PullPage([wire_json(*r[:7]) for r in rows], cursor, has_more, False, remaining)

    def _maybe_touch_seen(self, workspace: str) -> None:
        # A pull is a read; write "last seen" at most once a minute to keep it cheap.
        with self._read() as conn:
            row = conn.execute(
                "SELECT last_seen_at FROM workspaces WHERE ovo_code = ?", (workspace,)
            ).fetchone()
        if row is None:
            return
        now = datetime.now(UTC)
        if row[0]:
            seen = datetime.strptime(row[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
            if now - seen < LAST_SEEN_EVERY:
                return
        if not self._db.can_write_now():
            return  # a push is writing: "last seen" is a convenience, never wait for it
        try:
            with self._tx() as wconn:
                if self.is_postgres:
                    # Never wait for a push holding the workspace's row.
                    wconn.execute("SET LOCAL lock_timeout = '100ms'")
                self._touch(wconn, workspace, "last_seen_at")
        except DatabaseBusy:
            pass  # busy (another process): never fail a pull for it
        except Exception as exc:  # PostgreSQL: lock_timeout
            if not self.is_postgres or "lock" not in type(exc).__name__.lower():
                raise

    # -- submissions ---------------------------------------------------------------------

    def put_submission(self, workspace: str, sub: dict[str, Any], by: str) -> tuple[bool, str]:
        """Store a submission once; returns (created, wire JSON of its record).

        Re-sending the same id with the same hash is a no-op (idempotent); different
        content under a known id raises SubmissionConflict.
        """
        _check_text(
            {k: sub.get(k) for k in ("id", "created_at", "author", "sha256", "content")}
            | {"updated_at": sub.get("updated_at"), "by": by}
        )
        with self._tx(workspace) as conn:
            row = conn.execute(
                "SELECT sha256 FROM submissions WHERE workspace = ? AND id = ?",
                (workspace, sub["id"]),
            ).fetchone()
            if row is not None:
                if row[0] != sub["sha256"]:
                    raise SubmissionConflict(sub["id"])
                return False, self._record_json(conn, workspace, "submission", sub["id"])
            now = utc_now()
            conn.execute(
                "INSERT INTO submissions (workspace, id, version, created_at, author, sha256, "
                "content, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    workspace,
                    sub["id"],
                    sub["version"],
                    sub["created_at"],
                    sub["author"],
                    sub["sha256"],
                    sub["content"],
                    now,
                ),
            )
            seq = self._max_seq(conn, workspace) + 1
            data = {k: sub[k] for k in ("version", "created_at", "author", "sha256", "content")}
            data["review_state"] = ""
            conn.execute(
                "INSERT INTO records (workspace, kind, id, rev, seq, deleted, updated_at, "
                "updated_by, data) VALUES (?, 'submission', ?, ?, ?, 0, ?, ?, ?) "
                "ON CONFLICT (workspace, kind, id) DO UPDATE SET rev = excluded.rev, "
                "seq = excluded.seq, data = excluded.data",
                (workspace, sub["id"], seq, seq, sub.get("updated_at") or now, by, _dump(data)),
            )
            self._touch(conn, workspace, "last_push_at")
            return True, self._record_json(conn, workspace, "submission", sub["id"])

    def submissions(self, workspace: str) -> list[dict[str, Any]]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT s.id, s.version, s.created_at, s.author, s.sha256, s.received_at, r.data "
                "FROM submissions s LEFT JOIN records r ON r.workspace = s.workspace "
                "AND r.kind = 'submission' AND r.id = s.id WHERE s.workspace = ? "
                "ORDER BY s.received_at",
                (workspace,),
            ).fetchall()
        return [
            {
                "id": r[0],
                "version": r[1],
                "created_at": r[2],
                "author": r[3],
                "sha256": r[4],
                "received_at": r[5],
                "review_state": json.loads(r[6]).get("review_state", "") if r[6] else "",
            }
            for r in rows
        ]

    def submission(self, workspace: str, sid: str) -> dict[str, Any] | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT id, version, created_at, author, sha256, content, received_at "
                "FROM submissions WHERE workspace = ? AND id = ?",
                (workspace, sid),
            ).fetchone()
        if row is None:
            return None
        keys = ("id", "version", "created_at", "author", "sha256", "content", "received_at")
        return dict(zip(keys, row, strict=True))

    def _record_json(self, conn: Any, workspace: str, kind: str, rid: str) -> str:
        row = conn.execute(
            "SELECT kind, id, rev, deleted, updated_at, updated_by, data FROM records "
            "WHERE workspace = ? AND kind = ? AND id = ?",
            (workspace, kind, rid),
        ).fetchone()
        return wire_json(*row)

    # -- reviews -------------------------------------------------------------------------

    def add_review(
        self,
        workspace: str,
        target_kind: str,
        target_id: str,
        verdict: str,
        comment: str,
        reviewer: str,
    ) -> str | None:
        """Record VLAIO's feedback on a record; None when the target does not exist.

        The feedback is a `review` record in the agency's workspace (it flows back on the
        next pull); a submission's `review_state` and a block status's
        `verified_central` follow the verdict (seq changes, rev does not).
        """
        with self._tx(workspace) as conn:
            target = conn.execute(
                "SELECT data FROM records WHERE workspace = ? AND kind = ? AND id = ? "
                "AND deleted = 0",
                (workspace, target_kind, target_id),
            ).fetchone()
            if target is None or target_kind == "review":
                return None
            seq = self._max_seq(conn, workspace)
            now = utc_now()
            updates: dict[str, Any] = {}
            if target_kind == "submission":
                updates["review_state"] = verdict
            elif target_kind == "block_status":
                updates["verified_central"] = verdict in ("verified", "approved")
            if updates:
                seq += 1
                data = json.loads(target[0]) | updates
                conn.execute(
                    "UPDATE records SET seq = ?, data = ? WHERE workspace = ? AND kind = ? "
                    "AND id = ?",
                    (seq, _dump(data), workspace, target_kind, target_id),
                )
            seq += 1
            rid = new_id()
            review = {
                "target_kind": target_kind,
                "target_id": target_id,
                "verdict": verdict,
                "comment": comment,
                "reviewer": reviewer,
                "created_at": now,
            }
            conn.execute(
                "INSERT INTO records (workspace, kind, id, rev, seq, deleted, updated_at, "
                "updated_by, data) VALUES (?, 'review', ?, ?, ?, 0, ?, ?, ?)",
                (workspace, rid, seq, seq, now, reviewer, _dump(review)),
            )
            return self._record_json(conn, workspace, "review", rid)

    # -- reading for the programme overview ----------------------------------------------

    def records_of(
        self, workspace: str, kinds: Iterable[str], *, with_updated_at: Iterable[str] = ()
    ) -> dict[str, list[dict[str, Any]]]:
        """Live (not deleted) records' data per kind, each with its id, for reporting; the
        kinds in `with_updated_at` also with their `updated_at` (e.g. reviews: the latest
        decision on an exemption counts)."""
        out: dict[str, list[dict[str, Any]]] = {}
        stamped = set(with_updated_at)
        for kind in kinds:
            with self._read() as conn:
                rows = conn.execute(
                    "SELECT id, data, updated_at FROM records "
                    "WHERE workspace = ? AND kind = ? AND deleted = 0",
                    (workspace, kind),
                ).fetchall()
            if kind in stamped:
                out[kind] = [json.loads(d) | {"id": rid, "updated_at": u} for rid, d, u in rows]
            else:
                out[kind] = [json.loads(d) | {"id": rid} for rid, d, _ in rows]
        return out
