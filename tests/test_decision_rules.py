"""The decision's rules, one test per rule, each named after it and pinned to its source
(VR 2025 1212 DOC.1191/1BIS unless said otherwise)."""

from __future__ import annotations

from datetime import date

import pytest

from blocks_support import CHECKLISTS, all_in_production, app, product, status
from elo_tui.domain import blocks
from elo_tui.domain.blocks import (
    DEADLINE_JAN_2027,
    DEADLINE_JUN_2027,
    READING_ALL_PRODUCTS,
    READING_NEW_LISTING,
    READING_NOT_APPLIED,
    validate_block_status,
)
from elo_tui.domain.decisions import (
    Overrides,
    build_overrides,
    decision_for,
    decisions,
    validate_delay,
)
from elo_tui.domain.readiness import index_statuses, product_readiness, summarize
from elo_tui.domain.records import Application, Delay, Exemption, Review

TODAY = date(2026, 3, 1)


def _ready(p, statuses, **kw):
    return product_readiness(p, index_statuses(statuses), TODAY, **kw)


def _accepted(record) -> Review:
    return Review(
        target_kind=record.KIND,
        target_id=record.id,
        verdict="accepted",
        created_at="2026-02-01T00:00:00Z",
    )


# -- beslissing 3°: three essential blocks, tracked per part --------------------------------


def test_essential_blocks_are_exactly_the_three_pairs_of_beslissing_3():
    assert blocks.PAIRS == {
        "acm_idm_vms": "ACM/IDM en VMS",
        "dosis_toelatingen": "DOSIS (& Toelatingen indien van toepassing)",
        "global_header": "Global header (met gekoppeld toegangsbeheer)",
    }
    pairs = {b.code: b.pair for b in blocks.BLOCKS}
    assert pairs == {
        "acm_idm": "acm_idm_vms",
        "product_rights": "acm_idm_vms",
        "vms": "acm_idm_vms",
        "dosis": "dosis_toelatingen",
        "toelatingen": "dosis_toelatingen",
        "global_header": "global_header",
        "capacity_switch": "global_header",
    }


def test_block_parts_carry_the_governments_own_names():
    labels = {b.code: b.label for b in blocks.BLOCKS}
    assert labels["acm_idm"].startswith("Toegangs- en gebruikersbeheer (ACM/IDM)")
    assert labels["vms"] == "Vlaams Mandatensysteem (VMS)"
    assert labels["dosis"] == "Dossierstatusinformatiesysteem (DOSIS)"
    assert labels["global_header"] == "Global header (met gekoppeld toegangsbeheer)"
    assert blocks.STAGE_LABELS["filed"] == "Integratiedossier ingediend"


def test_gericht_aanmelden_is_a_requirement_not_a_block():
    assert "gericht_aanmelden" not in blocks.BLOCK_CODES
    assert "gericht_aanmelden" in blocks.REQUIREMENT_CODES
    assert blocks.RENAMED_BLOCKS == {"gericht_aanmelden": "capacity_switch"}


def test_vms_and_toelatingen_say_they_were_not_in_production_in_2024():
    assert "in 2024 nog niet in productie" in blocks.BLOCKS_BY_CODE["vms"].availability
    assert "in 2024 nog niet in productie" in blocks.BLOCKS_BY_CODE["toelatingen"].availability


# -- milestones ------------------------------------------------------------------------------


def test_thirtieth_of_june_2027_is_the_deadline_of_every_block_part():
    assert {b.deadline for b in blocks.BLOCKS} == {DEADLINE_JUN_2027}
    assert DEADLINE_JUN_2027.binding
    text = (CHECKLISTS / "blocks.toml").read_text(encoding="utf-8")
    assert "\ndeadline = 2027-01-01" not in text
    assert text.count("\ndeadline = 2027-06-30\n") == len(blocks.BLOCKS)


def test_first_january_2027_is_an_admission_milestone_not_a_block_deadline():
    assert not DEADLINE_JAN_2027.binding
    assert "opname op e-loketondernemers" in DEADLINE_JAN_2027.label
    assert "vanaf 1 januari 2027 enkel nog producten of diensten opneemt" in (
        blocks.ADMISSION_QUOTE
    )


