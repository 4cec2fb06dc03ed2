"""Sync conflicts waiting for a person: mine (the local record) against theirs (the
tracker's version), field by field, and how to settle them.

A conflict is kept in the workspace's `meta` table under "sync.conflicts" (JSON, keyed
"kind/id") until someone resolves it; only "theirs" is stored, "mine" is always the live
local record, which stays dirty and is left out of pushes meanwhile. Nothing is dropped
silently: resolving writes the chosen result as a new local edit based on the tracker's
revision, so the next push applies it without a new conflict.

Stdlib only: the conflict screen uses this module.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from elo_tui.domain.records import RECORD_KINDS, Record, utc_now
from elo_tui.sync.wire import SERVER_FIELDS, from_wire, record_data

CONFLICTS_KEY = "sync.conflicts"
DELETED = "deleted"  # pseudo-field: one side removed the record

Choice = Literal["mine", "theirs"]

# Dutch labels for the fields people see most; other fields show their name.
FIELD_LABELS: dict[str, str] = {
    "deleted": "Verwijderd",
    "name": "Naam",
    "description": "Beschrijving",
    "ipdc_number": "IPDC-productnummer",
    "ipdc_type": "IPDC-type",
    "themes": "Thema's",
    "target_groups": "Doelgroepen",
    "request_application_id": "Toepassing voor aanvragen",
    "followup_application_id": "Toepassing voor opvolgen",
    "yearly_volume": "Jaarvolume",
    "on_elo": "Vandaag op ELO",
    "notes": "Notities",
    "note": "Notitie",
    "url": "URL",
    "kind": "Soort",
    "supplier": "Leverancier",
    "applicability": "Van toepassing",
    "reason": "Reden",
    "stage": "Fase",
    "target_date": "Streefdatum",
    "evidence": "Bewijs",
    "status": "Status",
    "owner": "Eigenaar",
    "due_date": "Vervaldatum",
    "title": "Titel",
    "ovo_code": "OVO-code",
    "contact_name": "Contactpersoon",
    "contact_email": "E-mail",
    "contact_phone": "Telefoon",
    "requested_cofinancing": "Gevraagde cofinanciering",
    "own_budget": "Eigen budget",
    "justification": "Motivering",
}
KIND_LABELS: dict[str, str] = {
    "agency": "Agentschap",
    "application": "Toepassing",
    "product": "Product",
    "block_status": "Bouwsteenstatus",
    "estimate_line": "Kostenlijn",
    "checklist_item": "Checklistpunt",
    "submission": "Indiening",
    "review": "Feedback",
}


@dataclass(frozen=True)
class Conflict:
    kind: str
    id: str
    theirs: dict[str, Any]  # the tracker's wire record (with rev)
    detected_at: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.id}"

    def theirs_record(self) -> Record | None:
        return from_wire(self.theirs)


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    mine: Any
    theirs: Any

    @property
    def differs(self) -> bool:
        return self.mine != self.theirs


# -- storage (meta table) ---------------------------------------------------------------


def _load(ws) -> dict[str, dict[str, Any]]:
    raw = ws.get_meta(CONFLICTS_KEY)
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _save(ws, conflicts: dict[str, dict[str, Any]]) -> None:
    ws.set_meta(CONFLICTS_KEY, json.dumps(conflicts, ensure_ascii=False, sort_keys=True))


def pending(ws) -> list[Conflict]:
    """Conflicts waiting for a decision, oldest first."""
    out = []
    for key, c in sorted(_load(ws).items(), key=lambda kv: (kv[1].get("detected_at", ""), kv[0])):
        if isinstance(c, dict) and isinstance(c.get("theirs"), dict):
            kind, _, rid = key.partition("/")
            out.append(Conflict(kind, rid, c["theirs"], c.get("detected_at", "")))
    return out


def count(ws) -> int:
    return len(_load(ws))


def pending_keys(ws) -> set[str]:
    return set(_load(ws))


class Batch:
    """Many conflict changes with one read and one write of the stored map.

    The map is one JSON value in `meta`: changing it record by record rewrites it every
    time (2,000 conflicts took 45 s, measured). Use inside the caller's transaction:

        with conflicts.Batch(ws) as batch:
            batch.record(kind, rid, theirs)
    """

    def __init__(self, ws) -> None:
        self.ws = ws
        self.map = _load(ws)
        self.changed = False

    def keys(self) -> set[str]:
        return set(self.map)

    def record(self, kind: str, rid: str, theirs: dict[str, Any]) -> None:
        """Remember (or refresh) a conflict."""
        key = f"{kind}/{rid}"
        detected = self.map.get(key, {}).get("detected_at") or utc_now()
        self.map[key] = {"theirs": theirs, "detected_at": detected}
        self.changed = True

    def drop(self, key: str) -> None:
        if self.map.pop(key, None) is not None:
            self.changed = True

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None and self.changed:
            _save(self.ws, self.map)


def record(ws, kind: str, rid: str, theirs: dict[str, Any]) -> None:
    """Remember (or refresh) one conflict; call inside the caller's transaction."""
    with Batch(ws) as batch:
        batch.record(kind, rid, theirs)


