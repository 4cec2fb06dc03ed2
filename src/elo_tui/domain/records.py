"""The workspace's record kinds.

Plain dataclasses, not pydantic: start-up must stay within 1.25x of a bare Textual app
and defining eight pydantic models costs ~0.35 s here (measured), so validation of
untrusted input lives in `validation.py` (and pydantic where a boundary needs it),
loaded only when input arrives.

Every record carries the sync metadata (id, updated_at/by, rev, dirty, deleted; see
docs/sync.md for the protocol).
Fields of kind `list` or `dict` are stored as JSON text by the store.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, ClassVar


def new_id() -> str:
    """A client-made UUID: stable across sync, never reused."""
    return str(uuid.uuid4())


def utc_now() -> str:
    """UTC timestamp in ISO 8601 with seconds precision and a Z suffix."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(kw_only=True, slots=True)
class Record:
    """Sync metadata shared by every record kind."""

    KIND: ClassVar[str] = ""
    id: str = field(default_factory=new_id)
    updated_at: str = ""
    updated_by: str = ""
    rev: int | None = None  # server revision last seen; None before the first sync
    dirty: bool = True  # changed since the last successful push
    deleted: bool = False  # tombstone, kept until the server has it

    META: ClassVar[tuple[str, ...]] = ("id", "updated_at", "updated_by", "rev", "dirty", "deleted")

    def data(self) -> dict[str, Any]:
        """The record's own fields (no sync metadata except id): what sync and exports carry."""
        d = asdict(self)
        for k in ("updated_at", "updated_by", "rev", "dirty", "deleted"):
            d.pop(k)
        return d

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def data_field_names(cls) -> tuple[str, ...]:
        return tuple(n for n in cls.field_names() if n not in cls.META)


@dataclass(kw_only=True, slots=True)
class Agency(Record):
    """The agency or department that owns the workspace (one per workspace)."""

    KIND: ClassVar[str] = "agency"
    name: str = ""
    ovo_code: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    day_rate_internal: float | None = None  # EUR per person-day, own staff
    day_rate_supplier: float | None = None  # EUR per person-day, supplier
    own_budget: dict[str, float] = field(default_factory=dict)  # budget year -> EUR
    requested_cofinancing: dict[str, float] = field(default_factory=dict)  # year -> EUR
    justification: str = ""  # free text for the co-financing request
    # Conditions of VR 2025 1212 DOC.1191/1BIS, beslissing 6°, stated by the entity in its
    # co-financing request: condition key -> stated (see domain/cofinancing_request.py).
    cofinancing_statements: dict[str, bool] = field(default_factory=dict)
    notes: str = ""


@dataclass(kw_only=True, slots=True)
class Application(Record):
    """An application or loket through which products are requested or followed up."""

    KIND: ClassVar[str] = "application"
    name: str = ""
    url: str = ""
    kind: str = "own_application"  # codelists.APPLICATION_KINDS
    supplier: str = ""
    # Beslissing 5°: a new (or fundamentally renewed) application implements every essential
    # block with rechtenbeheer op productniveau from the start.
    is_new: bool = False
    # "buiten beschouwing gelaten in onderling overleg" (as the nota does with the
    # Mestbankloket): shown, but left out of totals and of the counts at risk.
    excluded: bool = False
    exclusion_reason: str = ""
    notes: str = ""


@dataclass(kw_only=True, slots=True)
class Product(Record):
    """A product or service for entrepreneurs (identity across blocks: IPDC number)."""

    KIND: ClassVar[str] = "product"
    ipdc_number: str = ""  # optional until known
    name: str = ""
    description: str = ""
    ipdc_type: str = ""  # URI from codelists.PRODUCT_TYPES, "" = not yet known
    themes: list[str] = field(default_factory=list)  # URIs from codelists.THEMES
    target_groups: list[str] = field(default_factory=list)  # URIs from TARGET_GROUPS
    request_application_id: str = ""
    followup_application_id: str = ""
    yearly_volume: int | None = None
    on_elo: str = "none"  # codelists.ON_ELO
    notes: str = ""
    # "te controleren": problems found on import (row, column, value), one line each;
    # empty when nothing is left to check.
    to_check: list[str] = field(default_factory=list)
    # The IPDC record (concept or instance) the product was imported from, and what IPDC
    # said at the last import as JSON text (name, type, themes, target groups, archived,
    # generated at): the base for "IPDC-correcties" and for a re-import that keeps local
    # fixes. Text, not a dict: the wire contract's dicts hold numbers or booleans only.
    ipdc_uri: str = ""
    ipdc_data: str = ""


