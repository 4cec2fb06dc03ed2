"""`elo-tui report`: the readiness summary of the workspace, headless.

    elo-tui report                 plain text (Dutch), for a mail or the core working group
    elo-tui report --json          the same figures as JSON (ReadinessSummary.to_dict())
    elo-tui report --today 01/11/2026   compute as on another day (reproducible reports;
                                        2026-11-01 and 1-11-2026 are read too)

Read-only: the workspace is not changed.
"""

from __future__ import annotations

import argparse


def register(subparsers, add_workspace_options) -> None:
    p = subparsers.add_parser(
        "report",
        help="toon de gereedheid per bouwsteen en de producten met risico op vertraging",
        description="Toon de gereedheid van de werkruimte: ELO-conforme producten, de "
        "vereisten, gereedheid per bouwsteen, dagen tot 30 juni 2027 en tot de mijlpaal van "
        "1 januari 2027 en de producten met risico op vertraging. Wijzigt niets.",
    )
    add_workspace_options(p)
    p.add_argument("--json", action="store_true", help="uitvoer als JSON")
    p.add_argument(
        "--today",
        "--datum",
        metavar="DD/MM/JJJJ",
        type=_typed_date,
        help="rekenen alsof het die dag is (standaard: vandaag)",
    )
    p.set_defaults(run=run)


def _typed_date(text: str):
    """--today as people type it: 30/11/2026, 30-11-2026 or 2026-11-30."""
    from elo_tui.domain import formats

    try:
        return formats.parse_date(text)
    except formats.FormatError as exc:
        raise argparse.ArgumentTypeError(f"--today: {exc}") from None


