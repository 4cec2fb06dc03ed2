"""`elo-tui export`: write a co-financing submission as TOML, JSON, XLSX and/or Markdown.

    elo-tui export --format all --out map/          the latest submission, every format
    elo-tui export --format xlsx --out raming.xlsx --submission 2
    elo-tui export --format md --out concept.md --concept   the current state as a draft

Exports render a frozen submission (see `elo-tui submission create`), so every file of a
version tells the same story. Settings and tokens are never part of an export.
"""

from __future__ import annotations

import sys

FORMAT_CHOICES = ["toml", "json", "xlsx", "md", "all"]


def register(subparsers, add_workspace_options) -> None:
    p = subparsers.add_parser(
        "export",
        help="exporteer een indiening (TOML, JSON, XLSX, Markdown)",
        description="Schrijf een indiening voor cofinanciering weg: TOML (canoniek, opnieuw "
        "in te lezen), JSON, XLSX voor financiën of een Markdown-samenvatting voor de "
        "stuurgroep. Standaard de laatste indiening.",
    )
    add_workspace_options(p)
    p.add_argument("--format", "-f", required=True, choices=FORMAT_CHOICES, help="exportformaat")
    p.add_argument(
        "--out", "-o", required=True, metavar="PAD", help="bestand, of map (bij --format all)"
    )
    p.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="is PAD een symbolische koppeling, vervang dan het bestand waarnaar ze wijst "
        "(standaard geweigerd)",
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--submission",
        "--versie",
        type=int,
        metavar="VERSIE",
        help="deze versie (standaard: de laatste)",
    )
    which.add_argument(
        "--concept",
        action="store_true",
        help="de huidige stand als concept (niet ingediend), ook als er nog iets ontbreekt",
    )
    p.set_defaults(run=run)


def run(args, settings) -> int:
    from elo_tui.domain.completeness import SEVERITY_LABELS
    from elo_tui.io.submission_files import ExportError
    from elo_tui.services import submission as service
    from elo_tui.services.workspaces import open_for_command

    with open_for_command(settings) as ws:
        if args.concept:
            # the check of the concept's own snapshot (no second read of the workspace)
            source = service.concept_source(ws)
            for issue in source.issues:
                print(f"{SEVERITY_LABELS[issue.severity]}: {issue.message}", file=sys.stderr)
        else:
            record = service.get_version(ws, args.submission)
            if record is None:
                if args.submission is None:
                    print(
                        "elo-tui: er is nog geen indiening. Maak er een met `elo-tui submission "
                        "create`, of exporteer de huidige stand met --concept.",
                        file=sys.stderr,
                    )
                else:
                    print(
                        f"elo-tui: indiening versie {args.submission} bestaat niet.",
                        file=sys.stderr,
                    )
                return 1
            if not service.verify(record):
                print(
                    f"elo-tui: indiening versie {record.version} klopt niet meer met haar "
                    "SHA-256 (beschadigd); er is niets geëxporteerd.",
                    file=sys.stderr,
                )
                return 1
            source = service.source_of(record)
    try:
        written = source.export(args.format, args.out, follow_symlinks=args.follow_symlinks)
    except ExportError as exc:
        print(f"elo-tui: {exc}", file=sys.stderr)
        return 1
    what = (
        "concept"
        if args.concept
        else f"indiening versie {source.document['submission']['version']}"
    )
    print(f"{what.capitalize()} geëxporteerd (SHA-256 {source.document['sha256'][:12]}…):")
    for path in written:
        print(f"  {path}")
    return 0
