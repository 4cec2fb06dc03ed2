"""The dashboard as first screen until its worker is done: peak RSS and time until the
roadmap lines (computed after the figures, in the background) are painted.

    .venv/bin/python bench/bench_dashboard_settled.py [--size 20000] [--runs 5] [--python PY]
        [--before SRC]

bench_startup.py and bench_dashboard_cold.py stop at the first painted frame, while the
dashboard's worker is still reading for the roadmap lines: the memory that worker takes
(what the user pays for right after start) is not in their figures. Here the app runs
until "Open knelpunten" (a roadmap line) is on the terminal, then is killed; peak RSS
from wait4(). The bare app (bare_app.py, to its painted frame) runs alternately, as in
the other benches. `--python` runs the app with another checkout's interpreter.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_startup import run_painted, screen_text  # noqa: E402
from subject_env import subject_environ  # noqa: E402

MARKER = b"Open knelpunten"


def run_until_marker(argv: list[str], env: dict[str, str], timeout: float = 120.0):
    """(seconds until MARKER is on the terminal, peak RSS KiB, CPU s) of one process."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.close(master)
        os.execvpe(argv[0], argv, env)
    os.close(slave)
    raw = b""
    found = None
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                chunk = os.read(master, 65536)
                if not chunk:
                    break
                raw += chunk
                if MARKER in screen_text(raw).encode():
                    found = time.perf_counter() - start
                    break
    finally:
        os.kill(pid, 9)
        _, _, usage = os.wait4(pid, 0)
        os.close(master)
    if found is None:
        raise SystemExit(f"no roadmap lines within {timeout} s: {screen_text(raw)[-500:]}")
    return found, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", default=sys.executable, help="interpreter of the app")
    parser.add_argument(
        "--before",
        metavar="SRC",
        help="also run another checkout's src/ (PYTHONPATH), alternating with this one on "
        "the same workspace: a before/after at the same machine load",
    )
    args = parser.parse_args()
    py = args.python
    tmp = Path(tempfile.mkdtemp(prefix="elo-bench-settled-"))
    name = f"bench{args.size}"
    subprocess.run(
        [py, str(HERE / "generate.py"), str(args.size), str(tmp), name, "--worked"],
        check=True,
        capture_output=True,
    )
    env = subject_environ(
        TERM="xterm-256color",
        ELO_TUI_STATE_DIR=str(tmp),
        ELO_TUI_TODAY="2026-11-22",
        ELO_TUI_START_SCREEN="dashboard",
    )
    bare_env = dict(env, ELO_TUI_EXIT_WHEN_READY="1")
    app = [py, "-m", "elo_tui", "--workspace", name]
    bare = [sys.executable, str(HERE / "bare_app.py")]
    codes = {"now": env}
    if args.before:
        codes = {"before": subject_environ(env, PYTHONPATH=args.before), **codes}
    run_painted(bare, bare_env)
    for code_env in codes.values():
        run_until_marker(app, code_env)  # warm: the workspace upgraded, files cached
    load_before = os.getloadavg()[:2]
    base: list = []
    runs: dict[str, list] = {code: [] for code in codes}
    for _ in range(args.runs):
        base.append(run_painted(bare, bare_env))
        for code, code_env in codes.items():
            runs[code].append(run_until_marker(app, code_env))
    load_after = os.getloadavg()[:2]
    bare_rss = statistics.median(r.rss for r in base)
    print(
        f"Dashboard at {args.size} products until the roadmap lines are painted, median of "
        f"{args.runs} runs; load {load_before} before, {load_after} after; app: {py}"
        + (f"; before: {args.before}" if args.before else "")
    )
    for code, found in runs.items():
        secs = statistics.median(r[0] for r in found)
        rss = statistics.median(r[1] for r in found)
        cpu = statistics.median(r[2] for r in found)
        print(
            f"{code}: roadmap painted {secs:.2f} s, CPU {cpu:.2f} s, peak RSS "
            f"{rss / 1024:.1f} MiB = {rss / bare_rss:.2f} x bare ({bare_rss / 1024:.1f} MiB)"
        )


if __name__ == "__main__":
    main()
