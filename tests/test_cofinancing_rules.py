"""Co-financing rules of VR 2025 1212 DOC.1191/1BIS: one test per rule, pinned to its source
(beslissing 6° and "3. Bestuurlijke impact, A. Budgettaire impact" of the nota)."""

from __future__ import annotations

import openpyxl
import pytest

from elo_tui.app import EloApp
from elo_tui.domain import cofinancing as cof
from elo_tui.domain import estimate as E
from elo_tui.domain import submission as sub
from elo_tui.domain.completeness import BLOCKING, WARNING, check
from elo_tui.domain.records import Agency, Application, EstimateLine, Product
from elo_tui.io import export_markdown
from elo_tui.services import submission as service

STATED_ALL = {"no_extra_request": True, "savings_honoured": True}


def fixed(amount, *, year="2026", category="supplier", recurrence="one_off", **kw):
    kw.setdefault("scope_kind", "application")
    kw.setdefault("scope_id", "app")
    kw.setdefault("block", "dosis")
    return EstimateLine(
        method="fixed",
        fixed_amount=amount,
        budget_year=year,
        category=category,
        recurrence=recurrence,
        **kw,
    )


def rows_by_year(summary):
    return {r.year: r for r in summary.cofinancing}


# -- envelope (beslissing 6° and the budget section) -----------------------------------------


def test_envelope_is_read_as_one_million_per_year_for_2026_and_2027():
    # Beslissing 6°: "maximaal 1.000 kEUR voor het jaar 2026 en 2027"; budget section:
    # "respectievelijk €1.000.000 voor 2026 en 2027" -> read as 1,000,000 in each year.
    assert "1.000 kEUR voor het jaar 2026 en 2027" in cof.QUOTE_DECISION_6
    assert "respectievelijk €1.000.000 voor 2026 en 2027" in cof.QUOTE_BUDGET_FIO
    assert cof.FIRM_ENVELOPE == {"2026": 1_000_000.0, "2027": 1_000_000.0, "later": 0.0}
    assert E.ENVELOPE is cof.FIRM_ENVELOPE
    assert cof.ENVELOPE_READING.startswith("Lezing toegepast")
    rows = rows_by_year(E.summarize([fixed(10.0)], [], Agency()))
    assert (rows["2026"].envelope, rows["2027"].envelope, rows["later"].envelope) == (
        1_000_000,
        1_000_000,
        0,
    )


def test_vrd3_line_is_under_reservation_not_in_the_firm_envelope():
    # "De nota aan de Vlaamse Regering voor het VRD 3 projectenportfolio 2026 ligt momenteel
    # voor bij Inspectie van Financiën ter goedkeuring."
    (vrd3,) = [e for e in cof.ENVELOPE_LINES if not e.firm]
    assert (vrd3.year, vrd3.amount, vrd3.status) == ("2026", 325_000.0, "onder voorbehoud")
    assert "SCA-ASJA2NA-WT" in vrd3.article and "ASJ033" in vrd3.article
    assert "ter goedkeuring" in vrd3.quote
    assert sum(e.amount for e in cof.ENVELOPE_LINES if e.firm and e.year == "2026") == 1_000_000
    row = rows_by_year(E.summarize([], [], Agency()))["2026"]
    assert (row.envelope, row.reserved) == (1_000_000, 325_000)


def test_request_above_the_firm_envelope_warns_with_the_firm_amount():
    agency = Agency(requested_cofinancing={"2026": 1_100_000.0})
    summary = E.summarize([fixed(2_000_000.0)], [], agency)
    issues = check(agency, [], [], [], [fixed(2_000_000.0)], summary)
    (envelope,) = [i for i in issues if i.code == "requested_envelope"]
    assert "€ 1.000.000" in envelope.message


def test_exports_name_the_budget_articles_and_both_quotes(demo_ws, tmp_path):
    document = service.concept_source(demo_ws).document
    text = export_markdown.render(document)
    for needle in (
        "TCH-ATCASCA-WT",
        "SCA-ASJA2NA-WT",
        "ASJ033",
        cof.QUOTE_DECISION_6,
        "respectievelijk €1.000.000 voor 2026 en 2027",
        "onder voorbehoud",
        "Lezing toegepast",
    ):
        assert needle in text, needle
    section = document["cofinancing"]
    assert [a["article"].split(" ")[0] for a in section["budget_articles"]] == [
        "TCH-ATCASCA-WT",
        "SCA-ASJA2NA-WT,",
    ]
    assert [q["reference"] for q in section["envelope"]["quotes"]] == [
        "VR 2025 1212 DOC.1191/1BIS, beslissing 6°",
        "VR 2025 1212 DOC.1191/1BIS, 3. Bestuurlijke impact, A. Budgettaire impact",
    ]
    path = tmp_path / "x.xlsx"
    from elo_tui.io.export_xlsx import write

    write(document, path)
    sheet = openpyxl.load_workbook(path)["Cofinanciering"]
    cells = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None}
    assert any("TCH-ATCASCA-WT" in c for c in cells)
    assert any("ASJ033" in c for c in cells)
    assert "onder voorbehoud (niet in de vaste enveloppe)" in cells


