"""Belgian formats (domain/formats.py): dates as people type them, Belgian numbers and
amounts, Dutch plurals and Dutch sorting; and that the old helpers now use them."""

from __future__ import annotations

from datetime import date

import pytest

from elo_tui.domain import formats
from elo_tui.domain.blocks import validate_block_status
from elo_tui.domain.validation import NumberFormatError, parse_date


@pytest.mark.parametrize(
    "text", ["15/01/2027", "15-1-2027", "15.1.2027", "2027-01-15", " 15/1/2027 "]
)
def test_dates_are_read_in_the_belgian_and_iso_forms(text):
    assert formats.parse_date(text) == date(2027, 1, 15)


@pytest.mark.parametrize(
    ("text", "says"),
    [("31/02/2027", "bestaat niet"), ("01/15/27", "geen datum"), ("morgen", "geen datum")],
)
def test_a_wrong_date_gets_a_dutch_message_naming_it(text, says):
    with pytest.raises(formats.FormatError) as err:
        formats.parse_date(text)
    assert says in str(err.value) and text in str(err.value) and "15/01/2027" in str(err.value)


def test_empty_date_stays_empty_and_display_is_belgian():
    assert formats.parse_date_iso("  ") == ""
    assert formats.format_date("2027-01-15") == "15/01/2027"
    assert formats.format_date(None) == ""


def test_numbers_and_amounts_use_belgian_separators():
    assert formats.format_number(1234567) == "1.234.567"
    assert formats.format_number(1234.5, 2) == "1.234,50"
    assert formats.euro(1234567.4) == "€ 1.234.567"
    assert formats.euro(1234.5, cents=True) == "€ 1.234,50"
    assert formats.euro(None) == "–"
    assert formats.euro(-2500) == "€ -2.500"


def test_dutch_plurals():
    assert formats.plural(1, "product", "producten") == "1 product"
    assert formats.plural(2, "product", "producten") == "2 producten"
    assert formats.plural(0, "product", "producten") == "0 producten"
    assert formats.plural(2, "veld klopt niet", "velden kloppen niet") == "2 velden kloppen niet"
    assert formats.plural(1200, "product", "producten") == "1.200 producten"


def test_dutch_sorting_ignores_accents_and_case():
    names = ["Zorg", "Ökologie", "ondernemen", "Omgeving", "école", "Export"]
    assert sorted(names, key=formats.sort_key) == [
        "école",
        "Export",
        "Ökologie",
        "Omgeving",
        "ondernemen",
        "Zorg",
    ]


def test_every_euro_formatter_is_the_one_in_formats():
    from elo_tui.domain import completeness, submission
    from elo_tui.io import export_markdown
    from elo_tui.services import estimate

    for fmt in (completeness._euro, submission.euro, export_markdown.euro, estimate.euro):
        assert fmt(1234567) == "€ 1.234.567"


def test_date_fields_accept_belgian_dates_and_store_iso():
    clean, errors = validate_block_status({"applicability": "required", "target_date": "15/1/2027"})
    assert "target_date" not in errors and clean["target_date"] == "2027-01-15"
    _, errors = validate_block_status({"applicability": "required", "target_date": "31/02/2027"})
    assert "bestaat niet" in errors["target_date"]
    from elo_tui.services.checklists import validate_item

    clean, errors = validate_item({"status": "open", "due_date": "1-12-2026"})
    assert not errors and clean["due_date"] == "2026-12-01"
    assert parse_date("15/01/2027") == "2027-01-15"
    with pytest.raises(NumberFormatError):
        parse_date("2027-13-01")
