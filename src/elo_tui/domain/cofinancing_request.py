"""The agency's own data of a co-financing request: contact, day rates, own budget and
requested amount per year, and the free-text justification ("motivering").

`parse_request_form` reads the form as typed (Belgian numbers allowed) and returns the
Agency fields to set, or a Dutch message per field; nothing is saved when one is wrong.
"""

from __future__ import annotations

from typing import Any

from elo_tui.domain.estimate import YEAR_LABELS

BUDGET_YEARS = ("2026", "2027", "later")
REQUEST_YEARS = ("2026", "2027")  # co-financing exists only for these years
MAX_JUSTIFICATION = 10_000


def form_values(agency: Any) -> dict[str, str]:
    """An agency's request fields as the form shows them."""

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
        if positive and value <= 0:
            errors[key] = f"{label} moet groter dan 0 zijn."
        elif value < 0:
            errors[key] = f"{label} kan niet negatief zijn."
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
    return out, errors
