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

# -- milestones --------------------------------------------------------------------------

DECISION = "VR 2025 1212 DOC.1191/1BIS"


@dataclass(frozen=True, slots=True)
class Deadline:
    """A date from the government decision and what "on time" means for it."""

    key: str  # stable id, used in JSON and filters
    day: date
    label: str  # Dutch, for people
    latest_target: date  # a target date up to this day is on time
    binding: bool = True  # False: a milestone whose reading is an interpretation

    @property
    def iso(self) -> str:
        return self.day.isoformat()


# Beslissing 1° and 2°: "behoudens gegronde redenen, uiterlijk op 30 juni 2027". The one
# binding deadline, for every block part and requirement.
DEADLINE_JUN_2027 = Deadline("2027-06-30", date(2027, 6, 30), "30 juni 2027", date(2027, 6, 30))
# Not a block deadline: a principle of the ELO strategy quoted in the nota, about which
# products ELO lists (ADMISSION_QUOTE). How it is applied is a per-workspace reading.
DEADLINE_JAN_2027 = Deadline(
    "2027-01-01",
    date(2027, 1, 1),
    "1 januari 2027 (opname op e-loketondernemers)",
    date(2026, 12, 31),
    binding=False,
)
DEADLINES: tuple[Deadline, ...] = (DEADLINE_JAN_2027, DEADLINE_JUN_2027)
DEADLINES_BY_KEY = {d.key: d for d in DEADLINES}

DEADLINE_QUOTE = (
    "“Dat, behoudens gegronde redenen, uiterlijk op 30 juni 2027 alle producten en diensten "
    "voor ondernemers van Vlaamse agentschappen en departementen via e-loketondernemers "
    "kunnen worden aangevraagd en opgevolgd” (beslissing 1°) en “de essentiële bouwstenen "
    "correct integreren …, single sign-on en gericht aanmelden correct realiseren en "
    f"rechtenbeheer op productniveau implementeren” (beslissing 2°) – {DECISION}"
)
ADMISSION_QUOTE = (
    "“Er wordt in de nota vooropgesteld dat e-loketondernemers vanaf 1 januari 2027 enkel "
    "nog producten of diensten opneemt als de onderliggende applicaties de essentiële "
    "bouwstenen correct implementeren.” (principe van de strategie van e-loketondernemers, "
    f"Stuurorgaan 3 oktober 2024, aangehaald in {DECISION})"
)

# The reading of the admission milestone applied in a workspace (meta key
# ADMISSION_READING_KEY): an interpretation, always shown as one.
ADMISSION_READING_KEY = "admission_reading"
READING_NEW_LISTING, READING_ALL_PRODUCTS, READING_NOT_APPLIED = (
    "new_listing",
    "all_products",
    "not_applied",
)
ADMISSION_READINGS: dict[str, str] = {
    READING_NEW_LISTING: "nieuwe opname: producten die nog niet op e-loketondernemers staan, "
    "hebben de essentiële bouwstenen in productie nodig vóór ze opgenomen worden",
    READING_ALL_PRODUCTS: "alle producten: elk product heeft de essentiële bouwstenen in "
    "productie nodig vóór 1 januari 2027",
    READING_NOT_APPLIED: "niet toegepast: de mijlpaal telt niet mee in de opvolging",
}
ADMISSION_READING_SHORT: dict[str, str] = {
    READING_NEW_LISTING: "nieuwe opname",
    READING_ALL_PRODUCTS: "alle producten",
    READING_NOT_APPLIED: "niet toegepast",
}
DEFAULT_ADMISSION_READING = READING_NEW_LISTING


def admission_reading(value: str | None) -> str:
    """The stored reading, or the default when none (or an unknown one) is stored."""
    return value if value in ADMISSION_READINGS else DEFAULT_ADMISSION_READING


def admission_applies(reading: str, on_elo: str) -> bool:
    """Whether the 1 January 2027 milestone concerns a product under `reading`."""
    if reading == READING_ALL_PRODUCTS:
        return True
    if reading == READING_NEW_LISTING:
        return on_elo == "none"
    return False


def admission_label(reading: str) -> str:
    """E.g. '1 januari 2027 (opname op e-loketondernemers) – interpretatie: nieuwe opname'."""
    return (
        f"{DEADLINE_JAN_2027.label} – interpretatie: "
        f"{ADMISSION_READING_SHORT.get(reading, reading)}"
    )


