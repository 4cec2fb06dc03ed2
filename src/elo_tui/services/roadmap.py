"""Roadmap use cases shared by the Roadmap screen and `elo-tui roadmap`: priorities and
quick wins, bottlenecks, the baseline (nulmeting), plan scenarios, IPDC corrections.

Reads and writes go through the workspace; the rules live in domain/roadmap.py and
domain/ipdc_corrections.py.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from elo_tui.domain import roadmap as rm
from elo_tui.domain.blocks import BLOCK_CODES, block_label
from elo_tui.domain.formats import format_cell, plural, sort_key
from elo_tui.domain.formats import format_number as num
from elo_tui.domain.ipdc_corrections import Correction, corrections
from elo_tui.domain.pacing import Pause, no_pause
from elo_tui.domain.readiness import index_statuses
from elo_tui.domain.records import (
    Application,
    Baseline,
    BlockStatus,
    Bottleneck,
    EstimateLine,
    PlanItem,
    PlanScenario,
    Product,
)
from elo_tui.services.ipdc_import import META_LAST_IMPORT


class RoadmapError(Exception):
    """Bad input for a roadmap action; the message is Dutch and says what and where."""


@dataclass(slots=True)
class RoadmapData:
    """Everything the Roadmap screen and the exports show, read in one go."""

    products: list[Product]
    applications: list[Application]
    priorities: list[rm.ProductPriority]
    quick_wins: list[rm.ProductPriority]
    bottlenecks: list[Bottleneck]
    baselines: list[Baseline]
    progress: rm.BaselineProgress
    scenarios: list[rm.ScenarioSummary]
    corrections: list[Correction]
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    plan_items: list[PlanItem] = field(default_factory=list)  # of the live scenarios

    def products_in_order(self) -> list[Product]:
        return sorted(self.products, key=lambda p: (sort_key(p.name), p.id))

    def baseline_by_product(self) -> dict[str, Baseline]:
        return {b.product_id: b for b in self.baselines}

    def scope_name(self, scope_kind: str, scope_id: str) -> str:
        if scope_kind == "agency":
            return "Entiteit"
        return self.names.get((scope_kind, scope_id), "(verwijderd)")


def load(ws: Any) -> RoadmapData:
    products = ws.list(Product)
    applications = ws.list(Application)
    statuses = index_statuses(ws.list(BlockStatus))
    lines = ws.list(EstimateLine)
    from elo_tui.services.mapping import load_overrides

    overrides = load_overrides(ws, applications)
    rows = rm.priorities(products, statuses, lines, overrides)
    baselines = ws.list(Baseline)
    items = ws.list(PlanItem)
    agency = ws.agency()
    scenarios = [
        rm.summarize_scenario(s, items, products, statuses, lines, agency, overrides)
        for s in sorted(ws.list(PlanScenario), key=lambda s: (not s.chosen, sort_key(s.name)))
    ]
    names = {("product", p.id): p.name for p in products}
    names.update({("application", a.id): a.name for a in applications})
    bottlenecks = sorted(
        ws.list(Bottleneck),
        key=lambda b: (b.status == "resolved", b.reported_on or "9999", b.description),
    )
    return RoadmapData(
        products=products,
        applications=applications,
        priorities=rows,
        quick_wins=rm.quick_wins(rows),
        bottlenecks=bottlenecks,
        baselines=baselines,
        progress=rm.baseline_progress(products, baselines, statuses, overrides),
        scenarios=scenarios,
        corrections=corrections(products, ipdc_imported=bool(ws.get_meta(META_LAST_IMPORT))),
        names=names,
        plan_items=sorted(
            (i for i in items if i.scenario_id in {s.scenario.id for s in scenarios}),
            key=lambda i: (
                next(n for n, s in enumerate(scenarios) if s.scenario.id == i.scenario_id),
                i.quarter,
                names.get((i.scope_kind, i.scope_id), "").casefold(),
                i.block,
            ),
        ),
    )


# -- finding things by what a person types ---------------------------------------


def find_product(ws: Any, text: str) -> Product:
    """A product by IPDC number, id or exact name (case-insensitive)."""
    text = text.strip()
    products = ws.list(Product)
    for match in (
        lambda p: p.ipdc_number == text,
        lambda p: p.id == text,
        lambda p: p.name.casefold() == text.casefold(),
    ):
        found = [p for p in products if match(p)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise RoadmapError(f"'{text}' past op {len(found)} producten; gebruik het nummer.")
    raise RoadmapError(f"Geen product '{text}' (IPDC-nummer of naam) in de werkruimte.")


def find_application(ws: Any, text: str) -> Application:
    text = text.strip()
    for a in ws.list(Application):
        if a.id == text or a.name.casefold() == text.casefold():
            return a
    raise RoadmapError(f"Geen toepassing '{text}' in de werkruimte.")


def _scope_ids(ws: Any) -> dict[str, set[str]]:
    return {
        "product": {p.id for p in ws.list(Product)},
        "application": {a.id for a in ws.list(Application)},
    }


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise RoadmapError(" ".join(errors.values()))


# -- bottlenecks ------------------------------------------------------------------


def save_bottleneck(ws: Any, values: dict[str, Any], existing: Bottleneck | None = None):
    errors, clean = rm.validate_bottleneck(values, _scope_ids(ws))
    if clean["block"] and clean["block"] not in BLOCK_CODES:
        errors["block"] = f"Onbekende bouwsteen '{clean['block']}'."
    _raise(errors)
    record = existing or Bottleneck(reported_on=date.today().isoformat())
    for k, v in clean.items():
        if k == "reported_on" and not v:
            continue
        setattr(record, k, v)
    return ws.save(record)


def find_bottleneck(ws: Any, ident: str) -> Bottleneck:
    found = [b for b in ws.list(Bottleneck) if b.id.startswith(ident.strip())]
    if len(found) != 1:
        raise RoadmapError(
            f"Geen knelpunt met id '{ident}'."
            if not found
            else f"Id '{ident}' is niet eenduidig ({len(found)} knelpunten)."
        )
    return found[0]


# -- baseline ------------------------------------------------------------------


def baseline_of(ws: Any, product_id: str) -> Baseline | None:
    found = ws.find(Baseline, product_id=product_id)
    return found[0] if found else None


def set_baseline(ws: Any, product: Product, values: dict[str, Any]) -> Baseline:
    existing = baseline_of(ws, product.id)
    try:
        rm.check_editable(existing)
    except rm.BaselineLocked as exc:
        raise RoadmapError(f"{product.name}: {exc}") from None
    errors, clean = rm.validate_baseline(values, BLOCK_CODES)
    if errors:
        raise RoadmapError(f"{product.name}: " + " ".join(errors.values()))
    record = existing or Baseline(product_id=product.id)
    for k, v in clean.items():
        setattr(record, k, v)
    return ws.save(record)


def confirm_baselines(ws: Any, product_ids: list[str] | None = None) -> int:
    """Confirm (lock) the baselines of these products, or of all; returns how many."""
    today = date.today().isoformat()
    todo = [
        b
        for b in ws.list(Baseline)
        if not b.confirmed and (product_ids is None or b.product_id in product_ids)
    ]
    for b in todo:
        b.confirmed, b.confirmed_on, b.confirmed_by = True, today, ws.user
    if todo:
        ws.save_many(todo)
    return len(todo)


# Headers of a baseline spreadsheet (normalised: lower case, no punctuation).
BASELINE_COLUMNS = {
    "product": ("ipdc productnummer", "productnummer", "ipdc", "product", "naam", "productnaam"),
    "on_elo": ("op elo op 1 april 2025", "op elo nulmeting", "op elo", "elo", "nulmeting elo"),
    "blocks": (
        "bouwstenen in gebruik",
        "bouwstenen nulmeting",
        "bouwstenen",
        "bouwstenen op 1 april 2025",
    ),
    "note": ("opmerking", "opmerkingen", "notitie"),
}


def _norm(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text.casefold()).split())


def _block_code(text: str) -> str | None:
    from elo_tui.domain.blocks import BLOCKS_BY_CODE

    t = _norm(text)
    for code in BLOCK_CODES:
        if t in (_norm(code), _norm(block_label(code)), _norm(BLOCKS_BY_CODE[code].short)):
            return code
    for code in BLOCK_CODES:  # "ACM/IDM" for "ACM/IDM – aanmelden en gebruikersbeheer"
        if _norm(block_label(code)).startswith(t) and t:
            return code
    return None


@dataclass(slots=True)
class BaselineImport:
    saved: int
    problems: list[str]  # Dutch, "rij N: ..."


def import_baseline(ws: Any, path: str) -> BaselineImport:
    """Read baseline columns (product, op ELO, bouwstenen in gebruik) from CSV/XLSX.
    A bad row is reported with its number and skipped; the others are saved."""
    from elo_tui.io.tabular import read_table

    table = read_table(path)
    headers = {_norm(h): h for h in table.headers}
    cols: dict[str, str] = {}
    for key, names in BASELINE_COLUMNS.items():
        for n in names:
            if n in headers:
                cols[key] = headers[n]
                break
    if "product" not in cols:
        raise RoadmapError(
            "Geen kolom met het product gevonden (verwacht 'IPDC-productnummer' of 'Product'); "
            f"kolommen in het bestand: {', '.join(table.headers)}."
        )
    problems: list[str] = []
    saved = 0
    for row in table.rows:
        values = _row_values(table, row)

        def cell(key: str, values: dict[str, Any] = values) -> str:
            v = values.get(cols.get(key, ""), "")
            return "" if v is None else str(v).strip()

        where = f"rij {row.number}"
        if not cell("product"):
            continue
        try:
            product = find_product(ws, cell("product"))
        except RoadmapError as exc:
            problems.append(f"{where}: {exc}")
            continue
        blocks: list[str] = []
        bad: list[str] = []
        for part in [x for x in cell("blocks").replace(";", ",").split(",") if x.strip()]:
            code = _block_code(part)
            (blocks if code else bad).append(code or part.strip())
        if bad:
            problems.append(f"{where}: onbekende bouwsteen {', '.join(repr(b) for b in bad)}.")
            continue
        on_elo = _on_elo(cell("on_elo"))
        if on_elo is None:
            problems.append(f"{where}: onbekende waarde voor 'op ELO': '{cell('on_elo')}'.")
            continue
        try:
            set_baseline(
                ws, product, {"on_elo": on_elo, "blocks_in_use": blocks, "note": cell("note")}
            )
        except RoadmapError as exc:
            problems.append(f"{where}: {exc}")
            continue
        saved += 1
    return BaselineImport(saved, problems)


def _row_values(table: Any, row: Any) -> dict[str, Any]:
    return dict(zip(table.headers, row.values, strict=False))


def _on_elo(text: str) -> str | None:
    from elo_tui.domain import codelists

    t = _norm(text)
    if not t or t in ("nee", "niet", "neen", "none", "niet op elo"):
        return "none"
    if t in ("ja", "both", "aanvragen en opvolgen", "beide"):
        return "both"
    for key, label in codelists.ON_ELO.items():
        if t in (_norm(key), _norm(label)):
            return key
    return None


# -- plan scenarios ------------------------------------------------------------------


def create_scenario(ws: Any, name: str, *, copy_of: PlanScenario | None = None) -> PlanScenario:
    name = name.strip()
    if not name:
        raise RoadmapError("Een scenario heeft een naam nodig.")
    if any(s.name.casefold() == name.casefold() for s in ws.list(PlanScenario)):
        raise RoadmapError(f"Er bestaat al een scenario '{name}'.")
    scenario = PlanScenario(name=name)
    copies = []
    if copy_of is not None:
        scenario.note = f"Kopie van '{copy_of.name}'."
        copies = [
            PlanItem(
                scenario_id=scenario.id,
                scope_kind=i.scope_kind,
                scope_id=i.scope_id,
                block=i.block,
                quarter=i.quarter,
            )
            for i in ws.find(PlanItem, scenario_id=copy_of.id)
        ]
    with ws.transaction():
        ws.save(scenario)
        if copies:
            ws.save_many(copies)
    return scenario


def find_scenario(ws: Any, text: str) -> PlanScenario:
    text = text.strip()
    for s in ws.list(PlanScenario):
        if s.id.startswith(text) and len(text) >= 6 or s.name.casefold() == text.casefold():
            return s
    raise RoadmapError(f"Geen scenario '{text}'.")


def plan_block(
    ws: Any, scenario: PlanScenario, scope_kind: str, scope_id: str, block: str, quarter: str
) -> PlanItem:
    errors, clean = rm.validate_plan_item(
        {"scope_kind": scope_kind, "scope_id": scope_id, "block": block, "quarter": quarter},
        _scope_ids(ws),
        BLOCK_CODES,
    )
    _raise(errors)
    existing = [
        i
        for i in ws.find(PlanItem, scenario_id=scenario.id)
        if (i.scope_kind, i.scope_id, i.block) == (scope_kind, scope_id, block)
    ]
    item = existing[0] if existing else PlanItem(scenario_id=scenario.id)
    for k, v in clean.items():
        setattr(item, k, v)
    return ws.save(item)


def plan_open_blocks(ws: Any, scenario: PlanScenario, quarter: str) -> int:
    """Plan every block still standing between a product and conformity in `quarter`
    (blocks already planned keep their quarter): a quick way to make "alles in 2026"."""
    q = rm.parse_quarter(quarter)
    if q is None:
        raise RoadmapError(f"'{quarter}' is geen kwartaal (bv. 2026-Q3).")
    statuses = index_statuses(ws.list(BlockStatus))
    have = rm.plan_index(ws.list(PlanItem), scenario.id)
    from elo_tui.domain.readiness import product_cells

    new: dict[tuple[str, str, str], PlanItem] = {}
    memo: dict = {}
    for p in ws.list(Product):
        for code, cell in product_cells(p, statuses, memo).items():
            if not cell.blocking:
                continue
            for key in rm._open_keys(p, code, statuses):
                if key in have or key in new or not key[1]:
                    continue
                new[key] = PlanItem(
                    scenario_id=scenario.id,
                    scope_kind=key[0],
                    scope_id=key[1],
                    block=key[2],
                    quarter=q,
                )
    if new:
        ws.save_many(new.values())
    return len(new)


def choose_scenario(ws: Any, scenario: PlanScenario) -> int:
    """Make this the scenario of the submission, and move the estimate lines of its
    planned blocks into the budget year of their quarter. Returns the lines moved."""
    plan = rm.plan_index(ws.list(PlanItem), scenario.id)
    moved = []
    for line in ws.list(EstimateLine):
        year = rm.planned_year(line, plan)
        if year != line.budget_year:
            line.budget_year = year
            moved.append(line)
    changed = []
    for s in ws.list(PlanScenario):
        if s.chosen != (s.id == scenario.id):
            s.chosen = s.id == scenario.id
            changed.append(s)
    with ws.transaction():
        if changed:
            ws.save_many(changed)
        if moved:
            ws.save_many(moved)
    return len(moved)


# -- the roadmap in the dashboard and `elo-tui report` ------------------------------


def summary_lines(data: RoadmapData) -> list[str]:
    """Dutch lines for the dashboard and the report: progress since the baseline, open
    bottlenecks, the chosen plan's trajectory against 30 June 2027, IPDC corrections."""
    chosen = next((s for s in data.scenarios if s.scenario.chosen), None)
    return _summary_lines(
        data.progress,
        rm.bottleneck_counts(data.bottlenecks),
        chosen,
        len(data.quick_wins),
        len(data.corrections),
    )


