"""Cost maths of the integration estimate (pure stdlib: no I/O, no third-party imports).

Per line
--------
A three-point line holds optimistic O, most likely M and pessimistic P person-days
(O <= M <= P) and a day rate r (the line's own, else the agency's rate for its category).
Its cost follows the classic PERT formulas:

    mean = (O + 4M + P) / 6 * r          spread (sd) = (P - O) / 6 * r

A fixed line (supplier quote, licence) costs its amount with no spread.

Portfolio: seeded Monte Carlo over PERT-beta
--------------------------------------------
Each line's cost is modelled as PERT-beta with lambda = 4:

    X = O + (P - O) * B,  B ~ Beta(a, b),  a = 1 + 4(M - O)/(P - O),  b = 1 + 4(P - M)/(P - O)

whose mean is exactly the PERT mean. One draw of the portfolio is the sum of one draw per
line; P50 (the budget) and P80 (the ceiling) are percentiles of DRAWS (default 10,000)
such sums, contingency = P80 - P50. Percentiles interpolate linearly between order
statistics (Hyndman-Fan type 7, numpy's default). Same lines + same seed = same answer:
lines are put in a canonical order (by id) before any random number is drawn.

Two measured shortcuts keep a stress-case portfolio the size of all of ELO (1,202
products, about 4,000 lines) well under a second in pure Python (`random.betavariate`
costs about 4 us per call here, so the naive
10,000 x 4,000 draws would take minutes):

1. Inverse-CDF tables instead of `betavariate`: for each distinct (a, b) the beta's
   quantile function is tabulated once at QUANTILES equally likely points (numerical
   integration of the density on a fine grid); a draw picks one of them uniformly with
   `random.Random(seed).choices` (a stratified discretisation, error below 1/QUANTILES in
   probability). A test checks the tables against `betavariate` samples.
2. Only the EXACT_LINES lines with the largest spread are sampled individually. The other
   lines of each budget year enter as one normal term with their exact summed mean and
   PERT-beta variance (central limit theorem: each of them has less spread than every
   sampled line, so together they are close to normal). With at most EXACT_LINES lines
   everything is sampled exactly.

Totals per year, block, application and category are PERT means (they add up); P50/P80
are given for the whole portfolio and per budget year (from the same draws; note that
percentiles do not add up across years).

Co-financing per year (rules and quotes in `domain.cofinancing`): only eligible lines can
be co-financed ("in de integratiekosten met de bouwstenen"), so the requested
co-financing is min(what the agency asks for that year, the P50 of that year's ELIGIBLE
lines), simulated separately from the same seed; the own contribution is the year's P50
of all lines minus that. Co-financing exists only for 2026 and 2027 (the envelope of the
decision); costs in "later" are own contribution. A recurring line is the yearly amount in
its own budget year (add a line per year to fund it in several years).

Lines of an application "buiten beschouwing gelaten in onderling overleg"
(`Application.excluded`, as the nota does with the Mestbankloket) are costed and shown
apart but left out of every total and of the request.
"""

from __future__ import annotations

import math
import random
import sys
from array import array
from bisect import bisect_left
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter
from statistics import NormalDist
from typing import Any, NamedTuple, cast

from elo_tui.domain.cofinancing import FIRM_ENVELOPE, is_eligible, reserved_envelope
from elo_tui.domain.records import Agency, Application, EstimateLine, Product

PERT_LAMBDA = 4.0
DEFAULT_SEED = 20260630  # the ELO deadline; any fixed number gives reproducible answers
DRAWS = 10_000
EXACT_LINES = 24
QUANTILES = 1024
_GRID = 4096  # integration cells per beta table

YEARS = ("2026", "2027", "later")
YEAR_LABELS = {"2026": "2026", "2027": "2027", "later": "Later"}
METHODS = {"three_point": "Driepuntsschatting (dagen × dagtarief)", "fixed": "Vast bedrag"}
RECURRENCES = {"one_off": "Eenmalig", "recurring": "Terugkerend (per jaar)"}
CATEGORIES = {"internal": "Eigen personeel", "supplier": "Leverancier", "licence": "Licentie"}
SCOPE_KINDS = {"application": "Toepassing", "product": "Product", "agency": "Entiteit"}

# Building blocks (fixed contract of the project): code -> (scope, Dutch label).
# Labels: the government's own terms (domain/blocks.py is the catalogue).
BLOCKS: dict[str, tuple[str, str]] = {
    "acm_idm": ("application", "Toegangs- en gebruikersbeheer (ACM/IDM): aanmelden"),
    "capacity_switch": (
        "application",
        "Global header: capaciteitswissel en login_hint (gericht aanmelden)",
    ),
    "global_header": ("application", "Global header (met gekoppeld toegangsbeheer)"),
    "dosis": ("application", "Dossierstatusinformatiesysteem (DOSIS)"),
    "product_rights": ("product", "ACM/IDM: rechten per product"),
    "vms": ("product", "Vlaams Mandatensysteem (VMS)"),
    "toelatingen": ("product", "Toelatingen (indien van toepassing)"),
}
GENERAL_BLOCK_LABEL = "Zonder bouwsteen (algemeen, formulieren- en opvolgingstool)"

# The FIRM co-financing envelope per year (EUR, all entities together): the reading of
# beslissing 6° and the budget section (see domain.cofinancing); the VRD 3 line of 2026 is
# "onder voorbehoud" and not part of it.
ENVELOPE = FIRM_ENVELOPE
# Requests a year below which the forms tool is worth comparing. An ASSUMPTION: the nota
# only says "agentschappen en departementen met een beperkt aantal aanvragen".
LOW_VOLUME_THRESHOLD = 500