def days_left(today: date, deadline: Deadline | date) -> int:
    """Whole days from `today` to the deadline (negative once it has passed)."""
    day = deadline.day if isinstance(deadline, Deadline) else deadline
    return (day - today).days


# -- blocks ----------------------------------------------------------------------------

SCOPE_APPLICATION = "application"
SCOPE_PRODUCT = "product"

# Beslissing 3°: "Dat de essentiële bouwstenen zijn: o ACM/IDM en VMS o DOSIS (&
# Toelatingen indien van toepassing) o Global header (met gekoppeld toegangsbeheer)".
ESSENTIAL_BLOCKS_QUOTE = (
    "“Dat de essentiële bouwstenen zijn: o ACM/IDM en VMS o DOSIS (& Toelatingen indien van "
    "toepassing) o Global header (met gekoppeld toegangsbeheer)” (beslissing 3°, "
    f"{DECISION}; 'o' is een opsommingsteken in de bron)"
)
PAIRS: dict[str, str] = {
    "acm_idm_vms": "ACM/IDM en VMS",
    "dosis_toelatingen": "DOSIS (& Toelatingen indien van toepassing)",
    "global_header": "Global header (met gekoppeld toegangsbeheer)",
}
# "(ACM/IDM & VMS (in 2024 nog niet in productie), DOSIS (& Toelatingen (in 2024 nog
# niet in productie)" (nota, strategie e-loketondernemers).
NOT_IN_PRODUCTION_2024 = "in 2024 nog niet in productie (nota, strategie e-loketondernemers)"


@dataclass(frozen=True, slots=True)
class Block:
    """One block *part*: the unit whose integration is tracked (a catalogue row)."""

    code: str
    label: str  # Dutch, full
    short: str  # Dutch, column header (at most 8 cells)
    scope: str  # "application" | "product"
    pair: str  # PAIRS key: which essential block of beslissing 3° it belongs to
    deadline: Deadline = DEADLINE_JUN_2027  # the decision's date for every part
    availability: str = ""  # what the nota says about the block's availability


BLOCKS: tuple[Block, ...] = (
    Block(
        "acm_idm",
        "Toegangs- en gebruikersbeheer (ACM/IDM): aanmelden",
        "ACM/IDM",
        SCOPE_APPLICATION,
        "acm_idm_vms",
    ),
    Block(
        "product_rights", "ACM/IDM: rechten per product", "Rechten", SCOPE_PRODUCT, "acm_idm_vms"
    ),
    Block(
        "vms",
        "Vlaams Mandatensysteem (VMS)",
        "VMS",
        SCOPE_PRODUCT,
        "acm_idm_vms",
        availability=NOT_IN_PRODUCTION_2024,
    ),
    Block(
        "dosis",
        "Dossierstatusinformatiesysteem (DOSIS)",
        "DOSIS",
        SCOPE_APPLICATION,
        "dosis_toelatingen",
    ),
    Block(
        "toelatingen",
        "Toelatingen (indien van toepassing)",
        "Toelat.",
        SCOPE_PRODUCT,
        "dosis_toelatingen",
        availability=NOT_IN_PRODUCTION_2024,
    ),
    Block(
        "global_header",
        "Global header (met gekoppeld toegangsbeheer)",
        "Header",
        SCOPE_APPLICATION,
        "global_header",
    ),
    Block(
        "capacity_switch",
        "Global header: capaciteitswissel en login_hint (gericht aanmelden)",
        "Cap.wis",
        SCOPE_APPLICATION,
        "global_header",
    ),
)
BLOCKS_BY_CODE: dict[str, Block] = {b.code: b for b in BLOCKS}
BLOCK_CODES: tuple[str, ...] = tuple(b.code for b in BLOCKS)
APPLICATION_BLOCKS: tuple[str, ...] = tuple(b.code for b in BLOCKS if b.scope == SCOPE_APPLICATION)
PRODUCT_BLOCKS: tuple[str, ...] = tuple(b.code for b in BLOCKS if b.scope == SCOPE_PRODUCT)
# Block codes renamed in a later release (store migration and imports use it).
RENAMED_BLOCKS: dict[str, str] = {"gericht_aanmelden": "capacity_switch"}


