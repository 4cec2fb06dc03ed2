"""`elo-tui roadmap ...`: the roadmap without the TUI.

  roadmap priorities [--quick-wins] [--json]
  roadmap corrections [--out FILE] [--format csv|xlsx|md]
  roadmap bottleneck list [--all] [--json]
  roadmap bottleneck add --description T [--kind K] [--product P | --application A]
                         [--block B] [--owner O]
  roadmap bottleneck set ID [--status S] [--owner O] [--description T] [--kind K] [--note N]
  roadmap baseline show [--json] | import FILE | set PRODUCT [--on-elo X] [--blocks a,b]
                   | confirm (--all | PRODUCT...)
  roadmap scenario list | new NAME [--copy-of S] | plan S (--product P | --application A)
                   --block B --quarter Q | fill S --quarter Q | compare [--json] | choose S
  roadmap export --out FILE [--format csv|xlsx|md]

Exit codes: 0 done, 1 some input refused (the rest was done), 2 unusable input.
"""

from __future__ import annotations

import argparse
import json
import sys

from elo_tui.domain.formats import euro, format_cell, plural

EXIT_OK, EXIT_PARTLY, EXIT_USAGE = 0, 1, 2


def register(subparsers, add_workspace_options) -> None:
    p = subparsers.add_parser(
        "roadmap",
        help="prioriteiten, snel resultaat, knelpunten, nulmeting, scenario's, IPDC-correcties",
        description="De roadmap van de entiteit: prioriteitenlijst en snel resultaat, "
        "knelpunten, nulmeting (1 april 2025), planscenario's en IPDC-correcties.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_workspace_options(p)
    sub = p.add_subparsers(dest="roadmap_command", metavar="ONDERDEEL", required=True)

    pr = sub.add_parser("priorities", help="prioriteitenlijst (of --quick-wins)")
    pr.add_argument("--quick-wins", action="store_true", help="enkel snel resultaat")
    pr.add_argument("--json", action="store_true")
    add_workspace_options(pr)
    pr.set_defaults(run=_priorities)

    co = sub.add_parser("corrections", help="IPDC-correcties voor Digitaal Vlaanderen")
    co.add_argument("--out", metavar="BESTAND", help="schrijf naar .csv, .xlsx of .md")
    co.add_argument("--format", choices=("csv", "xlsx", "md"))
    add_workspace_options(co)
    co.set_defaults(run=_corrections)

    bn = sub.add_parser("bottleneck", help="knelpunten")
    bsub = bn.add_subparsers(dest="bottleneck_command", metavar="ACTIE", required=True)
    bl = bsub.add_parser("list", help="open knelpunten (--all: ook opgeloste)")
    bl.add_argument("--all", action="store_true")
    bl.add_argument("--json", action="store_true")
    add_workspace_options(bl)
    bl.set_defaults(run=_bottleneck_list)
    for name in ("add", "set"):
        b = bsub.add_parser(name, help="knelpunt toevoegen" if name == "add" else "bijwerken")
        if name == "set":
            b.add_argument("id", metavar="ID", help="(begin van het) id")
        b.add_argument("--description", metavar="TEKST")
        b.add_argument("--kind", help="technical, budgetary, organisational, dependency")
        b.add_argument("--product", metavar="PRODUCT", help="IPDC-nummer of naam")
        b.add_argument("--application", metavar="TOEPASSING")
        b.add_argument("--block", metavar="BOUWSTEEN")
        b.add_argument("--owner", metavar="NAAM")
        b.add_argument("--status", help="open, in_progress, resolved")
        b.add_argument("--note", metavar="TEKST")
        add_workspace_options(b)
        b.set_defaults(run=_bottleneck_save)

    bs = sub.add_parser("baseline", help="nulmeting (1 april 2025)")
    bsub = bs.add_subparsers(dest="baseline_command", metavar="ACTIE", required=True)
    b = bsub.add_parser("show", help="voortgang sinds de nulmeting")
    b.add_argument("--json", action="store_true")
    add_workspace_options(b)
    b.set_defaults(run=_baseline_show)
    b = bsub.add_parser(
        "import", help="nulmeting uit CSV/XLSX (kolommen: product, op ELO, bouwstenen)"
    )
    b.add_argument("file", metavar="BESTAND")
    add_workspace_options(b)
    b.set_defaults(run=_baseline_import)
    b = bsub.add_parser("set", help="nulmeting van één product")
    b.add_argument("product", metavar="PRODUCT")
    b.add_argument("--on-elo", default="none", help="none, request, follow_up, both")
    b.add_argument("--blocks", default="", help="bouwstenen in gebruik, komma-gescheiden")
    b.add_argument("--note", default="")
    add_workspace_options(b)
    b.set_defaults(run=_baseline_set)
    b = bsub.add_parser("confirm", help="nulmeting bevestigen (daarna alleen-lezen)")
    b.add_argument("products", nargs="*", metavar="PRODUCT")
    b.add_argument("--all", action="store_true")
    add_workspace_options(b)
    b.set_defaults(run=_baseline_confirm)

    sc = sub.add_parser("scenario", help="planscenario's")
    ssub = sc.add_subparsers(dest="scenario_command", metavar="ACTIE", required=True)
    s = ssub.add_parser("list", help="scenario's")
    add_workspace_options(s)
    s.set_defaults(run=_scenario_compare, json=False)
    s = ssub.add_parser("new", help="nieuw scenario (--copy-of: kopie van een ander)")
    s.add_argument("name", metavar="NAAM")
    s.add_argument("--copy-of", metavar="SCENARIO")
    add_workspace_options(s)
    s.set_defaults(run=_scenario_new)
    s = ssub.add_parser("plan", help="kwartaal waarin een bouwsteen in productie gaat")
    s.add_argument("scenario", metavar="SCENARIO")
    s.add_argument("--product", metavar="PRODUCT")
    s.add_argument("--application", metavar="TOEPASSING")
    s.add_argument("--block", required=True, metavar="BOUWSTEEN")
    s.add_argument("--quarter", required=True, metavar="KWARTAAL", help="bv. 2026-Q3")
    add_workspace_options(s)
    s.set_defaults(run=_scenario_plan)
    s = ssub.add_parser("fill", help="plan elke nog open bouwsteen in één kwartaal")
    s.add_argument("scenario", metavar="SCENARIO")
    s.add_argument("--quarter", required=True, metavar="KWARTAAL")
    add_workspace_options(s)
    s.set_defaults(run=_scenario_fill)
    s = ssub.add_parser("compare", help="scenario's naast elkaar")
    s.add_argument("--json", action="store_true")
    add_workspace_options(s)
    s.set_defaults(run=_scenario_compare)
    s = ssub.add_parser("choose", help="kies het scenario voor de indiening")
    s.add_argument("scenario", metavar="SCENARIO")
    add_workspace_options(s)
    s.set_defaults(run=_scenario_choose)

    ex = sub.add_parser("export", help="roadmap exporteren (CSV, XLSX of Markdown)")
    ex.add_argument("--out", required=True, metavar="BESTAND")
    ex.add_argument("--format", choices=("csv", "xlsx", "md"))
    add_workspace_options(ex)
    ex.set_defaults(run=_export)


def _err(message: str) -> int:
    print(f"elo-tui roadmap: {message}", file=sys.stderr)
    return EXIT_USAGE


def _ws(settings):
    from elo_tui.services.workspaces import open_for_command

    return open_for_command(settings)


def _guarded(fn):
    """Run with the workspace open; a RoadmapError becomes a Dutch message, exit 2."""

    def run(args, settings) -> int:
        from elo_tui.services.roadmap import RoadmapError

        ws = _ws(settings)
        try:
            return fn(args, ws)
        except RoadmapError as exc:
            return _err(str(exc))
        finally:
            ws.close()

    return run


# -- priorities and corrections ------------------------------------------------------------------


@_guarded
def _priorities(args, ws) -> int:
    from elo_tui.domain import roadmap as rm
    from elo_tui.domain.blocks import block_label
    from elo_tui.services import roadmap as svc

    data = svc.load(ws)
    rows = data.quick_wins if args.quick_wins else data.priorities
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "product": r.product.name,
                        "ipdc_number": r.product.ipdc_number,
                        "impact": r.impact,
                        "effort_days": r.effort_days,
                        "effort_known": r.effort_known,
                        "score": round(r.score, 3),
                        "conform": r.conform,
                        "quick_win": r.quick_win,
                        "remaining_blocks": list(r.remaining_blocks),
                        "unestimated_blocks": list(r.unestimated_blocks),
                    }
                    for r in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return EXIT_OK
    print("Snel resultaat" if args.quick_wins else "Prioriteitenlijst")
    print(rm.QUICK_WIN_NOTE if args.quick_wins else rm.ASSUMPTION_NOTE)
    for i, r in enumerate(rows, start=1):
        effort = f"{_num(r.effort_days)} d" + ("" if r.effort_known else " + onbekend")
        state = "conform" if r.conform else ", ".join(block_label(b) for b in r.remaining_blocks)
        print(f"{i:3}. {r.product.name}  impact {_num(r.impact)}  rest {effort}  [{state}]")
    if not rows:
        print("  (geen)")
    return EXIT_OK


