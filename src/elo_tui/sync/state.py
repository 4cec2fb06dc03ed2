"""Where a workspace stands with the tracker, kept in its `meta` table: cursor, the push
batch in flight, last success/attempt/error, online state. Stdlib only, so the status
indicator and the sync screen can read it without loading the HTTP client."""

from __future__ import annotations

from typing import Any

from elo_tui.sync import conflicts

CURSOR = "sync.cursor"
PENDING_PUSH = "sync.pending_push"  # the exact bytes of the batch in flight
PENDING_KEY = "sync.pending_key"  # its Idempotency-Key
LAST_SUCCESS = "sync.last_success"
LAST_ATTEMPT = "sync.last_attempt"
LAST_ERROR = "sync.last_error"
STATE = "sync.state"  # "online" | "offline" | "error"
WORKSPACE = "sync.workspace"  # OVO code the workspace is bound to on the tracker

PHASE_LABELS = {
    "connect": "verbinden",
    "pull": "ontvangen",
    "push": "versturen",
    "submissions": "indieningen",
    "done": "klaar",
}


def status(ws) -> dict[str, Any]:
    """What the status indicator shows: pending, conflicts, last sync, online state."""
    return {
        "pending": ws.count_dirty(),
        "conflicts": conflicts.count(ws),
        "last_success": ws.get_meta(LAST_SUCCESS) or "",
        "last_attempt": ws.get_meta(LAST_ATTEMPT) or "",
        "state": ws.get_meta(STATE) or "",
        "last_error": ws.get_meta(LAST_ERROR) or "",
    }
