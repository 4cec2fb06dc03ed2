"""Keystrokes at 20,000 products, end to end in a real terminal, next to a bare Textual app.

    .venv/bin/python bench/bench_keys.py [--products 20000] [--runs 7]

Makes a workspace with N products (bench/generate.py) and the block statuses and
checklists of bench_matrix.py, then per run starts each subject in its own pty (120x40),
waits until it is ready (the inventory's full index, the matrix's ELO-conform count) and
types a fixed sequence. Subjects alternate within each run, so machine noise hits all.

  bare      - bench/bare_app.py (a DataTable with 50 rows): cursor-down x 20 (reference)
  filter    - inventory: type and erase "subsidie energie 1" and "heffing water" (62 keys)
  move      - matrix: cell cursor over arrows (32 keys)
  v         - matrix: `v` (take the suggestion: save + checklist) on 20 undecided cells
  form      - matrix: Enter (open the edit form) and F2 (save it, repaint) on 8 cells

Per key: *first frame* = key written until the end of the first burst of output (bytes
less than 5 ms apart: the change is on screen); *settled* = until the last byte before
150 ms of silence (follow-up frames such as the scrollbar thumb included). Prints a
ready-to-paste Markdown table: for each figure the median over the runs of the run's
median and of the run's p95, and the p95 over all keys of all runs.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import shutil
import statistics
import struct
import sys
import tempfile
import termios
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_matrix import TODAY, add_block_statuses  # noqa: E402
from frame_timing import first_and_settled  # noqa: E402
from generate import generate  # noqa: E402
from subject_env import subject_environ  # noqa: E402

UP, DOWN, RIGHT, LEFT = b"\x1b[A", b"\x1b[B", b"\x1b[C", b"\x1b[D"
F2 = b"\x1bOQ"


def keys_in_pty(
    argv: list[str], env: dict[str, str], keys: list[bytes], ready: bytes, quiet: float = 0.15
) -> tuple[list[float], list[float]]:
    """(first frame, settled) latency in ms of each key, once `ready` has been shown and
    the screen has been quiet for a second."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    pid = os.fork()
    if pid == 0:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.close(master)
        os.execvpe(argv[0], argv, env)
    os.close(slave)

    def read_until_quiet(gap: float, timeout: float = 10.0) -> list[float]:
        stamps: list[float] = []
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            r, _, _ = select.select([master], [], [], gap)
            if not r or not os.read(master, 65536):
                break
            stamps.append(time.perf_counter())
        return stamps

    try:
        seen = b""
        deadline = time.perf_counter() + 180
        while ready not in seen:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{argv} never showed {ready!r}")
            r, _, _ = select.select([master], [], [], 1.0)
            if r:
                seen = seen[-4096:] + os.read(master, 65536)
        read_until_quiet(1.0, timeout=60)  # work after the first paint (counts, timers)
        first, settled = [], []
        for key in keys:
            t0 = time.perf_counter()
            os.write(master, key)
            first_ms, settled_ms = first_and_settled(t0, read_until_quiet(quiet))
            first.append(first_ms)
            settled.append(settled_ms)
        return first, settled
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(master)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(int(len(ordered) * 0.95) - 1, 0)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--before",
        metavar="SRC",
        help="also run elo-tui from another checkout's src/ (the code before a change), "
        "alternating with this one: a before/after at the same machine load",
    )
    parser.add_argument(
        "--warm-store",
        action="store_true",
        help="bring the readiness store up to date before the runs (as after a dashboard "
        "visit); without it every product is stale, as in a new workspace",
    )
    args = parser.parse_args()
    py = sys.executable
    tmp = Path(tempfile.mkdtemp(prefix="elo-bench-keys-"))
    name = f"bench{args.products}"
    workspace = tmp / f"{name}.sqlite"
    generate(workspace, args.products).close()
    add_block_statuses(workspace)
    if args.warm_store:
        from elo_tui.services import readiness_store
        from elo_tui.store import Workspace

        with Workspace.open(workspace) as ws:
            readiness_store.refresh(ws, TODAY)
    pristine = tmp / "pristine.sqlite"
    shutil.copyfile(workspace, pristine)
    env = subject_environ(
        TERM="xterm-256color",
        ELO_TUI_STATE_DIR=str(tmp),
        ELO_TUI_TODAY=TODAY.isoformat(),
    )
    env.pop("ELO_TUI_EXIT_WHEN_READY", None)
    elo = [py, "-m", "elo_tui", "--workspace", name]
    inventory = dict(env, ELO_TUI_START_SCREEN="inventory")
    matrix = dict(env, ELO_TUI_START_SCREEN="matrix")
    typing = [b"/"] + [bytes([c]) for c in b"subsidie energie 1"] + [b"\x7f"] * 18
    typing += [bytes([c]) for c in b"heffing water"] + [b"\x7f"] * 13
    moves = [DOWN] * 15 + [RIGHT] * 6 + [UP] * 5 + [LEFT] * 6
    # Toelatingen column (the 5th block part; left undecided by add_block_statuses for
    # most products), one product row down: `v` saves there.
    edits = [DOWN] + [RIGHT] * 4 + [k for _ in range(20) for k in (b"v", DOWN)]
    forms = [DOWN] + [k for _ in range(8) for k in (b"\r", F2, DOWN)]
    conform = b"ELO-conform (zelf"
    subjects = {
        # label: (argv, env, keys, ready marker, which keys count)
        "bare DataTable cursor-down (reference)": (
            [py, str(HERE / "bare_app.py"), "--rows", "50"],
            env,
            [DOWN] * 20,
            b"Product 0",
            slice(None),
        ),
        "filter keystroke (inventory)": (
            elo,
            inventory,
            typing,
            # the count line, in Belgian format (20.000 producten)
            f"{args.products:,} producten".replace(",", ".").encode(),
            slice(1, None),
        ),
        "matrix cell cursor (arrows)": (elo, matrix, moves, conform, slice(None)),
        "matrix v (take suggestion: save + checklist)": (
            elo,
            matrix,
            edits,
            conform,
            slice(5, None, 2),
        ),
        "matrix Enter (open the edit form)": (elo, matrix, forms, conform, slice(1, None, 3)),
        "matrix F2 (save the form, repaint)": (elo, matrix, forms, conform, slice(2, None, 3)),
    }
    if args.before:
        for label, (argv, e, keys, ready, part) in list(subjects.items()):
            if argv is elo:
                subjects[f"{label}, before"] = (
                    argv,
                    dict(e, PYTHONPATH=args.before),
                    keys,
                    ready,
                    part,
                )
    load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    try:
        runs = measure(args.runs, subjects, workspace, pristine)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report(args, runs, load_before)


