"""The demo workspace: a fictional agency with realistic products. EXAMPLE DATA ONLY.

Names and numbers are invented (the OVO code and IPDC numbers are not real); the kinds
of products mirror what Flemish agencies offer entrepreneurs. Later capabilities add
their own demo records through `DEMO_EXTENSIONS` (block statuses, checklists, estimates).
"""

from __future__ import annotations

from collections.abc import Callable

from elo_tui.domain.codelists import IPDC_BASE
from elo_tui.domain.records import Agency, Application, Product, Record, Review
from elo_tui.store import Workspace

DEMO_AGENCY_NAME = "VOORBEELD – Agentschap Fictief Ondernemen"

T = f"{IPDC_BASE}Type/"
TH = f"{IPDC_BASE}Thema/"
DG = f"{IPDC_BASE}Doelgroep/"

# (key, name, url, kind, supplier)
APPLICATIONS = [
    (
        "subsidie",
        "Subsidieloket (voorbeeld)",
        "https://subsidies.voorbeeld.invalid",
        "own_application",
        "Leverancier A (fictief)",
    ),
    (
        "heffing",
        "Heffingenportaal (voorbeeld)",
        "https://heffingen.voorbeeld.invalid",
        "own_application",
        "Eigen ICT-team",
    ),
    (
        "vergunning",
        "Vergunningenloket (voorbeeld)",
        "https://vergunningen.voorbeeld.invalid",
        "own_application",
        "Leverancier B (fictief)",
    ),
    (
        "erkenning",
        "Erkenningendatabank (voorbeeld)",
        "https://erkenningen.voorbeeld.invalid",
        "own_application",
        "Eigen ICT-team",
    ),
    (
        "website",
        "Informatiewebsite (voorbeeld)",
        "https://www.voorbeeld.invalid",
        "website",
        "Webbureau C (fictief)",
    ),
    (
        "formulieren",
        "Formulieren- en opvolgingstool (voorbeeld; nog onderzocht)",
        "https://formulieren.voorbeeld.invalid",
        "forms_tool",
        "Digitaal Vlaanderen",
    ),
    (
        "nieuwplatform",
        "Nieuw transformatieplatform (voorbeeld)",
        "https://transformatie.voorbeeld.invalid",
        "own_application",
        "Leverancier A (fictief)",
    ),
    (
        "mestloket",
        "Mestaangifteloket (voorbeeld)",
        "https://mestaangifte.voorbeeld.invalid",
        "own_application",
        "Eigen ICT-team",
    ),
]
# Beslissing 5°: a new (or fundamentally renewed) application; and one application left
# out "in onderling overleg", as the nota does with VLM's Mestbankloket.
NEW_APPLICATIONS = {"nieuwplatform"}
EXCLUDED_APPLICATIONS = {
    "mestloket": (
        "VOORBEELD: in onderling overleg met VLAIO buiten beschouwing gelaten (zoals de nota "
        "het Mestbankloket behandelt): de aanpassing is niet haalbaar binnen de timing; de "
        "integratie wordt intussen samen onderzocht."
    )
}

