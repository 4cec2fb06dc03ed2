"""100 entities syncing at once against the tracker: SQLite and PostgreSQL, 1 and 2
workers, all four in ONE run, side by side.

    .venv/bin/python bench/bench_tracker_concurrency.py [--agencies 100] [--repeats 2]
                     [--rounds 10] [--records 100] [--edits 10] [--database-url URL]

Each configuration gets a fresh database (a new SQLite file, or a new database on the
PostgreSQL server) and its own `elo-tracker serve` process; the load is the day of syncing
of `bench/load_tracker.py` (per agency: /me, a pull from 0, a push of its workspace, then
`--rounds` times a push of `--edits` edited records and a pull since its cursor). A "sync"
is one push with its pull. The configurations run in alternating order, repeat after
repeat (A B C D, D C B A, …), so a change in the machine's load falls on all of them; the
table reports the median over the repeats and the latency percentiles over all requests.

Without `--database-url` a throwaway PostgreSQL server is started with `.ci/postgres`
(fsync off: this measures the tracker, not the disk) and removed afterwards. The URL is
passed to the tracker through its environment, never on its command line.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_tracker import free_port, measure_load, percentile  # noqa: E402

from elo_tracker.store import TrackerStore  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = [("SQLite", 1), ("SQLite", 2), ("PostgreSQL", 1), ("PostgreSQL", 2)]


def start_postgres() -> tuple[str, str]:
    out = subprocess.run(
        [str(ROOT / ".ci" / "postgres"), "start"], capture_output=True, text=True, check=True
    ).stdout
    env = dict(
        line.removeprefix("export ").split("=", 1) for line in out.splitlines() if "=" in line
    )
    return env["ELO_TRACKER_TEST_PG_URL"], env["ELO_CI_PG_DIR"]


def fresh_pg_database(server_url: str) -> str:
    """A new empty database on the server; its URL."""
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def run_one(backend: str, workers: int, server_url: str, tmp: Path, args) -> dict:
    if backend == "SQLite":
        target: Path | str = tmp / f"tracker-{uuid.uuid4().hex[:8]}.db"
    else:
        target = fresh_pg_database(server_url)
    store = TrackerStore.open(target)
    tokens = {}
    for i in range(args.agencies):
        ovo = f"OVO{500000 + i:06d}"
        tokens[ovo] = store.add_agency(f"Agentschap {i}", ovo)
    store.close()
    port = free_port()
    env = dict(os.environ)
    env.pop("ELO_TRACKER_CONFIG", None)
    if isinstance(target, Path):
        env["ELO_TRACKER_DB"] = str(target)
        env.pop("ELO_TRACKER_DATABASE_URL", None)
    else:
        env["ELO_TRACKER_DATABASE_URL"] = target
    proc = subprocess.Popen(
        [sys.executable, "-m", "elo_tracker", "serve", "--port", str(port)]
        + ["--workers", str(workers), "--no-access-log"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=0.5).is_success:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"tracker ({backend}, {workers}) did not start")
            time.sleep(0.05)
        result = asyncio.run(measure_load("127.0.0.1", port, tokens, args))
    finally:
        proc.terminate()
        proc.wait(15)
    s = result.stats
    return {
        "elapsed": result.elapsed,
        "syncs_per_s": s.syncs / result.elapsed,
        "records_per_s": (s.records_pushed + s.records_pulled) / result.elapsed,
        "requests": sum(len(v) for v in s.latency.values()),
        "latency": s.latency,
        "statuses": dict(s.status),
        "unfinished": len(result.pending) + len(result.failed),
        "problems": result.problems,
        "errors": len(s.errors),
    }


def p50_p99(values: list[float]) -> str:
    return f"{percentile(values, 50) * 1000:,.0f} / {percentile(values, 99) * 1000:,.0f}"


def table(results: dict[tuple[str, int], list[dict]]) -> list[str]:
    lines = [
        "| back end | workers | syncs/s | records/s | push p50 / p99 (ms) "
        "| pull p50 / p99 (ms) | all p50 / p99 (ms) | requests | other than 200 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for backend, workers in CONFIGS:
        runs = results[(backend, workers)]
        lat: dict[str, list[float]] = {"push": [], "pull": [], "all": []}
        for r in runs:
            for kind, values in r["latency"].items():
                lat.setdefault(kind, []).extend(values)
                lat["all"].extend(values)
        not_ok = sum(n for r in runs for code, n in r["statuses"].items() if code != 200)

        lines.append(
            f"| {backend} | {workers} "
            f"| {statistics.median(r['syncs_per_s'] for r in runs):,.0f} "
            f"| {statistics.median(r['records_per_s'] for r in runs):,.0f} "
            f"| {p50_p99(lat['push'])} | {p50_p99(lat['pull'])} | {p50_p99(lat['all'])} "
            f"| {sum(r['requests'] for r in runs):,} | {not_ok} |"
        )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agencies", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=2, help="rounds over the four configurations")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--records", type=int, default=100)
    ap.add_argument("--edits", type=int, default=10)
    ap.add_argument("--deadline", type=float, default=300.0)
    ap.add_argument("--database-url", default=None, help="a PostgreSQL server (admin URL)")
    args = ap.parse_args()
    args.agencies = max(1, min(args.agencies, 1000))
    args.records = max(2, min(args.records, 1000))
    load_before = os.getloadavg()
    pg_dir = None
    server_url = args.database_url
    if server_url is None:
        server_url, pg_dir = start_postgres()
    results: dict[tuple[str, int], list[dict]] = {c: [] for c in CONFIGS}
    problems: list[str] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for repeat in range(args.repeats):
                order = CONFIGS if repeat % 2 == 0 else list(reversed(CONFIGS))
                for backend, workers in order:
                    r = run_one(backend, workers, server_url, Path(tmp), args)
                    results[(backend, workers)].append(r)
                    print(
                        f"repeat {repeat + 1} {backend:<10} workers {workers}: "
                        f"{r['syncs_per_s']:6.1f} syncs/s, {r['records_per_s']:7.0f} records/s, "
                        f"{r['elapsed']:5.1f} s, unfinished {r['unfinished']}, "
                        f"transport errors {r['errors']}, load {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
                    if r["problems"] or r["unfinished"]:
                        problems.append(f"{backend}/{workers}: {r['problems'][:3]}")
    finally:
        if pg_dir:
            subprocess.run([str(ROOT / ".ci" / "postgres"), "stop", pg_dir], check=False)
    print()
    print("\n".join(table(results)))
    print()
    print(
        f"{args.agencies} agencies at once, {args.rounds} rounds of {args.edits} edits after a "
        f"first push of {args.records} records; {args.repeats} repeats per configuration."
    )
    print("read-back check: " + ("OK, nothing lost or doubled" if not problems else str(problems)))
    print(
        f"machine: python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
        f"(1/5/15 min) {load_before[0]:.1f}/{load_before[1]:.1f}/{load_before[2]:.1f} before, "
        f"{'/'.join(f'{x:.1f}' for x in os.getloadavg())} after"
    )


if __name__ == "__main__":
    main()
