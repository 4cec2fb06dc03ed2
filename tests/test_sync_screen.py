"""The sync screen and the conflict screen as a person uses them (Pilot), against a real
tracker on 127.0.0.1."""

from __future__ import annotations

import functools
import itertools
import stat
import threading

import pytest

pytest.importorskip("fastapi")  # before the imports that need it


from elo_tracker.store import TrackerStore  # noqa: E402
from elo_tui.app import EloApp  # noqa: E402
from elo_tui.domain.records import Agency, Application, Product, Review  # noqa: E402
from elo_tui.store import Workspace  # noqa: E402
from elo_tui.sync import client as client_mod  # noqa: E402
from elo_tui.sync import config, conflicts  # noqa: E402
from elo_tui.sync.engine import SyncEngine  # noqa: E402
from tracker_testing import ServerThread, free_port, tracker_app  # noqa: E402

_ovo = itertools.count(400)
_REAL_CLIENT = client_mod.TrackerClient  # before any test patches it


@pytest.fixture(scope="module")
def server_and_store(tmp_path_factory):
    db = tmp_path_factory.mktemp("tracker") / "tracker.db"
    store = TrackerStore.open(db)
    injector, _ = tracker_app(db)
    with ServerThread(injector) as server:
        yield server, store, injector
    store.close()


@pytest.fixture
def tracker(server_and_store, monkeypatch):
    server, store, injector = server_and_store
    injector.clear()
    ovo = f"OVO{next(_ovo):06d}"
    monkeypatch.setattr(
        client_mod,
        "TrackerClient",
        functools.partial(
            client_mod.TrackerClient,
            sleep=lambda s: None,
            retry=client_mod.RetryPolicy(attempts=2, base_delay=0.001),
        ),
    )
    return server, ovo, store.add_agency("Agentschap Pilot", ovo), injector


def workspace(settings, ovo, name="a", products=3) -> Workspace:
    ws = Workspace.open(settings.workspace_path(name), create=True, user="an")
    ws.save(Agency(name="Agentschap Pilot", ovo_code=ovo))
    app = ws.save(Application(name="Loket"))
    ws.save_many(
        Product(name=f"Product {i}", request_application_id=app.id) for i in range(products)
    )
    return ws


def text_of(app, selector) -> str:
    return str(app.screen.query_one(selector).render())


