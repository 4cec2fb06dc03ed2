"""Frozen versions as whole records, for tests that read a small one's text directly."""

from __future__ import annotations

from typing import Any

from elo_tui.domain.records import Submission
from elo_tui.services import submission as service


def freeze(ws: Any, **kwargs: Any) -> Submission:
    """`service.create(ws, **kwargs)` (which returns the version without its content)
    read back as the stored record, content and all."""
    head = service.create(ws, **kwargs)
    record = ws.get(Submission, head.id)
    assert record is not None and record.sha256 == head.sha256
    return record
