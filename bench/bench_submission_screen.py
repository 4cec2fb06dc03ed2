"""The submission area (Indiening) as the first screen of a workspace that holds frozen
versions, to a painted frame, side by side with the bare app and with another checkout.

    .venv/bin/python bench/bench_submission_screen.py WORKSPACE.sqlite --before SRC [--runs 7]

WORKSPACE: e.g. bench_export.py's workspace at 20,000 products after a second
`services.submission.create` (two versions of ~145 MB of JSON each). It is copied into
a state directory of its own. `--before`: the `src` of a whole checkout of the code to
compare with. Each process runs in its own pty (120x40) and exits once its first
complete screen is written (bench_startup.run_painted); prints medians of wall time and
peak RSS per subject.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_startup import AREAS, run_painted  # noqa: E402
from subject_env import subject_environ  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workspace")
    parser.add_argument("--before", required=True)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    state = Path(tempfile.mkdtemp(prefix="elo-bench-"))
    shutil.copy(args.workspace, state / "versions.sqlite")
    (state / "versions.sqlite").chmod(0o600)
    screen, _key, marker = AREAS["indiening"]
    env = subject_environ(
        TERM="xterm-256color",
        ELO_TUI_EXIT_WHEN_READY="1",
        ELO_TUI_STATE_DIR=str(state),
        ELO_TUI_START_SCREEN=screen,
    )
    py = sys.executable
    app = [py, "-m", "elo_tui", "--workspace", "versions"]
    subjects = {
        "bare": ([py, str(HERE / "bare_app.py")], env),
        "before": (app, subject_environ(env, PYTHONPATH=args.before)),
        "now": (app, env),
    }
    for argv, sub_env in subjects.values():  # warm the page cache and .pyc files
        run_painted(argv, sub_env)
    runs: dict[str, list] = {name: [] for name in subjects}
    for _ in range(args.runs):
        for name, (argv, sub_env) in subjects.items():
            run = run_painted(argv, sub_env)
            if name != "bare" and "Indiening" not in run.screen:
                raise SystemExit(f"{name}: the submission area was not painted")
            runs[name].append(run)
    shutil.rmtree(state)
    print(f"(marker of bench_startup: {marker!r}; checked: the area's title)")
    print("| subject | first frame | peak RSS | bytes written |")
    print("|---|---:|---:|---:|")
    for name, found in runs.items():
        wall = statistics.median(r.wall for r in found)
        rss = statistics.median(r.rss for r in found) / 1024
        written = statistics.median(r.written for r in found)
        print(f"| {name} | {wall:.2f} s | {rss:.0f} MiB | {written:.0f} |")


if __name__ == "__main__":
    main()
