"""Start-up, peak memory and filter-keystroke latency, side by side with a bare Textual app.

    .venv/bin/python bench/bench_startup.py [--runs 7]
    .venv/bin/python bench/bench_startup.py --areas inventaris,matrix,overzicht,kosten,\
        checklist,indiening --sizes 1202,20000 [--runs 7] [--record]

With --areas: every listed area as the first screen on a worked-on workspace
(generate.py --worked), alternating with the bare app, then area switches in a live app
at the largest size; prints a ready-to-paste Markdown table (--record appends it to
RESULTS.md). Every process exits once its first complete screen has been written to the
terminal (elo_tui/frame_ready.py); a run counts as painted when its output holds the
area's content marker and at least a fifth of the bare app's bytes.

Each process runs in its own pseudo-terminal (120x40) and exits as soon as its first
screen is painted; we time the whole process (interpreter start included) and read its
peak RSS from wait4(). Runs alternate between the apps so that machine noise hits both.
The keystroke figure comes from an in-process Pilot session over 20,000 products: time
from a key press until the screen has processed it and repainted.
"""

from __future__ import annotations

import argparse
import ast
import fcntl
import os
import pty
import re
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from frame_timing import first_and_settled  # noqa: E402
from generate import generate  # noqa: E402
from subject_env import subject_environ  # noqa: E402


@dataclass
class Run:
    wall: float  # s, fork to exit
    rss: int  # peak RSS, KiB
    cpu: float  # user + sys, s
    written: int  # bytes the process wrote to the terminal
    screen: str  # what it wrote, escape sequences removed (for content checks)


# CSI, OSC, DCS/PM/APC strings and two-byte escapes
_ESCAPES = re.compile(
    rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_].*?\x1b\\|.)"
)


def screen_text(raw: bytes) -> str:
    return _ESCAPES.sub(b"", raw).decode("utf-8", "replace")


