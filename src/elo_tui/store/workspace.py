"""One agency's workspace: a single SQLite file, the only place that speaks SQL.

Reads use the plain `sqlite3` module (fast start-up); schema creation and migrations use
sqlite-utils (see schema.py). Every edit is one transaction; the file runs in WAL mode
with synchronous=FULL so a confirmed edit survives a killed process or a power cut.
"""

from __future__ import annotations

import array
import builtins
import codecs
import dataclasses
import functools
import json
import os
import sqlite3
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypeVar

from elo_tui.domain.records import (
    KIND_NAMES,
    RECORD_KINDS,
    Agency,
    ChecklistItem,
    EstimateLine,
    Product,
    Record,
    utc_now,
)
from elo_tui.store import schema

R = TypeVar("R", bound=Record)

# Primary SQLite result codes we tell apart (sqlite3.Error.sqlite_errorcode & 0xFF).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 5, 6, 8
_SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 10, 13, 14, 26

# Prefix of the temporary file a new workspace is built in (see Workspace.create).
_CREATING = ".creating-"


class ChangeRecorder(Protocol):
    """What the store tells an attached recorder (the undo stack): each local edit with
    the record as stored before it (None: new), then whether the edit's outermost
    transaction committed or rolled back."""

    def saved(self, before: Record | None, after: Record) -> None: ...

    def committed(self) -> None: ...

    def rolled_back(self) -> None: ...


class WorkspaceError(Exception):
    """A workspace problem with a Dutch message fit to show a person as it is."""


class WorkspaceReadOnlyError(WorkspaceError):
    """The workspace can be read but not changed (file or folder not writable)."""


class WorkspaceFullError(WorkspaceError):
    """The disk (or the file system's quota) is full: the change was not stored."""


def optional_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


# Text columns written in pieces through SQLite's blob I/O (`Workspace.write_text`):
# their value stays a blob of UTF-8 and is read back as text. Turning it into a TEXT
# value in SQL (CAST) held all of it in SQLite's memory twice: a frozen submission is
# ~145 MB at 20,000 products, and freezing peaked at 355 MiB (RESULTS.md, round 13).
_BLOB_TEXTS = frozenset({("submission", "content")})


def stored_text(value: Any) -> Any:
    """A text column written as a blob of UTF-8, as text (a TEXT value as it is). Bytes
    that are not UTF-8 (a damaged file) are read with U+FFFD where they fail: the
    record still opens, and its SHA-256 check (services.submission.verify) reports it."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _decoders(kind: type[Record]) -> list[tuple[str, Any]]:
    """Per column: how to turn the stored value back into the field's Python value.

    Reads the annotation text (the records use postponed annotations) instead of
    typing.get_type_hints(), which costs ~50 ms of start-up for all kinds."""
    out: list[tuple[str, Any]] = []
    for f in dataclasses.fields(kind):
        hint = str(f.type)
        if hint.startswith(("list", "dict")):
            out.append((f.name, json.loads))
        elif hint == "bool":
            out.append((f.name, bool))
        elif hint == "bool | None":  # e.g. EstimateLine.eligible: None = the default rule
            out.append((f.name, optional_bool))
        elif (kind.KIND, f.name) in _BLOB_TEXTS:
            out.append((f.name, stored_text))
        else:
            out.append((f.name, None))
    return out


_DECODERS = {k: _decoders(cls) for k, cls in RECORD_KINDS.items()}
# The kinds whose ids other records carry by the thousand (a status's, line's or step's
# scope_id, a product's application ids): their own ids are shared with those.
_NAMED_BY_ID = frozenset({"application", "product"})


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _is_scalar(value: Any) -> bool:
    return type(value) in _SCALARS


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


def _checked_field(kind: type[Record], name: str) -> str:
    """The quoted column of a field of `kind`; a name that is not one is refused."""
    if name not in kind.field_names():
        raise ValueError(f"{kind.KIND} has no field {name!r}")
    return f'"{name}"'


def _conditions(kind: type[Record], equals: dict[str, Any]) -> tuple[str, list[Any]]:
    """`field = ?` per value (`field IN (?, …)` for a collection), all of them AND-ed."""
    conds: list[str] = []
    params: list[Any] = []
    for name, value in equals.items():
        column = _checked_field(kind, name)
        if isinstance(value, tuple | list | set | frozenset):
            values = list(value)
            if not values:
                return "0", []  # "any of nothing": no record matches
            conds.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
        else:
            conds.append(f"{column} = ?")
            params.append(value)
    return " AND ".join(conds), params


def _ordering(kind: type[Record], fields: Iterable[str]) -> str:
    parts = []
    for name in fields:
        descending = name.startswith("-")
        column = _checked_field(kind, name.removeprefix("-"))
        parts.append(f"{column} DESC" if descending else column)
    return ", ".join(parts)


def _select_list(kind: type[Record], names: tuple[str, ...]) -> str:
    """`names` as the column list of a SELECT; ValueError for a name that is not one of
    the kind's fields (the names go into the SQL text)."""
    known = set(kind.field_names())
    if not set(names) <= known:
        raise ValueError(f"unknown columns for {kind.KIND}: {set(names) - known}")
    return ", ".join(f'"{n}"' for n in names)


