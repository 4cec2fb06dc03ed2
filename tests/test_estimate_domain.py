"""The cost maths of domain/estimate.py against hand-computed values."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest

from elo_tui.domain import estimate as E
from elo_tui.domain.records import Agency, Application, EstimateLine, Product

AGENCY = Agency(day_rate_internal=650.0, day_rate_supplier=900.0)
RATES = E.Rates.of(AGENCY)


def tp(
    o,
    m,
    p,
    *,
    year="2026",
    block="dosis",
    scope_kind="application",
    scope_id="app1",
    category="internal",
    rate=None,
    recurrence="one_off",
    id=None,
) -> EstimateLine:
    kw = {"id": id} if id else {}
    return EstimateLine(
        scope_kind=scope_kind,
        scope_id=scope_id,
        block=block,
        optimistic_days=o,
        likely_days=m,
        pessimistic_days=p,
        day_rate=rate,
        budget_year=year,
        category=category,
        recurrence=recurrence,
        **kw,
    )


def fixed(
    amount,
    *,
    year="2026",
    block="",
    category="licence",
    scope_kind="agency",
    scope_id="",
    recurrence="one_off",
) -> EstimateLine:
    return EstimateLine(
        method="fixed",
        fixed_amount=amount,
        budget_year=year,
        block=block,
        category=category,
        scope_kind=scope_kind,
        scope_id=scope_id,
        recurrence=recurrence,
    )


# -- PERT per line ------------------------------------------------------------------------------


def test_pert_mean_and_sd_match_the_textbook_formulas():
    # (2 + 4*4 + 9) / 6 = 27/6 = 4.5 ; (9 - 2) / 6 = 1.1666...
    assert E.pert_mean(2, 4, 9) == pytest.approx(4.5)
    assert E.pert_sd(2, 4, 9) == pytest.approx(7 / 6)


def test_three_point_line_costs_days_times_rate():
    c = E.cost_line(tp(2, 4, 9, rate=800.0), RATES)
    assert c.valid
    assert (c.low, c.likely, c.high) == (1600.0, 3200.0, 7200.0)
    assert c.mean == pytest.approx(4.5 * 800)  # 3,600
    assert c.sd == pytest.approx(7 / 6 * 800)  # 933.33


def test_line_without_rate_uses_the_agency_rate_of_its_category():
    assert E.cost_line(tp(1, 1, 1), RATES).mean == pytest.approx(650.0)
    assert E.cost_line(tp(1, 1, 1, category="supplier"), RATES).mean == pytest.approx(900.0)


def test_pert_beta_variance_for_lambda_four():
    # a = 1 + 4*2/7, b = 1 + 4*5/7 ; var = ab / ((a+b)^2 (a+b+1)) * 7^2 with a + b = 6
    a, b = 1 + 8 / 7, 1 + 20 / 7
    assert E.pert_beta_variance(2, 4, 9) == pytest.approx(a * b / (36 * 7) * 49)


def test_fixed_line_costs_its_amount_without_spread():
    c = E.cost_line(fixed(12_500.0), RATES)
    assert (c.mean, c.sd, c.low, c.high) == (12_500.0, 0.0, 12_500.0, 12_500.0)


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (tp(5, 4, 9), "likely_days"),  # O > M
        (tp(2, 10, 9), "pessimistic_days"),  # M > P
        (tp(-1, 4, 9), "optimistic_days"),
        (tp(2, None, 9), "likely_days"),
        (tp(2, 4, 9, category="licence"), "day_rate"),  # no rate for licences
        (tp(2, 4, 9, rate=0.0), "day_rate"),
        (fixed(None), "fixed_amount"),
        (fixed(-5.0), "fixed_amount"),
        (tp(1, 2, 3, year="2030"), "budget_year"),
    ],
)
def test_invalid_lines_name_the_field_in_dutch(line, field):
    problems = E.line_problems(line, RATES)
    assert field in problems
    assert problems[field][0].isupper()
    assert not E.cost_line(line, RATES).valid


def test_missing_rate_everywhere_is_reported():
    problems = E.line_problems(tp(1, 2, 3), E.Rates())
    assert "Dagtarief is verplicht" in problems["day_rate"]


# -- percentiles and beta tables ------------------------------------------------------------------


def test_percentile_interpolates_linearly_between_order_statistics():
    assert E.percentile([1, 2, 3, 4, 5], 0.5) == 3
    assert E.percentile([1, 2, 3, 4, 5], 0.8) == pytest.approx(4.2)  # h = 4*0.8 = 3.2
    assert E.percentile([0, 10], 0.25) == pytest.approx(2.5)
    assert E.percentile([7], 0.8) == 7
    with pytest.raises(ValueError):
        E.percentile([], 0.5)


def test_beta_table_matches_closed_form_quantiles():
    # Beta(1, 5): F(x) = 1 - (1 - x)^5, so Q(p) = 1 - (1 - p)^(1/5)
    q = E.beta_quantiles(1.0, 5.0)
    for k in (0, 100, 511, 900, 1023):
        p = (k + 0.5) / E.QUANTILES
        assert q[k] == pytest.approx(1 - (1 - p) ** 0.2, abs=1e-5)
    # Beta(2, 2): F(x) = 3x^2 - 2x^3 ; symmetric around 0.5
    q = E.beta_quantiles(2.0, 2.0)
    for k in (50, 700):
        x = q[k]
        assert 3 * x**2 - 2 * x**3 == pytest.approx((k + 0.5) / E.QUANTILES, abs=1e-5)
    assert q[511] + q[512] == pytest.approx(1.0, abs=1e-9)


def test_beta_table_agrees_with_betavariate_samples():
    a, b = E.pert_beta_shape(2, 4, 9)
    table = E.beta_quantiles(a, b)
    rng = random.Random(1)
    sample = sorted(rng.betavariate(a, b) for _ in range(20_000))
    for q in (0.1, 0.5, 0.8, 0.9):
        assert E.percentile(table, q) == pytest.approx(E.percentile(sample, q), abs=0.01)


# -- the simulation --------------------------------------------------------------------------------


def test_single_symmetric_line_simulates_to_the_beta_percentiles():
    # O=0, M=5, P=10 days at 100 EUR: PERT-beta is 1000 * Beta(3, 3).
    # Median 500; P80 solves 10x^3 - 15x^4 + 6x^5 = 0.8 -> x = 0.67340 -> 673.40 EUR.
    sim = E.simulate([E.cost_line(tp(0, 5, 10, rate=100.0), RATES)])
    assert sim.total.mean == pytest.approx(500.0)
    assert sim.total.p50 == pytest.approx(500.0, abs=5)
    assert sim.total.p80 == pytest.approx(673.40, abs=5)
    assert sim.total.contingency == pytest.approx(173.4, abs=8)


def test_same_seed_same_answer_whatever_the_line_order():
    lines = [
        tp(i % 4, 4 + i % 3, 10 + i, id=f"line-{i:03d}", year=E.YEARS[i % 3]) for i in range(60)
    ]
    costs = [E.cost_line(line, RATES) for line in lines]
    first = E.simulate(costs, seed=7)
    again = E.simulate(list(reversed(costs)), seed=7)
    assert first == again
    assert E.simulate(costs, seed=8).total.p80 != first.total.p80


def test_fixed_amounts_only_give_exact_percentiles():
    sim = E.simulate([E.cost_line(fixed(1000.0), RATES), E.cost_line(fixed(250.4), RATES)])
    assert (sim.total.p50, sim.total.p80, sim.total.contingency) == (1250.0, 1250.0, 0.0)


def test_many_identical_lines_approach_the_normal_percentiles():
    # 400 lines of (2, 4, 9) days at 650: mean 400*2925; sd = sqrt(400 * var_beta) * 650.
    costs = [E.cost_line(tp(2, 4, 9, id=f"l{i:04d}"), RATES) for i in range(400)]
    sim = E.simulate(costs)
    mean = 400 * 4.5 * 650
    sd = (400 * E.pert_beta_variance(2, 4, 9)) ** 0.5 * 650
    assert sim.total.mean == pytest.approx(mean)
    assert sim.total.p50 == pytest.approx(mean, abs=0.05 * sd)
    assert sim.total.p80 == pytest.approx(mean + 0.8416 * sd, abs=0.05 * sd)
    assert sim.exact_lines == E.EXACT_LINES and sim.pooled_lines == 400 - E.EXACT_LINES


def test_pooled_remainder_agrees_with_sampling_every_line():
    costs = [
        E.cost_line(tp(1 + i % 3, 3 + i % 5, 12 + i % 7, id=f"l{i:03d}"), RATES) for i in range(120)
    ]
    pooled = E.simulate(costs)
    exact = E.simulate(costs, exact_lines=10_000)
    assert exact.pooled_lines == 0
    assert pooled.total.p50 == pytest.approx(exact.total.p50, rel=0.003)
    assert pooled.total.p80 == pytest.approx(exact.total.p80, rel=0.003)


def test_invalid_lines_are_left_out_of_the_totals():
    s = E.summarize([tp(1, 1, 1), tp(3, 2, 1)], [], AGENCY)
    assert s.total.mean == pytest.approx(650.0)
    assert len(s.invalid) == 1


# -- totals ---------------------------------------------------------------------------------------


def test_totals_per_year_block_application_and_category():
    products = [
        Product(id="p1", request_application_id="app1"),
        Product(id="p2", followup_application_id="app2"),
    ]
    lines = [
        tp(1, 1, 1, block="dosis", scope_id="app1", year="2026"),  # 650
        tp(2, 2, 2, block="acm_idm", scope_id="app2", year="2027", category="supplier"),  # 1800
        tp(1, 1, 1, block="vms", scope_kind="product", scope_id="p1", year="2026"),  # 650
        tp(
            1,
            1,
            1,
            block="vms",
            scope_kind="product",
            scope_id="p2",
            year="later",
            recurrence="recurring",
        ),  # 650
        fixed(500.0, year="2027"),  # agency-wide licence
    ]
    s = E.summarize(lines, products, AGENCY)
    assert s.total.mean == pytest.approx(4250.0)
    assert s.total.p50 == pytest.approx(4250.0) and s.total.p80 == pytest.approx(4250.0)
    assert {y: v.mean for y, v in s.by_year.items()} == {
        "2026": 1300.0,
        "2027": 2300.0,
        "later": 650.0,
    }
    assert s.recurring_by_year["later"] == 650.0 and s.one_off_by_year["later"] == 0.0
    assert s.by_block == {"acm_idm": 1800.0, "dosis": 650.0, "vms": 1300.0, "": 500.0}
    assert list(s.by_block)[:2] == ["acm_idm", "dosis"]  # catalogue order
    assert s.by_application == {"": 500.0, "app1": 1300.0, "app2": 2450.0}
    assert s.by_category == {"internal": 1950.0, "supplier": 1800.0, "licence": 500.0}


def test_requested_cofinancing_is_capped_at_the_cost_of_the_year():
    agency = Agency(
        day_rate_internal=1000.0,
        own_budget={"2026": 1000.0},
        requested_cofinancing={"2026": 10_000.0, "2027": 500.0, "later": 900.0},
    )
    lines = [tp(4, 4, 4, year="2026"), tp(3, 3, 3, year="2027"), tp(2, 2, 2, year="later")]
    rows = {r.year: r for r in E.summarize(lines, [], agency).cofinancing}
    assert (rows["2026"].cost, rows["2026"].requested, rows["2026"].own_contribution) == (
        4000,
        4000,
        0,
    )
    assert (rows["2027"].requested, rows["2027"].own_contribution) == (500, 2500)
    assert rows["2027"].shortfall == 2500  # no own budget for 2027
    assert (rows["later"].requested, rows["later"].own_contribution) == (0, 2000)  # no envelope
    # The firm envelope (the reading of beslissing 6°); VRD 3's 325,000 is "onder voorbehoud".
    assert rows["2026"].envelope == 1_000_000 and rows["2027"].envelope == 1_000_000
    assert rows["2026"].reserved == 325_000 and rows["2027"].reserved == 0


def test_application_cost_is_shared_evenly_across_its_products():
    products = [Product(id=f"p{i}", request_application_id="app1") for i in range(3)]
    products.append(Product(id="p3", request_application_id="app1", followup_application_id="app2"))
    lines = [
        tp(4, 4, 4, scope_id="app1", rate=750.0),  # 3000 over 4 products
        tp(1, 1, 1, scope_id="app2", rate=100.0),  # 100 for p3 only
        tp(1, 1, 1, block="vms", scope_kind="product", scope_id="p0", rate=100.0),
    ]
    shares = E.product_shares(products, E.summarize(lines, products, AGENCY))
    assert shares["p0"].own == 100 and shares["p0"].shared == 750
    assert shares["p3"].shared == 850 and shares["p3"].total == 850
    assert sum(s.total for s in shares.values()) == pytest.approx(3200)


def test_forms_tool_comparison_lists_low_volume_products_not_yet_on_the_tool():
    apps = [Application(id="own"), Application(id="tool", kind="forms_tool")]
    products = [
        Product(id="small", name="Klein", request_application_id="own", yearly_volume=40),
        Product(id="mid", name="Middel", request_application_id="own", yearly_volume=499),
        Product(id="big", name="Groot", request_application_id="own", yearly_volume=5000),
        Product(id="tooled", name="Al op tool", request_application_id="tool", yearly_volume=10),
        Product(id="unknown", name="Onbekend", request_application_id="own"),
    ]
    lines = [
        tp(2, 2, 2, block="vms", scope_kind="product", scope_id="small", rate=1000.0),
        tp(1, 1, 1, scope_id="own", rate=400.0),
    ]  # 100 share each for 4 products
    s = E.summarize(lines, products, AGENCY)
    rows = E.forms_tool_comparison(products, apps, s, forms_tool_cost=1500.0)
    assert [r.product_id for r in rows] == ["small", "mid"]
    assert rows[0].own_integration == pytest.approx(2100.0)
    assert rows[0].saving == pytest.approx(600.0)
    assert rows[1].saving == pytest.approx(100.0 - 1500.0)


# -- the edit form ---------------------------------------------------------------------------------


def test_form_reads_belgian_numbers_and_checks_order():
    values = {
        "method": "three_point",
        "optimistic_days": "2,5",
        "likely_days": "4",
        "pessimistic_days": "10",
        "day_rate": "1.250",
        "budget_year": "2026",
        "recurrence": "one_off",
        "category": "supplier",
        "block": "dosis",
        "description": " Koppeling ",
        "basis": "",
    }
    out, errors = E.parse_line_form(values, RATES)
    assert errors == {}
    assert out["optimistic_days"] == 2.5 and out["day_rate"] == 1250.0
    assert out["description"] == "Koppeling"

    out, errors = E.parse_line_form(values | {"likely_days": "1", "day_rate": "abc"}, E.Rates())
    assert "O ≤ M" in errors["likely_days"]
    assert errors["day_rate"].startswith("Dagtarief")


def test_form_requires_a_rate_when_the_agency_has_none():
    values = {
        "method": "three_point",
        "optimistic_days": "1",
        "likely_days": "2",
        "pessimistic_days": "3",
        "day_rate": "",
        "budget_year": "2026",
        "recurrence": "one_off",
        "category": "internal",
    }
    assert "day_rate" in E.parse_line_form(values, E.Rates())[1]
    assert "day_rate" not in E.parse_line_form(values, RATES)[1]


def test_estimate_domain_imports_no_ui_or_storage():
    code = (
        "import sys, elo_tui.domain.estimate; "
        "print([m for m in ('textual', 'sqlite3', 'httpx', 'pydantic', 'openpyxl', 'tomli_w')"
        " if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- totals add up as shown (issue 11 §1) ----------------------------------------------------


def _uneven_portfolio(agency: Agency) -> E.EstimateSummary:
    """Lines over three years whose means have cents, so rounding per part matters."""
    lines = [
        tp(1.3, 2.7, 9.1, year="2026", block="dosis", id="a"),
        tp(0.7, 1.1, 3.3, year="2027", block="vms", rate=913.37, id="b"),
        tp(2.2, 3.9, 7.7, year="later", block="acm_idm", category="supplier", id="c"),
        tp(0.5, 1.5, 2.5, year="2026", block="vms", recurrence="recurring", id="d"),
        fixed(1234.5, year="2027"),
    ]
    return E.summarize(lines, [], agency, draws=2000)


def test_shown_totals_are_the_sum_of_the_shown_parts_with_nothing_requested():
    from elo_tui.domain.formats import euro

    s = _uneven_portfolio(AGENCY)
    t = s.total
    assert s.requested_total == 0
    # P50 = requested + own contribution, as shown (was: the sum of the years' P50s).
    assert euro(s.own_contribution_total) == euro(t.p50)
    shown = {k: int(euro(v)[2:].replace(".", "")) for k, v in vars_of(s).items()}
    assert shown["contingency"] == shown["p80"] - shown["p50"]
    assert shown["eligible"] + shown["not_eligible"] == shown["mean"]
    assert sum(int(euro(v)[2:].replace(".", "")) for v in s.by_block.values()) == shown["mean"]
    assert sum(int(euro(c.mean)[2:].replace(".", "")) for c in s.costs) == shown["mean"]
    for row in s.cofinancing:
        assert row.cost == row.requested + row.own_contribution
        assert row.cost == round(row.cost)


def vars_of(s: E.EstimateSummary) -> dict[str, float]:
    return {
        "mean": s.total.mean,
        "p50": s.total.p50,
        "p80": s.total.p80,
        "contingency": s.total.contingency,
        "eligible": s.eligible_total,
        "not_eligible": s.not_eligible_total,
    }


def test_requested_plus_own_contribution_is_the_p50_and_a_cap_says_so():
    agency = Agency(
        day_rate_internal=650.0,
        day_rate_supplier=900.0,
        requested_cofinancing={"2026": 1_000_000.4, "2027": 500.0},
    )
    s = _uneven_portfolio(agency)
    assert s.requested_total + s.own_contribution_total == s.total.p50
    row = next(r for r in s.cofinancing if r.year == "2026")
    assert row.cap == E.CAP_ELIGIBLE and row.requested == row.eligible_cost
    note = E.cap_note(row.asked, row.requested, row.cap)
    assert note.startswith("gevraagd € 1.000.000, afgetopt op € ")
    assert "(regel: begrensd tot de raming (P50)" in note
    assert E.cap_note(500.0, 500.0, "") == ""


@pytest.mark.parametrize("all_eligible", [True, False])
def test_the_eligible_simulation_is_what_simulating_the_eligible_lines_gives(all_eligible):
    # When every valid line is eligible the summary reuses the whole simulation's draws
    # (estimate.same_draws); it must equal simulating the eligible lines on their own.
    rnd = random.Random(7)
    lines = [
        tp(o, o + rnd.randint(0, 4), o + rnd.randint(5, 9), id=f"l{i:03}")
        for i, o in enumerate(rnd.randint(1, 5) for _ in range(300))
    ]
    lines.append(tp(3, 2, 1, id="invalid"))  # an invalid line is in neither simulation
    for line in lines[::7]:
        line.eligible = all_eligible
    s = E.summarize(lines, [], AGENCY)
    eligible = [c for c in s.costs if c.valid and E.is_eligible(c.line)]
    assert (len(eligible) == len(s.costs) - 1) is all_eligible
    assert s.eligible_simulation == E.simulate(eligible)
    assert s.eligible_simulation.by_year is not s.simulation.by_year
