"""Co-financing under VR 2025 1212 DOC.1191/1BIS: what may be asked and on which
conditions (pure: no I/O, no third-party imports).

Every rule here quotes the words it rests on. Where the decision leaves room, the reading
applied is labelled "lezing" (an interpretation) and where the project had to fill a gap
the rule is labelled "AANNAME" (an assumption) until the samenwerkingsovereenkomst fixes
it. Unknowns stay unknown ("onbekend") and editable.

- Envelope: beslissing 6° says "maximaal 1.000 kEUR voor het jaar 2026 en 2027", the
  budget section "respectievelijk €1.000.000 voor 2026 en 2027"; read together: EUR
  1,000,000 per year for 2026 and for 2027 (FIO, TCH-ATCASCA-WT). The VRD 3 portfolio's
  EUR 325,000 for 2026 (SCA-ASJA2NA-WT, ASJ033) was still "ter goedkeuring" at the
  Inspectie van Financiën: a separate line "onder voorbehoud", not in the firm envelope.
- Eligible costs: the co-financing is "in de integratiekosten met de bouwstenen"; each
  estimate line says eligible or not, None = the default rule of `default_eligible`.
- Conditions: the three conditions of beslissing 6° as explicit statements; the first
  (the required information was delivered) is the completeness check itself.
- Intervention threshold (BVCO): unknown until set; above it the agreement goes to the
  Inspectie van Financiën.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from elo_tui.domain.records import EstimateLine

DECISION = "VR 2025 1212 DOC.1191/1BIS"
BUDGET_SECTION = f"{DECISION}, 3. Bestuurlijke impact, A. Budgettaire impact"

# -- envelope -------------------------------------------------------------------------------

QUOTE_DECISION_6 = (
    "VLAIO een cofinanciering van maximaal 1.000 kEUR voor het jaar 2026 en 2027 voorziet "
    "en dat dit wordt opgevangen binnen de bestaande refertekredieten"
)
QUOTE_BUDGET_FIO = (
    "Daarnaast wordt een bijdrage geleverd vanuit het budget van e-loketondernemers, ten "
    "belope van respectievelijk €1.000.000 voor 2026 en 2027."
)
QUOTE_VRD3 = (
    "€ 325.000 voor het mee realiseren van een ononderbroken klantenreis tussen meerdere "
    'loketten (naadloze gebruikerservaring) binnen het speerpunt "hoofdlokettenstrategie" '
    "als tussenkomst in de integratiekosten. […] De nota aan de Vlaamse Regering voor het "
    "VRD 3 projectenportfolio 2026 ligt momenteel voor bij Inspectie van Financiën ter "
    "goedkeuring."
)
ENVELOPE_READING = (
    "Lezing toegepast: € 1.000.000 per jaar, voor 2026 én voor 2027 (samen € 2.000.000), "
    "voor alle agentschappen en departementen samen."
)

FIO_ARTICLE = "TCH-ATCASCA-WT (Fonds voor Innoveren en Ondernemen, FIO)"
VRD3_ARTICLE = "SCA-ASJA2NA-WT, basisallocatie ASJ033 DIGITALISERING NIEUW BELEID"

# The firm envelope per budget year (EUR, all entities together); "later" has none.
FIRM_ENVELOPE: dict[str, float] = {"2026": 1_000_000.0, "2027": 1_000_000.0, "later": 0.0}


@dataclass(frozen=True, slots=True)
class EnvelopeLine:
    """One source of co-financing for one budget year."""

    year: str
    amount: float
    source: str
    article: str
    status: str  # "vast" | "onder voorbehoud"
    quote: str
    reference: str

    @property
    def firm(self) -> bool:
        return self.status == FIRM


FIRM = "vast"
RESERVED = "onder voorbehoud"

ENVELOPE_LINES: tuple[EnvelopeLine, ...] = (
    EnvelopeLine(
        "2026", 1_000_000.0, "VLAIO / FIO (budget e-loketondernemers)", FIO_ARTICLE, FIRM,
        QUOTE_DECISION_6, f"{DECISION}, beslissing 6°",
    ),
    EnvelopeLine(
        "2027", 1_000_000.0, "VLAIO / FIO (budget e-loketondernemers)", FIO_ARTICLE, FIRM,
        QUOTE_DECISION_6, f"{DECISION}, beslissing 6°",
    ),
    EnvelopeLine(
        "2026", 325_000.0, "VRD 3 projectenportfolio 2026 (hoofdlokettenstrategie)",
        VRD3_ARTICLE, RESERVED, QUOTE_VRD3, BUDGET_SECTION,
    ),
)  # fmt: skip


def firm_envelope(year: str) -> float:
    return FIRM_ENVELOPE.get(year, 0.0)


def reserved_envelope(year: str) -> float:
    return sum(e.amount for e in ENVELOPE_LINES if e.year == year and not e.firm)


# -- eligible costs --------------------------------------------------------------------------

QUOTE_ELIGIBLE = (
    "voorzien we een co-financiering in de integratiekosten met de bouwstenen om single "
    "sign-on en gericht aanmelden te realiseren voor de doelgroep ondernemers"
)
QUOTE_CRITERIA_LATER = (
    "De specifieke voorwaarden en criteria voor het verkrijgen van co-financiering […] "
    "zullen op basis van de ontvangen input verder worden uitgewerkt en vastgelegd in een "
    "samenwerkingsovereenkomst."
)
ELIGIBILITY_ASSUMPTION = (
    "AANNAME (tot de samenwerkingsovereenkomst de criteria vastlegt): integratiewerk met de "
    "bouwstenen komt in aanmerking; projectleiding en algemene lijnen zonder bouwsteen, "
    "licenties en terugkerende werkingskosten niet."
)


def default_eligible(line: EstimateLine) -> tuple[bool, str]:
    """The default rule (an ASSUMPTION) and its reason in Dutch."""
    if line.recurrence == "recurring":
        return False, "terugkerende werkingskost"
    if line.category == "licence":
        return False, "licentie"
    if line.scope_kind == "agency" and not line.block:
        return False, "projectleiding of algemene kost zonder bouwsteen"
    return True, "integratiewerk met de bouwstenen"


def is_eligible(line: EstimateLine) -> bool:
    """The line's own choice, else the default rule."""
    if line.eligible is not None:
        return bool(line.eligible)
    return default_eligible(line)[0]


