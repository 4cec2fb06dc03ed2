"""Checklists as the screens and commands use them: templates, instantiating, editing.

Templates are read and validated (pydantic) once per process, on first need, and cached;
screens warm the cache in a worker so that a cell edit never waits for it. Problems in
template files are kept, to be shown, but never stop the app: the valid templates work.
"""

from __future__ import annotations

import threading
from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import compress, groupby
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from elo_tui.domain import checklists as cl
from elo_tui.domain import formats
from elo_tui.domain.blocks import REQUIRED, parse_date
from elo_tui.domain.records import Application, BlockStatus, ChecklistItem, Product
from elo_tui.services.paging import PagedRows, ReadAhead
from elo_tui.store import Workspace

_lock = threading.Lock()
_cache: dict[Path, tuple[list[cl.Template], list[Any]]] = {}


def load_templates(directory: Path | None = None, *, reload: bool = False):
    """(valid templates, problems) for `directory` (default: the checklists folder)."""
    from elo_tui import paths

    directory = Path(directory or paths.checklists_dir())
    with _lock:
        if reload or directory not in _cache:
            from elo_tui.domain.templates import load_all  # pydantic: only now

            _cache[directory] = load_all(directory)
        return _cache[directory]


def templates() -> list[cl.Template]:
    return load_templates()[0]


def template_problems() -> list[Any]:
    return load_templates()[1]


def find_step(template_id: str, step_key: str) -> tuple[cl.Template | None, cl.Step | None]:
    for t in templates():
        if t.id == template_id:
            return t, t.step(step_key)
    return None, None


# -- following the block statuses -----------------------------------------------------------


def plan_for_status(
    ws: Workspace, status: BlockStatus, today: date, old_target_date: str | None = None
) -> cl.ChecklistPlan:
    """What must change in the checklists of one scope after its block status changed."""
    existing = ws.find(ChecklistItem, scope_kind=status.scope_kind, scope_id=status.scope_id)
    return cl.plan_scope(
        templates(),
        scope_kind=status.scope_kind,
        scope_id=status.scope_id,
        block=status.block,
        required=status.applicability == REQUIRED and not status.deleted,
        existing=existing,
        today=today,
        target_date=status.target_date,
        old_target_date=old_target_date,
    )


def plan_for_application(ws: Workspace, application, today: date) -> cl.ChecklistPlan:
    """The aftoetsing of a new or fundamentally renewed application follows `is_new`."""
    existing = ws.find(ChecklistItem, scope_kind="application", scope_id=application.id)
    return cl.plan_new_application(
        templates(), application.id, application.is_new and not application.deleted, existing, today
    )


def save_plan(ws: Workspace, plan: cl.ChecklistPlan) -> int:
    if not plan:
        return 0
    return ws.save_many([*plan.create, *plan.update])


def sync_all(ws: Workspace, today: date) -> cl.ChecklistPlan:
    """Bring every checklist in line with the block statuses (after import or sync)."""
    agency = ws.agency()
    plan = (
        cl.plan_all(
            templates(),
            agency.id if agency else "",
            ws.list(BlockStatus),
            ws.list(ChecklistItem),
            today,
            ws.list(Application),
        )
        if agency
        else cl.ChecklistPlan()
    )
    with ws.transaction():
        save_plan(ws, plan)
    return plan


# -- editing one item --------------------------------------------------------------------------

MAX_OWNER = 200
MAX_TEXT = 10_000


