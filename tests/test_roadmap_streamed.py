"""The dashboard's roadmap lines read a page of products at a time (issue 12: the worker
held every product, status and estimate line as records, ~170 MiB at 20,000 products):
services/roadmap.summary_lines_streamed must say exactly what summary_lines(load(ws))
says, on the demo, generated workspaces and the edge cases, whatever the page size."""

from __future__ import annotations

import json
import sqlite3

import pytest

from blocks_support import app, product, status
from elo_tui.domain.records import (
    Application,
    Baseline,
    BlockStatus,
    Bottleneck,
    EstimateLine,
    PlanItem,
    PlanScenario,
    Product,
)
from elo_tui.services import dashboard
from elo_tui.services import roadmap as svc
from elo_tui.services.ipdc_import import META_LAST_IMPORT
from elo_tui.store import Workspace, schema
from test_summary_cache import edge_cases, generated


def slow(ws: Workspace) -> list[str]:
    return svc.summary_lines(svc.load(ws))


def assert_same(ws: Workspace) -> list[str]:
    expected = slow(ws)
    for page in (1, 2, 3, 500):
        assert svc.summary_lines_streamed(ws, page=page) == expected, page
    assert dashboard.roadmap_lines(ws) == expected
    return expected


def roadmap_edge_cases(path) -> Workspace:
    """edge_cases (exemptions, delays, not applicable with a reason, undecided, waiting,
    an excluded application, a deleted product) plus what the roadmap reads: baselines
    (confirmed, deleted, two for one product, of a deleted product), bottlenecks of every
    status, two chosen scenarios and one not chosen with product, application, deleted,
    empty and late plan items, a new application, a product without application and one
    with two, estimate lines of every kind, IPDC snapshots."""
    ws = edge_cases(path)
    products = {p.name: p for p in ws.list(Product)}
    apps = {a.name: a for a in ws.list(Application)}
    a1, a2 = apps["Subsidieloket"], apps["Vergunningenloket"]
    new = app("Nieuw loket")
    new.is_new = True
    lonely = product("Zonder loket")
    both = product("Twee loketten", req=a1, fol=a2)
    of_new = product("Van het nieuwe loket", req=new, fol=new)
    # Excluded through its follow-up application: not one of a1's users, so a1's lines
    # are shared by 4 products (Subsidie A: 90 / 4 = 22.5 days, no quick win; 18 if 5).
    half = product("Half uitgesloten", req=a1, fol=apps["Uitgesloten loket"])
    ws.save_many([new, lonely, both, of_new, half])
    ws.save_many(
        [
            status(new, "acm_idm", "not_applicable", reason="intern"),
            status(of_new, "vms", "required", "production"),
            status(both, "toelatingen", "not_applicable", reason="geen toelating"),
        ]
    )
    p1, p2, p3 = products["Subsidie A"], products["Subsidie B"], products["Vergunning C"]
    ws.save_many(
        [
            Baseline(product_id=p1.id, on_elo="both", blocks_in_use=["vms"], confirmed=True),
            Baseline(product_id=p2.id, on_elo="none", blocks_in_use=["vms", "dosis"]),
            Baseline(product_id=p3.id, on_elo="request"),
            Baseline(product_id=p3.id, on_elo="both", blocks_in_use=["acm_idm"]),  # twice
            Baseline(product_id=both.id, on_elo="both", blocks_in_use=["toelatingen"]),
            Baseline(product_id="weg", on_elo="both", blocks_in_use=["vms"]),  # no product
        ]
    )
    gone = ws.save(Baseline(product_id=of_new.id, on_elo="both", confirmed=True))
    ws.delete(Baseline, gone.id)
    ws.save_many(
        [
            Bottleneck(description="a", bottleneck_kind="technical"),
            Bottleneck(description="b", bottleneck_kind="budgetary", status="in_progress"),
            Bottleneck(description="c", bottleneck_kind="dependency", status="resolved"),
        ]
    )
    chosen = PlanScenario(name="Gespreid", chosen=True)
    also = PlanScenario(name="Zo snel mogelijk", chosen=True)  # sorts after: not shown
    other = PlanScenario(name="Alles in 2026")
    ws.save_many([chosen, also, other])
    items = [
        PlanItem(scenario_id=chosen.id, scope_kind="application", scope_id=a1.id,
                 block="dosis", quarter="2026-Q4"),
        PlanItem(scenario_id=chosen.id, scope_kind="application", scope_id=a1.id,
                 block="dosis", quarter="2027-Q1"),  # the later one of two counts
        PlanItem(scenario_id=chosen.id, scope_kind="product", scope_id=products["Gemengd D"].id,
                 block="vms", quarter="2027-Q2"),
        PlanItem(scenario_id=chosen.id, scope_kind="product", scope_id=p3.id,
                 block="product_rights", quarter="2027-Q4"),  # after 30 June 2027
        PlanItem(scenario_id=chosen.id, scope_kind="product", scope_id=p2.id,
                 block="toelatingen", quarter=""),  # no quarter: not planned
        PlanItem(scenario_id=chosen.id, scope_kind="application", scope_id=new.id,
                 block="acm_idm", quarter="2026-Q2"),
        PlanItem(scenario_id=other.id, scope_kind="product", scope_id=p2.id,
                 block="toelatingen", quarter="2026-Q1"),
        PlanItem(scenario_id=also.id, scope_kind="product", scope_id=p2.id,
                 block="toelatingen", quarter="2026-Q1"),
    ]  # fmt: skip
    ws.save_many(items)
    dropped = ws.save(
        PlanItem(scenario_id=chosen.id, scope_kind="product", scope_id=p2.id,
                 block="toelatingen", quarter="2026-Q1")
    )  # fmt: skip
    ws.delete(PlanItem, dropped.id)

    def line(scope, block, **kw) -> EstimateLine:
        kind = "application" if isinstance(scope, Application) else "product"
        return EstimateLine(scope_kind=kind, scope_id=scope.id, block=block, **kw)

    ws.save_many(
        [
            line(a1, "dosis", optimistic_days=10, likely_days=20, pessimistic_days=40),
            line(a1, "dosis", likely_days=68.33333333333333),  # two on one scope: summed
            line(a2, "global_header", likely_days=0.1),
            line(p2, "toelatingen", optimistic_days=1, likely_days=2, pessimistic_days=9),
            line(p3, "product_rights", likely_days=4.45),
            line(p3, "vms", method="fixed", fixed_amount=5000),  # no days
            line(p3, "vms", likely_days=30, recurrence="recurring"),  # not remaining work
            line(products["Gemengd D"], "vms", likely_days=19.96),
            line(new, "acm_idm", likely_days=1),
            line(both, "dosis", likely_days=2),
        ]
    )
    dead = ws.save(line(p2, "toelatingen", likely_days=500))
    ws.delete(EstimateLine, dead.id)
    p1.ipdc_number = "1001"
    p1.ipdc_data = json.dumps({"ipdc_type": "", "themes": [], "target_groups": ["x"]})
    p2.ipdc_number = "1002"
    p2.ipdc_data = json.dumps({"archived": True, "target_groups": ["x"]})
    p3.ipdc_number = "1003"  # not in the import
    p3.ipdc_data = "{broken"
    ws.save_many([p1, p2, p3])
    ws.set_meta(META_LAST_IMPORT, "2026-11-01T10:00:00")
    return ws