def eligibility_label(line: EstimateLine) -> str:
    """'ja' / 'nee', with '(aanname: reason)' when the default rule decides."""
    if line.eligible is not None:
        return "ja" if line.eligible else "nee"
    value, reason = default_eligible(line)
    return f"{'ja' if value else 'nee'} (aanname: {reason})"


ELIGIBLE_CHOICES = {
    "default": "Standaardregel (aanname)",
    "yes": "Komt in aanmerking",
    "no": "Komt niet in aanmerking",
}


def eligible_choice(value: bool | None) -> str:
    return "default" if value is None else ("yes" if value else "no")


def parse_eligible_choice(value: Any) -> tuple[bool | None, str]:
    """Form value -> (EstimateLine.eligible, Dutch error or "")."""
    text = str(value or "default").strip()
    if text == "default":
        return None, ""
    if text == "yes":
        return True, ""
    if text == "no":
        return False, ""
    return None, f"Onbekende keuze '{text}' voor 'komt in aanmerking voor cofinanciering'."


# -- conditions (statements) ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Statement:
    key: str
    label: str  # what the entity states, in Dutch
    quote: str
    derived: bool = False  # True: follows from the completeness check, not ticked


INFORMATION_DELIVERED = "information_delivered"
NO_EXTRA_REQUEST = "no_extra_request"
SAVINGS_HONOURED = "savings_honoured"

