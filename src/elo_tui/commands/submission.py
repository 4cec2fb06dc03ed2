"""`elo-tui submission`: completeness check, frozen versions, diffs and import.

elo-tui submission check              what is missing (blocking / warning)
elo-tui submission create [--author]  freeze the current state as the next version
elo-tui submission list               versions with time, author and SHA-256
elo-tui submission diff [A [B]]       what changed (default: latest against the one before)
elo-tui submission import BESTAND     recreate a TOML/JSON submission in an empty workspace
"""

from __future__ import annotations

import sys

from elo_tui.domain.formats import format_number, format_stamp, plural


def register(subparsers, add_workspace_options) -> None:
    p = subparsers.add_parser(
        "submission",
        aliases=["indiening"],
        help="indiening voor cofinanciering: nakijken, aanmaken, vergelijken, inlezen",
        description="Indiening voor cofinanciering: nakijken wat ontbreekt, een versie "
        "bevriezen, versies vergelijken of een indiening inlezen.",
    )
    sub = p.add_subparsers(dest="submission_command", metavar="ACTIE", required=True)

    c = sub.add_parser("check", help="toon wat ontbreekt (blokkerend en waarschuwingen)")
    add_workspace_options(c)
    c.set_defaults(run=run_check)

    c = sub.add_parser("create", help="bevries de huidige stand als nieuwe versie")
    add_workspace_options(c)
    c.add_argument("--author", "--auteur", metavar="NAAM", help="auteur (standaard: gebruiker)")
    c.set_defaults(run=run_create)

    c = sub.add_parser("list", help="toon de versies")
    add_workspace_options(c)
    c.set_defaults(run=run_list)

    c = sub.add_parser("diff", help="wat is er veranderd tussen twee versies")
    add_workspace_options(c)
    c.add_argument("old", nargs="?", type=int, metavar="A", help="oude versie")
    c.add_argument(
        "new", nargs="?", type=int, metavar="B", help="nieuwe versie (standaard: laatste)"
    )
    c.set_defaults(run=run_diff)

    c = sub.add_parser(
        "import",
        help="lees een indiening (TOML of JSON) in een lege werkruimte",
        description="Maakt de werkruimte (--workspace NAAM) aan als ze nog niet bestaat; "
        "een werkruimte met gegevens wordt geweigerd.",
    )
    add_workspace_options(c)
    c.add_argument("file", metavar="BESTAND", help="een .toml- of .json-export van elo-tui")
    c.set_defaults(run=run_import)


def _print_issues(issues) -> None:
    from elo_tui.domain.completeness import SEVERITY_LABELS

    for issue in issues:
        print(f"  {SEVERITY_LABELS[issue.severity]}: {issue.message}")


def run_check(args, settings) -> int:
    from elo_tui.domain.completeness import blocking
    from elo_tui.services import submission as service
    from elo_tui.services.workspaces import open_for_command

    with open_for_command(settings) as ws:
        issues = service.check(ws)
    n_block = len(blocking(issues))
    if not issues:
        print("De aanvraag is volledig: niets ontbreekt.")
        return 0
    n_warn = len(issues) - n_block
    warnings = plural(n_warn, "waarschuwing", "waarschuwingen")
    print(f"{format_number(n_block)} blokkerend, {warnings}:")
    _print_issues(issues)
    return 1 if n_block else 0


def run_create(args, settings) -> int:
    from elo_tui.services import submission as service
    from elo_tui.services.workspaces import open_for_command

    with open_for_command(settings) as ws:
        try:
            record = service.create(ws, author=args.author)
        except service.IncompleteError as exc:
            print(f"elo-tui: {exc} Er is niets aangemaakt.", file=sys.stderr)
            _print_issues(exc.issues)
            return 1
        diff = service.diff_latest(ws)
    print(
        f"Indiening versie {record.version} aangemaakt op {format_stamp(record.created_at)} "
        f"door {record.author}."
    )
    print(f"SHA-256: {record.sha256}")
    if diff:
        print("\n".join(diff))
    return 0


def run_list(args, settings) -> int:
    from elo_tui.services import submission as service
    from elo_tui.services.workspaces import open_for_command

    with open_for_command(settings) as ws:
        records = service.list_submissions(ws)
        rows = [(r, service.verify(r, ws=ws)) for r in records]
    if not rows:
        print("Nog geen indieningen.")
        return 0
    for r, ok in rows:
        state = f" [{r.review_state}]" if r.review_state else ""
        check = "" if ok else "  ONGELDIG (SHA-256 klopt niet)"
        print(
            f"v{r.version}  {format_stamp(r.created_at)}  {r.author}  "
            f"{r.sha256[:16]}…{state}{check}"
        )
    return 0


def run_diff(args, settings) -> int:
    from elo_tui.domain.submission import SubmissionFormatError
    from elo_tui.services import submission as service
    from elo_tui.services.workspaces import open_for_command
    from elo_tui.store import WorkspaceError

    with open_for_command(settings) as ws:
        records = service.list_submissions(ws)
        needed = (args.new is None) + (args.old is None)  # versions to take from the list
        if len(records) < max(needed, 1) or (needed == 2 and len(records) < 2):
            print("Er zijn niet genoeg indieningen om te vergelijken.")
            return 0 if args.old is None else 1
        new = args.new if args.new is not None else records[-1].version
        old = args.old if args.old is not None else records[-2].version
        try:
            lines = service.diff_versions(ws, old, new)
        except (WorkspaceError, SubmissionFormatError) as exc:  # e.g. a damaged version
            print(f"elo-tui: {exc}", file=sys.stderr)
            return 1
    print("\n".join(lines))
    return 0


def run_import(args, settings) -> int:
    from elo_tui.domain.submission import SubmissionFormatError, records_from_content
    from elo_tui.io.submission_files import ExportError, read
    from elo_tui.services import submission as service
    from elo_tui.services import workspaces
    from elo_tui.store import WorkspaceError, workspace_exists

    try:
        document = read(args.file)
        content, _text, _sha = service.verify_document(document)
        agency, _ = records_from_content(content)
    except (ExportError, SubmissionFormatError) as exc:
        print(f"elo-tui: {exc}", file=sys.stderr)
        return 1
    name = settings.chosen_workspace() if settings.workspace else None
    if name and workspace_exists(settings.workspace_path(name)):
        ws = workspaces.open_named(settings, name)
    else:
        if agency is None:
            print("elo-tui: de indiening bevat geen agentschap.", file=sys.stderr)
            return 1
        try:
            ws = workspaces.create(settings, agency, name)
        except WorkspaceError as exc:
            print(f"elo-tui: {exc} Kies een nieuwe naam met --workspace.", file=sys.stderr)
            return 1
    with ws:
        try:
            record = service.import_document(ws, document)
        except (WorkspaceError, SubmissionFormatError) as exc:
            print(f"elo-tui: {exc}", file=sys.stderr)
            return 1
        where = ws.path.stem
    if record is None:
        print(f"Concept ingelezen in werkruimte '{where}'.")
    else:
        print(
            f"Indiening versie {record.version} ingelezen in werkruimte '{where}' "
            f"(SHA-256 {record.sha256[:12]}…)."
        )
    return 0
