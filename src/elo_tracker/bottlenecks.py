"""The bottleneck register across agencies ("knelpunten", pushed by each agency as the
record kind `bottleneck`): what VLAIO bundles into improvement tracks with Digitaal
Vlaanderen. Grouped by kind and block so that common problems stand out."""

from __future__ import annotations

import csv
import io
from typing import Any

from elo_contract import BLOCKS

KIND_LABELS = {
    "technical": "Technisch",
    "budgetary": "Budgettair",
    "organisational": "Organisatorisch",
    "dependency": "Afhankelijk van een bouwsteen of leverancier",
}
STATUS_LABELS = {"open": "Open", "in_progress": "In behandeling", "resolved": "Opgelost"}
_BLOCK_LABELS = {b[0]: b[-1] for b in BLOCKS}  # (code, scope, ..., Dutch label)
CSV_HEADERS = [
    "ovo_code",
    "entiteit",
    "id",
    "bereik",
    "voor",
    "bouwsteen",
    "knelpunt",
    "soort",
    "eigenaar",
    "status",
    "gemeld_op",
    "opgelost_op",
]


def build_register(store, *, include_resolved: bool = False) -> dict[str, Any]:
    """Every agency's bottlenecks, with the name of what each is about, and counts per
    (kind, block) over all agencies."""
    rows: list[dict[str, Any]] = []
    for info in store.workspaces():
        ovo = info["ovo_code"]
        recs = store.records_of(ovo, ("bottleneck", "product", "application"))
        names = {("product", r["id"]): r.get("name", "") for r in recs.get("product", [])}
        names.update(
            {("application", r["id"]): r.get("name", "") for r in recs.get("application", [])}
        )
        for b in recs.get("bottleneck", []):
            status = b.get("status", "open")
            if status == "resolved" and not include_resolved:
                continue
            scope = b.get("scope_kind", "product")
            rows.append(
                {
                    "ovo_code": ovo,
                    "agency": info["name"],
                    "id": b["id"],
                    "scope_kind": scope,
                    "scope_name": "Entiteit"
                    if scope == "agency"
                    else names.get((scope, b.get("scope_id", "")), ""),
                    "block": b.get("block", ""),
                    "description": b.get("description", ""),
                    "bottleneck_kind": b.get("bottleneck_kind", "technical"),
                    "owner": b.get("owner", ""),
                    "status": status,
                    "reported_on": b.get("reported_on", ""),
                    "resolved_on": b.get("resolved_on", ""),
                }
            )
    rows.sort(key=lambda r: (r["bottleneck_kind"], r["block"], r["ovo_code"], r["reported_on"]))
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        g = groups.setdefault(
            (r["bottleneck_kind"], r["block"]),
            {"bottleneck_kind": r["bottleneck_kind"], "block": r["block"], "count": 0,
             "agencies": set()},
        )  # fmt: skip
        g["count"] += 1
        g["agencies"].add(r["ovo_code"])
    return {
        "bottlenecks": rows,
        "groups": [
            {**g, "agencies": len(g["agencies"])}
            for g in sorted(groups.values(), key=lambda g: (-len(g["agencies"]), -g["count"]))
        ],
    }


def register_csv(register: dict[str, Any]) -> str:
    """Semicolon-separated (Excel in a Belgian locale); agency text cannot become a formula."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(CSV_HEADERS)
    for r in register["bottlenecks"]:
        w.writerow(
            [
                r["ovo_code"],
                _safe(r["agency"]),
                r["id"],
                r["scope_kind"],
                _safe(r["scope_name"]),
                _BLOCK_LABELS.get(r["block"], r["block"]),
                _safe(r["description"]),
                KIND_LABELS.get(r["bottleneck_kind"], r["bottleneck_kind"]),
                _safe(r["owner"]),
                STATUS_LABELS.get(r["status"], r["status"]),
                r["reported_on"],
                r["resolved_on"],
            ]
        )
    return out.getvalue()


def _safe(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
