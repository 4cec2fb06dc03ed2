"""What the app produces the tracker accepts, and what the tracker holds the app can store:
frozen submissions of the demo and of a 1,202-product workspace sync to a real tracker
(uvicorn on 127.0.0.1), out-of-range values are refused with the documented error shape,
a value the client cannot store is reported and skipped, and the rate limit's 429 is
honoured by the client."""

from __future__ import annotations

import contextlib
import hashlib
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytest.importorskip("fastapi")  # before the imports that need it

import httpx  # noqa: E402

from elo_tracker.store import TrackerStore  # noqa: E402
from elo_tui.domain.records import Product, Submission  # noqa: E402
from elo_tui.store import Workspace  # noqa: E402
from elo_tui.sync.client import RetryPolicy, TrackerClient  # noqa: E402
from elo_tui.sync.engine import SyncEngine  # noqa: E402
from tracker_testing import (  # noqa: E402
    BACKENDS,
    ServerThread,
    free_port,
    fresh_database,
    tracker_app,
)

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module", params=BACKENDS)
def tracker(request, tmp_path_factory):
    db = fresh_database(request.param, tmp_path_factory.mktemp("tracker"))
    store = TrackerStore.open(db)
    injector, _ = tracker_app(db)  # the default limits, as `elo-tracker serve` runs
    with ServerThread(injector) as server:
        yield server, store
    store.close()


