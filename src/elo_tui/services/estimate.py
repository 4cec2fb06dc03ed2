"""Use cases of the integration estimate, shared by the costs screen, the CLI and exports.

Stdlib and domain only at import time (the costs screen loads this module).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from elo_tui.domain import estimate as est
from elo_tui.domain import formats
from elo_tui.domain.cofinancing import eligible_choice, is_eligible
from elo_tui.domain.estimate_template import CostTemplate, propose
from elo_tui.domain.records import Agency, Application, BlockStatus, EstimateLine, Product
from elo_tui.services.paging import PagedRows, ReadAhead
from elo_tui.store import Workspace


@dataclass(slots=True)
class CostOverview:
    """Everything the costs screen shows, computed in one go."""

    agency: Agency | None
    summary: est.EstimateSummary
    scope_names: dict[tuple[str, str], str]  # (scope kind, id) -> name
    forms_tool: list[est.FormsToolRow] = field(default_factory=list)
    forms_tool_cost: float | None = None
    template_problem: str = ""  # why no template could be read ("" when fine)
    forms_tool_threshold: int = est.LOW_VOLUME_THRESHOLD  # an ASSUMPTION (see cofinancing)
    exclusion_reasons: dict[str, str] = field(default_factory=dict)  # excluded app -> reason

    def scope_label(self, kind: str, scope_id: str) -> str:
        return scope_label(kind, scope_id, self.scope_names)


def scope_label(kind: str, scope_id: str, names: dict[tuple[str, str], str]) -> str:
    if kind == "agency":
        return AGENCY_LABEL
    name = names.get((kind, scope_id))
    prefix = est.SCOPE_KINDS.get(kind, kind)
    if name is None:
        return f"{prefix}: ({UNKNOWN_SCOPE} {scope_id[:8]})"
    return f"{prefix}: {name}"


def scope_names(
    applications: list[Application], products: list[Product]
) -> dict[tuple[str, str], str]:
    names = {("application", a.id): a.name for a in applications}
    names.update({("product", p.id): p.name for p in products})
    return names


def template_or_problem(template: CostTemplate | None = None) -> tuple[CostTemplate | None, str]:
    if template is not None:
        return template, ""
    from elo_tui.io.cost_template import CostTemplateError, load_cost_template

    try:
        return load_cost_template(), ""
    except CostTemplateError as exc:
        return None, str(exc)


def forms_tool_cost(template: CostTemplate | None, agency: Agency | None) -> float | None:
    """PERT mean of moving one product to the forms tool (None without a usable rate)."""
    if template is None or template.forms_tool is None:
        return None
    line = template.forms_tool.make("product", "", "")
    cost = est.cost_line(line, est.Rates.of(agency))
    return cost.mean if cost.valid else None


def overview(
    ws: Workspace, *, template: CostTemplate | None = None, seed: int = est.DEFAULT_SEED
) -> CostOverview:
    agency = ws.agency()
    applications = ws.list(Application)
    products = _products_for_costs(ws)
    lines = ws.list(EstimateLine)
    summary = est.summarize(lines, products, agency, applications=applications, seed=seed)
    template, problem = template_or_problem(template)
    cost = forms_tool_cost(template, agency)
    rows: list[est.FormsToolRow] = []
    if cost is not None and template is not None:
        rows = est.forms_tool_comparison(
            products, applications, summary, cost, threshold=template.low_volume_threshold
        )
    return CostOverview(
        agency,
        summary,
        scope_names(applications, products),
        rows,
        cost,
        problem,
        template.low_volume_threshold if template is not None else est.LOW_VOLUME_THRESHOLD,
        {a.id: a.exclusion_reason for a in applications if a.excluded},
    )


# What the estimate reads of a product (summarize, product_shares, forms_tool_comparison).
_COST_PRODUCT_COLUMNS = (
    "id",
    "name",
    "request_application_id",
    "followup_application_id",
    "yearly_volume",
)


def _products_for_costs(ws: Workspace) -> list[Product]:
    """Live products with only the fields the estimate reads (read-only views: never
    saved). At 20,000 products whole records cost most of the costs screen's start."""
    return [
        Product(
            id=pid,
            name=name or "",
            request_application_id=req or "",
            followup_application_id=fol or "",
            yearly_volume=volume,
        )
        for pid, name, req, fol, volume in ws.columns(Product, _COST_PRODUCT_COLUMNS)
    ]


