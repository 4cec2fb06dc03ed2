"""The programme overview VLAIO follows: per agency and per block part the readiness, the
requirements, products ELO-conform (self-declared and centrally verified), products at risk
per milestone, overdue items and requested co-financing against the envelope.

Readiness is counted by `elo_tracker.readiness`, by the rules of the app's dashboard and
`elo-tui report`, from the records each agency pushed. The agency's name is the one VLAIO
registered (`elo-tracker add-agency`), never the one the agency pushes: an agency cannot
rename itself in the programme's overview.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from elo_contract import BLOCKS, PAIRS, REQUIREMENTS
from elo_tracker import readiness as rules

DECISION = "VR 2025 1212 DOC.1191/1BIS"
FIRM, RESERVED = "vast", "onder voorbehoud"
# The co-financing envelope by source and budget year, as the app's
# elo_tui.domain.cofinancing.ENVELOPE_LINES (a test checks they agree). Beslissing 6°:
# "maximaal 1.000 kEUR voor het jaar 2026 en 2027"; budget section: "respectievelijk
# €1.000.000 voor 2026 en 2027" -> read as EUR 1,000,000 per year. The VRD 3 portfolio's
# EUR 325,000 (2026) was "ter goedkeuring" at the Inspectie van Financiën: onder
# voorbehoud, not in the firm envelope.
ENVELOPE_LINES: tuple[dict[str, Any], ...] = (
    {"year": "2026", "amount": 1_000_000.0, "source": "VLAIO / FIO (budget e-loketondernemers)",
     "article": "TCH-ATCASCA-WT (Fonds voor Innoveren en Ondernemen, FIO)", "status": FIRM,
     "reference": f"{DECISION}, beslissing 6°"},
    {"year": "2027", "amount": 1_000_000.0, "source": "VLAIO / FIO (budget e-loketondernemers)",
     "article": "TCH-ATCASCA-WT (Fonds voor Innoveren en Ondernemen, FIO)", "status": FIRM,
     "reference": f"{DECISION}, beslissing 6°"},
    {"year": "2026", "amount": 325_000.0,
     "source": "VRD 3 projectenportfolio 2026 (hoofdlokettenstrategie)",
     "article": "SCA-ASJA2NA-WT, basisallocatie ASJ033 DIGITALISERING NIEUW BELEID",
     "status": RESERVED,
     "reference": f"{DECISION}, 3. Bestuurlijke impact, A. Budgettaire impact"},
)  # fmt: skip
ENVELOPE_READING = (
    "Lezing toegepast: € 1.000.000 per jaar, voor 2026 én voor 2027 (samen € 2.000.000), "
    "voor alle agentschappen en departementen samen. Beslissing 6°: “VLAIO een "
    "cofinanciering van maximaal 1.000 kEUR voor het jaar 2026 en 2027 voorziet”; "
    "budgettaire impact: “ten belope van respectievelijk €1.000.000 voor 2026 en 2027.” "
    "De € 325.000 van het VRD 3 projectenportfolio 2026 staat apart als 'onder voorbehoud': "
    "“De nota aan de Vlaamse Regering voor het VRD 3 projectenportfolio 2026 ligt momenteel "
    "voor bij Inspectie van Financiën ter goedkeuring.”"
)
OPEN_CHECKLIST = ("open", "busy", "blocked")
MAX_OVERDUE_LISTED = 50


def _overdue(
    statuses: list[dict[str, Any]],
    items: list[dict[str, Any]],
    today: date,
    overrides: rules.Overrides = rules.NO_OVERRIDES,
) -> list[dict[str, Any]]:
    """Open block parts (required or planned via the forms tool) past their target date and
    open checklist steps past their due date.

    By the readiness rules (elo_tracker.readiness): a part VLAIO exempted ("an accepted
    exemption is neither conform nor late") and a part of an application left out of
    consideration are not overdue, and neither are their checklist steps. An accepted delay
    moves the milestone, not the agency's own target date: a passed target stays overdue,
    with the delay's new date alongside (as the readiness risk "target_passed" does)."""
    iso = today.isoformat()

    def excused(record: dict[str, Any]) -> tuple[bool, str]:
        block, kind, scope_id = (
            record.get("block"),
            record.get("scope_kind"),
            record.get("scope_id"),
        )
        if kind == "application" and scope_id in overrides.excluded_apps:
            return True, ""
        if block not in rules.BLOCK_CODES or not kind or not scope_id:
            return False, ""
        exempt, delay = rules.part_override(overrides, [(kind, scope_id)], block)
        return exempt, delay[0] if delay else ""

    out = []
    for s in statuses:
        if (
            s.get("applicability") in ("required", "forms_tool")
            and s.get("stage") != "production"
            and "" < (s.get("target_date") or "") < iso
        ):
            exempt, delayed_to = excused(s)
            if exempt:
                continue
            out.append(
                {
                    "kind": "block_status",
                    "id": s.get("id"),
                    "block": s.get("block"),
                    "scope_kind": s.get("scope_kind"),
                    "scope_id": s.get("scope_id"),
                    "title": f"{s.get('block')} ({s.get('stage')})",
                    "due": s.get("target_date"),
                    "delayed_to": delayed_to,
                }
            )
    for c in items:
        due = c.get("due_date") or ""
        if c.get("status") in OPEN_CHECKLIST and not c.get("obsolete") and due and due < iso:
            exempt, delayed_to = excused(c)
            if exempt:
                continue
            out.append(
                {
                    "kind": "checklist_item",
                    "id": c.get("id"),
                    "block": c.get("block"),
                    "scope_kind": c.get("scope_kind"),
                    "scope_id": c.get("scope_id"),
                    "title": c.get("title"),
                    "due": c.get("due_date"),
                    "delayed_to": delayed_to,
                }
            )
    out.sort(key=lambda o: (o["due"], o["title"]))
    return out


def _requests(data: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Every exemption and delay request with VLAIO's latest decision (accepted/refused,
    with its comment) or "requested" while none: what the programme view decides on."""
    decided: dict[str, tuple[tuple[str, str], dict[str, Any]]] = {}
    for r in data.get("review", []):
        if r.get("verdict") not in (rules.ACCEPTED, rules.REFUSED):
            continue
        updated = r.get("updated_at") or ""
        key = (r.get("created_at") or updated, updated)
        have = decided.get(r.get("target_id", ""))
        if have is None or key >= have[0]:  # the same "latest" as rules.decisions
            decided[r.get("target_id", "")] = (key, r)
    wanted = {
        (x.get("scope_kind", ""), x.get("scope_id", ""))
        for kind in ("exemption", "delay")
        for x in data.get(kind, [])
    }
    names = {
        (kind, r["id"]): r.get("name", "")
        for kind in ("product", "application")
        for r in data.get(kind, [])
        if (kind, r["id"]) in wanted
    }
    out = []
    for kind in ("exemption", "delay"):
        for x in data.get(kind, []):
            review = decided.get(x["id"], (None, {}))[1]
            out.append(
                {
                    "kind": kind,
                    "id": x["id"],
                    "scope_kind": x.get("scope_kind", ""),
                    "scope_id": x.get("scope_id", ""),
                    "scope_name": names.get((x.get("scope_kind", ""), x.get("scope_id", "")), ""),
                    "subject": x.get("subject", ""),
                    "ground": x.get("ground", "") if kind == "exemption" else x.get("reason", ""),
                    "delay_kind": x.get("delay_kind", ""),
                    "original_date": x.get("original_date", ""),
                    "new_date": x.get("new_date", ""),
                    "requested_by": x.get("requested_by", ""),
                    "requested_on": x.get("requested_on", ""),
                    "state": review.get("verdict") or "requested",
                    "decision_comment": review.get("comment", ""),
                    "decided_by": review.get("reviewer", ""),
                    "decided_at": review.get("created_at") or review.get("updated_at", ""),
                }
            )
    out.sort(key=lambda r: (r["state"] != "requested", r["requested_on"], r["id"]))
    return out


def _requirements(summary: rules.Readiness) -> list[dict[str, Any]]:
    return [
        {"requirement": code, "label": label, "parts": list(parts)}
        | summary.requirements[code].to_dict()
        for code, label, parts in REQUIREMENTS
    ]


def agency_overview(
    info: dict[str, Any], data: dict[str, list[dict[str, Any]]], today: date
) -> dict[str, Any]:
    agencies = data.get("agency", [])
    statuses = data.get("block_status", [])
    items = data.get("checklist_item", [])
    submissions = data.get("submission", [])
    summary = rules.readiness(
        data.get("product", []),
        statuses,
        applications=data.get("application", []),
        exemptions=data.get("exemption", []),
        delays=data.get("delay", []),
        reviews=data.get("review", []),
        today=today,
    )
    # One agency record per workspace; should two exist, the latest edit counts.
    agency = max(agencies, key=lambda a: a.get("updated_at") or "", default=None)
    requested = {
        str(year): float(amount)
        for year, amount in sorted(((agency or {}).get("requested_cofinancing") or {}).items())
    }
    overrides = rules.build_overrides(
        data.get("exemption", []),
        data.get("delay", []),
        data.get("review", []),
        data.get("application", []),
    )
    overdue = _overdue(statuses, items, today, overrides)
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
        "elo_conform_self_declared": summary.elo_conform,
        "elo_conform_verified_central": summary.elo_conform_verified,
        "elo_conform_percent": _round(summary.elo_conform_percent),
        "exempt_products": summary.exempt_products,
        "excluded_products": len(summary.excluded),
        "excluded": summary.excluded[:MAX_OVERDUE_LISTED],
        "overall_percent": _round(summary.overall_percent),
        "requirements": _requirements(summary),
        "at_risk": {
            m.key: {
                "products": len(summary.at_risk[m.key]),
                "waiting_on_block": summary.waiting_at_risk(m.key),
            }
            for m in rules.MILESTONES
        },
        "blocks": [
            {
                "block": b.block,
                "applicable": b.applicable,
                "done": b.done,
                "undecided": b.undecided,
                "forms_tool": b.forms_tool,
                "forms_tool_done": b.forms_tool_done,
                "exempt": b.exempt,
                "waiting_on_block": b.waiting,
                "percent": _round(b.percent),
            }
            for b in summary.blocks
        ],
        "overdue_count": len(overdue),
        "overdue": overdue[:MAX_OVERDUE_LISTED],
        "requested_cofinancing": requested,
        # The three conditions of beslissing 6° as the agency ticked them.
        "cofinancing_statements": dict((agency or {}).get("cofinancing_statements") or {}),
        "requests": _requests(data),
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


def _milestones() -> list[dict[str, Any]]:
    return [
        {
            "milestone": m.key,
            "label": rules.milestone_label(m),
            "binding": m.binding,
            **(
                {}
                if m.binding
                else {
                    "interpretation": rules.ADMISSION_READING,
                    "interpretation_text": rules.ADMISSION_READING_TEXT,
                    "interpretation_note": rules.ADMISSION_INTERPRETATION,
                }
            ),
        }
        for m in rules.MILESTONES
    ]


def _envelope(years: list[str], agencies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for year in years:
        lines = [e for e in ENVELOPE_LINES if e["year"] == year]
        firm = {e["source"]: e["amount"] for e in lines if e["status"] == FIRM}
        reserved = {e["source"]: e["amount"] for e in lines if e["status"] == RESERVED}
        available = sum(firm.values())
        requested = sum(a["requested_cofinancing"].get(year, 0.0) for a in agencies)
        out.append(
            {
                "year": year,
                "available": available,  # the firm envelope only
                "sources": firm,
                "reserved": sum(reserved.values()),  # onder voorbehoud, not in `available`
                "reserved_sources": reserved,
                "lines": lines,
                "requested": requested,
                "remaining": available - requested,
                "requested_percent": _round(100.0 * requested / available) if available else None,
            }
        )
    return out


def build_overview(store, today: date | None = None) -> dict[str, Any]:
    """The overview of every agency on the tracker (admin view)."""
    today = today or date.today()
    # Submissions come from their own table, without their content (megabytes each).
    kinds = (
        "agency", "product", "application", "block_status", "checklist_item", "exemption",
        "delay", "review",
    )  # fmt: skip
    agencies = [
        agency_overview(
            info,
            store.records_of(info["ovo_code"], kinds, with_updated_at=("review",))
            | {"submission": store.submissions(info["ovo_code"])},
            today,
        )
        for info in store.workspaces()
    ]
    years = sorted(
        {e["year"] for e in ENVELOPE_LINES}
        | {y for a in agencies for y in a["requested_cofinancing"]}
    )
    blocks = []
    for code, scope, pair, label in BLOCKS:
        applicable = sum(
            b["applicable"] for a in agencies for b in a["blocks"] if b["block"] == code
        )
        done = sum(b["done"] for a in agencies for b in a["blocks"] if b["block"] == code)
        blocks.append(
            {
                "block": code,
                "label": label,
                "scope": scope,
                "pair": pair,
                "pair_label": PAIRS[pair],
                "applicable": applicable,
                "done": done,
                "percent": _round(100.0 * done / applicable) if applicable else None,
            }
        )
    requirements = []
    for code, label, parts in REQUIREMENTS:
        row: dict[str, Any] = {"requirement": code, "label": label, "parts": list(parts)}
        for key in ("yes", "no", "not_applicable", "exempt"):
            row[key] = sum(
                r[key] for a in agencies for r in a["requirements"] if r["requirement"] == code
            )
        requirements.append(row)
    products = sum(a["products"] for a in agencies)
    conform = sum(a["elo_conform"] for a in agencies)
    return {
        "today": today.isoformat(),
        "totals": {
            "agencies": len(agencies),
            "products": products,
            "elo_conform": conform,
            "elo_conform_self_declared": conform,
            "elo_conform_verified_central": sum(
                a["elo_conform_verified_central"] for a in agencies
            ),
            "elo_conform_percent": _round(100.0 * conform / products) if products else None,
            "exempt_products": sum(a["exempt_products"] for a in agencies),
            "excluded_products": sum(a["excluded_products"] for a in agencies),
            "at_risk": {
                m.key: sum(a["at_risk"][m.key]["products"] for a in agencies)
                for m in rules.MILESTONES
            },
            "overdue": sum(a["overdue_count"] for a in agencies),
        },
        "milestones": _milestones(),
        "envelope_reading": ENVELOPE_READING,
        "envelope": _envelope(years, agencies),
        "requirements": requirements,
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
    "elo_conform_centraal_gecontroleerd",
    "aanvaarde_uitzondering",
    "buiten_beschouwing",
]


def _fraction(yes: int, whole: int) -> str:
    # "3 van 4", not "3/4": Excel in a Belgian locale opens "3/4" as 3 April.
    return f"{yes} van {whole}"


def overview_csv(overview: dict[str, Any]) -> str:
    """One row per agency, then totals, the firm envelope and the amount onder voorbehoud.

    Blocks and requirements as 'done van applicable' columns (an accepted exemption and "niet
    van toepassing" are not counted in either); `elo_conform` is self-declared, next to
    the number centrally verified; `risico_<milestone>` counts the producten met risico op
    vertraging per milestone (1 January 2027 under the reading "nieuwe opname", an
    interpretation: see the JSON's `milestones`). Semicolon-separated with a BOM-free
    UTF-8 body: what Excel in a Belgian locale opens.
    """
    from elo_contract import BLOCK_CODES, REQUIREMENT_CODES

    years = [e["year"] for e in overview["envelope"]]
    milestones = [m.key for m in rules.MILESTONES]
    header = (
        CSV_BASE
        + [f"vereiste_{c}" for c in REQUIREMENT_CODES]
        + [f"risico_{k}" for k in milestones]
        + [f"bouwsteen_{c}" for c in BLOCK_CODES]
        + [f"gevraagd_{y}" for y in years]
    )
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(header)

    def row(values: dict[str, Any]) -> None:
        w.writerow([values.get(h, "") for h in header])

    for a in overview["agencies"]:
        blocks = {b["block"]: b for b in a["blocks"]}
        requirements = {r["requirement"]: r for r in a.get("requirements", [])}
        at_risk = a.get("at_risk", {})
        row(
            {
                "ovo_code": a["ovo_code"],
                "agentschap": _safe(a["name"]),
                "producten": a["products"],
                "elo_conform": a["elo_conform"],
                "elo_conform_pct": _num(a["elo_conform_percent"]),
                "gereedheid_pct": _num(a["overall_percent"]),
                "achterstallig": a["overdue_count"],
                "laatste_push": a["last_push_at"] or "",
                "elo_conform_centraal_gecontroleerd": a.get("elo_conform_verified_central", ""),
                "aanvaarde_uitzondering": a.get("exempt_products", ""),
                "buiten_beschouwing": a.get("excluded_products", ""),
            }
            | {
                f"vereiste_{c}": _fraction(r["yes"], r["yes"] + r["no"])
                for c, r in requirements.items()
            }
            | {f"risico_{k}": at_risk[k]["products"] for k in milestones if k in at_risk}
            | {f"bouwsteen_{c}": _fraction(b["done"], b["applicable"]) for c, b in blocks.items()}
            | {f"gevraagd_{y}": _num(a["requested_cofinancing"].get(y, 0.0)) for y in years}
        )
    t = overview["totals"]
    row(
        {
            "ovo_code": "TOTAAL",
            "producten": t["products"],
            "elo_conform": t["elo_conform"],
            "elo_conform_pct": _num(t["elo_conform_percent"]),
            "achterstallig": t["overdue"],
            "elo_conform_centraal_gecontroleerd": t.get("elo_conform_verified_central", ""),
            "aanvaarde_uitzondering": t.get("exempt_products", ""),
            "buiten_beschouwing": t.get("excluded_products", ""),
        }
        | {
            f"vereiste_{r['requirement']}": _fraction(r["yes"], r["yes"] + r["no"])
            for r in overview.get("requirements", [])
        }
        | {f"risico_{k}": v for k, v in t.get("at_risk", {}).items()}
        | {
            f"bouwsteen_{b['block']}": _fraction(b["done"], b["applicable"])
            for b in overview["blocks"]
        }
        | {f"gevraagd_{e['year']}": _num(e["requested"]) for e in overview["envelope"]}
    )
    row(
        {"ovo_code": "BESCHIKBAAR", "agentschap": "enveloppe cofinanciering (vast)"}
        | {f"gevraagd_{e['year']}": _num(e["available"]) for e in overview["envelope"]}
    )
    row(
        {"ovo_code": "ONDER VOORBEHOUD", "agentschap": "VRD 3 projectenportfolio 2026"}
        | {f"gevraagd_{e['year']}": _num(e.get("reserved", 0.0)) for e in overview["envelope"]}
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