def test_a_dosis_target_in_february_2027_is_not_late():
    a = app()
    p = product(req=a, fol=a, on_elo="both")
    statuses = all_in_production([a], [p])
    dosis = next(s for s in statuses if s.block == "dosis")
    dosis.stage, dosis.target_date = "filed", "2027-02-28"
    r = _ready(p, statuses)
    assert not r.at_risk(DEADLINE_JUN_2027)
    assert not r.at_risk(DEADLINE_JAN_2027)  # already on ELO: not a new listing


@pytest.mark.parametrize(
    ("reading", "on_elo", "at_risk"),
    [
        (READING_NEW_LISTING, "none", True),
        (READING_NEW_LISTING, "both", False),
        (READING_ALL_PRODUCTS, "both", True),
        (READING_NOT_APPLIED, "none", False),
    ],
)
def test_the_admission_reading_is_an_editable_interpretation(reading, on_elo, at_risk):
    a = app()
    p = product(req=a, fol=a, on_elo=on_elo)
    statuses = all_in_production([a], [p])
    statuses[0].stage, statuses[0].target_date = "test", "2027-03-31"
    assert _ready(p, statuses, reading=reading).at_risk(DEADLINE_JAN_2027) is at_risk
    assert blocks.admission_reading("bogus") == blocks.DEFAULT_ADMISSION_READING


def test_products_at_risk_are_counted_per_milestone_separately():
    a = app()
    p1 = product("Nieuw", req=a, fol=a, on_elo="none")
    p2 = product("Al op ELO", req=a, fol=a, on_elo="both")
    statuses = all_in_production([a], [p1, p2])
    next(s for s in statuses if s.block == "dosis").stage = "test"
    next(s for s in statuses if s.block == "dosis").target_date = "2027-03-31"
    s = summarize([p1, p2], [a], statuses, TODAY)
    assert [r.product_name for r in s.at_risk[DEADLINE_JAN_2027.key]] == ["Nieuw"]
    assert s.at_risk[DEADLINE_JUN_2027.key] == []


# -- requirements ------------------------------------------------------------------------------


def test_sso_needs_acm_idm_and_the_global_header():
    a = app()
    p = product(req=a, fol=a)
    statuses = all_in_production([a], [p])
    assert _ready(p, statuses).sso is True
    next(s for s in statuses if s.block == "global_header").stage = "test"
    assert _ready(p, statuses).sso is False


def test_gericht_aanmelden_needs_sso_and_the_capacity_switch():
    a = app()
    p = product(req=a, fol=a)
    statuses = all_in_production([a], [p])
    next(s for s in statuses if s.block == "capacity_switch").stage = "test"
    r = _ready(p, statuses)
    assert (r.sso, r.gericht_aanmelden) == (True, False)


def test_rechtenbeheer_op_productniveau_needs_product_rights_and_vms():
    a = app()
    p = product(req=a, fol=a)
    statuses = all_in_production([a], [p])
    next(s for s in statuses if s.block == "vms").stage = "analysis"
    assert _ready(p, statuses).product_rights is False


def test_elo_conform_needs_request_and_follow_up_via_elo():
    a = app()
    p = product(req=a, fol=a, on_elo="request")
    statuses = all_in_production([a], [p])
    assert not _ready(p, statuses).elo_conform
    p.on_elo = "both"
    assert _ready(p, statuses).elo_conform


def test_elo_conform_is_self_declared_and_separately_centrally_verified():
    a = app()
    p = product(req=a, fol=a)
    statuses = all_in_production([a], [p])
    s = summarize([p], [a], statuses, TODAY)
    assert (s.elo_conform, s.elo_conform_verified) == (1, 0)
    for st in statuses:
        st.verified_central = True
    s = summarize([p], [a], statuses, TODAY)
    assert (s.elo_conform, s.elo_conform_verified) == (1, 1)
    assert "ELO-conform" in s.to_dict()["elo_conform_definition"]


# -- forms tool --------------------------------------------------------------------------------


def test_forms_tool_counts_only_once_its_route_is_in_production():
    assert not blocks.is_done("forms_tool", "analysis")
    assert blocks.is_done("forms_tool", "production")
    a = app(kind="forms_tool")
    p = product(req=a, fol=a)
    statuses = [
        status(a, b, "forms_tool", "analysis", "2027-05-31") for b in blocks.APPLICATION_BLOCKS
    ]
    statuses += [status(p, b, "forms_tool", "analysis") for b in blocks.PRODUCT_BLOCKS]
    r = _ready(p, statuses)
    assert not r.elo_conform
    assert r.at_risk(DEADLINE_JUN_2027)  # product parts without a date: a plan, not a result


