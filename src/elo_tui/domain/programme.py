"""The programme view's rows: the tracker's overview turned into Dutch table rows (pure).

Input is the JSON the tracker's admin endpoints answer (kept in the programme snapshot);
each function returns plain dicts of display text per column key plus the raw values the
screens need to act on a row (`ovo`, `id`). Nothing is recounted here: readiness,
conformity and risk are the tracker's figures (`elo_tracker.readiness`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from elo_tui.domain.formats import euro, format_date, format_number, shorten

REQUIREMENT_SHORT = {"sso": "SSO", "gericht_aanmelden": "Gericht", "product_rights": "Rechten"}
BLOCK_SHORT = {
    "acm_idm": "ACM/IDM",
    "product_rights": "Rechten",
    "vms": "VMS",
    "dosis": "DOSIS",
    "toelatingen": "Toel.",
    "global_header": "Header",
    "capacity_switch": "Wissel",
}
STATE_LABELS = {"requested": "gevraagd", "accepted": "aanvaard", "refused": "geweigerd"}
REVIEW_LABELS = {
    "": "niet beoordeeld",
    "verified": "nagekeken",
    "issues": "heeft problemen",
    "approved": "goedgekeurd",
    "accepted": "aanvaard",
    "refused": "geweigerd",
}
KIND_LABELS = {"exemption": "Uitzondering", "delay": "Vertraging"}
BOTTLENECK_KINDS = {
    "technical": "Technisch",
    "budgetary": "Budgettair",
    "organisational": "Organisatorisch",
    "dependency": "Afhankelijkheid",
}
BOTTLENECK_STATUS = {"open": "open", "in_progress": "in behandeling", "resolved": "opgelost"}
SUBJECT_LABELS = {**BLOCK_SHORT, **REQUIREMENT_SHORT}
# The two conditions of beslissing 6° an entity states itself (the third, "informatie
# bezorgd", is a received submission: the app only freezes one when complete).
STATED_CONDITIONS = {
    "no_extra_request": "geen meervraag",
    "savings_honoured": "besparingen gehonoreerd",
}
DELIVERED_READING = (
    "Lezing: 'noodzakelijke informatie bezorgd' = minstens één indiening ontvangen (elo-tui "
    "bevriest een indiening pas als de volledigheidscontrole slaagt). Beslissing 6°: "
    "“Enkel entiteiten die de noodzakelijke informatie hebben bezorgd kunnen hiervoor in "
    "aanmerking komen.”"
)


def fraction(yes: int, whole: int) -> str:
    return f"{format_number(yes)}/{format_number(whole)}" if whole else "–"


def percent(value: float | None) -> str:
    return "–" if value is None else f"{format_number(value, 0)} %"


def _date(iso: str | None) -> str:
    return format_date((iso or "")[:10]) or "–"


def entity_rows(agencies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per entity: progress, requirements, conform (self-declared vs checked
    centrally), at risk per milestone, overdue, open requests, latest submission."""
    rows = []
    for a in agencies:
        reqs = {r["requirement"]: r for r in a.get("requirements", [])}
        at_risk = a.get("at_risk", {})
        latest = a.get("latest_submission") or {}
        requests = a.get("requests", [])
        open_requests = sum(1 for r in requests if r.get("state") == "requested")
        row = {
            "ovo": a["ovo_code"],
            "name": a.get("name", ""),
            "products": format_number(a.get("products", 0)),
            "ready": percent(a.get("overall_percent")),
            "conform": format_number(a.get("elo_conform_self_declared", 0)),
            "verified": format_number(a.get("elo_conform_verified_central", 0)),
            "risk_jun": format_number(at_risk.get("2027-06-30", {}).get("products", 0)),
            "risk_jan": format_number(at_risk.get("2027-01-01", {}).get("products", 0)),
            "overdue": format_number(a.get("overdue_count", 0)),
            "requests": format_number(open_requests),
            "submission": (
                f"v{latest.get('version', 0)} "
                + REVIEW_LABELS.get(latest.get("review_state", ""), "")
                if latest
                else "geen"
            ),
            "push": _date(a.get("last_push_at")),
            "_search": f"{a.get('name', '')} {a['ovo_code']}".casefold(),
            "_agency": a,
        }
        for code in REQUIREMENT_SHORT:
            r = reqs.get(code, {})
            row[f"req_{code}"] = fraction(r.get("yes", 0), r.get("yes", 0) + r.get("no", 0))
        for b in a.get("blocks", []):
            row[f"block_{b['block']}"] = fraction(b.get("done", 0), b.get("applicable", 0))
        rows.append(row)
    return rows


