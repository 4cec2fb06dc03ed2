"""ELO_TUI_EXIT_WHEN_READY=1 (used by bench/): the app leaves only after the first area's
data has been written to the terminal, also when that data comes from a worker.

Run for real in a pseudo-terminal: a headless Pilot never writes frames. The earlier hook
(two call_after_refresh after the app mounted) left before anything was painted (252
bytes of set-up and tear-down codes), and before any worker's figures."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import sys
import termios
import threading

import pytest

ESCAPES = re.compile(rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|.)")


def _run_in_pty(argv: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
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
    _, status = os.waitpid(pid, 0)
    reader.join(timeout=10)
    os.close(master)
    return os.waitstatus_to_exitcode(status), b"".join(chunks)


@pytest.mark.parametrize(
    ("mode", "painted"),
    [
        # a table filled while the screen mounts
        ("inventory", "producten"),
        # figures computed in a worker after the first frame ("Bezig met berekenen…")
        ("dashboard", "ELO-conform: 1 van 24 producten"),
        ("costs", "66 nog aanname"),
    ],
)
def test_the_app_exits_after_its_data_reached_the_terminal(tmp_path, mode, painted):
    env = dict(
        os.environ,
        TERM="xterm-256color",
        ELO_TUI_EXIT_WHEN_READY="1",
        ELO_TUI_START_SCREEN=mode,
        ELO_TUI_STATE_DIR=str(tmp_path),
        ELO_TUI_TODAY="2026-11-22",
    )
    code, raw = _run_in_pty([sys.executable, "-m", "elo_tui", "--demo"], env)
    text = ESCAPES.sub(b"", raw).decode("utf-8", "replace")
    assert code == 0, text[-2000:]
    assert len(raw) > 10_000  # a whole screen, not only set-up and tear-down codes
    assert painted in text
