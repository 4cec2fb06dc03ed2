"""The wire contract between elo_tui (the client) and elo_tracker (the reference tracker).

The one thing both sides share, and nothing else: the protocol version, the record kinds
with their data fields (types, value ranges, text lengths, list sizes, enumerations),
the fields only the tracker writes, the request limits, the error shape and the
idempotency header. `check_record(kind, data)` validates a record's data against it; the
tracker runs it on every push and the client on every pull, so a value one side accepts
is a value the other side can store.

Stdlib only: the client imports it on its sync path and the tracker derives its pydantic
models (and so its OpenAPI document) from the same field specs.

Limits follow what the app lets people enter where its validation bounds a field
(names 300 characters, form text 10,000, the enumerations); free text the app does not
bound gets 100,000. Where the app's own validation allows more than the contract (for
example a yearly volume above 10^9), the client checks its records before pushing and
keeps such a record local with a Dutch message (`elo_tui.sync.wire.sendable`) instead of
failing the batch. Tests check that the kinds, fields, defaults and enumerations here
equal `elo_tui.domain`, and that every record the contract accepts the workspace stores.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

API_PREFIX = "/v1"
API_VERSION = "1.0.0"
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9._:-]{8,200}$"

# -- request limits ------------------------------------------------------------------------

MAX_BATCH = 1000  # records in one push
MAX_BODY_BYTES = 4 * 1024 * 1024  # a push batch or a review
# Every record kind's largest data (all fields at their maximum, escaped as JSON) fits in
# MAX_BODY_BYTES, so a client that batches by bytes can always push (test_contract).
# A submission upload: the largest content (MAX_SUBMISSION_CHARS) escaped once more as a
# JSON string grows by its quotes and backslashes (canonical JSON: +13 % measured on a
# 1,202-product stress case, the size of all of ELO); 64 MiB leaves room for that and
# for multi-byte UTF-8.
MAX_SUBMISSION_BYTES = 64 * 1024 * 1024
MAX_PAGE = 2000  # records per pull page
DEFAULT_PAGE = 500
MAX_REV = 2**62  # revisions and cursors fit SQLite's INTEGER

# -- identifiers ---------------------------------------------------------------------------

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"  # a record id (client-made UUID)
REF_PATTERN = r"^[A-Za-z0-9_-]{0,64}$"  # a reference to a record id, "" = none
DATE_PATTERN = r"^(\d{4}-\d{2}-\d{2})?$"  # ISO date or "" (unknown)
OVO_PATTERN = r"^OVO\d{6}$"
SHA256_PATTERN = r"^([0-9a-f]{64})?$"
MAX_ID = 64
MAX_META_TEXT = 300  # updated_at, updated_by

# -- enumerations --------------------------------------------------------------------------

SCOPE_KINDS = ("application", "product")
CHECKLIST_SCOPE_KINDS = ("agency", "application", "product")
APPLICABILITY = ("undecided", "required", "not_applicable", "forms_tool")
STAGES = ("not_started", "analysis", "filed", "test", "production")
CHECKLIST_STATUSES = ("open", "busy", "blocked", "done", "na")
VERDICTS = ("verified", "issues", "approved", "accepted", "refused")
# VLAIO decides on an exemption or a delay request (accepted/refused); those two verdicts
# are for those kinds only (records.py: "the decision comes back as a Review").
DECISION_VERDICTS = ("accepted", "refused")
DECIDABLE_KINDS = ("exemption", "delay")
REVIEW_STATES = ("", *VERDICTS)
ON_ELO = ("none", "request", "follow_up", "both")
APPLICATION_KINDS = ("own_application", "website", "forms_tool")
DELAY_KINDS = ("technical", "budgetary")
# The roadmap (elo_tui.domain.roadmap): bottleneck kinds and states, and the scopes a
# bottleneck can be about (also the agency as a whole).
BOTTLENECK_KINDS = ("technical", "budgetary", "organisational", "dependency")
BOTTLENECK_STATUSES = ("open", "in_progress", "resolved")
BOTTLENECK_SCOPE_KINDS = ("agency", "application", "product")
QUARTER_PATTERN = r"^(\d{4}-Q[1-4])?$"  # "2026-Q3" or "" (the default only)

# The essential blocks of beslissing 3° of VR 2025 1212 DOC.1191/1BIS ("ACM/IDM en VMS",
# "DOSIS (& Toelatingen indien van toepassing)", "Global header (met gekoppeld
# toegangsbeheer)"): pair code -> Dutch label.
PAIRS: dict[str, str] = {
    "acm_idm_vms": "ACM/IDM en VMS",
    "dosis_toelatingen": "DOSIS (& Toelatingen indien van toepassing)",
    "global_header": "Global header (met gekoppeld toegangsbeheer)",
}
# The block parts whose integration is tracked (code, scope, pair, Dutch label): a fixed
# catalogue of the programme, in the app's order (elo_tui.domain.blocks.BLOCKS).
BLOCKS: tuple[tuple[str, str, str, str], ...] = (
    ("acm_idm", "application", "acm_idm_vms", "Toegangs- en gebruikersbeheer (ACM/IDM): aanmelden"),
    ("product_rights", "product", "acm_idm_vms", "ACM/IDM: rechten per product"),
    ("vms", "product", "acm_idm_vms", "Vlaams Mandatensysteem (VMS)"),
    ("dosis", "application", "dosis_toelatingen", "Dossierstatusinformatiesysteem (DOSIS)"),
    ("toelatingen", "product", "dosis_toelatingen", "Toelatingen (indien van toepassing)"),
    ("global_header", "application", "global_header",
     "Global header (met gekoppeld toegangsbeheer)"),
    ("capacity_switch", "application", "global_header",
     "Global header: capaciteitswissel en login_hint (gericht aanmelden)"),
)  # fmt: skip
BLOCK_CODES = tuple(code for code, _, _, _ in BLOCKS)
# Requirements: results realised with the blocks, not blocks (code, Dutch label, the block
# parts that must all be in production or covered by an accepted exemption). Exemptions
# and delays name a requirement or a block part as their subject.
REQUIREMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("sso", "single sign-on (SSO)", ("acm_idm", "global_header")),
    ("gericht_aanmelden", "gericht aanmelden", ("acm_idm", "global_header", "capacity_switch")),
    ("product_rights", "rechtenbeheer op productniveau (IDM en VMS)", ("product_rights", "vms")),
)
REQUIREMENT_CODES = tuple(code for code, _, _ in REQUIREMENTS)

# -- field specs ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spec:
    """One data field on the wire.

    type: "str" | "int" | "float" | "bool" | "list" (of str) | "dict" (str -> float|bool).
    For str: max_length, pattern, choices. For int/float: minimum, maximum (inclusive).
    For list: max_items and item_max_length. For dict: max_items, key_max_length and
    value ("float" | "bool") with minimum/maximum for floats.
    """

    type: str
    default: Any = None
    nullable: bool = False
    max_length: int | None = None
    pattern: str | None = None
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    max_items: int | None = None
    item_max_length: int | None = None
    key_max_length: int | None = None
    value: str | None = None
    label: str = ""  # Dutch, for messages

    def describe(self) -> str:
        """The rule in Dutch words (OpenAPI descriptions)."""
        parts = []
        if self.choices is not None:
            parts.append("een van: " + ", ".join(repr(c) for c in self.choices))
        if self.max_length is not None:
            parts.append(f"maximaal {self.max_length:,} tekens".replace(",", "."))
        if self.minimum is not None and self.maximum is not None:
            parts.append(f"van {_num(self.minimum)} tot en met {_num(self.maximum)}")
        if self.max_items is not None:
            parts.append(f"maximaal {self.max_items} elementen")
        if self.nullable:
            parts.append("null = onbekend")
        return "; ".join(parts)


def _num(value: float) -> str:
    return f"{int(value):,}".replace(",", ".") if float(value).is_integer() else str(value)


NAME = 300
TEXT = 10_000  # the app's forms allow this much free text
LONG_TEXT = 100_000  # free text the app does not bound (notes imported from files)
URL = 2000
CODE = 100  # a short code: template id, step key, requirement code
MAX_DAYS = 100_000.0  # person-days on one estimate line (~400 person-years)
MAX_RATE = 100_000.0  # EUR per person-day
MAX_AMOUNT = 1e10  # EUR on one line or in one year
MAX_VOLUME = 10**9  # requests a year
MAX_VERSION = 1_000_000
MAX_SUBMISSION_CHARS = 20_000_000  # ~7 M for a stress case the size of all of ELO (1,202 products)


def _text(n: int = TEXT, label: str = "", default: str = "") -> Spec:
    return Spec("str", default, max_length=n, label=label)


def _choice(choices: tuple[str, ...], default: str, label: str = "") -> Spec:
    return Spec("str", default, choices=choices, label=label)


def _ref(label: str = "") -> Spec:
    return Spec("str", "", max_length=MAX_ID, pattern=REF_PATTERN, label=label)


def _date(label: str = "") -> Spec:
    return Spec("str", "", max_length=10, pattern=DATE_PATTERN, label=label)


def _bool(default: bool = False) -> Spec:
    return Spec("bool", default)


def _float(maximum: float, label: str = "") -> Spec:
    return Spec("float", None, nullable=True, minimum=0.0, maximum=maximum, label=label)


def _money_by_year() -> Spec:
    return Spec(
        "dict", None, max_items=50, key_max_length=40, value="float", minimum=0.0,
        maximum=MAX_AMOUNT,
    )  # fmt: skip


def _text_list(items: int, length: int) -> Spec:
    return Spec("list", None, max_items=items, item_max_length=length)


KINDS: dict[str, dict[str, Spec]] = {
    "agency": {
        "name": _text(NAME, "naam"),
        "ovo_code": Spec("str", "", max_length=9, pattern=r"^(OVO\d{6})?$", label="OVO-code"),
        "contact_name": _text(NAME),
        "contact_email": _text(NAME),
        "contact_phone": _text(NAME),
        "day_rate_internal": _float(MAX_RATE, "dagtarief"),
        "day_rate_supplier": _float(MAX_RATE, "dagtarief"),
        "own_budget": _money_by_year(),
        "requested_cofinancing": _money_by_year(),
        "justification": _text(LONG_TEXT),
        "cofinancing_statements": Spec(
            "dict", None, max_items=100, key_max_length=CODE, value="bool"
        ),  # fmt: skip
        "notes": _text(LONG_TEXT),
    },
    "application": {
        "name": _text(NAME, "naam"),
        "url": _text(URL),
        "kind": _choice(APPLICATION_KINDS, "own_application"),
        "supplier": _text(NAME),
        "is_new": _bool(),
        "excluded": _bool(),
        "exclusion_reason": _text(TEXT),
        "notes": _text(LONG_TEXT),
    },
    "product": {
        "ipdc_number": _text(40, "IPDC-nummer"),
        "name": _text(NAME, "naam"),
        "description": _text(LONG_TEXT),
        "ipdc_type": _text(URL),
        "themes": _text_list(50, NAME),
        "target_groups": _text_list(50, NAME),
        "request_application_id": _ref(),
        "followup_application_id": _ref(),
        "yearly_volume": Spec(
            "int", None, nullable=True, minimum=0, maximum=MAX_VOLUME, label="jaarvolume"
        ),  # fmt: skip
        "on_elo": _choice(ON_ELO, "none"),
        "notes": _text(LONG_TEXT),
        "to_check": _text_list(200, 1000),
        "ipdc_uri": _text(URL, "IPDC-record"),
        "ipdc_data": _text(LONG_TEXT),  # JSON text: what IPDC said at the last import
    },
    "block_status": {
        "scope_kind": _choice(SCOPE_KINDS, "product"),
        "scope_id": _ref(),
        "block": _choice(("", *BLOCK_CODES), ""),  # "" only as the default
        "applicability": _choice(APPLICABILITY, "undecided", "toepasselijkheid"),
        "reason": _text(TEXT, "motivering"),
        "stage": _choice(STAGES, "not_started", "fase"),
        "target_date": _date("streefdatum"),
        "evidence": _text(URL),
        "note": _text(TEXT),
        "waiting_on_block": _bool(),
        "waiting_reason": _text(TEXT),
        "verified_central": _bool(),
    },
    "estimate_line": {
        # method/budget_year/recurrence/category/scope_kind: the app keeps and shows an
        # invalid line (domain.estimate.line_problems), so the wire only bounds their size.
        "scope_kind": _text(40, default="application"),
        "scope_id": _ref(),
        "block": _text(40),
        "description": _text(TEXT),
        "method": _text(40, default="three_point"),
        "optimistic_days": _float(MAX_DAYS, "dagen"),
        "likely_days": _float(MAX_DAYS, "dagen"),
        "pessimistic_days": _float(MAX_DAYS, "dagen"),
        "day_rate": _float(MAX_RATE, "dagtarief"),
        "fixed_amount": _float(MAX_AMOUNT, "bedrag"),
        "budget_year": _text(40, default="2026"),
        "recurrence": _text(40, default="one_off"),
        "category": _text(40, default="internal"),
        "basis": _text(TEXT),
        "assumed": _bool(),
        "eligible": Spec("bool", None, nullable=True),
    },
    "checklist_item": {
        "template": _text(CODE),
        "step": _text(CODE),
        "scope_kind": _choice(CHECKLIST_SCOPE_KINDS, "agency"),
        "scope_id": _ref(),
        "block": _text(40),
        "title": _text(1000),
        "status": _choice(CHECKLIST_STATUSES, "open", "status"),
        "owner": _text(NAME),
        "due_date": _date("vervaldatum"),
        "evidence": _text(URL),
        "note": _text(TEXT),
        "obsolete": _bool(),
    },
    "submission": {
        "version": Spec("int", 0, minimum=0, maximum=MAX_VERSION),
        "created_at": _text(40),
        "author": _text(NAME),
        "sha256": Spec("str", "", max_length=64, pattern=SHA256_PATTERN),
        "content": _text(MAX_SUBMISSION_CHARS, "inhoud"),
        "review_state": _choice(REVIEW_STATES, ""),
    },
    "review": {
        "target_kind": _text(40),
        "target_id": _ref(),
        "verdict": _choice(("", *VERDICTS), "", "oordeel"),
        "comment": _text(TEXT),
        "reviewer": _text(NAME),
        "created_at": _text(40),
    },
    "exemption": {
        "scope_kind": _choice(SCOPE_KINDS, "product"),
        "scope_id": _ref(),
        "subject": _text(CODE),
        "ground": _text(TEXT),
        "requested_by": _text(NAME),
        "requested_on": _date(),
        "decision_body": _text(CODE),
        "note": _text(TEXT),
    },
    "delay": {
        "scope_kind": _choice(SCOPE_KINDS, "product"),
        "scope_id": _ref(),
        "subject": _text(CODE),
        "delay_kind": _choice(DELAY_KINDS, "technical"),
        "original_date": _date(),
        "new_date": _date(),
        "reason": _text(TEXT),
        "requested_by": _text(NAME),
        "requested_on": _date(),
        "note": _text(TEXT),
    },
    "bottleneck": {
        "scope_kind": _choice(BOTTLENECK_SCOPE_KINDS, "product"),
        "scope_id": _ref(),
        "block": _text(40),  # "" = not about one block
        "description": _text(TEXT, "knelpunt"),
        "bottleneck_kind": _choice(BOTTLENECK_KINDS, "technical", "soort knelpunt"),
        "owner": _text(NAME),
        "status": _choice(BOTTLENECK_STATUSES, "open", "status"),
        "reported_on": _date(),
        "resolved_on": _date(),
        "note": _text(TEXT),
    },
    "baseline": {
        "product_id": _ref(),
        "on_elo": _choice(ON_ELO, "none"),
        "blocks_in_use": _text_list(50, 40),
        "note": _text(TEXT),
        "confirmed": _bool(),
        "confirmed_on": _date(),
        "confirmed_by": _text(NAME),
    },
    "plan_scenario": {
        "name": _text(NAME, "naam"),
        "chosen": _bool(),
        "note": _text(TEXT),
    },
    "plan_item": {
        "scenario_id": _ref(),
        "scope_kind": _choice(SCOPE_KINDS, "application"),
        "scope_id": _ref(),
        "block": _text(40),
        "quarter": Spec("str", "", max_length=7, pattern=QUARTER_PATTERN, label="kwartaal"),
    },
}
KIND_NAMES = tuple(KINDS)

# Fields only the tracker writes (with their value for a new record): an agency's push
# never changes them and they change a record's pull sequence but not its revision.
TRACKER_OWNED: dict[str, dict[str, Any]] = {
    "block_status": {"verified_central": False},
    "submission": {"review_state": ""},
}
# Kinds an agency pushes through /changes: reviews are VLAIO's and submissions have their
# own, immutable endpoint.
PUSH_KINDS = tuple(k for k in KINDS if k not in ("review", "submission"))
REVIEWABLE_KINDS = tuple(k for k in KINDS if k != "review")

# -- errors --------------------------------------------------------------------------------

# Every error answer: {"detail": Dutch sentence, "code": one of ERROR_CODES, "field":
# path of the offending value or null, "errors": optional list of the same}.
ERROR_CODES = (
    "invalid",  # 422: a value breaks the contract (field says which)
    "invalid_json",  # 422: the body is no JSON
    "too_large",  # 413
    "unauthorized",  # 401
    "forbidden",  # 403
    "not_found",  # 404
    "conflict",  # 409 (a submission id with other content)
    "idempotency_reused",  # 422
    "rate_limited",  # 429 with Retry-After
    "busy",  # 503 with Retry-After
    "internal",  # 500 (a bug)
    "bad_request",  # 400
)


def error_body(
    detail: str, code: str, field: str | None = None, errors: list | None = None
) -> dict[str, Any]:
    """The one error shape of the API: a Dutch sentence, a code of ERROR_CODES, the path
    of the offending value (or None) and, for invalid input, every problem found."""
    if code not in ERROR_CODES:
        raise ValueError(f"unknown error code {code!r}")  # a bug in the caller
    out: dict[str, Any] = {"detail": detail, "code": code, "field": field}
    if errors is not None:
        out["errors"] = errors
    return out


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a record's data: where and why (Dutch)."""

    field: str
    detail: str
    code: str = "invalid"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "detail": self.detail, "code": self.code}


