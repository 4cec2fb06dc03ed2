"""Load on the reference tracker: N agencies syncing at the same time over loopback.

    .venv/bin/python bench/load_tracker.py [--agencies 100] [--rounds 10] [--records 100]
                                            [--edits 10] [--deadline 120]

Each agency, concurrently: asks who it is (/me), pulls from 0, pushes its workspace
(`--records` records in one batch), then `--rounds` times pushes `--edits` edited records
(with their base revision) and pulls since its cursor: the traffic of a day of syncing,
compressed. Bounded in count and in time (`--deadline` seconds: whatever is unfinished by
then is abandoned and reported). At the end every agency's workspace is read back and
checked: nothing lost, nothing doubled, no conflicts.

The tracker runs as its own process (`elo-tui tracker serve`, one uvicorn worker), the
load from one asyncio client process; both on this machine, so they share its CPUs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx

from elo_tui.tracker.store import TrackerStore
from elo_tui.tracker.testing import free_port


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))
    return values[k]


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[int, int] = defaultdict(int)
        self.records_pushed = 0
        self.records_pulled = 0
        self.conflicts = 0
        self.errors: list[str] = []


async def call(
    client: httpx.AsyncClient, stats: Stats, kind: str, method: str, url: str, **kw
) -> httpx.Response:
    # Like the real client: retry 5xx/429/connection errors, with backoff and jitter.
    for attempt in range(6):
        t0 = time.perf_counter()
        try:
            r = await client.request(method, url, **kw)
        except httpx.TransportError as exc:
            stats.errors.append(f"{kind}: {type(exc).__name__}")
            await asyncio.sleep(random.uniform(0, 0.05 * 2**attempt))
            continue
        stats.latency[kind].append(time.perf_counter() - t0)
        stats.status[r.status_code] += 1
        if r.status_code in (429, 500, 502, 503, 504):
            await asyncio.sleep(
                float(r.headers.get("Retry-After", 0)) or random.uniform(0, 0.05 * 2**attempt)
            )
            continue
        return r
    raise RuntimeError(f"{kind} failed after retries")


def product(i: int) -> dict:
    return {
        "kind": "product",
        "id": str(uuid.uuid4()),
        "base_rev": None,
        "updated_at": "2026-01-01T00:00:00.000000Z",
        "updated_by": "load",
        "data": {
            "name": f"Product {i}",
            "description": "Belasting " * 8,
            "themes": [
                "https://productencatalogus.data.vlaanderen.be/id/concept/Thema/EconomieWerk"
            ],
            "yearly_volume": i,
        },
    }


class Agent:
    """One agency's view of a shared connection pool (its token on every request)."""

    def __init__(self, pool: httpx.AsyncClient, token: str) -> None:
        self.pool = pool
        self.auth = {"Authorization": f"Bearer {token}"}

    async def request(self, method: str, url: str, headers: dict | None = None, **kw):
        return await self.pool.request(method, url, headers=self.auth | (headers or {}), **kw)


async def agency_day(pool: httpx.AsyncClient, ovo: str, token: str, args, stats: Stats) -> dict:
    rnd = random.Random(ovo)
    c = Agent(pool, token)
    if True:
        await call(c, stats, "me", "GET", "/me")
        page = (await call(c, stats, "pull", "GET", f"/workspaces/{ovo}/changes")).json()
        cursor = page["cursor"]
        records = [
            {
                "kind": "agency",
                "id": str(uuid.uuid4()),
                "base_rev": None,
                "data": {
                    "name": f"Agentschap {ovo}",
                    "ovo_code": ovo,
                    "requested_cofinancing": {"2026": 10000.0},
                },
            }
        ]
        records += [product(i) for i in range(args.records - 1)]
        body = json.dumps({"since": cursor, "records": records})
        r = await call(
            c,
            stats,
            "push",
            "POST",
            f"/workspaces/{ovo}/changes",
            content=body,
            headers={"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"},
        )
        answer = r.json()
        revs = {a["id"]: a["rev"] for a in answer["applied"]}
        stats.records_pushed += len(answer["applied"])
        stats.conflicts += len(answer["conflicts"])
        if answer["cursor"] is not None:
            cursor = answer["cursor"]
        products = [p for p in records if p["kind"] == "product"]
        for round_no in range(args.rounds):
            edits = rnd.sample(products, min(args.edits, len(products)))
            batch = []
            for p in edits:
                p = dict(p, base_rev=revs[p["id"]], data=dict(p["data"], notes=f"ronde {round_no}"))
                batch.append(p)
            body = json.dumps({"since": cursor, "records": batch})
            r = await call(
                c,
                stats,
                "push",
                "POST",
                f"/workspaces/{ovo}/changes",
                content=body,
                headers={"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"},
            )
            answer = r.json()
            revs.update({a["id"]: a["rev"] for a in answer["applied"]})
            stats.records_pushed += len(answer["applied"])
            stats.conflicts += len(answer["conflicts"])
            page = (
                await call(
                    c, stats, "pull", "GET", f"/workspaces/{ovo}/changes", params={"since": cursor}
                )
            ).json()
            stats.records_pulled += len(page["records"])
            cursor = (
                page["cursor"]
                if answer["cursor"] is None
                else max(page["cursor"], answer["cursor"])
            )
        return revs


