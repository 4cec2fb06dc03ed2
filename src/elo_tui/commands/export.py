"""`elo-tui export`: write a co-financing submission as TOML, JSON, XLSX and/or Markdown.

    elo-tui export --format all --out map/          the latest submission, every format
    elo-tui export --format xlsx --out raming.xlsx --submission 2
    elo-tui export --format md --out concept.md --concept   the current state as a draft

Exports render a frozen submission (see `elo-tui submission create`), so every file of a
version tells the same story. Settings and tokens are never part of an export.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from elo_tui.services.submission import LastCheck

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


# Issues a concept export lists on the terminal (blocking first); a large agency has
# thousands of warnings (17,445 at 20,000 products), which buried the files written. All
# of them are in the export itself and in `elo-tui submission check`.
MAX_LISTED = 30  # (at most what a check keeps: submission.LAST_CHECK_ISSUES)


def _print_issues(check: LastCheck | None) -> None:
    """The first MAX_LISTED issues (blocking first) and a count of the rest by severity."""
    from elo_tui.domain.completeness import SEVERITY_LABELS, blocking
    from elo_tui.domain.formats import format_number, plural

    if check is None:
        return
    listed = check.issues[:MAX_LISTED]
    for issue in listed:
        print(f"{SEVERITY_LABELS[issue.severity]}: {issue.message}", file=sys.stderr)
    rest = check.n_blocking + check.n_warnings - len(listed)
    if rest:
        n_block = check.n_blocking - len(blocking(listed))
        counts = ", ".join(
            text
            for n, text in (
                (n_block, f"{format_number(n_block)} blokkerend"),
                (rest - n_block, plural(rest - n_block, "waarschuwing", "waarschuwingen")),
            )
            if n
        )
        print(
            f"… en nog {format_number(rest)} ({counts}): alle punten staan in de "
            "TOML- en JSON-export en in `elo-tui submission check`.",
            file=sys.stderr,
        )


def run(args, settings) -> int:
    from elo_tui.io.submission_files import ExportError
    from elo_tui.services import submission as service
    from elo_tui.services.workspaces import open_for_command

    with open_for_command(settings) as ws:
        if args.concept:
            # the check of the concept's own snapshot (no second read of the workspace)
            source = service.concept_source(ws)
            _print_issues(source.check)
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
            if not service.verify(record, ws=ws):
                print(
                    f"elo-tui: indiening versie {record.version} klopt niet meer met haar "
                    "SHA-256 (beschadigd); er is niets geëxporteerd.",
                    file=sys.stderr,
                )
                return 1
            source = service.source_of(record, ws)
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
