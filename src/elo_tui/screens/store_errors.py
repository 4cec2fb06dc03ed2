"""Show a storage failure (locked, read-only or damaged workspace) instead of crashing.

with store_errors(self) as attempt:
    inventory.delete_product(self.app.ws, product.id)
if attempt.failed:
    return
"""

from __future__ import annotations

from textual.app import App
from textual.widget import Widget

from elo_tui.store import WorkspaceError


class store_errors:  # noqa: N801 - used like a function: `with store_errors(self)`
    def __init__(self, node: Widget | App, title: str = "Niet opgeslagen") -> None:
        self.node = node
        self.title = title
        self.failed = False

    def __enter__(self) -> store_errors:
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc_type is not None and issubclass(exc_type, WorkspaceError):
            self.failed = True
            self.node.notify(str(exc), title=self.title, severity="error", markup=False, timeout=12)
            return True  # handled: the person was told, nothing was half-saved
        return False
