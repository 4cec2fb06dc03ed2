""" "Te controleren": problems an import found in one field of a product.

A product keeps its problems in `Product.to_check`, one Dutch line each, in the form

    Jaarvolume — rij 7, kolom 'Aantal', waarde '12/03/2025': geen geheel getal (bv. 45.000)

The line starts with the field's label so that saving a corrected field can clear its
own lines (`field_of`) without a second stored structure. Every quoted value is
shortened (`shorten`): a 150 MB cell must never be echoed to a terminal or a form.
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_QUOTED = 60  # characters of a value quoted in any message

# record field -> Dutch label, as the product form and the import show it
FIELD_LABELS: dict[str, str] = {
    "name": "Naam",
    "ipdc_number": "IPDC-productnummer",
    "ipdc_type": "Type",
    "themes": "Thema's",
    "target_groups": "Doelgroepen",
    "request_application_id": "Toepassing voor aanvragen",
    "followup_application_id": "Toepassing voor opvolgen",
    "yearly_volume": "Jaarvolume",
    "on_elo": "Vandaag op ELO",
    "description": "Beschrijving",
    "notes": "Opmerkingen",
}
_SEPARATOR = " — "


def shorten(value: object, limit: int = MAX_QUOTED) -> str:
    """`value` as text of at most `limit` characters (cut ones end in "…"), on one line."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit * 4:
        text = text[: limit * 4]  # never normalise a huge cell as a whole
        cut = True
    else:
        cut = False
    text = " ".join(text.split())
    if len(text) > limit:
        return text[: limit - 1].rstrip() + "…"
    return text + "…" if cut else text


def problem_line(field: str, row: int, column: str, value: object, problem: str) -> str:
    """One "te controleren" line for a field of the product read from `row`."""
    label = FIELD_LABELS.get(field, field)
    where = f"rij {row}"
    if column:
        where += f", kolom '{shorten(column, 40)}'"
    if value not in (None, ""):
        where += f", waarde '{shorten(value)}'"
    problem = problem.strip().rstrip(".")
    return f"{label}{_SEPARATOR}{where}: {problem}."


def field_of(line: str) -> str | None:
    """The record field a "te controleren" line is about (None for a free line)."""
    label, sep, _ = line.partition(_SEPARATOR)
    if not sep:
        return None
    for key, known in FIELD_LABELS.items():
        if known == label:
            return key
    return None


def without_fields(lines: Iterable[str], fields: Iterable[str]) -> list[str]:
    """`lines` minus those about any of `fields` (they were corrected)."""
    gone = set(fields)
    return [line for line in lines if field_of(line) not in gone]