@_guarded
def _corrections(args, ws) -> int:
    from elo_tui.domain.ipdc_corrections import corrections
    from elo_tui.domain.records import Product
    from elo_tui.io import roadmap_export as rx
    from elo_tui.services.ipdc_import import META_LAST_IMPORT

    items = corrections(ws.list(Product), ipdc_imported=bool(ws.get_meta(META_LAST_IMPORT)))
    if args.out:
        fmt = rx.format_of(args.out, args.format)
        try:
            files = rx.write([rx.corrections_table(items)], args.out, fmt)
        except OSError as exc:
            return _err(f"Kan '{args.out}' niet schrijven: {exc.strerror or exc}.")
        count = plural(len(items), "IPDC-correctie", "IPDC-correcties")
        print(f"{count} geschreven naar {', '.join(map(str, files))}.")
        return EXIT_OK
    for c in items:
        detail = "; ".join(
            x
            for x in (
                f"in IPDC: {c.in_ipdc}" if c.in_ipdc else "",
                f"moet zijn: {c.should_be}" if c.should_be else "",
                c.explanation,
            )
            if x
        )
        print(f"{c.ipdc_number or '-':>8}  {c.product_name}: {c.kind_label}. {detail}")
    print(f"{plural(len(items), 'IPDC-correctie', 'IPDC-correcties')}.")
    return EXIT_OK