@cache
def deadline_blocks(deadline: Deadline) -> tuple[str, ...]:
    """Block parts measured against `deadline`: every part, for both milestones (the
    admission milestone asks all essential blocks; whom it concerns is the reading)."""
    return BLOCK_CODES


# -- requirements: results realised with the blocks (not blocks) ------------------------


@dataclass(frozen=True, slots=True)
class Requirement:
    code: str
    label: str  # Dutch
    parts: tuple[str, ...]  # block parts that must all be in production (or exempted)
    note: str = ""


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        "sso",
        "single sign-on (SSO)",
        ("acm_idm", "global_header"),
        "aanmelden via ACM/IDM én de global header (met gekoppeld toegangsbeheer)",
    ),
    Requirement(
        "gericht_aanmelden",
        "gericht aanmelden",
        ("acm_idm", "global_header", "capacity_switch"),
        "SSO plus de capaciteitswissel met login_hint; de toepassing controleert de "
        "gekozen organisatie (een stap van de checklist van die bouwsteen)",
    ),
    Requirement(
        "product_rights",
        "rechtenbeheer op productniveau (IDM en VMS)",
        ("product_rights", "vms"),
        "rechten per product in ACM/IDM en mandaten in VMS (fase 2: Q2 2027)",
    ),
)
REQUIREMENTS_BY_CODE: dict[str, Requirement] = {r.code: r for r in REQUIREMENTS}
# Requirement codes per block part: an exemption on a requirement covers a part only when
# every requirement that needs the part is exempted (an exemption on gericht aanmelden
# alone leaves ACM/IDM and the header required for single sign-on).
REQUIREMENTS_NEEDING: dict[str, tuple[str, ...]] = {}
for _r in REQUIREMENTS:
    for _part in _r.parts:
        REQUIREMENTS_NEEDING[_part] = (*REQUIREMENTS_NEEDING.get(_part, ()), _r.code)
# Parts the decision itself makes conditional: "DOSIS (& Toelatingen indien van
# toepassing)" (beslissing 3°), so a new application may still motivate that they do not
# apply (beslissing 5° asks "de essentiële bouwstenen").
CONDITIONAL_PARTS: frozenset[str] = frozenset({"toelatingen"})
REQUIREMENT_CODES: tuple[str, ...] = tuple(r.code for r in REQUIREMENTS)

ELO_CONFORM_DEFINITION = (
    "ELO-conform: het product kan via e-loketondernemers aangevraagd en opgevolgd worden, "
    "single sign-on, gericht aanmelden en rechtenbeheer op productniveau zijn gerealiseerd, "
    "en elk van toepassing zijnd onderdeel van de essentiële bouwstenen (ook DOSIS en, "
    "indien van toepassing, Toelatingen) is in productie. Een aanvaarde uitzondering telt "
    "apart: niet conform en niet te laat. Zelf verklaard: volgens de eigen gegevens; "
    "centraal gecontroleerd: elke bouwsteenstatus is ook door de centrale opvolging "
    "gecontroleerd."
)
ELO_CONFORM_QUOTE = DEADLINE_QUOTE


def subject_label(code: str) -> str:
    """A requirement or block code in Dutch."""
    if code in REQUIREMENTS_BY_CODE:
        return REQUIREMENTS_BY_CODE[code].label
    return block_label(code)


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
    FORMS_TOOL: "Via formulieren- en opvolgingstool (plan)",
}

