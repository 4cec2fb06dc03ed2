"""The costs worker's Monte Carlo over compact inputs (round 4: lines costed once per kind,
a reference per line in id order, per-year running sums instead of a list per sampled
line) gives exactly what the former simulation gave over per-line points built from whole
records: the former code is frozen below as the reference."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from pathlib import Path

import pytest

from elo_tui.domain import estimate as est
from elo_tui.domain.cofinancing import is_eligible
from elo_tui.domain.records import Agency, Application, EstimateLine
from elo_tui.services import estimate as service
from elo_tui.store import Workspace
from test_costs_paged import edge_cases, generated

# -- the reference: domain.estimate.simulate_points as it was before round 4 -------------------


def former_simulate_points(
    points: Iterable[est.SimPoint],
    *,
    seed: int = est.DEFAULT_SEED,
    draws: int = est.DRAWS,
    exact_lines: int = est.EXACT_LINES,
) -> est.Simulation:
    """`simulate` over the valid lines' SimPoints (in any order: sorted here)."""
    valid = sorted(points, key=lambda c: (c.id, c.block))
    const: dict[str, float] = dict.fromkeys(est.YEARS, 0.0)
    means: dict[str, float] = dict.fromkeys(est.YEARS, 0.0)
    variable: list[est.SimPoint] = []
    for c in valid:
        year = c.year
        means[year] = means.get(year, 0.0) + c.mean
        if c.high > c.low:
            variable.append(c)
        else:
            const[year] = const.get(year, 0.0) + c.mean
    del valid
    variable.sort(key=lambda c: -c.variance)  # stable: ties keep the id order
    exact, pooled = variable[:exact_lines], variable[exact_lines:]

    rng = random.Random(seed)
    samples: dict[str, list[list[float]]] = {}
    for c in exact:
        a, b = est.pert_beta_shape(c.low, c.likely, c.high)
        span = c.high - c.low
        table = [c.low + span * x for x in est.beta_quantiles(round(a, 9), round(b, 9))]
        samples.setdefault(c.year, []).append(est._draw(rng, table, draws))
    pooled_by_year: dict[str, tuple[float, float]] = {}
    for c in pooled:
        m, v = pooled_by_year.get(c.year, (0.0, 0.0))
        pooled_by_year[c.year] = (m + c.mean, v + c.variance)
    for year in sorted(pooled_by_year, key=est._year_order):
        m, v = pooled_by_year[year]
        sd = math.sqrt(v)
        table = [m + sd * z for z in est._NORMAL_QUANTILES]
        samples.setdefault(year, []).append(est._draw(rng, table, draws))

    by_year: dict[str, est.Spread] = {}
    year_sums: list[list[float]] = []
    for year in sorted(means, key=est._year_order):
        parts = samples.get(year)
        if not parts:
            by_year[year] = est.Spread(means[year], const[year], const[year])
            continue
        # Summing column-wise through zip is ~2x faster than adding list after list.
        sample: list[float] = (
            parts[0] if len(parts) == 1 else list(map(sum, zip(*parts, strict=True)))
        )
        year_sums.append(sample)
        ordered = sorted(sample)
        by_year[year] = est.Spread(
            means[year],
            est.whole_euros(est.percentile(ordered, 0.5) + const[year]),
            est.whole_euros(est.percentile(ordered, 0.8) + const[year]),
        )
    total_const = math.fsum(const.values())
    total_mean = math.fsum(means.values())
    if not year_sums:
        total = est.Spread(total_mean, total_const, total_const)
    else:
        totals = (
            year_sums[0] if len(year_sums) == 1 else list(map(sum, zip(*year_sums, strict=True)))
        )
        ordered = sorted(totals)
        total = est.Spread(
            total_mean,
            est.whole_euros(est.percentile(ordered, 0.5) + total_const),
            est.whole_euros(est.percentile(ordered, 0.8) + total_const),
        )
    return est.Simulation(total, by_year, draws, seed, len(exact), len(pooled))


def former_ranges(ws: Workspace) -> tuple[est.Simulation, est.Simulation, float]:
    """The worker's former input: whole records streamed, costed one by one, per-line
    points with ids, sorted by the simulation."""
    rates = est.Rates.of(ws.agency())
    points, eligible, variance = [], [], 0.0
    for line, excluded in ws.estimate_lines_counted():
        if excluded:
            continue
        c = est.cost_line(line, rates)
        if not c.valid:
            continue
        point = est.SimPoint.of(c)
        points.append(point)
        if is_eligible(line):
            eligible.append(point)
        variance += c.variance
    return former_simulate_points(points), former_simulate_points(eligible), math.sqrt(variance)


def assert_same_as_former(ws: Workspace) -> None:
    sim, eligible_sim, sd = former_ranges(ws)
    got = service.ranges(ws).summary
    assert got.simulation == sim
    assert got.eligible_simulation == eligible_sim
    assert got.sd == sd


