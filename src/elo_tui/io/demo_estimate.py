"""Demo extension: an integration estimate for the demo agency. EXAMPLE DATA ONLY.

Proposes lines from the cost template for the demo's required blocks (as the costs screen
would), confirms a few with an invented supplier quote, adds agency-wide lines and fills
in the co-financing request, so `elo-tui --demo` shows a costs screen with numbers and a
submission can be made. Eligibility: most lines follow the default rule (an assumption);
one line is explicitly eligible and one explicitly not. The statements on the conditions
of beslissing 6° are filled in; the BVCO intervention threshold is left unknown (it lives
in workspace meta, which the demo does not set). Registered in `io.demo.DEMO_EXTENSIONS`
after the block demo.
"""

from __future__ import annotations

from elo_tui.domain.estimate_template import propose
from elo_tui.domain.records import Agency, Application, BlockStatus, EstimateLine, Product, Record

DEMO_DAY = "2026-01-15"


def _demo_statuses(
    agency: Agency, apps: dict[str, Application], products: list[Product]
) -> list[BlockStatus]:
    """The block statuses the block demo creates (same rules, so the same cells)."""
    try:
        from elo_tui.io.demo_blocks import demo_block_records
    except ImportError:
        return []
    return [r for r in demo_block_records(agency, apps, products) if isinstance(r, BlockStatus)]


def demo_estimate_records(
    agency: Agency, apps: dict[str, Application], products: list[Product]
) -> list[Record]:
    from elo_tui.io.cost_template import CostTemplateError, load_cost_template

    try:
        template = load_cost_template()
    except CostTemplateError:
        return []
    lines = propose(
        _demo_statuses(agency, apps, products), [], template, who="demo", today=DEMO_DAY
    )
    subsidie = apps["subsidie"].id
    for line in lines:
        if line.scope_kind == "application" and line.scope_id == subsidie:
            line.assumed = False
            line.basis = (
                "Offerte Leverancier A (fictief) van 15/01/2026, nagekeken door het eigen "
                "ICT-team. VOORBEELD."
            )
            if line.block == "dosis" and line.category == "supplier":
                line.eligible = True  # explicit: the supplier's DOSIS integration
                line.method = "fixed"
                line.fixed_amount = 38_500.0
                line.optimistic_days = line.likely_days = line.pessimistic_days = None
    lines += [
        EstimateLine(
            scope_kind="agency",
            block="",
            description="Projectleiding en coördinatie ELO-traject",
            optimistic_days=20.0,
            likely_days=30.0,
            pessimistic_days=45.0,
            budget_year="2026",
            category="internal",
            basis="Aanname projectleider: ongeveer 0,2 VTE in 2026. VOORBEELD.",
        ),
        EstimateLine(
            scope_kind="agency",
            block="",
            description="Projectleiding en opvolging 2027",
            optimistic_days=10.0,
            likely_days=15.0,
            pessimistic_days=25.0,
            budget_year="2027",
            category="internal",
            basis="Aanname projectleider: afbouw na de deadline van 30/06/2027. VOORBEELD.",
        ),
        EstimateLine(
            scope_kind="application",
            scope_id=subsidie,
            block="global_header",
            description="Huisstijl en teksten van het loket herschrijven",
            optimistic_days=3.0,
            likely_days=5.0,
            pessimistic_days=8.0,
            budget_year="2026",
            category="internal",
            basis="Aanname communicatieteam. Zelf als niet in aanmerking gemarkeerd: geen "
            "integratiekost met de bouwstenen. VOORBEELD.",
            eligible=False,
        ),
        EstimateLine(
            scope_kind="agency",
            block="",
            description="Licentie testomgeving (fictief)",
            method="fixed",
            fixed_amount=2_400.0,
            budget_year="2027",
            recurrence="recurring",
            category="licence",
            basis="Prijslijst leverancier (fictief), per jaar. VOORBEELD.",
        ),
    ]
    agency.requested_cofinancing = {"2026": 120_000.0, "2027": 60_000.0}
    agency.cofinancing_statements = {"no_extra_request": True, "savings_honoured": True}
    agency.justification = (
        "VOORBEELD. Het agentschap brengt al zijn producten voor ondernemers naar "
        "e-loketondernemers. De cofinanciering dekt vooral de DOSIS-koppelingen van het "
        "vergunningenloket en de erkenningendatabank; de rest dragen we uit eigen middelen."
    )
    return [agency, *lines]
