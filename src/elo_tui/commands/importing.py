"""`elo-tui import FILE`: import an agency's product list (CSV/XLSX) without the TUI.

Prints the proposed mapping, the summary and every rejected row. Valid rows are imported
even when others are rejected (the rejected ones are listed so they can be fixed and the
file imported again: a re-import updates instead of duplicating).

A row with one bad field is imported without that field and its product is marked
"te controleren" with the row, column and value; those lines are printed too.

Exit codes: 0 every row imported as written (or unchanged), 1 some rows rejected or some
products te controleren (everything else was imported), 2 unusable input (unreadable
file, bad mapping, no workspace).
"""

from __future__ import annotations

import argparse
import sys

EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2

DESCRIPTION = """\
Importeer de productenlijst van je agentschap uit CSV of XLSX.
Geldige rijen worden ingelezen. Is één veld van een rij fout (onbekend type, geen
getal, ...), dan wordt het product toch ingelezen zonder dat veld (bij opnieuw
importeren blijft de bestaande waarde) en gemarkeerd als "te controleren", met rij,
kolom en waarde. Alleen rijen zonder naam, verschoven rijen en dubbele rijen worden
geweigerd, met rijnummer en reden. Opnieuw importeren werkt bestaande producten bij
(op IPDC-productnummer, anders op naam) in plaats van ze te verdubbelen. Bestaat er
nog geen werkruimte, dan wordt er een gemaakt.

Afsluitcode: 0 alles ingelezen zoals het er staat, 1 sommige rijen geweigerd of
producten te controleren (de rest is wel ingelezen), 2 onbruikbare invoer (niets
ingelezen)."""

EPILOG = """\
Koppelingsbestand (TOML of JSON), alles optioneel; wat erin staat wint van het voorstel:
  sheet = "Producten"
  [columns]                 # veld = kolomnaam in het bestand ("" = niet inlezen)
  name = "Productnaam"
  yearly_volume = "Aantal aanvragen per jaar"
  [values.ipdc_type]        # waarde in het bestand = IPDC-code ("" = leeg laten)
  Subsidie = "FinancieelVoordeel"
  Landbouw = "?"            # "?" = nog te beslissen: blijft leeg, te controleren
Velden: name, ipdc_number, ipdc_type, themes, target_groups, request_application,
followup_application, yearly_volume, on_elo, description, notes.
Waarden koppelen kan voor ipdc_type, themes, target_groups en on_elo."""


