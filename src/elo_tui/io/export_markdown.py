"""A submission as a short Markdown summary for a steering group ("stuurgroep").

Key figures first (what it costs, what is asked, what the agency pays itself), then the
split per year and per block, readiness, the forms-tool candidates and open warnings.
User text is escaped so a product name cannot break a table.
"""

from __future__ import annotations

import math
from typing import Any

from elo_tui.domain import estimate as est
from elo_tui.domain import formats

MAX_FORMS_ROWS = 15
MAX_WARNINGS = 30


euro = formats.euro  # the one Belgian formatter; old name kept for callers


def _esc(text: Any) -> str:
    """Literal text inside a Markdown table cell or line."""
    s = str(text).replace("\r", " ").replace("\n", " ")
    for ch in "\\`*_[]<>|#":
        s = s.replace(ch, "\\" + ch)
    return s


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def render(document: dict[str, Any]) -> str:
    meta = document.get("submission", {})
    agency = document.get("agency", {})
    e = document.get("estimate", {})
    concept = meta.get("version") == 0
    lines: list[str] = [
        f"# {'CONCEPT – ' if concept else ''}Indiening cofinanciering – "
        f"{_esc(agency.get('name', ''))}",
        "",
        (
            "Concept: de huidige stand, nog niet ingediend; "
            if concept
            else f"Versie {meta.get('version', '?')}, "
        )
        + f"aangemaakt op {_esc(formats.format_stamp(meta.get('created_at', '')))} "
        f"door {_esc(meta.get('author', ''))}.  ",
        f"Contactpersoon: {_esc(agency.get('contact_name', '–'))} "
        f"({_esc(agency.get('contact_email', ''))}).  ",
        f"SHA-256: `{document.get('sha256', '')}`",
        "",
        "## Kerncijfers",
        "",
    ]
    lines += _table(
        ["", "Bedrag"],
        [
            ["Verwachte kost (PERT-gemiddelde)", euro(e.get("mean"))],
            ["**Raming P50 (budget)**", f"**{euro(e.get('p50'))}**"],
            ["Raming P80 (plafond)", euro(e.get("p80"))],
            ["Reserve (P80 − P50)", euro(e.get("contingency"))],
            ["**Gevraagde cofinanciering**", f"**{euro(e.get('requested_total'))}**"],
            ["Eigen bijdrage", euro(e.get("own_contribution_total"))],
            ["Kosten die in aanmerking komen (verwacht)", euro(e.get("eligible_total"))],
            ["Kosten die niet in aanmerking komen (verwacht)", euro(e.get("not_eligible_total"))],
        ],
    )
    counts = [
        formats.plural(len(document.get("products", [])), "product", "producten"),
        formats.plural(len(document.get("applications", [])), "toepassing", "toepassingen"),
        formats.plural(len(document.get("estimate_lines", [])), "ramingslijn", "ramingslijnen"),
    ]
    lines += ["", ", ".join(counts) + ".", ""]

    lines += ["## Per begrotingsjaar", ""]
    by_year = {r["year"]: r for r in e.get("by_year", [])}
    rows = []
    for r in e.get("cofinancing", []):
        y = by_year.get(r["year"], {})
        rows.append(
            [
                est.YEAR_LABELS.get(r["year"], r["year"]),
                euro(y.get("p50")),
                euro(y.get("p80")),
                euro(r.get("requested")),
                euro(r.get("own_contribution")),
                euro(r.get("own_budget")),
                euro(r.get("shortfall")) if r.get("shortfall") else "–",
            ]
        )
    lines += _table(
        ["Jaar", "P50", "P80", "Gevraagd", "Eigen bijdrage", "Eigen budget", "Tekort"], rows
    )
    lines += [
        "",
        "Gevraagd = het gevraagde bedrag, begrensd tot de raming (P50) van de kosten die in "
        "aanmerking komen in dat jaar; cofinanciering bestaat enkel voor 2026 en 2027.",
    ]
    for r in e.get("cofinancing", []):
        note = est.cap_note(r.get("asked", 0.0), r.get("requested", 0.0), r.get("cap", ""))
        if note:
            lines += ["", f"{est.YEAR_LABELS.get(r['year'], r['year'])}: {_esc(note)}."]
    years_p50 = math.fsum(float(r.get("cost", 0.0)) for r in e.get("cofinancing", []))
    if e.get("cofinancing") and years_p50 != e.get("p50"):
        lines += [
            "",
            f"De P50's per jaar tellen op tot {euro(years_p50)}, niet tot de P50 van het "
            f"geheel ({euro(e.get('p50'))}): percentielen tellen niet op. De eigen bijdrage "
            "in de kerncijfers is P50 − gevraagde cofinanciering.",
        ]
    lines += cofinancing_lines(document)
    lines += [
        "",
        "## Per bouwsteen",
        "",
    ]
    lines += _table(
        ["Bouwsteen", "Verwachte kost"],
        [
            [_esc(b.get("label", b.get("block", ""))), euro(b.get("mean"))]
            for b in e.get("by_block", [])
        ],
    )

    readiness = document.get("readiness")
    if readiness:
        lines += ["", "## Gereedheid", ""]
        conform, total = readiness.get("elo_conform", 0), readiness.get("products_total", 0)
        lines.append(
            f"{conform} van {formats.plural(total, 'product', 'producten')} ELO-conform"
            + (f" ({formats.format_percent(conform / total)})." if total else ".")
        )
        block_rows = []
        for b in readiness.get("blocks", []):
            # The percentage is computed from the two counts shown next to it: the stored
            # one is already rounded to a tenth, and rounding twice can differ (10,5 -> 10).
            applicable = int(b.get("applicable", b.get("required", 0)) or 0)
            done = int(b.get("done", 0) or 0)
            block_rows.append(
                [
                    _esc(b.get("label", b.get("block", ""))),
                    formats.format_number(applicable),
                    formats.format_number(done),
                    formats.format_percent(done / applicable) if applicable else "–",
                ]
            )
        if block_rows:
            lines += [""] + _table(["Bouwsteen", "Van toepassing", "Klaar", "Klaar %"], block_rows)
        lines += _rules_section(readiness)
    lines += _decisions_section(document)

    forms = e.get("forms_tool", {})
    if forms.get("rows"):
        lines += [
            "",
            f"## Producten met minder dan {forms.get('threshold')} aanvragen per jaar (aanname)",
            "",
            _esc(forms.get("threshold_assumption", "AANNAME: drempel niet uit de beslissing.")),
            "",
            "Eigen integratie (eigen lijnen + aandeel van de toepassing) tegenover overzetten "
            "naar de formulieren- en opvolgingstool (kost van die route: aanname uit het "
            "kostensjabloon). Indicatief: het aandeel van de toepassing "
            "valt pas weg als alle producten van die toepassing verhuizen.",
            "",
        ]
        rows = [
            [
                _esc(r.get("name", "")),
                str(r.get("yearly_volume", "")),
                euro(r.get("own_integration")),
                euro(r.get("forms_tool")),
                euro(r.get("saving")),
            ]
            for r in forms["rows"][:MAX_FORMS_ROWS]
        ]
        lines += _table(
            [
                "Product",
                "Aanvragen/jaar",
                "Eigen integratie",
                "Formulieren- en opvolgingstool",
                "Verschil",
            ],
            rows,
        )
        if len(forms["rows"]) > MAX_FORMS_ROWS:
            more = len(forms["rows"]) - MAX_FORMS_ROWS
            lines.append(f"\n… en nog {formats.plural(more, 'product', 'producten')} (zie XLSX).")

    justification = agency.get("justification", "")
    if justification:
        lines += ["", "## Toelichting van de entiteit", ""]
        lines += [_esc(p) if p.strip() else "" for p in justification.splitlines()]

    warnings = document.get("completeness", {}).get("warnings", [])
    if warnings:
        lines += ["", "## Aandachtspunten", ""]
        lines += [f"- {_esc(w.get('message', ''))}" for w in warnings[:MAX_WARNINGS]]
        if len(warnings) > MAX_WARNINGS:
            lines.append(
                f"- … en nog {formats.format_number(len(warnings) - MAX_WARNINGS)} "
                "(zie de TOML- of JSON-export)."
            )
    lines += [
        "",
        "---",
        f"Methode: {_esc(e.get('method', ''))}; {e.get('draws', '?')} trekkingen, "
        f"zaad {e.get('seed', '?')}. "
        "Ramingen zijn grofmazig: lees P50 als budget en P80 als plafond.",
        "",
    ]
    return "\n".join(lines)


