"""Demo extension: block statuses and checklists for the demo agency. EXAMPLE DATA ONLY.

Gives the matrix and the dashboard every state to show: applications in production, in
test and barely started, a website and parts that do not apply (with a motivering), a
formulieren- en opvolgingstool route that is still a plan (and waits on the tool), parts
waiting on a block, a few cells still undecided, a new application (beslissing 5°), an
excluded one, an accepted and a requested exemption, an accepted justified delay, and
checklists part-way done. Registered in `io.demo.DEMO_EXTENSIONS`.
"""

from __future__ import annotations

from elo_tui.domain.codelists import IPDC_BASE
from elo_tui.domain.records import (
    Agency,
    Application,
    BlockStatus,
    Delay,
    Exemption,
    Product,
    Record,
    Review,
)

PERMIT = f"{IPDC_BASE}Type/Toelating"
LEVY = f"{IPDC_BASE}Type/FinancieleVerplichting"
SUBSIDY = f"{IPDC_BASE}Type/FinancieelVoordeel"

# application key -> block -> (applicability, stage, target date)
APP_BLOCKS: dict[str, dict[str, tuple[str, str, str]]] = {
    "heffing": {
        "acm_idm": ("required", "production", "2025-11-30"),
        "capacity_switch": ("required", "production", "2026-06-30"),
        "global_header": ("required", "production", "2026-03-31"),
        "dosis": ("required", "production", "2026-09-30"),
    },
    "subsidie": {
        "acm_idm": ("required", "production", "2026-02-28"),
        "capacity_switch": ("required", "test", "2026-12-15"),
        "global_header": ("required", "production", "2026-05-31"),
        "dosis": ("required", "filed", "2027-02-28"),
    },
    "vergunning": {
        "acm_idm": ("required", "test", "2026-12-01"),
        "capacity_switch": ("required", "analysis", "2027-05-31"),
        "global_header": ("required", "analysis", "2027-09-15"),  # accepted delay
        "dosis": ("required", "not_started", ""),
    },
    "erkenning": {
        "acm_idm": ("required", "analysis", "2027-03-31"),
        "global_header": ("required", "filed", "2026-12-20"),
        "dosis": ("required", "not_started", "2027-06-15"),  # covered by an exemption
        # capacity_switch left undecided: the matrix shows the suggestion
    },
    # New application (beslissing 5°): every part required from the start.
    "nieuwplatform": {
        "acm_idm": ("required", "test", "2027-02-28"),
        "global_header": ("required", "analysis", "2027-03-31"),
        "capacity_switch": ("required", "analysis", "2027-04-30"),
        "dosis": ("required", "filed", "2027-02-15"),
    },
    # Excluded in mutual agreement: shown, not counted.
    "mestloket": {
        "acm_idm": ("required", "not_started", ""),
        "global_header": ("required", "not_started", ""),
    },
}
FORMS_TOOL_WAIT = (
    "De formulieren- en opvolgingstool “wordt … onderzocht” met Digitaal Vlaanderen (nota): "
    "nog niet beschikbaar; wat de tool dekt, is nog onbekend (voorbeeld)."
)
VMS_WAIT = (
    "VMS-mandaattypes voor erkenningen nog niet beschikbaar bij Digitaal Vlaanderen "
    "(VMS was “in 2024 nog niet in productie”) (voorbeeld)."
)
WEBSITE_REASON = (
    "Informatiewebsite zonder aanmelding of dossiers; aanvragen lopen via de formulieren- en "
    "opvolgingstool (voorbeeld)."
)
APP_STAGE_FOR_PRODUCTS = {
    "heffing": ("production", "2026-09-30"),
    "subsidie": ("test", "2027-04-30"),
    "vergunning": ("analysis", "2027-06-15"),
    "erkenning": ("not_started", ""),
    "nieuwplatform": ("analysis", "2027-04-30"),
    "mestloket": ("not_started", ""),
}
NO_AGENTS = "Geen derden die voor de onderneming optreden bij dit product."