def _summary_lines(
    pr: rm.BaselineProgress,
    counts: dict[str, int],
    chosen: rm.ScenarioSummary | None,
    quick_wins: int,
    corrections: int,
) -> list[str]:
    lines = []
    if pr.with_baseline:
        lines.append(
            f"Sinds de {rm.BASELINE_LABEL} ({num(pr.with_baseline)} van "
            f"{plural(pr.products, 'product', 'producten')}, {num(pr.confirmed)} bevestigd): "
            f"via ELO aan te vragen en op te volgen {num(pr.on_elo_then)} -> "
            f"{num(pr.on_elo_now)}; bouwstenen in gebruik {num(pr.blocks_then)} -> "
            f"{num(pr.blocks_now)}."
        )
    else:
        lines.append(f"Nog geen {rm.BASELINE_LABEL} ingevuld (Roadmap, toets n).")
    total = sum(counts.values())
    detail = ", ".join(f"{rm.BOTTLENECK_KINDS[k].lower()} {num(n)}" for k, n in counts.items() if n)
    lines.append(f"Open knelpunten: {num(total)}" + (f" ({detail})" if detail else "") + ".")
    if chosen is not None:
        trail = ", ".join(
            f"{q} {num(n)}"
            for q, n in chosen.conform_by_quarter.items()
            if q <= rm.MILESTONE_QUARTER
        )
        lines.append(
            f"Plan '{chosen.scenario.name}': conform tegen 30 juni 2027 "
            f"{num(chosen.conform_at_milestone)} van {num(chosen.products)} ({trail})"
            + (
                f"; {plural(chosen.unplanned, 'bouwsteen', 'bouwstenen')} niet gepland"
                if chosen.unplanned
                else ""
            )
            + "."
        )
    else:
        lines.append("Nog geen planscenario gekozen voor de indiening.")
    if quick_wins:
        lines.append(
            f"Snel resultaat: {plural(quick_wins, 'product', 'producten')} binnen "
            f"{format_cell(rm.QUICK_WIN_DAYS)} dagen (aanname)."
        )
    if corrections:
        lines.append(f"IPDC-correcties voor Digitaal Vlaanderen: {num(corrections)}.")
    return lines


