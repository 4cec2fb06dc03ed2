"""Readiness per product kept in the workspace, brought up to date incrementally.

At 20,000 products computing every product's readiness takes seconds; after one edit
only the products it concerns changed. The store (schema v8: readiness_product and
readiness_risk) keeps each product's result as computed by the domain functions
(domain/readiness.py: product_readiness, cell_class, dated_risks); triggers on every
readiness input (products, block statuses, applications, exemptions, delays, reviews)
mark the products a write concerns stale, whoever wrote (this program, sync pulls,
imports, undo, another process). `refresh` computes the stale ones; the agency's
summary is then summed in SQL. Nothing kept depends on the day: a risk that exists only
once a target date has passed is stored with that date and compared with today when
read. The reading of the 1 January 2027 milestone (and this program's version) is the
store's key: when it changes, every product is computed anew.

For other screens: `conform_count(path)` and `products_blocking(path, blocks)`; for the
matrix's readiness index `index_cells(ws, today)`; for the history snapshot and `elo-tui
report` `current_summary(ws, today)`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple, cast

from elo_tui.domain.blocks import (
    APPLICATION_BLOCKS,
    BLOCK_CODES,
    DEADLINES,
    REQUIREMENTS,
    days_left,
)
from elo_tui.domain.decisions import Overrides
from elo_tui.domain.readiness import (
    RISK_HEAD,
    AtRisk,
    BlockSummary,
    Excluded,
    FlagCount,
    ProductReadiness,
    ReadinessSummary,
    Risk,
    StoredRisks,
    application_parts,
    cell_class,
    count_cell_class,
    dated_risks,
    index_statuses,
    product_application_ids,
    product_readiness,
)
from elo_tui.domain.records import Application, Product
from elo_tui.services import clock
from elo_tui.store import Workspace, WorkspaceError

STORE_FORMAT = 3  # bump when what a row holds changes: every product is computed anew
KEY_META = "readiness_store_key"
# From this many stale products on, reading every product and status at once is cheaper
# than reading those of the stale ones.
FULL_LOAD_FROM = 2000
PUT_CHUNK = 500  # products written per transaction
# Above this many stale products (a new workspace, another program version) the matrix's
# index, the history snapshot and `elo-tui report` are computed from the inputs rather
# than bringing the store up to date first: at 20,000 products all stale, refreshing took
# 6.7 s of CPU where computing the index took 0.85 s and the summary 2.0 s. The dashboard
# brings the store up to date.
REFRESH_MAX = 2000


def store_key(reading: str) -> str:
    from elo_tui import __version__
    from elo_tui.domain.readiness import SUMMARY_FORMAT

    # The program's version too: another release may compute differently.
    return f"{STORE_FORMAT}|{SUMMARY_FORMAT}|{__version__}|{reading}"


DAY_META = "readiness_store_day"


def refresh(ws: Workspace, today: date, *, attempts: int = 3) -> bool:
    """Compute the stale products' readiness and keep it, the risks counted on `today`.
    True when none is left stale (a product written to while it was being computed
    stays stale: tried again up to `attempts` times). Needs a writable workspace
    (WorkspaceError otherwise)."""
    from elo_tui.services.mapping import load_reading

    reading = load_reading(ws)
    key = store_key(reading)
    day = today.isoformat()
    if ws.get_meta(KEY_META) != key:
        with ws.transaction():
            ws.readiness_mark_all()
            ws.set_meta(KEY_META, key)
            ws.set_meta(DAY_META, day)
    kept_day = ws.get_meta(DAY_META)
    if kept_day != day:
        # Another day: only the products with a target date passing in between differ.
        with ws.transaction():
            if kept_day:
                ws.readiness_mark_dated(min(kept_day, day), max(kept_day, day))
            else:
                ws.readiness_mark_all()
            ws.set_meta(DAY_META, day)
    for _ in range(attempts):
        # The stale marks and the inputs from one state of the file: a write after it
        # moves the mark on, and readiness_put then leaves that row stale.
        with ws.read_snapshot():
            stale = ws.readiness_stale()
            stale_apps = ws.readiness_application_stale()
            if not stale and not stale_apps:
                return True
            overrides = _overrides(ws)
            rows, risks, at_risk = _compute(ws, stale, reading, today, overrides)
            app_rows = _compute_applications(ws, stale_apps, overrides)
        # In short transactions: the UI thread's saves wait for none of them long.
        for i in range(0, len(rows), PUT_CHUNK):
            ws.readiness_put(rows[i : i + PUT_CHUNK], risks, at_risk)
        if app_rows:
            ws.readiness_put_applications(app_rows)
    return not ws.readiness_stale() and not ws.readiness_application_stale()


class _App(NamedTuple):
    """What readiness reads of an application (decisions.build_overrides): live ones."""

    id: str
    excluded: int
    exclusion_reason: str
    is_new: int


def _overrides(ws: Workspace) -> Overrides:
    from elo_tui.services.mapping import load_overrides

    columns = ("id", "excluded", "exclusion_reason", "is_new")
    apps = [_App(*row) for row in ws.columns(Application, columns)]
    # build_overrides reads these four attributes only (typed Any there).
    return load_overrides(ws, cast("list[Application]", apps))


def _compute_applications(
    ws: Workspace, stale: list[tuple[str, int]], overrides: Overrides
) -> list[tuple[str, int, int, str]]:
    """(application id, write count, counted, its parts as JSON) of stale applications."""
    if not stale:
        return []
    ids = [app_id for app_id, _ in stale]
    live = {a.id for a in ws.get_many(Application, ids).values() if not a.deleted}
    statuses = index_statuses(ws.statuses_of_scopes("application", ids))
    out = []
    for app_id, token in stale:
        counted = app_id in live and app_id not in overrides.excluded_apps
        parts = application_parts(app_id, statuses, overrides) if counted else {}
        states = {code: "done" if done else "open" for code, done in parts.items()}
        out.append((app_id, token, int(counted), json.dumps(states)))
    return out


def _compute(
    ws: Workspace, stale: list[tuple[str, int]], reading: str, today: date, overrides: Overrides
):
    from elo_tui.services.mapping import load_mapping

    ids = [pid for pid, _ in stale]
    if len(ids) >= FULL_LOAD_FROM:
        m = load_mapping(ws)
        products: dict[str, Product] = m.products  # live ones only
        statuses = m.statuses
    else:
        products = {p.id: p for p in ws.get_many(Product, ids).values() if not p.deleted}
        app_ids = {a for p in products.values() for a in product_application_ids(p)}
        statuses = index_statuses(
            ws.statuses_of_scopes("product", products)
            + ws.statuses_of_scopes("application", app_ids)
        )
    rows: list[tuple[str, int, tuple | None]] = []
    risks: dict[str, list[tuple]] = {}
    at_risk: dict[str, list[tuple]] = {}
    memo: dict = {}
    for pid, token in stale:
        p = products.get(pid)
        if p is None:
            rows.append((pid, token, None))  # deleted (a tombstone): not counted
            continue
        r = product_readiness(p, statuses, today, DEADLINES, memo, overrides, reading)
        blocking = "," + ",".join(c for c in BLOCK_CODES if r.cells[c].blocking) + ","
        rows.append(
            (
                pid,
                token,
                (
                    p.name,
                    p.name.casefold(),
                    r.excluded,
                    int(r.elo_conform),
                    json.dumps(_counts(p, r)),
                    blocking,
                ),
            )
        )
        if r.excluded is None:
            at_risk[pid] = [
                (d.key, len(r.risks[d.key]), int(any(x.waiting for x in r.risks[d.key])))
                for d in DEADLINES
                if r.risks.get(d.key)
            ]
        found = dated_risks(p, r, DEADLINES, reading)
        if found:
            risks[pid] = [
                (
                    key,
                    seq,
                    risk.block,
                    risk.problem,
                    risk.target_date,
                    int(risk.waiting),
                    risk.delayed_to,
                    passed.isoformat() if passed else None,
                )
                for seq, (key, risk, passed) in enumerate(found)
            ]
    return rows, risks, at_risk


def _counts(product: Product, r: ProductReadiness) -> dict[str, str]:
    """What one counted product adds to the summary, {dimension: value}: readiness_count
    (schema v8) sums these per (dimension, value) with triggers; `summary` reads them."""
    out = {f"cell:{code}": cell_class(r.cells[code]) for code in BLOCK_CODES}
    out["total"] = "1"
    out["conform"] = str(int(r.elo_conform))
    out["verified"] = str(int(r.verified))
    out["exempt"] = str(int(r.exempt))
    for code, state in r.requirements.items():
        out[f"req:{code}"] = state
    # The applications serving a counted product (their parts counted per application).
    for app_id in product_application_ids(product):
        out[f"app:{app_id}"] = "1"
    return out


def _risk(block, problem, target, waiting, delayed_to) -> Risk:
    return Risk(block, problem, target, bool(waiting), delayed_to)


def summary(ws: Workspace, today: date) -> tuple[ReadinessSummary, bool, int]:
    """The agency's readiness summary summed from the store, whether it holds (False:
    some products are stale, e.g. written to since `refresh`, or the store was kept for
    another day or reading: compute it otherwise) and the change counter it was read at.
    Read in one state of the file. The
    producten met risico beyond the first few per milestone are read when asked for, on
    a connection of their own, if nothing changed since (else computed from the inputs,
    as they are then)."""
    from elo_tui.services.mapping import load_reading

    iso = today.isoformat()
    with ws.read_snapshot():
        figures = ws.readiness_figures()
        generation = ws.change_generation()
        key = ws.get_meta(KEY_META)
        reading = load_reading(ws)
        complete = (
            figures["stale"] == 0 and key == store_key(reading) and ws.get_meta(DAY_META) == iso
        )
        counts: dict[tuple[str, str], int] = figures["counts"]
        blocks = {code: BlockSummary(code) for code in BLOCK_CODES}
        flags: dict[str, dict[str, int]] = {r.code: {} for r in REQUIREMENTS}
        for (dim, value), n in counts.items():
            kind, _, code = dim.partition(":")
            if kind == "cell":
                count_cell_class(blocks[code], value, n)
            elif kind == "req":
                flags[code][value] = n
        for code in APPLICATION_BLOCKS:
            blocks[code].applications_total = blocks[code].applications_done = 0
        for code, state, n in ws.readiness_application_parts():
            b = blocks[code]
            b.applications_total = (b.applications_total or 0) + n
            if state == "done":
                b.applications_done = (b.applications_done or 0) + n
        at_risk: dict[str, StoredRisks] = {}
        for d in DEADLINES:
            count = counts.get((f"risk:{d.key}", "all"), 0)
            waiting = counts.get((f"risk:{d.key}", "waiting"), 0)
            rows = ws.readiness_at_risk(d.key, limit=RISK_HEAD)
            found = ws.readiness_risks([r[0] for r in rows], d.key, iso)
            head = [
                AtRisk(pid, name or "", tuple(_risk(*x) for x in found.get(pid, ())))
                for pid, name, _n, _w in rows
            ]
            rest = rest_reader(ws.path, d.key, today, generation, key)
            at_risk[d.key] = StoredRisks(count, waiting, head, rest)

    def flag(name: str) -> FlagCount:
        f = flags[name]
        return FlagCount(
            f.get("met", 0), f.get("open", 0), f.get("not_applicable", 0), f.get("exempt", 0)
        )

    excluded = [Excluded(pid, name or "", reason) for pid, name, reason in figures["excluded"]]
    excluded.sort(key=lambda e: e.product_name.casefold())
    result = ReadinessSummary(
        today=today,
        products_total=counts.get(("total", "1"), 0),
        elo_conform=counts.get(("conform", "1"), 0),
        blocks=[blocks[code] for code in BLOCK_CODES],
        sso=flag("sso"),
        gericht_aanmelden=flag("gericht_aanmelden"),
        product_rights=flag("product_rights"),
        at_risk=at_risk,
        days_left={d.key: days_left(today, d) for d in DEADLINES},
        elo_conform_verified=counts.get(("verified", "1"), 0),
        exempt_products=counts.get(("exempt", "1"), 0),
        excluded=excluded,
        reading=reading,
    )
    return result, complete, generation


def current_summary(ws: Workspace, today: date) -> ReadinessSummary:
    """The summary from the store, brought up to date first when `ws` is writable; when it
    cannot be (a read-only workspace with changes the store has not seen, a busy file)
    computed from every product instead: slower, same numbers. Also when more than
    REFRESH_MAX products are stale: computing them all costs more than the summary."""
    try:
        if not ws.read_only and len(ws.readiness_stale()) <= REFRESH_MAX:
            refresh(ws, today)
        result, complete, _generation = summary(ws, today)
        if complete:
            return result
    except WorkspaceError:
        pass
    from elo_tui.services.mapping import load_mapping

    return load_mapping(ws, today).summary(today)


def index_cells(ws: Workspace, today: date) -> list[tuple[str, int, str]] | None:
    """What the matrix's readiness index holds per product (Workspace.readiness_cells),
    from the store after computing its stale products (when `ws` is writable); None when
    some product is still stale or the store was kept for another reading or program
    version, or when more than REFRESH_MAX products are stale: compute the index from
    the inputs then. The day does not
    matter here: a product's cells do not depend on it (only its risks do)."""
    from elo_tui.services.mapping import load_reading

    try:
        if not ws.read_only:
            if len(ws.readiness_stale()) > REFRESH_MAX:
                return None
            refresh(ws, today)
        with ws.read_snapshot():
            if ws.readiness_stale() or ws.get_meta(KEY_META) != store_key(load_reading(ws)):
                return None
            return ws.readiness_cells()
    except WorkspaceError:
        return None


