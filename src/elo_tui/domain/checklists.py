"""Checklists: templates as plain data, instantiating them per scope, and the agenda.

Stdlib only (screens import it at start-up). The templates themselves are TOML files in
`checklists/`, validated by `domain.templates` (pydantic, loaded on demand), which turns
them into the `Template` and `Step` dataclasses below.

A block's checklist (its aansluiting) exists for a scope while that block is *required* there:
it is instantiated when the block becomes required and marked obsolete (kept, with its
notes and status) when it no longer is; it comes back as it was when the block is
required again.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from elo_tui.domain.blocks import (
    BLOCKS_BY_CODE,
    DEADLINE_JAN_2027,
    DEADLINE_JUN_2027,
    REQUIRED,
    parse_date,
)
from elo_tui.domain.records import BlockStatus, ChecklistItem

OWNER_ROLES: dict[str, str] = {
    "agency": "Entiteit",
    "digitaal_vlaanderen": "Digitaal Vlaanderen",
    "vlaio": "VLAIO",
}

# Milestones a step's due date is counted from (offset in days, negative = before).
MILESTONES: dict[str, str] = {
    "block_target": "streefdatum van de bouwsteen (anders de deadline van de bouwsteen)",
    "instantiated": "dag waarop de checklist werd aangemaakt",
    "deadline_2027_01_01": "1 januari 2027 (opname op e-loketondernemers; geen deadline)",
    "deadline_2027_06_30": "30 juni 2027",
    "interim_evaluation": "tussentijdse evaluatie (eind 2026)",
}
FIXED_MILESTONES: dict[str, date] = {
    "deadline_2027_01_01": DEADLINE_JAN_2027.day,
    "deadline_2027_06_30": DEADLINE_JUN_2027.day,
    "interim_evaluation": date(2026, 12, 31),
}

TRIGGERS: dict[str, str] = {
    "agency": "eenmaal per entiteit (agentschap of departement)",
    "block_required": "per toepassing of product waarvoor de bouwsteen vereist is",
    # "elke nieuwe of grondig vernieuwde digitale dienst te toetsen aan de principes en
    # criteria van de digitale dienstverleningsstrategie" (VR 2025 1212 DOC.1191/1BIS).
    "new_application": "per nieuwe of grondig vernieuwde toepassing",
}
RECURRENCES: dict[str, str] = {"": "eenmalig", "monthly": "maandelijks"}

ITEM_STATUSES: dict[str, str] = {
    "open": "Open",
    "busy": "Bezig",
    "blocked": "Geblokkeerd",
    "done": "Klaar",
    "na": "N.v.t.",
}
ITEM_STATUS_SYMBOLS: dict[str, str] = {
    "open": "□",
    "busy": "◐",
    "blocked": "✖",
    "done": "✔",
    "na": "–",
}
CLOSED_STATUSES = frozenset({"done", "na"})
SOON_DAYS = 14
# The order space moves a step's status on in: the usual path first (open, busy, done),
# then the exceptions; an unknown status starts again at "open".
STATUS_CYCLE = ("open", "busy", "done", "blocked", "na")


def next_status(status: str) -> str:
    """The status after `status` in STATUS_CYCLE (wrapping round)."""
    current = status if status in STATUS_CYCLE else "open"
    return STATUS_CYCLE[(STATUS_CYCLE.index(current) + 1) % len(STATUS_CYCLE)]


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    title: str
    description: str
    owner: str  # OWNER_ROLES key
    milestone: str  # MILESTONES key
    offset_days: int
    sourced: bool  # True: from the decision or Digitaal Vlaanderen's documentation
    source: str = ""
    recurrence: str = ""  # "" | "monthly"


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    title: str
    description: str
    scope: str  # agency | application | product
    trigger: str  # TRIGGERS key
    block: str  # block code, "" for agency templates
    steps: tuple[Step, ...]
    file: str = ""  # where it was read from (messages)

    def step(self, key: str) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)


# -- due dates -------------------------------------------------------------------------------


def milestone_date(milestone: str, today: date, block: str = "", target_date: str = "") -> date:
    """The day a milestone falls on for one scope."""
    if milestone in FIXED_MILESTONES:
        return FIXED_MILESTONES[milestone]
    if milestone == "block_target":
        target = parse_date(target_date) if target_date else None
        if target is not None:
            return target
        block_info = BLOCKS_BY_CODE.get(block)
        return block_info.deadline.latest_target if block_info else DEADLINE_JUN_2027.day
    return today  # "instantiated"


def due_date(step: Step, today: date, block: str = "", target_date: str = "") -> str:
    """The milestone plus the step's offset (a planning assumption), as an ISO date."""
    day = milestone_date(step.milestone, today, block, target_date) + timedelta(
        days=step.offset_days
    )
    return day.isoformat()


