"""Readiness, derived from block statuses and never stored.

Blocks are not requirements (VR 2025 1212 DOC.1191/1BIS): block *parts* are integrated
(domain/blocks.py); the requirements SSO, gericht aanmelden and rechtenbeheer op
productniveau are results realised with them. Per product: the three requirements and
"ELO-conform" (blocks.ELO_CONFORM_DEFINITION), self-declared and centrally verified.
Per agency: counts and percentages per block part, and the "producten met risico op
vertraging" per milestone, counted separately: 30 June 2027 (binding) and 1 January 2027
(admission on ELO, applied as the workspace's reading). Accepted exemptions are neither
conform nor late; accepted delays move the date a part is measured against; products of
excluded applications are left out of totals and risks. Pure functions over lists of
records, so the TUI, `elo-tui report` and the tracker compute the same thing.

How a product gets its application-level blocks: from its request and follow-up
applications (both, when they differ). The product is only as far as the slower one.

An undecided block is not ready: otherwise an empty workspace would be "100 % conform".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from elo_tui.domain.blocks import (
    APPLICATION_BLOCKS,
    BLOCK_CODES,
    BLOCKS_BY_CODE,
    CONDITIONAL_PARTS,
    DEADLINE_JAN_2027,
    DEADLINE_JUN_2027,
    DEADLINES,
    DEFAULT_ADMISSION_READING,
    FORMS_TOOL,
    NOT_APPLICABLE,
    PRODUCT_BLOCKS,
    PRODUCTION,
    REQUIRED,
    REQUIREMENTS,
    REQUIREMENTS_NEEDING,
    SCOPE_APPLICATION,
    SCOPE_PRODUCT,
    STAGES,
    UNDECIDED,
    Deadline,
    admission_applies,
    admission_label,
    days_left,
    deadline_blocks,
    is_done,
    parse_date,
    stage_rank,
)
from elo_tui.domain.decisions import Overrides
from elo_tui.domain.records import Application, BlockStatus, Product

NO_OVERRIDES = Overrides()

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
    """The effective status of one block part for one product (a tuple: thousands are made
    per summary, and tuples are the cheapest immutable records in CPython)."""

    applicability: str = UNDECIDED
    stage: str = "not_started"
    target_date: str = ""
    exempt: bool = False  # an accepted exemption covers it: neither conform nor late
    delayed_to: str = ""  # an accepted delay: the date it is measured against instead
    original_date: str = ""  # the date the accepted delay moved
    waiting: bool = False  # "wacht op bouwsteen"
    verified: bool = False  # verified by the central follow-up

    @property
    def done(self) -> bool:
        return not self.exempt and is_done(self.applicability, self.stage)

    @property
    def open(self) -> bool:
        """Required (or planned via the forms tool) and not yet in production."""
        return (
            not self.exempt
            and self.applicability in (REQUIRED, FORMS_TOOL)
            and self.stage != PRODUCTION
        )

    @property
    def blocking(self) -> bool:
        """Stands between the product and conformity: open or still undecided."""
        if self.exempt:
            return False
        a = self.applicability
        return a == UNDECIDED or (a in (REQUIRED, FORMS_TOOL) and self.stage != PRODUCTION)

    @property
    def applicable(self) -> bool:
        return self.applicability != NOT_APPLICABLE


UNDECIDED_CELL = Cell()
_new_tuple = tuple.__new__


def cell_of(status: BlockStatus | None) -> Cell:
    if status is None:
        return UNDECIDED_CELL
    # tuple.__new__ with every field in order: what Cell(...) makes, without its Python-level
    # __new__ (called ~70,000 times per summary at 20,000 products).
    return _new_tuple(
        Cell,
        (
            status.applicability,
            status.stage,
            status.target_date,
            False,
            "",
            "",
            bool(status.waiting_on_block),
            bool(status.verified_central),
        ),
    )


def combine_cells(cells: Sequence[Cell]) -> Cell:
    """One cell from the cells of several applications: the product waits for the slowest.

    Order of precedence: an open block (the least advanced one, with the latest target
    date, or none when one is missing) > undecided > exempted > in production > not
    applicable.
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
        delays = [c.delayed_to for c in open_cells]
        delayed_to = "" if "" in delays else min(delays)
        original = next((c.original_date for c in open_cells if c.delayed_to == delayed_to), "")
        return Cell(
            slowest.applicability,
            slowest.stage,
            target,
            delayed_to=delayed_to,
            original_date=original if delayed_to else "",
            waiting=any(c.waiting for c in open_cells),
        )
    verified = all(c.verified for c in cells if c.applicable)
    for c in cells:
        if c.applicability == UNDECIDED and not c.exempt:
            return c
    for c in cells:
        if c.exempt:
            return c
    for applicability in (REQUIRED, FORMS_TOOL):
        for c in cells:
            if c.applicability == applicability:
                return c._replace(verified=verified)
    return cells[0]


def apply_overrides(cell: Cell, overrides: Overrides, scopes: Sequence[tuple[str, str]], code: str):
    """Apply accepted exemptions and delays of these scopes to one part's cell."""
    if not overrides.exempt and not overrides.delays:
        return cell
    exempt = overrides.exempt
    needing = REQUIREMENTS_NEEDING.get(code, ())
    if any((kind, scope_id, code) in exempt for kind, scope_id in scopes) or (
        needing
        and all(any((kind, scope_id, r) in exempt for kind, scope_id in scopes) for r in needing)
    ):
        return cell._replace(exempt=True)
    subjects = [code, *needing]
    best = None
    for kind, scope_id in scopes:
        for subject in subjects:
            d = overrides.delays.get((kind, scope_id, subject))
            if d is not None and (best is None or d.new_date > best.new_date):
                best = d
    if best is not None:
        return cell._replace(
            delayed_to=best.new_date, original_date=best.original_date or DEADLINE_JUN_2027.iso
        )
    return cell


def required_from_the_start(cell: Cell, code: str) -> Cell:
    """Beslissing 5°: a new (or fundamentally renewed) application implements every
    essential block "vanaf de start": a "niet van toepassing" or forms-tool route recorded
    for it counts as required unless an accepted exemption covers it (then the cell is
    already exempt). The form refuses such a choice; this covers parts recorded before the
    application was marked new."""
    if cell.exempt or cell.applicability not in (NOT_APPLICABLE, FORMS_TOOL):
        return cell
    if code in CONDITIONAL_PARTS and cell.applicability == NOT_APPLICABLE:
        return cell  # "Toelatingen indien van toepassing" (beslissing 3°)
    return cell._replace(applicability=REQUIRED)