@contextlib.contextmanager
def tracker_process(db: Path, *options: str):
    """`elo-tracker serve` as its own process on 127.0.0.1, as VLAIO runs it."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "elo_tracker", "serve", "--db", str(db), "--port", str(port),
         "--no-access-log", *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"tracker did not start: {proc.stderr.read()!r}")
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stderr.close()


def _freeze(ws: Workspace) -> Submission:
    """The next frozen version, as `elo-tui submission create` makes it (completeness
    aside: a workspace with open points is frozen all the same for this test)."""
    from elo_tui.domain import submission as sub
    from elo_tui.services import submission as svc

    state = svc.read_state(ws)
    content = svc.build_content(
        ws,
        version=1,
        author="test",
        created_at="2026-03-01T10:00:00Z",
        state=state,
        issues=svc.check(ws, state),
    )
    text = sub.canonical_json(content)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return ws.save(
        Submission(
            version=1, created_at="2026-03-01T10:00:00Z", author="test", sha256=digest,
            content=text,
        )
    )  # fmt: skip


def _sync(ws, server, token, **kw):
    url = server if isinstance(server, str) else server.url
    with TrackerClient(url, token, retry=RetryPolicy(attempts=3, base_delay=0.01)) as c:
        return SyncEngine(ws, c, **kw).run()


def _register(store, ws) -> str:
    agency = ws.agency()
    return store.add_agency(agency.name or "Agentschap", agency.ovo_code)


def _uploaded(server, token, ovo, sid) -> dict:
    url = server if isinstance(server, str) else server.url
    with httpx.Client(
        base_url=url + "/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as c:
        return c.get(f"/workspaces/{ovo}/submissions/{sid}").json()


def test_the_demos_frozen_submission_syncs_to_a_tracker_process(tmp_path):
    from elo_tui.io.demo import populate_demo

    ws = Workspace.open(tmp_path / "demo.sqlite", create=True, user="an")
    populate_demo(ws)
    db = tmp_path / "tracker.db"
    store = TrackerStore.open(db)
    token = _register(store, ws)
    store.close()
    frozen = _freeze(ws)
    assert len(frozen.content) > 150_000  # ~206,000: refused before (100,000 limit)
    with tracker_process(db) as url:
        result = _sync(ws, url, token)
        assert result.submissions == 1 and result.skipped == []
        stored = _uploaded(url, token, ws.agency().ovo_code, frozen.id)
        assert stored["sha256"] == frozen.sha256 and stored["content"] == frozen.content
        assert _sync(ws, url, token).submissions == 0  # nothing left: no exit 5 forever


def test_a_1202_product_workspaces_frozen_submission_syncs_to_a_tracker_process(tmp_path):
    sys.path.insert(0, str(BENCH))
    try:
        from bench_export import populate
    finally:
        sys.path.remove(str(BENCH))
    ws = populate(tmp_path / "big.sqlite", 1202)
    db = tmp_path / "tracker.db"
    store = TrackerStore.open(db)
    token = _register(store, ws)
    store.close()
    frozen = _freeze(ws)
    assert len(frozen.content) > 7_000_000  # ~7.6 M characters, ~8.5 MB as a request
    with tracker_process(db) as url:
        result = _sync(ws, url, token)
        assert result.submissions == 1 and result.skipped == []
        assert ws.count_dirty() == 0
        stored = _uploaded(url, token, ws.agency().ovo_code, frozen.id)
    assert stored["sha256"] == frozen.sha256


# -- ranges are enforced on push and on pull ---------------------------------------------


def _push(server, token, ovo, records):
    with httpx.Client(
        base_url=server.url + "/v1", headers={"Authorization": f"Bearer {token}"}
    ) as c:
        return c.post(
            f"/workspaces/{ovo}/changes",
            json={"records": records},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )


@pytest.mark.parametrize("volume", [10**30, -5, 10**9 + 1, 1.5, "12", True])
def test_an_out_of_range_yearly_volume_is_refused_with_the_field_named(tracker, volume):
    server, store = tracker
    ovo = "OVO000701"
    token = store.add_agency("Agentschap R", ovo)
    r = _push(
        server, token, ovo,
        [{"kind": "product", "id": str(uuid.uuid4()), "data": {"yearly_volume": volume}}],
    )  # fmt: skip
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid"
    assert body["field"] == "records.0.product.data.yearly_volume"
    assert "yearly_volume" in body["detail"] and body["detail"].startswith("Ongeldige invoer")


def test_a_pulled_value_the_app_cannot_store_is_reported_and_the_rest_is_kept(tracker, tmp_path):
    """An older tracker or a bad admin write put yearly_volume 10**30 in the tracker's
    database: the client names the record and field in Dutch and syncs the rest."""
    from elo_tui.domain.records import Agency

    server, store = tracker
    ovo = "OVO000702"
    token = store.add_agency("Agentschap P", ovo)
    bad, good = str(uuid.uuid4()), str(uuid.uuid4())
    rows = [
        {"kind": "product", "id": bad, "base_rev": None, "deleted": False, "updated_at": "",
         "updated_by": "", "data": json.dumps({"name": "Te groot", "yearly_volume": 10**30})},
        {"kind": "product", "id": good, "base_rev": None, "deleted": False, "updated_at": "",
         "updated_by": "", "data": json.dumps({"name": "Goed", "yearly_volume": 12})},
    ]  # fmt: skip
    store.push(ovo, "direct-write-1", "x", rows, None)  # bypasses the API's validation
    ws = Workspace.open(tmp_path / "p.sqlite", create=True, user="an")
    ws.save(Agency(name="Agentschap P", ovo_code=ovo))
    result = _sync(ws, server, token)
    assert ws.get(Product, good).yearly_volume == 12
    assert ws.get(Product, bad) is None
    assert len(result.skipped) == 1
    message = result.skipped[0]
    assert "Te groot" in message and bad in message and "data.yearly_volume" in message
    assert "overgeslagen" in result.summary()
    assert _sync(ws, server, token).skipped == []  # later syncs go on normally


def test_pushes_are_split_by_bytes_so_large_records_never_exceed_the_body_limit():
    from elo_tui.sync.wire import batches

    records = [Product(name=f"P{i}", notes="é" * 90_000) for i in range(100)]
    groups = batches(records, 1000, 1024 * 1024)
    assert [r.id for g in groups for r in g] == [r.id for r in records]
    for group in groups:
        size = sum(len(json.dumps(Product.data(r), ensure_ascii=False).encode()) for r in group)
        assert size < 1024 * 1024
    assert len(batches([Product() for _ in range(2500)], 1000, 4 * 1024 * 1024)) == 3


# -- rate limiting --------------------------------------------------------------------------


def test_too_many_requests_get_429_with_retry_after_and_the_client_waits_it_out(tmp_path):
    db = tmp_path / "rate.db"
    store = TrackerStore.open(db)
    token = store.add_agency("Agentschap S", "OVO000703")
    store.close()
    with tracker_process(db, "--rate", "60", "--burst", "2") as url:
        with httpx.Client(
            base_url=url + "/v1", headers={"Authorization": f"Bearer {token}"}
        ) as raw:
            answers = [raw.get("/me") for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        refused = answers[2]
        assert refused.headers["Retry-After"] == "1"
        assert refused.json()["code"] == "rate_limited"
        assert "Te veel aanvragen" in refused.json()["detail"]
        time.sleep(1.05)  # the bucket refills: one request a second
        waits: list[float] = []

        def sleep(seconds: float) -> None:
            waits.append(seconds)
            time.sleep(seconds)

        with TrackerClient(url, token, sleep=sleep) as client:
            assert client.me()["workspace"] == "OVO000703"
            assert client.me()["workspace"] == "OVO000703"
        assert waits and all(w == 1.0 for w in waits)  # Retry-After, not its own backoff


def test_a_local_value_the_tracker_would_refuse_stays_unsent_and_the_rest_syncs(tracker, tmp_path):
    from elo_tui.domain.records import Agency

    server, store = tracker
    ovo = "OVO000704"
    token = store.add_agency("Agentschap L", ovo)
    ws = Workspace.open(tmp_path / "l.sqlite", create=True, user="an")
    ws.save(Agency(name="Agentschap L", ovo_code=ovo))
    huge = ws.save(Product(name="Reusachtig", yearly_volume=10**12))  # the form allows it
    fine = ws.save(Product(name="Gewoon", yearly_volume=300))
    result = _sync(ws, server, token)
    assert not ws.get(Product, fine.id).dirty  # sent
    assert ws.get(Product, huge.id).dirty  # kept, not lost
    assert len(result.skipped) == 1
    message = result.skipped[0]
    assert "Reusachtig" in message and "data.yearly_volume" in message
    assert "niet verstuurd" in message
    fixed = ws.get(Product, huge.id)
    fixed.yearly_volume = 10**9
    ws.save(fixed)
    assert _sync(ws, server, token).skipped == []
    assert not ws.get(Product, huge.id).dirty


def test_a_submission_over_the_contracts_size_stays_local_with_a_message(tracker, tmp_path):
    from elo_contract import MAX_SUBMISSION_CHARS
    from elo_tui.domain.records import Agency

    server, store = tracker
    ovo = "OVO000705"
    token = store.add_agency("Agentschap G", ovo)
    ws = Workspace.open(tmp_path / "g.sqlite", create=True, user="an")
    ws.save(Agency(name="Agentschap G", ovo_code=ovo))
    content = "x" * (MAX_SUBMISSION_CHARS + 1)
    sub = ws.save(
        Submission(version=1, content=content, sha256=hashlib.sha256(content.encode()).hexdigest())
    )
    result = _sync(ws, server, token)  # no exception: the rest synced
    assert result.submissions == 0 and ws.get(Submission, sub.id).dirty
    assert result.skipped == [
        "Indiening v1 niet verstuurd: de inhoud telt 20.000.001 tekens, de tracker "
        "aanvaardt er hoogstens 20.000.000. De versie blijft in de werkruimte; bezorg ze "
        "als bestand (Indiening, x: exporteren)."
    ]


def test_a_deleted_record_with_a_value_the_tracker_would_refuse_still_syncs_its_deletion(
    tracker, tmp_path
):
    from elo_tui.domain.records import Agency

    server, store = tracker
    ovo = "OVO000706"
    token = store.add_agency("Agentschap D", ovo)
    ws = Workspace.open(tmp_path / "d.sqlite", create=True, user="an")
    ws.save(Agency(name="Agentschap D", ovo_code=ovo))
    huge = ws.save(Product(name="Weg", yearly_volume=10**12, themes=["x" * 400]))
    assert len(_sync(ws, server, token).skipped) == 1
    ws.delete(Product, huge.id)
    result = _sync(ws, server, token)
    assert result.skipped == [] and ws.count_dirty() == 0
    with httpx.Client(
        base_url=server.url + "/v1", headers={"Authorization": f"Bearer {token}"}
    ) as c:
        page = c.get(f"/workspaces/{ovo}/changes", params={"since": 0}).json()
    tombstone = next(r for r in page["records"] if r["id"] == huge.id)
    assert tombstone["deleted"] is True and tombstone["data"]["yearly_volume"] is None