NO_APPLICATION = ""  # key in per-application totals for lines tied to no application


def block_label(code: str) -> str:
    if not code:
        return GENERAL_BLOCK_LABEL
    entry = BLOCKS.get(code)
    return entry[1] if entry else code


# -- per line -------------------------------------------------------------------------------


def pert_mean(o: float, m: float, p: float) -> float:
    return (o + 4 * m + p) / 6


def pert_sd(o: float, m: float, p: float) -> float:
    return (p - o) / 6


def pert_beta_shape(o: float, m: float, p: float, lam: float = PERT_LAMBDA) -> tuple[float, float]:
    """(a, b) of the PERT-beta on [o, p] with mode m."""
    span = p - o
    if span <= 0:
        raise ValueError("PERT-beta needs p > o")
    return 1 + lam * (m - o) / span, 1 + lam * (p - m) / span


def pert_beta_variance(o: float, m: float, p: float, lam: float = PERT_LAMBDA) -> float:
    """Variance of the PERT-beta (used for the normal remainder; not the (P-O)/6 rule)."""
    if p <= o:
        return 0.0
    a, b = pert_beta_shape(o, m, p, lam)
    return a * b / ((a + b) ** 2 * (a + b + 1)) * (p - o) ** 2


@dataclass(frozen=True, slots=True)
class Rates:
    """The agency's default day rates (EUR per person-day)."""

    internal: float | None = None
    supplier: float | None = None

    @classmethod
    def of(cls, agency: Agency | None) -> Rates:
        if agency is None:
            return cls()
        return cls(agency.day_rate_internal, agency.day_rate_supplier)


def line_rate(line: EstimateLine, rates: Rates) -> float | None:
    """The line's own day rate, else the agency's rate for the line's category."""
    if line.day_rate is not None:
        return line.day_rate
    if line.category == "internal":
        return rates.internal
    if line.category == "supplier":
        return rates.supplier
    return None


def line_problems(line: EstimateLine, rates: Rates) -> dict[str, str]:
    """What is wrong with a line, field -> Dutch message (empty when it can be costed)."""
    if _plainly_valid(line, rates):
        return {}
    errors: dict[str, str] = {}
    if line.method not in METHODS:
        errors["method"] = f"Onbekende methode '{line.method}'."
    if line.budget_year not in YEARS:
        errors["budget_year"] = (
            f"Begrotingsjaar moet 2026, 2027 of 'later' zijn, niet '{line.budget_year}'."
        )
    if line.recurrence not in RECURRENCES:
        errors["recurrence"] = f"Onbekende waarde '{line.recurrence}' voor eenmalig/terugkerend."
    if line.category not in CATEGORIES:
        errors["category"] = f"Onbekende categorie '{line.category}'."
    if line.scope_kind not in SCOPE_KINDS:
        errors["scope_kind"] = f"Onbekend soort scope '{line.scope_kind}'."
    if line.method == "fixed":
        if line.fixed_amount is None:
            errors["fixed_amount"] = "Vast bedrag is verplicht bij een vast bedrag."
        elif not _finite(line.fixed_amount) or line.fixed_amount < 0:
            errors["fixed_amount"] = "Vast bedrag kan niet negatief zijn."
    elif line.method == "three_point":
        days = {
            "optimistic_days": ("Optimistisch", line.optimistic_days),
            "likely_days": ("Meest waarschijnlijk", line.likely_days),
            "pessimistic_days": ("Pessimistisch", line.pessimistic_days),
        }
        for key, (label, value) in days.items():
            if value is None:
                errors[key] = f"{label} (dagen) is verplicht."
            elif not _finite(value) or value < 0:
                errors[key] = f"{label} (dagen) kan niet negatief zijn."
        if not errors.keys() & days.keys():
            o, m, p = line.optimistic_days, line.likely_days, line.pessimistic_days
            if o > m:  # type: ignore[operator]
                errors["likely_days"] = (
                    "Meest waarschijnlijk moet minstens optimistisch zijn (O ≤ M)."
                )
            elif m > p:  # type: ignore[operator]
                errors["pessimistic_days"] = (
                    "Pessimistisch moet minstens meest waarschijnlijk zijn (M ≤ P)."
                )
        rate = line_rate(line, rates)
        if rate is None:
            errors["day_rate"] = (
                "Dagtarief is verplicht: vul het in op de lijn of stel het standaardtarief "
                "van de entiteit in."
            )
        elif not _finite(rate) or rate <= 0:
            errors["day_rate"] = "Dagtarief moet groter dan 0 zijn."
    return errors


def _plainly_valid(line: EstimateLine, rates: Rates) -> bool:
    """The common case in one expression (costing 4,000 lines must stay cheap)."""
    if (
        line.budget_year not in YEARS
        or line.recurrence not in RECURRENCES
        or line.category not in CATEGORIES
        or line.scope_kind not in SCOPE_KINDS
    ):
        return False
    try:
        if line.method == "three_point":
            rate = line_rate(line, rates)
            return (
                0 <= line.optimistic_days <= line.likely_days <= line.pessimistic_days < math.inf  # type: ignore[operator]
                and 0 < rate < math.inf  # type: ignore[operator]
            )
        if line.method == "fixed":
            return 0 <= line.fixed_amount < math.inf  # type: ignore[operator]
    except TypeError:  # a None somewhere: the slow path names it
        return False
    return False


def _finite(value: float) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


@dataclass(slots=True)  # not frozen: frozen __init__ is 3x slower, 4,000 are made per run
class LineCost:
    """One line in euro: low/likely/high (O, M, P times the rate), PERT mean and sd."""

    line: EstimateLine
    rate: float | None
    low: float
    likely: float
    high: float
    mean: float
    sd: float
    variance: float  # of the PERT-beta (what the simulation uses)
    problems: Mapping[str, str] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.problems