def propose_lines(
    ws: Workspace, *, template: CostTemplate | None = None, today: str | None = None
) -> list[EstimateLine]:
    """Add template lines for required blocks that are not in production and have none.

    Idempotent: a second run adds nothing. Raises CostTemplateError when no template can
    be read.
    """
    if template is None:
        from elo_tui.io.cost_template import load_cost_template

        template = load_cost_template()
    new = propose(
        ws.list(BlockStatus),
        ws.list(EstimateLine),
        template,
        who=ws.user,
        today=today or date.today().isoformat(),
    )
    if new:
        ws.save_many(new)
    return new


def save_line(
    ws: Workspace,
    values: dict[str, Any],
    *,
    line: EstimateLine | None = None,
    scope_kind: str = "agency",
    scope_id: str = "",
) -> EstimateLine | dict[str, str]:
    """Validate the form values and save (a new line when `line` is None).

    Returns the saved line, or field -> Dutch message when nothing was saved. Saving a
    line confirms it: it is no longer an assumption.
    """
    agency = ws.agency()
    cleaned, errors = est.parse_line_form(values, est.Rates.of(agency))
    if errors:
        return errors
    target = line if line is not None else EstimateLine(scope_kind=scope_kind, scope_id=scope_id)
    for key, value in cleaned.items():
        setattr(target, key, value)
    target.assumed = False
    return ws.save(target)


def confirm_line(ws: Workspace, line_id: str) -> EstimateLine | None:
    line = ws.get(EstimateLine, line_id)
    if line is None or line.deleted:
        return None
    line.assumed = False
    return ws.save(line)


def delete_line(ws: Workspace, line_id: str) -> None:
    ws.delete(EstimateLine, line_id)


def form_values(line: EstimateLine) -> dict[str, str]:
    """A line's fields as the edit form shows them (numbers in Belgian style)."""

    def num(value: float | None) -> str:
        if value is None:
            return ""
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")

    return {
        "description": line.description,
        "block": line.block,
        "method": line.method,
        "optimistic_days": num(line.optimistic_days),
        "likely_days": num(line.likely_days),
        "pessimistic_days": num(line.pessimistic_days),
        "day_rate": num(line.day_rate),
        "fixed_amount": num(line.fixed_amount),
        "budget_year": line.budget_year,
        "recurrence": line.recurrence,
        "category": line.category,
        "basis": line.basis,
        "eligible": eligible_choice(line.eligible),
    }


# '€ 1.234.567' (Belgian grouping): the one formatter, kept under its old name here.
euro = formats.euro


# -- the costs screen at 20,000 products: lines paged from the store, totals in SQL ---------
# The screen used to build and cost every line (25,700 at 20,000 products) before it showed
# anything. Now the table holds rowids in display order and reads the lines on screen; the
# expected totals are SQL sums (store.estimate_totals); the Monte Carlo (P50/P80, and so the
# request and the own contribution) runs after the first frame in a worker that streams the
# lines (`ranges`), and its answer is kept for as long as the file does not change.


def _rules(agency: Agency | None) -> dict[str, Any]:
    """The domain's line rules as values for the store's SQL (see store.estimate_totals)."""
    rates = est.Rates.of(agency)
    return {
        "rate_internal": rates.internal,
        "rate_supplier": rates.supplier,
        "years": est.YEARS,
        "recurrences": tuple(est.RECURRENCES),
        "categories": tuple(est.CATEGORIES),
        "scope_kinds": tuple(est.SCOPE_KINDS),
    }


AGENCY_LABEL = "Entiteit (algemeen)"
UNKNOWN_SCOPE = "onbekend"


