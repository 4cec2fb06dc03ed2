"""Exemptions and justified delays: what VLAIO decided, and what it changes.

"behoudens gegronde redenen" (VR 2025 1212 DOC.1191/1BIS, beslissing 1° and 2°): an
entity may ask to deviate for a product or application and one requirement or block part
(an `Exemption`). "gerechtvaardigde vertragingen (technisch/budgettair)" (the nota's
governance section): it may ask for a later date (a `Delay`). Neither is decided here: the
status comes from the latest Review with verdict accepted/refused targeting the record
(written by the central follow-up). Pure functions, stdlib only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from elo_tui.domain import formats
from elo_tui.domain.blocks import (
    BLOCKS_BY_CODE,
    DECISION,
    MAX_NOTE,
    MAX_REASON,
    REQUIREMENTS_BY_CODE,
    SCOPE_APPLICATION,
    SCOPE_PRODUCT,
    parse_date,
)
from elo_tui.domain.records import Delay, Exemption, Review
from elo_tui.domain.validation import add_contract_errors

REQUESTED, ACCEPTED, REFUSED = "requested", "accepted", "refused"
DECISION_STATUSES: dict[str, str] = {
    REQUESTED: "gevraagd",
    ACCEPTED: "aanvaard",
    REFUSED: "geweigerd",
}
DECISION_BODIES: dict[str, str] = {
    "": "nog niet bepaald",
    "kernwerkgroep": "kernwerkgroep",
    "stuurgroep": "stuurgroep",
}
DELAY_KINDS: dict[str, str] = {"technical": "technisch", "budgetary": "budgettair"}

EXEMPTION_QUOTE = f"“Dat, behoudens gegronde redenen, …” (beslissing 1° en 2°, {DECISION})"
DELAY_QUOTE = (
    "“… ad hoc overlegmomenten … met als doel om verbeteringen, versnellingen of "
    f"gerechtvaardigde vertragingen (technisch/budgettair) toe te kunnen passen.” ({DECISION}, "
    "governance)"
)


@dataclass(frozen=True, slots=True)
class Decision:
    status: str  # REQUESTED | ACCEPTED | REFUSED
    comment: str = ""  # VLAIO's comment with the verdict
    reviewer: str = ""
    day: str = ""

    @property
    def label(self) -> str:
        return DECISION_STATUSES[self.status]


NO_DECISION = Decision(REQUESTED)


def decisions(reviews: Iterable[Review]) -> dict[str, Decision]:
    """Record id -> the decision of its latest accepted/refused review (other verdicts,
    e.g. remarks, leave a request "gevraagd")."""
    latest: dict[str, Review] = {}
    for r in reviews:
        if r.deleted or r.verdict not in (ACCEPTED, REFUSED):
            continue
        key = (r.created_at or r.updated_at, r.updated_at)
        have = latest.get(r.target_id)
        if have is None or key >= (have.created_at or have.updated_at, have.updated_at):
            latest[r.target_id] = r
    return {
        i: Decision(r.verdict, r.comment, r.reviewer, (r.created_at or r.updated_at)[:10])
        for i, r in latest.items()
    }


def decision_for(record_id: str, found: Mapping[str, Decision]) -> Decision:
    return found.get(record_id, NO_DECISION)


# -- what accepted decisions change ----------------------------------------------------------

ScopeKey = tuple[str, str, str]  # (scope_kind, scope_id, subject)


@dataclass(slots=True)
class Overrides:
    """Accepted exemptions and delays, keyed like block statuses (subject = a block part or
    a requirement code), and the applications left out or new."""

    exempt: set[ScopeKey] = field(default_factory=set)
    delays: dict[ScopeKey, Delay] = field(default_factory=dict)
    excluded_apps: dict[str, str] = field(default_factory=dict)  # app id -> reason
    new_apps: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.exempt or self.delays or self.excluded_apps or self.new_apps)


def build_overrides(
    exemptions: Iterable[Exemption] = (),
    delays: Iterable[Delay] = (),
    reviews: Iterable[Review] = (),
    applications: Iterable[Any] = (),
) -> Overrides:
    found = decisions(reviews)
    out = Overrides()
    for e in exemptions:
        if not e.deleted and decision_for(e.id, found).status == ACCEPTED:
            out.exempt.add((e.scope_kind, e.scope_id, e.subject))
    for d in delays:
        if (
            not d.deleted
            and parse_date(d.new_date) is not None
            and decision_for(d.id, found).status == ACCEPTED
        ):
            key = (d.scope_kind, d.scope_id, d.subject)
            have = out.delays.get(key)
            if have is None or d.new_date > have.new_date:
                out.delays[key] = d
    for a in applications:
        if getattr(a, "deleted", False):
            continue
        if getattr(a, "excluded", False):
            out.excluded_apps[a.id] = a.exclusion_reason
        if getattr(a, "is_new", False):
            out.new_apps.add(a.id)
    return out


def has_accepted_exemption(
    overrides: Overrides, scope_kind: str, scope_id: str, block: str
) -> bool:
    """An accepted exemption covers this scope x block part (directly or through one of
    the requirements the part belongs to)."""
    if (scope_kind, scope_id, block) in overrides.exempt:
        return True
    return any(
        (scope_kind, scope_id, r.code) in overrides.exempt and block in r.parts
        for r in REQUIREMENTS_BY_CODE.values()
    )


# -- validation --------------------------------------------------------------------------------


def subject_choices() -> dict[str, str]:
    """Requirement and block codes an exemption or delay can be about (code -> Dutch)."""
    out = {r.code: f"vereiste: {r.label}" for r in REQUIREMENTS_BY_CODE.values()}
    out.update({b.code: f"bouwsteen: {b.label}" for b in BLOCKS_BY_CODE.values()})
    return out


# The date fields by their name on screen: a date error names its field (also when the
# errors are joined on one line, as in an import or a CLI message).
DATE_LABELS = {
    "requested_on": "Gevraagd op",
    "original_date": "Oorspronkelijke datum",
    "new_date": "Nieuwe datum",
}


def _common(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    scope_kind = str(values.get("scope_kind") or "")
    if scope_kind not in (SCOPE_APPLICATION, SCOPE_PRODUCT):
        errors["scope_kind"] = "Kies een product of een toepassing."
    clean["scope_kind"] = scope_kind
    scope_id = str(values.get("scope_id") or "").strip()
    if not scope_id:
        errors["scope_id"] = "Kies het product of de toepassing waarover het gaat."
    clean["scope_id"] = scope_id
    subject = str(values.get("subject") or "")
    if subject not in subject_choices():
        errors["subject"] = "Kies een vereiste of een bouwsteen."
    elif subject in BLOCKS_BY_CODE and scope_kind in (SCOPE_APPLICATION, SCOPE_PRODUCT):
        if BLOCKS_BY_CODE[subject].scope != scope_kind:
            where = (
                "toepassing" if BLOCKS_BY_CODE[subject].scope == SCOPE_APPLICATION else "product"
            )
            errors["subject"] = (
                f"'{BLOCKS_BY_CODE[subject].label}' geldt per {where}; kies een {where} "
                "of een vereiste."
            )
    clean["subject"] = subject
    for key in ("requested_by", "note"):
        text = str(values.get(key) or "").strip()
        if len(text) > MAX_NOTE:
            errors[key] = f"Te lang (maximaal {MAX_NOTE} tekens)."
        clean[key] = text
    requested_on = str(values.get("requested_on") or "").strip()
    try:
        requested_on = formats.parse_date_iso(requested_on)  # typed Belgian, stored ISO
    except formats.FormatError as exc:
        errors["requested_on"] = f"{DATE_LABELS['requested_on']}: {exc}"
    clean["requested_on"] = requested_on
    return clean


def validate_exemption(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    clean = _common(values, errors)
    ground = str(values.get("ground") or "").strip()
    if not ground:
        errors["ground"] = "Geef de gegronde reden op."
    elif len(ground) > MAX_REASON:
        errors["ground"] = f"De reden is te lang (maximaal {MAX_REASON} tekens)."
    clean["ground"] = ground
    body = str(values.get("decision_body") or "")
    if body not in DECISION_BODIES:
        errors["decision_body"] = "Kies kernwerkgroep of stuurgroep."
    clean["decision_body"] = body
    add_contract_errors("exemption", clean, errors)
    return clean, errors


def validate_delay(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    clean = _common(values, errors)
    kind = str(values.get("delay_kind") or "")
    if kind not in DELAY_KINDS:
        errors["delay_kind"] = "Kies technisch of budgettair."
    clean["delay_kind"] = kind
    for key in ("original_date", "new_date"):
        text = str(values.get(key) or "").strip()
        if key == "new_date" and not text:
            errors[key] = "Geef de nieuwe datum op (dd/mm/jjjj)."
        else:
            try:
                text = formats.parse_date_iso(text)  # typed Belgian, stored ISO
            except formats.FormatError as exc:
                errors[key] = f"{DATE_LABELS[key]}: {exc}"
        clean[key] = text
    if (
        "original_date" not in errors
        and "new_date" not in errors
        and clean["original_date"]
        and clean["new_date"] <= clean["original_date"]
    ):
        errors["new_date"] = "De nieuwe datum moet na de oorspronkelijke datum liggen."
    reason = str(values.get("reason") or "").strip()
    if not reason:
        errors["reason"] = "Geef de reden van de vertraging op."
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"De reden is te lang (maximaal {MAX_REASON} tekens)."
    clean["reason"] = reason
    add_contract_errors("delay", clean, errors)
    return clean, errors
