"""A process killed at any moment loses no confirmed edit and leaves a sound file."""

import os
import signal
import subprocess
import sys
import textwrap

from elo_tui.domain.records import Product
from elo_tui.store import Workspace

WRITER = textwrap.dedent(
    """
    import sys
    from elo_tui.domain.records import Product
    from elo_tui.store import Workspace
    ws = Workspace.open(sys.argv[1], create=True, user="kill-test")
    n = 0
    while True:
        p = Product(name=f"product {n}", yearly_volume=n)
        ws.save(p)                       # returns only after COMMIT
        print(p.id, flush=True)          # the edit is confirmed to the 'user'
        n += 1
        if sys.argv[2] == "one":
            import time
            time.sleep(60)
    """
)


def _run_and_kill(path, mode, confirmed_wanted):
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), mode], stdout=subprocess.PIPE, text=True
    )
    confirmed = []
    try:
        while len(confirmed) < confirmed_wanted:
            line = proc.stdout.readline()
            assert line, "writer stopped early"
            confirmed.append(line.strip())
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    return confirmed


def test_sigkill_right_after_a_confirmed_edit_loses_nothing(tmp_path):
    path = tmp_path / "w.sqlite"
    confirmed = _run_and_kill(path, "one", 1)
    ws = Workspace.open(path)
    assert ws.integrity_check() == "ok"
    assert ws.get(Product, confirmed[0]) is not None


def test_sigkill_in_the_middle_of_a_stream_of_edits_keeps_every_confirmed_one(tmp_path):
    path = tmp_path / "w.sqlite"
    confirmed = _run_and_kill(path, "many", 200)
    ws = Workspace.open(path)
    assert ws.integrity_check() == "ok"
    stored = {p.id for p in ws.list(Product)}
    assert set(confirmed) <= stored
