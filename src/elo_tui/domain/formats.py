"""Belgian formats, in one place: dates people type, numbers and amounts as Belgians
write them, Dutch plurals and Dutch sorting. Pure: no Textual, SQLite or HTTP.

Stored values stay ISO dates and plain numbers; these helpers are for what people type
and read.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

DATE_HINT = "schrijf dd/mm/jjjj of jjjj-mm-dd, bv. 15/01/2027"
_DMY = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


class FormatError(ValueError):
    """Input that is not in a format we read; the message is Dutch and names the input."""


def shorten(text: str, limit: int = 60) -> str:
    """`text` on one line, at most `limit` characters (a cut ends in '…')."""
    text = " ".join(text[: limit * 4].split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- dates -----------------------------------------------------------------------------


def parse_date(text: str) -> date:
    """A date as people type it: 15/01/2027, 15-1-2027, 15.1.2027 or 2027-01-15.

    Raises FormatError with a Dutch message for anything else (also 31/02/2027); the
    message quotes the input, cut short (a whole pasted cell would drown it)."""
    s = str(text).strip()
    shown = shorten(s)
    m = _DMY.fullmatch(s)
    try:
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
        m = _YMD.fullmatch(s)
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise FormatError(f"'{shown}' bestaat niet als datum; {DATE_HINT}.") from None
    raise FormatError(f"'{shown}' is geen datum; {DATE_HINT}.")


def parse_date_iso(text: str) -> str:
    """`parse_date` as an ISO string for storing; an empty entry stays ''."""
    return parse_date(text).isoformat() if str(text).strip() else ""


def date_or_none(text: str) -> date | None:
    """`parse_date`, or None when the text is empty or not a date."""
    try:
        return parse_date(text) if text and str(text).strip() else None
    except FormatError:
        return None


def format_date(value: date | str | None) -> str:
    """15/01/2027 (Belgian); an ISO string is accepted; '' for nothing or not a date."""
    if isinstance(value, str):
        value = date_or_none(value)
    return value.strftime("%d/%m/%Y") if value else ""


def date_for_entry(value: str | None) -> str:
    """A stored date as it goes into an entry field: dd/mm/jjjj when it is a date; any
    other stored text unchanged, so editing never silently drops it."""
    return format_date(value) or (value or "")


def format_stamp(stamp: str | None) -> str:
    """A stored UTC timestamp ('2026-11-22T10:03:00Z') as '22/11/2026 10:03 UTC'; other
    text unchanged, '' for nothing."""
    if not stamp:
        return ""
    day = format_date(stamp[:10])
    if not day:
        return stamp
    clock = stamp[11:16]
    return f"{day} {clock} UTC" if len(clock) == 5 else day


# -- numbers and amounts -----------------------------------------------------------------


def format_number(value: float | int | None, decimals: int = 0) -> str:
    """Belgian: thousands with '.', decimals with ','; 1234567.5 -> '1.234.567,50'."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def euro(amount: float | int | None, *, cents: bool = False) -> str:
    """'€ 1.234.567' (or '€ 1.234,50' with cents); '–' when unknown."""
    if amount is None:
        return "–"
    return f"€ {format_number(amount, 2 if cents else 0)}"


def format_percent(value: float | None, decimals: int = 0) -> str:
    """0.125 -> '12,5 %' style (Belgian decimal comma); '' when unknown."""
    return "" if value is None else f"{format_number(value * 100, decimals)} %"


# -- words -------------------------------------------------------------------------------


def plural(count: int, singular: str, plural_form: str) -> str:
    """'1 product', '2 producten', '0 producten', '2 velden'."""
    return f"{format_number(count)} {singular if count == 1 else plural_form}"


def word(count: int, singular: str, plural_form: str) -> str:
    """Just the word of `plural`, for a count shown elsewhere or not at all:
    'onbekende sleutel: a', 'onbekende sleutels: a, b'."""
    return singular if count == 1 else plural_form


def sort_key(text: str | None) -> str:
    """Dutch collation for sorting: accents do not count and case does not count, so
    'Ökologie' sorts with the O's and 'école' with the e's."""
    if not text:
        return ""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def format_cell(value: object) -> str:
    """A table value as people read it: numbers Belgian (up to two decimals, as many as
    the value has), ISO dates as dd/mm/jjjj, True/False as ja/nee, None as ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int):
        return format_number(value)
    if isinstance(value, float):
        rounded = round(value, 2)
        decimals = 0 if rounded == int(rounded) else 1 if round(rounded, 1) == rounded else 2
        return format_number(rounded, decimals)
    text = str(value)
    if _ISO_DAY.fullmatch(text):
        return format_date(text) or text
    return text
