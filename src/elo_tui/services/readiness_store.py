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

For other screens: `conform_count(path)` and `products_blocking(path, blocks)`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from elo_tui.domain.blocks import BLOCK_CODES, DEADLINES, days_left
from elo_tui.domain.readiness import (
    RISK_HEAD,
    AtRisk,
    BlockSummary,
    Excluded,
    FlagCount,
    ReadinessSummary,
    Risk,
    StoredRisks,
    cell_class,
    count_application_parts,
    count_cell_class,
    dated_risks,
    index_statuses,
    product_application_ids,
    product_readiness,
)
from elo_tui.domain.records import Application, Product
from elo_tui.store import Workspace

STORE_FORMAT = 1  # bump when what a row holds changes: every product is computed anew
KEY_META = "readiness_store_key"
# From this many stale products on, reading every product and status at once is cheaper
# than reading those of the stale ones.
FULL_LOAD_FROM = 2000


def store_key(reading: str) -> str:
    from elo_tui import __version__
    from elo_tui.domain.readiness import SUMMARY_FORMAT

    # The program's version too: another release may compute differently.
    return f"{STORE_FORMAT}|{SUMMARY_FORMAT}|{__version__}|{reading}"


def refresh(ws: Workspace, *, attempts: int = 3) -> bool:
    """Compute the stale products' readiness and keep it. True when none is left stale
    (a product written to while it was being computed stays stale: tried again up to
    `attempts` times). Needs a writable workspace (WorkspaceError otherwise)."""
    from elo_tui.services.mapping import load_reading

    reading = load_reading(ws)
    key = store_key(reading)
    if ws.get_meta(KEY_META) != key:
        with ws.transaction():
            ws.readiness_mark_all()
            ws.set_meta(KEY_META, key)
    for _ in range(attempts):
        # The stale marks and the inputs from one state of the file: a write after it
        # moves the mark on, and readiness_put then leaves that row stale.
        with ws.read_snapshot():
            stale = ws.readiness_stale()
            if not stale:
                return True
            rows, risks = _compute(ws, stale, reading)
        ws.readiness_put(rows, risks)
    return not ws.readiness_stale()


def _compute(
    ws: Workspace, stale: list[tuple[str, int]], reading: str
) -> tuple[list[tuple[str, int, tuple | None]], dict[str, list[tuple]]]:
    from elo_tui.services.mapping import load_mapping, load_overrides

    ids = [pid for pid, _ in stale]
    if len(ids) >= FULL_LOAD_FROM:
        m = load_mapping(ws)
        products: dict[str, Product] = m.products  # live ones only
        statuses = m.statuses
        overrides = m.overrides
    else:
        products = {p.id: p for p in ws.get_many(Product, ids).values() if not p.deleted}
        app_ids = {a for p in products.values() for a in product_application_ids(p)}
        statuses = index_statuses(
            ws.statuses_of_scopes("product", products)
            + ws.statuses_of_scopes("application", app_ids)
        )
        overrides = load_overrides(ws, ws.list(Application))
    rows: list[tuple[str, int, tuple | None]] = []
    risks: dict[str, list[tuple]] = {}
    memo: dict = {}
    for pid, token in stale:
        p = products.get(pid)
        if p is None:
            rows.append((pid, token, None))  # deleted (a tombstone): not counted
            continue
        r = product_readiness(p, statuses, None, DEADLINES, memo, overrides, reading)
        classes = ";".join(cell_class(r.cells[code]) for code in BLOCK_CODES)
        blocking = "," + ",".join(c for c in BLOCK_CODES if r.cells[c].blocking) + ","
        req = r.requirements
        rows.append(
            (
                pid,
                token,
                (
                    p.name,
                    p.name.casefold(),
                    r.excluded,
                    int(r.elo_conform),
                    int(r.verified),
                    int(r.exempt),
                    req["sso"],
                    req["gericht_aanmelden"],
                    req["product_rights"],
                    classes,
                    blocking,
                ),
            )
        )
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
    return rows, risks


def _at_risk_items(ws: Workspace, key: str, rows: list[tuple], today: str) -> list[AtRisk]:
    risks = ws.readiness_risks([r[0] for r in rows], key, today)
    return [
        AtRisk(
            pid,
            name or "",
            tuple(
                Risk(block, problem, target, bool(waiting), delayed_to)
                for block, problem, target, waiting, delayed_to in risks.get(pid, ())
            ),
        )
        for pid, name, _n, _w in rows
    ]


