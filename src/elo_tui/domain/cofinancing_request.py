"""The agency's own data of a co-financing request: contact, day rates, own budget and
requested amount per year, the free-text justification ("motivering"), the statements on
the conditions of beslissing 6° and the BVCO intervention threshold (see
domain/cofinancing.py).

`parse_request_form` reads the form as typed (Belgian numbers allowed) and returns the
Agency fields to set, or a Dutch message per field; nothing is saved when one is wrong.
"""

from __future__ import annotations

from typing import Any

import elo_contract
from elo_tui.domain.cofinancing import STATED, parse_threshold
from elo_tui.domain.estimate import YEAR_LABELS

BUDGET_YEARS = ("2026", "2027", "later")
REQUEST_YEARS = ("2026", "2027")  # co-financing exists only for these years
MAX_JUSTIFICATION = 10_000


STATEMENT_YES = "yes"
STATEMENT_NO = "no"


def form_values(agency: Any, bvco_threshold: float | None = None) -> dict[str, str]:
    """An agency's request fields as the form shows them (and the workspace's BVCO
    intervention threshold, "" = unknown)."""

    def num(value: float | None) -> str:
        if value is None:
            return ""
        return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")

    values = {
        "contact_name": agency.contact_name,
        "contact_email": agency.contact_email,
        "contact_phone": agency.contact_phone,
        "day_rate_internal": num(agency.day_rate_internal),
        "day_rate_supplier": num(agency.day_rate_supplier),
        "justification": agency.justification,
    }
    for year in BUDGET_YEARS:
        values[f"own_budget_{year}"] = num(agency.own_budget.get(year))
    for year in REQUEST_YEARS:
        values[f"requested_{year}"] = num(agency.requested_cofinancing.get(year))
    for statement in STATED:
        stated = agency.cofinancing_statements.get(statement.key)
        values[f"statement_{statement.key}"] = STATEMENT_YES if stated else STATEMENT_NO
    values["bvco_threshold"] = num(bvco_threshold)
    return values


def parse_request_form(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    from elo_tui.domain.validation import EMAIL_RE, NumberFormatError, parse_number

    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    out["contact_name"] = str(values.get("contact_name", "")).strip()
    email = str(values.get("contact_email", "")).strip()
    if email and not EMAIL_RE.fullmatch(email):
        errors["contact_email"] = "Geen geldig e-mailadres."
    out["contact_email"] = email
    out["contact_phone"] = str(values.get("contact_phone", "")).strip()

    def amount(key: str, label: str, *, positive: bool = False) -> float | None:
        try:
            value = parse_number(values.get(key))
        except NumberFormatError as exc:
            errors[key] = f"{label}: {exc}."
            return None
        if value is None:
            return None
        # The wire contract's ceilings (the central follow-up refuses more).
        ceiling = elo_contract.MAX_RATE if key.startswith("day_rate") else elo_contract.MAX_AMOUNT
        if positive and value <= 0:
            errors[key] = f"{label} moet groter dan 0 zijn."
        elif value < 0:
            errors[key] = f"{label} kan niet negatief zijn."
        elif value > ceiling:
            errors[key] = f"{label} is te groot (maximaal {ceiling:,.0f}).".replace(",", ".")
        return value

    out["day_rate_internal"] = amount(
        "day_rate_internal", "Dagtarief eigen personeel", positive=True
    )
    out["day_rate_supplier"] = amount("day_rate_supplier", "Dagtarief leverancier", positive=True)
    own: dict[str, float] = {}
    for year in BUDGET_YEARS:
        value = amount(f"own_budget_{year}", f"Eigen budget {YEAR_LABELS[year]}")
        if value is not None:
            own[year] = value
    out["own_budget"] = own
    asked: dict[str, float] = {}
    for year in REQUEST_YEARS:
        value = amount(f"requested_{year}", f"Gevraagde cofinanciering {year}")
        if value is not None:
            asked[year] = value
    out["requested_cofinancing"] = asked
    text = str(values.get("justification", "") or "")
    if len(text) > MAX_JUSTIFICATION:
        errors["justification"] = f"Toelichting is te lang (maximaal {MAX_JUSTIFICATION} tekens)."
    out["justification"] = text
    statements: dict[str, bool] = {}
    for statement in STATED:
        key = f"statement_{statement.key}"
        choice = str(values.get(key, STATEMENT_NO) or STATEMENT_NO)
        if choice not in (STATEMENT_YES, STATEMENT_NO):
            errors[key] = f"Onbekende keuze '{choice}': kies ja of nee."
        statements[statement.key] = choice == STATEMENT_YES
    out["cofinancing_statements"] = statements
    threshold, problem = parse_threshold(values.get("bvco_threshold"))
    if problem:
        errors["bvco_threshold"] = problem
    out["bvco_threshold"] = threshold  # not an Agency field: the caller stores it
    return out, errors