def run_painted(argv: list[str], env: dict[str, str]) -> Run:
    """One process attached to a fresh pty (120x40): wall time, peak RSS from wait4(),
    CPU time (user+sys: what the process itself spent, less sensitive than wall time to
    other load) and everything it wrote, as drained by the reader thread."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.close(master)
        os.execvpe(argv[0], argv, env)
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:
        try:
            while chunk := os.read(master, 65536):
                chunks.append(chunk)
        except OSError:
            pass

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    reader.join(timeout=5)  # the pty reports EOF/EIO once the child is gone
    os.close(master)
    raw = b"".join(chunks)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv} exited with {status}: {screen_text(raw)[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(elapsed, usage.ru_maxrss, cpu, len(raw), screen_text(raw))


def run_in_pty(argv: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """Wall time (s), peak RSS (KiB) and CPU time (s) of one process (see run_painted)."""
    run = run_painted(argv, env)
    return run.wall, run.rss, run.cpu


def keystroke_latencies(
    argv: list[str], env: dict[str, str], keys: list[bytes], quiet: float = 0.15
) -> tuple[list[float], list[float]]:
    """End-to-end latency of each key in a real terminal, two ways (ms):

    - first frame: from writing the key to the pty until the end of the first burst of
      output (bytes less than 5 ms apart): when the new content is on screen;
    - settled: until the last byte before `quiet` s of silence, which also counts
      follow-up repaints such as the scrollbar thumb Textual moves one frame later.
    """
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

    def read_until_quiet(timeout: float = 10.0) -> list[float]:
        """Arrival times of output chunks until `quiet` s pass without output."""
        stamps: list[float] = []
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([master], [], [], quiet)
            if not ready or not os.read(master, 65536):
                break
            stamps.append(time.perf_counter())
        return stamps

    try:
        read_until_quiet(timeout=30)
        first, settled = [], []
        for key in keys:
            t0 = time.perf_counter()
            os.write(master, key)
            first_ms, settled_ms = first_and_settled(t0, read_until_quiet())
            first.append(first_ms)
            settled.append(settled_ms)
        return first, settled
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(master)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="1202,20000")
    parser.add_argument(
        "--areas",
        help="every listed area as first screen, on worked-on workspaces, plus area "
        f"switches at the largest size; areas: {','.join(AREAS)}",
    )
    parser.add_argument("--switch-rounds", type=int, default=3, help="later visits per process")
    parser.add_argument("--record", action="store_true", help="append the table to RESULTS.md")
    parser.add_argument(
        "--switch-only",
        action="store_true",
        help="with --areas: only the area switches at the largest size, alternating with the "
        "bare switching app (bare_switch_app.py), no start-up runs",
    )
    parser.add_argument(
        "--workdir",
        help="with --switch-only: a directory holding bench<N>.sqlite from generate.py "
        "--worked (reused; made there when missing)",
    )
    parser.add_argument(
        "--before",
        help="with --switch-only: also run elo-tui from another checkout's src/ (the code "
        "before a change), in turn with the others: a before/after at the same load",
    )
    args = parser.parse_args()
    if args.areas and args.switch_only:
        switch_main(args)
        return
    if args.areas:
        areas_main(args)
        return
    py = sys.executable
    tmp = Path(tempfile.mkdtemp(prefix="elo-bench-"))
    sizes = [int(s) for s in args.sizes.split(",")]
    for n in sizes:
        generate(tmp / f"bench{n}.sqlite", n).close()
    env = subject_environ(
        TERM="xterm-256color",
        ELO_TUI_EXIT_WHEN_READY="1",
        ELO_TUI_START_SCREEN="inventory",
        ELO_TUI_STATE_DIR=str(tmp),
    )
    subjects = {"bare DataTable (50 rijen)": [py, str(HERE / "bare_app.py")]}
    generate(tmp / "bench0.sqlite", 0).close()
    subjects["elo-tui 0 producten"] = [py, "-m", "elo_tui", "--workspace", "bench0"]
    for n in sizes:
        subjects[f"elo-tui {n} producten"] = [py, "-m", "elo_tui", "--workspace", f"bench{n}"]
    subjects["bare DataTable (1202 rijen)"] = [py, str(HERE / "bare_app.py"), "--rows", "1202"]
    # warm the page cache and .pyc files once
    for argv in subjects.values():
        run_in_pty(argv, env)
    results: dict[str, list[tuple[float, int, float]]] = {k: [] for k in subjects}
    for _ in range(args.runs):
        for label, argv in subjects.items():
            results[label].append(run_in_pty(argv, env))
    # Time until the whole 20,000-product index is built and filtering works.
    index_env = dict(env, ELO_TUI_EXIT_WHEN_READY="index")
    label_index = f"elo-tui {max(sizes)} (index klaar)"
    results[label_index] = [
        run_in_pty(subjects[f"elo-tui {max(sizes)} producten"], index_env) for _ in range(args.runs)
    ]
    bare = results["bare DataTable (50 rijen)"]
    base_t, base_m, base_c = (statistics.median(r[i] for r in bare) for i in range(3))
    print(
        f"Start-up and peak memory, median of {args.runs} runs (pty 120x40, {os.cpu_count()} cores)"
    )
    print(
        f"{'subject':32} {'wall (s)':>9} {'x bare':>7} {'CPU (s)':>8} {'x bare':>7} "
        f"{'peak RSS (MiB)':>15} {'x bare':>7}"
    )
    for label, rows in results.items():
        t, m, c = (statistics.median(r[i] for r in rows) for i in range(3))
        print(
            f"{label:32} {t:9.3f} {t / base_t:7.2f} {c:8.3f} {c / base_c:7.2f} "
            f"{m / 1024:15.1f} {m / base_m:7.2f}"
        )
    big = max(sizes)
    live_env = {k: v for k, v in env.items() if k != "ELO_TUI_EXIT_WHEN_READY"}
    text = b"subsidie energie 1"
    typing = [b"/"] + [bytes([c]) for c in text] + [b"\x7f"] * len(text)
    typing += [bytes([c]) for c in b"heffing water"] + [b"\x7f"] * 13
    first, settled = keystroke_latencies(subjects[f"elo-tui {big} producten"], live_env, typing)
    base_first, base_settled = keystroke_latencies(
        [py, str(HERE / "bare_app.py"), "--rows", "50"], live_env, [b"\x1b[B"] * 20
    )  # cursor down in the bare DataTable
    rows = (
        (f"filter keystroke, {big} products: first frame", first[1:]),
        (f"filter keystroke, {big} products: settled", settled[1:]),
        ("bare DataTable cursor-down: first frame", base_first),
        ("bare DataTable cursor-down: settled", base_settled),
    )
    for label, values in rows:
        print(_summary(label, values))


# Area (Dutch name, as on the command line) -> app mode, its key, and text the terminal
# shows only once the area's data is painted (the content check of a run).
AREAS = {
    "inventaris": ("inventory", "2", r"Loket \d{3}"),
    "overzicht": ("dashboard", "1", r"januari 2027"),
    "matrix": ("matrix", "4", r"Loket \d{3}"),
    # the steps on top at 2026-11-22 of the worked workspace (the agenda's order) and the
    # count line under the table
    "checklist": (
        "checklist",
        "5",
        # both, in either order: a switch may paint the count line before the rows. \A:
        # unanchored, re.search tried both lookaheads from every position (quadratic,
        # ~0.3 s per failed search of a 6,000-character screen), and the switch timing
        # then measured the bench's own regex while the app waited to write.
        r"(?s)\A(?=.*(Aansluitingsformulier|Nagaan of|Testen met))(?=.*[\d.]+ van [\d.]+ stappen)",
    ),
    "kosten": ("costs", "6", r"\d+ lijnen"),
    # not "Niets ontbreekt": the empty issue table says so while the check still runs
    "indiening": ("submission", "7", r"Blokkerend"),
}
SWITCH_FROM = "sync"  # the area a switching session starts on (light, not measured)
# A run writing less than this share of the bare app's bytes is flagged. Was 0.2 (11 KiB
# of the bare app's 56, which writes several frames): since a first frame is no longer
# followed by a second layout pass and repaint (h14matrix, VirtualTable._size_updated),
# the inventory's whole first screen is one frame of 9.5 KiB (checked by eye), which
# 0.2 flagged in every run. The content marker stays the main check.
TOO_FEW_BYTES = 0.1


def switch_latencies(
    argv: list[str],
    env: dict[str, str],
    areas: list[str],
    rounds: int,
    targets: dict[str, tuple[str, str]] | None = None,
) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Area switches in a live app in a pty: from writing the area's key until the last
    byte of its painted frame (ms). The frame counts as painted once the area's content
    marker has arrived and the output has then been quiet for 80 ms (a worker's figures
    arrive later than the first frame; the marker waits for them).
    Returns the first visit per area and the later visits (`rounds` each).
    `targets` maps each area to its (key, content marker) when the app is not elo-tui
    (the bare switching app); default: AREAS."""
    if targets is None:
        targets = {a: (AREAS[a][1], AREAS[a][2]) for a in areas}
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    pid = os.fork()
    if pid == 0:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.close(master)
        os.execvpe(argv[0], argv, dict(env, ELO_TUI_START_SCREEN=SWITCH_FROM))
    os.close(slave)

    def until_painted(marker: str | None, t0: float, timeout: float = 30.0) -> float:
        raw, last, seen = b"", t0, marker is None
        deadline = t0 + timeout
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([master], [], [], 0.08 if seen else 0.5)
            if not ready:
                if seen:
                    return (last - t0) * 1000
                continue
            chunk = os.read(master, 65536)
            if not chunk:
                break
            last = time.perf_counter()
            if not seen:
                raw += chunk
                seen = re.search(marker, screen_text(raw)) is not None
        return float("nan")  # never painted: shown as such, not as fast

    try:
        until_painted(None, time.perf_counter())  # the start area
        time.sleep(1.5)  # let timers of the start area (template warm-up) pass
        os.read(master, 1 << 20) if select.select([master], [], [], 0)[0] else None
        first: dict[str, float] = {}
        later: dict[str, list[float]] = {a: [] for a in areas}
        for round_ in range(rounds + 1):
            for area in areas:
                key, marker = targets[area]
                t0 = time.perf_counter()
                os.write(master, key.encode())
                ms = until_painted(marker, t0)
                if round_ == 0:
                    first[area] = ms
                    time.sleep(1.2)  # the area's own after-paint timers (template warm-up)
                    while select.select([master], [], [], 0)[0]:
                        os.read(master, 1 << 20)
                else:
                    later[area].append(ms)
        return first, later
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(master)