async def verify(url: str, tokens: dict[str, str], expected: dict[str, dict]) -> list[str]:
    problems = []
    async with httpx.AsyncClient(base_url=url + "/v1", timeout=60) as c:
        for ovo, token in tokens.items():
            if ovo not in expected:
                continue
            r = await c.get(
                f"/workspaces/{ovo}/changes",
                params={"since": 0, "limit": 2000},
                headers={"Authorization": f"Bearer {token}"},
            )
            ids = [x["id"] for x in r.json()["records"]]
            revs = {x["id"]: x["rev"] for x in r.json()["records"]}
            if len(ids) != len(set(ids)):
                problems.append(f"{ovo}: duplicates")
            for rid, rev in expected[ovo].items():
                if revs.get(rid) != rev:
                    problems.append(f"{ovo}: {rid} rev {revs.get(rid)} != {rev}")
                    break
    return problems


async def run_load(url: str, tokens: dict[str, str], args) -> None:
    stats = Stats()
    t0 = time.perf_counter()
    # One pool for all agencies (an AsyncClient per agency would spend the first seconds
    # loading CA bundles in the event loop and distort the latencies).
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))
    pool = httpx.AsyncClient(base_url=url + "/v1", timeout=60, limits=limits)
    tasks = {
        ovo: asyncio.create_task(agency_day(pool, ovo, tok, args, stats))
        for ovo, tok in tokens.items()
    }
    done, pending = await asyncio.wait(tasks.values(), timeout=args.deadline)
    await pool.aclose()
    for task in pending:
        task.cancel()
    elapsed = time.perf_counter() - t0
    finished = {ovo: t.result() for ovo, t in tasks.items() if t in done and t.exception() is None}
    failed = [ovo for ovo, t in tasks.items() if t in done and t.exception() is not None]
    problems = await verify(url, tokens, finished)
    all_lat = [x for v in stats.latency.values() for x in v]
    n = len(all_lat)
    print(
        f"agencies                 : {len(tokens)} concurrent "
        f"({len(finished)} finished, {len(pending)} cut off by the deadline, "
        f"{len(failed)} failed)"
    )
    print(f"requests                 : {n} in {elapsed:.1f} s = {n / elapsed:.0f} req/s")
    print(
        f"records pushed / pulled  : {stats.records_pushed} / {stats.records_pulled} "
        f"= {stats.records_pushed / elapsed:.0f} pushed/s"
    )
    print("latency (ms)             :   p50    p95    p99    max   count")
    for kind in ("me", "pull", "push"):
        lat = stats.latency.get(kind, [])
        if lat:
            print(
                f"  {kind:<22} : {percentile(lat, 50) * 1000:6.1f} "
                f"{percentile(lat, 95) * 1000:6.1f} {percentile(lat, 99) * 1000:6.1f} "
                f"{max(lat) * 1000:6.1f} {len(lat):6d}"
            )
    print(
        f"  {'all':<22} : {percentile(all_lat, 50) * 1000:6.1f} "
        f"{percentile(all_lat, 95) * 1000:6.1f} {percentile(all_lat, 99) * 1000:6.1f} "
        f"{max(all_lat) * 1000:6.1f} {n:6d}"
    )
    print(
        f"status codes             : {dict(sorted(stats.status.items()))}; transport errors "
        f"{len(stats.errors)}; conflicts {stats.conflicts}"
    )
    print(
        f"read-back check          : {'OK, nothing lost or doubled' if not problems else problems[:5]}"
    )
    print(
        f"mean latency             : {statistics.mean(all_lat) * 1000:.1f} ms; "
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agencies", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--records", type=int, default=100)
    ap.add_argument("--edits", type=int, default=10)
    ap.add_argument("--deadline", type=float, default=120.0)
    args = ap.parse_args()
    args.agencies = min(args.agencies, 1000)  # bounded
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "tracker.db"
        store = TrackerStore.open(db)
        tokens = {
            f"OVO{500000 + i:06d}": store.add_agency(f"Agentschap {i}", f"OVO{500000 + i:06d}")
            for i in range(args.agencies)
        }
        store.close()
        port = free_port()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "elo_tui",
                "tracker",
                "serve",
                "--db",
                str(db),
                "--port",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    if httpx.get(url + "/v1/health", timeout=0.5).status_code == 200:
                        break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise SystemExit("tracker did not start") from None
                    time.sleep(0.05)
            asyncio.run(run_load(url, tokens, args))
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