STATEMENTS: tuple[Statement, ...] = (
    Statement(
        INFORMATION_DELIVERED,
        "De entiteit heeft de noodzakelijke informatie bezorgd (de volledigheidscontrole slaagt).",
        "Enkel entiteiten die de noodzakelijke informatie hebben bezorgd kunnen hiervoor in "
        "aanmerking komen.",
        derived=True,
    ),
    Statement(
        NO_EXTRA_REQUEST,
        "Geen meervraag: de financiering door de entiteit wordt opgevangen binnen de "
        "beschikbare kredieten van het beleidsdomein, ook in meerjarig perspectief.",
        "De financiering door de betrokken entiteiten en de cofinanciering vanuit VLAIO / FIO "
        "wordt opgevangen binnen de beschikbare kredieten van het betrokken beleidsdomein, ook "
        "in meerjarig perspectief. Er kunnen door betrokken entiteiten geen meervragen worden "
        "ingediend.",
    ),
    Statement(
        SAVINGS_HONOURED,
        "De besparingsmaatregelen van de regeringsformatie 2024-2029 en van BO 2026 worden "
        "gehonoreerd.",
        "De bij de regeringsformatie 2024-2029 en bij BO 2026 besliste "
        "besparingsmaatregelen worden hierbij gehonoreerd.",
    ),
)
STATEMENT_SHORT = {
    INFORMATION_DELIVERED: "noodzakelijke informatie bezorgd",
    NO_EXTRA_REQUEST: "geen meervraag",
    SAVINGS_HONOURED: "besparingsmaatregelen gehonoreerd",
}
STATED = tuple(s for s in STATEMENTS if not s.derived)  # the ones the entity ticks
STATEMENT_REFERENCE = f"{DECISION}, beslissing 6° (en het begrotingsakkoord van 1 december 2025)"


def missing_statements(statements: Mapping[str, bool]) -> list[Statement]:
    return [s for s in STATED if not statements.get(s.key)]


# -- intervention threshold (BVCO) -------------------------------------------------------------

THRESHOLD_META_KEY = "cofinancing_bvco_threshold"
QUOTE_THRESHOLD = (
    "Bij overschrijding van de interventiedrempels zullen deze overeenkomsten worden "
    "voorgelegd aan Inspectie van Financiën (BVCO)"
)
THRESHOLD_FLAG = "wordt voorgelegd aan de Inspectie van Financiën (BVCO)"
UNKNOWN = "onbekend"


def parse_threshold(text: Any) -> tuple[float | None, str]:
    """The threshold as typed (Belgian numbers); empty = unknown. (value, Dutch error)."""
    from elo_tui.domain.validation import NumberFormatError, parse_number

    try:
        value = parse_number(text)
    except NumberFormatError as exc:
        return None, f"Interventiedrempel BVCO: {exc}."
    if value is not None and value <= 0:
        return None, "Interventiedrempel BVCO moet groter dan 0 zijn (leeg = onbekend)."
    return value, ""


def threshold_exceeded(requested_total: float, threshold: float | None) -> bool | None:
    """None when the threshold is unknown."""
    if threshold is None:
        return None
    return requested_total > threshold


# -- forms-tool comparison --------------------------------------------------------------------

FORMS_TOOL = "formulieren- en opvolgingstool"
FORMS_TOOL_ASSUMPTION = (
    "AANNAME: de drempel van {threshold} aanvragen per jaar voor 'een beperkt aantal "
    "aanvragen' staat in geen enkele bron; de nota zegt enkel dat voor 'agentschappen en "
    "departementen met een beperkt aantal aanvragen' een oplossing 'wordt … onderzocht'. "
    "Ze per product toepassen (niet per entiteit) is een interpretatie; de kost van de "
    "tool-route komt uit het kostensjabloon (aanname)."
)


def forms_tool_assumption(threshold: int) -> str:
    return FORMS_TOOL_ASSUMPTION.format(threshold=threshold)


# -- excluded applications -------------------------------------------------------------------

QUOTE_EXCLUDED = (
    "De aanpassingen in functie van het mestbankloket bij VLM worden vandaag in onderling "
    "overleg buiten beschouwing gelaten"
)

# -- figures of the nota (pinned in tests) ----------------------------------------------------

NOTA_FIGURES = {
    "products_on_elo_sept_2025": 1202,  # all authorities, not one agency's
    "of_flemish_entities": 119,
    "of_those_on_the_blocks": 67,
    "estimate_all_agencies": 6_907_000.0,
    "estimate_without_mestbankloket": 3_582_000.0,
    "vrd3_2026": 325_000.0,
}
