"""The frozen content of a co-financing submission ("indiening"): shape, canonical form,
hash, the records it recreates on import, and a readable diff between two versions.

Canonical form: plain JSON data where keys are strings, `None` values are left out of
objects (TOML has no null, so JSON and TOML carry exactly the same data), floats are
finite and money is rounded to cents. `canonical_json` sorts keys, uses no insignificant
whitespace and keeps non-ASCII text as UTF-8; the SHA-256 of those bytes is the
submission's fingerprint. Anyone can recompute it from the TOML or JSON export.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from itertools import chain, islice
from json.encoder import encode_basestring
from typing import Any, TypeVar, cast

from elo_tui.domain import codelists, formats
from elo_tui.domain import cofinancing as cof
from elo_tui.domain import estimate as est
from elo_tui.domain.completeness import APPLICABILITY, STAGES, Issue
from elo_tui.domain.records import (
    Agency,
    Application,
    Baseline,
    BlockStatus,
    Bottleneck,
    ChecklistItem,
    Delay,
    EstimateLine,
    Exemption,
    PlanItem,
    PlanScenario,
    Product,
    Record,
)

R = TypeVar("R", bound=Record)

FORMAT = "elo-tui-indiening"
FORMAT_VERSION = 1

# Section name in the content -> record kind. Order is the order of import.
SECTIONS: dict[str, type[Record]] = {
    "applications": Application,
    "products": Product,
    "block_statuses": BlockStatus,
    "estimate_lines": EstimateLine,
    "checklist_items": ChecklistItem,
    # Exemptions ("behoudens gegronde redenen") and justified delays; VLAIO's decision on
    # each is in the derived section "decisions" (decisions_section).
    "exemptions": Exemption,
    "delays": Delay,
    # The roadmap: the baseline (nulmeting), the bottlenecks (knelpunten) and the plan
    # scenarios with their items; the scenario chosen for the request has `chosen`.
    "baselines": Baseline,
    "bottlenecks": Bottleneck,
    "plan_scenarios": PlanScenario,
    "plan_items": PlanItem,
}

CHECKLIST_STATUSES = {
    "open": "Open",
    "busy": "Bezig",
    "blocked": "Geblokkeerd",
    "done": "Afgerond",
    "na": "Niet van toepassing",
}


class SubmissionFormatError(ValueError):
    """Content that is not a valid submission; the message is Dutch."""


# -- canonical form ------------------------------------------------------------------------


def canonical(value: Any) -> Any:
    """Plain, JSON- and TOML-ready data (see the module docstring)."""
    t = type(value)
    if t is str or t is int or t is bool or value is None:
        return value
    if t is dict:  # the common containers first, by exact type: this walks ~30,000 nodes
        return {
            (k if type(k) is str else str(k)): canonical(v)
            for k, v in value.items()
            if v is not None
        }
    if t is list:
        if len(value) >= _PLAIN_TABLES_FROM and _plain_tables(value):
            return list(value)  # already canonical: the same tables, not copies
        return ["" if v is None else canonical(v) for v in value]
    if t is float:
        if not math.isfinite(value):
            raise SubmissionFormatError("Een bedrag of getal is oneindig of ongeldig (NaN).")
        return value
    if isinstance(value, str):  # subclasses, e.g. StrEnum
        return str(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return canonical(float(value))
    if isinstance(value, Mapping):
        return canonical(dict(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "to_dict"):
            return canonical(value.to_dict())
        return canonical({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    if isinstance(value, (set, frozenset)):
        return sorted(canonical(v) for v in value)
    if isinstance(value, (list, tuple)):
        return canonical(list(value))
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "to_dict"):
        return canonical(value.to_dict())
    if hasattr(value, "json_pieces"):  # a spooled list (services/submission.py): made canonical
        return value
    raise SubmissionFormatError(
        f"Waarde van type {type(value).__name__} kan niet in een indiening."
    )


# From this many items a list is first checked, column by column, for being canonical
# already (the readiness section's products at risk: ~150,000 small tables at 20,000
# products, which `canonical` copied one by one).
_PLAIN_TABLES_FROM = 64
_PLAIN_TYPES = frozenset((str, int, bool))


def _plain_tables(items: list[Any]) -> bool:
    """Whether `items` are tables with the same text keys whose values are texts, ints,
    booleans, finite floats or lists of such values or of such tables: what `canonical`
    gives back unchanged. Checked a column at a time at C speed."""
    keys = _table_keys(items) if items and type(items[0]) is dict else None
    if keys is None:
        return False
    for k in keys:
        if not _plain_values([v[k] for v in items]):
            return False
    return True


def _table_keys(items: list[Any]) -> tuple[str, ...] | None:
    """The keys of `items` when all are tables with the same text keys in the same
    order (checked at C speed), else None."""
    keys = tuple(items[0]) if type(items[0]) is dict else ()
    if not all(type(k) is str for k in keys):
        return None
    if not all(type(v) is dict for v in items) or not all(map(keys.__eq__, map(tuple, items))):
        return None
    return keys


def _plain_values(values: list[Any]) -> bool:
    types = set(map(type, values))
    if types <= _PLAIN_TYPES:
        return True
    if types == {float}:
        return all(map(math.isfinite, values))
    if types == {list}:
        # a list shared by many tables (the readiness risks) is checked once
        flat = [x for v in {id(v): v for v in values}.values() for x in v]
        return not flat or _plain_values(flat) or _plain_tables(flat)
    return False


def canonical_json(content: Mapping[str, Any]) -> str:
    """Sorted keys, no whitespace, UTF-8 text; `content` must already be canonical."""
    try:
        return json.dumps(
            content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except ValueError:
        raise SubmissionFormatError("Een bedrag of getal is oneindig of ongeldig (NaN).") from None
    except TypeError as exc:
        raise SubmissionFormatError(f"Waarde kan niet in een indiening: {exc}.") from None


def content_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


_CHUNK_ITEMS = 2000  # list items per encoded piece: C-speed encoding, bounded pieces


def canonical_json_chunks(content: Mapping[str, Any]) -> Iterator[str]:
    """`canonical_json(content)` in pieces whose concatenation is exactly that text.

    For exports of a large agency (20,000 products: ~145 MB of JSON) the whole text
    never has to exist at once: the top-level sections, and long lists within them, are
    encoded a slice at a time with the same C encoder and settings, so hashing and
    writing stay flat in memory. Equal text is what keeps the SHA-256 equal."""
    if not all(type(k) is str for k in content):
        yield canonical_json(content)  # not canonical content: let the encoder decide
        return
    yield "{"
    for i, key in enumerate(sorted(content)):  # what sort_keys does with string keys
        value = content[key]
        yield ("," if i else "") + json.dumps(key, ensure_ascii=False) + ":"
        pieces = None if type(value) in (list, dict) else getattr(value, "json_pieces", None)
        if pieces is not None:  # a section streamed from the store (services/submission.py)
            yield from pieces()
        elif type(value) is list and len(value) > _CHUNK_ITEMS:
            yield from list_json_chunks(value)
        elif type(value) is dict and (len(value) > 1 or _holds_pieces(value)):
            yield from canonical_json_chunks(value)
        elif _few_tables(value):
            yield from _few_tables_chunks(value)
        else:
            yield _canonical_value(value)
    yield "}"


def list_json_chunks(value: list[Any]) -> Iterator[str]:
    """`canonical_json(value)` of a list in pieces, tables with shared lists or flat
    tables encoded a column at a time (the fast paths of long lists)."""
    keys = _tables_sharing_lists(value) if value else None
    if keys is not None:
        yield from _shared_tables_chunks(value, keys)
        return
    keys = _flat_tables(value) if value else None
    if keys is not None:
        yield from _flat_tables_chunks(value, keys)
        return
    yield "["
    for start in range(0, len(value), _CHUNK_ITEMS):
        piece = _canonical_value(value[start : start + _CHUNK_ITEMS])
        yield ("," if start else "") + piece[1:-1]
    yield "]"


def _holds_pieces(table: dict[str, Any]) -> bool:
    """A value of `table` is encoded by itself (`json_pieces`: a spooled list)."""
    return any(type(v) not in (list, dict) and hasattr(v, "json_pieces") for v in table.values())


def _tables_sharing_lists(items: list[Any]) -> list[str] | None:
    """The keys of `items`, sorted, when they are tables with the same text keys whose
    values are texts or lists, and the lists of at least one key are shared by many of
    them (the readiness products at risk: products with the same risks share one list of
    them); else None. The first table decides most lists (the records of a section hold
    numbers): the others are not looked at."""
    first = items[0]
    if type(first) is not dict:
        return None
    if not {type(v) for v in first.values()} <= {str, list} or list not in map(
        type, first.values()
    ):
        return None
    keys = _template_keys(items)
    if keys is None:
        return None
    shared = False
    for k in keys:
        types = {type(v[k]) for v in items}
        if types == {list}:
            shared = shared or len({id(v[k]) for v in items}) * 2 <= len(items)
        elif types != {str}:
            return None
    return sorted(keys) if shared else None


def _shared_tables_chunks(items: list[dict[str, Any]], keys: list[str]) -> Iterator[str]:
    """`canonical_json(items)` in pieces, each shared list encoded once: a row is one
    `%` of a template of the sorted keys, its texts quoted by the encoder's own C
    function (what `json.dumps(..., ensure_ascii=False)` uses for a text)."""
    encoded: dict[int, tuple[Any, str]] = {}  # id -> (the list, kept alive; its JSON)

    def cell(value: Any) -> str:
        if type(value) is str:
            return encode_basestring(value)
        got = encoded.get(id(value))
        if got is None:
            got = encoded[id(value)] = (value, _canonical_value(value))
        return got[1]

    yield from _template_rows(items, keys, lambda values: list(map(cell, values)))


def _flat_tables(items: list[Any]) -> list[str] | None:
    """The keys of `items`, sorted, when they are tables with the same text keys and
    only texts, ints, floats and booleans as values (the estimate's 34,000 line costs at
    20,000 products); else None. The first table decides: a value of another type in a
    later one goes to the encoder (`_scalar_texts`)."""
    first = items[0]
    if type(first) is not dict or not first:
        return None
    if not {type(v) for v in first.values()} <= _SCALAR_TYPES:
        return None
    keys = _template_keys(items)
    return None if keys is None else sorted(keys)


def _template_keys(items: list[Any]) -> tuple[str, ...] | None:
    """`_table_keys(items)` when no key holds a '%' (the keys go into a row template)."""
    keys = _table_keys(items)
    return None if keys is None or any("%" in k for k in keys) else keys


_SCALAR_TYPES = {str, int, float, bool}


def _flat_tables_chunks(items: list[dict[str, Any]], keys: list[str]) -> Iterator[str]:
    """`canonical_json(items)` in pieces, column by column: each distinct number of a
    column encoded once (line costs repeat a few amounts: `float.__repr__`, the slow
    part of encoding them, ran ~240,000 times for 34,000 lines), each text quoted by
    the encoder's own C function, a row one `%` of a template of the sorted keys."""
    yield from _template_rows(items, keys, _scalar_texts)