def fresh_conform_count(ws: Workspace) -> int | None:
    """The matrix's conform count (its readiness index's, Workspace.readiness_cells) when
    the store holds every product as it is now, else None (nothing is computed here: for
    the matrix's first frame, on the UI thread). As `index_cells`, the day does not matter."""
    from elo_tui.services.mapping import load_reading

    try:
        with ws.read_snapshot():
            if (
                ws.readiness_stale()
                or ws.readiness_application_stale()
                or ws.get_meta(KEY_META) != store_key(load_reading(ws))
            ):
                return None
            # Trigger-kept (one row): counting the products' rows cost 15-25 ms.
            return ws.readiness_counted("conform", "1")
    except WorkspaceError:
        return None


def rest_reader(
    path: Path, key: str, today: date, generation: int, store: str | None
) -> Callable[[], list[Any]]:
    """The producten met risico after the head, encoded as StoredRisks reads them."""
    iso = today.isoformat()

    def read() -> list[Any]:
        with Workspace.open(path, read_only=True) as own, own.read_snapshot():
            if (
                own.change_generation() == generation
                and own.get_meta(KEY_META) == store
                and own.get_meta(DAY_META) == iso
            ):
                out: list[Any] = []
                for pid, name, *risk in own.readiness_at_risk_detail(key, iso, offset=RISK_HEAD):
                    if not out or out[-1][0] != pid:
                        out.append([pid, name, []])
                    out[-1][2].append(list(_risk(*risk)))
                return out
        # Written to since: the lists of then are gone; computed from the inputs as they
        # are now (what the summary would say when read again).
        from elo_tui.services.mapping import load_mapping

        with Workspace.open(path, read_only=True) as own:
            items = list(load_mapping(own, today).summary().at_risk[key])[RISK_HEAD:]
        return [[a.product_id, a.product_name, [list(r) for r in a.risks]] for a in items]

    return read