def summary(ws: Workspace, today: date) -> tuple[ReadinessSummary, bool]:
    """The agency's readiness summary summed from the store, and whether it is complete
    (False: some products are stale, e.g. written to since `refresh`: the figures are
    those of before; say so). Read in one state of the file. The producten met risico
    beyond the first few per milestone are read when asked for, on a connection of
    their own (the figures and the lists stay of one state: the rest is read only if
    nothing changed, else the whole summary is computed from the inputs)."""
    from elo_tui.services.mapping import load_overrides, load_reading

    iso = today.isoformat()
    with ws.read_snapshot():
        figures = ws.readiness_figures()
        generation = ws.change_generation()
        key = ws.get_meta(KEY_META)
        reading = load_reading(ws)
        blocks = {code: BlockSummary(code) for code in BLOCK_CODES}
        for classes, n in figures["cells"]:
            for code, cls in zip(BLOCK_CODES, classes.split(";"), strict=True):
                count_cell_class(blocks[code], cls, n)
        applications = ws.list(Application)
        overrides = load_overrides(ws, applications)
        live_apps = {a.id for a in applications} - set(overrides.excluded_apps)
        served = sorted(set(figures["served"]) & live_apps)
        app_statuses = index_statuses(ws.statuses_of_scopes("application", served))
        count_application_parts(blocks, served, app_statuses, overrides)
        at_risk: dict[str, StoredRisks] = {}
        for d in DEADLINES:
            count, waiting = ws.readiness_at_risk_counts(d.key, iso)
            head = _at_risk_items(ws, d.key, ws.readiness_at_risk(d.key, iso, limit=RISK_HEAD), iso)
            at_risk[d.key] = StoredRisks(
                count, waiting, head, _rest(ws.path, d.key, iso, generation, key)
            )
    flags: dict[str, dict[str, int]] = {"sso": {}, "ga": {}, "rights": {}}
    for sso, ga, rights, n in figures["requirements"]:
        for name, state in (("sso", sso), ("ga", ga), ("rights", rights)):
            flags[name][state] = flags[name].get(state, 0) + n

    def flag(name: str) -> FlagCount:
        f = flags[name]
        return FlagCount(
            f.get("met", 0), f.get("open", 0), f.get("not_applicable", 0), f.get("exempt", 0)
        )

    excluded = [Excluded(pid, name or "", reason) for pid, name, reason in figures["excluded"]]
    excluded.sort(key=lambda e: e.product_name.casefold())
    result = ReadinessSummary(
        today=today,
        products_total=figures["total"],
        elo_conform=figures["conform"],
        blocks=[blocks[code] for code in BLOCK_CODES],
        sso=flag("sso"),
        gericht_aanmelden=flag("ga"),
        product_rights=flag("rights"),
        at_risk=at_risk,
        days_left={d.key: days_left(today, d) for d in DEADLINES},
        elo_conform_verified=figures["verified"],
        exempt_products=figures["exempt"],
        excluded=excluded,
        reading=reading,
    )
    complete = figures["stale"] == 0 and key == store_key(reading)
    return result, complete


def _rest(
    path: Path, key: str, today: str, generation: int, store: str | None
) -> Callable[[], list[Any]]:
    """The producten met risico after the head, encoded as StoredRisks reads them."""

    def read() -> list[Any]:
        with Workspace.open(path, read_only=True) as own, own.read_snapshot():
            if own.change_generation() == generation and own.get_meta(KEY_META) == store:
                items = _at_risk_items(
                    own, key, own.readiness_at_risk(key, today, offset=RISK_HEAD), today
                )
            else:
                # Written to since: the lists of then are gone; computed from the inputs
                # as they are now (what a reader of this summary would see on refresh).
                from elo_tui.services.mapping import load_mapping

                items = list(load_mapping(own, date.fromisoformat(today)).summary().at_risk[key])[
                    RISK_HEAD:
                ]
        return [[a.product_id, a.product_name, [list(r) for r in a.risks]] for a in items]

    return read


# -- for other screens (the matrix's conform count and readiness filters) ----------------------


def conform_count(path: Path) -> int:
    """How many counted products are ELO-conform (zelf verklaard), after bringing the
    store up to date; on a connection of its own (a worker thread)."""
    with Workspace.open(path) as ws:
        if not ws.read_only:
            refresh(ws)
        return ws.readiness_conform_count()


def products_blocking(path: Path, blocks: list[str] | tuple[str, ...]) -> set[str]:
    """Ids of the counted products for which one of `blocks` is open or undecided (and not
    covered by an accepted exemption): `Cell.blocking`."""
    with Workspace.open(path) as ws:
        if not ws.read_only:
            refresh(ws)
        return set(ws.readiness_blocking(blocks))