def cofinancing_lines(document: dict[str, Any]) -> list[str]:
    """The co-financing section: envelope reading with quotes, budget articles, eligible
    costs, the statements, the BVCO threshold and applications left out. Kept in its own
    function (other sections are added by other parts of the project)."""
    c = document.get("cofinancing")
    if not c:
        return []
    out = ["", "## Cofinanciering: enveloppe, voorwaarden en drempel", ""]
    env = c.get("envelope", {})
    out.append(
        f"**Enveloppe – {_esc(env.get('label', 'lezing'))}:** {_esc(env.get('reading', ''))}"
    )
    out.append("")
    for q in env.get("quotes", []):
        out.append(f"> “{_esc(q.get('text', ''))}” ({_esc(q.get('reference', ''))})")
        out.append("")
    rows = [
        [
            _esc(e.get("year", "")),
            euro(e.get("amount")),
            _esc(e.get("source", "")),
            _esc(e.get("article", "")),
            "vast"
            if e.get("in_firm_envelope")
            else "**onder voorbehoud** (niet in de vaste enveloppe)",
        ]
        for e in env.get("lines", [])
    ]
    out += _table(["Jaar", "Bedrag", "Bron", "Begrotingsartikel", "Status"], rows)
    reserved = [e for e in env.get("lines", []) if not e.get("in_firm_envelope")]
    for e in reserved:
        out += ["", f"> “{_esc(e.get('quote', ''))}” ({_esc(e.get('reference', ''))})"]
    elig = c.get("eligibility", {})
    out += [
        "",
        "**Kosten die in aanmerking komen:** "
        f"{euro(elig.get('eligible_total'))} (verwacht), niet in aanmerking "
        f"{euro(elig.get('not_eligible_total'))}; "
        f"{_count(elig.get('lines_by_default_rule', 0), 'lijn volgt', 'lijnen volgen')} "
        "de standaardregel.",
        "",
        _esc(elig.get("rule", "")),
        "",
        f"> “{_esc(elig.get('quote', ''))}”",
        "",
        f"> “{_esc(elig.get('criteria_later', ''))}”",
        "",
        "**Voorwaarden (verklaringen van de entiteit):**",
        "",
    ]
    for s in c.get("statements", []):
        mark = "✓" if s.get("stated") else "✗ niet verklaard –"
        out.append(f"- {mark} {_esc(s.get('label', ''))} — “{_esc(s.get('quote', ''))}”")
    t = c.get("bvco_threshold", {})
    value = euro(t.get("value")) if t.get("known") else "onbekend"
    flag = ""
    if t.get("exceeded"):
        flag = f" Gevraagd {euro(t.get('requested_total'))} is meer: {_esc(t.get('flag', ''))}."
    elif t.get("known"):
        flag = f" Gevraagd {euro(t.get('requested_total'))} blijft eronder."
    out += [
        "",
        f"**Interventiedrempel BVCO:** {value}.{flag} “{_esc(t.get('quote', ''))}”",
    ]
    excluded = c.get("excluded_applications", [])
    if excluded:
        out += ["", "**Buiten beschouwing in onderling overleg** (niet in de totalen):", ""]
        out += _table(
            ["Toepassing", "Reden", "Verwachte kost (niet meegeteld)"],
            [
                [_esc(x.get("name", "")), _esc(x.get("reason", "") or "–"), euro(x.get("mean"))]
                for x in excluded
            ],
        )
        out += ["", f"> “{_esc(c.get('excluded_quote', ''))}”"]
    articles = c.get("budget_articles", [])
    if articles:
        out += [
            "",
            "Begrotingsartikelen: "
            + "; ".join(
                f"{_esc(a.get('source', ''))}: {_esc(a.get('article', ''))}" for a in articles
            )
            + ".",
        ]
    return out


