"""Concept export in every format (TOML, JSON, XLSX, Markdown) at several sizes.

    .venv/bin/python bench/bench_export.py [--sizes 1202,20000] [--runs 7]

Builds a seeded workspace per size (bench/generate.py): block statuses for every product
and application, the estimate proposed from the cost template, the checklist items the
checklist service makes, and one frozen submission. Then, per run and size, a fresh
process (sizes alternate) opens the workspace, loads the libraries and times:

  snapshot  - read the workspace, estimate (Monte Carlo), completeness, readiness,
              canonical content and its SHA-256
  toml/json/xlsx/md - write each file from the snapshot
  total     - snapshot + all four files (what `elo-tui export --format all --concept`
              does after start-up); `total cpu` is its CPU time (the machine is shared)
  frozen all - all four files of the stored submission

and reads the process's peak RSS right after `total`. Prints a ready-to-paste Markdown
table (medians, p95) with the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from subject_env import subject_environ  # noqa: E402

from elo_tui.domain.estimate import BLOCKS  # noqa: E402
from elo_tui.domain.records import Application, BlockStatus, Product  # noqa: E402
from elo_tui.store import Workspace  # noqa: E402

STAGES = ["not_started", "analysis", "filed", "test", "production"]
PERMIT = "https://productencatalogus.data.vlaanderen.be/id/concept/Type/Toelating"


def populate(path: Path, n: int, seed: int = 1202) -> Workspace:
    """The generated inventory plus block statuses, estimate lines and checklist items."""
    ws = generate(path, n, seed)
    rnd = random.Random(seed + 1)
    agency = ws.agency()
    assert agency is not None
    agency.contact_name = "Bench Contact"
    agency.contact_email = "bench@voorbeeld.invalid"
    agency.day_rate_internal = 650.0
    agency.day_rate_supplier = 900.0
    agency.own_budget = {"2026": 900_000.0, "2027": 700_000.0}
    agency.requested_cofinancing = {"2026": 400_000.0, "2027": 250_000.0}
    agency.justification = "Benchmark: alle producten naar ELO tegen 30 juni 2027."
    agency.cofinancing_statements = {"no_extra_request": True, "savings_honoured": True}
    statuses: list[BlockStatus] = []

    def stage() -> str:
        return rnd.choices(STAGES, weights=[30, 25, 15, 10, 20])[0]

    for app in ws.list(Application):
        for code, (scope, _label) in BLOCKS.items():
            if scope == "application":
                statuses.append(
                    BlockStatus(
                        scope_kind="application",
                        scope_id=app.id,
                        block=code,
                        applicability="required",
                        stage=stage(),
                        target_date="2026-12-01",
                    )
                )
    for p in ws.list(Product):
        statuses.append(
            BlockStatus(
                scope_kind="product",
                scope_id=p.id,
                block="product_rights",
                applicability="required",
                stage=stage(),
                target_date="2027-06-01",
            )
        )
        vms = rnd.random() < 0.7
        statuses.append(
            BlockStatus(
                scope_kind="product",
                scope_id=p.id,
                block="vms",
                applicability="required" if vms else "not_applicable",
                reason="" if vms else "Geen mandaten nodig",
                stage=stage() if vms else "not_started",
            )
        )
        if p.ipdc_type == PERMIT:
            statuses.append(
                BlockStatus(
                    scope_kind="product",
                    scope_id=p.id,
                    block="toelatingen",
                    applicability="required",
                    stage=stage(),
                )
            )
    with ws.transaction():
        ws.save(agency)
        ws.save_many(statuses)
    from elo_tui.services.estimate import propose_lines

    propose_lines(ws, today="2026-03-01")
    try:
        from elo_tui.services.checklists import sync_all
    except ImportError:
        pass
    else:
        sync_all(ws, date(2026, 3, 1))
    return ws


def counts(ws: Workspace) -> dict[str, int]:
    from elo_tui.domain.records import ChecklistItem, EstimateLine

    return {
        "producten": ws.count(Product),
        "toepassingen": ws.count(Application),
        "bouwsteenstatussen": ws.count(BlockStatus),
        "ramingslijnen": ws.count(EstimateLine),
        "checklist-stappen": ws.count(ChecklistItem),
    }


def child(state: Path, name: str, out: Path) -> dict:
    """One measured export in this (fresh) process: the concept in every format, as
    `elo-tui export --format all --concept` does, then a frozen submission's files."""
    import gc
    import json
    import resource

    import openpyxl  # noqa: F401  - warm process: libraries loaded before timing
    import tomli_w  # noqa: F401

    from elo_tui.io import submission_files as files
    from elo_tui.services import submission as ss

    def rss_mib() -> float:
        # VmHWM: the peak of this process's own memory. (ru_maxrss is not: Linux carries
        # it over exec from the forked parent, which holds a populated 20,000 workspace.)
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    ws = Workspace.open(state / f"{name}.sqlite", user="bench")
    base = rss_mib()
    t: dict[str, float] = {}
    gc0 = sum(g["collections"] for g in gc.get_stats())
    w0, c0 = time.perf_counter(), time.process_time()
    source = ss.concept_source(ws, author="bench")
    t["snapshot"] = time.perf_counter() - w0
    for fmt in files.FORMATS:
        w = time.perf_counter()
        source.export(fmt, out / f"export{files.FORMATS[fmt]}")
        t[fmt] = time.perf_counter() - w
    t["total"] = time.perf_counter() - w0
    t["total cpu"] = time.process_time() - c0
    peak = rss_mib()
    collections = sum(g["collections"] for g in gc.get_stats()) - gc0
    w = time.perf_counter()
    with (out / "reference.json").open("w", encoding="utf-8") as f:
        # a section streamed from the store (the concept's checklist steps) read back
        f.write(json.dumps(source.document, ensure_ascii=False, default=lambda o: o.records()))
    t["reference: json.dumps + write"] = time.perf_counter() - w
    del source
    w = time.perf_counter()
    version = ss.get_version(ws)
    # (a version is read from the store by the code since round 9; before, it was whole)
    frozen = ss.source_of(version, ws) if hasattr(ss, "SubmissionHead") else ss.source_of(version)
    frozen.export("all", out / "frozen")
    t["frozen all"] = time.perf_counter() - w
    ws.close()
    return {
        "t": t,
        "base_mib": base,
        "peak_mib": peak,
        "gc": collections,
        "files": {
            p.suffix: p.stat().st_size
            for p in out.iterdir()
            if p.is_file() and p.name != "reference.json"
        },
    }


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def uptime() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def give_long_texts(ws: Workspace) -> None:
    """Each product a description of ~1,500 characters and IPDC data of ~600, distinct per
    product (an IPDC product's description and the JSON of what IPDC said at import)."""
    with ws.transaction() as conn:
        conn.execute(
            "UPDATE product SET description = 'Met deze aanvraag kan een onderneming ' || "
            "name || ' aanvragen. ' || printf('%.1400c', 'x') || ' ' || id, "
            "ipdc_data = json_object('name', name, 'type', ipdc_type, 'themes', json(themes), "
            "'archived', 0, 'generated_at', '2026-11-01T00:00:00Z', "
            "'note', printf('%.300c', 'y'))"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, help="one size (the same as --sizes N)")
    parser.add_argument("--sizes", default="1202,20000")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--before",
        metavar="SRC",
        help="also run the export of another checkout's src/ (e.g. the code before a "
        "change), alternating with this one: a before/after at the same machine load",
    )
    parser.add_argument(
        "--long-texts",
        action="store_true",
        help="give every product a description (~1,500 characters) and IPDC data (~600), "
        "as products imported from IPDC carry (the generated ones have none)",
    )
    parser.add_argument("--child", nargs=3, metavar=("STATE", "NAME", "OUT"))
    args = parser.parse_args()
    if args.child:
        import json

        result = child(Path(args.child[0]), args.child[1], Path(args.child[2]))
        print(json.dumps(result))
        return 0

    import json

    if args.n:
        args.sizes = str(args.n)
    sizes = [int(x) for x in args.sizes.split(",")]
    codes = {"now": subject_environ()}
    if args.before:
        codes = {"before": subject_environ(PYTHONPATH=args.before), **codes}
    columns = [(n, code) for n in sizes for code in codes]
    load_before = uptime()
    results: dict[tuple[int, str], list[dict]] = {c: [] for c in columns}
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state"
        state.mkdir()
        workspace_sizes = {}
        for n in sizes:
            ws = populate(state / f"bench{n}.sqlite", n)
            if args.long_texts:
                give_long_texts(ws)
            workspace_sizes[n] = counts(ws)
            from elo_tui.services import submission as ss

            ss.create(ws, author="bench")  # the frozen version for "frozen all"
            ws.close()
        for r in range(args.runs):  # sizes (and codes) alternate: noise hits all of them
            for n, code in columns:
                out = Path(tmp) / f"out{n}-{code}-{r}"
                out.mkdir()
                proc = subprocess.run(
                    [sys.executable, __file__, "--child", str(state), f"bench{n}", str(out)],
                    check=True,
                    capture_output=True,
                    text=True,
                    env=codes[code],
                )
                results[n, code].append(json.loads(proc.stdout.strip().splitlines()[-1]))
                total = results[n, code][-1]["t"]["total"]
                print(f"run {r + 1}/{args.runs} {n} {code}: {total:.2f} s", file=sys.stderr)
    load_after = uptime()
    print_table(args, columns, results, workspace_sizes, load_before, load_after)
    return 0


