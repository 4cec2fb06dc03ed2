"""Readiness rules: per product, per agency, and the products at risk for 2027."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from blocks_support import all_in_production, app, product, status
from elo_tui.domain.blocks import DEADLINE_JAN_2027, DEADLINE_JUN_2027, days_left
from elo_tui.domain.readiness import (
    AtRiskCodec,
    Cell,
    block_risk,
    combine_cells,
    count_conform,
    index_statuses,
    product_readiness,
    summarize,
    summarize_pages,
)

TODAY = date(2026, 3, 1)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ([], Cell()),
        ([Cell("required", "test", "2026-06-01")], Cell("required", "test", "2026-06-01")),
        (
            [Cell("required", "production"), Cell("required", "analysis", "2026-05-01")],
            Cell("required", "analysis", "2026-05-01"),
        ),
        (
            [Cell("required", "test", "2026-09-01"), Cell("required", "analysis", "2026-05-01")],
            Cell("required", "analysis", "2026-09-01"),
        ),
        (
            [Cell("required", "test", ""), Cell("required", "analysis", "2026-05-01")],
            Cell("required", "analysis", ""),
        ),
        ([Cell("required", "production"), Cell("undecided")], Cell("undecided")),
        ([Cell("not_applicable"), Cell("required", "production")], Cell("required", "production")),
        ([Cell("not_applicable"), Cell("forms_tool")], Cell("forms_tool")),
        ([Cell("not_applicable"), Cell("not_applicable")], Cell("not_applicable")),
    ],
)
def test_a_product_waits_for_its_slowest_application(cells, expected):
    assert combine_cells(cells) == expected


@pytest.mark.parametrize(
    ("cell", "deadline", "today", "problem"),
    [
        (Cell("required", "production"), DEADLINE_JAN_2027, TODAY, None),
        (Cell("forms_tool", "production"), DEADLINE_JAN_2027, TODAY, None),
        (Cell("forms_tool"), DEADLINE_JUN_2027, TODAY, "no_target"),
        (Cell("not_applicable"), DEADLINE_JAN_2027, TODAY, None),
        (Cell("undecided"), DEADLINE_JAN_2027, TODAY, "undecided"),
        (Cell("required", "test"), DEADLINE_JAN_2027, TODAY, "no_target"),
        (Cell("required", "test", "2026-12-31"), DEADLINE_JAN_2027, TODAY, None),
        (Cell("required", "test", "2027-01-01"), DEADLINE_JAN_2027, TODAY, "target_late"),
        (Cell("required", "test", "2027-06-30"), DEADLINE_JUN_2027, TODAY, None),
        (Cell("required", "test", "2027-07-01"), DEADLINE_JUN_2027, TODAY, "target_late"),
        (Cell("required", "analysis", "2026-02-01"), DEADLINE_JAN_2027, TODAY, "target_passed"),
        (Cell("required", "analysis", "2026-02-01"), DEADLINE_JAN_2027, None, None),
        (Cell("required", "analysis", "nonsense"), DEADLINE_JAN_2027, TODAY, "no_target"),
    ],
)
def test_a_required_block_not_planned_before_the_deadline_is_a_risk(cell, deadline, today, problem):
    risk = block_risk(cell, "acm_idm", deadline, today)
    assert (risk.problem if risk else None) == problem


# Per product: (application statuses for acm_idm/gericht, product block statuses) -> flags.
A = app("Loket")


def _p(**kw):
    return product("P", req=A, fol=A, **kw)


@pytest.mark.parametrize(
    ("app_blocks", "product_blocks", "sso", "gericht", "rights", "conform"),
    [
        # nothing decided: nothing ready, not conform
        ({}, {}, False, False, False, False),
        # all four application blocks and all product blocks in production
        (
            dict.fromkeys(("acm_idm", "capacity_switch", "global_header", "dosis"), "production"),
            dict.fromkeys(("product_rights", "vms", "toelatingen"), "production"),
            True,
            True,
            True,
            True,
        ),
        # toelatingen not applicable (with reason) still conform
        (
            dict.fromkeys(("acm_idm", "capacity_switch", "global_header", "dosis"), "production"),
            {"product_rights": "production", "vms": "production", "toelatingen": "nvt"},
            True,
            True,
            True,
            True,
        ),
        # the forms tool counts once its route is in production
        (
            dict.fromkeys(("acm_idm", "capacity_switch", "global_header", "dosis"), "form"),
            dict.fromkeys(("product_rights", "vms", "toelatingen"), "form"),
            True,
            True,
            True,
            True,
        ),
        # ... and not while it is only a plan
        (
            dict.fromkeys(("acm_idm", "capacity_switch", "global_header", "dosis"), "formplan"),
            dict.fromkeys(("product_rights", "vms", "toelatingen"), "production"),
            False,
            False,
            True,
            False,
        ),
        # SSO in production but gericht aanmelden in test
        (
            {
                "acm_idm": "production",
                "capacity_switch": "test",
                "global_header": "production",
                "dosis": "production",
            },
            dict.fromkeys(("product_rights", "vms", "toelatingen"), "production"),
            True,
            False,
            True,
            False,
        ),
        # VMS not applicable: rights = product rights alone
        (
            dict.fromkeys(("acm_idm", "capacity_switch", "global_header", "dosis"), "production"),
            {"product_rights": "production", "vms": "nvt", "toelatingen": "nvt"},
            True,
            True,
            True,
            True,
        ),
        # VMS still open: rights not ready
        (
            dict.fromkeys(("acm_idm", "capacity_switch", "global_header", "dosis"), "production"),
            {"product_rights": "production", "vms": "analysis", "toelatingen": "nvt"},
            True,
            True,
            False,
            False,
        ),
        # ACM and header not applicable: SSO is "not applicable", not "no"
        (
            {"acm_idm": "nvt", "global_header": "nvt"},
            {"product_rights": "nvt", "vms": "nvt"},
            None,
            False,
            None,
            False,
        ),
        # one block undecided blocks conformity even when the rest is done
        (
            dict.fromkeys(("acm_idm", "capacity_switch", "global_header", "dosis"), "production"),
            {"product_rights": "production", "vms": "production"},
            True,
            True,
            True,
            False,
        ),
    ],
)
def test_product_readiness_flags(app_blocks, product_blocks, sso, gericht, rights, conform):
    p = _p()
    statuses = []

    def make(scope, block, value):
        if value == "nvt":
            return status(scope, block, "not_applicable", reason="geen")
        if value == "form":
            return status(scope, block, "forms_tool", "production")
        if value == "formplan":
            return status(scope, block, "forms_tool", "analysis")
        return status(scope, block, "required", value)

    statuses += [make(A, b, v) for b, v in app_blocks.items()]
    statuses += [make(p, b, v) for b, v in product_blocks.items()]
    r = product_readiness(p, index_statuses(statuses), TODAY)
    assert (r.sso, r.gericht_aanmelden, r.product_rights, r.elo_conform) == (
        sso,
        gericht,
        rights,
        conform,
    )


def test_application_level_status_applies_to_every_product_of_that_application():
    a = app("Gedeeld loket")
    p1, p2 = product("Een", req=a, fol=a), product("Twee", req=a, fol=a)
    idx = index_statuses([status(a, "acm_idm", "required", "test")])
    assert product_readiness(p1, idx).cells["acm_idm"] == Cell("required", "test")
    assert product_readiness(p2, idx).cells["acm_idm"] == Cell("required", "test")


def test_deleted_status_counts_as_undecided():
    a = app()
    p = product(req=a, fol=a)
    s = status(a, "acm_idm", "required", "production")
    s.deleted = True
    assert product_readiness(p, index_statuses([s])).cells["acm_idm"] == Cell()


def test_a_june_target_is_late_for_admission_but_not_for_the_deadline():
    a = app()
    p = product(req=a, fol=a, type="Toelating", on_elo="none")
    statuses = all_in_production([a], [p])
    for s in statuses:
        if s.block in ("capacity_switch", "product_rights"):
            s.stage, s.target_date = "analysis", "2027-05-31"
    r = product_readiness(p, index_statuses(statuses), TODAY)
    assert not r.at_risk(DEADLINE_JUN_2027)
    assert {x.block for x in r.risks[DEADLINE_JAN_2027.key]} == {
        "capacity_switch",
        "product_rights",
    }


def test_summary_counts_percentages_and_at_risk():
    a1, a2 = app("A1"), app("A2")
    p1 = product("Klaar", req=a1, fol=a1)
    p2 = product("Bijna", req=a2, fol=a2, on_elo="none")
    p3 = product("Weg", req=a2, fol=a2)
    p3.deleted = True
    statuses = all_in_production([a1], [p1])
    statuses += [
        status(a2, "acm_idm", "required", "test", "2026-10-01"),
        status(a2, "capacity_switch", "required", "analysis"),
        status(a2, "global_header", "not_applicable", reason="geen aanmelding"),
        status(a2, "dosis", "forms_tool", "production"),
        status(p2, "product_rights", "required", "production"),
        status(p2, "vms", "required", "filed", "2027-03-01"),
    ]
    s = summarize([p1, p2, p3], [a1, a2], statuses, TODAY)
    assert s.products_total == 2
    assert s.elo_conform == 1
    assert s.elo_conform_percent == 50.0
    acm = s.block("acm_idm")
    assert (acm.total, acm.required, acm.done, acm.stages["test"]) == (2, 2, 1, 1)
    assert acm.percent == 50.0
    header = s.block("global_header")
    assert (header.not_applicable, header.applicable, header.done, header.percent) == (
        1,
        1,
        1,
        100.0,
    )
    dosis = s.block("dosis")
    assert (dosis.forms_tool, dosis.done, dosis.percent) == (1, 2, 100.0)
    toel = s.block("toelatingen")
    assert (toel.undecided, toel.done) == (1, 1)
    # application counts: only applications serving a live product and where it applies
    assert (header.applications_total, header.applications_done) == (1, 1)
    assert (acm.applications_total, acm.applications_done) == (2, 1)
    # Admission (p2 not yet on ELO, reading "nieuwe opname"): VMS planned after 1/1/2027,
    # Toelatingen undecided, the capacity switch without date; June: VMS is in time.
    jan = {r.product_name: {x.block for x in r.risks} for r in s.at_risk[DEADLINE_JAN_2027.key]}
    jun = {r.product_name: {x.block for x in r.risks} for r in s.at_risk[DEADLINE_JUN_2027.key]}
    assert jan == {"Bijna": {"vms", "toelatingen", "capacity_switch"}}
    assert jun == {"Bijna": {"toelatingen", "capacity_switch"}}
    assert s.days_left == {"2027-01-01": 306, "2027-06-30": 486}
    assert s.overall_done == sum(b.done for b in s.blocks)
    assert s.undecided == 1


@pytest.mark.parametrize("exclude", [False, True])
def test_a_summary_that_keeps_no_products_counts_the_same(demo_ws, exclude):
    """A snapshot's summary (only counts reported) keeps no readiness per product."""
    from elo_tui.domain.records import Application, BlockStatus, Product

    products = demo_ws.list(Product)
    applications = demo_ws.list(Application)
    statuses = demo_ws.list(BlockStatus)
    # (the demo leaves one application out already; one more: its products listed
    # apart, not counted)
    next(a for a in applications if not a.excluded).excluded = exclude
    whole = summarize(products, applications, statuses, TODAY)
    lean = summarize(products, applications, statuses, TODAY, keep_products=False)
    assert len(whole.products) == len(products) > 10 and lean.products == {}
    assert whole.excluded and whole.products_total > 0
    assert lean.to_dict() == whole.to_dict()
    assert lean.snapshot() == whole.snapshot()