def _template_rows(
    items: list[dict[str, Any]], keys: list[str], texts: Callable[[list[Any]], list[str]]
) -> Iterator[str]:
    """`canonical_json(items)` in pieces of _CHUNK_ITEMS tables: per piece, each key's
    column of values becomes its texts (`texts`), and a row is one `%` of a template of
    the sorted keys."""
    template = "{" + ",".join(f"{encode_basestring(k)}:%s" for k in keys) + "}"
    yield "["
    for start in range(0, len(items), _CHUNK_ITEMS):
        rows = items[start : start + _CHUNK_ITEMS]
        columns = [texts([row[k] for row in rows]) for k in keys]
        yield ("," if start else "") + ",".join(map(template.__mod__, zip(*columns, strict=True)))
    yield "]"


def _scalar_texts(values: list[Any]) -> list[str]:
    """The canonical JSON of each of `values`: what `canonical_json` writes for it."""
    types = set(map(type, values))
    if types == {str}:
        return list(map(encode_basestring, values))
    if len(types) != 1 or not types <= _SCALAR_TYPES:
        # mixed (1 == 1.0 == True would share a text) or anything else: one by one,
        # through the encoder (which refuses what it refuses, as before)
        return list(map(_canonical_value, values))
    distinct = dict.fromkeys(values)
    if types == {float}:
        if not all(map(math.isfinite, distinct)):
            _canonical_value(values)  # raises the encoder's error for NaN and infinity
        if 0.0 in distinct:  # 0.0 and -0.0 are equal and written differently
            return list(map(float.__repr__, values))
        encode: Any = float.__repr__  # what the encoder writes for a finite float
    else:
        encode = _JSON_SCALAR[types.pop()]
    if len(distinct) * 2 > len(values):  # mostly different: encoding beats looking up
        return list(map(encode, values))
    texts = {v: encode(v) for v in distinct}
    return list(map(texts.__getitem__, values))