# -- exemptions and delays -------------------------------------------------------------------


def test_exemption_status_comes_from_the_latest_review():
    e = Exemption(subject="dosis")
    assert decision_for(e.id, decisions([])).label == "gevraagd"
    reviews = [
        Review(target_id=e.id, verdict="accepted", created_at="2026-01-01T00:00:00Z"),
        Review(target_id=e.id, verdict="refused", created_at="2026-02-01T00:00:00Z"),
        Review(target_id=e.id, verdict="issues", created_at="2026-03-01T00:00:00Z"),
    ]
    found = decisions(reviews)
    assert decision_for(e.id, found).label == "geweigerd"


def test_accepted_exemption_is_neither_conform_nor_late():
    a = app()
    p = product(req=a, fol=a)
    statuses = all_in_production([a], [p])
    dosis = next(s for s in statuses if s.block == "dosis")
    dosis.stage, dosis.target_date = "not_started", ""
    e = Exemption(scope_kind="application", scope_id=a.id, subject="dosis", ground="x")
    requested = build_overrides([e], [], [], [a])
    assert _ready(p, statuses, overrides=requested).at_risk(DEADLINE_JUN_2027)
    accepted = build_overrides([e], [], [_accepted(e)], [a])
    r = _ready(p, statuses, overrides=accepted)
    assert r.exempt and not r.elo_conform and not r.at_risk(DEADLINE_JUN_2027)
    s = summarize([p], [a], statuses, TODAY, overrides=accepted)
    assert (s.elo_conform, s.exempt_products, s.block("dosis").exempt) == (0, 1, 1)


def test_an_exemption_on_a_requirement_covers_its_parts():
    a = app()
    p = product(req=a, fol=a)
    statuses = all_in_production([a], [p])
    next(s for s in statuses if s.block == "vms").stage = "not_started"
    e = Exemption(scope_kind="product", scope_id=p.id, subject="product_rights", ground="x")
    r = _ready(p, statuses, overrides=build_overrides([e], [], [_accepted(e)], [a]))
    assert r.requirements["product_rights"] == "exempt"
    assert not r.at_risk(DEADLINE_JUN_2027)


def test_accepted_delay_moves_the_measured_date():
    a = app()
    p = product(req=a, fol=a)
    statuses = all_in_production([a], [p])
    header = next(s for s in statuses if s.block == "global_header")
    header.stage, header.target_date = "analysis", "2027-09-15"
    d = Delay(
        scope_kind="application",
        scope_id=a.id,
        subject="global_header",
        original_date="2027-06-30",
        new_date="2027-09-30",
        reason="leverancier",
    )
    assert _ready(p, statuses, overrides=build_overrides([], [d], [], [a])).at_risk(
        DEADLINE_JUN_2027
    )
    r = _ready(p, statuses, overrides=build_overrides([], [d], [_accepted(d)], [a]))
    assert not r.at_risk(DEADLINE_JUN_2027)
    cell = r.cells["global_header"]
    assert (cell.delayed_to, cell.original_date) == ("2027-09-30", "2027-06-30")


def test_a_delay_needs_a_later_new_date_and_a_reason():
    _, errors = validate_delay(
        {
            "scope_kind": "product",
            "scope_id": "x",
            "subject": "sso",
            "delay_kind": "budgetary",
            "original_date": "2027-06-30",
            "new_date": "2027-05-01",
        }
    )
    assert set(errors) == {"new_date", "reason"}


# -- new and excluded applications -------------------------------------------------------------


@pytest.mark.parametrize("applicability", ["not_applicable", "forms_tool"])
def test_new_application_refuses_not_applicable_without_accepted_exemption(applicability):
    values = {"applicability": applicability, "reason": "geen"}
    _, errors = validate_block_status(values, new_application=True)
    assert "alle nieuwe applicaties" in errors["applicability"]
    assert "beslissing 5°" in errors["applicability"]
    _, errors = validate_block_status(values, new_application=True, exempted=True)
    assert "applicability" not in errors


