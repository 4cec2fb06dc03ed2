"""The product inventory as the screens use it: an in-memory index for instant filtering
and sorting, and the save/delete use cases with validation.

At 20,000 products a filter keystroke must answer within 30 ms, so each entry keeps a
pre-folded search text and display strings; filtering is one pass over a list and
sorting happens once per sort change, not per keystroke.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterable

from elo_tui.domain import codelists
from elo_tui.domain.records import Application, Product
from elo_tui.domain.validation import Errors, validate_application, validate_product
from elo_tui.store import Workspace


def fold(text: str) -> str:
    """Case- and accent-insensitive form for searching ('Financiële' ~ 'financiele')."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def format_volume(volume: int | None) -> str:
    """Belgian thousands separator: 45000 -> '45.000'."""
    return "" if volume is None else f"{volume:,}".replace(",", ".")


class ProductEntry:
    """One inventory row: the product plus its display strings."""

    __slots__ = ("product", "type_label", "themes_label", "app_label", "volume_label", "elo_label", "search")

    def __init__(self, product: Product, app_names: dict[str, str]) -> None:
        self.product = product
        self.type_label = codelists.label_for(product.ipdc_type) if product.ipdc_type else ""
        self.themes_label = ", ".join(codelists.label_for(t) for t in product.themes)
        req = app_names.get(product.request_application_id, "")
        fol = app_names.get(product.followup_application_id, "")
        self.app_label = req if not fol or fol == req else f"{req} / {fol}" if req else fol
        self.volume_label = format_volume(product.yearly_volume)
        self.elo_label = codelists.ON_ELO.get(product.on_elo, product.on_elo)
        self.search = fold(
            " ".join(
                (product.name, product.ipdc_number, self.type_label, self.themes_label, self.app_label)
            )
        )

    def cell(self, key: str) -> str:
        p = self.product
        match key:
            case "name":
                return p.name
            case "ipdc_number":
                return p.ipdc_number
            case "type":
                return self.type_label
            case "themes":
                return self.themes_label
            case "application":
                return self.app_label
            case "volume":
                return self.volume_label
            case "on_elo":
                return self.elo_label
        return ""


SORT_KEYS = {
    "name": lambda e: fold(e.product.name),
    "ipdc_number": lambda e: (e.product.ipdc_number == "", e.product.ipdc_number.zfill(12)),
    "type": lambda e: fold(e.type_label),
    "themes": lambda e: fold(e.themes_label),
    "application": lambda e: fold(e.app_label),
    "volume": lambda e: -1 if e.product.yearly_volume is None else e.product.yearly_volume,
    "on_elo": lambda e: e.elo_label,
}


@dataclasses.dataclass
class ProductFilter:
    text: str = ""
    type_uri: str = ""  # "" = all
    theme_uri: str = ""
    application_id: str = ""

    def active(self) -> bool:
        return bool(self.text.strip() or self.type_uri or self.theme_uri or self.application_id)


class ProductIndex:
    """All live products of a workspace, sorted once, filtered per keystroke."""

    def __init__(self, products: Iterable[Product], applications: Iterable[Application]) -> None:
        self.app_names = {a.id: a.name for a in applications}
        self.sort_key = "name"
        self.sort_reverse = False
        self._entries = [ProductEntry(p, self.app_names) for p in products]
        self._by_id = {e.product.id: e for e in self._entries}
        self._resort()

    def __len__(self) -> int:
        return len(self._entries)

    def entry(self, product_id: str) -> ProductEntry | None:
        return self._by_id.get(product_id)

    def sort(self, key: str, reverse: bool = False) -> None:
        self.sort_key, self.sort_reverse = key, reverse
        self._resort()

    def _resort(self) -> None:
        self._entries.sort(key=SORT_KEYS[self.sort_key], reverse=self.sort_reverse)

    def filter(self, f: ProductFilter) -> list[ProductEntry]:
        if not f.active():
            return list(self._entries)
        tokens = fold(f.text).split()
        out = []
        for e in self._entries:
            p = e.product
            if f.type_uri and p.ipdc_type != f.type_uri:
                continue
            if f.theme_uri and f.theme_uri not in p.themes:
                continue
            if f.application_id and f.application_id not in (
                p.request_application_id,
                p.followup_application_id,
            ):
                continue
            if tokens and not all(t in e.search for t in tokens):
                continue
            out.append(e)
        return out

    def put(self, product: Product) -> ProductEntry:
        """Add or replace one product (after a save) without rebuilding the index."""
        old = self._by_id.pop(product.id, None)
        if old is not None:
            self._entries.remove(old)
        entry = ProductEntry(product, self.app_names)
        if not product.deleted:
            self._entries.append(entry)
            self._by_id[product.id] = entry
            self._resort()
        return entry

    def remove(self, product_id: str) -> None:
        old = self._by_id.pop(product_id, None)
        if old is not None:
            self._entries.remove(old)


def load_index(ws: Workspace) -> ProductIndex:
    return ProductIndex(ws.list(Product), ws.list(Application))


def save_product(
    ws: Workspace, values: dict, base: Product | None = None
) -> tuple[Product | None, Errors]:
    """Validate form values and save; returns (saved product, {}) or (None, errors)."""
    app_ids = {a.id for a in ws.list(Application)}
    clean, errors = validate_product(values, app_ids)
    if errors:
        return None, errors
    product = dataclasses.replace(base, **clean) if base else Product(**clean)
    return ws.save(product), {}


def delete_product(ws: Workspace, product_id: str) -> None:
    ws.delete(Product, product_id)


def save_application(
    ws: Workspace, values: dict, base: Application | None = None
) -> tuple[Application | None, Errors]:
    clean, errors = validate_application(values)
    if errors:
        return None, errors
    app = dataclasses.replace(base, **clean) if base else Application(**clean)
    return ws.save(app), {}


def products_of_application(ws: Workspace, application_id: str) -> list[Product]:
    return ws.list(
        Product,
        where="request_application_id = ? OR followup_application_id = ?",
        params=(application_id, application_id),
        order_by="name",
    )


def delete_application(ws: Workspace, application_id: str) -> int:
    """Tombstone an application and unlink it from its products, in one transaction.

    Returns how many products lost a link (the caller warned about them first)."""
    products = products_of_application(ws, application_id)
    with ws.transaction():
        for p in products:
            if p.request_application_id == application_id:
                p.request_application_id = ""
            if p.followup_application_id == application_id:
                p.followup_application_id = ""
            ws.save(p)
        ws.delete(Application, application_id)
    return len(products)
