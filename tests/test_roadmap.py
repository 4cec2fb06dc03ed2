"""Roadmap: priority ordering and quick wins, bottlenecks (also through a real tracker),
the baseline (import, lock, progress), plan scenarios compared side by side, and the
Roadmap screen."""

from __future__ import annotations

import io
import itertools

import pytest

from elo_tui.cli import main
from elo_tui.domain import roadmap as rm
from elo_tui.domain.codelists import IPDC_BASE
from elo_tui.domain.readiness import index_statuses
from elo_tui.domain.records import (
    Agency,
    Application,
    Baseline,
    BlockStatus,
    Bottleneck,
    EstimateLine,
    PlanItem,
    PlanScenario,
    Product,
)
from elo_tui.services import roadmap as svc
from elo_tui.store import Workspace
from submission_support import freeze

ONDERNEMING = f"{IPDC_BASE}Doelgroep/Onderneming"


def _line(scope_kind, scope_id, block, days, year="2026", **kw) -> EstimateLine:
    return EstimateLine(
        scope_kind=scope_kind,
        scope_id=scope_id,
        block=block,
        optimistic_days=days,
        likely_days=days,
        pessimistic_days=days,
        day_rate=1000.0,
        budget_year=year,
        **kw,
    )


def _required(scope_kind, scope_id, block, stage="analysis") -> BlockStatus:
    return BlockStatus(
        scope_kind=scope_kind, scope_id=scope_id, block=block, applicability="required", stage=stage
    )


@pytest.fixture
def small(tmp_path):
    """One application shared by two products; every block required; the application's
    blocks in production except DOSIS; product blocks open."""
    ws = Workspace.open(tmp_path / "w.sqlite", create=True, user="tester")
    ws.save(Agency(name="Agentschap", ovo_code="OVO000001", day_rate_internal=1000.0))
    app = ws.save(Application(name="Loket"))
    big = ws.save(
        Product(
            name="Groot",
            yearly_volume=20000,
            on_elo="none",
            target_groups=[ONDERNEMING],
            request_application_id=app.id,
        )
    )
    small_p = ws.save(
        Product(
            name="Klein",
            yearly_volume=50,
            on_elo="both",
            target_groups=[ONDERNEMING],
            request_application_id=app.id,
        )
    )
    from elo_tui.domain.blocks import APPLICATION_BLOCKS, PRODUCT_BLOCKS

    statuses = [
        _required("application", app.id, b, "analysis" if b == "dosis" else "production")
        for b in APPLICATION_BLOCKS
    ]
    for p in (big, small_p):
        statuses += [_required("product", p.id, b) for b in PRODUCT_BLOCKS]
    ws.save_many(statuses)
    lines = [_line("application", app.id, "dosis", 10.0)]
    lines += [_line("product", big.id, b, 30.0) for b in PRODUCT_BLOCKS]
    lines += [_line("product", small_p.id, b, 1.0) for b in PRODUCT_BLOCKS]
    ws.save_many(lines)
    yield ws, app, big, small_p
    ws.close()


def test_priority_weighs_impact_against_remaining_days_and_quick_wins_are_cheapest(small):
    ws, app, big, small_p = small
    data = svc.load(ws)
    by_name = {r.product.name: r for r in data.priorities}
    assert by_name["Groot"].impact > by_name["Klein"].impact
    # DOSIS is shared: 10 days over two products; each product block on its own
    n_product_blocks = len(by_name["Klein"].remaining_blocks) - 1
    assert by_name["Klein"].effort_days == pytest.approx(5 + n_product_blocks * 1.0)
    assert by_name["Groot"].effort_days == pytest.approx(5 + n_product_blocks * 30.0)
    assert [r.product.name for r in data.priorities] == ["Klein", "Groot"]  # score order
    assert [r.product.name for r in data.quick_wins] == ["Klein"]  # <= 20 days (assumption)


def test_a_block_without_estimate_keeps_the_product_out_of_quick_wins(small):
    ws, app, big, small_p = small
    for line in ws.list(EstimateLine, where="scope_id = ?", params=(small_p.id,))[:1]:
        ws.delete(EstimateLine, line.id)
    data = svc.load(ws)
    row = next(r for r in data.priorities if r.product.name == "Klein")
    assert row.unestimated_blocks and not row.quick_win
    assert "zonder raming" in "; ".join(row.notes)