# -- eligible costs ("in de integratiekosten met de bouwstenen") --------------------------------


def test_licences_and_recurring_costs_default_to_not_eligible_as_an_assumption():
    licence = fixed(1000.0, category="licence")
    recurring = fixed(1000.0, recurrence="recurring")
    management = EstimateLine(scope_kind="agency", block="", category="internal")
    integration = fixed(1000.0)
    forms_tool_move = EstimateLine(scope_kind="product", scope_id="p", block="")
    assert [cof.is_eligible(x) for x in (licence, recurring, management)] == [False] * 3
    assert cof.is_eligible(integration) and cof.is_eligible(forms_tool_move)
    assert cof.eligibility_label(licence) == "nee (aanname: licentie)"
    assert cof.eligibility_label(integration).startswith("ja (aanname:")
    assert cof.ELIGIBILITY_ASSUMPTION.startswith("AANNAME")
    assert "samenwerkingsovereenkomst" in cof.ELIGIBILITY_ASSUMPTION


def test_an_explicit_eligibility_choice_overrides_the_default_rule():
    licence = fixed(1000.0, category="licence", eligible=True)
    integration = fixed(1000.0, eligible=False)
    assert cof.is_eligible(licence) and not cof.is_eligible(integration)
    assert (cof.eligibility_label(licence), cof.eligibility_label(integration)) == ("ja", "nee")


def test_requests_are_computed_on_eligible_costs_only():
    agency = Agency(requested_cofinancing={"2026": 50_000.0, "2027": 1_000.0})
    lines = [
        fixed(10_000.0),  # integration: eligible
        fixed(5_000.0, category="licence"),  # not eligible
        fixed(4_000.0, year="2027", recurrence="recurring"),  # not eligible
    ]
    summary = E.summarize(lines, [], agency)
    rows = rows_by_year(summary)
    assert (rows["2026"].cost, rows["2026"].eligible_cost) == (15_000, 10_000)
    assert rows["2026"].requested == 10_000 and rows["2026"].cap == E.CAP_ELIGIBLE
    assert rows["2026"].own_contribution == 5_000
    # 2027 has no eligible cost at all: nothing can be requested, and the screen says why.
    assert (rows["2027"].requested, rows["2027"].cap) == (0, E.CAP_ELIGIBLE)
    assert "in aanmerking komen" in E.CAP_LABELS[E.CAP_ELIGIBLE]
    assert (summary.eligible_total, summary.not_eligible_total) == (10_000, 9_000)
    capped = next(
        i for i in check(agency, [], [], [], lines, summary) if i.code == "requested_capped"
    )
    assert "kosten die in aanmerking komen (P50 € 10.000)" in capped.message


def test_a_request_below_the_eligible_cost_is_not_capped():
    agency = Agency(requested_cofinancing={"2026": 3_000.0})
    row = rows_by_year(E.summarize([fixed(10_000.0)], [], agency))["2026"]
    assert (row.requested, row.cap) == (3_000, "")


def test_later_gets_no_cofinancing_and_says_why():
    agency = Agency(requested_cofinancing={"later": 3_000.0})
    row = rows_by_year(E.summarize([fixed(10_000.0, year="later")], [], agency))["later"]
    assert (row.requested, row.cap) == (0, E.CAP_NO_COFINANCING)


def test_snapshot_lines_carry_eligibility_and_whether_the_default_rule_decided(demo_ws):
    content = service.build_content(demo_ws, version=0, author="t", created_at="2026-01-01")
    lines = content["estimate"]["lines"]
    assert {(x["eligible"], x["eligible_default"]) for x in lines} >= {
        (True, True),
        (False, True),
        (True, False),
        (False, False),
    }
    e = content["estimate"]
    assert e["eligible_total"] + e["not_eligible_total"] == pytest.approx(e["mean"], abs=0.05)


# -- excluded applications ("in onderling overleg buiten beschouwing gelaten") ------------------


