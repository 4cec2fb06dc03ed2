"""One agency's workspace: a single SQLite file, the only place that speaks SQL.

Reads use the plain `sqlite3` module (fast start-up); schema creation and migrations use
sqlite-utils (see schema.py). Every edit is one transaction; the file runs in WAL mode
with synchronous=FULL so a confirmed edit survives a killed process or a power cut.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from elo_tui.domain.records import RECORD_KINDS, Agency, ChecklistItem, Record, utc_now
from elo_tui.store import schema

R = TypeVar("R", bound=Record)

SQLITE_HEADER = b"SQLite format 3\x00"


class WorkspaceError(Exception):
    """A workspace problem with a Dutch message fit to show a person as it is."""


def _optional_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _decoders(kind: type[Record]) -> list[tuple[str, Any]]:
    """Per column: how to turn the stored value back into the field's Python value.

    Reads the annotation text (the records use postponed annotations) instead of
    typing.get_type_hints(), which costs ~50 ms of start-up for all kinds."""
    out = []
    for f in dataclasses.fields(kind):
        hint = str(f.type)
        if hint.startswith(("list", "dict")):
            out.append((f.name, json.loads))
        elif hint == "bool":
            out.append((f.name, bool))
        elif hint == "bool | None":  # e.g. EstimateLine.eligible: None = the default rule
            out.append((f.name, _optional_bool))
        else:
            out.append((f.name, None))
    return out


_DECODERS = {k: _decoders(cls) for k, cls in RECORD_KINDS.items()}


def _encode(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return int(value)
    return value


def _make_owner_only(path: Path) -> None:
    """Create `path` empty with mode 0600 unless it exists (never widen, never truncate)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)


