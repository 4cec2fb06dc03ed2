"""Stored submissions at scale: list the versions, verify one (deep), diff the last two,
export a frozen version in every format, freeze a new version (on a copy). Time and peak
RSS per step, each in a fresh process, old code and new alternating.

    .venv/bin/python bench/bench_submissions.py WORKSPACE.sqlite [--runs 7] --before SRC \
        [--steps list,verify,diff,frozen,create]

WORKSPACE needs two versions (bench_export.py's workspace after one more
`services.submission.create`). `--before` is the `src` of the code to compare with (e.g.
`git archive <commit> | tar -x -C /tmp/before`). Prints a Markdown table of medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
STEPS = ("list", "verify", "diff", "frozen", "create")

CHILD = r"""
import shutil, sys, time, tempfile
from pathlib import Path
from elo_tui.store import Workspace
from elo_tui.services import submission as ss
step = sys.argv[2]
path = sys.argv[1]
tmp = Path(tempfile.mkdtemp())  # removed at the end: a copy is ~270 MB, files ~300 MB
if step == "create":  # on a copy (not timed): every run freezes the same state
    path = str(tmp / "copy.sqlite")
    shutil.copy(sys.argv[1], path)
ws = Workspace.open(path, user="bench")
heads = hasattr(ss, "SubmissionHead")  # the new code reads contents from the store
t = time.perf_counter()
if step == "list":
    ss.list_submissions(ws)
elif step == "verify":
    s = ss.get_version(ws)
    assert (ss.verify(s, ws=ws) if heads else ss.verify(s))
elif step == "diff":
    ss.diff_latest(ws)
elif step == "frozen":
    s = ss.get_version(ws, 1)
    src = ss.source_of(s, ws) if heads else ss.source_of(s)
    src.export("all", tmp)
elif step == "create":
    ss.create(ws, author="bench")
dt = time.perf_counter() - t
hwm = [l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM")][0]
ws.close()
shutil.rmtree(tmp)
print(dt, int(hwm) / 1024)
"""


def run(src: Path, workspace: str, step: str) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, workspace, step],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workspace")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--steps", default=",".join(STEPS), help="e.g. frozen,create")
    args = parser.parse_args()
    steps = [s for s in args.steps.split(",") if s]
    if unknown := set(steps) - set(STEPS):
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    subjects = {"before": args.before, "now": HERE.parent / "src"}
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    print(f"load before: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    for _ in range(args.runs):
        for step in steps:
            for name, src in subjects.items():  # alternating: before, now
                results.setdefault((step, name), []).append(run(src, args.workspace, step))
    print(f"load after: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    print("| step | before: time | now: time | before: peak RSS | now: peak RSS |")
    print("|---|---:|---:|---:|---:|")
    for step in steps:
        b, n = results[step, "before"], results[step, "now"]
        t_b, t_n = statistics.median(x[0] for x in b), statistics.median(x[0] for x in n)
        m_b, m_n = statistics.median(x[1] for x in b), statistics.median(x[1] for x in n)
        print(f"| {step} | {t_b:.2f} s | {t_n:.2f} s | {m_b:.0f} MiB | {m_n:.0f} MiB |")


if __name__ == "__main__":
    main()
