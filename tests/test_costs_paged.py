"""The costs screen's fast path (lines ordered and paged from the store, expected totals
summed in SQL, the Monte Carlo streamed over compact points) must give exactly what the
domain gives over whole records (`est.summarize`, the screen's former sort): same rows in
the same order, same cells, same totals to the cent, on generated, demo and edge-case
workspaces; and it must follow every change to the file."""

from __future__ import annotations

import math
import sys
import threading
from pathlib import Path

import pytest

from elo_tui.domain import estimate as est
from elo_tui.domain.formats import sort_key
from elo_tui.domain.records import Agency, Application, EstimateLine, Product
from elo_tui.services import estimate as service
from elo_tui.store import Workspace

BENCH = Path(__file__).resolve().parent.parent / "bench"


# -- the reference: the former whole-record computation ----------------------------------------


def former_rows(ws: Workspace) -> list[tuple]:
    """The costs screen's former table: every costed line of est.summarize, sorted by
    scope label, block, description; the excluded lines after them."""
    ov = service.overview(ws)
    order = {code: i for i, code in enumerate(est.BLOCKS)}
    rows = [
        (c, ov.scope_label(c.line.scope_kind, c.line.scope_id), False) for c in ov.summary.costs
    ]
    rows.sort(key=lambda r: (sort_key(r[1]), order.get(r[0].line.block, 99), r[0].line.description))
    apart = [
        (c, ov.scope_label(c.line.scope_kind, c.line.scope_id), True) for c in ov.summary.excluded
    ]
    apart.sort(key=lambda r: (sort_key(r[1]), r[0].line.description))
    return rows + apart


def _cost_key(c: est.LineCost) -> tuple:
    return (c.line.id, c.valid, c.mean, c.sd, c.low, c.likely, c.high, c.variance, c.rate)


