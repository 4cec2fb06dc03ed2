"""`elo-tui sync`: synchronise the workspace with the central tracker, headless.

    elo-tui sync                          sync now (progress on stderr)
    elo-tui sync --url https://…          set the tracker address (stored), then sync
    elo-tui sync --set-token              ask the token (not shown while typing), store it
    elo-tui sync --token-stdin            read the token from stdin (scripts), store it
    elo-tui sync --status                 pending changes, conflicts, last sync; no network
    elo-tui sync --resolve mine|theirs    settle every pending conflict the same way

URL and token live in `<workspace>.sync.toml` next to the workspace (owner-only) or in
ELO_TUI_TRACKER_URL / ELO_TUI_TRACKER_TOKEN. The token is never printed.

Exit codes: 0 done, nothing pending · 1 conflicts wait for a decision · 2 usage or
settings problem · 3 tracker unreachable (offline; changes stay and go next time) ·
4 token refused or belongs to another agency · 5 the tracker refused the data.
"""

from __future__ import annotations

import sys

EXIT_OK, EXIT_CONFLICTS, EXIT_USAGE, EXIT_OFFLINE, EXIT_AUTH, EXIT_REFUSED = 0, 1, 2, 3, 4, 5


def register(subparsers, add_workspace_options) -> None:
    p = subparsers.add_parser(
        "sync",
        help="synchroniseer met de centrale tracker",
        description="Synchroniseer de werkruimte met de centrale tracker. Exitcodes: 0 klaar, "
        "1 conflicten te beslissen, 2 instellingen, 3 tracker onbereikbaar, 4 token geweigerd, "
        "5 gegevens geweigerd.",
    )
    add_workspace_options(p)
    p.add_argument("--url", metavar="ADRES", help="adres van de tracker instellen (bewaard)")
    token = p.add_mutually_exclusive_group()
    token.add_argument(
        "--set-token",
        action="store_true",
        help="token vragen (niet zichtbaar tijdens het typen) en bewaren",
    )
    token.add_argument(
        "--token-stdin", action="store_true", help="token van stdin lezen en bewaren (voor scripts)"
    )
    p.add_argument(
        "--status",
        action="store_true",
        help="toon wat wacht (wijzigingen, conflicten, laatste sync), zonder netwerk",
    )
    p.add_argument(
        "--resolve",
        choices=["mine", "theirs"],
        help="alle conflicten beslissen: mijn versie houden of die van de tracker nemen",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="geen voortgang tonen")
    p.set_defaults(run=run)


class _ProgressLine:
    """One line on stderr, rewritten in place on a terminal, one line per phase otherwise."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last_phase = ""

    def __call__(self, p) -> None:
        if self.quiet:
            return
        if p.total:
            width = 24
            filled = int(width * min(p.done, p.total) / p.total)
            bar = f"[{'#' * filled}{'.' * (width - filled)}] {p.done}/{p.total}"
        else:
            bar = ""
        from elo_tui.sync.state import PHASE_LABELS

        text = f"{PHASE_LABELS.get(p.phase, p.phase):<11} {bar} {p.message}".rstrip()
        if self.tty:
            sys.stderr.write("\r\x1b[2K" + text[:200])
            if p.phase == "done":
                sys.stderr.write("\n")
            sys.stderr.flush()
        elif p.phase != self.last_phase or p.phase == "done":
            print(text, file=sys.stderr)
        self.last_phase = p.phase


def _print_status(ws) -> int:
    from elo_tui.sync import conflicts
    from elo_tui.sync.state import status

    st = status(ws)
    print(f"Wijzigingen niet gesynchroniseerd: {st['pending']}")
    print(f"Laatste geslaagde sync: {st['last_success'] or 'nog nooit'}")
    if st["state"] and st["state"] != "online":
        print(f"Laatste poging mislukt: {st['last_error']}")
    items = conflicts.pending(ws)
    print(f"Conflicten te beslissen: {len(items)}")
    for c in items:
        fields = ", ".join(d.label for d in conflicts.field_diffs(ws, c, only_different=True))
        label = conflicts.KIND_LABELS.get(c.kind, c.kind)
        print(f"  {label} {c.id}: {fields or 'geen verschil'}")
    return EXIT_CONFLICTS if items else EXIT_OK


def run(args, settings) -> int:
    import getpass

    from elo_tui.services.workspaces import open_for_command
    from elo_tui.sync import config as sync_config
    from elo_tui.sync import conflicts

    ws = open_for_command(settings)
    try:
        try:
            if args.url:
                sync_config.save(ws.path, url=args.url)
            if args.set_token:
                sync_config.save(ws.path, token=getpass.getpass("Token van de tracker: "))
            elif args.token_stdin:
                sync_config.save(ws.path, token=sys.stdin.readline())
            cfg = sync_config.load(ws.path)
        except sync_config.SyncConfigError as exc:
            print(f"elo-tui: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if args.resolve:
            n = conflicts.resolve_all(ws, args.resolve)
            print(
                f"{n} conflict(en) beslist: "
                + ("mijn versie gehouden." if args.resolve == "mine" else "versie van de tracker."),
                file=sys.stderr,
            )
        if args.status:
            return _print_status(ws)
        if not cfg.url or not cfg.token:
            missing = "het adres (--url)" if not cfg.url else "het token (--set-token)"
            print(
                f"elo-tui: stel eerst {missing} van de tracker in, of gebruik "
                f"{sync_config.ENV_URL} en {sync_config.ENV_TOKEN}.",
                file=sys.stderr,
            )
            return EXIT_USAGE
        return _sync(ws, cfg, quiet=args.quiet)
    finally:
        ws.close()


def _sync(ws, cfg, *, quiet: bool) -> int:
    from elo_tui.sync.client import SyncError, TrackerClient
    from elo_tui.sync.engine import SyncEngine

    progress = _ProgressLine(quiet)

    def on_retry(reason: str, delay: float) -> None:
        if not quiet:
            print(f"\n{cfg.redact(reason)}; nieuwe poging over {delay:.1f} s", file=sys.stderr)

    try:
        with TrackerClient(cfg.url, cfg.token, on_retry=on_retry) as client:
            result = SyncEngine(ws, client, progress=progress).run()
    except SyncError as exc:
        if progress.tty and not quiet:
            sys.stderr.write("\n")
        print(f"elo-tui: {cfg.redact(str(exc))}", file=sys.stderr)
        return exc.exit_code
    print(f"Gesynchroniseerd met {cfg.url}: {result.summary()} ({result.seconds:.2f} s).")
    for message in result.skipped[:20]:
        print(f"elo-tui: {message}", file=sys.stderr)
    if len(result.skipped) > 20:
        print(f"elo-tui: … en {len(result.skipped) - 20} andere.", file=sys.stderr)
    if result.conflicts:
        print(
            "Beslis de conflicten in het scherm Synchronisatie, of met "
            "`elo-tui sync --status` en `--resolve`.",
            file=sys.stderr,
        )
        return EXIT_CONFLICTS
    return EXIT_OK