class Workspace:
    """An open workspace file. Use `Workspace.open()`; close it when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection, user: str) -> None:
        self.path = path
        self.conn = conn
        self.user = user

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, *, create: bool = False, user: str = "") -> Workspace:
        """Open (or with `create`, make) a workspace; refuse anything that is not ours."""
        path = Path(path)
        if not path.exists():
            if not create:
                raise WorkspaceError(f"Werkruimte '{path}' bestaat niet.")
            try:
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                _make_owner_only(path)
            except OSError as exc:
                raise WorkspaceError(
                    f"Kan werkruimte '{path}' niet aanmaken: {exc.strerror}."
                ) from None
        elif path.is_dir():
            raise WorkspaceError(f"'{path}' is een map, geen werkruimtebestand.")
        elif path.stat().st_size == 0 and not create:
            raise WorkspaceError(f"'{path}' is leeg: geen elo_tui-werkruimte.")
        else:
            _check_header(path)
        try:
            conn = sqlite3.connect(path, timeout=10, check_same_thread=False)
        except sqlite3.Error as exc:
            raise WorkspaceError(f"Kan werkruimte '{path}' niet openen: {exc}.") from None
        try:
            _prepare(conn, path)
        except BaseException:
            conn.close()
            raise
        return cls(path, conn, user)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions --------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work; nested use joins the outer transaction."""
        if self.conn.in_transaction:
            yield self.conn
            return
        with self._guard():  # e.g. "database is locked" by another program
            self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        with self._guard():
            self.conn.execute("COMMIT")

    # -- records -------------------------------------------------------------------------

    def _rows_to_records(self, kind: type[R], cursor: sqlite3.Cursor) -> list[R]:
        decoders = _DECODERS[kind.KIND]
        out = []
        for row in cursor:
            values = {}
            for (name, dec), v in zip(decoders, row, strict=True):
                values[name] = dec(v) if dec is not None and v is not None else v
            out.append(kind(**values))
        return out

    def list(
        self,
        kind: type[R],
        *,
        where: str = "",
        params: Iterable[Any] = (),
        include_deleted: bool = False,
        order_by: str = "",
    ) -> list[R]:
        """Records of a kind; `where` is an SQL condition over its columns (store-internal
        callers only: never built from user text)."""
        cols = ", ".join(f'"{n}"' for n, _ in _DECODERS[kind.KIND])
        conds = [] if include_deleted else ["deleted = 0"]
        if where:
            conds.append(f"({where})")
        sql = f'SELECT {cols} FROM "{kind.KIND}"'
        if conds:
            sql += " WHERE " + " AND ".join(conds)
        if order_by:
            sql += f" ORDER BY {order_by}"
        try:
            return self._rows_to_records(kind, self.conn.execute(sql, tuple(params)))
        except (sqlite3.DatabaseError, ValueError) as exc:  # ValueError: broken JSON column
            raise _damaged(self.path, exc) from None

    def columns(self, kind: type[Record], names: tuple[str, ...]) -> Iterator[tuple]:
        """Raw values of some columns of the live records, as stored (JSON stays text).

        For large read-only views (the inventory at 20,000 products) where building full
        records would cost most of the start-up."""
        known = set(kind.field_names())
        if not set(names) <= known:
            raise ValueError(f"unknown columns for {kind.KIND}: {set(names) - known}")
        cols = ", ".join(f'"{n}"' for n in names)
        try:
            cursor = self.conn.execute(f'SELECT {cols} FROM "{kind.KIND}" WHERE deleted = 0')
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.path, exc) from None
        return cursor  # iterated row by row: no second copy of 20,000 rows in memory

    def list_data(self, kind: type[Record]) -> list[dict[str, Any]]:
        """The live records of a kind as plain dicts of their own fields (id included,
        sync metadata and None values left out), ordered by id.

        What exports and submissions carry (`Record.data()` without the Nones), read
        straight from the rows: ~10x faster than building records first, which matters
        for the 10,000+ checklist items of a large agency."""
        meta = set(Record.META) - {"id"}
        decoders = [(n, d) for n, d in _DECODERS[kind.KIND] if n not in meta]
        names = [n for n, _ in decoders]
        convert = [(n, d) for n, d in decoders if d is not None]  # JSON and bool columns
        cols = ", ".join(f'"{n}"' for n in names)
        try:
            # Sorted here, not with ORDER BY: walking the id index costs 2x the scan.
            rows = self.conn.execute(
                f'SELECT {cols} FROM "{kind.KIND}" WHERE deleted = 0'
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.path, exc) from None
        at = names.index("id")
        rows.sort(key=lambda row: row[at])
        out = [dict(zip(names, row, strict=True)) for row in rows]
        try:
            for d, row in zip(out, rows, strict=True):
                if None in row:
                    for k in [k for k, v in d.items() if v is None]:
                        del d[k]
                for name, dec in convert:
                    value = d.get(name)
                    if value is not None:
                        d[name] = dec(value)
        except ValueError as exc:  # a JSON column that does not parse
            raise _damaged(self.path, exc) from None
        return out

    def first_columns(self, kind: type[Record], names: tuple[str, ...], limit: int) -> list[tuple]:
        """The first `limit` live records by name (case-insensitive): a first screenful."""
        cols = ", ".join(f'"{n}"' for n in names)
        try:
            return self.conn.execute(
                f'SELECT {cols} FROM "{kind.KIND}" WHERE deleted = 0 '
                "ORDER BY name COLLATE NOCASE LIMIT ?",
                (limit,),
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.path, exc) from None

    def reader(self) -> Workspace:
        """A second, read-only connection to the same file for a background thread
        (WAL lets it read while this one writes). Close it when done."""
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        # A one-pass scan gains nothing from a page cache; keep its memory small.
        conn.execute("PRAGMA cache_size = -256")
        return Workspace(self.path, conn, self.user)

    def writer(self) -> Workspace:
        """A second, writable connection to the same file for a background thread (one
        SQLite connection must not be shared between threads). Close it when done."""
        return Workspace.open(self.path, user=self.user)

    def get(self, kind: type[R], record_id: str) -> R | None:
        found = self.list(kind, where="id = ?", params=(record_id,), include_deleted=True)
        return found[0] if found else None

    def count(self, kind: type[Record]) -> int:
        return self.conn.execute(
            f'SELECT count(*) FROM "{kind.KIND}" WHERE deleted = 0'
        ).fetchone()[0]

    def _write(self, record: Record) -> None:
        names, sql = _upsert_sql(type(record))
        self.conn.execute(sql, [_encode(getattr(record, n)) for n in names])

    def _stamp(self, record: Record, by: str | None) -> None:
        record.updated_at = utc_now()
        record.updated_by = by if by is not None else self.user
        record.dirty = True

    def save(self, record: R, *, by: str | None = None) -> R:
        """Store a local edit: stamps time and author and marks it for the next push."""
        self._stamp(record, by)
        with self._guard(), self.transaction():
            self._write(record)
        return record

    def save_many(self, records: Iterable[Record], *, by: str | None = None) -> int:
        """Store many local edits in one transaction (imports)."""
        n = 0
        with self._guard(), self.transaction():
            for record in records:
                self._stamp(record, by)
                self._write(record)
                n += 1
        return n

    def put_synced(self, records: Iterable[Record]) -> None:
        """Store records exactly as given (sync: server versions, rev and dirty as set)."""
        with self._guard(), self.transaction():
            for record in records:
                self._write(record)

    def mark_pushed(self, kind: type[Record], items: Iterable[tuple[str, int, str, bool]]) -> None:
        """After a push the tracker accepted: per (id, rev, sent updated_at, sent deleted)
        set the new revision, and clear `dirty` only when the record is still as it was
        sent, so an edit made while the batch was in flight goes out next time.

        One UPDATE per record instead of rewriting every column: the first sync of a
        large agency marks ~9,000 records."""
        with self._guard(), self.transaction():
            self.conn.executemany(
                f'UPDATE "{kind.KIND}" SET rev = ?, dirty = CASE WHEN updated_at = ? '
                "AND deleted = ? THEN 0 ELSE 1 END WHERE id = ?",
                (
                    (rev, sent_at, int(sent_deleted), rid)
                    for rid, rev, sent_at, sent_deleted in items
                ),
            )

    def delete(self, kind: type[Record], record_id: str, *, by: str | None = None) -> None:
        """Tombstone a record: hidden everywhere, kept until the tracker has it."""
        record = self.get(kind, record_id)
        if record is None or record.deleted:
            return
        record.deleted = True
        self.save(record, by=by)

    def dirty(self, kind: type[R]) -> list[R]:
        return self.list(kind, where="dirty = 1", include_deleted=True)

    def count_dirty(self) -> int:
        """Records of every kind waiting for the next push."""
        return sum(
            self.conn.execute(f'SELECT count(*) FROM "{k}" WHERE dirty = 1').fetchone()[0]
            for k in RECORD_KINDS
        )

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise _damaged(self.path, exc) from None

    # -- checklist agenda (the dashboard reads a few items out of thousands) ------------------

    _OPEN_ITEM = "obsolete = 0 AND status NOT IN ('done', 'na') AND due_date != ''"

    def _open_item_where(self, due_from: str, due_before: str) -> tuple[str, list[str]]:
        where, params = self._OPEN_ITEM, []
        if due_from:
            where += " AND due_date >= ?"
            params.append(due_from)
        if due_before:
            where += " AND due_date < ?"
            params.append(due_before)
        return where, params

    def open_checklist_items(
        self, *, due_from: str = "", due_before: str = "", limit: int = 20
    ) -> list[ChecklistItem]:
        """Open checklist items with a due date in [due_from, due_before) (ISO days, "" =
        unbounded), soonest first, at most `limit`."""
        where, params = self._open_item_where(due_from, due_before)
        return self.list(
            ChecklistItem,
            where=where,
            params=params,
            order_by=f"due_date, title LIMIT {int(limit)}",
        )

    def count_open_checklist_items(self, *, due_from: str = "", due_before: str = "") -> int:
        where, params = self._open_item_where(due_from, due_before)
        sql = f'SELECT count(*) FROM "checklist_item" WHERE deleted = 0 AND {where}'
        with self._guard():
            return self.conn.execute(sql, params).fetchone()[0]

    # -- the agency ----------------------------------------------------------------------

    def agency(self) -> Agency | None:
        found = self.list(Agency, order_by="updated_at")
        return found[0] if found else None

    # -- meta (key/value settings that are not synced) -------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self._guard(), self.transaction():
            self.conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # -- readiness history -----------------------------------------------------------------

    def record_history(self, day: str, data: dict[str, Any]) -> None:
        """Keep one summary per day (the latest of that day wins)."""
        with self._guard(), self.transaction():
            self.conn.execute(
                "INSERT INTO readiness_history (day, data) VALUES (?, ?) "
                "ON CONFLICT(day) DO UPDATE SET data = excluded.data",
                (day, json.dumps(data, sort_keys=True)),
            )

    def history(self) -> list[tuple[str, dict[str, Any]]]:
        rows = self.conn.execute("SELECT day, data FROM readiness_history ORDER BY day")
        return [(day, json.loads(data)) for day, data in rows]

    # -- health ------------------------------------------------------------------------------

    def integrity_check(self) -> str:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]


