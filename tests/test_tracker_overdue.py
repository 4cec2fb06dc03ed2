"""The programme overview's overdue list follows the readiness rules: a part VLAIO
exempted is not overdue (nor are its checklist steps), a part of an application left out
of consideration is not either, and an accepted delay does not hide a passed target date
but is shown alongside it."""

from __future__ import annotations

from datetime import date

from elo_tracker.overview import agency_overview

TODAY = date(2026, 12, 1)
INFO = {"ovo_code": "OVO000001", "name": "Alfa", "last_push_at": "", "last_seen_at": ""}


def _status(sid: str, scope_kind: str, scope_id: str, block: str, target: str) -> dict:
    return {
        "id": sid,
        "scope_kind": scope_kind,
        "scope_id": scope_id,
        "block": block,
        "applicability": "required",
        "stage": "test",
        "target_date": target,
    }


def _data(**extra) -> dict:
    data = {
        "application": [
            {"id": "app1", "name": "Loket"},
            {"id": "app2", "name": "Oud loket", "excluded": True, "exclusion_reason": "uitdovend"},
        ],
        "product": [
            {"id": "p1", "name": "Premie", "on_elo": "both", "request_application_id": "app1"},
            {"id": "p2", "name": "Vergunning", "on_elo": "none", "request_application_id": "app1"},
        ],
        "block_status": [
            _status("s1", "product", "p1", "dosis", "2026-10-01"),
            _status("s2", "product", "p2", "dosis", "2026-10-02"),
            _status("s3", "application", "app2", "acm_idm", "2026-10-03"),
            _status("s4", "product", "p2", "toelatingen", "2026-10-04"),
        ],
        "checklist_item": [
            {"id": "c1", "title": "Stap p1", "status": "open", "due_date": "2026-11-01",
             "block": "dosis", "scope_kind": "product", "scope_id": "p1"},
            {"id": "c2", "title": "Stap p2", "status": "open", "due_date": "2026-11-02",
             "block": "dosis", "scope_kind": "product", "scope_id": "p2"},
            {"id": "c3", "title": "Algemeen", "status": "blocked", "due_date": "2026-11-03",
             "scope_kind": "agency"},
        ],
    }  # fmt: skip
    data.update(extra)
    return data


def _overdue_ids(data: dict) -> dict[str, str]:
    return {o["id"]: o["delayed_to"] for o in agency_overview(INFO, data, TODAY)["overdue"]}


def test_without_decisions_only_the_excluded_application_is_left_out():
    assert _overdue_ids(_data()) == {"s1": "", "s2": "", "s4": "", "c1": "", "c2": "", "c3": ""}


def test_an_accepted_exemption_takes_the_part_and_its_steps_off_the_overdue_list():
    exemption = {"id": "e1", "scope_kind": "product", "scope_id": "p2", "subject": "dosis"}
    accepted = {"id": "r1", "target_id": "e1", "verdict": "accepted", "created_at": "2026-11-01"}
    data = _data(exemption=[exemption], review=[accepted])
    assert _overdue_ids(data) == {"s1": "", "s4": "", "c1": "", "c3": ""}
    # Still requested, or refused: overdue as before.
    assert set(_overdue_ids(_data(exemption=[exemption]))) >= {"s2", "c2"}
    refused = dict(accepted, verdict="refused")
    assert set(_overdue_ids(_data(exemption=[exemption], review=[refused]))) >= {"s2", "c2"}


def test_an_accepted_delay_keeps_a_passed_target_overdue_and_says_until_when():
    delay = {"id": "d1", "scope_kind": "product", "scope_id": "p1", "subject": "dosis",
             "original_date": "2027-06-30", "new_date": "2027-12-31"}  # fmt: skip
    accepted = {"id": "r1", "target_id": "d1", "verdict": "accepted", "created_at": "2026-11-01"}
    overdue = _overdue_ids(_data(delay=[delay], review=[accepted]))
    assert overdue["s1"] == "2027-12-31" and overdue["c1"] == "2027-12-31"
    assert overdue["s2"] == "" and overdue["s4"] == ""
