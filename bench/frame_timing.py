"""How the keystroke benches read a key's output in a pty: one definition, used by
bench_startup.py, bench_keys.py and bench_programme.py."""

from __future__ import annotations

BURST_GAP = 0.005  # s: bytes closer together than this belong to one frame


def first_and_settled(t0: float, stamps: list[float]) -> tuple[float, float]:
    """Latency (ms) of a key written at `t0`, from the arrival times of its output:
    *first frame* = end of the first burst (bytes less than 5 ms apart), the new content
    on screen; *settled* = the last byte before the quiet period, follow-up repaints
    included."""
    stamps = stamps or [t0]
    end_of_first = stamps[0]
    for t in stamps[1:]:
        if t - end_of_first > BURST_GAP:
            break
        end_of_first = t
    return (end_of_first - t0) * 1000, (stamps[-1] - t0) * 1000