def is_excluded(product: Product, overrides: Overrides) -> str | None:
    """The exclusion reason when one of the product's applications is "in onderling
    overleg buiten beschouwing gelaten" (None when the product counts)."""
    if not overrides.excluded_apps:
        return None
    for app_id in product_application_ids(product):
        if app_id in overrides.excluded_apps:
            return overrides.excluded_apps[app_id]
    return None


def effective_cell(
    product: Product, block: str, statuses: StatusIndex, overrides: Overrides = NO_OVERRIDES
) -> Cell:
    """Where `block` stands for `product`, reading application blocks from its applications."""
    return product_cells(product, statuses, None, overrides)[block]


def product_cells(
    product: Product,
    statuses: StatusIndex,
    memo: dict | None = None,
    overrides: Overrides = NO_OVERRIDES,
) -> dict[str, Cell]:
    """Every block part's cell for one product (the hot path of a summary: kept tight).
    `memo` shares application cells between the products of one application."""
    out: dict[str, Cell] = {}
    app_ids = product_application_ids(product)
    get = statuses.get
    memo = {} if memo is None else memo
    new_apps = overrides.new_apps
    for code in APPLICATION_BLOCKS:
        key = (app_ids, code)
        cell = memo.get(key)
        if cell is None:
            cells = [
                apply_overrides(
                    cell_of(get((SCOPE_APPLICATION, a, code))),
                    overrides,
                    [(SCOPE_APPLICATION, a)],
                    code,
                )
                for a in app_ids
            ]
            if new_apps:
                cells = [
                    required_from_the_start(c, code) if a in new_apps else c
                    for a, c in zip(app_ids, cells, strict=True)
                ]
            cell = cells[0] if len(cells) == 1 else combine_cells(cells)
            memo[key] = cell
        out[code] = apply_overrides(cell, overrides, [(SCOPE_PRODUCT, product.id)], code)
    app_scopes = [(SCOPE_APPLICATION, a) for a in app_ids]
    of_new_app = bool(new_apps) and any(a in new_apps for a in app_ids)
    for code in PRODUCT_BLOCKS:
        cell = apply_overrides(
            cell_of(get((SCOPE_PRODUCT, product.id, code))),
            overrides,
            [(SCOPE_PRODUCT, product.id), *app_scopes],
            code,
        )
        out[code] = required_from_the_start(cell, code) if of_new_app else cell
    return out


def is_conform(product: Product, cells: Mapping[str, Cell]) -> bool:
    """ELO-conform as self-declared (blocks.ELO_CONFORM_DEFINITION): requested and followed
    up via ELO, every applicable part in production, none exempted or undecided."""
    if product.on_elo != "both":
        return False
    if not all(c.done or c.applicability == NOT_APPLICABLE for c in cells.values()):
        return False
    # Beslissing 1° and 2°: single sign-on, gericht aanmelden and rechtenbeheer op
    # productniveau are realised, "behoudens gegronde redenen" (an accepted exemption, which
    # is never conform): "niet van toepassing" on all their parts does not make them met.
    return all(requirement_state(cells, r.parts) == MET for r in REQUIREMENTS)


def is_verified(cells: Mapping[str, Cell]) -> bool:
    """Every applicable part's status is verified by the central follow-up."""
    return all(c.verified for c in cells.values() if c.applicable)


def count_conform(
    products: Iterable[Product], statuses: StatusIndex, overrides: Overrides = NO_OVERRIDES
) -> int:
    """How many products are ELO-conform: the same rule as `product_readiness`, without
    the risks and flags (cheap enough to run on every screen load)."""
    memo: dict = {}
    return sum(
        is_conform(p, product_cells(p, statuses, memo, overrides))
        for p in products
        if not p.deleted and is_excluded(p, overrides) is None
    )


# -- one product ---------------------------------------------------------------------------


class Risk(NamedTuple):
    """Why a product is at risk for a milestone: one open or undecided part and what is
    wrong with it."""

    block: str
    problem: str  # "undecided" | "no_target" | "target_late" | "target_passed"
    target_date: str = ""
    waiting: bool = False  # "wacht op bouwsteen": the delay is caused by that dependency
    delayed_to: str = ""  # an accepted delay: measured against this date

    def describe(self, deadline: Deadline) -> str:
        label = BLOCKS_BY_CODE[self.block].label if self.block in BLOCKS_BY_CODE else self.block
        wait = " (wacht op bouwsteen)" if self.waiting else ""
        if self.problem == "undecided":
            return f"{label}: nog niet beslist of deze bouwsteen nodig is"
        if self.problem == "no_target":
            return f"{label}: niet in productie, geen streefdatum{wait}"
        if self.problem == "target_passed":
            return f"{label}: streefdatum {self.target_date} voorbij, nog niet in productie{wait}"
        if not deadline.binding:
            return (
                f"{label}: streefdatum {self.target_date} na {DEADLINE_JAN_2027.day:%d/%m/%Y}: "
                f"nog niet op te nemen op e-loketondernemers (interpretatie){wait}"
            )
        if self.delayed_to:
            return (
                f"{label}: streefdatum {self.target_date} na de aanvaarde vertraging tot "
                f"{self.delayed_to}{wait}"
            )
        return f"{label}: streefdatum {self.target_date} na {deadline.label}{wait}"


def block_risk(cell: Cell, block: str, deadline: Deadline, today: date | None) -> Risk | None:
    """A risk when the part is required (or planned via the forms tool), not in production
    and not planned in time, or when nobody decided yet whether it is needed. An accepted
    exemption is never a risk; an accepted delay moves the binding date."""
    if cell.exempt:
        return None
    if cell.applicability == UNDECIDED:
        return Risk(block, "undecided", waiting=cell.waiting)
    if cell.applicability not in (REQUIRED, FORMS_TOOL) or cell.stage == PRODUCTION:
        return None
    target = _date(cell.target_date) if cell.target_date else None
    if target is None:
        return Risk(block, "no_target", waiting=cell.waiting)
    latest = deadline.latest_target
    delayed_to = ""
    if deadline.binding and cell.delayed_to:
        moved = _date(cell.delayed_to)
        if moved is not None and moved > latest:
            latest, delayed_to = moved, cell.delayed_to
    if target > latest:
        return Risk(block, "target_late", cell.target_date, cell.waiting, delayed_to)
    if today is not None and target < today:
        return Risk(block, "target_passed", cell.target_date, cell.waiting, delayed_to)
    return None