def measure(n_runs: int, subjects: dict, workspace: Path, pristine: Path) -> dict:
    runs: dict[str, list[tuple[list[float], list[float]]]] = {k: [] for k in subjects}
    cache: dict[tuple, tuple[list[float], list[float]]] = {}
    for r in range(n_runs):
        cache.clear()
        for label, (argv, e, keys, ready, part) in subjects.items():
            key = (tuple(argv), tuple(keys), e.get("ELO_TUI_START_SCREEN"), e.get("PYTHONPATH"))
            if key not in cache:  # Enter and F2 come from the same session
                # Every session starts from the same workspace (`v` and F2 save: a second
                # `v` on a decided cell would measure a warning instead of an edit).
                shutil.copyfile(pristine, workspace)
                for suffix in ("-wal", "-shm"):
                    Path(f"{workspace}{suffix}").unlink(missing_ok=True)
                cache[key] = keys_in_pty(argv, e, keys, ready)
            first, settled = cache[key]
            runs[label].append((first[part], settled[part]))
        print(f"run {r + 1}/{n_runs} done", file=sys.stderr)
    return runs


def report(args: argparse.Namespace, runs: dict, load_before: str) -> None:
    load_after = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"`.venv/bin/python bench/bench_keys.py --products {args.products} --runs {args.runs}"
        + (f" --before {args.before}" if args.before else "")
        + (" --warm-store" if args.warm_store else "")
        + "` "
        f"on {date.today().isoformat()}, {os.cpu_count()} CPU, pty 120x40; load average "
        f"before {load_before}, after {load_after}. Per figure: median over the runs of each "
        "run's median and p95, and the p95 of all keys of all runs (ms)."
    )
    print()
    print(
        "| keystroke | keys/run | first frame median | first frame p95 | first frame p95 "
        "(all) | settled median | settled p95 | settled p95 (all) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, rows in runs.items():
        cells = [str(len(rows[0][0]))]
        for i in (0, 1):
            cells += [
                f"{statistics.median(statistics.median(r[i]) for r in rows):.1f}",
                f"{statistics.median(p95(r[i]) for r in rows):.1f}",
                f"{p95([v for r in rows for v in r[i]]):.1f}",
            ]
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
