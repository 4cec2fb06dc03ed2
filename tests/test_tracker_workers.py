"""`elo-tracker serve --workers 2` on each back end under many concurrent pushers and
pullers: no record lost, doubled or skipped by a pull cursor, and an Idempotency-Key sent
twice at the same time (to whichever worker) applies once and answers the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("fastapi")  # the tracker's extra

import httpx  # noqa: E402

from elo_tracker.store import TrackerStore  # noqa: E402
from tracker_testing import BACKENDS, free_port, fresh_database  # noqa: E402

OVO = "OVO000951"
PUSHERS = 6  # three pairs; both of a pair send the same pushes with the same keys
PUSHES = 20
PER_PUSH = 5
PULLERS = 2


def serve(db: Path | str, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    where = ["--db", str(db)] if isinstance(db, Path) else []
    env = dict(os.environ)
    if not isinstance(db, Path):
        env["ELO_TRACKER_DATABASE_URL"] = db  # the URL (and password) not on the command line
    proc = subprocess.Popen(
        [sys.executable, "-m", "elo_tracker", "serve", *where, "--port", str(port),
         "--workers", str(workers), "--rate", "1000000", "--burst", "1000000",
         "--no-access-log"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"tracker did not start: {proc.stderr.read()!r}")
        time.sleep(0.05)


def worker_pids(proc: subprocess.Popen) -> set[int]:
    """The uvicorn worker processes (Linux /proc), not multiprocessing's resource tracker."""
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    if not children.exists():
        return set()
    pids = {int(p) for p in children.read_text().split()}
    return {p for p in pids if b"resource_tracker" not in Path(f"/proc/{p}/cmdline").read_bytes()}


def planned_pushes(pair: int) -> list[tuple[str, dict]]:
    out = []
    for n in range(PUSHES):
        records = [
            {
                "kind": "product",
                "id": f"pair{pair}-push{n}-rec{i}",
                "base_rev": None,
                "updated_at": "2026-01-01T00:00:00Z",
                "updated_by": f"pusher{pair}",
                "data": {"name": f"Product {pair}.{n}.{i}"},
            }
            for i in range(PER_PUSH)
        ]
        out.append((str(uuid.uuid4()), {"since": None, "records": records}))
    return out


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_workers_and_many_pushers_lose_double_and_skip_nothing(backend, tmp_path):
    db = fresh_database(backend, tmp_path)
    store = TrackerStore.open(db)
    token = store.add_agency("Agentschap C", OVO)
    store.close()
    proc, url = serve(db, workers=2)
    headers = {"Authorization": f"Bearer {token}"}
    answers: dict[str, list[str]] = {}
    answers_lock = threading.Lock()
    pushing_done = threading.Event()
    errors: list[str] = []

    def pusher(plan: list[tuple[str, dict]]) -> None:
        with httpx.Client(base_url=url + "/v1", headers=headers, timeout=60) as client:
            for key, body in plan:
                r = client.post(
                    f"/workspaces/{OVO}/changes", json=body, headers={"Idempotency-Key": key}
                )
                if r.status_code != 200:
                    errors.append(f"push {r.status_code}: {r.text}")
                    continue
                with answers_lock:
                    answers.setdefault(key, []).append(r.text)

    def puller() -> list[dict]:
        """Pulls from its cursor while the pushes run, then until nothing is left."""
        seen: list[dict] = []
        since = 0
        with httpx.Client(base_url=url + "/v1", headers=headers, timeout=60) as client:
            while True:
                finished = pushing_done.is_set()
                page = client.get(f"/workspaces/{OVO}/changes", params={"since": since})
                if page.status_code != 200:
                    errors.append(f"pull {page.status_code}: {page.text}")
                    return seen
                body = page.json()
                seen += body["records"]
                since = body["cursor"]
                if finished and not body["has_more"]:
                    return seen

    try:
        plans = [planned_pushes(pair) for pair in range(PUSHERS // 2)]
        with ThreadPoolExecutor(PUSHERS + PULLERS) as pool:
            pulls = [pool.submit(puller) for _ in range(PULLERS)]
            pushes = [pool.submit(pusher, plans[n // 2]) for n in range(PUSHERS)]
            for f in pushes:
                f.result()
            pushing_done.set()
            pulled = [f.result() for f in pulls]
        assert len(worker_pids(proc)) == 2
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stderr.close()

    assert errors == []
    expected = {r["id"] for plan in plans for _, body in plan for r in body["records"]}
    assert len(expected) == PUSHERS // 2 * PUSHES * PER_PUSH
    # Each key was sent twice at about the same time: the same answer, applied once.
    assert len(answers) == PUSHERS // 2 * PUSHES
    assert all(len(a) == 2 and a[0] == a[1] for a in answers.values())
    for seen in pulled:
        ids = [r["id"] for r in seen]
        assert len(ids) == len(set(ids)), "a record came twice"
        assert set(ids) == expected, f"{len(expected - set(ids))} records skipped"
        assert {r["rev"] for r in seen} == set(range(1, len(expected) + 1))
    # Every applied rev answered is a distinct seq: nothing applied twice.
    revs = [e["rev"] for a in answers.values() for e in json.loads(a[0])["applied"]]
    assert sorted(revs) == list(range(1, len(expected) + 1))