class _AppIds(NamedTuple):
    """What `is_excluded` and `product_application_ids` read of a product."""

    request_application_id: str
    followup_application_id: str


class _Status(NamedTuple):
    """What index_statuses, cell_of and _open_keys read of a block status (a tuple: a
    record of every field costs ~4x the memory)."""

    scope_kind: str
    scope_id: str
    block: str
    applicability: str
    stage: str
    target_date: str
    waiting_on_block: int
    verified_central: int
    deleted: int


class _Line(NamedTuple):
    """What rm.days_by_scope (line_days) reads of an estimate line."""

    scope_kind: str
    scope_id: str
    block: str
    method: str
    optimistic_days: float | None
    likely_days: float | None
    pessimistic_days: float | None
    recurrence: str
    deleted: int


# SQLite hands out a new string for every value of every row: the few distinct kinds,
# blocks and stages are shared instead (a third of a status tuple's memory).
def _intern(value: Any) -> Any:
    return sys.intern(value) if type(value) is str else value  # NULL from raw SQL too


def _statuses(ws: Any, column: str, values: list[str], **equals: Any) -> dict:
    rows = ws.columns_in(BlockStatus, _Status._fields, column, values, **equals)
    return index_statuses(
        _Status(_intern(k), i, _intern(b), _intern(a), _intern(s), *rest)  # type: ignore[misc]
        for k, i, b, a, s, *rest in rows
    )