def filter_rows(rows: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    needle = text.strip().casefold()
    if not needle:
        return rows
    return [r for r in rows if needle in r["_search"]]


def totals_line(overview: dict[str, Any]) -> str:
    t = overview.get("totals", {})
    risk = t.get("at_risk", {})
    return (
        f"{format_number(t.get('agencies', 0))} entiteiten · "
        f"{format_number(t.get('products', 0))} producten · conform "
        f"{format_number(t.get('elo_conform_self_declared', 0))} zelf verklaard, "
        f"{format_number(t.get('elo_conform_verified_central', 0))} centraal nagekeken · "
        f"risico 30/06/2027: {format_number(risk.get('2027-06-30', 0))} · opname*: "
        f"{format_number(risk.get('2027-01-01', 0))} · achterstallig: "
        f"{format_number(t.get('overdue', 0))}"
    )


def entity_detail(a: dict[str, Any], milestones: list[dict[str, Any]]) -> str:
    """One entity in full, as text lines (the drill-down)."""
    lines = [f"{a.get('name', '')} ({a['ovo_code']})", ""]
    lines.append(
        f"Producten: {format_number(a.get('products', 0))} · gereedheid "
        f"{percent(a.get('overall_percent'))} · ELO-conform zelf verklaard "
        f"{format_number(a.get('elo_conform_self_declared', 0))}, centraal nagekeken "
        f"{format_number(a.get('elo_conform_verified_central', 0))}"
    )
    lines.append(f"Laatste push: {_date(a.get('last_push_at'))}")
    lines += ["", "Vereisten (klaar/van toepassing):"]
    for r in a.get("requirements", []):
        lines.append(
            f"  {r.get('label', r['requirement'])}: "
            f"{fraction(r.get('yes', 0), r.get('yes', 0) + r.get('no', 0))}"
            f" · niet van toepassing {r.get('not_applicable', 0)} · vrijgesteld "
            f"{r.get('exempt', 0)}"
        )
    lines += ["", "Bouwstenen (klaar/van toepassing):"]
    for b in a.get("blocks", []):
        lines.append(
            f"  {BLOCK_SHORT.get(b['block'], b['block'])}: "
            f"{fraction(b.get('done', 0), b.get('applicable', 0))} · nog te beslissen "
            f"{b.get('undecided', 0)} · wacht op bouwsteen {b.get('waiting_on_block', 0)}"
        )
    lines += ["", "Producten met risico op vertraging:"]
    for m in milestones:
        risk = a.get("at_risk", {}).get(m["milestone"], {})
        lines.append(
            f"  {m['label']}: {format_number(risk.get('products', 0))} "
            f"(waarvan wacht op bouwsteen: {format_number(risk.get('waiting_on_block', 0))})"
        )
    overdue = a.get("overdue", [])
    lines += ["", f"Achterstallig: {format_number(a.get('overdue_count', 0))}"]
    for o in overdue:
        lines.append(f"  {_date(o.get('due'))}  {shorten(str(o.get('title', '')), 70)}")
    if a.get("overdue_count", 0) > len(overdue):
        lines.append(f"  … en {a['overdue_count'] - len(overdue)} meer")
    requests = a.get("requests", [])
    lines += ["", f"Uitzonderingen en vertragingen: {len(requests)}"]
    for r in requests:
        lines.append(
            f"  {KIND_LABELS.get(r['kind'], r['kind'])} "
            f"{SUBJECT_LABELS.get(r['subject'], r['subject'])}"
            f" · {r.get('scope_name') or r.get('scope_id', '')} · "
            f"{STATE_LABELS.get(r.get('state', ''), r.get('state', ''))}"
        )
    return "\n".join(lines)


def request_rows(agencies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every exemption and delay across entities, the ones still to decide first."""
    rows = []
    for a in agencies:
        for r in a.get("requests", []):
            if r["kind"] == "delay":
                what = f"{_date(r.get('original_date'))} → {_date(r.get('new_date'))}"
            else:
                what = ""
            rows.append(
                {
                    "ovo": a["ovo_code"],
                    "id": r["id"],
                    "kind_code": r["kind"],
                    "agency": a.get("name", ""),
                    "kind": KIND_LABELS.get(r["kind"], r["kind"]),
                    "subject": SUBJECT_LABELS.get(r.get("subject", ""), r.get("subject", "")),
                    "scope": r.get("scope_name") or r.get("scope_id", ""),
                    "dates": what,
                    "ground": r.get("ground", ""),
                    "requested_on": _date(r.get("requested_on")),
                    "state_code": r.get("state", "requested"),
                    "state": STATE_LABELS.get(r.get("state", ""), r.get("state", "")),
                    "comment": r.get("decision_comment", ""),
                }
            )
    rows.sort(key=lambda r: (r["state_code"] != "requested", r["agency"], r["requested_on"]))
    return rows


def bottleneck_rows(register: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "ovo": b["ovo_code"],
            "agency": b.get("agency", ""),
            "kind": BOTTLENECK_KINDS.get(b.get("bottleneck_kind", ""), b.get("bottleneck_kind")),
            "block": BLOCK_SHORT.get(b.get("block", ""), b.get("block", "")) or "–",
            "description": b.get("description", ""),
            "scope": b.get("scope_name", ""),
            "status": BOTTLENECK_STATUS.get(b.get("status", ""), b.get("status", "")),
            "reported_on": _date(b.get("reported_on")),
        }
        for b in register.get("bottlenecks", [])
    ]


def bottleneck_summary(register: dict[str, Any], limit: int = 3) -> str:
    """The most shared bottlenecks (kind × block over most entities)."""
    groups = register.get("groups", [])
    if not groups:
        return "Geen open knelpunten."
    parts = [
        f"{BOTTLENECK_KINDS.get(g['bottleneck_kind'], g['bottleneck_kind'])} · "
        f"{BLOCK_SHORT.get(g['block'], g['block']) or 'algemeen'}: "
        f"{format_number(g['agencies'])} entiteiten, {format_number(g['count'])} knelpunten"
        for g in groups[:limit]
    ]
    return "Meest gedeeld: " + "; ".join(parts)


def envelope_lines(overview: dict[str, Any]) -> list[str]:
    """Requested per year against the firm envelope, VRD 3 apart (onder voorbehoud)."""
    out = []
    for e in overview.get("envelope", []):
        if not e.get("available") and not e.get("requested") and not e.get("reserved"):
            continue
        line = (
            f"{e['year']}: gevraagd {euro(e.get('requested', 0))} van {euro(e.get('available'))}"
            f" (vast) · resterend {euro(e.get('remaining'))}"
        )
        if e.get("reserved"):
            line += f" · VRD 3 onder voorbehoud: {euro(e['reserved'])} (niet meegeteld)"
        out.append(line)
    return out


def cofinancing_rows(
    agencies: list[dict[str, Any]], figures: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per entity: requested per year, eligible vs not (latest submission), whether it
    delivered the information and stated the conditions, hence whether it qualifies."""
    rows = []
    for a in agencies:
        requested = a.get("requested_cofinancing", {})
        f = figures.get(a["ovo_code"], {})
        delivered = bool(a.get("submissions"))
        stated = a.get("cofinancing_statements", {})
        missing = [label for key, label in STATED_CONDITIONS.items() if not stated.get(key)]
        reasons = ([] if delivered else ["geen indiening"]) + [
            f"niet verklaard: {m}" for m in missing
        ]
        rows.append(
            {
                "ovo": a["ovo_code"],
                "agency": a.get("name", ""),
                "y2026": euro(requested.get("2026", 0.0)),
                "y2027": euro(requested.get("2027", 0.0)),
                "eligible": euro(f["eligible_total"]) if f else "onbekend",
                "not_eligible": euro(f["not_eligible_total"]) if f else "onbekend",
                "delivered": "ja" if delivered else "nee",
                "qualifies": "ja" if not reasons else "nee: " + "; ".join(reasons),
                "_qualifies": not reasons,
                "_requested": sum(float(v) for v in requested.values()),
            }
        )
    rows.sort(key=lambda r: (not r["_qualifies"], -r["_requested"], r["agency"]))
    return rows


def nota_line(rows: list[dict[str, Any]], nota: dict[str, float]) -> str:
    """Total requested against the programme figures of the nota."""
    total = sum(r["_requested"] for r in rows)
    qualifying = sum(r["_requested"] for r in rows if r["_qualifies"])
    return (
        f"Totaal gevraagd {euro(total)} (van entiteiten die in aanmerking komen: "
        f"{euro(qualifying)}) · nota: raming alle agentschappen "
        f"{euro(nota['estimate_all_agencies'])}, zonder mestbankloket "
        f"{euro(nota['estimate_without_mestbankloket'])}"
    )


def submission_rows(
    agencies: list[dict[str, Any]], submissions: dict[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    names = {a["ovo_code"]: a.get("name", "") for a in agencies}
    rows = []
    for ovo, items in submissions.items():
        for s in items:
            rows.append(
                {
                    "ovo": ovo,
                    "id": s.get("id", ""),
                    "agency": names.get(ovo, ovo),
                    "version": f"v{s.get('version', 0)}",
                    "sha": str(s.get("sha256", ""))[:12],
                    "received": _date(s.get("received_at")),
                    "author": s.get("author", ""),
                    "state": REVIEW_LABELS.get(s.get("review_state", ""), s.get("review_state")),
                    "_info": s,
                }
            )
    rows.sort(key=lambda r: (r["agency"], r["_info"].get("version", 0)))
    return rows


# -- governance reports (made by the tracker, `GET /v1/reports/{kind}`) -------------------

REPORT_KINDS = {
    "kernwerkgroep": "Kernwerkgroep",
    "stuurgroep": "Stuurgroep",
    "evaluatie": "Tussentijdse evaluatie",
}
REPORT_PERIOD_HINT = (
    "Periode: JJJJ-MM, een maand (kernwerkgroep), of JJJJ-Qn, een kwartaal (stuurgroep); "
    "de evaluatie neemt beide"
)
REPORT_FORMATS = {"md": "Markdown (.md)", "xlsx": "Excel (.xlsx)"}


def default_report_period(kind: str, today: date) -> str:
    """The period a report of `kind` is usually made for on `today`: the current month for
    the kernwerkgroep, the current quarter for the stuurgroep and the evaluation (its plan
    counts quarters). The tracker checks the period (JJJJ-MM or JJJJ-Qn)."""
    if kind == "kernwerkgroep":
        return f"{today.year}-{today.month:02d}"
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"
