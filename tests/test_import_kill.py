"""A first import killed at any moment leaves no workspace or a complete one.

Real SIGKILLs of `elo-tui import` subprocesses: half at random moments, half just as the
workspace file (or its temporary file) appears, where creation is under way. Bounded.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from elo_tui.domain.records import Product
from elo_tui.store import Workspace, workspace_exists

CSV = (
    "Productnaam;IPDC-nummer;Type;Aanvraagtoepassing;Jaarvolume\r\n"
    "Groeisubsidie;12345;Subsidie;Subsidieloket;45.000\r\n"
    "Vergunning uitzonderlijk vervoer;;Vergunning;Vergunningenloket;26.000\r\n"
)
TRIALS = 8


def _start_import(csv, state):
    return subprocess.Popen(
        [sys.executable, "-m", "elo_tui", "import", str(csv), "--state-dir", str(state)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for_creation(state, proc, limit=20.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        if state.is_dir() and any(
            p.name.endswith(".sqlite") or ".creating-" in p.name for p in state.iterdir()
        ):
            return
        time.sleep(0.001)


def test_killed_first_imports_leave_nothing_or_a_complete_workspace(tmp_path):
    rng = random.Random(20261201)
    csv = tmp_path / "producten.csv"
    csv.write_bytes(CSV.encode("cp1252"))
    outcomes = {"nothing": 0, "complete": 0}
    for trial in range(TRIALS):
        state = tmp_path / f"state{trial}"
        proc = _start_import(csv, state)
        if trial % 2:
            _wait_for_creation(state, proc)
            time.sleep(rng.uniform(0, 0.03))
        else:
            time.sleep(rng.uniform(0.1, 1.5))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        path = state / "werkruimte.sqlite"
        if not workspace_exists(path):
            outcomes["nothing"] += 1
            continue
        with Workspace.open(path) as ws:
            assert ws.integrity_check() == "ok"
            assert ws.agency() is not None, f"trial {trial}: a workspace without its agency"
            assert ws.count(Product) in (0, 2)
        outcomes["complete"] += 1
    assert sum(outcomes.values()) == TRIALS
    # Whatever a kill left, running the import again completes the job.
    state = tmp_path / "state1"
    assert (
        subprocess.run(
            [sys.executable, "-m", "elo_tui", "import", str(csv), "--state-dir", str(state)],
            capture_output=True,
            timeout=60,
        ).returncode
        == 0
    )
    with Workspace.open(state / "werkruimte.sqlite") as ws:
        assert ws.agency() is not None and ws.count(Product) == 2
    assert not list(state.glob(".*creating*"))