def _days(ws: Any, column: str, values: list[str], **equals: Any) -> dict:
    rows = ws.columns_in(EstimateLine, _Line._fields, column, values, **equals)
    return rm.days_by_scope(
        _Line(_intern(k), i, _intern(b), *rest)  # type: ignore[misc]
        for k, i, b, *rest in rows
    )


def summary_lines_streamed(ws: Any, page: int = 250, *, pause: Pause = no_pause) -> list[str]:
    """`summary_lines(load(ws))`, the same lines, without holding the workspace in memory.

    The dashboard's worker ran `load` right after the first frame: at 20,000 products
    every product, block status, estimate line and plan item as records, ~170 MiB more
    at its peak. Here products are read a page at a time with their own statuses,
    estimate lines and plan items (as tuples); the applications' statuses, lines and plan
    items and the counted products per application once. Each product goes through the
    same domain functions `load` calls (domain/roadmap.py, domain/readiness.py,
    domain/ipdc_corrections.py) and only counts are kept. One read snapshot: the figures
    agree with each other. tests/test_roadmap_streamed.py holds it equal to
    `summary_lines(load(ws))`. `pause` is called after each page (a worker gives way to
    the interface there, elo_tui/background.py)."""
    from elo_tui.domain.ipdc_corrections import product_corrections
    from elo_tui.domain.readiness import is_conform, is_excluded, product_cells
    from elo_tui.services.mapping import load_overrides

    with ws.read_snapshot(), ws.small_cache():
        apps = list(ws.columns(Application, ("id", "excluded", "exclusion_reason", "is_new")))
        overrides = load_overrides(ws, [_App(*a) for a in apps])  # type: ignore[misc]
        app_statuses = _statuses(ws, "scope_kind", ["application"])
        # The lines' days per scope, as rm.days_by_scope sums them (file order within a
        # scope: the index lists a scope's lines by rowid): the applications' here, a
        # page's products' with the page. A line's days only ever count for its scope.
        app_days = _days(ws, "scope_kind", ["application"])
        # Counted products per application (priorities' shares of application lines).
        users = rm.users_of_applications(
            p  # type: ignore[misc]
            for p in map(
                _AppIds._make,
                ws.columns(Product, ("request_application_id", "followup_application_id")),
            )
            if is_excluded(p, overrides) is None  # type: ignore[arg-type]
        )
        chosen_scenario = next(
            (
                s
                for s in sorted(
                    ws.list(PlanScenario), key=lambda s: (not s.chosen, sort_key(s.name))
                )
                if s.chosen
            ),
            None,
        )
        app_plan: dict[tuple[str, str, str], str] = {}
        if chosen_scenario is not None:
            app_plan = _plan_of(ws, chosen_scenario.id, "scope_kind", ["application"])
        ipdc_imported = bool(ws.get_meta(META_LAST_IMPORT))
        conform = dict.fromkeys(rm.quarters(), 0)
        counted = quick_wins = n_corrections = unplanned_own = 0
        unplanned_shared: set[tuple[str, str, str]] = set()
        progress = [0] * 8  # the counts of rm.BaselineProgress, summed over the pages
        memo: dict = {}  # application cells, shared by every page as in `load`
        for products in ws.iter_records(Product, page):
            ids = [p.id for p in products]
            statuses = dict(app_statuses)
            statuses.update(_statuses(ws, "scope_id", ids, scope_kind="product"))
            days = dict(app_days)
            days.update(_days(ws, "scope_id", ids, scope_kind="product"))
            baselines = [
                b
                for chunk in ws.iter_records(Baseline, column="product_id", values=ids)
                for b in chunk
            ]
            part = rm.baseline_progress(products, baselines, statuses, overrides)
            for i, n in enumerate(
                (
                    part.products,
                    part.with_baseline,
                    part.confirmed,
                    part.on_elo_then,
                    part.on_elo_now,
                    part.blocks_then,
                    part.blocks_now,
                    part.conform_now,
                )
            ):
                progress[i] += n
            plan = app_plan
            if chosen_scenario is not None:
                plan = dict(app_plan)
                plan.update(_plan_of(ws, chosen_scenario.id, "scope_id", ids, "product"))
            for p in products:
                n_corrections += len(product_corrections(p, ipdc_imported=ipdc_imported))
                if is_excluded(p, overrides) is not None:
                    continue
                counted += 1
                cells = product_cells(p, statuses, memo, overrides)
                remaining = tuple(code for code, cell in cells.items() if cell.blocking)
                effort, unestimated = rm.remaining_effort(p, remaining, days, users)
                row = rm.ProductPriority(
                    p, 0.0, round(effort, 1), remaining, unestimated, is_conform(p, cells), ()
                )
                quick_wins += row.quick_win
                if chosen_scenario is not None:
                    ready_at, missing = rm.planned_ready(p, cells, statuses, plan)
                    rm.count_ready(conform, ready_at)
                    for key in missing:
                        # A product's own part is its own: no other product counts it.
                        if key[0] == "product":
                            unplanned_own += 1
                        else:
                            unplanned_shared.add(key)
            pause()
        chosen = None
        if chosen_scenario is not None:
            chosen = rm.ScenarioSummary(
                chosen_scenario,
                {},
                {},
                {},
                conform,
                conform.get(rm.MILESTONE_QUARTER, 0),
                counted,
                unplanned_own + len(unplanned_shared),
                0,
            )
        return _summary_lines(
            rm.BaselineProgress(*(int(n) for n in progress)),  # type: ignore[arg-type]
            rm.bottleneck_counts(ws.list(Bottleneck)),
            chosen,
            quick_wins,
            n_corrections,
        )