def test_conform_products_come_last_and_excluded_applications_are_left_out(small):
    ws, app, big, small_p = small
    statuses = ws.list(BlockStatus)
    for st in statuses:
        st.stage = "production"
    ws.save_many(statuses)
    other = ws.save(Application(name="Mestbank", excluded=True, exclusion_reason="overleg"))
    ws.save(Product(name="Buiten", request_application_id=other.id))
    rows = svc.load(ws).priorities
    assert [(r.product.name, r.conform) for r in rows] == [("Groot", False), ("Klein", True)]
    # every part in production, but not yet requested and followed up via ELO
    groot = rows[0]
    assert groot.remaining_blocks == () and groot.quick_win
    assert "nog niet via ELO aan te vragen en op te volgen" in groot.notes
    assert "Buiten" not in {r.product.name for r in rows}


def test_bottleneck_is_validated_with_dutch_messages(small):
    ws, app, big, _ = small
    with pytest.raises(svc.RoadmapError, match="Beschrijving is verplicht"):
        svc.save_bottleneck(ws, {"description": " ", "scope_kind": "agency"})
    with pytest.raises(svc.RoadmapError, match="Onbekende soort 'politiek'"):
        svc.save_bottleneck(ws, {"description": "x", "bottleneck_kind": "politiek"})
    b = svc.save_bottleneck(
        ws,
        {
            "description": "VMS nog niet in productie",
            "bottleneck_kind": "dependency",
            "scope_kind": "application",
            "scope_id": app.id,
            "block": "vms",
        },
    )
    b = svc.save_bottleneck(ws, {**b.data(), "status": "resolved", "today": "2026-12-01"}, b)
    assert b.resolved_on == "2026-12-01"
    assert rm.bottleneck_counts(ws.list(Bottleneck))["dependency"] == 0


def test_baseline_import_reports_bad_rows_and_locks_after_confirmation(small, tmp_path):
    ws, app, big, small_p = small
    csv = tmp_path / "nulmeting.csv"
    csv.write_text(
        "Product;Op ELO;Bouwstenen in gebruik\n"
        "Groot;niet;\n"
        "Klein;aanvragen en opvolgen;ACM/IDM, Global header (met gekoppeld toegangsbeheer)\n"
        "Onbekend product;niet;\n"
        "Klein;ja;Teleportatie\n",
        encoding="utf-8",
    )
    result = svc.import_baseline(ws, str(csv))
    assert result.saved == 2
    assert any(p.startswith("rij 4:") and "Onbekend product" in p for p in result.problems)
    assert any(p.startswith("rij 5:") and "'Teleportatie'" in p for p in result.problems)
    base = svc.baseline_of(ws, small_p.id)
    assert base.on_elo == "both" and base.blocks_in_use == ["acm_idm", "global_header"]
    assert svc.confirm_baselines(ws) == 2
    with pytest.raises(svc.RoadmapError, match="bevestigd"):
        svc.set_baseline(ws, small_p, {"on_elo": "none"})
    progress = svc.load(ws).progress
    assert (progress.with_baseline, progress.confirmed, progress.on_elo_then) == (2, 2, 1)
    assert progress.blocks_then == 2
    # the application blocks in production now count as progress since the baseline
    assert progress.blocks_now > progress.blocks_then


