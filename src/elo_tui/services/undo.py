"""Undo of the last local edits (ctrl+z on every editing screen).

The stack is attached to the app's workspace connection (`attach`) and sees every local
edit the store makes (`Workspace.save`, `save_many`, `delete`): one committed outermost
transaction is one undo step, so a service that saves a block status and its checklist
items in one transaction, or an accept-all of 5,000 suggestions, is undone in one step.

Per record a step keeps only the fields that edit changed, with their value before and
after (field level). Undo writes the old value back only where the field still holds the
value the edit gave it: a field a sync (or a later edit) changed since is left alone and
the notice says so. Restoring goes through `Workspace.save`, like any edit: stamped,
marked for the next push, rebased on a newer revision as usual.

The stack lives in memory for one workspace session (up to MAX_STEPS steps); it is gone
when the app closes or another workspace is opened. Sync connections, workers and the
CLI have no stack: their changes are not undoable here.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from elo_tui.domain.records import KIND_NAMES, Record, Submission
from elo_tui.store import Workspace

MAX_STEPS = 20
# A change of more records than this runs in a worker thread with a notice (an accept-all
# of everything at 20,000 products writes ~200,000 records: seconds, not milliseconds).
LARGE = 2_000


@dataclass(slots=True)
class Change:
    """One record's part of a step."""

    kind: type[Record]
    id: str
    created: bool  # the step made the record: undo removes it (a tombstone)
    fields: dict[str, tuple[Any, Any]]  # field -> (before, after)
    label: str  # what the record is, for the notice (e.g. "product 'Subsidie X'")


@dataclass(slots=True)
class Step:
    label: str  # Dutch, what a person did; "" = worked out from `first` when undone
    first: Change  # the first record saved: what the person edited (side effects follow)
    changes: list[Change] = field(default_factory=list)  # records that existed before
    # Records the step made, ids only: an accept-all makes ~150,000 checklist steps at
    # 20,000 products, and a Change each would cost ~40 MB per step.
    created: dict[type[Record], list[str]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.changes) + sum(len(ids) for ids in self.created.values())


@dataclass(frozen=True, slots=True)
class UndoResult:
    """What `undo` did: the step's label, how many records it restored, the fields left
    alone because something else changed them since, and how many steps remain."""

    label: str
    restored: int
    kept: list[str]
    remaining: int

    def message(self) -> str:
        text = f"Ongedaan gemaakt: {self.label} (nog {self.remaining} van max. {MAX_STEPS})"
        if self.kept:
            shown = ", ".join(self.kept[:3]) + (" …" if len(self.kept) > 3 else "")
            text += (
                f". Niet teruggezet, want intussen elders gewijzigd (bv. door een "
                f"synchronisatie): {shown}"
            )
        return text


class UndoStack:
    """The recorder the store calls (see store.ChangeRecorder) and the steps it keeps."""

    def __init__(self, max_steps: int = MAX_STEPS) -> None:
        self.steps: deque[Step] = deque(maxlen=max_steps)
        self._reset()

    def _reset(self) -> None:
        self._open: dict[tuple[str, str], Change] = {}
        self._made: dict[tuple[str, str], type[Record]] = {}
        self._first: Change | None = None
        self._label = ""

    # -- store callbacks ------------------------------------------------------------------------

    def saved(self, before: Record | None, after: Record) -> None:
        key = (after.KIND, after.id)
        if key in self._made:
            return  # made in this step: undo removes it, whatever it holds now
        change = self._open.get(key)
        if change is None:
            if before is None:
                self._made[key] = type(after)
                if self._first is None:
                    self._first = Change(type(after), after.id, True, {}, record_label(after))
                return
            change = Change(type(after), after.id, False, {}, "")
            self._open[key] = change
            if self._first is None:
                self._first = change
        if before is not None:
            # Saved twice in one step: keep the first 'before', take the last 'after'.
            for name in (*after.data_field_names(), "deleted"):
                if name not in change.fields:
                    old = getattr(before, name)
                    if old != getattr(after, name):
                        change.fields[name] = (_copy(old), None)
        change.label = record_label(after)
        for name, (old, _new) in list(change.fields.items()):
            new = _copy(getattr(after, name))
            if old == new:
                del change.fields[name]  # changed and changed back
            else:
                change.fields[name] = (old, new)

    def committed(self) -> None:
        changes = [c for c in self._open.values() if c.fields]
        created: dict[type[Record], list[str]] = {}
        for (_kind, record_id), kind in self._made.items():
            created.setdefault(kind, []).append(record_id)
        first, label = self._first, self._label
        self._reset()
        if not (changes or created) or first is None:
            return
        if not (first.created or first.fields):  # the first record ended unchanged
            first = changes[0] if changes else first
        self.steps.append(Step(label, first, changes, created))

    def rolled_back(self) -> None:
        self._reset()

    # -- for services ---------------------------------------------------------------------------

    def label_next(self, label: str) -> None:
        self._label = label


def attach(ws: Workspace, max_steps: int = MAX_STEPS) -> UndoStack:
    """Start a fresh undo stack for this workspace session."""
    stack = UndoStack(max_steps)
    ws.recorder = stack
    return stack


def stack_of(ws: Workspace | None) -> UndoStack | None:
    recorder = getattr(ws, "recorder", None)
    return recorder if isinstance(recorder, UndoStack) else None


