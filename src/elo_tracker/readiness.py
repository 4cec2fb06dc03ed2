"""Readiness of one agency from the records it pushed, for the programme overview.

The tracker does not import the app (`elo_tui`), so it counts here what the overview
shows, by the same rule as `elo_tui.domain.readiness.summarize` (a test compares both on
the demo workspace and a generated one):

- a product gets its application-level blocks from its request and follow-up
  applications (both when they differ) and waits for the slowest of them;
- a block is done when it is required and in production, or provided by the forms tool;
- a product is ELO-conform when no block is undecided and every required block is in
  production; an undecided block is not ready.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from elo_contract import BLOCKS, STAGES

APPLICATION_BLOCKS = tuple(code for code, scope, _ in BLOCKS if scope == "application")
PRODUCT_BLOCKS = tuple(code for code, scope, _ in BLOCKS if scope == "product")
UNDECIDED_CELL = ("undecided", "not_started", "")


def _stage_rank(stage: str) -> int:
    return STAGES.index(stage) if stage in STAGES else 0


def _cell(status: dict[str, Any] | None) -> tuple[str, str, str]:
    if status is None:
        return UNDECIDED_CELL
    return (
        status.get("applicability", "undecided"),
        status.get("stage", "not_started"),
        status.get("target_date", ""),
    )


def _open(cell: tuple[str, str, str]) -> bool:
    return cell[0] == "required" and cell[1] != "production"


def _combine(cells: list[tuple[str, str, str]]) -> tuple[str, str, str]:
    """The product waits for the slowest application (see the domain's combine_cells)."""
    if not cells:
        return UNDECIDED_CELL
    if len(cells) == 1:
        return cells[0]
    open_cells = [c for c in cells if _open(c)]
    if open_cells:
        slowest = min(open_cells, key=lambda c: _stage_rank(c[1]))
        targets = [c[2] for c in open_cells]
        return ("required", slowest[1], "" if "" in targets else max(targets))
    for applicability in ("undecided", "required", "forms_tool"):
        for c in cells:
            if c[0] == applicability:
                return c
    return cells[0]


@dataclass(slots=True)
class BlockCount:
    block: str
    total: int = 0
    undecided: int = 0
    not_applicable: int = 0
    done: int = 0

    @property
    def applicable(self) -> int:
        return self.total - self.not_applicable

    @property
    def percent(self) -> float | None:
        return _percent(self.done, self.applicable)


@dataclass(slots=True)
class Readiness:
    products_total: int
    elo_conform: int
    blocks: list[BlockCount]

    @property
    def elo_conform_percent(self) -> float | None:
        return _percent(self.elo_conform, self.products_total)

    @property
    def overall_percent(self) -> float | None:
        return _percent(sum(b.done for b in self.blocks), sum(b.applicable for b in self.blocks))


def _percent(part: int, whole: int) -> float | None:
    return None if whole <= 0 else 100.0 * part / whole


def readiness(products: list[dict[str, Any]], statuses: list[dict[str, Any]]) -> Readiness:
    """Live records only (the store leaves tombstones out)."""
    index = {(s.get("scope_kind"), s.get("scope_id"), s.get("block")): s for s in statuses}
    counts = {code: BlockCount(code) for code, _, _ in BLOCKS}
    conform = 0
    for product in products:
        app_ids: list[str] = []
        for app_id in (
            product.get("request_application_id", ""),
            product.get("followup_application_id", ""),
        ):
            if app_id and app_id not in app_ids:
                app_ids.append(app_id)
        cells = {
            code: _combine([_cell(index.get(("application", a, code))) for a in app_ids])
            for code in APPLICATION_BLOCKS
        }
        for code in PRODUCT_BLOCKS:
            cells[code] = _cell(index.get(("product", product.get("id"), code)))
        blocking = False
        for code, (applicability, stage, _) in cells.items():
            count = counts[code]
            count.total += 1
            if applicability == "not_applicable":
                count.not_applicable += 1
            elif applicability == "forms_tool" or (
                applicability == "required" and stage == "production"
            ):
                count.done += 1
            elif applicability != "required":
                count.undecided += 1
            if applicability == "undecided" or (
                applicability == "required" and stage != "production"
            ):
                blocking = True
        conform += not blocking
    return Readiness(len(products), conform, [counts[code] for code, _, _ in BLOCKS])