def register(subparsers, add_workspace_options) -> None:
    p = subparsers.add_parser(
        "import",
        help="importeer een productenlijst (CSV of XLSX)",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", metavar="BESTAND", help="CSV- of XLSX-bestand, of IPDC JSON-LD")
    p.add_argument(
        "--mapping",
        metavar="BESTAND",
        help="koppeling (JSON of TOML) die het voorstel aanvult of overschrijft",
    )
    p.add_argument(
        "--sheet",
        metavar="BLAD",
        help="welk blad van een XLSX-bestand (standaard het eerste blad met een tabel)",
    )
    p.add_argument("--dry-run", action="store_true", help="toon wat er zou gebeuren, sla niets op")
    p.add_argument(
        "--save-mapping",
        metavar="BESTAND",
        help="bewaar de gebruikte koppeling (.toml of .json) om aan te passen en te hergebruiken",
    )
    add_workspace_options(p)
    p.set_defaults(run=run)


def run(args, settings) -> int:
    from elo_tui.io.ipdc_jsonld import looks_like_json

    if looks_like_json(args.file):  # IPDC JSON-LD (concepts, instances, an LDES page)
        from elo_tui.commands.import_ipdc import run_ipdc

        return run_ipdc(args, settings)
    from elo_tui.io.tabular import TabularError, read_table
    from elo_tui.services import product_import as pi

    try:
        override = pi.load_mapping_file(args.mapping) if args.mapping else None
        sheet = args.sheet or (override or {}).get("sheet") or None
        table = read_table(args.file, sheet=sheet if isinstance(sheet, str) else None)
        mapping = pi.propose_mapping(table)
        if override is not None:
            mapping.update_from(override, where=f"Koppeling '{args.mapping}'")
            pi.propose_values(table, mapping)  # values of columns the file re-pointed
        mapping.check(table)
        if args.save_mapping:
            mapping.save(args.save_mapping)
    except (TabularError, pi.MappingError) as exc:
        print(f"elo-tui import: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE

    print(f"Gelezen: {table.describe()}.")
    for warning in table.warnings:
        print(f"Let op: {warning}")
    _print_mapping(table, mapping, pi)
    if args.save_mapping:
        print(f"Koppeling bewaard in {args.save_mapping}.")

    from elo_tui.store import workspace_exists

    # A 0-byte file (left by an interrupted creation) is no workspace: it is created over.
    before = {
        n for n in settings.available_workspaces() if workspace_exists(settings.workspace_path(n))
    }
    ws = _open_workspace(settings, dry_run=args.dry_run)
    try:
        if ws is None:
            print("Nog geen werkruimte: proefdraai tegen een lege werkruimte.")
            plan = pi.build_plan(table, mapping, [], [])
        else:
            if ws.path.stem not in before:
                print(
                    f"Nieuwe werkruimte gemaakt: {ws.path}. Vul de gegevens van het agentschap "
                    "aan in elo-tui."
                )
            else:
                print(f"Werkruimte: {ws.path}")
            plan = pi.plan_for_workspace(ws, table, mapping)
        if args.dry_run:
            print(f"Proefdraai, niets opgeslagen: {plan.summary()}.")
        else:
            result = pi.apply_plan(ws, plan)
            print(f"Ingelezen: {result.summary()}.")
    finally:
        if ws is not None:
            ws.close()
    flagged = plan.flagged()
    if flagged:
        print("Te controleren (ingelezen zonder deze waarde):")
        for f in flagged:
            print(f"  {f.line()}")
    if plan.rejected:
        print("Geweigerde rijen:")
        for r in plan.rejected:
            print(f"  {r.line()}")
    return EXIT_REJECTED if plan.rejected or flagged else EXIT_OK


def _open_workspace(settings, *, dry_run: bool):
    """The workspace to import into; made on a fresh machine (not for a dry run)."""
    from elo_tui.services.workspaces import open_for_command
    from elo_tui.store import workspace_exists

    if dry_run and not settings.demo:
        name = settings.chosen_workspace()
        existing = [
            n
            for n in settings.available_workspaces()
            if workspace_exists(settings.workspace_path(n))
        ]
        if (name is None and not existing) or (
            name is not None and not workspace_exists(settings.workspace_path(name))
        ):
            return None
    return open_for_command(settings, create_if_missing=not dry_run)


def _print_mapping(table, mapping, pi) -> None:
    from elo_tui.domain.to_check import shorten

    print("Koppeling van kolommen:")
    width = max(len(f.label) for f in pi.FIELDS)
    for f in pi.FIELDS:
        header = mapping.column(f.key)
        source = f"'{shorten(header)}'" if header else "(niet ingelezen)"
        print(f"  {f.label.ljust(width)}  <- {source}")
    ignored = mapping.ignored_headers(table)
    if ignored:
        print("  Niet gebruikte kolommen: " + ", ".join(f"'{shorten(h)}'" for h in ignored))
    labels = {k: dict(pi.value_choices(k)) for k in pi.VALUE_FIELDS}
    for key in pi.VALUE_FIELDS:
        if not mapping.column(key):
            continue
        values = mapping.values.get(key, {})
        if not values:
            continue
        print(f"Waarden voor {pi.FIELD_BY_KEY[key].label}:")
        for raw, code in values.items():
            if code is None:
                target = "?? niet herkend: blijft leeg, product te controleren"
            elif code == "":
                target = "(leeg laten)"
            else:
                target = labels[key].get(code, code)
            print(f"  '{shorten(raw)}' -> {target}")
    unknown = mapping.unmapped_values()
    if any(mapping.column(k) for k in unknown):
        print(
            "Tip: bewaar de koppeling met --save-mapping, vul de waarden met '?' in "
            "en importeer opnieuw met --mapping."
        )
