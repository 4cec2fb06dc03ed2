"""The completeness check: exactly what is missing, blocking or warning."""

from __future__ import annotations

import pytest

from elo_tui.domain import completeness
from elo_tui.domain.completeness import BLOCKING, WARNING, blocking, check
from elo_tui.domain.records import Agency, Application, BlockStatus, EstimateLine, Product

TYPE = "https://productencatalogus.data.vlaanderen.be/id/concept/Type/Toelating"


def complete_state():
    agency = Agency(
        name="Agentschap X",
        ovo_code="OVO000123",
        contact_name="An",
        contact_email="an@x.invalid",
        day_rate_internal=650.0,
        day_rate_supplier=900.0,
        own_budget={"2026": 50_000.0},
        requested_cofinancing={"2026": 5_000.0},
        justification="Waarom",
        cofinancing_statements={"no_extra_request": True, "savings_honoured": True},
    )
    app = Application(id="app", name="Loket")
    product = Product(
        id="p1",
        name="Vergunning A",
        ipdc_number="123",
        ipdc_type=TYPE,
        request_application_id="app",
        yearly_volume=1000,
    )
    statuses = [
        BlockStatus(
            scope_kind="application",
            scope_id="app",
            block="dosis",
            applicability="required",
            stage="analysis",
            target_date="2026-12-01",
        )
    ]
    lines = [
        EstimateLine(
            scope_kind="application",
            scope_id="app",
            block="dosis",
            optimistic_days=5.0,
            likely_days=10.0,
            pessimistic_days=20.0,
        )
    ]
    return agency, [app], [product], statuses, lines


def codes(issues, severity=None):
    return [i.code for i in issues if severity is None or i.severity == severity]


def test_a_complete_request_has_no_issues():
    assert check(*complete_state()) == []


def test_missing_contact_budget_type_and_application_block():
    agency, apps, products, statuses, lines = complete_state()
    agency.contact_name = ""
    agency.own_budget = {}
    products[0].ipdc_type = ""
    products[0].request_application_id = ""
    issues = check(agency, apps, products, statuses, lines)
    assert set(codes(issues, BLOCKING)) == {
        "contact_name",
        "own_budget",
        "product_type",
        "product_application",
    }
    by_code = {i.code: i for i in issues}
    assert (
        by_code["product_type"].message == "Product 'Vergunning A': geen producttype (IPDC-type)."
    )
    assert (
        by_code["product_type"].record_id == "p1" and by_code["product_type"].field == "ipdc_type"
    )
    assert issues[0].severity == BLOCKING  # blocking first


def test_required_block_without_estimate_or_stage_blocks():
    agency, apps, products, statuses, _lines = complete_state()
    statuses.append(
        BlockStatus(
            scope_kind="product", scope_id="p1", block="vms", applicability="required", stage=""
        )
    )
    issues = check(agency, apps, products, statuses, [])
    messages = [i.message for i in blocking(issues)]
    assert (
        "Bouwsteen Dossierstatusinformatiesysteem (DOSIS) bij toepassing 'Loket': vereist en "
        "nog niet in productie, maar zonder raming."
    ) in messages
    assert (
        "Bouwsteen Vlaams Mandatensysteem (VMS) bij product 'Vergunning A': vereist maar "
        "zonder fase." in messages
    )
    assert "no_lines" in codes(issues, BLOCKING)


def test_blocks_in_production_need_no_estimate():
    agency, apps, products, statuses, lines = complete_state()
    statuses[0].stage = "production"
    issues = check(agency, apps, products, statuses, lines)
    assert blocking(issues) == []
    assert codes(issues) == ["line_not_needed"]  # the line for a finished block is flagged


def test_not_applicable_needs_a_reason():
    agency, apps, products, statuses, lines = complete_state()
    statuses.append(
        BlockStatus(
            scope_kind="product", scope_id="p1", block="toelatingen", applicability="not_applicable"
        )
    )
    assert "reason" in codes(check(agency, apps, products, statuses, lines), BLOCKING)


def test_invalid_estimate_line_blocks_with_its_field_message():
    agency, apps, products, statuses, lines = complete_state()
    lines[0].likely_days = 30.0  # above pessimistic
    issues = blocking(check(agency, apps, products, statuses, lines))
    assert [i.field for i in issues] == ["pessimistic_days"]
    assert issues[0].message.startswith(
        "Ramingslijn 'Dossierstatusinformatiesysteem (DOSIS)' (toepassing 'Loket'):"
    )


