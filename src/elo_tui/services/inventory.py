"""The product inventory as the screens use it: an in-memory index for instant filtering
and sorting, and the save/delete use cases with validation.

At 20,000 products a filter keystroke must answer within 30 ms, so each entry keeps a
pre-folded search text and display strings; filtering is one pass over a list and
sorting happens once per sort change, not per keystroke.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable

from elo_tui.domain import codelists, formats
from elo_tui.domain.records import Application, Product
from elo_tui.domain.to_check import without_fields
from elo_tui.domain.validation import Errors, validate_application, validate_product
from elo_tui.store import Workspace

# Case- and accent-insensitive form for searching ('Financiële' ~ 'financiele') and
# Dutch sorting ('Ökologie' with the O's): the one helper in domain/formats.
fold = formats.sort_key


def format_volume(volume: int | None) -> str:
    """Belgian thousands separator: 45000 -> '45.000'."""
    return formats.format_number(volume)


# What the inventory reads per product: a narrow projection, not whole records.
ROW_COLUMNS = (
    "id",
    "name",
    "ipdc_number",
    "ipdc_type",
    "themes",
    "request_application_id",
    "followup_application_id",
    "yearly_volume",
    "on_elo",
    "to_check",
)
TO_CHECK_MARK = "! "  # before the name of a product that is "te controleren"


class _Labels:
    """Display strings shared by many products (types, theme sets, application pairs),
    computed once per distinct value; also interns the repeated raw values so 20,000
    entries share them instead of holding 20,000 copies."""

    def __init__(self, app_names: dict[str, str]) -> None:
        self.app_names = app_names
        self._themes: dict[str, tuple[str, str, str]] = {}
        self._apps: dict[tuple[str, str], tuple[str, str]] = {}
        self._types: dict[str, tuple[str, str, str]] = {}
        self._strings: dict[str, str] = {}

    def intern(self, value: str) -> str:
        return self._strings.setdefault(value, value)

    def type_label(self, uri: str) -> tuple[str, str, str]:
        """(uri interned, label, folded label)."""
        hit = self._types.get(uri)
        if hit is None:
            label = codelists.label_for(uri) if uri else ""
            hit = self._types[uri] = (uri, label, fold(label))
        return hit

    def themes_label(self, raw: str) -> tuple[str, str, str]:
        """(raw JSON interned, label, folded label)."""
        hit = self._themes.get(raw)
        if hit is None:
            label = ", ".join(codelists.label_for(t) for t in json.loads(raw or "[]"))
            hit = self._themes[raw] = (raw, label, fold(label))
        return hit

    def app_label(self, req: str, fol: str) -> tuple[str, str]:
        """(label, folded label) of a request/follow-up application pair."""
        hit = self._apps.get((req, fol))
        if hit is None:
            r = self.app_names.get(req, "")
            f = self.app_names.get(fol, "")
            label = r if not f or f == r else f"{r} / {f}" if r else f
            hit = self._apps[(req, fol)] = (label, fold(label))
        return hit


class ProductEntry:
    """One inventory row: the raw values the table shows and searches, not the full
    record (the form reads that with `ws.get` when a person opens it). Labels are looked
    up when a cell is drawn, which happens only for the rows on screen."""

    __slots__ = (
        "id",
        "name",
        "ipdc_number",
        "type_uri",
        "themes_raw",
        "request_app",
        "followup_app",
        "yearly_volume",
        "on_elo",
        "flagged",
        "search",
        "app_key",
        "_labels",
    )

    def __init__(self, row: tuple, labels: _Labels) -> None:
        (
            self.id,
            self.name,
            self.ipdc_number,
            type_uri,
            themes_raw,
            request_app,
            followup_app,
            self.yearly_volume,
            on_elo,
            to_check_raw,
        ) = row
        self.flagged = bool(to_check_raw) and to_check_raw != "[]"  # "te controleren"
        self._labels = labels
        self.on_elo = labels.intern(on_elo)  # a handful of values: share them
        self.type_uri = labels.type_label(type_uri)[0]
        self.themes_raw = labels.themes_label(themes_raw)[0]
        self.request_app = labels.intern(request_app)
        self.followup_app = labels.intern(followup_app)
        self.app_key = labels.app_label(self.request_app, self.followup_app)[1]
        # What is searched besides the labels of the type, the themes and the
        # applications, which are shared by many products and searched once per token
        # (ProductIndex.filter): ~2 MiB less at 20,000 products than a copy in each.
        # NUL after the name: names sort by this text exactly as by their folded form.
        self.search = f"{fold(self.name)}\0{self.ipdc_number}"
        if self.flagged:
            self.search += " te controleren"

    @classmethod
    def of(cls, product: Product, labels: _Labels) -> ProductEntry:
        row = tuple(getattr(product, c) for c in ROW_COLUMNS[:-1])
        themes = json.dumps(product.themes, ensure_ascii=False, sort_keys=True)
        to_check = json.dumps(product.to_check, ensure_ascii=False)
        return cls(row[:4] + (themes,) + row[5:] + (to_check,), labels)

    @property
    def type_label(self) -> str:
        return self._labels.type_label(self.type_uri)[1]

    @property
    def themes_label(self) -> str:
        return self._labels.themes_label(self.themes_raw)[1]

    @property
    def app_label(self) -> str:
        return self._labels.app_label(self.request_app, self.followup_app)[0]

    def cell(self, key: str) -> str:
        match key:
            case "name":
                return TO_CHECK_MARK + self.name if self.flagged else self.name
            case "ipdc_number":
                return self.ipdc_number
            case "type":
                return self.type_label
            case "themes":
                return self.themes_label
            case "application":
                return self.app_label
            case "volume":
                return format_volume(self.yearly_volume)
            case "on_elo":
                return codelists.ON_ELO.get(self.on_elo, self.on_elo)
        return ""


SORT_KEYS = {
    # The folded name and then the IPDC number (`search` starts with them; no copy of
    # 20,000 folded names made for each sort).
    "name": lambda e: e.search,
    "ipdc_number": lambda e: (e.ipdc_number == "", e.ipdc_number.zfill(12)),
    "type": lambda e: e.type_label,
    "themes": lambda e: e.themes_label,
    "application": lambda e: fold(e.app_label),
    "volume": lambda e: -1 if e.yearly_volume is None else e.yearly_volume,
    "on_elo": lambda e: codelists.ON_ELO.get(e.on_elo, e.on_elo),
}


@dataclasses.dataclass
class ProductFilter:
    text: str = ""
    type_uri: str = ""  # "" = all
    theme_uri: str = ""
    application_id: str = ""
    to_check: bool = False  # only products "te controleren" (problems from an import)

    def active(self) -> bool:
        return bool(
            self.text.strip()
            or self.type_uri
            or self.theme_uri
            or self.application_id
            or self.to_check
        )


class ProductIndex:
    """All live products of a workspace, sorted once, filtered per keystroke."""

    def __init__(self, rows: Iterable[tuple], applications: Iterable[Application]) -> None:
        self.app_names = {a.id: a.name for a in applications}
        self._labels = _Labels(self.app_names)
        self.sort_key = "name"
        self.sort_reverse = False
        self._entries = [ProductEntry(r, self._labels) for r in rows]
        # (type/theme/app filters, folded text, result) of the previous filter call
        self._last: tuple[tuple[str, str, str, bool], str, list[ProductEntry]] | None = None
        self._recent: dict[tuple[tuple[str, str, str, bool], str], list[ProductEntry]] = {}
        self._flagged: int | None = None
        self._resort()

    def __len__(self) -> int:
        return len(self._entries)

    def flagged_count(self) -> int:
        """How many products are "te controleren" (counted once per change, not per
        keystroke: the count line is refreshed on every filter call)."""
        if self._flagged is None:
            self._flagged = sum(1 for e in self._entries if e.flagged)
        return self._flagged

    def entry(self, product_id: str) -> ProductEntry | None:
        # A scan (~1 ms at 20,000; after a save, not per key) instead of a dict by id,
        # which cost ~1 MiB at 20,000 products.
        return next((e for e in self._entries if e.id == product_id), None)

    def sort(self, key: str, reverse: bool = False) -> None:
        self.sort_key, self.sort_reverse = key, reverse
        self._resort()

    def _forget_filters(self) -> None:
        self._last = None
        self._recent.clear()
        self._flagged = None

    def _resort(self) -> None:
        self._forget_filters()
        self._entries.sort(key=SORT_KEYS[self.sort_key], reverse=self.sort_reverse)

    def filter(self, f: ProductFilter) -> list[ProductEntry]:
        """Entries matching every token (in name, number, type, themes, application) and
        the chosen type, theme and application, in the current sort order.

        Typing one more character refines the previous result instead of scanning all
        entries again: that keeps a keystroke at 20,000 products to a few milliseconds."""
        text = " ".join(fold(f.text).split())
        structure = (f.type_uri, f.theme_uri, f.application_id, f.to_check)
        cached = self._recent.get((structure, text))
        if cached is not None:  # e.g. backspace back to an earlier query
            self._last = (structure, text, cached)
            return list(cached)
        last = self._last
        if last is not None and last[0] == structure and text.startswith(last[1]):
            # Whatever matches the longer text matched its prefix: refine, re-checking
            # every token on the (smaller) previous result.
            candidates = last[2]
            tokens = text.split()
        else:
            candidates = self._entries
            tokens = text.split()
            if f.type_uri:
                candidates = [e for e in candidates if e.type_uri == f.type_uri]
            if f.theme_uri:
                quoted = f'"{f.theme_uri}"'
                candidates = [e for e in candidates if quoted in e.themes_raw]
            if f.application_id:
                app = f.application_id
                candidates = [e for e in candidates if app in (e.request_app, e.followup_app)]
            if f.to_check:
                candidates = [e for e in candidates if e.flagged]
        for token in tokens:
            candidates = self._matching(candidates, token)
        if candidates is self._entries:
            candidates = list(candidates)
        self._last = (structure, text, candidates)
        if len(self._recent) >= 64:
            self._recent.pop(next(iter(self._recent)))
        self._recent[(structure, text)] = candidates
        return list(candidates)

    def _matching(self, entries: list[ProductEntry], token: str) -> list[ProductEntry]:
        """The entries with `token` in their name, number, "te controleren", type,
        themes or application label (each label as shown, folded). The labels are
        searched once per distinct text; a token has no spaces, so it is in one of
        these texts exactly when it is in all of them joined by spaces."""
        labels = self._labels
        types = {uri for uri, (_, _, key) in labels._types.items() if token in key}
        themes = {raw for raw, (_, _, key) in labels._themes.items() if token in key}
        apps = {key for _, key in labels._apps.values() if token in key}
        if not (types or themes or apps):
            return [e for e in entries if token in e.search]
        return [
            e
            for e in entries
            if token in e.search
            or e.type_uri in types
            or e.themes_raw in themes
            or e.app_key in apps
        ]

    def put(self, product: Product) -> ProductEntry:
        """Add or replace one product (after a save) without rebuilding the index."""
        self.remove(product.id)
        entry = ProductEntry.of(product, self._labels)
        if not product.deleted:
            self._entries.append(entry)
            self._resort()
        return entry

    def remove(self, product_id: str) -> None:
        old = self.entry(product_id)
        if old is not None:
            self._entries.remove(old)
            self._forget_filters()


def load_index(ws: Workspace) -> ProductIndex:
    return ProductIndex(ws.columns(Product, ROW_COLUMNS), ws.list(Application))


def load_index_in_background(ws: Workspace) -> ProductIndex:
    """Build the index on a separate read connection (for a worker thread)."""
    reader = ws.reader()
    try:
        return load_index(reader)
    finally:
        reader.close()


def first_page(ws: Workspace, limit: int = 200) -> list[ProductEntry]:
    """The first rows by name, to paint the inventory at once while the index builds.

    Read on a connection of its own with a small page cache: without an index on the
    name the query scans every product, which filled the app connection's 2 MiB cache
    with pages nothing else needed (a tenth of the inventory's memory at 20,000)."""
    # Raw columns: the names only, not 1,000 application records (~20 ms).
    labels = _Labels({i: name or "" for i, name in ws.columns(Application, ("id", "name"))})
    reader = ws.reader()
    try:
        rows = reader.first_columns(Product, ROW_COLUMNS, limit)
    finally:
        reader.close()
    return [ProductEntry(r, labels) for r in rows]


def save_product(
    ws: Workspace, values: dict, base: Product | None = None
) -> tuple[Product | None, Errors]:
    """Validate form values and save; returns (saved product, {}) or (None, errors).

    "Te controleren" lines: `values["to_check"]` (when given) are the lines the person
    kept open; on top of that, the line of every field whose value changed is cleared
    (saving a corrected field is what fixes it)."""
    app_ids = {a.id for a in ws.list(Application)}
    clean, errors = validate_product(values, app_ids)
    if errors:
        return None, errors
    open_lines = list(values.get("to_check", base.to_check if base else []))
    if base is not None:
        corrected = [k for k, v in clean.items() if v != getattr(base, k)]
        open_lines = without_fields(open_lines, corrected)
    clean["to_check"] = open_lines
    product = dataclasses.replace(base, **clean) if base else Product(**clean)
    return ws.save(product), {}


def delete_product(ws: Workspace, product_id: str) -> None:
    """Tombstone a product with its block statuses; its checklist items become obsolete."""
    from elo_tui.services.mapping import forget_scope

    with ws.transaction():
        ws.delete(Product, product_id)
        forget_scope(ws, "product", product_id)


def save_application(
    ws: Workspace, values: dict, base: Application | None = None
) -> tuple[Application | None, Errors]:
    clean, errors = validate_application(values)
    if errors:
        return None, errors
    app = dataclasses.replace(base, **clean) if base else Application(**clean)
    return ws.save(app), {}


def products_of_application(ws: Workspace, application_id: str) -> list[Product]:
    return ws.products_of_application(application_id)


def delete_application(ws: Workspace, application_id: str) -> int:
    """Tombstone an application and unlink it from its products, in one transaction.

    Returns how many products lost a link (the caller warned about them first)."""
    from elo_tui.services.mapping import forget_scope

    products = products_of_application(ws, application_id)
    with ws.transaction():
        # The application first: an undo of this step is named after it.
        ws.delete(Application, application_id)
        for p in products:
            if p.request_application_id == application_id:
                p.request_application_id = ""
            if p.followup_application_id == application_id:
                p.followup_application_id = ""
            ws.save(p)
        forget_scope(ws, "application", application_id)
    return len(products)