def run(args, settings) -> int:
    import json

    from elo_tui.services import clock, readiness_store
    from elo_tui.services.dashboard import checklist_counts
    from elo_tui.services.workspaces import open_for_command

    today = args.today or clock.today()
    with open_for_command(settings) as ws:
        agency = ws.agency()
        # From the readiness store when it can be brought up to date (seconds less at
        # 20,000 products); computed from every product otherwise.
        summary = readiness_store.current_summary(ws, today)
        overdue, due_soon = checklist_counts(ws, today)
        workspace = ws.path.stem
        from elo_tui.services import roadmap as roadmap_svc

        roadmap = roadmap_svc.load(ws)
    checklist = {"overdue": overdue, "due_soon": due_soon}
    if args.json:
        data = {
            "workspace": workspace,
            "agency": agency.name if agency else "",
            **summary.to_dict(),
            "checklist": checklist,
            "roadmap": roadmap_svc.summary_dict(roadmap),
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(format_text(summary, agency.name if agency else workspace, checklist))
        print("\nRoadmap\n" + "\n".join(f"  {line}" for line in roadmap_svc.summary_lines(roadmap)))
    return 0


def format_text(summary, agency_name: str, checklist: dict[str, int]) -> str:
    """The plain-text report (Dutch)."""
    from elo_tui.domain.blocks import (
        ADMISSION_QUOTE,
        ADMISSION_READINGS,
        BLOCKS,
        DEADLINES,
        ELO_CONFORM_DEFINITION,
        PAIRS,
        REQUIREMENTS,
        STAGE_SHORT,
        STAGES,
        format_percent,
    )
    from elo_tui.domain.formats import format_date, format_number, plural

    num = format_number

    lines = [
        f"Gereedheid voor e-loketondernemers – {agency_name}",
        f"Stand op {format_date(summary.today)}",
        "",
        f"ELO-conform: {num(summary.elo_conform)} van "
        f"{plural(summary.products_total, 'product', 'producten')} zelf "
        f"verklaard ({format_percent(summary.elo_conform_percent)}), "
        f"{num(summary.elo_conform_verified)} centraal gecontroleerd",
        f"  {ELO_CONFORM_DEFINITION}",
    ]
    if summary.exempt_products:
        lines.append(
            "Met aanvaarde uitzondering (niet conform, niet te laat): "
            + num(summary.exempt_products)
        )
    lines += [
        f"Bouwstenen klaar: {num(summary.overall_done)} van {num(summary.overall_applicable)} "
        f"({format_percent(summary.overall_percent)}); nog te beslissen: "
        f"{num(summary.undecided)}",
        "Vereisten (resultaten van de bouwstenen): "
        + " · ".join(f"{r.label}: {_flags(summary.requirement(r.code))}" for r in REQUIREMENTS),
        f"Checklist: {num(checklist['overdue'])} te laat, {num(checklist['due_soon'])} "
        "binnen 14 dagen",
        "",
        "Mijlpalen",
    ]
    for d in reversed(DEADLINES):
        left = summary.days_left.get(d.key)
        when = (
            f"nog {plural(left, 'dag', 'dagen')}"
            if left is not None and left >= 0
            else f"{plural(-left, 'dag', 'dagen')} voorbij"
        )
        n = len(summary.at_risk.get(d.key, []))
        line = (
            f"  {summary.milestone_label(d)}: {when}; "
            f"{plural(n, 'product', 'producten')} met risico op vertraging"
        )
        waiting = summary.waiting_at_risk(d.key)
        if waiting:
            line += f", waarvan {num(waiting)} wacht op bouwsteen"
        lines.append(line)
        if not d.binding:
            lines.append(f"    Geen deadline van een bouwsteen. {ADMISSION_QUOTE}")
            lines.append(
                f"    Interpretatie: {ADMISSION_READINGS.get(summary.reading, summary.reading)}"
            )
    lines += ["", "Per bouwsteen (per product geteld)"]
    head = f"  {'Bouwsteen':<44} {'klaar':>5} {'van':>5} {'%':>8} {'nvt':>4} {'?':>4} "
    head += " ".join(f"{STAGE_SHORT[s]:>4}" for s in STAGES)
    head += f" {'form':>4} {'uitz':>4} {'wacht':>5}"
    lines.append(head)
    for pair, pair_label in PAIRS.items():
        lines.append(f"  {pair_label}")
        for info in (x for x in BLOCKS if x.pair == pair):
            b = summary.block(info.code)
            label = info.label
            row = f"   {label[:43]:<43} {num(b.done):>5} {num(b.applicable):>5} "
            row += f"{format_percent(b.percent):>8} {num(b.not_applicable):>4} "
            row += f"{num(b.undecided):>4} "
            row += " ".join(f"{num(b.stages[s]):>4}" for s in STAGES)
            row += f" {num(b.forms_tool):>4} {num(b.exempt):>4} {num(b.waiting):>5}"
            lines.append(row)
    lines.append(
        "  form = formulieren- en opvolgingstool gekozen (een plan: telt pas mee in "
        "productie); uitz = aanvaarde uitzondering; wacht = wacht op bouwsteen"
    )
    if summary.excluded:
        lines += ["", f"Buiten beschouwing gelaten, niet meegeteld ({num(len(summary.excluded))})"]
        for e in summary.excluded:
            lines.append(f"  - {e.product_name}: {e.reason}")
    for d in reversed(DEADLINES):
        risky = summary.at_risk.get(d.key, [])
        lines += [
            "",
            f"Producten met risico op vertraging – {summary.milestone_label(d)} "
            f"({num(len(risky))})",
        ]
        if not risky:
            lines.append("  geen")
        for item in risky:
            lines.append(f"  - {item.product_name}")
            for risk in item.risks:
                lines.append(f"      {risk.describe(d)}")
    return "\n".join(lines)


def _flags(count) -> str:
    from elo_tui.domain.formats import format_number as num
    from elo_tui.domain.formats import plural

    text = f"{num(count.yes)} ja, {num(count.no)} nee"
    if count.exempt:
        text += f", {plural(count.exempt, 'uitzondering', 'uitzonderingen')}"
    return text + (f", {num(count.not_applicable)} n.v.t." if count.not_applicable else "")
