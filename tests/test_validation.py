import pytest

from elo_tui.domain import codelists
from elo_tui.domain.validation import (
    NumberFormatError,
    parse_date,
    parse_number,
    validate_agency,
    validate_application,
    validate_product,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("45.000", 45000),
        ("1.234,50", 1234.5),
        ("€ 12 500", 12500),
        ("0,5", 0.5),
        ("2.5", 2.5),
        ("1.234.567", 1234567),
        ("1,234.50", 1234.5),
        ("-3", -3),
        ("", None),
        ("  ", None),
        (12, 12),
    ],
)
def test_numbers_are_read_as_belgian_agencies_type_them(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["abc", "12a", "1..2", "€"])
def test_unreadable_numbers_give_a_dutch_message(text):
    if text == "€":
        assert parse_number(text) is None
        return
    with pytest.raises(NumberFormatError, match="geen getal"):
        parse_number(text)


def test_dates_accept_belgian_and_iso_forms():
    assert parse_date("31/12/2026") == "2026-12-31"
    assert parse_date("2027-06-30") == "2027-06-30"
    with pytest.raises(NumberFormatError):
        parse_date("31/02/2026")


def test_valid_product_values_are_cleaned_to_uris():
    clean, errors = validate_product(
        {
            "name": " Groeisubsidie ",
            "ipdc_type": "Financieel voordeel",
            "themes": ["EconomieWerk", "EconomieWerk"],
            "target_groups": ["Onderneming"],
            "yearly_volume": "45.000",
            "on_elo": "none",
        },
        set(),
    )
    assert errors == {}
    assert clean["name"] == "Groeisubsidie"
    assert clean["ipdc_type"] == codelists.find(codelists.PRODUCT_TYPES, "FinancieelVoordeel").uri
    assert clean["themes"] == [codelists.find(codelists.THEMES, "EconomieWerk").uri]
    assert clean["yearly_volume"] == 45000


def test_every_invalid_product_field_gets_its_own_message():
    _, errors = validate_product(
        {
            "name": "",
            "ipdc_number": "12-AB",
            "ipdc_type": "Subsidie?",
            "themes": ["Sport"],
            "request_application_id": "gone",
            "yearly_volume": "-5",
            "on_elo": "maybe",
        },
        {"app-1"},
    )
    assert set(errors) == {
        "name",
        "ipdc_number",
        "ipdc_type",
        "themes",
        "request_application_id",
        "yearly_volume",
        "on_elo",
    }
    assert errors["name"] == "Naam is verplicht."


def test_application_url_must_be_complete():
    _, errors = validate_application({"name": "Loket", "url": "loket.be"})
    assert "url" in errors
    _, errors = validate_application({"name": "Loket", "url": "https://loket.be"})
    assert errors == {}


def test_agency_ovo_code_and_email_are_checked():
    _, errors = validate_agency({"name": "A", "ovo_code": "ovo12", "contact_email": "x"})
    assert set(errors) == {"ovo_code", "contact_email"}
    clean, errors = validate_agency({"name": "A", "ovo_code": "ovo000123"})
    assert errors == {} and clean["ovo_code"] == "OVO000123"