_JSON_SCALAR = {int: int.__repr__, bool: {True: "true", False: "false"}.__getitem__}


_FEW_TABLES = 50  # a short list of tables is encoded item by item (see _few_tables)


def _few_tables(value: Any) -> bool:
    """A short list of tables, e.g. the readiness deadlines: each holds its products at
    risk (at 20,000 products ~29 MB of JSON in one piece, and twice that while the
    encoder joined it), so each item is encoded in pieces of its own."""
    return (
        type(value) is list
        and 0 < len(value) <= _FEW_TABLES
        and all(type(v) is dict and len(v) > 1 for v in value)
    )


def _few_tables_chunks(value: list[dict[str, Any]]) -> Iterator[str]:
    yield "["
    for i, item in enumerate(value):
        if i:
            yield ","
        yield from canonical_json_chunks(item)
    yield "]"


def _canonical_value(value: Any) -> str:
    return canonical_json(value)  # the same encoder settings and error messages


def money(amount: float) -> float:
    """Round to cents; -0.0 becomes 0.0 so equal sums hash equally."""
    return round(amount, 2) + 0.0


# -- building the content ---------------------------------------------------------------------


def field_rows(section: Any, fields: Sequence[str], defaults: Sequence[Any]) -> Iterator[tuple]:
    """Per record of a content section, in its order: the values of `fields` (at least
    two), each missing one as its default - as `tuple(d.get(f, x) for ...)` gives them of
    the section's dicts. A concept's or a version's long record sections
    (services/submission.HeldSection) give them without a dict per record: spooled as
    they were read, or from their records. (A record's value is None exactly where its
    dict leaves the field out, in a field whose default is None: `defaults` must give
    those fields None too.)"""
    own = getattr(section, "field_rows", None)
    if own is not None:
        return cast(Iterator[tuple], own(tuple(fields), tuple(defaults)))
    return dict_field_rows(section, fields, defaults)


def dict_field_rows(
    dicts: Iterable[Mapping[str, Any]], fields: Sequence[str], defaults: Sequence[Any]
) -> Iterator[tuple]:
    """`tuple(d.get(f, x) for f, x in zip(fields, defaults))` of each dict, made faster a
    page at a time: each dict's values taken at C speed, and only a dict with a None where
    the default is not None made the slow way (a missing field then takes its default,
    a stored null stays None). The texts of a page's column of few distinct texts are
    shared, one object each (decoded JSON gives every value its own copy: ~60 MB of a
    stored version's sheets at 20,000 products)."""
    fields, defaults = tuple(fields), tuple(defaults)
    pairs = tuple(zip(fields, defaults, strict=True))
    special = [i for i, x in enumerate(defaults) if x is not None]
    dicts = iter(dicts)
    while page := list(islice(dicts, _VALUES_PAGE)):
        values = [tuple(map(d.get, fields)) for d in page]
        if special:
            for j, row in enumerate(values):
                if None in row and any(row[i] is None for i in special):
                    values[j] = tuple([page[j].get(f, x) for f, x in pairs])
        columns: list[Any] = list(zip(*values, strict=True))
        for i, column in enumerate(columns):
            if type(column[0]) is not str:
                continue
            try:
                if len(set(column)) * 4 < len(column):
                    columns[i] = list(map(sys.intern, column))
            except TypeError:  # (a list or a None among the texts)
                pass
        yield from zip(*columns, strict=True)


_VALUES_PAGE = 2000  # dicts whose values are taken (and texts shared) at a time


# (fields, defaults) of what the files name a scope by: scope_names
NAME_FIELDS: tuple[tuple[str, ...], tuple[Any, ...]] = (("id", "name"), (None, ""))


def scope_names(content: Mapping[str, Any]) -> dict[str, str]:
    """id -> name of the applications and products of a content (what the sheets and
    the Markdown show for a scope id)."""
    names: dict[str, str] = {}
    for section in ("applications", "products"):
        names.update(field_rows(content.get(section, ()), *NAME_FIELDS))
    return names


_FIELDS: dict[type[Record], tuple[str, ...]] = {}


def record_data(record: Record) -> dict[str, Any]:
    """A record's own fields (id included, sync metadata and None left out), canonical.

    Hand-written instead of `Record.data()` (dataclasses.asdict): 40x faster, which
    matters for the ~20,000 records of a 1,202-product workspace (the size of all of ELO,
    every authority together: a stress size, not one agency's).
    """
    kind = type(record)
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = ("id", *kind.data_field_names())
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(record, name)
        if value is None:
            continue
        if isinstance(value, list):
            value = ["" if v is None else v for v in value]
        elif isinstance(value, dict):
            value = {str(k): v for k, v in value.items() if v is not None}
        out[name] = value
    return out


