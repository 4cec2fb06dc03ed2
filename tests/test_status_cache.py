"""The nav bar's status (read on every area switch) is cached on the workspace file's
change stamp: it must still follow every change, by this connection or another one."""

from __future__ import annotations

from elo_tui.app import EloApp
from elo_tui.domain.records import Product
from elo_tui.store import Workspace


def _pending(text: str) -> str:
    return next(p for p in text.split(" · ") if "synchronis" in p)


def test_status_text_follows_changes_by_this_and_other_connections(settings, demo_ws):
    app = EloApp(settings, demo_ws)
    first = app.status_text()
    assert app.status_text() is first  # unchanged file: not recounted

    demo_ws.save(Product(name="Nieuw product"))
    second = app.status_text()
    assert _pending(second) != _pending(first)

    with Workspace.open(demo_ws.path, user="ander") as other:
        other.save(Product(name="Van een ander proces"))
    third = app.status_text()
    assert _pending(third) != _pending(second)
    assert third == app._compute_status_text()
