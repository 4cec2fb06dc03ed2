"""Records on the wire: {kind, id, base_rev|rev, deleted, updated_at, updated_by, data}.

`data` holds the record's own fields without `id`. Generic over every kind in
RECORD_KINDS; fields a newer tracker sends that this version does not know are ignored.
Stdlib only (used by the conflict screen).
"""

from __future__ import annotations

from typing import Any

from elo_tui.domain.records import RECORD_KINDS, Record

# Fields only the tracker writes (see tracker/store.py SERVER_FIELDS).
SERVER_FIELDS: dict[str, tuple[str, ...]] = {
    "block_status": ("verified_central",),
    "submission": ("review_state",),
}


_DATA_FIELDS: dict[str, tuple[str, ...]] = {
    kind: tuple(n for n in cls.data_field_names() if n != "id")
    for kind, cls in RECORD_KINDS.items()
}


def record_data(record: Record) -> dict[str, Any]:
    """The record's own fields without id. Not `Record.data()`: its `asdict` deep-copies
    every value, which costs ~0.7 s for the 9,000 records of a large first sync. The
    values are shared with the record: copy before mutating them."""
    return {name: getattr(record, name) for name in _DATA_FIELDS[record.KIND]}


def to_wire(record: Record) -> dict[str, Any]:
    """A local record as a push entry, based on the revision it was last synced at."""
    return {
        "kind": record.KIND,
        "id": record.id,
        "base_rev": record.rev,
        "deleted": record.deleted,
        "updated_at": record.updated_at,
        "updated_by": record.updated_by,
        "data": record_data(record),
    }


def from_wire(wire: dict[str, Any], *, dirty: bool = False) -> Record | None:
    """A tracker record as a local record (None for a kind this version does not know)."""
    cls = RECORD_KINDS.get(wire.get("kind", ""))
    if cls is None:
        return None
    known = cls.data_field_names()
    data = {k: v for k, v in (wire.get("data") or {}).items() if k in known and k != "id"}
    return cls(
        id=wire["id"],
        rev=wire.get("rev"),
        deleted=bool(wire.get("deleted", False)),
        updated_at=wire.get("updated_at", ""),
        updated_by=wire.get("updated_by", ""),
        dirty=dirty,
        **data,
    )


def same_content(a: Record, b: Record) -> bool:
    """Equal data and tombstone state (sync metadata aside)."""
    return a.deleted == b.deleted and record_data(a) == record_data(b)
