"""`elo-tui tracker …` moved: the reference tracker is its own program, `elo-tracker`.

Kept as a signpost so scripts that still call the old command get a Dutch message with
the new one instead of argparse's "invalid choice". It never imports the tracker.
"""

from __future__ import annotations

import argparse
import shlex
import sys


def register(subparsers, add_workspace_options) -> None:
    p = subparsers.add_parser(
        "tracker",
        help="verhuisd: de tracker is nu het programma elo-tracker",
        description="De referentie-tracker is een apart programma: elo-tracker.",
    )
    p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p.set_defaults(run=run)


def run(args, settings) -> int:
    rest = " ".join(shlex.quote(a) for a in args.rest)
    print(
        "elo-tui: de tracker is een apart programma geworden. Gebruik: "
        f"elo-tracker {rest or '--help'}  (pip install -e '.[tracker]')",
        file=sys.stderr,
    )
    return 2