def _labels() -> dict[str, Any]:
    """scope_label's rule as values, for the store's SQL (see store.estimate_line_order)."""
    return {
        "agency": AGENCY_LABEL,
        "prefixes": est.SCOPE_KINDS,
        "unknown": UNKNOWN_SCOPE,
        "sort_key": formats.sort_key,
    }


def _label(kind: str, scope_id: str, product_name: str | None, app_name: str | None) -> str:
    names: dict[tuple[str, str], str] = {}
    if kind == "product" and product_name is not None:
        names[(kind, scope_id)] = product_name
    elif kind == "application" and app_name is not None:
        names[(kind, scope_id)] = app_name
    return scope_label(kind, scope_id or "", names)


@dataclass(slots=True)
class CostRow:
    """One line of the costs table: the line costed by the domain, its scope's label."""

    cost: est.LineCost
    scope: str
    excluded: bool = False  # its application is "buiten beschouwing": in no total
    rowid: int = field(default=0, compare=False)

    @property
    def line(self) -> EstimateLine:
        return self.cost.line


FIRST_ROWS = 2 * PagedRows.PAGE  # lines a first screen reads in order before the full order


class CostLines(PagedRows[CostRow]):
    """The lines in the table's order; only their rowids are held, the rows on screen are
    read (and costed) a page at a time.

    On a first screen only the first FIRST_ROWS rowids may be known (`length` is then
    the number of lines); `complete` gives the whole order when a row past them is asked
    for (a worker has usually read it by then: `CostsReader.set_order`)."""

    def __init__(
        self,
        ws: Workspace,
        ids: Any,
        rates: est.Rates,
        *,
        length: int | None = None,
        complete: Any = None,
    ) -> None:
        super().__init__(ids)
        self.ws = ws
        self.rates = rates
        self._length = length
        self._complete = complete  # () -> every rowid in order

    def __len__(self) -> int:
        return len(self.ids) if self._length is None else self._length

    @property
    def complete(self) -> bool:
        return self._complete is None

    def set_ids(self, ids: Any) -> None:
        """The whole order, read elsewhere for the same state of the file: it begins with
        the rows known, so nothing on screen moves."""
        self.ids = ids
        self._complete = None
        self._length = None

    def _read_all(self) -> None:
        if self._complete is not None:
            self.set_ids(self._complete())

    def _before_page(self, number: int) -> None:
        if self._complete is not None and (number + 1) * self.PAGE > len(self.ids):
            self._read_all()

    def _read_page(self, ids) -> list[CostRow]:
        found = self.ws.estimate_line_rows(ids)
        page = []
        for rowid in ids:
            line, product_name, app_name, excluded = found[rowid]
            label = _label(line.scope_kind, line.scope_id, product_name, app_name)
            page.append(CostRow(est.cost_line(line, self.rates), label, excluded, rowid))
        return page

    def index(self, row: Any, start: int = 0, stop: int | None = None) -> int:
        found = self.position_of(row.line.id)
        if found is None:
            raise ValueError("not in the table")
        return found

    def position_of(self, line_id: str) -> int | None:
        rowid = self.ws.rowid_of(EstimateLine, line_id)
        if rowid is None:
            return None
        try:
            return self.ids.index(rowid)
        except ValueError:
            pass
        if self._complete is None:
            return None
        self._read_all()  # past the first rows, or not a live line
        try:
            return self.ids.index(rowid)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class CostTotals:
    """The expected (PERT mean) totals, summed in SQL; the same numbers est.summarize
    gives (means are whole euros, so their sums do not depend on the order)."""

    lines: int  # every live line, excluded ones included
    assumed: int  # of those, still an assumption
    invalid: int  # counted lines that cannot be costed
    excluded_lines: int
    means_by_year: dict[str, float]
    one_off_by_year: dict[str, float]
    recurring_by_year: dict[str, float]
    by_block: dict[str, float]
    by_category: dict[str, float]
    eligible_by_year: dict[str, float]
    not_eligible_by_year: dict[str, float]
    excluded_by_application: dict[str, float]
    excluded_lines_by_application: dict[str, int]

    @property
    def total_mean(self) -> float:
        return math.fsum(self.means_by_year.values())

    @property
    def eligible_total(self) -> float:
        return math.fsum(self.eligible_by_year.values())

    @property
    def not_eligible_total(self) -> float:
        return math.fsum(self.not_eligible_by_year.values())


