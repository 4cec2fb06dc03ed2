"""A tracker that restarts mid-sync, answers cut off on the way, and a second laptop that
joins an agency headless: against real tracker processes on 127.0.0.1."""

from __future__ import annotations

import io
import itertools
import threading

import pytest

pytest.importorskip("fastapi")  # before the imports that need it

from elo_tracker.store import TrackerStore  # noqa: E402
from elo_tui.cli import main
from elo_tui.config import Settings
from elo_tui.domain.records import Agency, Application, BlockStatus, Product
from elo_tui.services import sync as sync_service
from elo_tui.store import Workspace
from elo_tui.sync import config as sync_config
from tracker_testing import ServerThread, free_port, tracker_app  # noqa: E402

_ovo = itertools.count(700)


class Truncating:
    """ASGI wrapper: the next `left` matching requests are handled by the tracker (it
    applies them), but the 200 answer arrives cut in half (with a matching length)."""

    def __init__(self, app, method: str = "POST", path: str = "/changes") -> None:
        self.app, self.method, self.path = app, method, path
        self.left = 0
        self.cut = 0

    async def __call__(self, scope, receive, send) -> None:
        if (
            scope["type"] != "http"
            or self.left <= 0
            or scope["method"] != self.method
            or self.path not in scope["path"]
        ):
            await self.app(scope, receive, send)
            return
        self.left -= 1
        start: dict = {}
        parts: list[bytes] = []

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(parts)
        half = body[: len(body) // 2]
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(half)).encode()))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send({"type": "http.response.body", "body": half})
        self.cut += 1


@pytest.fixture(scope="module")
def tracker_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("tracker") / "tracker.db"
    store = TrackerStore.open(db)
    yield db, store
    store.close()


@pytest.fixture
def agency(tracker_db):
    _, store = tracker_db
    ovo = f"OVO{next(_ovo):06d}"
    return ovo, store.add_agency(f"Agentschap Herstart {ovo}", ovo)


def make_ws(path, ovo, products=3) -> None:
    ws = Workspace.open(path, create=True, user="an")
    ws.save(Agency(name="Agentschap", ovo_code=ovo))
    app = ws.save(Application(name="Loket"))
    ws.save_many(
        Product(name=f"Product {i}", request_application_id=app.id) for i in range(products)
    )
    ws.close()


def tracker_ids(store, ovo) -> list[str]:
    kinds = ("agency", "application", "product", "block_status")
    return [r["id"] for rows in store.records_of(ovo, kinds).values() for r in rows]


