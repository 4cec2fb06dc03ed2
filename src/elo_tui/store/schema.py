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
SCHEMA_VERSION = 12


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


# Readiness per product, kept up to date incrementally (services/readiness_store.py): a
# product's row is marked stale by triggers on every table its readiness is computed
# from, and only stale rows are computed again. `stale` counts the writes since the row
# was computed: a refresh writes its result only if the count is still the one it read
# (a write in between leaves the row stale, never wrongly fresh).
_MARK_PRODUCT = "UPDATE readiness_product SET stale = stale + 1 WHERE product_id = {id};"
_MARK_APP = (
    "UPDATE readiness_product SET stale = stale + 1 WHERE product_id IN "
    "(SELECT id FROM product WHERE request_application_id = {id} "
    "UNION SELECT id FROM product WHERE followup_application_id = {id});"
)
# The application's own parts, counted per application (readiness_application).
_MARK_APP_ROW = (
    "INSERT INTO readiness_application (app_id, stale) VALUES ({id}, 1) "
    "ON CONFLICT(app_id) DO UPDATE SET stale = stale + 1;"
)


def _mark_scope(row: str) -> str:
    """Mark the products a scoped row (status, exemption, delay) concerns: the product
    itself, or every product of the application."""
    return (
        f"UPDATE readiness_product SET stale = stale + 1 WHERE {row}.scope_kind = 'product' "
        f"AND product_id = {row}.scope_id; "
        f"UPDATE readiness_product SET stale = stale + 1 WHERE {row}.scope_kind = 'application' "
        "AND product_id IN (SELECT id FROM product WHERE request_application_id = "
        f"{row}.scope_id UNION SELECT id FROM product WHERE followup_application_id = "
        f"{row}.scope_id); "
        "UPDATE readiness_application SET stale = stale + 1 WHERE "
        f"{row}.scope_kind = 'application' AND app_id = {row}.scope_id;"
    )


def _mark_reviewed(row: str) -> str:
    """A review decides an exemption or a delay: mark what that one concerns."""
    targets = (
        f"SELECT scope_kind, scope_id FROM exemption WHERE id = {row}.target_id "
        f"UNION ALL SELECT scope_kind, scope_id FROM delay WHERE id = {row}.target_id"
    )
    return (
        "UPDATE readiness_product SET stale = stale + 1 WHERE product_id IN "
        f"(SELECT scope_id FROM ({targets}) WHERE scope_kind = 'product') "
        "OR product_id IN (SELECT p.id FROM product p JOIN "
        f"(SELECT scope_id FROM ({targets}) WHERE scope_kind = 'application') t "
        "ON p.request_application_id = t.scope_id OR p.followup_application_id = t.scope_id); "
        "UPDATE readiness_application SET stale = stale + 1 WHERE app_id IN "
        f"(SELECT scope_id FROM ({targets}) WHERE scope_kind = 'application');"
    )


def readiness_triggers() -> dict[str, str]:
    """Trigger name -> CREATE TRIGGER statement, for every readiness input (a migration
    that rebuilds one of these tables must create its triggers again)."""
    out: dict[str, str] = {}

    def add(kind: str, event: str, body: str) -> None:
        name = f"readiness_{kind}_{event.lower()}"
        out[name] = f'CREATE TRIGGER "{name}" AFTER {event} ON "{kind}" BEGIN {body} END'

    add(
        "product",
        "INSERT",
        "INSERT INTO readiness_product (product_id, stale) VALUES (NEW.id, 1) "
        "ON CONFLICT(product_id) DO UPDATE SET stale = stale + 1;",
    )
    add(
        "product",
        "UPDATE",
        _MARK_PRODUCT.format(id="OLD.id")
        + " INSERT INTO readiness_product (product_id, stale) VALUES (NEW.id, 1) "
        "ON CONFLICT(product_id) DO UPDATE SET stale = stale + 1;",
    )
    add(
        "product",
        "DELETE",
        "DELETE FROM readiness_product WHERE product_id = OLD.id; "
        "DELETE FROM readiness_risk WHERE product_id = OLD.id; "
        "DELETE FROM readiness_at_risk WHERE product_id = OLD.id;",
    )
    add("application", "INSERT", _MARK_APP.format(id="NEW.id") + _MARK_APP_ROW.format(id="NEW.id"))
    add(
        "application",
        "UPDATE",
        _MARK_APP.format(id="OLD.id")
        + _MARK_APP.format(id="NEW.id")
        + "UPDATE readiness_application SET stale = stale + 1 WHERE app_id = OLD.id;"
        + _MARK_APP_ROW.format(id="NEW.id"),
    )
    add(
        "application",
        "DELETE",
        _MARK_APP.format(id="OLD.id") + "DELETE FROM readiness_application WHERE app_id = OLD.id;",
    )
    for kind in ("block_status", "exemption", "delay"):
        add(kind, "INSERT", _mark_scope("NEW"))
        add(kind, "UPDATE", _mark_scope("OLD") + " " + _mark_scope("NEW"))
        add(kind, "DELETE", _mark_scope("OLD"))
    add("review", "INSERT", _mark_reviewed("NEW"))
    add("review", "UPDATE", _mark_reviewed("OLD") + " " + _mark_reviewed("NEW"))
    add("review", "DELETE", _mark_reviewed("OLD"))
    # The agency and the readiness_meta reading are no per-product input: the reading is
    # part of the store's key (services/readiness_store.py), which marks every row.
    return out


