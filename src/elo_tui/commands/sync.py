"""`elo-tui sync`: synchronise the workspace with the central tracker, headless.

    elo-tui sync                          sync now (progress on stderr)
    elo-tui sync --url https://…          set the tracker address (stored), then sync
    elo-tui sync --set-token              ask the token (not shown while typing), store it
    elo-tui sync --token-stdin            read the token from stdin (scripts), store it
    elo-tui sync --status                 pending changes, conflicts, last sync; no network
    elo-tui sync --list-conflicts [--json]  the conflicts field by field; no network
    elo-tui sync --resolve mine|theirs    settle every pending conflict the same way
    elo-tui sync --resolve-file F         settle conflicts per record and field from a file
    elo-tui sync --retry-window SECONDS   how long to keep trying an unreachable tracker
    elo-tui sync --join --url … --token-stdin   a new workspace from the tracker (2nd laptop)

URL and token live in `<workspace>.sync.toml` next to the workspace (owner-only) or in
ELO_TUI_TRACKER_URL / ELO_TUI_TRACKER_TOKEN. The token is never printed. The retry window
(default 60 s) comes from --retry-window, ELO_TUI_SYNC_RETRY_WINDOW or `retry_window` in
that file.

Exit codes: 0 done, nothing pending · 1 conflicts wait for a decision · 2 usage or
settings problem · 3 tracker unreachable (offline; changes stay and go next time) ·
4 token refused or belongs to another agency · 5 the tracker refused the data.
"""

from __future__ import annotations

import sys

from elo_tui.domain.formats import format_number, format_stamp, plural

# The exit codes (EXIT_OK … EXIT_REFUSED) are part of this command's interface; they live
# in services.sync, which this module imports only when the command runs: `elo-tui` loads
# this module to build its parser on every start (see __getattr__ below).
_EXIT_CODES = (
    "EXIT_OK",
    "EXIT_CONFLICTS",
    "EXIT_USAGE",
    "EXIT_OFFLINE",
    "EXIT_AUTH",
    "EXIT_REFUSED",
)