_COMPILED: dict[str, re.Pattern[str]] = {}


def _matches(pattern: str, value: str) -> bool:
    compiled = _COMPILED.get(pattern)
    if compiled is None:
        compiled = _COMPILED[pattern] = re.compile(pattern)
    return compiled.fullmatch(value) is not None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)) and (
        not isinstance(value, float) or math.isfinite(value)
    )


def check_value(spec: Spec, value: Any, where: str) -> list[Problem]:
    """The problems of one field value (empty when it fits the spec)."""
    if value is None:
        return [] if spec.nullable else [Problem(where, f"{where}: mag niet leeg (null) zijn.")]
    t = spec.type
    if t == "str":
        if not isinstance(value, str):
            return [Problem(where, f"{where}: moet tekst zijn.")]
        if spec.choices is not None and value not in spec.choices:
            allowed = ", ".join(repr(c) for c in spec.choices)
            return [Problem(where, f"{where}: onbekende waarde; toegelaten: {allowed}.")]
        if spec.max_length is not None and len(value) > spec.max_length:
            n = f"{spec.max_length:,}".replace(",", ".")
            return [Problem(where, f"{where}: te lang (maximaal {n} tekens).")]
        if spec.pattern is not None and not _matches(spec.pattern, value):
            return [Problem(where, f"{where}: heeft niet de vereiste vorm ({spec.pattern}).")]
        return []
    if t in ("int", "float"):
        ok = _is_int(value) if t == "int" else _is_number(value)
        if not ok:
            what = "een geheel getal" if t == "int" else "een (eindig) getal"
            return [Problem(where, f"{where}: moet {what} zijn.")]
        return _range(spec, value, where)
    if t == "bool":
        return (
            []
            if isinstance(value, bool)
            else [Problem(where, f"{where}: moet true of false zijn.")]
        )
    if t == "list":
        if not isinstance(value, list):
            return [Problem(where, f"{where}: moet een lijst zijn.")]
        if spec.max_items is not None and len(value) > spec.max_items:
            return [Problem(where, f"{where}: te veel elementen (maximaal {spec.max_items}).")]
        item = Spec("str", max_length=spec.item_max_length)
        return [p for i, v in enumerate(value) for p in check_value(item, v, f"{where}[{i}]")]
    if t == "dict":
        if not isinstance(value, dict):
            return [Problem(where, f"{where}: moet een object zijn.")]
        if spec.max_items is not None and len(value) > spec.max_items:
            return [Problem(where, f"{where}: te veel elementen (maximaal {spec.max_items}).")]
        item = Spec(spec.value or "float", minimum=spec.minimum, maximum=spec.maximum)
        out: list[Problem] = []
        for k, v in value.items():
            if not isinstance(k, str) or (
                spec.key_max_length is not None and len(k) > spec.key_max_length
            ):
                out.append(Problem(where, f"{where}: sleutel te lang of geen tekst."))
                continue
            out.extend(check_value(item, v, f"{where}.{k}"))
        return out
    raise ValueError(f"unknown spec type {t}")  # a bug in this module