@lru_cache(maxsize=4096)
def _date(text: str) -> date | None:
    """parse_date, remembered: a workspace has few distinct target dates."""
    return parse_date(text)


MET, OPEN, EXEMPT, NOT_APPLICABLE_REQ = "met", "open", "exempt", "not_applicable"
REQUIREMENT_STATES: dict[str, str] = {
    MET: "gerealiseerd",
    OPEN: "nog niet",
    EXEMPT: "aanvaarde uitzondering",
    NOT_APPLICABLE_REQ: "niet van toepassing",
}


def requirement_state(cells: Mapping[str, Cell], parts: Sequence[str]) -> str:
    """Met when every applicable part is in production; exempt when the rest is covered
    by an accepted exemption; not applicable when no part applies."""
    applicable = [cells[c] for c in parts if cells[c].applicable]
    if not applicable:
        return NOT_APPLICABLE_REQ
    if any(not c.done and not c.exempt for c in applicable):
        return OPEN
    return EXEMPT if any(c.exempt for c in applicable) else MET


def _flag(state: str) -> bool | None:
    return None if state in (NOT_APPLICABLE_REQ, EXEMPT) else state == MET


@dataclass(slots=True)
class ProductReadiness:
    product_id: str
    cells: dict[str, Cell]
    requirements: dict[str, str]  # requirement code -> MET | OPEN | EXEMPT | NOT_APPLICABLE
    elo_conform: bool  # self-declared
    verified: bool  # conform and every applicable part verified centrally
    exempt: bool  # an accepted exemption covers one of its parts: neither conform nor late
    risks: dict[str, tuple[Risk, ...]]  # milestone key -> parts not planned in time
    excluded: str | None = None  # exclusion reason of its application

    @property
    def sso(self) -> bool | None:
        return _flag(self.requirements["sso"])

    @property
    def gericht_aanmelden(self) -> bool | None:
        return _flag(self.requirements["gericht_aanmelden"])

    @property
    def product_rights(self) -> bool | None:
        return _flag(self.requirements["product_rights"])

    @property
    def waiting(self) -> bool:
        return any(c.waiting and c.blocking for c in self.cells.values())

    def at_risk(self, deadline: Deadline) -> bool:
        return bool(self.risks.get(deadline.key))


def product_readiness(
    product: Product,
    statuses: StatusIndex,
    today: date | None = None,
    deadlines: Sequence[Deadline] = DEADLINES,
    memo: dict | None = None,
    overrides: Overrides = NO_OVERRIDES,
    reading: str = DEFAULT_ADMISSION_READING,
) -> ProductReadiness:
    """Readiness of one product from the workspace's block statuses (see `index_statuses`);
    `memo` as for `product_cells`, when many products are computed over the same statuses.
    `reading` is the applied reading of the admission milestone (blocks.ADMISSION_READINGS)."""
    cells = product_cells(product, statuses, memo, overrides)
    excluded = is_excluded(product, overrides)
    risks = {}
    for deadline in deadlines:
        found = []
        applies = deadline.binding or admission_applies(reading, product.on_elo)
        if excluded is None and applies:
            for code in deadline_blocks(deadline):
                cell = cells[code]
                if cell.blocking:
                    risk = block_risk(cell, code, deadline, today)
                    if risk is not None:
                        found.append(risk)
        risks[deadline.key] = tuple(found)
    conform = is_conform(product, cells)
    return ProductReadiness(
        product_id=product.id,
        cells=cells,
        requirements={r.code: requirement_state(cells, r.parts) for r in REQUIREMENTS},
        elo_conform=conform,
        verified=conform and is_verified(cells),
        exempt=any(c.exempt for c in cells.values()),
        risks=risks,
        excluded=excluded,
    )


# Requirements whose parts are all of one scope: a product's state of it follows from that
# scope's cells alone (true of every requirement today; `SharedReadiness` relies on it).
_ONE_SCOPE = all(
    set(r.parts) <= set(APPLICATION_BLOCKS) or set(r.parts) <= set(PRODUCT_BLOCKS)
    for r in REQUIREMENTS
)

# Subjects of an exemption or delay that apply_overrides reads for a product part.
_OF_PRODUCT = frozenset(
    [*PRODUCT_BLOCKS, *(r for code in PRODUCT_BLOCKS for r in REQUIREMENTS_NEEDING.get(code, ()))]
)


class _Side:
    """The application or the product side of a product's cells (the parts of that scope)
    and what `product_readiness` derives from them alone."""

    __slots__ = (
        "cells",
        "done_or_na",
        "exempt",
        "excluded",
        "n",
        "requirement_id",
        "requirements",
        "risk_list",
        "risks",
        "verified",
    )

    def __init__(
        self,
        cells: dict[str, Cell],
        today: date | None,
        deadlines: Sequence[Deadline],
        ids: dict[tuple, int],
        excluded: str | None = None,
    ) -> None:
        self.cells = cells
        self.excluded = excluded
        self.n = 0  # products counted with it (SharedReadiness.tally)
        self.done_or_na = all(c.done or c.applicability == NOT_APPLICABLE for c in cells.values())
        self.verified = all(c.verified for c in cells.values() if c.applicable)
        self.exempt = any(c.exempt for c in cells.values())
        self.requirements = tuple(
            (r.code, requirement_state(cells, r.parts)) for r in REQUIREMENTS if r.parts[0] in cells
        )
        # Equal states and equal risks get one number (`ids`, shared by the sides): a
        # product's requirements and risks are looked up by the numbers of its two sides.
        self.requirement_id = ids.setdefault(self.requirements, len(ids))
        found = []
        for deadline in deadlines:
            for i, code in enumerate(deadline_blocks(deadline)):
                cell = cells.get(code)  # this side's parts that the milestone measures
                if cell is not None and cell.blocking:
                    risk = block_risk(cell, code, deadline, today)
                    if risk is not None:
                        found.append((deadline.key, i, risk))
        self.risk_list = tuple(found)
        self.risks = ids.setdefault(("risks", self.risk_list), len(ids))


