"""`elo-tui serve`: the same app in a browser (textual-serve), for a projector in a
workshop or for participants who join remotely.

Each browser tab runs its own elo-tui process on the chosen workspace, so two tabs are
two programs on one workspace file (the store is built for that). Bound to 127.0.0.1 by
default: the page has no login, so anyone who can reach the address can edit the
workspace; another --host is allowed and gets a warning.
"""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def register(subparsers, add_workspace_options) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="de app in een browser tonen (projector, deelnemers op afstand)",
        description="Toon elo-tui in een browser (textual-serve), op de gekozen werkruimte. "
        "Standaard alleen op deze computer bereikbaar (127.0.0.1).",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="adres (standaard 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"poort (standaard {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="adres zoals de browser het ziet, achter een proxy (standaard http://HOST:POORT)",
    )
    add_workspace_options(parser)
    parser.set_defaults(run=run)


def serve_command(settings, name: str, python: str) -> str:
    """The shell command each browser tab runs: this app, on this workspace."""
    import shlex

    args = [python, "-m", "elo_tui", "--state-dir", str(settings.state_dir.absolute())]
    args += ["--demo"] if settings.demo else ["--workspace", name]
    return shlex.join(args)


# textual-serve's page around the terminal says a few things in English.
PAGE_DUTCH = {
    ">Start</button>": ">Starten</button>",
    "Session ended.": "Sessie beëindigd.",
    ">Restart</button>": ">Opnieuw starten</button>",
    "'Textual Application'": "'elo_tui'",
}


def dutch_templates(folder: Path) -> Path | None:
    """A copy of textual-serve's page template in Dutch, in `folder`; None when this
    version of textual-serve has other words (its own page is then used)."""
    import textual_serve

    original = Path(textual_serve.__file__).parent / "templates" / "app_index.html"
    try:
        page = original.read_text(encoding="utf-8")
    except OSError:
        return None
    if not all(english in page for english in PAGE_DUTCH):
        return None
    for english, dutch in PAGE_DUTCH.items():
        page = page.replace(english, dutch)
    (folder / "app_index.html").write_text(page, encoding="utf-8")
    return folder


def run(args: argparse.Namespace, settings) -> int:
    import sys

    from elo_tui.services import workspaces
    from elo_tui.store import workspace_exists

    try:
        from textual_serve.server import Server
    except ImportError:
        print(
            "elo-tui: 'serve' heeft textual-serve nodig: pip install -e '.[serve]'.",
            file=sys.stderr,
        )
        return 2
    if not 0 < args.port < 65536:
        print(f"elo-tui: poort {args.port} bestaat niet (1 tot 65535).", file=sys.stderr)
        return 2
    name = settings.chosen_workspace()
    if settings.demo:
        workspaces.open_demo(settings).close()  # made on first use, before any tab opens
    elif name is None or not workspace_exists(settings.workspace_path(name)):
        problem = (
            f"werkruimte '{name}' bestaat niet in {settings.state_dir}"
            if name
            else "geen werkruimte gekozen"
        )
        print(
            f"elo-tui: {problem}. Kies er een met --workspace NAAM (zie 'elo-tui "
            "workspaces') of gebruik --demo.",
            file=sys.stderr,
        )
        return 2
    if args.host not in LOCAL_HOSTS:
        print(
            f"elo-tui: let op: op {args.host} kan iedereen die dit adres bereikt de "
            "werkruimte bekijken en wijzigen (er is geen aanmelding).",
            file=sys.stderr,
        )
    import tempfile

    import textual_serve

    with tempfile.TemporaryDirectory(prefix="elo-tui-serve-") as folder:
        templates = dutch_templates(Path(folder))
        extra = {"templates_path": templates} if templates else {}
        server = Server(
            serve_command(settings, name or "demo", sys.executable),
            host=args.host,
            port=args.port,
            title="elo_tui",
            public_url=args.public_url,
            # absolute: textual-serve resolves these against its own folder
            statics_path=Path(textual_serve.__file__).parent / "static",
            **extra,
        )
        print(
            f"elo-tui: werkruimte '{name}' in de browser op {server.public_url} "
            "(stoppen met Ctrl-C).",
            file=sys.stderr,
            flush=True,
        )
        server.serve()
    return 0
