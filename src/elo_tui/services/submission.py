"""Co-financing submissions: completeness check, frozen versions, diffs, import.

A submission is created only when the completeness check finds nothing blocking. It is
stored as a `Submission` record holding the canonical JSON of the snapshot and its
SHA-256; nothing ever rewrites it, so later edits of the workspace do not change it.
Exports (io/export_*.py) render a submission's content, never the live workspace.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import tempfile
import weakref
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import partial
from itertools import islice, pairwise
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar, cast

from elo_tui import __version__
from elo_tui.domain import completeness
from elo_tui.domain import estimate as est
from elo_tui.domain import submission as sub
from elo_tui.domain.blocks import SCOPE_PRODUCT
from elo_tui.domain.completeness import Issue
from elo_tui.domain.pacing import Pause, no_pause
from elo_tui.domain.records import (
    Agency,
    Application,
    BlockStatus,
    ChecklistItem,
    EstimateLine,
    Product,
    Record,
    Submission,
    utc_now,
)
from elo_tui.io.page_spool import PageSpool, SortedSpool, SpooledRows
from elo_tui.store import Workspace, WorkspaceError

if TYPE_CHECKING:
    from elo_tui.domain.readiness import AtRisk, ReadinessSummary

R = TypeVar("R", bound=Record)
T = TypeVar("T")


class IncompleteError(Exception):
    """The request misses information; `issues` says exactly what (blocking first)."""

    def __init__(self, issues: list[Issue]) -> None:
        n = len(completeness.blocking(issues))
        super().__init__(
            f"De aanvraag is niet volledig: {n} blokkerend{'e punten' if n != 1 else ' punt'}."
        )
        self.issues = issues


@dataclass(slots=True)
class State:
    """The workspace as read once for a check or a snapshot."""

    agency: Agency | None
    applications: list[Application]
    # (a paged state's: StoredProducts, read from the store each time they are gone through)
    products: Collection[Product]
    block_statuses: list[BlockStatus]
    lines: list[EstimateLine]
    summary: est.EstimateSummary
    # Canonical dicts per submission section; a section of `read_state(held=...)` is a
    # HeldSection instead (its records, and its JSON and TOML already encoded).
    sections: dict[str, Any]
    # With `read_state(paged_rules=True)`: the rules the block statuses and lines went
    # through as they were read (`block_statuses` and `lines` are then empty and the
    # summary has no costs; the check and the readiness read the statuses again).
    paged_rules: PagedRules | None = None


# What the completeness check reads: not the checklist steps, roadmap or decisions (at
# 20,000 products the ~130,000 checklist steps alone were most of the time and memory).
CHECKED_SECTIONS = ("applications", "products", "block_statuses", "estimate_lines")


CHECK_PAGE = 500  # records read and built between two pauses of the check (a few ms)


def _paced(items: list[T], pause: Pause) -> Iterator[T]:
    """`items`, calling `pause()` after every CHECK_PAGE of them (chunk boundaries for a
    loop in the domain, which knows nothing of threads)."""
    for n, item in enumerate(items, start=1):
        yield item
        if n % CHECK_PAGE == 0:
            pause()


def read_state(
    ws: Workspace,
    *,
    seed: int = est.DEFAULT_SEED,
    only: tuple[str, ...] | None = None,
    held: tuple[str, ...] = (),
    paged_rules: bool = False,
) -> State:
    """Read every live record once (or those of the sections in `only`), as the plain
    dicts a snapshot carries; the domain rules get records built from those same dicts.
    The sections in `held` are read as a HeldSection each: their records, not their
    dicts, and their JSON and TOML encoded from their rows as they are read. With
    `paged_rules` (the block statuses and lines held too) each page of them goes
    through the rules as it is read and none is kept (PagedRules)."""
    agency = ws.agency()
    names = tuple(sub.SECTIONS) if only is None else only
    if paged_rules and not set(PAGED_SECTIONS) <= set(held) & set(names):
        raise ValueError("paged rules read the products, block statuses and lines as held sections")
    sections: dict[str, Any] = {}

    def records(name: str, kind: type[R]) -> list[R]:
        section = sections[name]
        if isinstance(section, HeldSection):
            return cast(list[R], section.records_for_rules)
        return [kind(**d) for d in section]

    paged: PagedRules | None = None
    stored: StoredProducts | None = None
    for name in names:  # (in SECTIONS order: the lines come after what their rules read)
        if name not in held:
            sections[name] = ws.list_data(sub.SECTIONS[name])
        elif name == "products" and paged_rules:
            # (the applications are read first; the rules take the products as read)
            paged = PagedRules(ws, agency, records("applications", Application))
            sections[name] = section = HeldSection(name, ws, on_records=paged.add_products)
            stored = StoredProducts(ws, len(section))
        elif name == "block_statuses" and paged is not None:
            sections[name] = HeldSection(name, ws, on_records=_read_again)
        elif name == "estimate_lines" and paged is not None and stored is not None:
            sections[name] = HeldSection(name, ws, on_records=paged.add)
            paged.finish()
            paged.read_statuses(ws, records("applications", Application), stored, _today())
        else:
            sections[name] = HeldSection(name, ws, not_for_rules=NOT_FOR_RULES.get(name, ()))
    applications = records("applications", Application)
    if paged is not None and stored is not None:
        summary = paged.tally.summary(seed=seed)
        return State(agency, applications, stored, [], [], summary, sections, paged)
    products = records("products", Product)
    statuses = records("block_statuses", BlockStatus)
    lines = records("estimate_lines", EstimateLine)
    summary = est.summarize(lines, products, agency, applications=applications, seed=seed)
    return State(agency, applications, products, statuses, lines, summary, sections)


class StoredProducts(Collection[Product]):
    """A concept's live products as records for the rules, read from the store a page at
    a time each time they are gone through, in id order, with the fields no rule reads
    empty (NOT_FOR_RULES): what the rules read of a held section, without holding it.
    Read inside the concept's read snapshot, every pass reads the same state. At 20,000
    products their records and texts held were ~8 MB of an export's peak; a pass took
    ~0.3 s in a slow phase of the VM (bench/RESULTS.md, round 15). A concept goes
    through them once (`PagedRules.read_statuses`)."""

    def __init__(self, ws: Workspace, count: int) -> None:
        self._ws = ws
        self._count = count  # (the products section's, read in the same snapshot)

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Product]:
        for page in self.pages():
            yield from page
            del page  # (before the next is read: one page held)

    def __contains__(self, item: object) -> bool:
        return any(p == item for p in self)

    def pages(self) -> Iterator[list[Product]]:
        """The records, CHECK_PAGE at a time (a page let go of before the next is read)."""
        emptied = NOT_FOR_RULES.get("products", ())
        for rows in self._ws.iter_rows(Product, CHECK_PAGE):
            page = self._ws.records_of_rows(Product, rows, share_lists=True, share_ids=False)
            del rows
            for record in page:
                for name in emptied:
                    setattr(record, name, "")
            yield page
            del page


def _read_again(statuses: list[BlockStatus]) -> None:
    """A concept's block statuses as their section is read: not kept. Their rules read
    them again, by scope (`PagedRules.read_statuses`); those of the lines look up what
    they need per page of lines (`PagedRules.line_scopes`)."""


# What `PagedRules.line_scopes` reads of a product and of a status, and the records'
# defaults for a NULL (what a record of the row would hold)
_SCOPE_FIELDS = ("id", "name", "request_application_id", "followup_application_id")
_PRODUCT_NAME = Product().name
_STATUS = BlockStatus()
_NO_BLOCKS: frozenset[tuple[str, str, str]] = frozenset()


class PagedRules:
    """The rules over the block statuses and estimate lines of a concept, run on each
    page of them as it is read, none of them kept. The lines: costed and rolled up
    (`est.LineTally`), checked (`completeness.LineFindings`) and their costs' dicts
    spooled (`dicts`: the estimate section's "lines", counted then excluded); what their
    rules read of their scopes (the products' applications and names, the last status
    of each block) is looked up in the store for each page (`line_scopes`). Once the
    lines are in, the statuses are read by scope for their own rules and the readiness
    together (`read_statuses`, with the products' own rules and cost shares; what the
    statuses' rules read of the lines, the blocks they cost, is looked up in the store
    for each page of statuses). At 20,000 products the 34,000 lines and their costs held
    ~24 MB of the export's peak (bench/RESULTS.md, round 11), the 47,000 statuses'
    records ~16 MB (round 12), the products' names, applications and "not needed" states
    ~5 MB (round 16), the blocks the lines cost and the products' own costs ~4.5 MB
    (round 17). The products are not held either: they are read from the store for the
    rules that need them (StoredProducts)."""

    def __init__(
        self,
        ws: Workspace,
        agency: Agency | None,
        applications: list[Application],
        products: Iterable[Product] = (),
    ) -> None:
        """`ws`: read in the concept's read snapshot. `products`: the first of them
        (`add_products` takes the rest, as they are read)."""
        self._ws = ws
        self.tally = est.LineTally(
            (), agency, applications=applications, keep_costs=False, spool_own=_spool_own
        )
        # (None once the check has read it)
        self.findings: completeness.LineFindings | None = completeness.LineFindings(
            applications, ()
        )
        self.add_products(products)
        self.dicts = SpooledList()
        self._excluded = PageSpool()
        # From `read_statuses` (the status findings: None once the check has read them)
        self.readiness: ReadinessSummary | None = None
        self.status_findings: completeness.StatusFindings | None = None
        self.product_findings: completeness.ProductFindings | None = None
        # Made as the products go by in `read_statuses`: the estimate section's "products"
        # (each one's cost share, in id order), and the products the forms tool may take
        # (`est.is_low_volume`) with their shares.
        self.share_dicts = SpooledList()
        self.low_volume: list[Product] = []
        self.low_volume_shares: dict[str, est.ProductShare] = {}
        # (the forms tool's cost and threshold those were made with: `build_content` uses
        # the same, not the cost template read again)
        self.forms_terms: tuple[float | None, int] | None = None

    def add_products(self, products: Iterable[Product]) -> None:
        """A page of products, in stored order, before the lines: counted per
        application (the lines' pages look up the rest of them: `line_scopes`)."""
        self.tally.add_products(products, map_lines=False)

    def read_statuses(
        self,
        ws: Workspace,
        applications: list[Application],
        products: Iterable[Product],
        today: date,
    ) -> None:
        """Read the block statuses once more, by scope, once the lines are in: the
        readiness as of `today` (a page of products at a time: `readiness_section`), the
        statuses' own rules (`completeness.StatusFindings`: `check`), the products'
        (`completeness.ProductFindings`, their issues spooled) and their cost shares
        (`share_dicts`, `low_volume`, `low_volume_shares`: `build_content`) together. Only
        a page of
        statuses and products is held (all statuses and their index: ~21 MB at 20,000
        products; RESULTS.md, round 12)."""
        from elo_tui.services.mapping import load_overrides, load_reading

        findings = self.findings
        assert findings is not None  # (before the check)
        names = findings.names  # (of the applications: each page adds its products')
        found = completeness.StatusFindings(
            _NO_BLOCKS,  # (each `add` gives the blocks its statuses' lines cost)
            names,
            by_id=True,
            spool=lambda key, **codec: SortedSpool(key, run=_FOUND_RUN, **codec),
        )
        own = completeness.ProductFindings(
            applications,
            spool=lambda key, **codec: SortedSpool(key, run=_FOUND_RUN, **codec),
        )
        statuses = _StatusesByScope(ws)
        of_applications = statuses.of_applications
        self._add_statuses(found, findings.counted_statuses(of_applications))
        self.forms_terms = forms_tool_terms(self.tally.agency)
        threshold = self.forms_terms[1]

        def pages() -> Iterator[tuple[list[Product], list[BlockStatus]]]:
            for page, of_page in statuses.pages(products):
                app_of = {p.id: est.application_of(p) for p in page}
                counted = findings.counted_statuses(of_page, app_of)
                self._add_statuses(found, counted, names=names.with_products(page))
                own.add(page)
                shares = self.tally.shares(page)  # (every line is in)
                self.share_dicts.extend(sub.share_dicts(shares, shares))
                for p in page:
                    if est.is_low_volume(p, threshold):
                        self.low_volume.append(p)
                        self.low_volume_shares[p.id] = shares[p.id]
                yield page, of_page
                del page, of_page, app_of, counted, shares  # (before the next page is read)

        try:
            from elo_tui.domain.readiness import summarize_pages
        except ImportError:  # (no readiness section then: readiness_section)
            for _page in pages():
                pass
        else:
            self.readiness = summarize_pages(
                pages(),
                applications,
                of_applications,
                today,
                keep_products=False,  # (the section reports counts)
                overrides=load_overrides(ws, applications),
                reading=load_reading(ws),
                spool_at_risk=_spool_at_risk,
            )
        self.share_dicts.close()
        rest = findings.counted_statuses(statuses.rest())  # (of no live product)
        while page := list(islice(rest, CHECK_PAGE)):
            self._add_statuses(found, page)
        self.status_findings, self.product_findings = found, own

    def _add_statuses(
        self,
        found: completeness.StatusFindings,
        statuses: Iterable[BlockStatus],
        names: Mapping[tuple[str, str], str] | None = None,
    ) -> None:
        """A page of statuses into their rules, with the blocks the live lines of their
        scopes cost, looked up in the store (the blocks of every line, held from the
        lines to the check, were ~2 MB at 20,000 products; bench/RESULTS.md, round 17)."""
        statuses = list(statuses)
        costed = set(self._ws.line_blocks((s.scope_kind, s.scope_id) for s in statuses))
        found.add(statuses, names=names, costed=costed)

    def add(self, lines: list[EstimateLine]) -> None:
        """A page of lines, in id order (the section's stored order)."""
        scopes, app_of = self.line_scopes(lines)
        counted, excluded = self.tally.add(lines, app_of)
        assert self.findings is not None  # (all lines are read before the check)
        # (not `findings.add_lines`: the statuses' rules look up the blocks lines cost)
        self.findings.add_costs(counted, scopes=scopes)
        self.dicts.extend(sub.line_dicts(counted))
        if excluded:
            self._excluded.add(list(sub.line_dicts(excluded, excluded=True)))

    def line_scopes(
        self, lines: list[EstimateLine]
    ) -> tuple[completeness.LineScopes, dict[str, str]]:
        """What the rules read of the scopes of a page of lines, from the store: the
        names of their live products (with the applications'), the state of the last
        status of each of their blocks that makes a line "not needed", and the
        application each of their products is counted under."""
        assert self.findings is not None  # (all lines are read before the check)
        live = [line for line in lines if not line.deleted]
        ids = {line.scope_id for line in live if line.scope_kind == "product"}
        products = [
            Product(
                id=i,
                name=_PRODUCT_NAME if name is None else name,
                request_application_id=request,
                followup_application_id=followup,
            )
            for i, name, request, followup in self._ws.columns_of_ids(Product, _SCOPE_FIELDS, ids)
        ]
        app_of = {p.id: est.application_of(p) for p in products}
        keys = ((line.scope_kind, line.scope_id, line.block) for line in live if line.block)
        not_needed: dict[tuple[str, str, str], str] = {}
        # (a counted line's scope is counted, and so are its statuses: no exclusion here)
        for kind, scope_id, block, stage, applicability in self._ws.last_statuses(keys):
            state = completeness.not_needed_state(
                _STATUS.stage if stage is None else stage,
                _STATUS.applicability if applicability is None else applicability,
            )
            if state is not None:
                not_needed[kind, scope_id, block] = state
        names = self.findings.names.with_products(products)
        return completeness.LineScopes(names, not_needed), app_of

    def finish(self) -> None:
        """Every page is in: the excluded lines' dicts follow the counted ones'."""
        for page in self._excluded.pages():
            self.dicts.extend(page)
        self.dicts.close()


def read_checked(ws: Workspace, *, seed: int = est.DEFAULT_SEED, pause: Pause = no_pause) -> State:
    """What the completeness check reads, as `read_state(ws, only=CHECKED_SECTIONS)` gives
    it (the same records in the same order) but without the plain dicts: each page's
    records are built straight from its rows (a lower peak; at 20,000 products reading
    and building them takes 0.58 s instead of 0.69 s).

    `pause` is called between pages (CHECK_PAGE records): a worker gives way to the
    interface there (elo_tui/background.py)."""
    agency = ws.agency()

    def records(kind: type[R]) -> list[R]:
        out: list[R] = []
        for rows in ws.iter_rows(kind, CHECK_PAGE):
            out += ws.records_of_rows(kind, rows)  # no dict per record
            pause()
        return out

    applications = records(Application)
    products = records(Product)
    statuses = records(BlockStatus)
    lines = records(EstimateLine)
    summary = est.summarize(
        _paced(lines, pause), products, agency, applications=applications, seed=seed
    )
    pause()
    return State(agency, applications, products, statuses, lines, summary, {})


def check(ws: Workspace, state: State | None = None, *, pause: Pause = no_pause) -> list[Issue]:
    """The completeness check: blocking issues first, then warnings. `pause`: see
    read_checked (a worker passes a `background.GiveWay()`)."""
    return list(find(ws, state, pause=pause))


def find(
    ws: Workspace, state: State | None = None, *, pause: Pause = no_pause
) -> completeness.Found:
    """`check`'s issues, blocking and warnings apart; a paged state's status issues stay
    spooled (`PagedRules.read_statuses`) and are read from there each time."""
    s = state or read_checked(ws, pause=pause)
    return completeness.find(
        s.agency,
        s.applications,
        s.products,
        s.block_statuses,
        s.lines,
        s.summary,
        bvco_threshold=bvco_threshold(ws),
        pause=pause,
        findings=_findings(s),
        status_findings=s.paged_rules.status_findings if s.paged_rules else None,
        product_findings=s.paged_rules.product_findings if s.paged_rules else None,
    )


def _of_product_up_to(last: str, status: BlockStatus) -> bool:
    return status.scope_kind == SCOPE_PRODUCT and status.scope_id <= last


class _StatusesByScope:
    """The live block statuses in scope order (application statuses, then the products'
    by product id, each scope's in stored order), read once as the readiness of a paged
    state takes them: the applications' statuses (`of_applications`), then one page of
    products at a time with its products' statuses (`pages`: the products in id order,
    as a concept holds them), then the rest (`rest`: of no live product). Only a page's
    statuses are held; no index of all of them is made."""

    def __init__(self, ws: Workspace) -> None:
        self._statuses = (
            s
            for rows in ws.iter_rows(BlockStatus, CHECK_PAGE, by_scope=True)
            for s in ws.records_of_rows(BlockStatus, rows, share_ids=False)
        )
        self._next = next(self._statuses, None)
        # The statuses before the products' (read first)
        self.of_applications = self._while(lambda s: s.scope_kind < SCOPE_PRODUCT)

    def _while(self, more: Callable[[BlockStatus], bool]) -> list[BlockStatus]:
        taken = []
        while self._next is not None and more(self._next):
            taken.append(self._next)
            self._next = next(self._statuses, None)
        return taken

    def rest(self) -> Iterator[BlockStatus]:
        """The statuses not given yet (of scopes after the last product)."""
        while self._next is not None:
            status, self._next = self._next, next(self._statuses, None)
            yield status

    def pages(
        self, products: Iterable[Product]
    ) -> Iterator[tuple[list[Product], list[BlockStatus]]]:
        """`products` (in id order) a page at a time, each with the statuses of the scopes
        up to its last product (a deleted product's too: never looked up)."""
        last = ""
        products = iter(products)
        while page := list(islice(products, CHECK_PAGE)):
            ids = [last, *(p.id for p in page)]
            late = next(((a, b) for a, b in pairwise(ids) if a >= b), None)
            if late is not None:  # (the store gives them in id order: a programming error)
                raise ValueError(
                    f"Product {late[1]} komt na {late[0]}: de producten moeten op id "
                    "gesorteerd zijn."
                )
            last = ids[-1]
            del ids
            yield page, self._while(partial(_of_product_up_to, last))
            del page  # (before the next is read: one page held)


# Items sorted in memory at a time while a concept's are spooled: statuses with issues
# (~0.5 MB), products at risk.
_FOUND_RUN = 1024
_AT_RISK_RUN = 4096


def _spool_own(key: Callable[[tuple[str, float]], str]) -> SortedSpool[tuple[str, float]]:
    """A concept's product lines' (product id, mean), spooled as the lines are costed.
    (Merged back from ~15 runs at 20,000 products, `_OWN_READ` of each at a time.)"""
    return SortedSpool(key, run=_OWN_RUN, read=_OWN_READ)


_OWN_RUN = 2048
_OWN_READ = 64


def _spool_at_risk(key: Callable[[AtRisk], Any]) -> SortedSpool[AtRisk]:
    """A concept's products at risk of one milestone, spooled as they are found."""
    from elo_tui.domain.readiness import AtRiskCodec

    codec = AtRiskCodec()
    return SortedSpool(key, encode=codec.encode, decode=codec.decode, run=_AT_RISK_RUN)


def _spooled_canonical(dicts: Iterable[dict[str, Any]]) -> SpooledList:
    """`sub.canonical(list(dicts))` as a SpooledList, made a page at a time."""

    def pages() -> Iterator[dict[str, Any]]:
        items = iter(dicts)
        while page := list(islice(items, _PAGE)):
            yield from sub.canonical(page)

    return SpooledList(pages())


def _findings(state: State) -> completeness.LineFindings | None:
    """The lines' findings of a state's paged rules (None: its lines are held)."""
    if state.paged_rules is None:
        return None
    if state.paged_rules.findings is None:
        raise RuntimeError("the paged rules were checked already")
    return state.paged_rules.findings


# -- the last check, remembered ----------------------------------------------------------------
#
# At 20,000 products the check reads ~90,000 records and takes seconds. The screen shows
# the last result at once, marked as being brought up to date, and checks again in a
# worker; "ready"/"nothing missing" is only said by a check that has finished. Within
# one process a result stays current while the workspace's change stamp is unchanged
# (any write, by this connection or another one, changes it).

LAST_CHECK_META_KEY = "submission_last_check"
LAST_CHECK_ISSUES = 200  # what the first screens of the table show; the rest comes fresh

# Per open workspace object (weakly: a closed and reopened file is a new object, and its
# new connection's change stamp says nothing about the old one's).
_current: weakref.WeakKeyDictionary[Workspace, tuple[tuple[int, int], list[Issue]]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True, slots=True)
class LastCheck:
    """A remembered check: possibly out of date, and holding only the first issues."""

    issues: list[Issue]  # the first LAST_CHECK_ISSUES, blocking first
    n_blocking: int
    n_warnings: int
    checked_at: str  # UTC, ISO 8601

    @classmethod
    def of(cls, issues: Iterable[Issue], checked_at: str = "") -> LastCheck:
        """The first issues of a check (blocking first: `check`'s list, or a `Found`) and
        its counts (a concept export holds no more: 17,000 issues at 20,000 products were
        ~7 MB while its files were written)."""
        tally = _Tally()
        for _issue in tally.passing(issues):
            pass
        return tally.last_check(checked_at)


class _Tally:
    """What a LastCheck keeps of issues that pass by (`passing`): the first ones and the
    counts. A concept's are tallied as its warnings are spooled: one pass over them."""

    def __init__(self) -> None:
        self._first: list[Issue] = []
        self._n = self._n_blocking = 0

    def passing(self, issues: Iterable[Issue]) -> Iterator[Issue]:
        first = self._first
        for issue in issues:
            if self._n < LAST_CHECK_ISSUES:
                first.append(issue)
            self._n += 1
            self._n_blocking += issue.blocking
            yield issue

    def last_check(self, checked_at: str = "") -> LastCheck:
        n, n_blocking = self._n, self._n_blocking
        return LastCheck(self._first, n_blocking, n - n_blocking, checked_at)


def current_check(ws: Workspace) -> list[Issue] | None:
    """The issues of a check this process finished on exactly the data there is now."""
    held = _current.get(ws)
    if held is None or held[0] != ws.change_stamp():
        return None
    return held[1]


def remember_check(ws: Workspace, issues: list[Issue], stamp: tuple[int, int]) -> bool:
    """Keep a finished check (`stamp`: `ws.change_stamp()` taken before it started).

    Returns False when the data changed meanwhile: the result may be out of date then.
    The first issues and the counts also go into the workspace (meta), for the next start."""
    unchanged = ws.change_stamp() == stamp
    if not ws.read_only:
        n_blocking = len(completeness.blocking(issues))
        data = {
            "checked_at": utc_now(),
            "blocking": n_blocking,
            "warnings": len(issues) - n_blocking,
            "issues": [
                [i.severity, i.code, i.message, i.kind, i.record_id, i.field]
                for i in issues[:LAST_CHECK_ISSUES]
            ],
        }
        try:
            # A note, not data: the other areas need not reread because of it.
            with ws.bookkeeping():
                ws.set_meta(LAST_CHECK_META_KEY, json.dumps(data, ensure_ascii=False))
        except WorkspaceError:
            pass  # e.g. locked by another program: only the next start is slower
    if unchanged:
        _current[ws] = (ws.change_stamp(), issues)
    else:
        _current.pop(ws, None)
    return unchanged


def last_check(ws: Workspace) -> LastCheck | None:
    """The check remembered in the workspace, or None (none yet, or unreadable)."""
    held = _current.get(ws)
    if held is not None:  # this process's own, complete (may be out of date)
        issues = held[1]
        n_blocking = len(completeness.blocking(issues))
        return LastCheck(issues, n_blocking, len(issues) - n_blocking, "")
    try:
        text = ws.get_meta(LAST_CHECK_META_KEY, "") or ""
        data = json.loads(text) if text else None
        if not isinstance(data, dict):
            return None
        issues = [Issue(*(str(v) for v in row)) for row in data["issues"]]
        if any(i.severity not in completeness.SEVERITY_LABELS for i in issues):
            return None
        return LastCheck(
            issues, int(data["blocking"]), int(data["warnings"]), str(data["checked_at"])
        )
    except (ValueError, TypeError, KeyError, WorkspaceError):
        return None  # an older or damaged note: the fresh check will tell


def _today() -> date:
    try:
        from elo_tui.services.clock import today
    except ImportError:  # pragma: no cover - the clock service ships with the app
        return date.today()
    return today()


def readiness_section(
    state: State, today: date, ws: Workspace | None = None
) -> dict[str, Any] | None:
    """Readiness as `domain.readiness.summarize` reports it, or None when unavailable;
    with `ws`, accepted exemptions and delays and the admission reading count too. A
    paged state's was made as the state was read (`PagedRules.read_statuses`: that day's,
    with the workspace's exemptions, delays and reading)."""
    if state.paged_rules is not None:
        made = state.paged_rules.readiness
        # (its products at risk spooled, and so their dicts)
        return None if made is None else made.to_dict(collect=_spooled_canonical)
    try:
        from elo_tui.domain.readiness import summarize
    except ImportError:
        return None
    kwargs: dict[str, Any] = {}
    if ws is not None:
        from elo_tui.services.mapping import load_overrides, load_reading

        kwargs = {
            "overrides": load_overrides(ws, state.applications),
            "reading": load_reading(ws),
        }
    result = summarize(
        list(state.products),
        state.applications,
        state.block_statuses,
        today,
        keep_products=False,  # (the section reports counts)
        **kwargs,
    )
    return result.to_dict() if hasattr(result, "to_dict") else sub.canonical(result)


def decisions_section(ws: Workspace, state: State) -> dict[str, Any]:
    """VLAIO's decisions on the exemptions and delays in the snapshot."""
    from elo_tui.domain.records import Review

    reviews = ws.find(Review, target_kind=("exemption", "delay"))
    return sub.decisions_section(
        state.sections.get("exemptions", []), state.sections.get("delays", []), reviews
    )


def build_content(
    ws: Workspace,
    *,
    version: int,
    author: str,
    created_at: str,
    state: State | None = None,
    issues: list[Issue] | None = None,
    spool: bool = False,
    checked: Checked | None = None,
) -> dict[str, Any]:
    """The snapshot of the workspace now (not stored). With `spool`, its long lists of
    derived figures are SpooledLists (SPOOLED_LISTS), made page by page. `checked`: what
    the content needs of the check, made before (`issues` is then not read)."""
    s = state or read_state(ws)
    if checked is None:
        checked = Checked.of(check(ws, s) if issues is None else issues)
    paged = s.paged_rules
    made_with = paged.forms_terms if paged else None
    cost, threshold = made_with or forms_tool_terms(s.agency)
    # (the forms tool's rows and the estimate section's products; a paged state's were
    # made as its products were read)
    shares = paged.low_volume_shares if paged else est.product_shares(s.products, s.summary)
    rows = (
        est.forms_tool_comparison(
            paged.low_volume if paged else s.products,
            s.applications,
            s.summary,
            cost,
            threshold=threshold,
            shares=shares,
        )
        if cost is not None
        else []
    )
    estimate = sub.estimate_section(
        s.summary,
        s.products,
        s.applications,
        rows,
        cost,
        threshold,
        shares=shares,
        lazy=spool,
        lines=paged.dicts if paged else None,
        invalid_lines=paged.tally.invalid if paged else None,
        product_dicts=paged.share_dicts if paged else None,
    )
    cofinancing = sub.cofinancing_section(
        s.summary,
        s.agency,
        s.applications,
        information_delivered=checked.delivered,
        bvco_threshold=bvco_threshold(ws),
        forms_tool_threshold=threshold,
        lines_by_default_rule=paged.tally.by_default_rule if paged else None,
    )
    held = {k: v for k, v in s.sections.items() if isinstance(v, HeldSection)}
    content = sub.build_content(
        version=version,
        created_at=created_at,
        author=author,
        agency=s.agency,
        sections={k: v for k, v in s.sections.items() if k not in held},
        estimate=estimate,
        readiness=readiness_section(s, _today(), ws),
        warnings=(),
        generator=f"elo-tui {__version__}",
        cofinancing=cofinancing,
        decisions=decisions_section(ws, s),
        warning_rows=checked.warnings,
    )
    content.update(held)  # in their places: the keys are there (empty lists)
    if spool:
        for table, key in SPOOLED_LISTS:
            if not isinstance(content[table][key], SpooledList):
                content[table][key] = SpooledList(content[table][key])
    return content


def forms_tool_terms(agency: Agency | None) -> tuple[float | None, int]:
    """The cost of moving one product to the forms tool (None: unknown) and the yearly
    volume below which a product may move (the cost template's, or the default)."""
    from elo_tui.services.estimate import forms_tool_cost, template_or_problem

    template, _problem = template_or_problem()
    threshold = template.low_volume_threshold if template else est.LOW_VOLUME_THRESHOLD
    return forms_tool_cost(template, agency), threshold


@dataclass(frozen=True, slots=True)
class Checked:
    """What a content needs of its completeness check: whether the information is
    delivered (nothing blocks) and the warnings' dicts. Made before the content, so that
    the issues can be let go of first (a concept's 17,000 issues at 20,000 products were
    ~7 MB held while the content was made; RESULTS.md, round 13)."""

    delivered: bool
    warnings: Sequence[dict[str, Any]]

    @classmethod
    def of(cls, issues: Iterable[Issue], *, spool: bool = False) -> Checked:
        """Of a check's issues (a list, or a `Found`: read once)."""
        blocked = False

        def warnings() -> Iterator[Issue]:
            nonlocal blocked
            for issue in issues:
                if issue.blocking:
                    blocked = True
                else:
                    yield issue

        rows = sub.warning_dicts(warnings())
        held = SpooledList(rows) if spool else list(rows)
        return cls(not blocked, held)


@dataclass(frozen=True, slots=True)
class SubmissionHead:
    """A stored submission without its content: what a list of versions shows. The
    content (~145 MB of JSON at 20,000 products) is read in pieces when it is needed
    (`content_pieces`); listing two versions as records took 718 MB (RESULTS.md, round 9)."""

    id: str
    version: int
    created_at: str
    author: str
    sha256: str
    review_state: str


_HEAD_FIELDS = ("id", "version", "created_at", "author", "sha256", "review_state")


def _heads(ws: Workspace, *, include_deleted: bool = False) -> list[SubmissionHead]:
    rows = ws.columns(Submission, _HEAD_FIELDS, include_deleted=include_deleted)
    heads = [
        SubmissionHead(str(i), int(v or 0), c or "", a or "", h or "", r or "")
        for i, v, c, a, h, r in rows
    ]
    return sorted(heads, key=lambda s: s.version)


def list_submissions(ws: Workspace) -> list[SubmissionHead]:
    """The stored versions, oldest first, without their contents."""
    return _heads(ws)


def get_version(ws: Workspace, version: int | None = None) -> SubmissionHead | None:
    """A version, or the latest one when `version` is None."""
    subs = list_submissions(ws)
    if version is None:
        return subs[-1] if subs else None
    return next((s for s in subs if s.version == version), None)


AnySubmission = Submission | SubmissionHead


def content_pieces(s: AnySubmission, ws: Workspace | None = None) -> Iterable[str]:
    """The canonical JSON of a submission in pieces: a record's own text, or a head's
    read from `ws` (the workspace it was listed from, on this thread's connection)."""
    if isinstance(s, Submission):
        return (s.content,)
    if ws is None:
        raise TypeError("the content of a SubmissionHead is read from its workspace")
    return ws.text_pieces(Submission, s.id, "content")


def create(ws: Workspace, *, author: str | None = None, now: str | None = None) -> SubmissionHead:
    """Freeze the workspace as the next version; IncompleteError when anything blocks.

    Built as a concept is (`_snapshot`), in the transaction that stores it: its text is
    spooled as it is hashed and written into the store in pieces (Workspace.write_text).
    At 20,000 products freezing took 1.42 GB as one content of dicts and one text
    (RESULTS.md, round 9). Returns the version without its content (`content_pieces`)."""
    author = author or ws.user or "onbekend"
    with bulk(), ws.transaction():
        version = max((s.version for s in _heads(ws, include_deleted=True)), default=0) + 1
        created_at = now or utc_now()
        # (only its hash and text kept: the content is let go of before the text is stored)
        sha256, spool = _snapshot(
            ws, version=version, author=author, created_at=created_at, refuse_incomplete=True
        )[1:3]
        record = Submission(version=version, created_at=created_at, author=author, sha256=sha256)
        ws.save(record, by=author)  # (its text written next, in the same transaction)
        size = spool.tell()
        spool.seek(0)
        ws.write_text(Submission, record.id, "content", spool, size)
        spool.close()
    return SubmissionHead(record.id, version, created_at, author, sha256, record.review_state)


def _snapshot(
    ws: Workspace, *, version: int, author: str, created_at: str, refuse_incomplete: bool = False
) -> tuple[dict[str, Any], str, BinaryIO, LastCheck]:
    """The content of the workspace now, its SHA-256 and its canonical JSON (UTF-8,
    spooled: owner-only, unlinked) and the check it was made with (its first issues and
    counts). The caller holds the read snapshot or transaction that makes it one
    consistent state. With `refuse_incomplete`, IncompleteError when anything blocks
    (before anything is built)."""
    read = tuple(n for n in sub.SECTIONS if n not in STREAMED_SECTIONS)
    paged = set(PAGED_SECTIONS) <= set(HELD_SECTIONS)  # (tests hold none)
    state = read_state(ws, only=read, held=HELD_SECTIONS, paged_rules=paged)
    found = find(ws, state)  # (its status issues spooled: read again by each use)
    if state.paged_rules is not None:
        # (checked: ~7 MB less while the rest is made)
        rules = state.paged_rules
        rules.findings = rules.status_findings = rules.product_findings = None
    if refuse_incomplete and next(found.blocking(), None) is not None:
        raise IncompleteError(list(found))
    tally = _Tally()  # (the warnings go into the content, spooled)
    checked = Checked.of(tally.passing(found), spool=True)
    made_with = tally.last_check()
    del found
    content = build_content(
        ws,
        version=version,
        author=author,
        created_at=created_at,
        state=state,
        spool=True,
        checked=checked,
    )
    del state  # the estimate summary and the applications' records: not in the files
    for value in content.values():
        if isinstance(value, HeldSection):
            value.release()  # (the files read what they need of them from spools)
    for name in STREAMED_SECTIONS:
        content[name] = StreamedSection(name, ws)
    digest = hashlib.sha256()
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MAX)
    for piece in sub.canonical_json_chunks(content):
        data = piece.encode("utf-8")
        digest.update(data)
        spool.write(data)
    return content, digest.hexdigest(), cast(BinaryIO, spool), made_with


def content_text(submission: AnySubmission, ws: Workspace | None = None) -> str:
    """The canonical JSON of a submission as one text (small ones and tests)."""
    return "".join(content_pieces(submission, ws))


def content_of(submission: AnySubmission, ws: Workspace | None = None) -> dict[str, Any]:
    """The whole content as dicts (~650 MB at 20,000 products: small ones and tests)."""
    if isinstance(submission, Submission):
        return json.loads(submission.content)
    from elo_tui.domain.content_stream import sections, whole

    return cast(dict[str, Any], whole(sections(content_pieces(submission, ws))))


def verify(submission: AnySubmission, *, deep: bool = True, ws: Workspace | None = None) -> bool:
    """True when the stored content still matches its SHA-256 and, with `deep`, is still
    canonical JSON (each top-level value re-encoded as `canonical_json` would: the hash
    of that equals the stored one). Read in pieces (a head's from `ws`): at 20,000
    products a deep check took 4.7 s and 1.16 GB as one parse, 3.2 s and 58 MB so."""
    from elo_tui.domain.content_stream import canonical_sha256

    digest = hashlib.sha256()

    def hashed(pieces: Iterable[str]) -> Iterator[str]:
        for piece in pieces:
            digest.update(piece.encode("utf-8"))
            yield piece

    try:
        if not deep:
            for _ in hashed(content_pieces(submission, ws)):
                pass
            return digest.hexdigest() == submission.sha256
        canonical = canonical_sha256(hashed(content_pieces(submission, ws)))
    except WorkspaceError:
        return False
    return digest.hexdigest() == submission.sha256 == canonical


def diff_versions(ws: Workspace, old: int, new: int) -> list[str]:
    a, b = get_version(ws, old), get_version(ws, new)
    missing = [str(v) for v, s in ((old, a), (new, b)) if s is None]
    if missing:
        raise WorkspaceError(f"Indiening versie {' en '.join(missing)} bestaat niet.")
    return diff_of(ws, a, b)  # type: ignore[arg-type]  # (None raised above)


def diff_of(ws: Workspace, old: AnySubmission, new: AnySubmission) -> list[str]:
    """`sub.diff` of two versions, read in pieces (heads from `ws`): only the rows that
    differ and one section of the old version are held (content_stream)."""
    from elo_tui.domain.content_stream import sections

    return sub.diff_sections(sections(content_pieces(old, ws)), sections(content_pieces(new, ws)))


def diff_latest(ws: Workspace) -> list[str]:
    """The latest version against the one before (empty when there is only one)."""
    subs = list_submissions(ws)
    if len(subs) < 2:
        return []
    return diff_of(ws, subs[-2], subs[-1])


# -- import -----------------------------------------------------------------------------------


def is_empty(ws: Workspace) -> bool:
    """No inventory, statuses, estimate, checklist or submissions (an agency may exist)."""
    kinds = (Application, Product, BlockStatus, EstimateLine, ChecklistItem, Submission)
    return all(ws.count(kind) == 0 for kind in kinds)


def verify_document(document: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    """Check a parsed export before anything is written: format, records and SHA-256.

    Returns (content, canonical JSON, sha256); raises SubmissionFormatError (Dutch)."""
    content = {k: v for k, v in document.items() if k != "sha256"}
    expected = document.get("sha256")
    sub.check_format(content)
    from elo_tui.io.submission_schema import validate_content  # pydantic: only now

    # types, 64-bit numbers, real days, known fields: nothing unstorable gets through
    validate_content(content, sub.SECTIONS)
    text = sub.canonical_json(content)
    actual = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if expected is not None and expected != actual:
        raise sub.SubmissionFormatError(
            "De SHA-256 van het bestand klopt niet met de inhoud: het is gewijzigd na de "
            "export. Er is niets ingelezen."
        )
    sub.records_from_content(content)  # every record must be readable
    return content, text, actual


def import_document(ws: Workspace, document: dict[str, Any]) -> Submission | None:
    """Recreate the state of a submission export in an empty workspace, ids preserved.

    `document` is the parsed TOML or JSON export: the content plus its "sha256". The hash
    is checked first; a workspace that already holds data is refused (nothing changes).
    The submission itself is stored too (None for a concept export, which is no version).
    """
    document, text, actual = verify_document(document)
    agency, sections = sub.records_from_content(document)
    if not is_empty(ws):
        raise WorkspaceError(
            "Deze werkruimte bevat al gegevens; lees een indiening in in een lege werkruimte "
            "(bv. met --workspace NIEUWE_NAAM). Er is niets ingelezen."
        )
    meta = document.get("submission", {})
    record = Submission(
        version=int(meta.get("version", 1)),
        created_at=str(meta.get("created_at", "")),
        author=str(meta.get("author", "")),
        sha256=actual,
        content=text,
    )
    with ws.transaction():
        existing = ws.agency()
        if agency is not None:
            if existing is not None and existing.id != agency.id:
                ws.delete(Agency, existing.id)  # the placeholder of a fresh workspace
            ws.save(agency, by="import")
        records: list[Record] = [r for rows in sections.values() for r in rows]
        ws.save_many(records, by="import")
        _restore_decisions(ws, document)
        if record.version <= 0:
            return None
        ws.save(record, by="import")
    return record


def _restore_decisions(ws: Workspace, document: dict[str, Any]) -> None:
    """VLAIO's decisions on exemptions and delays, as the snapshot recorded them, come back
    as reviews (stored as received, never pushed: reviews belong to the central follow-up)."""
    from elo_tui.domain.records import Review

    decided = document.get("decisions")
    if not isinstance(decided, dict):
        return
    reviews = []
    for kind, key in (("exemption", "exemptions"), ("delay", "delays")):
        for row in decided.get(key, []) or []:
            if not isinstance(row, dict) or row.get("status") not in ("accepted", "refused"):
                continue
            day = str(row.get("decided_on") or "")
            reviews.append(
                Review(
                    target_kind=kind,
                    target_id=str(row.get("id", "")),
                    verdict=row["status"],
                    comment=str(row.get("comment") or ""),
                    reviewer=str(row.get("reviewer") or ""),
                    created_at=f"{day}T00:00:00Z" if day else "",
                    updated_at=utc_now(),
                    dirty=False,
                )
            )
    if reviews:
        ws.put_synced(reviews)


# -- export -------------------------------------------------------------------------------------


@dataclass(slots=True)
class ExportSource:
    """What every export format is rendered from."""

    document: dict[str, Any]  # the content plus "sha256"
    # Canonical JSON of the content (what the SHA-256 is taken over): the text of a
    # stored submission, or for a concept its UTF-8 bytes as spooled while hashing (a
    # temporary file beyond 1 MB: ~145 MB for 20,000 products), so the JSON export
    # copies them instead of encoding everything again; None: encoded when needed.
    canonical: str | BinaryIO | None
    concept: bool = False  # an unstored draft of the current state
    # A concept's completeness check, as it ran on the concept's own snapshot: its first
    # issues (blocking first) and its counts, which the command line shows without
    # reading the workspace a second time. None for a stored version.
    check: LastCheck | None = None

    def export(self, fmt: str, out: Any, *, follow_symlinks: bool = False) -> list[Any]:
        from elo_tui.io.submission_files import export

        with bulk():
            return export(
                self.document, fmt, out, canonical=self.canonical, follow_symlinks=follow_symlinks
            )


def source_of(submission: AnySubmission, ws: Workspace | None = None) -> ExportSource:
    """A stored submission, exactly as it was frozen: a record's content parsed whole,
    a head's read from `ws` in pieces (`frozen_source`)."""
    from elo_tui.io.submission_files import document

    if isinstance(submission, SubmissionHead):
        if ws is None:
            raise TypeError("the content of a SubmissionHead is read from its workspace")
        return frozen_source(ws, submission)
    return ExportSource(document(content_of(submission), submission.sha256), submission.content)


def frozen_source(ws: Workspace, head: SubmissionHead) -> ExportSource:
    """A stored version read once, in pieces, into what a concept's files are written
    from: its text spooled as it is read (the JSON export copies it), the checklist
    steps encoded page by page (StreamedSection), the products, block statuses and
    estimate lines and the long derived lists spooled as pages (HeldSection,
    SpooledList), the rest as dicts. At 20,000 products the whole content as dicts was
    ~1 GB of the export's peak (RESULTS.md, round 9).
    The files are those of the content parsed whole (tests/test_submission_stored.py)."""
    from elo_tui.domain.content_stream import Fields, Items, sections, whole
    from elo_tui.io.submission_files import document

    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MAX)  # owner-only, unlinked
    spooled: dict[str, set[str]] = {}
    for table, key in SPOOLED_LISTS:
        spooled.setdefault(table, set()).add(key)

    def copied(pieces: Iterable[str]) -> Iterator[str]:
        for piece in pieces:
            spool.write(piece.encode("utf-8"))
            yield piece

    content: dict[str, Any] = {}
    with bulk():
        for key, value in sections(copied(content_pieces(head, ws))):
            if key in HELD_SECTIONS:
                content[key] = HeldSection(key, None, dict_pages=_dict_pages(value))
            elif key in STREAMED_SECTIONS:
                content[key] = streamed = StreamedSection(
                    key, None, dict_pages=_dict_pages(value), encode_json=False
                )
                streamed.encode()
            elif key in spooled and isinstance(value, Fields | dict):
                content[key] = {
                    k: SpooledList(_each(v), encode_json=False)
                    if k in spooled[key] and isinstance(v, Items | list)
                    else whole(v, shared={})
                    for k, v in (value.items() if isinstance(value, dict) else value)
                }
            else:
                content[key] = whole(value, shared={})
    return ExportSource(document(content, head.sha256), spool)  # type: ignore[arg-type]


def _each(items: Any) -> Iterator[dict[str, Any]]:
    """The dicts of a list in a stored content (a list, or content_stream.Items)."""
    for page in _dict_pages(items):
        yield from page


def _dict_pages(items: Any) -> Iterator[list[dict[str, Any]]]:
    """The items of a record section (a list, or content_stream.Items) in pages."""
    from itertools import islice

    from elo_tui.domain.content_stream import whole

    items = iter(items)
    while page := list(islice(items, _PAGE)):
        if not all(type(d) is dict for d in page):  # (a long record comes lazily)
            page = [whole(d) for d in page]
        if not all(type(d) is dict for d in page):
            raise sub.SubmissionFormatError(
                "De inhoud van de indiening is beschadigd: een record is geen object."
            )
        yield page


# Sections of a concept read from the store page by page instead of held
# (StreamedSection): the checklist steps (170,000 at 20,000 products, ~200 MB as dicts)
# are needed by no derived figure. Each page's stored rows are encoded straight into
# canonical JSON and TOML (io/export_rows.py: every string quoted once, one template per
# row, no dict per step). The tests check that streamed and held give the same files.
# (Round 3 streamed pages of dicts and lost 10-25 % CPU time; from rows it costs less
# than the held dicts.)
STREAMED_SECTIONS: tuple[str, ...] = ("checklist_items",)
# Bytes a spooled text keeps in memory before it moves to its temporary file. Small: a
# concept holds three such texts at once, and moving one over copies it (16 MB each
# was ~50 MB of the peak at 20,000 products); the file is in the page cache anyway.
_SPOOL_MAX = 1 << 20
_TEXT_PIECE = 1 << 18  # bytes of a spooled text read at a time (`_texts`)
# Records per page of a streamed or held section: a page's texts, records and (for the
# lines) costs are what such a section holds while it is read (2,000: ~23 MB of a 20,000-
# product concept's peak for its lines, 500: ~4 MB, in the same time; RESULTS.md, round 12).
_PAGE = 500


class StreamedSection:
    """A record section of a concept that is never held whole.

    Its pages are read from the store once, while the concept is hashed (the first
    `json_pieces`) or before (`encode`, a HeldSection's read): each page is encoded
    as canonical JSON (for the hash and the JSON export) and rendered as TOML; the texts
    go to owner-only unlinked temporary files and the page is dropped. The files are then
    written from those texts: byte for byte what the held records gave
    (tests/test_export_streaming.py). The checklist's groups for the XLSX sheet are
    counted by the store once its pages are read, or from a stored version's steps as
    they are read (`xlsx_groups`)."""

    def __init__(
        self,
        name: str,
        ws: Workspace | None,
        on_page: Callable[[list[Any]], None] | None = None,
        *,
        dict_pages: Iterator[list[dict[str, Any]]] | None = None,
        encode_json: bool = True,
    ) -> None:
        """The section's stored rows read from `ws`, or its canonical dicts as `dict_pages`
        gives them (a frozen version's content, read in pieces). `on_page`: called with
        each page (of rows, or of dicts) as it is read (HeldSection builds its records
        there). Without `encode_json` its JSON is not kept (a frozen version's JSON is
        its stored text): `json_pieces` and `records` are then not available."""
        kind = sub.SECTIONS[name]
        self.name = name
        self._on_page = on_page
        self._encode_json = encode_json
        self._pages: Iterator[list[Any]] | None
        # The checklist sheet's groups: counted by the store once the steps are read (in
        # the same read snapshot), or from a stored version's steps as they are read;
        # then spooled.
        self.xlsx_groups: dict[Any, list[Any]] | SpooledRows | None = None
        self._count_groups: Callable[[], Iterator[tuple]] | None = None
        if ws is None:
            self._pages, self._fields = dict_pages, []
            if name == "checklist_items":
                self.xlsx_groups = {}
        else:
            self._pages = ws.iter_rows(kind, _PAGE)
            self._fields = ws.data_names(kind)
            self._dicts = partial(ws.data_dicts, kind)  # for a page the rows cannot encode
            if name == "checklist_items":
                from elo_tui.io.export_xlsx import stored_checklist_groups

                self._count_groups = partial(stored_checklist_groups, ws)
        self._count = 0
        self._toml_error: ValueError | None = None  # raised when the TOML is asked for
        self._json = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MAX)
        self._toml = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MAX)

    def json_pieces(self) -> Iterator[str]:
        """The canonical JSON of the section (a list) in pieces."""
        if not self._encode_json:
            raise RuntimeError(f"section {self.name}: its JSON is the version's stored text")
        yield "["
        if self._pages is not None:
            yield from self._read()
        else:
            yield from _texts(self._json)
        yield "]"

    def _read(self) -> Iterator[str]:
        from elo_tui.io.export_rows import encode_page
        from elo_tui.io.export_toml import table_array_text
        from elo_tui.io.export_xlsx import checklist_groups, group_rows

        pages, self._pages = self._pages, None
        if pages is None:
            return
        groups = self.xlsx_groups if isinstance(self.xlsx_groups, dict) else None
        for rows in pages:
            if not rows:
                continue
            if self._on_page is not None:
                self._on_page(rows)
            first = not self._count
            self._count += len(rows)
            encoded = encode_page(self.name, self._fields, rows) if self._fields else None
            if encoded is not None:
                piece, toml = encoded
            else:  # NULLs, JSON columns, odd types: the dicts list_data would give
                page = self._dicts(rows) if self._fields else rows
                # the items, without the brackets (the encoder and settings of the hash)
                piece = "".join(sub.list_json_chunks(page))[1:-1] if self._encode_json else ""
                try:
                    toml = table_array_text(self.name, page)
                except ValueError as exc:  # (a null in a stored version): only TOML fails
                    self._toml_error = self._toml_error or exc
                    toml = ""
                if groups is not None:
                    checklist_groups(page, groups)
            piece = piece if first else "," + piece
            if self._encode_json:
                self._json.write(piece.encode("utf-8"))
            self._toml.write((toml if first else "\n" + toml).encode("utf-8"))
            yield piece
        # Read to its end: let go of the callback and what it holds (a HeldSection's
        # callback holds the PagedRules, and with it the rules' findings).
        self._on_page = None
        if groups is not None:  # counted: spooled until the workbook
            self.xlsx_groups = SpooledRows(group_rows(groups))
        elif self._count_groups is not None:
            self.xlsx_groups = SpooledRows(self._count_groups())
            self._count_groups = None

    def encode(self) -> None:
        """Read and encode every page now (the texts stay spooled; nothing is held)."""
        if self._pages is not None:
            for _ in self._read():
                pass

    def __len__(self) -> int:
        self.encode()
        return self._count

    def toml_text(self, path: str) -> Iterator[str]:
        """`export_toml.table_array_text(path, records)` in pieces."""
        self.encode()
        if self._toml_error is not None:
            raise self._toml_error
        if path != self.name:
            raise ValueError(f"section {self.name} written as {path}")
        yield from _texts(self._toml)

    def toml_file(self, path: str) -> BinaryIO:
        """`toml_text(path)` as the UTF-8 bytes of a binary file (copied as they are)."""
        self.encode()
        if self._toml_error is not None:
            raise self._toml_error
        if path != self.name:
            raise ValueError(f"section {self.name} written as {path}")
        return cast(BinaryIO, self._toml)

    def records(self) -> list[dict[str, Any]]:
        """The records (tests and comparisons: this holds them all)."""
        return json.loads("".join(self.json_pieces()))