STAGES: tuple[str, ...] = ("not_started", "analysis", "filed", "test", "production")
PRODUCTION = "production"
STAGE_LABELS: dict[str, str] = {
    "not_started": "Niet gestart",
    "analysis": "Analyse",
    "filed": "Integratiedossier ingediend",
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
    """Required, or planned via the forms tool, and in production. The formulieren- en
    opvolgingstool "wordt … onderzocht" (nota): choosing it is a plan, not a result."""
    return applicability in (REQUIRED, FORMS_TOOL) and stage == PRODUCTION


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
    if applicability == FORMS_TOOL and stage != PRODUCTION:
        return f"{cell_symbol(applicability, stage)} plan"
    return f"{cell_symbol(applicability, stage)} {APPLICABILITY_SHORT.get(applicability, '')}"


# An accepted exemption ("behoudens gegronde redenen"): neither conform nor late.
EXEMPT_TEXT = "⊘ uitz"
# "wacht op bouwsteen": a mark added to the cell.
WAITING_MARK = "⧗"


def cell_description(applicability: str, stage: str) -> str:
    """Full Dutch description of a cell (help text, reports)."""
    if applicability in (REQUIRED, FORMS_TOOL):
        return f"{APPLICABILITY[applicability]} – {STAGE_LABELS.get(stage, stage)}"
    return APPLICABILITY.get(applicability, applicability)


LEGEND = (
    "○ niet ◔ anal ◑ integratiedossier ingediend ◕ test ● prod – nvt ▣ formulierentool "
    "⊘ uitzondering ⧗ wacht op bouwsteen"
)

# -- validation of a block status edit ---------------------------------------------------

MAX_REASON = 2000
MAX_NOTE = 10_000
MAX_EVIDENCE = 1000
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text: str) -> date | None:
    """A stored (ISO, YYYY-MM-DD) date, or None when it is not one. What people type
    is read by formats.parse_date_iso, which validators use and which stores ISO."""
    text = text.strip()
    if not _ISO_DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


NEW_APPLICATION_QUOTE = (
    "“Dat alle nieuwe applicaties voor het aanvragen en opvolgen van producten en diensten "
    "voor ondernemers, vanaf de start, de essentiële bouwstenen implementeren volgens de "
    f"afgesproken richtlijnen met toepassing van rechtenbeheer op productniveau.” (beslissing "
    f"5°, {DECISION})"
)


def validate_block_status(
    values: dict[str, Any], *, new_application: bool = False, exempted: bool = False
) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean the fields of a block-status edit; returns (clean values, field -> Dutch
    message). Nothing is saved unless the messages are empty.

    `new_application`: the part belongs to (or is read from) a new or fundamentally renewed
    application, which implements every part from the start (beslissing 5°): no forms-tool
    route and no "niet van toepassing" unless an exemption was accepted (`exempted`)."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}

    applicability = str(values.get("applicability") or UNDECIDED)
    if applicability not in APPLICABILITY:
        errors["applicability"] = f"Onbekende toepasselijkheid '{applicability}'."
    elif (
        new_application
        and not exempted
        and applicability in (NOT_APPLICABLE, FORMS_TOOL)
        and not (applicability == NOT_APPLICABLE and values.get("block") in CONDITIONAL_PARTS)
    ):
        errors["applicability"] = (
            f"Een nieuwe toepassing (grondig vernieuwd: interpretatie) kan niet "
            f"'{APPLICABILITY[applicability]}' kiezen zonder aanvaarde uitzondering: "
            f"{NEW_APPLICATION_QUOTE}"
        )
    clean["applicability"] = applicability

    reason = str(values.get("reason") or "").strip()
    if applicability == NOT_APPLICABLE and not reason:
        errors["reason"] = "Geef een motivering waarom deze bouwsteen niet van toepassing is."
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"De motivering is te lang (maximaal {MAX_REASON} tekens)."
    clean["reason"] = reason

    stage = str(values.get("stage") or "not_started")
    if stage not in STAGES:
        errors["stage"] = f"Onbekende fase '{stage}'."
    clean["stage"] = stage

    target = str(values.get("target_date") or "").strip()
    try:
        target = formats.parse_date_iso(target)  # stored as ISO, typed the Belgian way
    except formats.FormatError as exc:
        errors["target_date"] = f"Streefdatum: {exc}"  # names the field in joined messages
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

    waiting = values.get("waiting_on_block", False)
    if isinstance(waiting, str):
        waiting = waiting.strip().lower() in ("1", "true", "ja", "yes")
    clean["waiting_on_block"] = bool(waiting)
    waiting_reason = str(values.get("waiting_reason") or "").strip()
    if len(waiting_reason) > MAX_REASON:
        errors["waiting_reason"] = f"De toelichting is te lang (maximaal {MAX_REASON} tekens)."
    clean["waiting_reason"] = waiting_reason
    from elo_tui.domain.validation import add_contract_errors

    add_contract_errors("block_status", clean, errors)
    return clean, errors


def format_percent(value: float | None) -> str:
    """Belgian notation: 12.5 -> '12,5 %'; None (nothing to count) -> '–'."""
    if value is None:
        return "–"
    return f"{value:.1f}".replace(".", ",") + " %"
