"""Shared builders for the block-mapping tests (test_blocks*, test_readiness*, test_matrix*,
test_checklist*, test_dashboard*, test_report*)."""

from __future__ import annotations

from pathlib import Path

from elo_tui.domain.codelists import IPDC_BASE
from elo_tui.domain.records import Agency, Application, BlockStatus, Product
from elo_tui.store import Workspace

REPO = Path(__file__).resolve().parent.parent
CHECKLISTS = REPO / "checklists"
T = f"{IPDC_BASE}Type/"
DG = f"{IPDC_BASE}Doelgroep/"


def app(name: str = "Loket", kind: str = "own_application", id: str | None = None) -> Application:
    a = Application(name=name, kind=kind)
    if id:
        a.id = id
    return a


def product(
    name: str = "Product",
    *,
    req: Application | None = None,
    fol: Application | None = None,
    type: str = "FinancieelVoordeel",
    groups: tuple[str, ...] = ("Onderneming",),
    id: str | None = None,
    on_elo: str = "both",
) -> Product:
    p = Product(
        name=name,
        on_elo=on_elo,
        ipdc_type=T + type if type else "",
        target_groups=[DG + g for g in groups],
        request_application_id=req.id if req else "",
        followup_application_id=fol.id if fol else "",
    )
    if id:
        p.id = id
    return p


def status(
    scope,
    block: str,
    applicability: str = "required",
    stage: str = "not_started",
    target: str = "",
    reason: str = "",
    waiting: bool = False,
    verified: bool = False,
) -> BlockStatus:
    kind = "application" if isinstance(scope, Application) else "product"
    return BlockStatus(
        scope_kind=kind,
        scope_id=scope.id,
        block=block,
        applicability=applicability,
        stage=stage,
        target_date=target,
        reason=reason,
        waiting_on_block=waiting,
        verified_central=verified,
    )


def all_in_production(apps, products) -> list[BlockStatus]:
    out = []
    for a in apps:
        for b in ("acm_idm", "capacity_switch", "global_header", "dosis"):
            out.append(status(a, b, "required", "production"))
    for p in products:
        for b in ("product_rights", "vms", "toelatingen"):
            out.append(status(p, b, "required", "production"))
    return out


def small_workspace(path: Path) -> tuple[Workspace, dict]:
    """Two applications, four products; nothing decided yet."""
    ws = Workspace.open(path, create=True, user="tester")
    agency = Agency(name="Testagentschap")
    a1 = app("Subsidieloket")
    a2 = app("Vergunningenloket")
    p1 = product("Subsidie A", req=a1, fol=a1)
    p2 = product("Subsidie B", req=a1, fol=a1)
    p3 = product("Vergunning C", req=a2, fol=a2, type="Toelating", on_elo="none")
    p4 = product("Gemengd D", req=a1, fol=a2)
    ws.save(agency)
    ws.save_many([a1, a2, p1, p2, p3, p4])
    return ws, {"agency": agency, "a1": a1, "a2": a2, "p1": p1, "p2": p2, "p3": p3, "p4": p4}
