"""The roadmap: priorities and quick wins, bottlenecks, the baseline and plan scenarios.

Sources (VR 2025 1212 DOC.1191/1BIS): phase 1 asks each entity for an inventory, the
baseline ("nulmeting" of 1 April 2025) and "de volledige roadmap met prioriteitenlijst en
knelpunten per product/instantie"; phase 2 starts with what is "eenvoudig en snel te
realiseren, zodat resultaten snel zichtbaar worden".

Pure: no Textual, SQLite or HTTP. The scoring weights, the quick-win threshold and the
default eligibility of a cost line are ASSUMPTIONS and say so wherever they are shown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from elo_tui.domain import codelists, formats
from elo_tui.domain import cofinancing as cof
from elo_tui.domain.blocks import APPLICATION_BLOCKS, NOT_APPLICABLE, is_done
from elo_tui.domain.decisions import Overrides
from elo_tui.domain.estimate import Rates, cost_line, pert_mean
from elo_tui.domain.readiness import (
    NO_OVERRIDES,
    Cell,
    StatusIndex,
    is_conform,
    is_excluded,
    product_application_ids,
    product_cells,
)
from elo_tui.domain.records import (
    Agency,
    Baseline,
    Bottleneck,
    EstimateLine,
    PlanItem,
    PlanScenario,
    Product,
)

ONDERNEMING = f"{codelists.IPDC_BASE}Doelgroep/Onderneming"

# -- priorities ------------------------------------------------------------------

# ASSUMPTION (not in the sources): how impact is weighed. Shown with this label.
IMPACT_WEIGHTS = {"volume": 0.5, "not_on_elo": 0.3, "entrepreneurs": 0.2}
ASSUMPTION_NOTE = (
    "Aanname: impact = 50% jaarvolume (logaritmisch) + 30% nog niet (volledig) op ELO + "
    "20% doelgroep ondernemingen; prioriteit = impact / (1 + resterende dagen). "
    "De gewichten staan niet in de bronnen en zijn aan te passen."
)
QUICK_WIN_DAYS = 20.0  # ASSUMPTION: "snel resultaat" = at most this many remaining days
QUICK_WIN_NOTE = (
    f"Aanname: snel resultaat = nog niet conform en ten hoogste {QUICK_WIN_DAYS:g} "
    "resterende persoonsdagen volgens de raming (gedeelde toepassingsbouwstenen verdeeld "
    "over de producten van die toepassing)."
)
_ON_ELO_GAIN = {"none": 1.0, "request": 0.5, "follow_up": 0.5, "both": 0.0}


@dataclass(frozen=True, slots=True)
class ProductPriority:
    product: Product
    impact: float  # 0..100
    effort_days: float  # remaining person-days (estimated part)
    remaining_blocks: tuple[str, ...]  # blocks standing between the product and conformity
    unestimated_blocks: tuple[str, ...]  # remaining blocks without an estimate in days
    conform: bool
    notes: tuple[str, ...]  # Dutch: unknowns that weigh in ("jaarvolume onbekend", ...)

    @property
    def score(self) -> float:
        return self.impact / (1.0 + self.effort_days)

    @property
    def effort_known(self) -> bool:
        return not self.unestimated_blocks

    @property
    def quick_win(self) -> bool:
        return not self.conform and self.effort_known and self.effort_days <= QUICK_WIN_DAYS


def line_days(line: EstimateLine) -> float | None:
    """A line's expected person-days (PERT mean), None for a fixed amount or no days."""
    if line.method == "fixed":
        return None
    o, m, p = line.optimistic_days, line.likely_days, line.pessimistic_days
    if m is None:
        return None
    o = m if o is None else o
    p = m if p is None else p
    value = pert_mean(float(o), float(m), float(p))
    return value if math.isfinite(value) and value >= 0 else None


def _days_by_scope(lines: Iterable[EstimateLine]) -> dict[tuple[str, str, str], float]:
    out: dict[tuple[str, str, str], float] = {}
    for line in lines:
        if line.deleted or line.recurrence == "recurring":
            continue
        days = line_days(line)
        if days is None:
            continue
        key = (line.scope_kind, line.scope_id, line.block)
        out[key] = out.get(key, 0.0) + days
    return out


def _users(products: Iterable[Product]) -> dict[str, int]:
    users: dict[str, int] = {}
    for p in products:
        for a in product_application_ids(p):
            users[a] = users.get(a, 0) + 1
    return users