def cost_line(line: EstimateLine, rates: Rates) -> LineCost:
    problems = line_problems(line, rates)
    if problems:
        return LineCost(line, line_rate(line, rates), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, problems)
    if line.method == "fixed":
        amount = float(line.fixed_amount or 0.0)
        return LineCost(line, None, amount, amount, amount, whole_euros(amount), 0.0, 0.0)
    rate = float(line_rate(line, rates) or 0.0)
    o = float(line.optimistic_days or 0.0) * rate
    m = float(line.likely_days or 0.0) * rate
    p = float(line.pessimistic_days or 0.0) * rate
    # The mean is rounded to whole euros once, here: every total (per year, block,
    # category, eligible or not) is then the exact sum of the amounts shown per line.
    mean = whole_euros(pert_mean(o, m, p))
    return LineCost(line, rate, o, m, p, mean, pert_sd(o, m, p), pert_beta_variance(o, m, p))


def whole_euros(amount: float) -> float:
    """`amount` rounded to whole euros exactly as `formats.euro` shows it (half to even)."""
    return float(round(amount)) + 0.0


# -- percentiles and the simulation ----------------------------------------------------------


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Percentile `q` (0..1) of ascending values, linear between order statistics (type 7)."""
    n = len(sorted_values)
    if n == 0:
        raise ValueError("percentile of nothing")
    if not 0.0 <= q <= 1.0:
        raise ValueError("q must lie in [0, 1]")
    h = (n - 1) * q
    lo = math.floor(h)
    if lo + 1 >= n:
        return float(sorted_values[-1])
    return sorted_values[lo] + (h - lo) * (sorted_values[lo + 1] - sorted_values[lo])


@lru_cache(maxsize=512)
def beta_quantiles(a: float, b: float, n: int = QUANTILES) -> tuple[float, ...]:
    """Quantiles of Beta(a, b) (a, b >= 1) at the n probabilities (k + 0.5)/n.

    The CDF is integrated with the midpoint rule on _GRID cells and inverted linearly
    inside the cell; accurate to about 1e-5 for the shapes PERT produces (1 <= a, b <= 5).
    """
    h = 1.0 / _GRID
    am, bm = a - 1.0, b - 1.0
    dens = [((i + 0.5) * h) ** am * (1.0 - (i + 0.5) * h) ** bm for i in range(_GRID)]
    total = math.fsum(dens)
    cdf = list(accumulate(d / total for d in dens))  # CDF at the right edge of cell i
    out = []
    for k in range(n):
        p = (k + 0.5) / n
        i = min(bisect_left(cdf, p), _GRID - 1)
        left = cdf[i - 1] if i else 0.0
        width = cdf[i] - left
        frac = (p - left) / width if width > 0 else 0.5
        out.append((i + frac) * h)
    return tuple(out)


_NORMAL_QUANTILES = tuple(NormalDist().inv_cdf((k + 0.5) / QUANTILES) for k in range(QUANTILES))


@dataclass(frozen=True, slots=True)
class Spread:
    """Expected value and the simulated budget (P50) and ceiling (P80)."""

    mean: float
    p50: float
    p80: float

    @property
    def contingency(self) -> float:
        return self.p80 - self.p50


@dataclass(frozen=True, slots=True)
class Simulation:
    total: Spread
    by_year: dict[str, Spread]
    draws: int
    seed: int
    exact_lines: int  # lines sampled one by one
    pooled_lines: int  # lines in the normal remainder


class SimPoint(NamedTuple):
    """What the simulation reads of one valid line (a LineCost without its record: the
    costs screen streams 25,000+ lines through the simulation without holding them)."""

    id: str
    block: str
    year: str
    low: float
    likely: float
    high: float
    mean: float
    variance: float

    @classmethod
    def of(cls, c: LineCost) -> SimPoint:
        line = c.line
        return cls(
            line.id, line.block, line.budget_year, c.low, c.likely, c.high, c.mean, c.variance
        )


def simulate(
    costs: Iterable[LineCost],
    *,
    seed: int = DEFAULT_SEED,
    draws: int = DRAWS,
    exact_lines: int = EXACT_LINES,
) -> Simulation:
    """Monte Carlo over PERT-beta of the valid lines (see the module docstring)."""
    points = [SimPoint.of(c) for c in costs if c.valid]
    return simulate_points(points, seed=seed, draws=draws, exact_lines=exact_lines)


def same_draws(sim: Simulation) -> Simulation:
    """The simulation of the same points with the same seed: when every valid line is
    eligible, the eligible lines' simulation draws exactly what the whole one drew
    (same points, same order, same seed), so it is not run twice (~0.3 s at 20,000
    products). A copy: the two are separate objects, as when each was simulated."""
    return replace(sim, by_year=dict(sim.by_year))


def simulate_points(
    points: Iterable[SimPoint],
    *,
    seed: int = DEFAULT_SEED,
    draws: int = DRAWS,
    exact_lines: int = EXACT_LINES,
) -> Simulation:
    """`simulate` over the valid lines' SimPoints (in any order: sorted here)."""
    valid = sorted(points, key=lambda c: (c.id, c.block))
    return simulate_ordered(valid, seed=seed, draws=draws, exact_lines=exact_lines)


class SimKind(NamedTuple):
    """What the simulation reads of a valid line, without its id: lines with the same
    inputs share one (the costs screen's worker holds a reference per line, not a record)."""

    year: str
    low: float
    likely: float
    high: float
    mean: float
    variance: float

    @classmethod
    def of(cls, c: LineCost) -> SimKind:
        return cls(c.line.budget_year, c.low, c.likely, c.high, c.mean, c.variance)