def test_scenarios_compare_cost_per_year_and_products_conform_per_quarter(small):
    ws, app, big, small_p = small
    all_2026 = svc.create_scenario(ws, "alles in 2026")
    assert svc.plan_open_blocks(ws, all_2026, "2026-Q4") > 0
    spread = svc.create_scenario(ws, "gespreid", copy_of=all_2026)
    # in the spread plan, the big product's blocks move to 2027-Q3: after 30 June 2027
    for item in ws.list(PlanItem, where="scenario_id = ?", params=(spread.id,)):
        if item.scope_id == big.id:
            svc.plan_block(ws, spread, "product", big.id, item.block, "2027-Q3")
    by_name = {s.scenario.name: s for s in svc.load(ws).scenarios}
    a, b = by_name["alles in 2026"], by_name["gespreid"]
    assert a.conform_by_quarter["2026-Q3"] == 0 and a.conform_by_quarter["2026-Q4"] == 2
    assert a.conform_at_milestone == 2 and b.conform_at_milestone == 1
    assert b.conform_by_quarter["2027-Q3"] == 2
    assert a.cost_by_year["2027"] == 0
    assert b.cost_by_year["2027"] > 0 and b.cost_by_year["2026"] < a.cost_by_year["2026"]
    assert a.unplanned == 0

    moved = svc.choose_scenario(ws, spread)
    assert moved == len(ws.list(EstimateLine, where="scope_id = ?", params=(big.id,)))
    assert {line.budget_year for line in ws.list(EstimateLine) if line.scope_id == big.id} == {
        "2027"
    }
    assert [s.name for s in ws.list(PlanScenario) if s.chosen] == ["gespreid"]


def test_a_bad_quarter_or_scope_is_refused(small):
    ws, app, big, _ = small
    s = svc.create_scenario(ws, "x")
    with pytest.raises(svc.RoadmapError, match="geen kwartaal"):
        svc.plan_block(ws, s, "product", big.id, "vms", "Q3 2026")
    with pytest.raises(svc.RoadmapError, match="bestaande toepassing of een bestaand product"):
        svc.plan_block(ws, s, "product", "nope", "vms", "2026-Q3")
    with pytest.raises(svc.RoadmapError, match="bestaat al"):
        svc.create_scenario(ws, "X")


def test_roadmap_commands_headless(tmp_path, capsys):
    state = tmp_path / "state"
    assert main(["--state-dir", str(state), "--demo", "roadmap", "priorities"]) == 0
    out = capsys.readouterr().out
    assert "Aanname: impact" in out
    code = main(
        ["--state-dir", str(state), "--demo", "roadmap", "bottleneck", "add", "--description",
         "Leverancier heeft geen capaciteit", "--kind", "dependency", "--owner", "An"]
    )  # fmt: skip
    assert code == 0
    code = main(["--state-dir", str(state), "--demo", "roadmap", "bottleneck", "add"])
    assert code == 2 and "--description is verplicht" in capsys.readouterr().err
    for args in (
        ["scenario", "new", "alles in 2026"],
        ["scenario", "fill", "alles in 2026", "--quarter", "2026-Q4"],
        ["scenario", "new", "gespreid", "--copy-of", "alles in 2026"],
        ["scenario", "compare"],
        ["scenario", "choose", "gespreid"],
        ["baseline", "show"],
    ):
        assert main(["--state-dir", str(state), "--demo", "roadmap", *args]) == 0, args
    out = capsys.readouterr().out
    assert "conform tegen 30 juni 2027" in out
    assert "Lezing toegepast: € 1.000.000 per jaar" in out
    for suffix in ("xlsx", "md", "csv"):
        target = tmp_path / f"roadmap.{suffix}"
        assert main(["--state-dir", str(state), "--demo", "roadmap", "export", "--out",
                     str(target)]) == 0  # fmt: skip
    md = (tmp_path / "roadmap.md").read_text()
    assert "## Knelpunten" in md and "Leverancier heeft geen capaciteit" in md
    assert "## Aannames en lezingen" in md
    assert (tmp_path / "roadmap_knelpunten.csv").exists()
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "roadmap.xlsx")
    assert "Knelpunten" in book.sheetnames and "Aannames" in book.sheetnames


_ovo = itertools.count(800)