def impact(product: Product, max_volume: int) -> tuple[float, list[str]]:
    notes = []
    if product.yearly_volume is None:
        volume = 0.0
        notes.append("jaarvolume onbekend")
    elif max_volume <= 0:
        volume = 0.0
    else:
        volume = math.log10(1 + max(product.yearly_volume, 0)) / math.log10(1 + max_volume)
    gain = _ON_ELO_GAIN.get(product.on_elo, 1.0)
    if not product.target_groups:
        entrepreneurs = 0.5  # unknown: half weight, and said so
        notes.append("doelgroep onbekend")
    else:
        entrepreneurs = 1.0 if ONDERNEMING in product.target_groups else 0.0
    w = IMPACT_WEIGHTS
    score = 100 * (
        w["volume"] * volume + w["not_on_elo"] * gain + w["entrepreneurs"] * entrepreneurs
    )
    return round(score, 1), notes


def priorities(
    products: Sequence[Product],
    statuses: StatusIndex,
    lines: Iterable[EstimateLine],
    overrides: Overrides = NO_OVERRIDES,
) -> list[ProductPriority]:
    """Every product with its impact and remaining effort, highest priority first:
    non-conform products with a full estimate by score, then those with blocks still
    without an estimate (by impact), then the conform ones. Products of an application
    "in onderling overleg buiten beschouwing gelaten" are left out; a part an accepted
    exemption covers is not remaining (domain/readiness.py applies the overrides)."""
    live = [p for p in products if not p.deleted and is_excluded(p, overrides) is None]
    days = _days_by_scope(lines)
    users = _users(live)
    max_volume = max((p.yearly_volume or 0 for p in live), default=0)
    memo: dict = {}
    out = []
    for p in live:
        cells = product_cells(p, statuses, memo, overrides)
        remaining = tuple(code for code, cell in cells.items() if cell.blocking)
        effort, unestimated = remaining_effort(p, remaining, days, users)
        score, notes = impact(p, max_volume)
        if not remaining and p.on_elo != "both":
            notes.append("nog niet via ELO aan te vragen en op te volgen")
        if unestimated:
            notes.append(
                f"{formats.plural(len(unestimated), 'bouwsteen', 'bouwstenen')} zonder raming"
            )
        out.append(
            ProductPriority(
                p,
                score,
                round(effort, 1),
                remaining,
                unestimated,
                is_conform(p, cells),
                tuple(notes),
            )
        )
    out.sort(
        key=lambda r: (
            r.conform,
            not r.effort_known,
            -(r.score if r.effort_known else r.impact),
            r.product.name.casefold(),
        )
    )
    return out


def remaining_effort(
    product: Product,
    remaining: Sequence[str],
    days: Mapping[tuple[str, str, str], float],
    users: Mapping[str, int],
) -> tuple[float, tuple[str, ...]]:
    """The estimated person-days of a product's remaining blocks (its own lines, plus
    its share of its applications' lines) and the remaining blocks without any estimate.
    `days`: _days_by_scope of the live lines; `users`: counted products per application."""
    effort = 0.0
    unestimated = []
    apps = product_application_ids(product)
    for code in remaining:
        found = False
        own = days.get(("product", product.id, code))
        if own is not None:
            effort += own
            found = True
        for a in apps:
            shared = days.get(("application", a, code))
            if shared is not None:
                effort += shared / users.get(a, 1)
                found = True
        if not found:
            unestimated.append(code)
    return effort, tuple(unestimated)


def days_by_scope(lines: Iterable[EstimateLine]) -> dict[tuple[str, str, str], float]:
    """Expected person-days per (scope kind, scope id, block) of the one-off lines."""
    return _days_by_scope(lines)


def users_of_applications(products: Iterable[Product]) -> dict[str, int]:
    """How many of these products each application serves (`priorities` passes the
    counted ones: live, not excluded)."""
    return _users(products)


def quick_wins(rows: Sequence[ProductPriority]) -> list[ProductPriority]:
    """What can be conform soonest for the least effort: fewest remaining days first,
    then fewer blocks, then the larger impact."""
    wins = [r for r in rows if r.quick_win]
    wins.sort(key=lambda r: (r.effort_days, len(r.remaining_blocks), -r.impact))
    return wins


# -- bottlenecks ------------------------------------------------------------------

BOTTLENECK_KINDS = {
    "technical": "Technisch",
    "budgetary": "Budgettair",
    "organisational": "Organisatorisch",
    "dependency": "Afhankelijk van een bouwsteen of leverancier",
}
BOTTLENECK_STATUSES = {"open": "Open", "in_progress": "In behandeling", "resolved": "Opgelost"}
SCOPES = {"agency": "Entiteit", "application": "Toepassing", "product": "Product"}
_DATE_LABELS = {"reported_on": "Gemeld op", "resolved_on": "Opgelost op"}