def print_table(args, columns, results, workspace_sizes, load_before, load_after) -> None:
    steps = [
        "snapshot",
        *FORMATS_ORDER,
        "total",
        "total cpu",
        "frozen all",
        "reference: json.dumps + write",
    ]
    before = f" --before {args.before}" if args.before else ""
    before += " --long-texts" if args.long_texts else ""
    print(
        f"`.venv/bin/python bench/bench_export.py --sizes {args.sizes} --runs {args.runs}"
        f"{before}` on {date.today().isoformat()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPU; load average before {load_before}, after {load_after}. "
        "Each run is a fresh process per size (alternating); figures are medians of the "
        "runs, p95 in brackets; peak RSS is the process's maximum (interpreter, libraries "
        "and the open workspace included), 'open' is before the export started. "
        "'reference' is the floor of any export: Python's C encoder writing the same "
        "document once as JSON."
    )
    print()
    for n, sizes in workspace_sizes.items():
        print(f"- {n}: " + ", ".join(f"{v} {k}" for k, v in sizes.items()))
    print()
    multi = len({code for _, code in columns}) > 1
    heads = [
        f"{n:,}".replace(",", ".") + " products" + (f" ({code})" if multi else "")
        for n, code in columns
    ]
    print("| step | " + " | ".join(heads) + " |")
    print("| --- |" + " ---: |" * len(columns))
    for step in steps:
        cells = []
        for c in columns:
            v = [r["t"][step] for r in results[c]]
            cells.append(f"{statistics.median(v):.2f} s ({_p(v, 0.95):.2f})")
        print(f"| {step} | " + " | ".join(cells) + " |")
    for label, key in (("peak RSS", "peak_mib"), ("RSS open", "base_mib")):
        cells = [f"{statistics.median(r[key] for r in results[c]):.0f} MiB" for c in columns]
        print(f"| {label} | " + " | ".join(cells) + " |")
    cells = [f"{statistics.median(r['gc'] for r in results[c]):.0f}" for c in columns]
    print("| GC collections during the export | " + " | ".join(cells) + " |")
    cells = [
        ", ".join(f"{s} {b / 2**20:.1f} MB" for s, b in sorted(results[c][-1]["files"].items()))
        for c in columns
    ]
    print("| files | " + " | ".join(cells) + " |")
    codes = sorted({code for _, code in columns})
    sizes = sorted({n for n, _ in columns})
    if len(sizes) == 2:
        a, b = sizes
        print()
        for code in codes:

            def median(n: int, step: str, code: str = code) -> float:
                return statistics.median(r["t"][step] for r in results[n, code])

            wall = median(b, "total") / median(a, "total")
            cpu = median(b, "total cpu") / median(a, "total cpu")
            print(
                f"{code}: {b / a:.1f}x the products took {wall:.1f}x the time (total, "
                f"wall) and {cpu:.1f}x the CPU time."
            )


FORMATS_ORDER = ["toml", "json", "xlsx", "md"]


if __name__ == "__main__":
    raise SystemExit(main())
