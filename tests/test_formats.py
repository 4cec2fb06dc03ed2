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


def test_date_errors_name_their_field():
    """A date error names its field, also when messages are joined on one line."""
    from elo_tui.domain.decisions import validate_delay, validate_exemption

    _, errors = validate_delay({"new_date": "29/02/2027", "original_date": "morgen"})
    assert errors["new_date"].startswith("Nieuwe datum: '29/02/2027' bestaat niet")
    assert errors["original_date"].startswith("Oorspronkelijke datum: 'morgen' is geen datum")
    _, errors = validate_exemption({"requested_on": "13/13/2026"})
    assert errors["requested_on"].startswith("Gevraagd op: '13/13/2026'")
    _, errors = validate_block_status({"applicability": "required", "target_date": "1/2"})
    assert errors["target_date"].startswith("Streefdatum: '1/2' is geen datum")


def test_stored_dates_go_into_entry_fields_belgian_and_other_text_stays():
    assert formats.date_for_entry("2027-01-15") == "15/01/2027"
    assert formats.date_for_entry("") == ""
    assert formats.date_for_entry(None) == ""
    assert formats.date_for_entry("begin 2027") == "begin 2027"  # never dropped


def test_timestamps_and_plural_words():
    assert formats.format_stamp("2026-11-22T10:03:41Z") == "22/11/2026 10:03 UTC"
    assert formats.format_stamp("2026-11-22") == "22/11/2026"
    assert formats.format_stamp("") == ""
    assert formats.format_stamp("gisteren") == "gisteren"
    assert formats.word(1, "sleutel", "sleutels") == "sleutel"
    assert formats.word(3, "sleutel", "sleutels") == "sleutels"


def test_import_and_schema_messages_use_dutch_plurals(tmp_path):
    """No '(en)' or '(s)' left in import, schema and template messages."""
    from elo_tui.domain.templates import _dutch
    from elo_tui.io.cost_template import CostTemplateError, parse_cost_template
    from elo_tui.io.submission_schema import MAX_ERRORS_SHOWN, SubmissionSchemaError
    from elo_tui.io.tabular import read_table

    path = tmp_path / "lijst.csv"
    path.write_text("Naam\nA\n", encoding="utf-8")
    assert ": 1 kolom, 1 rij, kopregel op rij 1" in read_table(path).describe()
    with pytest.raises(CostTemplateError) as err:
        parse_cost_template({"version": 1, "kleur": "rood"})
    assert "onbekende sleutel kleur" in str(err.value)
    too_many = SubmissionSchemaError([f"fout {i}" for i in range(MAX_ERRORS_SHOWN + 1)])
    assert str(too_many).endswith("… en nog 1 fout.")
    assert _dutch({"type": "too_short", "ctx": {"min_length": 1}}) == (
        "moet minstens 1 element bevatten"
    )