def test_the_streamed_lines_equal_the_loaded_ones_for_the_edge_cases(tmp_path):
    with roadmap_edge_cases(tmp_path / "r.sqlite") as ws:
        lines = assert_same(ws)
        text = "\n".join(lines)
        # the cases are really there: every line of summary_lines says something
        assert "Sinds de nulmeting" in text and "Open knelpunten: 2 (" in text
        assert "Plan 'Gespreid'" in text and "niet gepland" in text
        assert "Snel resultaat" in text and "IPDC-correcties" in text
        # undecided, another reading of the milestone, an excluded application taken
        # back: the same again
        ws.save(status(ws.list(Product)[0], "vms", "undecided"))
        assert_same(ws)
        excluded = next(a for a in ws.list(Application) if a.excluded)
        excluded.excluded = False
        ws.save(excluded)
        assert_same(ws)


def test_the_streamed_lines_equal_the_loaded_ones_for_the_demo(demo_ws):
    assert_same(demo_ws)


@pytest.mark.parametrize("n", [40, 250])
def test_the_streamed_lines_equal_the_loaded_ones_for_generated_workspaces(tmp_path, n):
    with generated(tmp_path / f"g{n}.sqlite", n) as ws:
        lines = assert_same(ws)
        assert n < 250 or any(line.startswith("Snel resultaat") for line in lines)
        # plan every open block in a chosen scenario: the plan line too
        scenario = svc.create_scenario(ws, "Alles in 2026")
        svc.plan_open_blocks(ws, scenario, "2026-Q4")
        items = ws.find(PlanItem, scenario_id=scenario.id)
        items[0].quarter = "2027-Q3"  # one late
        ws.save(items[0])
        ws.delete(PlanItem, items[1].id)  # one not planned
        svc.choose_scenario(ws, scenario)
        lines = assert_same(ws)
        assert any(line.startswith("Plan 'Alles in 2026'") for line in lines)
        # baselines of some products
        for p in ws.list(Product)[::7]:
            svc.set_baseline(ws, p, {"on_elo": "request", "blocks_in_use": ["vms"]})
        assert_same(ws)


def test_a_version_11_workspace_gains_the_estimate_line_index_with_its_data(tmp_path):
    path = tmp_path / "old.sqlite"
    with Workspace.open(path, create=True) as ws:
        line = ws.save(EstimateLine(scope_kind="product", scope_id="p", block="vms"))
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX idx_estimate_line_scope")
    before = schema.MIGRATIONS.index(schema._v12_estimate_line_scope)
    conn.execute(f"PRAGMA user_version = {before}")
    conn.commit()
    conn.close()
    with Workspace.open(path) as ws:
        assert ws.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert ws.get(EstimateLine, line.id).block == "vms"
        names = {r[0] for r in ws.conn.execute("SELECT name FROM sqlite_master")}
        assert "idx_estimate_line_scope" in names


def test_a_page_of_statuses_uses_the_indexes(tmp_path):
    """Without an index each page of products would scan every line and status."""
    with Workspace.open(tmp_path / "w.sqlite", create=True) as ws:
        for table, kind in (("estimate_line", EstimateLine), ("block_status", BlockStatus)):
            plan = ws.conn.execute(
                f"EXPLAIN QUERY PLAN SELECT * FROM {table} WHERE deleted = 0 "
                "AND scope_id IN (?, ?) AND scope_kind = ?",
                ("a", "b", "product"),
            ).fetchall()
            assert "USING INDEX" in str(plan), (kind, plan)


def test_odd_values_written_by_hand_read_alike(tmp_path):
    """NULLs and unknown values written with raw SQL: the same lines, no traceback."""
    with roadmap_edge_cases(tmp_path / "r.sqlite") as ws:
        ws.conn.execute("UPDATE block_status SET stage = NULL WHERE rowid % 5 = 0")
        ws.conn.execute("UPDATE block_status SET applicability = 'raar' WHERE rowid % 7 = 0")
        ws.conn.execute("UPDATE estimate_line SET method = NULL WHERE rowid % 3 = 0")
        ws.conn.commit()
        assert_same(ws)