# (name, type, themes, target groups, request app, follow-up app, volume, on ELO)
PRODUCTS = [
    (
        "KMO-portefeuille opleiding (voorbeeld)",
        "FinancieelVoordeel",
        ["EconomieWerk"],
        ["Onderneming"],
        "subsidie",
        "subsidie",
        42000,
        "both",
    ),
    (
        "KMO-portefeuille advies (voorbeeld)",
        "FinancieelVoordeel",
        ["EconomieWerk"],
        ["Onderneming"],
        "subsidie",
        "subsidie",
        9800,
        "both",
    ),
    (
        "Innovatiesteun kleine ondernemingen",
        "FinancieelVoordeel",
        ["EconomieWerk", "OnderwijsWetenschap"],
        ["Onderneming"],
        "subsidie",
        "subsidie",
        1200,
        "request",
    ),
    (
        "Groeisubsidie",
        "FinancieelVoordeel",
        ["EconomieWerk"],
        ["Onderneming"],
        "subsidie",
        "subsidie",
        650,
        "none",
    ),
    (
        "Starterssteun ondernemerschap",
        "FinancieelVoordeel",
        ["EconomieWerk"],
        ["Onderneming", "Burger"],
        "subsidie",
        "subsidie",
        3100,
        "none",
    ),
    (
        "Ecologiepremie [beta] pilot",
        "FinancieelVoordeel",
        ["MilieuEnergie", "EconomieWerk"],
        ["Onderneming"],
        "subsidie",
        "subsidie",
        2400,
        "request",
    ),
    (
        "Strategische transformatiesteun",
        "FinancieelVoordeel",
        ["EconomieWerk"],
        ["Onderneming"],
        "nieuwplatform",
        "nieuwplatform",
        120,
        "none",
    ),
    (
        "Heffing op waterverontreiniging",
        "FinancieleVerplichting",
        ["MilieuEnergie"],
        ["Onderneming", "Organisatie"],
        "heffing",
        "heffing",
        18500,
        "both",
    ),
    (
        "Heffing op grondwaterwinning",
        "FinancieleVerplichting",
        ["MilieuEnergie"],
        ["Onderneming"],
        "heffing",
        "heffing",
        7300,
        "both",
    ),
    (
        "Mestheffing aangifte",
        "FinancieleVerplichting",
        ["MilieuEnergie"],
        ["Onderneming"],
        "mestloket",
        "mestloket",
        21000,
        "none",
    ),
    (
        "Terugbetaling heffing bij overmacht",
        "FinancieelVoordeel",
        ["MilieuEnergie"],
        ["Onderneming"],
        "formulieren",
        "formulieren",
        90,
        "none",
    ),
    (
        "Omgevingsvergunning klasse 2 (advies)",
        "Toelating",
        ["MilieuEnergie", "BouwenWonen"],
        ["Onderneming"],
        "vergunning",
        "vergunning",
        5200,
        "none",
    ),
    (
        "Vergunning uitzonderlijk vervoer",
        "Toelating",
        ["MobiliteitOpenbareWerken"],
        ["Onderneming"],
        "vergunning",
        "vergunning",
        26000,
        "request",
    ),
    (
        "Ontheffing venstertijden laden en lossen",
        "Toelating",
        ["MobiliteitOpenbareWerken"],
        ["Onderneming"],
        "vergunning",
        "vergunning",
        800,
        "none",
    ),
    (
        "Toelating gebruik openbaar domein",
        "Toelating",
        ["MobiliteitOpenbareWerken"],
        ["Onderneming", "Vereniging"],
        "vergunning",
        "vergunning",
        1500,
        "none",
    ),
    (
        "Erkenning energiedeskundige",
        "Toelating",
        ["MilieuEnergie", "BouwenWonen"],
        ["Onderneming", "Burger"],
        "erkenning",
        "erkenning",
        2100,
        "none",
    ),
    (
        "Erkenning opleidingsverstrekker",
        "Toelating",
        ["EconomieWerk", "OnderwijsWetenschap"],
        ["Onderneming", "Organisatie"],
        "erkenning",
        "erkenning",
        700,
        "request",
    ),
    (
        "Erkenning asbestdeskundige",
        "Toelating",
        ["MilieuEnergie"],
        ["Onderneming"],
        "erkenning",
        "erkenning",
        300,
        "none",
    ),
    (
        "Attest van erkenning (afschrift)",
        "Bewijs",
        ["EconomieWerk"],
        ["Onderneming"],
        "erkenning",
        "erkenning",
        1900,
        "none",
    ),
    (
        "Uittreksel register van sancties",
        "Bewijs",
        ["BurgerOverheid"],
        ["Onderneming"],
        "erkenning",
        "erkenning",
        150,
        "none",
    ),
    (
        "Adviestraject internationaal ondernemen",
        "AdviesBegeleiding",
        ["EconomieWerk"],
        ["Onderneming"],
        "website",
        "formulieren",
        480,
        "none",
    ),
    (
        "Begeleiding circulair ondernemen",
        "AdviesBegeleiding",
        ["MilieuEnergie", "EconomieWerk"],
        ["Onderneming"],
        "website",
        "formulieren",
        260,
        "none",
    ),
    (
        "Gebruik demonstratielabo",
        "InfrastructuurMateriaal",
        ["OnderwijsWetenschap"],
        ["Onderneming", "Organisatie"],
        "formulieren",
        "formulieren",
        60,
        "none",
    ),
    (
        "Ontlening meetapparatuur geluid",
        "Voorwerp",
        ["MilieuEnergie"],
        ["Onderneming", "LokaalBestuur"],
        "formulieren",
        "formulieren",
        40,
        "none",
    ),
    (
        "Verweer tegen opgelegde maatregel",
        "AdviesBegeleiding",
        ["BurgerOverheid"],
        ["Onderneming"],
        "formulieren",
        "formulieren",
        35,
        "none",
    ),
]

