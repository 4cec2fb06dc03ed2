"""Default estimate lines from the cost template, and which blocks still need them.

The template (checklists/costs/default.toml, read by `io.cost_template`) holds default
three-point efforts per building block. `propose` turns it into estimate lines for every
required block that is not yet in production and has no line yet: application-level
blocks once per application, product-level blocks once per product. Proposed lines are
marked `assumed` until somebody confirms them. Running it again adds nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from elo_tui.domain.records import BlockStatus, EstimateLine


@dataclass(frozen=True, slots=True)
class TemplateLine:
    """One default line of the cost template (efforts are assumptions)."""

    block: str  # "" for the forms-tool line
    description: str
    category: str
    optimistic_days: float
    likely_days: float
    pessimistic_days: float
    budget_year: str
    recurrence: str
    basis: str

    def make(self, scope_kind: str, scope_id: str, basis_suffix: str) -> EstimateLine:
        return EstimateLine(
            scope_kind=scope_kind,
            scope_id=scope_id,
            block=self.block,
            description=self.description,
            method="three_point",
            optimistic_days=self.optimistic_days,
            likely_days=self.likely_days,
            pessimistic_days=self.pessimistic_days,
            day_rate=None,  # follows the agency's rate for the category
            budget_year=self.budget_year,
            recurrence=self.recurrence,
            category=self.category,
            basis=f"{self.basis} {basis_suffix}".strip(),
            assumed=True,
        )


@dataclass(frozen=True, slots=True)
class CostTemplate:
    lines: tuple[TemplateLine, ...]
    forms_tool: TemplateLine | None
    low_volume_threshold: int
    basis: str
    source: str = ""  # file it came from, for messages and the basis text

    def lines_for(self, block: str) -> list[TemplateLine]:
        return [t for t in self.lines if t.block == block]


def required_open(statuses: Iterable[BlockStatus]) -> list[BlockStatus]:
    """Block statuses that still cost something: required and not yet in production."""
    return [
        s
        for s in statuses
        if not s.deleted and s.applicability == "required" and s.stage != "production"
    ]


def propose(
    statuses: Iterable[BlockStatus],
    existing: Iterable[EstimateLine],
    template: CostTemplate,
    *,
    who: str,
    today: str,
) -> list[EstimateLine]:
    """New lines for required, not-in-production blocks without any line yet; plus the
    forms-tool move for products whose blocks run 'via the forms tool'."""
    existing = [line for line in existing if not line.deleted]
    covered = {(line.scope_kind, line.scope_id, line.block) for line in existing}
    described = {
        (line.scope_kind, line.scope_id, line.block, line.description) for line in existing
    }
    suffix = f"Voorgesteld uit het kostensjabloon door {who or 'onbekend'} op {today}."
    statuses = sorted(
        (s for s in statuses if not s.deleted), key=lambda s: (s.scope_kind, s.scope_id, s.block)
    )
    new: list[EstimateLine] = []
    for status in required_open(statuses):
        key = (status.scope_kind, status.scope_id, status.block)
        if key in covered:
            continue
        covered.add(key)
        new.extend(
            t.make(status.scope_kind, status.scope_id, suffix)
            for t in template.lines_for(status.block)
        )
    forms = template.forms_tool
    if forms is not None:
        for status in statuses:
            if status.applicability != "forms_tool" or status.scope_kind != "product":
                continue
            key4 = ("product", status.scope_id, forms.block, forms.description)
            if key4 in described:
                continue
            described.add(key4)
            new.append(forms.make("product", status.scope_id, suffix))
    return new
