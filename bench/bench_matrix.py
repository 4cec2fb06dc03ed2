"""The dashboard and the block matrix at 1,202 products: start-up and cell-edit response.

    .venv/bin/python bench/bench_matrix.py [--runs 7] [--products 1202]

Makes a workspace with N products (bench/generate.py), gives it realistic block statuses
(application blocks on most applications, product rights, VMS and Toelatingen) and the
checklists that follow from them, then measures in a pseudo-terminal (120x40):

- start-up until the first screen is painted, with the dashboard and with the matrix as
  first screen, side by side with the bare Textual DataTable app of bench_startup.py
  (ARCHITECTURE.md target: within 1.25x of it);
- how long the dashboard takes to show its figures after that first paint (in-process);
- keystroke response in the matrix (end to end: key written to the pty until the repaint
  has arrived): cell cursor moves, `v` (take the suggestion: saves the status and its
  checklist), and Enter + F2 (open the edit form, save it). Target: 30 ms p95.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_startup import keystroke_latencies, run_in_pty  # noqa: E402
from generate import generate  # noqa: E402
from subject_env import subject_environ  # noqa: E402

from elo_tui.domain.blocks import APPLICATION_BLOCKS, STAGES  # noqa: E402
from elo_tui.domain.codelists import IPDC_BASE  # noqa: E402
from elo_tui.domain.records import Application, BlockStatus, Product  # noqa: E402

TODAY = date(2026, 11, 22)


def add_block_statuses(path: Path, seed: int = 1202) -> dict[str, int]:
    """Statuses for most cells (Toelatingen left undecided, for the `v` key) + checklists."""
    from elo_tui.domain.records import ChecklistItem
    from elo_tui.services import checklists
    from elo_tui.store import Workspace

    rnd = random.Random(seed)
    ws = Workspace.open(path, user="bench")
    statuses = []
    targets = ["", "2026-10-31", "2026-12-15", "2027-03-31", "2027-06-15"]
    for app in ws.list(Application):
        for block in APPLICATION_BLOCKS:
            if rnd.random() < 0.15:
                continue  # undecided
            statuses.append(
                BlockStatus(
                    scope_kind="application",
                    scope_id=app.id,
                    block=block,
                    applicability="required",
                    stage=rnd.choice(STAGES),
                    target_date=rnd.choice(targets),
                )
            )
    for p in ws.list(Product):
        statuses.append(
            BlockStatus(
                scope_kind="product",
                scope_id=p.id,
                block="product_rights",
                applicability="required",
                stage=rnd.choice(STAGES),
                target_date=rnd.choice(targets),
            )
        )
        if p.ipdc_type.endswith(("FinancieleVerplichting", "FinancieelVoordeel")):
            statuses.append(
                BlockStatus(
                    scope_kind="product",
                    scope_id=p.id,
                    block="vms",
                    applicability="required",
                    stage=rnd.choice(STAGES),
                )
            )
        else:
            statuses.append(
                BlockStatus(
                    scope_kind="product",
                    scope_id=p.id,
                    block="vms",
                    applicability="not_applicable",
                    reason="Geen derden (bench)",
                )
            )
        if p.ipdc_type == f"{IPDC_BASE}Type/Toelating" and rnd.random() < 0.5:
            statuses.append(
                BlockStatus(
                    scope_kind="product",
                    scope_id=p.id,
                    block="toelatingen",
                    applicability="required",
                    stage=rnd.choice(STAGES),
                )
            )
    ws.save_many(statuses, by="bench")
    checklists.sync_all(ws, TODAY)
    counts = {
        "products": ws.count(Product),
        "applications": ws.count(Application),
        "block_statuses": ws.count(BlockStatus),
        "checklist_items": ws.count(ChecklistItem),
    }
    ws.close()
    return counts


def dashboard_ready_ms(state_dir: Path, name: str, runs: int) -> list[float]:
    """In-process: from App start until the dashboard shows its figures."""
    from elo_tui.app import EloApp
    from elo_tui.config import Settings
    from elo_tui.screens.dashboard import DashboardScreen
    from elo_tui.services.workspaces import open_named

    async def once() -> float:
        settings = Settings.resolve(str(state_dir), name)
        ws = open_named(settings, name)
        app = EloApp(settings, ws, start_mode="dashboard")
        t0 = time.perf_counter()
        async with app.run_test(size=(120, 40)) as pilot:
            while not (isinstance(app.screen, DashboardScreen) and app.screen.data is not None):
                await pilot.pause(0.001)
            elapsed = time.perf_counter() - t0
        return elapsed * 1000

    return [asyncio.run(once()) for _ in range(runs)]


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[max(int(len(values) * 0.95) - 1, 0)]


def startup(py: str, tmp: Path, name: str, n: int, runs: int, env: dict[str, str]) -> None:
    elo = [py, "-m", "elo_tui", "--workspace", name]
    subjects = {
        "bare DataTable (50 rijen)": ([py, str(HERE / "bare_app.py")], {}),
        f"dashboard, {n} producten": (elo, {"ELO_TUI_START_SCREEN": "dashboard"}),
        f"matrix, {n} producten": (elo, {"ELO_TUI_START_SCREEN": "matrix"}),
    }
    for argv, extra in subjects.values():  # warm caches and .pyc files
        run_in_pty(argv, env | extra)
    results: dict[str, list[tuple]] = {k: [] for k in subjects}
    for _ in range(runs):  # alternate, so that machine noise hits every subject
        for label, (argv, extra) in subjects.items():
            results[label].append(run_in_pty(argv, env | extra))
    # run_in_pty gives (wall s, peak RSS KiB[, CPU s]); CPU time is less noisy on a busy box.
    bare = results["bare DataTable (50 rijen)"]
    base = [statistics.median(r[i] for r in bare) for i in range(len(bare[0]))]
    print(f"\nStart-up to first paint, median of {runs} runs (pty 120x40, {os.cpu_count()} cores)")
    print(
        f"{'subject':34} {'wall (s)':>9} {'x bare':>7} {'CPU (s)':>8} {'x bare':>7} "
        f"{'peak RSS (MiB)':>15} {'x bare':>7}"
    )
    for label, rows in results.items():
        med = [statistics.median(r[i] for r in rows) for i in range(len(rows[0]))]
        cpu = f"{med[2]:8.3f} {med[2] / base[2]:7.2f}" if len(med) > 2 else f"{'-':>8} {'-':>7}"
        print(
            f"{label:34} {med[0]:9.3f} {med[0] / base[0]:7.2f} {cpu} "
            f"{med[1] / 1024:15.1f} {med[1] / base[1]:7.2f}"
        )
    ready = dashboard_ready_ms(tmp, name, max(runs // 2, 3))
    print(
        f"\ndashboard figures shown (in-process, from app start): median "
        f"{statistics.median(ready):.0f} ms, max {max(ready):.0f} ms"
    )


def keystrokes(py: str, name: str, env: dict[str, str]) -> None:
    elo = [py, "-m", "elo_tui", "--workspace", name]
    live = {k: v for k, v in env.items() if k != "ELO_TUI_EXIT_WHEN_READY"}
    live["ELO_TUI_START_SCREEN"] = "matrix"
    right, left, down, up = b"\x1b[C", b"\x1b[D", b"\x1b[B", b"\x1b[A"
    moves = [down] * 15 + [right] * 6 + [up] * 5 + [left] * 6
    # Toelatingen column, walking down: `v` takes the suggestion of each undecided cell.
    edits = [right] * 6 + [v for _ in range(20) for v in (b"v", down)]
    # Enter opens the form, F2 saves it.
    forms = [x for _ in range(8) for x in (b"\r", b"\x1bOQ", down)]
    # Each call gives (first frame, settled) latencies; see bench_startup.keystroke_latencies.
    moves_f, moves_s = keystroke_latencies(elo, live, moves)
    edits_f, edits_s = (lat[6:] for lat in keystroke_latencies(elo, live, edits))
    forms_f, forms_s = keystroke_latencies(elo, live, forms)
    bare_f, bare_s = keystroke_latencies(
        [py, str(HERE / "bare_app.py"), "--rows", "50"], live, [down] * 20
    )
    figures = {
        "bare DataTable cursor-down (reference)": (bare_f, bare_s),
        "cell cursor (arrows)": (moves_f, moves_s),
        "v: take suggestion (save + checklist)": (edits_f[0::2], edits_s[0::2]),
        "Enter: open the edit form": (forms_f[0::3], forms_s[0::3]),
        "F2: save the form, repaint matrix": (forms_f[1::3], forms_s[1::3]),
    }
    print()
    for label, pair in figures.items():
        for kind, values in zip(("first frame", "settled"), pair, strict=True):
            print(
                f"{label + ': ' + kind:52} n={len(values):3}  "
                f"median {statistics.median(values):6.1f} ms  "
                f"p95 {_p95(values):6.1f} ms  max {max(values):6.1f} ms"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--products", type=int, default=1202)
    parser.add_argument("--keys-only", action="store_true", help="skip the start-up part")
    args = parser.parse_args()
    py = sys.executable
    tmp = Path(tempfile.mkdtemp(prefix="elo-bench-matrix-"))
    name = f"bench{args.products}"
    path = tmp / f"{name}.sqlite"
    generate(path, args.products).close()
    t0 = time.perf_counter()
    counts = add_block_statuses(path)
    setup = time.perf_counter() - t0
    print(f"workspace: {counts} (block statuses + checklists made in {setup:.1f} s)")
    env = subject_environ(
        TERM="xterm-256color",
        ELO_TUI_EXIT_WHEN_READY="1",
        ELO_TUI_STATE_DIR=str(tmp),
        ELO_TUI_TODAY=TODAY.isoformat(),
    )
    if not args.keys_only:
        startup(py, tmp, name, args.products, args.runs, env)
    keystrokes(py, name, env)


if __name__ == "__main__":
    main()