# Sections of a concept whose records the rules read. Their JSON and TOML are encoded
# from their stored rows as they are read (a StreamedSection of the same rows), and so
# are the values the XLSX sheets read (export_xlsx.SHEET_FIELDS). With paged rules (a
# concept) no record is kept: the block statuses and lines go through the rules a page
# at a time (PagedRules), the products are read again for each rule that needs them
# (StoredProducts); otherwise the records are let go of once the figures are made
# (`release`). At 20,000 products their dicts were ~50 MB beside the records
# (bench/RESULTS.md, round 8), and the records ~40 MB while the files were written
# (round 10).
HELD_SECTIONS: tuple[str, ...] = ("products", "block_statuses", "estimate_lines")
# The held sections whose records paged rules take as they are read (`read_state`).
PAGED_SECTIONS = ("products", "block_statuses", "estimate_lines")
# Free texts of a held section that no rule reads: emptied in the records kept for the
# rules (and in those StoredProducts reads). A real agency's products carry their IPDC
# descriptions, data and address (~2 KB each): at 20,000 products ~44 MB of the export's
# peak (RESULTS.md, round 13). The files are written from the rows;
# tests/test_export_streaming.py holds them equal.
NOT_FOR_RULES: dict[str, tuple[str, ...]] = {
    "products": ("description", "notes", "ipdc_data", "ipdc_uri")
}