class SharedReadiness:
    """`product_readiness` with its other arguments fixed, for many products, computing
    what repeats once: the application cells per (request, follow-up) application, the
    product cells per distinct value, and the requirements and risks per distinct
    combination of both. At 20,000 products ~1,000 application and ~200 product sides
    combine into ~18,000 products' readiness; the results are equal to
    `product_readiness` (tests/test_readiness_shared.py compares them field by field).

    What a product's readiness reads of the product: its applications (their cells, the
    exclusion, the new-application rule), `on_elo` (conformity, the admission reading)
    and its own block statuses. Its id only names its statuses and product-scope
    exemptions and delays: a product that has one is computed alone, as are the products
    of a new application or of one with an exemption or delay of a product part (or of a
    requirement needing one): their product cells depend on it. Products with equal
    requirements or risks share the dict and the tuples (never mutated: a ProductReadiness
    is read by the screens, the store and the summary)."""

    def __init__(
        self,
        statuses: StatusIndex,
        today: date | None = None,
        deadlines: Sequence[Deadline] = DEADLINES,
        overrides: Overrides = NO_OVERRIDES,
        reading: str = DEFAULT_ADMISSION_READING,
    ) -> None:
        self.statuses, self.today, self.deadlines = statuses, today, deadlines
        self.overrides, self.reading = overrides, reading
        self.memo: dict = {}  # product_cells' application cells
        alone = {i for kind, i, _s in overrides.exempt if kind == SCOPE_PRODUCT}
        alone.update(i for kind, i, _s in overrides.delays if kind == SCOPE_PRODUCT)
        self._alone = alone
        # Applications whose exemptions, delays or newness change their products' own
        # parts (apply_overrides reads a part's code and the requirements needing it).
        touched = {
            i for kind, i, s in overrides.exempt if kind == SCOPE_APPLICATION and s in _OF_PRODUCT
        }
        touched.update(
            i for kind, i, s in overrides.delays if kind == SCOPE_APPLICATION and s in _OF_PRODUCT
        )
        touched.update(overrides.new_apps)
        self._touched = touched
        self._apps: dict[tuple[str, str], _Side] = {}
        self._products: dict[tuple[Cell, ...], _Side] = {}
        self._ids: dict[tuple, int] = {}
        self._requirements: dict[tuple[int, int], tuple[dict[str, str], bool]] = {}
        self._risks: dict[tuple, dict[str, tuple[Risk, ...]]] = {}
        self._applies: dict[str, tuple[bool, ...]] = {}  # on_elo -> milestones concerning it
        self._made: dict[int, tuple[dict[str, Cell], _Side, _Side]] = {}
        self._alone_cells: list[dict[str, Cell]] = []

    def _computed_alone(self, product: Product) -> ProductReadiness:
        return product_readiness(
            product,
            self.statuses,
            self.today,
            self.deadlines,
            self.memo,
            self.overrides,
            self.reading,
        )

    def __call__(self, product: Product) -> ProductReadiness:
        pid = product.id
        request, followup = product.request_application_id, product.followup_application_id
        touched = self._touched
        if (
            not _ONE_SCOPE
            or pid in self._alone
            or (touched and (request in touched or followup in touched))
        ):
            return self._computed_alone(product)
        app = self._apps.get((request, followup))
        if app is None:
            cells = product_cells(product, self.statuses, self.memo, self.overrides)
            app = self._apps[request, followup] = _Side(
                {code: cells[code] for code in APPLICATION_BLOCKS},
                self.today,
                self.deadlines,
                self._ids,
                is_excluded(product, self.overrides),
            )
        get = self.statuses.get
        # product_cells' product parts when no override concerns them: the plain cells.
        key = tuple([cell_of(get((SCOPE_PRODUCT, pid, code))) for code in PRODUCT_BLOCKS])
        side = self._products.get(key)
        if side is None:
            side = self._products[key] = _Side(
                dict(zip(PRODUCT_BLOCKS, key, strict=True)),
                self.today,
                self.deadlines,
                self._ids,
            )
        reqs = self._requirements.get((app.requirement_id, side.requirement_id))
        if reqs is None:
            states = dict(app.requirements + side.requirements)
            in_order = {r.code: states[r.code] for r in REQUIREMENTS}
            reqs = self._requirements[app.requirement_id, side.requirement_id] = (
                in_order,
                all(v == MET for v in in_order.values()),
            )
        on_elo = product.on_elo
        applies = self._applies.get(on_elo)
        if applies is None:
            applies = self._applies[on_elo] = tuple(
                d.binding or admission_applies(self.reading, on_elo) for d in self.deadlines
            )
        risk_key = (app.risks, side.risks, applies if app.excluded is None else None)
        risks = self._risks.get(risk_key)
        if risks is None:
            risks = self._risks[risk_key] = self._merged_risks(app, side, applies)
        # ELO-conform (is_conform) and verified (is_verified) from both sides' facts.
        conform = on_elo == "both" and reqs[1] and app.done_or_na and side.done_or_na
        cells = {**app.cells, **side.cells}
        self._made[id(cells)] = (cells, app, side)
        return ProductReadiness(
            pid,
            cells,
            reqs[0],
            conform,
            conform and app.verified and side.verified,
            app.exempt or side.exempt,
            risks,
            app.excluded,
        )

    def _merged_risks(
        self, app: _Side, side: _Side, applies: tuple[bool, ...]
    ) -> dict[str, tuple[Risk, ...]]:
        """product_readiness's risks: per milestone, both sides' risks in the order of its
        block parts (none when excluded or when the milestone does not concern it)."""
        both = sorted(app.risk_list + side.risk_list, key=lambda found: found[1])
        return {
            d.key: tuple(risk for key, _i, risk in both if key == d.key)
            if app.excluded is None and concerned
            else ()
            for d, concerned in zip(self.deadlines, applies, strict=True)
        }

    def tally(self, readiness: ProductReadiness) -> None:
        """Count one product's cells into `count_into` (by its sides when made here).
        (Let go of here: a summary that keeps no products then holds no cells either.)"""
        made = self._made.pop(id(readiness.cells), None)
        if made is not None and made[0] is readiness.cells:
            made[1].n += 1
            made[2].n += 1
        else:
            self._alone_cells.append(readiness.cells)

    def count_into(self, blocks: Mapping[str, BlockSummary]) -> None:
        """Add the tallied cells to the block summaries, as `summarize` counts a cell."""
        weighted = [(side.cells, side.n) for side in self._apps.values() if side.n]
        weighted += [(side.cells, side.n) for side in self._products.values() if side.n]
        weighted += [(cells, 1) for cells in self._alone_cells]
        for cells, n in weighted:
            for code, cell in cells.items():
                _count_cell(blocks[code], cell, n)


# -- the agency ----------------------------------------------------------------------------