def totals(ws: Workspace, agency: Agency | None) -> CostTotals:
    """What est.summarize sums, from the store's grouped sums."""
    zero = dict.fromkeys(est.YEARS, 0.0)
    means, one_off, recurring = dict(zero), dict(zero), dict(zero)
    eligible, not_eligible = dict(zero), dict(zero)
    by_block: dict[str, float] = {}
    by_cat: dict[str, float] = dict.fromkeys(est.CATEGORIES, 0.0)
    apart: dict[str, float] = {}
    apart_count: dict[str, int] = {}
    lines = assumed = invalid = excluded = 0
    for (
        app,
        valid,
        year,
        recurrence,
        block,
        category,
        eligible_line,
        n,
        n_assumed,
        mean,
    ) in ws.estimate_totals(_rules(agency)):
        lines += n
        assumed += int(n_assumed)
        if app is not None:
            excluded += n
            apart[app] = apart.get(app, 0.0) + mean
            apart_count[app] = apart_count.get(app, 0) + n
            continue
        if not valid:
            invalid += n
            continue
        means[year] += mean
        (recurring if recurrence == "recurring" else one_off)[year] += mean
        (eligible if eligible_line else not_eligible)[year] += mean
        by_block[block] = by_block.get(block, 0.0) + mean
        by_cat[category] += mean
    order = {code: i for i, code in enumerate(est.BLOCKS)}
    return CostTotals(
        lines,
        assumed,
        invalid,
        excluded,
        means,
        one_off,
        recurring,
        dict(sorted(by_block.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))),
        by_cat,
        eligible,
        not_eligible,
        dict(sorted(apart.items())),
        apart_count,
    )


@dataclass(frozen=True, slots=True)
class CostRanges:
    """The Monte Carlo's answer for the whole workspace, computed in a worker: the summary
    as est.summarize gives it but without the per-line lists (`costs`, `excluded` empty:
    the table reads lines from the store), and the forms-tool figures."""

    summary: est.EstimateSummary
    forms_tool_count: int
    forms_tool_cost: float | None
    template_problem: str
    forms_tool_threshold: int


def ranges(
    ws: Workspace,
    *,
    template: CostTemplate | None = None,
    seed: int = est.DEFAULT_SEED,
    draws: int = est.DRAWS,
) -> CostRanges:
    """Every line through the domain's costing and simulation, without holding records:
    lines with the same inputs are costed once (`_LineKinds`) and the simulation gets,
    per line in id order, a reference to its kind (~0.2 MB at 25,700 lines, where whole
    records took ~100 MB and per-line points ~8 MB)."""
    agency = ws.agency()
    kinds = _LineKinds(est.Rates.of(agency))
    # The spread (sd) sums the variances in table order, as it always did: floats, so
    # the order counts. A pass of its own, so that nothing per line is held for it.
    variance = 0.0
    for row in ws.estimate_line_inputs(_SIM_COLUMNS):
        if not row[0]:
            kind = kinds.of(row)
            if kind is not None:
                variance += kind[0].variance
    points: list[est.SimKind] = []
    eligible_points: list[est.SimKind] = []
    for row in ws.estimate_line_inputs(_SIM_COLUMNS, by_id=True):
        if not row[0]:
            kind = kinds.of(row)
            if kind is not None:
                points.append(kind[0])
                if kind[1]:
                    eligible_points.append(kind[0])
    del kinds
    sim = est.simulate_ordered(points, seed=seed, draws=draws)
    if len(eligible_points) == len(points):  # every valid line eligible: the same draws
        eligible_sim = est.same_draws(sim)
    else:
        eligible_sim = est.simulate_ordered(eligible_points, seed=seed, draws=draws)
    del points
    del eligible_points
    t = totals(ws, agency)
    summary = est.EstimateSummary(
        costs=[],
        simulation=sim,
        sd=math.sqrt(variance),
        by_year=sim.by_year,
        one_off_by_year=t.one_off_by_year,
        recurring_by_year=t.recurring_by_year,
        by_block=t.by_block,
        by_application={},  # not shown on the screen (est.summarize has it for exports)
        by_category=t.by_category,
        cofinancing=est.cofinancing(sim.by_year, agency, eligible_sim.by_year),
        eligible_simulation=eligible_sim,
        eligible_by_year=t.eligible_by_year,
        not_eligible_by_year=t.not_eligible_by_year,
        excluded_by_application=t.excluded_by_application,
        excluded_lines_by_application=t.excluded_lines_by_application,
    )
    template, problem = template_or_problem(template)
    cost = forms_tool_cost(template, agency)
    threshold = template.low_volume_threshold if template is not None else est.LOW_VOLUME_THRESHOLD
    count = ws.count_forms_tool_candidates(threshold) if cost is not None else 0
    return CostRanges(summary, count, cost, problem, threshold)


