"""The building-block catalogue as constants: codes, scopes, stages, labels and symbols.

Stdlib only, because every screen that shows a block needs it at start-up. The same
catalogue is written out as data in `checklists/blocks.toml` (with descriptions and
sources); `domain.templates` checks that file against these constants so they never drift.

Block codes and scopes are a fixed contract shared by the store, sync and the tracker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any
from urllib.parse import urlparse

from elo_tui.domain import formats

# -- deadlines -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Deadline:
    """A date from the government decision and what "on time" means for it."""

    key: str  # stable id, used in JSON and filters
    day: date
    label: str  # Dutch, for people
    latest_target: date  # a target date up to this day is on time

    @property
    def iso(self) -> str:
        return self.day.isoformat()


# From 1 January 2027 ELO only lists products whose applications implement the essential
# blocks correctly: a block must be in production before that day.
DEADLINE_JAN_2027 = Deadline("2027-01-01", date(2027, 1, 1), "1 januari 2027", date(2026, 12, 31))
# By 30 June 2027 every product can be requested and followed up through ELO with SSO and
# gericht aanmelden; rights per product everywhere by Q2 2027.
DEADLINE_JUN_2027 = Deadline("2027-06-30", date(2027, 6, 30), "30 juni 2027", date(2027, 6, 30))
DEADLINES: tuple[Deadline, ...] = (DEADLINE_JAN_2027, DEADLINE_JUN_2027)
DEADLINES_BY_KEY = {d.key: d for d in DEADLINES}


def days_left(today: date, deadline: Deadline | date) -> int:
    """Whole days from `today` to the deadline (negative once it has passed)."""
    day = deadline.day if isinstance(deadline, Deadline) else deadline
    return (day - today).days


# -- blocks ----------------------------------------------------------------------------

SCOPE_APPLICATION = "application"
SCOPE_PRODUCT = "product"


@dataclass(frozen=True, slots=True)
class Block:
    code: str
    label: str  # Dutch, full
    short: str  # Dutch, column header (at most 8 cells)
    scope: str  # "application" | "product"
    deadline: Deadline  # the first deadline for which this block must be in production


BLOCKS: tuple[Block, ...] = (
    Block(
        "acm_idm",
        "ACM/IDM – aanmelden en gebruikersbeheer",
        "ACM/IDM",
        SCOPE_APPLICATION,
        DEADLINE_JAN_2027,
    ),
    Block(
        "gericht_aanmelden", "Gericht aanmelden", "Gericht", SCOPE_APPLICATION, DEADLINE_JUN_2027
    ),
    Block(
        "global_header",
        "Globale header met gekoppeld toegangsbeheer",
        "Header",
        SCOPE_APPLICATION,
        DEADLINE_JAN_2027,
    ),
    Block("dosis", "DOSIS – dossierstatus", "DOSIS", SCOPE_APPLICATION, DEADLINE_JAN_2027),
    Block(
        "product_rights",
        "Rechtenbeheer op productniveau (IDM)",
        "Rechten",
        SCOPE_PRODUCT,
        DEADLINE_JUN_2027,
    ),
    Block("vms", "VMS – mandaten", "VMS", SCOPE_PRODUCT, DEADLINE_JAN_2027),
    Block("toelatingen", "Toelatingen", "Toelat.", SCOPE_PRODUCT, DEADLINE_JAN_2027),
)
BLOCKS_BY_CODE: dict[str, Block] = {b.code: b for b in BLOCKS}
BLOCK_CODES: tuple[str, ...] = tuple(b.code for b in BLOCKS)
APPLICATION_BLOCKS: tuple[str, ...] = tuple(b.code for b in BLOCKS if b.scope == SCOPE_APPLICATION)
PRODUCT_BLOCKS: tuple[str, ...] = tuple(b.code for b in BLOCKS if b.scope == SCOPE_PRODUCT)


@cache
def deadline_blocks(deadline: Deadline) -> tuple[str, ...]:
    """Blocks that must be in production for `deadline` (all blocks due on or before it)."""
    return tuple(b.code for b in BLOCKS if b.deadline.day <= deadline.day)


def block_label(code: str) -> str:
    block = BLOCKS_BY_CODE.get(code)
    return block.label if block else code


# -- applicability and stage -------------------------------------------------------------

UNDECIDED, REQUIRED, NOT_APPLICABLE, FORMS_TOOL = (
    "undecided",
    "required",
    "not_applicable",
    "forms_tool",
)
APPLICABILITY: dict[str, str] = {
    UNDECIDED: "Nog te beslissen",
    REQUIRED: "Vereist",
    NOT_APPLICABLE: "Niet van toepassing",
    FORMS_TOOL: "Via formulierentool",
}

STAGES: tuple[str, ...] = ("not_started", "analysis", "filed", "test", "production")
PRODUCTION = "production"
STAGE_LABELS: dict[str, str] = {
    "not_started": "Niet gestart",
    "analysis": "Analyse",
    "filed": "Dossier/aanvraag ingediend",
    "test": "Testomgeving",
    "production": "Productie",
}

# One symbol and a short word per cell: readable without colour.
STAGE_SYMBOLS: dict[str, str] = {
    "not_started": "○",
    "analysis": "◔",
    "filed": "◑",
    "test": "◕",
    "production": "●",
}
STAGE_SHORT: dict[str, str] = {
    "not_started": "niet",
    "analysis": "anal",
    "filed": "ingd",
    "test": "test",
    "production": "prod",
}
APPLICABILITY_SYMBOLS: dict[str, str] = {
    UNDECIDED: "?",
    NOT_APPLICABLE: "–",
    FORMS_TOOL: "▣",
}
APPLICABILITY_SHORT: dict[str, str] = {UNDECIDED: "", NOT_APPLICABLE: "nvt", FORMS_TOOL: "form"}


def stage_rank(stage: str) -> int:
    """Position in the stage order; an unknown stage counts as not started."""
    try:
        return STAGES.index(stage)
    except ValueError:
        return 0


def is_done(applicability: str, stage: str) -> bool:
    """Required and in production, or provided by the forms tool."""
    return applicability == FORMS_TOOL or (applicability == REQUIRED and stage == PRODUCTION)


def cell_symbol(applicability: str, stage: str) -> str:
    if applicability == REQUIRED:
        return STAGE_SYMBOLS.get(stage, "○")
    return APPLICABILITY_SYMBOLS.get(applicability, "?")


def cell_text(applicability: str, stage: str, suggestion: str = "") -> str:
    """What a matrix cell shows, e.g. '◕ test', '– nvt', '? ver' (undecided, suggested
    required). `suggestion` is the suggested applicability of an undecided cell."""
    if applicability == REQUIRED:
        return f"{cell_symbol(applicability, stage)} {STAGE_SHORT.get(stage, 'niet')}"
    if applicability == UNDECIDED:
        hint = {REQUIRED: "ver", NOT_APPLICABLE: "nvt", FORMS_TOOL: "form"}.get(suggestion, "")
        return f"? {hint}".rstrip()
    return f"{cell_symbol(applicability, stage)} {APPLICABILITY_SHORT.get(applicability, '')}"


def cell_description(applicability: str, stage: str) -> str:
    """Full Dutch description of a cell (help text, reports)."""
    if applicability == REQUIRED:
        return f"Vereist – {STAGE_LABELS.get(stage, stage)}"
    return APPLICABILITY.get(applicability, applicability)


LEGEND = (
    "○ niet gestart ◔ analyse ◑ ingediend ◕ test ● productie – n.v.t. ▣ formulierentool "
    "? te beslissen (ver/nvt/form: voorstel)"
)

# -- validation of a block status edit ---------------------------------------------------

MAX_REASON = 2000
MAX_NOTE = 10_000
MAX_EVIDENCE = 1000
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text: str) -> date | None:
    """A date as people type it (15/01/2027, 15-1-2027, 2027-01-15) or None."""
    return formats.date_or_none(text)


def validate_block_status(values: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Clean the fields of a block-status edit; returns (clean values, field -> Dutch
    message). Nothing is saved unless the messages are empty."""
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}

    applicability = str(values.get("applicability") or UNDECIDED)
    if applicability not in APPLICABILITY:
        errors["applicability"] = f"Onbekende toepasselijkheid '{applicability}'."
    clean["applicability"] = applicability

    reason = str(values.get("reason") or "").strip()
    if applicability == NOT_APPLICABLE and not reason:
        errors["reason"] = (
            "Geef een reden waarom deze bouwsteen niet van toepassing is (pas toe of leg uit)."
        )
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"De reden is te lang (maximaal {MAX_REASON} tekens)."
    clean["reason"] = reason

    stage = str(values.get("stage") or "not_started")
    if stage not in STAGES:
        errors["stage"] = f"Onbekende fase '{stage}'."
    clean["stage"] = stage

    target = str(values.get("target_date") or "").strip()
    try:
        target = formats.parse_date_iso(target)  # stored as ISO, typed the Belgian way
    except formats.FormatError as exc:
        errors["target_date"] = str(exc)
    clean["target_date"] = target

    evidence = str(values.get("evidence") or "").strip()
    if len(evidence) > MAX_EVIDENCE:
        errors["evidence"] = f"Het bewijs is te lang (maximaal {MAX_EVIDENCE} tekens)."
    elif "://" in evidence:
        parsed = urlparse(evidence)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            errors["evidence"] = (
                "Een link moet met http:// of https:// beginnen en een adres hebben; "
                "een bestandsverwijzing schrijf je zonder '://'."
            )
    clean["evidence"] = evidence

    note = str(values.get("note") or "")
    if len(note) > MAX_NOTE:
        errors["note"] = f"De notitie is te lang (maximaal {MAX_NOTE} tekens)."
    clean["note"] = note
    return clean, errors


def format_percent(value: float | None) -> str:
    """Belgian notation: 12.5 -> '12,5 %'; None (nothing to count) -> '–'."""
    if value is None:
        return "–"
    return f"{value:.1f}".replace(".", ",") + " %"
