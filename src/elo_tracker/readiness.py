"""Readiness of one agency from the records it pushed, for the programme overview.

The tracker does not import the app (`elo_tui`), so it counts here what the overview
shows, by the rules of `elo_tui.domain.readiness.summarize` and `elo_tui.domain.decisions`
(VR 2025 1212 DOC.1191/1BIS); a test compares both on the demo workspace and a generated
one, figure by figure. In short:

- a product gets its application-level block parts from its request and follow-up
  applications (both when they differ) and waits for the slowest of them;
- a part is done when it is required, or planned via the formulieren- en opvolgingstool,
  AND in production (choosing the tool is a plan, not a result); an undecided part is not
  ready;
- the requirements (SSO, gericht aanmelden, rechtenbeheer op productniveau) are met when
  every applicable part they need is in production (elo_contract.REQUIREMENTS);
- ELO-conform: requested and followed up via ELO (`on_elo == "both"`), every applicable
  part in production and the three requirements met ("niet van toepassing" on all their
  parts does not meet them); self-declared, and "centraal gecontroleerd" when every applicable
  part's status is `verified_central`;
- an exemption or delay counts once VLAIO accepted it (the latest Review with verdict
  accepted/refused targeting it): an accepted exemption is neither conform nor late, an
  accepted delay moves the date a part is measured against;
- products of an excluded application ("in onderling overleg buiten beschouwing gelaten")
  are listed apart and left out of every count;
- "producten met risico op vertraging" per milestone: 30 June 2027 (binding) and 1 January
  2027 (opname op e-loketondernemers). The reading of the latter is a workspace setting the
  tracker does not receive: it applies the app's default reading, "nieuwe opname", and the
  overview says so (ADMISSION_INTERPRETATION).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from elo_contract import BLOCKS, REQUIREMENTS, STAGES

BLOCK_CODES = tuple(code for code, _, _, _ in BLOCKS)
APPLICATION_BLOCKS = tuple(code for code, scope, _, _ in BLOCKS if scope == "application")
PRODUCT_BLOCKS = tuple(code for code, scope, _, _ in BLOCKS if scope == "product")
UNDECIDED, REQUIRED, NOT_APPLICABLE, FORMS_TOOL = (
    "undecided",
    "required",
    "not_applicable",
    "forms_tool",
)
PRODUCTION = "production"

# -- milestones (the app's domain/blocks.py DEADLINES; a test checks they agree) -----------


@dataclass(frozen=True, slots=True)
class Milestone:
    key: str
    day: date
    label: str  # Dutch
    latest_target: date  # a target date up to this day is on time
    binding: bool = True  # False: its reading is an interpretation


JUN_2027 = Milestone("2027-06-30", date(2027, 6, 30), "30 juni 2027", date(2027, 6, 30))
JAN_2027 = Milestone(
    "2027-01-01",
    date(2027, 1, 1),
    "1 januari 2027 (opname op e-loketondernemers)",
    date(2026, 12, 31),
    binding=False,
)
MILESTONES: tuple[Milestone, ...] = (JAN_2027, JUN_2027)

# The reading of the admission milestone applied here: the app's default (the tracker does
# not receive a workspace's own choice).
ADMISSION_READING = "new_listing"
ADMISSION_READING_TEXT = (
    "nieuwe opname: producten die nog niet op e-loketondernemers staan, hebben de "
    "essentiële bouwstenen in productie nodig vóór ze opgenomen worden"
)
ADMISSION_INTERPRETATION = (
    "Interpretatie: de centrale opvolging kent de lezing die een entiteit in haar werkruimte "
    "koos niet en past de standaardlezing 'nieuwe opname' toe op de mijlpaal van 1 januari "
    "2027 (“e-loketondernemers vanaf 1 januari 2027 enkel nog producten of diensten opneemt "
    "als de onderliggende applicaties de essentiële bouwstenen correct implementeren”, "
    "principe van de strategie van e-loketondernemers aangehaald in VR 2025 1212 "
    "DOC.1191/1BIS). Dat is geen deadline voor de bouwstenen: die blijft 30 juni 2027."
)


def milestone_label(m: Milestone) -> str:
    return m.label if m.binding else f"{m.label} – interpretatie: nieuwe opname"


def _applies(m: Milestone, on_elo: str) -> bool:
    """Whether a milestone concerns a product under the reading "nieuwe opname"."""
    return m.binding or on_elo == "none"


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text: str) -> date | None:
    text = (text or "").strip()
    if not _ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


# -- decisions on exemptions and delays ------------------------------------------------------

ACCEPTED, REFUSED = "accepted", "refused"
ScopeKey = tuple[str, str, str]  # (scope_kind, scope_id, subject)


@dataclass(slots=True)
class Overrides:
    exempt: set[ScopeKey] = field(default_factory=set)
    delays: dict[ScopeKey, tuple[str, str]] = field(default_factory=dict)  # (new, original)
    excluded_apps: dict[str, str] = field(default_factory=dict)  # app id -> reason
    new_apps: set[str] = field(default_factory=set)  # beslissing 5°


def decisions(reviews: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Record id -> verdict of its latest accepted/refused review (other verdicts leave a
    request "gevraagd"). Latest by created_at (else updated_at), then updated_at."""
    latest: dict[str, tuple[tuple[str, str], str]] = {}
    for r in reviews:
        verdict = r.get("verdict", "")
        if verdict not in (ACCEPTED, REFUSED):
            continue
        updated = r.get("updated_at") or ""
        key = (r.get("created_at") or updated, updated)
        target = r.get("target_id", "")
        have = latest.get(target)
        if have is None or key >= have[0]:
            latest[target] = (key, verdict)
    return {target: verdict for target, (_, verdict) in latest.items()}


