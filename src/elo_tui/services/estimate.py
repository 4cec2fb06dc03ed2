"""Use cases of the integration estimate, shared by the costs screen, the CLI and exports.

Stdlib and domain only at import time (the costs screen loads this module).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from elo_tui.domain import estimate as est
from elo_tui.domain import formats
from elo_tui.domain.cofinancing import eligible_choice
from elo_tui.domain.estimate_template import CostTemplate, propose
from elo_tui.domain.records import Agency, Application, BlockStatus, EstimateLine, Product
from elo_tui.store import Workspace


@dataclass(slots=True)
class CostOverview:
    """Everything the costs screen shows, computed in one go."""

    agency: Agency | None
    summary: est.EstimateSummary
    scope_names: dict[tuple[str, str], str]  # (scope kind, id) -> name
    forms_tool: list[est.FormsToolRow] = field(default_factory=list)
    forms_tool_cost: float | None = None
    template_problem: str = ""  # why no template could be read ("" when fine)
    forms_tool_threshold: int = est.LOW_VOLUME_THRESHOLD  # an ASSUMPTION (see cofinancing)
    exclusion_reasons: dict[str, str] = field(default_factory=dict)  # excluded app -> reason

    def scope_label(self, kind: str, scope_id: str) -> str:
        return scope_label(kind, scope_id, self.scope_names)


def scope_label(kind: str, scope_id: str, names: dict[tuple[str, str], str]) -> str:
    if kind == "agency":
        return "Entiteit (algemeen)"
    name = names.get((kind, scope_id))
    prefix = est.SCOPE_KINDS.get(kind, kind)
    return f"{prefix}: {name}" if name is not None else f"{prefix}: (onbekend {scope_id[:8]})"


def scope_names(
    applications: list[Application], products: list[Product]
) -> dict[tuple[str, str], str]:
    names = {("application", a.id): a.name for a in applications}
    names.update({("product", p.id): p.name for p in products})
    return names


def template_or_problem(template: CostTemplate | None = None) -> tuple[CostTemplate | None, str]:
    if template is not None:
        return template, ""
    from elo_tui.io.cost_template import CostTemplateError, load_cost_template

    try:
        return load_cost_template(), ""
    except CostTemplateError as exc:
        return None, str(exc)


def forms_tool_cost(template: CostTemplate | None, agency: Agency | None) -> float | None:
    """PERT mean of moving one product to the forms tool (None without a usable rate)."""
    if template is None or template.forms_tool is None:
        return None
    line = template.forms_tool.make("product", "", "")
    cost = est.cost_line(line, est.Rates.of(agency))
    return cost.mean if cost.valid else None


def overview(
    ws: Workspace, *, template: CostTemplate | None = None, seed: int = est.DEFAULT_SEED
) -> CostOverview:
    agency = ws.agency()
    applications = ws.list(Application)
    products = _products_for_costs(ws)
    lines = ws.list(EstimateLine)
    summary = est.summarize(lines, products, agency, applications=applications, seed=seed)
    template, problem = template_or_problem(template)
    cost = forms_tool_cost(template, agency)
    rows: list[est.FormsToolRow] = []
    if cost is not None and template is not None:
        rows = est.forms_tool_comparison(
            products, applications, summary, cost, threshold=template.low_volume_threshold
        )
    return CostOverview(
        agency,
        summary,
        scope_names(applications, products),
        rows,
        cost,
        problem,
        template.low_volume_threshold if template is not None else est.LOW_VOLUME_THRESHOLD,
        {a.id: a.exclusion_reason for a in applications if a.excluded},
    )


# What the estimate reads of a product (summarize, product_shares, forms_tool_comparison).
_COST_PRODUCT_COLUMNS = (
    "id",
    "name",
    "request_application_id",
    "followup_application_id",
    "yearly_volume",
)


def _products_for_costs(ws: Workspace) -> list[Product]:
    """Live products with only the fields the estimate reads (read-only views: never
    saved). At 20,000 products whole records cost most of the costs screen's start."""
    return [
        Product(
            id=pid,
            name=name or "",
            request_application_id=req or "",
            followup_application_id=fol or "",
            yearly_volume=volume,
        )
        for pid, name, req, fol, volume in ws.columns(Product, _COST_PRODUCT_COLUMNS)
    ]


def propose_lines(
    ws: Workspace, *, template: CostTemplate | None = None, today: str | None = None
) -> list[EstimateLine]:
    """Add template lines for required blocks that are not in production and have none.

    Idempotent: a second run adds nothing. Raises CostTemplateError when no template can
    be read.
    """
    if template is None:
        from elo_tui.io.cost_template import load_cost_template

        template = load_cost_template()
    new = propose(
        ws.list(BlockStatus),
        ws.list(EstimateLine),
        template,
        who=ws.user,
        today=today or date.today().isoformat(),
    )
    if new:
        ws.save_many(new)
    return new


def save_line(
    ws: Workspace,
    values: dict[str, Any],
    *,
    line: EstimateLine | None = None,
    scope_kind: str = "agency",
    scope_id: str = "",
) -> EstimateLine | dict[str, str]:
    """Validate the form values and save (a new line when `line` is None).

    Returns the saved line, or field -> Dutch message when nothing was saved. Saving a
    line confirms it: it is no longer an assumption.
    """
    agency = ws.agency()
    cleaned, errors = est.parse_line_form(values, est.Rates.of(agency))
    if errors:
        return errors
    target = line if line is not None else EstimateLine(scope_kind=scope_kind, scope_id=scope_id)
    for key, value in cleaned.items():
        setattr(target, key, value)
    target.assumed = False
    return ws.save(target)


def confirm_line(ws: Workspace, line_id: str) -> EstimateLine | None:
    line = ws.get(EstimateLine, line_id)
    if line is None or line.deleted:
        return None
    line.assumed = False
    return ws.save(line)


def delete_line(ws: Workspace, line_id: str) -> None:
    ws.delete(EstimateLine, line_id)


def form_values(line: EstimateLine) -> dict[str, str]:
    """A line's fields as the edit form shows them (numbers in Belgian style)."""

    def num(value: float | None) -> str:
        if value is None:
            return ""
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")

    return {
        "description": line.description,
        "block": line.block,
        "method": line.method,
        "optimistic_days": num(line.optimistic_days),
        "likely_days": num(line.likely_days),
        "pessimistic_days": num(line.pessimistic_days),
        "day_rate": num(line.day_rate),
        "fixed_amount": num(line.fixed_amount),
        "budget_year": line.budget_year,
        "recurrence": line.recurrence,
        "category": line.category,
        "basis": line.basis,
        "eligible": eligible_choice(line.eligible),
    }


# '€ 1.234.567' (Belgian grouping): the one formatter, kept under its old name here.
euro = formats.euro