def validate_bottleneck(
    values: Mapping[str, Any], scope_ids: Mapping[str, set[str]]
) -> tuple[dict[str, str], dict[str, Any]]:
    """Check a bottleneck's fields: (errors field -> Dutch message, clean values)."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for key in ("description", "owner", "note", "block"):
        out[key] = str(values.get(key, "") or "").strip()
    if not out["description"]:
        errors["description"] = "Beschrijving is verplicht."
    kind = str(values.get("bottleneck_kind", "") or "technical")
    if kind not in BOTTLENECK_KINDS:
        errors["bottleneck_kind"] = (
            f"Onbekende soort '{kind}' (kies uit: {', '.join(BOTTLENECK_KINDS)})."
        )
    out["bottleneck_kind"] = kind
    status = str(values.get("status", "") or "open")
    if status not in BOTTLENECK_STATUSES:
        errors["status"] = (
            f"Onbekende status '{status}' (kies uit: {', '.join(BOTTLENECK_STATUSES)})."
        )
    out["status"] = status
    scope = str(values.get("scope_kind", "") or "agency")
    scope_id = str(values.get("scope_id", "") or "")
    if scope not in SCOPES:
        errors["scope_kind"] = f"Onbekend bereik '{scope}' (agency, application of product)."
    elif scope != "agency" and scope_id not in scope_ids.get(scope, set()):
        errors["scope_id"] = f"Deze {SCOPES[scope].lower()} bestaat niet in de werkruimte."
    out["scope_kind"], out["scope_id"] = scope, scope_id if scope != "agency" else ""
    for key, label in _DATE_LABELS.items():
        d = str(values.get(key, "") or "").strip()
        try:
            d = formats.parse_date_iso(d)  # typed Belgian (or ISO), stored ISO
        except formats.FormatError as exc:
            errors[key] = f"{label}: {exc}"
        out[key] = d
    if out["status"] == "resolved" and not out["resolved_on"] and "resolved_on" not in errors:
        out["resolved_on"] = str(values.get("today", "") or date.today().isoformat())
    return errors, out


def open_bottlenecks(items: Iterable[Bottleneck]) -> list[Bottleneck]:
    return [b for b in items if not b.deleted and b.status != "resolved"]


def bottleneck_counts(items: Iterable[Bottleneck]) -> dict[str, int]:
    """Open bottlenecks per kind (for the dashboard)."""
    counts = dict.fromkeys(BOTTLENECK_KINDS, 0)
    for b in open_bottlenecks(items):
        counts[b.bottleneck_kind] = counts.get(b.bottleneck_kind, 0) + 1
    return counts


# -- the baseline (nulmeting) ------------------------------------------------------------------

BASELINE_DATE = date(2025, 4, 1)
BASELINE_LABEL = "nulmeting 1 april 2025"


class BaselineLocked(Exception):
    """A confirmed baseline is read-only; the message is Dutch."""


def check_editable(baseline: Baseline | None) -> None:
    if baseline is not None and baseline.confirmed:
        raise BaselineLocked(
            "De nulmeting van dit product is bevestigd"
            f"{' op ' + baseline.confirmed_on if baseline.confirmed_on else ''} en kan niet "
            "meer gewijzigd worden."
        )


def validate_baseline(
    values: Mapping[str, Any], block_codes: Iterable[str]
) -> tuple[dict[str, str], dict[str, Any]]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    on_elo = str(values.get("on_elo", "") or "none")
    if on_elo not in codelists.ON_ELO:
        found = next(
            (k for k, v in codelists.ON_ELO.items() if v.casefold() == on_elo.casefold()), None
        )
        if found is None:
            errors["on_elo"] = (
                f"Onbekende waarde '{on_elo}' (kies uit: {', '.join(codelists.ON_ELO)})."
            )
        else:
            on_elo = found
    out["on_elo"] = on_elo
    known = list(block_codes)
    blocks = []
    for b in values.get("blocks_in_use", []) or []:
        b = str(b).strip()
        if not b:
            continue
        if b not in known:
            errors["blocks_in_use"] = f"Onbekende bouwsteen '{b}' (gekend: {', '.join(known)})."
        elif b not in blocks:
            blocks.append(b)
    out["blocks_in_use"] = blocks
    out["note"] = str(values.get("note", "") or "").strip()
    return errors, out


@dataclass(frozen=True, slots=True)
class BaselineProgress:
    """Progress since the baseline, over the products that have one."""

    products: int  # live products
    with_baseline: int
    confirmed: int
    on_elo_then: int  # request and follow-up ("both") at the baseline
    on_elo_now: int
    blocks_then: int  # block uses at the baseline (product x block in use)
    blocks_now: int  # of the same products: blocks done now
    conform_now: int  # of the same products
    rows: list[tuple[Product, Baseline, tuple[str, ...]]] = field(default_factory=list)
    # per product: (product, baseline, blocks newly in use since then)


def baseline_progress(
    products: Sequence[Product],
    baselines: Iterable[Baseline],
    statuses: StatusIndex,
    overrides: Overrides = NO_OVERRIDES,
) -> BaselineProgress:
    by_product = {b.product_id: b for b in baselines if not b.deleted}
    live = [p for p in products if not p.deleted]
    memo: dict = {}
    with_baseline = confirmed = on_then = on_now = then = now = conform = 0
    rows = []
    for p in live:
        b = by_product.get(p.id)
        if b is None:
            continue
        with_baseline += 1
        confirmed += b.confirmed
        on_then += b.on_elo == "both"
        on_now += p.on_elo == "both"
        cells = product_cells(p, statuses, memo, overrides)
        done = tuple(code for code, cell in cells.items() if cell.done)
        then += len(b.blocks_in_use)
        now += len(done)
        conform += is_conform(p, cells)
        rows.append((p, b, tuple(code for code in done if code not in b.blocks_in_use)))
    return BaselineProgress(
        len(live), with_baseline, confirmed, on_then, on_now, then, now, conform, rows
    )


# -- plan scenarios ------------------------------------------------------------------

_QUARTER = re.compile(r"(\d{4})-?Q([1-4])", re.IGNORECASE)
MILESTONE_QUARTER = "2027-Q2"  # 30 June 2027 (beslissing 1° and 2°) is the end of Q2 2027
# Co-financing follows domain/cofinancing.py (the envelope's reading and the default
# eligibility rule are labelled there as "lezing" and "AANNAME").
FIRM_ENVELOPE = {y: v for y, v in cof.FIRM_ENVELOPE.items() if y != "later"}
ENVELOPE_NOTE = cof.ENVELOPE_READING
ELIGIBLE_NOTE = cof.ELIGIBILITY_ASSUMPTION
PLAN_CONFORM_NOTE = (
    "Aanname: een product telt in een kwartaal als conform zodra elk nog open bouwsteendeel "
    "(van het product en van zijn toepassingen) tegen dat kwartaal in productie gepland is; "
    "dat het dan ook via ELO aan te vragen en op te volgen is, wordt verondersteld."
)


def parse_quarter(text: str) -> str | None:
    """'2026-Q3', '2026Q3', '2026-q3' -> '2026-Q3'; None when not a quarter."""
    m = _QUARTER.fullmatch(str(text).strip())
    if not m or not 2024 <= int(m.group(1)) <= 2035:
        return None
    return f"{m.group(1)}-Q{m.group(2)}"


def quarter_year(quarter: str) -> str:
    """The budget year a quarter's work is paid from ("later" after 2027)."""
    year = quarter[:4]
    return year if year in ("2026", "2027") else ("later" if year > "2027" else "2026")