def build_overrides(
    exemptions: Iterable[Mapping[str, Any]] = (),
    delays: Iterable[Mapping[str, Any]] = (),
    reviews: Iterable[Mapping[str, Any]] = (),
    applications: Iterable[Mapping[str, Any]] = (),
) -> Overrides:
    found = decisions(reviews)
    out = Overrides()
    for e in exemptions:
        if found.get(e.get("id", "")) == ACCEPTED:
            out.exempt.add(
                (e.get("scope_kind", "product"), e.get("scope_id", ""), e.get("subject", ""))
            )
    for d in delays:
        new_date = d.get("new_date", "")
        if parse_date(new_date) is not None and found.get(d.get("id", "")) == ACCEPTED:
            key = (d.get("scope_kind", "product"), d.get("scope_id", ""), d.get("subject", ""))
            have = out.delays.get(key)
            if have is None or new_date > have[0]:
                out.delays[key] = (new_date, d.get("original_date", ""))
    for a in applications:
        if a.get("excluded"):
            out.excluded_apps[a.get("id", "")] = a.get("exclusion_reason", "")
        if a.get("is_new"):
            out.new_apps.add(a.get("id", ""))
    return out


NO_OVERRIDES = Overrides()

# -- one cell ----------------------------------------------------------------------------------


class Cell(NamedTuple):
    applicability: str = UNDECIDED
    stage: str = "not_started"
    target_date: str = ""
    exempt: bool = False
    delayed_to: str = ""
    original_date: str = ""
    waiting: bool = False
    verified: bool = False

    @property
    def done(self) -> bool:
        return (
            not self.exempt
            and self.applicability in (REQUIRED, FORMS_TOOL)
            and self.stage == PRODUCTION
        )

    @property
    def open(self) -> bool:
        return (
            not self.exempt
            and self.applicability in (REQUIRED, FORMS_TOOL)
            and self.stage != PRODUCTION
        )

    @property
    def blocking(self) -> bool:
        if self.exempt:
            return False
        a = self.applicability
        return a == UNDECIDED or (a in (REQUIRED, FORMS_TOOL) and self.stage != PRODUCTION)

    @property
    def applicable(self) -> bool:
        return self.applicability != NOT_APPLICABLE


UNDECIDED_CELL = Cell()


def _stage_rank(stage: str) -> int:
    return STAGES.index(stage) if stage in STAGES else 0


def _cell(status: Mapping[str, Any] | None) -> Cell:
    if status is None:
        return UNDECIDED_CELL
    return Cell(
        status.get("applicability", UNDECIDED),
        status.get("stage", "not_started"),
        status.get("target_date", ""),
        waiting=bool(status.get("waiting_on_block")),
        verified=bool(status.get("verified_central")),
    )


