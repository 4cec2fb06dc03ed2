"""Is a co-financing request complete? Exactly what is missing, blocking or warning.

Blocking issues stop a submission from being created or exported; warnings are shown and
travel with the submission. Every message is Dutch and names the record it is about
("Product 'Groeisubsidie': ..."), so a person can go and fix it.
"""

from __future__ import annotations

import heapq
from collections.abc import (
    Callable,
    Collection,
    Container,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass
from itertools import chain
from typing import Any, TypeVar

from elo_tui.domain import cofinancing as cof
from elo_tui.domain import estimate as est
from elo_tui.domain import formats
from elo_tui.domain.blocks import APPLICABILITY, STAGE_LABELS
from elo_tui.domain.pacing import Pause, no_pause
from elo_tui.domain.records import Agency, Application, BlockStatus, EstimateLine, Product

BLOCKING = "blocking"
WARNING = "warning"
SEVERITY_LABELS = {BLOCKING: "Blokkerend", WARNING: "Waarschuwing"}

# Labels come from the block catalogue (one source); re-exported for the exporters.
STAGES = STAGE_LABELS


@dataclass(frozen=True, slots=True)
class Issue:
    severity: str  # BLOCKING | WARNING
    code: str  # stable identifier of the rule
    message: str  # Dutch, names the record
    kind: str = ""  # record kind it is about ("" = the request as a whole)
    record_id: str = ""
    field: str = ""

    @property
    def blocking(self) -> bool:
        return self.severity == BLOCKING


def check(
    agency: Agency | None,
    applications: Sequence[Application],
    products: Collection[Product],
    block_statuses: Iterable[BlockStatus],
    lines: Sequence[EstimateLine],
    summary: est.EstimateSummary | None = None,
    **options: Any,
) -> list[Issue]:
    """All issues, blocking first, in a stable order: `find`'s, as one list (`options`:
    those of `find`)."""
    return list(find(agency, applications, products, block_statuses, lines, summary, **options))


class Found:
    """The issues of a check, blocking and warnings apart, each in rule order: the list
    `check` gives is the blocking ones, then the warnings. Each group's issues may be
    spooled (a large check's status issues: `StatusFindings(spool=...)`); `blocking()`
    and `warnings()` read them again each time, so all of them need not be held (17,000
    at 20,000 products were ~7 MB; RESULTS.md, round 14)."""

    def __init__(self, groups: Iterable[tuple[Iterable[Issue], Iterable[Issue]]]) -> None:
        self._groups = list(groups)  # per rule group, in rule order: (blocking, warnings)

    def blocking(self) -> Iterator[Issue]:
        return chain.from_iterable(b for b, _w in self._groups)

    def warnings(self) -> Iterator[Issue]:
        return chain.from_iterable(w for _b, w in self._groups)

    def __iter__(self) -> Iterator[Issue]:
        return chain(self.blocking(), self.warnings())


def _apart(issues: list[Issue]) -> tuple[list[Issue], list[Issue]]:
    return [i for i in issues if i.blocking], [i for i in issues if not i.blocking]


def find(
    agency: Agency | None,
    applications: Sequence[Application],
    products: Collection[Product],
    block_statuses: Iterable[BlockStatus],
    lines: Sequence[EstimateLine],
    summary: est.EstimateSummary | None = None,
    *,
    bvco_threshold: float | None = None,
    pause: Pause = no_pause,
    findings: LineFindings | None = None,
    status_findings: StatusFindings | None = None,
    product_findings: ProductFindings | None = None,
) -> Found:
    """All issues, blocking and warnings apart (`check`: as one list).

    `bvco_threshold`: the intervention threshold (None = unknown), see domain.cofinancing.
    `pause`: called every PAUSE_EVERY records in the long loops (a worker gives way to
    the interface there, see elo_tui/background.py); changes nothing in the result.
    `findings`: what was found in the lines as they were costed a page at a time (then
    `lines` and the summary's costs are not read, the summary must be given, and
    `products` is gone through once: a concept's are read from the store), with what
    the lines' rules read of the block statuses (`LineFindings.add_statuses`, or a
    concept's looked up per page of lines: `LineFindings.add_costs(scopes=...)`;
    `block_statuses` is then read once more, for the statuses' own rules: it may be an
    iterator).
    `status_findings`: the statuses' own rules, run as they were read (`StatusFindings`;
    `block_statuses` is then not read). `product_findings`: the products' own rules, run
    as they were read (`ProductFindings`; `products` is then not read when `findings`
    is given).
    """
    applications = [a for a in applications if not a.deleted]
    live: Iterable[Product] = (p for p in products if not p.deleted)
    if findings is None:
        products = list(live)  # (read three times)
        live = products
        lines = [line for line in lines if not line.deleted]
        if summary is None:
            summary = est.summarize(lines, products, agency, applications=applications)
        if not isinstance(block_statuses, Sequence):
            block_statuses = list(block_statuses)  # (read twice)
        findings = LineFindings(applications, products, block_statuses)
        findings.add_lines(lines)
        findings.add_costs(summary.costs, pause)
    elif summary is None:
        raise ValueError("the findings of paged lines need the summary they were costed for")
    if product_findings is None:
        product_findings = ProductFindings(applications)
        product_findings.add(live, pause)
    if status_findings is None:
        status_findings = StatusFindings(findings.costed, findings.names)
        status_findings.add(findings.counted_statuses(block_statuses), pause)
    return Found(
        [
            _apart(_agency_issues(agency)),
            product_findings.issues_apart(pause),
            status_findings.issues_apart(pause),
            _apart(findings.issues()),
            _apart(_money_issues(agency, summary)),
            _apart(_cofinancing_issues(agency, summary, bvco_threshold)),
        ]
    )


class ScopeBlocks:
    """A set of (scope kind, scope id, block) keys held as one bit per block per scope:
    the blocks an estimate line costs. At 20,000 products the 32,000 keys as a set of
    tuples were ~4 MB of an export's peak, as bits ~0.7 MB (RESULTS.md, round 13)."""

    def __init__(self) -> None:
        self._bits: dict[str, dict[str, int]] = {}  # scope kind -> scope id -> bits
        self._bit_of: dict[str, int] = {}  # block -> its bit, in the order first seen

    def update(self, keys: Iterable[tuple[str, str, str]]) -> None:
        bit_of, bits = self._bit_of, self._bits
        for kind, scope_id, block in keys:
            bit = bit_of.get(block)
            if bit is None:
                bit = bit_of[block] = 1 << len(bit_of)
            of_kind = bits.get(kind)
            if of_kind is None:
                of_kind = bits[kind] = {}
            of_kind[scope_id] = of_kind.get(scope_id, 0) | bit

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 3:
            return False
        kind, scope_id, block = key
        bit = self._bit_of.get(block)
        return bit is not None and bool(self._bits.get(kind, _NO_SCOPES).get(scope_id, 0) & bit)


_NO_SCOPES: dict[str, int] = {}


class ScopeNames(Mapping[tuple[str, str], str]):
    """The names of applications and products by (scope kind, id), one dict per kind: a
    tuple key per product was ~1.3 MB of an export's peak at 20,000 products
    (RESULTS.md, round 14)."""

    def __init__(self, applications: Iterable[Application], products: Iterable[Product]) -> None:
        self._of: dict[str, dict[str, str]] = {
            "application": {a.id: a.name for a in applications},
            "product": {p.id: p.name for p in products},
        }

    @property
    def products(self) -> dict[str, str]:
        """The products' names by id (to add to)."""
        return self._of["product"]

    def with_products(self, products: Iterable[Product]) -> ScopeNames:
        """These applications' names with only those of `products` (of one page of a
        concept's lines or statuses: not every product's name held)."""
        names = ScopeNames((), products)
        names._of["application"] = self._of["application"]
        return names

    def __getitem__(self, key: tuple[str, str]) -> str:
        kind, scope_id = key
        return self._of.get(kind, _NO_NAMES)[scope_id]

    def get(self, key: tuple[str, str], default: Any = None) -> Any:
        kind, scope_id = key
        return self._of.get(kind, _NO_NAMES).get(scope_id, default)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 2:
            return False
        return key[1] in self._of.get(key[0], _NO_NAMES)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((kind, i) for kind, names in self._of.items() for i in names)

    def __len__(self) -> int:
        return sum(map(len, self._of.values()))


_NO_NAMES: dict[str, str] = {}


@dataclass(frozen=True, slots=True)
class LineScopes:
    """What the lines' rules read of the scopes of one page of lines, looked up for that
    page (a concept's in the store) rather than held for every product and status: at
    20,000 products the names, the products' applications and the "not needed" states
    held were ~5 MB of an export's peak (bench/RESULTS.md, round 16)."""

    # the live applications' names and those of the live products of these lines
    names: Mapping[tuple[str, str], str]
    # (scope kind, scope id, block) -> `not_needed_state` of the key's last counted
    # status, for the keys of these lines whose last status has one
    not_needed: Mapping[tuple[str, str, str], str]


def not_needed_state(stage: str, applicability: str) -> str | None:
    """How the warning "is deze kost nog nodig?" words the state of a block status, None
    when a line of its block is needed."""
    if stage == "production":
        return "al in productie"
    return _NOT_NEEDED.get(applicability)


class LineFindings:
    """What the check finds in the estimate lines, gathered as they are read: which
    (scope, block) pairs have a line (`add_lines`: every live line) and the issues of the
    counted lines' costs (`add_costs`: `LineTally.add`'s first list, page by page). An
    export at 20,000 products so costs 34,000 lines without holding them.

    Made from the live applications, products and block statuses: the names issues use
    and the statuses the rules read (blocks of an application "buiten beschouwing", and
    of the products counted under it, need no estimate: it is left out of the request).
    A concept's come with each page of lines instead (`add_costs(scopes=...)`)."""

    def __init__(
        self,
        applications: Iterable[Application],
        products: Iterable[Product],
        block_statuses: Iterable[BlockStatus] = (),
    ) -> None:
        """More products can be added before the lines (`add_products`: a concept's are
        read a page at a time)."""
        applications = [a for a in applications if not a.deleted]
        self.names = ScopeNames(applications, ())
        self._excluded = {a.id for a in applications if a.excluded}
        self._app_of: dict[str, str] = {}
        self.add_products(products)
        # The statuses a line can be "not needed" by, as the warning words it: the last
        # status of a key counts (no index of every status: ~5 MB at 20,000 products).
        self._not_needed: dict[tuple[str, str, str], str] = {}
        self.costed = ScopeBlocks()
        self._counted = 0
        self._seen = 0  # costs read: `pause()` every PAUSE_EVERY of them
        self._assumed = 0
        self._blocking: list[Issue] = []
        self._warnings: list[Issue] = []
        self.add_statuses(block_statuses)

    def add_products(self, products: Iterable[Product]) -> None:
        """More of the products (their names; the application of each when one is
        "buiten beschouwing")."""
        names, app_of = self.names.products, self._app_of
        for p in products:
            if not p.deleted:
                names[p.id] = p.name
                if self._excluded:
                    app_of[p.id] = est.application_of(p)

    def counted_statuses(
        self, block_statuses: Iterable[BlockStatus], app_of: Mapping[str, str] | None = None
    ) -> Iterator[BlockStatus]:
        """The live statuses the rules read: not those of an application "buiten
        beschouwing" or of the products counted under it. `app_of`: the application
        each product of these statuses is counted under (`est.application_of`; a
        product not in it: none), when not that of the findings' products."""
        excluded = self._excluded
        app_of = self._app_of if app_of is None else app_of
        for s in block_statuses:
            if s.deleted:
                continue
            if (
                excluded
                and (s.scope_id if s.scope_kind == "application" else app_of.get(s.scope_id))
                in excluded
            ):
                continue
            yield s

    def add_statuses(self, block_statuses: Iterable[BlockStatus]) -> None:
        """Block statuses (a page of them, in stored order): the blocks a line of would
        not be needed."""
        not_needed = self._not_needed
        for s in self.counted_statuses(block_statuses):
            key = (s.scope_kind, s.scope_id, s.block)
            state = not_needed_state(s.stage, s.applicability)
            if state is not None:
                not_needed[key] = state
            elif key in not_needed:
                del not_needed[key]

    def add_lines(self, lines: Iterable[EstimateLine]) -> None:
        """Live lines (counted or not): the blocks they cost."""
        self.costed.update(
            (line.scope_kind, line.scope_id, line.block) for line in lines if not line.deleted
        )

    def add_costs(
        self,
        costs: Iterable[est.LineCost],
        pause: Pause = no_pause,
        *,
        scopes: LineScopes | None = None,
    ) -> None:
        """The counted lines' costs, in the order of the summary's `costs`. `scopes`:
        what the rules read of these lines' scopes, when not what the findings were made
        with."""
        names = self.names if scopes is None else scopes.names
        not_needed = self._not_needed if scopes is None else scopes.not_needed
        for c in costs:
            self._seen += 1
            if self._seen % PAUSE_EVERY == 0:
                pause()
            self._counted += 1
            line = c.line
            ref = ("estimate_line", line.id)
            for fld, message in c.problems.items():
                self._blocking.append(
                    Issue(
                        BLOCKING, "line_invalid", f"{_line_who(line, names)}: {message}", *ref, fld
                    )
                )
            if line.assumed:
                self._assumed += 1
            if line.scope_kind != "agency" and (line.scope_kind, line.scope_id) not in names:
                self._warnings.append(
                    Issue(
                        WARNING,
                        "line_scope",
                        f"{_line_who(line, names)}: de toepassing of het product bestaat niet "
                        "meer.",
                        *ref,
                        "scope_id",
                    )
                )
            state = (
                not_needed.get((line.scope_kind, line.scope_id, line.block)) if line.block else None
            )
            if state is not None:
                self._warnings.append(
                    Issue(
                        WARNING,
                        "line_not_needed",
                        f"{_line_who(line, names)}: de bouwsteen is {state}; is deze kost nog "
                        "nodig?",
                        *ref,
                        "block",
                    )
                )

    def issues(self) -> list[Issue]:
        """The lines' issues: blocking first, then warnings."""
        if not self._counted:
            return [
                Issue(
                    BLOCKING, "no_lines", "De raming bevat nog geen enkele lijn.", "estimate_line"
                )
            ]
        warnings = list(self._warnings)
        if self._assumed:
            warnings.insert(
                0,
                Issue(
                    WARNING,
                    "assumed",
                    f"{self._assumed} ramingslijn{'en zijn' if self._assumed != 1 else ' is'} "
                    "nog een aanname uit het sjabloon: bevestig of pas aan.",
                    "estimate_line",
                ),
            )
        return self._blocking + warnings


_F = TypeVar("_F", bound=tuple)
PAUSE_EVERY = 500  # records between two `pause()` calls (a few ms of work)


# How the "not needed" warning names a status's state (one text per state).
_NOT_NEEDED = {k: APPLICABILITY[k].lower() for k in ("not_applicable", "forms_tool")}


def _sorted_in_steps(found: list[_F], pause: Pause) -> list[_F]:
    """`sorted(found, key=first item)`, stable, in steps: runs of PAUSE_EVERY sorted
    apart, `pause()` between them, then merged (heapq.merge keeps earlier runs first on
    ties, so the order is that of one stable sort). One sort of 9,400 keys with long
    common name prefixes held the interpreter 20-50 ms in one C call."""
    if len(found) <= PAUSE_EVERY:
        return sorted(found, key=_first)
    runs = []
    for start in range(0, len(found), PAUSE_EVERY):
        runs.append(sorted(found[start : start + PAUSE_EVERY], key=_first))
        pause()
    merged = []
    for n, item in enumerate(heapq.merge(*runs, key=_first), 1):
        merged.append(item)
        if n % PAUSE_EVERY == 0:
            pause()
    return merged


def _first(item: tuple) -> Any:
    return item[0]


def blocking(issues: Iterable[Issue]) -> list[Issue]:
    return [i for i in issues if i.blocking]


def _scope(kind: str, scope_id: str, names: Mapping[tuple[str, str], str]) -> str:
    if kind == "agency":
        return "de entiteit"
    label = "toepassing" if kind == "application" else "product"
    name = names.get((kind, scope_id))
    return f"{label} '{name}'" if name is not None else f"een verwijderd(e) {label}"


def _agency_issues(agency: Agency | None) -> list[Issue]:
    if agency is None:
        return [
            Issue(
                BLOCKING,
                "agency_missing",
                "Er is geen entiteit (agentschap of departement) ingevuld.",
                "agency",
            )
        ]
    out = []
    a = ("agency", agency.id)
    if not agency.name.strip():
        out.append(Issue(BLOCKING, "agency_name", "Entiteit: de naam ontbreekt.", *a, "name"))
    if not agency.contact_name.strip():
        out.append(
            Issue(
                BLOCKING,
                "contact_name",
                "Entiteit: geen contactpersoon ingevuld.",
                *a,
                "contact_name",
            )
        )
    if not agency.contact_email.strip():
        out.append(
            Issue(
                BLOCKING,
                "contact_email",
                "Entiteit: het e-mailadres van de contactpersoon ontbreekt.",
                *a,
                "contact_email",
            )
        )
    if not any((v or 0) > 0 for v in agency.own_budget.values()):
        out.append(
            Issue(
                BLOCKING,
                "own_budget",
                "Entiteit: geen eigen budget ingevuld (bedrag per begrotingsjaar).",
                *a,
                "own_budget",
            )
        )
    if not agency.ovo_code.strip():
        out.append(Issue(WARNING, "ovo_code", "Entiteit: geen OVO-code ingevuld.", *a, "ovo_code"))
    if not agency.justification.strip():
        out.append(
            Issue(
                WARNING,
                "justification",
                "Entiteit: geen toelichting bij de aanvraag (motivering) ingevuld.",
                *a,
                "justification",
            )
        )
    if agency.day_rate_internal is None or agency.day_rate_supplier is None:
        out.append(
            Issue(
                WARNING,
                "day_rates",
                "Entiteit: standaarddagtarief voor eigen personeel of leverancier ontbreekt.",
                *a,
                "day_rate_internal",
            )
        )
    return out


class ProductFindings:
    """The products' own issues, gathered as they are read (`add`, a page at a time): per
    product in stored order, then only the products that have any sorted by name (the
    key ends in the unique id: the order sorting all of them gives). Sorting all 20,000
    held the interpreter ~15-20 ms, which no key could interrupt. An export reads its
    products once, for the readiness and these rules together."""

    def __init__(
        self, applications: Iterable[Application], *, spool: Callable[..., Any] | None = None
    ) -> None:
        """`spool`: as StatusFindings takes it (the products that have issues spooled
        instead of held: ~4,000 of 20,000 in the benchmark's workspace)."""
        self._app_ids = {a.id for a in applications if not a.deleted}
        self._found: Any = (
            [] if spool is None else spool(_first, encode=_encode_found, decode=_decode_found)
        )
        self._seen = 0

    def add(self, products: Iterable[Product], pause: Pause = no_pause) -> None:
        app_ids, found = self._app_ids, self._found
        for p in products:
            if p.deleted:
                continue
            self._seen += 1
            if self._seen % PAUSE_EVERY == 0:
                pause()
            blocking_, warnings = _one_product_issues(p, app_ids)
            if blocking_ or warnings:
                found.append(((p.name.casefold(), p.id), blocking_, warnings))

    def issues_apart(self, pause: Pause = no_pause) -> tuple[Iterable[Issue], Iterable[Issue]]:
        """The blocking issues and the warnings (a spooled finding's: read from the spool
        each time they are iterated)."""
        if not self._seen:
            none = Issue(BLOCKING, "no_products", "De inventaris bevat geen producten.", "product")
            return [none], []
        return _found_apart(self._found, pause)


def _found_apart(
    found: Any, pause: Pause, warnings_first: Sequence[Issue] = ()
) -> tuple[Iterable[Issue], Iterable[Issue]]:
    """The blocking issues and the warnings of (sort key, blocking, warnings) findings:
    a list sorted in steps, or a spool read in its order each time they are iterated."""
    if isinstance(found, list):
        found = _sorted_in_steps(found, pause)
        return [i for _key, b, _w in found for i in b], [
            *warnings_first,
            *(i for _key, _b, w in found for i in w),
        ]
    return _Again(lambda: (i for _key, b, _w in found for i in b)), _Again(
        lambda: chain(warnings_first, (i for _key, _b, w in found for i in w))
    )


def _one_product_issues(p: Product, app_ids: set[str]) -> tuple[list[Issue], list[Issue]]:
    blocking_: list[Issue] = []
    warnings: list[Issue] = []
    who = f"Product '{p.name or p.id[:8]}'"
    if not p.ipdc_type:
        blocking_.append(
            Issue(
                BLOCKING,
                "product_type",
                f"{who}: geen producttype (IPDC-type).",
                "product",
                p.id,
                "ipdc_type",
            )
        )
    apps = [x for x in (p.request_application_id, p.followup_application_id) if x]
    if not apps:
        blocking_.append(
            Issue(
                BLOCKING,
                "product_application",
                f"{who}: geen toepassing om aan te vragen of op te volgen.",
                "product",
                p.id,
                "request_application_id",
            )
        )
    elif any(x not in app_ids for x in apps):
        blocking_.append(
            Issue(
                BLOCKING,
                "product_application",
                f"{who}: verwijst naar een toepassing die niet meer bestaat.",
                "product",
                p.id,
                "request_application_id",
            )
        )
    if not p.ipdc_number:
        warnings.append(
            Issue(
                WARNING,
                "ipdc_number",
                f"{who}: IPDC-productnummer nog onbekend.",
                "product",
                p.id,
                "ipdc_number",
            )
        )
    if p.yearly_volume is None:
        warnings.append(
            Issue(
                WARNING,
                "yearly_volume",
                f"{who}: geen jaarvolume (aantal aanvragen per jaar).",
                "product",
                p.id,
                "yearly_volume",
            )
        )
    return blocking_, warnings


class StatusFindings:
    """The block statuses' own issues, gathered as they are read (`add`, a page at a time):
    per status in stored order, then only the statuses that have any sorted (stable, so
    in the order sorting all of them gives): one sort of 45,000 tuples at 20,000 products
    held the interpreter ~80 ms, which no key could interrupt.

    With `by_id` the statuses may come in any order: equal sort keys are ordered by the
    status's id, which is their stored order (an export reads them once, by scope, for
    the readiness and for these rules together)."""

    def __init__(
        self,
        costed: Container[tuple[str, str, str]],
        names: Mapping[tuple[str, str], str],
        *,
        by_id: bool = False,
        spool: Callable[..., Any] | None = None,
    ) -> None:
        """`spool(key, encode=, decode=)`: a sequence the statuses that have issues are
        appended to and that reads back in the order a stable sort by `key` gives
        (a temporary file: ~13,000 of them at 20,000 products held ~6 MB; RESULTS.md,
        round 14). None: a list, sorted when the issues are asked for."""
        self._costed, self._names, self._by_id = costed, names, by_id
        self._found: Any = (
            [] if spool is None else spool(_first, encode=_encode_found, decode=_decode_found)
        )
        self._undecided = 0
        self._seen = 0

    def add(
        self,
        statuses: Iterable[BlockStatus],
        pause: Pause = no_pause,
        *,
        names: Mapping[tuple[str, str], str] | None = None,
        costed: Container[tuple[str, str, str]] | None = None,
    ) -> None:
        """`names`: those of these statuses' scopes, when not those the findings were
        made with (a concept's: of a page of products, `ScopeNames.with_products`).
        `costed`: the blocks lines cost of these statuses' scopes, when not those the
        findings were made with (a concept's: looked up per page of statuses)."""
        found = self._found
        costed = self._costed if costed is None else costed
        names = self._names if names is None else names
        for s in statuses:
            self._seen += 1
            if self._seen % PAUSE_EVERY == 0:
                pause()
            if s.applicability == "undecided":
                self._undecided += 1
                continue  # counted in one warning below; no other rule applies to it
            blocking_, warnings = _status_issues(s, costed, names)
            if blocking_ or warnings:
                key: tuple[str, ...] = (
                    s.scope_kind,
                    names.get((s.scope_kind, s.scope_id), ""),
                    s.block,
                )
                found.append((key + (s.id,) if self._by_id else key, blocking_, warnings))

    def issues(self, pause: Pause = no_pause) -> list[Issue]:
        blocking_, warnings = self.issues_apart(pause)
        return [*blocking_, *warnings]

    def issues_apart(self, pause: Pause = no_pause) -> tuple[Iterable[Issue], Iterable[Issue]]:
        """The blocking issues and the warnings (a spooled finding's: read from the spool
        each time they are iterated)."""
        if not self._seen:
            return [], [
                Issue(
                    WARNING,
                    "no_blocks",
                    "Er is nog voor geen enkel product of toepassing bepaald welke bouwstenen "
                    "nodig zijn.",
                    "block_status",
                )
            ]
        undecided = []
        if self._undecided:
            n = self._undecided
            undecided.append(
                Issue(
                    WARNING,
                    "undecided",
                    f"{n} bouwsteenstatus{'sen' if n != 1 else ''} nog 'te "
                    "beslissen': is de bouwsteen vereist of niet?",
                    "block_status",
                )
            )
        return _found_apart(self._found, pause, undecided)


class _Again(Iterable[Issue]):
    """Issues made anew each time they are iterated (from a spool)."""

    def __init__(self, make: Callable[[], Iterator[Issue]]) -> None:
        self._make = make

    def __iter__(self) -> Iterator[Issue]:
        return self._make()


def _encode_found(item: tuple[tuple[str, ...], list[Issue], list[Issue]]) -> tuple:
    key, blocking_, warnings = item
    return key, list(map(_issue_tuple, blocking_)), list(map(_issue_tuple, warnings))


def _issue_tuple(i: Issue) -> tuple[str, ...]:
    return (i.severity, i.code, i.message, i.kind, i.record_id, i.field)


def _decode_found(item: tuple) -> tuple[tuple[str, ...], list[Issue], list[Issue]]:
    key, blocking_, warnings = item
    return key, [Issue(*i) for i in blocking_], [Issue(*i) for i in warnings]


def _status_issues(
    s: BlockStatus, costed: Container[tuple[str, str, str]], names: Mapping[tuple[str, str], str]
) -> tuple[list[Issue], list[Issue]]:
    """The blocking issues and warnings of one block status that is not undecided."""
    blocking_: list[Issue] = []
    warnings: list[Issue] = []
    ref = ("block_status", s.id)
    # (the label is made only for a status with an issue: most of 45,000 have none)
    if s.applicability == "not_applicable" and not s.reason.strip():
        blocking_.append(
            Issue(
                BLOCKING,
                "reason",
                f"{_status_where(s, names)}: niet van toepassing zonder motivering.",
                *ref,
                "reason",
            )
        )
    if s.applicability != "required":
        return blocking_, warnings
    if s.stage not in STAGES:
        blocking_.append(
            Issue(
                BLOCKING,
                "stage",
                f"{_status_where(s, names)}: vereist maar zonder fase.",
                *ref,
                "stage",
            )
        )
        return blocking_, warnings
    if s.stage == "production":
        return blocking_, warnings
    if (s.scope_kind, s.scope_id, s.block) not in costed:
        blocking_.append(
            Issue(
                BLOCKING,
                "estimate_missing",
                f"{_status_where(s, names)}: vereist en nog niet in productie, maar zonder raming.",
                *ref,
                "block",
            )
        )
    if not s.target_date:
        warnings.append(
            Issue(
                WARNING,
                "target_date",
                f"{_status_where(s, names)}: geen streefdatum.",
                *ref,
                "target_date",
            )
        )
    return blocking_, warnings


def _status_where(s: BlockStatus, names: Mapping[tuple[str, str], str]) -> str:
    return f"Bouwsteen {est.block_label(s.block)} bij {_scope(s.scope_kind, s.scope_id, names)}"


def _line_who(line: EstimateLine, names: Mapping[tuple[str, str], str]) -> str:
    """How an issue names an estimate line (made only for a line with an issue)."""
    title = line.description or est.block_label(line.block)
    return f"Ramingslijn '{title}' ({_scope(line.scope_kind, line.scope_id, names)})"


def _money_issues(agency: Agency | None, summary: est.EstimateSummary) -> list[Issue]:
    if agency is None:
        return []
    out = []
    a = ("agency", agency.id)
    if not any((v or 0) > 0 for v in agency.requested_cofinancing.values()):
        out.append(
            Issue(
                WARNING,
                "requested_missing",
                "Entiteit: geen gevraagde cofinanciering ingevuld.",
                *a,
                "requested_cofinancing",
            )
        )
    for row in summary.cofinancing:
        year = est.YEAR_LABELS[row.year]
        if row.asked > 0 and row.envelope == 0:
            out.append(
                Issue(
                    WARNING,
                    "requested_later",
                    f"Cofinanciering {year}: er is enkel cofinanciering voor 2026 en 2027; "
                    "het gevraagde bedrag telt niet mee.",
                    *a,
                    "requested_cofinancing",
                )
            )
            continue
        if row.cap == est.CAP_ELIGIBLE:
            out.append(
                Issue(
                    WARNING,
                    "requested_capped",
                    f"Cofinanciering {year}: gevraagd {_euro(row.asked)} is meer dan de "
                    f"raming van de kosten die in aanmerking komen (P50 "
                    f"{_euro(row.eligible_cost)}); gevraagd wordt {_euro(row.requested)}.",
                    *a,
                    "requested_cofinancing",
                )
            )
        if row.envelope and row.asked > row.envelope:
            out.append(
                Issue(
                    WARNING,
                    "requested_envelope",
                    f"Cofinanciering {year}: gevraagd {_euro(row.asked)} is meer dan de "
                    f"volledige enveloppe ({_euro(row.envelope)}) voor alle entiteiten samen.",
                    *a,
                    "requested_cofinancing",
                )
            )
        if row.shortfall > 0:
            out.append(
                Issue(
                    WARNING,
                    "own_budget_short",
                    f"Eigen bijdrage {year}: {_euro(row.own_contribution)} is meer dan het "
                    f"eigen budget ({_euro(row.own_budget)}); tekort {_euro(row.shortfall)}.",
                    *a,
                    "own_budget",
                )
            )
    return out


def _cofinancing_issues(
    agency: Agency | None, summary: est.EstimateSummary, threshold: float | None
) -> list[Issue]:
    """The conditions of beslissing 6° as statements, and the BVCO threshold.

    A missing statement BLOCKS when co-financing is asked: beslissing 6° makes them
    conditions of the co-financing itself ("Er kunnen door betrokken entiteiten geen
    meervragen worden ingediend"), so a request without them cannot be granted. Without
    a request they do not apply. A concept export still works (it ignores blocking).
    The third condition (the information was delivered) is this check passing.
    """
    if agency is None or not any((v or 0) > 0 for v in agency.requested_cofinancing.values()):
        return []
    a = ("agency", agency.id)
    out = [
        Issue(
            BLOCKING,
            "statement_missing",
            f"Voorwaarde cofinanciering niet verklaard: {s.label} "
            f'({cof.STATEMENT_REFERENCE}: "{s.quote}")',
            *a,
            "cofinancing_statements",
        )
        for s in cof.missing_statements(agency.cofinancing_statements)
    ]
    if cof.threshold_exceeded(summary.requested_total, threshold):
        out.append(
            Issue(
                WARNING,
                "bvco_threshold",
                f"Gevraagde cofinanciering {_euro(summary.requested_total)} is meer dan de "
                f"interventiedrempel ({_euro(threshold or 0.0)}): de overeenkomst "
                f"{cof.THRESHOLD_FLAG}.",
                *a,
                "requested_cofinancing",
            )
        )
    return out


_euro = formats.euro  # the one Belgian formatter; old name kept for callers