def quarters(start: str = "2026-Q1", end: str = "2027-Q4") -> list[str]:
    out = []
    y, q = int(start[:4]), int(start[-1])
    while f"{y}-Q{q}" <= end:
        out.append(f"{y}-Q{q}")
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out


def line_eligible(line: EstimateLine) -> bool:
    """Eligible for co-financing: the line's own choice, else the default rule."""
    return cof.is_eligible(line)


@dataclass(frozen=True, slots=True)
class ScenarioSummary:
    scenario: PlanScenario
    cost_by_year: dict[str, float]  # expected cost (PERT mean) per budget year
    eligible_by_year: dict[str, float]
    envelope_by_year: dict[str, float]
    conform_by_quarter: dict[str, int]  # products conform at the end of each quarter
    conform_at_milestone: int
    products: int
    unplanned: int  # remaining (scope, block) pairs without a quarter
    moved_lines: int  # estimate lines whose budget year the plan changes

    @property
    def over_envelope(self) -> dict[str, float]:
        return {
            y: self.eligible_by_year.get(y, 0.0) - env
            for y, env in self.envelope_by_year.items()
            if self.eligible_by_year.get(y, 0.0) > env
        }


def plan_index(items: Iterable[PlanItem], scenario_id: str) -> dict[tuple[str, str, str], str]:
    return {
        (i.scope_kind, i.scope_id, i.block): i.quarter
        for i in items
        if not i.deleted and i.scenario_id == scenario_id and i.quarter
    }


