"""`elo-tui import FILE` for a JSON-LD file from IPDC (the CSV/XLSX path is importing.py,
which hands a JSON file over to `run_ipdc`). Same exit codes: 0 all imported (archived
records are reported, not an error), 1 some records skipped, 2 unusable input."""

from __future__ import annotations

import sys

from elo_tui.domain.formats import plural

EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2


def run_ipdc(args, settings) -> int:
    from elo_tui.commands.importing import _open_workspace
    from elo_tui.io.ipdc_jsonld import IpdcError, read_file
    from elo_tui.services import ipdc_import as ii

    if getattr(args, "mapping", None) or getattr(args, "sheet", None):
        print(
            "elo-tui import: --mapping en --sheet gelden niet voor IPDC-bestanden (JSON-LD); "
            "de velden liggen vast in het IPDC-implementatiemodel.",
            file=sys.stderr,
        )
        return EXIT_UNUSABLE
    try:
        doc = read_file(args.file)
    except IpdcError as exc:
        print(f"elo-tui import: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    form = "compacte" if doc.form == "compact" else "uitgeschreven (expanded)"
    shape = {
        "ldes": "pagina van de IPDC-eventstream (LDES)",
        "record": "één record",
        "array": "lijst van records",
        "graph": "@graph met records",
    }[doc.shape]
    count = plural(len(doc.records), "product", "producten")
    print(f"Gelezen: IPDC JSON-LD, {form} vorm, {shape}: {count}.")
    ws = _open_workspace(settings, dry_run=args.dry_run)
    try:
        plan = ii.plan_import(doc, ws.list(ii.Product) if ws is not None else [])
        if ws is not None:
            print(f"Werkruimte: {ws.path}")
        if args.dry_run or ws is None:
            print(f"Proefdraai, niets opgeslagen: {plan.summary()}.")
        else:
            ii.apply_plan(ws, plan)
            print(f"Ingelezen uit IPDC: {plan.summary()}.")
    finally:
        if ws is not None:
            ws.close()
    for line in plan.report_lines():
        print(f"  {line}")
    return EXIT_REJECTED if plan.problems else EXIT_OK
