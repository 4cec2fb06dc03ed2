"""Readiness, derived from block statuses and never stored.

Per product: SSO, gericht aanmelden, rechtenbeheer op productniveau and "ELO-conform"
(every block decided, every required block in production or provided by the forms tool).
Per agency: counts and percentages per block and overall, and the products at risk for
the 2027 deadlines. Pure functions over lists of records, so the TUI, `elo-tui report`
and the tracker compute the same thing.

How a product gets its application-level blocks: from its request and follow-up
applications (both, when they differ). The product is only as far as the slower one.

An undecided block is not ready: otherwise an empty workspace would be "100 % conform".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from elo_tui.domain.blocks import (
    APPLICATION_BLOCKS,
    BLOCK_CODES,
    BLOCKS_BY_CODE,
    DEADLINES,
    FORMS_TOOL,
    NOT_APPLICABLE,
    PRODUCT_BLOCKS,
    PRODUCTION,
    REQUIRED,
    SCOPE_APPLICATION,
    SCOPE_PRODUCT,
    STAGES,
    UNDECIDED,
    Deadline,
    days_left,
    deadline_blocks,
    is_done,
    parse_date,
    stage_rank,
)
from elo_tui.domain.records import Application, BlockStatus, Product

StatusKey = tuple[str, str, str]  # (scope_kind, scope_id, block)
StatusIndex = Mapping[StatusKey, BlockStatus]


def index_statuses(statuses: Iterable[BlockStatus]) -> dict[StatusKey, BlockStatus]:
    """Block statuses by (scope kind, scope id, block); tombstones are left out."""
    return {(s.scope_kind, s.scope_id, s.block): s for s in statuses if not s.deleted}


def product_application_ids(product: Product) -> tuple[str, ...]:
    """The distinct applications a product is requested and followed up in."""
    ids = []
    for app_id in (product.request_application_id, product.followup_application_id):
        if app_id and app_id not in ids:
            ids.append(app_id)
    return tuple(ids)


# -- one cell ------------------------------------------------------------------------------


class Cell(NamedTuple):
    """The effective status of one block for one product (a tuple: thousands are made per
    summary, and tuples are the cheapest immutable records in CPython)."""

    applicability: str = UNDECIDED
    stage: str = "not_started"
    target_date: str = ""

    @property
    def done(self) -> bool:
        return is_done(self.applicability, self.stage)

    @property
    def open(self) -> bool:
        """Required and not yet in production."""
        return self.applicability == REQUIRED and self.stage != PRODUCTION

    @property
    def blocking(self) -> bool:
        """Stands between the product and conformity: open or still undecided."""
        a = self.applicability
        return a == UNDECIDED or (a == REQUIRED and self.stage != PRODUCTION)


UNDECIDED_CELL = Cell()


def _cell(status: BlockStatus | None) -> Cell:
    if status is None:
        return UNDECIDED_CELL
    return Cell(status.applicability, status.stage, status.target_date)


def combine_cells(cells: Sequence[Cell]) -> Cell:
    """One cell from the cells of several applications: the product waits for the slowest.

    Order of precedence: an open required block (the least advanced one, with the latest
    target date, or none when one is missing) > undecided > required in production >
    forms tool > not applicable.
    """
    if not cells:
        return UNDECIDED_CELL
    if len(cells) == 1:
        return cells[0]
    open_cells = [c for c in cells if c.open]
    if open_cells:
        slowest = min(open_cells, key=lambda c: stage_rank(c.stage))
        targets = [c.target_date for c in open_cells]
        target = "" if "" in targets else max(targets)
        return Cell(REQUIRED, slowest.stage, target)
    for applicability in (UNDECIDED, REQUIRED, FORMS_TOOL):
        for c in cells:
            if c.applicability == applicability:
                return c
    return cells[0]


def effective_cell(product: Product, block: str, statuses: StatusIndex) -> Cell:
    """Where `block` stands for `product`, reading application blocks from its applications."""
    if block in APPLICATION_BLOCKS:
        return combine_cells(
            [
                _cell(statuses.get((SCOPE_APPLICATION, app_id, block)))
                for app_id in product_application_ids(product)
            ]
        )
    return _cell(statuses.get((SCOPE_PRODUCT, product.id, block)))


def product_cells(
    product: Product, statuses: StatusIndex, memo: dict | None = None
) -> dict[str, Cell]:
    """Every block's cell for one product (the hot path of a summary: kept tight).
    `memo` shares application cells between the products of one application."""
    out: dict[str, Cell] = {}
    app_ids = product_application_ids(product)
    get = statuses.get
    memo = {} if memo is None else memo
    for code in APPLICATION_BLOCKS:
        key = (app_ids, code)
        cell = memo.get(key)
        if cell is None:
            if len(app_ids) == 1:
                cell = _cell(get((SCOPE_APPLICATION, app_ids[0], code)))
            else:
                cell = combine_cells([_cell(get((SCOPE_APPLICATION, a, code))) for a in app_ids])
            memo[key] = cell
        out[code] = cell
    for code in PRODUCT_BLOCKS:
        out[code] = _cell(get((SCOPE_PRODUCT, product.id, code)))
    return out


def count_conform(products: Iterable[Product], statuses: StatusIndex) -> int:
    """How many products are ELO-conform: the same rule as `product_readiness`, without
    the risks and flags (cheap enough to run on every screen load)."""
    memo: dict = {}
    return sum(
        not any(c.blocking for c in product_cells(p, statuses, memo).values())
        for p in products
        if not p.deleted
    )


# -- one product ---------------------------------------------------------------------------


class Risk(NamedTuple):
    """Why a product is at risk for a deadline: one open or undecided block and what is
    wrong with it."""

    block: str
    problem: str  # "undecided" | "no_target" | "target_late" | "target_passed"
    target_date: str = ""

    def describe(self, deadline: Deadline) -> str:
        label = BLOCKS_BY_CODE[self.block].label if self.block in BLOCKS_BY_CODE else self.block
        if self.problem == "undecided":
            return f"{label}: nog niet beslist of deze bouwsteen nodig is"
        if self.problem == "no_target":
            return f"{label}: niet in productie, geen streefdatum"
        if self.problem == "target_passed":
            return f"{label}: streefdatum {self.target_date} voorbij, nog niet in productie"
        return f"{label}: streefdatum {self.target_date} na {deadline.label}"


def block_risk(cell: Cell, block: str, deadline: Deadline, today: date | None) -> Risk | None:
    """A risk when the block is required, not in production and not planned in time, or
    when nobody decided yet whether it is needed (it may well be)."""
    if cell.applicability == UNDECIDED:
        return Risk(block, "undecided")
    if cell.applicability != REQUIRED or cell.stage == PRODUCTION:
        return None
    target = _date(cell.target_date) if cell.target_date else None
    if target is None:
        return Risk(block, "no_target")
    if target > deadline.latest_target:
        return Risk(block, "target_late", cell.target_date)
    if today is not None and target < today:
        return Risk(block, "target_passed", cell.target_date)
    return None


@lru_cache(maxsize=4096)
def _date(text: str) -> date | None:
    """parse_date, remembered: a workspace has few distinct target dates."""
    return parse_date(text)


def _flag(cells: Sequence[Cell]) -> bool | None:
    """True when every applicable cell is done, None when none applies."""
    applicable = [c for c in cells if c.applicability != NOT_APPLICABLE]
    if not applicable:
        return None
    return all(c.done for c in applicable)


@dataclass(slots=True)
class ProductReadiness:
    product_id: str
    cells: dict[str, Cell]
    sso: bool | None  # ACM/IDM done; None = not applicable
    gericht_aanmelden: bool | None
    product_rights: bool | None  # IDM product rights and, where applicable, VMS
    elo_conform: bool
    risks: dict[str, tuple[Risk, ...]]  # deadline key -> open blocks not planned in time

    def at_risk(self, deadline: Deadline) -> bool:
        return bool(self.risks.get(deadline.key))


def product_readiness(
    product: Product,
    statuses: StatusIndex,
    today: date | None = None,
    deadlines: Sequence[Deadline] = DEADLINES,
    memo: dict | None = None,
) -> ProductReadiness:
    """Readiness of one product from the workspace's block statuses (see `index_statuses`);
    `memo` as for `product_cells`, when many products are computed over the same statuses."""
    cells = product_cells(product, statuses, memo)
    risks = {}
    for deadline in deadlines:
        found = []
        for code in deadline_blocks(deadline):
            cell = cells[code]
            if cell.blocking:
                risk = block_risk(cell, code, deadline, today)
                if risk is not None:
                    found.append(risk)
        risks[deadline.key] = tuple(found)
    acm = cells["acm_idm"]
    gericht = cells["gericht_aanmelden"]
    return ProductReadiness(
        product_id=product.id,
        cells=cells,
        sso=None if acm.applicability == NOT_APPLICABLE else acm.done,
        gericht_aanmelden=None if gericht.applicability == NOT_APPLICABLE else gericht.done,
        product_rights=_flag((cells["product_rights"], cells["vms"])),
        elo_conform=not any(c.blocking for c in cells.values()),
        risks=risks,
    )


# -- the agency ----------------------------------------------------------------------------


@dataclass(slots=True)
class BlockSummary:
    """One block over all products (application blocks counted per product they serve)."""

    block: str
    total: int = 0
    undecided: int = 0
    not_applicable: int = 0
    forms_tool: int = 0
    required: int = 0
    stages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    # Application blocks also per application that serves a product and for which the
    # block applies (None for product blocks).
    applications_total: int | None = None
    applications_done: int | None = None

    @property
    def done(self) -> int:
        return self.forms_tool + self.stages[PRODUCTION]

    @property
    def applicable(self) -> int:
        return self.total - self.not_applicable

    @property
    def percent(self) -> float | None:
        return _percent(self.done, self.applicable)

    def to_dict(self) -> dict[str, Any]:
        return {
            "block": self.block,
            "label": BLOCKS_BY_CODE[self.block].label,
            "scope": BLOCKS_BY_CODE[self.block].scope,
            "total": self.total,
            "undecided": self.undecided,
            "not_applicable": self.not_applicable,
            "forms_tool": self.forms_tool,
            "required": self.required,
            "stages": dict(self.stages),
            "done": self.done,
            "applicable": self.applicable,
            "percent": _round(self.percent),
            "applications_total": self.applications_total,
            "applications_done": self.applications_done,
        }


@dataclass(frozen=True, slots=True)
class AtRisk:
    product_id: str
    product_name: str
    risks: tuple[Risk, ...]


@dataclass(frozen=True, slots=True)
class FlagCount:
    yes: int = 0
    no: int = 0
    not_applicable: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"yes": self.yes, "no": self.no, "not_applicable": self.not_applicable}


@dataclass(slots=True)
class ReadinessSummary:
    """What the dashboard, `elo-tui report` and the tracker show for one agency."""

    today: date
    products_total: int
    elo_conform: int
    blocks: list[BlockSummary]
    sso: FlagCount
    gericht_aanmelden: FlagCount
    product_rights: FlagCount
    at_risk: dict[str, list[AtRisk]]  # deadline key -> products
    days_left: dict[str, int]  # deadline key -> days
    products: dict[str, ProductReadiness] = field(default_factory=dict, repr=False)

    @property
    def elo_conform_percent(self) -> float | None:
        return _percent(self.elo_conform, self.products_total)

    @property
    def overall_done(self) -> int:
        return sum(b.done for b in self.blocks)

    @property
    def overall_applicable(self) -> int:
        return sum(b.applicable for b in self.blocks)

    @property
    def overall_percent(self) -> float | None:
        return _percent(self.overall_done, self.overall_applicable)

    @property
    def undecided(self) -> int:
        return sum(b.undecided for b in self.blocks)

    def block(self, code: str) -> BlockSummary:
        return next(b for b in self.blocks if b.block == code)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; the shape `elo-tui report --json` prints."""
        return {
            "today": self.today.isoformat(),
            "products_total": self.products_total,
            "elo_conform": self.elo_conform,
            "elo_conform_percent": _round(self.elo_conform_percent),
            "overall": {
                "done": self.overall_done,
                "applicable": self.overall_applicable,
                "percent": _round(self.overall_percent),
                "undecided": self.undecided,
            },
            "sso": self.sso.to_dict(),
            "gericht_aanmelden": self.gericht_aanmelden.to_dict(),
            "product_rights": self.product_rights.to_dict(),
            "blocks": [b.to_dict() for b in self.blocks],
            "deadlines": [
                {
                    "deadline": d.key,
                    "label": d.label,
                    "days_left": self.days_left[d.key],
                    "blocks": list(deadline_blocks(d)),
                    "at_risk": [
                        {
                            "product_id": r.product_id,
                            "product": r.product_name,
                            "risks": [
                                {
                                    "block": x.block,
                                    "problem": x.problem,
                                    "target_date": x.target_date,
                                    "text": x.describe(d),
                                }
                                for x in r.risks
                            ],
                        }
                        for r in self.at_risk.get(d.key, [])
                    ],
                }
                for d in DEADLINES
                if d.key in self.days_left
            ],
        }

    def snapshot(self) -> dict[str, Any]:
        """The small daily record kept for the dashboard's history chart."""
        return {
            "products": self.products_total,
            "elo_conform": self.elo_conform,
            "overall_percent": _round(self.overall_percent),
            "blocks": {b.block: _round(b.percent) for b in self.blocks},
            "at_risk": {k: len(v) for k, v in self.at_risk.items()},
        }


