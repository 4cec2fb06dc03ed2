"""The export's background writer: every piece written, in order, errors not lost."""

from __future__ import annotations

import threading

import pytest

from elo_tui.io.background_writer import BackgroundWriter


def test_pieces_are_written_in_order_in_another_thread():
    got: list[bytes] = []
    threads: set[str] = set()

    def write(piece: bytes) -> None:
        threads.add(threading.current_thread().name)
        got.append(piece)

    pieces = [str(i).encode() * (i % 7 + 1) for i in range(500)]
    with BackgroundWriter(write, depth=2) as w:
        for p in pieces:
            w.write(p)
    assert got == pieces  # all of them, once, in order, when the block is left
    assert threads == {"elo-export-writer"}


def test_a_failed_write_reaches_the_caller_and_stops_the_rest():
    got: list[bytes] = []

    def write(piece: bytes) -> None:
        if piece == b"3":
            raise OSError(28, "No space left on device")
        got.append(piece)

    with pytest.raises(OSError, match="No space"):
        with BackgroundWriter(write, depth=1) as w:
            for i in range(50):
                w.write(str(i).encode())
    assert b"3" not in got and len(got) < 50
    assert got == [str(i).encode() for i in range(len(got))]


def test_the_callers_own_error_wins_and_the_thread_ends():
    with pytest.raises(KeyError):
        with BackgroundWriter(lambda piece: None) as w:
            w.write(b"x")
            raise KeyError("caller")
    assert not [t for t in threading.enumerate() if t.name == "elo-export-writer"]
