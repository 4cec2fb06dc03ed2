"""The app refuses, where people type or import values, what the central follow-up would
refuse: ranges and lengths come from the one wire contract (`elo_contract`)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import elo_contract
from elo_tui.domain import cofinancing_request, estimate
from elo_tui.domain.blocks import validate_block_status
from elo_tui.domain.decisions import validate_delay
from elo_tui.domain.validation import validate_agency, validate_application, validate_product


def test_a_yearly_volume_the_tracker_refuses_is_refused_in_the_product_form():
    _, errors = validate_product({"name": "Premie", "yearly_volume": "10000000000"}, set())
    assert "yearly_volume" in errors
    ok, errors = validate_product({"name": "Premie", "yearly_volume": "1.000.000"}, set())
    assert errors == {} and ok["yearly_volume"] == 1_000_000


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.integers(min_value=-(2**70), max_value=2**70))
def test_product_form_and_contract_agree_on_every_yearly_volume(volume):
    cleaned, errors = validate_product({"name": "P", "yearly_volume": str(volume)}, set())
    contract_ok = not elo_contract.check_record("product", {"yearly_volume": volume})
    assert ("yearly_volume" not in errors) == contract_ok


def test_text_longer_than_the_contract_allows_is_refused_on_an_application():
    supplier = "x" * (elo_contract.NAME + 1)
    _, errors = validate_application({"name": "Loket", "supplier": supplier})
    assert "supplier" in errors
    _, errors = validate_agency({"name": "A", "contact_name": "y" * (elo_contract.NAME + 1)})
    assert "contact_name" in errors


def test_estimate_days_above_the_contract_ceiling_are_refused():
    values = {
        "scope_kind": "agency",
        "method": "three_point",
        "optimistic_days": "1",
        "likely_days": "2",
        "pessimistic_days": str(int(elo_contract.MAX_DAYS * 10)),
        "day_rate": "800",
        "budget_year": "2026",
        "recurrence": "one_off",
        "category": "internal",
    }
    _, errors = estimate.parse_line_form(values, {})
    assert "pessimistic_days" in errors


def test_a_day_rate_or_amount_above_the_contract_ceiling_is_refused_in_the_request_form():
    _, errors = cofinancing_request.parse_request_form(
        {"day_rate_internal": "1.000.000", "requested_2026": "2.000.000.000.000"}
    )
    assert "day_rate_internal" in errors and "requested_2026" in errors


def test_block_status_and_delay_texts_follow_the_contract():
    # MAX_EVIDENCE of the block form is stricter; the contract's URL length holds too.
    _, errors = validate_block_status(
        {"applicability": "required", "stage": "test", "evidence": "e" * 5000}
    )
    assert "evidence" in errors
    _, errors = validate_delay(
        {
            "scope_kind": "product",
            "scope_id": "p1",
            "subject": "sso",
            "delay_kind": "technical",
            "new_date": "2027-09-30",
            "reason": "leverancier",
            "note": "n" * (elo_contract.LONG_TEXT + 1),
        }
    )
    assert "note" in errors