# -- bottlenecks ------------------------------------------------------------------


@_guarded
def _bottleneck_list(args, ws) -> int:
    from elo_tui.domain import roadmap as rm
    from elo_tui.services import roadmap as svc

    data = svc.load(ws)
    items = [b for b in data.bottlenecks if args.all or b.status != "resolved"]
    if args.json:
        print(json.dumps([b.data() for b in items], ensure_ascii=False, indent=2))
        return EXIT_OK
    for b in items:
        where = data.scope_name(b.scope_kind, b.scope_id)
        print(
            f"{b.id[:8]}  [{rm.BOTTLENECK_STATUSES.get(b.status, b.status)}] "
            f"{rm.BOTTLENECK_KINDS.get(b.bottleneck_kind, b.bottleneck_kind)} - {where}: "
            f"{b.description}" + (f" (eigenaar: {b.owner})" if b.owner else "")
        )
    print(f"{plural(len(items), 'knelpunt', 'knelpunten')}.")
    return EXIT_OK


@_guarded
def _bottleneck_save(args, ws) -> int:
    from elo_tui.services import roadmap as svc

    existing = svc.find_bottleneck(ws, args.id) if getattr(args, "id", None) else None
    values = existing.data() if existing else {}
    if existing is None and not args.description:
        return _err("--description is verplicht voor een nieuw knelpunt.")
    for key, arg in (
        ("description", "description"),
        ("bottleneck_kind", "kind"),
        ("block", "block"),
        ("owner", "owner"),
        ("status", "status"),
        ("note", "note"),
    ):
        if getattr(args, arg) is not None:
            values[key] = getattr(args, arg)
    if args.product:
        values["scope_kind"], values["scope_id"] = "product", svc.find_product(ws, args.product).id
    elif args.application:
        app = svc.find_application(ws, args.application)
        values["scope_kind"], values["scope_id"] = "application", app.id
    elif existing is None:
        values["scope_kind"] = "agency"
    record = svc.save_bottleneck(ws, values, existing)
    print(f"Knelpunt {record.id[:8]} {'bijgewerkt' if existing else 'toegevoegd'}.")
    return EXIT_OK