def _rules_section(readiness: dict[str, Any]) -> list[str]:
    """The decision's rules as measured: ELO-conform (definition and quote), the
    requirements, both milestones (the admission reading as an interpretation), the
    producten met risico op vertraging and the applications left out."""
    lines = ["", "### ELO-conform, vereisten en mijlpalen", ""]
    self_declared = readiness.get("elo_conform_self_declared", readiness.get("elo_conform", 0))
    verified = readiness.get("elo_conform_verified_central", 0)
    lines.append(
        f"ELO-conform: {_count(self_declared)} zelf verklaard, {_count(verified)} centraal "
        f"gecontroleerd; {_count(readiness.get('exempt_products', 0))} met aanvaarde "
        "uitzondering "
        "(niet conform, niet te laat)."
    )
    if readiness.get("elo_conform_definition"):
        lines += ["", f"> {_esc(readiness['elo_conform_definition'])}"]
    if readiness.get("elo_conform_source"):
        lines += [">", f"> {_esc(readiness['elo_conform_source'])}"]
    reqs = readiness.get("requirements", [])
    if reqs:
        lines += [""] + _table(
            ["Vereiste", "Gerealiseerd", "Nog niet", "Uitzondering", "N.v.t."],
            [
                [
                    _esc(r.get("label", "")),
                    _count(r.get("yes", 0)),
                    _count(r.get("no", 0)),
                    _count(r.get("exempt", 0)),
                    _count(r.get("not_applicable", 0)),
                ]
                for r in reqs
            ],
        )
    for d in readiness.get("deadlines", []):
        n = len(d.get("at_risk", []))
        lines += [
            "",
            f"**{_esc(d.get('label', ''))}**: {_count(n, 'product', 'producten')} met risico "
            "op vertraging"
            + (
                f", waarvan {_count(d['waiting_on_block'])} wacht op bouwsteen"
                if d.get("waiting_on_block")
                else ""
            )
            + ".",
        ]
        if not d.get("binding", True):
            lines.append(
                f"Geen deadline van een bouwsteen. Interpretatie: "
                f"{_esc(d.get('interpretation_text', ''))}. Bron: {_esc(d.get('source', ''))}"
            )
    excluded = readiness.get("excluded", [])
    if excluded:
        lines += ["", "Buiten beschouwing gelaten (niet meegeteld):", ""]
        lines += [f"- {_esc(e.get('product', ''))}: {_esc(e.get('reason', ''))}" for e in excluded]
    return lines


