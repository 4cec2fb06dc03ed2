"""background.GiveWay: a worker waits while someone is pressing keys, and is never
starved however long the keys go on. A fake clock: nothing here sleeps."""

from __future__ import annotations

import threading
import weakref

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
    """Run `fn` on a thread that is not the main thread (GiveWay never waits there)."""
    out: list = []
    thread = threading.Thread(target=lambda: out.append(fn()))
    thread.start()
    thread.join(10)
    return out[0]


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    monkeypatch.setattr(background, "_last_input", float("-inf"))
    monkeypatch.setattr(background, "_running", weakref.WeakSet())  # none of other tests'
    return FakeClock()


def pacer(clock: FakeClock, sleep=None, **kw) -> background.GiveWay:
    return background.GiveWay(clock=clock, sleep=sleep or clock.sleep, **kw)


def test_no_input_no_wait(clock):
    give_way = pacer(clock)
    assert in_worker(give_way) == 0
    assert clock.slept == []


def test_waits_until_the_input_is_quiet_long_enough(clock):
    give_way = pacer(clock, quiet=0.15)
    background.note_input(clock.now - 0.05)
    assert in_worker(give_way) == pytest.approx(0.10)
    assert clock.now == pytest.approx(background._last_input + 0.15)


def test_keys_that_keep_coming_hold_the_work_only_within_its_allowance(clock):
    """A key every 20 ms without end: the work waits out its grace, then gets its share
    of the time: never starved."""

    def sleep_and_type(seconds: float) -> None:
        if sum(clock.slept) > 100:
            raise AssertionError("starved: still waiting after 100 s")
        clock.sleep(min(seconds, 0.02))
        background.note_input(clock.now)

    give_way = pacer(clock, sleep_and_type, quiet=0.15, share=0.1, grace=1.0)

    def run() -> tuple[float, float]:
        worked = 0.0
        background.note_input(clock.now)
        while worked < 2.0:  # two seconds of work in chunks of 5 ms
            give_way()
            clock.now += 0.005
            worked += 0.005
        return worked, give_way.waited

    worked, waited = in_worker(run)
    assert waited == pytest.approx(1.0 + 2.0 * 9, abs=0.05)  # grace + 9x the work
    assert waited > 1.0  # it did wait for the keys


def test_a_burst_of_keys_within_the_grace_holds_the_work_until_quiet(clock):
    give_way = pacer(clock, quiet=0.15, share=0.1, grace=1.0)

    def run() -> list[float]:
        waits = []
        for _ in range(5):  # five switches 0.1 s apart, work in between
            background.note_input(clock.now)
            waits.append(give_way())
            clock.now += 0.005
        return waits

    waits = in_worker(run)
    assert waits == [pytest.approx(0.15)] * 5


def test_never_waits_on_the_main_thread(clock):
    background.note_input(clock.now)
    assert pacer(clock)() == 0
    assert clock.slept == []


def test_working_while_a_pacer_is_alive_and_called_recently(clock):
    give_way = pacer(clock)
    assert background.working(clock.now)
    in_worker(give_way)
    assert background.working(clock.now + background.STALE / 2)
    assert not background.working(clock.now + background.STALE + 1)  # kept, not called
    del give_way
    assert not background.working(clock.now)


def test_wait_while_working_returns_once_the_work_is_done(clock):
    give_way = pacer(clock)
    calls = []

    def sleep(seconds: float) -> None:
        clock.sleep(seconds)
        calls.append(seconds)
        if len(calls) == 3:  # the work ends while the read-ahead waits
            nonlocal give_way
            del give_way

    assert background.wait_while_working(5.0, clock=clock, sleep=sleep, step=0.05)
    assert len(calls) == 3


def test_wait_while_working_is_bounded(clock):
    give_way = pacer(clock)
    waited = background.wait_while_working(1.0, clock=clock, sleep=clock.sleep, step=0.25)
    assert not waited  # still running after the limit: the read-ahead goes ahead anyway
    assert sum(clock.slept) == pytest.approx(1.0)
    del give_way


def test_wait_while_working_does_not_wait_without_work(clock):
    assert background.wait_while_working(5.0, clock=clock, sleep=clock.sleep)
    assert clock.slept == []