def _percent(part: int, whole: int) -> float | None:
    return None if whole <= 0 else 100.0 * part / whole


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _count_flag(values: Iterable[bool | None]) -> FlagCount:
    yes = no = na = 0
    for v in values:
        if v is None:
            na += 1
        elif v:
            yes += 1
        else:
            no += 1
    return FlagCount(yes, no, na)


def summarize(
    products: Sequence[Product],
    applications: Sequence[Application],
    block_statuses: Iterable[BlockStatus],
    today: date,
    deadlines: Sequence[Deadline] = DEADLINES,
    *,
    cache: dict[str, ProductReadiness] | None = None,
) -> ReadinessSummary:
    """Readiness of an agency: per block, overall, ELO-conform and the products at risk.

    Tombstoned records are ignored. Application blocks are counted per product (the unit
    ELO lists) and, in `applications_*`, per application that serves at least one product.
    `cache` (product id -> readiness computed for the same statuses, `today` and
    deadlines) is used and filled, so a screen that keeps one recomputes only what changed.
    """
    live = [p for p in products if not p.deleted]
    statuses = index_statuses(block_statuses)
    blocks = {code: BlockSummary(code) for code in BLOCK_CODES}
    per_product: dict[str, ProductReadiness] = {}
    at_risk: dict[str, list[AtRisk]] = {d.key: [] for d in deadlines}
    memo: dict = {}

    for product in live:
        readiness = cache.get(product.id) if cache is not None else None
        if readiness is None:
            readiness = product_readiness(product, statuses, today, deadlines, memo)
            if cache is not None:
                cache[product.id] = readiness
        per_product[product.id] = readiness
        for code, cell in readiness.cells.items():
            summary = blocks[code]
            summary.total += 1
            if cell.applicability == REQUIRED:
                summary.required += 1
                summary.stages[cell.stage if cell.stage in summary.stages else STAGES[0]] += 1
            elif cell.applicability == NOT_APPLICABLE:
                summary.not_applicable += 1
            elif cell.applicability == FORMS_TOOL:
                summary.forms_tool += 1
            else:
                summary.undecided += 1
        for d in deadlines:
            if readiness.risks.get(d.key):
                at_risk[d.key].append(AtRisk(product.id, product.name, readiness.risks[d.key]))

    # Application blocks per application: only applications that serve a live product.
    app_ids = {a.id for a in applications if not a.deleted}
    served = sorted({i for p in live for i in product_application_ids(p)} & app_ids)
    for code in APPLICATION_BLOCKS:
        cells = [_cell(statuses.get((SCOPE_APPLICATION, app_id, code))) for app_id in served]
        applicable = [c for c in cells if c.applicability != NOT_APPLICABLE]
        blocks[code].applications_total = len(applicable)
        blocks[code].applications_done = sum(c.done for c in applicable)

    for items in at_risk.values():
        items.sort(key=lambda r: (-len(r.risks), r.product_name.casefold()))
    return ReadinessSummary(
        today=today,
        products_total=len(live),
        elo_conform=sum(r.elo_conform for r in per_product.values()),
        blocks=[blocks[code] for code in BLOCK_CODES],
        sso=_count_flag(r.sso for r in per_product.values()),
        gericht_aanmelden=_count_flag(r.gericht_aanmelden for r in per_product.values()),
        product_rights=_count_flag(r.product_rights for r in per_product.values()),
        at_risk=at_risk,
        days_left={d.key: days_left(today, d) for d in deadlines},
        products=per_product,
    )