def test_a_cut_off_answer_is_retried_like_a_dropped_connection_not_refused(
    tracker_db, agency, tmp_path, capsys
):
    db, store = tracker_db
    ovo, token = agency
    truncating = Truncating(tracker_app(db)[0])
    truncating.left = 2  # the push answer, and its replay's answer, arrive cut off
    make_ws(tmp_path / "a.sqlite", ovo, products=5)
    with ServerThread(truncating) as server:
        sync_config.save(tmp_path / "a.sqlite", url=server.url, token=token)
        code = main(["--state-dir", str(tmp_path), "-w", "a", "sync", "--retry-window", "30"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert truncating.cut == 2
    assert "onvolledig of onleesbaar antwoord" in err  # said while waiting, then it went on
    ids = tracker_ids(store, ovo)
    assert len(ids) == len(set(ids)) == 7  # agency, application, 5 products: none doubled
    with Workspace.open(tmp_path / "a.sqlite") as ws:
        assert ws.count_dirty() == 0


def test_an_html_page_with_200_is_still_refused_at_once(tmp_path):
    import httpx

    from elo_tui.sync.client import Refused, RetryPolicy, TrackerClient

    def html(request):
        return httpx.Response(200, text="<html>proxy</html>", headers={"content-type": "text/html"})

    tries = []
    with TrackerClient(
        "http://127.0.0.1:9",
        "elot_a.b",
        transport=httpx.MockTransport(lambda r: tries.append(r) or html(r)),
        retry=RetryPolicy(window=30),
        sleep=lambda s: None,
    ) as client:
        with pytest.raises(Refused, match="onverwacht antwoord"):
            client.me()
    assert len(tries) == 1


def test_sync_waits_for_a_tracker_restart_with_a_countdown(tracker_db, agency, tmp_path):
    db, store = tracker_db
    ovo, token = agency
    port = free_port()
    path = tmp_path / "a.sqlite"
    make_ws(path, ovo, products=30)
    server = ServerThread(tracker_app(db)[0], port=port).start()
    cfg = sync_config.save(path, url=server.url, token=token)
    restarted: list[ServerThread] = []
    waits = []

    def restart_later() -> None:
        restarted.append(ServerThread(tracker_app(db)[0], port=port).start())

    def on_progress(p) -> None:
        # The tracker goes down right after the first pull, and is back 3 s later.
        if p.phase == "pull" and not waits and server.server is not None:
            server.stop()
            threading.Timer(3.0, restart_later).start()

    try:
        outcome = sync_service.run(
            path, "an", cfg, on_progress=on_progress, on_wait=waits.append, window=30
        )
    finally:
        for s in (server, *restarted):
            s.stop()
    assert outcome.kind == "ok", outcome.message
    assert restarted, "the tracker was not restarted"
    assert len(waits) >= 3  # a tick per second while waiting
    lefts = [w.window_left for w in waits]
    assert all(left is not None and 0 < left <= 30 for left in lefts)
    assert lefts[-1] < lefts[0]  # counting down
    text = sync_service.wait_text(waits[0])
    assert "nieuwe poging over" in text and "wachten voor de synchronisatie opgeeft" in text
    ids = tracker_ids(store, ovo)
    assert len(ids) == len(set(ids)) == 32


def test_the_sync_gives_up_after_its_window_with_exit_code_3(tmp_path, monkeypatch, capsys):
    make_ws(tmp_path / "a.sqlite", "OVO000799")
    monkeypatch.setenv(sync_config.ENV_URL, f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv(sync_config.ENV_TOKEN, "elot_a.secretpart")
    monkeypatch.setenv(sync_config.ENV_RETRY_WINDOW, "2")
    code = main(["--state-dir", str(tmp_path), "-w", "a", "sync"])
    err = capsys.readouterr().err
    assert code == 3
    assert "nieuwe poging over" in err and "niet bereikbaar" in err
    assert "secretpart" not in err


@pytest.mark.parametrize(
    ("where", "value"),
    [("option", "soms"), ("option", "-5"), ("env", "99999"), ("file", "nan")],
)
def test_a_bad_retry_window_is_refused_with_where_it_came_from(
    tmp_path, monkeypatch, capsys, where, value
):
    make_ws(tmp_path / "a.sqlite", "OVO000798")
    sync_config.save(
        tmp_path / "a.sqlite", url="https://tracker.voorbeeld.invalid", token="elot_x.y"
    )
    args = ["--state-dir", str(tmp_path), "-w", "a", "sync"]
    if where == "option":
        args += ["--retry-window", value]
    elif where == "env":
        monkeypatch.setenv(sync_config.ENV_RETRY_WINDOW, value)
    else:
        cfg_path = sync_config.config_path(tmp_path / "a.sqlite")
        cfg_path.write_text(cfg_path.read_text() + f'retry_window = "{value}"\n')
    assert main(args) == 2
    err = capsys.readouterr().err
    expected = {
        "option": "--retry-window",
        "env": sync_config.ENV_RETRY_WINDOW,
        "file": "retry_window in",
    }[where]
    assert expected in err and "wachtvenster" in err and "Traceback" not in err


# -- joining from a second laptop -------------------------------------------------------------


def test_a_second_laptop_joins_the_agency_headless(
    tracker_db, agency, tmp_path, monkeypatch, capsys
):
    db, store = tracker_db
    ovo, token = agency
    first = tmp_path / "first"
    first.mkdir()
    make_ws(first / "a.sqlite", ovo, products=4)
    with ServerThread(tracker_app(db)[0]) as server:
        with Workspace.open(first / "a.sqlite") as ws:
            p = ws.list(Product)[0]
            ws.save(BlockStatus(scope_kind="product", scope_id=p.id, block="acm_idm"))
        sync_config.save(first / "a.sqlite", url=server.url, token=token)
        assert main(["--state-dir", str(first), "-w", "a", "sync", "-q"]) == 0

        fresh = tmp_path / "fresh"
        monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))
        code = main(
            ["--state-dir", str(fresh), "sync", "--join", "--url", server.url, "--token-stdin"]
        )
        out = capsys.readouterr()
        assert code == 0, out.err
        assert token not in out.out + out.err
        name = f"agentschap-herstart-{ovo.lower()}"
        assert f"Werkruimte '{name}' gemaakt" in out.out
        with Workspace.open(fresh / f"{name}.sqlite") as joined:
            assert joined.agency().ovo_code == ovo
            assert joined.count(Product) == 4 and joined.count(BlockStatus) == 1
            assert joined.count_dirty() == 0
        # Opened by default from now on, and it syncs with the stored settings.
        assert Settings.resolve(str(fresh)).chosen_workspace() == name
        assert main(["--state-dir", str(fresh), "sync", "-q"]) == 0

        # Joining again into the same workspace is refused; nothing is touched.
        monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))
        code = main(
            ["--state-dir", str(fresh), "-w", name, "sync", "--join", "--url", server.url,
             "--token-stdin"]
        )  # fmt: skip
        err = capsys.readouterr().err
        assert code == 2 and "bestaat al" in err