def simulate_ordered(
    valid: Sequence[SimPoint | SimKind],
    *,
    seed: int = DEFAULT_SEED,
    draws: int = DRAWS,
    exact_lines: int = EXACT_LINES,
) -> Simulation:
    """The simulation of the valid lines given in the canonical order (by id, then
    block: `simulate_points` sorts them so); the same lines in that order give the same
    draws, whatever object stands for a line."""
    const: dict[str, float] = dict.fromkeys(YEARS, 0.0)
    means: dict[str, float] = dict.fromkeys(YEARS, 0.0)
    variable: list[SimPoint | SimKind] = []
    for c in valid:
        year = c.year
        means[year] = means.get(year, 0.0) + c.mean
        if c.high > c.low:
            variable.append(c)
        else:
            const[year] = const.get(year, 0.0) + c.mean
    variable.sort(key=lambda c: -c.variance)  # stable: ties keep the id order
    exact, pooled = variable[:exact_lines], variable[exact_lines:]
    pooled_by_year: dict[str, tuple[float, float]] = {}
    for c in pooled:
        m, v = pooled_by_year.get(c.year, (0.0, 0.0))
        pooled_by_year[c.year] = (m + c.mean, v + c.variance)
    pooled_count = len(pooled)
    del variable, pooled

    rng = random.Random(seed)
    # Per year the running sum of its parts' draws, added as each part is drawn (the
    # parts in the same order as before, so the same sums): three lists of `draws`
    # floats instead of one per sampled line (~8 MB at 10,000 draws and 24 lines).
    sums: dict[str, list[float]] = {}

    def add(year: str, part: list[float]) -> None:
        acc = sums.get(year)
        sums[year] = part if acc is None else list(map(float.__add__, acc, part))

    for c in exact:
        a, b = pert_beta_shape(c.low, c.likely, c.high)
        span = c.high - c.low
        table = [c.low + span * x for x in beta_quantiles(round(a, 9), round(b, 9))]
        add(c.year, _draw(rng, table, draws))
    for year in sorted(pooled_by_year, key=_year_order):
        m, v = pooled_by_year[year]
        sd = math.sqrt(v)
        table = [m + sd * z for z in _NORMAL_QUANTILES]
        add(year, _draw(rng, table, draws))

    by_year: dict[str, Spread] = {}
    total_sums: list[float] | None = None
    for year in sorted(means, key=_year_order):
        sample = sums.pop(year, None)
        if sample is None:
            by_year[year] = Spread(means[year], const[year], const[year])
            continue
        total_sums = sample if total_sums is None else list(map(float.__add__, total_sums, sample))
        ordered = sorted(sample)
        del sample
        by_year[year] = Spread(
            means[year],
            whole_euros(percentile(ordered, 0.5) + const[year]),
            whole_euros(percentile(ordered, 0.8) + const[year]),
        )
        del ordered
    total_const = math.fsum(const.values())
    total_mean = math.fsum(means.values())
    if total_sums is None:
        total = Spread(total_mean, total_const, total_const)
    else:
        total_sums.sort()
        total = Spread(
            total_mean,
            whole_euros(percentile(total_sums, 0.5) + total_const),
            whole_euros(percentile(total_sums, 0.8) + total_const),
        )
    return Simulation(total, by_year, draws, seed, len(exact), pooled_count)