def test_warnings_do_not_block():
    agency, apps, products, statuses, lines = complete_state()
    agency.justification = ""
    products[0].ipdc_number = ""
    products[0].yearly_volume = None
    statuses[0].target_date = ""
    lines[0].assumed = True
    agency.requested_cofinancing = {"2026": 2_000_000.0, "later": 10.0}
    issues = check(agency, apps, products, statuses, lines)
    assert blocking(issues) == []
    assert set(codes(issues, WARNING)) >= {
        "justification",
        "ipdc_number",
        "yearly_volume",
        "target_date",
        "assumed",
        "requested_capped",
        "requested_envelope",
        "requested_later",
    }


def test_undecided_blocks_are_counted_in_one_warning():
    agency, apps, products, statuses, lines = complete_state()
    statuses += [
        BlockStatus(scope_kind="product", scope_id="p1", block=b) for b in ("vms", "toelatingen")
    ]
    issue = next(i for i in check(agency, apps, products, statuses, lines) if i.code == "undecided")
    assert issue.message.startswith("2 bouwsteenstatussen nog 'te beslissen'")


def test_no_agency_and_no_products_block():
    issues = check(None, [], [], [], [])
    assert {"agency_missing", "no_products", "no_lines"} <= set(codes(issues, BLOCKING))


def test_request_form_reads_belgian_amounts_and_names_wrong_fields():
    from elo_tui.domain.cofinancing_request import parse_request_form

    out, errors = parse_request_form(
        {
            "contact_name": " An ",
            "contact_email": "an@x.invalid",
            "day_rate_internal": "650",
            "day_rate_supplier": "",
            "own_budget_2026": "150.000",
            "own_budget_later": "1.234,50",
            "requested_2026": "0",
            "justification": "Omdat",
        }
    )
    assert errors == {}
    assert out["contact_name"] == "An" and out["day_rate_supplier"] is None
    assert out["own_budget"] == {"2026": 150000.0, "later": 1234.5}
    assert out["requested_cofinancing"] == {"2026": 0.0}
    _, errors = parse_request_form(
        {"contact_email": "geen-mail", "day_rate_internal": "0", "requested_2027": "-1"}
    )
    assert set(errors) == {"contact_email", "day_rate_internal", "requested_2027"}


def test_the_blocks_lines_cost_are_the_set_of_their_keys():
    """`ScopeBlocks` (one bit per block per scope) answers what a set of the (scope kind,
    scope id, block) keys answers, for keys added in pages and any key asked."""
    import random

    from elo_tui.domain.completeness import ScopeBlocks

    rnd = random.Random(13)
    kinds, ids = ["product", "application", "agency"], [f"s{i}" for i in range(30)] + [""]
    blocks = ["acm_idm", "vms", "dosis", "", "onbekend", *(f"b{i}" for i in range(70))]
    keys = [(rnd.choice(kinds), rnd.choice(ids), rnd.choice(blocks)) for _ in range(600)]
    held, plain = ScopeBlocks(), set()
    for start in range(0, len(keys), 97):
        held.update(iter(keys[start : start + 97]))
        plain.update(keys[start : start + 97])
    asked = [(k, i, b) for k in [*kinds, "x"] for i in ids[:12] for b in [*blocks, "nieuw"]]
    assert [key in held for key in asked] == [key in plain for key in asked]
    assert sum(key in held for key in asked) > 100
    assert ("product", "s1") not in held and "product" not in held


def test_scope_names_are_the_names_by_kind_and_id():
    """`completeness.ScopeNames`: the mapping (kind, id) -> name the issues are worded
    from, one dict per kind instead of a tuple key per product."""
    apps = [Application(name="Loket"), Application(name="Portaal")]
    products = [Product(name="Premie"), Product(name="")]
    names = completeness.ScopeNames(apps, products)
    plain = {("application", a.id): a.name for a in apps}
    plain.update({("product", p.id): p.name for p in products})
    assert dict(names) == plain and len(names) == 4
    for key in [*plain, ("product", apps[0].id), ("agency", "x"), ("application", "")]:
        assert (key in names) == (key in plain)
        assert names.get(key) == plain.get(key) and names.get(key, "?") == plain.get(key, "?")
    assert names["product", products[1].id] == ""
    with pytest.raises(KeyError):
        names["application", products[0].id]
    assert "x" not in names and ("product",) not in names
