"""Feedback from VLAIO on one record, for any form or detail view to show.

    yield ReviewPanel(self.app.ws, product.id)

Hidden when the record has no feedback; newest first; comments are shown literally
(never parsed as markup).
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from elo_tui.services.reviews import VERDICT_LABELS, reviews_for

VERDICT_STYLES = {
    "verified": "green",
    "approved": "bold green",
    "issues": "yellow",
    "accepted": "bold green",
    "refused": "red",
}


class ReviewPanel(Static):
    DEFAULT_CSS = """
    ReviewPanel { height: auto; border: round $panel; padding: 0 1; margin: 1 0; }
    ReviewPanel.-empty { display: none; }
    """

    def __init__(self, ws, record_id: str, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.ws = ws
        self.record_id = record_id
        self.border_title = "Feedback van VLAIO"
        self._shown_text: Text | None = None

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        reviews = reviews_for(self.ws, self.record_id) if self.record_id else []
        self.set_class(not reviews, "-empty")
        text = Text()
        for r in reviews:
            if text:
                text.append("\n")
            text.append(
                VERDICT_LABELS.get(r.verdict, r.verdict), style=VERDICT_STYLES.get(r.verdict, "")
            )
            when = (r.created_at or r.updated_at)[:10]
            text.append(f" – {r.reviewer or 'VLAIO'}, {when}", style="dim")
            if r.comment:
                text.append(f"\n  {r.comment}")
        # A reused form reloads the panel for every record it opens (the block form, on
        # every cell); most have no feedback: no update, so no layout pass, when unchanged.
        if text != self._shown_text:
            self._shown_text = text
            self.update(text)
