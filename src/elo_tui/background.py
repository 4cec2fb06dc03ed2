"""Long background work that gives way to the person at the keyboard.

A worker thread shares the interpreter with the interface: while the completeness check
(~2 s at 20,000 products) ran, every area switch waited for it at each handover, and a
key could wait 60-80 ms before it was even handled (measured: bench/bench_startup.py
--switch-only with worker start/stop times logged; every later visit over 40 ms fell
inside that check). The app tells this module about every key and mouse event
(`note_input`); long workers call `give_way()` at their chunk boundaries and sleep while
someone pressed a key less than QUIET s ago, so the switch or keystroke runs alone.

Bounded, never starved: one call waits at most MAX_WAIT s, and after a wait that long
the next MIN_RUN s of work do not wait at all. Someone who keeps pressing keys without
a pause still leaves the work at least MIN_RUN / (MIN_RUN + MAX_WAIT) of the time
(the 2 s check then takes up to ~8 s); one key costs the work at most QUIET s.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

QUIET = 0.15  # s after a key during which background work waits (a switch paints in ~10 ms)
MAX_WAIT = 0.3  # s, the longest one give_way() waits
MIN_RUN = 0.1  # s of work without waiting after a wait of MAX_WAIT
EPSILON = 1e-6  # s: closer than this counts as reached (no sleeps of a rounding error)

_last_input = float("-inf")  # time.monotonic() of the last key or mouse event
_worker = threading.local()  # per worker thread: `run_until`, see give_way


def note_input(now: float | None = None) -> None:
    """A key or mouse event has arrived (called by the app on its own thread)."""
    global _last_input
    _last_input = time.monotonic() if now is None else now


def give_way(
    *,
    quiet: float = QUIET,
    max_wait: float = MAX_WAIT,
    min_run: float = MIN_RUN,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], object] = time.sleep,
) -> float:
    """In a worker thread, between two chunks of work: wait while the last input is less
    than `quiet` s old, at most `max_wait` s; after waiting that long, do not wait again
    for `min_run` s. Returns the seconds waited. On the main thread it never waits (that
    thread is the interface)."""
    if threading.current_thread() is threading.main_thread():
        return 0.0
    start = now = clock()
    if now < getattr(_worker, "run_until", float("-inf")):
        return 0.0
    while True:
        if _last_input + quiet - now <= EPSILON:
            return now - start
        if start + max_wait - now <= EPSILON:  # waited all it may: work a while now
            _worker.run_until = now + min_run
            return now - start
        sleep(min(_last_input + quiet, start + max_wait) - now)
        now = clock()