def validate_item(values: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Clean the fields of a checklist item edit; (clean, field -> Dutch message)."""
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    status = str(values.get("status") or "open")
    if status not in cl.ITEM_STATUSES:
        errors["status"] = f"Onbekende status '{status}'."
    clean["status"] = status
    owner = str(values.get("owner") or "").strip()
    if len(owner) > MAX_OWNER:
        errors["owner"] = f"Te lang (maximaal {MAX_OWNER} tekens)."
    clean["owner"] = owner
    due = str(values.get("due_date") or "").strip()
    try:
        due = formats.parse_date_iso(due)  # stored as ISO, typed the Belgian way
    except formats.FormatError as exc:
        errors["due_date"] = str(exc)
    clean["due_date"] = due
    evidence = str(values.get("evidence") or "").strip()
    if "://" in evidence:
        parsed = urlparse(evidence)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            errors["evidence"] = (
                "Een link moet met http:// of https:// beginnen; een bestandsverwijzing "
                "schrijf je zonder '://'."
            )
    if len(evidence) > MAX_TEXT:
        errors["evidence"] = f"Te lang (maximaal {MAX_TEXT} tekens)."
    clean["evidence"] = evidence
    note = str(values.get("note") or "")
    if len(note) > MAX_TEXT:
        errors["note"] = f"Te lang (maximaal {MAX_TEXT} tekens)."
    clean["note"] = note
    return clean, errors


def save_item(
    ws: Workspace, item: ChecklistItem, values: dict[str, Any], today: date
) -> tuple[ChecklistItem | None, dict[str, str]]:
    """Validate and save an edit. A monthly step set to done comes back open a month later,
    with a line in its note, so the next report is on the agenda again."""
    clean, errors = validate_item(values)
    if errors:
        return None, errors
    for key, value in clean.items():
        setattr(item, key, value)
    if item.status == "done":
        _, step = find_step(item.template, item.step) if item.template else (None, None)
        if step is not None and step.recurrence == "monthly":
            due = parse_date(item.due_date) or today
            next_due = cl.add_month(due)
            while next_due <= today:
                next_due = cl.add_month(next_due)
            item.status = "open"
            item.due_date = next_due.isoformat()
            line = f"Afgevinkt op {formats.format_date(today)}."
            item.note = f"{item.note.rstrip()}\n{line}".lstrip("\n")
    ws.save(item)
    return item, {}


def set_status(ws: Workspace, item: ChecklistItem, status: str, today: date) -> ChecklistItem:
    values = {k: getattr(item, k) for k in ("owner", "due_date", "evidence", "note")}
    saved, errors = save_item(ws, item, {**values, "status": status}, today)
    if errors:
        raise ValueError(next(iter(errors.values())))
    assert saved is not None
    return saved


# -- the agenda ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgendaRow:
    bucket: str
    item: ChecklistItem
    scope_name: str
    block_stage: str = ""  # the matrix's stage of the item's block for its scope
    rowid: int = field(default=0, compare=False)  # where it is in the store (paged agenda)

    @property
    def contradiction(self) -> str:
        """'Bouwsteen staat in productie, maar stap … is niet afgevinkt.' or ''."""
        return cl.matrix_contradiction(self.item, self.block_stage)


def scope_names(ws: Workspace) -> dict[tuple[str, str], str]:
    """Display names of every scope a checklist item can belong to."""
    names: dict[tuple[str, str], str] = {}
    agency = ws.agency()
    if agency is not None:
        names[("agency", agency.id)] = agency.name or "Entiteit"
    # Two columns, not whole records: at 20,000 products this was ~1 s of the agenda.
    for app_id, name in ws.columns(Application, ("id", "name")):
        names[("application", app_id)] = name
    for product_id, name in ws.columns(Product, ("id", "name")):
        names[("product", product_id)] = name
    return names


def with_saved_item(rows: list[AgendaRow], item: ChecklistItem, today: date) -> list[AgendaRow]:
    """The agenda after one item was saved: that row re-bucketed, the whole list back in
    agenda order (so overdue and due-soon stay on top), without reading the store again."""
    out = [
        AgendaRow(cl.bucket(item, today), item, r.scope_name, r.block_stage)
        if r.item.id == item.id
        else r
        for r in rows
    ]
    out.sort(key=lambda r: cl.agenda_order(r.bucket, r.item))
    return out


def load_agenda(ws: Workspace, today: date) -> list[AgendaRow]:
    names = scope_names(ws)
    stages = {
        (s.scope_kind, s.scope_id, s.block): s.stage
        for s in ws.list(BlockStatus)
        if s.applicability == REQUIRED
    }
    return [
        AgendaRow(
            b,
            item,
            names.get((item.scope_kind, item.scope_id), "(verwijderd)"),
            stages.get((item.scope_kind, item.scope_id, item.block), ""),
        )
        for b, item in cl.agenda(ws.list(ChecklistItem), today)
    ]


# -- the agenda, paged from the store ------------------------------------------------------------

MISSING_SCOPE = "(verwijderd)"
SHOW_RANKS: dict[str, tuple[str, ...]] = {
    "open": ("overdue", "soon", "later", "no_date"),
    "overdue": ("overdue",),
    "soon": ("soon",),
    "closed": ("closed",),
    "obsolete": ("obsolete",),
}
FIRST_ROWS = 2 * PagedRows.PAGE  # rows a first screen reads in order before the full order is known
# Above this many groups of equal (obsolete, status, due date, title) the full order is
# sorted in SQL: one index lookup per group would cost more (steps with titles of their own).
MAX_GROUPS = 2_000


def _names(ws: Workspace) -> dict[str, Any]:
    agency = ws.agency()
    return {
        "agency_id": agency.id if agency is not None else None,
        "agency_name": (agency.name or "Entiteit") if agency is not None else "",
        "missing": MISSING_SCOPE,
    }


class Agenda(PagedRows[AgendaRow]):
    """The agenda as the table sees it: every row in order, but only the rowids are held;
    rows are read from the store a page at a time when they come on screen.

    On a first screen only the first rows' ids may be known (`AgendaReader`: read from
    the step groups, without ordering every step); `complete` then gives the whole
    order, when a row past them is asked for (a worker has usually read it by then)."""

    def __init__(
        self,
        ws: Workspace,
        today: date,
        ids,
        names: dict[str, Any],
        *,
        length: int | None = None,
        complete: Any = None,
        beyond: Any = None,
    ) -> None:
        super().__init__(ids)  # rowids in agenda order (the first ones while incomplete)
        self.ws = ws
        self.today = today
        self._names = names
        self._length = length
        self._complete = complete  # () -> every rowid in order
        self._beyond = beyond  # item -> whether it would come after the known ids

    def __len__(self) -> int:
        return len(self.ids) if self._length is None else self._length

    @property
    def complete(self) -> bool:
        return self._complete is None

    def _read_all(self) -> None:
        if self._complete is not None:
            self.ids = self._complete()
            self._complete = self._beyond = None
            self._length = None

    def _before_page(self, number: int) -> None:
        if self._complete is not None and (number + 1) * self.PAGE > len(self.ids):
            self._read_all()

    def _read_page(self, ids) -> list[AgendaRow]:
        found = self.ws.checklist_agenda_rows(ids, self._names, REQUIRED)
        page = []
        for rowid in ids:
            item, name, stage = found[rowid]
            page.append(AgendaRow(cl.bucket(item, self.today), item, name, stage, rowid))
        return page

    def _find(self, rowid: int | None, item: ChecklistItem | None) -> int | None:
        if rowid is None:
            return None
        try:
            return self.ids.index(rowid)
        except ValueError:
            pass
        if self._complete is None or item is None or not self._beyond(item):
            return None  # not in the agenda (or filtered out)
        self._read_all()
        try:
            return self.ids.index(rowid)
        except ValueError:
            return None

    def index(self, row: Any, start: int = 0, stop: int | None = None) -> int:
        rowid = getattr(row, "rowid", 0) or self.ws.rowid_of(ChecklistItem, row.item.id)
        at = self._find(rowid, row.item)
        if at is None:
            raise ValueError("not in the agenda")
        return at

    def position_of(self, item_id: str) -> int | None:
        rowid = self.ws.rowid_of(ChecklistItem, item_id)
        if rowid is None:
            return None
        at = self._find(rowid, None)
        if at is None and self._complete is not None:
            item = self.ws.get(ChecklistItem, item_id)
            at = self._find(rowid, item) if item is not None and not item.deleted else None
        return at


def _sort_key(rank: int, due_date: Any, title: Any) -> tuple[int, str, str]:
    """The agenda's order (cl.agenda_order, and the store's ORDER BY) from stored fields."""
    return rank, due_date or "9999", (title or "").casefold()


@dataclass(frozen=True, slots=True)
class _Group:
    """Live steps with equal (obsolete, status, due date, title): one bucket, one place."""

    key: tuple[int, str, str]  # _sort_key
    count: int
    dated: tuple[str, str] | None  # (due_date, title) of an open dated group
    rest: tuple[Any, Any, Any, Any] | None  # (obsolete, status, due_date, title) otherwise


def _rank(today: date):
    def rank(obsolete, status, due_date) -> int:
        return cl.bucket_rank(obsolete, status or "", due_date or "", today)

    return rank


def _rules(today: date) -> dict[str, Any]:
    """The domain's bucket rule (cl.bucket_of) as values, for the store's SQL fast path;
    every due date that is not plainly ISO goes through `cl.bucket_rank` itself."""
    order = list(cl.BUCKETS)
    return {
        "closed_statuses": sorted(cl.CLOSED_STATUSES),
        "ranks": {b: order.index(b) for b in order},
        "today": today.isoformat(),
        "soon_until": (today + timedelta(days=cl.SOON_DAYS)).isoformat(),
    }


@dataclass(frozen=True, slots=True)
class AgendaCounts:
    total: int
    buckets: dict[str, int]
    contradicting: int


class AgendaReader:
    """Reads the agenda of one workspace on one day. The first screen comes from the step
    groups (`Workspace.checklist_agenda_groups`: the bucket counts and the first rows in
    order, from two index scans, ~20 ms at 128,000 steps); the full order (rowids and
    bucket ranks, ~1.2 MB, ~0.4 s) is read once, in a worker (`agenda_order` +
    `set_order`) or when a row past the first ones is asked for. The show filter comes
    from it without SQL, the block and search filters in SQL. Everything is read again
    when the file changed (`change_stamp`: this connection's saves, sync pulls, imports,
    undo, other processes)."""

    def __init__(self, ws: Workspace, today: date) -> None:
        self.ws = ws
        self.today = today
        self._full: tuple[Any, Any] | None = None
        self._groups: list[_Group] | None = None
        self._stamp: tuple[int, int] | None = None
        self._names: dict[str, Any] = {}
        self._contradicting: int | None = None

    def _fresh(self) -> None:
        stamp = self.ws.change_stamp()
        if stamp != self._stamp:
            self._stamp = stamp
            self._full = None
            self._groups = None
            self._contradicting = None
            self._names = _names(self.ws)

    def _order(self, block: str | None = None, needle: str = "") -> tuple[Any, Any]:
        return self.ws.checklist_agenda_ids(
            _rank(self.today),
            _rules(self.today),
            scope_kind="agency" if block == "agency" else "",
            block=block if block and block != "agency" else "",
            needle=needle,
            names=self._names,
        )

    def _step_groups(self) -> list[_Group] | None:
        """The live steps in groups, sorted in agenda order; None when the store's index
        split does not match the domain's closed statuses (then: the full order)."""
        if set(self.ws.AGENDA_CLOSED_STATUSES) != cl.CLOSED_STATUSES:
            return None
        if self._groups is None:
            rank = _rank(self.today)
            ahead = _groups_ahead.take(self.ws.path, self._stamp)
            dated, rest = ahead if ahead is not None else self.ws.checklist_agenda_groups()
            # An open dated step: not obsolete, a status that is not closed, a due date.
            groups = [
                _Group(_sort_key(rank(0, "open", due), due, title), n, (due, title), None)
                for due, title, n in dated
            ]
            groups += [
                _Group(
                    _sort_key(rank(obs, status, due), due, title),
                    n,
                    None,
                    (obs, status, due, title),
                )
                for obs, status, due, title, n in rest
            ]
            groups.sort(key=lambda g: g.key)
            self._groups = groups
        return self._groups

    def _first(self, wanted: set[int], at_least: int) -> tuple[Any, int, Any]:
        """(the first `at_least` or more rowids in order, how many there are in all, the
        sort key of the last one read) of the steps whose bucket rank is in `wanted`."""
        groups = [g for g in self._step_groups() or () if g.key[0] in wanted]
        taken: list[_Group] = []
        n = 0
        for g in groups:
            # whole groups, and every group sorting equal to the last one taken
            if n >= at_least and g.key != taken[-1].key:
                break
            taken.append(g)
            n += g.count
        dated = [g for g in taken if g.dated is not None]
        rest = [g for g in taken if g.rest is not None]
        per_group = self.ws.checklist_group_rowids(
            [g.dated for g in dated if g.dated], [g.rest for g in rest if g.rest]
        )
        rows = [
            (g.key, rowid) for g, ids in zip(dated + rest, per_group, strict=True) for rowid in ids
        ]
        rows.sort()
        total = sum(g.count for g in groups)
        return array("q", (r for _, r in rows)), total, taken[-1].key if taken else None

    def rows(self, *, show: str = "all", block: str | None = None, needle: str = "") -> Agenda:
        self._fresh()
        order = list(cl.BUCKETS)
        wanted = (
            {order.index(b) for b in SHOW_RANKS[show]}
            if show in SHOW_RANKS
            else set(range(len(order)))
        )
        if block or needle:
            ids, ranks = self._order(block, needle)
        elif self._full is None and self._step_groups() is not None:
            first, total, last = self._first(wanted, FIRST_ROWS)
            if len(first) >= total:
                return Agenda(self.ws, self.today, first, self._names)

            def beyond(item: ChecklistItem) -> bool:
                rank = order.index(cl.bucket(item, self.today))
                return rank in wanted and _sort_key(rank, item.due_date, item.title) > last

            return Agenda(
                self.ws,
                self.today,
                first,
                self._names,
                length=total,
                complete=lambda: self._filtered(self._full_order(), wanted),
                beyond=beyond,
            )
        else:
            ids, ranks = self._full_order()
        if show in SHOW_RANKS:
            ids = self._filtered((ids, ranks), wanted)
        return Agenda(self.ws, self.today, ids, self._names)

    @staticmethod
    def _filtered(order: tuple[Any, Any], wanted: set[int]):
        ids, ranks = order
        return array("q", compress(ids, [r in wanted for r in ranks]))

    def _full_order(self) -> tuple[Any, Any]:
        self._fresh()
        if self._full is None:
            groups = self._step_groups()
            if groups is not None and len(groups) <= MAX_GROUPS:
                self._full = self._order_of(groups)
            else:
                self._full = self._order()
        return self._full

    def _order_of(self, groups: list[_Group]) -> tuple[Any, Any]:
        """The full order from the step groups (already in agenda order): each group's
        rowids in table order, groups sorting equal merged by rowid. Index lookups only,
        no per-step Python call in SQL: ~5x faster than `_order` at 128,000 steps."""
        dated = [g for g in groups if g.dated is not None]
        rest = [g for g in groups if g.rest is not None]
        per_group = self.ws.checklist_group_rowids(
            [g.dated for g in dated if g.dated], [g.rest for g in rest if g.rest]
        )
        rowids = {id(g): r for g, r in zip(dated + rest, per_group, strict=True)}
        ids, ranks = array("q"), array("b")
        for key, equal in groupby(groups, key=lambda g: g.key):
            same = list(equal)
            found = (
                rowids[id(same[0])]
                if len(same) == 1
                else sorted(r for g in same for r in rowids[id(g)])
            )
            ids.extend(found)
            ranks.extend(bytes([key[0]]) * len(found))
        return ids, ranks

    def set_order(self, order: tuple[Any, Any], stamp: tuple[int, int]) -> bool:
        """The full order read elsewhere (`agenda_order`) for the file at `stamp`; kept only
        when the file has not changed since (True)."""
        self._fresh()
        if stamp != self._stamp:
            return False
        self._full = order
        return True

    def set_contradictions(self, count: int, stamp: tuple[int, int]) -> bool:
        """A count made elsewhere (`count_contradictions`) for the file at `stamp`; kept
        only when the file has not changed since (True)."""
        self._fresh()
        if stamp != self._stamp:
            return False
        self._contradicting = count
        return True

    @property
    def stamp(self) -> tuple[int, int] | None:
        return self._stamp

    def counts(self, *, contradictions: bool = True) -> AgendaCounts:
        """Steps per bucket, and those contradicting the matrix (-1: not counted yet, when
        `contradictions` is False: the screen counts them in a worker)."""
        self._fresh()
        order = list(cl.BUCKETS)
        groups = self._step_groups() if self._full is None else None
        if groups is not None:
            per_rank: Counter[int] = Counter()
            for g in groups:
                per_rank[g.key[0]] += g.count
            total = sum(per_rank.values())
        else:
            ids, ranks = self._full_order()
            per_rank, total = Counter(ranks), len(ids)
        if contradictions and self._contradicting is None:
            self._contradicting = self.ws.checklist_contradictions(cl.contradicts, REQUIRED)
        return AgendaCounts(
            total,
            {order[r]: n for r, n in per_rank.items() if n},
            self._contradicting if self._contradicting is not None else -1,
        )