# -- baseline ------------------------------------------------------------------


@_guarded
def _baseline_show(args, ws) -> int:
    from elo_tui.domain import roadmap as rm
    from elo_tui.services import roadmap as svc

    pr = svc.load(ws).progress
    if args.json:
        print(
            json.dumps(
                {
                    "baseline_date": rm.BASELINE_DATE.isoformat(),
                    "products": pr.products,
                    "with_baseline": pr.with_baseline,
                    "confirmed": pr.confirmed,
                    "on_elo_then": pr.on_elo_then,
                    "on_elo_now": pr.on_elo_now,
                    "blocks_then": pr.blocks_then,
                    "blocks_now": pr.blocks_now,
                    "conform_now": pr.conform_now,
                },
                indent=2,
            )
        )
        return EXIT_OK
    print(f"Voortgang sinds de {rm.BASELINE_LABEL}:")
    print(
        f"  nulmeting voor {_num(pr.with_baseline)} van "
        f"{plural(pr.products, 'product', 'producten')} ({_num(pr.confirmed)} bevestigd)"
    )
    print(
        f"  aan te vragen en op te volgen via ELO: {_num(pr.on_elo_then)} toen, "
        f"{_num(pr.on_elo_now)} nu"
    )
    print(f"  bouwstenen in gebruik: {_num(pr.blocks_then)} toen, {_num(pr.blocks_now)} nu")
    print(f"  ELO-conform nu: {_num(pr.conform_now)}")
    return EXIT_OK


@_guarded
def _baseline_import(args, ws) -> int:
    from elo_tui.io.tabular import TabularError
    from elo_tui.services import roadmap as svc

    try:
        result = svc.import_baseline(ws, args.file)
    except TabularError as exc:
        return _err(str(exc))
    print(f"Nulmeting ingelezen voor {plural(result.saved, 'product', 'producten')}.")
    for p in result.problems:
        print(f"  {p}")
    return EXIT_PARTLY if result.problems else EXIT_OK


@_guarded
def _baseline_set(args, ws) -> int:
    from elo_tui.services import roadmap as svc

    product = svc.find_product(ws, args.product)
    blocks = [b.strip() for b in args.blocks.split(",") if b.strip()]
    svc.set_baseline(
        ws, product, {"on_elo": args.on_elo, "blocks_in_use": blocks, "note": args.note}
    )
    print(f"Nulmeting van '{product.name}' bewaard (nog niet bevestigd).")
    return EXIT_OK


@_guarded
def _baseline_confirm(args, ws) -> int:
    from elo_tui.services import roadmap as svc

    if not args.all and not args.products:
        return _err("Geef producten op of --all.")
    ids = None if args.all else [svc.find_product(ws, p).id for p in args.products]
    n = svc.confirm_baselines(ws, ids)
    print(f"{plural(n, 'nulmeting', 'nulmetingen')} bevestigd; ze zijn nu alleen-lezen.")
    return EXIT_OK


# -- scenarios ------------------------------------------------------------------


@_guarded
def _scenario_new(args, ws) -> int:
    from elo_tui.services import roadmap as svc

    source = svc.find_scenario(ws, args.copy_of) if args.copy_of else None
    s = svc.create_scenario(ws, args.name, copy_of=source)
    print(f"Scenario '{s.name}' gemaakt ({s.id[:8]}).")
    return EXIT_OK


