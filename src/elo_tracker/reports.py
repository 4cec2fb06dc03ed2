"""Governance reports from the tracker's data (`elo-tracker report`): the monthly report for
the kernwerkgroep (operational), the quarterly one for the stuurgroep (strategic) and the
interim evaluation (end 2026), as Markdown.

Reproducible: the same data and period give the same bytes, except the one line starting
with `GENERATED_PREFIX`. The reference date ("peildatum") is the last day of the period, not
the day the report is made; the data cut-off is the latest change the report saw.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from elo_contract import BLOCKS
from elo_tracker import readiness as rules
from elo_tracker.bottlenecks import KIND_LABELS
from elo_tracker.overview import DECISION, ENVELOPE_READING, build_overview

KINDS = ("kernwerkgroep", "stuurgroep", "evaluatie")
GENERATED_PREFIX = "Gegenereerd op: "
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
CONTEXT = (
    f"Programmacontext (bron: {DECISION}):",
    "- september 2025: 1.202 producten op e-loketondernemers, waarvan 119 van Vlaamse "
    "entiteiten; 67 daarvan gebruiken de bouwstenen.",
    "- Raming van de agentschappen: € 6.907.000; € 3.582.000 zonder het Mestbankloket.",
)
KINDS_READ = (
    "agency", "product", "application", "block_status", "checklist_item", "exemption",
    "delay", "review", "bottleneck", "baseline", "plan_scenario", "plan_item",
)  # fmt: skip
STAGE_LABELS = {
    "not_started": "niet gestart",
    "analysis": "analyse",
    "development": "ontwikkeling",
    "test": "test",
    "production": "productie",
}
BLOCK_LABELS = {code: label for code, _, _, label in BLOCKS}
DECISION_LABELS = {"accepted": "aanvaard", "refused": "geweigerd"}


class ReportError(ValueError):
    """Bad input for a report; the message is Dutch and says what is wrong."""


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date

    @property
    def quarter(self) -> str:
        return f"{self.end.year}-Q{(self.end.month - 1) // 3 + 1}"


def parse_period(kind: str, text: str) -> Period:
    """YYYY-MM (kernwerkgroep, evaluatie) or YYYY-Qn (stuurgroep, evaluatie)."""
    if kind not in KINDS:
        raise ReportError(f"onbekende soort rapport '{kind}' (kies uit {', '.join(KINDS)})")
    text = text.strip()
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise ReportError(f"periode '{text}': maand {month} bestaat niet")
        if kind == "stuurgroep":
            raise ReportError(
                f"periode '{text}': het stuurgroeprapport is per kwartaal, bv. {year}-Q4"
            )
        return Period(text, date(year, month, 1), date(year, month, monthrange(year, month)[1]))
    if m := _QUARTER.match(text):
        year, q = int(m[1]), int(m[2])
        if kind == "kernwerkgroep":
            raise ReportError(
                f"periode '{text}': het kernwerkgroeprapport is per maand, bv. {year}-{q * 3:02d}"
            )
        last = q * 3
        return Period(
            f"{year}-Q{q}", date(year, last - 2, 1), date(year, last, monthrange(year, last)[1])
        )
    raise ReportError(f"periode '{text}' is ongeldig: gebruik JJJJ-MM of JJJJ-Qn (bv. 2026-11)")


# -- data -------------------------------------------------------------------------------


def _in(stamp: str | None, period: Period) -> bool:
    day = (stamp or "")[:10]
    return period.start.isoformat() <= day <= period.end.isoformat()


def _collect(store) -> list[dict[str, Any]]:
    out = []
    for info in store.workspaces():
        data = store.records_of(info["ovo_code"], KINDS_READ, with_updated_at=KINDS_READ)
        out.append({"info": info, "data": data})
    return out


def _cutoff(agencies: list[dict[str, Any]]) -> str:
    stamps = [
        r.get("updated_at") or "" for a in agencies for recs in a["data"].values() for r in recs
    ]
    return max(stamps, default="") or "geen gegevens"


def _conform(product: dict[str, Any], data: dict[str, list[dict[str, Any]]], day: date) -> bool:
    one = rules.readiness(
        [product],
        data.get("block_status", []),
        applications=data.get("application", []),
        exemptions=data.get("exemption", []),
        delays=data.get("delay", []),
        reviews=data.get("review", []),
        today=day,
    )
    return one.elo_conform == 1


def _names(data: dict[str, list[dict[str, Any]]]) -> dict[tuple[str, str], str]:
    names = {("product", r["id"]): r.get("name", "") for r in data.get("product", [])}
    names.update({("application", r["id"]): r.get("name", "") for r in data.get("application", [])})
    return names


def _scope(names: dict[tuple[str, str], str], rec: dict[str, Any]) -> str:
    key = (rec.get("scope_kind", ""), rec.get("scope_id", ""))
    return "entiteit" if key[0] == "agency" else _md(names.get(key) or key[1])


def _kind(bottleneck: dict[str, Any]) -> str:
    kind = bottleneck.get("bottleneck_kind", "technical")
    return KIND_LABELS.get(kind, kind).lower()


def _block(code: str | None) -> str:
    return BLOCK_LABELS.get(code or "", code or "")


def _md(text: Any) -> str:
    """Agency text in a Markdown table cell or list item: one line, no table breaks."""
    return " ".join(str(text).split()).replace("|", "\\|") or "–"


def _pct(value: float | None) -> str:
    return "onbekend" if value is None else f"{value:.1f} %".replace(".", ",")


def _eur(value: float) -> str:
    return "€ " + f"{value:,.0f}".replace(",", ".")


def _decision(target_id: str, data: dict[str, list[dict[str, Any]]]) -> str:
    verdict = rules.decisions(data.get("review", [])).get(target_id, "")
    return DECISION_LABELS.get(verdict, "gevraagd (nog geen beslissing)")


# -- sections ---------------------------------------------------------------------------


def _header(kind: str, title: str, period: Period, cutoff: str, now: datetime) -> list[str]:
    return [
        f"# {title} – {period.label}",
        "",
        f"{GENERATED_PREFIX}{now.astimezone(UTC).strftime('%Y-%m-%d %H:%M:%S')} UTC",
        "",
        f"Periode: {period.start.isoformat()} tot en met {period.end.isoformat()}; "
        f"peildatum {period.end.isoformat()}.",
        "",
        f"Gegevens tot en met: {cutoff} (laatste wijziging in de tracker die dit rapport zag).",
        *(
            [
                "",
                "Let op: de tracker bewaart de laatste versie van elk record; wat na de "
                "peildatum wijzigde, telt mee met zijn huidige waarde.",
            ]
            if cutoff[:10] > period.end.isoformat()
            else []
        ),
        "",
        *CONTEXT,
        "",
    ]


def _kernwerkgroep(agencies, overview, period: Period) -> list[str]:
    lines = [
        "Wat veranderde: records die de entiteit in deze periode wijzigde (de tracker bewaart "
        "de laatste versie van elk record, niet elke tussenstap; de fase is de huidige).",
        "",
    ]
    by_ovo = {a["ovo_code"]: a for a in overview["agencies"]}
    for entry in agencies:
        info, data = entry["info"], entry["data"]
        names = _names(data)
        ov = by_ovo[info["ovo_code"]]
        lines += [f"## {_md(info['name'])} ({info['ovo_code']})", ""]
        lines.append(
            f"ELO-conform: {ov['elo_conform']} van {ov['products']} producten "
            f"({_pct(ov['elo_conform_percent'])}); gereedheid bouwstenen "
            f"{_pct(ov['overall_percent'])}."
        )
        lines += ["", "### Fasewijzigingen in de periode", ""]
        changed = sorted(
            (s for s in data.get("block_status", []) if _in(s.get("updated_at"), period)),
            key=lambda s: (s.get("updated_at", ""), s.get("block", ""), s["id"]),
        )
        lines += [
            f"- {s.get('updated_at', '')[:10]}: {_scope(names, s)} – {_block(s.get('block'))}: "
            f"{STAGE_LABELS.get(s.get('stage', ''), s.get('stage', ''))}"
            for s in changed
        ] or ["Geen."]
        lines += ["", "### Nieuw ELO-conforme producten", ""]
        touched = {s.get("scope_id") for s in changed}
        new = sorted(
            p.get("name", "")
            for p in data.get("product", [])
            if (
                _in(p.get("updated_at"), period)
                or touched & {p["id"], p.get("request_application_id"),
                              p.get("followup_application_id")}
            )
            and _conform(p, data, period.end)
        )  # fmt: skip
        lines += [f"- {_md(n)}" for n in new] or ["Geen."]
        lines += ["", "### Achterstallige stappen", ""]
        lines += [
            f"- {o['due']}: {_md(o['title'])}"
            + (
                f" ({_md(names.get((o['scope_kind'], o['scope_id']), ''))})"
                if o["scope_id"]
                else ""
            )
            + (f"; uitstel aanvaard tot {o['delayed_to']}" if o.get("delayed_to") else "")
            for o in ov["overdue"]
        ] or ["Geen."]
        lines += ["", "### Geblokkeerde stappen", ""]
        blocked = sorted(
            (c for c in data.get("checklist_item", [])
             if c.get("status") == "blocked" and not c.get("obsolete")),
            key=lambda c: (c.get("due_date", ""), c.get("title", "")),
        )  # fmt: skip
        lines += [
            f"- {_md(c.get('title', ''))} (eigenaar: {_md(c.get('owner', ''))})" for c in blocked
        ] or ["Geen."]
        lines += ["", "### Knelpunten (open)", ""]
        bottlenecks = sorted(
            (b for b in data.get("bottleneck", []) if b.get("status", "open") != "resolved"),
            key=lambda b: (b.get("reported_on", ""), b["id"]),
        )
        lines += [
            f"- {b.get('reported_on', '') or 'datum onbekend'}: {_md(b.get('description', ''))}"
            f" ({_kind(b)}{', ' + _block(b['block']) if b.get('block') else ''})"
            for b in bottlenecks
        ] or ["Geen."]
        lines += ["", "### Vragen om uitstel", ""]
        delays = sorted(data.get("delay", []), key=lambda d: (d.get("requested_on", ""), d["id"]))
        lines += [
            f"- {_scope(names, d)} – {_block(d.get('subject'))}: van "
            f"{d.get('original_date', '') or 'onbekend'} naar "
            f"{d.get('new_date', '') or 'onbekend'}; {_decision(d['id'], data)}"
            for d in delays
        ] or ["Geen."]
        lines.append("")
    return lines


def _envelope(overview) -> list[str]:
    lines = [
        "| Jaar | Gevraagd | Enveloppe (vast) | Resterend | Onder voorbehoud (VRD 3) |",
        "|---|---:|---:|---:|---:|",
    ]
    for e in overview["envelope"]:
        lines.append(
            f"| {e['year']} | {_eur(e['requested'])} | {_eur(e['available'])} | "
            f"{_eur(e['remaining'])} | {_eur(e['reserved'])} |"
        )
    return [*lines, "", ENVELOPE_READING, ""]


def _stuurgroep(agencies, overview, period: Period) -> list[str]:
    t = overview["totals"]
    days = (rules.JUN_2027.day - period.end).days
    lines = [
        "## Voortgang naar 30 juni 2027",
        "",
        f"Nog {days} dagen na de peildatum. {t['elo_conform']} van {t['products']} producten "
        f"ELO-conform ({_pct(t['elo_conform_percent'])}, zelf verklaard); "
        f"{t['elo_conform_verified_central']} centraal gecontroleerd; "
        f"{t['agencies']} entiteiten.",
        "",
        "## Vereisten",
        "",
        "| Vereiste | Voldaan | Niet voldaan | Niet van toepassing | Uitzondering |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in overview["requirements"]:
        lines.append(
            f"| {r['label']} | {r['yes']} | {r['no']} | {r['not_applicable']} | {r['exempt']} |"
        )
    lines += ["", "## Producten met risico op vertraging", ""]
    for m in overview["milestones"]:
        lines.append(f"- {m['label']}: {t['at_risk'][m['milestone']]}")
        if not m["binding"]:
            lines.append(f"  ({m['interpretation_note']})")
    lines += ["", "## Uitzonderingen", ""]
    rows = []
    for entry in agencies:
        data = entry["data"]
        counts = {"aanvaard": 0, "geweigerd": 0, "gevraagd (nog geen beslissing)": 0}
        for x in data.get("exemption", []):
            counts[_decision(x["id"], data)] += 1
        if sum(counts.values()):
            rows.append(
                f"| {_md(entry['info']['name'])} | {counts['aanvaard']} | {counts['geweigerd']}"
                f" | {counts['gevraagd (nog geen beslissing)']} |"
            )
    lines += (
        ["| Entiteit | Aanvaard | Geweigerd | Gevraagd |", "|---|---:|---:|---:|", *rows]
        if rows
        else ["Geen."]
    )
    lines += ["", "## Cofinanciering: gevraagd tegenover de enveloppe", "", *_envelope(overview)]
    return lines


def _evaluatie(agencies, overview, period: Period) -> list[str]:
    lines = [
        "## Gepland tegenover gerealiseerd sinds de nulmeting",
        "",
        "Nulmeting: de `baseline`-records van elke entiteit. Gepland: de bouwsteendelen in het "
        f"gekozen scenario met een kwartaal tot en met {period.quarter}. Gerealiseerd: "
        "bouwsteendelen in productie op de peildatum.",
        "",
        "| Entiteit | Producten in nulmeting | Op ELO bij nulmeting | ELO-conform nu | "
        "Gepland | Gerealiseerd |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    by_ovo = {a["ovo_code"]: a for a in overview["agencies"]}
    for entry in agencies:
        info, data = entry["info"], entry["data"]
        baseline = data.get("baseline", [])
        chosen = {s["id"] for s in data.get("plan_scenario", []) if s.get("chosen")}
        planned = {
            (i.get("scope_kind"), i.get("scope_id"), i.get("block"))
            for i in data.get("plan_item", [])
            if i.get("scenario_id") in chosen and (i.get("quarter") or "9999") <= period.quarter
        }
        realised = sum(
            1
            for s in data.get("block_status", [])
            if (s.get("scope_kind"), s.get("scope_id"), s.get("block")) in planned
            and s.get("stage") == rules.PRODUCTION
        )
        lines.append(
            f"| {_md(info['name'])} | {len(baseline)} | "
            f"{sum(b.get('on_elo') == 'both' for b in baseline)} | "
            f"{by_ovo[info['ovo_code']]['elo_conform']} | {len(planned)} | {realised} |"
        )
    lines += [
        "",
        "## Budgetgebruik",
        "",
        "De tracker kent de gevraagde cofinanciering per entiteit, niet de uitgaven: "
        "'gebruik' is hier de gevraagde cofinanciering tegenover de enveloppe.",
        "",
        *_envelope(overview),
        "## Voorstellen",
        "",
        "_(in te vullen)_",
        "",
    ]
    return lines


TITLES = {
    "kernwerkgroep": ("Rapport kernwerkgroep", _kernwerkgroep),
    "stuurgroep": ("Rapport stuurgroep", _stuurgroep),
    "evaluatie": ("Tussentijdse evaluatie", _evaluatie),
}


def build_report(store, kind: str, period_text: str, now: datetime | None = None) -> str:
    """The report as Markdown; raises ReportError (Dutch) on a bad kind or period."""
    period = parse_period(kind, period_text)
    agencies = _collect(store)
    overview = build_overview(store, today=period.end)
    title, body = TITLES[kind]
    lines = _header(kind, title, period, _cutoff(agencies), now or datetime.now(UTC))
    lines += body(agencies, overview, period)
    return "\n".join(lines).rstrip("\n") + "\n"


FORMATS = ("md", "xlsx")
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render_report(
    store, kind: str, period_text: str, fmt: str = "md", now: datetime | None = None
) -> tuple[bytes, str]:
    """The report's bytes in `fmt` and its file name (`elo-kernwerkgroep-2026-11.md`): what
    `elo-tracker report` writes and `GET /v1/reports/{kind}` answers. ReportError (Dutch)
    on a bad kind, period or format."""
    if fmt not in FORMATS:
        raise ReportError(f"onbekend formaat '{fmt}' (kies uit {', '.join(FORMATS)})")
    period = parse_period(kind, period_text)
    text = build_report(store, kind, period_text, now)
    payload = report_xlsx(text, period.end) if fmt == "xlsx" else text.encode("utf-8")
    return payload, f"elo-{kind}-{period.label}.{fmt}"


# -- XLSX -------------------------------------------------------------------------------

_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _cell(text: str) -> str | int:
    text = text.strip().replace("\\|", "|")
    if re.fullmatch(r"\d+", text):
        return int(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text  # never a formula


def report_xlsx(markdown: str, reference: date) -> bytes:
    """The Markdown report as one sheet: a line per row, a table's cells in columns; the
    first table with numbers gets a bar chart. Reproducible like the Markdown: the
    workbook's dates are the reference date and the zip entries carry a fixed time."""
    import io
    import zipfile

    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    wb = Workbook()
    ws = wb.active
    ws.title = "Rapport"
    tables: list[tuple[int, int, int]] = []  # (header row, last row, columns)
    start = None
    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = line.strip().strip("|").split(" | ")
            if set(line) <= set("|-: "):
                continue  # the Markdown alignment row
            ws.append([_cell(c) for c in cells])
            if start is None:
                start = ws.max_row
            tables.append((start, ws.max_row, len(cells)))
        else:
            start = None
            ws.append([line.lstrip("# ")] if line else [])
    ws.column_dimensions["A"].width = 60
    spans: dict[int, tuple[int, int]] = {}
    for first, last, cols in tables:
        spans[first] = (last, cols)
    for first, (last, cols) in spans.items():
        if last > first and all(
            isinstance(ws.cell(last, c).value, int) for c in range(2, cols + 1)
        ):
            chart = BarChart()
            chart.title = str(ws.cell(first - 2, 1).value or "Voortgang")
            chart.add_data(
                Reference(ws, min_col=2, max_col=cols, min_row=first, max_row=last),
                titles_from_data=True,
            )
            chart.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=last))
            ws.add_chart(chart, f"H{first}")
            break
    moment = datetime(reference.year, reference.month, reference.day)
    wb.properties.created = moment
    wb.properties.creator = "elo-tracker"
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _MODIFIED.sub(lambda m: m[1] + stamp + m[2], data)
            dst.writestr(
                zipfile.ZipInfo(info.filename, _FIXED_ZIP_TIME), data, zipfile.ZIP_DEFLATED
            )
    return out.getvalue()
