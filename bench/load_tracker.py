"""Load on the reference tracker: N agencies syncing at the same time over loopback.

    .venv/bin/python bench/load_tracker.py [--agencies 100] [--rounds 10] [--records 100]
                                            [--edits 10] [--deadline 120]
                                            [--workers 1] [--database-url URL]

Each agency, concurrently, on its own keep-alive connection: asks who it is (/me), pulls
from 0, pushes its workspace (`--records` records in one batch), then `--rounds` times
pushes `--edits` edited records (with their base revision) and pulls since its cursor:
a day of syncing, compressed. Bounded in count (at most 1,000 agencies) and in time
(`--deadline` seconds: whatever is unfinished then is abandoned and reported). At the end
every finished agency's workspace is read back: nothing lost, nothing doubled.

The tracker runs as its own process (`elo-tracker serve`, `--workers` uvicorn workers,
no access log) on a new SQLite file, or on `--database-url` (an empty PostgreSQL
database); the load comes from one asyncio process with a minimal HTTP/1.1 client
(httpx's async client costs more CPU per request than the tracker itself, and both share
this machine's CPUs). CPU seconds of both processes are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx

from elo_tracker.store import TrackerStore

THEME = "https://productencatalogus.data.vlaanderen.be/id/concept/Thema/EconomieWerk"


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))]


class Stats:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[int, int] = defaultdict(int)
        self.records_pushed = 0
        self.records_pulled = 0
        self.conflicts = 0
        self.syncs = 0  # push + pull cycles that completed
        self.errors: list[str] = []


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status_code = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)


class Connection:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams, one per agency."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.auth = f"Bearer {token}"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Response:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = [
            f"{method} /v1{path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"Authorization: {self.auth}",
            f"Content-Length: {len(body)}",
        ]
        if body:
            head.append("Content-Type: application/json")
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        try:
            self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
            await self.writer.drain()
            status_line = await self.reader.readline()
            if not status_line:
                raise ConnectionError("connection closed")
            status = int(status_line.split()[1])
            response_headers: dict[str, str] = {}
            while (line := await self.reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                response_headers[name.strip().lower()] = value.strip()
            data = await self.reader.readexactly(int(response_headers.get("content-length", 0)))
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            self.close()
            raise
        if response_headers.get("connection", "").lower() == "close":
            self.close()
        return Response(status, response_headers, data)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def call(
    conn: Connection,
    stats: Stats,
    kind: str,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> Response:
    """Like the real client: retry connection errors, 5xx and 429 with jittered backoff."""
    for attempt in range(6):
        t0 = time.perf_counter()
        try:
            r = await conn.request(method, path, body, headers)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            stats.errors.append(f"{kind}: {type(exc).__name__}")
            await asyncio.sleep(random.uniform(0, 0.05 * 2**attempt))
            continue
        stats.latency[kind].append(time.perf_counter() - t0)
        stats.status[r.status_code] += 1
        if r.status_code in (429, 500, 502, 503, 504):
            wait = float(r.headers.get("retry-after", 0) or 0)
            await asyncio.sleep(wait or random.uniform(0, 0.05 * 2**attempt))
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
            "themes": [THEME],
            "yearly_volume": i,
        },
    }


async def push(conn: Connection, stats: Stats, ovo: str, since: int, records: list) -> dict:
    body = json.dumps({"since": since, "records": records}).encode()
    r = await call(
        conn,
        stats,
        "push",
        "POST",
        f"/workspaces/{ovo}/changes",
        body,
        {"Idempotency-Key": str(uuid.uuid4())},
    )
    answer = r.json()
    stats.records_pushed += len(answer["applied"])
    stats.conflicts += len(answer["conflicts"])
    return answer


async def agency_day(
    host: str, port: int, ovo: str, token: str, args, stats: Stats
) -> dict[str, int]:
    rnd = random.Random(ovo)
    conn = Connection(host, port, token)
    try:
        await call(conn, stats, "me", "GET", "/me")
        cursor = (await call(conn, stats, "pull", "GET", f"/workspaces/{ovo}/changes")).json()[
            "cursor"
        ]
        agency = {
            "kind": "agency",
            "id": str(uuid.uuid4()),
            "base_rev": None,
            "data": {
                "name": f"Agentschap {ovo}",
                "ovo_code": ovo,
                "requested_cofinancing": {"2026": 10000.0},
            },
        }
        products = [product(i) for i in range(args.records - 1)]
        answer = await push(conn, stats, ovo, cursor, [agency, *products])
        revs = {a["id"]: a["rev"] for a in answer["applied"]}
        cursor = answer["cursor"] if answer["cursor"] is not None else cursor
        stats.syncs += 1
        for round_no in range(args.rounds):
            edits = [
                dict(p, base_rev=revs[p["id"]], data=dict(p["data"], notes=f"ronde {round_no}"))
                for p in rnd.sample(products, min(args.edits, len(products)))
            ]
            answer = await push(conn, stats, ovo, cursor, edits)
            revs.update({a["id"]: a["rev"] for a in answer["applied"]})
            page = (
                await call(conn, stats, "pull", "GET", f"/workspaces/{ovo}/changes?since={cursor}")
            ).json()
            stats.records_pulled += len(page["records"])
            cursor = max(page["cursor"], answer["cursor"] or 0)
            stats.syncs += 1
        return revs
    finally:
        conn.close()


async def verify(url: str, tokens: dict[str, str], expected: dict[str, dict]) -> list[str]:
    problems = []
    async with httpx.AsyncClient(base_url=url + "/v1", timeout=60) as c:
        for ovo, revs in expected.items():
            r = await c.get(
                f"/workspaces/{ovo}/changes",
                params={"since": 0, "limit": 2000},
                headers={"Authorization": f"Bearer {tokens[ovo]}"},
            )
            records = r.json()["records"]
            ids = [x["id"] for x in records]
            held = {x["id"]: x["rev"] for x in records}
            if len(ids) != len(set(ids)):
                problems.append(f"{ovo}: duplicates")
            if any(held.get(rid) != rev for rid, rev in revs.items()):
                problems.append(f"{ovo}: a record is missing or has another revision")
    return problems


class LoadResult:
    def __init__(self, stats, elapsed, tokens, finished, pending, failed, problems) -> None:
        self.stats, self.elapsed, self.tokens = stats, elapsed, tokens
        self.finished, self.pending, self.failed, self.problems = (
            finished,
            pending,
            failed,
            problems,
        )


async def measure_load(host: str, port: int, tokens: dict[str, str], args) -> LoadResult:
    """Every agency's day at once; the numbers, not printed (see `run_load`)."""
    stats = Stats()
    t0 = time.perf_counter()
    tasks = {
        ovo: asyncio.create_task(agency_day(host, port, ovo, tok, args, stats))
        for ovo, tok in tokens.items()
    }
    done, pending = await asyncio.wait(tasks.values(), timeout=args.deadline)
    for task in pending:
        task.cancel()
    elapsed = time.perf_counter() - t0
    finished = {ovo: t.result() for ovo, t in tasks.items() if t in done and t.exception() is None}
    failed = [ovo for ovo, t in tasks.items() if t in done and t.exception() is not None]
    problems = await verify(f"http://{host}:{port}", tokens, finished)
    return LoadResult(stats, elapsed, tokens, finished, pending, failed, problems)


