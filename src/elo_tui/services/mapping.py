"""The block mapping as the matrix and the dashboard use it.

`Mapping` holds one workspace's applications, products and block statuses in memory,
with the suggestions and a per-product readiness cache, so that moving over cells,
filtering and redrawing after an edit cost next to nothing at 1,202 products.
`set_block_status` is the one way to change a cell: it validates, saves the status and
brings the checklists of that scope in line, in one transaction.

An application-level block is stored once per application; every product of that
application reads it from there, so setting it updates all of them at once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from elo_tui.domain import applicability as rules
from elo_tui.domain.blocks import (
    ADMISSION_READING_KEY,
    APPLICATION_BLOCKS,
    BLOCK_CODES,
    BLOCKS_BY_CODE,
    DEADLINES_BY_KEY,
    DEFAULT_ADMISSION_READING,
    PRODUCT_BLOCKS,
    REQUIRED,
    SCOPE_APPLICATION,
    SCOPE_PRODUCT,
    UNDECIDED,
    admission_applies,
    admission_reading,
    deadline_blocks,
    validate_block_status,
)
from elo_tui.domain.decisions import Overrides, build_overrides, has_accepted_exemption
from elo_tui.domain.formats import sort_key
from elo_tui.domain.readiness import (
    Cell,
    ProductReadiness,
    ReadinessSummary,
    apply_overrides,
    cell_of,
    index_statuses,
    is_conform,
    is_excluded,
    product_application_ids,
    product_cells,
    product_readiness,
    summarize,
)
from elo_tui.domain.records import (
    Agency,
    Application,
    BlockStatus,
    ChecklistItem,
    Delay,
    Exemption,
    Product,
    Review,
)
from elo_tui.services import clock
from elo_tui.store import Workspace

NO_APPLICATION = ""  # group key of products without an application


class MatrixRow(NamedTuple):
    """One line of the matrix: an application (group header) or a product. A named tuple:
    made 20,000 times on every load, where a frozen dataclass cost 4x as much."""

    kind: str  # "application" | "product"
    id: str
    name: str
    group: str  # application id the row is listed under ("" = none)
    apps: tuple[str, ...] = ()  # a product's applications (product_application_ids)
    on_elo: str = ""  # a product's on_elo


@dataclass(frozen=True, slots=True)
class CellView:
    """What one matrix cell shows and where an edit of it goes."""

    cell: Cell | None  # None: this block does not exist at this row's level
    suggestion: rules.Suggestion | None
    derived: bool  # a product's application-level block, read from its application(s)


@dataclass(frozen=True, slots=True)
class RowFilter:
    deadline: str = ""  # deadline key: only rows blocking it
    block: str = ""  # only rows where this block is blocking
    application: str = ""  # only this application's rows

    @property
    def active(self) -> bool:
        return bool(self.deadline or self.block or self.application)


# Bit i of a blocking mask: BLOCK_CODES[i] is blocking for that product (7 parts: a byte).
_BLOCK_BITS = {code: 1 << i for i, code in enumerate(BLOCK_CODES)}


def blocking_mask(cells: dict[str, Cell]) -> int:
    mask = 0
    for code, bit in _BLOCK_BITS.items():
        if cells[code].blocking:
            mask |= bit
    return mask


def blocks_mask(blocks: Iterable[str]) -> int:
    mask = 0
    for code in blocks:
        mask |= _BLOCK_BITS.get(code, 0)
    return mask


@dataclass(slots=True)
class ReadinessIndex:
    """Per product what the matrix's conform count and readiness filters need, over every
    product: computed once (after the first frame, see `readiness_index`), then kept in
    step by `Mapping.apply`. The same rules as `count_conform` and `product_readiness`
    (tests/test_matrix_paging.py compares them). One byte per row of the mapping's `rows`
    (20,000 products: 40 KiB, where a dict per product id cost ~2 MiB)."""

    blocking: bytearray  # per row: blocking mask (see blocking_mask; 0 for a header)
    conform: bytearray  # per row: 1 = ELO-conform and not excluded (as count_conform)

    @classmethod
    def empty(cls, rows: int) -> ReadinessIndex:
        return cls(bytearray(rows), bytearray(rows))

    @property
    def conform_count(self) -> int:
        return self.conform.count(1)

    def put(self, position: int, r: ProductReadiness) -> None:
        self.blocking[position] = blocking_mask(r.cells)
        self.conform[position] = r.elo_conform and r.excluded is None


@dataclass(frozen=True, slots=True)
class MatrixHead:
    """What the matrix shows of the whole before every row is read (a partial mapping,
    see open_matrix_start): counted in SQL, the same figures as the full mapping's
    (`Mapping.head`; tests/test_matrix_paging.py compares them)."""

    rows: int  # rows of the whole matrix, application headers included
    products: int
    excluded: int  # products left out because an application is excluded
    conform: int | None  # the readiness index's conform count; None: computed later


class Mapping:
    """View of a workspace's block mapping (one per open matrix/dashboard).

    `load_mapping` reads every product and status (the dashboard, reports). `open_matrix`
    reads light rows only and the products and statuses of a page of rows when one of
    them is first shown (20,000 products: the matrix holds what was on screen); there
    `products` holds the pages read so far: use `product()`, `has_product()`,
    `product_ids()`, which work in both."""

    def __init__(
        self,
        agency: Agency | None,
        applications: Iterable[Application],
        products: Iterable[Product],
        statuses: Iterable[BlockStatus],
        today: date | None = None,
        overrides: Overrides | None = None,
        reading: str = DEFAULT_ADMISSION_READING,
        *,
        light: Iterable[tuple[str, str, tuple[str, ...], str]] | None = None,
        pages: Any = None,
        groups: set[str] | None = None,
    ) -> None:
        self.today = today or clock.today()
        self.agency = agency
        self.applications = {a.id: a for a in applications if not a.deleted}
        self.products = {p.id: p for p in products if not p.deleted}
        self.statuses = index_statuses(statuses)
        self.overrides = (
            overrides
            if overrides is not None
            else build_overrides(applications=self.applications.values())
        )
        self.reading = reading
        # Suggestions are worked out per scope when a cell is first shown: only the
        # visible ones are ever needed, and all of them cost ~0.1 s at 1,202 products.
        self._suggestions: dict[tuple[str, str], dict[str, rules.Suggestion]] = {}
        if light is None:
            light = (
                (p.id, p.name, product_application_ids(p), p.on_elo) for p in self.products.values()
            )
        # Reads products with their own statuses, and applications' statuses, from the
        # store (see open_matrix); None when everything was read up front.
        self._pages = pages
        self._apps_read: set[str] = set()  # applications whose statuses were read
        self._held: dict[int, list[str]] = {}  # pages read (first row -> product ids)
        self.products_of_app: dict[str, list[str]] = {a: [] for a in self.applications}
        # Product id -> its index in `rows` (in the order the products were read); -1 for
        # a product of a partial mapping listed under an application not shown yet, kept
        # in _unlisted: it counts for the applications it is served by that are shown.
        self._light: dict[str, int] = {}
        self._unlisted: dict[str, MatrixRow] = {}
        self._readiness: dict[str, ProductReadiness] = {}
        # Only the rows of these application groups (the first screenful, see
        # open_matrix_start): every figure over all products waits for the full mapping.
        self.partial = groups is not None
        self.rows = self._build_rows(light, groups)
        self.index: ReadinessIndex | None = None
        # A partial mapping's figures over every product (open_matrix_start sets it).
        self.head: MatrixHead | None = None
        self.index_generation = 0
        self._edited_since_index: set[str] = set()

    # -- products ----------------------------------------------------------------------------

    PAGE = 200  # products read at a time (a screenful is ~40)

    def has_product(self, product_id: str) -> bool:
        return product_id in self._light

    def product_ids(self) -> Iterable[str]:
        return self._light.keys()

    def product_count(self) -> int:
        return len(self._light)

    def _row_of(self, product_id: str) -> MatrixRow | None:
        at = self._light.get(product_id)
        if at is None:
            return None
        return self.rows[at] if at >= 0 else self._unlisted[product_id]

    def application_ids_of(self, product_id: str) -> tuple[str, ...]:
        row = self._row_of(product_id)
        return () if row is None else row.apps

    def product(self, product_id: str) -> Product:
        found = self.products.get(product_id)
        if found is None:
            self._ensure((product_id,))
            found = self.products.get(product_id)
            if found is None:  # deleted since the rows were read: its row stays until reload
                row = self._row_of(product_id)
                assert row is not None
                found = Product(id=product_id, name=row.name, on_elo=row.on_elo)
                self.products[product_id] = found
        return found

    def all_products(self) -> list[Product]:
        self._ensure(self._light, around=False)
        self._ensure_apps(self.applications)
        return [self.product(pid) for pid in self._light]

    def excluded_count(self) -> int:
        """Products left out because an application is excluded (as `is_excluded`)."""
        excluded = self.overrides.excluded_apps
        if not excluded:
            return 0
        return sum(
            1 for r in self.rows if r.kind == SCOPE_PRODUCT and any(a in excluded for a in r.apps)
        )

    MAX_PAGES = 10  # pages of rows held (2,000 products); the oldest goes first

    def _ensure(self, product_ids: Iterable[str], around: bool = True) -> None:
        """Read the products (and their own block statuses) not read yet; with `around`
        (a row being shown) the page of rows around each: the rows next to one on screen
        are the next to be shown. At most MAX_PAGES pages are held: scrolling through
        20,000 rows must not end with every record in memory."""
        if self._pages is None:
            return
        products = self.products
        missing = [p for p in product_ids if p not in products and p in self._light]
        if not missing:
            return
        want: dict[str, None] = {}
        rows = self.rows
        for pid in missing:
            at = self._light[pid]
            if at < 0 or not around:  # not listed (yet, see _unlisted), or only this one
                want[pid] = None
                continue
            start = at - at % self.PAGE
            page = [r.id for r in rows[start : start + self.PAGE] if r.kind == SCOPE_PRODUCT]
            self._held[start] = page
            want.update(dict.fromkeys(p for p in page if p not in products))
        while len(self._held) > self.MAX_PAGES:
            self._forget(self._held.pop(next(iter(self._held))), keep=want)
        read, statuses = self._pages.products(list(want))
        apps: dict[str, None] = {}
        for p in read:
            products[p.id] = p
        for pid in want:
            apps.update(dict.fromkeys(self.application_ids_of(pid)))
        for st in statuses:
            self.statuses[(st.scope_kind, st.scope_id, st.block)] = st
        self._ensure_apps(apps)

    def _forget(self, product_ids: list[str], keep: dict[str, None]) -> None:
        """Drop what was read for these products (read again when shown again)."""
        for pid in product_ids:
            if pid in keep:
                continue
            self.products.pop(pid, None)
            self._readiness.pop(pid, None)
            self._suggestions.pop((SCOPE_PRODUCT, pid), None)
            for block in PRODUCT_BLOCKS:
                self.statuses.pop((SCOPE_PRODUCT, pid, block), None)

    def _ensure_apps(self, app_ids: Iterable[str]) -> None:
        """Read the block statuses of these applications, when not read yet."""
        if self._pages is None:
            return
        missing = [a for a in app_ids if a not in self._apps_read]
        if not missing:
            return
        self._apps_read.update(missing)
        for st in self._pages.application_statuses(missing):
            self.statuses[(st.scope_kind, st.scope_id, st.block)] = st

    # -- rows --------------------------------------------------------------------------------

    def _build_rows(
        self,
        light: Iterable[tuple[str, str, tuple[str, ...], str]],
        only: set[str] | None = None,
    ) -> list[MatrixRow]:
        """Rows from (product id, name, application ids, on_elo): grouped under their first
        application, by name; fills products_of_app and _light on the way."""
        groups: dict[str, list[MatrixRow]] = {app_id: [] for app_id in self.applications}
        groups[NO_APPLICATION] = []
        apps = self.applications
        of_app = self.products_of_app
        position = self._light
        group_of: dict[tuple[str, ...], str] = {}  # few distinct application sets
        for pid, name, app_ids, on_elo in light:
            group = group_of.get(app_ids)
            if group is None:
                group = group_of[app_ids] = next((i for i in app_ids if i in apps), NO_APPLICATION)
            groups[group].append(MatrixRow(SCOPE_PRODUCT, pid, name, group, app_ids, on_elo))
            for app_id in app_ids:
                if app_id in of_app:
                    of_app[app_id].append(pid)
            position[pid] = 0  # the index once sorted, below; the read order stays
        rows: list[MatrixRow] = []

        def by_name(row: MatrixRow) -> str:
            return sort_key(row.name)

        order = sorted(self.applications.values(), key=lambda a: sort_key(a.name))
        for app in order:
            if only is not None and app.id not in only:
                continue
            rows.append(MatrixRow(SCOPE_APPLICATION, app.id, app.name, app.id))
            rows += sorted(groups.pop(app.id), key=by_name)
        if only is not None:
            for listed in groups.values():
                for row in listed:
                    position[row.id] = -1
                    self._unlisted[row.id] = row
        elif groups[NO_APPLICATION]:
            rows.append(MatrixRow(SCOPE_APPLICATION, NO_APPLICATION, "Zonder toepassing", ""))
            rows += sorted(groups[NO_APPLICATION], key=by_name)
        for i, row in enumerate(rows):
            if row.kind == SCOPE_PRODUCT:
                position[row.id] = i
        return rows

    def needs_index(self, f: RowFilter) -> bool:
        """The filter needs every product's readiness and this mapping reads it in pages:
        wait for `index` (a worker computes it) rather than read every page here."""
        if f.active and self.partial:
            return True  # every filter needs every row
        return bool(f.deadline or f.block) and self._pages is not None and self.index is None

    def filter_rows(self, f: RowFilter) -> list[MatrixRow]:
        """Rows that pass the filter; a group header stays when any of its products does."""
        if not f.active:
            return self.rows
        blocks: tuple[str, ...] = BLOCK_CODES
        admission_only = False
        if f.deadline in DEADLINES_BY_KEY:
            blocks = deadline_blocks(DEADLINES_BY_KEY[f.deadline])
            admission_only = not DEADLINES_BY_KEY[f.deadline].binding
        if f.block:
            blocks = tuple(b for b in blocks if b == f.block)
        row_filter = bool(f.deadline or f.block)
        mask = blocks_mask(blocks)
        index = self.index
        out: list[MatrixRow] = []
        header: MatrixRow | None = None
        for row in self.rows:
            if row.kind == SCOPE_APPLICATION:
                header = row
                continue
            if f.application and f.application not in row.apps:
                continue
            if admission_only and not admission_applies(self.reading, row.on_elo):
                continue
            if row_filter:
                if index is not None:
                    if not index.blocking[self._light[row.id]] & mask:
                        continue
                else:
                    cells = self.readiness(row.id).cells
                    if not any(cells[b].blocking for b in blocks):
                        continue
            if header is not None:
                out.append(header)
                header = None
            out.append(row)
        return out

    # -- cells -------------------------------------------------------------------------------

    def readiness(self, product_id: str) -> ProductReadiness:
        r = self._readiness.get(product_id)
        if r is None:
            r = product_readiness(
                self.product(product_id),
                self.statuses,
                self.today,
                overrides=self.overrides,
                reading=self.reading,
            )
            self._readiness[product_id] = r
        return r

    def suggestion(self, scope_kind: str, scope_id: str, block: str) -> rules.Suggestion | None:
        """The suggested applicability for one scope x block (None: no rule applies)."""
        key = (scope_kind, scope_id)
        found = self._suggestions.get(key)
        if found is None:
            if scope_kind == SCOPE_APPLICATION:
                app = self.applications.get(scope_id)
                served_ids = self.products_of_app.get(scope_id, [])
                self._ensure(served_ids, around=False)
                served = [self.product(i) for i in served_ids]
                found = rules.suggest_for_application(app, served) if app else {}
            else:
                product = self.product(scope_id) if scope_id in self._light else None
                apps = [
                    self.applications[i]
                    for i in (product_application_ids(product) if product else ())
                    if i in self.applications
                ]
                found = rules.suggest_for_product(product, apps) if product else {}
            self._suggestions[key] = found
        return found.get(block)

    def status(self, scope_kind: str, scope_id: str, block: str) -> BlockStatus | None:
        if self._pages is not None:
            if scope_kind == SCOPE_PRODUCT and scope_id not in self.products:
                self._ensure((scope_id,))  # a product's statuses are read with the product
            elif scope_kind == SCOPE_APPLICATION and scope_id not in self._apps_read:
                self._ensure_apps((scope_id,))
        return self.statuses.get((scope_kind, scope_id, block))

    def view(self, row: MatrixRow, block: str) -> CellView:
        scope = BLOCKS_BY_CODE[block].scope
        if row.kind == SCOPE_APPLICATION:
            if scope != SCOPE_APPLICATION or row.id == NO_APPLICATION:
                return CellView(None, None, False)
            status = self.status(SCOPE_APPLICATION, row.id, block)
            cell = apply_overrides(
                cell_of(status), self.overrides, [(SCOPE_APPLICATION, row.id)], block
            )
            return CellView(cell, self.suggestion(SCOPE_APPLICATION, row.id, block), False)
        cell = self.readiness(row.id).cells[block]
        if scope == SCOPE_APPLICATION:
            apps = self.edit_scopes(row, block)
            suggestion = self.suggestion(SCOPE_APPLICATION, apps[0][1], block) if apps else None
            return CellView(cell, suggestion, True)
        return CellView(cell, self.suggestion(SCOPE_PRODUCT, row.id, block), False)

    def edit_scopes(self, row: MatrixRow, block: str) -> list[tuple[str, str]]:
        """Where an edit of this cell is stored: (scope kind, scope id) choices, first is
        the default; empty when the cell cannot be edited here."""
        scope = BLOCKS_BY_CODE[block].scope
        if row.kind == SCOPE_APPLICATION:
            if scope == SCOPE_APPLICATION and row.id != NO_APPLICATION:
                return [(SCOPE_APPLICATION, row.id)]
            return []
        if scope == SCOPE_PRODUCT:
            return [(SCOPE_PRODUCT, row.id)]
        return [
            (SCOPE_APPLICATION, app_id)
            for app_id in self.application_ids_of(row.id)
            if app_id in self.applications
        ]

    def scope_name(self, scope_kind: str, scope_id: str) -> str:
        if scope_kind == SCOPE_APPLICATION:
            app = self.applications.get(scope_id)
            return app.name if app else "(onbekende toepassing)"
        row = self._row_of(scope_id)
        return "(onbekend product)" if row is None else row.name

    def affected_products(self, scope_kind: str, scope_id: str) -> list[str]:
        if scope_kind == SCOPE_APPLICATION:
            return list(self.products_of_app.get(scope_id, []))
        return [scope_id] if scope_id in self._light else []

    def apply(self, status: BlockStatus) -> list[str]:
        """Take a saved status into the view; returns the products whose cells changed."""
        key = (status.scope_kind, status.scope_id, status.block)
        if status.deleted:
            self.statuses.pop(key, None)
        else:
            self.statuses[key] = status
        affected = self.affected_products(status.scope_kind, status.scope_id)
        for product_id in affected:
            self._readiness.pop(product_id, None)
        self._edited_since_index.update(affected)
        if self.index is not None:
            self._reindex(affected)
        return affected

    # Above this many products changed at once (accept-all), the index is computed anew
    # apart rather than product by product here, on the UI thread.
    REINDEX_MAX = 2000

    def apply_many(self, statuses: Iterable[BlockStatus]) -> set[str]:
        """`apply` for many saved statuses (one undo step); the index follows once, or is
        dropped (index None: compute it again) when most products changed."""
        index, self.index = self.index, None
        affected: set[str] = set()
        for status in statuses:
            affected.update(self.apply(status))
        if index is not None and len(affected) <= self.REINDEX_MAX:
            self.index = index
            self._reindex(affected)
        return affected

    def _reindex(self, product_ids: Iterable[str]) -> None:
        assert self.index is not None
        ids = list(product_ids)
        self._ensure(ids, around=False)
        for product_id in ids:
            self.index.put(self._light[product_id], self.readiness(product_id))

    def row_position(self, product_id: str) -> int:
        """Where a product's row is in `rows` (and in the index)."""
        return self._light[product_id]

    def start_index(self) -> tuple[int, list[MatrixRow]]:
        """Before computing the index apart: (generation, every product id). Edits from
        now on are recomputed here when it arrives (the worker may not have seen them)."""
        self.index_generation += 1
        self._edited_since_index = set()
        # `rows` is never changed after it is made: a worker may read it.
        return self.index_generation, self.rows

    def set_index(self, generation: int, index: ReadinessIndex) -> bool:
        """Take a computed index; False when it is outdated (a newer one was started)."""
        if generation != self.index_generation:
            return False
        self._ensure(self._edited_since_index, around=False)
        for product_id in self._edited_since_index:
            if product_id in self._light:
                index.put(self._light[product_id], self.readiness(product_id))
        self._edited_since_index = set()
        self.index = index
        return True

    def summary(self, today: date | None = None) -> ReadinessSummary:
        today = today or self.today
        return summarize(
            self.all_products(),
            list(self.applications.values()),
            self.statuses.values(),
            today,
            cache=self._readiness if today == self.today else None,
            overrides=self.overrides,
            reading=self.reading,
        )

    def is_new_scope(self, scope_kind: str, scope_id: str) -> bool:
        """The scope is (or is served by) a new or fundamentally renewed application."""
        if scope_kind == SCOPE_APPLICATION:
            return scope_id in self.overrides.new_apps
        return any(a in self.overrides.new_apps for a in self.application_ids_of(scope_id))