def planned_year(line: EstimateLine, plan: Mapping[tuple[str, str, str], str]) -> str:
    """The budget year a line falls in under a plan (its own year when not planned)."""
    quarter = plan.get((line.scope_kind, line.scope_id, line.block))
    return quarter_year(quarter) if quarter else line.budget_year


def summarize_scenario(
    scenario: PlanScenario,
    items: Iterable[PlanItem],
    products: Sequence[Product],
    statuses: StatusIndex,
    lines: Iterable[EstimateLine],
    agency: Agency | None,
    overrides: Overrides = NO_OVERRIDES,
) -> ScenarioSummary:
    plan = plan_index(items, scenario.id)
    rates = Rates.of(agency)
    cost: dict[str, float] = {"2026": 0.0, "2027": 0.0, "later": 0.0}
    eligible: dict[str, float] = dict(cost)
    moved = 0
    for line in lines:
        if line.deleted:
            continue
        c = cost_line(line, rates)
        if not c.valid:
            continue
        year = planned_year(line, plan)
        moved += year != line.budget_year
        cost[year] = cost.get(year, 0.0) + c.mean
        if line_eligible(line):
            eligible[year] = eligible.get(year, 0.0) + c.mean
    qs = quarters()
    conform = dict.fromkeys(qs, 0)
    live = [p for p in products if not p.deleted and is_excluded(p, overrides) is None]
    unplanned: set[tuple[str, str, str]] = set()
    memo: dict = {}
    for p in live:
        cells = product_cells(p, statuses, memo, overrides)
        ready_at, missing = planned_ready(p, cells, statuses, plan)
        unplanned.update(missing)
        count_ready(conform, ready_at)
    return ScenarioSummary(
        scenario,
        cost,
        eligible,
        dict(FIRM_ENVELOPE),
        conform,
        conform.get(MILESTONE_QUARTER, 0),
        len(live),
        len(unplanned),
        moved,
    )


def planned_ready(
    product: Product,
    cells: Mapping[str, Cell],
    statuses: StatusIndex,
    plan: Mapping[tuple[str, str, str], str],
) -> tuple[str, list[tuple[str, str, str]]]:
    """The quarter by which every block still standing between the product and
    conformity is planned ("" when none is left, "~" when one is not planned), and the
    (scope kind, scope id, block) parts without a quarter."""
    ready_at = ""
    unplanned: list[tuple[str, str, str]] = []
    for code, cell in cells.items():
        if not cell.blocking:
            continue
        for key in _open_keys(product, code, statuses):
            q = plan.get(key)
            if q is None:
                unplanned.append(key)
                ready_at = "~"  # not within the plan
            elif ready_at != "~" and q > ready_at:
                ready_at = q
    return ready_at, unplanned


def count_ready(conform: dict[str, int], ready_at: str) -> None:
    """Count a product conform in every quarter from `ready_at` (planned_ready) on."""
    for q in conform:
        if ready_at != "~" and ready_at <= q:
            conform[q] += 1


def _open_keys(product: Product, code: str, statuses: StatusIndex) -> list[tuple[str, str, str]]:
    """The scopes whose block `code` still stands between the product and conformity:
    the product itself for a product block; each of its applications not yet done for an
    application block (an application block without an application is never done)."""
    if code not in APPLICATION_BLOCKS:
        return [("product", product.id, code)]
    apps = product_application_ids(product)
    if not apps:
        return [("application", "", code)]
    out = []
    for a in apps:
        st = statuses.get(("application", a, code))
        if st is None or not (
            is_done(st.applicability, st.stage) or st.applicability == NOT_APPLICABLE
        ):
            out.append(("application", a, code))
    return out


def validate_plan_item(
    values: Mapping[str, Any], scope_ids: Mapping[str, set[str]], block_codes: Iterable[str]
) -> tuple[dict[str, str], dict[str, Any]]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    quarter = parse_quarter(str(values.get("quarter", "")))
    if quarter is None:
        errors["quarter"] = f"'{values.get('quarter', '')}' is geen kwartaal (bv. 2026-Q3)."
    out["quarter"] = quarter or ""
    scope = str(values.get("scope_kind", "") or "")
    scope_id = str(values.get("scope_id", "") or "")
    if scope not in ("application", "product") or scope_id not in scope_ids.get(scope, set()):
        errors["scope_id"] = "Kies een bestaande toepassing of een bestaand product."
    out["scope_kind"], out["scope_id"] = scope, scope_id
    block = str(values.get("block", "") or "")
    if block not in set(block_codes):
        errors["block"] = f"Onbekende bouwsteen '{block}'."
    out["block"] = block
    return errors, out