def line_dicts(
    costs: Iterable[est.LineCost], *, excluded: bool = False
) -> Iterator[dict[str, Any]]:
    """The estimate section's dict of each line's cost, in the order given (the section
    lists the counted lines by id, then the excluded ones by id)."""
    for c in costs:
        yield {
            "line_id": c.line.id,
            **({"rate": c.rate} if c.rate is not None else {}),
            "low": money(c.low),
            "likely": money(c.likely),
            "high": money(c.high),
            "mean": money(c.mean),
            "sd": money(c.sd),
            "valid": c.valid,
            "eligible": cof.is_eligible(c.line),
            "eligible_default": c.line.eligible is None,
            **({"excluded": True} if excluded else {}),
        }


def _line_id(c: est.LineCost) -> str:
    return c.line.id


def estimate_section(
    summary: est.EstimateSummary,
    products: Collection[Product],
    applications: Sequence[Application],
    forms_rows: Sequence[est.FormsToolRow] = (),
    forms_tool_cost: float | None = None,
    threshold: int = est.LOW_VOLUME_THRESHOLD,
    shares: Mapping[str, est.ProductShare] | None = None,
    *,
    lazy: bool = False,
    lines: Sequence[dict[str, Any]] | None = None,
    invalid_lines: int | None = None,
    product_dicts: Iterable[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """`shares`: `est.product_shares(products, summary)` when the caller has it already.
    With `lazy`, its "lines" and "products" are iterators of their dicts, made as they
    are read (a caller that spools them never holds them all). A summary without its
    costs (`est.LineTally` without `keep_costs`) comes with the `line_dicts` of its
    costs, counted then excluded, as `lines`, and its `invalid_lines` count.
    `product_dicts`: the "products" (`share_dicts` in id order), made before (a concept's
    as its products were read: `shares` is then only read for `forms_rows`)."""
    sim = summary.simulation
    made = iter if lazy else list
    line_list: Iterable[dict[str, Any]]
    if lines is not None:
        if invalid_lines is None:
            raise ValueError("lines given without their count of invalid lines")
        line_list = lines
    else:
        line_list = made(
            chain(
                line_dicts(sorted(summary.costs, key=_line_id)),
                line_dicts(sorted(summary.excluded, key=_line_id), excluded=True),
            )
        )
        invalid_lines = len(summary.invalid)
    app_names = {a.id: a.name for a in applications}
    if shares is None:
        shares = est.product_shares(products, summary)
    if product_dicts is None:
        ids = sorted(p.id for p in products)
        product_dicts = made(share_dicts(ids, shares))
    return {
        "method": "PERT (O+4M+P)/6 per lijn; P50/P80 uit Monte Carlo over PERT-beta (lambda 4)",
        "seed": sim.seed,
        "draws": sim.draws,
        "exact_lines": sim.exact_lines,
        "pooled_lines": sim.pooled_lines,
        "mean": money(summary.total.mean),
        "sd": money(summary.sd),
        "p50": money(summary.total.p50),
        "p80": money(summary.total.p80),
        "contingency": money(summary.total.contingency),
        "requested_total": money(summary.requested_total),
        "own_contribution_total": money(summary.own_contribution_total),
        "eligible_total": money(summary.eligible_total),
        "not_eligible_total": money(summary.not_eligible_total),
        "excluded_total": money(summary.excluded_total),
        "invalid_lines": invalid_lines,
        "by_year": [
            {
                "year": year,
                "mean": money(spread.mean),
                "p50": money(spread.p50),
                "p80": money(spread.p80),
                "contingency": money(spread.contingency),
                "one_off": money(summary.one_off_by_year.get(year, 0.0)),
                "recurring": money(summary.recurring_by_year.get(year, 0.0)),
            }
            for year, spread in summary.by_year.items()
        ],
        "by_block": [
            {"block": code, "label": est.block_label(code), "mean": money(mean)}
            for code, mean in summary.by_block.items()
        ],
        "by_application": [
            {
                "application_id": app_id,
                "name": app_names.get(app_id, "(geen toepassing / entiteitsbreed)"),
                "mean": money(mean),
            }
            for app_id, mean in summary.by_application.items()
        ],
        "by_category": [
            {
                "category": code,
                "label": est.CATEGORIES[code],
                "mean": money(summary.by_category.get(code, 0.0)),
            }
            for code in est.CATEGORIES
        ],
        "cofinancing": [
            {
                "year": r.year,
                "cost": money(r.cost),
                "asked": money(r.asked),
                "requested": money(r.requested),
                "own_contribution": money(r.own_contribution),
                "own_budget": money(r.own_budget),
                "shortfall": money(r.shortfall),
                "envelope": money(r.envelope),
                "eligible_cost": money(r.eligible_cost),
                "reserved": money(r.reserved),
                "cap": r.cap,
            }
            for r in summary.cofinancing
        ],
        "lines": line_list,
        "products": product_dicts,
        "forms_tool": {
            "threshold": threshold,
            "threshold_assumption": cof.forms_tool_assumption(threshold),
            **({"cost": money(forms_tool_cost)} if forms_tool_cost is not None else {}),
            "rows": [
                {
                    "product_id": r.product_id,
                    "name": r.name,
                    "yearly_volume": r.yearly_volume,
                    "own_integration": money(r.own_integration),
                    "forms_tool": money(r.forms_tool),
                    "saving": money(r.saving),
                }
                for r in forms_rows
            ],
        },
    }


def share_dicts(
    ids: Iterable[str], shares: Mapping[str, est.ProductShare]
) -> Iterator[dict[str, Any]]:
    """The estimate section's "products": the cost share of each product of `ids`."""
    for product_id in ids:
        share = shares[product_id]
        yield {
            "product_id": product_id,
            "own": money(share.own),
            "shared": money(share.shared),
            "total": money(share.total),
        }


def cofinancing_section(
    summary: est.EstimateSummary,
    agency: Agency | None,
    applications: Sequence[Application],
    *,
    information_delivered: bool,
    bvco_threshold: float | None,
    forms_tool_threshold: int = est.LOW_VOLUME_THRESHOLD,
    lines_by_default_rule: int | None = None,
) -> dict[str, Any]:
    """What may be asked and on which conditions (domain.cofinancing), with the quotes the
    rules rest on: envelope reading, budget articles, eligible costs, the statements, the
    BVCO threshold and the applications left out. Canonical (no None).
    `lines_by_default_rule`: the count of counted lines eligible by the default rule,
    given with a summary without its costs (`est.LineTally.by_default_rule`)."""
    if lines_by_default_rule is None:
        lines_by_default_rule = sum(1 for c in summary.costs if c.line.eligible is None)
    stated = agency.cofinancing_statements if agency is not None else {}
    exceeded = cof.threshold_exceeded(summary.requested_total, bvco_threshold)
    eligible_p50 = {r.year: r.eligible_cost for r in summary.cofinancing}
    apps = {a.id: a for a in applications}
    section = {
        "envelope": {
            "reading": cof.ENVELOPE_READING,
            "label": "lezing",
            "quotes": [
                {"reference": f"{cof.DECISION}, beslissing 6°", "text": cof.QUOTE_DECISION_6},
                {"reference": cof.BUDGET_SECTION, "text": cof.QUOTE_BUDGET_FIO},
            ],
            "firm_by_year": {y: money(v) for y, v in cof.FIRM_ENVELOPE.items()},
            "lines": [
                {
                    "year": e.year,
                    "amount": money(e.amount),
                    "source": e.source,
                    "article": e.article,
                    "status": e.status,
                    "in_firm_envelope": e.firm,
                    "reference": e.reference,
                    "quote": e.quote,
                }
                for e in cof.ENVELOPE_LINES
            ],
        },
        "budget_articles": [
            {"source": "VLAIO / FIO", "article": cof.FIO_ARTICLE},
            {"source": "VRD 3 (onder voorbehoud)", "article": cof.VRD3_ARTICLE},
        ],
        "eligibility": {
            "rule": cof.ELIGIBILITY_ASSUMPTION,
            "assumption": True,
            "quote": cof.QUOTE_ELIGIBLE,
            "criteria_later": cof.QUOTE_CRITERIA_LATER,
            "eligible_total": money(summary.eligible_total),
            "not_eligible_total": money(summary.not_eligible_total),
            "lines_by_default_rule": lines_by_default_rule,
            "by_year": [
                {
                    "year": year,
                    "eligible_mean": money(summary.eligible_by_year.get(year, 0.0)),
                    "not_eligible_mean": money(summary.not_eligible_by_year.get(year, 0.0)),
                    "eligible_p50": money(eligible_p50.get(year, 0.0)),
                }
                for year in est.YEARS
            ],
            "requested_rule": "gevraagd per jaar ≤ de P50 van de kosten die in aanmerking komen",
        },
        "statements": [
            {
                "key": s.key,
                "label": s.label,
                "quote": s.quote,
                "reference": cof.STATEMENT_REFERENCE,
                "derived": s.derived,
                "stated": information_delivered if s.derived else bool(stated.get(s.key)),
            }
            for s in cof.STATEMENTS
        ],
        "bvco_threshold": {
            "value": money(bvco_threshold) if bvco_threshold is not None else None,
            "known": bvco_threshold is not None,
            "shown_as": cof.UNKNOWN if bvco_threshold is None else "",
            "requested_total": money(summary.requested_total),
            "exceeded": exceeded,
            "flag": cof.THRESHOLD_FLAG if exceeded else "",
            "quote": cof.QUOTE_THRESHOLD,
        },
        "excluded_applications": [
            {
                "application_id": app_id,
                "name": apps[app_id].name if app_id in apps else "",
                "reason": apps[app_id].exclusion_reason if app_id in apps else "",
                "mean": money(mean),
                "lines": summary.excluded_lines_by_application.get(app_id, 0),
            }
            for app_id, mean in summary.excluded_by_application.items()
        ]
        + [
            {"application_id": a.id, "name": a.name, "reason": a.exclusion_reason, "mean": 0.0}
            for a in applications
            if a.excluded and not a.deleted and a.id not in summary.excluded_by_application
        ],
        "excluded_quote": cof.QUOTE_EXCLUDED,
        "forms_tool_threshold": {
            "value": forms_tool_threshold,
            "assumption": cof.forms_tool_assumption(forms_tool_threshold),
        },
    }
    return canonical(section)


def build_content(
    *,
    version: int,
    created_at: str,
    author: str,
    agency: Agency | None,
    sections: Mapping[str, Sequence[Mapping[str, Any]]],
    estimate: Mapping[str, Any],
    readiness: Mapping[str, Any] | None,
    warnings: Sequence[Issue],
    generator: str = "",
    cofinancing: Mapping[str, Any] | None = None,
    decisions: Mapping[str, Any] | None = None,
    warning_rows: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The snapshot: every record of the request (sync metadata left out) plus the
    derived figures as they were at `created_at`.

    `sections` maps each name of SECTIONS to its live records as canonical dicts
    (`record_data`, or `Workspace.list_data`), ordered by id. `warning_rows`: the
    warnings' dicts (`warning_dicts`) already made, kept as given (`warnings` not read).
    """
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise SubmissionFormatError(f"Onbekende secties: {', '.join(sorted(unknown))}.")
    # Records and the estimate section are built canonical (no None, plain types); only
    # the parts that come from elsewhere go through `canonical`.
    content: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "submission": canonical(
            {"version": version, "created_at": created_at, "author": author, "generator": generator}
        ),
        "agency": record_data(agency) if agency is not None else {},
        **{name: list(sections.get(name, ())) for name in SECTIONS},
        "estimate": dict(estimate),
        "completeness": {
            "warnings": list(warning_dicts(warnings)) if warning_rows is None else warning_rows
        },
    }
    if readiness is not None:
        content["readiness"] = canonical(readiness)
    if cofinancing is not None:
        content["cofinancing"] = dict(cofinancing)
    if decisions is not None:
        content["decisions"] = canonical(decisions)
    return content


def warning_dicts(warnings: Iterable[Issue]) -> Iterator[dict[str, Any]]:
    """The completeness section's dict of each warning."""
    for i in warnings:
        yield {"code": i.code, "message": i.message, "record_id": i.record_id}


def decisions_section(
    exemptions: Sequence[Mapping[str, Any]],
    delays: Sequence[Mapping[str, Any]],
    reviews: Sequence[Any],
) -> dict[str, Any]:
    """VLAIO's decision on each exemption and delay (from its latest accepted/refused
    review) as it stood when the snapshot was made, with the quotes they rest on."""
    from elo_tui.domain.decisions import DELAY_QUOTE, EXEMPTION_QUOTE, decision_for, decisions

    found = decisions(reviews)

    def rows(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for r in records:
            d = decision_for(r["id"], found)
            out.append(
                {
                    "id": r["id"],
                    "status": d.status,
                    "status_label": d.label,
                    "comment": d.comment,
                    "reviewer": d.reviewer,
                    "decided_on": d.day,
                }
            )
        return out

    return {
        "exemptions": rows(exemptions),
        "delays": rows(delays),
        "exemption_source": EXEMPTION_QUOTE,
        "delay_source": DELAY_QUOTE,
    }


def sections_of(records: Mapping[str, Sequence[Record]]) -> dict[str, list[dict[str, Any]]]:
    """Canonical section lists from records (tests and small workspaces)."""
    return {
        name: [
            record_data(r) for r in sorted((r for r in rows if not r.deleted), key=lambda r: r.id)
        ]
        for name, rows in records.items()
    }


# -- reading content back -----------------------------------------------------------------------


def check_format(content: Mapping[str, Any]) -> None:
    if not isinstance(content, Mapping) or content.get("format") != FORMAT:
        raise SubmissionFormatError(
            "Dit bestand is geen elo_tui-indiening (veld 'format' ontbreekt of klopt niet)."
        )
    version = content.get("format_version")
    if version != FORMAT_VERSION:
        raise SubmissionFormatError(
            f"Indieningsformaat versie {version} wordt niet ondersteund "
            f"(deze versie kent {FORMAT_VERSION})."
        )


def records_from_content(
    content: Mapping[str, Any],
) -> tuple[Agency | None, dict[str, list[Record]]]:
    """The agency and the records of each section, ids preserved. Unknown fields are
    refused (they would be lost silently)."""
    check_format(content)
    agency = _make(Agency, content.get("agency") or {}, "agency") if content.get("agency") else None
    out: dict[str, list[Record]] = {}
    for section, kind in SECTIONS.items():
        rows = content.get(section, [])
        if not isinstance(rows, list):
            raise SubmissionFormatError(f"Sectie '{section}' moet een lijst zijn.")
        out[section] = [_make(kind, row, f"{section}[{i}]") for i, row in enumerate(rows, 1)]
    return agency, out


def _make(kind: type[R], row: Any, where: str) -> R:
    if not isinstance(row, Mapping):
        raise SubmissionFormatError(f"{where}: verwacht een tabel met velden.")
    allowed = set(kind.data_field_names()) | {"id"}
    unknown = set(row) - allowed
    if unknown:
        raise SubmissionFormatError(f"{where}: onbekende velden {', '.join(sorted(unknown))}.")
    if not row.get("id"):
        raise SubmissionFormatError(f"{where}: id ontbreekt.")
    try:
        return kind(**row)
    except TypeError as exc:
        raise SubmissionFormatError(f"{where}: {exc}.") from None


# -- diff between two versions -------------------------------------------------------------------

_AGENCY_FIELDS = {
    "name": "naam",
    "ovo_code": "OVO-code",
    "contact_name": "contactpersoon",
    "contact_email": "e-mail contactpersoon",
    "contact_phone": "telefoon contactpersoon",
    "day_rate_internal": "dagtarief eigen personeel",
    "day_rate_supplier": "dagtarief leverancier",
    "own_budget": "eigen budget",
    "requested_cofinancing": "gevraagde cofinanciering",
    "justification": "toelichting",
    "cofinancing_statements": "verklaringen voorwaarden cofinanciering",
    "notes": "notities",
}
_APPLICATION_FIELDS = {
    "name": "naam",
    "url": "URL",
    "kind": "soort",
    "supplier": "leverancier",
    "notes": "notities",
}
_PRODUCT_FIELDS = {
    "name": "naam",
    "ipdc_number": "IPDC-nummer",
    "ipdc_type": "type",
    "themes": "thema's",
    "target_groups": "doelgroepen",
    "request_application_id": "toepassing (aanvragen)",
    "followup_application_id": "toepassing (opvolgen)",
    "yearly_volume": "jaarvolume",
    "on_elo": "vandaag op ELO",
    "description": "beschrijving",
    "notes": "notities",
}
_BLOCK_FIELDS = {
    "applicability": "toepasbaarheid",
    "reason": "reden",
    "stage": "fase",
    "target_date": "streefdatum",
    "evidence": "bewijs",
    "note": "notitie",
    "verified_central": "nagekeken door VLAIO",
}
_LINE_FIELDS = {
    "description": "omschrijving",
    "block": "bouwsteen",
    "method": "methode",
    "optimistic_days": "optimistisch (dagen)",
    "likely_days": "meest waarschijnlijk (dagen)",
    "pessimistic_days": "pessimistisch (dagen)",
    "day_rate": "dagtarief",
    "fixed_amount": "vast bedrag",
    "budget_year": "begrotingsjaar",
    "recurrence": "eenmalig/terugkerend",
    "category": "categorie",
    "basis": "onderbouwing",
    "assumed": "aanname",
    "eligible": "komt in aanmerking voor cofinanciering",
}
_TOTALS = {
    "mean": "Verwachte kost (gemiddelde)",
    "p50": "Raming P50 (budget)",
    "p80": "Raming P80 (plafond)",
    "contingency": "Reserve (P80 − P50)",
    "requested_total": "Gevraagde cofinanciering",
    "own_contribution_total": "Eigen bijdrage",
    "eligible_total": "Kosten die in aanmerking komen",
    "excluded_total": "Buiten beschouwing (niet meegeteld)",
}
_LONG_TEXT = {"description", "notes", "note", "basis", "justification", "reason", "evidence"}


euro = formats.euro  # the one Belgian formatter; old name kept for callers


class _Labels:
    """Turns stored values into Dutch words, using the names of both versions."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names  # id -> name of the applications and products of both versions

    def value(self, field: str, value: Any) -> str:
        if field == "eligible" and value is None:
            return "standaardregel (aanname)"
        if field == "cofinancing_statements" and isinstance(value, Mapping):
            parts = [
                f"{cof.STATEMENT_SHORT.get(k, k)}: {'ja' if v else 'nee'}"
                for k, v in sorted(value.items())
            ]
            return ", ".join(parts) if parts else "(leeg)"
        if value is None or value == "" or value == [] or value == {}:
            return "(leeg)"
        if field in ("request_application_id", "followup_application_id", "scope_id"):
            return f"'{self.names.get(value, value[:8])}'"
        if field == "ipdc_type":
            return codelists.label_for(value)
        if field in ("themes", "target_groups"):
            return ", ".join(codelists.label_for(v) for v in value)
        if field == "on_elo":
            return codelists.ON_ELO.get(value, value)
        if field == "kind":
            return codelists.APPLICATION_KINDS.get(value, value)
        if field == "stage":
            return STAGES.get(value, value)
        if field == "applicability":
            return APPLICABILITY.get(value, value)
        if field == "block":
            return est.block_label(value)
        if field == "method":
            return est.METHODS.get(value, value)
        if field == "recurrence":
            return est.RECURRENCES.get(value, value)
        if field == "category":
            return est.CATEGORIES.get(value, value)
        if field == "budget_year":
            return est.YEAR_LABELS.get(value, value)
        if field in ("own_budget", "requested_cofinancing") and isinstance(value, Mapping):
            return ", ".join(
                f"{est.YEAR_LABELS.get(y, y)}: {euro(v)}" for y, v in sorted(value.items())
            )
        if field in ("day_rate", "fixed_amount", "day_rate_internal", "day_rate_supplier"):
            return euro(value)
        if isinstance(value, bool):
            return "ja" if value else "nee"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, (int, float)):
            return str(value).replace(".", ",")
        text = str(value).replace("\n", " ")
        return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"

    def scope(self, kind: str, scope_id: str) -> str:
        if kind == "agency":
            return "de entiteit"
        word = "toepassing" if kind == "application" else "product"
        return f"{word} '{self.names.get(scope_id, scope_id[:8])}'"


def _changes(
    old: Mapping[str, Any], new: Mapping[str, Any], fields: Mapping[str, str], labels: _Labels
) -> list[str]:
    out = []
    for key, label in fields.items():
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if key in _LONG_TEXT:
            out.append(f"{label} gewijzigd")
        else:
            out.append(f"{label} {labels.value(key, a)} → {labels.value(key, b)}")
    return out


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What changed from `old` to `new`, one readable Dutch line per change."""
    return diff_sections(iter(sorted(old.items())), iter(sorted(new.items())))


# Per record section: the fields compared.
_ROW_SECTIONS = {
    "applications": _APPLICATION_FIELDS,
    "products": _PRODUCT_FIELDS,
    "block_statuses": _BLOCK_FIELDS,
    "estimate_lines": _LINE_FIELDS,
}
_RowText = Callable[[Mapping[str, Any]], str]
_MISSING: Any = ()  # a section one version does not have: no rows, no fields


class _RowsDiff:
    """One record section of two versions: the rows added, removed and changed (only
    those are kept; the old version's rows by id while the new one's stream past)."""

    def __init__(self, old_rows: Any, new_rows: Any, fields: Mapping[str, str]) -> None:
        before = {row["id"]: row for row in old_rows}
        self.added: list[Mapping[str, Any]] = []
        self.changed: list[tuple[Mapping[str, Any], Mapping[str, Any]]] = []
        for row in new_rows:
            was = before.pop(row["id"], None)
            if was is None:
                self.added.append(row)
            elif any(was.get(k) != row.get(k) for k in fields):
                self.changed.append((was, row))
        self.removed = list(before.values())


def diff_sections(old: Iterator[tuple[str, Any]], new: Iterator[tuple[str, Any]]) -> list[str]:
    """`diff` of two contents given as their top-level (key, value) pairs in canonical
    (sorted) key order: dicts' items, or `content_stream.sections` of stored texts, whose
    long values are lazy. Only what the lines need is kept: the names, the agency, the
    totals, and the rows of a record section that differ; the old version's rows of one
    section at a time. (At 20,000 products two versions as dicts took 1.45 GB.)"""
    from elo_tui.domain.content_stream import Fields, whole

    names: dict[str, str] = {}
    kept: dict[str, tuple[Any, Any]] = {}
    rows: dict[str, _RowsDiff] = {}
    counts: tuple[dict[str, int], dict[str, int]] = ({}, {})

    def estimate_totals(value: Any) -> dict[str, Any]:
        pairs = value if isinstance(value, Fields) else (value or {}).items()
        return {k: whole(v) for k, v in pairs if k in _TOTALS or k == "cofinancing"}

    def naming(section_rows: Any) -> Iterator[Mapping[str, Any]]:
        for row in section_rows:
            names[row["id"]] = row.get("name", "")
            yield row

    for name, a, b in _aligned(old, new):
        if name in ("agency", "submission"):
            kept[name] = (whole(a) or {}, whole(b) or {})
        elif name == "estimate":
            kept[name] = (estimate_totals(a), estimate_totals(b))
        elif name == "checklist_items":
            for side, items in zip(counts, (a, b), strict=True):
                for row in items:
                    if not row.get("obsolete"):
                        status = row.get("status", "open")
                        side[status] = side.get(status, 0) + 1
        elif name in _ROW_SECTIONS:
            if name in ("applications", "products"):  # (old names first: the new win)
                a, b = naming(a), naming(b)
            rows[name] = _RowsDiff(a, b, _ROW_SECTIONS[name])
    labels = _Labels(names)
    empty: tuple[dict[str, Any], dict[str, Any]] = ({}, {})
    old_meta, new_meta = kept.get("submission", empty)
    old_agency, new_agency = kept.get("agency", empty)
    lines: list[str] = []
    changes = _changes(old_agency, new_agency, _AGENCY_FIELDS, labels)
    lines += [f"Entiteit: {c}" for c in changes]

    def block_where(row: Mapping[str, Any]) -> str:
        scope = labels.scope(row.get("scope_kind", ""), row.get("scope_id", ""))
        return f"Bouwsteen {est.block_label(row.get('block', ''))} bij {scope}"

    def block_added(row: Mapping[str, Any]) -> str:
        return (
            f"{block_where(row)} toegevoegd "
            f"({labels.value('applicability', row.get('applicability'))}, "
            f"{labels.value('stage', row.get('stage'))})"
        )

    def line_where(row: Mapping[str, Any]) -> str:
        title = row.get("description") or est.block_label(row.get("block", ""))
        scope = labels.scope(row.get("scope_kind", ""), row.get("scope_id", ""))
        return f"Ramingslijn '{title}' ({scope})"

    def named(word: str) -> tuple[_RowText, _RowText, _RowText, _RowText]:
        def name(row: Mapping[str, Any]) -> str:
            return row.get("name", "")

        return (
            name,
            lambda row: f"{word} '{name(row)}'",
            lambda row: f"{word} toegevoegd: '{name(row)}'",
            lambda row: f"{word} verwijderd: '{name(row)}'",
        )

    # per section: the sort key of a row, what a changed row is called, and the lines of
    # an added and of a removed row
    texts: dict[str, tuple[_RowText, _RowText, _RowText, _RowText]] = {
        "applications": named("Toepassing"),
        "products": named("Product"),
        "block_statuses": (
            block_where,
            block_where,
            block_added,
            lambda row: f"{block_where(row)} verwijderd",
        ),
        "estimate_lines": (
            line_where,
            line_where,
            lambda row: f"{line_where(row)} toegevoegd",
            lambda row: f"{line_where(row)} verwijderd",
        ),
    }
    for section, (key, called, added, removed) in texts.items():
        found = rows.get(section)
        if found is None:
            continue
        fields = _ROW_SECTIONS[section]
        lines += [added(r) for r in sorted(found.added, key=key)]
        lines += [removed(r) for r in sorted(found.removed, key=key)]
        for was, row in sorted(found.changed, key=lambda pair: key(pair[1])):
            lines.append(f"{called(row)}: " + "; ".join(_changes(was, row, fields, labels)))

    lines += _checklist_diff(*counts)
    old_totals, new_totals = kept.get("estimate", empty)
    lines += _totals_diff(old_totals, new_totals)
    a_ver, b_ver = old_meta.get("version", "?"), new_meta.get("version", "?")
    header = f"Wijzigingen van versie {a_ver} naar versie {b_ver}:"
    if not lines:
        return [header, "Geen inhoudelijke wijzigingen."]
    return [header, *lines]


def _aligned(
    old: Iterator[tuple[str, Any]], new: Iterator[tuple[str, Any]]
) -> Iterator[tuple[str, Any, Any]]:
    """(key, old value, new value) for every key of either, both in sorted key order; a
    key only one has gets _MISSING on the other side. Each pair is taken before the next
    is read (lazy values are read in step)."""
    a, b = next(old, None), next(new, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            yield a[0], a[1], _MISSING  # type: ignore[index]
            a = next(old, None)
        elif a is None or b[0] < a[0]:
            yield b[0], _MISSING, b[1]
            b = next(new, None)
        else:
            yield a[0], a[1], b[1]
            a, b = next(old, None), next(new, None)


def _checklist_diff(old: Mapping[str, int], new: Mapping[str, int]) -> list[str]:
    """The steps per status (obsolete ones not counted) of two versions, compared."""
    a = {**dict.fromkeys(CHECKLIST_STATUSES, 0), **old}
    b = {**dict.fromkeys(CHECKLIST_STATUSES, 0), **new}
    keys = [*CHECKLIST_STATUSES, *sorted((a.keys() | b.keys()) - CHECKLIST_STATUSES.keys())]
    parts = [
        f"{CHECKLIST_STATUSES.get(k, k).lower()} {a.get(k, 0)} → {b.get(k, 0)}"
        for k in keys
        if a.get(k, 0) != b.get(k, 0)
    ]
    return [f"Checklist (aantal stappen): {'; '.join(parts)}"] if parts else []


def _totals_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    out = []
    for key, label in _TOTALS.items():
        a, b = old.get(key, 0.0), new.get(key, 0.0)
        if a != b:
            delta = b - a
            sign = "+" if delta >= 0 else "−"
            out.append(f"{label}: {euro(a)} → {euro(b)} ({sign}{euro(abs(delta))})")
    a_rows = {r["year"]: r for r in old.get("cofinancing", [])}
    for row in new.get("cofinancing", []):
        before = a_rows.get(row["year"], {})
        year = est.YEAR_LABELS.get(row["year"], row["year"])
        for key, label in (
            ("requested", "gevraagde cofinanciering"),
            ("own_contribution", "eigen bijdrage"),
        ):
            if before.get(key, 0.0) != row.get(key, 0.0):
                out.append(
                    f"{year}, {label}: {euro(before.get(key, 0.0))} → {euro(row.get(key, 0.0))}"
                )
    return out
