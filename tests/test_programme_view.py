"""The programme view (`elo-tui programma`) against a real tracker with two agencies:
loading, decisions and review feedback that reach the agency on its next pull, the
offline snapshot with its age, refused tokens, and the main screen's snapshots."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

pytest.importorskip("fastapi")

from elo_tracker.store import TrackerStore  # noqa: E402
from elo_tui.screens.programme import (  # noqa: E402
    CommentScreen,
    ProgrammeApp,
    ReportScreen,
    SubmissionScreen,
)
from elo_tui.services import programme as service  # noqa: E402
from elo_tui.widgets.virtual_table import VirtualTable  # noqa: E402
from tracker_testing import ServerThread, tracker_app  # noqa: E402

A, B = "OVO000101", "OVO000102"
EXEMPTION_A, DELAY_A, EXEMPTION_B = "ex-a-1", "delay-a-1", "ex-b-1"
SUBMISSION_A = "sub-a-1"


def _record(record_kind: str, rid: str, **data) -> dict:
    return {
        "kind": record_kind,
        "id": rid,
        "base_rev": None,
        "updated_at": "2026-11-01T10:00:00Z",
        "updated_by": "test",
        "data": data,
    }


def _agency_records(ovo: str, name: str, requested: dict, stated: bool) -> list[dict]:
    p = ovo[-3:]
    statements = {"no_extra_request": stated, "savings_honoured": stated}
    records = [
        _record(
            "agency",
            f"ag-{p}",
            name=name,
            ovo_code=ovo,
            requested_cofinancing=requested,
            cofinancing_statements=statements,
        ),
        _record("application", f"app-{p}", name=f"Loket {name}", kind="own_application"),
    ]
    for i in range(3):
        records.append(
            _record(
                "product",
                f"prod-{p}-{i}",
                name=f"Vergunning {i} ({name})",
                request_application_id=f"app-{p}",
            )
        )
        records.append(
            _record(
                "block_status",
                f"bs-{p}-{i}",
                scope_kind="product",
                scope_id=f"prod-{p}-{i}",
                block="vms",
                applicability="required",
                stage="production" if i == 0 else "analysis",
                target_date="2026-03-01",
            )
        )
    records.append(
        _record(
            "bottleneck",
            f"bn-{p}",
            scope_kind="agency",
            block="vms",
            description="VMS-koppeling wacht op de leverancier",
            bottleneck_kind="dependency",
            reported_on="2026-10-01",
        )
    )
    return records


def _push(client: httpx.Client, ovo: str, records: list[dict]) -> None:
    r = client.post(
        f"/workspaces/{ovo}/changes",
        json={"records": records},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert r.status_code == 200, r.text
    assert not r.json()["conflicts"]


SUBMISSION_CONTENT = json.dumps(
    {"cofinancing": {"eligibility": {"eligible_total": 120000.0, "not_eligible_total": 30000.0}}}
)


@pytest.fixture(scope="module")
def tracker(tmp_path_factory):
    db = tmp_path_factory.mktemp("tracker") / "tracker.db"
    store = TrackerStore.open(db)
    tokens = {
        "a": store.add_agency("Agentschap Alfa", A),
        "b": store.add_agency("Agentschap Beta", B),
        "admin": store.add_admin("Vera VLAIO"),
    }
    store.close()
    injector, _ = tracker_app(db)
    with ServerThread(injector) as server:
        clients = {
            k: httpx.Client(
                base_url=server.url + "/v1", headers={"Authorization": f"Bearer {t}"}, timeout=10
            )
            for k, t in tokens.items()
        }
        a_records = _agency_records(A, "Agentschap Alfa", {"2026": 150000.0}, True)
        a_records += [
            _record(
                "exemption",
                EXEMPTION_A,
                scope_kind="product",
                scope_id=f"prod-{A[-3:]}-1",
                subject="vms",
                ground="Product verdwijnt eind 2026",
                requested_on="2026-10-15",
            ),
            _record(
                "delay",
                DELAY_A,
                scope_kind="product",
                scope_id=f"prod-{A[-3:]}-2",
                subject="vms",
                original_date="2027-06-30",
                new_date="2027-12-31",
                reason="Leverancier levert later",
                requested_on="2026-10-20",
            ),
        ]
        _push(clients["a"], A, a_records)
        b_records = _agency_records(B, "Agentschap Beta", {"2027": 80000.0}, False)
        b_records.append(
            _record(
                "exemption",
                EXEMPTION_B,
                scope_kind="product",
                scope_id=f"prod-{B[-3:]}-0",
                subject="sso",
                ground="Geen ondernemers als doelgroep",
                requested_on="2026-09-01",
            )
        )
        _push(clients["b"], B, b_records)
        body = {
            "id": SUBMISSION_A,
            "version": 1,
            "created_at": "2026-11-02T09:00:00Z",
            "author": "An Peeters",
            "sha256": hashlib.sha256(SUBMISSION_CONTENT.encode()).hexdigest(),
            "content": SUBMISSION_CONTENT,
        }
        r = clients["a"].post(f"/workspaces/{A}/submissions", json=body)
        assert r.status_code == 201, r.text
        yield server.url, tokens, clients
        for c in clients.values():
            c.close()


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _status(app) -> str:
    return str(app.query_one("#status").render())


def _rows(app, area: str) -> list[dict]:
    return list(app.query_one(f"#{area} VirtualTable", VirtualTable).rows)


def _pull(client: httpx.Client, ovo: str) -> list[dict]:
    out, since = [], 0
    while True:
        page = client.get(f"/workspaces/{ovo}/changes", params={"since": since}).json()
        out += page["records"]
        since = page["cursor"]
        if not page["has_more"]:
            return out


async def test_view_loads_every_agency_and_keeps_an_owner_only_snapshot_without_token(
    tracker, tmp_path
):
    url, tokens, _ = tracker
    app = ProgrammeApp(tmp_path, url=url, token=tokens["admin"])
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        names = [r["name"] for r in _rows(app, "entities")]
        assert sorted(names) == ["Agentschap Alfa", "Agentschap Beta"]
        assert "online" in _status(app) and "net opgehaald" in _status(app)
        # Filtering the entity list.
        await pilot.press("slash", *"beta")
        await pilot.pause()
        assert [r["name"] for r in _rows(app, "entities")] == ["Agentschap Beta"]
        await pilot.press("escape")
        await pilot.pause()
        assert len(_rows(app, "entities")) == 2
        # Every area fills from the same snapshot.
        await pilot.press("3")
        await pilot.pause()
        assert {r["agency"] for r in _rows(app, "bottlenecks")} == {
            "Agentschap Alfa",
            "Agentschap Beta",
        }
        await pilot.press("4")
        await pilot.pause()
        cof = {r["agency"]: r for r in _rows(app, "cofinancing")}
        assert cof["Agentschap Alfa"]["qualifies"] == "ja"
        assert cof["Agentschap Alfa"]["eligible"] == "€ 120.000"
        assert cof["Agentschap Beta"]["qualifies"].startswith("nee: geen indiening")
        summary = str(app.query_one("#cofinancing .summary").render())
        assert "2026: gevraagd € 150.000 van € 1.000.000 (vast)" in summary
        assert "VRD 3 onder voorbehoud: € 325.000 (niet meegeteld)" in summary
    path = service.snapshot_path(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert tokens["admin"] not in text
    assert json.loads(text)["admin"] == "Vera VLAIO"


async def test_a_decision_is_written_and_reaches_the_agency_on_its_next_pull(tracker, tmp_path):
    url, tokens, clients = tracker
    app = ProgrammeApp(tmp_path, url=url, token=tokens["admin"])
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("2")
        await pilot.pause()
        table = app.query_one("#decisions VirtualTable", VirtualTable)
        target = next(i for i, r in enumerate(table.rows) if r["id"] == EXEMPTION_B)
        assert table.rows[target]["state"] == "gevraagd"
        table.cursor_row = target
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, CommentScreen)
        await pilot.press("enter")  # no motivation: refused, dialog stays
        await pilot.pause()
        assert isinstance(app.screen, CommentScreen)
        assert "Motivatie is verplicht" in str(app.screen.query_one("#error").render())
        await pilot.press(*"Doelgroep zijn wel ondernemers")
        await pilot.press("enter")
        await _settle(pilot)
        assert not isinstance(app.screen, CommentScreen)
        row = next(r for r in _rows(app, "decisions") if r["id"] == EXEMPTION_B)
        assert row["state"] == "geweigerd"
        assert row["comment"] == "Doelgroep zijn wel ondernemers"
    # The agency's next pull brings the decision.
    reviews = [
        r["data"]
        for r in _pull(clients["b"], B)
        if r["kind"] == "review" and r["data"]["target_id"] == EXEMPTION_B
    ]
    assert reviews and reviews[-1]["verdict"] == "refused"
    assert reviews[-1]["comment"] == "Doelgroep zijn wel ondernemers"
    # The tracker's overview counts it as decided, with the motivation.
    overview = clients["admin"].get("/overview").json()
    b_overview = next(a for a in overview["agencies"] if a["ovo_code"] == B)
    decided = next(r for r in b_overview["requests"] if r["id"] == EXEMPTION_B)
    assert decided["state"] == "refused"
    assert decided["decision_comment"] == "Doelgroep zijn wel ondernemers"
    assert decided["decided_by"] == "Vera VLAIO"
    # And the saved snapshot shows it when opened offline.
    snap = service.load_snapshot(tmp_path)
    b = next(a for a in snap.agencies if a["ovo_code"] == B)
    assert next(r for r in b["requests"] if r["id"] == EXEMPTION_B)["state"] == "refused"


async def test_review_feedback_on_a_submission_from_its_drill_down(tracker, tmp_path):
    url, tokens, clients = tracker
    app = ProgrammeApp(tmp_path, url=url, token=tokens["admin"])
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("5")
        await pilot.pause()
        rows = _rows(app, "submissions")
        assert [(r["agency"], r["version"]) for r in rows] == [("Agentschap Alfa", "v1")]
        assert rows[0]["sha"] == hashlib.sha256(SUBMISSION_CONTENT.encode()).hexdigest()[:12]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SubmissionScreen)
        head = str(app.screen.query_one("#head").render())
        assert "Beoordeling: niet beoordeeld" in head
        assert "Kosten die in aanmerking komen: € 120.000" in head
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, CommentScreen)
        await pilot.press(*"Raming VMS ontbreekt")
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, SubmissionScreen)
        assert "Beoordeling: heeft problemen" in str(app.screen.query_one("#head").render())
        # From the drill-down to this entity's requests, to decide them.
        await pilot.press("b")
        await _settle(pilot)
        assert app.area == "decisions"
        current = app.query_one("#decisions VirtualTable", VirtualTable).current
        assert current["ovo"] == A
    listed = clients["a"].get(f"/workspaces/{A}/submissions").json()
    assert listed[0]["review_state"] == "issues"
    reviews = [r["data"] for r in _pull(clients["a"], A) if r["kind"] == "review"]
    assert any(
        r["target_id"] == SUBMISSION_A
        and r["verdict"] == "issues"
        and r["comment"] == "Raming VMS ontbreekt"
        for r in reviews
    )


async def test_offline_the_last_snapshot_opens_with_its_age_and_writes_are_refused(
    tracker, tmp_path
):
    url, tokens, _ = tracker
    async with ProgrammeApp(tmp_path, url=url, token=tokens["admin"]).run_test() as pilot:
        await _settle(pilot)
    fetched = service.load_snapshot(tmp_path).fetched()
    later = lambda: fetched + timedelta(hours=3, minutes=10)  # noqa: E731
    app = ProgrammeApp(tmp_path, offline=True, now=later)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        assert "(3 uur oud)" in _status(app) and "offline" in _status(app)
        assert len(_rows(app, "entities")) == 2
        await pilot.press("2", "a")
        await pilot.pause()
        assert not isinstance(app.screen, CommentScreen)
        assert any("enkel met verbinding" in n.message for n in app._notifications)
    # A tracker that does not answer: the snapshot stays, the status says offline.
    dead = "http://127.0.0.1:9"  # discard port: nothing listens
    app = ProgrammeApp(tmp_path, url=dead, token=tokens["admin"], now=later)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        assert "offline" in _status(app) and "niet bereikbaar" in _status(app)
        assert "(3 uur oud)" in _status(app)
        assert len(_rows(app, "entities")) == 2


@pytest.mark.parametrize(
    "which, expected",
    [
        ("forged", "weigert het beheerderstoken (401)"),
        ("agency", "hoort bij een agentschap, niet bij VLAIO"),
    ],
)
async def test_a_refused_token_is_said_in_dutch_and_never_shown(tracker, tmp_path, which, expected):
    url, tokens, _ = tracker
    token = tokens["admin"][:-1] + "x" if which == "forged" else tokens["a"]
    app = ProgrammeApp(tmp_path, url=url, token=token)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        status = _status(app)
        assert expected in status and "token geweigerd" in status
        assert token not in status
        assert all(token not in n.message for n in app._notifications)
    assert not service.snapshot_path(tmp_path).exists()


async def test_a_damaged_snapshot_is_a_dutch_message_not_a_traceback(tmp_path):
    service.snapshot_path(tmp_path).write_text('{"format": "elo-programma-moment', "utf-8")
    app = ProgrammeApp(tmp_path, offline=True)
    async with app.run_test() as pilot:
        await _settle(pilot)
        assert "is beschadigd (geen geldige JSON)" in _status(app)


def test_the_token_comes_from_a_file_or_the_environment_and_is_checked(tmp_path):
    f = tmp_path / "admin.token"
    f.write_text("elot_abc.def\n", encoding="utf-8")
    assert service.read_token(str(f), env={}) == "elot_abc.def"
    assert service.read_token(None, env={service.ENV_ADMIN_TOKEN: "elot_x.y"}) == "elot_x.y"
    assert service.read_token(None, env={}) is None
    with pytest.raises(service.ProgrammeError, match="kan niet gelezen worden"):
        service.read_token(str(tmp_path / "missing"), env={})
    f.write_text("two words", encoding="utf-8")
    with pytest.raises(service.ProgrammeError, match="ongeldig"):
        service.read_token(str(f), env={})


# -- snapshots of the main screen ---------------------------------------------------------


@pytest.fixture
def fixed_snapshot(tracker, tmp_path, monkeypatch):
    """A snapshot from the real tracker with every clock value pinned (deterministic)."""
    url, tokens, _ = tracker
    tracker_ = service.Tracker(url, tokens["admin"])
    try:
        snap = tracker_.fetch()
    finally:
        tracker_.close()
    snap.fetched_at = "2026-11-30T09:00:00+00:00"
    snap.url = "https://tracker.example"
    for a in snap.agencies:
        a["last_push_at"] = a["last_seen_at"] = "2026-11-29T16:00:00Z"
        for r in a.get("requests", []):  # earlier tests may have decided some
            r.update(state="requested", decision_comment="", decided_by="", decided_at="")
        if a.get("latest_submission"):
            a["latest_submission"]["review_state"] = ""
    for items in snap.submissions.values():
        for s in items:
            s["received_at"] = "2026-11-02T09:00:01Z"
            s["review_state"] = ""
    service.save_snapshot(tmp_path, snap)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield tmp_path
    monkeypatch.delenv("TZ")
    time.tzset()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_programme_snapshot(fixed_snapshot, snap_compare, size):
    now = datetime(2026, 11, 30, 14, 30, tzinfo=UTC)
    app = ProgrammeApp(fixed_snapshot, offline=True, now=lambda: now)
    assert snap_compare(app, terminal_size=size, run_before=_settle)


def test_programme_view_is_not_on_the_main_apps_start_path():
    out = os.popen(
        f'{os.sys.executable} -c "import elo_tui.app, sys; '
        "print('elo_tui.screens.programme' in sys.modules)\""
    ).read()
    assert out.strip() == "False"


async def test_area_keys_do_nothing_under_a_detail_screen_and_help_lists_the_keys(
    fixed_snapshot,
):
    from elo_tui.screens.programme import DetailScreen

    app = ProgrammeApp(fixed_snapshot, offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert "Agentschap" in app.screen.text and "Achterstallig" in app.screen.text
        await pilot.press("2", "slash", "a", "r")  # main-screen keys: not here
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen) and app.area == "entities"
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert "Aanvaarden" in app.screen.text and "Vernieuwen" in app.screen.text
        await pilot.press("escape", "4")
        await pilot.pause()
        assert app.area == "cofinancing"


async def test_every_area_and_write_is_in_the_command_palette(fixed_snapshot):
    app = ProgrammeApp(fixed_snapshot, offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for expected in (
            "Ga naar Entiteiten (1)",
            "Ga naar Beslissingen (2)",
            "Ga naar Knelpunten (3)",
            "Ga naar Cofinanciering (4)",
            "Ga naar Indieningen (5)",
            "Vernieuwen",
            "Uitzondering of vertraging aanvaarden",
            "Uitzondering of vertraging weigeren",
            "Entiteit zoeken",
            "Rapport maken (kernwerkgroep, stuurgroep, evaluatie)",
        ):
            assert expected in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Knelpunten")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await _settle(pilot)
        assert app.area == "bottlenecks"


def test_the_command_refuses_an_unreadable_token_file_in_dutch(tmp_path, capsys):
    from elo_tui.cli import main

    code = main(["--state-dir", str(tmp_path), "programma", "--token-file", str(tmp_path / "nope")])
    assert code == 2
    assert "Tokenbestand" in capsys.readouterr().err


async def test_a_decision_that_cannot_reach_the_tracker_keeps_the_motivation(fixed_snapshot):
    dead = "http://127.0.0.1:9"  # discard port: nothing listens
    app = ProgrammeApp(fixed_snapshot, url=dead, token="elot_abc.def")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        assert "offline" in _status(app)
        await pilot.press("2", "a")
        await pilot.pause()
        assert isinstance(app.screen, CommentScreen)
        await pilot.press(*"Aanvaard na overleg", "enter")
        await _settle(pilot)
        assert isinstance(app.screen, CommentScreen)  # again, with the text
        assert app.screen.query_one("#comment").value == "Aanvaard na overleg"
        assert any(n.message.startswith("Niet bewaard:") for n in app._notifications)
        assert all("elot_abc.def" not in n.message for n in app._notifications)
        await pilot.press("escape")
        await pilot.pause()
        assert all(r["state"] == "gevraagd" for r in _rows(app, "decisions"))


async def test_a_crash_shows_no_token_and_leaves_an_owner_only_report(
    fixed_snapshot, monkeypatch, capfd
):
    from elo_tui.domain import programme as programme_rows

    secret = "elot_dead.beefsecret"

    def broken(agencies):
        token = secret  # noqa: F841 - a local the report must not show
        raise RuntimeError("kapot")

    monkeypatch.setattr(programme_rows, "entity_rows", broken)
    app = ProgrammeApp(fixed_snapshot, offline=True, token=secret)
    with pytest.raises(RuntimeError, match="kapot"):
        async with app.run_test() as pilot:
            await pilot.pause()
    reports = list(fixed_snapshot.glob("crash-*.log"))
    assert len(reports) == 1
    assert stat.S_IMODE(reports[0].stat().st_mode) == 0o600
    assert "RuntimeError: kapot" in reports[0].read_text()
    assert "beefsecret" not in reports[0].read_text()
    printed = capfd.readouterr().err
    assert "onverwacht gestopt" in printed
    assert "Traceback" not in printed and "beefsecret" not in printed


# -- governance reports from the view (GET /v1/reports/{kind}) ----------------------------

END_OF_NOVEMBER = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _field(app, name: str):
    from textual.widgets import Input

    return app.screen.query_one(f"#{name}", Input)


async def _choose(pilot, radio_set: str, steps: int) -> None:
    """Pick a choice with the keys a person uses: focus the set, arrows, Enter."""
    pilot.app.screen.query_one(f"#{radio_set}").focus()
    await pilot.pause()
    await pilot.press(*["down"] * steps, "enter")
    await pilot.pause()


async def test_reports_are_made_from_the_view_and_saved_owner_only(tracker, tmp_path):
    from openpyxl import load_workbook

    url, tokens, _ = tracker
    state = tmp_path / "state"
    app = ProgrammeApp(state, url=url, token=tokens["admin"], now=lambda: END_OF_NOVEMBER)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        # Kernwerkgroep, Markdown, into a folder of its own.
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        assert _field(app, "period").value == "2026-11"  # the current month
        assert _field(app, "folder").value == str(state)  # the default: the state folder
        _field(app, "folder").value = str(tmp_path / "rapporten")
        await pilot.press("f2")
        await _settle(pilot)
        assert not isinstance(app.screen, ReportScreen)
        md = tmp_path / "rapporten" / "elo-kernwerkgroep-2026-11.md"
        assert any(str(md) in n.message for n in app._notifications)
        # Stuurgroep, XLSX, from the palette, into the default folder.
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Rapport maken")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await _settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        await _choose(pilot, "kind", 1)
        assert _field(app, "period").value == "2026-Q4"  # follows the kind: the quarter
        await _choose(pilot, "format", 1)
        await pilot.press("f2")
        await _settle(pilot)
        assert not isinstance(app.screen, ReportScreen)
        assert all(tokens["admin"] not in n.message for n in app._notifications)
    text = md.read_text(encoding="utf-8")
    assert stat.S_IMODE(md.stat().st_mode) == 0o600
    assert text.startswith("# Rapport kernwerkgroep – 2026-11\n")
    assert "\nGegevens tot en met: 20" in text  # the data cut-off
    assert "## Agentschap Alfa (OVO000101)" in text
    xlsx = state / "elo-stuurgroep-2026-Q4.xlsx"
    assert stat.S_IMODE(xlsx.stat().st_mode) == 0o600
    cells = [r[0] for r in load_workbook(xlsx).active.iter_rows(values_only=True)]
    assert cells[0] == "Rapport stuurgroep – 2026-Q4"
    assert any(str(c).startswith("Gegevens tot en met: 20") for c in cells)
    assert not list(state.glob(".*.tmp")) and not list((tmp_path / "rapporten").glob(".*"))


async def test_a_period_the_tracker_refuses_keeps_the_dialog_and_the_text(tracker, tmp_path):
    url, tokens, _ = tracker
    app = ProgrammeApp(tmp_path, url=url, token=tokens["admin"], now=lambda: END_OF_NOVEMBER)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("R")
        await pilot.pause()
        _field(app, "period").value = ""
        await pilot.press(*"2026-13", "enter")  # Enter in a text field makes the report
        await _settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        assert _field(app, "period").value == "2026-13"
        error = str(app.screen.query_one("#error").render())
        assert error == "Periode '2026-13': maand 13 bestaat niet."
        await _choose(pilot, "kind", 1)  # stuurgroep: per quarter; the typed text stays
        assert _field(app, "period").value == "2026-13"
        _field(app, "period").value = "2026-10"
        await pilot.press("f2")
        await _settle(pilot)
        assert "het stuurgroeprapport is per kwartaal, bv. 2026-Q4" in str(
            app.screen.query_one("#error").render()
        )
        _field(app, "period").value = ""
        await pilot.press("f2")
        await pilot.pause()
        assert "Periode ontbreekt" in str(app.screen.query_one("#error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReportScreen)
    assert not list(tmp_path.glob("elo-*"))


async def test_a_report_needs_the_connection_and_says_so(fixed_snapshot):
    app = ProgrammeApp(fixed_snapshot, offline=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("R")
        await pilot.pause()
        assert not isinstance(app.screen, ReportScreen)
        assert any("vraagt verbinding" in n.message for n in app._notifications)
    dead = "http://127.0.0.1:9"  # discard port: nothing listens
    app = ProgrammeApp(fixed_snapshot, url=dead, token="elot_abc.def")
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("R")
        await pilot.pause()
        assert isinstance(app.screen, ReportScreen)
        await pilot.press("f2")
        await _settle(pilot)
        assert isinstance(app.screen, ReportScreen)  # stays, with what was filled in
        error = str(app.screen.query_one("#error").render())
        assert "niet bereikbaar" in error and "vraagt verbinding" in error
        assert "elot_abc.def" not in error
    assert not list(fixed_snapshot.glob("elo-*"))


def test_a_saved_report_keeps_an_earlier_one_and_the_network_never_picks_the_folder(tmp_path):
    first = service.save_report(tmp_path / "r", "elo-stuurgroep-2026-Q4.md", b"een")
    second = service.save_report(tmp_path / "r", "elo-stuurgroep-2026-Q4.md", b"twee")
    assert (first.name, second.name) == ("elo-stuurgroep-2026-Q4.md", "elo-stuurgroep-2026-Q4-2.md")
    assert first.read_bytes() == b"een" and second.read_bytes() == b"twee"
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in (first, second))
    assert stat.S_IMODE((tmp_path / "r").stat().st_mode) == 0o700
    good = 'attachment; filename="elo-kernwerkgroep-2026-11.xlsx"'
    assert service.report_name(good, "kernwerkgroep", "2026-11", "xlsx") == (
        "elo-kernwerkgroep-2026-11.xlsx"
    )
    hostile = 'attachment; filename="../../.bashrc"'
    assert service.report_name(hostile, "stuurgroep", "../x", "md") == "elo-stuurgroep-___x.md"


async def test_filter_keys_filter_in_their_own_step_without_a_layout_pass(
    fixed_snapshot, monkeypatch
):
    """Textual's Input relays out the whole screen on every key (its virtual width), and
    the table's scrollbars were repainted a frame (~30 ms) after each typed character;
    the filter field (FilterInput) does neither, and the rows follow in the same step."""
    from textual.widget import Widget

    asked: list[str] = []
    original = Widget.refresh

    def refresh(self, *regions, repaint=True, layout=False, recompose=False):
        if layout and counting:
            asked.append(f"{type(self).__name__}#{self.id}")
        return original(self, *regions, repaint=repaint, layout=layout, recompose=recompose)

    counting = False
    monkeypatch.setattr(Widget, "refresh", refresh)
    app = ProgrammeApp(fixed_snapshot, offline=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("slash")  # shows the field: that one is a layout change
        await _settle(pilot)
        counting = True
        for key in "beta":
            await pilot.press(key)
        assert [r["name"] for r in _rows(app, "entities")] == ["Agentschap Beta"]
        assert "Agentschap Beta" in str(app.query_one("#detail").render())
        for _ in "beta":
            await pilot.press("backspace")
        await _settle(pilot)
        counting = False
        assert asked == []
        assert len(_rows(app, "entities")) == 2
        assert app.query_one("#filter").value == ""