async def test_settings_are_entered_once_with_a_masked_token_and_sync_runs(tracker, settings):
    from elo_tui.screens.sync import SyncScreen

    server, ovo, token, _ = tracker
    ws = workspace(settings, ovo)
    app = EloApp(settings, ws, start_mode="sync")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        assert "Wijzigingen niet gesynchroniseerd: 5" in text_of(app, "#status")
        token_input = screen.query_one("#token")
        assert token_input.password is True
        screen.query_one("#url").value = server.url
        token_input.value = token
        await pilot.press("f2")
        await pilot.pause()
        assert token_input.value == ""  # not kept on screen
        path = config.config_path(ws.path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert token not in text_of(app, "#config-line")
        assert "token ingesteld" in text_of(app, "#config-line")
        await pilot.click("#sync")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Klaar" in text_of(app, "#result")
        assert "Wijzigingen niet gesynchroniseerd: 0" in text_of(app, "#status")
        assert "online" in text_of(app, "#status")
        assert app.ws.count_dirty() == 0


async def test_interface_stays_responsive_while_sync_waits_on_the_network(tracker, settings):
    from textual.worker import WorkerState

    server, ovo, token, injector = tracker
    ws = workspace(settings, ovo)
    config.save(ws.path, url=server.url, token=token)
    gate = threading.Event()
    injector.inject("pass", method="GET", path_contains="/changes", hold=gate)
    app = EloApp(settings, ws, start_mode="sync")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.click("#sync")
        await pilot.pause()
        workers = [w for w in app.workers if w.group == "sync"]
        assert workers and workers[0].state == WorkerState.RUNNING
        # The person keeps typing while the sync waits for the tracker.
        await pilot.click("#url")
        await pilot.press("end", "x")
        await pilot.pause()
        assert screen.query_one("#url").value.endswith("x")
        assert workers[0].state == WorkerState.RUNNING
        assert screen.query_one("#sync").disabled
        assert token not in repr(workers[0])
        gate.set()  # the tracker answers
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Klaar" in text_of(app, "#result")
        assert not screen.query_one("#sync").disabled
        assert app.ws.count_dirty() == 0


async def test_unreachable_tracker_is_shown_and_nothing_is_lost(tracker, settings):
    _, ovo, token, _ = tracker
    ws = workspace(settings, ovo)
    config.save(ws.path, url=f"http://127.0.0.1:{free_port()}", token=token)
    app = EloApp(settings, ws, start_mode="sync")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "niet bereikbaar" in text_of(app, "#result")
        assert token not in text_of(app, "#result")
        status = text_of(app, "#status")
        assert "offline" in status and "Wijzigingen niet gesynchroniseerd: 5" in status


async def test_an_offline_sync_reports_once_and_clears_its_progress_bar(tracker, settings):
    """Issue 11: the unreachable tracker is said once (the result line), not again in the
    status and a toast; the progress bar does not stay behind half-way."""
    _, ovo, token, _ = tracker
    ws = workspace(settings, ovo)
    config.save(ws.path, url=f"http://127.0.0.1:{free_port()}", token=token)
    app = EloApp(settings, ws, start_mode="sync")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        result = text_of(app, "#result")
        assert "niet bereikbaar" in result
        said = [text_of(app, "#status"), *(n.message for n in app._notifications)]
        assert not [t for t in said if "niet bereikbaar" in t and result.strip() in t]
        assert "offline" in text_of(app, "#status")
        assert app.screen.query_one("#progress-row").display is False
        assert text_of(app, "#phase") == ""


async def test_sync_screen_counts_down_while_it_waits_for_the_tracker(
    tracker, settings, monkeypatch
):
    from elo_tui.screens.sync import SyncScreen

    _, ovo, token, _ = tracker
    ws = workspace(settings, ovo)
    config.save(ws.path, url=f"http://127.0.0.1:{free_port()}", token=token)
    monkeypatch.setenv(
        config.ENV_RETRY_WINDOW, "5"
    )  # long enough for two distinct seconds under load
    shown: list[str] = []
    original = SyncScreen._on_phase

    def record(self, text: str) -> None:
        shown.append(text)
        original(self, text)

    monkeypatch.setattr(SyncScreen, "_on_phase", record)
    # Real seconds of waiting: the countdown is what the person sees meanwhile.
    monkeypatch.setattr(client_mod, "TrackerClient", _REAL_CLIENT)
    app = EloApp(settings, ws, start_mode="sync")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "niet bereikbaar" in text_of(app, "#result")
    countdown = [t for t in shown if "nieuwe poging over" in t]
    assert countdown and all("wachten voor de synchronisatie opgeeft" in t for t in countdown)
    assert len({t for t in countdown}) >= 2  # it changes as the seconds pass


async def test_conflict_screen_merges_per_field_and_the_merge_reaches_the_tracker(
    tracker, settings
):
    from elo_tui.screens.conflicts import ConflictScreen

    server, ovo, token, _ = tracker
    other = Workspace.open(settings.state_dir / "other.sqlite", create=True, user="bo")
    ws = workspace(settings, ovo)
    with client_mod.TrackerClient(server.url, token) as c:
        SyncEngine(ws, c).run()
        SyncEngine(other, c).run()
        mine = ws.list(Product, order_by="name")[0]
        theirs = other.get(Product, mine.id)
        mine.name, mine.notes = "Naam van An", "notitie van An"
        ws.save(mine)
        theirs.name, theirs.notes = "Naam van Bo", "notitie van Bo"
        other.save(theirs)
        SyncEngine(other, c).run()
    config.save(ws.path, url=server.url, token=token)
    app = EloApp(settings, ws, start_mode="sync")
    async with app.run_test(size=(150, 45)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "conflict" in text_of(app, "#status")
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConflictScreen)
        table = screen.query_one("DataTable")
        rows = [table.get_row_at(i) for i in range(table.row_count)]
        fields = [str(r[0]) for r in rows]
        assert fields == ["Naam", "Notities"]
        assert [str(r[1]) for r in rows] == ["Naam van An", "notitie van An"]
        assert [str(r[2]) for r in rows] == ["Naam van Bo", "notitie van Bo"]
        await pilot.press("t")  # name: theirs; the cursor moves to notes
        await pilot.press("m")  # notes: mine
        await pilot.press("f2")
        await pilot.pause()
        assert not isinstance(app.screen, ConflictScreen)
        assert conflicts.pending(app.ws) == []
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    with client_mod.TrackerClient(server.url, token) as c:
        SyncEngine(other, c).run()
    merged = other.get(Product, mine.id)
    assert (merged.name, merged.notes) == ("Naam van Bo", "notitie van An")
    other.close()


async def test_conflict_dialog_shows_long_values_in_full_and_counts_down(tracker, settings):
    """Issue 11: both values in full (the table cuts them), and the pending count on the
    dialog and on the sync screen below follows every decision."""
    from elo_tui.screens.conflicts import ConflictScreen
    from elo_tui.screens.sync import SyncScreen

    server, ovo, token, _ = tracker
    other = Workspace.open(settings.state_dir / "other.sqlite", create=True, user="bo")
    ws = workspace(settings, ovo)
    long_mine = "Mijn lange notitie: " + " ".join(f"woord{i}" for i in range(60)) + " EINDE-AN"
    long_theirs = "Hun lange notitie: " + " ".join(f"term{i}" for i in range(60)) + " EINDE-BO"
    with client_mod.TrackerClient(server.url, token) as c:
        SyncEngine(ws, c).run()
        SyncEngine(other, c).run()
        for mine in ws.list(Product, order_by="name")[:2]:
            theirs = other.get(Product, mine.id)
            mine.notes, theirs.notes = long_mine, long_theirs
            ws.save(mine)
            other.save(theirs)
        SyncEngine(other, c).run()
    config.save(ws.path, url=server.url, token=token)
    app = EloApp(settings, ws, start_mode="sync")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ConflictScreen)
        assert "2 conflicten te beslissen" in text_of(app, "#title")
        values = text_of(app, "#values-text")
        assert long_mine in values and long_theirs in values  # whole, not cut
        await pilot.press("k", "f2")  # the first: keep mine
        await pilot.pause()
        assert app.screen is screen
        assert "1 conflict te beslissen" in text_of(app, "#title")
        below = next(s for s in app.screen_stack if isinstance(s, SyncScreen))
        assert "1 conflict wacht op een beslissing" in str(below.query_one("#status").render())
        await pilot.press("o", "f2")  # the second: theirs; the dialog closes
        await pilot.pause()
        assert isinstance(app.screen, SyncScreen)
        assert "conflict" not in text_of(app, "#status")
    other.close()