class HeldSection(Sequence[dict[str, Any]]):
    """A long record section of a concept or of a stored version, read once, page by
    page: its JSON and TOML encoded, and what the XLSX sheets read of it spooled
    (`field_rows`). A concept's records are kept for its rules until `release`. As a
    sequence it gives the canonical dicts of its records (tests and comparisons)."""

    def __init__(
        self,
        name: str,
        ws: Workspace | None,
        *,
        dict_pages: Iterator[list[dict[str, Any]]] | None = None,
        on_records: Callable[[list[Any]], None] | None = None,
        not_for_rules: tuple[str, ...] = (),
    ) -> None:
        """The section as stored now, read page by page (inside the concept's read
        snapshot), or as `dict_pages` gives its canonical dicts (a stored version's
        content, whose rules are not run again: no record is made of it). With
        `on_records` each page's records go there and are not kept (PagedRules). The
        text fields in `not_for_rules` are emptied in the records kept for the rules
        (NOT_FOR_RULES); the files and the dicts this gives are made from the rows."""
        from elo_tui.io.export_xlsx import SHEET_FIELDS

        self.name = name
        self._kind = kind = sub.SECTIONS[name]
        self._records: list[Record] | None = []
        self._emptied = not_for_rules
        self._count = 0
        # The dicts of the records that would not say what their dicts say: a NULL where
        # the field has a default (raw SQL, an old version) - the record takes the
        # default, the dict leaves the field out. By position; rare.
        self._odd: dict[int, dict[str, Any]] = {}
        # fields -> their values per record, spooled; a stored version's dicts are
        # spooled too (`_dicts`: its records are not made).
        self._fields: dict[tuple[str, ...], tuple[tuple[Any, ...], PageSpool]] = {
            tuple(fields): (tuple(defaults), PageSpool())
            for fields, defaults in SHEET_FIELDS.get(name, ())
        }
        self._dicts: PageSpool | None = None
        has_default = {f.name for f in dataclasses.fields(kind) if f.default is not None}
        names = ws.data_names(kind) if ws is not None else []
        defaulted = [i for i, (n, _) in enumerate(names) if n in has_default]
        pick = itemgetter(*defaulted) if defaulted else None

        def take(rows: list[tuple]) -> None:
            assert ws is not None  # (rows come from the store)
            at = self._count
            odd: dict[int, dict[str, Any]] = {}
            for j, row in enumerate(rows):
                if pick is not None and None in row:  # often a field defaulting to None
                    values = pick(row)
                    if values is None or (len(defaulted) > 1 and None in values):
                        odd[j] = ws.data_dicts(kind, [row])[0]
            # (lists shared: the rules read the records, nothing changes them; ids shared
            # only by records that are kept)
            records = ws.records_of_rows(kind, rows, share_lists=True, share_ids=on_records is None)
            for fields, (defaults, spool) in self._fields.items():
                page = list(map(attrgetter(*fields), records))
                odd_values = sub.dict_field_rows(odd.values(), fields, defaults)
                for j, values in zip(odd, odd_values, strict=True):  # what the dict says
                    page[j] = values
                spool.add(page)
            if on_records is not None:
                on_records(records)
            else:
                assert self._records is not None
                for record in records if self._emptied else ():
                    for field_name in self._emptied:
                        setattr(record, field_name, "")
                self._odd.update((at + j, d) for j, d in odd.items())
                self._records += records
            self._count += len(rows)

        def take_dicts(page: list[dict[str, Any]]) -> None:
            assert self._dicts is not None
            self._dicts.add(page)
            for fields, (defaults, spool) in self._fields.items():
                spool.add(list(sub.dict_field_rows(page, fields, defaults)))
            self._count += len(page)

        if ws is None:
            self._records, self._dicts = None, PageSpool()
        elif on_records is not None:
            self._records = None  # (the records go to `on_records`)
        on_page: Callable[[list[Any]], None] = take if ws is not None else take_dicts
        self._stream = StreamedSection(
            name, ws, on_page=on_page, dict_pages=dict_pages, encode_json=ws is not None
        )
        self._stream.encode()

    @property
    def records_for_rules(self) -> list[Record]:
        """A concept's records, in stored order (a NULL where the field has a default
        gives the default; the fields no rule reads empty: NOT_FOR_RULES), until
        `release`."""
        if self._records is None:
            raise RuntimeError(f"section {self.name}: its records are not held")
        return self._records

    def release(self) -> None:
        """Let go of the records (the rules have run): the files need none of them."""
        self._records, self._odd = None, {}

    @property
    def odd(self) -> int:
        """How many records are read as their dicts (while the records are held)."""
        return len(self._odd)

    def field_rows(self, fields: tuple[str, ...], defaults: tuple[Any, ...]) -> Iterator[tuple]:
        """`domain.submission.field_rows` of this section: spooled, or of its dicts."""
        spooled = self._fields.get(fields)
        if spooled is not None and spooled[0] == defaults:
            return (values for page in spooled[1].pages() for values in page)
        return sub.dict_field_rows(self, fields, defaults)

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        if self._records is None or self._emptied:
            return self.records()[index]  # (tests: decodes them all)
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        if index < 0:
            index += len(self)
        odd = self._odd.get(index)
        return odd if odd is not None else sub.record_data(self._records[index])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        if self._records is not None and not self._emptied:
            return map(self.__getitem__, range(len(self)))
        if self._dicts is not None:
            return (d for page in self._dicts.pages() for d in page)
        return iter(self.records())

    def json_pieces(self) -> Iterator[str]:
        return self._stream.json_pieces()

    def toml_text(self, path: str) -> Iterator[str]:
        return self._stream.toml_text(path)

    def toml_file(self, path: str) -> BinaryIO:
        return self._stream.toml_file(path)

    def records(self) -> list[dict[str, Any]]:
        """The canonical dicts (tests and comparisons: this holds them all), their keys
        in the order of `record_data` (the order the TOML gives them)."""
        if (self._records is not None and not self._emptied) or self._dicts is not None:
            return list(self)
        order = {name: i for i, name in enumerate(("id", *self._kind.data_field_names()))}
        last = len(order)
        return [
            dict(sorted(d.items(), key=lambda item: order.get(item[0], last)))
            for d in self._stream.records()
        ]


