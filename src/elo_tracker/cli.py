"""`elo-tracker …`: run the reference tracker service and manage its tokens.

    elo-tracker [--config FILE] ACTIE …      settings file (TOML), see elo_tracker.settings
    elo-tracker serve [--db FILE | --database-url URL] [--host 127.0.0.1] [--port 8765]
                      [--workers N] [--rate N] [--burst N] [--max-body-kib N] [--log-level L]
    elo-tracker migrate [--db FILE | --database-url URL]   upgrade the schema, keep the data
    elo-tracker add-agency NAAM OVOCODE [--db FILE]   prints a new agency token once
    elo-tracker add-admin NAAM [--db FILE]            prints a new VLAIO token once
    elo-tracker revoke (--ovo OVOCODE | --admin NAAM) [--db FILE]
    elo-tracker openapi [--output FILE]               the API contract (docs/openapi.json)
    elo-tracker copy --to TARGET [--db FILE | --database-url URL]
                      copy everything into an empty database (SQLite -> PostgreSQL)
    elo-tracker report --kind kernwerkgroep|stuurgroep|evaluatie --period YYYY-MM|YYYY-Qn
                       [--format md|xlsx] --out FILE [--db FILE | --database-url URL]

PostgreSQL (production): --database-url postgresql://USER:PASSWORD@HOST:5432/DB or
$ELO_TRACKER_DATABASE_URL; run `elo-tracker migrate` before `serve` after each upgrade
(`serve` on PostgreSQL refuses an older schema; on SQLite it upgrades by itself). The
SQLite database defaults to $ELO_TRACKER_DB (or the older $ELO_TUI_TRACKER_DB) or
`tracker.db` in the current folder (or `local_state/tracker.db`, where the former
`elo-tui tracker` kept it, when only that one exists). Only a token's SHA-256 is
stored: a lost token cannot be shown again, make a new one. New tokens go to stdout
alone (so `TOKEN=$(elo-tracker add-agency …)` works); explanations to stderr. Needs the
optional extra: pip install 'elo-tui[tracker]'.

Every subcommand reads the one settings model (`elo_tracker.settings`): a flag beats
$ELO_TRACKER_<KEY>, which beats the file (--config or $ELO_TRACKER_CONFIG), which beats
the default. A bad file or value: a Dutch message naming the key, exit status 2.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from elo_tracker.settings import TrackerSettings

ENV_DB = "ELO_TRACKER_DB"
ENV_URL = "ELO_TRACKER_DATABASE_URL"
ENV_COPY_TO = "ELO_TRACKER_COPY_TO"
DEFAULT_PORT = 8765
# Settings keys and the serve flags that set them (the flag's dest, when it differs).
FLAG_KEYS = {"rate_per_minute": "rate", "rate_burst": "burst"}


def _port(text: str) -> int:
    import argparse

    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is geen geldige poort (1-65535)")
    return port


def build_parser():
    import argparse

    p = argparse.ArgumentParser(
        prog="elo-tracker",
        description="De referentie-tracker van het ELO-programma: API voor synchronisatie, "
        "indieningen en opvolging door VLAIO.",
    )
    config_help = "instellingenbestand (TOML; standaard $ELO_TRACKER_CONFIG)"
    p.add_argument("--config", metavar="BESTAND", help=config_help)
    sub = p.add_subparsers(dest="tracker_command", metavar="ACTIE", required=True)

    def with_db(q) -> None:
        # Also after the action (`elo-tracker serve --config f`); SUPPRESS keeps a --config
        # given before the action from being overwritten by this parser's default.
        q.add_argument("--config", metavar="BESTAND", default=argparse.SUPPRESS, help=config_help)
        where = q.add_mutually_exclusive_group()
        where.add_argument(
            "--db",
            metavar="BESTAND",
            help=f"SQLite-trackerdatabank (standaard ${ENV_DB} of tracker.db in de huidige map)",
        )
        where.add_argument(
            "--database-url",
            metavar="URL",
            help="PostgreSQL-databank, bv. postgresql://gebruiker:wachtwoord@host:5432/tracker "
            f"(standaard ${ENV_URL}; beter via die variabele: zo staat het wachtwoord niet "
            "in de proceslijst)",
        )

    serve = sub.add_parser("serve", help="start de tracker (HTTP)")
    with_db(serve)
    serve.add_argument("--host", default=None, help="adres (standaard 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=None, help=f"poort (standaard {DEFAULT_PORT})")
    serve.add_argument(
        "--max-body-kib",
        type=int,
        default=None,
        help="grootste aanvaarde aanvraag in KiB (standaard en minimum 4096)",
    )
    serve.add_argument(
        "--rate",
        type=int,
        default=None,
        metavar="N",
        help="aanvragen per minuut per token (standaard 600; daarboven 429 met Retry-After)",
    )
    serve.add_argument(
        "--burst",
        type=int,
        default=None,
        metavar="N",
        help="zoveel aanvragen na elkaar mag een token ineens (standaard 120)",
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="aantal werkprocessen (standaard 1; veilig op SQLite en PostgreSQL)",
    )
    serve.add_argument(
        "--no-access-log",
        dest="access_log",
        action="store_const",
        const=False,
        default=None,
        help="geen regel per aanvraag loggen (tokens staan er nooit in)",
    )
    serve.add_argument(
        "--log-level",
        choices=("critical", "error", "warning", "info", "debug"),
        default=None,
        help="hoeveel de server logt (standaard info)",
    )
    serve.set_defaults(run=run)

    agency = sub.add_parser("add-agency", help="agentschap registreren en token aanmaken")
    agency.add_argument("name", metavar="NAAM")
    agency.add_argument("ovo", metavar="OVOCODE", help="bv. OVO003456")
    with_db(agency)
    agency.set_defaults(run=run)

    admin = sub.add_parser("add-admin", help="token voor een VLAIO-beheerder aanmaken")
    admin.add_argument("name", metavar="NAAM")
    with_db(admin)
    admin.set_defaults(run=run)

    revoke = sub.add_parser("revoke", help="alle tokens van een agentschap of beheerder intrekken")
    who = revoke.add_mutually_exclusive_group(required=True)
    who.add_argument("--ovo", metavar="OVOCODE")
    who.add_argument("--admin", metavar="NAAM")
    with_db(revoke)
    revoke.set_defaults(run=run)

    migrate = sub.add_parser(
        "migrate", help="het schema van de databank bijwerken (de gegevens blijven)"
    )
    with_db(migrate)
    migrate.set_defaults(run=run)

    copy = sub.add_parser(
        "copy",
        help="de hele databank naar een nieuwe, lege kopiëren (bv. SQLite naar PostgreSQL)",
        description="Kopieert alle tabellen (tokens, werkruimten, records, indieningen) "
        "naar een lege databank, in één transactie, en leest het doel daarna na. Stop de "
        "tracker eerst: wat tijdens de kopie nog binnenkomt, staat niet in het doel.",
    )
    with_db(copy)
    copy.add_argument(
        "--to",
        metavar="DOEL",
        default=None,
        help=f"SQLite-bestand of postgresql://-URL van de lege doeldatabank (standaard "
        f"${ENV_COPY_TO}; beter via die variabele: zo staat het wachtwoord niet in de "
        "proceslijst)",
    )
    copy.set_defaults(run=run)

    report = sub.add_parser(
        "report", help="rapport voor kernwerkgroep, stuurgroep of tussentijdse evaluatie"
    )
    report.add_argument(
        "--kind", required=True, choices=("kernwerkgroep", "stuurgroep", "evaluatie"),
        help="kernwerkgroep (maandelijks), stuurgroep (per kwartaal) of evaluatie",
    )  # fmt: skip
    report.add_argument(
        "--period", required=True, metavar="PERIODE",
        help="JJJJ-MM (kernwerkgroep, evaluatie) of JJJJ-Qn (stuurgroep, evaluatie)",
    )  # fmt: skip
    report.add_argument(
        "--format", default="md", choices=("md", "xlsx"), help="md (standaard) of xlsx"
    )
    report.add_argument("--out", required=True, metavar="BESTAND", help="het rapportbestand")
    with_db(report)
    report.set_defaults(run=run)

    openapi = sub.add_parser("openapi", help="het OpenAPI-document van de API schrijven")
    openapi.add_argument("--output", "-o", metavar="BESTAND", help="standaard: stdout")
    openapi.add_argument("--config", metavar="BESTAND", default=argparse.SUPPRESS, help=config_help)
    openapi.set_defaults(run=run)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return run(args)


OLD_DEFAULT = Path("local_state") / "tracker.db"  # where `elo-tui tracker` kept it


def settings_from(args) -> TrackerSettings:
    """The one settings model, with the flags this command was given on top."""
    from elo_tracker.settings import KEYS, load_settings

    flags = {key: getattr(args, FLAG_KEYS.get(key, key), None) for key in KEYS}
    return load_settings(flags, config=getattr(args, "config", None))


def db_target(settings: TrackerSettings) -> Path | str:
    """The PostgreSQL URL or the SQLite file the settings name, else the default file."""
    from elo_tracker.settings import database_target

    return database_target(settings) or default_db_path()


def default_db_path() -> Path:
    if not Path("tracker.db").exists() and OLD_DEFAULT.exists():
        print(
            f"elo-tracker: databank {OLD_DEFAULT} (de vroegere standaardplaats).", file=sys.stderr
        )
        return OLD_DEFAULT
    return Path("tracker.db")


def openapi_text() -> str:
    """The API contract as checked into docs/openapi.json (stable formatting)."""
    import json
    import tempfile

    from elo_tracker.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Path(tmp) / "openapi.db")
        doc = app.openapi()
        app.state.store.close()
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def run(args) -> int:
    from elo_tracker.settings import SettingsError

    try:
        settings = settings_from(args)
    except SettingsError as exc:
        print(f"elo-tracker: {exc}.", file=sys.stderr)
        return 2
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        print(
            "elo-tracker: de tracker vraagt extra pakketten: pip install 'elo-tui[tracker]'",
            file=sys.stderr,
        )
        return 2
    from elo_tracker.store import TrackerStore, TrackerStoreError, is_postgres_url

    action = args.tracker_command
    if action == "openapi":
        text = openapi_text()
        if args.output:
            try:
                Path(args.output).write_text(text, encoding="utf-8")
            except OSError as exc:
                print(
                    f"elo-tracker: kan '{args.output}' niet schrijven: {exc.strerror}.",
                    file=sys.stderr,
                )
                return 2
            print(f"OpenAPI geschreven naar {args.output}.", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0
    path = db_target(settings)
    try:
        # SQLite is zero-setup: it upgrades itself. PostgreSQL in production upgrades
        # only on `migrate` (a deliberate step, possibly with a more privileged role).
        store = TrackerStore.open(path, migrate=action == "migrate" or not is_postgres_url(path))
    except TrackerStoreError as exc:
        print(f"elo-tracker: {exc}", file=sys.stderr)
        return 2
    try:
        if action == "migrate":
            before, after = store.migrated
            if before == after:
                print(f"Schema van {store.display} is al versie {after}.", file=sys.stderr)
            else:
                print(
                    f"Schema van {store.display} bijgewerkt van versie {before} naar {after}.",
                    file=sys.stderr,
                )
            return 0
        if action == "add-agency":
            token = store.add_agency(args.name, args.ovo.strip().upper())
            print(
                f"Token voor {args.name} ({args.ovo.upper()}). Bewaar het nu: het wordt niet "
                "opnieuw getoond.",
                file=sys.stderr,
            )
            print(token)
            return 0
        if action == "add-admin":
            token = store.add_admin(args.name)
            print(
                f"Beheerderstoken voor {args.name}. Bewaar het nu: het wordt niet opnieuw getoond.",
                file=sys.stderr,
            )
            print(token)
            return 0
        if action == "report":
            return write_report(store, args)
        if action == "copy":
            return copy_database(store, args)
        if action == "revoke":
            n = store.revoke_tokens(workspace=args.ovo, name=args.admin)
            print(f"{n} token(s) ingetrokken.", file=sys.stderr)
            return 0 if n else 1
    except TrackerStoreError as exc:
        print(f"elo-tracker: {exc}", file=sys.stderr)
        return 2
    finally:
        if action != "serve":
            store.close()
    return serve(store, path, settings)


def copy_database(store, args) -> int:
    from elo_tracker.store import DatabaseBusy, TrackerStore, TrackerStoreError

    to = args.to or os.environ.get(ENV_COPY_TO, "")
    if not to:
        print(f"elo-tracker copy: geef het doel met --to of ${ENV_COPY_TO}.", file=sys.stderr)
        return 2
    try:
        target = TrackerStore.open(to, migrate=True)
    except TrackerStoreError as exc:
        print(f"elo-tracker copy: {exc}", file=sys.stderr)
        return 2
    try:
        copied = store.copy_into(target)
    except (TrackerStoreError, DatabaseBusy) as exc:
        print(f"elo-tracker copy: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a database error of either driver: the target rolled back
        first = str(exc).splitlines()[0] if str(exc) else ""
        print(
            f"elo-tracker copy: kopie mislukt ({type(exc).__name__}: {first}); het doel "
            "is ongewijzigd.",
            file=sys.stderr,
        )
        return 2
    finally:
        target.close()
    labels = {
        "principals": "tokens",
        "workspaces": "werkruimten",
        "records": "records",
        "idempotency": "Idempotency-Keys",
        "submissions": "indieningen",
    }
    counts = ", ".join(f"{labels[t]} {n:,}".replace(",", ".") for t, n in copied.items())
    print(
        f"Gekopieerd van {store.display} naar {target.display}: {counts}. Nagelezen: "
        "elke tabel is gelijk aan de bron.",
        file=sys.stderr,
    )
    return 0


def write_report(store, args) -> int:
    from elo_tracker.reports import ReportError, render_report

    try:  # the same function as GET /v1/reports/{kind}: the same bytes
        payload, _name = render_report(store, args.kind, args.period, args.format)
    except ReportError as exc:
        print(f"elo-tracker: {exc}.", file=sys.stderr)
        return 2
    try:
        Path(args.out).write_bytes(payload)
    except OSError as exc:
        print(f"elo-tracker: kan '{args.out}' niet schrijven: {exc.strerror}.", file=sys.stderr)
        return 2
    print(f"Rapport {args.kind} {args.period} geschreven naar {args.out}.", file=sys.stderr)
    return 0


def serve(store, path: Path | str, settings: TrackerSettings) -> int:
    import uvicorn

    from elo_tracker.app import Limits, app_environment, create_app

    limits = Limits(
        max_body_bytes=settings.max_body_kib * 1024,
        rate_per_minute=settings.rate_per_minute,
        rate_burst=settings.rate_burst,
    )
    host, port, workers = settings.host, settings.port, settings.workers
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(
            "Let op: de tracker spreekt zelf geen TLS. Zet er een reverse proxy met https "
            "voor; tokens mogen niet onversleuteld over het netwerk.",
            file=sys.stderr,
        )
    several = "" if workers == 1 else f", {workers} werkprocessen"
    # store.display never holds the password.
    print(
        f"Tracker op http://{host}:{port} (API /v1, OpenAPI /openapi.json, "
        f"documentatie /docs), databank {store.display}{several}. Stoppen: Ctrl+C.",
        file=sys.stderr,
    )

    def run_server(app, workers: int | None = None, factory: bool = False) -> None:
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level=settings.log_level,
            server_header=False,
            access_log=settings.access_log,
            workers=workers,
            factory=factory,
        )

    if workers == 1:
        run_server(create_app(path, limits=limits, store=store))
        return 0
    # Several processes: each builds its own app (and store) from the environment.
    store.close()
    os.environ.update(app_environment(path, limits))
    run_server("elo_tracker.app:app_from_environment", workers=workers, factory=True)
    return 0
