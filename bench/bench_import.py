"""Bulk import at scale: `elo-tui import` of a product list (CSV) and of IPDC (JSON-LD).

    .venv/bin/python bench/bench_import.py [--sizes 1202,20000] [--runs 7] [--before SRC]

Per size, three subjects, each a real `elo-tui import` process timed from fork to exit
(wall, user + sys CPU and peak RSS from wait4()):
- csv: a first import of N rows into a fresh state directory (makes the workspace);
- ipdc: a first import of N IPDC concepts (an `@graph` document) into a fresh one;
- ipdc again: a re-import of the same concepts into the workspace the ipdc run made, with
  one name in ten changed by IPDC and one concept in a hundred archived (the three-way
  path: every product is matched, compared and most are left as they are).
Runs alternate between the subjects so that machine noise hits each alike. The figures
are medians of the runs (p95 in brackets) and the cost per 1,000 products, so the line
for the largest size says whether the import stays linear.

`--before SRC` runs the same subjects a second time with another `src/` tree first on
PYTHONPATH (e.g. a `git worktree` of an older commit), alternating with main: the way to
see what a change (a trigger, an index) costs bulk writes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from subject_env import subject_environ  # noqa: E402

TYPES = ("Toelating", "Subsidie", "InfoTraject", "FinancieelVoordeel", "Advies")
THEMES = ("MilieuEnergie", "EconomieWerk", "BouwenWonen", "MobiliteitOpenbareWerken")


@dataclass
class Run:
    wall: float  # s
    cpu: float  # s, user + sys
    rss: int  # KiB


def csv_text(n: int) -> str:
    lines = ["Productnaam;IPDC-nummer;Type;Aanvraagtoepassing;Jaarvolume"]
    for i in range(n):
        lines.append(f"Product {i};{100000 + i};Subsidie;Loket {i % 60};{1000 + i}")
    return "\r\n".join(lines) + "\r\n"


def ipdc_document(n: int, *, changed: bool = False) -> dict:
    """N concepts as IPDC publishes them; `changed`: one name in ten differs and one
    concept in a hundred is archived, as a later download of the same catalogue."""
    graph = []
    for i in range(n):
        name = f"Product {i}"
        if changed and i % 10 == 3:
            name += " (nieuwe naam)"
        graph.append(
            {
                "@id": f"https://ipdc.vlaanderen.be/id/concept/bench-{i:06d}",
                "@type": "Concept",
                "productnummer": str(200000 + i),
                "naam": {"nl": name},
                "beschrijving": {"nl": f"<p>Beschrijving van product {i}.</p>"},
                "type": TYPES[i % len(TYPES)],
                "themas": [THEMES[i % len(THEMES)]],
                "doelgroepen": ["Onderneming"],
                "bevoegdBestuursniveaus": ["Vlaams"],
                "uitvoerendBestuursniveaus": ["Vlaams"],
                "gearchiveerd": bool(changed and i % 100 == 7),
            }
        )
    return {
        "@context": "https://productencatalogus.data.vlaanderen.be/doc/implementatiemodel/"
        "ipdc-lpdc/erkendestandaard/2023-12-01/context/ipdc-lpdc-implementation-model.jsonld",
        "@graph": graph,
    }


def run_import(file: Path, state: Path, env: dict[str, str]) -> Run:
    cmd = [sys.executable, "-m", "elo_tui", "import", str(file), "--state-dir", str(state)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"import failed ({' '.join(cmd)}):\n{out.decode(errors='replace')}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def fmt(values: list[float], unit: str, scale: float = 1.0) -> str:
    med = statistics.median(values) * scale
    p95 = sorted(values)[max(0, round(0.95 * len(values)) - 1)] * scale
    return f"{med:.2f} {unit} ({p95:.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1202,20000")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--before", help="another src/ tree to compare with (PYTHONPATH)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    base = {k: v for k, v in os.environ.items() if not k.startswith("ELO_TUI_")}
    base["ELO_TUI_USER"] = "bench"
    codes = {"main": subject_environ(base)}
    if args.before:
        codes["before"] = subject_environ(base, PYTHONPATH=str(Path(args.before).resolve()))

    tmp = Path(tempfile.mkdtemp(prefix="elo-bench-import-"))
    results: dict[tuple[str, int, str], list[Run]] = {}
    try:
        files = {}
        for n in sizes:
            (tmp / f"p{n}.csv").write_text(csv_text(n), encoding="utf-8")
            (tmp / f"c{n}.jsonld").write_text(json.dumps(ipdc_document(n)), encoding="utf-8")
            changed = ipdc_document(n, changed=True)
            (tmp / f"c{n}b.jsonld").write_text(json.dumps(changed), encoding="utf-8")
            files[n] = (tmp / f"p{n}.csv", tmp / f"c{n}.jsonld", tmp / f"c{n}b.jsonld")
        for i in range(args.runs):
            for n in sizes:
                for code, env in codes.items():
                    csv, first, again = files[n]
                    s = tmp / f"s-{code}-{n}-{i}"
                    results.setdefault((code, n, "csv"), []).append(run_import(csv, s / "csv", env))
                    results.setdefault((code, n, "ipdc"), []).append(
                        run_import(first, s / "ipdc", env)
                    )
                    results.setdefault((code, n, "ipdc again"), []).append(
                        run_import(again, s / "ipdc", env)
                    )
                    shutil.rmtree(s)
            print(f"run {i + 1}/{args.runs} done", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    load = os.getloadavg()
    print(
        f"`.venv/bin/python bench/bench_import.py --sizes {args.sizes} --runs {args.runs}"
        f"{' --before ' + args.before if args.before else ''}`; load average after "
        f"{load[0]:.2f} / {load[1]:.2f}; medians of {args.runs} runs (p95).\n"
    )
    print("| code | products | subject | wall | CPU | peak RSS | wall per 1.000 products |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for (code, n, subject), runs in results.items():
        walls = [r.wall for r in runs]
        print(
            f"| {code} | {n:,} | {subject} | {fmt(walls, 's')} | "
            f"{fmt([r.cpu for r in runs], 's')} | "
            f"{statistics.median(r.rss for r in runs) / 1024:.0f} MiB | "
            f"{statistics.median(walls) * 1000 / n:.2f} s |".replace(",", ".")
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
