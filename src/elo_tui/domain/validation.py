"""Field validation for records entered by people (forms, imports), with Dutch messages.

Each `validate_*` takes raw field values (strings as typed, lists of URIs for multi-value
fields) and returns the cleaned values plus a dict field -> message. A record is only
built when there are no messages, so nothing invalid is ever saved.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlparse

import elo_contract
from elo_tui.domain import codelists
from elo_tui.domain.to_check import shorten

Errors = dict[str, str]

MAX_NAME = 300
MAX_TEXT = 10_000
IPDC_NUMBER_RE = re.compile(r"^\d{1,10}$")
OVO_RE = re.compile(r"^OVO\d{6}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_WHOLE = 2**63 - 1  # what the workspace (SQLite INTEGER) can hold
MAX_NUMBER_CHARS = 40  # no real amount or volume is written with more characters


def contract_errors(kind: str, values: dict[str, Any]) -> Errors:
    """The wire contract's ranges and lengths (`elo_contract`) for the record fields among
    `values`: the same limits the central follow-up enforces on every push, so nothing a
    person saves here is refused there, or read back as something else (e.g. a yearly
    volume of 10^30). One message per field; fields the contract does not know are the
    caller's business (form-only fields)."""
    specs = elo_contract.KINDS[kind]
    out: Errors = {}
    for name, value in values.items():
        spec = specs.get(name)
        if spec is None:
            continue
        problems = elo_contract.check_value(spec, value, "Waarde")
        if problems:
            out[name] = problems[0].detail
    return out


def add_contract_errors(kind: str, values: dict[str, Any], errors: Errors) -> None:
    """`contract_errors` for the fields that have no message of their own yet."""
    for name, message in contract_errors(kind, values).items():
        errors.setdefault(name, message)


class NumberFormatError(ValueError):
    """A number could not be read; the message is Dutch."""


