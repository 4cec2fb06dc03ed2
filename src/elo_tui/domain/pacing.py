"""The pause a long loop calls between chunks of its work.

The domain knows no threads: a worker passes `elo_tui.background.GiveWay()`, which
waits there while someone is typing; every other caller passes nothing and gets
`no_pause`.
"""

from __future__ import annotations

from collections.abc import Callable

Pause = Callable[[], object]


def no_pause() -> None:
    """The pause of a loop nobody waits for: none."""
    return None