def agenda_order(path: Path, today: date) -> tuple[Any, Any]:
    """The full agenda order (rowids, bucket ranks) on a connection of its own (a worker
    thread, after the first frame); hand it to `AgendaReader.set_order`."""
    with Workspace.open(path) as ws:
        reader = AgendaReader(ws, today)
        return reader._full_order()  # noqa: SLF001


def count_contradictions(path: Path) -> int:
    """Steps open while the matrix has their block in production, on a connection of its
    own (a worker thread: ~0.5 s at 128,000 steps, after the first frame)."""
    with Workspace.open(path) as ws:
        return ws.checklist_contradictions(cl.contradicts, REQUIRED)


def agenda_rows(
    ws: Workspace, today: date, *, show: str = "all", block: str | None = None, needle: str = ""
) -> Agenda:
    """The agenda filtered as the checklist screen does: `show` one of SHOW_RANKS or
    "all", `block` a block code or "agency" (the agency-wide steps), `needle` casefolded
    text to find in "title scope-name". Ordered and filtered in SQL, read in pages."""
    return AgendaReader(ws, today).rows(show=show, block=block, needle=needle)


# The step groups read ahead (the app's background preload), with the app connection's
# change stamp taken before that read began: that first visit then reads none (~25 ms
# at 128,000 steps).
_groups_ahead: ReadAhead[Any] = ReadAhead()


def read_groups_ahead(reader: Workspace, stamp: tuple[int, int]) -> None:
    """Read the agenda's step groups on `reader` (a preload thread's own connection) for
    the app connection whose `change_stamp()` was `stamp` before this began."""
    _groups_ahead.put(reader.path, stamp, reader.checklist_agenda_groups())


def agenda_stamp(ws: Workspace) -> tuple[int, int]:
    """Changes when the workspace file changed, by this connection or another one (a sync
    pull, an import, undo, another process): the screen then reads the agenda again."""
    return ws.change_stamp()


def agenda_counts(ws: Workspace, today: date) -> AgendaCounts:
    """Steps per bucket and those contradicting the matrix, counted in SQL."""
    return AgendaReader(ws, today).counts()
