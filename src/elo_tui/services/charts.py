"""What the charts show (issue 11 §4), as plain series: no Textual, no plotting library.

The chart widgets (widgets/charts.py, loaded only when a chart is shown) draw these.
Every figure comes from what the dashboard, the roadmap and the costs already compute:
the daily readiness snapshots (services/mapping.record_snapshot), the baseline and the
chosen plan scenario (services/roadmap), the estimate's P50/P80 per year
(domain/estimate). Nothing here decides a rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from elo_tui.domain.blocks import (
    BLOCKS,
    DEADLINE_JAN_2027,
    DEADLINE_JUN_2027,
    PAIRS,
    REQUIREMENTS,
)
from elo_tui.domain.readiness import ReadinessSummary

# Quarter -> the date its plan point is drawn at (the quarter's last day).
_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}

REALISED_LABEL = "ELO-conform (zelf verklaard)"
PARTS_LABEL = "bouwsteendelen in productie"
MILESTONE_NOTE = "Lijnen: 01/01/2027 opname op ELO (oranje); 30/06/2027 deadline (rood)."
HISTORY_NOTE = "Gerealiseerd: één meting per dag waarop het overzicht geopend werd."
# The baseline records "on ELO", not ELO-conform: the note says it is another measure.
BASELINE_NOTE = "Nulmeting 01/04/2025 ({n} producten): via ELO aan te vragen en op te volgen."
PLAN_NOTE = "Plan '{name}': conform per kwartaal volgens het gekozen scenario (aanname)."
NO_PLAN_NOTE = "Geen planscenario gekozen (Roadmap, 0): geen geplande lijn."


# Requirement labels that fit a bar chart's label column (24 cells).
REQUIREMENT_SHORT = {
    "sso": "single sign-on (SSO)",
    "gericht_aanmelden": "gericht aanmelden",
    "product_rights": "rechtenbeheer product",
}


def quarter_end(quarter: str) -> date:
    """'2026-Q3' -> 30/09/2026."""
    month, day = _QUARTER_END[int(quarter[-1])]
    return date(int(quarter[:4]), month, day)


def _percent(part: float, whole: float) -> float | None:
    return None if whole <= 0 else 100.0 * part / whole


@dataclass(slots=True)
class ReadinessTrack:
    """Readiness over time toward 30 June 2027."""

    today: date
    realised: list[tuple[date, float]]  # ELO-conform % per recorded day
    parts: list[tuple[date, float]]  # % of applicable block parts in production
    baseline: tuple[date, float] | None  # the nulmeting, when products have one
    baseline_products: int
    plan: list[tuple[date, float]]  # chosen scenario: % conform at each quarter's end
    plan_name: str
    milestones: list[tuple[date, str]] = field(default_factory=list)

    @property
    def start(self) -> date:
        days = [d for d, _ in self.realised + self.parts + self.plan]
        if self.baseline is not None:
            days.append(self.baseline[0])
        return min(days, default=self.today)

    @property
    def end(self) -> date:
        return DEADLINE_JUN_2027.day

    def notes(self) -> list[str]:
        out = [MILESTONE_NOTE, HISTORY_NOTE]
        if self.baseline is not None:
            out.append(BASELINE_NOTE.format(n=self.baseline_products))
        out.append(PLAN_NOTE.format(name=self.plan_name) if self.plan else NO_PLAN_NOTE)
        return out


def readiness_track(
    history: list[tuple[str, dict[str, Any]]], roadmap: Any, today: date
) -> ReadinessTrack:
    """The series from the recorded snapshots and the roadmap (services/roadmap.load)."""
    realised: list[tuple[date, float]] = []
    parts: list[tuple[date, float]] = []
    for day, snap in history:
        try:
            when = date.fromisoformat(day)
        except ValueError:
            continue  # a damaged history row: left out of the chart, the rest still shows
        conform = _percent(float(snap.get("elo_conform") or 0), float(snap.get("products") or 0))
        if conform is not None:
            realised.append((when, conform))
        overall = snap.get("overall_percent")
        if isinstance(overall, int | float):
            parts.append((when, float(overall)))
    baseline = None
    progress = getattr(roadmap, "progress", None)
    if progress is not None and progress.with_baseline:
        from elo_tui.domain.roadmap import BASELINE_DATE

        share = _percent(progress.on_elo_then, progress.with_baseline)
        baseline = (BASELINE_DATE, share or 0.0)
    plan: list[tuple[date, float]] = []
    plan_name = ""
    chosen = next((s for s in getattr(roadmap, "scenarios", []) if s.scenario.chosen), None)
    if chosen is not None and chosen.products:
        from elo_tui.domain.roadmap import MILESTONE_QUARTER

        plan_name = chosen.scenario.name
        plan = [
            (quarter_end(q), 100.0 * n / chosen.products)
            for q, n in sorted(chosen.conform_by_quarter.items())
            if q <= MILESTONE_QUARTER
        ]
    return ReadinessTrack(
        today,
        realised,
        parts,
        baseline,
        progress.with_baseline if progress is not None else 0,
        plan,
        plan_name,
        [(DEADLINE_JAN_2027.day, "opname ELO"), (DEADLINE_JUN_2027.day, "30/06/2027")],
    )


def load_readiness_track_from(
    path: Path, history: list[tuple[str, dict[str, Any]]], today: date
) -> ReadinessTrack:
    """`load_readiness_track` on its own connection, for a worker thread."""
    from elo_tui.store import Workspace

    with Workspace.open(path) as ws:
        return load_readiness_track(ws, history, today)


def load_readiness_track(ws: Any, history: list[tuple[str, dict[str, Any]]], today: date):
    """Read the roadmap (baseline, chosen plan) and build the track; safe in a worker."""
    from elo_tui.services import roadmap

    return readiness_track(history, roadmap.load(ws), today)


@dataclass(frozen=True, slots=True)
class BarRow:
    label: str
    percent: float | None  # None: nothing applies (shown as unknown, not as 0 %)
    done: int
    applicable: int


@dataclass(frozen=True, slots=True)
class BarGroup:
    title: str
    rows: list[BarRow]


def readiness_bars(summary: ReadinessSummary) -> list[BarGroup]:
    """Per block part (grouped per essential block), per requirement and ELO-conform."""
    groups = []
    for pair, pair_label in PAIRS.items():
        rows = []
        for info in (b for b in BLOCKS if b.pair == pair):
            b = summary.block(info.code)
            rows.append(BarRow(info.short, b.percent, b.done, b.applicable))
        groups.append(BarGroup(pair_label, rows))
    req_rows = []
    for r in REQUIREMENTS:
        f = summary.requirement(r.code)
        applicable = summary.products_total - f.not_applicable - f.exempt
        label = REQUIREMENT_SHORT.get(r.code, r.label)
        req_rows.append(BarRow(label, _percent(f.yes, applicable), f.yes, applicable))
    groups.append(BarGroup("Vereisten (per product)", req_rows))
    groups.append(
        BarGroup(
            "Producten",
            [
                BarRow(
                    "ELO-conform",
                    summary.elo_conform_percent,
                    summary.elo_conform,
                    summary.products_total,
                )
            ],
        )
    )
    return groups


@dataclass(frozen=True, slots=True)
class CostYear:
    year: str  # "2026" | "2027" | "later"
    label: str
    p50: float
    p80: float
    requested: float  # co-financing asked for (capped), 0 where none


def cost_years(summary: Any) -> list[CostYear]:
    """P50 (budget) and P80 (ceiling) per budget year, from an EstimateSummary."""
    from elo_tui.domain.estimate import YEAR_LABELS, YEARS

    requested = {r.year: r.requested for r in summary.cofinancing}
    out = []
    for year in YEARS:
        spread = summary.by_year.get(year)
        if spread is None:
            continue
        out.append(
            CostYear(
                year,
                YEAR_LABELS.get(year, year),
                spread.p50,
                spread.p80,
                requested.get(year, 0.0),
            )
        )
    return out