def test_excluded_application_is_left_out_of_cost_totals():
    apps = [
        Application(id="app", name="Loket"),
        Application(
            id="mest",
            name="Mestbankloket",
            excluded=True,
            exclusion_reason="complexiteit en haalbaarheid binnen de timing",
        ),
    ]
    products = [Product(id="p", name="Mestaangifte", request_application_id="mest")]
    lines = [
        fixed(10_000.0),
        fixed(3_325_000.0, scope_id="mest"),
        fixed(500.0, scope_kind="product", scope_id="p", block="vms"),
    ]
    agency = Agency(requested_cofinancing={"2026": 900_000.0})
    summary = E.summarize(lines, products, agency, applications=apps)
    assert summary.total.p50 == 10_000 and summary.total.mean == 10_000
    assert rows_by_year(summary)["2026"].requested == 10_000
    assert summary.excluded_by_application == {"mest": 3_325_500.0}
    assert summary.excluded_lines_by_application == {"mest": 2}
    assert "mest" not in summary.by_application
    assert len(summary.excluded) == 2 and len(summary.costs) == 1
    section = sub.cofinancing_section(
        summary, agency, apps, information_delivered=True, bvco_threshold=None
    )
    (left_out,) = section["excluded_applications"]
    assert left_out["name"] == "Mestbankloket" and left_out["mean"] == 3_325_500.0
    assert left_out["reason"].startswith("complexiteit")
    assert "buiten beschouwing gelaten" in section["excluded_quote"]


def test_excluded_application_needs_no_estimate_for_its_blocks():
    agency, apps, products, statuses, lines = _complete()
    lines.clear()
    lines.append(fixed(100.0, scope_kind="agency", scope_id="", block=""))
    assert "estimate_missing" in [i.code for i in check(agency, apps, products, statuses, lines)]
    apps[0].excluded = True
    assert "estimate_missing" not in [
        i.code for i in check(agency, apps, products, statuses, lines)
    ]


def test_excluded_applications_products_are_not_forms_tool_candidates():
    apps = [Application(id="mest", name="M", excluded=True)]
    products = [Product(id="p", name="P", request_application_id="mest", yearly_volume=10)]
    summary = E.summarize([], products, None, applications=apps)
    assert E.forms_tool_comparison(products, apps, summary, 100.0) == []


# -- conditions as statements (beslissing 6°) ---------------------------------------------------


def _complete():
    from test_submission_completeness import complete_state

    return complete_state()


def test_missing_statement_blocks_a_request_for_cofinancing():
    agency, apps, products, statuses, lines = _complete()
    agency.cofinancing_statements = {"no_extra_request": True}
    issues = check(agency, apps, products, statuses, lines)
    (missing,) = [i for i in issues if i.code == "statement_missing"]
    assert missing.severity == BLOCKING and missing.field == "cofinancing_statements"
    assert "besparingsmaatregelen" in missing.message and "beslissing 6°" in missing.message
    # Without a request for co-financing the conditions do not apply.
    agency.requested_cofinancing = {}
    assert "statement_missing" not in [
        i.code for i in check(agency, apps, products, statuses, lines)
    ]


def test_information_delivered_is_the_completeness_check_passing(demo_ws):
    content = service.build_content(demo_ws, version=0, author="t", created_at="2026-01-01")
    derived = next(s for s in content["cofinancing"]["statements"] if s["derived"])
    assert derived["key"] == "information_delivered" and derived["stated"] is True
    agency = demo_ws.agency()
    agency.contact_name = ""
    demo_ws.save(agency)
    content = service.build_content(demo_ws, version=0, author="t", created_at="2026-01-01")
    derived = next(s for s in content["cofinancing"]["statements"] if s["derived"])
    assert derived["stated"] is False


def test_statements_carry_the_quote_of_the_decision():
    quotes = {s.key: s.quote for s in cof.STATEMENTS}
    assert "geen meervragen worden ingediend" in quotes["no_extra_request"]
    assert "ook in meerjarig perspectief" in quotes["no_extra_request"]
    assert "regeringsformatie 2024-2029 en bij BO 2026" in quotes["savings_honoured"]
    assert "noodzakelijke informatie hebben bezorgd" in quotes["information_delivered"]


# -- intervention threshold (BVCO) -----------------------------------------------------------------


def test_unknown_bvco_threshold_is_shown_as_unknown(demo_ws):
    assert service.bvco_threshold(demo_ws) is None  # the demo leaves it unknown
    content = service.build_content(demo_ws, version=0, author="t", created_at="2026-01-01")
    t = content["cofinancing"]["bvco_threshold"]
    assert t["known"] is False and t["shown_as"] == "onbekend" and "exceeded" not in t
    assert "Interventiedrempel BVCO:** onbekend" in export_markdown.render(content)