def _v8_readiness_store(db) -> None:
    """Per-product readiness kept incrementally (the dashboard at 20,000 products without
    computing all of them after each change), its risks per milestone, and indexes to
    find the products of an application."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS readiness_product ("
        "product_id TEXT PRIMARY KEY, stale INTEGER NOT NULL DEFAULT 1, "
        "live INTEGER NOT NULL DEFAULT 0, name TEXT, name_key TEXT, excluded TEXT, "
        "conform INTEGER, "
        "counts TEXT, blocking TEXT, ord INTEGER)"
    )
    # The products at risk per milestone on the store's day (readiness_store_day in meta),
    # in the order the dashboard lists them: most risks first, then by name.
    db.execute(
        "CREATE TABLE IF NOT EXISTS readiness_at_risk ("
        "deadline TEXT NOT NULL, product_id TEXT NOT NULL, n INTEGER NOT NULL, "
        "waiting INTEGER NOT NULL, name TEXT NOT NULL, name_key TEXT NOT NULL, "
        "ord INTEGER NOT NULL, PRIMARY KEY (product_id, deadline)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_readiness_at_risk_order "
        "ON readiness_at_risk (deadline, n DESC, name_key, ord)"
    )
    # A risk with `passed_after` counts only once today is later than that date (a
    # target date that passes): the store holds no figure that depends on the day.
    db.execute(
        "CREATE TABLE IF NOT EXISTS readiness_risk ("
        "product_id TEXT NOT NULL, deadline TEXT NOT NULL, seq INTEGER NOT NULL, "
        "block TEXT NOT NULL, problem TEXT NOT NULL, target_date TEXT NOT NULL, "
        "waiting INTEGER NOT NULL, delayed_to TEXT NOT NULL, passed_after TEXT, "
        "PRIMARY KEY (product_id, deadline, seq)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_readiness_risk_passed "
        "ON readiness_risk (passed_after) WHERE passed_after IS NOT NULL"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_readiness_product_stale ON readiness_product (stale)"
    )
    for column in ("request_application_id", "followup_application_id"):
        db.execute(f'CREATE INDEX IF NOT EXISTS "idx_product_{column}" ON product ("{column}")')
    # An application's own parts (counted per application that serves a counted
    # product): `parts` is a JSON object {block part: "done" | "open"} of the parts that
    # apply and are not exempted; `counted`: live and not excluded.
    db.execute(
        "CREATE TABLE IF NOT EXISTS readiness_application (app_id TEXT PRIMARY KEY, "
        "stale INTEGER NOT NULL DEFAULT 1, counted INTEGER NOT NULL DEFAULT 0, parts TEXT)"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_readiness_application_stale "
        "ON readiness_application (stale)"
    )
    # What the summary sums, kept by triggers on the store's own rows: summing 20,000
    # rows on every read cost more than the rest of the summary together.
    # readiness_product.counts is a JSON object of what a counted product (live, not
    # excluded) adds, {dimension: value} (services/readiness_store.py); readiness_count
    # holds how many counted products have each (dimension, value); the products at risk
    # per milestone are counted as dimension "risk:<milestone>", value "all" / "waiting".
    db.execute(
        "CREATE TABLE IF NOT EXISTS readiness_count (dim TEXT NOT NULL, "
        "value TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (dim, value)) WITHOUT ROWID"
    )
    counted = "{row}.live = 1 AND {row}.excluded IS NULL AND {row}.counts IS NOT NULL"
    subtract = (
        "UPDATE readiness_count SET n = n - 1 WHERE " + counted.format(row="OLD") + " "
        "AND (dim, value) IN (SELECT key, value FROM json_each(OLD.counts));"
    )
    add = (
        "INSERT INTO readiness_count (dim, value, n) SELECT key, value, 1 "
        "FROM json_each(NEW.counts) WHERE " + counted.format(row="NEW") + " "
        "ON CONFLICT(dim, value) DO UPDATE SET n = n + 1;"
    )

    def at_risk(row: str, delta: str) -> str:
        return (
            "INSERT INTO readiness_count (dim, value, n) VALUES "
            f"('risk:' || {row}.deadline, 'all', {delta}) "
            f"ON CONFLICT(dim, value) DO UPDATE SET n = n + {delta}; "
            "INSERT INTO readiness_count (dim, value, n) SELECT "
            f"'risk:' || {row}.deadline, 'waiting', {delta} WHERE {row}.waiting "
            f"ON CONFLICT(dim, value) DO UPDATE SET n = n + {delta};"
        )

    count_triggers = {
        "readiness_counts_update": "AFTER UPDATE OF counts, live, excluded "
        f"ON readiness_product BEGIN {subtract} {add} END",
        "readiness_counts_delete": f"AFTER DELETE ON readiness_product BEGIN {subtract} END",
        "readiness_counts_insert": f"AFTER INSERT ON readiness_product BEGIN {add} END",
        "readiness_at_risk_insert": f"AFTER INSERT ON readiness_at_risk "
        f"BEGIN {at_risk('NEW', '1')} END",
        "readiness_at_risk_delete": f"AFTER DELETE ON readiness_at_risk "
        f"BEGIN {at_risk('OLD', '-1')} END",
    }
    for name, body in count_triggers.items():
        db.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        db.execute(f'CREATE TRIGGER "{name}" {body}')
    for name, sql in readiness_triggers().items():
        db.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        db.execute(sql)
    # Every existing product and application starts stale: computed on first use.
    db.execute(
        "INSERT INTO readiness_product (product_id, stale) SELECT id, 1 FROM product "
        "WHERE true ON CONFLICT(product_id) DO UPDATE SET stale = stale + 1"
    )
    db.execute(
        "INSERT INTO readiness_application (app_id, stale) SELECT id, 1 FROM application "
        "WHERE true ON CONFLICT(app_id) DO UPDATE SET stale = stale + 1"
    )


def _v9_checklist_agenda_rest(db) -> None:
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


# The record kinds the costs screen's figures are computed from (services.estimate: the
# lines, the agency's rates and requests, applications' exclusion, products' names,
# applications and volumes): any write to them moves the cost counter on.
COST_INPUTS = ("agency", "application", "product", "estimate_line")


def _v10_costs_indexes(db) -> None:
    """Covering indexes for the costs screen's order and totals (store.estimate_line_order,
    estimate_totals): every estimate line looks up its product's (or application's) name
    and application; through these a lookup reads one index instead of an index and the
    table (~2-3x faster at 20,000 products). (Given number v11 in the h13 round; v10 on top
    of the readiness store's v8 and the checklist's v9.)"""
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_product_costs ON product "
        "(id, deleted, name, request_application_id, followup_application_id)"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_application_costs ON application "
        "(id, deleted, name, excluded)"
    )
    # A counter of writes to what the costs screen shows, kept by triggers like
    # change_counter (v6) but apart from it: an edited estimate line must not make the
    # dashboard recompute its readiness. The costs screen keeps its figures while it holds.
    db.execute(
        "CREATE TABLE IF NOT EXISTS cost_counter "
        "(id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)"
    )
    db.execute("INSERT OR IGNORE INTO cost_counter (id, n) VALUES (1, 0)")
    for kind in COST_INPUTS:
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f'CREATE TRIGGER IF NOT EXISTS "count_cost_{kind}_{event.lower()}" '
                f'AFTER {event} ON "{kind}" '
                "BEGIN UPDATE cost_counter SET n = n + 1 WHERE id = 1; END"
            )
    # The totals group lines with the same inputs (most are template proposals): walking
    # this index groups them without sorting 25,000 rows. `deleted` last: a query for the
    # live lines must not take it for an index on `deleted` (it would read every row twice).
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_estimate_line_totals ON estimate_line "
        "(budget_year, recurrence, block, category, scope_kind, method, eligible, "
        "fixed_amount, optimistic_days, likely_days, pessimistic_days, day_rate, assumed, "
        "deleted)"
    )


def _v11_product_name_index(db) -> None:
    """The products by name, case-insensitive: the inventory's first screenful
    (Workspace.first_columns: live products ORDER BY name COLLATE NOCASE LIMIT n) is the
    first rows of this index instead of ordering every product (20,000: a scan and sort
    of ~25 ms on each first visit). The collation must stay the query's, or SQLite will
    not use it. Not a partial index (WHERE deleted = 0): SQLite then read every plain
    `WHERE deleted = 0` listing through it, in name order instead of the file's, which
    changed what other code got first."""
    db.execute("CREATE INDEX IF NOT EXISTS idx_product_name ON product (name COLLATE NOCASE)")


def _v12_estimate_line_scope(db) -> None:
    """An index of the estimate lines by scope (as block_status has): the dashboard's
    roadmap lines read the lines of one page of products at a time (services/roadmap.py
    summary_lines_streamed) instead of holding the days of all 25,000 lines of a
    20,000-product workspace; without it each page scanned the table (~20 ms)."""
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_estimate_line_scope ON estimate_line "
        "(scope_kind, scope_id, block)"
    )


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
    _v8_readiness_store,
    _v9_checklist_agenda_rest,
    _v10_costs_indexes,
    _v11_product_name_index,
    _v12_estimate_line_scope,
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