def _combine(cells: Sequence[Cell]) -> Cell:
    """The product waits for the slowest application (the domain's combine_cells)."""
    if not cells:
        return UNDECIDED_CELL
    if len(cells) == 1:
        return cells[0]
    open_cells = [c for c in cells if c.open]
    if open_cells:
        slowest = min(open_cells, key=lambda c: _stage_rank(c.stage))
        targets = [c.target_date for c in open_cells]
        delays = [c.delayed_to for c in open_cells]
        delayed_to = "" if "" in delays else min(delays)
        original = next((c.original_date for c in open_cells if c.delayed_to == delayed_to), "")
        return Cell(
            slowest.applicability,
            slowest.stage,
            "" if "" in targets else max(targets),
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


_SUBJECTS = {
    code: (code, *(r for r, _, parts in REQUIREMENTS if code in parts)) for code in BLOCK_CODES
}


def part_override(
    overrides: Overrides, scopes: Sequence[tuple[str, str]], code: str
) -> tuple[bool, tuple[str, str] | None]:
    """(exempt, accepted delay as (new date, original date) or None) for block part `code`
    of these scopes: an accepted exemption or delay on the part or on a requirement it
    serves."""
    if not overrides.exempt and not overrides.delays:
        return False, None
    subjects = _SUBJECTS[code]
    exempt = overrides.exempt
    # A requirement's exemption covers a part only when every requirement needing it is
    # exempted (as the app's readiness.apply_overrides).
    needing = subjects[1:]
    if any((kind, scope_id, code) in exempt for kind, scope_id in scopes) or (
        needing
        and all(any((kind, scope_id, r) in exempt for kind, scope_id in scopes) for r in needing)
    ):
        return True, None
    best = None
    for kind, scope_id in scopes:
        for subject in subjects:
            d = overrides.delays.get((kind, scope_id, subject))
            if d is not None and (best is None or d[0] > best[0]):
                best = d
    return False, best


def _override(cell: Cell, overrides: Overrides, scopes: Sequence[tuple[str, str]], code: str):
    """Accepted exemptions and delays of these scopes applied to one part's cell."""
    exempt, delay = part_override(overrides, scopes, code)
    if exempt:
        return cell._replace(exempt=True)
    if delay is not None:
        return cell._replace(
            delayed_to=delay[0], original_date=delay[1] or JUN_2027.day.isoformat()
        )
    return cell


def _application_ids(product: Mapping[str, Any]) -> tuple[str, ...]:
    ids: list[str] = []
    for key in ("request_application_id", "followup_application_id"):
        app_id = product.get(key, "")
        if app_id and app_id not in ids:
            ids.append(app_id)
    return tuple(ids)


# "DOSIS (& Toelatingen indien van toepassing)" (beslissing 3°): may stay not applicable.
_CONDITIONAL_PARTS = frozenset({"toelatingen"})


def _required_from_the_start(cell: Cell, code: str) -> Cell:
    """Beslissing 5° (as the app's readiness.required_from_the_start): a part of a new
    application marked "niet van toepassing" or forms tool counts as required unless an
    accepted exemption covers it."""
    if cell.exempt or cell.applicability not in ("not_applicable", "forms_tool"):
        return cell
    if code in _CONDITIONAL_PARTS and cell.applicability == "not_applicable":
        return cell
    return cell._replace(applicability="required")


def _product_cells(product, index, memo, overrides) -> dict[str, Cell]:
    out: dict[str, Cell] = {}
    app_ids = _application_ids(product)
    pid = product.get("id", "")
    for code in APPLICATION_BLOCKS:
        key = (app_ids, code)
        cell = memo.get(key)
        if cell is None:
            cells = [
                _override(
                    _cell(index.get(("application", a, code))),
                    overrides,
                    [("application", a)],
                    code,
                )
                for a in app_ids
            ]
            if overrides.new_apps:
                cells = [
                    _required_from_the_start(c, code) if a in overrides.new_apps else c
                    for a, c in zip(app_ids, cells, strict=True)
                ]
            cell = memo[key] = _combine(cells)
        out[code] = _override(cell, overrides, [("product", pid)], code)
    app_scopes = [("application", a) for a in app_ids]
    of_new_app = any(a in overrides.new_apps for a in app_ids)
    for code in PRODUCT_BLOCKS:
        cell = _override(
            _cell(index.get(("product", pid, code))),
            overrides,
            [("product", pid), *app_scopes],
            code,
        )
        out[code] = _required_from_the_start(cell, code) if of_new_app else cell
    return out


# -- risks ---------------------------------------------------------------------------------


class Risk(NamedTuple):
    block: str
    problem: str  # "undecided" | "no_target" | "target_late" | "target_passed"
    target_date: str = ""
    waiting: bool = False
    delayed_to: str = ""


def _risk(cell: Cell, block: str, m: Milestone, today: date | None) -> Risk | None:
    if cell.exempt:
        return None
    if cell.applicability == UNDECIDED:
        return Risk(block, "undecided", waiting=cell.waiting)
    if cell.applicability not in (REQUIRED, FORMS_TOOL) or cell.stage == PRODUCTION:
        return None
    target = parse_date(cell.target_date) if cell.target_date else None
    if target is None:
        return Risk(block, "no_target", waiting=cell.waiting)
    latest, delayed_to = m.latest_target, ""
    if m.binding and cell.delayed_to:
        moved = parse_date(cell.delayed_to)
        if moved is not None and moved > latest:
            latest, delayed_to = moved, cell.delayed_to
    if target > latest:
        return Risk(block, "target_late", cell.target_date, cell.waiting, delayed_to)
    if today is not None and target < today:
        return Risk(block, "target_passed", cell.target_date, cell.waiting, delayed_to)
    return None


MET, OPEN, EXEMPT, NOT_APPLICABLE_REQ = "met", "open", "exempt", "not_applicable"


def _requirement_state(cells: Mapping[str, Cell], parts: Sequence[str]) -> str:
    applicable = [cells[c] for c in parts if cells[c].applicable]
    if not applicable:
        return NOT_APPLICABLE_REQ
    if any(not c.done and not c.exempt for c in applicable):
        return OPEN
    return EXEMPT if any(c.exempt for c in applicable) else MET


# -- the agency ----------------------------------------------------------------------------


@dataclass(slots=True)
class BlockCount:
    """One block part over all counted products (application parts per product served)."""

    block: str
    total: int = 0
    undecided: int = 0
    not_applicable: int = 0
    forms_tool: int = 0  # planned via the formulieren- en opvolgingstool
    forms_tool_done: int = 0  # of which the route is in production
    required: int = 0
    exempt: int = 0
    waiting: int = 0  # open and "wacht op bouwsteen"
    stages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
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


@dataclass(frozen=True, slots=True)
class RequirementCount:
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
class AtRisk:
    product_id: str
    product_name: str
    risks: tuple[Risk, ...]

    @property
    def waiting(self) -> bool:
        return any(r.waiting for r in self.risks)


@dataclass(slots=True)
class Readiness:
    products_total: int  # excluded products not counted
    elo_conform: int  # self-declared
    blocks: list[BlockCount]
    elo_conform_verified: int = 0  # centraal gecontroleerd
    exempt_products: int = 0
    requirements: dict[str, RequirementCount] = field(default_factory=dict)
    at_risk: dict[str, list[AtRisk]] = field(default_factory=dict)  # milestone key -> ...
    days_left: dict[str, int] = field(default_factory=dict)
    excluded: list[dict[str, str]] = field(default_factory=list)

    @property
    def elo_conform_percent(self) -> float | None:
        return _percent(self.elo_conform, self.products_total)

    @property
    def overall_percent(self) -> float | None:
        return _percent(sum(b.done for b in self.blocks), sum(b.applicable for b in self.blocks))

    def waiting_at_risk(self, key: str) -> int:
        return sum(r.waiting for r in self.at_risk.get(key, []))


def _percent(part: int, whole: int) -> float | None:
    return None if whole <= 0 else 100.0 * part / whole


def _count(states: Iterable[str]) -> RequirementCount:
    yes = no = na = ex = 0
    for v in states:
        if v == MET:
            yes += 1
        elif v == OPEN:
            no += 1
        elif v == EXEMPT:
            ex += 1
        else:
            na += 1
    return RequirementCount(yes, no, na, ex)


def readiness(
    products: list[dict[str, Any]],
    statuses: list[dict[str, Any]],
    *,
    applications: Iterable[dict[str, Any]] = (),
    exemptions: Iterable[dict[str, Any]] = (),
    delays: Iterable[dict[str, Any]] = (),
    reviews: Iterable[dict[str, Any]] = (),
    today: date | None = None,
) -> Readiness:
    """Live records only (the store leaves tombstones out), each a record's data with its
    id; reviews also with their `updated_at` (ordering of decisions made the same day)."""
    applications = list(applications)
    overrides = build_overrides(exemptions, delays, reviews, applications)
    index = {(s.get("scope_kind"), s.get("scope_id"), s.get("block")): s for s in statuses}
    counts = {code: BlockCount(code) for code in BLOCK_CODES}
    at_risk: dict[str, list[AtRisk]] = {m.key: [] for m in MILESTONES}
    excluded: list[dict[str, str]] = []
    memo: dict = {}
    counted = []  # (conform, verified, exempt, requirement states)
    served: set[str] = set()
    for product in products:
        cells = _product_cells(product, index, memo, overrides)
        app_ids = _application_ids(product)
        reason = next(
            (overrides.excluded_apps[a] for a in app_ids if a in overrides.excluded_apps), None
        )
        name = product.get("name", "")
        if reason is not None:
            excluded.append(
                {"product_id": product.get("id", ""), "product": name, "reason": reason}
            )
            continue
        served.update(app_ids)
        for code, cell in cells.items():
            count = counts[code]
            count.total += 1
            if cell.exempt:
                count.exempt += 1
            elif cell.applicability == REQUIRED:
                count.required += 1
                count.stages[cell.stage if cell.stage in count.stages else STAGES[0]] += 1
            elif cell.applicability == NOT_APPLICABLE:
                count.not_applicable += 1
            elif cell.applicability == FORMS_TOOL:
                count.forms_tool += 1
                count.forms_tool_done += cell.stage == PRODUCTION
            else:
                count.undecided += 1
            if cell.waiting and cell.blocking:
                count.waiting += 1
        on_elo = product.get("on_elo", "none")
        for m in MILESTONES:
            if not _applies(m, on_elo):
                continue
            found = tuple(
                r
                for code in BLOCK_CODES
                if cells[code].blocking and (r := _risk(cells[code], code, m, today)) is not None
            )
            if found:
                at_risk[m.key].append(AtRisk(product.get("id", ""), name, found))
        states = {code: _requirement_state(cells, parts) for code, _, parts in REQUIREMENTS}
        conform = (
            on_elo == "both"
            and all(c.done or c.applicability == NOT_APPLICABLE for c in cells.values())
            and all(state == MET for state in states.values())
        )
        verified = conform and all(c.verified for c in cells.values() if c.applicable)
        counted.append((conform, verified, any(c.exempt for c in cells.values()), states))

    # Application parts per application that serves a counted product.
    live_apps = {a.get("id", "") for a in applications} - set(overrides.excluded_apps)
    for code in APPLICATION_BLOCKS:
        app_cells = [
            _override(
                _cell(index.get(("application", a, code))), overrides, [("application", a)], code
            )
            for a in sorted(served & live_apps)
        ]
        applicable = [c for c in app_cells if c.applicable and not c.exempt]
        counts[code].applications_total = len(applicable)
        counts[code].applications_done = sum(c.done for c in applicable)

    for items in at_risk.values():
        items.sort(key=lambda r: (-len(r.risks), r.product_name.casefold()))
    excluded.sort(key=lambda e: e["product"].casefold())
    return Readiness(
        products_total=len(counted),
        elo_conform=sum(c[0] for c in counted),
        blocks=[counts[code] for code in BLOCK_CODES],
        elo_conform_verified=sum(c[1] for c in counted),
        exempt_products=sum(c[2] for c in counted),
        requirements={code: _count(c[3][code] for c in counted) for code, _, _ in REQUIREMENTS},
        at_risk=at_risk,
        days_left={m.key: (m.day - today).days for m in MILESTONES} if today else {},
        excluded=excluded,
    )