def first_due_date(step: Step, today: date, block: str = "", target_date: str = "") -> str:
    """`due_date` for a step created `today`, but never before today: a step cannot be
    late on the day it is created (a new workspace would start with steps overdue)."""
    return max(due_date(step, today, block, target_date), today.isoformat())


def _untouched_due(item_due: str, computed: str, today: date) -> bool:
    """Whether `item_due` is still the computed date: equal to it, or moved up to the
    day of creation by `first_due_date` (between the computed date and today)."""
    return item_due == computed or computed < item_due <= today.isoformat()


def add_month(day: date) -> date:
    """The same day next month (the last day when that month is shorter)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# -- instantiating -------------------------------------------------------------------------


@dataclass(slots=True)
class ChecklistPlan:
    """What to store so that checklists follow the block statuses."""

    create: list[ChecklistItem] = field(default_factory=list)
    update: list[ChecklistItem] = field(default_factory=list)  # reopened, closed or re-dated

    def __bool__(self) -> bool:
        return bool(self.create or self.update)

    def extend(self, other: ChecklistPlan) -> None:
        self.create.extend(other.create)
        self.update.extend(other.update)


def _new_item(template: Template, step: Step, scope_kind: str, scope_id: str, due: str):
    return ChecklistItem(
        template=template.id,
        step=step.key,
        scope_kind=scope_kind,
        scope_id=scope_id,
        block=template.block,
        title=step.title,
        owner=OWNER_ROLES.get(step.owner, step.owner),
        due_date=due,
    )


def templates_for_block(templates: Iterable[Template], scope_kind: str, block: str):
    return [
        t
        for t in templates
        if t.trigger == "block_required" and t.block == block and t.scope == scope_kind
    ]


def plan_scope(
    templates: Sequence[Template],
    *,
    scope_kind: str,
    scope_id: str,
    block: str,
    required: bool,
    existing: Sequence[ChecklistItem],
    today: date,
    target_date: str = "",
    old_target_date: str | None = None,
) -> ChecklistPlan:
    """Bring the checklists of one scope x block in line with whether the block is required.

    `existing` are the items already stored for this scope (any block). When the target
    date moved (`old_target_date` given), open items whose due date still equals the one
    computed from the old target follow the new one; dates a person changed stay.
    """
    plan = ChecklistPlan()
    chosen = templates_for_block(templates, scope_kind, block)
    ids = {t.id for t in chosen}
    have = {(i.template, i.step): i for i in existing if i.template in ids and not i.deleted}
    for template in chosen:
        for step in template.steps:
            item = have.get((template.id, step.key))
            if not required:
                if item is not None and not item.obsolete:
                    item.obsolete = True
                    plan.update.append(item)
                continue
            new_due = first_due_date(step, today, block, target_date)
            if item is None:
                plan.create.append(_new_item(template, step, scope_kind, scope_id, new_due))
                continue
            changed = False
            if item.obsolete:
                item.obsolete = False
                changed = True
            if (
                old_target_date is not None
                and old_target_date != target_date
                and step.milestone == "block_target"
                and item.status == "open"
                and _untouched_due(
                    item.due_date, due_date(step, today, block, old_target_date), today
                )
            ):
                item.due_date = new_due
                changed = True
            if changed:
                plan.update.append(item)
    return plan


def plan_agency(
    templates: Sequence[Template],
    agency_id: str,
    existing: Sequence[ChecklistItem],
    today: date,
) -> ChecklistPlan:
    """The agency-wide checklists (programme steps, aftoetsing): create what is missing."""
    plan = ChecklistPlan()
    have = {(i.template, i.step) for i in existing if i.scope_kind == "agency" and not i.deleted}
    for template in templates:
        if template.trigger != "agency":
            continue
        for step in template.steps:
            if (template.id, step.key) not in have:
                plan.create.append(
                    _new_item(template, step, "agency", agency_id, first_due_date(step, today))
                )
    return plan


def plan_new_application(
    templates: Sequence[Template],
    application_id: str,
    is_new: bool,
    existing: Sequence[ChecklistItem],
    today: date,
) -> ChecklistPlan:
    """The checklists of a new or fundamentally renewed application (the aftoetsing):
    created while it is new, marked obsolete (notes kept) when it no longer is."""
    plan = ChecklistPlan()
    chosen = [t for t in templates if t.trigger == "new_application"]
    ids = {t.id for t in chosen}
    have = {(i.template, i.step): i for i in existing if i.template in ids and not i.deleted}
    for template in chosen:
        for step in template.steps:
            item = have.get((template.id, step.key))
            if not is_new:
                if item is not None and not item.obsolete:
                    item.obsolete = True
                    plan.update.append(item)
            elif item is None:
                plan.create.append(
                    _new_item(
                        template, step, "application", application_id, first_due_date(step, today)
                    )
                )
            elif item.obsolete:
                item.obsolete = False
                plan.update.append(item)
    return plan


def plan_all(
    templates: Sequence[Template],
    agency_id: str,
    statuses: Iterable[BlockStatus],
    items: Iterable[ChecklistItem],
    today: date,
    applications: Iterable = (),
) -> ChecklistPlan:
    """Bring every checklist of a workspace in line with its block statuses and its new
    applications (after an import, a sync, or a template change)."""
    by_scope: dict[tuple[str, str], list[ChecklistItem]] = {}
    for item in items:
        if not item.deleted:
            by_scope.setdefault((item.scope_kind, item.scope_id), []).append(item)
    plan = plan_agency(templates, agency_id, by_scope.get(("agency", agency_id), []), today)
    for app in applications:
        if not app.deleted:
            plan.extend(
                plan_new_application(
                    templates,
                    app.id,
                    app.is_new,
                    by_scope.get(("application", app.id), []),
                    today,
                )
            )
    seen: set[tuple[str, str, str]] = set()
    for status in statuses:
        if status.deleted:
            continue
        seen.add((status.scope_kind, status.scope_id, status.block))
        plan.extend(
            plan_scope(
                templates,
                scope_kind=status.scope_kind,
                scope_id=status.scope_id,
                block=status.block,
                required=status.applicability == REQUIRED,
                existing=by_scope.get((status.scope_kind, status.scope_id), []),
                today=today,
                target_date=status.target_date,
            )
        )
    # Items whose block status disappeared (deleted scope or status): close them too.
    for (scope_kind, scope_id), scope_items in by_scope.items():
        if scope_kind == "agency":
            continue
        for item in scope_items:
            if item.block and (scope_kind, scope_id, item.block) not in seen and not item.obsolete:
                item.obsolete = True
                plan.update.append(item)
    return plan


# -- the agenda ------------------------------------------------------------------------------

BUCKETS: dict[str, str] = {
    "overdue": "Te laat",
    "soon": "Binnenkort",
    "later": "Later",
    "no_date": "Zonder datum",
    "closed": "Afgerond",
    "obsolete": "Niet meer nodig",
}
_BUCKET_RANK = {k: i for i, k in enumerate(BUCKETS)}


def is_active(item: ChecklistItem) -> bool:
    return not item.obsolete and not item.deleted and item.status not in CLOSED_STATUSES


def bucket(item: ChecklistItem, today: date, soon_days: int = SOON_DAYS) -> str:
    return bucket_of(item.obsolete, item.status, item.due_date, today, soon_days)


def bucket_rank(obsolete: Any, status: str, due_date: str, today: date) -> int:
    """Place of the bucket in the agenda (0: overdue first). From the stored fields, so the
    store can order and count 100,000+ steps in SQL with exactly this rule."""
    return _BUCKET_RANK[bucket_of(obsolete, status, due_date, today)]


def bucket_of(
    obsolete: Any, status: str, due_date: str, today: date, soon_days: int = SOON_DAYS
) -> str:
    """The bucket of a step from its stored fields (see `bucket`)."""
    if obsolete:
        return "obsolete"
    if status in CLOSED_STATUSES:
        return "closed"
    due = parse_date(due_date) if due_date else None
    if due is None:
        return "no_date"
    if due < today:
        return "overdue"
    if due <= today + timedelta(days=soon_days):
        return "soon"
    return "later"


def agenda_order(bucket_key: str, item: ChecklistItem) -> tuple[int, str, str]:
    """Sort key of the agenda: overdue first, then due soon, later, undated, closed;
    within a bucket by due date, then title."""
    return (_BUCKET_RANK[bucket_key], item.due_date or "9999", item.title.casefold())


def agenda(
    items: Iterable[ChecklistItem], today: date, soon_days: int = SOON_DAYS
) -> list[tuple[str, ChecklistItem]]:
    """Items with their bucket, in agenda order (see `agenda_order`)."""
    rows = [(bucket(i, today, soon_days), i) for i in items if not i.deleted]
    rows.sort(key=lambda r: agenda_order(*r))
    return rows


# -- the checklist against the matrix --------------------------------------------------------


def matrix_contradiction(item: ChecklistItem, block_stage: str) -> str:
    """Dutch warning when the matrix says the step's block is in production while the step
    is still open; '' otherwise.

    The checklist is not ticked off automatically: a step is the entity's own record (who,
    evidence, notes), and a block set to production by mistake must not close steps
    unseen. The contradiction is shown instead, so one of the two gets corrected.
    Every step of a block template leads up to production, so every open one counts.
    """
    if not contradicts(item.block, item.obsolete, item.status, block_stage):
        return ""
    return f"Bouwsteen staat in productie, maar stap '{item.title}' is niet afgevinkt."


def contradicts(block: str, obsolete: Any, status: str, block_stage: str) -> bool:
    """Whether a step is open while the matrix has its block in production (see
    `matrix_contradiction`), from the stored fields: the store counts these in SQL."""
    return bool(
        block_stage == "production" and block and not obsolete and status not in CLOSED_STATUSES
    )
