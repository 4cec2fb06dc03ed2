"""background.give_way: a worker waits while someone is pressing keys, bounded, and is
never starved however long the keys go on. A fake clock: nothing here sleeps."""

from __future__ import annotations

import threading

import pytest

from elo_tui import background


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def in_worker(fn):
    """Run `fn` on a thread that is not the main thread (give_way never waits there)."""
    out: list = []
    thread = threading.Thread(target=lambda: out.append(fn()))
    thread.start()
    thread.join(10)
    return out[0]


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    monkeypatch.setattr(background, "_last_input", float("-inf"))
    return FakeClock()


def give_way(clock: FakeClock, **kw) -> float:
    return background.give_way(clock=clock, sleep=clock.sleep, **kw)


def test_no_input_no_wait(clock):
    assert in_worker(lambda: give_way(clock)) == 0
    assert clock.slept == []


def test_waits_until_the_input_is_quiet_long_enough(clock):
    background.note_input(clock.now - 0.05)
    waited = in_worker(lambda: give_way(clock, quiet=0.15))
    assert waited == pytest.approx(0.10)
    assert clock.now == pytest.approx(background._last_input + 0.15)


def test_one_wait_is_bounded_and_then_the_work_runs_a_while(clock):
    def keys_all_the_time() -> list[float]:
        waits = []
        for _ in range(40):  # a key right before every chunk boundary
            background.note_input(clock.now)
            waits.append(give_way(clock, quiet=0.15, max_wait=0.3, min_run=0.1))
            clock.now += 0.01  # one chunk of work
        return waits

    waits = in_worker(keys_all_the_time)
    assert max(waits) == pytest.approx(0.15)  # each key: until it is quiet_long enough...
    # ...but keys that keep coming hold the work at most max_wait at a stretch
    clock2 = FakeClock()

    def keys_while_waiting() -> float:
        real_sleep = clock2.sleep

        def sleep_and_type(seconds: float) -> None:
            real_sleep(min(seconds, 0.05))
            background.note_input(clock2.now)  # another key meanwhile

        return background.give_way(clock=clock2, sleep=sleep_and_type, max_wait=0.3)

    background.note_input(clock2.now)
    first = in_worker(keys_while_waiting)
    assert first == pytest.approx(0.3)


def test_after_a_full_wait_the_next_chunks_do_not_wait(clock):
    def run() -> list[float]:
        def sleep_and_type(seconds: float) -> None:
            clock.sleep(min(seconds, 0.05))
            background.note_input(clock.now)

        waits = []
        for _ in range(8):
            background.note_input(clock.now)
            waits.append(
                background.give_way(
                    clock=clock, sleep=sleep_and_type, quiet=0.15, max_wait=0.3, min_run=0.1
                )
            )
            clock.now += 0.04
        return waits

    waits = in_worker(run)
    # wait 0.3, then 0.1 s of work (3 chunks of 0.04: two free, the third past run_until)
    assert waits[:4] == [pytest.approx(0.3), 0.0, 0.0, pytest.approx(0.3)]
    worked = 0.04 * len(waits)
    assert worked / (worked + sum(waits)) >= 0.1  # never starved


def test_never_waits_on_the_main_thread(clock):
    background.note_input(clock.now)
    assert give_way(clock) == 0
    assert clock.slept == []