class Workspace:
    """An open workspace file. Use `Workspace.open()`; close it when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection, user: str) -> None:
        self.path = path
        self.conn = conn
        self.user = user
        # (kind, id, rev) -> the row as read: what an object that is saved later was
        # loaded with, so a save from a stale object can be rebased (see _rebase_stale).
        self._loaded: dict[tuple[str, str, int | None], tuple] = {}
        self.read_only = False
        # Sees every local edit with the record as it was before (the undo stack, see
        # services/undo.py); None: nothing recorded (CLI, workers, sync connections).
        self.recorder: ChangeRecorder | None = None
        # Rows this connection wrote as bookkeeping (see `bookkeeping`): not data changes.
        self._bookkeeping_changes = 0

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: Path | str, *, create: bool = False, user: str = "", read_only: bool = False
    ) -> Workspace:
        """Open (or with `create`, make) a workspace; refuse anything that is not ours.

        The file is never opened outside SQLite: this process may already hold SQLite
        connections on it (the TUI and its workers), and closing any other descriptor of
        the file drops every POSIX lock the process holds on it, after which another
        program may delete the -wal and -shm files under us and corrupt the workspace.
        A file that is not a database is recognised by SQLite's own SQLITE_NOTADB.

        A workspace that cannot be written (file or folder) opens read-only: reading
        works, every change raises WorkspaceReadOnlyError. A 0-byte file is what an
        interrupted creation leaves: it counts as absent."""
        path = Path(path)
        size = _file_size(path)
        if size is None or size == 0:
            if not create:
                raise WorkspaceError(
                    f"Werkruimte '{path}' bestaat niet."
                    if size is None
                    else f"'{path}' is leeg: (nog) geen elo_tui-werkruimte."
                )
            try:
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                if size is None:
                    _make_owner_only(path)
                else:
                    os.chmod(path, 0o600)
            except OSError as exc:
                raise WorkspaceError(
                    f"Kan werkruimte '{path}' niet aanmaken: {exc.strerror}."
                ) from None
        read_only = read_only or not _writable(path)
        try:
            if read_only:
                conn = sqlite3.connect(_ro_uri(path), uri=True, timeout=10, check_same_thread=False)
            else:
                conn = sqlite3.connect(path, timeout=10, check_same_thread=False)
        except sqlite3.Error as exc:
            raise store_error(path, exc) from None
        try:
            _prepare(conn, path, read_only=read_only)
        except BaseException:
            conn.close()
            raise
        ws = cls(path, conn, user)
        ws.read_only = read_only
        return ws

    @classmethod
    def create(
        cls, path: Path | str, records: Iterable[Record] = (), *, user: str = ""
    ) -> Workspace:
        """Make a new workspace holding `records` (its agency), all or nothing.

        It is built under a temporary name beside `path` (".<name>.creating-<pid>") and
        linked into place only when complete, so a kill at any moment leaves either no
        workspace or a complete one, never one without its agency; a temporary file left
        by a killed process is removed by the next create. Refuses an existing non-empty
        file (a 0-byte file counts as absent)."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise WorkspaceError(f"Kan map '{path.parent}' niet maken: {exc.strerror}.") from None
        if _file_size(path):
            raise WorkspaceError(f"Er bestaat al een werkruimte '{path}'.")
        remove_stale_partials(path)
        tmp = path.with_name(f".{path.name}{_CREATING}{os.getpid()}")
        for leftover in (tmp, *_sidecars(tmp)):
            leftover.unlink(missing_ok=True)
        try:
            _make_owner_only(tmp)
            conn = sqlite3.connect(tmp, timeout=10)
        except (OSError, sqlite3.Error) as exc:
            tmp.unlink(missing_ok=True)
            what = exc.strerror if isinstance(exc, OSError) else exc
            raise WorkspaceError(f"Kan werkruimte '{path}' niet aanmaken: {what}.") from None
        try:
            try:
                _prepare(conn, tmp)
                building = cls(tmp, conn, user)
                building.save_many(records)
                # Leave rollback-journal mode so that the finished file carries everything
                # itself (no -wal named after the temporary file); open() sets WAL again.
                conn.execute("PRAGMA journal_mode = DELETE")
            finally:
                conn.close()
            _link_into_place(tmp, path)
        except sqlite3.Error as exc:
            raise store_error(path, exc) from None
        except OSError as exc:
            raise WorkspaceError(
                f"Kan werkruimte '{path}' niet aanmaken: {exc.strerror}."
            ) from None
        finally:
            for leftover in (tmp, *_sidecars(tmp)):
                leftover.unlink(missing_ok=True)
        return cls.open(path, user=user)

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
        if self.read_only:
            raise _read_only(self.path)
        with self._guard():  # e.g. "database is locked" by another program
            self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
            with self._guard():
                self.conn.execute("COMMIT")
            if self.recorder is not None:
                self.recorder.committed()
        except BaseException:
            if self.recorder is not None:
                self.recorder.rolled_back()
            # SQLite may already have rolled back (a full disk, an I/O error): rolling
            # back again would raise and hide the real error behind "no transaction".
            if self.conn.in_transaction:
                try:
                    self.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise

    # -- records -------------------------------------------------------------------------

    def _rows_to_records(
        self, kind: type[R], cursor: Iterable[tuple], *, remember: bool = True
    ) -> list[R]:
        """Records from rows; `remember` False: a read-only pass whose records are never
        saved (not kept for rebasing: a stream over 25,000 lines would hold them all)."""
        names, convert = _ROW_SHAPE[kind.KIND]
        out: list[R] = []
        append = out.append
        loaded: dict = self._loaded if remember else {}
        if len(loaded) > _LOADED_MAX:
            loaded.clear()  # bounded; a miss only means a stale save is not rebased
        at_id, at_rev = _ID_REV[kind.KIND]
        kind_name = kind.KIND
        # Only the JSON and bool columns are converted; the rest go into the record as
        # stored (a loop over every column of every row cost ~2x at 100,000+ rows).
        for row in cursor:
            loaded[(kind_name, row[at_id], row[at_rev])] = row
            values = dict(zip(names, row, strict=True))
            for name, dec in convert:
                v = values[name]
                if v is not None:
                    values[name] = dec(v)
            append(kind(**values))
        return out

    def list(
        self,
        kind: type[R],
        *,
        where: str = "",
        params: Iterable[Any] = (),
        include_deleted: bool = False,
        order_by: str = "",
    ) -> builtins.list[R]:
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
            raise store_error(self.path, exc) from None

    def find(
        self,
        kind: type[R],
        *,
        order_by: Iterable[str] = (),
        include_deleted: bool = False,
        **equals: Any,
    ) -> builtins.list[R]:
        """Records of a kind whose fields equal the values given (a tuple, list or set:
        any of those), sorted by the fields in `order_by` ("-field": descending). The SQL
        stays here: services name fields, never write conditions."""
        where, params = _conditions(kind, equals)
        return self.list(
            kind,
            where=where,
            params=params,
            include_deleted=include_deleted,
            order_by=_ordering(kind, order_by),
        )

    def products_of_application(self, application_id: str) -> builtins.list[Product]:
        """The live products one application requests or follows up, by name."""
        return self.list(
            Product,
            where="request_application_id = ? OR followup_application_id = ?",
            params=(application_id, application_id),
            order_by="name",
        )

    def columns(
        self, kind: type[Record], names: tuple[str, ...], *, include_deleted: bool = False
    ) -> Iterator[tuple]:
        """Raw values of some columns of the live records (tombstones too with
        `include_deleted`), as stored (JSON stays text).

        For large read-only views (the inventory at 20,000 products) where building full
        records would cost most of the start-up."""
        cols = _select_list(kind, names)
        try:
            where = "" if include_deleted else " WHERE deleted = 0"
            cursor = self.conn.execute(f'SELECT {cols} FROM "{kind.KIND}"{where}')
        except sqlite3.DatabaseError as exc:
            raise store_error(self.path, exc) from None
        return cursor  # iterated row by row: no second copy of 20,000 rows in memory

    def columns_in(
        self,
        kind: type[Record],
        names: tuple[str, ...],
        column: str,
        values: Iterable[Any],
        **equals: Any,
    ) -> builtins.list[tuple]:
        """Raw values of some columns of the live records whose `column` is one of `values`
        (and whose fields equal `equals`), read in chunks of 500: one page of a large view
        (the matrix reads the products on screen and their block statuses this way)."""
        cols = _select_list(kind, names)
        out: builtins.list[tuple] = []
        for rows in self._rows_where_in(kind, cols, column, values, equals):
            out += rows
        return out

    def columns_of_ids(
        self, kind: type[Record], names: tuple[str, ...], ids: Iterable[str]
    ) -> builtins.list[tuple]:
        """Raw values of some columns of the live records with these ids, in no particular
        order. One statement for any number of ids (given as one JSON array): a
        statement per number of `?` marks stays prepared in the connection's cache (a
        concept's pages of lines left ~3 MB of them; bench/RESULTS.md, round 16)."""
        cols = _select_list(kind, names)
        try:
            return self.conn.execute(
                f'SELECT {cols} FROM "{kind.KIND}" WHERE deleted = 0 '
                "AND id IN (SELECT value FROM json_each(?))",
                (json.dumps(builtins.list(ids)),),
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise store_error(self.path, exc) from None

    def _rows_where_in(
        self,
        kind: type[Record],
        cols: str,
        column: str,
        values: Iterable[Any],
        equals: dict[str, Any],
    ) -> Iterator[builtins.list[tuple]]:
        """The rows (`cols`) of the live records whose `column` is one of `values` (and
        whose fields equal `equals`), a chunk of 500 values at a time (SQLite's limit of
        bound parameters)."""
        if column not in set(kind.field_names()):
            raise ValueError(f"unknown column for {kind.KIND}: {column}")
        where, params = _conditions(kind, equals) if equals else ("", [])
        unique = builtins.list(dict.fromkeys(values))
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            marks = ", ".join("?" for _ in chunk)
            sql = f'SELECT {cols} FROM "{kind.KIND}" WHERE deleted = 0 AND "{column}" IN ({marks})'
            if where:
                sql += f" AND {where}"
            try:
                rows = self.conn.execute(sql, (*chunk, *params)).fetchall()
            except sqlite3.DatabaseError as exc:
                raise store_error(self.path, exc) from None
            yield rows

    def product_columns_of_applications(
        self, names: tuple[str, ...], application_ids: Iterable[str]
    ) -> builtins.list[tuple]:
        """Raw values of some columns of the live products requested or followed up in
        one of these applications (the matrix's first screenful)."""
        cols = _select_list(Product, names)
        ids = builtins.list(application_ids)
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        try:
            return self.conn.execute(
                f'SELECT {cols} FROM "product" WHERE deleted = 0 AND '
                f"(request_application_id IN ({marks}) OR followup_application_id IN ({marks}))",
                (*ids, *ids),
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise store_error(self.path, exc) from None

    def matrix_counts(
        self, deleted_application_ids: Iterable[str], excluded_application_ids: Iterable[str]
    ) -> tuple[int, bool, int]:
        """(live products, whether one has no application but deleted ones or none, how
        many are requested or followed up in one of the excluded applications): what the
        matrix counts over every product, for its first frame. Through the indexes on
        the application columns (a scan of 20,000 products with a set lookup per row cost
        20 ms; a GROUP BY over them 90 ms). A product naming an application this file
        does not hold at all is not seen here (the matrix's rows then tell)."""
        gone = [*deleted_application_ids, ""]
        excluded = builtins.list(excluded_application_ids)
        marks = ", ".join("?" for _ in gone)
        try:
            conn = self.conn
            products = conn.execute('SELECT count(*) FROM "product" WHERE deleted = 0').fetchone()
            without = conn.execute(
                'SELECT EXISTS (SELECT 1 FROM "product" WHERE deleted = 0 '
                f"AND (request_application_id IN ({marks}) OR request_application_id IS NULL) "
                f"AND (followup_application_id IN ({marks}) OR followup_application_id IS NULL))",
                (*gone, *gone),
            ).fetchone()
            found = (0,)
            if excluded:
                marks = ", ".join("?" for _ in excluded)
                found = conn.execute(
                    'SELECT count(*) FROM "product" WHERE deleted = 0 AND '
                    f"(request_application_id IN ({marks}) "
                    f"OR followup_application_id IN ({marks}))",
                    (*excluded, *excluded),
                ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise store_error(self.path, exc) from None
        return products[0], bool(without[0]), found[0]

    def list_data(self, kind: type[Record]) -> builtins.list[dict[str, Any]]:
        """The live records of a kind as plain dicts of their own fields (id included,
        sync metadata and None values left out), ordered by id.

        What exports and submissions carry (`Record.data()` without the Nones), read
        straight from the rows: ~10x faster than building records first, which matters
        for the 10,000+ checklist items of a large agency."""
        return self.data_dicts(kind, self.list_rows(kind))

    def list_rows(self, kind: type[Record]) -> builtins.list[tuple]:
        """The rows behind `list_data(kind)` as stored (columns as `data_names` lists
        them), ordered by id: `iter_rows` in one list."""
        names, _convert, cols = self._data_columns(kind)
        try:
            # Sorted here, not with ORDER BY: walking the id index costs 2x the scan.
            rows = self.conn.execute(
                f'SELECT {cols} FROM "{kind.KIND}" WHERE deleted = 0'
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise store_error(self.path, exc) from None
        at = names.index("id")
        rows.sort(key=lambda row: row[at])
        return rows

    def iter_data(self, kind: type[Record], page: int = 2000) -> Iterator[builtins.list[dict]]:
        """`list_data(kind)` a page at a time (the same dicts, in the same order), for a
        section too large to hold (a large agency's 170,000 checklist steps)."""
        names, convert, _cols = self._data_columns(kind)
        for rows in self.iter_rows(kind, page):
            yield self._data_dicts(names, convert, rows)

    def data_names(self, kind: type[Record]) -> builtins.list[tuple[str, Any]]:
        """(field, decoder) of the columns `iter_rows` gives, in that order: the decoder
        turns a stored value into the field's value (None: as stored; `bool`; JSON)."""
        meta = set(Record.META) - {"id"}
        return [(n, d) for n, d in _DECODERS[kind.KIND] if n not in meta]

    def data_dicts(
        self, kind: type[Record], rows: builtins.list[tuple]
    ) -> builtins.list[dict[str, Any]]:
        """The dicts `iter_data` makes of a page of `iter_rows`."""
        names, convert, _cols = self._data_columns(kind)
        return self._data_dicts(names, convert, rows)

    def iter_rows(
        self, kind: type[Record], page: int = 2000, *, by_scope: bool = False
    ) -> Iterator[builtins.list[tuple]]:
        """The rows behind `iter_data(kind)` as stored (columns as `data_names` lists
        them), a page at a time, ordered by id: for an export that encodes them itself.
        With `by_scope` (a kind with a scope: block statuses, lines) ordered by scope kind,
        scope id and then id: the records of one scope together, as a merge with the
        scopes in id order needs them.

        One statement read to its end: SQLite keeps its read snapshot until then, so the
        pages are consistent with each other (in WAL mode writers are not blocked)."""
        _names, _convert, cols = self._data_columns(kind)
        # "+id": scan the table and sort in SQLite's sorter (bounded memory, spills to an
        # owner-only temporary file), not walk the id index: that fetches every row at
        # random and took ~30 % more CPU time at 170,000 rows. Same order as list_data's
        # (text ids, byte order).
        order = "+scope_kind, +scope_id, +id" if by_scope else "+id"
        try:
            cursor = self.conn.execute(
                f'SELECT {cols} FROM "{kind.KIND}" WHERE deleted = 0 ORDER BY {order}'
            )
        except sqlite3.DatabaseError as exc:
            raise store_error(self.path, exc) from None
        try:
            while True:
                try:
                    rows = cursor.fetchmany(page)
                except sqlite3.DatabaseError as exc:
                    raise store_error(self.path, exc) from None
                if not rows:
                    return
                yield rows
        finally:
            cursor.close()

    def iter_records(
        self,
        kind: type[R],
        page: int = 1000,
        *,
        column: str = "",
        values: Iterable[Any] = (),
        **equals: Any,
    ) -> Iterator[builtins.list[R]]:
        """The live records of a kind a page at a time, in the order `list` gives them, not
        remembered for rebasing: a read-only pass over 20,000 products holds one page of
        records, not all of them. With `column`: those whose `column` is one of `values`
        (and whose fields equal `equals`), 500 values a page. Read inside `read_snapshot`
        when the pages must agree with other reads."""
        cols = ", ".join(f'"{n}"' for n, _ in _DECODERS[kind.KIND])
        if column:
            for rows in self._rows_where_in(kind, cols, column, values, equals):
                try:
                    found = self._rows_to_records(kind, rows, remember=False)
                except ValueError as exc:
                    raise store_error(self.path, exc) from None
                if found:
                    yield found
            return
        try:
            cursor = self.conn.execute(f'SELECT {cols} FROM "{kind.KIND}" WHERE deleted = 0')
        except sqlite3.DatabaseError as exc:
            raise store_error(self.path, exc) from None
        try:
            while True:
                try:
                    rows = cursor.fetchmany(page)
                    if not rows:
                        return
                    found = self._rows_to_records(kind, rows, remember=False)
                except (sqlite3.DatabaseError, ValueError) as exc:
                    raise store_error(self.path, exc) from None
                yield found
        finally:
            cursor.close()

    @staticmethod
    def _data_columns(kind: type[Record]) -> tuple[builtins.list[str], builtins.list, str]:
        meta = set(Record.META) - {"id"}
        decoders = [(n, d) for n, d in _DECODERS[kind.KIND] if n not in meta]
        names = [n for n, _ in decoders]
        convert = [(n, d) for n, d in decoders if d is not None]  # JSON and bool columns
        return names, convert, ", ".join(f'"{n}"' for n in names)

    def _data_dicts(
        self, names: builtins.list[str], convert: builtins.list, rows: builtins.list[tuple]
    ) -> builtins.list[dict[str, Any]]:
        simple = [(names.index(n), n, dec) for n, dec in convert if dec is not json.loads]
        jsons = [(names.index(n), n) for n, dec in convert if dec is json.loads]
        out = [
            dict(zip(names, row, strict=True))
            if None not in row
            else {k: v for k, v in zip(names, row, strict=True) if v is not None}
            for row in rows
        ]
        for i, name, dec in simple:  # column by column: one loop per column
            for d, row in zip(out, rows, strict=True):
                value = row[i]
                if value is not None:
                    d[name] = dec(value)
        for i, name in jsons:
            for d, value in zip(out, self._json_column([row[i] for row in rows]), strict=True):
                if value is not None:
                    d[name] = value
        return out

    def records_of_rows(
        self,
        kind: type[R],
        rows: builtins.list[tuple],
        page: int = 2000,
        *,
        share_lists: bool = False,
        share_ids: bool = True,
    ) -> builtins.list[R]:
        """The records `[kind(**d) for d in data_dicts(kind, rows)]` gives (a NULL takes
        the field's default), built column by column without a dict or keyword call per
        record: for the ~100,000 records a large agency's concept reads, 0.16 s instead
        of 0.28 s (the rows read; bench/RESULTS.md, round 8).

        The texts of a column whose values repeat (fewer than a quarter distinct in its
        first 500 rows: codes, templated descriptions) and of the ids (references, `*_id`:
        a status's scope, a product's applications; and the own ids of the kinds those
        name) are shared, one object per distinct text (sys.intern): SQLite gives every
        row its own copy, ~45 MB at 20,000 products. Another kind's own ids are unique and
        named by nothing: interning them only grew the table of interned texts, which
        never shrinks (~3.7 MB at 20,000 products: RESULTS.md, round 13). A column holding
        anything but texts is left as it is.

        With `share_lists`, the records of a JSON column's equal texts share one list
        (for records that are read and never changed: ~9 MB less at 20,000 products).
        Without `share_ids`, the ids are shared only as other texts are (a page of
        records that is let go of, its values spooled: `marshal` gives an interned text
        back interned, and a concept export's 20,000 product ids read back at once grew
        the table by ~1.9 MB; RESULTS.md, round 17)."""
        if not rows:
            return []
        if hasattr(kind, "__post_init__"):  # the generated builder would skip it
            return [kind(**d) for d in self.data_dicts(kind, rows)]
        names, convert, _cols = self._data_columns(kind)
        decoders = dict(convert)
        fields = {f.name: f for f in dataclasses.fields(kind)}
        first = rows[:500]  # enough to tell codes from names
        shared = {
            name
            for i, name in enumerate(names)
            if name not in decoders
            and str(fields[name].type) == "str"
            and (
                (share_ids and name == "id" and kind.KIND in _NAMED_BY_ID)
                or (share_ids and name.endswith("_id"))
                or len({row[i] for row in first}) * 4 < len(first)
            )
        }
        build = _record_builder(kind, tuple(names))
        out: builtins.list[R] = []
        for start in range(0, len(rows), page):  # a page of columns at a time
            columns: builtins.list[Any] = list(zip(*rows[start : start + page], strict=True))
            for i, name in enumerate(names):
                column, decoder, f = columns[i], decoders.get(name), fields[name]
                if decoder is json.loads:
                    column = self._json_column(column, copy=not share_lists)
                elif decoder is not None:  # bool, optional bool
                    column = [None if v is None else decoder(v) for v in column]
                elif name in shared:
                    try:
                        column = list(map(sys.intern, column))
                    except TypeError:
                        pass
                if f.default is not None and None in column:  # NULL: the field's default
                    # (every field of a record kind has a default or a factory)
                    if f.default_factory is not dataclasses.MISSING:
                        make_default = f.default_factory
                        column = [make_default() if v is None else v for v in column]
                    else:
                        column = [f.default if v is None else v for v in column]
                columns[i] = column
            out += map(build, *columns)
        return out

    def _json_column(self, column: Sequence[Any], *, copy: bool = True) -> builtins.list[Any]:
        """A JSON column's values decoded; NULL stays None. A JSON column of a large
        agency holds a few distinct texts (a product's themes, target groups): each is
        decoded once and its list of plain values copied (a new list per record: a caller
        may change one), ~4x cheaper than decoding each. Not copied without `copy`."""
        decoded: dict[str, Any] = {}
        out: builtins.list[Any] = []
        try:
            for value in column:
                if value is None:
                    out.append(None)
                    continue
                plain = decoded.get(value)
                if plain is None:
                    plain = json.loads(value)
                    if type(plain) is list and all(map(_is_scalar, plain)):
                        decoded[value] = plain
                        plain = plain.copy() if copy else plain
                elif copy:
                    plain = plain.copy()
                out.append(plain)
        except ValueError as exc:  # a JSON column that does not parse
            raise store_error(self.path, exc) from None
        return out

    def first_columns(
        self, kind: type[Record], names: tuple[str, ...], limit: int
    ) -> builtins.list[tuple]:
        """The first `limit` live records by name (case-insensitive): a first screenful."""
        cols = ", ".join(f'"{n}"' for n in names)
        try:
            return self.conn.execute(
                f'SELECT {cols} FROM "{kind.KIND}" WHERE deleted = 0 '
                "ORDER BY name COLLATE NOCASE LIMIT ?",
                (limit,),
            ).fetchall()
        except sqlite3.DatabaseError as exc:
            raise store_error(self.path, exc) from None

    def reader(self) -> Workspace:
        """A second, read-only connection to the same file for a background thread
        (WAL lets it read while this one writes). Close it when done."""
        try:
            conn = sqlite3.connect(_ro_uri(self.path), uri=True, check_same_thread=False)
            # A one-pass scan gains nothing from a page cache; keep its memory small.
            conn.execute("PRAGMA cache_size = -256")
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from None
        ws = Workspace(self.path, conn, self.user)
        ws.read_only = True
        return ws

    def writer(self) -> Workspace:
        """A second, writable connection to the same file for a background thread (one
        SQLite connection must not be shared between threads). Close it when done."""
        return Workspace.open(self.path, user=self.user, read_only=self.read_only)

    def get(self, kind: type[R], record_id: str) -> R | None:
        found = self.list(kind, where="id = ?", params=(record_id,), include_deleted=True)
        return found[0] if found else None

    def get_many(self, kind: type[R], ids: Iterable[str]) -> dict[str, R]:
        """Records by id (tombstones included); missing ids left out."""
        return {r.id: r for r in self.list_in(kind, "id", ids, include_deleted=True)}

    def list_in(
        self, kind: type[R], column: str, values: Iterable[Any], *, include_deleted: bool = False
    ) -> builtins.list[R]:
        """Records whose `column` is one of `values` (read in chunks of 500)."""
        if column not in kind.field_names():
            raise ValueError(f"unknown column for {kind.KIND}: {column}")
        unique = builtins.list(dict.fromkeys(values))
        out: builtins.list[R] = []
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            marks = ", ".join("?" for _ in chunk)
            out += self.list(
                kind,
                where=f'"{column}" IN ({marks})',
                params=chunk,
                include_deleted=include_deleted,
            )
        return out

    def count(self, kind: type[Record]) -> int:
        return self.conn.execute(
            f'SELECT count(*) FROM "{kind.KIND}" WHERE deleted = 0'
        ).fetchone()[0]

    def _write(self, record: Record) -> None:
        names, sql = _upsert_sql(type(record))  # type: ignore[arg-type]  # a class is hashable (mypy sees its instances' __hash__)
        self.conn.execute(sql, [_encode(getattr(record, n)) for n in names])

    def _stamp(self, record: Record, by: str | None) -> None:
        record.updated_at = utc_now()
        record.updated_by = by if by is not None else self.user
        record.dirty = True

    def save(self, record: R, *, by: str | None = None) -> R:
        """Store a local edit: stamps time and author and marks it for the next push.
        An object read before a sync moved the record on is rebased (see _rebase_stale)."""
        self._stamp(record, by)
        with self._guard(), self.transaction():
            recorder = self.recorder
            before = self.get(type(record), record.id) if recorder is not None else None
            self._rebase_stale(record)
            self._write(record)
            if recorder is not None:
                recorder.saved(before, record)
        return record

    def tombstone(self, kind: type[Record], ids: Iterable[str], *, by: str | None = None) -> int:
        """Mark live records deleted as `save` of each with `deleted` set would (stamped,
        for the next push, the sync base kept on the first local change), without
        reading or writing their data: a frozen version's text is ~145 MB at 20,000
        products, and undoing its freeze read and rewrote it (764 MiB; now 346 MiB, what
        SQLite takes to rewrite such a row: RESULTS.md, round 13). With a recorder
        attached the records are saved as usual (the recorder keeps what they were).
        Returns how many were marked."""
        ids = list(ids)
        if self.recorder is not None:
            live = [r for r in self.get_many(kind, ids).values() if not r.deleted]
            for record in live:
                record.deleted = True
            return self.save_many(live, by=by)
        now, who = utc_now(), by if by is not None else self.user
        table, n = kind.KIND, 0
        with self._guard(), self.transaction():
            for record_id in ids:
                row = self.conn.execute(
                    f'SELECT rev, dirty, deleted FROM "{table}" WHERE id = ?', (record_id,)
                ).fetchone()
                if row is None or row[2]:
                    continue
                if row[0] is not None and not row[1]:  # (as `_rebase_stale`)
                    self.conn.execute(_base_copy_sql(kind), (record_id,))  # type: ignore[arg-type]  # a class is hashable
                self.conn.execute(
                    f'UPDATE "{table}" SET deleted = 1, dirty = 1, updated_at = ?, '
                    "updated_by = ? WHERE id = ?",
                    (now, who, record_id),
                )
                n += 1
        return n

    def save_many(self, records: Iterable[Record], *, by: str | None = None) -> int:
        """Store many local edits in one transaction (imports)."""
        n = 0
        with self._guard(), self.transaction():
            recorder = self.recorder
            befores: dict[tuple[str, str], Record] = {}
            if recorder is not None:
                records = list(records)
                by_kind: dict[type[Record], list[str]] = {}
                for record in records:
                    by_kind.setdefault(type(record), []).append(record.id)
                for kind, ids in by_kind.items():
                    befores.update(((kind.KIND, i), r) for i, r in self.get_many(kind, ids).items())
            for record in records:
                self._stamp(record, by)
                if recorder is None:
                    self._rebase_stale(record)
                    self._write(record)
                else:
                    before = befores.get((record.KIND, record.id))
                    if before is not None:  # a new record has nothing to rebase on
                        self._rebase_stale(record)
                    self._write(record)
                    recorder.saved(before, record)
                n += 1
        return n

    def _rebase_stale(self, record: Record) -> None:
        """Before a local edit is written: keep the base copy (see below), and rebase a
        save from a stale object.

        A record object read at revision r, saved after a sync stored revision r' > r
        (a form left open during a sync): writing it as it is would send an edit based on
        r, which the tracker reports as a conflict, even when r' is this person's own
        earlier edit coming back from a push.

        Three-way, per field, against the row the object was read as: the fields the
        person changed go on top of the stored row, which then keeps its newer revision.
        When the sync changed one of those same fields to something else, or the row the
        object was read as is not known any more, the object keeps its old revision: the
        tracker then reports the real conflict and a person decides. Nothing is dropped."""
        kind = type(record)
        row = self.conn.execute(
            f'SELECT rev, dirty FROM "{kind.KIND}" WHERE id = ?', (record.id,)
        ).fetchone()
        if row is None or row[0] is None:
            return
        stored_rev = row[0]
        if not row[1]:
            # The first local edit since the last sync: the stored row is the tracker's
            # data at its revision, the base a later field-wise merge needs.
            self.conn.execute(_base_copy_sql(kind), (record.id,))  # type: ignore[arg-type]  # a class is hashable (mypy sees its instances' __hash__)
        if record.rev is not None and record.rev >= stored_rev:
            return
        read_as = self._loaded.get((kind.KIND, record.id, record.rev))
        current = self.list(kind, where="id = ?", params=(record.id,), include_deleted=True)
        if read_as is None or not current:
            return
        before = self._rows_to_records(kind, iter([read_as]))[0]
        now = current[0]
        changes = {}
        for name in (*kind.data_field_names(), "deleted"):
            mine = getattr(record, name)
            if mine == getattr(before, name):
                continue  # not touched in this edit: the stored value stays
            if getattr(now, name) not in (mine, getattr(before, name)):
                return  # both changed it differently: a real conflict, for a person
            changes[name] = mine
        for name in (*kind.data_field_names(), "deleted"):
            setattr(record, name, changes.get(name, getattr(now, name)))
        record.rev = stored_rev

    # -- base copies: each record's data as last synced (field-wise merge on sync) -------------

    def put_bases(self, items: Iterable[tuple[str, str, int, dict[str, Any]]]) -> None:
        """Remember (kind, id, rev, data) as the data of that record at revision rev."""
        with self._guard(), self.transaction():
            self.conn.executemany(
                "INSERT INTO sync_base (kind, id, rev, data) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(kind, id) DO UPDATE SET rev = excluded.rev, data = excluded.data",
                (
                    (kind, rid, rev, json.dumps(data, ensure_ascii=False, sort_keys=True))
                    for kind, rid, rev, data in items
                ),
            )

    def dirty_among(self, kind: type[Record], ids: Iterable[str]) -> set[str]:
        """Which of these records have unpushed edits (ids only: cheap after a push)."""
        ids = list(ids)
        out: set[str] = set()
        with self._guard():
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                marks = ", ".join("?" for _ in chunk)
                out.update(
                    rid
                    for (rid,) in self.conn.execute(
                        f'SELECT id FROM "{kind.KIND}" WHERE dirty = 1 AND id IN ({marks})',
                        chunk,
                    )
                )
        return out

    def bases(self, kind: str, ids: Iterable[str]) -> dict[str, tuple[int, dict[str, Any]]]:
        """The base copies of some records: id -> (rev, data); missing ones left out."""
        ids = list(ids)
        out: dict[str, tuple[int, dict[str, Any]]] = {}
        with self._guard():
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                marks = ", ".join("?" for _ in chunk)
                for rid, rev, data in self.conn.execute(
                    f"SELECT id, rev, data FROM sync_base WHERE kind = ? AND id IN ({marks})",
                    (kind, *chunk),
                ):
                    try:
                        out[rid] = (rev, json.loads(data))
                    except ValueError:
                        continue  # an unreadable copy only means no automatic merge
        return out

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

    def dirty(self, kind: type[R]) -> builtins.list[R]:
        return self.list(kind, where="dirty = 1", include_deleted=True)

    def change_stamp(self) -> tuple[int, int]:
        """Equal stamps mean unchanged data: rows this connection changed since it
        opened (total_changes) and commits by any other connection (data_version)."""
        try:
            version = self.conn.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise store_error(self.path, exc) from None
        return self.conn.total_changes - self._bookkeeping_changes, version

    @contextmanager
    def bookkeeping(self) -> Iterator[None]:
        """Writes inside leave this connection's `change_stamp()` as it was: notes
        derived from the data (the last completeness check kept for the next start), not
        data. Otherwise such a note made every area that rereads on a changed stamp (the
        checklist: 0.6-1.1 s at 20,000 products) do so on its next visit. Only for writes
        no reader of the stamp depends on; another connection still sees them (SQLite's
        data_version cannot tell them apart)."""
        before = self.conn.total_changes
        try:
            yield
        finally:
            self._bookkeeping_changes += self.conn.total_changes - before

    def count_dirty(self) -> int:
        """Records of every kind waiting for the next push: the counts the schema's
        triggers keep (schema.keep_dirty_count). A kind missing its count or any of its
        triggers (a table rebuilt without them) is counted instead: slow, never wrong."""
        with self._guard():
            kept = dict(self.conn.execute("SELECT kind, n FROM dirty_count").fetchall())
            triggers = {
                name
                for (name,) in self.conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                )
            }
            total = 0
            for k in RECORD_KINDS:
                if k in kept and all(
                    schema.dirty_count_trigger(k, e) in triggers for e in schema.DIRTY_COUNT_EVENTS
                ):
                    total += kept[k]
                else:
                    sql = f'SELECT count(*) FROM "{k}" WHERE dirty = 1'
                    total += self.conn.execute(sql).fetchone()[0]
            return total

    def count_dirty_rows(self) -> int:
        """count_dirty the slow way, counting the rows (to check the kept counts)."""
        with self._guard():
            return sum(
                self.conn.execute(f'SELECT count(*) FROM "{k}" WHERE dirty = 1').fetchone()[0]
                for k in RECORD_KINDS
            )

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise store_error(self.path, exc) from None

    # -- checklist agenda (the dashboard reads a few items out of thousands) ------------------

    _OPEN_ITEM = "obsolete = 0 AND status NOT IN ('done', 'na') AND due_date != ''"

    def _open_item_where(self, due_from: str, due_before: str) -> tuple[str, builtins.list[str]]:
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
    ) -> builtins.list[ChecklistItem]:
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

    def checklist_groups(
        self,
        statuses: Sequence[str],
        *,
        finished: Sequence[str],
        no_due: str,
        page: int = 500,
    ) -> Iterator[tuple]:
        """The live steps that are not obsolete, counted per (scope kind, scope id, block,
        checklist) in the order their first step comes by id: (scope kind, scope id,
        block, checklist, step count, a count per status of `statuses`, the first pending
        step - a status not in `finished` - as (due date or `no_due`, step, title) or
        None), as `export_xlsx.checklist_groups` counts the same steps read by id (which
        gives the rule: `export_xlsx.stored_checklist_groups`; tests/test_export_rows.py).
        Counted by SQLite's sorter (bounded memory, spilling to a temporary file): the
        40,000 groups of a large agency held ~11 MB in Python (bench/RESULTS.md, round
        15). Read inside `read_snapshot` with the steps it goes with."""
        counts = ", ".join("sum(status = ?)" for _ in statuses)
        done = ", ".join("?" for _ in finished)
        # (a NULL read as the steps' dicts read it: the field left out, so its default)
        steps = (
            "SELECT ifnull(scope_kind, '') AS k, ifnull(scope_id, '') AS s, "
            "ifnull(block, '') AS b, ifnull(template, '') AS t, ifnull(status, 'open') "
            "AS status, id, due_date, step, title "
            'FROM "checklist_item" WHERE deleted = 0 AND NOT ifnull(obsolete, 0)'
        )
        sql = (
            f"SELECT k, s, b, t, count(*), {counts}, "
            f"min(CASE WHEN status NOT IN ({done}) THEN {_PENDING_KEY} END) "
            f"FROM ({steps}) GROUP BY k, s, b, t ORDER BY min(id)"
        )
        with self._guard():
            cursor = self.conn.execute(sql, [*statuses, *finished, no_due])
        while True:
            with self._guard():
                rows = cursor.fetchmany(page)
            if not rows:
                return
            for row in rows:
                key = row[-1]
                yield (*row[:-1], None if key is None else _pending_step(key))

    # -- the checklist agenda, ordered, filtered and counted in SQL ------------------------
    # At 20,000 products a worked-on workspace holds 128,000+ steps: building them all as
    # records took seconds and ~200 MiB. The agenda keeps only their rowids in order and
    # reads the rows on screen. The bucket and contradiction rules stay the domain's:
    # the caller hands them in and SQLite calls them per row.

    _AGENDA_SCOPE = (
        "LEFT JOIN product p ON c.scope_kind = 'product' AND p.id = c.scope_id "
        "AND p.deleted = 0 "
        "LEFT JOIN application a ON c.scope_kind = 'application' AND a.id = c.scope_id "
        "AND a.deleted = 0"
    )
    # The display name of the step's scope (the agency's name, the product's, the
    # application's; `missing` when it is gone).
    _AGENDA_NAME = (
        "CASE WHEN c.scope_kind = 'agency' AND c.scope_id = :agency_id THEN :agency_name "
        "WHEN p.id IS NOT NULL THEN p.name WHEN a.id IS NOT NULL THEN a.name "
        "ELSE :missing END"
    )
    # The matrix's stage of the step's block for its scope: the last required status (as
    # a dict built from all of them in table order would keep).
    _AGENDA_STAGE = (
        "(SELECT s.stage FROM block_status s WHERE s.deleted = 0 "
        "AND s.applicability = :required AND s.scope_kind = c.scope_kind "
        "AND s.scope_id = c.scope_id AND s.block = c.block ORDER BY s.rowid DESC LIMIT 1)"
    )

    def _agenda_functions(self, rank: Any, contradicts: Any = None) -> None:
        if rank is not None:
            self.conn.create_function("elo_rank", 3, rank, deterministic=True)
        self.conn.create_function("elo_fold", 1, lambda t: (t or "").casefold(), deterministic=True)
        if contradicts is not None:
            self.conn.create_function(
                "elo_contradicts",
                4,
                lambda b, o, st, stage: 1 if contradicts(b, o, st, stage or "") else 0,
                deterministic=True,
            )

    @staticmethod
    def _agenda_rank_sql(rules: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The bucket rank as an SQL expression for what most steps hold (a strict ISO due
        date, day 01-28, compared as text), and the domain's own `elo_rank` for
        everything else. `rules`: the domain's rule as values (see services.checklists)."""
        closed = ", ".join(f":closed{i}" for i in range(len(rules["closed_statuses"])))
        params = {f"closed{i}": v for i, v in enumerate(rules["closed_statuses"])}
        params |= {f"rank_{k}": v for k, v in rules["ranks"].items()}
        params |= {"today": rules["today"], "soon_until": rules["soon_until"]}
        sql = (
            "CASE WHEN c.obsolete THEN :rank_obsolete "
            f"WHEN c.status IN ({closed}) THEN :rank_closed "
            "WHEN c.due_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' "
            # a real day in any month of any year Python's date knows (29-31: elo_rank)
            "AND c.due_date >= '0001' AND substr(c.due_date, 6, 2) BETWEEN '01' AND '12' "
            "AND substr(c.due_date, 9, 2) BETWEEN '01' AND '28' THEN "
            "CASE WHEN c.due_date < :today THEN :rank_overdue "
            "WHEN c.due_date <= :soon_until THEN :rank_soon ELSE :rank_later END "
            "ELSE elo_rank(c.obsolete, c.status, c.due_date) END"
        )
        return sql, params

    def checklist_agenda_ids(
        self,
        rank: Any,
        rules: dict[str, Any],
        *,
        scope_kind: str = "",
        block: str = "",
        needle: str = "",
        names: dict[str, Any] | None = None,
    ) -> tuple[array.array, array.array]:
        """(rowids, their bucket ranks) of the live checklist items in agenda order: the
        bucket's place (`rank(obsolete, status, due_date)`, see `_agenda_rank_sql`), then
        the due date ('' last), then the casefolded title, then table order (a stable sort
        of the records as read). Only the scope kind, the block, and steps whose "title
        scope-name" casefolded holds `needle` (already casefolded) when given. `names`:
        agency_id, agency_name, missing (see _AGENDA_NAME)."""
        self._agenda_functions(rank)
        rank_sql, params = self._agenda_rank_sql(rules)
        params |= names or {"agency_id": None, "agency_name": "", "missing": ""}
        conds = ["c.deleted = 0"]
        join = ""
        if scope_kind:
            conds.append("c.scope_kind = :scope_kind")
            params["scope_kind"] = scope_kind
        if block:
            conds.append("c.block = :block")
            params["block"] = block
        if needle:
            join = self._AGENDA_SCOPE
            conds.append(f"instr(elo_fold(c.title || ' ' || {self._AGENDA_NAME}), :needle) > 0")
            params["needle"] = needle
        sql = (
            f"SELECT c.rowid, {rank_sql} AS r "
            f"FROM checklist_item c {join} WHERE {' AND '.join(conds)} "
            "ORDER BY r, COALESCE(NULLIF(c.due_date, ''), '9999'), elo_fold(c.title), c.rowid"
        )
        ids, ranks = array.array("q"), array.array("b")
        with self._guard():
            cursor = self.conn.execute(sql, params)
            while chunk := cursor.fetchmany(4096):
                ids.extend(r[0] for r in chunk)
                ranks.extend(r[1] for r in chunk)
        return ids, ranks

    def checklist_contradictions(self, contradicts: Any, required: str) -> int:
        """Live steps that `contradicts(block, obsolete, status, stage)` says contradict
        the matrix (stage: see _AGENDA_STAGE)."""
        self._agenda_functions(None, contradicts)
        sql = (
            "SELECT sum(elo_contradicts(c.block, c.obsolete, c.status, "
            f"{self._AGENDA_STAGE})) FROM checklist_item c "
            "WHERE c.deleted = 0 AND c.block IS NOT NULL AND c.block != ''"
        )
        with self._guard():
            return self.conn.execute(sql, {"required": required}).fetchone()[0] or 0

    def checklist_agenda_rows(
        self, rowids: Iterable[int], names: dict[str, Any], required: str
    ) -> dict[int, tuple[ChecklistItem, str, str]]:
        """rowid -> (item, scope name, its block's stage) for some rows of the agenda
        (deleted ones too: the agenda was ordered before they went)."""
        wanted = builtins.list(rowids)
        cols = ", ".join(f'c."{n}"' for n, _ in _DECODERS["checklist_item"])
        out: dict[int, tuple[ChecklistItem, str, str]] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            sql = (
                f"SELECT c.rowid, {self._AGENDA_NAME}, {self._AGENDA_STAGE}, {cols} "
                f"FROM checklist_item c {self._AGENDA_SCOPE} "
                f"WHERE c.rowid IN ({', '.join(str(int(x)) for x in chunk)})"
            )
            try:
                rows = self.conn.execute(sql, {**names, "required": required}).fetchall()
                items = self._rows_to_records(ChecklistItem, (r[3:] for r in rows))
            except (sqlite3.DatabaseError, ValueError) as exc:
                raise store_error(self.path, exc) from None
            for row, item in zip(rows, items, strict=True):
                out[row[0]] = (item, row[1], row[2] or "")
        return out

    # The agenda's first screen without ordering every step: the live steps fall in two
    # indexed halves, the open dated ones (idx_checklist_item_open_due) and the rest
    # (idx_checklist_item_agenda_rest, its own migration). Each half is read as groups
    # of equal (obsolete, status, due date, title): a few hundred groups for 128,000 steps, and
    # the bucket and order of a group follow from those fields alone (the caller applies
    # the domain's rule per group).
    AGENDA_CLOSED_STATUSES = ("done", "na")  # what both index conditions call closed

    def checklist_agenda_groups(
        self,
    ) -> tuple[builtins.list[tuple[str, str, int]], builtins.list[tuple[Any, ...]]]:
        """(open dated: (due_date, title, count) with obsolete 0 and a status not in
        AGENDA_CLOSED_STATUSES; rest: (obsolete, status, due_date, title, count)) of the
        live checklist steps. Together they hold every live step once."""
        with self._guard():
            dated = self.conn.execute(
                f'SELECT due_date, title, count(*) FROM "checklist_item" '
                f"WHERE deleted = 0 AND {schema.AGENDA_OPEN_DATED} GROUP BY due_date, title"
            ).fetchall()
            rest = self.conn.execute(
                "SELECT obsolete, status, due_date, title, count(*) FROM checklist_item "
                f"WHERE {schema.AGENDA_REST} GROUP BY obsolete, status, due_date, title"
            ).fetchall()
        return dated, rest

    def checklist_group_rowids(
        self, dated: Iterable[tuple[str, str]], rest: Iterable[tuple[Any, Any, Any, Any]]
    ) -> builtins.list[builtins.list[int]]:
        """The rowids of the steps in some groups of `checklist_agenda_groups`, a list per
        group in the order given: open dated ones by (due_date, title), then the rest by
        (obsolete, status, due_date, title)."""
        out: builtins.list[builtins.list[int]] = []
        with self._guard():
            for due, title in dated:
                sql = (
                    'SELECT rowid FROM "checklist_item" WHERE deleted = 0 AND '
                    f"{schema.AGENDA_OPEN_DATED} AND due_date = ? AND title IS ? ORDER BY rowid"
                )
                out.append([r[0] for r in self.conn.execute(sql, (due, title))])
            for obsolete, status, due, title in rest:
                sql = (
                    f"SELECT rowid FROM checklist_item WHERE {schema.AGENDA_REST} AND "
                    "obsolete IS ? AND status IS ? AND due_date IS ? AND title IS ? ORDER BY rowid"
                )
                out.append([r[0] for r in self.conn.execute(sql, (obsolete, status, due, title))])
        return out

    def rowid_of(self, kind: type[Record], record_id: str) -> int | None:
        """The table rowid of a record (what the paged tables hold), None when absent."""
        with self._guard():
            found = self.conn.execute(
                f'SELECT rowid FROM "{kind.KIND}" WHERE id = ?', (record_id,)
            ).fetchone()
        return found[0] if found else None

    def text_pieces(
        self, kind: type[Record], record_id: str, column: str, size: int = 1 << 20
    ) -> Iterator[str]:
        """One record's text column in pieces of about `size` bytes, read through SQLite's
        incremental blob I/O: a submission's content is ~145 MB at 20,000 products, and
        as one Python str ~290 MB (its quotes make it two bytes a character). Nothing is
        read before the first piece is asked for."""
        if column not in kind.field_names():
            raise ValueError(f"unknown column for {kind.KIND}: {column}")
        rowid = self.rowid_of(kind, record_id)
        if rowid is None:
            raise WorkspaceError(
                f"Werkruimte '{self.path}' bevat geen {_kind_name(kind.KIND)} {record_id}."
            )
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            with self.conn.blobopen(kind.KIND, column, rowid, readonly=True) as blob:
                while data := blob.read(size):
                    yield decoder.decode(data)
            yield decoder.decode(b"", final=True)
        except sqlite3.Error as exc:  # e.g. NULL there, or the row changed meanwhile
            raise store_error(self.path, exc) from None
        except UnicodeDecodeError:
            raise WorkspaceError(
                f"Werkruimte '{self.path}': de tekst van {_kind_name(kind.KIND)} {record_id} "
                "is geen geldige UTF-8. Er is niets gewijzigd."
            ) from None

    def text_size(self, kind: type[Record], record_id: str, column: str) -> int:
        """The bytes one record's text column takes as UTF-8, told by SQLite's blob
        handle without reading the text (a frozen version's is ~145 MB at 20,000
        products). A character takes 1 to 4 of them. NULL (or no such record): 0."""
        if column not in kind.field_names():
            raise ValueError(f"unknown column for {kind.KIND}: {column}")
        try:
            row = self.conn.execute(
                f'SELECT rowid, typeof("{column}") FROM "{kind.KIND}" WHERE id = ?', (record_id,)
            ).fetchone()
            if row is None or row[1] not in ("text", "blob"):
                return 0
            with self.conn.blobopen(kind.KIND, column, row[0], readonly=True) as blob:
                return len(blob)
        except sqlite3.Error as exc:
            raise store_error(self.path, exc) from None

    def clear_dirty(self, kind: type[Record], record_id: str) -> None:
        """Nothing of this record is to be pushed (a version removed here stays removed
        here only: the tracker keeps every version it has), without rewriting its row."""
        with self._guard(), self.transaction():
            self.conn.execute(f'UPDATE "{kind.KIND}" SET dirty = 0 WHERE id = ?', (record_id,))

    def write_text(
        self, kind: type[Record], record_id: str, column: str, data: BinaryIO, size: int
    ) -> None:
        """Store `size` bytes of UTF-8 from `data` as one record's text column, written
        through SQLite's incremental blob I/O (a frozen submission is ~145 MB at 20,000
        products: as one Python str ~290 MB, and its bytes once more). The value is a
        blob of UTF-8 and stays one (`_BLOB_TEXTS`: the store reads it as text); making
        it a TEXT value in SQL held it whole in memory twice. The record's own save
        (sync stamps, dirty flag) is the caller's, before this."""
        if (kind.KIND, column) not in _BLOB_TEXTS:
            raise ValueError(f"{kind.KIND}.{column} is not read back as text from a blob")
        table, col = kind.KIND, column
        with self._guard(), self.transaction():
            try:
                self.conn.execute(
                    f'UPDATE "{table}" SET "{col}" = zeroblob(?) WHERE id = ?', (size, record_id)
                )
                rowid = self.rowid_of(kind, record_id)
                if rowid is None:
                    raise WorkspaceError(
                        f"Werkruimte '{self.path}' bevat geen {_kind_name(table)} {record_id}."
                    )
                with self.conn.blobopen(table, col, rowid) as blob:
                    while chunk := data.read(1 << 20):
                        blob.write(chunk)
            except (sqlite3.Error, ValueError) as exc:  # ValueError: more bytes than `size`
                raise store_error(self.path, exc) from None

    # -- estimate lines, ordered and totalled in SQL ------------------------------------
    # A 20,000-product workspace holds ~25,700 estimate lines: building and costing them
    # all as records took seconds before the costs screen showed anything. The table keeps
    # their rowids in display order and reads the lines on screen; the expected totals are
    # sums in SQL. The rules stay the domain's: the caller hands in their values (labels,
    # the sort key, the rounding to whole euros, the lists of valid codes); validity and
    # the PERT mean are the domain's expressions written in SQL, and
    # tests/test_costs_paged.py holds them equal to domain.estimate on every kind of line.

    _LINE_SCOPE = (
        "LEFT JOIN product p ON l.scope_kind = 'product' AND p.id = l.scope_id "
        "AND p.deleted = 0 "
        "LEFT JOIN application a ON l.scope_kind = 'application' AND a.id = l.scope_id "
        "AND a.deleted = 0"
    )
    _LINE_PRODUCT = (
        "LEFT JOIN product p ON l.scope_kind = 'product' AND p.id = l.scope_id AND p.deleted = 0"
    )
    # The application a line counts under (domain.estimate._application_of_line): its own
    # for an application line, its live product's request (else follow-up) application.
    _LINE_APP = (
        "CASE l.scope_kind WHEN 'application' THEN l.scope_id WHEN 'product' THEN "
        "COALESCE(NULLIF(p.request_application_id, ''), NULLIF(p.followup_application_id, ''), "
        "'') ELSE '' END"
    )
    # domain.estimate.line_rate: the line's own day rate, else the agency's for its category.
    _LINE_RATE = (
        "CASE WHEN day_rate IS NOT NULL THEN day_rate "
        "WHEN category = 'internal' THEN :rate_internal "
        "WHEN category = 'supplier' THEN :rate_supplier END"
    )
    # domain.estimate.line_problems(...) == {} (its _plainly_valid) over the columns of
    # _LINE_COLUMNS. 9e999 is SQLite's infinity; NaN cannot be stored (it becomes NULL).
    _LINE_VALID = (
        "(budget_year IN (:years) AND recurrence IN (:recurrences) "
        "AND category IN (:categories) AND scope_kind IN (:scope_kinds) AND ("
        "(method = 'three_point' AND typeof(o) IN ('integer', 'real') "
        "AND typeof(m) IN ('integer', 'real') AND typeof(pe) IN ('integer', 'real') "
        "AND typeof(r) IN ('integer', 'real') "
        "AND 0 <= o AND o <= m AND m <= pe AND pe < 9e999 AND r > 0 AND r < 9e999) OR "
        "(method = 'fixed' AND typeof(fixed_amount) IN ('integer', 'real') "
        "AND 0 <= fixed_amount AND fixed_amount < 9e999)))"
    )
    # domain.estimate.cost_line's mean before rounding: PERT over the days times the rate
    # (the same float operations in the same order), or the fixed amount.
    _LINE_RAW_MEAN = (
        "CASE WHEN method = 'fixed' THEN fixed_amount ELSE (o * r + 4 * (m * r) + pe * r) / 6.0 END"
    )
    # domain.estimate.whole_euros (Python's round: half to even) of a mean that validity
    # keeps >= 0, in SQL (SQLite's round() goes half away from zero): the integer part,
    # plus one above a half, plus its parity at exactly a half (x - trunc(x) is exact).
    # From 2**52 on every double is a whole number already.
    _WHOLE_EUROS = (
        "CASE WHEN raw >= 4503599627370496.0 THEN raw ELSE CAST(raw AS INTEGER) + "
        "CASE WHEN raw - CAST(raw AS INTEGER) > 0.5 THEN 1 "
        "WHEN raw - CAST(raw AS INTEGER) < 0.5 THEN 0 ELSE CAST(raw AS INTEGER) % 2 END END"
    )
    # domain.cofinancing.is_eligible: the line's own choice, else the default rule.
    _LINE_ELIGIBLE = (
        "CASE WHEN eligible IS NOT NULL THEN eligible != 0 "
        "WHEN recurrence = 'recurring' THEN 0 WHEN category = 'licence' THEN 0 "
        "WHEN scope_kind = 'agency' AND (block IS NULL OR block = '') THEN 0 ELSE 1 END"
    )

    @staticmethod
    def _in_list(params: dict[str, Any], name: str, values: Iterable[Any]) -> str:
        marks = []
        for i, value in enumerate(values):
            params[f"{name}{i}"] = value
            marks.append(f":{name}{i}")
        return ", ".join(marks) or "NULL"

    def _excluded_line(self, params: dict[str, Any]) -> tuple[str, bool]:
        """An SQL condition: the line's application is "buiten beschouwing" (live and
        excluded), and whether it needs the product join. Most workspaces exclude none."""
        with self._guard():
            apps = [
                r[0]
                for r in self.conn.execute(
                    "SELECT id FROM application WHERE deleted = 0 AND excluded"
                )
            ]
        if not apps:
            return "0", False
        return f"({self._LINE_APP}) IN ({self._in_list(params, 'excluded', apps)})", True

    def estimate_line_order(
        self, labels: dict[str, Any], blocks: Iterable[str], *, limit: int | None = None
    ) -> array.array:
        """Rowids of the live estimate lines in the costs screen's order: counted lines by
        the sort key of their scope's label, the block's place in `blocks` (others after),
        description; then the lines of excluded applications by scope key and
        description. Ties keep table order (a stable sort of the records as read).
        `limit`: only the first ones (a first screen: SQLite keeps the smallest while it
        reads, it does not sort every line).

        `labels` (the domain's, see services.estimate): `agency` (the label of the
        agency's lines), `prefixes` (scope kind -> prefix), `unknown` (the text before a
        missing scope's short id) and `sort_key` (the collation key of a label, called
        only for non-ASCII labels: for ASCII it is lower())."""
        params: dict[str, Any] = {f"block{i}": b for i, b in enumerate(blocks)}
        ranks = " ".join(f"WHEN :block{i} THEN {i}" for i in range(len(params)))
        block_rank = f"CASE l.block {ranks} ELSE 99 END" if ranks else "99"
        excluded, _ = self._excluded_line(params)
        sort_key = labels["sort_key"]
        self.conn.create_function("elo_sort_key", 1, sort_key, deterministic=True)

        def key_of(text: str) -> str:  # the ORDER BY's rule below, for a constant
            return text.lower() if text.isascii() else sort_key(text)

        named = []
        for i, (kind, prefix) in enumerate(labels["prefixes"].items()):
            params[f"kind{i}"], params[f"prefix{i}"] = kind, prefix
            params[f"prefix_key{i}"] = key_of(f"{prefix}: ")
            named.append(f"WHEN :kind{i} THEN :prefix{i}")
        params |= {"agency_label": labels["agency"], "unknown": labels["unknown"]}
        params["agency_key"] = key_of(labels["agency"])
        prefix = f"CASE l.scope_kind {' '.join(named)} ELSE l.scope_kind END"
        label = (
            f"({prefix}) || ': ' || COALESCE(CASE WHEN l.scope_kind = 'product' THEN p.name "
            "WHEN l.scope_kind = 'application' THEN a.name END, "
            "'(' || :unknown || ' ' || substr(l.scope_id, 1, 8) || ')')"
        )

        def key(text: str) -> str:
            # length() counts characters, the blob's length bytes: equal for ASCII only.
            return (
                f"CASE WHEN length(CAST({text} AS BLOB)) = length({text}) THEN lower({text}) "
                f"ELSE elo_sort_key({text}) END"
            )

        # The key of "<prefix>: <name>" is the prefix's key followed by the name's (ASCII
        # or not: the collation key decomposes and folds character by character after
        # the ': '), so a live scope's name is keyed without building its label; a missing
        # scope (or an unknown kind) keys its whole label as the screen shows it.
        kinds = list(labels["prefixes"])
        by_name = [
            f"WHEN l.scope_kind = :kind{kinds.index(kind)} AND {col} IS NOT NULL "
            f"THEN :prefix_key{kinds.index(kind)} || ({key(col)})"
            for kind, col in (("product", "p.name"), ("application", "a.name"))
            if kind in kinds
        ]
        label_key = (
            f"CASE WHEN l.scope_kind = 'agency' THEN :agency_key {' '.join(by_name)} "
            f"ELSE {key(label)} END"
        )
        sql = (
            f"SELECT l.rowid FROM estimate_line l "
            # NOT INDEXED: one pass over the table; without statistics SQLite may walk
            # idx_estimate_line_totals instead and then read every row from the table too
            f"NOT INDEXED {self._LINE_SCOPE} WHERE l.deleted = 0 "
            # (no excluded application: "0", which ORDER BY would read as a column number)
            f"ORDER BY {'' if excluded == '0' else f'{excluded}, '}{label_key}, "
            f"CASE WHEN {excluded} THEN 0 ELSE {block_rank} END, l.description, l.rowid"
            + (f" LIMIT {int(limit)}" if limit is not None else "")
        )
        ids = array.array("q")
        with self._guard():
            cursor = self.conn.execute(sql, params)
            while chunk := cursor.fetchmany(4096):
                ids.extend(r[0] for r in chunk)
        return ids

    def estimate_line_rows(
        self, rowids: Iterable[int]
    ) -> dict[int, tuple[EstimateLine, str | None, str | None, bool]]:
        """rowid -> (line, its live product's name, its live application's name, whether
        its application is excluded) for some lines of the table (deleted ones too: the
        order was read before they went)."""
        wanted = builtins.list(rowids)
        params: dict[str, Any] = {}
        excluded, _ = self._excluded_line(params)
        cols = ", ".join(f'l."{n}"' for n, _ in _DECODERS["estimate_line"])
        out: dict[int, tuple[EstimateLine, str | None, str | None, bool]] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            sql = (
                f"SELECT l.rowid, p.name, a.name, {excluded}, {cols} "
                f"FROM estimate_line l {self._LINE_SCOPE} "
                f"WHERE l.rowid IN ({', '.join(str(int(x)) for x in chunk)})"
            )
            try:
                rows = self.conn.execute(sql, params).fetchall()
                lines = self._rows_to_records(EstimateLine, (r[4:] for r in rows))
            except (sqlite3.DatabaseError, ValueError) as exc:
                raise store_error(self.path, exc) from None
            for row, line in zip(rows, lines, strict=True):
                out[row[0]] = (line, row[1], row[2], bool(row[3]))
        return out

    def estimate_totals(self, rules: dict[str, Any]) -> builtins.list[tuple]:
        """The live estimate lines summed per group: (excluded application or None, valid,
        budget year, recurrence, block, category, eligible, lines, assumed lines, sum of
        the valid lines' means, each rounded to whole euros as the domain does).
        `rules`: the domain's rule values (services.estimate._rules)."""
        params: dict[str, Any] = {
            "rate_internal": rules["rate_internal"],
            "rate_supplier": rules["rate_supplier"],
        }
        valid = self._LINE_VALID
        for name in ("years", "recurrences", "categories", "scope_kinds"):
            valid = valid.replace(f"(:{name})", f"({self._in_list(params, name, rules[name])})")
        excluded, join = self._excluded_line(params)
        apart = f"CASE WHEN {excluded} THEN {self._LINE_APP} END" if join else "NULL"
        # Lines with the same inputs first (proposals from the template mostly are): the
        # rules then run once per kind of line, not 25,000 times. A mean is a whole number
        # of euros, so n times it is exactly the sum of n of them.
        alike = (
            "SELECT l.budget_year, l.recurrence, l.block, l.category, l.scope_kind, l.method, "
            "l.eligible, l.fixed_amount, l.optimistic_days AS o, l.likely_days AS m, "
            f"l.pessimistic_days AS pe, l.day_rate, {apart} AS apart, count(*) AS n, "
            "total(l.assumed != 0) AS na FROM estimate_line l "
            f"{self._LINE_PRODUCT if join else ''} WHERE l.deleted = 0 "
            # in the order of idx_estimate_line_totals (schema v10): no sort when no
            # application is excluded
            f"GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12{', 13' if join else ''}"
        )
        rated = f"SELECT *, {self._LINE_RATE} AS r FROM ({alike})"
        costed = (
            f"SELECT apart, {valid} AS v, budget_year, recurrence, block, category, "
            f"{self._LINE_ELIGIBLE} AS e, n, na, {self._LINE_RAW_MEAN} AS raw FROM ({rated})"
        )
        sql = (
            "SELECT apart, v, budget_year, recurrence, block, category, e, sum(n), total(na), "
            f"total(CASE WHEN v THEN n * ({self._WHOLE_EUROS}) END) "
            f"FROM ({costed}) GROUP BY 1, 2, 3, 4, 5, 6, 7"
        )
        with self._guard():
            return self.conn.execute(sql, params).fetchall()

    def estimate_lines_counted(self) -> Iterator[tuple[EstimateLine, bool]]:
        """Every live estimate line with whether its application is excluded, read a few
        hundred at a time (the simulation's input: never all records at once)."""
        params: dict[str, Any] = {}
        excluded, join = self._excluded_line(params)
        cols = ", ".join(f'l."{n}"' for n, _ in _DECODERS["estimate_line"])
        sql = (
            f"SELECT {excluded}, {cols} FROM estimate_line l NOT INDEXED "
            f"{self._LINE_PRODUCT if join else ''} WHERE l.deleted = 0"
        )
        with self._guard():
            cursor = self.conn.execute(sql, params)
            while chunk := cursor.fetchmany(512):
                try:
                    lines = self._rows_to_records(
                        EstimateLine, (r[1:] for r in chunk), remember=False
                    )
                except ValueError as exc:
                    raise store_error(self.path, exc) from None
                for row, line in zip(chunk, lines, strict=True):
                    yield line, bool(row[0])

    def estimate_line_inputs(
        self, names: tuple[str, ...], *, by_id: bool = False
    ) -> Iterator[tuple]:
        """(excluded, *the columns `names`) of every live estimate line, decoded as the
        records decode them, in table order or (`by_id`) in id order, read a few thousand
        at a time: the simulation's input as plain tuples (no records: the costs
        screen's worker runs while the first frame settles, and every byte counts)."""
        decoders = dict(_DECODERS["estimate_line"])
        cols = ", ".join(f'l."{n}"' for n in names if n in decoders)
        if len(cols.split(", ")) != len(names):
            raise ValueError(f"estimate_line has no column among {names!r}")
        convert = [(i + 1, decoders[n]) for i, n in enumerate(names) if decoders[n] is not None]
        params: dict[str, Any] = {}
        excluded, join = self._excluded_line(params)
        # by id: the primary key's index (its text order is Python's str order: UTF-8
        # bytes compare as code points); else one pass over the table, as the records'
        # stream (estimate_lines_counted) reads it.
        sql = (
            f"SELECT {excluded}, {cols} FROM estimate_line l "
            f"{'' if by_id else 'NOT INDEXED'} {self._LINE_PRODUCT if join else ''} "
            f"WHERE l.deleted = 0{' ORDER BY l.id' if by_id else ''}"
        )
        with self._guard():
            cursor = self.conn.execute(sql, params)
            while chunk := cursor.fetchmany(2048):
                if convert:
                    rows = []
                    for row in chunk:
                        values = list(row)
                        for i, dec in convert:
                            if values[i] is not None:
                                values[i] = dec(values[i])
                        rows.append(tuple(values))
                    yield from rows
                else:
                    yield from chunk

    def cost_generation(self) -> int:
        """The trigger-kept counter of writes to the costs' inputs (schema v10, see
        schema.COST_INPUTS): equal values mean none of them changed, by any connection or
        process."""
        with self._guard():
            return self.conn.execute("SELECT n FROM cost_counter WHERE id = 1").fetchone()[0]

    def count_forms_tool_candidates(self, threshold: int) -> int:
        """Live products domain.estimate.forms_tool_comparison would list: a known yearly
        volume below `threshold`, not requested through a forms-tool application, not
        counted under an excluded one."""
        sql = (
            "SELECT count(*) FROM product p WHERE p.deleted = 0 "
            "AND p.yearly_volume IS NOT NULL AND p.yearly_volume < ? "
            "AND NOT EXISTS (SELECT 1 FROM application f WHERE f.deleted = 0 "
            "AND f.kind = 'forms_tool' AND f.id = p.request_application_id) "
            "AND NOT EXISTS (SELECT 1 FROM application x WHERE x.deleted = 0 AND x.excluded "
            "AND x.id = COALESCE(NULLIF(p.request_application_id, ''), "
            "NULLIF(p.followup_application_id, ''), ''))"
        )
        with self._guard():
            return self.conn.execute(sql, (threshold,)).fetchone()[0]

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

    # -- cached summaries (valid while the change counter has not moved) -------------------

    def change_generation(self) -> int:
        """The trigger-kept counter of writes to the readiness inputs (schema v6): equal
        values mean none of them changed, by any connection or process."""
        with self._guard():
            return self.conn.execute("SELECT n FROM change_counter WHERE id = 1").fetchone()[0]

    def cached_summary(self, name: str) -> tuple[int, str, str, bytes | None] | None:
        """(generation, key, data, detail) of a cached summary, as stored."""
        with self._guard():
            row = self.conn.execute(
                "SELECT generation, key, data, detail FROM summary_cache WHERE name = ?", (name,)
            ).fetchone()
        return (row[0], row[1], row[2], row[3]) if row else None

    def store_cached_summary(
        self, name: str, generation: int, key: str, data: str, detail: bytes | None = None
    ) -> None:
        """Keep a computed summary; not a record: not synced, not exported, not undone."""
        with self._guard(), self.transaction():
            self.conn.execute(
                "INSERT INTO summary_cache (name, generation, key, data, detail) "
                "VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET generation = excluded.generation, "
                "key = excluded.key, data = excluded.data, detail = excluded.detail",
                (name, generation, key, data, detail),
            )

    # -- readiness per product (schema v8; services/readiness_store.py) ---------------------

    _COUNTED = "live = 1 AND excluded IS NULL"

    @contextmanager
    def read_snapshot(self) -> Iterator[None]:
        """Every read inside sees one state of the file (a WAL read transaction), however
        other connections write meanwhile. Joins a transaction already open."""
        if self.conn.in_transaction:
            yield
            return
        with self._guard():
            self.conn.execute("BEGIN")
        try:
            yield
        finally:
            if self.conn.in_transaction:
                try:
                    self.conn.execute("COMMIT")  # a read transaction: nothing written
                except sqlite3.Error:
                    pass

    @contextmanager
    def small_cache(self, kib: int = 256) -> Iterator[None]:
        """A page cache of `kib` KiB meanwhile (as `reader` has): a pass that reads the
        whole file once gains nothing from the default 2 MiB, which stays allocated."""
        with self._guard():
            before = self.conn.execute("PRAGMA cache_size").fetchone()[0]
            self.conn.execute(f"PRAGMA cache_size = {-int(kib)}")
        try:
            yield
        finally:
            with self._guard():
                self.conn.execute(f"PRAGMA cache_size = {int(before)}")

    def readiness_stale(self) -> builtins.list[tuple[str, int]]:
        """(product id, write count) of every product whose readiness must be computed."""
        with self._guard():
            return self.conn.execute(
                "SELECT product_id, stale FROM readiness_product WHERE stale > 0"
            ).fetchall()

    def readiness_mark_all(self) -> None:
        """Every product's readiness to be computed anew (the reading or format changed)."""
        with self._guard(), self.transaction():
            self.conn.execute("UPDATE readiness_product SET stale = stale + 1")
            self.conn.execute("UPDATE readiness_application SET stale = stale + 1")

    def readiness_application_stale(self) -> builtins.list[tuple[str, int]]:
        """(application id, write count) of every application whose own parts must be
        computed again."""
        with self._guard():
            return self.conn.execute(
                "SELECT app_id, stale FROM readiness_application WHERE stale > 0"
            ).fetchall()

    def readiness_put_applications(self, rows: Iterable[tuple[str, int, int, str]]) -> None:
        """Store (application id, write count read, counted, parts JSON); a row written
        to since it was read stays stale."""
        with self._guard(), self.transaction():
            self.conn.executemany(
                "UPDATE readiness_application SET stale = 0, counted = ?, parts = ? "
                "WHERE app_id = ? AND stale = ?",
                [(counted, parts, app_id, token) for app_id, token, counted, parts in rows],
            )

    def readiness_application_parts(self) -> builtins.list[tuple[str, str, int]]:
        """(block part, "done" | "open", applications) over the counted applications that
        serve a counted product (readiness_count's "app:<id>")."""
        with self._guard():
            return self.conn.execute(
                "SELECT j.key, j.value, count(*) FROM readiness_application a "
                "JOIN readiness_count c ON c.dim = 'app:' || a.app_id AND c.value = '1' "
                "AND c.n > 0, json_each(a.parts) j WHERE a.counted = 1 "
                "GROUP BY j.key, j.value"
            ).fetchall()

    def readiness_mark_dated(self, low: str, high: str) -> None:
        """Products with a risk that counts from a day in [low, high) on: their figures
        differ between those days."""
        with self._guard(), self.transaction():
            self.conn.execute(
                "UPDATE readiness_product SET stale = stale + 1 WHERE product_id IN "
                "(SELECT product_id FROM readiness_risk WHERE passed_after IS NOT NULL "
                "AND passed_after >= ? AND passed_after < ?)",
                (low, high),
            )

    def readiness_put(
        self,
        rows: Iterable[tuple[str, int, tuple | None]],
        risks: dict[str, builtins.list[tuple]],
        at_risk: dict[str, builtins.list[tuple]],
    ) -> int:
        """Store computed readiness: (product id, the write count it was computed at,
        values or None for a deleted product), its risks (deadline, seq, block, problem,
        target date, waiting, delayed to, passed after) and, on the store's day, its
        (deadline, risk count, waiting). A row written to since it was read stays stale.
        Returns how many rows were written."""
        written = 0
        with self._guard(), self.transaction():
            conn = self.conn
            for pid, token, values in rows:
                if values is None:
                    cur = conn.execute(
                        "UPDATE readiness_product SET stale = 0, live = 0 "
                        "WHERE product_id = ? AND stale = ?",
                        (pid, token),
                    )
                else:
                    # ord: the product's place in the file, the order a full computation
                    # meets products in (equal names keep it).
                    cur = conn.execute(
                        "UPDATE readiness_product SET stale = 0, live = 1, name = ?, "
                        "name_key = ?, excluded = ?, conform = ?, counts = ?, blocking = ?, "
                        "ord = (SELECT rowid FROM product WHERE id = readiness_product.product_id) "
                        "WHERE product_id = ? AND stale = ?",
                        (*values, pid, token),
                    )
                if cur.rowcount != 1:
                    continue
                written += 1
                conn.execute("DELETE FROM readiness_risk WHERE product_id = ?", (pid,))
                conn.execute("DELETE FROM readiness_at_risk WHERE product_id = ?", (pid,))
                conn.executemany(
                    "INSERT INTO readiness_risk (product_id, deadline, seq, block, problem, "
                    "target_date, waiting, delayed_to, passed_after) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(pid, *r) for r in risks.get(pid, ())],
                )
                conn.executemany(
                    "INSERT INTO readiness_at_risk (deadline, product_id, n, waiting, name, "
                    "name_key, ord) SELECT ?, product_id, ?, ?, name, name_key, ord "
                    "FROM readiness_product WHERE product_id = ?",
                    [(*r, pid) for r in at_risk.get(pid, ())],
                )
        return written

    def statuses_of_scopes(self, scope_kind: str, ids: Iterable[str]) -> builtins.list[Any]:
        """The live block statuses of these scopes (read in chunks of 500)."""
        from elo_tui.domain.records import BlockStatus

        unique = builtins.list(dict.fromkeys(ids))
        out: builtins.list[Any] = []
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            marks = ", ".join("?" for _ in chunk)
            out += self.list(
                BlockStatus,
                where=f"scope_kind = ? AND scope_id IN ({marks})",
                params=[scope_kind, *chunk],
            )
        return out

    def last_statuses(
        self, keys: Iterable[tuple[str, str, str]]
    ) -> Iterator[tuple[str, str, str, Any, Any]]:
        """For each (scope kind, scope id, block) key that has live block statuses, the
        last one's (scope kind, scope id, block, stage, applicability), as stored (NULL
        stays None). Last in stored order: by id, as `iter_rows` reads them. Read 500 keys
        at a time (each found through the statuses' scope index)."""
        return self._rows_of_keys(
            "SELECT s.scope_kind, s.scope_id, s.block, s.stage, s.applicability "
            "FROM json_each(?) AS k JOIN block_status AS s ON s.id = ("
            " SELECT id FROM block_status WHERE deleted = 0"
            " AND scope_kind = json_extract(k.value, '$[0]')"
            " AND scope_id = json_extract(k.value, '$[1]')"
            " AND block = json_extract(k.value, '$[2]')"
            " ORDER BY id DESC LIMIT 1)",
            keys,
        )

    def line_blocks(self, scopes: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str, str]]:
        """The (scope kind, scope id, block) that live estimate lines cost, of each
        (scope kind, scope id) of `scopes`, each once. Read 500 scopes at a time (each
        found through the lines' scope index)."""
        return self._rows_of_keys(
            "SELECT DISTINCT l.scope_kind, l.scope_id, l.block "
            "FROM json_each(?) AS k JOIN estimate_line AS l"
            " ON l.scope_kind = json_extract(k.value, '$[0]')"
            " AND l.scope_id = json_extract(k.value, '$[1]')"
            " WHERE l.deleted = 0",
            scopes,
        )

    def _rows_of_keys(self, sql: str, keys: Iterable[tuple]) -> Iterator[tuple]:
        """The rows of `sql` for the distinct `keys`, 500 at a time: each batch is one
        JSON array of keys, the statement's one parameter (`json_each(?)`; one statement
        whatever the number, where `?` marks would make one per count)."""
        unique = builtins.list(dict.fromkeys(keys))
        for i in range(0, len(unique), 500):
            try:
                rows = self.conn.execute(sql, (json.dumps(unique[i : i + 500]),)).fetchall()
            except sqlite3.DatabaseError as exc:
                raise store_error(self.path, exc) from None
            yield from rows

    def readiness_figures(self) -> dict[str, Any]:
        """What the summary sums, over the counted products (live, not excluded): the
        trigger-kept counts {(dimension, value): products} (schema v8), the excluded
        products in stored order, and how many products are stale."""
        with self._guard():
            conn = self.conn
            counts = conn.execute(
                "SELECT dim, value, n FROM readiness_count WHERE n != 0"
            ).fetchall()
            # ord: in the order a full computation meets them (equal names keep it)
            excluded = conn.execute(
                "SELECT product_id, name, excluded FROM readiness_product "
                "WHERE live = 1 AND excluded IS NOT NULL ORDER BY ord"
            ).fetchall()
            stale = conn.execute(
                "SELECT (SELECT count(*) FROM readiness_product WHERE stale > 0) + "
                "(SELECT count(*) FROM readiness_application WHERE stale > 0)"
            ).fetchone()[0]
        return {
            "counts": {(dim, value): n for dim, value, n in counts},
            "excluded": excluded,
            "stale": stale,
        }

    def readiness_at_risk(
        self, deadline: str, *, offset: int = 0, limit: int = -1
    ) -> builtins.list[tuple[str, str, int, int]]:
        """(product id, name, risks, waiting) of the products at risk for a milestone on
        the store's day: most risks first, then by name (case-folded), then as stored."""
        with self._guard():
            return self.conn.execute(
                "SELECT product_id, name, n, waiting FROM readiness_at_risk "
                "WHERE deadline = ? ORDER BY n DESC, name_key, ord LIMIT ? OFFSET ?",
                (deadline, limit, offset),
            ).fetchall()

    def readiness_at_risk_detail(
        self, deadline: str, today: str, *, offset: int = 0
    ) -> builtins.list[tuple]:
        """(product id, name, block, problem, target date, waiting, delayed to) of every
        risk of the products at risk from the `offset`th on, in the dashboard's order."""
        with self._guard():
            return self.conn.execute(
                "SELECT a.product_id, a.name, k.block, k.problem, k.target_date, k.waiting, "
                "k.delayed_to FROM (SELECT product_id, name, n, name_key, ord "
                "FROM readiness_at_risk WHERE deadline = :deadline "
                "ORDER BY n DESC, name_key, ord LIMIT -1 OFFSET :offset) a "
                "JOIN readiness_risk k ON k.product_id = a.product_id "
                "AND k.deadline = :deadline "
                "AND (k.passed_after IS NULL OR k.passed_after < :today) "
                "ORDER BY a.n DESC, a.name_key, a.ord, k.seq",
                {"deadline": deadline, "today": today, "offset": offset},
            ).fetchall()

    def readiness_risks(
        self, product_ids: Iterable[str], deadline: str, today: str
    ) -> dict[str, builtins.list[tuple]]:
        """The risks (block, problem, target date, waiting, delayed to) of these products
        for a milestone on `today`, in their order."""
        out: dict[str, builtins.list[tuple]] = {}
        unique = builtins.list(dict.fromkeys(product_ids))
        with self._guard():
            for i in range(0, len(unique), 500):
                chunk = unique[i : i + 500]
                marks = ", ".join("?" for _ in chunk)
                rows = self.conn.execute(
                    "SELECT k.product_id, k.block, k.problem, k.target_date, k.waiting, "
                    "k.delayed_to FROM readiness_risk k WHERE k.deadline = ? "
                    "AND (k.passed_after IS NULL OR k.passed_after < ?) "
                    f"AND k.product_id IN ({marks}) ORDER BY k.product_id, k.seq",
                    (deadline, today, *chunk),
                )
                for pid, *risk in rows:
                    out.setdefault(pid, []).append(tuple(risk))
        return out

    def readiness_cells(self) -> builtins.list[tuple[str, int, str]]:
        """(product id, 1 when ELO-conform and counted, blocking parts as ",code,code,") of
        every live product, excluded ones too: the matrix's readiness index."""
        with self._guard():
            return self.conn.execute(
                "SELECT product_id, conform = 1 AND excluded IS NULL, coalesce(blocking, '') "
                "FROM readiness_product WHERE live = 1"
            ).fetchall()

    def readiness_counted(self, dim: str, value: str) -> int:
        """How many counted products have this (dimension, value) (readiness_count: kept
        by triggers, one row read)."""
        with self._guard():
            row = self.conn.execute(
                "SELECT n FROM readiness_count WHERE dim = ? AND value = ?", (dim, value)
            ).fetchone()
        return row[0] if row else 0

    def readiness_conform_count(self) -> int:
        with self._guard():
            return self.conn.execute(
                f"SELECT count(*) FROM readiness_product WHERE {self._COUNTED} AND conform = 1"
            ).fetchone()[0]

    def readiness_blocking(self, blocks: Iterable[str]) -> builtins.list[str]:
        """Ids of the counted products for which one of these block parts is open or
        undecided (not exempted)."""
        codes = builtins.list(blocks)
        if not codes:
            return []
        # instr, not LIKE: "_" in a block code would be a LIKE wildcard.
        cond = " OR ".join("instr(blocking, ?) > 0" for _ in codes)
        with self._guard():
            return [
                pid
                for (pid,) in self.conn.execute(
                    f"SELECT product_id FROM readiness_product WHERE {self._COUNTED} AND ({cond})",
                    [f",{c}," for c in codes],
                )
            ]

    # -- readiness history -----------------------------------------------------------------

    def record_history(self, day: str, data: dict[str, Any]) -> None:
        """Keep one summary per day (the latest of that day wins)."""
        with self._guard(), self.transaction():
            self.conn.execute(
                "INSERT INTO readiness_history (day, data) VALUES (?, ?) "
                "ON CONFLICT(day) DO UPDATE SET data = excluded.data",
                (day, json.dumps(data, sort_keys=True)),
            )

    def history(self) -> builtins.list[tuple[str, dict[str, Any]]]:
        rows = self.conn.execute("SELECT day, data FROM readiness_history ORDER BY day")
        return [(day, json.loads(data)) for day, data in rows]

    # -- health ------------------------------------------------------------------------------

    def integrity_check(self) -> str:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]


# `Workspace.checklist_groups`: a pending step's sort key, one text that orders as the
# tuple (due date or the given `no_due`, step, title) does: the first two as the hex of their
# UTF-8 (byte order kept), then the title, apart by a space (below any hex digit).
# SQLite's text functions stop at a NUL; hex() and || do not.
_PENDING_KEY = (
    "hex(coalesce(nullif(due_date, ''), ?)) || ' ' || hex(ifnull(step, '')) "
    "|| ' ' || ifnull(title, '')"
)


def _pending_step(key: str) -> tuple[str, str, str]:
    """The (due date, step, title) of a `_PENDING_KEY`."""
    due, step, title = key.split(" ", 2)
    return bytes.fromhex(due).decode("utf-8"), bytes.fromhex(step).decode("utf-8"), title


_LOADED_MAX = 200_000
# Per kind: the column names in order, and the (name, decoder) of columns to convert.
_ROW_SHAPE = {
    k: ([n for n, _ in d], [(n, dec) for n, dec in d if dec is not None])
    for k, d in _DECODERS.items()
}
_ID_REV = {
    k: ([n for n, _ in d].index("id"), [n for n, _ in d].index("rev")) for k, d in _DECODERS.items()
}


_BUILDERS: dict[tuple[str, tuple[str, ...]], Any] = {}


def _record_builder(kind: type[Record], names: tuple[str, ...]) -> Any:
    found = _BUILDERS.get((kind.KIND, names))
    if found is None:
        found = _BUILDERS[kind.KIND, names] = _new_record_builder(kind, names)
    return found


def _new_record_builder(kind: type[Record], names: tuple[str, ...]) -> Any:
    """A function of the values of `names` (in order) that returns the record of `kind`
    with those fields and every other field at its default: what `kind(**values)` gives
    (no record kind has a __post_init__), at a fraction of the cost. Generated as the
    dataclass's own __init__ is; its own names start with "_", no field's does."""
    fields = dataclasses.fields(kind)
    if any(f.name.startswith("_") for f in fields) or not set(names) <= {f.name for f in fields}:
        raise TypeError(f"{kind.KIND}: fields the record builder cannot name")
    lines = [f"def _build({', '.join(names)}):", "    _record = _new(_kind)"]
    namespace: dict[str, Any] = {"_new": object.__new__, "_kind": kind}
    for f in fields:
        if f.name in names:
            lines.append(f"    _record.{f.name} = {f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{f.name}"] = f.default_factory
            lines.append(f"    _record.{f.name} = _factory_{f.name}()")
        elif f.default is not dataclasses.MISSING:
            namespace[f"_default_{f.name}"] = f.default
            lines.append(f"    _record.{f.name} = _default_{f.name}")
        else:
            raise TypeError(f"{kind.KIND}: field {f.name} has no default and no column")
    lines.append("    return _record")
    exec("\n".join(lines), namespace)  # noqa: S102 - field names of our own records
    return namespace["_build"]


@functools.cache
def _base_copy_sql(kind: type[Record]) -> str:
    """Copy a stored row's data fields into sync_base as JSON, inside SQLite (a save must
    stay cheap: no decoding and re-encoding in Python). Booleans come out as 0/1, which
    compare equal to False/True."""
    pairs = []
    for name, decoder in _DECODERS[kind.KIND]:
        if name in Record.META:
            continue
        if decoder is json.loads:
            column = f'json("{name}")'
        elif decoder is stored_text:  # (JSON holds no blob)
            column = f'CAST("{name}" AS TEXT)'
        else:
            column = f'"{name}"'
        pairs.append(f"'{name}', {column}")
    return (
        "INSERT INTO sync_base (kind, id, rev, data) "
        f"SELECT '{kind.KIND}', id, rev, json_object({', '.join(pairs)}) "
        f'FROM "{kind.KIND}" WHERE id = ? '
        "ON CONFLICT(kind, id) DO UPDATE SET rev = excluded.rev, data = excluded.data"
    )


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


def _file_size(path: Path) -> int | None:
    """Size of the workspace file, None when absent; refuses what is not a regular file.
    (os.stat only: never open() a file SQLite may hold locks on.)"""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WorkspaceError(f"Kan '{path}' niet lezen: {exc.strerror}.") from None
    if stat.S_ISDIR(st.st_mode):
        raise WorkspaceError(f"'{path}' is een map, geen werkruimtebestand.")
    if not stat.S_ISREG(st.st_mode):
        raise WorkspaceError(f"'{path}' is geen gewoon bestand, geen werkruimte.")
    return st.st_size


def workspace_exists(path: Path | str) -> bool:
    """Whether `path` holds a workspace to open (a 0-byte file does not: it is what an
    interrupted creation leaves and is created over)."""
    try:
        st = Path(path).stat()
    except OSError:
        return False
    return not stat.S_ISREG(st.st_mode) or st.st_size > 0


def _writable(path: Path) -> bool:
    """Can SQLite change this workspace? It needs the file and, for its -wal and -shm
    files (WAL mode), the folder."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)


def _ro_uri(path: Path) -> str:
    return path.absolute().as_uri() + "?mode=ro"


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm")]


def _link_into_place(tmp: Path, path: Path) -> None:
    """Give the finished file its name without ever replacing a real workspace: a hard
    link fails when the name exists; only a 0-byte leftover is replaced."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        if _file_size(path):
            raise WorkspaceError(f"Er bestaat al een werkruimte '{path}'.") from None
        os.replace(tmp, path)
    except OSError:  # a file system without hard links
        if _file_size(path):
            raise WorkspaceError(f"Er bestaat al een werkruimte '{path}'.") from None
        os.replace(tmp, path)
    try:  # make the new name durable (a folder is opened, not the database)
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_partials(path: Path) -> list[Path]:
    """Remove the temporary files of creations of `path` whose process is gone (killed
    while creating); return what was removed. A live creator's file is left alone."""
    removed: list[Path] = []
    prefix = f".{path.name}{_CREATING}"
    try:
        candidates = [p for p in path.parent.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return removed
    for p in candidates:
        pid_text = p.name[len(prefix) :].split("-", 1)[0]
        if not pid_text.isdigit() or _process_alive(int(pid_text)):
            continue
        try:
            p.unlink()
            removed.append(p)
        except OSError:
            pass
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own earlier attempt, not running now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _read_only(path: Path) -> WorkspaceReadOnlyError:
    return WorkspaceReadOnlyError(
        f"Werkruimte '{path}' is alleen-lezen: je kunt ze bekijken, maar wijzigingen "
        "worden niet bewaard. Kopieer ze naar een map waarin je mag schrijven, of vraag "
        "schrijfrechten op het bestand en zijn map."
    )


def store_error(path: Path, exc: Exception) -> WorkspaceError:
    """The Dutch message for an error SQLite (or a stored value) raised: a full disk, a
    read-only file or a busy file is not damage and must not be called that."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary == _SQLITE_READONLY:
        return _read_only(path)
    if primary == _SQLITE_FULL:
        return WorkspaceFullError(
            f"Schijf vol: de wijziging aan werkruimte '{path}' is niet bewaard. De "
            "werkruimte zelf is niet beschadigd; maak ruimte vrij en probeer opnieuw."
        )
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return WorkspaceError(
            f"Werkruimte '{path}' is bezet door een ander programma. Er is niets gewijzigd; "
            "probeer het zo opnieuw."
        )
    if primary == _SQLITE_CANTOPEN:
        return WorkspaceError(
            f"Kan werkruimte '{path}' niet openen: geen toegang tot het bestand of zijn map. "
            "Het bestand is niet gewijzigd."
        )
    if primary == _SQLITE_NOTADB:
        return WorkspaceError(
            f"'{path}' is geen elo_tui-werkruimte: geen SQLite-bestand, of een beschadigd "
            "(SQLite herkent het niet). Het bestand is niet gewijzigd."
        )
    if primary == _SQLITE_IOERR:
        return WorkspaceError(
            f"Lees- of schrijffout op werkruimte '{path}' ({exc}). Controleer de schijf; "
            "de laatste wijziging is mogelijk niet bewaard, wat eerder bewaard is blijft."
        )
    return WorkspaceError(
        f"Werkruimte '{path}' is beschadigd of onleesbaar ({exc}). Het bestand is niet "
        "gewijzigd; herstel een reservekopie of synchroniseer opnieuw van de centrale opvolging."
    )


def _prepare(conn: sqlite3.Connection, path: Path, *, read_only: bool = False) -> None:
    """Check identity and version, set pragmas, create or migrate as needed."""
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        n_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise store_error(path, exc) from None
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
    if read_only:
        if version < schema.SCHEMA_VERSION:
            raise WorkspaceReadOnlyError(
                f"Werkruimte '{path}' is alleen-lezen en moet worden bijgewerkt naar een "
                "nieuwere indeling, wat schrijfrechten vraagt. Het bestand is niet gewijzigd."
            )
        try:
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise store_error(path, exc) from None
        return
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        if version < schema.SCHEMA_VERSION:
            if version > 0:
                _backup_before_migration(conn, path, version)
            schema.migrate(conn, version)
    except sqlite3.DatabaseError as exc:
        raise store_error(path, exc) from None


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


def _kind_name(kind: str) -> str:
    """A kind of record as the interface calls it (messages are Dutch)."""
    return KIND_NAMES.get(kind, kind)
