"""The programme overview VLAIO follows: per agency and per building block the readiness,
products ELO-conform, overdue items and requested co-financing against the envelope.

Readiness is counted by `elo_tracker.readiness`, by the rule of the app's dashboard and
`elo-tui report`, from the records each agency pushed. The agency's name is the one VLAIO
registered (`elo-tracker add-agency`), never the one the agency pushes: an agency cannot
rename itself in the programme's overview.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from elo_contract import BLOCKS
from elo_tracker.readiness import readiness

# Co-financing available per budget year (EUR), by source (government decision).
ENVELOPE_SOURCES: dict[str, dict[str, float]] = {
    "2026": {"VLAIO/FIO": 1_000_000.0, "VRD 3": 325_000.0},
    "2027": {"VLAIO/FIO": 1_000_000.0},
}
OPEN_CHECKLIST = ("open", "busy", "blocked")
MAX_OVERDUE_LISTED = 50


def _overdue(
    statuses: list[dict[str, Any]], items: list[dict[str, Any]], today: date
) -> list[dict[str, Any]]:
    """Required blocks past their target date and open checklist steps past their due date."""
    iso = today.isoformat()
    out = []
    for s in statuses:
        if (
            s.get("applicability") == "required"
            and s.get("stage") != "production"
            and s.get("target_date")
            and s.get("target_date") < iso
        ):
            out.append(
                {
                    "kind": "block_status",
                    "id": s.get("id"),
                    "block": s.get("block"),
                    "scope_kind": s.get("scope_kind"),
                    "scope_id": s.get("scope_id"),
                    "title": f"{s.get('block')} ({s.get('stage')})",
                    "due": s.get("target_date"),
                }
            )
    for c in items:
        due = c.get("due_date") or ""
        if c.get("status") in OPEN_CHECKLIST and not c.get("obsolete") and due and due < iso:
            out.append(
                {
                    "kind": "checklist_item",
                    "id": c.get("id"),
                    "block": c.get("block"),
                    "scope_kind": c.get("scope_kind"),
                    "scope_id": c.get("scope_id"),
                    "title": c.get("title"),
                    "due": c.get("due_date"),
                }
            )
    out.sort(key=lambda o: (o["due"], o["title"]))
    return out


def agency_overview(
    info: dict[str, Any], data: dict[str, list[dict[str, Any]]], today: date
) -> dict[str, Any]:
    agencies = data.get("agency", [])
    statuses = data.get("block_status", [])
    items = data.get("checklist_item", [])
    submissions = data.get("submission", [])
    summary = readiness(data.get("product", []), statuses)
    # One agency record per workspace; should two exist, the latest edit counts.
    agency = max(agencies, key=lambda a: a.get("updated_at") or "", default=None)
    requested = {
        str(year): float(amount)
        for year, amount in sorted(((agency or {}).get("requested_cofinancing") or {}).items())
    }
    overdue = _overdue(statuses, items, today)
    latest = max(
        submissions, key=lambda s: (s.get("version", 0), s.get("created_at", "")), default=None
    )
    return {
        "ovo_code": info["ovo_code"],
        "name": info["name"],
        "last_push_at": info["last_push_at"],
        "last_seen_at": info["last_seen_at"],
        "products": summary.products_total,
        "elo_conform": summary.elo_conform,
        "elo_conform_percent": _round(summary.elo_conform_percent),
        "overall_percent": _round(summary.overall_percent),
        "blocks": [
            {
                "block": b.block,
                "applicable": b.applicable,
                "done": b.done,
                "undecided": b.undecided,
                "percent": _round(b.percent),
            }
            for b in summary.blocks
        ],
        "overdue_count": len(overdue),
        "overdue": overdue[:MAX_OVERDUE_LISTED],
        "requested_cofinancing": requested,
        "submissions": len(submissions),
        "latest_submission": (
            {
                "id": latest["id"],
                "version": latest.get("version", 0),
                "review_state": latest.get("review_state", ""),
            }
            if latest
            else None
        ),
    }


def build_overview(store, today: date | None = None) -> dict[str, Any]:
    """The overview of every agency on the tracker (admin view)."""
    today = today or date.today()
    # Submissions come from their own table, without their content (megabytes each).
    kinds = ("agency", "product", "application", "block_status", "checklist_item")
    agencies = [
        agency_overview(
            info,
            store.records_of(info["ovo_code"], kinds)
            | {"submission": store.submissions(info["ovo_code"])},
            today,
        )
        for info in store.workspaces()
    ]
    years = sorted(
        set(ENVELOPE_SOURCES) | {y for a in agencies for y in a["requested_cofinancing"]}
    )
    envelope = []
    for year in years:
        sources = ENVELOPE_SOURCES.get(year, {})
        available = sum(sources.values())
        requested = sum(a["requested_cofinancing"].get(year, 0.0) for a in agencies)
        envelope.append(
            {
                "year": year,
                "available": available,
                "sources": sources,
                "requested": requested,
                "remaining": available - requested,
                "requested_percent": _round(100.0 * requested / available) if available else None,
            }
        )
    blocks = []
    for code, scope, label in BLOCKS:
        applicable = sum(
            b["applicable"] for a in agencies for b in a["blocks"] if b["block"] == code
        )
        done = sum(b["done"] for a in agencies for b in a["blocks"] if b["block"] == code)
        blocks.append(
            {
                "block": code,
                "label": label,
                "scope": scope,
                "applicable": applicable,
                "done": done,
                "percent": _round(100.0 * done / applicable) if applicable else None,
            }
        )
    products = sum(a["products"] for a in agencies)
    conform = sum(a["elo_conform"] for a in agencies)
    return {
        "today": today.isoformat(),
        "totals": {
            "agencies": len(agencies),
            "products": products,
            "elo_conform": conform,
            "elo_conform_percent": _round(100.0 * conform / products) if products else None,
            "overdue": sum(a["overdue_count"] for a in agencies),
        },
        "envelope": envelope,
        "blocks": blocks,
        "agencies": agencies,
    }


CSV_BASE = [
    "ovo_code",
    "agentschap",
    "producten",
    "elo_conform",
    "elo_conform_pct",
    "gereedheid_pct",
    "achterstallig",
    "laatste_push",
]


def overview_csv(overview: dict[str, Any]) -> str:
    """One row per agency (blocks as 'done/applicable' columns), then totals and envelope.

    Semicolon-separated with a BOM-free UTF-8 body: what Excel in a Belgian locale opens.
    """
    from elo_contract import BLOCK_CODES

    years = [e["year"] for e in overview["envelope"]]
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(
        CSV_BASE + [f"bouwsteen_{c}" for c in BLOCK_CODES] + [f"gevraagd_{y}" for y in years]
    )
    for a in overview["agencies"]:
        blocks = {b["block"]: b for b in a["blocks"]}
        w.writerow(
            [
                a["ovo_code"],
                _safe(a["name"]),
                a["products"],
                a["elo_conform"],
                _num(a["elo_conform_percent"]),
                _num(a["overall_percent"]),
                a["overdue_count"],
                a["last_push_at"] or "",
            ]
            + [
                f"{blocks[c]['done']}/{blocks[c]['applicable']}" if c in blocks else ""
                for c in BLOCK_CODES
            ]
            + [_num(a["requested_cofinancing"].get(y, 0.0)) for y in years]
        )
    t = overview["totals"]
    totals_blocks = {b["block"]: b for b in overview["blocks"]}
    w.writerow(
        [
            "TOTAAL",
            "",
            t["products"],
            t["elo_conform"],
            _num(t["elo_conform_percent"]),
            "",
            t["overdue"],
            "",
        ]
        + [f"{totals_blocks[c]['done']}/{totals_blocks[c]['applicable']}" for c in BLOCK_CODES]
        + [_num(e["requested"]) for e in overview["envelope"]]
    )
    w.writerow(
        ["BESCHIKBAAR", "enveloppe cofinanciering", "", "", "", "", "", ""]
        + ["" for _ in BLOCK_CODES]
        + [_num(e["available"]) for e in overview["envelope"]]
    )
    return out.getvalue()


def _num(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace(".", ",")  # Belgian decimal comma


def _safe(text: str) -> str:
    """Neutralise spreadsheet formulas in agency-supplied text (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