# Long lists of derived figures in a content, held as spooled pages (SpooledList): the
# estimate's cost per line and per product and the completeness warnings. At 20,000
# products ~25 MB as a concept's dicts, ~50 MB decoded from a stored version's text.
SPOOLED_LISTS: tuple[tuple[str, str], ...] = (
    ("estimate", "lines"),
    ("estimate", "products"),
    ("completeness", "warnings"),
)


class SpooledList(Sequence[dict[str, Any]]):
    """A long list of plain dicts of a content, held as pages in a temporary file
    (owner-only, unlinked) and read back a page at a time by the files (TOML, XLSX,
    Markdown). A concept's also keeps its canonical JSON, encoded page by page: the text
    the whole list gives (what its hash is taken over)."""

    def __init__(self, items: Iterable[dict[str, Any]] = (), *, encode_json: bool = True) -> None:
        """The list of `items`; more may be added (`extend`) until it is read (`close`)."""
        self._pages = PageSpool()
        self._json = tempfile.SpooledTemporaryFile(max_size=_SPOOL_MAX) if encode_json else None
        self._count = 0
        self._tail: list[dict[str, Any]] = []  # added, not yet spooled (less than a page)
        self.extend(items)
        self.close()

    def extend(self, items: Iterable[dict[str, Any]]) -> None:
        """Add `items` at the end (spooled a page at a time)."""
        tail = self._tail
        for item in items:
            tail.append(item)
            if len(tail) == _PAGE:
                self._add(tail)
                tail.clear()

    def close(self) -> None:
        """Spool what is left of the last page (reading does it too)."""
        if self._tail:
            self._add(self._tail)
            self._tail = []

    def _add(self, page: list[dict[str, Any]]) -> None:
        self._pages.add(page)
        if self._json is not None:
            piece = "".join(sub.list_json_chunks(page))[1:-1]
            self._json.write(("," + piece if self._count else piece).encode("utf-8"))
        self._count += len(page)

    def __len__(self) -> int:
        return self._count + len(self._tail)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self.close()
        return (d for page in self._pages.pages() for d in page)

    def __getitem__(self, index: Any) -> Any:
        from itertools import islice

        self.close()
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if step > 0:
                return list(islice(self, start, stop, step))
            return list(self)[index]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        return next(islice(self, index, None))

    def records(self) -> list[dict[str, Any]]:
        """The dicts (tests and comparisons: this holds them all)."""
        return list(self)

    def json_pieces(self) -> Iterator[str]:
        """The canonical JSON of the list in pieces (a concept's)."""
        if self._json is None:
            raise RuntimeError("a stored version's JSON is its stored text")
        self.close()
        yield "["
        if self._count:
            yield from _texts(self._json)
        yield "]"

    def toml_text(self, path: str) -> Iterator[str]:
        """`export_toml.table_array_text(path, list(self))` in pieces, a page each."""
        from elo_tui.io.export_toml import table_array_text

        self.close()
        for i, page in enumerate(self._pages.pages()):
            text = table_array_text(path, page)
            yield text if i == 0 else "\n" + text