# -- for other screens (the matrix's conform count and readiness filters) ----------------------
# Each on a connection of its own (a worker thread). When the store cannot be brought up
# to date (a read-only workspace with changes the store has not seen), the answer is
# computed from the inputs instead: slower, never stale.


def _up_to_date(ws: Workspace, today: date) -> bool:
    from elo_tui.services.mapping import load_reading

    if not ws.read_only:
        refresh(ws, today)
    with ws.read_snapshot():
        return (
            not ws.readiness_stale()
            and ws.get_meta(KEY_META) == store_key(load_reading(ws))
            and ws.get_meta(DAY_META) == today.isoformat()
        )


def _computed(ws: Workspace, today: date):
    from elo_tui.services.mapping import load_mapping

    m = load_mapping(ws, today)
    return {
        pid: r
        for pid, r in m.summary().products.items()
        if r.excluded is None and pid in m.products
    }


def conform_count(path: Path, today: date | None = None) -> int:
    """How many counted products (live, not excluded) are ELO-conform (zelf verklaard)."""
    day = today or clock.today()
    with Workspace.open(path) as ws:
        if _up_to_date(ws, day):
            return ws.readiness_conform_count()
        return sum(r.elo_conform for r in _computed(ws, day).values())


def products_blocking(
    path: Path, blocks: list[str] | tuple[str, ...], today: date | None = None
) -> set[str]:
    """Ids of the counted products for which one of `blocks` is open or undecided (and not
    covered by an accepted exemption): `Cell.blocking`."""
    day = today or clock.today()
    with Workspace.open(path) as ws:
        if _up_to_date(ws, day):
            return set(ws.readiness_blocking(blocks))
        return {
            pid for pid, r in _computed(ws, day).items() if any(r.cells[b].blocking for b in blocks)
        }


def products_at_risk(path: Path, deadline: str, today: date | None = None) -> set[str]:
    """Ids of the counted products at risk of delay for a milestone (its key, e.g.
    "2027-06-30") on `today` (the program's today by default)."""
    day = today or clock.today()
    with Workspace.open(path) as ws:
        if _up_to_date(ws, day):
            return {row[0] for row in ws.readiness_at_risk(deadline)}
        return {pid for pid, r in _computed(ws, day).items() if r.risks.get(deadline)}