def test_count_conform_agrees_with_the_summary():
    a1, a2 = app("A1"), app("A2")
    products = [
        product("Klaar", req=a1, fol=a1),
        product("Twee loketten", req=a1, fol=a2),
        product("Half", req=a2, fol=a2),
        product("Niets"),
    ]
    statuses = all_in_production([a1], products[:1]) + [
        status(a2, "acm_idm", "required", "production"),
        status(products[1], "product_rights", "forms_tool"),
    ]
    s = summarize(products, [a1, a2], statuses, TODAY)
    assert count_conform(products, index_statuses(statuses)) == s.elo_conform == 1


def test_empty_workspace_summary_has_no_percentages():
    s = summarize([], [], [], TODAY)
    assert s.products_total == 0
    assert s.elo_conform_percent is None
    assert s.overall_percent is None
    assert s.to_dict()["overall"]["percent"] is None


def test_summary_to_dict_and_snapshot_are_json_ready():
    import json

    a = app()
    p = product(req=a, fol=a)
    s = summarize([p], [a], [status(a, "acm_idm", "required", "test")], TODAY)
    data = json.loads(json.dumps(s.to_dict()))
    assert data["products_total"] == 1
    assert [b["block"] for b in data["blocks"]][:2] == ["acm_idm", "product_rights"]
    assert data["deadlines"][1]["at_risk"][0]["risks"][0]["problem"] == "no_target"
    assert data["deadlines"][0]["binding"] is False
    assert data["deadlines"][0]["interpretation"] == "new_listing"
    snap = s.snapshot()
    assert json.loads(json.dumps(snap)) == snap


