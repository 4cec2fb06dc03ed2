"""Applicability suggestions: which blocks a scope probably needs, and why.

A suggestion is never a decision: the matrix shows it on undecided cells and a person
confirms it (and writes or accepts the reason when a block does not apply). Each rule says
whether it rests on the government decision / Digitaal Vlaanderen's documentation
(`sourced`) or is our assumption.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from elo_tui.domain.blocks import (
    APPLICATION_BLOCKS,
    FORMS_TOOL,
    NOT_APPLICABLE,
    PRODUCT_BLOCKS,
    REQUIRED,
    SCOPE_APPLICATION,
    SCOPE_PRODUCT,
)
from elo_tui.domain.codelists import IPDC_BASE, label_for
from elo_tui.domain.readiness import product_application_ids
from elo_tui.domain.records import Application, Product

TYPE_PERMIT = f"{IPDC_BASE}Type/Toelating"
GROUP_COMPANY = f"{IPDC_BASE}Doelgroep/Onderneming"
# Products for which third parties typically act for a company (the nota names
# "boekhoudkantoren, architectenbureaus, milieustudiebureaus"): accountants for levies and
# subsidies, architects and environmental consultants for permits. Our assumption.
TYPES_WITH_AGENTS = frozenset(
    f"{IPDC_BASE}Type/{code}"
    for code in ("FinancieleVerplichting", "FinancieelVoordeel", "Toelating")
)


@dataclass(frozen=True, slots=True)
class Suggestion:
    applicability: str  # required | not_applicable | forms_tool
    why: str  # Dutch: the rule, shown next to the suggestion
    reason: str = ""  # proposed motivering when not_applicable
    sourced: bool = True  # False: our assumption, to be checked


_WHY_FORMS = (
    "Een formulieren- en opvolgingstool met de bouwstenen standaard geïntegreerd “wordt … "
    "onderzocht” met Digitaal Vlaanderen (nota): een plan, geen resultaat; telt pas mee als "
    "de route in productie is. Beschikbaarheid en wat de tool dekt zijn nog onbekend."
)
_WHY_ELO = (
    "Behoudens gegronde redenen integreren de agentschappen en departementen uiterlijk op 30 "
    "juni 2027 de essentiële bouwstenen en realiseren ze single sign-on en gericht aanmelden "
    "(beslissing 2°)."
)
_WHY_RIGHTS = (
    "Rechtenbeheer op productniveau (IDM en VMS) implementeren uiterlijk op 30 juni 2027 "
    "(beslissing 2°; fase 2: Q2 2027)."
)
_WHY_NEW = (
    "Nieuwe toepassing: alle essentiële bouwstenen vanaf de start, met rechtenbeheer op "
    "productniveau (beslissing 5°); voor een grondig vernieuwde toepassing is dat een "
    "interpretatie (de nota vraagt de aftoetsing voor 'elke nieuwe of grondig vernieuwde "
    "digitale dienst')."
)


def suggest_for_application(app: Application, products: Sequence[Product]) -> dict[str, Suggestion]:
    """Suggestions for the application-level blocks of `app`, served products given."""
    if app.is_new:
        return dict.fromkeys(APPLICATION_BLOCKS, Suggestion(REQUIRED, _WHY_NEW))
    if app.kind == "forms_tool":
        return dict.fromkeys(APPLICATION_BLOCKS, Suggestion(FORMS_TOOL, _WHY_FORMS))
    if app.kind == "website":
        return dict.fromkeys(
            APPLICATION_BLOCKS,
            Suggestion(
                NOT_APPLICABLE,
                "Een informatiewebsite zonder aanmelding en zonder dossiers heeft deze "
                "bouwsteen meestal niet nodig. Controleer of er echt niet aangemeld wordt.",
                reason="Informatiewebsite zonder aanmelding of dossiers; aanvragen en "
                "opvolging lopen via een andere toepassing.",
                sourced=False,
            ),
        )
    if any(not p.deleted for p in products):
        return dict.fromkeys(APPLICATION_BLOCKS, Suggestion(REQUIRED, _WHY_ELO))
    return {}


def suggest_for_product(product: Product, apps: Sequence[Application]) -> dict[str, Suggestion]:
    """Suggestions for the product-level blocks of `product` (its applications given)."""
    if any(a.is_new for a in apps):
        out_new = {
            "product_rights": Suggestion(REQUIRED, _WHY_NEW),
            "vms": Suggestion(REQUIRED, _WHY_NEW),
        }
        if product.ipdc_type == TYPE_PERMIT or not product.ipdc_type:
            out_new["toelatingen"] = Suggestion(REQUIRED, _WHY_NEW)
        else:
            out_new["toelatingen"] = Suggestion(
                NOT_APPLICABLE,
                "Toelatingen geldt “indien van toepassing” (beslissing 3°): voor producten die "
                "een vergunning of toelating opleveren. Voor een nieuwe toepassing kan 'niet van "
                "toepassing' enkel met een aanvaarde uitzondering (beslissing 5°).",
                reason=f"Het product levert geen toelating op (IPDC-type: "
                f"{label_for(product.ipdc_type)}).",
            )
        return out_new
    if apps and all(a.kind == "forms_tool" for a in apps):
        return dict.fromkeys(PRODUCT_BLOCKS, Suggestion(FORMS_TOOL, _WHY_FORMS))
    out: dict[str, Suggestion] = {"product_rights": Suggestion(REQUIRED, _WHY_RIGHTS)}

    if GROUP_COMPANY in product.target_groups and product.ipdc_type in TYPES_WITH_AGENTS:
        out["vms"] = Suggestion(
            REQUIRED,
            "Voor dit soort product treden vaak derden op voor een onderneming "
            "(boekhoudkantoren, architectenbureaus, milieustudiebureaus): mandaten via VMS.",
            sourced=False,
        )

    if product.ipdc_type == TYPE_PERMIT:
        out["toelatingen"] = Suggestion(
            REQUIRED, "Het product levert een toelating op (IPDC-type Toelating)."
        )
    elif product.ipdc_type:
        out["toelatingen"] = Suggestion(
            NOT_APPLICABLE,
            "Toelatingen geldt voor producten die een vergunning of toelating opleveren.",
            reason=f"Het product levert geen toelating op (IPDC-type: "
            f"{label_for(product.ipdc_type)}).",
        )
    return out


SuggestionKey = tuple[str, str, str]  # (scope_kind, scope_id, block)


def suggest_all(
    applications: Iterable[Application], products: Iterable[Product]
) -> dict[SuggestionKey, Suggestion]:
    """Every suggestion for a workspace, keyed like block statuses."""
    apps = {a.id: a for a in applications if not a.deleted}
    live = [p for p in products if not p.deleted]
    served: dict[str, list[Product]] = {app_id: [] for app_id in apps}
    for p in live:
        for app_id in product_application_ids(p):
            if app_id in served:
                served[app_id].append(p)
    out: dict[SuggestionKey, Suggestion] = {}
    for app_id, app in apps.items():
        for block, s in suggest_for_application(app, served[app_id]).items():
            out[(SCOPE_APPLICATION, app_id, block)] = s
    for p in live:
        p_apps = [apps[i] for i in product_application_ids(p) if i in apps]
        for block, s in suggest_for_product(p, p_apps).items():
            out[(SCOPE_PRODUCT, p.id, block)] = s
    return out


def suggestion_for(
    suggestions: Mapping[SuggestionKey, Suggestion], scope_kind: str, scope_id: str, block: str
) -> Suggestion | None:
    return suggestions.get((scope_kind, scope_id, block))
