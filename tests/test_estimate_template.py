"""The cost template and the proposal of default lines."""

from __future__ import annotations

import pytest

from elo_tui.domain import estimate as E
from elo_tui.domain.estimate_template import propose, required_open
from elo_tui.domain.records import BlockStatus, EstimateLine, Product
from elo_tui.io.cost_template import CostTemplateError, load_cost_template, parse_cost_template
from elo_tui.services import estimate as service


@pytest.fixture(scope="module")
def template():
    return load_cost_template()


def status(scope_kind, scope_id, block, applicability="required", stage="not_started"):
    return BlockStatus(
        scope_kind=scope_kind,
        scope_id=scope_id,
        block=block,
        applicability=applicability,
        stage=stage,
    )


def test_default_template_covers_every_block_with_assumptions(template):
    assert {t.block for t in template.lines} == set(E.BLOCKS)
    for t in template.lines:
        assert t.optimistic_days <= t.likely_days <= t.pessimistic_days
        assert t.basis.startswith("Aanname")
    assert template.forms_tool is not None and template.low_volume_threshold == 500


def test_broken_template_names_file_and_key():
    data = {
        "line": [
            {
                "block": "acm_idm",
                "description": "x",
                "optimistic_days": 5,
                "likely_days": 2,
                "pessimistic_days": 9,
            },
            {
                "block": "nope",
                "description": "y",
                "optimistic_days": 1,
                "likely_days": "twee",
                "pessimistic_days": 3,
                "budget_year": "2031",
            },
        ]
    }
    with pytest.raises(CostTemplateError) as err:
        parse_cost_template(data, "costs/test.toml")
    text = str(err.value)
    assert "costs/test.toml: line[1]: optimistisch <= meest waarschijnlijk" in text
    assert "line[2].block: onbekende bouwsteen 'nope'" in text
    assert "line[2].likely_days" in text and "line[2].budget_year" in text


def test_missing_template_file_is_a_clear_message(tmp_path):
    with pytest.raises(CostTemplateError, match="niet gevonden"):
        load_cost_template(tmp_path / "none.toml")


def test_only_required_blocks_not_in_production_cost_something():
    statuses = [
        status("application", "a1", "dosis"),
        status("application", "a1", "acm_idm", stage="production"),
        status("product", "p1", "vms", applicability="not_applicable"),
        status("product", "p1", "toelatingen", applicability="undecided"),
    ]
    assert [s.block for s in required_open(statuses)] == ["dosis"]


def test_proposal_costs_application_blocks_once_per_application(template):
    statuses = [
        status("application", "a1", "dosis"),
        status("application", "a2", "dosis"),
        status("product", "p1", "vms"),
        status("product", "p2", "vms"),
        status("application", "a1", "global_header", stage="production"),
    ]
    new = propose(statuses, [], template, who="An", today="2026-02-01")
    keys = sorted((line.scope_kind, line.scope_id, line.block) for line in new)
    n_dosis = len(template.lines_for("dosis"))
    assert keys.count(("application", "a1", "dosis")) == n_dosis
    assert keys.count(("application", "a2", "dosis")) == n_dosis
    assert ("application", "a1", "global_header") not in keys
    assert keys.count(("product", "p1", "vms")) == 1
    assert all(line.assumed and line.day_rate is None for line in new)
    assert "door An op 2026-02-01" in new[0].basis


def test_proposal_is_idempotent_and_respects_existing_lines(template):
    statuses = [status("application", "a1", "dosis"), status("product", "p1", "vms")]
    own = EstimateLine(
        scope_kind="product",
        scope_id="p1",
        block="vms",
        description="Offerte",
        method="fixed",
        fixed_amount=4000.0,
    )
    first = propose(statuses, [own], template, who="An", today="2026-02-01")
    assert {line.block for line in first} == {"dosis"}
    assert propose(statuses, [own, *first], template, who="An", today="2026-02-02") == []


def test_products_via_the_forms_tool_get_the_move_line_once(template):
    statuses = [
        status("product", "p1", "vms", applicability="forms_tool"),
        status("product", "p1", "product_rights", applicability="forms_tool"),
    ]
    new = propose(statuses, [], template, who="An", today="2026-02-01")
    assert len(new) == 1 and new[0].description == template.forms_tool.description
    assert propose(statuses, new, template, who="An", today="2026-02-01") == []


def test_service_proposes_saves_and_does_not_duplicate(demo_ws, template):
    product = demo_ws.list(Product)[0]
    app_id = product.request_application_id
    demo_ws.save_many(
        [status("application", app_id, "acm_idm"), status("product", product.id, "product_rights")]
    )
    before = demo_ws.count(EstimateLine)
    new = service.propose_lines(demo_ws, template=template, today="2026-03-01")
    assert demo_ws.count(EstimateLine) == before + len(new) > before
    assert service.propose_lines(demo_ws, template=template) == []
    ov = service.overview(demo_ws, template=template)
    assert ov.summary.total.mean > 0
    assert ov.forms_tool_cost == pytest.approx(E.pert_mean(3, 5, 10) * 650.0)


def test_saving_a_line_from_the_form_confirms_it(demo_ws):
    errors = service.save_line(
        demo_ws,
        {
            "method": "three_point",
            "optimistic_days": "5",
            "likely_days": "3",
            "pessimistic_days": "8",
            "budget_year": "2026",
            "recurrence": "one_off",
            "category": "internal",
        },
    )
    assert set(errors) == {"likely_days"}
    line = service.save_line(
        demo_ws,
        {
            "method": "fixed",
            "fixed_amount": "12.000",
            "budget_year": "2027",
            "recurrence": "recurring",
            "category": "licence",
            "description": "Licentie",
        },
    )
    assert isinstance(line, EstimateLine) and line.fixed_amount == 12000.0 and not line.assumed
    assert demo_ws.get(EstimateLine, line.id).fixed_amount == 12000.0