def __getattr__(name: str):
    if name in _EXIT_CODES:
        from elo_tui.services import sync as sync_service

        return getattr(sync_service, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def register(subparsers, add_workspace_options) -> None:
    p = subparsers.add_parser(
        "sync",
        help="synchroniseer met de centrale opvolging",
        description="Synchroniseer de werkruimte met de centrale opvolging. Exitcodes: 0 klaar, "
        "1 conflicten te beslissen, 2 instellingen, 3 tracker onbereikbaar, 4 token geweigerd, "
        "5 gegevens geweigerd.",
    )
    add_workspace_options(p)
    p.add_argument(
        "--url", metavar="ADRES", help="adres van de centrale opvolging instellen (bewaard)"
    )
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
        help="toon wat wacht (wijzigingen, conflicten, laatste synchronisatie), zonder netwerk",
    )
    p.add_argument(
        "--list-conflicts",
        action="store_true",
        help=(
            "toon de conflicten per veld (mijn versie, die van de "
            "centrale opvolging), zonder netwerk"
        ),
    )
    p.add_argument("--json", action="store_true", help="met --list-conflicts: als JSON")
    resolve = p.add_mutually_exclusive_group()
    resolve.add_argument(
        "--resolve",
        choices=["mine", "theirs"],
        help=(
            "alle conflicten beslissen: mijn versie houden of die van de centrale opvolging nemen"
        ),
    )
    resolve.add_argument(
        "--resolve-file",
        metavar="BESTAND",
        help="conflicten per record en veld beslissen volgens een TOML- of JSON-bestand",
    )
    p.add_argument(
        "--retry-window",
        metavar="SECONDEN",
        help=(
            "hoe lang een onbereikbare centrale opvolging opnieuw geprobeerd wordt (standaard 60)"
        ),
    )
    p.add_argument(
        "--join",
        action="store_true",
        help=(
            "nieuwe werkruimte maken van de centrale opvolging: het agentschap van het token "
            "met al zijn gegevens (tweede laptop); vraagt --url en een token"
        ),
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
    from elo_tui.services.sync import EXIT_CONFLICTS, EXIT_OK
    from elo_tui.sync import conflicts
    from elo_tui.sync.state import status

    st = status(ws)
    print(f"Wijzigingen niet gesynchroniseerd: {format_number(st['pending'])}")
    print(f"Laatste geslaagde synchronisatie: {format_stamp(st['last_success']) or 'nog nooit'}")
    if st["state"] and st["state"] != "online":
        print(f"Laatste poging mislukt: {st['last_error']}")
    items = conflicts.pending(ws)
    print(f"Conflicten te beslissen: {format_number(len(items))} (details: --list-conflicts)")
    for c in items:
        fields = ", ".join(d.label for d in conflicts.field_diffs(ws, c, only_different=True))
        label = conflicts.KIND_LABELS.get(c.kind, c.kind)
        print(f"  {label} {c.id}: {fields or 'geen verschil'}")
    return EXIT_CONFLICTS if items else EXIT_OK


def _read_token(args) -> str | None:
    import getpass

    if args.set_token:
        return getpass.getpass("Token van de centrale opvolging: ")
    if args.token_stdin:
        return sys.stdin.readline()
    return None


def run(args, settings) -> int:
    from elo_tui.services.sync import EXIT_USAGE
    from elo_tui.services.workspaces import open_for_command
    from elo_tui.sync import config as sync_config

    try:
        window = (
            None if args.retry_window is None else sync_config.check_retry_window(args.retry_window)
        )
    except sync_config.SyncConfigError as exc:
        print(f"elo-tui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json and not args.list_conflicts:
        print("elo-tui: --json hoort bij --list-conflicts.", file=sys.stderr)
        return EXIT_USAGE
    if args.join:
        return _join(args, settings, window)
    ws = open_for_command(settings)
    try:
        try:
            if args.url:
                sync_config.save(ws.path, url=args.url)
            token = _read_token(args)
            if token is not None:
                sync_config.save(ws.path, token=token)
            cfg = sync_config.load(ws.path)
        except sync_config.SyncConfigError as exc:
            print(f"elo-tui: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if args.resolve:
            from elo_tui.sync import conflicts

            n = conflicts.resolve_all(ws, args.resolve)
            print(
                f"{plural(n, 'conflict', 'conflicten')} beslist: "
                + (
                    "mijn versie gehouden."
                    if args.resolve == "mine"
                    else "versie van de centrale opvolging."
                ),
                file=sys.stderr,
            )
        elif args.resolve_file:
            if not _resolve_from_file(ws, args.resolve_file):
                return EXIT_USAGE
        if args.list_conflicts:
            return _list_conflicts(ws, as_json=args.json)
        if args.status:
            return _print_status(ws)
        if not cfg.url or not cfg.token:
            missing = "het adres (--url)" if not cfg.url else "het token (--set-token)"
            print(
                f"elo-tui: stel eerst {missing} van de centrale opvolging in, of gebruik "
                f"{sync_config.ENV_URL} en {sync_config.ENV_TOKEN}.",
                file=sys.stderr,
            )
            return EXIT_USAGE
        path, user = ws.path, ws.user
    finally:
        ws.close()
    return _sync(path, user, cfg, quiet=args.quiet, window=window)


class _WaitLine:
    """The countdown while the tracker is unreachable: rewritten every second on a
    terminal, one line per new try otherwise."""

    def __init__(self, progress: _ProgressLine) -> None:
        self.progress = progress
        self.last_attempt = 0

    def __call__(self, wait) -> None:
        from elo_tui.services.sync import wait_text

        if self.progress.quiet:
            return
        text = wait_text(wait)
        if self.progress.tty:
            sys.stderr.write("\r\x1b[2K" + text[:200])
            sys.stderr.flush()
        elif wait.attempt != self.last_attempt:
            print(text, file=sys.stderr)
        self.last_attempt = wait.attempt


def _report(outcome, url: str, progress: _ProgressLine) -> int:
    if outcome.failed or outcome.kind == "cancelled":
        if progress.tty and not progress.quiet:
            sys.stderr.write("\n")
        print(f"elo-tui: {outcome.message}", file=sys.stderr)
        return outcome.exit_code
    result = outcome.result
    print(f"Gesynchroniseerd met {url}: {outcome.message} ({format_number(result.seconds, 2)} s).")
    for message in result.skipped[:20]:
        print(f"elo-tui: {message}", file=sys.stderr)
    if len(result.skipped) > 20:
        print(f"elo-tui: … en {format_number(len(result.skipped) - 20)} andere.", file=sys.stderr)
    if outcome.kind == "conflicts":
        print(
            "Beslis de conflicten in het scherm Synchronisatie, of met "
            "`elo-tui sync --list-conflicts` en `--resolve` of `--resolve-file`.",
            file=sys.stderr,
        )
    return outcome.exit_code


def _sync(path, user: str, cfg, *, quiet: bool, window: float | None) -> int:
    from elo_tui.services import sync as sync_service

    progress = _ProgressLine(quiet)
    outcome = sync_service.run(
        path, user, cfg, on_progress=progress, on_wait=_WaitLine(progress), window=window
    )
    return _report(outcome, cfg.url, progress)


def _join(args, settings, window: float | None) -> int:
    import os

    from elo_tui.services import sync as sync_service
    from elo_tui.services.sync import EXIT_USAGE
    from elo_tui.sync import config as sync_config

    url = args.url or os.environ.get(sync_config.ENV_URL, "")
    token = _read_token(args) or os.environ.get(sync_config.ENV_TOKEN, "")
    if not url or not token.strip():
        print(
            "elo-tui: aansluiten vraagt het adres (--url) en het token van het agentschap "
            f"(--token-stdin of --set-token, of {sync_config.ENV_URL} en "
            f"{sync_config.ENV_TOKEN}).",
            file=sys.stderr,
        )
        return EXIT_USAGE
    progress = _ProgressLine(args.quiet)
    outcome, name = sync_service.join(
        settings, url, token, on_progress=progress, on_wait=_WaitLine(progress), window=window
    )
    if outcome.failed and not name:
        if progress.tty and not progress.quiet:
            sys.stderr.write("\n")
        print(f"elo-tui: {outcome.message} Er is geen werkruimte gemaakt.", file=sys.stderr)
        return outcome.exit_code
    print(f"Werkruimte '{name}' gemaakt in {settings.state_dir}.")
    if outcome.failed:
        print(
            f"elo-tui: {outcome.message} Vervolledig met `elo-tui sync -w {name}`.",
            file=sys.stderr,
        )
        return outcome.exit_code
    return _report(outcome, sync_config.normalize_url(url), progress)


# -- conflicts without the interface -------------------------------------------------------------


def _conflict_rows(ws) -> list[dict]:
    from elo_tui.sync import conflicts

    rows = []
    for c in conflicts.pending(ws):
        clashes = conflicts.clashing_fields(ws, c)
        mine = conflicts.mine_record(ws, c)
        fields = [
            {
                "field": d.name,
                "label": d.label,
                "mine": d.mine,
                "theirs": d.theirs,
                # Without the base copy every differing field needs a choice.
                "choose": clashes is None or d.name in clashes,
            }
            for d in conflicts.field_diffs(ws, c, only_different=True)
        ]
        rows.append(
            {
                "record": c.key,
                "kind": c.kind,
                "id": c.id,
                "label": conflicts.record_label(mine or c.theirs_record()),
                "detected_at": c.detected_at,
                "fields": fields,
            }
        )
    return rows


def _list_conflicts(ws, *, as_json: bool) -> int:
    import json

    from elo_tui.services.sync import EXIT_CONFLICTS, EXIT_OK
    from elo_tui.sync import conflicts

    rows = _conflict_rows(ws)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return EXIT_CONFLICTS if rows else EXIT_OK
    if not rows:
        print("Geen conflicten.")
    for row in rows:
        kind = conflicts.KIND_LABELS.get(row["kind"], row["kind"])
        print(f"{kind} '{row['label']}' ({row['record']})")
        for f in row["fields"]:
            mark = "te kiezen" if f["choose"] else "samenvoegbaar"
            print(
                f"  {f['label']} [{f['field']}], {mark}: mijn versie = "
                f"{conflicts.format_value(f['mine'])} · centrale opvolging = "
                f"{conflicts.format_value(f['theirs'])}"
            )
    return EXIT_CONFLICTS if rows else EXIT_OK


def _resolve_from_file(ws, path: str) -> bool:
    """Apply the choices in `path`; False (after applying the valid ones) when the file
    or some of its entries are wrong, each said in Dutch with where it is."""
    from elo_tui.sync.choices import apply_choices, read_choices

    choices, problems = read_choices(path)
    report = apply_choices(ws, choices) if choices else None
    if report is not None:
        for line in report.lines:
            print(line, file=sys.stderr)
        problems += report.problems
    for problem in problems:
        print(f"elo-tui: {problem}", file=sys.stderr)
    return not problems