def _decisions_section(document: dict[str, Any]) -> list[str]:
    """Exemptions and justified delays with VLAIO's decision."""
    from elo_tui.domain.blocks import subject_label

    exemptions, delays = document.get("exemptions", []), document.get("delays", [])
    if not exemptions and not delays:
        return []
    from elo_tui.domain.submission import scope_names

    names = scope_names(document)
    decided = document.get("decisions", {})
    status = {
        r["id"]: r.get("status_label", "gevraagd")
        for key in ("exemptions", "delays")
        for r in decided.get(key, [])
        if isinstance(r, dict) and "id" in r
    }
    lines = ["", "## Uitzonderingen en gerechtvaardigde vertragingen", ""]
    if decided.get("exemption_source"):
        lines += [f"> {_esc(decided['exemption_source'])}", ">"]
    if decided.get("delay_source"):
        lines += [f"> {_esc(decided['delay_source'])}", ""]
    rows = []
    for r in exemptions:
        rows.append(
            [
                "Uitzondering",
                _esc(names.get(r.get("scope_id", ""), "(verwijderd)")),
                _esc(subject_label(r.get("subject", ""))),
                _esc(r.get("ground", "")),
                status.get(r["id"], "gevraagd"),
            ]
        )
    for r in delays:
        rows.append(
            [
                "Vertraging",
                _esc(names.get(r.get("scope_id", ""), "(verwijderd)")),
                _esc(subject_label(r.get("subject", ""))),
                _esc(
                    f"{formats.date_for_entry(r.get('original_date') or '2027-06-30')} → "
                    f"{formats.date_for_entry(r.get('new_date', ''))}: "
                    f"{r.get('reason', '')}"
                ),
                status.get(r["id"], "gevraagd"),
            ]
        )
    return lines + _table(["Soort", "Product of toepassing", "Onderwerp", "Grond", "Status"], rows)


def _count(value: Any, singular: str = "", plural_form: str = "") -> str:
    """A count from the document as Belgians write it (1.202), with its Dutch noun when
    given; a value that is not a number (an older or edited document) is shown as is."""
    if not isinstance(value, int) or isinstance(value, bool):
        return _esc(str(value))
    if singular:
        return formats.plural(value, singular, plural_form)
    return formats.format_number(value)