def _draw(rng: random.Random, table: list[float], draws: int) -> list[float]:
    """`draws` values picked uniformly from the QUANTILES-long `table`.

    16-bit indices from one `randbytes` call into the table repeated to 65,536 entries
    (QUANTILES divides 65,536, so every entry stays equally likely): about 4x faster
    than `rng.choices`. Little-endian on every machine, so the answer does not depend
    on the platform.
    """
    indices = array("H", rng.randbytes(2 * draws))
    if sys.byteorder == "big":
        indices.byteswap()
    return list(map((table * (65536 // len(table))).__getitem__, indices))


def _year_order(year: str) -> tuple[int, str]:
    return (YEARS.index(year), "") if year in YEARS else (len(YEARS), year)


# -- the summary -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CofinancingRow:
    """One budget year: cost (P50), what is asked, what can be requested, own share."""

    year: str
    cost: float  # P50 of the year (every included line)
    asked: float  # what the agency asks (Agency.requested_cofinancing)
    requested: float  # min(asked, eligible_cost); 0 where no co-financing exists
    own_contribution: float  # cost - requested
    own_budget: float  # Agency.own_budget
    shortfall: float  # own contribution not covered by the own budget (>= 0)
    envelope: float  # the FIRM envelope for the year (all agencies together)
    eligible_cost: float = 0.0  # P50 of the year's eligible lines: the cap on `requested`
    reserved: float = 0.0  # envelope "onder voorbehoud" (VRD 3 2026), not in `envelope`
    cap: str = ""  # why requested < asked: "" | CAP_ELIGIBLE | CAP_NO_COFINANCING


CAP_ELIGIBLE = "eligible"  # capped at the year's eligible P50
CAP_NO_COFINANCING = "no_cofinancing"  # no co-financing in this year ("later")
CAP_LABELS = {
    CAP_ELIGIBLE: "begrensd tot de raming (P50) van de kosten die in aanmerking komen",
    CAP_NO_COFINANCING: "geen cofinanciering in dit jaar (enkel 2026 en 2027)",
}


def years_note(summary: EstimateSummary) -> str:
    """Why the years' P50s do not add up to the portfolio P50 (when they do not)."""
    from elo_tui.domain.formats import euro

    years = summary.years_p50_total
    if years == summary.total.p50:
        return ""
    return (
        f"Som van de jaren (P50) {euro(years)} ≠ P50 {euro(summary.total.p50)}: "
        "percentielen tellen niet op. Eigen bijdrage in de totalen = P50 − gevraagd."
    )


def cap_note(asked: float, requested: float, cap: str) -> str:
    """Where a rule caps the request, say so: 'gevraagd € 40.000, afgetopt op € 12.000
    (regel: …)'; '' when nothing was capped."""
    from elo_tui.domain.formats import euro

    if not cap:
        return ""
    return f"gevraagd {euro(asked)}, afgetopt op {euro(requested)} (regel: {CAP_LABELS[cap]})"


@dataclass(frozen=True, slots=True)
class ProductShare:
    """A product's cost: its own lines plus its share of its applications' lines."""

    own: float
    shared: float

    @property
    def total(self) -> float:
        return self.own + self.shared


@dataclass(frozen=True, slots=True)
class EstimateSummary:
    costs: list[LineCost]  # every counted line, valid or not (excluded ones: `excluded`)
    simulation: Simulation
    sd: float  # sqrt of the summed PERT-beta variances (independent lines)
    by_year: dict[str, Spread]
    one_off_by_year: dict[str, float]
    recurring_by_year: dict[str, float]
    by_block: dict[str, float]
    by_application: dict[str, float]
    by_category: dict[str, float]
    cofinancing: list[CofinancingRow]
    # Eligible for co-financing (domain.cofinancing): simulated apart, means per year.
    eligible_simulation: Simulation | None = None
    eligible_by_year: dict[str, float] = field(default_factory=dict)  # PERT mean
    not_eligible_by_year: dict[str, float] = field(default_factory=dict)  # PERT mean
    # Lines of applications "buiten beschouwing" (Application.excluded): costed, not counted.
    excluded: list[LineCost] = field(default_factory=list)
    excluded_by_application: dict[str, float] = field(default_factory=dict)  # PERT mean
    excluded_lines_by_application: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> Spread:
        return self.simulation.total

    @property
    def invalid(self) -> list[LineCost]:
        return [c for c in self.costs if not c.valid]

    @property
    def requested_total(self) -> float:
        return math.fsum(r.requested for r in self.cofinancing)

    @property
    def own_contribution_total(self) -> float:
        """The portfolio budget (P50) minus what is requested, so that P50 = requested +
        own contribution as shown. Not the sum of the years' own contributions: a P50 of
        a sum is not the sum of the years' P50s (see `years_p50_total`)."""
        return self.total.p50 - self.requested_total

    @property
    def years_p50_total(self) -> float:
        """The sum of the years' P50s (differs from the portfolio P50)."""
        return math.fsum(r.cost for r in self.cofinancing)

    @property
    def eligible_total(self) -> float:
        return math.fsum(self.eligible_by_year.values())

    @property
    def not_eligible_total(self) -> float:
        return math.fsum(self.not_eligible_by_year.values())

    @property
    def excluded_total(self) -> float:
        return math.fsum(self.excluded_by_application.values())


def application_of(product: Product) -> str:
    """The application a product's own lines are counted under (request, else follow-up)."""
    return product.request_application_id or product.followup_application_id or NO_APPLICATION


def summarize(
    lines: Iterable[EstimateLine],
    products: Iterable[Product],
    agency: Agency | None,
    *,
    applications: Iterable[Application] = (),
    seed: int = DEFAULT_SEED,
    draws: int = DRAWS,
    exact_lines: int = EXACT_LINES,
) -> EstimateSummary:
    """Cost every line and roll the portfolio up (see the module docstring).

    `applications`: only their `excluded` flag matters here; lines of an excluded
    application (or of a product counted under one) are kept apart.
    """
    tally = LineTally(products, agency, applications=applications)
    tally.add(lines)
    return tally.summary(seed=seed, draws=draws, exact_lines=exact_lines)


class LineTally:
    """`summarize` fed its lines a page at a time: `add` costs a page and gives its
    costs back, `summary` rolls up everything added. Every sum is taken in the order the
    lines came, as `summarize` (which is this, fed once) takes it.

    Without `keep_costs` no line is held: the summary's `costs` and `excluded` are empty
    and the counts (`counted`, `invalid`, `by_default_rule`) and the product shares
    (`shares`) are what is left of them. At 20,000 products the 34,000 lines and their
    costs were ~24 MB of a concept export's peak (bench/RESULTS.md, round 11). The
    simulation then keeps one shared SimKind per distinct line (the lines must come in
    id order, the simulation's own: `add` checks it), where `summarize` sorts a
    SimPoint per line.

    `spool_own(key)`: a sequence that each product line's (product id, mean) is appended
    to and that reads back in the order a stable sort by `key` gives (a spool), instead
    of a sum per product held until `shares` (with the product ids it kept alive: ~2.5 MB
    of a concept export's peak at 20,000 products; bench/RESULTS.md, round 17). `shares`
    then takes the products in id order, a page at a time."""

    KINDS_KEPT = 4096  # distinct SimKinds shared: lines all different cost no more

    def __init__(
        self,
        products: Iterable[Product],
        agency: Agency | None,
        *,
        applications: Iterable[Application] = (),
        keep_costs: bool = True,
        spool_own: Callable[[Callable[[tuple[str, float]], str]], Any] | None = None,
    ) -> None:
        self.agency = agency
        self.rates = Rates.of(agency)
        self._app_of_product: dict[str, str] = {}
        self._users: dict[str, int] = {}  # products per application (`shares`)
        self.add_products(products)
        self._excluded_apps = {a.id for a in applications if a.excluded and not a.deleted}
        self._keep = keep_costs
        self.costs: list[LineCost] = []
        self.excluded: list[LineCost] = []
        self.counted = 0  # lines counted (not of an excluded application), valid or not
        self.invalid = 0  # of those, the ones that cannot be costed
        self.by_default_rule = 0  # of those, the ones eligible by the default rule
        self._excluded_by_app: dict[str, float] = {}
        self._excluded_count: dict[str, int] = {}
        self._one_off: dict[str, float] = dict.fromkeys(YEARS, 0.0)
        self._recurring: dict[str, float] = dict.fromkeys(YEARS, 0.0)
        self._eligible_mean: dict[str, float] = dict.fromkeys(YEARS, 0.0)
        self._not_eligible_mean: dict[str, float] = dict.fromkeys(YEARS, 0.0)
        self._by_block: dict[str, float] = {}
        self._by_app: dict[str, float] = {}
        self._by_cat: dict[str, float] = dict.fromkeys(CATEGORIES, 0.0)
        self._variance = 0.0
        # product shares: own lines per product, application lines per application
        self._own: dict[str, float] = {}
        # (or spooled: (product id, mean) per line, summed as `shares` reads them back)
        self._own_spool = None if spool_own is None else spool_own(itemgetter(0))
        self._own_read: Iterator[tuple[str, float]] | None = None
        self._own_next: tuple[str, float] | None = None
        self._own_last = ""  # the last product `shares` was given
        self._app_cost: dict[str, float] = {}
        # the simulation's points: SimPoints (sorted when simulated), or without
        # `keep_costs` shared SimKinds in id order
        self._points: list[SimPoint | SimKind] = []
        self._eligible_points: list[SimPoint | SimKind] = []
        self._kinds: dict[SimKind, SimKind] = {}
        self._last_id: str | None = None

    def add_products(self, products: Iterable[Product], *, map_lines: bool = True) -> None:
        """More of the products the lines are costed for (before the lines: a concept's
        are read a page at a time). Without `map_lines` they are only counted per
        application (`shares`): each page of lines then comes with the application of
        its products (`add`), not kept for every product (~2 MB at 20,000 products)."""
        app_of, users = self._app_of_product, self._users
        for p in products:
            if map_lines:
                app_of[p.id] = application_of(p)
            for a in _apps_of(p):
                users[a] = users.get(a, 0) + 1

    def add(
        self, lines: Iterable[EstimateLine], app_of_product: Mapping[str, str] | None = None
    ) -> tuple[list[LineCost], list[LineCost]]:
        """Cost `lines` (tombstones skipped): their costs, counted and excluded.
        `app_of_product`: the application each product of these lines is counted under
        (`application_of`; a product not in it: none), when not that of the products
        the tally was given."""
        app_of = self._app_of_product if app_of_product is None else app_of_product
        counted: list[LineCost] = []
        excluded: list[LineCost] = []
        for line in lines:
            if line.deleted:
                continue
            if self._excluded_apps:
                app = _application_of_line(line, app_of)
                if app in self._excluded_apps:
                    c = cost_line(line, self.rates)
                    excluded.append(c)
                    self._excluded_by_app[app] = self._excluded_by_app.get(app, 0.0) + c.mean
                    self._excluded_count[app] = self._excluded_count.get(app, 0) + 1
                    continue
            c = cost_line(line, self.rates)
            counted.append(c)
            self._count(c, app_of)
        if self._keep:
            self.costs += counted
            self.excluded += excluded
        return counted, excluded

    def _count(self, c: LineCost, app_of_product: Mapping[str, str]) -> None:
        line = c.line
        self.counted += 1
        if line.eligible is None:
            self.by_default_rule += 1
        if not c.valid:
            self.invalid += 1
            return
        eligible = is_eligible(line)
        if self._keep:
            point: SimPoint | SimKind = SimPoint.of(c)
        else:
            if self._last_id is not None and line.id <= self._last_id:
                raise ValueError(  # (the store gives them in id order: a programming error)
                    f"Ramingslijn {line.id} komt na {self._last_id}: de lijnen moeten op id "
                    "gesorteerd zijn."
                )
            self._last_id = line.id
            kind = SimKind.of(c)
            point = self._kinds.get(kind, kind)
            if point is kind and len(self._kinds) < self.KINDS_KEPT:
                self._kinds[kind] = kind
        self._points.append(point)
        if eligible:
            self._eligible_points.append(point)
        year = line.budget_year
        target = self._recurring if line.recurrence == "recurring" else self._one_off
        target[year] = target.get(year, 0.0) + c.mean
        split = self._eligible_mean if eligible else self._not_eligible_mean
        split[year] = split.get(year, 0.0) + c.mean
        self._by_block[line.block] = self._by_block.get(line.block, 0.0) + c.mean
        app = _application_of_line(line, app_of_product)
        self._by_app[app] = self._by_app.get(app, 0.0) + c.mean
        self._by_cat[line.category] = self._by_cat.get(line.category, 0.0) + c.mean
        self._variance += c.variance
        if line.scope_kind == "product":
            if self._own_spool is not None:
                if self._own_read is not None:  # (a programming error)
                    raise ValueError("Ramingslijn na het lezen van de productaandelen.")
                self._own_spool.append((line.scope_id, c.mean))
            else:
                self._own[line.scope_id] = self._own.get(line.scope_id, 0.0) + c.mean
        elif line.scope_kind == "application":
            self._app_cost[line.scope_id] = self._app_cost.get(line.scope_id, 0.0) + c.mean

    def _simulate(self, points: list[SimPoint | SimKind], **kwargs: Any) -> Simulation:
        if self._keep:
            return simulate_points(cast(list[SimPoint], points), **kwargs)
        return simulate_ordered(points, **kwargs)  # (in id order: `_count` checked)

    def summary(
        self, *, seed: int = DEFAULT_SEED, draws: int = DRAWS, exact_lines: int = EXACT_LINES
    ) -> EstimateSummary:
        """The roll-up of every line added so far."""
        kwargs: dict[str, Any] = {"seed": seed, "draws": draws, "exact_lines": exact_lines}
        sim = self._simulate(self._points, **kwargs)
        if len(self._eligible_points) == len(self._points):
            eligible_sim = same_draws(sim)
        else:
            eligible_sim = self._simulate(self._eligible_points, **kwargs)
        block_order = {code: i for i, code in enumerate(BLOCKS)}
        by_block = sorted(
            self._by_block.items(), key=lambda kv: (block_order.get(kv[0], 99), kv[0])
        )
        return EstimateSummary(
            costs=self.costs,
            simulation=sim,
            sd=math.sqrt(self._variance),
            by_year=sim.by_year,
            one_off_by_year=self._one_off,
            recurring_by_year=self._recurring,
            by_block=dict(by_block),
            by_application=dict(sorted(self._by_app.items())),
            by_category=self._by_cat,
            cofinancing=cofinancing(sim.by_year, self.agency, eligible_sim.by_year),
            eligible_simulation=eligible_sim,
            eligible_by_year=self._eligible_mean,
            not_eligible_by_year=self._not_eligible_mean,
            excluded=self.excluded,
            excluded_by_application=dict(sorted(self._excluded_by_app.items())),
            excluded_lines_by_application=self._excluded_count,
        )

    def shares(self, products: Iterable[Product]) -> dict[str, ProductShare]:
        """`product_shares` of the lines added so far, for the products the tally was
        made with (gone through once). With `spool_own`: the products in id order, every
        line added before the first of them."""
        if self._own_spool is None:
            return shares_of(products, self._own, self._app_cost, self._users)
        products = list(products)
        return shares_of(products, self._own_sums(products), self._app_cost, self._users)

    def _own_sums(self, products: list[Product]) -> dict[str, float]:
        """The spooled means of `products` (in id order, after those of the last call)
        summed per product, in the order their lines came (as the dict sums them)."""
        if self._own_read is None:
            assert self._own_spool is not None  # (`shares` reads a spool only)
            self._own_read = iter(self._own_spool)
            self._own_next = next(self._own_read, None)
        read, item = self._own_read, self._own_next
        sums: dict[str, float] = {}
        last = self._own_last
        for p in products:
            if p.id <= last:  # (the store gives them in id order: a programming error)
                raise ValueError(
                    f"Product {p.id} komt na {last}: de producten moeten op id gesorteerd zijn."
                )
            last = p.id
            while item is not None and item[0] < last:  # (lines of no product given)
                item = next(read, None)
            if item is not None and item[0] == last:
                total = 0.0
                while item is not None and item[0] == last:
                    total += item[1]
                    item = next(read, None)
                sums[last] = total
        self._own_next, self._own_last = item, last
        return sums


def _application_of_line(line: EstimateLine, app_of_product: Mapping[str, str]) -> str:
    if line.scope_kind == "application":
        return line.scope_id
    if line.scope_kind == "product":
        return app_of_product.get(line.scope_id, NO_APPLICATION)
    return NO_APPLICATION


def cofinancing(
    by_year: Mapping[str, Spread],
    agency: Agency | None,
    eligible_by_year: Mapping[str, Spread] | None = None,
) -> list[CofinancingRow]:
    """Own contribution versus requested co-financing per budget year.

    The request is capped at the year's P50 of the eligible lines (`eligible_by_year`;
    without it every line counts as eligible) and exists only where the firm envelope
    has money (2026, 2027).
    """
    if eligible_by_year is None:
        eligible_by_year = by_year
    asked_by_year = dict(agency.requested_cofinancing) if agency else {}
    own_by_year = dict(agency.own_budget) if agency else {}
    rows = []
    for year in YEARS:
        spread = by_year.get(year)
        cost = spread.p50 if spread else 0.0
        eligible_spread = eligible_by_year.get(year)
        eligible_cost = eligible_spread.p50 if eligible_spread else 0.0
        asked = float(asked_by_year.get(year) or 0.0)
        envelope = ENVELOPE.get(year, 0.0)
        cap = ""
        if envelope <= 0:
            requested = 0.0
            cap = CAP_NO_COFINANCING if asked > 0 else ""
        else:
            requested = max(min(whole_euros(asked), eligible_cost), 0.0)
            cap = CAP_ELIGIBLE if whole_euros(asked) > requested else ""
        own = cost - requested
        own_budget = float(own_by_year.get(year) or 0.0)
        rows.append(
            CofinancingRow(
                year=year,
                cost=cost,
                asked=asked,
                requested=requested,
                own_contribution=own,
                own_budget=own_budget,
                shortfall=max(own - own_budget, 0.0),
                envelope=envelope,
                eligible_cost=eligible_cost,
                reserved=reserved_envelope(year),
                cap=cap,
            )
        )
    return rows


def product_shares(
    products: Collection[Product], summary: EstimateSummary
) -> dict[str, ProductShare]:
    """Per product: its own lines plus an equal share of each of its applications' lines.

    An application-level block is costed once per application; its cost is split evenly
    over the products that application serves (for request or follow-up), so the shares
    add up to the application's cost.
    """
    own: dict[str, float] = {}
    app_cost: dict[str, float] = {}
    for c in summary.costs:
        if not c.valid:
            continue
        if c.line.scope_kind == "product":
            own[c.line.scope_id] = own.get(c.line.scope_id, 0.0) + c.mean
        elif c.line.scope_kind == "application":
            app_cost[c.line.scope_id] = app_cost.get(c.line.scope_id, 0.0) + c.mean
    return shares_of(products, own, app_cost)


def shares_of(
    products: Iterable[Product],
    own: Mapping[str, float],
    app_cost: Mapping[str, float],
    users: Mapping[str, int] | None = None,
) -> dict[str, ProductShare]:
    """`product_shares` from the valid lines' means summed per product (`own`) and per
    application (`app_cost`). `users`: how many of `products` each application serves,
    when counted already (`products` is then gone through once: a concept's are read
    from the store)."""
    if users is None:
        products = list(products)
        counted: dict[str, int] = {}
        for p in products:
            for a in _apps_of(p):
                counted[a] = counted.get(a, 0) + 1
        users = counted
    return {
        p.id: ProductShare(
            own.get(p.id, 0.0), math.fsum(app_cost.get(a, 0.0) / users[a] for a in _apps_of(p))
        )
        for p in products
    }


def _apps_of(p: Product) -> set[str]:
    return {a for a in (p.request_application_id, p.followup_application_id) if a}


@dataclass(frozen=True, slots=True)
class FormsToolRow:
    """A low-volume product: own integration versus moving it to the forms tool."""

    product_id: str
    name: str
    yearly_volume: int
    own_integration: float  # own lines + share of its applications' lines (PERT mean)
    forms_tool: float  # PERT mean of moving it to the forms tool

    @property
    def saving(self) -> float:
        """Positive when the forms tool is cheaper."""
        return self.own_integration - self.forms_tool


def is_low_volume(p: Product, threshold: int) -> bool:
    """A known yearly volume below `threshold`: a product the forms tool may take."""
    return p.yearly_volume is not None and p.yearly_volume < threshold


def forms_tool_comparison(
    products: Collection[Product],
    applications: Iterable[Application],
    summary: EstimateSummary,
    forms_tool_cost: float,
    *,
    threshold: int = LOW_VOLUME_THRESHOLD,
    shares: Mapping[str, ProductShare] | None = None,
) -> list[FormsToolRow]:
    """Side by side for products with a known yearly volume below `threshold` that are not
    already requested through the forms tool; largest possible saving first.

    "Own integration" counts the application share as if it were saved by moving this one
    product; that is only true when all products of the application move: indicative.
    `shares`: `product_shares(products, summary)` when the caller has them already.
    """
    applications = list(applications)
    forms_apps = {a.id for a in applications if a.kind == "forms_tool"}
    excluded_apps = {a.id for a in applications if a.excluded}
    if shares is None:
        shares = product_shares(products, summary)
    rows = [
        # (a volume is_low_volume knows)
        FormsToolRow(p.id, p.name, p.yearly_volume or 0, shares[p.id].total, forms_tool_cost)
        for p in products
        if is_low_volume(p, threshold)
        and p.request_application_id not in forms_apps
        and application_of(p) not in excluded_apps
    ]
    rows.sort(key=lambda r: (-r.saving, r.name.casefold()))
    return rows


# -- form input -------------------------------------------------------------------------------

LINE_FORM_FIELDS = (
    "description",
    "block",
    "method",
    "optimistic_days",
    "likely_days",
    "pessimistic_days",
    "day_rate",
    "fixed_amount",
    "budget_year",
    "recurrence",
    "category",
    "basis",
    "eligible",
)


def parse_line_form(
    values: Mapping[str, Any], rates: Rates
) -> tuple[dict[str, Any], dict[str, str]]:
    """Read the edit form of a line (numbers as typed, Belgian style allowed).

    Returns the cleaned field values and field -> Dutch message; nothing is saved when
    there are messages. O <= M <= P, no negatives, a day rate for three-point lines.
    """
    from elo_tui.domain.cofinancing import parse_eligible_choice
    from elo_tui.domain.validation import NumberFormatError, add_contract_errors, parse_number

    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    out["eligible"], problem = parse_eligible_choice(values.get("eligible"))
    if problem:
        errors["eligible"] = problem
    for key in ("description", "block", "method", "budget_year", "recurrence", "category", "basis"):
        out[key] = str(values.get(key, "") or "").strip()
    labels = {
        "optimistic_days": "Optimistisch",
        "likely_days": "Meest waarschijnlijk",
        "pessimistic_days": "Pessimistisch",
        "day_rate": "Dagtarief",
        "fixed_amount": "Vast bedrag",
    }
    for key, label in labels.items():
        try:
            out[key] = parse_number(values.get(key))
        except NumberFormatError as exc:
            errors[key] = f"{label}: {exc}."
            out[key] = None
    if out["block"] and out["block"] not in BLOCKS:
        errors["block"] = f"Onbekende bouwsteen '{out['block']}'."
    if len(out["description"]) > 300:
        errors["description"] = "Omschrijving is te lang (maximaal 300 tekens)."
    if out["method"] == "fixed":
        for key in ("optimistic_days", "likely_days", "pessimistic_days", "day_rate"):
            out[key] = None
    elif out["method"] == "three_point":
        out["fixed_amount"] = None
    probe = EstimateLine(
        method=out["method"],
        optimistic_days=out["optimistic_days"],
        likely_days=out["likely_days"],
        pessimistic_days=out["pessimistic_days"],
        day_rate=out["day_rate"],
        fixed_amount=out["fixed_amount"],
        budget_year=out["budget_year"],
        recurrence=out["recurrence"],
        category=out["category"],
    )
    for key, message in line_problems(probe, rates).items():
        errors.setdefault(key, message)
    add_contract_errors("estimate_line", out, errors)
    return out, errors
