"""Workspace schema: table layout derived from the record kinds, and forward migrations.

The schema version lives in `PRAGMA user_version`; `PRAGMA application_id` marks a file
as an elo_tui workspace so that we never touch some other SQLite file.
A migration is a function taking a `sqlite_utils.Database`; MIGRATIONS[n] brings a file
from version n to n+1. Add new steps at the end; never edit a released one.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import types
import typing
from collections.abc import Callable

from elo_tui.domain.records import RECORD_KINDS, Record

APPLICATION_ID = 0x454C4F31  # "ELO1"
SCHEMA_VERSION = 8


def column_type(tp: object) -> type:
    """Python type used by sqlite-utils for a dataclass field annotation."""
    if isinstance(tp, str):  # postponed annotations
        tp = eval(tp, vars(typing) | {"Record": Record})  # noqa: S307 - our own source
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return column_type(args[0])
    if origin in (list, dict) or tp in (list, dict):
        return str  # JSON text
    if tp is bool:
        return int
    if tp in (int, float, str):
        return tp
    return str


def record_columns(kind: type[Record]) -> dict[str, type]:
    hints = typing.get_type_hints(kind)
    return {f.name: column_type(hints[f.name]) for f in dataclasses.fields(kind)}


# The kinds version 1 created; later kinds are created by their own migration.
_V1_KINDS = (
    "agency",
    "application",
    "product",
    "block_status",
    "estimate_line",
    "checklist_item",
    "submission",
    "review",
)


def _create_v1(db) -> None:
    for kind in (RECORD_KINDS[k] for k in _V1_KINDS):
        db[kind.KIND].create(record_columns(kind), pk="id", not_null={"id"})
        db[kind.KIND].create_index(["dirty"])
    db["block_status"].create_index(["scope_kind", "scope_id", "block"])
    db["checklist_item"].create_index(["scope_kind", "scope_id"])
    db["meta"].create({"key": str, "value": str}, pk="key")
    # One row a day: a JSON summary of readiness, for the dashboard's chart.
    db["readiness_history"].create({"day": str, "data": str}, pk="day")


def _add_columns(db, kind: str, columns: dict[str, tuple[type, object]]) -> None:
    """Add the columns a release introduced, with the value existing rows get (the
    dataclass default as stored: 0 for False, JSON text for lists and dicts, None for
    an optional field). A new workspace already has them (v1 is made from the current
    record kinds), hence the check."""
    have = set(db[kind].columns_dict)
    for name, (tp, default) in columns.items():
        if name not in have:
            db[kind].add_column(name, tp, not_null_default=default)


def _v2_decision_rules(db) -> None:
    """Fields and kinds for the decision's rules (exceptions, delays, new and excluded
    applications, eligibility, waiting on a block) and the import's "te controleren"."""
    _add_columns(db, "agency", {"cofinancing_statements": (str, "{}")})
    _add_columns(
        db,
        "application",
        {"is_new": (int, 0), "excluded": (int, 0), "exclusion_reason": (str, "")},
    )
    _add_columns(db, "product", {"to_check": (str, "[]")})
    _add_columns(db, "block_status", {"waiting_on_block": (int, 0), "waiting_reason": (str, "")})
    _add_columns(db, "estimate_line", {"eligible": (int, None)})
    for kind in ("exemption", "delay"):
        if db[kind].exists():
            continue
        db[kind].create(record_columns(RECORD_KINDS[kind]), pk="id", not_null={"id"})
        db[kind].create_index(["dirty"])
        db[kind].create_index(["scope_kind", "scope_id"])


def _v3_sync_base(db) -> None:
    """The data of each record as last synced (its base revision), so that edits made on
    two laptops to different fields merge field-wise instead of becoming a conflict."""
    if not db["sync_base"].exists():
        db["sync_base"].create({"kind": str, "id": str, "rev": int, "data": str}, pk=("kind", "id"))


