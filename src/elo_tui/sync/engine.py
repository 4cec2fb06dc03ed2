"""One sync run between a workspace and the tracker: pull, push, pull.

1. Replay a push batch left in flight by an interrupted run (same Idempotency-Key, same
   bytes: the tracker answers it once, whether or not it applied it before).
2. Pull everything newer than the stored cursor, page by page; each page and the new
   cursor are stored in one transaction, so an interruption resumes where it stopped.
   A pulled record whose local copy has unpushed edits on another revision is merged
   field-wise against the base copy (the data that edit started from): fields only one
   side changed take that side; a field both changed differently makes it a conflict for
   a person to settle (nothing is overwritten). The same holds for a push conflict.
3. Push dirty records in batches. Each batch is written to `meta` with its key before it
   is sent and cleared in the transaction that applies the answer. Conflicting records
   stay dirty and wait for a person; records edited while the batch was in flight stay
   dirty and go out next time.
4. Upload new submissions (immutable, keyed by id and hash).
5. Pull again only when the tracker could not vouch that nothing else changed meanwhile.

All state lives in the workspace's `meta` table (keys below). Loaded only when syncing.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import elo_contract
from elo_contract import MAX_BODY_BYTES
from elo_tui.domain.formats import format_number, plural
from elo_tui.domain.records import RECORD_KINDS, Agency, Record, Submission, utc_now
from elo_tui.store import WorkspaceError
from elo_tui.sync import conflicts
from elo_tui.sync.client import AuthRefused, Offline, SyncError, TrackerClient
from elo_tui.sync.state import (  # noqa: F401 - re-exported for callers
    CURSOR,
    LAST_ATTEMPT,
    LAST_ERROR,
    LAST_SUCCESS,
    PENDING_KEY,
    PENDING_PUSH,
    PHASE_LABELS,
    STATE,
    WORKSPACE,
    status,
)
from elo_tui.sync.wire import (
    SERVER_FIELDS,
    checked_from_wire,
    from_wire,
    record_data,
    same_content,
    to_wire,
)
from elo_tui.sync.wire import batches as wire_batches
from elo_tui.sync.wire import sendable as wire_sendable

# Parents before children, so a half-pushed run never leaves a dangling reference; kinds
# added later (exemptions, delays) follow, so a new kind is never silently left behind.
_PARENTS_FIRST = (
    "agency",
    "application",
    "product",
    "block_status",
    "estimate_line",
    "checklist_item",
)
PUSH_KINDS = _PARENTS_FIRST + tuple(
    k for k in RECORD_KINDS if k not in _PARENTS_FIRST and k not in ("review", "submission")
)
BATCH = 1000  # records per push (the tracker accepts up to 1,000)
PAGE = 1000


@dataclass
class Progress:
    phase: str  # "connect" | "pull" | "push" | "submissions" | "done"
    done: int = 0
    total: int | None = None
    message: str = ""


@dataclass
class SyncResult:
    pushed: int = 0
    pulled: int = 0
    new_conflicts: int = 0
    merged: int = 0  # edits to different fields on both sides, merged without a conflict
    conflicts: int = 0  # pending after this run
    reviews: int = 0  # new review feedback pulled
    submissions: int = 0
    requests: int = 0
    seconds: float = 0.0
    # Records the other side cannot take (Dutch, naming record and field): a pulled one
    # this app cannot store, a local one the tracker would refuse. Skipped, not fatal.
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{self.pushed} verstuurd", f"{self.pulled} ontvangen"]
        if self.skipped:
            n = len(self.skipped)
            parts.append(f"{plural(n, 'record', 'records')} overgeslagen: {self.skipped[0]}")
        if self.submissions:
            parts.append(f"{plural(self.submissions, 'indiening', 'indieningen')} opgeladen")
        if self.merged:
            parts.append(f"{self.merged} samengevoegd (andere velden gewijzigd)")
        if self.reviews:
            parts.append(f"{self.reviews} nieuwe feedback van VLAIO")
        if self.conflicts:
            parts.append(f"{plural(self.conflicts, 'conflict', 'conflicten')} te beslissen")
        return ", ".join(parts)


class WorkspaceMismatch(AuthRefused):
    """The token belongs to another agency than this workspace."""


class SyncEngine:
    def __init__(
        self,
        ws,
        client: TrackerClient,
        *,
        batch_size: int = BATCH,
        page_size: int = PAGE,
        progress: Callable[[Progress], None] | None = None,
    ) -> None:
        self.ws = ws
        self.client = client
        self.batch_size = batch_size
        self.page_size = page_size
        self._progress = progress or (lambda p: None)
        self.result = SyncResult()
        self.workspace = ""
        self._merged_bases: list[tuple[str, str, int, dict[str, Any]]] = []

    # -- the run -------------------------------------------------------------------------

    def run(self) -> SyncResult:
        started = time.perf_counter()
        self.ws.set_meta(LAST_ATTEMPT, utc_now())
        try:
            self._progress(Progress("connect", message="verbinden met de centrale opvolging…"))
            self.workspace = self._bind()
            self._replay_pending()
            self._pull()
            cursor_vouched = self._push()
            uploaded = self._upload_submissions()
            if not cursor_vouched or uploaded:
                self._pull()
        except Offline as exc:
            self._remember_failure("offline", str(exc))
            raise
        except SyncError as exc:
            self._remember_failure("error", str(exc))
            raise
        except (KeyError, TypeError, ValueError) as exc:
            # An answer that is JSON but not what the protocol says: say so, keep state.
            message = (
                "De centrale opvolging gaf een antwoord dat niet aan het protocol voldoet "
                f"({type(exc).__name__}). Er is niets verloren; probeer later opnieuw."
            )
            self._remember_failure("error", message)
            raise SyncError(message) from None
        with self.ws.transaction():
            self.ws.set_meta(LAST_SUCCESS, utc_now())
            self.ws.set_meta(STATE, "online")
            self.ws.set_meta(LAST_ERROR, "")
        self.result.conflicts = conflicts.count(self.ws)
        self.result.requests = self.client.requests
        self.result.seconds = time.perf_counter() - started
        self._progress(Progress("done", message=self.result.summary()))
        return self.result

    def _remember_failure(self, state: str, message: str) -> None:
        try:
            with self.ws.transaction():
                self.ws.set_meta(STATE, state)
                self.ws.set_meta(LAST_ERROR, message)
        except Exception:  # noqa: BLE001 - never hide the sync error behind a store error
            pass

    def _bind(self) -> str:
        """The tracker workspace this token writes to, checked against this workspace."""
        me = self.client.me()
        if me.get("role") != "agency" or not me.get("workspace"):
            raise AuthRefused(
                "Dit is een beheerderstoken van VLAIO; een werkruimte synchroniseert met het "
                "token van het agentschap."
            )
        ovo = str(me["workspace"])
        bound = self.ws.get_meta(WORKSPACE)
        if bound and bound != ovo:
            raise WorkspaceMismatch(
                f"Deze werkruimte synchroniseerde eerder met {bound}; het token hoort bij "
                f"{ovo}. Gebruik het token van {bound} of een andere werkruimte."
            )
        agency = self.ws.agency()
        if agency is not None and agency.ovo_code and agency.ovo_code != ovo:
            raise WorkspaceMismatch(
                f"Het token hoort bij {ovo} maar deze werkruimte is van {agency.ovo_code}. "
                "Er is niets verstuurd."
            )
        if bound != ovo:
            self.ws.set_meta(WORKSPACE, ovo)
        return ovo

    # -- pull ----------------------------------------------------------------------------

    def _cursor(self) -> int:
        try:
            return int(self.ws.get_meta(CURSOR) or 0)
        except ValueError:
            return 0

    def _pull(self) -> None:
        since = self._cursor()
        done = 0
        reset = False
        while True:
            page = self.client.pull(self.workspace, since, self.page_size)
            if page.get("reset") and not reset:
                # The tracker lost what we saw (restored backup): read everything again.
                reset = True
                since = 0
                self.ws.set_meta(CURSOR, "0")
                continue
            records = page.get("records", [])
            with self.ws.transaction():
                self._apply_pulled(records)
                self.ws.set_meta(CURSOR, str(page["cursor"]))
            done += len(records)
            self.result.pulled += len(records)
            remaining = int(page.get("remaining", 0) or 0)
            received = f"{plural(done, 'record', 'records')} ontvangen"
            self._progress(Progress("pull", done, done + remaining, received))
            since = page["cursor"]
            if not page.get("has_more"):
                return

    def _locals(self, kind: type[Record], ids: list[str]) -> dict[str, Record]:
        out: dict[str, Record] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            for rec in self.ws.find(kind, id=chunk, include_deleted=True):
                out[rec.id] = rec
        return out

    def _apply_pulled(self, wires: list[dict[str, Any]]) -> None:
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for w in wires:
            if w.get("kind") in RECORD_KINDS:
                by_kind.setdefault(w["kind"], []).append(w)
        writes: list[Record] = []
        with conflicts.Batch(self.ws) as batch:  # one write of the conflict map per page
            self._apply_pulled_kinds(by_kind, writes, batch)
        if writes:
            self.ws.put_synced(writes)
        self._flush_merged_bases()

    def _flush_merged_bases(self) -> None:
        """A merged record is a local edit on their revision: its base is their data. (A
        clean record needs no copy: the store keeps one at its first local edit.)"""
        if self._merged_bases:
            self.ws.put_bases(self._merged_bases)
            self._merged_bases = []

    def _apply_pulled_kinds(
        self, by_kind: dict[str, list[dict[str, Any]]], writes: list[Record], batch
    ) -> None:
        pending = batch.keys()
        for kind, items in by_kind.items():
            cls = RECORD_KINDS[kind]
            local = self._locals(cls, [str(w.get("id")) for w in items])
            for wire in items:
                theirs, problems = checked_from_wire(wire)
                if theirs is None:
                    self.result.skipped.extend(problems)
                    continue
                mine = local.get(theirs.id)
                if mine is None and kind == "agency":
                    mine = self._adopt_agency(theirs, wire, writes, batch)
                    if mine is theirs:
                        continue
                if kind == "review" and (mine is None or mine.rev != theirs.rev):
                    self.result.reviews += 1
                if mine is None or not mine.dirty:
                    if mine is None or mine.rev != theirs.rev or not _identical(mine, theirs):
                        writes.append(theirs)
                    continue
                # Unpushed local edits.
                if mine.rev == theirs.rev:
                    # Only tracker-owned fields moved (a review): take those, keep my edit.
                    changed = False
                    for name in SERVER_FIELDS.get(kind, ()):
                        if getattr(mine, name) != getattr(theirs, name):
                            setattr(mine, name, getattr(theirs, name))
                            changed = True
                    if changed:
                        writes.append(mine)
                elif same_content(mine, theirs):
                    writes.append(theirs)  # both sides made the same change
                    if f"{kind}/{theirs.id}" in pending:
                        batch.drop(f"{kind}/{theirs.id}")
                else:
                    self._merge_or_record(kind, mine, theirs, wire, writes, batch, pending)

    def _merge_or_record(
        self,
        kind: str,
        mine: Record,
        theirs: Record,
        wire: dict[str, Any],
        writes: list[Record],
        batch: conflicts.Batch,
        pending: set[str],
    ) -> None:
        """Edits to different fields merge (based on their revision now, still to push);
        the same field changed differently on both sides waits for a person."""
        key = f"{kind}/{theirs.id}"
        merged = conflicts.merge_with_base(self.ws, kind, mine, theirs)
        if merged is not None:
            writes.append(merged)
            self.result.merged += 1
            if theirs.rev is not None:  # always, for a record from the tracker
                self._merged_bases.append((kind, theirs.id, theirs.rev, record_data(theirs)))
            if key in pending:
                batch.drop(key)
            return
        if key not in pending:
            self.result.new_conflicts += 1
        batch.record(kind, theirs.id, wire)

    def _adopt_agency(
        self, theirs: Record, wire: dict[str, Any], writes: list[Record], batch
    ) -> Record | None:
        """A workspace made offline has its own agency record; the tracker already has the
        agency. Adopt the tracker's record (one agency per workspace) and keep what was
        entered locally as an edit on top of it, as a conflict when both filled a field."""
        never_synced = [a for a in self.ws.list(Agency) if a.rev is None]
        if len(never_synced) != 1 or self.ws.count(Agency) != 1:
            return None
        local = never_synced[0]
        mine_data, theirs_data = record_data(local), record_data(theirs)
        merged = dict(theirs_data)
        clash = False
        empty: tuple[object, ...] = ("", None, {}, [])
        for name, value in mine_data.items():
            if value in empty or value == theirs_data.get(name):
                continue
            merged[name] = value  # filled in locally: kept, never dropped
            clash = clash or theirs_data.get(name) not in empty
        # The local placeholder goes (the tracker never had it); its references move.
        local.deleted = True
        local.dirty = False
        writes.append(local)
        self._move_references("agency", local.id, theirs.id)
        if merged == theirs_data:
            theirs.dirty = False
            writes.append(theirs)
            return theirs
        mine = type(theirs)(
            id=theirs.id,
            rev=theirs.rev,
            dirty=True,
            updated_at=local.updated_at,
            updated_by=local.updated_by,
            **merged,
        )
        writes.append(mine)
        if clash:
            batch.record("agency", theirs.id, wire)
            self.result.new_conflicts += 1
        return theirs  # handled

    def _move_references(self, scope_kind: str, old: str, new: str) -> None:
        for cls in RECORD_KINDS.values():
            if "scope_id" not in cls.data_field_names():
                continue
            moved = self.ws.find(cls, scope_kind=scope_kind, scope_id=old, include_deleted=True)
            for rec in moved:
                rec.scope_id = new
            if moved:
                self.ws.save_many(moved)

    # -- push ----------------------------------------------------------------------------

    def _replay_pending(self) -> None:
        body = self.ws.get_meta(PENDING_PUSH)
        key = self.ws.get_meta(PENDING_KEY)
        if not body or not key:
            return
        self._progress(Progress("push", message="Onderbroken verzending hervatten…"))
        answer = self.client.push(self.workspace, body.encode("utf-8"), key)
        self._apply_push_answer(json.loads(body), answer)

    def _push(self) -> bool:
        """Push every dirty record; True when the tracker vouched for the cursor after
        every batch (no second pull needed)."""
        skip = conflicts.pending_keys(self.ws)
        todo: list[Record] = []
        for kind in PUSH_KINDS:
            todo.extend(
                r for r in self.ws.dirty(RECORD_KINDS[kind]) if f"{kind}/{r.id}" not in skip
            )
        todo, unsendable = wire_sendable(todo)  # values the tracker would refuse stay here
        self.result.skipped.extend(unsendable)
        vouched = True
        total = len(todo)
        batches = wire_batches(todo, self.batch_size, MAX_BODY_BYTES)
        done = 0
        # The next batch is encoded while the tracker works on the current one.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-encode") as pool:
            upcoming = pool.submit(_encode, batches[0]) if batches else None
            for i, batch in enumerate(batches):
                assert upcoming is not None  # submitted before each turn of this loop
                wires, records_json = upcoming.result()
                if i + 1 < len(batches):
                    upcoming = pool.submit(_encode, batches[i + 1])
                since = self._cursor()
                text = f'{{"since": {since}, "records": {records_json}}}'
                key = str(uuid.uuid4())
                # Persist before sending: if we die after the tracker applied it, the
                # replay with the same key and bytes gets the same answer, not a double.
                with self.ws.transaction():
                    self.ws.set_meta(PENDING_KEY, key)
                    self.ws.set_meta(PENDING_PUSH, text)
                answer = self.client.push(self.workspace, text.encode("utf-8"), key)
                body = {"since": since, "records": wires}
                vouched = self._apply_push_answer(body, answer) and vouched
                done += len(batch)
                self._progress(Progress("push", done, total, f"{done} van {total} verstuurd"))
        return vouched

    def _apply_push_answer(self, body: dict[str, Any], answer: dict[str, Any]) -> bool:
        sent = {(r["kind"], r["id"]): r for r in body["records"]}
        with self.ws.transaction():
            marks: dict[str, list[tuple[str, int, str, bool]]] = {}
            adjusted = []
            for item in answer.get("applied", []):
                was = sent.get((item["kind"], item["id"]))
                if was is None or item["kind"] not in RECORD_KINDS:
                    continue
                # Clean unless edited again while the batch was in flight: then it stays
                # dirty, now based on the revision just created.
                marks.setdefault(item["kind"], []).append(
                    (item["id"], item["rev"], was["updated_at"], was["deleted"])
                )
                if item.get("server_data"):
                    adjusted.append(item)
                self.result.pushed += 1
            for kind, items in marks.items():
                self.ws.mark_pushed(RECORD_KINDS[kind], items)
                self._base_for_edited_in_flight(kind, items, sent)
            writes: list[Record] = []
            for item in adjusted:  # tracker-owned fields the tracker kept its value of
                rec = self.ws.get(RECORD_KINDS[item["kind"]], item["id"])
                if rec is not None:
                    for name, value in item["server_data"].items():
                        if hasattr(rec, name):
                            setattr(rec, name, value)
                    writes.append(rec)
            with conflicts.Batch(self.ws) as batch:  # one write of the conflict map
                self._record_push_conflicts(answer, writes, batch)
            if writes:
                self.ws.put_synced(writes)
            self._flush_merged_bases()
            vouched = answer.get("cursor") is not None
            if vouched and self._cursor() == body.get("since"):
                self.ws.set_meta(CURSOR, str(answer["cursor"]))
            else:
                vouched = False
            self.ws.set_meta(PENDING_PUSH, "")
            self.ws.set_meta(PENDING_KEY, "")
        return vouched

    def _base_for_edited_in_flight(
        self, kind: str, items: list[tuple[str, int, str, bool]], sent: dict
    ) -> None:
        """A record edited while its batch was in flight stays dirty on the new revision;
        what was sent is the data at that revision, its base for a later merge."""
        revs = {rid: rev for rid, rev, _, _ in items}
        still_dirty = self.ws.dirty_among(RECORD_KINDS[kind], revs)
        self.ws.put_bases((kind, rid, revs[rid], sent[(kind, rid)]["data"]) for rid in still_dirty)

    def _record_push_conflicts(
        self, answer: dict[str, Any], writes: list[Record], batch: conflicts.Batch
    ) -> None:
        pending = batch.keys()
        for item in answer.get("conflicts", []):
            theirs = from_wire(item["server"])
            if theirs is None:
                continue
            rec = self.ws.get(type(theirs), item["id"])
            if rec is None:
                continue
            if same_content(rec, theirs):
                writes.append(theirs)  # e.g. a replay after the key expired
                continue
            self._merge_or_record(item["kind"], rec, theirs, item["server"], writes, batch, pending)

    # -- submissions ---------------------------------------------------------------------

    def _upload_submissions(self) -> int:
        # A version is read only to be sent: at 20,000 products its text is ~145 MB, and
        # reading every unsent version to find it too long took 712 MiB for two
        # (RESULTS.md, round 13). Its length is told from its stored size first.
        heads = [
            (sid, version, deleted)
            for sid, version, deleted, dirty in self.ws.columns(
                Submission, ("id", "version", "deleted", "dirty"), include_deleted=True
            )
            if dirty
        ]
        n = 0
        for sid, version, deleted in heads:
            if deleted:
                # Submissions are immutable on the tracker: a local removal stays local.
                self.ws.clear_dirty(Submission, sid)
                continue
            too_long = self._too_long(sid, version)
            if too_long:
                self.result.skipped.append(too_long)
                continue
            sub = self.ws.get(Submission, sid)
            if sub is None:
                continue
            todo, unsendable = wire_sendable([sub])
            self.result.skipped.extend(unsendable)
            if not todo:
                continue
            self._progress(
                Progress("submissions", n, len(heads), f"Indiening v{sub.version} opladen…")
            )
            answer = self.client.upload_submission(
                self.workspace,
                {
                    "id": sub.id,
                    "version": sub.version,
                    "created_at": sub.created_at,
                    "author": sub.author,
                    "updated_at": sub.updated_at,
                    "sha256": sub.sha256,
                    "content": sub.content,
                },
            )
            stored = from_wire(answer)
            if stored is not None:
                self.ws.put_synced([stored])
            n += 1
        self.result.submissions += n
        return n

    def _too_long(self, sid: str, version: int) -> str:
        """Why the tracker would refuse this version for its length ("" when it would
        not), from its size in bytes, and only between 1 and 4 bytes a character from
        its text, counted in pieces."""
        limit = elo_contract.MAX_SUBMISSION_CHARS
        size = self.ws.text_size(Submission, sid, "content")
        if size <= limit:
            return ""
        # (a character takes at most 4 bytes: beyond 4 x the limit in bytes, too long)
        told = f"meer dan {format_number(limit)} tekens"
        if size <= 4 * limit:
            try:
                chars = sum(map(len, self.ws.text_pieces(Submission, sid, "content")))
            except WorkspaceError as exc:  # (damaged: this one stays, the rest syncs)
                return f"Indiening v{version} niet verstuurd: {exc}"
            if chars <= limit:
                return ""
            told = f"{format_number(chars)} tekens"
        return (
            f"Indiening v{version} niet verstuurd: de inhoud telt {told}, de tracker "
            f"aanvaardt er hoogstens {format_number(limit)}. De versie blijft in de "
            "werkruimte; bezorg ze als bestand (Indiening, x: exporteren)."
        )


def _encode(batch: list[Record]) -> tuple[list[dict[str, Any]], str]:
    wires = [to_wire(r) for r in batch]
    return wires, json.dumps(wires, ensure_ascii=False, allow_nan=False)


def _identical(a: Record, b: Record) -> bool:
    return same_content(a, b) and a.updated_at == b.updated_at and a.updated_by == b.updated_by


def sync_workspace(ws, client: TrackerClient, **kwargs: Any) -> SyncResult:
    return SyncEngine(ws, client, **kwargs).run()