def test_new_application_counts_a_not_applicable_part_as_required_until_an_exemption():
    """Beslissing 5°: new applications implement the blocks "vanaf de start". A part
    marked "niet van toepassing" before the application was marked new still counts as
    required (open, at risk) until an accepted exemption covers it."""
    a = app()
    a.is_new = True
    p = product(req=a, fol=a)
    statuses = all_in_production([a], [p])
    dosis = next(s for s in statuses if s.block == "dosis")
    dosis.applicability, dosis.reason, dosis.stage = "not_applicable", "geen dossiers", ""
    as_new = build_overrides([], [], [], [a])
    r = _ready(p, statuses, overrides=as_new)
    assert r.cells["dosis"].applicability == "required"
    assert not r.elo_conform and r.at_risk(DEADLINE_JUN_2027)
    a.is_new = False
    r = _ready(p, statuses, overrides=build_overrides([], [], [], [a]))
    assert r.cells["dosis"].applicability == "not_applicable"
    a.is_new = True
    e = Exemption(scope_kind="application", scope_id=a.id, subject="dosis", ground="x")
    r = _ready(p, statuses, overrides=build_overrides([e], [], [_accepted(e)], [a]))
    assert r.cells["dosis"].exempt and not r.at_risk(DEADLINE_JUN_2027)


def test_an_exemption_on_gericht_aanmelden_leaves_the_sso_parts_required():
    """An exemption covers a part only when every requirement that needs it is exempted:
    single sign-on still needs ACM/IDM and the global header (beslissing 1° and 2°)."""
    a = app()
    p = product(req=a, fol=a)
    statuses = all_in_production([a], [p])
    for s in statuses:
        if s.block in ("acm_idm", "global_header", "capacity_switch"):
            s.stage = "analysis"
    e = Exemption(scope_kind="application", scope_id=a.id, subject="gericht_aanmelden")
    r = _ready(p, statuses, overrides=build_overrides([e], [], [_accepted(e)], [a]))
    assert r.cells["capacity_switch"].exempt
    assert not r.cells["acm_idm"].exempt and not r.cells["global_header"].exempt
    assert r.requirements["sso"] == "open" and r.at_risk(DEADLINE_JUN_2027)
    sso = Exemption(scope_kind="application", scope_id=a.id, subject="sso")
    both = build_overrides([e, sso], [], [_accepted(e), _accepted(sso)], [a])
    r = _ready(p, statuses, overrides=both)
    assert r.cells["acm_idm"].exempt and r.requirements["sso"] == "exempt"


def test_a_new_application_may_motivate_that_toelatingen_does_not_apply():
    """Beslissing 3°: "DOSIS (& Toelatingen indien van toepassing)"."""
    values = {"applicability": "not_applicable", "reason": "geen vergunning", "block": ""}
    _, errors = validate_block_status({**values, "block": "toelatingen"}, new_application=True)
    assert errors == {}
    _, errors = validate_block_status({**values, "block": "dosis"}, new_application=True)
    assert "beslissing 5°" in errors["applicability"]
    a = app()
    a.is_new = True
    p = product(req=a, fol=a)
    statuses = all_in_production([a], [p])
    toel = next(s for s in statuses if s.block == "toelatingen")
    toel.applicability, toel.reason = "not_applicable", "geen vergunning"
    r = _ready(p, statuses, overrides=build_overrides([], [], [], [a]))
    assert r.cells["toelatingen"].applicability == "not_applicable"


def test_single_sign_on_not_applicable_does_not_make_a_product_elo_conform():
    """Beslissing 1° and 2°: SSO and gericht aanmelden are realised, behoudens gegronde
    redenen (an exemption), not declared "niet van toepassing"."""
    a = app()
    p = product(req=a, fol=a)
    statuses = all_in_production([a], [p])
    assert _ready(p, statuses).elo_conform
    for s in statuses:
        if s.block in ("acm_idm", "global_header", "capacity_switch"):
            s.applicability, s.reason = "not_applicable", "geen aanmelding nodig"
    r = _ready(p, statuses)
    assert r.requirements["sso"] == "not_applicable" and not r.elo_conform


def test_not_applicable_needs_a_motivering():
    _, errors = validate_block_status({"applicability": "not_applicable"})
    assert "motivering" in errors["reason"]


def test_excluded_application_is_shown_but_left_out_of_totals_and_risks():
    a, x = app("Gewoon"), Application(name="Mestloket", excluded=True, exclusion_reason="overleg")
    p1 = product("Telt", req=a, fol=a)
    p2 = product("Telt niet", req=x, fol=x, on_elo="none")
    s = summarize([p1, p2], [a, x], [], TODAY)
    assert s.products_total == 1
    assert [(e.product_name, e.reason) for e in s.excluded] == [("Telt niet", "overleg")]
    assert all(r.product_name != "Telt niet" for v in s.at_risk.values() for r in v)


