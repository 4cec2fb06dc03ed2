"""Checklists follow the block statuses: instantiated, closed and reopened without losing notes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from blocks_support import CHECKLISTS, app, product, small_workspace, status
from elo_tui.domain import checklists as cl
from elo_tui.domain.records import BlockStatus, ChecklistItem
from elo_tui.domain.templates import load_all
from elo_tui.services import checklists as service
from elo_tui.services import mapping

TODAY = date(2026, 3, 1)
TEMPLATES = load_all(CHECKLISTS)[0]
ACM = next(t for t in TEMPLATES if t.id == "acm_idm")


def _plan(items, required, target="", old=None):
    a = app()
    return cl.plan_scope(
        TEMPLATES,
        scope_kind="application",
        scope_id=a.id,
        block="acm_idm",
        required=required,
        existing=items,
        today=TODAY,
        target_date=target,
        old_target_date=old,
    )


def test_required_block_instantiates_its_steps_with_due_dates_from_the_target():
    plan = _plan([], True, "2026-10-31")
    assert [i.step for i in plan.create] == [s.key for s in ACM.steps]
    by_step = {i.step: i for i in plan.create}
    assert by_step["production"].due_date == "2026-10-31"
    assert by_step["integration_dossier"].due_date == "2026-07-03"  # 120 days before
    assert by_step["setup_ti"].owner == "Digitaal Vlaanderen"
    assert all(i.status == "open" and i.block == "acm_idm" for i in plan.create)


def test_without_target_date_due_dates_count_from_the_blocks_deadline():
    plan = _plan([], True)
    # every part's deadline is the decision's 30 June 2027 (beslissing 1° and 2°)
    assert {i.step: i.due_date for i in plan.create}["production"] == "2027-06-30"


def test_no_longer_required_closes_items_and_keeps_notes():
    items = _plan([], True).create
    items[0].note = "Afspraak met integratieteam op 12/3."
    items[1].status = "done"
    plan = _plan(items, False)
    assert plan.create == []
    assert all(i.obsolete for i in plan.update)
    assert len(plan.update) == len(ACM.steps)
    assert items[0].note == "Afspraak met integratieteam op 12/3."
    assert items[1].status == "done"


def test_required_again_reopens_the_same_items():
    items = _plan([], True).create
    items[0].note = "bewaard"
    _plan(items, False)
    plan = _plan(items, True)
    assert plan.create == []
    assert {i.id for i in plan.update} == {i.id for i in items}
    assert not any(i.obsolete for i in items)
    assert items[0].note == "bewaard"


def test_unchanged_required_block_plans_nothing():
    items = _plan([], True).create
    assert not _plan(items, True)


def test_moving_the_target_date_moves_untouched_open_items_only():
    items = _plan([], True, "2026-10-31").create
    by_step = {i.step: i for i in items}
    by_step["eligibility"].due_date = "2026-04-01"  # changed by a person
    by_step["claims"].status = "busy"
    plan = _plan(items, True, "2026-11-30", old="2026-10-31")
    moved = {i.step for i in plan.update}
    assert "production" in moved and by_step["production"].due_date == "2026-11-30"
    assert "eligibility" not in moved and by_step["eligibility"].due_date == "2026-04-01"
    assert "claims" not in moved


def test_agency_templates_are_instantiated_once():
    plan = cl.plan_agency(TEMPLATES, "agency-1", [], TODAY)
    templates = {i.template for i in plan.create}
    assert templates == {"programme"}  # the aftoetsing is per new application
    assert all(i.scope_kind == "agency" and i.scope_id == "agency-1" for i in plan.create)
    assert not cl.plan_agency(TEMPLATES, "agency-1", plan.create, TODAY)


def test_plan_all_follows_every_status_and_closes_orphans():
    a = app()
    p = product(req=a, fol=a, type="Toelating")
    statuses = [
        status(a, "acm_idm", "required"),
        status(p, "toelatingen", "required"),
        status(p, "vms", "not_applicable", reason="geen derden"),
    ]
    plan = cl.plan_all(TEMPLATES, "ag", statuses, [], TODAY)
    made = {(i.template, i.scope_id) for i in plan.create}
    assert ("acm_idm", a.id) in made and ("toelatingen", p.id) in made
    assert not any(i.template == "vms" for i in plan.create)
    # the ACM status disappears: its items are closed, not deleted
    items = plan.create
    plan2 = cl.plan_all(TEMPLATES, "ag", statuses[1:], items, TODAY)
    assert plan2.create == []
    assert {i.template for i in plan2.update} == {"acm_idm"}
    assert all(i.obsolete for i in plan2.update)


@pytest.mark.parametrize(
    ("status_", "due", "obsolete", "bucket"),
    [
        ("open", "2026-02-28", False, "overdue"),
        ("blocked", "2026-02-01", False, "overdue"),
        ("open", "2026-03-01", False, "soon"),
        ("busy", "2026-03-15", False, "soon"),
        ("open", "2026-03-16", False, "later"),
        ("open", "", False, "no_date"),
        ("done", "2026-01-01", False, "closed"),
        ("na", "2026-01-01", False, "closed"),
        ("open", "2026-01-01", True, "obsolete"),
    ],
)
def test_agenda_buckets(status_, due, obsolete, bucket):
    item = ChecklistItem(title="x", status=status_, due_date=due, obsolete=obsolete)
    assert cl.bucket(item, TODAY) == bucket


def test_agenda_puts_overdue_then_due_soon_first():
    items = [
        ChecklistItem(title="later", due_date="2026-09-01"),
        ChecklistItem(title="klaar", due_date="2026-01-01", status="done"),
        ChecklistItem(title="te laat 2", due_date="2026-02-20"),
        ChecklistItem(title="binnenkort", due_date="2026-03-05"),
        ChecklistItem(title="te laat 1", due_date="2026-01-20"),
        ChecklistItem(title="zonder datum"),
    ]
    assert [i.title for _, i in cl.agenda(items, TODAY)] == [
        "te laat 1",
        "te laat 2",
        "binnenkort",
        "later",
        "zonder datum",
        "klaar",
    ]


def test_add_month_keeps_the_day_or_takes_the_last():
    assert cl.add_month(date(2026, 1, 31)) == date(2026, 2, 28)
    assert cl.add_month(date(2026, 12, 15)) == date(2027, 1, 15)


# -- through the services, on a real workspace ----------------------------------------------------


@pytest.fixture
def ws(tmp_path):
    workspace, recs = small_workspace(tmp_path / "t.sqlite")
    workspace.recs = recs
    yield workspace
    workspace.close()


def _items(ws, scope_id):
    return ws.list(ChecklistItem, where="scope_id = ?", params=(scope_id,))


def test_setting_a_block_required_saves_status_and_checklist_together(ws):
    a1 = ws.recs["a1"]
    saved, errors = mapping.set_block_status(
        ws,
        "application",
        a1.id,
        "dosis",
        {"applicability": "required", "stage": "analysis", "target_date": "2026-11-01"},
        TODAY,
    )
    assert errors == {}
    assert ws.get(BlockStatus, saved.id).stage == "analysis"
    items = _items(ws, a1.id)
    assert {i.template for i in items} == {"dosis"}
    assert all(i.dirty for i in items)  # they travel with the next sync


def test_not_applicable_without_reason_saves_nothing(ws):
    p1 = ws.recs["p1"]
    saved, errors = mapping.set_block_status(
        ws, "product", p1.id, "vms", {"applicability": "not_applicable", "reason": ""}, TODAY
    )
    assert saved is None and "reason" in errors
    assert ws.list(BlockStatus) == []


def test_block_at_the_wrong_level_is_refused(ws):
    saved, errors = mapping.set_block_status(
        ws, "product", ws.recs["p1"].id, "acm_idm", {"applicability": "required"}, TODAY
    )
    assert saved is None and "block" in errors


def test_switching_off_and_on_keeps_notes_in_the_store(ws):
    p3 = ws.recs["p3"]
    mapping.set_block_status(
        ws, "product", p3.id, "toelatingen", {"applicability": "required"}, TODAY
    )
    item = _items(ws, p3.id)[0]
    service.save_item(
        ws, item, {"status": "busy", "note": "Lijst van lopende vergunningen opgevraagd"}, TODAY
    )
    mapping.set_block_status(
        ws,
        "product",
        p3.id,
        "toelatingen",
        {"applicability": "not_applicable", "reason": "Product wordt afgeschaft"},
        TODAY,
    )
    assert all(i.obsolete for i in _items(ws, p3.id))
    mapping.set_block_status(
        ws, "product", p3.id, "toelatingen", {"applicability": "required"}, TODAY
    )
    again = {i.id: i for i in _items(ws, p3.id)}
    assert len(again) == len(next(t for t in TEMPLATES if t.id == "toelatingen").steps)
    assert again[item.id].note == "Lijst van lopende vergunningen opgevraagd"
    assert again[item.id].status == "busy"
    assert not again[item.id].obsolete


def test_monthly_step_done_comes_back_next_month(ws):
    service.sync_all(ws, TODAY)
    report = ws.list(ChecklistItem, where="step = 'monthly_report'")[0]
    assert report.due_date == "2026-03-31"
    saved, errors = service.save_item(
        ws,
        report,
        {"status": "done", "owner": "An", "due_date": report.due_date, "note": "Maart"},
        date(2026, 3, 30),
    )
    assert errors == {}
    assert saved.status == "open"
    assert saved.due_date == "2026-04-30"
    assert saved.note == "Maart\nAfgevinkt op 30/03/2026."


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"status": "klaar"}, "status"),
        ({"status": "open", "due_date": "morgen"}, "due_date"),
        ({"status": "open", "evidence": "file://x"}, "evidence"),
    ],
)
def test_invalid_item_edit_is_refused_with_a_dutch_message(ws, values, field):
    service.sync_all(ws, TODAY)
    item = ws.list(ChecklistItem)[0]
    before = ws.get(ChecklistItem, item.id)
    saved, errors = service.save_item(ws, item, values, TODAY)
    assert saved is None and field in errors
    assert ws.get(ChecklistItem, item.id) == before


def test_sync_all_is_idempotent(ws):
    first = service.sync_all(ws, TODAY)
    assert len(first.create) == 5  # programme (5); no new application, so no aftoetsing
    assert not service.sync_all(ws, TODAY)


def test_aftoetsing_applies_per_new_or_renewed_application(ws):
    a1 = ws.recs["a1"]
    a1.is_new = True
    ws.save(a1)
    first = service.sync_all(ws, TODAY)
    aftoetsing = [i for i in first.create if i.template == "aftoetsing"]
    assert len(aftoetsing) == 7
    assert {(i.scope_kind, i.scope_id) for i in aftoetsing} == {("application", a1.id)}
    assert not service.sync_all(ws, TODAY)
    a1.is_new = False
    ws.save(a1)
    plan = service.plan_for_application(ws, a1, TODAY)
    assert len(plan.update) == 7 and all(i.obsolete for i in plan.update)


def test_forgetting_a_deleted_product_closes_its_statuses_and_checklist(ws):
    p3 = ws.recs["p3"]
    mapping.set_block_status(
        ws, "product", p3.id, "toelatingen", {"applicability": "required"}, TODAY
    )
    item = _items(ws, p3.id)[0]
    service.save_item(ws, item, {"status": "busy", "note": "bewaard"}, TODAY)
    assert mapping.forget_scope(ws, "product", p3.id) == 1 + len(_items(ws, p3.id))
    assert ws.list(BlockStatus) == []
    kept = {i.id: i for i in _items(ws, p3.id)}
    assert all(i.obsolete for i in kept.values())
    assert kept[item.id].note == "bewaard"


# -- a new workspace: nothing overdue on its first day (issue 11) ------------------------------


@pytest.mark.parametrize("first_day", [date(2026, 12, 2), date(2027, 5, 1)])
def test_a_new_workspace_has_nothing_overdue_on_its_first_day(ws, first_day):
    from elo_tui.services import dashboard

    for scope, block in (
        (ws.recs["a1"], "acm_idm"),
        (ws.recs["a1"], "dosis"),
        (ws.recs["a2"], "global_header"),
        (ws.recs["p1"], "vms"),
    ):
        kind = "application" if scope is ws.recs["a1"] or scope is ws.recs["a2"] else "product"
        _, errors = mapping.set_block_status(
            ws, kind, scope.id, block, {"applicability": "required"}, first_day
        )
        assert errors == {}
    # a target date already behind us when the block is first marked required
    mapping.set_block_status(
        ws,
        "application",
        ws.recs["a2"].id,
        "dosis",
        {"applicability": "required", "target_date": "2026-09-30"},
        first_day,
    )
    service.sync_all(ws, first_day)
    items = ws.list(ChecklistItem)
    assert len(items) > 20
    assert min(i.due_date for i in items) >= first_day.isoformat()
    assert dashboard.checklist_counts(ws, first_day)[0] == 0
    # ... and the day after, the steps that were due before the start are late.
    assert dashboard.checklist_counts(ws, first_day + timedelta(days=1))[0] > 0


def test_a_step_due_before_its_creation_is_due_on_the_day_of_creation():
    plan = _plan([], True, "2026-03-20")  # TODAY is 1 March: -120 days lies in the past
    by_step = {i.step: i for i in plan.create}
    assert by_step["integration_dossier"].due_date == TODAY.isoformat()
    assert by_step["production"].due_date == "2026-03-20"


def test_a_step_moved_to_its_creation_day_still_follows_a_moved_target():
    items = _plan([], True, "2026-03-20").create
    plan = _plan(items, True, "2026-12-31", old="2026-03-20")
    by_step = {i.step: i for i in plan.update}
    assert by_step["integration_dossier"].due_date == "2026-09-02"  # 120 days before
