"""Sync benchmark: first sync of a 1,202-product workspace with all its records to the
reference tracker on loopback (bar: < 1.5 s), and a sync with nothing to do (< 50 ms).

    .venv/bin/python bench/bench_sync.py [--products 1202] [--repeat 20]

The tracker runs as a separate process (`elo-tracker serve`), as in real use, so the
client and the server do not share one interpreter. Timings include creating the HTTP
client and the `/me` round trip, i.e. everything `elo-tui sync` does after start-up.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

from elo_tracker.store import TrackerStore  # noqa: E402
from elo_tui.domain.records import (  # noqa: E402
    Application,
    BlockStatus,
    ChecklistItem,
    EstimateLine,
    Product,
)
from elo_tui.store import Workspace  # noqa: E402
from elo_tui.sync.client import TrackerClient  # noqa: E402
from elo_tui.sync.engine import SyncEngine  # noqa: E402

APP_BLOCKS = ("acm_idm", "capacity_switch", "global_header", "dosis")
PRODUCT_BLOCKS = ("product_rights", "vms", "toelatingen")
STAGES = ("not_started", "analysis", "filed", "test", "production")


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def full_workspace(path: Path, n: int) -> Workspace:
    """`generate` plus what a worked-on workspace holds: block statuses for every scope,
    estimate lines and checklist items."""
    rnd = random.Random(n)
    ws = generate(path, n)
    apps = ws.list(Application)
    products = ws.list(Product)
    extra = []
    for app in apps:
        for block in APP_BLOCKS:
            extra.append(
                BlockStatus(
                    scope_kind="application",
                    scope_id=app.id,
                    block=block,
                    applicability="required",
                    stage=rnd.choice(STAGES),
                    target_date="2026-10-01",
                )
            )
            extra.append(
                EstimateLine(
                    scope_kind="application",
                    scope_id=app.id,
                    block=block,
                    optimistic_days=5,
                    likely_days=10,
                    pessimistic_days=20,
                    day_rate=650,
                    basis="bench",
                )
            )
            extra.append(
                ChecklistItem(
                    template="acm",
                    step=block,
                    scope_kind="application",
                    scope_id=app.id,
                    block=block,
                    title=f"{block} stap",
                )
            )
    for p in products:
        for block in PRODUCT_BLOCKS:
            extra.append(
                BlockStatus(
                    scope_kind="product",
                    scope_id=p.id,
                    block=block,
                    applicability=rnd.choice(["required", "not_applicable"]),
                    reason="bench",
                    stage=rnd.choice(STAGES),
                )
            )
        extra.append(
            EstimateLine(
                scope_kind="product",
                scope_id=p.id,
                block="product_rights",
                optimistic_days=1,
                likely_days=2,
                pessimistic_days=4,
                day_rate=650,
            )
        )
        extra.append(
            ChecklistItem(
                template="rights",
                step="ctx",
                scope_kind="product",
                scope_id=p.id,
                block="product_rights",
                title="Recht per product vastleggen",
            )
        )
        extra.append(
            ChecklistItem(
                template="vms",
                step="type",
                scope_kind="product",
                scope_id=p.id,
                block="vms",
                title="Mandaattype kiezen",
            )
        )
    ws.save_many(extra)
    return ws


def start_server(db: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "elo_tracker",
            "serve",
            "--db",
            str(db),
            "--port",
            str(port),
            "--no-access-log",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=0.5).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("tracker did not start")


def timed_sync(ws: Workspace, url: str, token: str):
    t0 = time.perf_counter()
    with TrackerClient(url, token) as client:
        result = SyncEngine(ws, client).run()
    return time.perf_counter() - t0, result


def first_sync(tmp: Path, template: Path, run: int) -> tuple[float, object, int]:
    """One first sync of a copy of the workspace to a fresh tracker (own process)."""
    db = tmp / f"tracker{run}.db"
    store = TrackerStore.open(db)
    token = store.add_agency("Bench-agentschap", "OVO099998")
    store.close()
    path = tmp / f"first{run}.sqlite"
    shutil.copy(template, path)
    ws = Workspace.open(path, user="bench")
    records = ws.count_dirty()
    port = free_port()
    proc = start_server(db, port)
    try:
        seconds, result = timed_sync(ws, f"http://127.0.0.1:{port}", token)
        assert result.pushed == records and ws.count_dirty() == 0, result
    finally:
        proc.terminate()
        proc.wait(10)
        ws.close()
    return seconds, result, records


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--products", type=int, default=1202)
    ap.add_argument("--runs", type=int, default=5, help="first syncs, each to a fresh tracker")
    ap.add_argument("--repeat", type=int, default=20, help="syncs with nothing to do")
    args = ap.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        template = tmp / "bench.sqlite"
        full_workspace(template, args.products).close()
        firsts = []
        for run in range(args.runs):
            seconds, result, records = first_sync(tmp, template, run)
            firsts.append(seconds)

        # The later syncs, against one tracker.
        db = tmp / "tracker.db"
        store = TrackerStore.open(db)
        token = store.add_agency("Bench-agentschap", "OVO099998")
        store.close()
        shutil.copy(template, tmp / "main.sqlite")
        ws = Workspace.open(tmp / "main.sqlite", user="bench")
        port = free_port()
        proc = start_server(db, port)
        url = f"http://127.0.0.1:{port}"
        try:
            timed_sync(ws, url, token)
            noop = []
            for _ in range(args.repeat):
                seconds, r = timed_sync(ws, url, token)
                assert r.pushed == r.pulled == 0
                noop.append(seconds)
            other = Workspace.open(tmp / "second.sqlite", create=True, user="b")
            pull_all, r2 = timed_sync(other, url, token)
            assert r2.pulled == records, r2
            # An ordinary day: 25 edits, then sync.
            for p in ws.list(Product)[:25]:
                p.notes = "bewerkt"
                ws.save(p)
            small, r3 = timed_sync(ws, url, token)
            assert r3.pushed == 25
        finally:
            proc.terminate()
            proc.wait(10)
        ms = [x * 1000 for x in sorted(firsts)]
        print(f"records in workspace      : {records} ({args.products} products)")
        print(
            f"first sync (push all)     : median {statistics.median(ms):.0f} ms, best "
            f"{ms[0]:.0f}, worst {ms[-1]:.0f} ({len(ms)} runs, {result.requests} requests)"
            "   bar < 1500 ms"
        )
        noop_ms = sorted(x * 1000 for x in noop)
        print(
            f"nothing to do             : median {statistics.median(noop_ms):.1f} ms, p95 "
            f"{noop_ms[int(0.95 * (len(noop_ms) - 1))]:.1f}, worst {noop_ms[-1]:.1f} "
            f"({len(noop_ms)} runs)   bar < 50 ms"
        )
        print(f"second workspace, pull all: {pull_all * 1000:.0f} ms")
        print(f"25 edits pushed           : {small * 1000:.0f} ms")
        print(
            f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
            f"{load_before:.1f} before / {os.getloadavg()[0]:.1f} after"
        )


if __name__ == "__main__":
    main()