class _App(NamedTuple):
    """What build_overrides reads of an application (live ones)."""

    id: str
    excluded: int
    exclusion_reason: str
    is_new: int


def _plan_of(
    ws: Any, scenario_id: str, column: str, values: list[str], scope_kind: str = ""
) -> dict[tuple[str, str, str], str]:
    """rm.plan_index of the scenario's live items whose `column` is one of `values`."""
    equals: dict[str, Any] = {"scenario_id": scenario_id}
    if scope_kind:
        equals["scope_kind"] = scope_kind
    return {
        (kind, scope_id, block): quarter
        for kind, scope_id, block, quarter in ws.columns_in(
            PlanItem, ("scope_kind", "scope_id", "block", "quarter"), column, values, **equals
        )
        if quarter
    }


def summary_dict(data: RoadmapData) -> dict[str, Any]:
    """The same figures for `elo-tui report --json`."""
    pr = data.progress
    chosen = next((s for s in data.scenarios if s.scenario.chosen), None)
    return {
        "baseline": {
            "date": rm.BASELINE_DATE.isoformat(),
            "products_with_baseline": pr.with_baseline,
            "confirmed": pr.confirmed,
            "on_elo_then": pr.on_elo_then,
            "on_elo_now": pr.on_elo_now,
            "blocks_then": pr.blocks_then,
            "blocks_now": pr.blocks_now,
        },
        "open_bottlenecks": rm.bottleneck_counts(data.bottlenecks),
        "chosen_scenario": None
        if chosen is None
        else {
            "name": chosen.scenario.name,
            "conform_by_quarter": chosen.conform_by_quarter,
            "conform_at_30_june_2027": chosen.conform_at_milestone,
            "unplanned": chosen.unplanned,
        },
        "quick_wins": len(data.quick_wins),
        "ipdc_corrections": len(data.corrections),
    }
