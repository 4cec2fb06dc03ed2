"""Records on the wire: {kind, id, base_rev|rev, deleted, updated_at, updated_by, data}.

`data` holds the record's own fields without `id`. Generic over every kind in
RECORD_KINDS; fields a newer tracker sends that this version does not know are ignored.
The shape, kinds, fields and value ranges are the wire contract's (`elo_contract`, shared
with the tracker): a pulled record is checked against it before it is stored
(`checked_from_wire`), so a value this app cannot store (from an older tracker or a bad
admin write) is reported in Dutch and skipped instead of breaking the sync.
Stdlib only (used by the conflict screen).
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

import elo_contract as contract
from elo_tui.domain.records import RECORD_KINDS, Record

R = TypeVar("R", bound=Record)

# Fields only the tracker writes.
SERVER_FIELDS: dict[str, tuple[str, ...]] = {
    kind: tuple(fields) for kind, fields in contract.TRACKER_OWNED.items()
}
_ID = re.compile(contract.ID_PATTERN)


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


def sendable(records: list[R]) -> tuple[list[R], list[str]]:
    """The records the tracker will accept, and a Dutch message (record and field) for
    each one it would refuse: those stay unsent (and dirty) instead of failing the whole
    batch, so the rest of the workspace keeps syncing. Same check as the tracker's."""
    ok: list[R] = []
    refused: list[str] = []
    for record in records:
        data = record_data(record)
        problems = contract.check_record(record.KIND, data)
        if not problems:
            ok.append(record)
            continue
        if record.deleted:
            # A deletion nobody can edit any more: send it with the offending fields at
            # their defaults (the tracker keeps a tombstone; its values do not matter).
            defaults = contract.defaults(record.KIND)
            for p in problems:
                name = re.split(r"[.\[]", p.field.removeprefix("data."), maxsplit=1)[0]
                if name in defaults:
                    setattr(record, name, defaults[name])
            ok.append(record)
            continue
        first = problems[0].detail
        more = f" (en {len(problems) - 1} andere)" if len(problems) > 1 else ""
        refused.append(
            f"{_name(record.KIND, record.id, data)} niet verstuurd: {first}{more} "
            "Pas het aan; de rest wordt wel gesynchroniseerd."
        )
    return ok, refused


def _size_bound(record: Record) -> int:
    """An upper bound of the record's size as push JSON, cheap to compute: a character
    costs at most 6 bytes (a control character escaped as \\u0001)."""
    n = 400 + 6 * (len(record.id) + len(record.updated_at) + len(record.updated_by))
    for value in record_data(record).values():
        if isinstance(value, str):
            n += 6 * len(value) + 40
        elif isinstance(value, list):
            n += sum(6 * len(str(item)) + 8 for item in value) + 40
        elif isinstance(value, dict):
            n += sum(6 * (len(str(k)) + len(str(v))) + 8 for k, v in value.items()) + 40
        else:
            n += 40
    return n


def batches(records: list[Record], max_records: int, max_bytes: int) -> list[list[Record]]:
    """Records in push batches of at most `max_records` and, encoded, `max_bytes` (the
    tracker's body limit, minus room for the envelope), in their order. Sizes are an
    upper bound (exact, by encoding, only for a record whose bound is large), so a
    batch may be split earlier than needed but never sent too large. A record larger
    than the limit on its own still goes alone (the tracker then says why it refuses)."""
    import json

    room = max_bytes - 1024  # {"since": ..., "records": [...]}
    out: list[list[Record]] = []
    current: list[Record] = []
    size = 0
    for record in records:
        n = _size_bound(record)
        if n > 65_536:
            n = len(json.dumps(to_wire(record), ensure_ascii=False).encode("utf-8")) + 2
        if current and (len(current) >= max_records or size + n > room):
            out.append(current)
            current, size = [], 0
        current.append(record)
        size += n
    if current:
        out.append(current)
    return out


def wire_problems(wire: Any) -> list[str]:
    """Why a pulled record cannot be stored: one Dutch message naming the record and its
    fields; [] when it can. Kinds and fields this version does not know are not problems (a
    newer tracker's; `from_wire` ignores them)."""
    if not isinstance(wire, dict):
        return ["Een ontvangen record is geen object; overgeslagen."]
    kind = wire.get("kind")
    if kind not in RECORD_KINDS:
        return []
    rid = wire.get("id")
    if not isinstance(rid, str) or not _ID.fullmatch(rid):
        return [f"Een ontvangen record ({kind}) heeft geen geldig id; overgeslagen."]
    rev = wire.get("rev")
    if rev is not None and (
        not isinstance(rev, int) or isinstance(rev, bool) or not 0 <= rev <= contract.MAX_REV
    ):
        return [f"{_name(kind, rid, {})}: ongeldige revisie; niet opgeslagen."]
    data = wire.get("data") or {}
    if not isinstance(data, dict):
        return [f"{_name(kind, rid, {})}: data is geen object; niet opgeslagen."]
    known = {k: v for k, v in data.items() if k in contract.KINDS.get(kind, {})}
    meta = [
        name
        for name in ("updated_at", "updated_by")
        if not isinstance(wire.get(name, ""), str)
        or len(wire.get(name, "")) > contract.MAX_META_TEXT
    ]
    found = [p.detail for p in contract.check_record(kind, known)]
    found += [
        f"{name}: moet tekst zijn (maximaal {contract.MAX_META_TEXT} tekens)." for name in meta
    ]
    if not isinstance(wire.get("deleted", False), bool):
        found.append("deleted: moet true of false zijn.")
    if not found:
        return []
    more = f" (en {len(found) - 3} andere)" if len(found) > 3 else ""
    # One message per record, so counting messages counts records.
    return [f"{_name(kind, rid, known)} niet opgeslagen: {' '.join(found[:3])}{more}"]


def _name(kind: str, rid: str, data: dict[str, Any]) -> str:
    label = data.get("name") or data.get("title") or ""
    label = label[:60] if isinstance(label, str) else ""
    return f"Record {kind} '{label}' ({rid})" if label else f"Record {kind} ({rid})"


def checked_from_wire(wire: Any, *, dirty: bool = False) -> tuple[Record | None, list[str]]:
    """A pulled record as a local record, or None and the Dutch reasons it cannot be
    stored (None and [] for a kind this version does not know)."""
    problems = wire_problems(wire)
    if problems:
        return None, problems
    return from_wire(wire, dirty=dirty), []


def same_content(a: Record, b: Record) -> bool:
    """Equal data and tombstone state (sync metadata aside)."""
    return a.deleted == b.deleted and record_data(a) == record_data(b)