# What the costing (est.cost_line) and the eligibility rule (is_eligible) read of a line.
_SIM_COLUMNS = (
    "method",
    "optimistic_days",
    "likely_days",
    "pessimistic_days",
    "day_rate",
    "fixed_amount",
    "budget_year",
    "recurrence",
    "category",
    "scope_kind",
    "block",
    "eligible",
)


class _LineKinds:
    """Lines with the same inputs costed once by the domain: (excluded, *_SIM_COLUMNS)
    row -> (its SimKind, eligible) or None when the line cannot be costed. Template
    proposals are alike: ~40 kinds for 25,700 lines in the bench workspace."""

    KEPT = 4096  # kinds remembered: lines all different must not cost more than before

    def __init__(self, rates: est.Rates) -> None:
        self.rates = rates
        self._known: dict[tuple, tuple[est.SimKind, bool] | None] = {}

    def of(self, row: tuple) -> tuple[est.SimKind, bool] | None:
        key = row[1:]
        try:
            return self._known[key]
        except KeyError:
            pass
        line = EstimateLine(**dict(zip(_SIM_COLUMNS, key, strict=True)))
        c = est.cost_line(line, self.rates)
        found = (est.SimKind.of(c), is_eligible(line)) if c.valid else None
        if len(self._known) < self.KEPT:
            self._known[key] = found
        return found