def _texts(spool: Any) -> Iterator[str]:
    """The UTF-8 text of a spooled file from its start, in pieces of about 256 KB. (Each
    piece is held three times over while a concept is hashed - read, decoded, encoded
    again - pieces of 1 MB were ~4 MB of the hashing's peak at 20,000 products;
    bench/RESULTS.md, round 16.)"""
    import codecs

    spool.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    while chunk := spool.read(_TEXT_PIECE):
        yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)


def concept_source(ws: Workspace, *, author: str | None = None) -> ExportSource:
    """The current state as an unstored draft ("concept", version 0), whatever is missing."""
    from elo_tui.io.submission_files import document

    # One read transaction for every section, the derived figures and the streamed
    # pages: in WAL mode the concept is one consistent snapshot even while another
    # program (or the TUI's own worker connections) writes meanwhile, and writers are
    # not blocked.
    with bulk(), ws.read_snapshot(), ws.small_cache():
        content, sha256, spool, check = _snapshot(
            ws, version=0, author=author or ws.user, created_at=utc_now()
        )
    return ExportSource(document(content, sha256), spool, concept=True, check=check)


@contextmanager
def bulk() -> Iterator[None]:
    """No cyclic garbage collection while a snapshot is built or exported.

    A 20,000-product snapshot is ~2 million small dicts, lists and strings, all acyclic
    (reference counting frees them); each full collection walks all of them, and with
    the collector on, a concept export at 20,000 products took ~20 % more CPU time
    (bench/RESULTS.md, "Export"). Re-enabled afterwards only when it was on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def document_of(submission: AnySubmission, ws: Workspace | None = None) -> dict[str, Any]:
    """What the files of a version are written from: a record's content as parsed, a
    head's with its long sections as HeldSection and StreamedSection (frozen_source)."""
    return source_of(submission, ws).document