def test_waiting_on_a_block_is_its_own_cause_of_delay():
    a = app()
    p = product(req=a, fol=a)
    statuses = all_in_production([a], [p])
    vms = next(s for s in statuses if s.block == "vms")
    vms.stage, vms.target_date, vms.waiting_on_block = "analysis", "", True
    s = summarize([p], [a], statuses, TODAY)
    assert s.waiting_at_risk(DEADLINE_JUN_2027.key) == 1
    assert s.block("vms").waiting == 1
    assert "wacht op bouwsteen" in s.at_risk[DEADLINE_JUN_2027.key][0].risks[0].describe(
        DEADLINE_JUN_2027
    )


def test_no_overrides_is_empty():
    assert not Overrides()


def test_the_submission_carries_exemptions_delays_and_vlaios_decisions(demo_ws):
    from elo_tui.io import export_markdown
    from elo_tui.services import submission as service

    content = service.build_content(demo_ws, version=1, author="An", created_at="2026-03-01")
    assert len(content["exemptions"]) == 2 and len(content["delays"]) == 1
    labels = sorted(r["status_label"] for r in content["decisions"]["exemptions"])
    assert labels == ["aanvaard", "gevraagd"]
    assert content["readiness"]["exempt_products"] > 0
    text = export_markdown.render({**content, "sha256": "x"})
    assert "## Uitzonderingen en gerechtvaardigde vertragingen" in text
    assert "aanvragen per jaar (aanname)" in text


def test_a_reimported_submission_keeps_vlaios_decisions(demo_ws, tmp_path):
    from elo_tui.services import mapping
    from elo_tui.services import submission as service
    from elo_tui.store import Workspace

    content = service.build_content(demo_ws, version=1, author="An", created_at="2026-03-01")
    copy = Workspace.open(tmp_path / "copy.sqlite", create=True, user="tester")
    try:
        service.import_document(copy, dict(content))
        before = mapping.load_mapping(demo_ws, TODAY).summary()
        after = mapping.load_mapping(copy, TODAY).summary()
        assert after.exempt_products == before.exempt_products > 0
        assert copy.count(Review) == demo_ws.count(Review)
    finally:
        copy.close()


def test_marking_an_application_new_finds_parts_it_may_not_skip(tmp_path):
    from blocks_support import small_workspace
    from elo_tui.services.mapping import new_application_conflicts

    ws, recs = small_workspace(tmp_path / "w.sqlite")
    try:
        a1 = recs["a1"]
        ws.save(status(a1, "dosis", "not_applicable", reason="geen dossiers"))
        ws.save(status(recs["p1"], "vms", "forms_tool"))
        assert new_application_conflicts(ws, a1) == []  # not new: allowed
        a1.is_new = True
        ws.save(a1)
        assert {s.block for s in new_application_conflicts(ws, a1)} == {"dosis", "vms"}
        e = Exemption(scope_kind="application", scope_id=a1.id, subject="dosis", ground="g")
        ws.save(e)
        ws.put_synced([_accepted(e)])
        assert {s.block for s in new_application_conflicts(ws, a1)} == {"vms"}
    finally:
        ws.close()


# -- words (issue 9 §7) ------------------------------------------------------------------------


def test_no_code_comment_points_at_files_outside_the_repository():
    from blocks_support import REPO

    outside = ("DOMAIN.md", "ARCHITECTURE.md", "STYLE.md", "RULES.md", "/work/", "seeds/")
    hits = [
        f"{path.relative_to(REPO)}: {word}"
        for path in (REPO / "src").rglob("*.py")
        for word in outside
        if word in path.read_text(encoding="utf-8")
    ]
    assert hits == []


def test_checklist_templates_say_due_dates_are_planning_assumptions_and_use_official_terms():
    for path in CHECKLISTS.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        assert "onboarding" not in text.replace("onboarding_form", ""), path.name
        assert "Beslissing van de Vlaamse Regering, december 2025" not in text, path.name
        if path.name != "blocks.toml" and path.parent == CHECKLISTS:
            assert "planningsaannames" in text, path.name


def test_the_interface_uses_the_governments_terms_in_the_nav_bar():
    from elo_tui.app import NAV

    labels = {item.mode: item.label for item in NAV}
    assert labels["sync"] == "Synchronisatie"
    assert labels["exemptions"] == "Uitzonderingen"
    assert all("tracker" not in item.help for item in NAV)
