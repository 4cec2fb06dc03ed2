"""The dashboard (overzicht) as first screen right after a change: no cached summary.

    .venv/bin/python bench/bench_dashboard_cold.py [--size 20000] [--runs 7] [--python PY]

Before every measured run one block status of an application is changed by another
connection (as a sync pull or a second window would), so the cached summary no longer
holds and the dashboard must compute the figures: with the per-product readiness store
(schema v8) only the products of that application, else all of them. Runs alternate with
the bare app (bare_app.py); wall time, CPU and peak RSS to a painted frame, as in
bench_startup.py (whose run_painted and content marker this uses). `--python` runs the
app, and generates its workspace, with another checkout's interpreter (to compare with
the code before the store).
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_startup import AREAS, run_painted  # noqa: E402
from subject_env import subject_environ  # noqa: E402


def change_one_status(path: Path, run: int) -> None:
    """Move one application's block status one way or the other (a different one each
    run), committed by a connection of its own."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT id, stage FROM block_status WHERE scope_kind = 'application' "
            "AND deleted = 0 ORDER BY id LIMIT 1 OFFSET ?",
            (run * 37,),
        ).fetchall()
        for sid, stage in rows:
            new = "analysis" if stage == "production" else "production"
            conn.execute("UPDATE block_status SET stage = ? WHERE id = ?", (new, sid))
        conn.commit()
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--python", default=sys.executable, help="interpreter of the app")
    args = parser.parse_args()
    py = args.python
    tmp = Path(tempfile.mkdtemp(prefix="elo-bench-cold-"))
    name = f"bench{args.size}"
    subprocess.run(
        [py, str(HERE / "generate.py"), str(args.size), str(tmp), name, "--worked"],
        check=True,
        capture_output=True,
    )
    env = subject_environ(
        TERM="xterm-256color",
        ELO_TUI_EXIT_WHEN_READY="1",
        ELO_TUI_STATE_DIR=str(tmp),
        ELO_TUI_TODAY="2026-11-22",
        ELO_TUI_START_SCREEN="dashboard",
    )
    app = [py, "-m", "elo_tui", "--workspace", name]
    bare = [sys.executable, str(HERE / "bare_app.py")]
    marker = AREAS["overzicht"][2]
    # Warm the page cache, the .pyc files and whatever the app keeps (a store, a cache).
    run_painted(bare, env)
    run_painted(app, env)
    run_painted(app, env)
    load_before = os.getloadavg()[:2]
    cold, warm, base = [], [], []
    for i in range(args.runs):
        base.append(run_painted(bare, env))
        change_one_status(tmp / f"{name}.sqlite", i)
        run = run_painted(app, env)
        if not re.search(marker, run.screen):
            raise SystemExit(f"run {i}: the dashboard's figures were not painted")
        cold.append(run)
        warm.append(run_painted(app, env))  # the same again: nothing changed since
    load_after = os.getloadavg()[:2]

    def med(runs, attr):
        return statistics.median(getattr(r, attr) for r in runs)

    print(
        f"Dashboard at {args.size} products, median of {args.runs} runs (pty 120x40, "
        f"{os.cpu_count()} CPUs); load {load_before} before, {load_after} after; app: {py}"
    )
    print(
        f"{'subject':30} {'wall (s)':>9} {'x bare':>7} {'CPU (s)':>8} {'x bare':>7} "
        f"{'RSS (MiB)':>10} {'x bare':>7}"
    )
    for label, runs in (("bare app", base), ("after a change", cold), ("unchanged", warm)):
        w, c, m = med(runs, "wall"), med(runs, "cpu"), med(runs, "rss")
        print(
            f"{label:30} {w:9.3f} {w / med(base, 'wall'):7.2f} {c:8.3f} "
            f"{c / med(base, 'cpu'):7.2f} {m / 1024:10.1f} {m / med(base, 'rss'):7.2f}"
        )


if __name__ == "__main__":
    main()