# -- workspaces ----------------------------------------------------------------------------------


def ties_across_years(path: Path) -> Workspace:
    """Sixty lines of the same spread in three years, saved in the reverse order of their
    ids: which of them are sampled one by one (and in what order) depends on the id
    order alone, and the table order is its opposite."""
    ws = Workspace.open(path, create=True, user="test")
    ws.save(Agency(name="Agentschap", day_rate_internal=600.0, day_rate_supplier=800.0))
    app = Application(name="Loket")
    ws.save(app)
    lines = []
    for i in range(60):
        lines.append(
            EstimateLine(
                id=f"line-{i:03d}",
                scope_kind="application",
                scope_id=app.id,
                block="dosis",
                description=f"gelijk {i}",
                # the same spread, shifted: other means, other draws in a wrong order
                optimistic_days=2.0 + i % 2,
                likely_days=3.0 + i % 2,
                pessimistic_days=9.0 + i % 2,
                budget_year=est.YEARS[i % 3],
                day_rate=None if i % 5 else 600.0,  # the agency's rate is 600 too
                eligible=bool(i % 4),
            )
        )
    lines += [  # a few wider lines ahead of the ties, and constant ones
        EstimateLine(
            id=f"wide-{i}",
            scope_kind="application",
            scope_id=app.id,
            optimistic_days=1.0,
            likely_days=5.0,
            pessimistic_days=30.0 + i,
            budget_year=est.YEARS[i % 3],
        )
        for i in range(7)
    ]
    lines.append(
        EstimateLine(scope_kind="agency", method="fixed", fixed_amount=1234.5, budget_year="2027")
    )
    for line in reversed(lines):
        ws.save(line)
    return ws


# -- the tests -----------------------------------------------------------------------------------


def test_edge_cases_simulate_as_before(tmp_path):
    ws = edge_cases(tmp_path / "edge.sqlite")
    try:
        assert_same_as_former(ws)
    finally:
        ws.close()


def test_the_demo_simulates_as_before(demo_ws):
    assert_same_as_former(demo_ws)


@pytest.mark.parametrize("n", [60, 400])
def test_generated_worked_workspaces_simulate_as_before(tmp_path, n):
    ws = generated(tmp_path / "gen.sqlite", n, (650.0, 900.0))
    try:
        assert ws.count(EstimateLine) > 2 * est.EXACT_LINES
        assert_same_as_former(ws)
    finally:
        ws.close()


def test_ties_at_the_boundary_follow_the_id_order_not_the_table_order(tmp_path):
    ws = ties_across_years(tmp_path / "ties.sqlite")
    try:
        assert_same_as_former(ws)
        # the case is a real one: the table order gives other draws
        rates = est.Rates.of(ws.agency())
        in_table_order = [
            est.SimKind.of(c)
            for c in (est.cost_line(line, rates) for line, _ in ws.estimate_lines_counted())
            if c.valid
        ]
        assert est.simulate_ordered(in_table_order) != service.ranges(ws).summary.simulation
    finally:
        ws.close()


def test_lines_all_different_are_not_remembered_past_the_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(service._LineKinds, "KEPT", 3)
    ws = generated(tmp_path / "gen.sqlite", 60, (650.0, 900.0))
    try:
        assert_same_as_former(ws)
    finally:
        ws.close()


@pytest.mark.parametrize("seed", [1, est.DEFAULT_SEED, 987654321])
def test_random_portfolios_simulate_as_before(seed):
    """Points in many shapes and years, fewer and more than are sampled one by one."""
    rnd = random.Random(seed)
    for n in (0, 1, 5, est.EXACT_LINES, est.EXACT_LINES + 1, 300):
        points = []
        for i in range(n):
            low = rnd.choice([0.0, 100.0, rnd.uniform(0, 5000)])
            high = low + rnd.choice([0.0, 50.0, rnd.uniform(0, 9000)])
            likely = rnd.uniform(low, high)
            c = est.SimPoint(
                f"id-{rnd.randrange(10**6):06d}-{i}",
                rnd.choice(["dosis", ""]),
                rnd.choice(est.YEARS),
                low,
                likely,
                high,
                est.whole_euros((low + 4 * likely + high) / 6),
                est.pert_beta_variance(low, likely, high),
            )
            points.append(c)
        for draws in (1, 7, 1000):
            want = former_simulate_points(points, seed=seed, draws=draws)
            assert est.simulate_points(points, seed=seed, draws=draws) == want
            ordered = sorted(points, key=lambda c: (c.id, c.block))
            kinds = [
                est.SimKind(c.year, c.low, c.likely, c.high, c.mean, c.variance) for c in ordered
            ]
            assert est.simulate_ordered(kinds, seed=seed, draws=draws) == want