@functools.cache
def _upsert_sql(kind: type[Record]) -> tuple[tuple[str, ...], str]:
    """Insert-or-update statement of a record kind (built once: pulls write thousands)."""
    names = kind.field_names()
    cols = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join("?" for _ in names)
    updates = ", ".join(f'"{n}" = excluded."{n}"' for n in names if n != "id")
    sql = (
        f'INSERT INTO "{kind.KIND}" ({cols}) VALUES ({marks}) '
        f"ON CONFLICT(id) DO UPDATE SET {updates}"
    )
    return names, sql


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise WorkspaceError(f"Kan '{path}' niet lezen: {exc.strerror}.") from None
    if head == b"":
        return  # an empty file we may have just created; _prepare decides
    if head != SQLITE_HEADER:
        raise WorkspaceError(
            f"'{path}' is geen elo_tui-werkruimte (geen SQLite-bestand). "
            "Het bestand is niet gewijzigd."
        )


def _damaged(path: Path, exc: Exception) -> WorkspaceError:
    return WorkspaceError(
        f"Werkruimte '{path}' is beschadigd of onleesbaar ({exc}). Het bestand is niet "
        "gewijzigd; herstel een reservekopie of synchroniseer opnieuw van de tracker."
    )


def _prepare(conn: sqlite3.Connection, path: Path) -> None:
    """Check identity and version, set pragmas, create or migrate as needed."""
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        n_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, exc) from None
    if app_id != schema.APPLICATION_ID and not (app_id == 0 and n_tables == 0):
        raise WorkspaceError(
            f"'{path}' is een SQLite-bestand maar geen elo_tui-werkruimte. "
            "Het bestand is niet gewijzigd."
        )
    if version > schema.SCHEMA_VERSION:
        raise WorkspaceError(
            f"Werkruimte '{path}' is gemaakt met een nieuwere versie van elo_tui "
            f"(schema {version}; deze versie kent tot en met {schema.SCHEMA_VERSION}). "
            "Werk elo_tui bij. Het bestand is niet gewijzigd."
        )
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        if version < schema.SCHEMA_VERSION:
            if version > 0:
                _backup_before_migration(conn, path, version)
            schema.migrate(conn, version)
    except sqlite3.DatabaseError as exc:
        raise _damaged(path, exc) from None


def _backup_before_migration(conn: sqlite3.Connection, path: Path, version: int) -> None:
    """Keep a copy of the old file next to it before we change its shape."""
    backup = path.with_name(f"{path.name}.v{version}.bak")
    if backup.exists():
        return
    _make_owner_only(backup)
    dest = sqlite3.connect(backup)
    try:
        conn.backup(dest)
    finally:
        dest.close()