async def test_review_panel_shows_feedback_literally_and_hides_when_there_is_none(settings):
    from textual.app import App

    from elo_tui.widgets.review_panel import ReviewPanel

    ws = Workspace.open(settings.workspace_path("r"), create=True)
    p = ws.save(Product(name="X"))
    ws.put_synced(
        [
            Review(
                target_kind="product",
                target_id=p.id,
                verdict="issues",
                comment="Naam [bold]niet[/] correct",
                reviewer="Vera",
                created_at="2026-03-02T10:00:00Z",
                rev=3,
                dirty=False,
            )
        ]
    )

    class Host(App):
        def compose(self):
            yield ReviewPanel(ws, p.id, id="with")
            yield ReviewPanel(ws, "other", id="without")

    async with Host().run_test() as pilot:
        await pilot.pause()
        shown = str(pilot.app.query_one("#with").render())
        assert "Opmerkingen" in shown and "Naam [bold]niet[/] correct" in shown
        assert not pilot.app.query_one("#without").display
    ws.close()


async def test_palette_command_syncs_now(tracker, settings):
    server, ovo, token, _ = tracker
    ws = workspace(settings, ovo)
    config.save(ws.path, url=server.url, token=token)
    app = EloApp(settings, ws, start_mode="inventory")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        command = next(
            c for c in app.get_system_commands(app.screen) if c.title == "Nu synchroniseren"
        )
        command.callback()
        await pilot.pause()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.current_mode == "sync"
        assert app.ws.count_dirty() == 0


async def test_feedback_from_vlaio_arrives_with_sync_and_is_shown_literally(
    tracker, settings, server_and_store
):
    import httpx

    server, ovo, token, _ = tracker
    admin = server_and_store[1].add_admin("Vera VLAIO")
    ws = workspace(settings, ovo)
    config.save(ws.path, url=server.url, token=token)
    with client_mod.TrackerClient(server.url, token) as c:
        SyncEngine(ws, c).run()
    product = ws.list(Product, order_by="name")[0]
    r = httpx.post(
        f"{server.url}/v1/workspaces/{ovo}/reviews",
        headers={"Authorization": f"Bearer {admin}"},
        json={
            "target_kind": "product",
            "target_id": product.id,
            "verdict": "issues",
            "comment": "IPDC-nummer [ontbreekt] [/]",
        },
    )
    assert r.status_code == 201
    app = EloApp(settings, ws, start_mode="sync")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        assert "Nog geen feedback" in text_of(app, "#feedback")
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = text_of(app, "#feedback")
        assert f"Product {product.name}" in shown
        assert "Opmerkingen – Vera VLAIO" in shown and "IPDC-nummer [ontbreekt] [/]" in shown


def test_last_sync_is_shown_in_belgian_format():
    from elo_tui.screens.sync import _when

    assert _when("2026-11-22T10:03:00Z") == "22/11/2026 10:03 UTC"
    assert _when("") == "nog nooit"
