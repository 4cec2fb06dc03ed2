"""Importing products from IPDC (JSON-LD) into the workspace, and re-importing them.

Shared by `elo-tui import FILE` (a JSON file goes here, a CSV/XLSX to product_import)
and the Roadmap screen. Steps: `io.ipdc_jsonld.read_file` -> `plan_import` -> `apply_plan`.

Rules (where the issue was silent, the decision and why):
- Identity is the IPDC product number; a product without a number is matched by its IPDC
  URI, else by name (case-insensitive) when it has no number of its own yet (a product
  typed in before its IPDC record was known). Never a duplicate.
- Re-import is three-way per field (name, description, type, themes, target groups):
  the value IPDC gave at the last import is kept in `Product.ipdc_data`. A field the
  agency did not change since then (or left empty) takes IPDC's new value; a field the
  agency changed keeps the agency's value, because the nota says IPDC/LPDC are "nog niet
  volledig of betrouwbaar genoeg": that difference is an IPDC-correctie to send to
  Digitaal Vlaanderen instead of something to overwrite.
- A code IPDC uses that our code lists do not know (a type or theme added later) is not
  put in the field (the product form would refuse it) but listed in `to_check` with the
  value, exactly as the spreadsheet import does with an unknown value.
- Narrower target groups of "Onderneming" (OndernemingIndustrie, ... : `skos:broader
  Onderneming` in codelijsten/doelgroep.ttl of the implementation model) count as
  "Onderneming".
- An archived record (`gearchiveerd`) is never imported: it is reported, and a product
  already in the workspace gets a "te controleren" line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from elo_tui.domain import codelists
from elo_tui.domain.formats import format_number, plural
from elo_tui.domain.ipdc_corrections import ipdc_snapshot
from elo_tui.domain.records import Product
from elo_tui.domain.to_check import FIELD_LABELS as TO_CHECK_LABELS
from elo_tui.domain.to_check import shorten
from elo_tui.io.ipdc_jsonld import IpdcDocument, IpdcRecord

TO_CHECK_PREFIX = "IPDC: "  # a free "te controleren" line of this import (archived)
IPDC_LINE = " — IPDC-record"  # after the field label: a field line of this import
META_LAST_IMPORT = "ipdc_last_import"  # ISO time of the last IPDC import (corrections)
ONDERNEMING = f"{codelists.IPDC_BASE}Doelgroep/Onderneming"
SYNCED_FIELDS = ("name", "description", "ipdc_type", "themes", "target_groups")
FIELD_LABELS = {
    "name": "naam",
    "description": "beschrijving",
    "ipdc_type": "type",
    "themes": "thema's",
    "target_groups": "doelgroepen",
}
_KNOWN = {
    "ipdc_type": {c.uri for c in codelists.PRODUCT_TYPES},
    "themes": {c.uri for c in codelists.THEMES},
    "target_groups": {c.uri for c in codelists.TARGET_GROUPS},
}
_UNKNOWN_LABEL = {  # Dutch, with the adjective's gender
    "ipdc_type": "onbekend type",
    "themes": "onbekend thema",
    "target_groups": "onbekende doelgroep",
}


def normalise_target_group(uri: str) -> str:
    tail = uri.rsplit("/", 1)[-1]
    if uri.startswith(f"{codelists.IPDC_BASE}Doelgroep/") and tail.startswith("Onderneming"):
        return ONDERNEMING
    return uri


def ipdc_values(record: IpdcRecord) -> dict[str, Any]:
    """What IPDC says, in the product's own terms (kept as Product.ipdc_data)."""
    groups: list[str] = []
    for g in record.target_groups:
        g = normalise_target_group(g)
        if g not in groups:
            groups.append(g)
    return {
        "uri": record.uri,
        "record_uri": record.record_uri,
        "kind": record.kind,
        "product_number": record.product_number,
        "name": record.name,
        "description": record.description,
        "ipdc_type": record.type_uri,
        "themes": list(record.themes),
        "target_groups": groups,
        "competent_levels": list(record.competent_levels),
        "executing_levels": list(record.executing_levels),
        "generated_at": record.generated_at,
        "archived": record.archived,
    }


def _known_part(key: str, value: Any) -> Any:
    """The part of an IPDC value our code lists know (unknown codes go to to_check)."""
    if key == "ipdc_type":
        return value if value in _KNOWN[key] else ""
    if key in ("themes", "target_groups"):
        return [v for v in value if v in _KNOWN[key]]
    return value