def switch_main(args) -> None:
    """Area switches only: elo-tui at the largest size and the bare switching app, one
    process of each in turn (machine noise hits both), same keys, same pty, same timing."""
    areas = args.areas.split(",")
    unknown = [a for a in areas if a not in AREAS]
    if unknown:
        raise SystemExit(f"unknown area(s) {unknown}; choose from {','.join(AREAS)}")
    big = max(int(s) for s in args.sizes.split(","))
    py = sys.executable
    tmp = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="elo-bench-"))
    if not (tmp / f"bench{big}.sqlite").exists():
        subprocess.run(
            [py, str(HERE / "generate.py"), str(big), str(tmp), f"bench{big}", "--worked"],
            check=True,
            capture_output=True,
        )
    env = subject_environ(
        TERM="xterm-256color", ELO_TUI_STATE_DIR=str(tmp), ELO_TUI_TODAY="2026-11-22"
    )
    env.pop("ELO_TUI_EXIT_WHEN_READY", None)
    # The bare app's mode for each area: a1..a7 on the keys 1..7, its rows as the marker.
    bare_targets = {a: (str(i), rf"Scherm{i} rij \d") for i, a in enumerate(areas, start=1)}
    subjects = (
        ("elo", [py, "-m", "elo_tui", "--workspace", f"bench{big}"], None),
        ("bare", [py, str(HERE / "bare_switch_app.py")], bare_targets),
        ("light", [py, str(HERE / "bare_switch_app.py"), "--light"], bare_targets),
    )
    if args.before:
        subjects += (("before", [py, "-m", "elo_tui", "--workspace", f"bench{big}"], None),)
    envs = {name: env for name, _, _ in subjects}
    if args.before:
        envs["before"] = subject_environ(env, PYTHONPATH=args.before)
    results = {name: ({a: [] for a in areas}, {a: [] for a in areas}) for name, _, _ in subjects}
    load_before = _load()
    for _ in range(args.runs):
        for name, argv, targets in subjects:
            f, lt = switch_latencies(argv, envs[name], areas, args.switch_rounds, targets)
            for a in areas:
                results[name][0][a].append(f[a])
                results[name][1][a].extend(lt[a])
            print("s", end="", flush=True, file=sys.stderr)
    print(file=sys.stderr)
    print(
        f"Area switches at {_n(big)} products, {args.runs} processes each (elo-tui and the "
        f"bare switching apps in turn), later visits {args.switch_rounds}x per process; load "
        f"(1 / 5 min) {load_before} before, {_load()} after; {os.cpu_count()} CPUs."
    )
    print(
        "Later visits, median / p95 (ms). bare: DataTable, Input and Footer per screen; "
        "light: the same lines as plain Static widgets (bare_switch_app.py)."
    )
    names = [name for name, _, _ in subjects]
    print("| area | first visit median | " + " | ".join(f"{n} later" for n in names) + " |")
    print("|---|---|" + "---|" * len(names))

    def later(name: str, area: str | None) -> str:
        values = [v for a in areas if area in (None, a) for v in results[name][1][a]]
        return f"{_median(values):.0f} / {_p95(values):.0f}"

    for a in areas:
        first = f"{_median(results['elo'][0][a]):.0f}"
        if args.before:
            first += f" (before {_median(results['before'][0][a]):.0f})"
        print(f"| {a} | {first} | " + " | ".join(later(n, a) for n in names) + " |")
    print("| all areas | | " + " | ".join(later(n, None) for n in names) + " |")


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[max(int(len(values) * 0.95 + 0.5) - 1, 0)] if values else float("nan")