def test_days_left_counts_calendar_days():
    assert days_left(date(2026, 12, 31), DEADLINE_JAN_2027) == 1
    assert days_left(date(2027, 1, 2), DEADLINE_JAN_2027) == -1


def test_domain_rules_load_without_textual_sqlite_or_pydantic():
    code = (
        "import sys\n"
        "import elo_tui.domain.readiness, elo_tui.domain.applicability, "
        "elo_tui.domain.checklists, elo_tui.domain.blocks\n"
        "bad = [m for m in ('textual', 'pydantic', 'sqlite3', 'sqlite_utils', 'httpx') "
        "if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_products_at_risk_spooled_read_back_as_the_list_with_equal_risks_shared():
    """`summarize_pages(spool_at_risk=...)`: the products at risk go through a spool (here
    a list that encodes and decodes each one, as a temporary file would) and read back
    in the order of the list; equal risks decode to one tuple (their dicts then share
    one list of risk tables), and the waiting counts are those of the list."""
    a = app()
    products = [product(f"P{i}", req=a, fol=a) for i in range(6)]
    statuses = all_in_production([a], products)
    for s in statuses:  # (the same risk for each product: waiting on its block)
        if s.block == "vms":
            s.stage, s.target_date, s.waiting_on_block = "analysis", "", True
    held = summarize(products, [a], statuses, TODAY)
    codecs: list[AtRiskCodec] = []

    def spool(key):
        codec = AtRiskCodec()
        codecs.append(codec)
        return _Encoded(key, codec)

    spooled = summarize_pages([(products, statuses)], [a], (), TODAY, spool_at_risk=spool)
    assert codecs and all(isinstance(v, _Encoded) for v in spooled.at_risk.values())
    assert {k: list(v) for k, v in spooled.at_risk.items()} == held.at_risk
    assert spooled.to_dict() == held.to_dict()
    for key, items in held.at_risk.items():
        assert spooled.waiting_at_risk(key) == sum(r.waiting for r in items)
    assert spooled.waiting_at_risk(DEADLINE_JUN_2027.key) == 6
    risks = [r.risks for r in spooled.at_risk[DEADLINE_JUN_2027.key]]
    assert len(risks) == 6 and len({id(r) for r in risks}) == len(set(risks))


class _Encoded:
    """Plain values that read back decoded and sorted (a SortedSpool's way)."""

    def __init__(self, key, codec):
        self._key, self._codec, self._plain = key, codec, []

    def append(self, item):
        self._plain.append(self._codec.encode(item))

    def __len__(self):
        return len(self._plain)

    def __iter__(self):
        return iter(sorted(map(self._codec.decode, self._plain), key=self._key))