def parse_number(text: str | float | int | None) -> float | None:
    """Read a number as Belgian agencies type it: '45.000' = 45000, '1.234,50' = 1234.5,
    '€ 12 500' = 12500, '0,5' = 0.5. Empty -> None.

    A single '.' followed by exactly three digits is a thousands separator (Belgian
    locale), so '45.000' is forty-five thousand; '2.5' (not three digits) is 2.5.
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise NumberFormatError(f"'{text}' is geen getal")
    if isinstance(text, (int, float)):
        try:
            value = float(text)
        except OverflowError:
            raise NumberFormatError(f"'{shorten(text)}' is te groot") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise NumberFormatError(f"'{shorten(text)}' is geen getal")
        return value
    if len(text) > MAX_NUMBER_CHARS * 4:
        raise NumberFormatError(f"'{shorten(text)}' is geen getal")
    s = text.strip().replace("€", "").replace("EUR", "").replace("\u00a0", "").replace(" ", "")
    s = s.replace("'", "")
    if not s:
        return None
    negative = s.startswith("-")
    s = s.lstrip("+-")
    if "," in s and "." in s:
        if s.rfind(",") > s.rfind("."):  # 1.234,50
            s = s.replace(".", "").replace(",", ".")
        else:  # 1,234.50 (English export)
            s = s.replace(",", "")
    elif "," in s:
        if s.count(",") > 1:  # 1,234,567 (English thousands)
            s = s.replace(",", "")
        else:
            s = s.replace(",", ".")
    elif "." in s:
        parts = s.split(".")
        if len(parts) > 2 or (len(parts) == 2 and len(parts[1]) == 3 and parts[0] != "0"):
            if not parts[0] or any(len(p) != 3 for p in parts[1:]):
                raise NumberFormatError(f"'{shorten(text)}' is geen getal")
            s = s.replace(".", "")
    if not re.fullmatch(r"\d+(\.\d+)?", s):
        raise NumberFormatError(f"'{shorten(text)}' is geen getal")
    if len(s) > MAX_NUMBER_CHARS:
        raise NumberFormatError(f"'{shorten(text)}' is te groot")
    value = float(s)
    return -value if negative else value


def parse_whole_number(text: str | float | int | None) -> int | None:
    if isinstance(text, int) and not isinstance(text, bool):
        if abs(text) > MAX_WHOLE:  # exact: a float would round 2**63 down into range
            raise NumberFormatError(f"'{shorten(text)}' is te groot")
        return text
    value = parse_number(text)
    if value is None:
        return None
    if value != int(value):
        raise NumberFormatError(f"'{shorten(text)}' is geen geheel getal")
    if abs(value) > MAX_WHOLE:
        raise NumberFormatError(f"'{shorten(text)}' is te groot")
    return int(value)


def parse_date(text: str) -> str:
    """ISO date from '2026-12-31' or Belgian '31/12/2026' / '31-12-2026'; '' stays ''."""
    s = text.strip()
    if not s:
        return ""
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", s)
    try:
        if m:
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        return date.fromisoformat(s).isoformat()
    except ValueError:
        raise NumberFormatError(
            f"'{shorten(s)}' is geen geldige datum (gebruik dd/mm/jjjj)"
        ) from None


def _url_ok(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def validate_product(
    values: dict[str, Any], application_ids: set[str]
) -> tuple[dict[str, Any], Errors]:
    """Check product fields; `application_ids` are the existing applications."""
    errors: Errors = {}
    out: dict[str, Any] = {}
    name = str(values.get("name", "")).strip()
    if not name:
        errors["name"] = "Naam is verplicht."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Naam is te lang (maximaal {MAX_NAME} tekens)."
    out["name"] = name

    number = str(values.get("ipdc_number", "")).strip()
    if number and not IPDC_NUMBER_RE.fullmatch(number):
        errors["ipdc_number"] = "IPDC-productnummer bestaat uit cijfers (bv. 123456)."
    out["ipdc_number"] = number

    ptype = str(values.get("ipdc_type", "")).strip()
    if ptype:
        code = codelists.find(codelists.PRODUCT_TYPES, ptype)
        if code is None:
            errors["ipdc_type"] = f"Onbekend producttype '{shorten(ptype)}'."
        else:
            ptype = code.uri
    out["ipdc_type"] = ptype

    for key, codes, label in (
        ("themes", codelists.THEMES, "thema"),
        ("target_groups", codelists.TARGET_GROUPS, "doelgroep"),
    ):
        uris = []
        for v in values.get(key, []) or []:
            code = codelists.find(codes, str(v))
            if code is None:
                errors[key] = f"Onbekende {label} '{shorten(v)}'."
            elif code.uri not in uris:
                uris.append(code.uri)
        out[key] = uris

    for key in ("request_application_id", "followup_application_id"):
        app_id = str(values.get(key, "") or "")
        if app_id and app_id not in application_ids:
            errors[key] = "Deze toepassing bestaat niet (meer)."
        out[key] = app_id

    try:
        volume = parse_whole_number(values.get("yearly_volume"))
        if volume is not None and volume < 0:
            errors["yearly_volume"] = "Jaarvolume kan niet negatief zijn."
        out["yearly_volume"] = volume
    except NumberFormatError as exc:
        errors["yearly_volume"] = f"Jaarvolume: {exc}."
        out["yearly_volume"] = None

    on_elo = str(values.get("on_elo", "none") or "none")
    if on_elo not in codelists.ON_ELO:
        errors["on_elo"] = f"Onbekende waarde '{shorten(on_elo)}' voor 'vandaag op ELO'."
    out["on_elo"] = on_elo

    for key in ("description", "notes"):
        text = str(values.get(key, "") or "")
        if len(text) > MAX_TEXT:
            errors[key] = f"Tekst is te lang (maximaal {MAX_TEXT} tekens)."
        out[key] = text
    add_contract_errors("product", out, errors)
    return out, errors


def validate_application(values: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    out: dict[str, Any] = {}
    name = str(values.get("name", "")).strip()
    if not name:
        errors["name"] = "Naam is verplicht."
    elif len(name) > MAX_NAME:
        errors["name"] = f"Naam is te lang (maximaal {MAX_NAME} tekens)."
    out["name"] = name
    url = str(values.get("url", "")).strip()
    if url and not _url_ok(url):
        errors["url"] = "Geef een volledige URL die begint met https:// of http://."
    out["url"] = url
    kind = str(values.get("kind", "own_application") or "own_application")
    if kind not in codelists.APPLICATION_KINDS:
        errors["kind"] = f"Onbekend soort toepassing '{shorten(kind)}'."
    out["kind"] = kind
    out["supplier"] = str(values.get("supplier", "")).strip()
    out["notes"] = str(values.get("notes", "") or "")
    # Beslissing 5° and the exclusion "in onderling overleg": only when the caller has
    # them (an import without these columns keeps what is stored).
    for key in ("is_new", "excluded"):
        if key in values:
            out[key] = _yes(values[key])
    if "exclusion_reason" in values:
        reason = str(values.get("exclusion_reason") or "").strip()
        if out.get("excluded") and not reason:
            errors["exclusion_reason"] = (
                "Zeg waarom de toepassing buiten beschouwing gelaten wordt en met wie dat "
                "afgesproken is."
            )
        elif len(reason) > 2000:
            errors["exclusion_reason"] = "De reden is te lang (maximaal 2000 tekens)."
        out["exclusion_reason"] = reason
    add_contract_errors("application", out, errors)
    return out, errors


def _yes(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "ja", "yes", "j", "y")
    return bool(value)


def validate_agency(values: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    out: dict[str, Any] = {}
    name = str(values.get("name", "")).strip()
    if not name:
        errors["name"] = "Naam van het agentschap of departement is verplicht."
    out["name"] = name
    ovo = str(values.get("ovo_code", "")).strip().upper()
    if ovo and not OVO_RE.fullmatch(ovo):
        errors["ovo_code"] = "OVO-code heeft de vorm OVO gevolgd door 6 cijfers (bv. OVO000123)."
    out["ovo_code"] = ovo
    out["contact_name"] = str(values.get("contact_name", "")).strip()
    email = str(values.get("contact_email", "")).strip()
    if email and not EMAIL_RE.fullmatch(email):
        errors["contact_email"] = "Geen geldig e-mailadres."
    out["contact_email"] = email
    out["contact_phone"] = str(values.get("contact_phone", "")).strip()
    for key in ("day_rate_internal", "day_rate_supplier"):
        if key not in values:
            continue
        try:
            rate = parse_number(values.get(key))
            if rate is not None and rate <= 0:
                errors[key] = "Dagtarief moet groter dan 0 zijn."
            out[key] = rate
        except NumberFormatError as exc:
            errors[key] = f"Dagtarief: {exc}."
    add_contract_errors("agency", out, errors)
    return out, errors