def _n(number: int) -> str:
    return f"{number:,}".replace(",", ".")  # Belgian thousands separator, as in the app


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} / {five:.2f}"


def areas_main(args) -> None:
    """Start-up of each area as the first screen (to a painted frame) next to the bare
    app, plus area switches; prints a Markdown table (and appends it with --record)."""
    from datetime import UTC, datetime

    areas = args.areas.split(",")
    unknown = [a for a in areas if a not in AREAS]
    if unknown:
        raise SystemExit(f"unknown area(s) {unknown}; choose from {','.join(AREAS)}")
    sizes = [int(s) for s in args.sizes.split(",")]
    py = sys.executable
    tmp = Path(tempfile.mkdtemp(prefix="elo-bench-"))
    counts = {}
    for n in sizes:
        # In a child process: each measured process is forked from this one, and a fork
        # starts with its parent's resident pages, which wait4() counts as its peak RSS.
        out = subprocess.run(
            [py, str(HERE / "generate.py"), str(n), str(tmp), f"bench{n}", "--worked"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        counts[n] = ast.literal_eval(out.splitlines()[0])
    env = subject_environ(
        TERM="xterm-256color",
        ELO_TUI_EXIT_WHEN_READY="1",
        ELO_TUI_STATE_DIR=str(tmp),
        ELO_TUI_TODAY="2026-11-22",
    )
    env.pop("ELO_TUI_START_SCREEN", None)
    bare = "bare"
    subjects: dict[tuple[str, int], tuple[list[str], dict[str, str]]] = {
        (bare, 0): ([py, str(HERE / "bare_app.py")], env)
    }
    for n in sizes:
        for area in areas:
            subjects[(area, n)] = (
                [py, "-m", "elo_tui", "--workspace", f"bench{n}"],
                dict(env, ELO_TUI_START_SCREEN=AREAS[area][0]),
            )
    load_before = _load()
    for argv, sub_env in subjects.values():  # warm the page cache and .pyc files
        run_painted(argv, sub_env)
    results: dict[tuple[str, int], list[Run]] = {k: [] for k in subjects}
    for _ in range(args.runs):
        for key, (argv, sub_env) in subjects.items():
            results[key].append(run_painted(argv, sub_env))
            print(".", end="", flush=True, file=sys.stderr)
    print(file=sys.stderr)
    load_after = _load()
    big = max(sizes)
    first: dict[str, list[float]] = {a: [] for a in areas}
    later: dict[str, list[float]] = {a: [] for a in areas}
    live_env = {k: v for k, v in env.items() if k != "ELO_TUI_EXIT_WHEN_READY"}
    for _ in range(args.runs):
        f, lt = switch_latencies(
            [py, "-m", "elo_tui", "--workspace", f"bench{big}"], live_env, areas, args.switch_rounds
        )
        for a in areas:
            first[a].append(f[a])
            later[a].extend(lt[a])
        print("s", end="", flush=True, file=sys.stderr)
    print(file=sys.stderr)
    load_end = _load()

    def med(key, attr):
        return statistics.median(getattr(r, attr) for r in results[key])

    base = {attr: med((bare, 0), attr) for attr in ("wall", "cpu", "rss", "written")}
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    c = counts[big]
    lines = [
        f"Run {stamp}: `.venv/bin/python bench/bench_startup.py --areas {','.join(areas)} "
        f"--sizes {args.sizes} --runs {args.runs}`; {os.cpu_count()} CPUs, Python "
        f"{sys.version.split()[0]}; load average (1 / 5 min) {load_before} before, "
        f"{load_after} after the start-up runs, {load_end} after the switches. Workspace "
        f"at {_n(big)}: {_n(c['block_statuses'])} block statuses, "
        f"{_n(c['checklist_items'])} checklist steps, {_n(c['estimate_lines'])} estimate lines.",
        "",
        f"Bare app (same run): wall {base['wall']:.2f} s, CPU {base['cpu']:.2f} s, peak RSS "
        f"{base['rss'] / 1024:.1f} MiB, {base['written'] / 1024:.0f} KiB written.",
        "",
        "| first screen | products | wall | x bare | CPU x bare | peak RSS | x bare "
        "| KiB written | painted |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (area, n), runs in results.items():
        if area == bare:
            continue
        wall, cpu, rss, written = (med((area, n), a) for a in ("wall", "cpu", "rss", "written"))
        marker = AREAS[area][2]
        painted = sum(
            1
            for r in runs
            if re.search(marker, r.screen) and r.written >= TOO_FEW_BYTES * base["written"]
        )
        lines.append(
            f"| {area} | {_n(n)} | {wall:.2f} s | {wall / base['wall']:.2f} | "
            f"{cpu / base['cpu']:.2f} | {rss / 1024:.1f} MiB | {rss / base['rss']:.2f} | "
            f"{written / 1024:.0f} | {painted}/{len(runs)} |"
        )
    lines += [
        "",
        f"Area switches at {_n(big)} products (key written until the area's painted frame "
        f"has arrived; {args.runs} processes, first visit once each, later visits "
        f"{args.switch_rounds}x each):",
        "",
        "| area | first visit median | first visit max | later median | later p95 |",
        "|---|---|---|---|---|",
    ]
    for a in areas:
        lines.append(
            f"| {a} | {_median(first[a]):.0f} ms | {max(first[a]):.0f} ms | "
            f"{_median(later[a]):.0f} ms | {_p95(later[a]):.0f} ms |"
        )
    table = "\n".join(lines)
    print(table)
    if args.record:
        with open(HERE / "RESULTS.md", "a", encoding="utf-8") as out:
            out.write("\n" + table + "\n")


def _summary(label: str, values: list[float]) -> str:
    values = sorted(values)
    p95 = values[max(int(len(values) * 0.95) - 1, 0)]
    return (
        f"{label:52} n={len(values):3}  median {statistics.median(values):6.1f} ms  "
        f"p95 {p95:6.1f} ms  max {values[-1]:6.1f} ms"
    )


if __name__ == "__main__":
    main()
