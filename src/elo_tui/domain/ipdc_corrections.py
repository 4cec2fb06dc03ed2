"""IPDC-correcties: per product, what is missing or wrong in IPDC.

The nota (VR 2025 1212 DOC.1191/1BIS) says IPDC/LPDC are not yet complete or reliable
enough and that corrections go to Digitaal Vlaanderen; this list is what an entity hands
over. Pure: it compares each product with what IPDC said at the last import
(`Product.ipdc_data`, see services/ipdc_import.py).

Every product in the inventory is a product for entrepreneurs (that is why it is in the
ELO programme), so an IPDC record without the target group "Onderneming" is a correction
("niet gemarkeerd voor ondernemers").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from elo_tui.domain import codelists
from elo_tui.domain.records import Product

ONDERNEMING = f"{codelists.IPDC_BASE}Doelgroep/Onderneming"

CORRECTION_KINDS = {
    "no_record": "Geen IPDC-record",
    "not_in_import": "Niet gevonden in de IPDC-import",
    "archived": "Gearchiveerd in IPDC",
    "type_missing": "Type ontbreekt",
    "type_wrong": "Ander type",
    "type_unknown": "Onbekend type",
    "theme_missing": "Thema ontbreekt",
    "theme_wrong": "Andere thema's",
    "theme_unknown": "Onbekend thema",
    "target_missing": "Doelgroep ontbreekt",
    "not_for_entrepreneurs": "Niet gemarkeerd voor ondernemers",
    "target_wrong": "Andere doelgroepen",
    "target_unknown": "Onbekende doelgroep",
}


def ipdc_snapshot(product: Product) -> dict[str, Any]:
    """What IPDC said at the last import (`Product.ipdc_data`, JSON text); {} when never
    imported or unreadable (then the product is treated as never imported)."""
    if not product.ipdc_data:
        return {}
    try:
        data = json.loads(product.ipdc_data)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True, slots=True)
class Correction:
    product_id: str
    product_name: str
    ipdc_number: str
    ipdc_uri: str
    kind: str  # CORRECTION_KINDS
    in_ipdc: str  # what IPDC says (Dutch labels), "" when nothing
    should_be: str  # what the entity says it should be, "" when not known
    explanation: str

    @property
    def kind_label(self) -> str:
        return CORRECTION_KINDS.get(self.kind, self.kind)

    def as_row(self) -> list[str]:
        return [
            self.ipdc_number,
            self.product_name,
            self.ipdc_uri,
            self.kind_label,
            self.in_ipdc,
            self.should_be,
            self.explanation,
        ]


HEADERS = [
    "IPDC-productnummer",
    "Product",
    "IPDC-record",
    "Correctie",
    "In IPDC",
    "Moet zijn",
    "Toelichting",
]


def _labels(values: list[str]) -> str:
    return ", ".join(codelists.label_for(v) for v in values)


def _known(values: list[str], codes: tuple[codelists.Code, ...]) -> tuple[list[str], list[str]]:
    uris = {c.uri for c in codes}
    return [v for v in values if v in uris], [v for v in values if v not in uris]


def product_corrections(product: Product, *, ipdc_imported: bool) -> list[Correction]:
    """What to report for one product. `ipdc_imported`: whether this workspace ever
    imported from IPDC (only then is "not found in the import" meaningful)."""

    def c(kind: str, in_ipdc: str = "", should_be: str = "", why: str = "") -> Correction:
        return Correction(
            product.id,
            product.name,
            product.ipdc_number,
            product.ipdc_uri,
            kind,
            in_ipdc,
            should_be,
            why,
        )

    data = ipdc_snapshot(product)
    if not data:
        if not product.ipdc_number:
            return [c("no_record", why="Geen IPDC-productnummer gekend: product opnemen in IPDC.")]
        if ipdc_imported:
            return [
                c(
                    "not_in_import",
                    why=f"Productnummer {product.ipdc_number} kwam niet voor in de IPDC-import.",
                )
            ]
        return []
    out: list[Correction] = []
    if data.get("archived"):
        out.append(c("archived", why="Het IPDC-record is gearchiveerd; product staat nog open."))

    ptype = str(data.get("ipdc_type") or "")
    known_types = {x.uri for x in codelists.PRODUCT_TYPES}
    if not ptype:
        out.append(c("type_missing", "", codelists.label_for(product.ipdc_type)))
    elif ptype not in known_types:
        out.append(c("type_unknown", ptype, codelists.label_for(product.ipdc_type)))
    elif product.ipdc_type and product.ipdc_type != ptype:
        out.append(
            c("type_wrong", codelists.label_for(ptype), codelists.label_for(product.ipdc_type))
        )

    for key, codes, missing, wrong, unknown in (
        ("themes", codelists.THEMES, "theme_missing", "theme_wrong", "theme_unknown"),
        (
            "target_groups",
            codelists.TARGET_GROUPS,
            "target_missing",
            "target_wrong",
            "target_unknown",
        ),
    ):
        values = [str(v) for v in data.get(key) or []]
        known, strange = _known(values, codes)
        mine = list(getattr(product, key))
        if not values:
            out.append(c(missing, "", _labels(mine)))
        for v in strange:
            out.append(c(unknown, v, "", "Waarde niet in de gekende codelijst."))
        if mine and values and sorted(known) != sorted(mine) and (known or not strange):
            out.append(c(wrong, _labels(known), _labels(mine)))
    groups = [str(v) for v in data.get("target_groups") or []]
    if groups and ONDERNEMING not in groups:
        out.append(
            c(
                "not_for_entrepreneurs",
                _labels(groups),
                _labels(sorted({*groups, ONDERNEMING})),
                "Product voor ondernemers (ELO): doelgroep Onderneming ontbreekt in IPDC.",
            )
        )
    return out


def corrections(products: list[Product], *, ipdc_imported: bool) -> list[Correction]:
    out: list[Correction] = []
    for p in sorted(products, key=lambda p: (p.ipdc_number or "~", p.name.casefold())):
        if not p.deleted:
            out.extend(product_corrections(p, ipdc_imported=ipdc_imported))
    return out