def demo_block_records(
    agency: Agency, apps: dict[str, Application], products: list[Product]
) -> list[Record]:
    """Block statuses for the demo's applications and products, plus their checklists."""
    statuses: list[BlockStatus] = []

    def add(
        kind: str,
        scope_id: str,
        block: str,
        applicability: str,
        stage: str = "",
        target: str = "",
        reason: str = "",
        evidence: str = "",
        note: str = "",
        waiting: str = "",
    ) -> None:
        statuses.append(
            BlockStatus(
                scope_kind=kind,
                scope_id=scope_id,
                block=block,
                applicability=applicability,
                stage=stage or "not_started",
                target_date=target,
                reason=reason,
                evidence=evidence,
                note=note,
                waiting_on_block=bool(waiting),
                waiting_reason=waiting,
            )
        )

    for key, blocks in APP_BLOCKS.items():
        for block, (applicability, stage, target) in blocks.items():
            evidence = "https://voorbeeld.invalid/tickets/DV-1234" if stage == "production" else ""
            add("application", apps[key].id, block, applicability, stage, target, evidence=evidence)
            # Checked by the central follow-up (normally set only by the tracker).
            statuses[-1].verified_central = key == "heffing"
    for block in ("acm_idm", "capacity_switch", "global_header", "dosis"):
        add("application", apps["website"].id, block, "not_applicable", reason=WEBSITE_REASON)
        # A plan, not a result: counts once the route is in production.
        add(
            "application",
            apps["formulieren"].id,
            block,
            "forms_tool",
            "analysis",
            "2027-05-31",
            waiting=FORMS_TOOL_WAIT,
        )

    by_id = {a.id: key for key, a in apps.items()}
    for i, p in enumerate(products):
        key = by_id.get(p.request_application_id, "")
        keys = {key, by_id.get(p.followup_application_id, "")}
        if "formulieren" in keys and keys <= {"formulieren", "website"}:
            # Requested and followed up through the forms tool: it provides the blocks.
            for block in ("product_rights", "vms", "toelatingen"):
                add("product", p.id, block, "forms_tool", "analysis", "2027-05-31")
            continue
        stage, target = APP_STAGE_FOR_PRODUCTS.get(key, ("not_started", ""))
        # Rights per product: one product per application lags behind, for realism.
        if i % 4 == 3 and stage == "production":
            stage, target = "test", "2026-12-31"
        add("product", p.id, "product_rights", "required", stage, target)
        if p.ipdc_type in (LEVY, SUBSIDY, PERMIT):
            vms_stage = "production" if key == "heffing" else "analysis"
            vms_target = "" if key == "erkenning" else "2026-12-15"
            if p.name.startswith("Uittreksel"):
                continue  # undecided on purpose
            add(
                "product",
                p.id,
                "vms",
                "required",
                vms_stage,
                vms_target,
                waiting=VMS_WAIT if key == "erkenning" else "",
            )
        elif not p.name.startswith("Uittreksel"):
            add("product", p.id, "vms", "not_applicable", reason=NO_AGENTS)
        if p.ipdc_type == PERMIT:
            add(
                "product",
                p.id,
                "toelatingen",
                "required",
                "filed" if i % 2 else "analysis",
                "2026-12-31" if i % 3 else "2027-03-31",
            )
        elif p.ipdc_type:
            add(
                "product",
                p.id,
                "toelatingen",
                "not_applicable",
                reason="Het product levert geen toelating op.",
            )
    # Checked by the central follow-up (normally set only by the tracker): the heffingen.
    heffing = {p.id for p in products if p.request_application_id == apps["heffing"].id}
    for st in statuses:
        if st.scope_id in heffing and st.stage == "production":
            st.verified_central = True
    return [*statuses, *_demo_checklists(agency, statuses, apps), *_demo_decisions(apps, products)]