def test_bottlenecks_baseline_and_plans_round_trip_through_a_real_tracker(tmp_path, monkeypatch):
    pytest.importorskip("fastapi")
    from elo_tracker.store import TrackerStore
    from elo_tui.sync import config as sync_config
    from tracker_testing import ServerThread, tracker_app

    db = tmp_path / "tracker.db"
    store = TrackerStore.open(db)
    ovo = f"OVO{next(_ovo):06d}"
    token = store.add_agency("Agentschap Roadmap", ovo)
    first = tmp_path / "first"
    first.mkdir()
    with Workspace.open(first / "a.sqlite", create=True, user="an") as ws:
        ws.save(Agency(name="Agentschap Roadmap", ovo_code=ovo))
        p = ws.save(
            Product(
                name="Product",
                ipdc_number="1502",
                ipdc_uri="https://ipdc/x",
                ipdc_data='{"archived": false, "name": "Product"}',
            )
        )
        svc.save_bottleneck(
            ws,
            {
                "description": "Wacht op VMS",
                "bottleneck_kind": "dependency",
                "scope_kind": "product",
                "scope_id": p.id,
                "block": "vms",
            },
        )
        svc.set_baseline(ws, p, {"on_elo": "request", "blocks_in_use": ["acm_idm"]})
        s = svc.create_scenario(ws, "gespreid")
        svc.plan_block(ws, s, "product", p.id, "vms", "2027-Q1")
    with ServerThread(tracker_app(db)[0]) as server:
        sync_config.save(first / "a.sqlite", url=server.url, token=token)
        assert main(["--state-dir", str(first), "-w", "a", "sync", "-q"]) == 0
        kinds = ("bottleneck", "baseline", "plan_scenario", "plan_item", "product")
        on_tracker = store.records_of(ovo, kinds)
        assert {k: len(v) for k, v in on_tracker.items() if v} == dict.fromkeys(kinds, 1)

        second = tmp_path / "second"
        monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))
        assert (
            main(
                [
                    "--state-dir",
                    str(second),
                    "-w",
                    "b",
                    "sync",
                    "--join",
                    "--url",
                    server.url,
                    "--token-stdin",
                ]
            )  # fmt: skip
            == 0
        )
        with Workspace.open(second / "b.sqlite") as ws:
            (b,) = ws.list(Bottleneck)
            assert (b.description, b.bottleneck_kind, b.block) == (
                "Wacht op VMS",
                "dependency",
                "vms",
            )
            (prod,) = ws.list(Product)
            assert prod.ipdc_uri == "https://ipdc/x"
            assert prod.ipdc_data == '{"archived": false, "name": "Product"}'
            assert ws.list(Baseline)[0].blocks_in_use == ["acm_idm"]
            assert ws.list(PlanItem)[0].quarter == "2027-Q1"
            svc.save_bottleneck(ws, {**b.data(), "status": "in_progress", "owner": "Bea"}, b)
        assert main(["--state-dir", str(second), "-w", "b", "sync", "-q"]) == 0
        assert main(["--state-dir", str(first), "-w", "a", "sync", "-q"]) == 0
        with Workspace.open(first / "a.sqlite") as ws:
            (b,) = ws.list(Bottleneck)
            assert (b.status, b.owner) == ("in_progress", "Bea")

        # VLAIO sees every agency's bottlenecks in one register, grouped by kind and block
        import httpx

        admin = store.add_admin("VLAIO")
        headers = {"Authorization": f"Bearer {admin}"}
        answer = httpx.get(f"{server.url}/v1/bottlenecks", headers=headers, timeout=10)
        assert answer.status_code == 200
        register = answer.json()
        (row,) = [r for r in register["bottlenecks"] if r["ovo_code"] == ovo]
        assert (row["scope_name"], row["status"], row["block"]) == ("Product", "in_progress", "vms")
        assert {"bottleneck_kind": "dependency", "block": "vms"}.items() <= register["groups"][
            0
        ].items()
        csv_answer = httpx.get(
            f"{server.url}/v1/bottlenecks", params={"format": "csv"}, headers=headers, timeout=10
        )
        assert "Afhankelijk van een bouwsteen of leverancier" in csv_answer.text
        agency_only = httpx.get(
            f"{server.url}/v1/bottlenecks",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert agency_only.status_code == 403
    store.close()


async def test_roadmap_screen_shows_views_and_adds_a_bottleneck(settings):
    from elo_tui.app import EloApp
    from elo_tui.services.workspaces import open_demo
    from elo_tui.widgets.virtual_table import VirtualTable

    ws = open_demo(settings)
    app = EloApp(settings, ws)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("0")
        await pilot.pause()
        assert app.current_mode == "roadmap"
        head = app.screen.query_one("#roadmap-head")
        assert "Aanname" in str(head.render())
        await pilot.press("k", "a")
        await pilot.pause()
        assert type(app.screen).__name__ == "BottleneckForm"
        await pilot.press("f2")  # empty description: refused, form stays open
        await pilot.pause()
        assert type(app.screen).__name__ == "BottleneckForm"
        await pilot.press(*"Geen budget voor VMS")
        await pilot.press("f2")
        await pilot.pause()
        assert type(app.screen).__name__ == "RoadmapScreen"
        table = app.screen.query_one(VirtualTable)
        descriptions = [r.ref.description for r in table.rows]  # two come with the demo
        assert len(descriptions) == 3 and "Geen budget voor VMS" in descriptions
        await pilot.press("n")
        await pilot.pause()
        assert "Nulmeting" in str(app.screen.query_one("#roadmap-head").render())
        assert table.row_count == ws.count(Product)


def test_domain_quarters_and_eligibility_rule():
    assert rm.parse_quarter("2026q3") == "2026-Q3"
    assert rm.parse_quarter("2026-Q5") is None
    assert rm.quarter_year("2028-Q1") == "later"
    assert rm.quarters("2026-Q3", "2027-Q2") == ["2026-Q3", "2026-Q4", "2027-Q1", "2027-Q2"]
    assert rm.line_eligible(EstimateLine(category="internal"))
    assert not rm.line_eligible(EstimateLine(category="licence"))
    assert not rm.line_eligible(EstimateLine(recurrence="recurring"))
    assert rm.line_eligible(EstimateLine(category="licence", eligible=True))
    statuses = index_statuses([])
    assert rm.baseline_progress([], [], statuses).with_baseline == 0


def test_a_workspace_from_before_the_roadmap_gains_its_tables_and_ipdc_fields(tmp_path):
    import sqlite3

    from elo_tui.store import schema

    path = tmp_path / "old.sqlite"
    with Workspace.open(path, create=True) as ws:
        prod = ws.save(Product(name="Premie", ipdc_number="12"))
    conn = sqlite3.connect(path)
    conn.execute('ALTER TABLE "product" DROP COLUMN "ipdc_uri"')
    conn.execute('ALTER TABLE "product" DROP COLUMN "ipdc_data"')
    for table in ("bottleneck", "baseline", "plan_scenario", "plan_item"):
        conn.execute(f'DROP TABLE "{table}"')
    before = schema.MIGRATIONS.index(schema._v5_roadmap)  # the step before the roadmap's
    conn.execute(f"PRAGMA user_version = {before}")
    conn.commit()
    conn.close()
    with Workspace.open(path) as ws:
        p = ws.get(Product, prod.id)
        assert (p.name, p.ipdc_uri, p.ipdc_data) == ("Premie", "", "")
        ws.save(Bottleneck(description="x"))
        assert ws.count(Bottleneck) == 1 and ws.count(PlanItem) == 0
    assert (tmp_path / f"old.sqlite.v{before}.bak").exists()


async def test_roadmap_screen_imports_ipdc_and_chooses_a_scenario(settings):
    from pathlib import Path

    from elo_tui.app import EloApp
    from elo_tui.services.workspaces import open_demo

    ldes = Path(__file__).parent / "data" / "ipdc" / "ldes_page.jsonld"
    ws = open_demo(settings)
    before = ws.count(Product)
    for demo_scenario in ws.list(PlanScenario):  # start without the demo's two scenarios
        ws.delete(PlanScenario, demo_scenario.id)
    svc.create_scenario(ws, "alles in 2026")
    svc.create_scenario(ws, "gespreid")
    app = EloApp(settings, ws)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("0", "i")
        await pilot.pause()
        assert type(app.screen).__name__ == "PathForm"
        await pilot.press(*str(ldes))
        await pilot.press("f2")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert ws.count(Product) == before + 2
        await pilot.press("c")  # corrections now list the unknown type from IPDC
        await pilot.pause()
        rows = app.screen.query_one("#roadmap-table").rows
        assert any("Type/Digitaal" in str(r.values) for r in rows)
        await pilot.press("s", "g")
        await pilot.pause()
        assert type(app.screen).__name__ == "ChooseScenarioForm"
        await pilot.press("f2")
        await pilot.pause()
        assert [s.name for s in ws.list(PlanScenario) if s.chosen] == ["alles in 2026"]
        assert "Roadmap: knelpunten" in {c.title for c in app.get_system_commands(app.screen)}


async def test_the_import_wizard_hands_an_ipdc_file_to_the_ipdc_import(settings):
    from pathlib import Path

    from elo_tui.app import EloApp
    from elo_tui.screens.import_wizard import ImportWizard
    from elo_tui.services.workspaces import create

    ldes = Path(__file__).parent / "data" / "ipdc" / "ldes_page.jsonld"
    ws = create(settings, Agency(name="Agentschap IPDC"))
    app = EloApp(settings, ws, start_mode="inventory")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ImportWizard)
        app.screen.query_one("#path").value = str(ldes)
        await pilot.press("f2")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, ImportWizard)
        assert sorted(p.ipdc_number for p in ws.list(Product)) == ["3101", "3103"]