def test_submission_flags_a_request_above_the_bvco_threshold(demo_ws):
    values = {
        **__import__("elo_tui.domain.cofinancing_request", fromlist=["x"]).form_values(
            demo_ws.agency()
        ),
        "bvco_threshold": "100.000",
    }
    assert not isinstance(service.save_request(demo_ws, values), dict)
    assert service.bvco_threshold(demo_ws) == 100_000
    issues = service.check(demo_ws)
    (flag,) = [i for i in issues if i.code == "bvco_threshold"]
    assert flag.severity == WARNING
    assert "wordt voorgelegd aan de Inspectie van Financiën (BVCO)" in flag.message
    content = service.build_content(demo_ws, version=0, author="t", created_at="2026-01-01")
    t = content["cofinancing"]["bvco_threshold"]
    assert (t["value"], t["exceeded"]) == (100_000, True)
    assert t["flag"] == "wordt voorgelegd aan de Inspectie van Financiën (BVCO)"


def test_bad_bvco_threshold_gets_a_dutch_message_and_saves_nothing(demo_ws):
    from elo_tui.domain.cofinancing_request import form_values

    before = demo_ws.agency().contact_phone
    values = {**form_values(demo_ws.agency()), "bvco_threshold": "veel", "contact_phone": "1"}
    errors = service.save_request(demo_ws, values)
    assert "Interventiedrempel BVCO" in errors["bvco_threshold"]
    assert demo_ws.agency().contact_phone == before
    values["bvco_threshold"] = "-5"
    assert "groter dan 0" in service.save_request(demo_ws, values)["bvco_threshold"]


# -- forms tool threshold: an assumption ----------------------------------------------------------


def test_forms_tool_threshold_is_labelled_as_an_assumption_everywhere(demo_ws):
    document = service.concept_source(demo_ws).document
    assert document["estimate"]["forms_tool"]["threshold_assumption"].startswith("AANNAME")
    assert document["cofinancing"]["forms_tool_threshold"]["assumption"].startswith("AANNAME")
    text = export_markdown.render(document)
    assert "aanvragen per jaar (aanname)" in text and "AANNAME: de drempel van 500" in text


# -- figures of the nota ---------------------------------------------------------------------------


def test_figures_of_the_nota_are_pinned():
    # "Begin september 2025 waren 1202 producten en diensten aan te vragen en/of op te volgen,
    # waarvan 119 van Vlaamse agentschappen en departementen. Van deze producten en diensten
    # maken 67 gebruik van de Vlaamse bouwstenen"; "€ 6.907.000"; "€ 3.582.000"; "€ 325.000".
    assert cof.NOTA_FIGURES == {
        "products_on_elo_sept_2025": 1202,
        "of_flemish_entities": 119,
        "of_those_on_the_blocks": 67,
        "estimate_all_agencies": 6_907_000.0,
        "estimate_without_mestbankloket": 3_582_000.0,
        "vrd3_2026": 325_000.0,
    }
    (vrd3,) = [e for e in cof.ENVELOPE_LINES if not e.firm]
    assert vrd3.amount == cof.NOTA_FIGURES["vrd3_2026"]


# -- the diff between versions names the new fields ----------------------------------------


def test_diff_names_eligibility_and_statements(demo_ws):
    old = service.build_content(demo_ws, version=1, author="t", created_at="2026-01-01")
    agency = demo_ws.agency()
    agency.cofinancing_statements = {"no_extra_request": True, "savings_honoured": False}
    demo_ws.save(agency)
    line = next(x for x in demo_ws.list(EstimateLine) if x.eligible is None)
    line.eligible = False
    demo_ws.save(line)
    new = service.build_content(demo_ws, version=2, author="t", created_at="2026-01-02")
    text = "\n".join(sub.diff(old, new))
    assert "besparingsmaatregelen gehonoreerd: nee" in text
    assert "komt in aanmerking voor cofinanciering standaardregel (aanname) → nee" in text


# -- Pilot: the forms ---------------------------------------------------------------------


