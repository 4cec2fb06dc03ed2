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
        help="toon de gereedheid per bouwsteen en de producten in gevaar",
        description="Toon de gereedheid van de werkruimte: ELO-conforme producten, gereedheid "
        "per bouwsteen, dagen tot de deadlines en de producten in gevaar. Wijzigt niets.",
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
        BLOCKS_BY_CODE,
        DEADLINES,
        STAGE_SHORT,
        STAGES,
        format_percent,
    )

    lines = [
        f"Gereedheid voor e-loketondernemers – {agency_name}",
        f"Stand op {summary.today.isoformat()}",
        "",
        f"ELO-conform: {summary.elo_conform} van {summary.products_total} producten "
        f"({format_percent(summary.elo_conform_percent)})",
        f"Bouwstenen klaar: {summary.overall_done} van {summary.overall_applicable} "
        f"({format_percent(summary.overall_percent)}); nog te beslissen: {summary.undecided}",
        f"SSO: {_flags(summary.sso)} · Gericht aanmelden: {_flags(summary.gericht_aanmelden)} · "
        f"Rechtenbeheer op productniveau: {_flags(summary.product_rights)}",
        f"Checklist: {checklist['overdue']} te laat, {checklist['due_soon']} binnen 14 dagen",
        "",
        "Deadlines",
    ]
    for d in DEADLINES:
        left = summary.days_left.get(d.key)
        when = f"nog {left} dagen" if left is not None and left >= 0 else f"{-left} dagen voorbij"
        lines.append(
            f"  {d.label}: {when}; {len(summary.at_risk.get(d.key, []))} producten in gevaar"
        )
    lines += ["", "Per bouwsteen (per product geteld)"]
    head = f"  {'Bouwsteen':<44} {'klaar':>5} {'van':>5} {'%':>8} {'nvt':>4} {'?':>4} "
    head += " ".join(f"{STAGE_SHORT[s]:>4}" for s in STAGES) + f" {'form':>4}"
    lines.append(head)
    for b in summary.blocks:
        label = BLOCKS_BY_CODE[b.block].label
        row = f"  {label[:44]:<44} {b.done:>5} {b.applicable:>5} {format_percent(b.percent):>8} "
        row += f"{b.not_applicable:>4} {b.undecided:>4} "
        row += " ".join(f"{b.stages[s]:>4}" for s in STAGES) + f" {b.forms_tool:>4}"
        lines.append(row)
    for d in DEADLINES:
        risky = summary.at_risk.get(d.key, [])
        lines += ["", f"Producten in gevaar voor {d.label} ({len(risky)})"]
        if not risky:
            lines.append("  geen")
        for item in risky:
            lines.append(f"  - {item.product_name}")
            for risk in item.risks:
                lines.append(f"      {risk.describe(d)}")
    return "\n".join(lines)


def _flags(count) -> str:
    text = f"{count.yes} ja, {count.no} nee"
    return text + (f", {count.not_applicable} n.v.t." if count.not_applicable else "")
