"""IPDC code lists (product types, themes, target groups) and the app's own enumerations.

Values are the concept codes of the official IPDC code lists; we store the full URI and show the
Dutch label. Nothing here may be invented: extend only from the official lists.
"""

from __future__ import annotations

from dataclasses import dataclass

IPDC_BASE = "https://productencatalogus.data.vlaanderen.be/id/concept/"


@dataclass(frozen=True, slots=True)
class Code:
    """One entry of a code list: short code, stored URI and Dutch label."""

    code: str
    uri: str
    label: str


def _codes(kind: str, pairs: list[tuple[str, str]]) -> tuple[Code, ...]:
    return tuple(Code(code, f"{IPDC_BASE}{kind}/{code}", label) for code, label in pairs)


PRODUCT_TYPES = _codes(
    "Type",
    [
        ("FinancieleVerplichting", "Financiële verplichting"),
        ("Toelating", "Toelating"),
        ("Bewijs", "Bewijs"),
        ("Voorwerp", "Voorwerp"),
        ("AdviesBegeleiding", "Advies en begeleiding"),
        ("InfrastructuurMateriaal", "Infrastructuur en materiaal"),
        ("FinancieelVoordeel", "Financieel voordeel"),
    ],
)

THEMES = _codes(
    "Thema",
    [
        ("BurgerOverheid", "Burger en Overheid"),
        ("CultuurSportVrijeTijd", "Cultuur, Sport en Vrije Tijd"),
        ("EconomieWerk", "Economie en Werk"),
        ("MilieuEnergie", "Milieu en Energie"),
        ("MobiliteitOpenbareWerken", "Mobiliteit en Openbare Werken"),
        ("OnderwijsWetenschap", "Onderwijs en Wetenschap"),
        ("WelzijnGezondheid", "Welzijn en Gezondheid"),
        ("BouwenWonen", "Bouwen en Wonen"),
    ],
)

TARGET_GROUPS = _codes(
    "Doelgroep",
    [
        ("Burger", "Burger"),
        ("Onderneming", "Onderneming"),
        ("Organisatie", "Organisatie"),
        ("Vereniging", "Vereniging"),
        ("VlaamseOverheid", "Vlaamse Overheid"),
        ("LokaalBestuur", "Lokaal Bestuur"),
    ],
)

AUTHORITY_LEVELS = ("Europees", "Federaal", "Vlaams", "Provinciaal", "Lokaal")
EXECUTING_AUTHORITY_LEVELS = (*AUTHORITY_LEVELS, "Derden")

_BY_URI = {c.uri: c for c in (*PRODUCT_TYPES, *THEMES, *TARGET_GROUPS)}


def label_for(uri: str) -> str:
    """Dutch label for a stored URI; an unknown value is shown as it is, never hidden."""
    code = _BY_URI.get(uri)
    return code.label if code else uri


def find(codes: tuple[Code, ...], value: str) -> Code | None:
    """Look a code up by URI, short code or label (case-insensitive)."""
    needle = value.strip().casefold()
    if not needle:
        return None
    for c in codes:
        if needle in (c.uri.casefold(), c.code.casefold(), c.label.casefold()):
            return c
    return None


# The app's own enumerations: stored value -> Dutch label.
APPLICATION_KINDS = {
    "own_application": "Eigen toepassing",
    "website": "Website",
    "forms_tool": "Formulieren- en opvolgingstool (wordt onderzocht)",
}

ON_ELO = {
    "none": "Niet op ELO",
    "request": "Aanvragen",
    "follow_up": "Opvolgen",
    "both": "Aanvragen en opvolgen",
}