@dataclass(kw_only=True, slots=True)
class BlockStatus(Record):
    """Where one building block stands for one scope (an application or a product)."""

    KIND: ClassVar[str] = "block_status"
    scope_kind: str = "product"  # "application" | "product"
    scope_id: str = ""
    block: str = ""  # block code from the catalogue in checklists/
    applicability: str = "undecided"  # undecided | required | not_applicable | forms_tool
    reason: str = ""  # "motivering", mandatory when not_applicable
    stage: str = "not_started"  # not_started | analysis | filed | test | production
    target_date: str = ""  # ISO date or ""
    evidence: str = ""  # URL or file reference
    note: str = ""
    # "wacht op bouwsteen": the block (or the forms tool) is not yet available at Digitaal
    # Vlaanderen, so a delay here is caused by that dependency.
    waiting_on_block: bool = False
    waiting_reason: str = ""
    verified_central: bool = False  # set only by the tracker


@dataclass(kw_only=True, slots=True)
class EstimateLine(Record):
    """One cost line for a scope x block: three-point effort or a fixed amount."""

    KIND: ClassVar[str] = "estimate_line"
    scope_kind: str = "application"  # "application" | "product" | "agency"
    scope_id: str = ""
    block: str = ""
    description: str = ""
    method: str = "three_point"  # three_point | fixed
    optimistic_days: float | None = None
    likely_days: float | None = None
    pessimistic_days: float | None = None
    day_rate: float | None = None
    fixed_amount: float | None = None
    budget_year: str = "2026"  # "2026" | "2027" | "later"
    recurrence: str = "one_off"  # one_off | recurring
    category: str = "internal"  # internal | supplier | licence
    basis: str = ""  # assumptions, who estimated, when
    assumed: bool = False  # proposed from the template and not yet confirmed
    # Eligible for co-financing: None = the default rule for its category/recurrence
    # (an assumption until the samenwerkingsovereenkomst fixes the criteria).
    eligible: bool | None = None


@dataclass(kw_only=True, slots=True)
class ChecklistItem(Record):
    """One step of a checklist instantiated from a template for a scope."""

    KIND: ClassVar[str] = "checklist_item"
    template: str = ""  # template id
    step: str = ""  # step key within the template
    scope_kind: str = "agency"  # agency | application | product
    scope_id: str = ""
    block: str = ""
    title: str = ""
    status: str = "open"  # open | busy | blocked | done | na
    owner: str = ""
    due_date: str = ""
    evidence: str = ""
    note: str = ""
    obsolete: bool = False  # the block stopped being required; kept for its notes


@dataclass(kw_only=True, slots=True)
class Submission(Record):
    """A frozen snapshot handed in for a co-financing request."""

    KIND: ClassVar[str] = "submission"
    version: int = 0
    created_at: str = ""
    author: str = ""
    sha256: str = ""
    content: str = ""  # canonical JSON of the snapshot
    review_state: str = ""  # set by the tracker: verified | issues | approved


@dataclass(kw_only=True, slots=True)
class Review(Record):
    """Review feedback from VLAIO on a record or submission (written by the tracker)."""

    KIND: ClassVar[str] = "review"
    target_kind: str = ""
    target_id: str = ""
    verdict: str = ""  # verified | issues | approved | accepted | refused
    comment: str = ""
    reviewer: str = ""
    created_at: str = ""


@dataclass(kw_only=True, slots=True)
class Exemption(Record):
    """A request to deviate "behoudens gegronde redenen" (beslissing 1° and 2°) for a
    product or application and one requirement or block. VLAIO decides; the decision
    comes back as a Review with verdict accepted/refused (see services/reviews.py)."""

    KIND: ClassVar[str] = "exemption"
    scope_kind: str = "product"  # "application" | "product"
    scope_id: str = ""
    subject: str = ""  # a requirement code or a block code (domain/blocks.py)
    ground: str = ""  # the well-founded reason
    requested_by: str = ""
    requested_on: str = ""  # ISO date
    decision_body: str = ""  # kernwerkgroep | stuurgroep (who is to decide)
    note: str = ""