def drop(ws, key: str) -> None:
    with Batch(ws) as batch:
        batch.drop(key)


# -- showing ------------------------------------------------------------------------------


def mine_record(ws, conflict: Conflict) -> Record | None:
    cls = RECORD_KINDS.get(conflict.kind)
    return ws.get(cls, conflict.id) if cls is not None else None


def field_diffs(ws, conflict: Conflict, *, only_different: bool = False) -> list[FieldDiff]:
    """Mine against theirs per field (the tombstone as a pseudo-field "deleted")."""
    mine = mine_record(ws, conflict)
    theirs = conflict.theirs_record()
    if theirs is None:
        return []
    mine_data = record_data(mine) if mine is not None else {}
    theirs_data = record_data(theirs)
    skip = set(SERVER_FIELDS.get(conflict.kind, ()))
    diffs = [
        FieldDiff(
            DELETED,
            FIELD_LABELS[DELETED],
            mine.deleted if mine is not None else True,
            theirs.deleted,
        )
    ]
    for name in theirs.data_field_names():
        if name == "id" or name in skip:
            continue
        diffs.append(
            FieldDiff(
                name, FIELD_LABELS.get(name, name), mine_data.get(name), theirs_data.get(name)
            )
        )
    if only_different:
        diffs = [d for d in diffs if d.differs]
    return diffs


# -- resolving ----------------------------------------------------------------------------


def resolve(
    ws, conflict: Conflict, choice: Choice | Mapping[str, Choice], batch: Batch | None = None
) -> Record:
    """Settle a conflict: keep mine, take theirs, or merge per field (a mapping of field
    name to "mine"/"theirs"; fields not named keep mine). Returns the resulting record."""
    theirs = conflict.theirs_record()
    if theirs is None:
        raise ValueError(f"Onbekende soort record: {conflict.kind}")
    mine = mine_record(ws, conflict)
    with ws.transaction():
        if choice == "theirs" or mine is None:
            theirs.dirty = False
            ws.put_synced([theirs])
            result = theirs
        else:
            if choice == "mine":
                result = mine
            else:
                picks = dict(choice)  # type: ignore[arg-type]
                merged = record_data(mine)
                theirs_data = record_data(theirs)
                for name, pick in picks.items():
                    if pick == "theirs" and name in theirs_data:
                        merged[name] = theirs_data[name]
                deleted = theirs.deleted if picks.get(DELETED) == "theirs" else mine.deleted
                result = type(mine)(id=mine.id, deleted=deleted, **merged)
            # Based on their revision now: the next push applies without a new conflict.
            result.rev = theirs.rev
            for name in SERVER_FIELDS.get(conflict.kind, ()):
                setattr(result, name, getattr(theirs, name))
            ws.save(result)
        if batch is not None:
            batch.drop(conflict.key)
        else:
            drop(ws, conflict.key)
    return result


def resolve_all(ws, choice: Choice) -> int:
    """Keep mine or take theirs for every pending conflict; returns how many."""
    items = pending(ws)
    with ws.transaction(), Batch(ws) as batch:  # all or nothing, one write of the map
        for c in items:
            resolve(ws, c, choice, batch)
    return len(items)


# -- presenting ---------------------------------------------------------------------------


def record_label(record: Record | None) -> str:
    """A short name for a record: what a person recognises it by."""
    if record is None:
        return "(verwijderd)"
    for name in ("name", "title", "description", "comment"):
        value = getattr(record, name, "")
        if isinstance(value, str) and value.strip():
            return value.strip()
    block = getattr(record, "block", "")
    return f"{block} {record.id[:8]}".strip()


def format_value(value: Any, resolve_id=None) -> str:
    """A field value as text for people: lists joined, URIs as their Dutch label,
    application ids as the application's name (via `resolve_id`), booleans as ja/nee."""
    from elo_tui.domain.codelists import label_for

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, list):
        return ", ".join(format_value(v, resolve_id) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {format_value(v, resolve_id)}" for k, v in value.items()) or "—"
    if isinstance(value, str):
        if value.startswith("http"):
            return label_for(value)
        if resolve_id is not None:
            found = resolve_id(value)
            if found:
                return found
    return str(value)