# -- the agency's request data ---------------------------------------------------------------


def save_request(ws: Workspace, values: dict[str, Any]) -> Agency | dict[str, str]:
    """Store contact, day rates, own budget, requested amounts and justification.

    Returns the agency, or field -> Dutch message when nothing was saved."""
    from elo_tui.domain.cofinancing_request import REQUEST_YEARS, parse_request_form

    agency = ws.agency()
    if agency is None:
        return {"contact_name": "Er is nog geen agentschap in deze werkruimte."}
    cleaned, errors = parse_request_form(values)
    if errors:
        return errors
    # Years the form does not show (e.g. an imported "later") are kept, never dropped.
    kept = {y: v for y, v in agency.requested_cofinancing.items() if y not in REQUEST_YEARS}
    cleaned["requested_cofinancing"] = {**kept, **cleaned["requested_cofinancing"]}
    cleaned["cofinancing_statements"] = {
        **agency.cofinancing_statements,
        **cleaned["cofinancing_statements"],
    }
    threshold = cleaned.pop("bvco_threshold")
    for key, value in cleaned.items():
        setattr(agency, key, value)
    with ws.transaction():
        set_bvco_threshold(ws, threshold)
        return ws.save(agency)


def bvco_threshold(ws: Workspace) -> float | None:
    """The intervention threshold of the BVCO as set in this workspace (None = unknown).

    Stored as workspace meta, not on the agency: it is a rule of the budget control, not
    the entity's data, and is not synced. A value that no longer reads counts as unknown.
    """
    from elo_tui.domain.cofinancing import THRESHOLD_META_KEY

    text = ws.get_meta(THRESHOLD_META_KEY, "") or ""
    try:
        value = float(text) if text else None
    except ValueError:
        return None
    return value if value is not None and value > 0 and value != float("inf") else None


def set_bvco_threshold(ws: Workspace, value: float | None) -> None:
    from elo_tui.domain.cofinancing import THRESHOLD_META_KEY

    ws.set_meta(THRESHOLD_META_KEY, "" if value is None else repr(float(value)))
