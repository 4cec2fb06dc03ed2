"""The register of exemptions and justified delays: list, save, delete.

Records are kinds `exemption` and `delay` (they sync like any record); VLAIO's decision
comes back as a Review (accepted/refused) and is read here to give each its status.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from elo_tui.domain.blocks import SCOPE_APPLICATION, subject_label
from elo_tui.domain.decisions import (
    DELAY_KINDS,
    Decision,
    decision_for,
    decisions,
    validate_delay,
    validate_exemption,
)
from elo_tui.domain.formats import format_date
from elo_tui.domain.records import Application, Delay, Exemption, Product, Review
from elo_tui.store import Workspace


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """One exemption or delay as the register shows it."""

    record: Exemption | Delay
    scope_name: str
    decision: Decision

    @property
    def kind_label(self) -> str:
        return "Uitzondering" if isinstance(self.record, Exemption) else "Vertraging"

    def cell(self, key: str) -> str:
        r = self.record
        if key == "kind":
            return self.kind_label
        if key == "scope":
            where = "toepassing" if r.scope_kind == SCOPE_APPLICATION else "product"
            return f"{self.scope_name} ({where})"
        if key == "subject":
            return subject_label(r.subject)
        if key == "status":
            return self.decision.label
        if key == "detail":
            if isinstance(r, Delay):
                kind = DELAY_KINDS.get(r.delay_kind, r.delay_kind)
                original = format_date(r.original_date) if r.original_date else "30/06/2027"
                return f"{original} → {format_date(r.new_date)} ({kind})"
            return r.ground
        if key == "requested_on":
            return format_date(r.requested_on) or r.requested_on
        return ""


def scope_names(ws: Workspace) -> dict[tuple[str, str], str]:
    names = {("application", a.id): a.name for a in ws.list(Application)}
    names.update({("product", p.id): p.name for p in ws.list(Product)})
    return names


def register_rows(ws: Workspace) -> list[RegisterRow]:
    """Every exemption and delay with its scope's name and its decision, newest first."""
    found = decisions(ws.find(Review, target_kind=("exemption", "delay")))
    names = scope_names(ws)
    records: list[Exemption | Delay] = [*ws.list(Exemption), *ws.list(Delay)]
    rows = [
        RegisterRow(
            r, names.get((r.scope_kind, r.scope_id), "(verwijderd)"), decision_for(r.id, found)
        )
        for r in records
        if not r.deleted
    ]
    rows.sort(key=lambda row: (row.record.requested_on, row.record.updated_at), reverse=True)
    return rows


def save_exemption(
    ws: Workspace, values: dict[str, Any], base: Exemption | None = None
) -> tuple[Exemption | None, dict[str, str]]:
    clean, errors = validate_exemption(values)
    if errors:
        return None, errors
    record = dataclasses.replace(base, **clean) if base else Exemption(**clean)
    return ws.save(record), {}


def save_delay(
    ws: Workspace, values: dict[str, Any], base: Delay | None = None
) -> tuple[Delay | None, dict[str, str]]:
    clean, errors = validate_delay(values)
    if errors:
        return None, errors
    record = dataclasses.replace(base, **clean) if base else Delay(**clean)
    return ws.save(record), {}


def delete(ws: Workspace, record: Exemption | Delay) -> None:
    ws.delete(type(record), record.id)