def assert_same_as_domain(ws: Workspace) -> None:
    reader = service.CostsReader(ws)
    want = former_rows(ws)
    got = list(reader.lines())
    assert [(_cost_key(r.cost), r.scope, r.excluded) for r in got] == [
        (_cost_key(c), scope, apart) for c, scope, apart in want
    ]
    # paging: a row read on its own equals the same row read with its page
    lines = reader.lines()
    for i in (0, len(lines) // 2, len(lines) - 1) if len(lines) else ():
        assert lines.position_of(lines[i].line.id) == i

    summary = service.overview(ws).summary
    t = reader.totals()
    assert t.lines == len(summary.costs) + len(summary.excluded)
    assert t.assumed == sum(1 for c, _, _ in want if c.line.assumed)
    assert t.invalid == len(summary.invalid)
    assert t.excluded_lines == len(summary.excluded)
    assert t.total_mean == summary.total.mean
    assert t.means_by_year == {y: s.mean for y, s in summary.by_year.items()}
    assert t.one_off_by_year == summary.one_off_by_year
    assert t.recurring_by_year == summary.recurring_by_year
    assert list(t.by_block.items()) == list(summary.by_block.items())
    assert t.by_category == summary.by_category
    assert t.eligible_by_year == summary.eligible_by_year
    assert t.not_eligible_by_year == summary.not_eligible_by_year
    assert t.eligible_total == summary.eligible_total
    assert t.not_eligible_total == summary.not_eligible_total
    assert t.excluded_by_application == summary.excluded_by_application
    assert t.excluded_lines_by_application == summary.excluded_lines_by_application

    r = service.ranges(ws)
    s = r.summary
    assert s.total == summary.total
    assert s.by_year == summary.by_year
    assert s.simulation == summary.simulation
    assert s.eligible_simulation == summary.eligible_simulation
    assert s.cofinancing == summary.cofinancing
    assert s.requested_total == summary.requested_total
    # Eigen bijdrage = P50 − Gevraagd, exactly as the domain has it
    assert s.own_contribution_total == summary.own_contribution_total
    assert s.own_contribution_total == summary.total.p50 - summary.requested_total
    assert s.years_p50_total == summary.years_p50_total
    assert est.years_note(s) == est.years_note(summary)
    assert s.sd == summary.sd
    full = service.overview(ws)
    assert r.forms_tool_count == len(full.forms_tool)
    assert r.forms_tool_cost == full.forms_tool_cost
    assert r.template_problem == full.template_problem


# -- workspaces ----------------------------------------------------------------------------------


def generated(path: Path, n: int, rates: tuple[float | None, float | None]) -> Workspace:
    sys.path.insert(0, str(BENCH))
    try:
        from generate import generate, work_on

        generate(path, n).close()
        work_on(path)  # block statuses, checklists, the estimate the template proposes
    finally:
        sys.path.remove(str(BENCH))
    ws = Workspace.open(path)
    agency = ws.agency()
    agency.day_rate_internal, agency.day_rate_supplier = rates
    ws.save(agency)
    return ws


def edge_cases(path: Path) -> Workspace:
    """Every kind of line the rules tell apart."""
    ws = Workspace.open(path, create=True, user="test")
    ws.save(Agency(name="Agentschap", day_rate_internal=640.0, day_rate_supplier=915.5))
    shown = Application(name="Loket Ökologie")
    apart = Application(name="Mestbankloket", excluded=True, exclusion_reason="in overleg")
    forms = Application(name="Formulierentool", kind="forms_tool")
    gone_app = Application(name="Weg")
    ws.save_many([shown, apart, forms, gone_app])
    p_shown = Product(name="école premie", request_application_id=shown.id, yearly_volume=30)
    p_apart_req = Product(name="Mestaangifte", request_application_id=apart.id)
    # counted under its follow-up application when it has no request application
    p_apart_fol = Product(name="Mestmelding", followup_application_id=apart.id, yearly_volume=4)
    p_forms = Product(name="Via de tool", request_application_id=forms.id, yearly_volume=2)
    p_big = Product(name="Zeer gevraagd", request_application_id=shown.id, yearly_volume=90000)
    p_gone = Product(name="Verdwenen", request_application_id=apart.id)
    p_same = Product(name="ÉCOLE PREMIE", request_application_id=shown.id, yearly_volume=499)
    ws.save_many([p_shown, p_apart_req, p_apart_fol, p_forms, p_big, p_gone, p_same])

    def line(scope: Application | Product | None, **kw) -> EstimateLine:
        kind = (
            "agency"
            if scope is None
            else ("application" if isinstance(scope, Application) else "product")
        )
        defaults = dict(
            scope_kind=kind,
            scope_id="" if scope is None else scope.id,
            block="dosis",
            optimistic_days=2.0,
            likely_days=3.0,
            pessimistic_days=7.0,
        )
        return EstimateLine(**(defaults | kw))

    lines = [
        line(shown, description="DOSIS koppeling"),
        line(shown, block="acm_idm", description="aanmelden", assumed=True),
        line(shown, block="unknown_block", description="onbekende bouwsteen"),
        line(shown, block="", description="zonder bouwsteen"),
        line(p_shown, block="vms", description="VMS", eligible=False),
        line(p_shown, block="vms", description="VMS extra", eligible=True, category="licence"),
        line(p_same, block="product_rights", description="rechten"),
        line(p_big, block="toelatingen", description="", day_rate=1000.25),
        line(None, block="", description="projectleiding", category="supplier"),
        line(None, block="dosis", description="algemeen met bouwsteen"),
        line(None, block="", method="fixed", fixed_amount=100.5, description="half naar even"),
        line(None, block="", method="fixed", fixed_amount=101.5, description="half naar even 2"),
        line(
            shown, method="fixed", fixed_amount=12000.0, category="licence", description="licentie"
        ),
        line(shown, recurrence="recurring", budget_year="2027", description="werking"),
        line(shown, budget_year="later", description="later"),
        # a PERT mean of exactly x.5 euro: (1 + 4*1 + 1.5)/6 * 3 = 3.25 ... and 7.5 below
        line(shown, optimistic_days=1.0, likely_days=2.0, pessimistic_days=3.0, day_rate=7.5),
        line(shown, optimistic_days=0.0, likely_days=0.0, pessimistic_days=0.0, description="nul"),
        line(shown, optimistic_days=5.0, likely_days=5.0, pessimistic_days=5.0, description="vast"),
        # invalid in every way the rules name
        line(shown, optimistic_days=9.0, description="O > M"),
        line(shown, pessimistic_days=2.5, description="M > P"),
        line(shown, optimistic_days=None, description="zonder O"),
        line(shown, likely_days=-1.0, optimistic_days=-2.0, description="negatief"),
        line(shown, category="licence", description="licentie zonder tarief"),
        line(shown, day_rate=0.0, description="tarief nul"),
        line(shown, day_rate=math.inf, description="oneindig tarief"),
        line(shown, pessimistic_days=math.inf, description="oneindig P"),
        line(shown, method="fixed", fixed_amount=None, description="vast zonder bedrag"),
        line(shown, method="fixed", fixed_amount=-5.0, description="vast negatief"),
        line(shown, method="guess", description="onbekende methode"),
        line(shown, budget_year="2030", description="onbekend jaar"),
        line(shown, recurrence="monthly", description="onbekende herhaling"),
        line(shown, category="travel", description="onbekende categorie"),
        line(shown, scope_kind="region", description="onbekende scope"),
        # excluded applications: the application's own lines and its products'
        line(apart, description="mestbank"),
        line(apart, description="mestbank ongeldig", optimistic_days=None),
        line(p_apart_req, description="mestaangifte"),
        line(p_apart_fol, description="mestmelding", assumed=True),
        # scopes that are gone
        line(p_gone, description="product weg"),
        line(gone_app, description="toepassing weg"),
        line(p_forms, description="tool"),
    ]
    lines += [line(shown, description=f"reeks {i:02d}", likely_days=3.0 + i) for i in range(40)]
    ws.save_many(lines)
    deleted = line(shown, description="verwijderd")
    ws.save(deleted)
    ws.delete(EstimateLine, deleted.id)
    ws.delete(Product, p_gone.id)
    ws.delete(Application, gone_app.id)
    return ws


def test_the_demo_gives_the_domain_figures(demo_ws):
    assert_same_as_domain(demo_ws)


def test_edge_cases_give_the_domain_figures(tmp_path):
    ws = edge_cases(tmp_path / "edge.sqlite")
    try:
        assert_same_as_domain(ws)
        t = service.CostsReader(ws).totals()
        assert t.excluded_lines == 4 and t.invalid >= 15  # the cases above are all there
    finally:
        ws.close()


def test_edge_cases_without_agency_rates_or_exclusions(tmp_path):
    ws = edge_cases(tmp_path / "edge.sqlite")
    try:
        agency = ws.agency()
        agency.day_rate_internal = agency.day_rate_supplier = None
        ws.save(agency)
        for app in ws.list(Application):
            if app.excluded:
                app.excluded = False
                ws.save(app)
        assert_same_as_domain(ws)
    finally:
        ws.close()


@pytest.mark.parametrize("rates", [(650.0, 900.0), (None, 875.0)])
def test_a_generated_worked_workspace_gives_the_domain_figures(tmp_path, rates):
    ws = generated(tmp_path / "gen.sqlite", 60, rates)
    try:
        assert ws.count(EstimateLine) > 50
        assert_same_as_domain(ws)
    finally:
        ws.close()


def test_more_lines_than_the_simulation_samples_one_by_one(tmp_path):
    """Over EXACT_LINES lines the rest is pooled: its order matters for the sums."""
    ws = generated(tmp_path / "gen.sqlite", 200, (640.0, 910.0))
    try:
        assert ws.count(EstimateLine) > 4 * est.EXACT_LINES
        assert_same_as_domain(ws)
    finally:
        ws.close()


def test_simulate_points_is_simulate():
    rates = est.Rates(700.0, 900.0)
    lines = [
        EstimateLine(
            scope_kind="application",
            block=b,
            optimistic_days=float(i % 5),
            likely_days=float(i % 5 + i % 3),
            pessimistic_days=float(i % 5 + i % 3 + i % 7),
            budget_year=est.YEARS[i % 3],
        )
        for i, b in enumerate(list(est.BLOCKS) * 10)
    ]
    costs = [est.cost_line(x, rates) for x in lines]
    points = [est.SimPoint.of(c) for c in reversed(costs) if c.valid]  # any order
    assert est.simulate_points(points) == est.simulate(costs)


# -- following changes -------------------------------------------------------------------------


def test_the_reader_follows_saves_and_other_connections(tmp_path):
    ws = edge_cases(tmp_path / "edge.sqlite")
    other = Workspace.open(ws.path)
    try:
        reader = service.CostsReader(ws)
        n = len(reader.lines())
        before = reader.totals()
        stamp = reader.stamp
        found = service.ranges(ws)
        assert reader.set_ranges(found, stamp) and reader.ranges is found

        # writes that change no figure keep what was computed
        ws.set_meta("sync_state", "online")
        ws.store_cached_summary("other", 1, "", "{}")
        assert reader.ranges is found and reader.stamp == stamp

        # a save on this connection
        ws.save(EstimateLine(scope_kind="agency", method="fixed", fixed_amount=1000.0))
        assert reader.ranges is None  # never an old P50 for the new file
        assert not reader.set_ranges(found, stamp)  # computed before the change: refused
        assert len(reader.lines()) == n + 1
        assert reader.totals().total_mean == before.total_mean + 1000.0
        assert_same_as_domain(ws)

        # another connection (a sync pull, an import, another process)
        found, stamp = service.ranges_at(other)
        assert reader.set_ranges(found, stamp)
        gone = other.list(EstimateLine)[0]
        other.delete(EstimateLine, gone.id)
        assert reader.ranges is None
        assert len(reader.lines()) == n
        assert reader.lines().position_of(gone.id) is None

        # an application excluded elsewhere takes its lines out of every total
        app = next(a for a in other.list(Application) if a.name == "Loket Ökologie")
        app.excluded = True
        other.save(app)
        assert reader.totals().excluded_lines > before.excluded_lines
        # a product moved to another application: its lines count under that one
        product = next(p for p in other.list(Product) if p.name == "Mestaangifte")
        product.request_application_id = ""
        other.save(product)
        assert reader.totals().excluded_lines_by_application != (
            before.excluded_lines_by_application
        )
        assert_same_as_domain(ws)

        # a day rate changed: every line without its own rate costs differently
        agency = other.agency()
        agency.day_rate_internal = 700.0
        other.save(agency)
        assert reader.totals() != before
        assert_same_as_domain(ws)
    finally:
        other.close()
        ws.close()


def test_the_table_holds_only_the_pages_it_shows(tmp_path, monkeypatch):
    monkeypatch.setattr(service.CostLines, "PAGE", 10)
    ws = generated(tmp_path / "gen.sqlite", 200, (640.0, 910.0))
    try:
        lines = service.CostsReader(ws).lines()
        assert len(lines) > 10 * service.CostLines.PAGE
        for i in range(0, len(lines), service.CostLines.PAGE):
            lines[i]
        assert len(lines._pages) <= service.CostLines.PAGES_KEPT
        assert [r.line.id for r in lines] == [c.line.id for c, _, _ in former_rows(ws)]
    finally:
        ws.close()


# -- the screen: real figures first, the Monte Carlo after ---------------------------------------


async def test_first_frame_shows_lines_and_expected_totals_before_the_monte_carlo(
    demo_ws, settings, monkeypatch
):
    from elo_tui.app import EloApp
    from elo_tui.screens.costs import COMPUTING
    from elo_tui.widgets.virtual_table import VirtualTable

    release = threading.Event()
    real = service.ranges

    def slow_ranges(ws, **kw):
        release.wait(10)
        return real(ws, **kw)

    monkeypatch.setattr(service, "ranges", slow_ranges)
    summary = service.overview(demo_ws).summary
    app = EloApp(settings, demo_ws, start_mode="costs")
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#lines", VirtualTable)
        assert table.row_count == demo_ws.count(EstimateLine)
        totals = str(app.screen.query_one("#costs-totals").render())
        assert service.euro(summary.total.mean) in totals  # expected total: SQL, now
        assert COMPUTING in totals and service.euro(summary.total.p50) not in totals
        assert COMPUTING in str(app.screen.query_one("#costs-years").render())
        assert "lijnen" in str(app.screen.query_one("#costs-info").render())
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        totals = str(app.screen.query_one("#costs-totals").render())
        assert COMPUTING not in totals
        assert service.euro(summary.total.p50) in totals
        assert service.euro(summary.own_contribution_total) in totals


async def test_a_change_elsewhere_is_shown_on_return(demo_ws, settings):
    from elo_tui.app import EloApp
    from elo_tui.widgets.virtual_table import VirtualTable

    app = EloApp(settings, demo_ws, start_mode="costs")
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        n = app.screen.query_one("#lines", VirtualTable).row_count
        other = Workspace.open(demo_ws.path)
        try:
            other.save(EstimateLine(scope_kind="agency", method="fixed", fixed_amount=5.0))
        finally:
            other.close()
        await pilot.press("r")  # Vernieuwen
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one("#lines", VirtualTable).row_count == n + 1
        summary = service.overview(demo_ws).summary
        assert service.euro(summary.total.p50) in str(
            app.screen.query_one("#costs-totals").render()
        )


def test_halves_round_to_even_as_the_domain_rounds(tmp_path):
    """Each line's mean is rounded to whole euros once, half to even (`est.whole_euros`),
    in SQL too: a line of € 2,50 counts € 2, one of € 3,50 counts € 4."""
    ws = Workspace.open(tmp_path / "halves.sqlite", create=True)
    try:
        ws.save(Agency(name="A", day_rate_internal=1.0))
        lines = [
            EstimateLine(scope_kind="agency", method="fixed", fixed_amount=k + 0.5, block=b)
            for k in range(12)
            for b in ("dosis", "vms")
        ]
        # three-point: (1 + 4*1 + 4) / 6 = 1,5 and (2 + 4*2 + 5)/6 = 2,5 person-days at € 1
        lines += [
            EstimateLine(scope_kind="application", block="acm_idm", optimistic_days=o,
                         likely_days=o, pessimistic_days=p)
            for o, p in ((1.0, 4.0), (2.0, 5.0), (1e15, 1e15 + 3.0))
        ]  # fmt: skip
        ws.save_many(lines)
        t = service.CostsReader(ws).totals()
        summary = service.overview(ws).summary
        assert t.by_block == summary.by_block
        assert t.by_block["dosis"] == sum(est.whole_euros(k + 0.5) for k in range(12))
        assert t.by_block["acm_idm"] == 2.0 + 2.0 + est.whole_euros(1e15 + 0.5)
        assert t.total_mean == summary.total.mean
    finally:
        ws.close()


def test_a_version_9_workspace_upgrades_with_its_data_and_its_costs(tmp_path):
    import sqlite3

    from elo_tui.store import schema

    path = tmp_path / "old.sqlite"
    ws = edge_cases(path)
    expected = former_rows(ws)
    ws.close()
    conn = sqlite3.connect(path)  # back to the schema before the costs indexes
    for index in ("idx_product_costs", "idx_application_costs", "idx_estimate_line_totals"):
        conn.execute(f"DROP INDEX {index}")
    before = schema.MIGRATIONS.index(schema._v10_costs_indexes)
    conn.execute(f"PRAGMA user_version = {before}")
    conn.commit()
    conn.close()

    with Workspace.open(path) as ws:
        assert ws.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        indexes = {
            r[0] for r in ws.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        assert {"idx_product_costs", "idx_application_costs", "idx_estimate_line_totals"} <= (
            indexes
        )
        got = [(r.line.id, r.scope, r.excluded) for r in service.CostsReader(ws).lines()]
        assert got == [(c.line.id, scope, apart) for c, scope, apart in expected]
        assert_same_as_domain(ws)
    assert (tmp_path / f"old.sqlite.v{before}.bak").exists()
