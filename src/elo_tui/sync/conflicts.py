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
    "ipdc_uri": "IPDC-record",
    "ipdc_data": "Gegevens uit IPDC",
    "bottleneck_kind": "Soort knelpunt",
    "blocks_in_use": "Bouwstenen in gebruik",
    "quarter": "Kwartaal",
    "chosen": "Gekozen",
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
    "subject": "Vereiste of bouwsteen",
    "ground": "Gegronde reden",
    "requested_by": "Aangevraagd door",
    "requested_on": "Aangevraagd op",
    "decision_body": "Beslist door",
    "delay_kind": "Soort vertraging",
    "original_date": "Oorspronkelijke datum",
    "new_date": "Nieuwe datum",
    "obsolete": "Vervallen",
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
    "exemption": "Uitzondering",
    "delay": "Vertraging",
    "bottleneck": "Knelpunt",
    "baseline": "Nulmeting",
    "plan_scenario": "Planscenario",
    "plan_item": "Planning (kwartaal)",
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


# -- merging with the base copy --------------------------------------------------------------


@dataclass(frozen=True)
class Merge:
    """A three-way merge of mine and theirs against the data both started from."""

    data: dict[str, Any]  # merged fields (id and tracker-owned fields left out)
    deleted: bool
    clashes: tuple[str, ...]  # fields both sides changed to different values ("deleted" too)


def three_way(
    kind: str,
    base: dict[str, Any],
    mine: Record,
    theirs: Record,
) -> Merge:
    """Fields only I changed → mine, fields only they changed → theirs, both changed
    differently → a clash. A removal on one side against any edit on the other is a clash
    on "deleted" (removing what someone just changed is for a person to decide)."""
    skip = set(SERVER_FIELDS.get(kind, ()))
    mine_data, theirs_data = record_data(mine), record_data(theirs)
    merged: dict[str, Any] = {}
    clashes: list[str] = []
    mine_changed = theirs_changed = False
    for name, theirs_value in theirs_data.items():
        if name in skip:
            continue
        mine_value = mine_data.get(name)
        base_value = base.get(name, mine_value)
        if mine_value == theirs_value:
            merged[name] = mine_value
        elif mine_value == base_value:
            merged[name] = theirs_value
            theirs_changed = True
        elif theirs_value == base_value:
            merged[name] = mine_value
            mine_changed = True
        else:
            merged[name] = mine_value
            clashes.append(name)
    deleted = mine.deleted
    if mine.deleted != theirs.deleted:
        # The side that did not remove it: did it change anything?
        kept_changed = (theirs_changed or bool(clashes)) if mine.deleted else mine_changed
        if kept_changed or clashes:
            clashes.insert(0, DELETED)
        else:
            deleted = True
    return Merge(merged, deleted, tuple(clashes))


def merge_with_base(ws, kind: str, mine: Record, theirs: Record) -> Record | None:
    """Mine merged with theirs when the base copy is the revision mine is based on and
    no field clashes; None when a person has to decide. The result is a local edit
    based on their revision (it goes out with the next push)."""
    if mine.rev is None:
        return None
    base = ws.bases(kind, [mine.id]).get(mine.id)
    if base is None or base[0] != mine.rev:
        return None
    merge = three_way(kind, base[1], mine, theirs)
    if merge.clashes:
        return None
    result = type(mine)(
        id=mine.id,
        rev=theirs.rev,
        dirty=True,
        deleted=merge.deleted,
        updated_at=mine.updated_at,
        updated_by=mine.updated_by,
        **merge.data,
    )
    for name in SERVER_FIELDS.get(kind, ()):
        setattr(result, name, getattr(theirs, name))
    return result


def clashing_fields(ws, conflict: Conflict) -> tuple[str, ...] | None:
    """The fields a person has to choose for (both sides changed them differently), or
    None when the base copy is not known (then every differing field is a choice)."""
    mine = mine_record(ws, conflict)
    theirs = conflict.theirs_record()
    if mine is None or theirs is None or mine.rev is None:
        return None
    base = ws.bases(conflict.kind, [mine.id]).get(mine.id)
    if base is None or base[0] != mine.rev:
        return None
    return three_way(conflict.kind, base[1], mine, theirs).clashes


def suggested_choices(ws, conflict: Conflict, diffs: list[FieldDiff]) -> dict[str, Choice]:
    """Per differing field the side a merge takes: the side that changed it (by the base
    copy); "mine" for a field both changed, or for every field when the base is unknown."""
    mine = mine_record(ws, conflict)
    theirs = conflict.theirs_record()
    choices: dict[str, Choice] = {d.name: "mine" for d in diffs}
    if mine is None or theirs is None or mine.rev is None:
        return choices
    base = ws.bases(conflict.kind, [mine.id]).get(mine.id)
    if base is None or base[0] != mine.rev:
        return choices
    for d in diffs:
        if d.name != DELETED and d.name in base[1] and d.mine == base[1][d.name]:
            choices[d.name] = "theirs"  # only they changed it
    return choices


