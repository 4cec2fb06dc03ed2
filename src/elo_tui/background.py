"""Long background work that gives way to the person at the keyboard.

A worker thread shares the interpreter with the interface: while the completeness check
(~2 s at 20,000 products) ran, every area switch waited for it at each handover, and a
key could wait 60-80 ms before it was even handled (measured: bench/bench_startup.py
--switch-only with worker start/stop times logged; every later visit over 40 ms fell
inside that check). The app tells this module about every key and mouse event
(`note_input`); a long worker calls its `GiveWay()` at its chunk boundaries and sleeps while
someone pressed a key less than QUIET s ago, so the switch or keystroke runs alone.

A key costs the work at most QUIET s, and the work is never starved: over its whole
run it waits at most GRACE s plus (1 - SHARE) / SHARE times the time it worked, so
someone who keeps pressing keys without a pause still leaves it a SHARE of the time
(the ~2 s check then takes up to ~20 s; it says it is being checked meanwhile).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable

QUIET = 0.15  # s after a key during which background work waits (a switch paints in ~10 ms)
SHARE = 0.1  # the least share of the time the work gets under non-stop input
GRACE = 1.0  # s the work may wait before SHARE applies (a burst of switches)
STALE = 2.0  # s without a call after which a GiveWay no longer counts as working
EPSILON = 1e-6  # s: closer than this counts as reached (no sleeps of a rounding error)

_last_input = float("-inf")  # time.monotonic() of the last key or mouse event
# The GiveWay of every piece of work still running (it goes with the work's frames).
_running: weakref.WeakSet[GiveWay] = weakref.WeakSet()


def note_input(now: float | None = None) -> None:
    """A key or mouse event has arrived (called by the app on its own thread)."""
    global _last_input
    _last_input = time.monotonic() if now is None else now


class GiveWay:
    """The pause of one piece of long work in a worker thread: call it between two
    chunks. It waits while the last input is less than `quiet` s old, within the
    work's allowance (see the module docstring). Returns the seconds it waited. On the
    main thread it never waits (that thread is the interface)."""

    def __init__(
        self,
        *,
        quiet: float = QUIET,
        share: float = SHARE,
        grace: float = GRACE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.quiet, self.share, self.grace = quiet, share, grace
        self.clock, self.sleep = clock, sleep
        self.started = clock()
        self.waited = 0.0
        self.last_call = self.started
        _running.add(self)

    def __call__(self) -> float:
        if threading.current_thread() is threading.main_thread():
            return 0.0
        start = now = self.clock()
        worked = now - self.started - self.waited
        allowance = self.grace + worked * (1 - self.share) / self.share - self.waited
        deadline = start + allowance
        while True:
            until = min(_last_input + self.quiet, deadline)
            if until - now <= EPSILON:
                break
            self.sleep(until - now)
            now = self.clock()
        self.waited += now - start
        self.last_call = now
        return now - start


def working(now: float | None = None) -> bool:
    """Some paced work is still running (its GiveWay called less than STALE s ago): the
    app's collection in a quiet moment waits for it (a full pass then also visited the
    work's half-built records, 75 ms at 20,000 products; once the work is done they are
    freed and the pass is shorter). STALE: a GiveWay kept by an error's traceback does
    not hold collections off for good."""
    now = time.monotonic() if now is None else now
    return any(now - g.last_call < STALE for g in list(_running))


def wait_while_working(
    limit: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
    step: float = 0.05,
) -> bool:
    """In a worker: wait (at most `limit` s) until no paced work runs. Work that is only
    a head start (the app's read-ahead) goes after the work the screen is waiting for,
    so the two do not hold their memory at the same time. True when none runs now."""
    deadline = clock() + limit
    while working(clock()):
        if clock() >= deadline:
            return False
        sleep(step)
    return True