# What the mapping reads of products and statuses: the records it holds are partial,
# read-only views (half the cost of full records at 1,202 products). Saving always
# re-reads the full record from the store (see set_block_status).
_PRODUCT_COLUMNS = (
    "id",
    "name",
    "ipdc_type",
    "target_groups",
    "request_application_id",
    "followup_application_id",
    "on_elo",
)
_STATUS_COLUMNS = (
    "id",
    "scope_kind",
    "scope_id",
    "block",
    "applicability",
    "reason",
    "stage",
    "target_date",
    "evidence",
    "note",
    "waiting_on_block",
    "waiting_reason",
    "verified_central",
)


def _product_reader() -> Any:
    """Row (as _PRODUCT_COLUMNS) -> partial Product; a set of target groups seen before is
    parsed once (few distinct ones)."""
    import json

    groups_of: dict[str, list[str]] = {}

    def parsed(text: str) -> list[str]:
        found = groups_of.get(text)
        if found is None:
            found = groups_of[text] = json.loads(text)
        return list(found)  # a list of its own per product, as json.loads gave

    def product(row: tuple) -> Product:
        pid, name, ipdc_type, groups, req, fol, on_elo = row
        return Product(
            id=pid,
            name=name or "",
            ipdc_type=ipdc_type or "",
            target_groups=parsed(groups) if groups else [],
            request_application_id=req or "",
            followup_application_id=fol or "",
            on_elo=on_elo or "none",
        )

    return product


