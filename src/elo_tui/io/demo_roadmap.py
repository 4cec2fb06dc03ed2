"""Demo roadmap: the baseline (nulmeting of 1 April 2025), a few knelpunten and two plan
scenarios ("alles in 2026" and "gespreid", the latter chosen), so the Roadmap area, the
dashboard and the exports show something in the demo. Fictional, like all demo data."""

from __future__ import annotations

from elo_tui.domain.blocks import APPLICATION_BLOCKS, PRODUCT_BLOCKS
from elo_tui.domain.records import (
    Agency,
    Application,
    Baseline,
    Bottleneck,
    PlanItem,
    PlanScenario,
    Product,
    Record,
)

# Quarter per block in the spread plan: the application blocks first, rights per product
# last (phase 2: "rechtenbeheer (IDM en VMS) op productniveau … (Q2 2027)").
_SPREAD = {
    "acm_idm": "2026-Q4",
    "global_header": "2026-Q4",
    "capacity_switch": "2027-Q1",
    "dosis": "2027-Q1",
    "toelatingen": "2027-Q2",
    "product_rights": "2027-Q2",
    "vms": "2027-Q2",
}


def demo_roadmap_records(
    agency: Agency, apps: dict[str, Application], products: list[Product]
) -> list[Record]:
    out: list[Record] = []
    for i, p in enumerate(products):
        # At the baseline only the products on ELO today were there, with ACM/IDM in use.
        on_elo = p.on_elo if i % 3 else "none"
        out.append(
            Baseline(
                product_id=p.id,
                on_elo=on_elo,
                blocks_in_use=["acm_idm"] if on_elo != "none" else [],
                note="Voorbeeld: overgenomen uit de nulmeting van 1 april 2025.",
                confirmed=True,
                confirmed_on="2025-05-15",
                confirmed_by="demo",
            )
        )
    first_app = next(iter(apps.values()))
    out.append(
        Bottleneck(
            scope_kind="application",
            scope_id=first_app.id,
            block="vms",
            description="VMS is nog niet beschikbaar voor onze mandaattypes (voorbeeld).",
            bottleneck_kind="dependency",
            owner="Digitaal Vlaanderen",
            status="open",
            reported_on="2026-09-15",
        )
    )
    out.append(
        Bottleneck(
            scope_kind="agency",
            scope_id=agency.id,
            description="Geen budget voor de leverancier in 2026 (voorbeeld).",
            bottleneck_kind="budgetary",
            owner="An Voorbeeld",
            status="in_progress",
            reported_on="2026-10-01",
        )
    )
    all_2026 = PlanScenario(name="Voorbeeld: alles in 2026", note="Voorbeeldscenario.")
    spread = PlanScenario(
        name="Voorbeeld: gespreid", chosen=True, note="Voorbeeldscenario, gekozen."
    )
    out += [all_2026, spread]
    scopes = [("application", a.id, APPLICATION_BLOCKS) for a in apps.values()]
    scopes += [("product", p.id, PRODUCT_BLOCKS) for p in products]
    for kind, scope_id, blocks in scopes:
        for block in blocks:
            out.append(
                PlanItem(
                    scenario_id=all_2026.id,
                    scope_kind=kind,
                    scope_id=scope_id,
                    block=block,
                    quarter="2026-Q4",
                )
            )
            out.append(
                PlanItem(
                    scenario_id=spread.id,
                    scope_kind=kind,
                    scope_id=scope_id,
                    block=block,
                    quarter=_SPREAD[block],
                )
            )
    return out