@_guarded
def _scenario_plan(args, ws) -> int:
    from elo_tui.services import roadmap as svc

    scenario = svc.find_scenario(ws, args.scenario)
    if bool(args.product) == bool(args.application):
        return _err("Geef --product of --application op (één van beide).")
    if args.product:
        scope, scope_id = "product", svc.find_product(ws, args.product).id
    else:
        scope, scope_id = "application", svc.find_application(ws, args.application).id
    item = svc.plan_block(ws, scenario, scope, scope_id, args.block, args.quarter)
    print(f"Gepland in '{scenario.name}': {item.block} in productie in {item.quarter}.")
    return EXIT_OK


@_guarded
def _scenario_fill(args, ws) -> int:
    from elo_tui.services import roadmap as svc

    scenario = svc.find_scenario(ws, args.scenario)
    n = svc.plan_open_blocks(ws, scenario, args.quarter)
    blocks = plural(n, "open bouwsteen", "open bouwstenen")
    print(f"{blocks} gepland in {args.quarter} ('{scenario.name}').")
    return EXIT_OK


@_guarded
def _scenario_compare(args, ws) -> int:
    from elo_tui.domain import roadmap as rm
    from elo_tui.services import roadmap as svc

    data = svc.load(ws)
    if getattr(args, "json", False):
        print(
            json.dumps(
                [
                    {
                        "name": s.scenario.name,
                        "chosen": s.scenario.chosen,
                        "cost_by_year": s.cost_by_year,
                        "eligible_by_year": s.eligible_by_year,
                        "envelope_by_year": s.envelope_by_year,
                        "conform_by_quarter": s.conform_by_quarter,
                        "conform_at_milestone": s.conform_at_milestone,
                        "products": s.products,
                        "unplanned": s.unplanned,
                    }
                    for s in data.scenarios
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return EXIT_OK
    if not data.scenarios:
        print("Nog geen scenario's (elo-tui roadmap scenario new NAAM).")
        return EXIT_OK
    for s in data.scenarios:
        mark = " (gekozen voor de indiening)" if s.scenario.chosen else ""
        print(f"{s.scenario.name}{mark}")
        for y in ("2026", "2027"):
            over = s.over_envelope.get(y)
            flag = f"  boven de envelop met {euro(over)}" if over else ""
            print(
                f"  {y}: kost {euro(s.cost_by_year.get(y, 0))}, subsidiabel "
                f"{euro(s.eligible_by_year.get(y, 0))} (envelop {euro(s.envelope_by_year[y])})"
                f"{flag}"
            )
        trail = "  ".join(f"{q}: {_num(n)}" for q, n in s.conform_by_quarter.items())
        print(f"  conform per kwartaal: {trail}")
        print(
            f"  conform tegen 30 juni 2027: {_num(s.conform_at_milestone)} van "
            f"{_num(s.products)}; niet gepland: {_num(s.unplanned)}"
        )
    print(rm.ENVELOPE_NOTE)
    print(rm.ELIGIBLE_NOTE)
    return EXIT_OK


@_guarded
def _scenario_choose(args, ws) -> int:
    from elo_tui.services import roadmap as svc

    scenario = svc.find_scenario(ws, args.scenario)
    moved = svc.choose_scenario(ws, scenario)
    print(
        f"'{scenario.name}' is gekozen voor de indiening; "
        f"{plural(moved, 'kostenlijn', 'kostenlijnen')} naar het "
        "begrotingsjaar van hun kwartaal verschoven."
    )
    return EXIT_OK


@_guarded
def _export(args, ws) -> int:
    from elo_tui.io import roadmap_export as rx
    from elo_tui.services import roadmap as svc

    data = svc.load(ws)
    fmt = rx.format_of(args.out, args.format)
    try:
        files = rx.write(rx.roadmap_tables(data), args.out, fmt, notes=rx.NOTES)
    except OSError as exc:
        return _err(f"Kan '{args.out}' niet schrijven: {exc.strerror or exc}.")
    print(f"Roadmap geschreven naar {', '.join(map(str, files))}.")
    return EXIT_OK


def _num(value: float) -> str:
    """A count, score or number of days as Belgians write it: 1.202, 21,3, 0,25."""
    return format_cell(value)