async def run_load(host: str, port: int, tokens: dict[str, str], args) -> None:
    result = await measure_load(host, port, tokens, args)
    stats, elapsed = result.stats, result.elapsed
    finished, pending, failed, problems = (
        result.finished,
        result.pending,
        result.failed,
        result.problems,
    )
    all_lat = [x for v in stats.latency.values() for x in v]
    n = len(all_lat)
    print(
        f"agencies                 : {len(tokens)} concurrent ({len(finished)} finished, "
        f"{len(pending)} cut off by the deadline, {len(failed)} failed)"
    )
    print(f"requests                 : {n} in {elapsed:.1f} s = {n / elapsed:.0f} req/s")
    print(
        f"records pushed / pulled  : {stats.records_pushed} / {stats.records_pulled} "
        f"= {stats.records_pushed / elapsed:.0f} records pushed/s"
    )
    print("latency (ms)             :    p50    p95    p99    max  count")
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
        f"status codes             : {dict(sorted(stats.status.items()))}; transport "
        f"errors {len(stats.errors)}; conflicts {stats.conflicts}"
    )
    print(
        "read-back check          : "
        + ("OK, nothing lost or doubled" if not problems else "; ".join(problems[:5]))
    )
    print(f"mean latency             : {statistics.mean(all_lat) * 1000:.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agencies", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--records", type=int, default=100)
    ap.add_argument("--edits", type=int, default=10)
    ap.add_argument("--deadline", type=float, default=120.0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--database-url", default=None, help="an empty PostgreSQL database")
    args = ap.parse_args()
    args.agencies = max(1, min(args.agencies, 1000))
    args.records = max(2, min(args.records, 1000))
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        db = args.database_url or Path(tmp) / "tracker.db"
        store = TrackerStore.open(db)
        tokens = {}
        for i in range(args.agencies):
            ovo = f"OVO{500000 + i:06d}"
            tokens[ovo] = store.add_agency(f"Agentschap {i}", ovo)
        store.close()
        port = free_port()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "elo_tracker",
                "serve",
                *(["--db", str(db)] if isinstance(db, Path) else ["--database-url", db]),
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--no-access-log",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    if (
                        httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=0.5).status_code
                        == 200
                    ):
                        break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise SystemExit("tracker did not start") from None
                    time.sleep(0.05)
            cpu0 = time.process_time()
            asyncio.run(run_load("127.0.0.1", port, tokens, args))
            load_cpu = time.process_time() - cpu0
        finally:
            proc.terminate()
            proc.wait(10)
        tracker_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(
            f"CPU seconds              : load client {load_cpu:.1f}, tracker "
            f"{tracker_cpu.ru_utime + tracker_cpu.ru_stime:.1f} (incl. its start-up)"
        )
        print(
            f"machine                  : python {sys.version.split()[0]}, {os.cpu_count()} "
            f"CPUs, load average {load_before:.1f} before / {os.getloadavg()[0]:.1f} after"
        )


if __name__ == "__main__":
    main()