def _v4_block_codes(db) -> None:
    """Block part `gericht_aanmelden` became `capacity_switch` (global header: capaciteits-
    wissel en login_hint): gericht aanmelden is a requirement, not a block (beslissing 3°).
    Renamed rows are marked dirty so that the central follow-up gets the new code."""
    from elo_tui.domain.blocks import RENAMED_BLOCKS

    for old, new in RENAMED_BLOCKS.items():
        for table in ("block_status", "checklist_item", "estimate_line"):
            if db[table].exists():
                db.execute(f"UPDATE [{table}] SET block = ?, dirty = 1 WHERE block = ?", [new, old])
        if db["checklist_item"].exists():
            db.execute("UPDATE checklist_item SET template = ? WHERE template = ?", [new, old])
    # Exemption and delay subjects stay: "gericht_aanmelden" there names the requirement,
    # which is still a valid subject.


def _v5_roadmap(db) -> None:
    """The roadmap: the IPDC record of a product, bottlenecks, the baseline (nulmeting)
    and plan scenarios."""
    _add_columns(db, "product", {"ipdc_uri": (str, ""), "ipdc_data": (str, "")})
    indexes = {
        "bottleneck": ["scope_kind", "scope_id"],
        "baseline": ["product_id"],
        "plan_scenario": [],
        "plan_item": ["scenario_id"],
    }
    for kind, index in indexes.items():
        if db[kind].exists():
            continue
        db[kind].create(record_columns(RECORD_KINDS[kind]), pk="id", not_null={"id"})
        db[kind].create_index(["dirty"])
        if index:
            db[kind].create_index(index)


# The record kinds the readiness summary is computed from (services/mapping.load_mapping
# and load_overrides): any write to them moves the change counter on.
READINESS_INPUTS = (
    "agency",
    "application",
    "product",
    "block_status",
    "exemption",
    "delay",
    "review",
)