def comes_back_with(ws, conflict: Conflict) -> list[Record]:
    """In a remove-against-edit conflict: what was removed together with the record and
    comes back when the record is kept (see `resolve`)."""
    theirs = conflict.theirs_record()
    removal = _removal(mine_record(ws, conflict), theirs) if theirs is not None else None
    if removal is None:
        return []
    return removed_with(ws, conflict.kind, conflict.id, *removal)


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
    name to "mine"/"theirs"; fields not named are merged with the base copy when it is
    known: only I changed → mine, only they changed → theirs; otherwise they keep mine).
    Returns the resulting record.

    When the result brings back a product that one side removed, what was removed with
    it (its block statuses, its checklist items made obsolete) comes back too."""
    theirs = conflict.theirs_record()
    if theirs is None:
        raise ValueError(f"Onbekende soort record: {conflict.kind}")
    mine = mine_record(ws, conflict)
    removal = _removal(mine, theirs)
    with ws.transaction():
        if choice == "theirs" or mine is None:
            theirs.dirty = False
            ws.put_synced([theirs])
            result = theirs
        else:
            if choice == "mine":
                result = mine
            else:
                picks = dict(choice)
                base = ws.bases(conflict.kind, [mine.id]).get(mine.id)
                if base is not None and base[0] == mine.rev:
                    auto = three_way(conflict.kind, base[1], mine, theirs)
                    merged, deleted = dict(auto.data), auto.deleted
                else:
                    merged, deleted = record_data(mine), mine.deleted
                mine_data, theirs_data = record_data(mine), record_data(theirs)
                for name, pick in picks.items():
                    if name in merged:
                        merged[name] = (theirs_data if pick == "theirs" else mine_data)[name]
                if DELETED in picks:
                    deleted = theirs.deleted if picks[DELETED] == "theirs" else mine.deleted
                result = type(mine)(id=mine.id, deleted=deleted, **merged)
            # Based on their revision now: the next push applies without a new conflict.
            result.rev = theirs.rev
            for name in SERVER_FIELDS.get(conflict.kind, ()):
                setattr(result, name, getattr(theirs, name))
            ws.save(result)
        if theirs.rev is not None:
            ws.put_bases([(conflict.kind, theirs.id, theirs.rev, record_data(theirs))])
        if removal is not None and not result.deleted:
            restore_removed_with(ws, conflict.kind, result.id, *removal)
        if batch is not None:
            batch.drop(conflict.key)
        else:
            drop(ws, conflict.key)
    return result


def _removal(mine: Record | None, theirs: Record) -> tuple[str, str] | None:
    """(when, by whom) of the removal in a remove-against-edit conflict, else None."""
    if mine is None or mine.deleted == theirs.deleted:
        return None
    gone = mine if mine.deleted else theirs
    return gone.updated_at, gone.updated_by


# A removal stamps the product first and what goes with it right after, in one transaction.
_REMOVED_WITH_WINDOW = 60.0  # seconds; an assumption, generous for a slow disk


def removed_with(ws, kind: str, rid: str, when: str, by: str) -> list[Record]:
    """The block statuses and checklist items that were removed together with the
    product or application `rid` (services.mapping.forget_scope): same author, stamped
    within a minute after the removal itself."""
    from datetime import datetime

    from elo_tui.domain.records import BlockStatus, ChecklistItem

    if kind not in ("product", "application"):
        return []

    def stamp(text: str) -> float | None:
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None

    start = stamp(when)
    if start is None:
        return []

    def together(rec: Record) -> bool:
        at = stamp(rec.updated_at)
        return rec.updated_by == by and at is not None and 0 <= at - start <= _REMOVED_WITH_WINDOW

    statuses = ws.find(
        BlockStatus, scope_kind=kind, scope_id=rid, deleted=True, include_deleted=True
    )
    items = ws.find(ChecklistItem, scope_kind=kind, scope_id=rid, obsolete=True)
    return [r for r in (*statuses, *items) if together(r)]


def restore_removed_with(ws, kind: str, rid: str, when: str, by: str) -> int:
    """Bring back what `removed_with` finds, as local edits (they go out with the next
    push); records still in a conflict of their own are left to that conflict."""
    waiting = pending_keys(ws)
    restored = []
    for rec in removed_with(ws, kind, rid, when, by):
        if f"{rec.KIND}/{rec.id}" in waiting:
            continue
        if rec.deleted:
            rec.deleted = False
        else:
            rec.obsolete = False  # type: ignore[attr-defined]
        restored.append(rec)
    if restored:
        ws.save_many(restored)
    return len(restored)


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
