"""The one entry point, `elo-tui`.

Without a sub-command it opens the TUI; sub-commands run headless. The options that pick
a workspace (--state-dir, --workspace, --demo) are accepted before or after the
sub-command and mean the same everywhere. Each sub-command lives in `elo_tui.commands`
and imports its heavy dependencies only when it runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from elo_tui import __version__
from elo_tui.commands import COMMAND_MODULES, COMMANDS, load_command

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# An internal error (a bug), as sysexits.h's EX_SOFTWARE: never confused with a
# command's own "rows rejected" or "conflicts" (1) or the sync codes (0-5).
EXIT_SOFTWARE = 70
EXIT_INTERRUPTED = 130


def _add_workspace_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # In sub-parsers the defaults are suppressed so that an option given before the
    # sub-command is not overwritten by the sub-parser's default.
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("werkruimte")
    group.add_argument(
        "--state-dir",
        metavar="MAP",
        default=default,
        help="map met de werkruimtes (standaard: ./local_state of $ELO_TUI_STATE_DIR)",
    )
    group.add_argument(
        "--workspace",
        "-w",
        metavar="NAAM",
        default=default,
        help="naam van de werkruimte (standaard: de laatst geopende of $ELO_TUI_WORKSPACE)",
    )
    group.add_argument(
        "--demo",
        action="store_true",
        default=default if suppress else False,
        help="open de voorbeeldwerkruimte (fictief agentschap, voorbeelddata)",
    )


# The top-level options (argparse also takes a unique prefix of a long one: --work).
_LONG_OPTIONS = ("--state-dir", "--workspace", "--demo", "--presentatie", "--version", "--help")
_TAKES_VALUE = ("--state-dir", "--workspace")
_UNSURE = "?"  # not one known sub-command: register them all


def _sub_command(argv: Sequence[str]) -> str | None:
    """The sub-command `argv` gives, read as argparse reads the top-level options before
    it: None when there is none (the interface opens), _UNSURE for `--help`, an option
    argparse will refuse, or a word that is not a sub-command (argparse then says so with
    every sub-command registered, as before)."""
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--":  # Python 3.11's argparse takes "--" itself for the sub-command
            return _UNSURE
        if token.startswith("--"):
            name, has_value = token.split("=", 1)[0], "=" in token
            matches = (
                [name]
                if name in _LONG_OPTIONS
                else [o for o in _LONG_OPTIONS if o.startswith(name)]
            )
            if len(matches) != 1 or matches[0] == "--help":
                return _UNSURE
            if matches[0] in _TAKES_VALUE and not has_value:
                i += 1
        elif token.startswith("-") and token != "-":
            if not token.startswith("-w"):  # -h, or a short option argparse refuses
                return _UNSURE
            if token == "-w":
                i += 1
        else:
            return token
        i += 1
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for `argv`: with only the sub-command `argv` names (building all of
    them, and importing their modules, cost ~0.1 s on every start), with all of them
    when `argv` is None or does not name one."""
    parser = argparse.ArgumentParser(
        prog="elo-tui",
        description="Breng de producten van je entiteit (agentschap of departement) naar "
        "e-loketondernemers. Zonder opdracht opent de terminalinterface.",
    )
    parser.add_argument("--version", action="version", version=f"elo-tui {__version__}")
    _add_workspace_options(parser, suppress=False)
    parser.add_argument(
        "--presentatie",
        action="store_true",
        help="open de presentatiemodus: grote cijfers voor een projector (spatie/→ volgende, "
        "← vorige, Esc terug)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="OPDRACHT")
    command = _UNSURE if argv is None else _sub_command(argv)
    if command is None:
        modules = []
    elif command in COMMANDS:
        modules = [COMMANDS[command]]
    else:
        modules = COMMAND_MODULES
    for name in modules:
        module = load_command(name)
        module.register(subparsers, lambda p: _add_workspace_options(p, suppress=True))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    from elo_tui.config import ConfigError, Settings
    from elo_tui.store import WorkspaceError

    settings = None
    try:
        settings = Settings.resolve(args.state_dir, args.workspace, args.demo)
        if getattr(args, "run", None) is None:
            from elo_tui.app import run_app

            return run_app(settings, presentation=args.presentatie)
        return int(args.run(args, settings) or EXIT_OK)
    except (ConfigError, WorkspaceError) as exc:
        print(f"elo-tui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # a folder or file we cannot use: say which, no traceback
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"elo-tui: {exc.strerror or exc}{where}.", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("elo-tui: onderbroken.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug: a report for the maintainers, not a traceback
        return _internal_error(exc, settings)


def _internal_error(exc: BaseException, settings) -> int:
    from pathlib import Path

    from elo_tui.crash import write_report

    folder = settings.state_dir if settings is not None else Path.cwd()
    path = write_report(exc, folder)
    where = f"Foutrapport: {path}" if path else "Er kon geen foutrapport worden bewaard."
    print(
        "elo-tui: onverwachte fout in het programma (een bug, niet in je gegevens); wat al "
        f"bewaard was, blijft bewaard. {where} Bezorg het aan wie elo_tui onderhoudt "
        "(het bevat geen tokens).",
        file=sys.stderr,
    )
    return EXIT_SOFTWARE