def label_next(ws: Workspace, label: str) -> None:
    """Name the next step (call just before its transaction): e.g. an accept-all."""
    stack = stack_of(ws)
    if stack is not None:
        stack.label_next(label)


def depth(ws: Workspace | None) -> int:
    stack = stack_of(ws)
    return len(stack.steps) if stack is not None else 0


def last_step_size(ws: Workspace | None) -> int:
    """How many records the next undo restores (a large one runs in a worker)."""
    stack = stack_of(ws)
    return stack.steps[-1].size if stack is not None and stack.steps else 0


def adopt(ws: Workspace, other: UndoStack) -> None:
    """Take the steps recorded on a worker's connection into the session's stack."""
    stack = stack_of(ws)
    if stack is not None:
        stack.steps.extend(other.steps)


def undo(ws: Workspace, stack: UndoStack | None = None) -> UndoResult | None:
    """Undo the last step of `stack` (default: the one attached to `ws`) in one
    transaction on `ws`; None when there is nothing to undo."""
    stack = stack if stack is not None else stack_of(ws)
    if stack is None or not stack.steps:
        return None
    step = stack.steps[-1]
    to_save: list[Record] = []
    # Frozen versions are marked deleted in the store, their text not read (~145 MB at
    # 20,000 products: Workspace.tombstone)
    tombstones = {k: ids for k, ids in step.created.items() if k is Submission}
    for kind, ids in step.created.items():
        if kind in tombstones:
            continue
        for created in ws.get_many(kind, ids).values():
            if not created.deleted:
                created.deleted = True
                to_save.append(created)
    by_kind: dict[type[Record], list[Change]] = {}
    for change in step.changes:
        by_kind.setdefault(change.kind, []).append(change)
    kept: list[str] = []
    for kind, changes in by_kind.items():
        current = ws.get_many(kind, [c.id for c in changes])
        for change in changes:
            record = current.get(change.id)
            if record is None:
                continue
            touched = False
            for name, (old, new) in change.fields.items():
                now = getattr(record, name)
                if now == old:
                    continue  # already back (e.g. a sync brought the same value)
                if now != new:
                    kept.append(f"{change.label}: {FIELD_LABELS.get(name, name)}")
                    continue
                setattr(record, name, _copy(old))
                touched = True
            if touched:
                to_save.append(record)
    # The restore itself is no new step: the recorder is off meanwhile (which also spares
    # the store reading every record's before-image again).
    recorder, ws.recorder = ws.recorder, None
    try:
        with ws.transaction():
            if to_save:
                ws.save_many(to_save)
            restored = len(to_save) + sum(ws.tombstone(k, ids) for k, ids in tombstones.items())
    finally:
        ws.recorder = recorder
    stack.steps.pop()  # only once the restore is stored
    label = step.label or describe(step.first, step.size, _scope_names(ws, step.first))
    return UndoResult(label, restored, kept, len(stack.steps))


# -- describing ---------------------------------------------------------------------------------

FIELD_LABELS = {
    "applicability": "toepasselijkheid",
    "stage": "fase",
    "reason": "motivering",
    "target_date": "streefdatum",
    "status": "status",
    "name": "naam",
    "note": "notitie",
    "notes": "notities",
    "description": "omschrijving",
    "owner": "eigenaar",
    "deleted": "verwijderd",
    "obsolete": "vervallen",
}


def record_label(record: Record) -> str:
    """A record as a person knows it, in Dutch."""
    kind = record.KIND
    if kind == "block_status":
        from elo_tui.domain.blocks import BLOCKS_BY_CODE

        block = getattr(record, "block", "")
        info = BLOCKS_BY_CODE.get(block)
        return (
            f"status {info.label if info else block}"  # the matrix's words, not its 7-column short
        )
    name = ""
    for attr in ("name", "title", "description", "block"):
        value = getattr(record, attr, "")
        if isinstance(value, str) and value.strip():
            name = value.strip()
            break
    what = KIND_NAMES.get(kind, "gegeven")
    if len(name) > 40:
        name = name[:39] + "…"
    return f"{what} '{name}'" if name else what


def describe(first: Change, size: int, scope_names: dict[str, str] | None = None) -> str:
    """A step in a few words: its first record (the one the person edited; side effects
    such as checklist items follow it), and how many more records it changed."""
    label = first.label
    if scope_names and first.id in scope_names:
        label += f" van '{scope_names[first.id]}'"
    if first.created:
        text = f"toevoegen van {label}"
    elif set(first.fields) == {"deleted"}:
        text = f"verwijderen van {label}"
    else:
        text = label
    if size > 1:
        more = size - 1
        text += f" en {more} {'andere wijziging' if more == 1 else 'andere wijzigingen'}"
    return text


def _scope_names(ws: Workspace, first: Change) -> dict[str, str]:
    """Block status id -> the name of its product or application ("status SSO van X")."""
    from elo_tui.domain.records import Application, BlockStatus, Product

    if first.kind is not BlockStatus:
        return {}
    status = ws.get(BlockStatus, first.id)
    if status is None:
        return {}
    scope: Application | Product | None = (
        ws.get(Application, status.scope_id)
        if status.scope_kind == "application"
        else ws.get(Product, status.scope_id)
    )
    return {first.id: scope.name} if scope is not None else {}


def _copy(value: Any) -> Any:
    # Lists and dicts (JSON columns) are copied: the screen may go on changing its object.
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value
