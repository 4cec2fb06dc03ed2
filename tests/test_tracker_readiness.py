"""The tracker counts readiness without importing the app; it must count what the app's
dashboard counts (`elo_tui.domain.readiness.summarize`) for the same records: per block
part, per requirement, ELO-conform self-declared and centrally verified, and the products
at risk per milestone (with accepted exemptions and delays and excluded applications)."""

from __future__ import annotations

import random
import sys
from datetime import date
from pathlib import Path

import pytest

from elo_tracker import readiness as tracker
from elo_tui.domain import blocks
from elo_tui.domain.readiness import summarize
from elo_tui.domain.records import Application, BlockStatus, Delay, Exemption, Product, Review
from elo_tui.services.mapping import load_overrides
from elo_tui.store import Workspace
from elo_tui.sync.wire import record_data

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _demo(path: Path) -> Workspace:
    from elo_tui.io.demo import populate_demo

    ws = Workspace.open(path, create=True, user="t")
    populate_demo(ws)
    return ws


def _generated(path: Path) -> Workspace:
    """A 300-product workspace, plus what the generator does not make: central
    verification, waiting on a block, exemptions and delays (accepted, refused, still
    requested, decided twice), an excluded application and products already on ELO."""
    sys.path.insert(0, str(BENCH))
    try:
        from bench_export import populate
    finally:
        sys.path.remove(str(BENCH))
    ws = populate(path, 300)
    rng = random.Random(20270630)
    statuses = ws.list(BlockStatus)
    verified_scopes = set(rng.sample(sorted({s.scope_id for s in statuses}), 150))
    for s in statuses:
        s.verified_central = s.scope_id in verified_scopes
    for s in rng.sample(statuses, len(statuses) // 3):
        s.waiting_on_block = rng.random() < 0.2
        s.stage = rng.choice(blocks.STAGES)
        s.target_date = rng.choice(["", "2026-03-01", "2026-12-31", "2027-03-01", "2027-08-01"])
    products, apps = ws.list(Product), ws.list(Application)
    for p in rng.sample(products, len(products) // 2):
        p.on_elo = rng.choice(["both", "request", "none"])
    # Some products with everything in production (conform; some of them verified).
    ready = {a.id for a in apps[1:8]}
    for p in products:
        if {p.request_application_id, p.followup_application_id} <= ready:
            p.on_elo = "both"
            ready.add(p.id)
    for s in statuses:
        if s.scope_id in ready:
            s.applicability, s.stage = blocks.REQUIRED, blocks.PRODUCTION
            s.verified_central = s.scope_id in verified_scopes or s.scope_kind == "application"
    ws.save_many(statuses, by="t")
    ws.save_many(products, by="t")
    apps[0].excluded, apps[0].exclusion_reason = True, "in onderling overleg (test)"
    ws.save(apps[0], by="t")
    # Beslissing 5°: a new application whose parts include "niet van toepassing".
    apps[1].is_new = True
    ws.save(apps[1], by="t")
    for s in statuses:
        if s.scope_kind == "application" and s.scope_id == apps[1].id and s.block == "dosis":
            s.applicability, s.reason = blocks.NOT_APPLICABLE, "geen dossiers (test)"
            ws.save(s, by="t")
    subjects = [*blocks.BLOCK_CODES, *blocks.REQUIREMENT_CODES]
    decided, reviews = [], []
    for i in range(60):
        scope = rng.choice(["product", "application"])
        target = rng.choice(products if scope == "product" else apps)
        subject = rng.choice(subjects)
        if i % 2:
            rec = Exemption(scope_kind=scope, scope_id=target.id, subject=subject, ground="g")
        else:
            rec = Delay(
                scope_kind=scope,
                scope_id=target.id,
                subject=subject,
                original_date=rng.choice(["", "2027-06-30"]),
                new_date=rng.choice(["2027-09-30", "2028-01-31", "2027-05-01"]),
                reason="r",
            )
        decided.append(rec)
        for day in rng.sample(["2026-03-01", "2026-04-01"], rng.randint(0, 2)):
            reviews.append(
                Review(
                    target_kind=rec.KIND,
                    target_id=rec.id,
                    verdict=rng.choice(["accepted", "refused", "issues"]),
                    created_at=f"{day}T10:00:00Z",
                    updated_at=f"{day}T10:00:00Z",
                    dirty=False,
                )
            )
    ws.save_many(decided, by="t")
    ws.put_synced(reviews)
    return ws


def _as_pushed(records, *, with_updated_at: bool = False):
    """Records as the tracker holds them: live ones, data with id (store.records_of)."""
    extra = (lambda r: {"updated_at": r.updated_at}) if with_updated_at else (lambda r: {})
    return [record_data(r) | {"id": r.id} | extra(r) for r in records if not r.deleted]


@pytest.mark.parametrize("make", [_demo, _generated], ids=["demo", "generated"])
def test_tracker_readiness_equals_the_apps_summary(make, tmp_path):
    ws = make(tmp_path / "w.sqlite")
    products, apps, statuses = ws.list(Product), ws.list(Application), ws.list(BlockStatus)
    today = date(2026, 6, 1)
    overrides = load_overrides(ws, apps)
    assert overrides.exempt and overrides.delays and overrides.excluded_apps
    app_view = summarize(products, apps, statuses, today, overrides=overrides)
    tracker_view = tracker.readiness(
        _as_pushed(products),
        _as_pushed(statuses),
        applications=_as_pushed(apps),
        exemptions=_as_pushed(ws.list(Exemption)),
        delays=_as_pushed(ws.list(Delay)),
        reviews=_as_pushed(ws.list(Review), with_updated_at=True),
        today=today,
    )
    ws.close()

    assert tracker_view.products_total == app_view.products_total > 0
    assert tracker_view.elo_conform == app_view.elo_conform
    assert tracker_view.elo_conform_verified == app_view.elo_conform_verified
    assert 0 < app_view.elo_conform_verified <= app_view.elo_conform
    assert tracker_view.exempt_products == app_view.exempt_products > 0
    assert tracker_view.overall_percent == app_view.overall_percent
    assert [(e["product_id"], e["reason"]) for e in tracker_view.excluded] == [
        (e.product_id, e.reason) for e in app_view.excluded
    ]
    assert app_view.excluded
    for mine, theirs in zip(tracker_view.blocks, app_view.blocks, strict=True):
        assert mine.block == theirs.block
        for name in (
            "total", "undecided", "not_applicable", "forms_tool", "forms_tool_done", "required",
            "exempt", "waiting", "stages", "done", "applicable", "applications_total",
            "applications_done",
        ):  # fmt: skip
            assert getattr(mine, name) == getattr(theirs, name), (mine.block, name)
    for code in blocks.REQUIREMENT_CODES:
        assert tracker_view.requirements[code].to_dict() == app_view.requirement(code).to_dict()
    assert tracker_view.days_left == app_view.days_left
    for key, theirs in app_view.at_risk.items():
        mine = tracker_view.at_risk[key]
        assert [(r.product_id, tuple(r.risks)) for r in mine] == [
            (r.product_id, tuple(tuple(x) for x in r.risks)) for r in theirs
        ], key
        assert tracker_view.waiting_at_risk(key) == app_view.waiting_at_risk(key)
    assert app_view.at_risk[blocks.DEADLINE_JUN_2027.key]


def test_the_trackers_milestones_and_reading_are_the_apps_default():
    assert [(m.key, m.day, m.label, m.latest_target, m.binding) for m in tracker.MILESTONES] == [
        (d.key, d.day, d.label, d.latest_target, d.binding) for d in blocks.DEADLINES
    ]
    assert tracker.ADMISSION_READING == blocks.DEFAULT_ADMISSION_READING
    assert tracker.ADMISSION_READING_TEXT == blocks.ADMISSION_READINGS[tracker.ADMISSION_READING]
    assert tracker.milestone_label(tracker.JAN_2027) == blocks.admission_label(
        blocks.DEFAULT_ADMISSION_READING
    )
    assert "interpretatie" in tracker.ADMISSION_INTERPRETATION.lower()


def test_forms_tool_counts_as_done_only_in_production():
    product = {"id": "p", "request_application_id": "a", "on_elo": "both"}
    statuses = [
        {"scope_kind": "application", "scope_id": "a", "block": code,
         "applicability": "forms_tool", "stage": "test"}
        for code in tracker.APPLICATION_BLOCKS
    ]  # fmt: skip
    view = tracker.readiness([product], statuses, applications=[{"id": "a"}])
    assert view.blocks[0].forms_tool == 1 and view.blocks[0].done == 0
    assert view.requirements["sso"].no == 1
    statuses = [s | {"stage": "production"} for s in statuses]
    view = tracker.readiness([product], statuses, applications=[{"id": "a"}])
    assert view.blocks[0].done == 1 and view.requirements["sso"].yes == 1
    assert view.requirements["product_rights"].no == 1  # product parts still undecided