def _v6_change_counter(db) -> None:
    """A change counter kept by triggers, so that a cached readiness summary knows whether
    it still holds: triggers catch every write path (saves, sync pulls, imports, undo,
    other processes, even older program versions), unlike anything the program counts.
    Plus the table the cached summaries live in (never synced, never exported) and an
    index for the dashboard's agenda."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS change_counter "
        "(id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)"
    )
    db.execute("INSERT OR IGNORE INTO change_counter (id, n) VALUES (1, 0)")
    for kind in READINESS_INPUTS:
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f'CREATE TRIGGER IF NOT EXISTS "count_{kind}_{event.lower()}" '
                f'AFTER {event} ON "{kind}" '
                "BEGIN UPDATE change_counter SET n = n + 1 WHERE id = 1; END"
            )
    # The dashboard's agenda (store: open_checklist_items, count_open_checklist_items)
    # reads a few open steps by due date: without this it scans all 128,000 steps of a
    # 20,000-product workspace. The condition matches the queries' (see _OPEN_ITEM).
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_checklist_item_open_due ON checklist_item "
        "(due_date, title) WHERE deleted = 0 AND obsolete = 0 "
        "AND status NOT IN ('done', 'na') AND due_date != ''"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS summary_cache "
        "(name TEXT PRIMARY KEY, generation INTEGER NOT NULL, key TEXT NOT NULL, "
        "data TEXT NOT NULL, detail BLOB)"
    )


def keep_dirty_count(db, kind: str) -> None:
    """Keep `dirty_count` (records of `kind` waiting for a push) up to date with triggers,
    starting from a fresh count. Triggers live in the file, so every writer keeps the
    count right: this version's saves, sync, imports, undo, other processes and older
    code on the same schema. A migration that adds a record kind, or rebuilds a table
    (which drops its triggers), calls this for it."""
    db.execute(
        "INSERT INTO dirty_count (kind, n) VALUES (?, (SELECT count(*) FROM "
        f'"{kind}" WHERE dirty = 1)) ON CONFLICT(kind) DO UPDATE SET n = excluded.n',
        [kind],
    )
    # `dirty = 1` exactly as count_dirty counted before (NULL or 0: not waiting).
    is_dirty = "ifnull({row}.dirty = 1, 0)"
    old, new = is_dirty.format(row="old"), is_dirty.format(row="new")
    bump = f"UPDATE dirty_count SET n = n + {{delta}} WHERE kind = '{kind}'"
    triggers = {
        "insert": f'AFTER INSERT ON "{kind}" WHEN {new} BEGIN {bump.format(delta=1)}; END',
        "delete": f'AFTER DELETE ON "{kind}" WHEN {old} BEGIN {bump.format(delta=-1)}; END',
        # An upsert that finds the row runs the UPDATE triggers, not the INSERT ones.
        "update": f'AFTER UPDATE OF dirty ON "{kind}" WHEN {old} != {new} '
        f"BEGIN {bump.format(delta=f'{new} - {old}')}; END",
    }
    for event, body in triggers.items():
        db.execute(f'DROP TRIGGER IF EXISTS "{dirty_count_trigger(kind, event)}"')
        db.execute(f'CREATE TRIGGER "{dirty_count_trigger(kind, event)}" {body}')


DIRTY_COUNT_EVENTS = ("insert", "delete", "update")


def dirty_count_trigger(kind: str, event: str) -> str:
    return f"dirty_count_{kind}_{event}"


def _v7_dirty_count(db) -> None:
    """How many records wait for a push, per kind, kept by triggers: the nav bar shows it
    after every edit, and counting 190,000 dirty rows each time cost 10-30 ms a key."""
    if not db["dirty_count"].exists():
        db["dirty_count"].create({"kind": str, "n": int}, pk="kind", not_null={"n"})
    for kind in RECORD_KINDS:
        if db[kind].exists():
            keep_dirty_count(db, kind)


def _v8_checklist_agenda_rest(db) -> None:
    """An index for every live checklist step the open-dated index (schema 6) leaves out
    (closed, obsolete, undated, odd values): with both, the checklist's first screen
    counts its buckets and reads its first rows from two index scans instead of ordering
    all 128,000 steps of a 20,000-product workspace. The condition must stay word for word
    AGENDA_REST below, the queries use it, or SQLite will not use the index."""
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_checklist_item_agenda_rest ON checklist_item "
        f"(obsolete, status, due_date, title) WHERE {AGENDA_REST}"
    )


# The live steps outside idx_checklist_item_open_due: NOT ifnull(...) keeps the rows
# whose fields are NULL too, so the two indexes together hold every live step.
AGENDA_OPEN_DATED = "obsolete = 0 AND status NOT IN ('done', 'na') AND due_date != ''"
AGENDA_REST = f"deleted = 0 AND NOT ifnull({AGENDA_OPEN_DATED}, 0)"


# MIGRATIONS[0] creates an empty workspace; later entries upgrade version n -> n+1.
# A new workspace runs them all, so a step must not assume what a later one adds.
MIGRATIONS: list[Callable] = [
    _create_v1,
    _v2_decision_rules,
    _v3_sync_base,
    _v4_block_codes,
    _v5_roadmap,
    _v6_change_counter,
    _v7_dirty_count,
    _v8_checklist_agenda_rest,
]
assert len(MIGRATIONS) == SCHEMA_VERSION


def migrate(conn: sqlite3.Connection, from_version: int) -> None:
    """Apply the forward migrations, each in its own transaction with the version bump."""
    import sqlite_utils  # lazily: costs ~0.3 s of start-up, only needed here

    db = sqlite_utils.Database(conn)
    for version in range(from_version, SCHEMA_VERSION):
        with db.atomic():
            MIGRATIONS[version](db)
            # PRAGMAs are transactional in SQLite: the bump commits with the step.
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
