"""Estimate and full co-financing export (TOML, JSON, XLSX, Markdown) for 1,202 products.

    .venv/bin/python bench/bench_export.py [N] [--runs R] [--record]

Builds a seeded workspace with N products (bench/generate.py), block statuses for every
product and application, the estimate proposed from the cost template and the checklist
items the checklist service makes. Then, per run, it times:

  estimate  - cost every line and the portfolio Monte Carlo (10,000 draws)
  snapshot  - read the workspace, completeness check, readiness, canonical content + SHA-256
  toml/json/xlsx/md - write each export file from the snapshot
  total     - snapshot + all four exports (what `elo-tui export --format all` does)

Libraries are imported once before timing (a warm process, like the TUI); the cold
start of `elo-tui export --format all` is measured separately as a subprocess.
With --record the figures are appended to bench/RESULTS.md under "Raming en export".
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


def run_once(ws: Workspace, out: Path) -> dict[str, tuple[float, float]]:
    """(wall, cpu) seconds per step. CPU time is reported too because this machine is
    shared: other processes stretch wall time, not the work done."""
    from elo_tui.domain import estimate as est
    from elo_tui.domain.records import EstimateLine
    from elo_tui.io import submission_files as files
    from elo_tui.services import submission as ss

    def clock() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    def since(start: tuple[float, float]) -> tuple[float, float]:
        wall, cpu = clock()
        return wall - start[0], cpu - start[1]

    t: dict[str, tuple[float, float]] = {}
    lines, products = ws.list(EstimateLine), ws.list(Product)
    start = clock()
    est.summarize(lines, products, ws.agency())
    t["estimate"] = since(start)

    begin = clock()
    source = ss.concept_source(ws, author="bench")
    t["snapshot"] = since(begin)
    for fmt in files.FORMATS:
        s = clock()
        source.export(fmt, out / f"export{files.FORMATS[fmt]}")
        t[fmt] = since(s)
    t["total"] = since(begin)

    # The usual path: export a submission frozen earlier (`submission create`), plus the
    # estimate as the costs screen computes it.
    begin = clock()
    est.summarize(lines, products, ws.agency())
    frozen = ss.source_of(ss.get_version(ws))
    for fmt in files.FORMATS:
        frozen.export(fmt, out / f"frozen{files.FORMATS[fmt]}")
    t["estimate + export frozen"] = since(begin)
    return t


def cold_cli(state: Path, name: str, out: Path) -> float:
    env = dict(os.environ, ELO_TUI_STATE_DIR=str(state), ELO_TUI_WORKSPACE=name)
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "elo_tui",
            "export",
            "--format",
            "all",
            "--concept",
            "--out",
            str(out),
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=1202)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()

    import openpyxl  # noqa: F401  - warm process: libraries loaded before timing
    import tomli_w  # noqa: F401

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "state"
        state.mkdir()
        name = f"bench{args.n}"
        ws = populate(state / f"{name}.sqlite", args.n)
        sizes = counts(ws)
        from elo_tui.services import submission as ss

        start = time.perf_counter()
        ss.create(ws, author="bench")
        create_time = time.perf_counter() - start
        out = Path(tmp) / "out"
        out.mkdir()
        runs = [run_once(ws, out) for _ in range(args.runs)]
        file_sizes = {p.suffix: p.stat().st_size for p in out.iterdir()}
        ws.close()
        cold = [cold_cli(state, name, Path(tmp) / "cli") for _ in range(3)]

    keys = list(runs[0])
    median = {k: statistics.median(r[k][0] for r in runs) for k in keys}
    worst = {k: max(r[k][0] for r in runs) for k in keys}
    cpu = {k: statistics.median(r[k][1] for r in runs) for k in keys}
    print(", ".join(f"{v} {k}" for k, v in sizes.items()))
    print(f"load average before: {load}")
    for k in keys:
        print(
            f"{k:24s} median {median[k] * 1000:7.1f} ms   max {worst[k] * 1000:7.1f} ms"
            f"   cpu {cpu[k] * 1000:7.1f} ms"
        )
    print(
        f"cold CLI  median {statistics.median(cold) * 1000:7.1f} ms "
        "(export --format all, new process)"
    )
    print(f"submission create (once): {create_time * 1000:.0f} ms")
    print("files: " + ", ".join(f"{s} {b / 1024:.0f} KiB" for s, b in sorted(file_sizes.items())))
    if args.record:
        record(args, sizes, median, worst, cpu, cold, file_sizes, load, create_time)
    return 0 if median["estimate + export frozen"] < 1.0 else 1


def record(args, sizes, median, worst, cpu, cold, file_sizes, load, create_time) -> None:
    path = HERE / "RESULTS.md"
    lines = [
        "",
        "## Raming en export",
        "",
        f"`bench/bench_export.py {args.n} --runs {args.runs}` on {date.today().isoformat()}, "
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPU, "
        f"load average before the run {load} (the machine is shared: CPU time is given too).",
        "Workspace: " + ", ".join(f"{v} {k}" for k, v in sizes.items()) + ".",
        "",
        "| step | wall median | wall max | CPU median |",
        "| --- | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {k} | {median[k] * 1000:.0f} ms | {worst[k] * 1000:.0f} ms | {cpu[k] * 1000:.0f} ms |"
        for k in median
    ]
    lines += [
        f"| cold `elo-tui export --format all --concept` (new process: imports, reading the "
        f"workspace, snapshot, all formats) | {statistics.median(cold) * 1000:.0f} ms | "
        f"{max(cold) * 1000:.0f} ms | |",
        f"| `submission create` (once: snapshot, SHA-256, store) | "
        f"{create_time * 1000:.0f} ms | | |",
        "",
        "`estimate` = costing every line + Monte Carlo (10,000 draws); `snapshot` = read the "
        "workspace, estimate, completeness, readiness, canonical JSON + SHA-256; `total` = "
        "snapshot + all four formats from the live workspace (a concept); `estimate + export "
        "frozen` = the estimate plus all four formats of a stored submission. Target "
        "(estimate and full export of 1,202 products under 1 s): frozen submission "
        f"{'met' if median['estimate + export frozen'] < 1.0 else 'NOT met'} "
        f"({median['estimate + export frozen'] * 1000:.0f} ms); straight from the live "
        f"workspace {'met' if median['total'] < 1.0 else 'NOT met'} "
        f"({median['total'] * 1000:.0f} ms wall, {cpu['total'] * 1000:.0f} ms CPU). Files: "
        + ", ".join(f"{s} {b / 1024:.0f} KiB" for s, b in sorted(file_sizes.items()))
        + ".",
        "",
    ]
    header = "" if path.exists() else "# Benchmark results\n"
    with path.open("a", encoding="utf-8") as f:
        f.write(header + "\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