def unknown_codes(values: dict[str, Any]) -> list[str]:
    """ "Te controleren" lines for codes our lists do not know, in the import's own line
    form (domain/to_check.py: "Type — IPDC-record, waarde 'Digitaal': ..."), so that
    correcting the field in the product form clears its line, as after a spreadsheet
    import. The full URI stays in `ipdc_data` and in the IPDC corrections."""
    out = []
    for key in ("ipdc_type", "themes", "target_groups"):
        v = values.get(key)
        items = [v] if isinstance(v, str) else list(v or [])
        for item in items:
            if item and item not in _KNOWN[key]:
                label = TO_CHECK_LABELS.get(key, key)
                code = shorten(item.rstrip("/").rsplit("/", 1)[-1])
                out.append(
                    f"{label}{IPDC_LINE}, waarde '{code}': {_UNKNOWN_LABEL[key]} "
                    "(niet in de codelijst van elo_tui)."
                )
    return out


def _owned(line: str) -> bool:
    """A "te controleren" line this import wrote (replaced on re-import)."""
    return line.startswith(TO_CHECK_PREFIX) or IPDC_LINE in line


def _show(key: str, value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(codelists.label_for(v) for v in value) or "(leeg)"
    if key == "ipdc_type":
        return codelists.label_for(value) if value else "(leeg)"
    text = str(value or "")
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'" if text else "(leeg)"


def _empty(value: Any) -> bool:
    return value in ("", None, [])


@dataclass
class PlannedProduct:
    product: Product  # the record to save (a copy for an update)
    action: str  # new | update | unchanged | archived
    record: IpdcRecord
    changes: list[str] = field(default_factory=list)  # Dutch, "veld: oud -> nieuw"
    kept: list[str] = field(default_factory=list)  # agency's own values kept
    matched_by: str = ""  # number | uri | name | ""

    def line(self) -> str:
        p = self.product
        number = f"{p.ipdc_number} " if p.ipdc_number else ""
        text = f"{number}{p.name}"
        details = self.changes + [f"behouden (eigen aanpassing): {k}" for k in self.kept]
        if self.matched_by == "name":
            details.insert(0, "gekoppeld op naam")
        return f"{text}: {'; '.join(details)}" if details else text


@dataclass
class IpdcPlan:
    items: list[PlannedProduct]
    archived_new: list[IpdcRecord]  # archived and not in the workspace: not imported
    problems: list[str]
    superseded: int

    def count(self, action: str) -> int:
        return sum(1 for i in self.items if i.action == action)

    def to_save(self) -> list[Product]:
        return [i.product for i in self.items if i.action in ("new", "update", "archived")]

    def summary(self) -> str:
        parts = [
            f"{format_number(self.count('new'))} nieuw",
            f"{format_number(self.count('update'))} bijgewerkt",
            f"{format_number(self.count('unchanged'))} ongewijzigd",
        ]
        archived = self.count("archived") + len(self.archived_new)
        if archived:
            parts.append(f"{format_number(archived)} gearchiveerd in IPDC (niet ingelezen)")
        if self.superseded:
            parts.append(
                f"{plural(self.superseded, 'oudere snapshot', 'oudere snapshots')} overgeslagen"
            )
        if self.problems:
            parts.append(f"{plural(len(self.problems), 'record', 'records')} overgeslagen")
        return ", ".join(parts)

    def report_lines(self) -> list[str]:
        """Dutch lines: what changed, what is archived, what was skipped."""
        out = []
        for i in self.items:
            if i.action == "new":
                out.append(f"nieuw: {i.line()}")
            elif i.action == "update":
                out.append(f"bijgewerkt: {i.line()}")
            elif i.action == "archived":
                out.append(
                    f"gearchiveerd in IPDC, staat nog in de inventaris (te controleren): "
                    f"{i.product.ipdc_number} {i.product.name}"
                )
        for r in self.archived_new:
            out.append(f"gearchiveerd in IPDC, niet ingelezen: {r.label()}")
        out.extend(f"overgeslagen: {p}" for p in self.problems)
        return out


def plan_import(doc: IpdcDocument, products: list[Product]) -> IpdcPlan:
    live = [p for p in products if not p.deleted]
    by_number = {p.ipdc_number.strip(): p for p in live if p.ipdc_number.strip()}
    by_uri = {p.ipdc_uri: p for p in live if p.ipdc_uri}
    by_name: dict[str, Product] = {}
    for p in live:
        if not p.ipdc_number.strip():
            by_name.setdefault(p.name.strip().casefold(), p)
    items: list[PlannedProduct] = []
    archived_new: list[IpdcRecord] = []
    problems = list(doc.problems)
    seen: set[str] = set()
    for record in doc.records:
        existing, matched_by = None, ""
        if record.product_number and record.product_number in by_number:
            existing, matched_by = by_number[record.product_number], "number"
        elif record.uri and record.uri in by_uri:
            existing, matched_by = by_uri[record.uri], "uri"
        elif record.name and record.name.strip().casefold() in by_name:
            existing, matched_by = by_name[record.name.strip().casefold()], "name"
        if existing is not None and existing.id in seen:
            problems.append(
                f"{record.label()}: hoort bij hetzelfde product als een eerder record "
                f"('{existing.name}'); overgeslagen."
            )
            continue
        if not record.name and existing is None:
            problems.append(f"{record.label()}: geen naam in het Nederlands; overgeslagen.")
            continue
        if record.archived:
            if existing is None:
                archived_new.append(record)
                continue
            seen.add(existing.id)
            items.append(_archived(existing, record, matched_by))
            continue
        if existing is not None:
            seen.add(existing.id)
        items.append(_planned(existing, record, matched_by))
    return IpdcPlan(items, archived_new, problems, doc.superseded)


def _archived(existing: Product, record: IpdcRecord, matched_by: str) -> PlannedProduct:
    product = Product(**{n: getattr(existing, n) for n in Product.field_names()})
    line = f"{TO_CHECK_PREFIX}gearchiveerd in IPDC ({record.uri or record.record_uri})"
    checks = [c for c in product.to_check if not _owned(c)]
    product.to_check = [*checks, line]
    product.ipdc_data = _as_text(ipdc_values(record))
    return PlannedProduct(product, "archived", record, matched_by=matched_by)


def _planned(existing: Product | None, record: IpdcRecord, matched_by: str) -> PlannedProduct:
    new_ipdc = ipdc_values(record)
    if existing is None:
        product = Product(
            ipdc_number=record.product_number,
            name=record.name,
            description=record.description,
            ipdc_type=_known_part("ipdc_type", new_ipdc["ipdc_type"]),
            themes=_known_part("themes", new_ipdc["themes"]),
            target_groups=_known_part("target_groups", new_ipdc["target_groups"]),
            ipdc_uri=record.uri,
            ipdc_data=_as_text(new_ipdc),
            to_check=unknown_codes(new_ipdc),
        )
        return PlannedProduct(product, "new", record)

    product = Product(**{n: getattr(existing, n) for n in Product.field_names()})
    old_ipdc = ipdc_snapshot(existing)
    changes: list[str] = []
    kept: list[str] = []
    for key in SYNCED_FIELDS:
        mine = getattr(existing, key)
        theirs = _known_part(key, new_ipdc[key])
        if key == "name" and not theirs:
            continue  # never clear a name
        if mine == theirs:
            continue
        base = _known_part(key, old_ipdc[key]) if key in old_ipdc else None
        if _empty(mine) or (base is not None and mine == base):
            setattr(product, key, theirs)
            changes.append(f"{FIELD_LABELS[key]}: {_show(key, mine)} -> {_show(key, theirs)}")
        else:
            kept.append(f"{FIELD_LABELS[key]} {_show(key, mine)} (IPDC: {_show(key, theirs)})")
    for key, value, label in (
        ("ipdc_number", record.product_number, "productnummer"),
        ("ipdc_uri", record.uri, "IPDC-record"),
    ):
        if value and getattr(existing, key) != value:
            setattr(product, key, value)
            changes.append(f"{label}: {_show(key, getattr(existing, key))} -> '{value}'")
    checks = [c for c in existing.to_check if not _owned(c)]
    product.to_check = checks + unknown_codes(new_ipdc)
    if product.to_check != existing.to_check:
        changes.append("te controleren bijgewerkt")
    product.ipdc_data = _as_text(new_ipdc)
    data_changed = {k: v for k, v in old_ipdc.items() if k != "generated_at"} != {
        k: v for k, v in new_ipdc.items() if k != "generated_at"
    }
    action = "update" if changes or data_changed else "unchanged"
    return PlannedProduct(product, action, record, changes, kept, matched_by)


def _as_text(values: dict[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True)


def apply_plan(ws: Any, plan: IpdcPlan) -> int:
    """Save the plan in one transaction; returns how many products were written."""
    from elo_tui.domain.records import utc_now

    records = plan.to_save()
    with ws.transaction():
        n = ws.save_many(records) if records else 0
        ws.set_meta(META_LAST_IMPORT, utc_now())
    return n


def import_file(ws: Any, path: str, *, dry_run: bool = False) -> IpdcPlan:
    """Read, plan and (unless dry_run) save. Raises io.ipdc_jsonld.IpdcError."""
    from elo_tui.io.ipdc_jsonld import read_file

    doc = read_file(path)
    plan = plan_import(doc, ws.list(Product) if ws is not None else [])
    if not dry_run and ws is not None:
        apply_plan(ws, plan)
    return plan
