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


def test_delay_and_exemption_dates_accept_belgian_entry_and_store_iso():
    from elo_tui.domain.decisions import DELAY_KINDS, validate_delay

    values = {
        "subject": "acm_idm",
        "delay_kind": next(iter(DELAY_KINDS)),
        "original_date": "30/06/2027",
        "new_date": "15-9-2027",
        "reason": "Leverancier later klaar.",
        "requested_on": "1/12/2026",
    }
    clean, errors = validate_delay(values)
    assert "new_date" not in errors and "original_date" not in errors, errors
    assert clean["original_date"] == "2027-06-30" and clean["new_date"] == "2027-09-15"
    assert clean["requested_on"] == "2026-12-01"
    # Compared as dates, not as typed text: 1/7/2027 is after 30/06/2027.
    clean, errors = validate_delay({**values, "new_date": "1/7/2027"})
    assert "new_date" not in errors and clean["new_date"] == "2027-07-01"
    _, errors = validate_delay({**values, "new_date": "29/02/2027"})
    assert "bestaat niet" in errors["new_date"]
