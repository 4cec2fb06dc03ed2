"""`elo-tui programma`: the programme view for VLAIO's central team.

    elo-tui programma --url https://… --token-file admin.token   fetch a snapshot, open
    ELO_TUI_ADMIN_TOKEN=… elo-tui programma --url https://…      the same, token from env
    elo-tui programma --offline                                  the last snapshot only

The snapshot lives in the state folder (programma.snapshot.json, owner-only); without a
network it opens with its age. The address may also come from ELO_TUI_TRACKER_URL or the
last snapshot. The token is read from a file or the environment (never an argument: a
command line is visible to every user of the machine) and never written anywhere.
"""

from __future__ import annotations

import sys


def register(subparsers, add_workspace_options) -> None:
    p = subparsers.add_parser(
        "programma",
        help="programma-overzicht voor VLAIO (beheerderstoken)",
        description="Het programma-overzicht van alle entiteiten voor het centrale team van "
        "VLAIO: voortgang, beslissingen, knelpunten, cofinanciering en indieningen. Vraagt "
        "een beheerderstoken van de centrale opvolging; zonder verbinding opent de laatste "
        "momentopname.",
    )
    add_workspace_options(p)
    p.add_argument("--url", metavar="ADRES", help="adres van de centrale opvolging")
    p.add_argument(
        "--token-file",
        metavar="BESTAND",
        help="bestand met het beheerderstoken (anders $ELO_TUI_ADMIN_TOKEN)",
    )
    p.add_argument(
        "--offline",
        action="store_true",
        help="enkel de laatste momentopname tonen, zonder netwerk",
    )
    p.set_defaults(run=run)


def run(args, settings) -> int:
    import os

    from elo_tui.screens.programme import run_programme
    from elo_tui.services import programme as service

    try:
        token = None if args.offline else service.read_token(args.token_file)
    except service.ProgrammeError as exc:
        print(f"elo-tui: {exc}", file=sys.stderr)
        return 2
    url = args.url or os.environ.get(service.ENV_URL)
    if not url and token:
        try:
            snap = service.load_snapshot(settings.state_dir)
        except service.ProgrammeError:
            snap = None
        url = snap.url if snap is not None else None
    return run_programme(settings.state_dir, url=url, token=token, offline=args.offline)