class CostsReader:
    """The costs screen's view of one workspace: the table order and the totals read when
    the costs' inputs changed, the ranges kept for the state they were computed at. The
    state is the store's trigger-kept cost counter (`cost_generation`): it moves on with
    every write to lines, the agency, applications or products (this connection's saves,
    sync pulls, imports, undo, other processes) and with nothing else, so a sync status
    or a dashboard cache written meanwhile does not throw a finished simulation away."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._stamp: int | None = None
        self._lines: CostLines | None = None
        self._totals: CostTotals | None = None
        self._ranges: CostRanges | None = None

    def _fresh(self) -> None:
        stamp = self.ws.cost_generation()
        if stamp != self._stamp:
            self._stamp = stamp
            self._lines = self._totals = self._ranges = None

    def forget(self) -> None:
        """Read and compute everything again (Vernieuwen: also a changed cost template)."""
        self._stamp = None

    @property
    def stamp(self) -> int:
        self._fresh()
        assert self._stamp is not None
        return self._stamp

    def lines(self) -> CostLines:
        """The table's lines: when the order was not read yet, only the first FIRST_ROWS
        (the whole order takes ~0.1-0.2 s at 25,700 lines; a worker reads it after the
        first frame, see `line_order_at`, else the first row past them does)."""
        with self.ws.read_snapshot():  # the stamp, the first rows and the count of one state
            self._fresh()
            if self._lines is not None:
                return self._lines
            ahead = _order_ahead.take(self.ws.path, self._stamp)
            if ahead is not None:
                self._lines = CostLines(self.ws, ahead, est.Rates.of(self.ws.agency()))
                return self._lines
            first = self.ws.estimate_line_order(_labels(), est.BLOCKS, limit=FIRST_ROWS)
            count = self.totals().lines
        rates = est.Rates.of(self.ws.agency())
        if len(first) < FIRST_ROWS:
            self._lines = CostLines(self.ws, first, rates)
        else:
            self._lines = CostLines(self.ws, first, rates, length=count, complete=self._full_order)
        return self._lines

    def _full_order(self) -> Any:
        return self.ws.estimate_line_order(_labels(), est.BLOCKS)

    def set_order(self, ids: Any, stamp: int) -> bool:
        """The whole table order read elsewhere (`line_order_at`) for the inputs at
        `stamp`; kept only when they have not changed since (True)."""
        self._fresh()
        if stamp != self._stamp or self._lines is None:
            return False
        if not self._lines.complete:
            self._lines.set_ids(ids)
        return True

    def totals(self) -> CostTotals:
        self._fresh()
        if self._totals is None:
            ahead = _totals_ahead.take(self.ws.path, self._stamp)
            self._totals = ahead if ahead is not None else totals(self.ws, self.ws.agency())
        return self._totals

    @property
    def ranges(self) -> CostRanges | None:
        """The ranges for the file as it is now; None: not computed since it changed."""
        self._fresh()
        return self._ranges

    def set_ranges(self, found: CostRanges, stamp: int) -> bool:
        """Keep ranges computed elsewhere for the inputs at `stamp`, only when they have
        not changed since (True)."""
        self._fresh()
        if stamp != self._stamp:
            return False
        self._ranges = found
        return True


def ranges_at(ws: Workspace) -> tuple[CostRanges, int]:
    """`ranges` with the cost counter they hold for, read in one transaction (a worker's
    own connection: WAL gives it one snapshot while the app writes)."""
    with ws.read_snapshot():
        return ranges(ws), ws.cost_generation()


def line_order_at(ws: Workspace) -> tuple[Any, int]:
    """The costs table's whole order with the cost counter it holds for, in one read
    transaction (a worker's own connection, after the first frame)."""
    with ws.read_snapshot():
        return ws.estimate_line_order(_labels(), est.BLOCKS), ws.cost_generation()


# The whole table order and the totals read ahead (the app's background preload), with
# the cost counter they hold for: that first visit then reads no order (~40 ms at 25,700
# lines) and no totals (~15 ms).
_order_ahead: ReadAhead[Any] = ReadAhead()
_totals_ahead: ReadAhead[CostTotals] = ReadAhead()


def read_order_ahead(ws: Workspace) -> None:
    """The costs table's whole order and its totals, in one read transaction."""
    with ws.read_snapshot():
        stamp = ws.cost_generation()
        ids = ws.estimate_line_order(_labels(), est.BLOCKS)
        found = totals(ws, ws.agency())
    _order_ahead.put(ws.path, stamp, ids)
    _totals_ahead.put(ws.path, stamp, found)


def scope_choices(ws: Workspace) -> list[tuple[str, str]]:
    """(label, "kind:id") of every scope a new line can go to, the agency first."""
    names = scope_names(
        [Application(id=i, name=n or "") for i, n in ws.columns(Application, ("id", "name"))],
        [Product(id=i, name=n or "") for i, n in ws.columns(Product, ("id", "name"))],
    )
    ordered = sorted(names.items(), key=lambda kv: (kv[0][0], formats.sort_key(kv[1])))
    return [("Entiteit (algemeen)", "agency:")] + [
        (scope_label(kind, sid, names), f"{kind}:{sid}") for (kind, sid), _ in ordered
    ]


def forms_tool_rows(ws: Workspace) -> CostOverview:
    """The forms-tool comparison (key f): the whole overview, computed when asked for."""
    return overview(ws)


def excluded_applications(ws: Workspace, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Name and reason of the applications "buiten beschouwing" among `ids`."""
    return {a.id: (a.name, a.exclusion_reason) for a in ws.get_many(Application, ids).values()}