def test_report_shows_the_roadmap(tmp_path, capsys):
    state = str(tmp_path / "s")
    assert main(["--state-dir", state, "--demo", "roadmap", "bottleneck", "add",
                 "--description", "Geen capaciteit", "--kind", "organisational"]) == 0  # fmt: skip
    assert main(["--state-dir", state, "--demo", "report"]) == 0
    out = capsys.readouterr().out
    # the demo brings one budgettair and one "afhankelijk" knelpunt
    line = next(x for x in out.splitlines() if "Open knelpunten" in x)
    assert line.strip().startswith("Open knelpunten: 3 (") and "organisatorisch 1" in line
    assert main(["--state-dir", state, "--demo", "report", "--json"]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["roadmap"]["open_bottlenecks"]["organisational"] == 1


def test_roadmap_export_keeps_formulas_as_text_and_refuses_a_device(tmp_path, capsys):
    state = str(tmp_path / "s")
    assert main(["--state-dir", state, "--demo", "roadmap", "bottleneck", "add",
                 "--description", "=HYPERLINK(\"http://x\")"]) == 0  # fmt: skip
    out = tmp_path / "r.csv"
    assert main(["--state-dir", state, "--demo", "roadmap", "export", "--out", str(out)]) == 0
    text = (tmp_path / "r_knelpunten.csv").read_text(encoding="utf-8-sig")
    assert ";\"'=HYPERLINK" in text
    code = main(["--state-dir", state, "--demo", "roadmap", "export", "--out", "/dev/null",
                 "--format", "md"])  # fmt: skip
    assert code == 2 and "geen gewoon bestand" in capsys.readouterr().err


def test_an_accepted_exemption_takes_the_part_off_the_remaining_work(small):
    from elo_tui.domain.records import Exemption, Review

    ws, app, big, small_p = small
    before = next(r for r in svc.load(ws).priorities if r.product.name == "Klein")
    assert "vms" in before.remaining_blocks
    e = ws.save(Exemption(scope_kind="product", scope_id=small_p.id, subject="vms", ground="x"))
    ws.save(Review(target_kind="exemption", target_id=e.id, verdict="accepted"))
    after = next(r for r in svc.load(ws).priorities if r.product.name == "Klein")
    assert "vms" not in after.remaining_blocks
    assert after.effort_days == pytest.approx(before.effort_days - 1.0)


def test_dashboard_data_carries_the_roadmap_and_the_chosen_plan(small):
    from datetime import date

    from elo_tui.services.dashboard import load_dashboard

    ws, app, big, small_p = small
    s = svc.create_scenario(ws, "alles in 2026")
    svc.plan_open_blocks(ws, s, "2026-Q4")
    svc.choose_scenario(ws, s)
    lines = load_dashboard(ws, date(2026, 12, 1)).roadmap
    assert any(
        line.startswith("Plan 'alles in 2026': conform tegen 30 juni 2027") for line in lines
    )


async def test_roadmap_screen_plans_a_block_in_a_quarter(small, settings):
    from elo_tui.app import EloApp

    ws, app_rec, big, small_p = small
    s = svc.create_scenario(ws, "gespreid")
    app = EloApp(settings, ws)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("0", "q", "a")
        await pilot.pause()
        form = app.screen
        assert type(form).__name__ == "PlanItemForm"
        form.query_one("#f-scope").value = f"product:{big.id}"
        form.query_one("#f-block").value = "vms"
        form.query_one("#f-quarter").value = "2027 Q5"
        await pilot.press("f2")
        await pilot.pause()
        assert "geen kwartaal" in str(form.query_one("#e-quarter").render())
        form.query_one("#f-quarter").value = "2027-Q1"
        await pilot.press("f2")
        await pilot.pause()
        (item,) = ws.list(PlanItem)
        assert (item.scenario_id, item.scope_id, item.block, item.quarter) == (
            s.id,
            big.id,
            "vms",
            "2027-Q1",
        )
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#f-quarter").value = "2026-Q3"
        await pilot.press("f2")
        await pilot.pause()
        (item,) = ws.list(PlanItem)
        assert item.quarter == "2026-Q3"


def test_the_submission_carries_the_roadmap_and_the_chosen_scenario(demo_ws, tmp_path):
    """Issue 13: one scenario is chosen for the submission; the baseline, the knelpunten
    and the plan travel in the frozen document and its exports."""
    import openpyxl

    from elo_tui.services import submission as service

    frozen = freeze(demo_ws)
    content = service.content_of(frozen)
    chosen = [s["name"] for s in content["plan_scenarios"] if s.get("chosen")]
    assert chosen == ["Voorbeeld: gespreid"]
    assert content["baselines"] and content["bottlenecks"] and content["plan_items"]
    product = demo_ws.list(Product)[0]
    product.ipdc_uri = "https://ipdc.vlaanderen.be/id/instantie/voorbeeld-1"
    demo_ws.save(product)
    files = service.concept_source(demo_ws).export("xlsx", tmp_path)
    sheet = openpyxl.load_workbook(files[0])["Producten"]
    header = [c.value for c in sheet[1]]
    col = header.index("IPDC-record (URI)")
    assert product.ipdc_uri in [row[col] for row in sheet.iter_rows(values_only=True)]


def test_bottleneck_dates_are_typed_belgian_and_stored_iso(small):
    """Issue 11 §3: 'Gemeld op' / 'Opgelost op' read 15/01/2027 and 15-1-2027, store ISO;
    a wrong date is refused with a Dutch message naming the field."""
    ws, *_ = small
    b = svc.save_bottleneck(
        ws, {"description": "x", "reported_on": "15/01/2027", "resolved_on": "2-3-2027"}
    )
    assert (b.reported_on, b.resolved_on) == ("2027-01-15", "2027-03-02")
    with pytest.raises(svc.RoadmapError, match="Gemeld op: '31/02/2027' bestaat niet als datum"):
        svc.save_bottleneck(ws, {"description": "x", "reported_on": "31/02/2027"})


def test_roadmap_csv_is_the_belgian_excel_dialect(tmp_path):
    """A ';' CSV is what Excel reads in a Belgian locale: numbers get a decimal comma (no
    thousands separator), a negative number is not taken for a formula, text stays text."""
    from elo_tui.io import roadmap_export as rx

    table = ("T", ["a", "b", "c", "d", "e", "f"], [[21.3, 15758.0, -2.5, 0.1 + 0.2, 3, "=x"]])
    [path] = rx.write([table], tmp_path / "t.csv", "csv")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1] == "21,3;15758;-2,5;0,3;3;'=x"


def test_roadmap_cli_uses_dutch_plurals_and_belgian_amounts(tmp_path, capsys):
    state = str(tmp_path / "state")
    for args in (
        ["bottleneck", "add", "--description", "Leverancier zonder capaciteit"],
        ["scenario", "new", "plan"],
        ["scenario", "compare"],
        ["bottleneck", "list"],
        ["corrections"],
    ):
        assert main(["--state-dir", state, "--demo", "roadmap", *args]) == 0, args
    out = capsys.readouterr().out
    assert "(envelop € 1.000.000)" in out  # not "€ 1,000,000"
    assert "(en)" not in out and "(s)" not in out
    assert "knelpunt." in out or "knelpunten." in out
