"""`elo-tui report`: the readiness summary of the workspace, headless.

    elo-tui report                 plain text (Dutch), for a mail or the core working group
    elo-tui report --json          the same figures as JSON (ReadinessSummary.to_dict())
    elo-tui report --today 2026-11-01   compute as on another day (reproducible reports)

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
        metavar="JJJJ-MM-DD",
        type=_iso_date,
        help="rekenen alsof het die dag is (standaard: vandaag)",
    )
    p.set_defaults(run=run)


def _iso_date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is geen datum; schrijf JJJJ-MM-DD, bv. 2026-11-30"
        ) from None


def run(args, settings) -> int:
    import json

    from elo_tui.services import clock, mapping
    from elo_tui.services.dashboard import checklist_counts
    from elo_tui.services.workspaces import open_for_command

    today = args.today or clock.today()
    with open_for_command(settings) as ws:
        agency = ws.agency()
        summary = mapping.load_mapping(ws, today).summary()
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

    lines = [
        f"Gereedheid voor e-loketondernemers – {agency_name}",
        f"Stand op {summary.today.isoformat()}",
        "",
        f"ELO-conform: {summary.elo_conform} van {summary.products_total} producten zelf "
        f"verklaard ({format_percent(summary.elo_conform_percent)}), "
        f"{summary.elo_conform_verified} centraal gecontroleerd",
        f"  {ELO_CONFORM_DEFINITION}",
    ]
    if summary.exempt_products:
        lines.append(
            f"Met aanvaarde uitzondering (niet conform, niet te laat): {summary.exempt_products}"
        )
    lines += [
        f"Bouwstenen klaar: {summary.overall_done} van {summary.overall_applicable} "
        f"({format_percent(summary.overall_percent)}); nog te beslissen: {summary.undecided}",
        "Vereisten (resultaten van de bouwstenen): "
        + " · ".join(f"{r.label}: {_flags(summary.requirement(r.code))}" for r in REQUIREMENTS),
        f"Checklist: {checklist['overdue']} te laat, {checklist['due_soon']} binnen 14 dagen",
        "",
        "Mijlpalen",
    ]
    for d in reversed(DEADLINES):
        left = summary.days_left.get(d.key)
        when = f"nog {left} dagen" if left is not None and left >= 0 else f"{-left} dagen voorbij"
        n = len(summary.at_risk.get(d.key, []))
        line = f"  {summary.milestone_label(d)}: {when}; {n} producten met risico op vertraging"
        waiting = summary.waiting_at_risk(d.key)
        if waiting:
            line += f", waarvan {waiting} wacht op bouwsteen"
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
            row = f"   {label[:43]:<43} {b.done:>5} {b.applicable:>5} "
            row += f"{format_percent(b.percent):>8} {b.not_applicable:>4} {b.undecided:>4} "
            row += " ".join(f"{b.stages[s]:>4}" for s in STAGES)
            row += f" {b.forms_tool:>4} {b.exempt:>4} {b.waiting:>5}"
            lines.append(row)
    lines.append(
        "  form = formulieren- en opvolgingstool gekozen (een plan: telt pas mee in "
        "productie); uitz = aanvaarde uitzondering; wacht = wacht op bouwsteen"
    )
    if summary.excluded:
        lines += ["", f"Buiten beschouwing gelaten, niet meegeteld ({len(summary.excluded)})"]
        for e in summary.excluded:
            lines.append(f"  - {e.product_name}: {e.reason}")
    for d in reversed(DEADLINES):
        risky = summary.at_risk.get(d.key, [])
        lines += [
            "",
            f"Producten met risico op vertraging – {summary.milestone_label(d)} ({len(risky)})",
        ]
        if not risky:
            lines.append("  geen")
        for item in risky:
            lines.append(f"  - {item.product_name}")
            for risk in item.risks:
                lines.append(f"      {risk.describe(d)}")
    return "\n".join(lines)


def _flags(count) -> str:
    text = f"{count.yes} ja, {count.no} nee"
    if count.exempt:
        text += f", {count.exempt} uitzondering"
    return text + (f", {count.not_applicable} n.v.t." if count.not_applicable else "")