async def _ready(pilot, app):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_eligible_field_in_the_line_form_is_saved_and_shown(demo_ws, settings):
    from elo_tui.screens.costs import EstimateLineForm, cell
    from elo_tui.widgets.virtual_table import VirtualTable

    app = EloApp(settings, demo_ws, start_mode="costs")
    async with app.run_test(size=(170, 50)) as pilot:
        await _ready(pilot, app)
        table = app.screen.query_one("#lines", VirtualTable)
        table.focus()
        index = next(
            i
            for i, r in enumerate(table.rows)
            if r.line.eligible is None and cof.is_eligible(r.line)
        )
        table.cursor_row = index
        line_id = table.current.line.id
        assert str(cell(table.current, "eligible")) == "ja*"
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, EstimateLineForm)
        assert form.query_one("#f-eligible").value == "default"
        form.query_one("#f-eligible").value = "no"
        await pilot.press("f2")
        await _ready(pilot, app)
        assert demo_ws.get(EstimateLine, line_id).eligible is False
        table = app.screen.query_one("#lines", VirtualTable)
        row = next(r for r in table.rows if r.line.id == line_id)
        assert cell(row, "eligible") == "nee"
        totals = str(app.screen.query_one("#costs-totals").render())
        assert "In aanmerking" in totals and "AANNAME" in totals


async def test_statements_and_threshold_in_the_request_form(demo_ws, settings):
    from elo_tui.screens.request_form import RequestForm
    from elo_tui.screens.submission import SubmissionScreen

    agency = demo_ws.agency()
    agency.cofinancing_statements = {}
    demo_ws.save(agency)
    app = EloApp(settings, demo_ws, start_mode="submission")
    async with app.run_test(size=(160, 50)) as pilot:
        await _ready(pilot, app)
        status = str(app.screen.query_one("#sub-status").render())
        assert "2 blokkerend" in status and "Interventiedrempel BVCO: onbekend" in status
        await pilot.press("g")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RequestForm)
        envelope = str(form.query_one("#request-envelope").render())
        assert "Lezing toegepast" in envelope and "Onder voorbehoud" in envelope
        assert "volledigheidscontrole" in str(form.query_one("#request-derived-statement").render())
        form.query_one("#f-statement_no_extra_request").value = "yes"
        form.query_one("#f-statement_savings_honoured").value = "yes"
        form.query_one("#f-bvco_threshold").value = "duizend"
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is form
        assert "Interventiedrempel BVCO" in str(form.query_one("#e-bvco_threshold").render())
        form.query_one("#f-bvco_threshold").value = "150.000"
        await pilot.press("f2")
        await _ready(pilot, app)
        assert isinstance(app.screen, SubmissionScreen)
        assert demo_ws.agency().cofinancing_statements == STATED_ALL
        assert service.bvco_threshold(demo_ws) == 150_000
        status = str(app.screen.query_one("#sub-status").render())
        assert "Klaar om in te dienen" in status
        assert "wordt voorgelegd aan de Inspectie van Financiën (BVCO)" in status


def test_toml_and_json_exports_carry_the_cofinancing_section_and_verify(demo_ws, tmp_path):
    import json
    import tomllib

    from elo_tui.domain.cofinancing_request import form_values
    from elo_tui.io import export_toml

    app = demo_ws.list(Application)[0]
    app.excluded, app.exclusion_reason = True, "in onderling overleg [VLM]"
    demo_ws.save(app)
    service.save_request(demo_ws, {**form_values(demo_ws.agency()), "bvco_threshold": "10"})
    source = service.concept_source(demo_ws)
    files = source.export("all", tmp_path)
    by_suffix = {p.suffix: p for p in files}
    from_toml = tomllib.loads(by_suffix[".toml"].read_text(encoding="utf-8"))
    from_json = json.loads(by_suffix[".json"].read_text(encoding="utf-8"))
    assert from_toml == from_json
    c = from_toml["cofinancing"]
    assert c["bvco_threshold"]["exceeded"] is True
    reasons = {x["name"]: x["reason"] for x in c["excluded_applications"]}
    assert reasons[app.name] == "in onderling overleg [VLM]"
    assert [s["key"] for s in c["statements"]] == [
        "information_delivered",
        "no_extra_request",
        "savings_honoured",
    ]
    service.verify_document(export_toml.loads(by_suffix[".toml"].read_text(encoding="utf-8")))
    # Excluded lines are listed, marked, and left out of the totals.
    lines = from_json["estimate"]["lines"]
    excluded = [x for x in lines if x.get("excluded")]
    # (the demo already leaves one application out; this test leaves out a second)
    assert len(c["excluded_applications"]) == 2
    assert excluded and sum(x["mean"] for x in excluded) == pytest.approx(
        sum(x["mean"] for x in c["excluded_applications"]), abs=0.05 * len(excluded)
    )
    counted = sum(x["mean"] for x in lines if not x.get("excluded") and x["valid"])
    assert counted == pytest.approx(from_json["estimate"]["mean"], abs=1.0)