def test_a_join_that_cannot_reach_the_tracker_leaves_nothing_behind(tmp_path, monkeypatch, capsys):
    fresh = tmp_path / "fresh"
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setattr("sys.stdin", io.StringIO("elot_a.secretpart\n"))
    code = main(
        ["--state-dir", str(fresh), "-w", "nieuw", "sync", "--join", "--url", url,
         "--token-stdin", "--retry-window", "0", "-q"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 3 and "geen werkruimte gemaakt" in err and "secretpart" not in err
    assert not (fresh / "nieuw.sqlite").exists()
    assert not sync_config.config_path(fresh / "nieuw.sqlite").exists()


def test_a_join_with_a_refused_token_says_so(tracker_db, tmp_path, monkeypatch, capsys):
    db, _ = tracker_db
    with ServerThread(tracker_app(db)[0]) as server:
        monkeypatch.setattr("sys.stdin", io.StringIO("elot_0000.wrongsecret\n"))
        code = main(
            ["--state-dir", str(tmp_path), "sync", "--join", "--url", server.url, "--token-stdin"]
        )
    err = capsys.readouterr().err
    assert code == 4 and "401" in err and "wrongsecret" not in err
    assert list(tmp_path.glob("*.sqlite")) == []


def test_joining_an_agency_the_tracker_has_no_data_of_yet_is_refused(
    tracker_db, agency, tmp_path, monkeypatch, capsys
):
    db, _ = tracker_db
    ovo, token = agency
    with ServerThread(tracker_app(db)[0]) as server:
        monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))
        code = main(
            ["--state-dir", str(tmp_path), "sync", "--join", "--url", server.url, "--token-stdin"]
        )
    err = capsys.readouterr().err
    assert code == 2 and "nog geen gegevens van " + ovo in err
    assert list(tmp_path.glob("*.sqlite")) == [] and list(tmp_path.glob("*.sync.toml")) == []


def _serve(db, port: int, log, started=None):
    """`elo-tracker serve` as its own process, returned once it answers /health.
    `started` gets the process as soon as it exists: a sync that is retrying may reach
    the new process before this function has seen /health answer."""
    import subprocess
    import sys
    import time

    import httpx

    proc = subprocess.Popen(
        [sys.executable, "-m", "elo_tracker", "serve", "--db", str(db), "--port",
         str(port)],
        stdout=log,
        stderr=log,
    )  # fmt: skip
    if started is not None:
        started(proc)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=0.5).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("tracker process did not start")


def test_sync_survives_a_tracker_process_killed_and_started_again(tracker_db, agency, tmp_path):
    import signal

    db, store = tracker_db
    ovo, token = agency
    port = free_port()
    path = tmp_path / "a.sqlite"
    make_ws(path, ovo, products=40)
    log = (tmp_path / "tracker.log").open("wb")
    procs = [_serve(db, port, log)]
    cfg = sync_config.save(path, url=f"http://127.0.0.1:{port}", token=token)
    waits = []
    timers: list[threading.Timer] = []

    def restart() -> None:
        _serve(db, port, log, started=procs.append)

    def on_progress(p) -> None:
        if p.phase == "pull" and len(procs) == 1 and procs[0].poll() is None:
            procs[0].send_signal(signal.SIGKILL)  # no goodbye: the way a crash looks
            procs[0].wait()
            timers.append(threading.Timer(2.0, restart))
            timers[-1].start()

    try:
        outcome = sync_service.run(
            path, "an", cfg, on_progress=on_progress, on_wait=waits.append, window=45
        )
    finally:
        for timer in timers:  # the restart has run to its end: no process left behind
            timer.join()
        for proc in procs:
            proc.kill()
            proc.wait()
        log.close()
    assert outcome.kind == "ok", outcome.message
    assert len(procs) == 2 and waits
    ids = tracker_ids(store, ovo)
    assert len(ids) == len(set(ids)) == 42
    with Workspace.open(path) as ws:
        assert ws.count_dirty() == 0