def _statuses(rows: Iterable[tuple]) -> list[BlockStatus]:
    statuses = [BlockStatus(**dict(zip(_STATUS_COLUMNS, row, strict=True))) for row in rows]
    for st in statuses:
        st.waiting_on_block = bool(st.waiting_on_block)
        st.verified_central = bool(st.verified_central)
    return statuses


def load_mapping(ws: Workspace, today: date | None = None) -> Mapping:
    """Every product and status in memory (the dashboard, reports, the history snapshot)."""
    product = _product_reader()
    products = [product(row) for row in ws.columns(Product, _PRODUCT_COLUMNS)]
    statuses = _statuses(ws.columns(BlockStatus, _STATUS_COLUMNS))
    applications = ws.list(Application)
    return Mapping(
        ws.agency(),
        applications,
        products,
        statuses,
        today,
        load_overrides(ws, applications),
        load_reading(ws),
    )


_LIGHT_COLUMNS = ("id", "name", "request_application_id", "followup_application_id", "on_elo")


class _PageReader:
    """What a paged mapping reads when rows are first shown, on one connection."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.product = _product_reader()

    def products(self, ids: list[str]) -> tuple[list[Product], list[BlockStatus]]:
        ws = self.ws
        products = [self.product(r) for r in ws.columns_in(Product, _PRODUCT_COLUMNS, "id", ids)]
        rows = ws.columns_in(
            BlockStatus, _STATUS_COLUMNS, "scope_id", ids, scope_kind=SCOPE_PRODUCT
        )
        return products, _statuses(rows)

    def application_statuses(self, app_ids: list[str]) -> list[BlockStatus]:
        return _statuses(
            self.ws.columns_in(
                BlockStatus, _STATUS_COLUMNS, "scope_id", app_ids, scope_kind=SCOPE_APPLICATION
            )
        )


def product_count(ws: Workspace) -> int:
    return ws.count(Product)


def open_matrix_start(ws: Workspace, today: date | None = None, rows: int = 80) -> Mapping:
    """The first `rows` (or a few more) of the matrix in display order: whole application
    groups, read by application rather than all 20,000 products (`partial` is True).
    The full mapping (`open_matrix`) replaces it once read; when everything fits, this is
    the full mapping."""
    with ws.read_snapshot():  # the first rows and the counts of the whole from one state
        return _open_matrix_start(ws, today, rows)


def _open_matrix_start(ws: Workspace, today: date | None, rows: int) -> Mapping:
    applications = ws.list(Application)
    live = {a.id for a in applications if not a.deleted}
    order = sorted((a for a in applications if not a.deleted), key=lambda a: sort_key(a.name))
    # Every product served by a shown application, also those listed under another one:
    # the application's suggestions and "n products follow" count them all.
    light: dict[str, tuple[str, str, tuple[str, ...], str]] = {}
    groups: set[str] = set()
    listed = 0
    for start in range(0, len(order), 8):
        batch = {a.id for a in order[start : start + 8]}
        for pid, name, req, fol, on_elo in ws.product_columns_of_applications(
            _LIGHT_COLUMNS, batch
        ):
            apps = (req,) if req else ()
            if fol and fol != req:
                apps += (fol,)
            group = next((a for a in apps if a in live), NO_APPLICATION)
            listed += group in batch
            light[pid] = (pid, name or "", apps, on_elo or "none")
        groups |= batch
        if listed + len(groups) >= rows:
            break
    else:  # every application: the products without one are listed last, read them all
        return open_matrix(ws, today)
    overrides = load_overrides(ws, applications)
    m = Mapping(
        ws.agency(),
        applications,
        (),
        (),
        today,
        overrides,
        load_reading(ws),
        light=light.values(),
        pages=_PageReader(ws),
        groups=groups,
    )
    m.head = _head(ws, m, applications)
    return m


def _head(ws: Workspace, m: Mapping, applications: list[Application]) -> MatrixHead:
    """The figures over every product a partial mapping cannot count itself: rows as
    `_build_rows` makes them (a header per live application, one for the products
    without one), products, excluded ones as `excluded_count`, and the conform count
    from the readiness store when it holds every product as it is (no computing here:
    this is the first frame)."""
    from elo_tui.services import readiness_store

    gone = [a.id for a in applications if a.id not in m.applications]
    products, without, excluded = ws.matrix_counts(gone, m.overrides.excluded_apps)
    rows = products + len(m.applications) + (1 if without else 0)
    return MatrixHead(rows, products, excluded, readiness_store.fresh_conform_count(ws))


def open_matrix(
    ws: Workspace, today: date | None = None, pages_from: Workspace | None = None
) -> Mapping:
    """The mapping as the matrix shows it at any size: the rows (ids, names, groups) now;
    a product, its own statuses and those of its applications when its row is first
    shown, a page at a time, on `ws`'s connection (so: on the thread that owns ws; or on
    `pages_from`'s, when a worker reads the rows on a connection of its own). The
    figures over every product (conform count, readiness filters) come from
    `readiness_index`, computed apart."""
    applications = ws.list(Application)
    # One string and one tuple per application (pair), not one per product: 20,000 rows
    # of two 36-character ids each cost ~4 MiB otherwise.
    same: dict[str, str] = {a.id: a.id for a in applications}
    pairs: dict[tuple[str, str], tuple[str, ...]] = {}

    def light() -> Iterator[tuple[str, str, tuple[str, ...], str]]:
        for pid, name, req, fol, on_elo in ws.columns(Product, _LIGHT_COLUMNS):
            apps = pairs.get((req, fol))
            if apps is None:
                found = [same.setdefault(req, req)] if req else []
                if fol and fol != req:
                    found.append(same.setdefault(fol, fol))
                apps = pairs[(req, fol)] = tuple(found)
            yield pid, name or "", apps, on_elo or "none"

    return Mapping(
        ws.agency(),
        applications,
        (),
        (),
        today,
        load_overrides(ws, applications),
        load_reading(ws),
        light=light(),
        pages=_PageReader(pages_from or ws),
    )


def readiness_index(
    ws: Workspace,
    rows: Sequence[MatrixRow],
    overrides: Overrides,
    chunk: int = 250,
    *,
    today: date | None = None,
    from_store: bool = True,
) -> ReadinessIndex:
    """Every product's blocking parts and conform state, per row of `rows` (a mapping's,
    see Mapping.start_index). For a worker on its own connection (`ws.writer()`, or
    `ws.reader()` for a read-only workspace), or inline for a small workspace.

    From the readiness store (services/readiness_store.py) when it can be brought up to
    date: its stale products computed (usually a few), then one query. Otherwise (a
    read-only workspace with changes the store has not seen, or `from_store` False)
    computed from the inputs with `overrides`, `chunk` products (with their own statuses
    and their applications') at a time: memory stays flat at 20,000 products; products
    in display order share applications within a chunk."""
    if from_store:
        index = _index_from_store(ws, rows, today)
        if index is not None:
            return index
    reader = _PageReader(ws)
    index = ReadinessIndex.empty(len(rows))

    def compute(part: dict[str, int]) -> None:
        products, own = reader.products(list(part))
        apps = {a: None for p in products for a in product_application_ids(p)}
        statuses = index_statuses(own)
        statuses.update(index_statuses(reader.application_statuses(list(apps))))
        memo: dict = {}  # application cells, shared by the chunk's products
        for p in products:
            cells = product_cells(p, statuses, memo, overrides)
            at = part[p.id]
            index.blocking[at] = blocking_mask(cells)
            index.conform[at] = is_excluded(p, overrides) is None and is_conform(p, cells)

    part: dict[str, int] = {}
    for at, row in enumerate(rows):
        if row.kind == SCOPE_PRODUCT:
            part[row.id] = at
            if len(part) >= chunk:
                compute(part)
                part = {}
    if part:
        compute(part)
    return index


def _index_from_store(
    ws: Workspace, rows: Sequence[MatrixRow], today: date | None
) -> ReadinessIndex | None:
    from elo_tui.services import clock, readiness_store

    cells = readiness_store.index_cells(ws, today or clock.today())
    if cells is None:
        return None
    stored = {pid: (conform, blocking) for pid, conform, blocking in cells}
    index = ReadinessIndex.empty(len(rows))
    masks: dict[str, int] = {}  # few distinct blocking strings: each parsed once
    for at, row in enumerate(rows):
        if row.kind != SCOPE_PRODUCT:
            continue
        found = stored.get(row.id)
        if found is None:
            continue  # deleted since the rows were read: not counted, as when computed
        conform, blocking = found
        mask = masks.get(blocking)
        if mask is None:
            mask = masks[blocking] = blocks_mask(blocking.split(","))
        index.blocking[at] = mask
        index.conform[at] = conform
    return index


def load_overrides(ws: Workspace, applications: Iterable[Application] | None = None) -> Overrides:
    """Accepted exemptions and delays, excluded and new applications, from the store."""
    return build_overrides(
        ws.list(Exemption),
        ws.list(Delay),
        ws.find(Review, target_kind=("exemption", "delay")),
        ws.list(Application) if applications is None else applications,
    )


def load_reading(ws: Workspace) -> str:
    """The workspace's reading of the 1 January 2027 admission milestone."""
    return admission_reading(ws.get_meta(ADMISSION_READING_KEY))


def save_reading(ws: Workspace, reading: str) -> str:
    """Store the reading (an interpretation); an unknown one falls back to the default."""
    reading = admission_reading(reading)
    ws.set_meta(ADMISSION_READING_KEY, reading)
    return reading


# -- changing a cell ----------------------------------------------------------------------------


def set_block_status(
    ws: Workspace,
    scope_kind: str,
    scope_id: str,
    block: str,
    values: dict[str, Any],
    today: date,
) -> tuple[BlockStatus | None, dict[str, str]]:
    """Validate and store one block status; the scope's checklists follow (instantiated
    when the block becomes required, marked obsolete with notes kept when it stops).
    Returns (saved status, {}) or (None, field -> Dutch message)."""
    info = BLOCKS_BY_CODE.get(block)
    if info is None or info.scope != scope_kind:
        return None, {"block": f"Bouwsteen '{block}' bestaat niet op dit niveau."}
    new_app, exempted = new_application_context(ws, scope_kind, scope_id, block)
    clean, errors = validate_block_status(
        {**values, "block": block}, new_application=new_app, exempted=exempted
    )
    if errors:
        return None, errors
    from elo_tui.services import checklists

    found = ws.find(BlockStatus, scope_kind=scope_kind, scope_id=scope_id, block=block)
    status = (
        found[0] if found else BlockStatus(scope_kind=scope_kind, scope_id=scope_id, block=block)
    )
    old_target = status.target_date if found else None
    for key, value in clean.items():
        setattr(status, key, value)
    with ws.transaction():
        ws.save(status)
        checklists.save_plan(ws, checklists.plan_for_status(ws, status, today, old_target))
    return status, {}


def accept_suggestion(
    ws: Workspace, mapping: Mapping, scope_kind: str, scope_id: str, block: str, today: date
) -> tuple[BlockStatus | None, dict[str, str]]:
    """A person confirms the suggested applicability of an undecided cell."""
    suggestion = mapping.suggestion(scope_kind, scope_id, block)
    if suggestion is None:
        return None, {"applicability": "Er is geen voorstel voor deze cel."}
    current = mapping.status(scope_kind, scope_id, block)
    values = status_values(current)
    values["applicability"] = suggestion.applicability
    if suggestion.reason and not values["reason"]:
        values["reason"] = suggestion.reason
    return set_block_status(ws, scope_kind, scope_id, block, values, today)


# -- taking all suggestions of a scope ------------------------------------------------------------

ACCEPT_PRODUCT, ACCEPT_APPLICATION, ACCEPT_ALL = "product", "application", "all"


@dataclass(frozen=True, slots=True)
class SuggestionChange:
    """One undecided cell that takes its suggestion."""

    scope_kind: str
    scope_id: str
    block: str
    before: str  # applicability now (undecided; "" = no status stored yet)
    after: str  # the suggested applicability
    reason: str  # the proposed motivering ("" = none, or the cell keeps its own)
    refused: str = ""  # Dutch: why the rules do not allow it here ("" = it can be taken)


@dataclass(frozen=True, slots=True)
class AcceptPlan:
    scope: str  # ACCEPT_PRODUCT | ACCEPT_APPLICATION | ACCEPT_ALL
    scope_name: str  # what the scope is called in the dialog
    changes: tuple[SuggestionChange, ...]

    @property
    def allowed(self) -> list[SuggestionChange]:
        return [c for c in self.changes if not c.refused]

    @property
    def refused(self) -> list[SuggestionChange]:
        return [c for c in self.changes if c.refused]


def accept_scopes(
    m: Mapping, row: MatrixRow | None
) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """For the row under the cursor: scope -> (its name, the (scope kind, id) whose cells
    it covers). 'product' covers the product's own cells only (an application-level block
    belongs to the application and changes all its products); 'application' covers the
    application's cells and those of every product it serves."""
    out: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    if row is not None and row.kind == SCOPE_PRODUCT and m.has_product(row.id):
        out[ACCEPT_PRODUCT] = (m.scope_name(SCOPE_PRODUCT, row.id), [(SCOPE_PRODUCT, row.id)])
    group = (
        row.group if row is not None and row.kind == SCOPE_PRODUCT else (row.id if row else None)
    )
    if group:
        scopes = [(SCOPE_APPLICATION, group)]
        scopes += [(SCOPE_PRODUCT, p) for p in m.products_of_app.get(group, [])]
        out[ACCEPT_APPLICATION] = (m.scope_name(SCOPE_APPLICATION, group), scopes)
    elif group == NO_APPLICATION and row is not None:
        products = [r.id for r in m.rows if r.kind == SCOPE_PRODUCT and r.group == NO_APPLICATION]
        out[ACCEPT_APPLICATION] = ("Zonder toepassing", [(SCOPE_PRODUCT, p) for p in products])
    everything = [(SCOPE_APPLICATION, a) for a in m.applications]
    everything += [(SCOPE_PRODUCT, p) for p in m.product_ids()]
    out[ACCEPT_ALL] = ("alle toepassingen en producten", everything)
    return out


def plan_accept(m: Mapping, scope: str, name: str, scopes: list[tuple[str, str]]) -> AcceptPlan:
    """Every undecided cell of `scopes` with a suggestion. A cell a person decided (any
    applicability but 'nog te beslissen') is never touched. A suggestion the rules refuse
    (beslissing 5°: 'niet van toepassing' for a new application without an accepted
    exemption) is listed as refused, not taken."""
    changes = []
    for scope_kind, scope_id in scopes:
        blocks = APPLICATION_BLOCKS if scope_kind == SCOPE_APPLICATION else PRODUCT_BLOCKS
        for block in blocks:
            suggestion = m.suggestion(scope_kind, scope_id, block)
            if suggestion is None or suggestion.applicability == UNDECIDED:
                continue
            current = m.status(scope_kind, scope_id, block)
            if current is not None and current.applicability != UNDECIDED:
                continue
            reason = suggestion.reason if not (current and current.reason) else ""
            refused = ""
            if m.is_new_scope(scope_kind, scope_id):
                values = status_values(current)
                values["applicability"] = suggestion.applicability
                values["reason"] = reason or values["reason"]
                _clean, errors = validate_block_status(
                    {**values, "block": block},
                    new_application=True,
                    exempted=_exempted(m, scope_kind, scope_id, block),
                )
                refused = next(iter(errors.values()), "")
            changes.append(
                SuggestionChange(
                    scope_kind,
                    scope_id,
                    block,
                    current.applicability if current else "",
                    suggestion.applicability,
                    reason,
                    refused,
                )
            )
    return AcceptPlan(scope, name, tuple(changes))


def _exempted(m: Mapping, scope_kind: str, scope_id: str, block: str) -> bool:
    scopes = [(scope_kind, scope_id)]
    if scope_kind == SCOPE_PRODUCT and m.has_product(scope_id):
        scopes += [(SCOPE_APPLICATION, a) for a in m.application_ids_of(scope_id)]
    return any(has_accepted_exemption(m.overrides, k, i, block) for k, i in scopes)


def accept_all(ws: Workspace, plan: AcceptPlan, today: date, label: str = "") -> list[BlockStatus]:
    """Take the allowed suggestions of a plan in one transaction (one undo step); the
    checklists of each scope follow, as for a single edit. A cell decided since the plan
    was made is left alone. Returns the saved statuses."""
    from elo_tui.domain import checklists as cl
    from elo_tui.services import checklists, undo

    changes = plan.allowed
    if not changes:
        return []
    scope_ids = {c.scope_id for c in changes}
    with ws.transaction():
        stored = {
            (s.scope_kind, s.scope_id, s.block): s
            for s in ws.list_in(BlockStatus, "scope_id", scope_ids)
        }
        statuses = []
        for c in changes:
            status = stored.get((c.scope_kind, c.scope_id, c.block))
            if status is None:
                status = BlockStatus(scope_kind=c.scope_kind, scope_id=c.scope_id, block=c.block)
            elif status.applicability != UNDECIDED:
                continue  # decided since the preview: a person's choice stays
            status.applicability = c.after
            if c.reason and not status.reason:
                status.reason = c.reason
            statuses.append(status)
        items: dict[tuple[str, str], list] = {}
        for item in ws.list_in(ChecklistItem, "scope_id", scope_ids):
            items.setdefault((item.scope_kind, item.scope_id), []).append(item)
        todo = cl.ChecklistPlan()
        templates = checklists.templates()
        for status in statuses:
            todo.extend(
                cl.plan_scope(
                    templates,
                    scope_kind=status.scope_kind,
                    scope_id=status.scope_id,
                    block=status.block,
                    required=status.applicability == REQUIRED,
                    existing=items.setdefault((status.scope_kind, status.scope_id), []),
                    today=today,
                    target_date=status.target_date,
                )
            )
        undo.label_next(ws, label or f"alle voorstellen overnemen voor {plan.scope_name}")
        ws.save_many([*statuses, *todo.create, *{id(i): i for i in todo.update}.values()])
    return statuses


def new_application_context(
    ws: Workspace, scope_kind: str, scope_id: str, block: str
) -> tuple[bool, bool]:
    """(the scope is or is served by a new application, an accepted exemption covers this
    scope x part): what beslissing 5°'s validation needs."""
    if scope_kind == SCOPE_APPLICATION:
        app_ids: tuple[str, ...] = (scope_id,)
    else:
        product = ws.get(Product, scope_id)
        app_ids = product_application_ids(product) if product else ()
    # Only the scope's own applications decide; all of them (1,000 at 20,000 products,
    # ~25 ms to read) are read only for the overrides, when one of those is new.
    own = [ws.get(Application, a) for a in app_ids]
    if not any(a is not None and not a.deleted and a.is_new for a in own):
        return False, False
    apps = {a.id: a for a in ws.list(Application) if not a.deleted}
    overrides = load_overrides(ws, apps.values())
    scopes = [(scope_kind, scope_id)] + [(SCOPE_APPLICATION, a) for a in app_ids]
    return True, any(has_accepted_exemption(overrides, k, i, block) for k, i in scopes)


def new_application_conflicts(ws: Workspace, application: Application) -> list[BlockStatus]:
    """Statuses of a new application (and of its products) that beslissing 5° does not
    allow without an accepted exemption: 'niet van toepassing' or the forms tool."""
    if not application.is_new:
        return []
    overrides = load_overrides(ws)
    scopes = [(SCOPE_APPLICATION, application.id)]
    scopes += [(SCOPE_PRODUCT, p.id) for p in ws.products_of_application(application.id)]
    out = []
    for kind, scope_id in scopes:
        for st in ws.find(BlockStatus, scope_kind=kind, scope_id=scope_id):
            if st.applicability not in ("not_applicable", "forms_tool"):
                continue
            if has_accepted_exemption(overrides, kind, scope_id, st.block) or (
                kind == SCOPE_PRODUCT
                and has_accepted_exemption(overrides, SCOPE_APPLICATION, application.id, st.block)
            ):
                continue
            out.append(st)
    return out


EDIT_FIELDS = (
    "applicability",
    "reason",
    "stage",
    "target_date",
    "evidence",
    "note",
    "waiting_on_block",
    "waiting_reason",
)


def status_values(status: BlockStatus | None) -> dict[str, Any]:
    """The editable fields of a status (defaults when there is none yet)."""
    return {k: getattr(status or BlockStatus(), k) for k in EDIT_FIELDS}


def forget_scope(ws: Workspace, scope_kind: str, scope_id: str) -> int:
    """When a product or application is deleted: tombstone its block statuses and mark its
    checklist items obsolete (kept, with their notes, like any closed checklist). Call it
    in the same transaction as the delete. Returns how many records changed."""
    from elo_tui.domain.records import ChecklistItem

    changed = 0
    with ws.transaction():
        for status in ws.find(BlockStatus, scope_kind=scope_kind, scope_id=scope_id):
            ws.delete(BlockStatus, status.id)
            changed += 1
        found = ws.find(ChecklistItem, scope_kind=scope_kind, scope_id=scope_id)
        items = [i for i in found if not i.obsolete]
        for item in items:
            item.obsolete = True
        changed += ws.save_many(items) if items else 0
    return changed


# -- history ---------------------------------------------------------------------------------------


def record_snapshot(ws: Workspace, summary: ReadinessSummary) -> bool:
    """Keep today's readiness for the history chart; False when nothing changed today."""
    day = summary.today.isoformat()
    data = summary.snapshot()
    history = ws.history()
    if history and history[-1][0] == day and history[-1][1] == data:
        return False
    ws.record_history(day, data)
    return True


def record_snapshot_apart(ws: Workspace, today: date) -> bool:
    """record_snapshot for a background thread: reads the saved data and writes today's
    entry on a connection of its own (the caller's, and the mapping a screen is editing,
    stay with the UI thread). The summary comes from the readiness store (the edited
    products computed, then summed in SQL); computing it from every product instead,
    when the store cannot be brought up to date, takes seconds of CPU at 20,000.
    One at a time: a later call reads later data, so it also writes last."""
    import sys

    with _snapshot_lock:
        # The UI thread gives up the GIL at every terminal write; with the default 5 ms
        # switch interval it then waits that long to get it back from this thread, many
        # times a frame. A short interval while this runs keeps keys at their pace.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(0.0005)
        own = ws.writer()
        try:
            from elo_tui.services import readiness_store

            return record_snapshot(own, readiness_store.current_summary(own, today))
        finally:
            own.close()
            sys.setswitchinterval(interval)


_snapshot_lock = threading.Lock()


def history_series(ws: Workspace, key: str = "overall_percent", days: int = 90) -> list[float]:
    """The last `days` recorded values of one snapshot figure (for a sparkline)."""
    values = []
    for _day, data in ws.history()[-days:]:
        value = data.get(key)
        values.append(float(value) if isinstance(value, (int, float)) else 0.0)
    return values