@dataclass(kw_only=True, slots=True)
class Delay(Record):
    """A "gerechtvaardigde vertraging (technisch/budgettair)" (governance section): a new
    target date for a product or application and a requirement or block, with its reason.
    VLAIO decides; the decision comes back as a Review (accepted/refused)."""

    KIND: ClassVar[str] = "delay"
    scope_kind: str = "product"  # "application" | "product"
    scope_id: str = ""
    subject: str = ""  # a requirement code or a block code
    delay_kind: str = "technical"  # technical | budgetary
    original_date: str = ""  # ISO date the target was before
    new_date: str = ""  # ISO date asked for
    reason: str = ""
    requested_by: str = ""
    requested_on: str = ""  # ISO date
    note: str = ""


@dataclass(kw_only=True, slots=True)
class Bottleneck(Record):
    """A "knelpunt" of the roadmap (phase 1: "de volledige roadmap met prioriteitenlijst
    en knelpunten per product/instantie"), synced so that VLAIO can bundle them into
    improvement tracks with Digitaal Vlaanderen."""

    KIND: ClassVar[str] = "bottleneck"
    scope_kind: str = "product"  # "agency" | "application" | "product"
    scope_id: str = ""
    block: str = ""  # a block code, "" = not about one block
    description: str = ""
    bottleneck_kind: str = "technical"  # domain/roadmap.py BOTTLENECK_KINDS
    owner: str = ""
    status: str = "open"  # open | in_progress | resolved
    reported_on: str = ""  # ISO date
    resolved_on: str = ""  # ISO date
    note: str = ""


@dataclass(kw_only=True, slots=True)
class Baseline(Record):
    """A product's state at the baseline ("nulmeting", 1 April 2025): on ELO or not and
    which blocks were in use. Read-only once confirmed (domain/roadmap.py)."""

    KIND: ClassVar[str] = "baseline"
    product_id: str = ""
    on_elo: str = "none"  # codelists.ON_ELO
    blocks_in_use: list[str] = field(default_factory=list)  # block codes
    note: str = ""
    confirmed: bool = False
    confirmed_on: str = ""  # ISO date
    confirmed_by: str = ""


@dataclass(kw_only=True, slots=True)
class PlanScenario(Record):
    """A plan of the roadmap ("alles in 2026", "gespreid", ...): its items say in which
    quarter each block goes to production. One scenario is chosen for the submission."""

    KIND: ClassVar[str] = "plan_scenario"
    name: str = ""
    chosen: bool = False
    note: str = ""


@dataclass(kw_only=True, slots=True)
class PlanItem(Record):
    """One line of a plan scenario: a block of an application or product goes to
    production in a quarter ("2026-Q3")."""

    KIND: ClassVar[str] = "plan_item"
    scenario_id: str = ""
    scope_kind: str = "application"  # "application" | "product"
    scope_id: str = ""
    block: str = ""
    quarter: str = ""  # "YYYY-Qn"


RECORD_KINDS: dict[str, type[Record]] = {
    k.KIND: k
    for k in (
        Agency,
        Application,
        Product,
        BlockStatus,
        EstimateLine,
        ChecklistItem,
        Submission,
        Review,
        Exemption,
        Delay,
        Bottleneck,
        Baseline,
        PlanScenario,
        PlanItem,
    )
}


# What each kind of record is called in the interface (lower case: in a sentence).
KIND_NAMES: dict[str, str] = {
    "agency": "entiteit",
    "application": "toepassing",
    "product": "product",
    "block_status": "bouwsteenstatus",
    "estimate_line": "kostenlijn",
    "checklist_item": "checklist-stap",
    "submission": "indiening",
    "review": "beoordeling",
    "exemption": "uitzondering",
    "delay": "vertraging",
    "bottleneck": "knelpunt",
    "baseline": "nulmeting",
    "plan_scenario": "scenario",
    "plan_item": "roadmap-item",
}