def _demo_decisions(apps: dict[str, Application], products: list[Product]) -> list[Record]:
    """An accepted and a requested exemption, and an accepted justified delay, with VLAIO's
    decisions as reviews (as the central follow-up would send them)."""
    transport = next((p for p in products if p.name.startswith("Vergunning uitzonderlijk")), None)
    accepted = Exemption(
        scope_kind="application",
        scope_id=apps["erkenning"].id,
        subject="dosis",
        ground=(
            "De Erkenningendatabank wordt in 2028 vervangen door een nieuwe toepassing die "
            "DOSIS vanaf de start gebruikt; een DOSIS-koppeling op de oude databank is niet "
            "verantwoord (voorbeeld)."
        ),
        requested_by="An Voorbeeld",
        requested_on="2026-02-02",
        decision_body="kernwerkgroep",
    )
    out: list[Record] = [accepted]
    out.append(
        Review(
            target_kind="exemption",
            target_id=accepted.id,
            verdict="accepted",
            comment="Aanvaard op de kernwerkgroep van 2026-03-10, op voorwaarde dat de nieuwe "
            "toepassing DOSIS vanaf de start gebruikt (voorbeeld).",
            reviewer="VLAIO (voorbeeld)",
            created_at="2026-03-10T10:00:00Z",
            updated_at="2026-03-10T10:00:00Z",
            dirty=False,
        )
    )
    if transport is not None:
        out.append(
            Exemption(
                scope_kind="product",
                scope_id=transport.id,
                subject="toelatingen",
                ground=(
                    "De vergunning wordt per rit afgeleverd en is enkel geldig tijdens het "
                    "transport; opname in Toelatingen voegt voor de ondernemer weinig toe "
                    "(voorbeeld)."
                ),
                requested_by="An Voorbeeld",
                requested_on="2026-04-15",
                decision_body="stuurgroep",
            )
        )
    delay = Delay(
        scope_kind="application",
        scope_id=apps["vergunning"].id,
        subject="global_header",
        delay_kind="technical",
        original_date="2027-06-30",
        new_date="2027-09-30",
        reason=(
            "Leverancier B levert de nieuwe front-end waarin de global header komt pas in "
            "Q3 2027 (voorbeeld)."
        ),
        requested_by="An Voorbeeld",
        requested_on="2026-03-01",
    )
    out.append(delay)
    out.append(
        Review(
            target_kind="delay",
            target_id=delay.id,
            verdict="accepted",
            comment="Technische vertraging aanvaard; opvolging per kwartaal (voorbeeld).",
            reviewer="VLAIO (voorbeeld)",
            created_at="2026-03-20T10:00:00Z",
            updated_at="2026-03-20T10:00:00Z",
            dirty=False,
        )
    )
    return out


def _demo_checklists(
    agency: Agency, statuses: list[BlockStatus], apps: dict[str, Application]
) -> list[Record]:
    """Checklists instantiated from the templates, with progress matching each stage."""
    from elo_tui.domain import checklists as cl
    from elo_tui.services import checklists as service
    from elo_tui.services.clock import today

    now = today()
    templates = service.templates()
    plan = cl.plan_all(templates, agency.id, statuses, [], now, apps.values())
    stage_of = {(s.scope_kind, s.scope_id, s.block): s.stage for s in statuses}
    # The demo stands for a workspace in use for months, not one created today: its steps
    # keep the dates their milestones give, also when those lie in the past (a step
    # created today is never due before today, see `cl.first_due_date`).
    target_of = {(s.scope_kind, s.scope_id, s.block): s.target_date for s in statuses}
    step_of = {(t.id, step.key): step for t in templates for step in t.steps}
    for item in plan.create:
        step = step_of.get((item.template, item.step))
        if step is not None:
            target = target_of.get((item.scope_kind, item.scope_id, item.block), "")
            item.due_date = cl.due_date(step, now, item.block, target)
    done_steps = {"production": 99, "test": 4, "filed": 2, "analysis": 1, "not_started": 0}
    position: dict[tuple[str, str, str], int] = {}
    for item in plan.create:
        key = (item.scope_kind, item.scope_id, item.template)
        n = position.get(key, 0)
        position[key] = n + 1
        if item.scope_kind == "agency":
            item.status = (
                {0: "done", 1: "busy"}.get(n, "open") if item.template == "programme" else "open"
            )
            if item.step == "inventory":
                item.evidence = "Inventaris bezorgd per mail (voorbeeld)"
            continue
        stage = stage_of.get((item.scope_kind, item.scope_id, item.block), "not_started")
        done = done_steps.get(stage, 0)
        if n < done:
            item.status = "done"
            if stage == "production" and item.step == "production":
                item.evidence = "https://voorbeeld.invalid/tickets/DV-1234"
        elif n == done:
            item.status = "busy" if stage != "not_started" else "open"
    if plan.create:
        # One blocked item so the agenda shows every status.
        blocked = next((i for i in plan.create if i.status == "busy" and i.block == "dosis"), None)
        if blocked is not None:
            blocked.status = "blocked"
            blocked.note = "Wacht op de officiële lijst met DOSIS-statuscodes (voorbeeld)."
    return list(plan.create)
