"""Start-up, peak memory and filter-keystroke latency, side by side with a bare Textual app.

    .venv/bin/python bench/bench_startup.py [--runs 7]

Each process runs in its own pseudo-terminal (120x40) and exits as soon as its first
screen is painted; we time the whole process (interpreter start included) and read its
peak RSS from wait4(). Runs alternate between the apps so that machine noise hits both.
The keystroke figure comes from an in-process Pilot session over 20,000 products: time
from a key press until the screen has processed it and repainted.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import statistics
import struct
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402


def run_in_pty(argv: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """Wall time (s), peak RSS (KiB) and CPU time (user+sys, s) of one process attached
    to a fresh pty. CPU time is what the process itself spent: less sensitive than wall
    time to other load on the machine."""
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

    def drain() -> None:
        try:
            while os.read(master, 65536):
                pass
        except OSError:
            pass

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    os.close(master)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv} exited with {status}")
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


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
            stamps = read_until_quiet() or [t0]
            end_of_first = stamps[0]
            for t in stamps[1:]:
                if t - end_of_first > 0.005:
                    break
                end_of_first = t
            first.append((end_of_first - t0) * 1000)
            settled.append((stamps[-1] - t0) * 1000)
        return first, settled
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(master)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default="1202,20000")
    args = parser.parse_args()
    py = sys.executable
    tmp = Path(tempfile.mkdtemp(prefix="elo-bench-"))
    sizes = [int(s) for s in args.sizes.split(",")]
    for n in sizes:
        generate(tmp / f"bench{n}.sqlite", n).close()
    env = dict(
        os.environ,
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


def _summary(label: str, values: list[float]) -> str:
    values = sorted(values)
    p95 = values[max(int(len(values) * 0.95) - 1, 0)]
    return (
        f"{label:52} n={len(values):3}  median {statistics.median(values):6.1f} ms  "
        f"p95 {p95:6.1f} ms  max {values[-1]:6.1f} ms"
    )


if __name__ == "__main__":
    main()