# Later capabilities add "module:function" entries; each function takes
# (agency, apps by key, products) and returns extra demo records (pure, no I/O).
DEMO_EXTENSIONS: list[str] = [
    "elo_tui.io.demo_blocks:demo_block_records",
    "elo_tui.io.demo_estimate:demo_estimate_records",
    "elo_tui.io.demo_roadmap:demo_roadmap_records",
]


def _extension(
    spec: str,
) -> Callable[[Agency, dict[str, Application], list[Product]], list[Record]]:
    import importlib

    module, func = spec.split(":")
    return getattr(importlib.import_module(module), func)


def demo_records() -> tuple[Agency, dict[str, Application], list[Product]]:
    agency = Agency(
        name=DEMO_AGENCY_NAME,
        ovo_code="OVO099999",
        contact_name="An Voorbeeld",
        contact_email="an.voorbeeld@voorbeeld.invalid",
        contact_phone="+32 2 000 00 00",
        day_rate_internal=650.0,
        day_rate_supplier=900.0,
        own_budget={"2026": 150000.0, "2027": 120000.0},
        notes="Voorbeeldwerkruimte met fictieve gegevens om elo_tui te leren kennen.",
    )
    apps = {
        key: Application(
            name=name,
            url=url,
            kind=kind,
            supplier=supplier,
            is_new=key in NEW_APPLICATIONS,
            excluded=key in EXCLUDED_APPLICATIONS,
            exclusion_reason=EXCLUDED_APPLICATIONS.get(key, ""),
        )
        for key, name, url, kind, supplier in APPLICATIONS
    }
    products = []
    for i, (name, typ, themes, groups, req, fol, volume, on_elo) in enumerate(PRODUCTS, 1):
        products.append(
            Product(
                ipdc_number=str(900000 + i * 7) if i % 6 else "",  # some not yet known
                # Real-sounding names are examples, never an agency's actual product.
                name=name if "(voorbeeld)" in name else f"{name} (voorbeeld)",
                description=f"Voorbeeldproduct: {name.lower()}.",
                ipdc_type=T + typ,
                themes=[TH + t for t in themes],
                target_groups=[DG + g for g in groups],
                request_application_id=apps[req].id,
                followup_application_id=apps[fol].id,
                yearly_volume=volume,
                on_elo=on_elo,
            )
        )
    return agency, apps, products


def populate_demo(ws: Workspace) -> None:
    """Fill an empty workspace with the demo data, in one transaction."""
    agency, apps, products = demo_records()
    with ws.transaction():
        ws.save(agency, by="demo")
        ws.save_many(apps.values(), by="demo")
        ws.save_many(products, by="demo")
        for spec in DEMO_EXTENSIONS:
            records = _extension(spec)(agency, apps, products)
            # Reviews are VLAIO's (written by the central follow-up): stored as received,
            # never pushed back.
            ws.put_synced(r for r in records if isinstance(r, Review))
            ws.save_many((r for r in records if not isinstance(r, Review)), by="demo")