def _range(spec: Spec, value: float, where: str) -> list[Problem]:
    if spec.minimum is not None and value < spec.minimum:
        return [Problem(where, f"{where}: moet minstens {_num(spec.minimum)} zijn.")]
    if spec.maximum is not None and value > spec.maximum:
        return [Problem(where, f"{where}: mag hoogstens {_num(spec.maximum)} zijn.")]
    return []


def check_record(kind: str, data: Any) -> list[Problem]:
    """Every problem of a record's `data` against the contract; [] when it is valid.

    A field that is missing is fine (it takes its default); a field the contract does
    not know is a problem (the tracker refuses it; a client ignores unknown fields of a
    newer tracker *before* calling this, see elo_tui.sync.wire).
    """
    fields = KINDS.get(kind)
    if fields is None:
        return [Problem("kind", f"Onbekende soort record '{str(kind)[:40]}'.")]
    if not isinstance(data, dict):
        return [Problem("data", "data: moet een object zijn.")]
    out: list[Problem] = []
    for name, value in data.items():
        spec = fields.get(name)
        if spec is None:
            out.append(Problem(f"data.{str(name)[:60]}", f"Onbekend veld '{str(name)[:60]}'."))
            continue
        # Fast paths for the common valid cases (a first sync checks ~100,000 values).
        t = type(value)
        if t is str and spec.type == "str":
            if spec.choices is not None:
                if value in spec.choices:
                    continue
            elif spec.pattern is None and len(value) <= spec.max_length:  # type: ignore[operator]
                continue
        elif t is bool and spec.type == "bool":
            continue
        elif value is None and spec.nullable:
            continue
        out.extend(check_value(spec, value, f"data.{name}"))
    return out


def defaults(kind: str) -> dict[str, Any]:
    """A record's data with every field at its default (lists and dicts fresh)."""
    out: dict[str, Any] = {}
    for name, spec in KINDS[kind].items():
        if spec.type == "list" and spec.default is None:
            out[name] = []
        elif spec.type == "dict" and spec.default is None:
            out[name] = {}
        else:
            out[name] = spec.default
    return out
