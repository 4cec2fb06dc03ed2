"""Review feedback from VLAIO on the records it concerns, for any screen to show.

Feedback arrives with sync as `review` records (written only by the tracker). A product
form, the matrix or the submission screen asks `reviews_for(ws, record_id)` and shows
`describe(review)` lines; `latest_verdicts(ws)` gives one verdict per record for a
column or a marker in a table.
"""

from __future__ import annotations

from elo_tui.domain.records import Review

VERDICT_LABELS = {
    "verified": "Geverifieerd",
    "issues": "Opmerkingen",
    "approved": "Goedgekeurd",
    "accepted": "Aanvaard",
    "refused": "Geweigerd",
}
VERDICT_SYMBOLS = {
    "verified": "✓",
    "issues": "!",
    "approved": "✔",
    "accepted": "✔",
    "refused": "✖",
}


def reviews_for(ws, record_id: str) -> list[Review]:
    """Feedback on one record (product, block status, submission…), newest first."""
    return ws.find(Review, target_id=record_id, order_by=("-created_at", "-updated_at"))


def latest_verdicts(ws) -> dict[str, str]:
    """Record id -> the verdict of its most recent review."""
    out: dict[str, str] = {}
    for r in ws.find(Review, order_by=("created_at",)):
        out[r.target_id] = r.verdict
    return out


def describe(review: Review) -> str:
    """One Dutch line, e.g. '! Opmerkingen – Vera (VLAIO), 02/03/2026: naam klopt niet'.

    Plain text: wrap in rich.text.Text before showing (comments are user text)."""
    label = VERDICT_LABELS.get(review.verdict, review.verdict)
    symbol = VERDICT_SYMBOLS.get(review.verdict, "·")
    from elo_tui.domain.formats import format_date

    day = (review.created_at or review.updated_at)[:10]
    when = format_date(day) or day
    who = review.reviewer or "VLAIO"
    text = f"{symbol} {label} – {who}, {when}"
    return f"{text}: {review.comment}" if review.comment else text


def recent(ws, limit: int = 10) -> list[tuple[Review, str]]:
    """The latest feedback with a short name of the record it concerns (newest first)."""
    from elo_tui.domain.records import RECORD_KINDS
    from elo_tui.sync.conflicts import KIND_LABELS, record_label

    out = []
    for r in ws.find(Review, order_by=("-created_at", "-updated_at"))[:limit]:
        kind = RECORD_KINDS.get(r.target_kind)
        target = ws.get(kind, r.target_id) if kind is not None else None
        name = record_label(target) if target is not None else r.target_id[:8]
        out.append((r, f"{KIND_LABELS.get(r.target_kind, r.target_kind)} {name}"))
    return out