@dataclass(slots=True)
class BlockSummary:
    """One block part over all products (application parts counted per product they serve)."""

    block: str
    total: int = 0
    undecided: int = 0
    not_applicable: int = 0
    forms_tool: int = 0  # planned via the formulieren- en opvolgingstool
    forms_tool_done: int = 0  # of which the route is in production
    required: int = 0
    exempt: int = 0  # accepted exemptions: neither done nor open
    waiting: int = 0  # open and "wacht op bouwsteen"
    stages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    # Application parts also per application that serves a product and for which the
    # part applies (None for product parts).
    applications_total: int | None = None
    applications_done: int | None = None

    @property
    def done(self) -> int:
        return self.forms_tool_done + self.stages[PRODUCTION]

    @property
    def applicable(self) -> int:
        return self.total - self.not_applicable - self.exempt

    @property
    def percent(self) -> float | None:
        return _percent(self.done, self.applicable)

    def to_dict(self) -> dict[str, Any]:
        info = BLOCKS_BY_CODE[self.block]
        return {
            "block": self.block,
            "label": info.label,
            "pair": info.pair,
            "scope": info.scope,
            "deadline": info.deadline.iso,
            "total": self.total,
            "undecided": self.undecided,
            "not_applicable": self.not_applicable,
            "forms_tool": self.forms_tool,
            "forms_tool_done": self.forms_tool_done,
            "required": self.required,
            "exempt": self.exempt,
            "waiting_on_block": self.waiting,
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

    @property
    def waiting(self) -> bool:
        return any(r.waiting for r in self.risks)


@dataclass(frozen=True, slots=True)
class FlagCount:
    yes: int = 0
    no: int = 0
    not_applicable: int = 0
    exempt: int = 0

    def to_dict(self) -> dict[str, int]:
        return {
            "yes": self.yes,
            "no": self.no,
            "not_applicable": self.not_applicable,
            "exempt": self.exempt,
        }


@dataclass(frozen=True, slots=True)
class Excluded:
    product_id: str
    product_name: str
    reason: str


@dataclass(slots=True)
class ReadinessSummary:
    """What the dashboard, `elo-tui report` and the tracker show for one agency."""

    today: date
    products_total: int  # excluded products not counted
    elo_conform: int  # self-declared
    blocks: list[BlockSummary]
    sso: FlagCount
    gericht_aanmelden: FlagCount
    product_rights: FlagCount
    # milestone key -> producten met risico op vertraging (a StoredRisks when cached)
    at_risk: Mapping[str, Sequence[AtRisk]]
    days_left: dict[str, int]  # milestone key -> days
    products: dict[str, ProductReadiness] = field(default_factory=dict, repr=False)
    elo_conform_verified: int = 0  # centraal gecontroleerd
    exempt_products: int = 0  # with an accepted exemption: neither conform nor late
    excluded: list[Excluded] = field(default_factory=list)
    reading: str = DEFAULT_ADMISSION_READING
    # milestone key -> how many of its products at risk wait on a block, counted as they
    # were found (a spooled list is then not read for it); missing: counted when asked.
    # (Derived from `at_risk`: not compared.)
    waiting_counts: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

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

    def requirement(self, code: str) -> FlagCount:
        return {
            "sso": self.sso,
            "gericht_aanmelden": self.gericht_aanmelden,
            "product_rights": self.product_rights,
        }[code]

    def waiting_at_risk(self, key: str = DEADLINE_JUN_2027.key) -> int:
        """Products with risico op vertraging for a milestone because of "wacht op
        bouwsteen" (its own cause of delay)."""
        if key in self.waiting_counts:
            return self.waiting_counts[key]
        items = self.at_risk.get(key, [])
        if isinstance(items, StoredRisks):
            return items.waiting_count  # counted when it was computed
        return sum(r.waiting for r in items)

    def block(self, code: str) -> BlockSummary:
        return next(b for b in self.blocks if b.block == code)

    def milestone_label(self, deadline: Deadline) -> str:
        return deadline.label if deadline.binding else admission_label(self.reading)

    def to_dict(
        self, *, collect: Callable[[Iterable[dict[str, Any]]], Sequence[dict[str, Any]]] = list
    ) -> dict[str, Any]:
        """JSON-ready; the shape `elo-tui report --json` prints. `collect` keeps each
        milestone's products at risk, made one by one (a spooled list: an export's)."""
        from elo_tui.domain.blocks import (
            ADMISSION_QUOTE,
            ADMISSION_READINGS,
            DEADLINE_QUOTE,
            ELO_CONFORM_DEFINITION,
        )

        return {
            "today": self.today.isoformat(),
            "products_total": self.products_total,
            "elo_conform": self.elo_conform,
            "elo_conform_self_declared": self.elo_conform,
            "elo_conform_verified_central": self.elo_conform_verified,
            "elo_conform_percent": _round(self.elo_conform_percent),
            "elo_conform_definition": ELO_CONFORM_DEFINITION,
            "elo_conform_source": DEADLINE_QUOTE,
            "exempt_products": self.exempt_products,
            "excluded": [
                {"product_id": e.product_id, "product": e.product_name, "reason": e.reason}
                for e in self.excluded
            ],
            "overall": {
                "done": self.overall_done,
                "applicable": self.overall_applicable,
                "percent": _round(self.overall_percent),
                "undecided": self.undecided,
            },
            "requirements": [
                {
                    "requirement": r.code,
                    "label": r.label,
                    "parts": list(r.parts),
                    **self.requirement(r.code).to_dict(),
                }
                for r in REQUIREMENTS
            ],
            "sso": self.sso.to_dict(),
            "gericht_aanmelden": self.gericht_aanmelden.to_dict(),
            "product_rights": self.product_rights.to_dict(),
            "blocks": [b.to_dict() for b in self.blocks],
            "deadlines": [
                {
                    "deadline": d.key,
                    "label": self.milestone_label(d),
                    "binding": d.binding,
                    "source": DEADLINE_QUOTE if d.binding else ADMISSION_QUOTE,
                    **(
                        {}
                        if d.binding
                        else {
                            "interpretation": self.reading,
                            "interpretation_text": ADMISSION_READINGS.get(self.reading, ""),
                        }
                    ),
                    "days_left": self.days_left[d.key],
                    "blocks": list(deadline_blocks(d)),
                    "waiting_on_block": self.waiting_at_risk(d.key),
                    "at_risk": collect(self._at_risk_dicts(d)),
                }
                for d in DEADLINES
                if d.key in self.days_left
            ],
        }

    def _at_risk_dicts(self, d: Deadline) -> Iterator[dict[str, Any]]:
        """The producten met risico of one milestone as `to_dict` reports them. Products
        with the same risks (one tuple when `summarize` made them or `AtRiskCodec`
        decoded them) share one list of risk tables: ~25,000 products at 20,000 have
        ~120,000 risks but few distinct ones. The tables are read-only data (JSON, TOML
        and XLSX writers only read them)."""
        by_id: dict[int, tuple[tuple[Risk, ...], list[dict[str, Any]]]] = {}
        by_value: dict[tuple[Risk, ...], list[dict[str, Any]]] = {}
        tables: dict[Risk, dict[str, Any]] = {}
        for r in self.at_risk.get(d.key, []):
            found = by_id.get(id(r.risks))
            if found is None:
                risks = by_value.get(r.risks)
                if risks is None:
                    risks = by_value[r.risks] = [
                        tables.get(x) or tables.setdefault(x, _risk_table(x, d)) for x in r.risks
                    ]
                # The tuple is kept with its list, so that its id is not reused meanwhile.
                found = by_id[id(r.risks)] = (r.risks, risks)
            yield {"product_id": r.product_id, "product": r.product_name, "risks": found[1]}

    def snapshot(self) -> dict[str, Any]:
        """The small daily record kept for the dashboard's history chart."""
        return {
            "products": self.products_total,
            "elo_conform": self.elo_conform,
            "overall_percent": _round(self.overall_percent),
            "blocks": {b.block: _round(b.percent) for b in self.blocks},
            "at_risk": {k: len(v) for k, v in self.at_risk.items()},
        }


def _risk_table(x: Risk, d: Deadline) -> dict[str, Any]:
    return {
        "block": x.block,
        "problem": x.problem,
        "target_date": x.target_date,
        "waiting_on_block": x.waiting,
        "delayed_to": x.delayed_to,
        "text": x.describe(d),
    }


def _percent(part: int, whole: int) -> float | None:
    return None if whole <= 0 else 100.0 * part / whole


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _count_cell(summary: BlockSummary, cell: Cell, n: int) -> None:
    """Count `n` products' cell of one block part into its summary."""
    summary.total += n
    if cell.exempt:
        summary.exempt += n
    elif cell.applicability == REQUIRED:
        summary.required += n
        summary.stages[cell.stage if cell.stage in summary.stages else STAGES[0]] += n
    elif cell.applicability == NOT_APPLICABLE:
        summary.not_applicable += n
    elif cell.applicability == FORMS_TOOL:
        summary.forms_tool += n
        summary.forms_tool_done += n if cell.stage == PRODUCTION else 0
    else:
        summary.undecided += n
    if cell.waiting and cell.blocking:
        summary.waiting += n


def summarize(
    products: Sequence[Product],
    applications: Sequence[Application],
    block_statuses: Iterable[BlockStatus],
    today: date,
    deadlines: Sequence[Deadline] = DEADLINES,
    *,
    cache: dict[str, ProductReadiness] | None = None,
    overrides: Overrides | None = None,
    reading: str = DEFAULT_ADMISSION_READING,
    keep_products: bool = True,
) -> ReadinessSummary:
    """Readiness of an agency: per block part, per requirement, ELO-conform and the
    producten met risico op vertraging per milestone.

    Tombstoned records are ignored; products of an excluded application are listed apart
    and left out of every count. Application parts are counted per product (the unit ELO
    lists) and, in `applications_*`, per application that serves at least one product.
    `overrides` (decisions.build_overrides) carries accepted exemptions and delays and the
    excluded and new applications; when None it is built from `applications` alone.
    `cache` (product id -> readiness computed for the same statuses, overrides, `today`
    and deadlines) is used and filled, so a screen that keeps one recomputes only what
    changed. Without `keep_products` the summary's `products` is empty: only what is
    counted of each product is kept while it is made (a snapshot's, which only reports
    the counts: ~16 MB less at 20,000 products).
    """
    return summarize_pages(
        [(products, block_statuses)],
        applications,
        (),
        today,
        deadlines,
        cache=cache,
        overrides=overrides,
        reading=reading,
        keep_products=keep_products,
    )


ProductPage = tuple[Sequence[Product], Iterable[BlockStatus]]


def summarize_pages(
    pages: Iterable[ProductPage],
    applications: Sequence[Application],
    application_statuses: Iterable[BlockStatus],
    today: date,
    deadlines: Sequence[Deadline] = DEADLINES,
    *,
    cache: dict[str, ProductReadiness] | None = None,
    overrides: Overrides | None = None,
    reading: str = DEFAULT_ADMISSION_READING,
    keep_products: bool = True,
    spool_at_risk: Callable[[Callable[[AtRisk], Any]], Any] | None = None,
) -> ReadinessSummary:
    """`summarize` over the products a page at a time, each page with (at least) the
    block statuses of its products, and the applications' statuses apart: only one
    page's statuses are indexed at a time (an export at 20,000 products read the 47,000
    statuses as records and indexed them all: ~21 MB; bench/RESULTS.md, round 12).
    The products come in the order `summarize` would take them (ties in the lists of
    products at risk and excluded keep it). `summarize` is this with one page.

    `spool_at_risk(key)` gives a sequence that each milestone's products at risk are
    appended to as they are found and that reads back in the order a stable sort by
    `key` gives (a spool: ~25,000 of them at 20,000 products were ~1.6 MB held, and
    their dicts ~4.5 MB; RESULTS.md, round 14). None: lists, sorted at the end."""
    from elo_tui.domain.decisions import build_overrides

    if overrides is None:
        overrides = build_overrides(applications=applications)
    statuses = index_statuses(application_statuses)
    blocks = {code: BlockSummary(code) for code in BLOCK_CODES}
    per_product: dict[str, ProductReadiness] = {}
    at_risk: dict[str, Any] = {  # (lists or spools of AtRisk)
        d.key: [] if spool_at_risk is None else spool_at_risk(_at_risk_order) for d in deadlines
    }
    waiting = dict.fromkeys(at_risk, 0)
    excluded: list[Excluded] = []
    compute = SharedReadiness(statuses, today, deadlines, overrides, reading)
    app_ids = {a.id for a in applications if not a.deleted} - set(overrides.excluded_apps)
    served: set[str] = set()  # applications serving a counted product
    # What is counted of the counted products (requirement states shared: one dict per
    # distinct combination, counted by identity).
    total = conform = verified = exempt = 0
    states_seen: dict[int, tuple[dict[str, str], list[int]]] = {}

    # (each page's product statuses are let go of, and the page, before the next is read:
    # only one page is held)
    for products, page_statuses in pages:
        added: list[StatusKey] = []
        for st in page_statuses:  # (as index_statuses: compute reads this same dict)
            if not st.deleted:
                key = (st.scope_kind, st.scope_id, st.block)
                statuses[key] = st
                if key[0] == SCOPE_PRODUCT:
                    added.append(key)
        for product in products:
            if product.deleted:
                continue
            readiness = cache.get(product.id) if cache is not None else None
            if readiness is None:
                readiness = compute(product)
                if cache is not None:
                    cache[product.id] = readiness
            if keep_products:
                per_product[product.id] = readiness
            if readiness.excluded is not None:
                excluded.append(Excluded(product.id, product.name, readiness.excluded))
                continue
            compute.tally(readiness)
            total += 1
            conform += readiness.elo_conform
            verified += readiness.verified
            exempt += readiness.exempt
            seen = states_seen.get(id(readiness.requirements))
            if seen is None:
                seen = states_seen[id(readiness.requirements)] = (readiness.requirements, [0])
            seen[1][0] += 1
            served.update(product_application_ids(product))
            risks = readiness.risks
            for d in deadlines:
                found = risks.get(d.key)
                if found:
                    one = AtRisk(product.id, product.name, found)
                    at_risk[d.key].append(one)
                    waiting[d.key] += one.waiting
        for key in added:  # (the application parts below read the applications' only)
            statuses.pop(key, None)
        del products, page_statuses, added
    compute.count_into(blocks)
    # Application parts per application: only applications that serve a counted product.
    count_application_parts(blocks, sorted(served & app_ids), statuses, overrides)

    if spool_at_risk is None:  # (a spool reads back in this order)
        for items in at_risk.values():
            items.sort(key=_at_risk_order)
    excluded.sort(key=lambda e: e.product_name.casefold())

    def flag(code: str) -> FlagCount:
        counts = [0, 0, 0, 0]  # yes, no, not applicable, exempt
        for states, (n,) in states_seen.values():
            v = states[code]
            counts[0 if v == MET else 1 if v == OPEN else 3 if v == EXEMPT else 2] += n
        return FlagCount(*counts)

    return ReadinessSummary(
        today=today,
        products_total=total,
        elo_conform=conform,
        blocks=[blocks[code] for code in BLOCK_CODES],
        sso=flag("sso"),
        gericht_aanmelden=flag("gericht_aanmelden"),
        product_rights=flag("product_rights"),
        at_risk=at_risk,
        days_left={d.key: days_left(today, d) for d in deadlines},
        products=per_product,
        elo_conform_verified=verified,
        exempt_products=exempt,
        excluded=excluded,
        reading=reading,
        waiting_counts=waiting,
    )


def application_parts(app_id: str, statuses: StatusIndex, overrides: Overrides) -> dict[str, bool]:
    """An application's own parts that apply and are not exempted: block part -> done."""
    out = {}
    for code in APPLICATION_BLOCKS:
        cell = apply_overrides(
            cell_of(statuses.get((SCOPE_APPLICATION, app_id, code))),
            overrides,
            [(SCOPE_APPLICATION, app_id)],
            code,
        )
        if cell.applicable and not cell.exempt:
            out[code] = cell.done
    return out


def count_application_parts(
    blocks: Mapping[str, BlockSummary],
    served: Sequence[str],
    statuses: StatusIndex,
    overrides: Overrides,
) -> None:
    """Fill in the application parts counted per application (`served`: the live, not
    excluded applications serving a counted product)."""
    for code in APPLICATION_BLOCKS:
        blocks[code].applications_total = 0
        blocks[code].applications_done = 0
    for app_id in served:
        for code, done in application_parts(app_id, statuses, overrides).items():
            b = blocks[code]
            b.applications_total = (b.applications_total or 0) + 1
            b.applications_done = (b.applications_done or 0) + done


# -- readiness kept per product (services/readiness_store.py) -------------------------------
# What one product adds to the agency's counts, as plain values that do not depend on the
# day, so that a store can keep them and sum them later. `summarize` is the reference: the
# store's figures are tested equal to it.


def cell_class(cell: Cell) -> str:
    """How `summarize` counts one cell in its BlockSummary, as a short code."""
    if cell.exempt:
        out = "E"
    elif cell.applicability == REQUIRED:
        out = "R" + (cell.stage if cell.stage in STAGES else STAGES[0])
    elif cell.applicability == NOT_APPLICABLE:
        out = "N"
    elif cell.applicability == FORMS_TOOL:
        out = "F1" if cell.stage == PRODUCTION else "F0"
    else:
        out = "U"
    return out + "+w" if cell.waiting and cell.blocking else out


def count_cell_class(summary: BlockSummary, code: str, n: int = 1) -> None:
    """Add `n` cells of class `code` (see `cell_class`) to a block's counts."""
    kind, waiting = code.removesuffix("+w"), code.endswith("+w")
    summary.total += n
    if kind == "E":
        summary.exempt += n
    elif kind.startswith("R"):
        summary.required += n
        summary.stages[kind[1:]] += n
    elif kind == "N":
        summary.not_applicable += n
    elif kind.startswith("F"):
        summary.forms_tool += n
        summary.forms_tool_done += n if kind == "F1" else 0
    else:
        summary.undecided += n
    if waiting:
        summary.waiting += n


def dated_risks(
    product: Product,
    readiness: ProductReadiness,
    deadlines: Sequence[Deadline] = DEADLINES,
    reading: str = DEFAULT_ADMISSION_READING,
) -> list[tuple[str, Risk, date | None]]:
    """The risks of `product_readiness` without the day: (milestone key, risk, passed
    after) in their order, where a risk with a `passed after` date ("target_passed")
    counts only on days later than that date and the others count on any day."""
    out: list[tuple[str, Risk, date | None]] = []
    if readiness.excluded is not None:
        return out
    for deadline in deadlines:
        if not (deadline.binding or admission_applies(reading, product.on_elo)):
            continue
        for code in deadline_blocks(deadline):
            cell = readiness.cells[code]
            if not cell.blocking:
                continue
            risk = block_risk(cell, code, deadline, None)
            if risk is not None:
                out.append((deadline.key, risk, None))
                continue
            # Not late on any day: only a target date that passes can make it a risk.
            risk = block_risk(cell, code, deadline, date.max)
            if risk is not None:
                out.append((deadline.key, risk, _date(cell.target_date)))
    return out


# -- a summary kept between runs -----------------------------------------------------------
# Plain data, lossless for every figure the summary holds (not its per-product readiness,
# which only a screen computing it keeps): the dashboard shows a cached summary exactly
# as it would have computed it. Bump SUMMARY_FORMAT when the summary's fields change, so
# that an older cached one is computed anew instead of read wrongly.

SUMMARY_FORMAT = 1
RISK_HEAD = 5  # producten met risico read at once per milestone: what the dashboard lists


class StoredRisks(Sequence[AtRisk]):
    """The producten met risico op vertraging of one milestone in a cached summary: the
    count, the "wacht op bouwsteen" count and the first few are read at once; the rest
    (thousands at 20,000 products, megabytes of text) is decoded on first use."""

    __slots__ = ("_all", "_count", "_head", "_rest", "waiting_count")

    def __init__(self, count: int, waiting: int, head: list[AtRisk], rest: Any) -> None:
        self._count = count
        self.waiting_count = waiting
        self._head = head
        self._rest = rest  # () -> list of the encoded items after the head
        self._all: list[AtRisk] | None = None

    def _items(self) -> list[AtRisk]:
        if self._all is None:
            self._all = self._head + [_decode_at_risk(a) for a in self._rest()]
        return self._all

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if step == 1 and stop <= len(self._head):
                return self._head[start:stop]
            return self._items()[index]
        if 0 <= index < len(self._head):
            return self._head[index]
        return self._items()[index]

    def __iter__(self):
        return iter(self._items())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (list, StoredRisks)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def _at_risk_order(r: AtRisk) -> tuple[int, str]:
    """Most risks first, then by name."""
    return (-len(r.risks), r.product_name.casefold())


class AtRiskCodec:
    """Products at risk as plain values (a spool's) and back. Each distinct tuple of risks
    is encoded once, as its number in a table the codec keeps (few: `summarize` makes one
    tuple per distinct set of risks), so equal risks decode to one shared tuple (their
    dicts then share one list of risk tables: `ReadinessSummary.to_dict`) and no risk is
    made anew per product (~120,000 of them at 20,000 products)."""

    def __init__(self) -> None:
        self._risks: list[tuple[Risk, ...]] = []  # number -> the distinct risks
        self._by_value: dict[tuple[Risk, ...], int] = {}
        # id of a tuple met -> its number (the tuple is kept, so that its id is not reused)
        self._by_id: dict[int, tuple[int, tuple[Risk, ...]]] = {}

    def encode(self, a: AtRisk) -> tuple[str, str, int]:
        known = self._by_id.get(id(a.risks))
        if known is None:
            number = self._by_value.get(a.risks)
            if number is None:
                number = self._by_value[a.risks] = len(self._risks)
                self._risks.append(a.risks)
            known = self._by_id[id(a.risks)] = (number, a.risks)
        return a.product_id, a.product_name, known[0]

    def decode(self, item: tuple[str, str, int]) -> AtRisk:
        pid, name, number = item
        return AtRisk(pid, name, self._risks[number])


def _encode_at_risk(a: AtRisk) -> list[Any]:
    return [a.product_id, a.product_name, [list(r) for r in a.risks]]


def _decode_at_risk(item: list[Any]) -> AtRisk:
    pid, name, risks = item
    return AtRisk(pid, name, tuple(Risk(*r) for r in risks))


def summary_to_data(
    s: ReadinessSummary, *, with_rest: bool = True
) -> tuple[dict[str, Any], dict[str, list[Any]] | None]:
    """The summary as JSON-ready data, and apart the producten met risico beyond the
    first RISK_HEAD per milestone (read only when needed; None without `with_rest`)."""
    data = {
        "today": s.today.isoformat(),
        "products_total": s.products_total,
        "elo_conform": s.elo_conform,
        "blocks": [
            [
                b.block,
                b.total,
                b.undecided,
                b.not_applicable,
                b.forms_tool,
                b.forms_tool_done,
                b.required,
                b.exempt,
                b.waiting,
                b.stages,
                b.applications_total,
                b.applications_done,
            ]
            for b in s.blocks
        ],
        "flags": [
            [f.yes, f.no, f.not_applicable, f.exempt]
            for f in (s.sso, s.gericht_aanmelden, s.product_rights)
        ],
        "at_risk": {
            key: {
                "count": len(items),
                "waiting": s.waiting_at_risk(key),
                "head": [_encode_at_risk(a) for a in items[:RISK_HEAD]],
            }
            for key, items in s.at_risk.items()
        },
        "days_left": s.days_left,
        "elo_conform_verified": s.elo_conform_verified,
        "exempt_products": s.exempt_products,
        "excluded": [[e.product_id, e.product_name, e.reason] for e in s.excluded],
        "reading": s.reading,
    }
    if not with_rest:
        return data, None
    rest = {
        key: [_encode_at_risk(a) for a in items[RISK_HEAD:]] for key, items in s.at_risk.items()
    }
    return data, rest


def summary_from_data(d: dict[str, Any], rest: Any) -> ReadinessSummary:
    """The inverse of `summary_to_data` (its `products` left empty); `rest()` gives the
    second part of `summary_to_data`, called only when a list beyond its head is read."""
    sso, ga, rights = (FlagCount(*f) for f in d["flags"])

    def rest_of(key: str):
        return lambda: rest()[key]

    return ReadinessSummary(
        today=date.fromisoformat(d["today"]),
        products_total=d["products_total"],
        elo_conform=d["elo_conform"],
        blocks=[
            BlockSummary(
                block=b[0],
                total=b[1],
                undecided=b[2],
                not_applicable=b[3],
                forms_tool=b[4],
                forms_tool_done=b[5],
                required=b[6],
                exempt=b[7],
                waiting=b[8],
                stages=dict(b[9]),
                applications_total=b[10],
                applications_done=b[11],
            )
            for b in d["blocks"]
        ],
        sso=sso,
        gericht_aanmelden=ga,
        product_rights=rights,
        at_risk={
            key: StoredRisks(
                r["count"], r["waiting"], [_decode_at_risk(a) for a in r["head"]], rest_of(key)
            )
            for key, r in d["at_risk"].items()
        },
        days_left=dict(d["days_left"]),
        elo_conform_verified=d["elo_conform_verified"],
        exempt_products=d["exempt_products"],
        excluded=[Excluded(*e) for e in d["excluded"]],
        reading=d["reading"],
    )
