"""The programme view (`elo-tui programma`) at programme scale, side by side with a bare
Textual app.

    .venv/bin/python bench/bench_programme.py [--runs 7] [--agencies 120] [--products 20000]

1. Fills a tracker (SQLite, written through its store) with `--agencies` agencies and
   `--products` products in total, each with a block status, plus per agency an
   application, exemption and delay requests, bottlenecks and (every other agency) a
   submission; starts `elo-tracker serve` and pulls a programme snapshot with an admin
   token, as `elo-tui programma` does (timed: the fetch is not part of start-up).
2. Start-up: `elo-tui programma --offline` (opens that snapshot) and bench/bare_app.py,
   alternating, each in its own 120x40 pty, exiting once the first full screen is
   written (ELO_TUI_EXIT_WHEN_READY=1): wall time, CPU time, peak RSS and the bytes each
   wrote to the terminal (a painted frame of about the same size on both sides).
3. Keystrokes in a live session: moving down the entity list and typing a filter, against
   cursor-down in the bare DataTable (first frame and settled, as bench_startup.py).
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import pty
import random
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from frame_timing import first_and_settled  # noqa: E402
from subject_env import subject_environ  # noqa: E402

BLOCKS = ("vms", "product_rights", "toelatingen")
STAGES = ("not_started", "analysis", "filed", "test", "production")


def run_counting(argv: list[str], env: dict[str, str]) -> tuple[float, int, float, int]:
    """Wall time (s), peak RSS (KiB), CPU time (s) and bytes written to the terminal by
    one process in a fresh 120x40 pty (bench_startup.run_in_pty, with the byte count)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.close(master)
        os.execvpe(argv[0], argv, env)
    os.close(slave)
    written = [0]

    def drain() -> None:
        try:
            while chunk := os.read(master, 65536):
                written[0] += len(chunk)
        except OSError:
            pass

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    reader.join(2)
    os.close(master)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv} exited with {status}")
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime, written[0]


def keystroke_latencies(
    argv: list[str], env: dict[str, str], keys: list[bytes], quiet: float = 0.15
) -> tuple[list[float], list[float]]:
    """Latency of each key in a real terminal (ms), as bench_startup.py measures it:
    until the end of the first burst of output (first frame) and until `quiet` s of
    silence (settled). Unlike there, the keys wait for the first screen: until the app
    has written something and then been quiet for half a second (a key sent during
    start-up would be lost and time nothing)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    pid = os.fork()
    if pid == 0:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.close(master)
        os.execvpe(argv[0], argv, env)
    os.close(slave)

    def read_until_quiet(timeout: float = 10.0, silence: float = quiet) -> list[float]:
        stamps: list[float] = []
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([master], [], [], silence)
            if not ready:
                if stamps or silence == quiet:
                    break
                continue
            if not os.read(master, 65536):
                break
            stamps.append(time.perf_counter())
        return stamps

    try:
        ready, _, _ = select.select([master], [], [], 30)  # the first output
        read_until_quiet(timeout=30, silence=0.5)
        first, settled = [], []
        for key in keys:
            t0 = time.perf_counter()
            os.write(master, key)
            first_ms, settled_ms = first_and_settled(t0, read_until_quiet())
            first.append(first_ms)
            settled.append(settled_ms)
        return first, settled
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(master)


def _rec(kind: str, rid: str, data: dict) -> dict:
    return {
        "kind": kind,
        "id": rid,
        "base_rev": None,
        "deleted": False,
        "updated_at": "2026-11-01T10:00:00Z",
        "updated_by": "bench",
        "data": data,
    }


def fill_tracker(db: Path, agencies: int, products: int) -> str:
    """Agencies with their records, straight through the store; returns an admin token."""
    from elo_tracker.store import TrackerStore

    rng = random.Random(1202)
    store = TrackerStore.open(db)
    admin = store.add_admin("Bench VLAIO")
    per = [products // agencies + (1 if i < products % agencies else 0) for i in range(agencies)]
    for i, count in enumerate(per):
        ovo = f"OVO{600000 + i:06d}"
        store.add_agency(f"Agentschap {i:03d} {rng.choice(['Natuur', 'Wonen', 'Werk'])}", ovo)
        app_id = f"app-{i}"
        records = [
            _rec(
                "agency",
                f"ag-{i}",
                {
                    "name": f"Agentschap {i:03d}",
                    "ovo_code": ovo,
                    "requested_cofinancing": {"2026": 5000.0 * (i % 7), "2027": 3000.0 * (i % 5)},
                    "cofinancing_statements": {
                        "no_extra_request": i % 3 != 0,
                        "savings_honoured": True,
                    },
                },
            ),
            _rec("application", app_id, {"name": f"Loket {i}", "kind": "own_application"}),
        ]
        for j in range(count):
            pid = f"p-{i}-{j}"
            records.append(
                _rec(
                    "product",
                    pid,
                    {"name": f"Product {j} van {i}", "request_application_id": app_id},
                )
            )
            records.append(
                _rec(
                    "block_status",
                    f"bs-{i}-{j}",
                    {
                        "scope_kind": "product",
                        "scope_id": pid,
                        "block": rng.choice(BLOCKS),
                        "applicability": "required",
                        "stage": rng.choice(STAGES),
                        "target_date": rng.choice(["2026-06-30", "2027-03-31", "2027-09-30"]),
                    },
                )
            )
        for k in range(3):
            records.append(
                _rec(
                    "exemption",
                    f"ex-{i}-{k}",
                    {
                        "scope_kind": "product",
                        "scope_id": f"p-{i}-{k}",
                        "subject": "vms",
                        "ground": "Product wordt afgeschaft",
                        "requested_on": "2026-10-01",
                    },
                )
            )
        for k in range(2):
            records.append(
                _rec(
                    "delay",
                    f"dl-{i}-{k}",
                    {
                        "scope_kind": "product",
                        "scope_id": f"p-{i}-{k + 3}",
                        "subject": "vms",
                        "original_date": "2027-06-30",
                        "new_date": "2027-12-31",
                        "reason": "Leverancier",
                        "requested_on": "2026-10-02",
                    },
                )
            )
            records.append(
                _rec(
                    "bottleneck",
                    f"bn-{i}-{k}",
                    {
                        "scope_kind": "agency",
                        "block": rng.choice(BLOCKS),
                        "description": "Wacht op de leverancier",
                        "bottleneck_kind": rng.choice(["technical", "dependency"]),
                        "reported_on": "2026-09-15",
                    },
                )
            )
        for start in range(0, len(records), 1000):
            batch = records[start : start + 1000]
            store.push(ovo, str(uuid.uuid4()), str(uuid.uuid4()), batch, None)
        if i % 2 == 0:
            content = json.dumps({"cofinancing": {"eligibility": {"eligible_total": 1000.0 * i}}})
            store.put_submission(
                ovo,
                {
                    "id": f"sub-{i}",
                    "version": 1,
                    "created_at": "2026-11-02T09:00:00Z",
                    "author": "bench",
                    "updated_at": "",
                    "sha256": hashlib.sha256(content.encode()).hexdigest(),
                    "content": content,
                },
                "bench",
            )
    store.close()
    return admin


def start_tracker(db: Path) -> tuple[subprocess.Popen, str]:
    import httpx
    from load_tracker import free_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "elo_tracker", "serve", "--db", str(db), "--port", str(port),
         "--no-access-log"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url + "/v1/health", timeout=0.5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            proc.terminate()
            raise SystemExit("tracker did not start")
        time.sleep(0.05)


def _summary(label: str, values: list[float]) -> str:
    values = sorted(values)
    p95 = values[max(int(len(values) * 0.95) - 1, 0)]
    return (
        f"{label:46} n={len(values):3}  median {statistics.median(values):6.1f} ms  "
        f"p95 {p95:6.1f} ms  max {values[-1]:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--agencies", type=int, default=120)
    parser.add_argument("--products", type=int, default=20_000)
    args = parser.parse_args()
    py = sys.executable
    tmp = Path(tempfile.mkdtemp(prefix="elo-bench-programme-"))
    db = tmp / "tracker.db"
    t0 = time.perf_counter()
    admin = fill_tracker(db, args.agencies, args.products)
    print(f"tracker filled: {args.agencies} agencies, {args.products} products "
          f"in {time.perf_counter() - t0:.1f} s")  # fmt: skip
    proc, url = start_tracker(db)
    try:
        from elo_tui.services import programme as service

        tracker = service.Tracker(url, admin)
        t0 = time.perf_counter()
        snap = tracker.fetch()
        fetch_s = time.perf_counter() - t0
        tracker.close()
        path = service.save_snapshot(tmp, snap)
    finally:
        proc.terminate()
        proc.wait(10)
    print(
        f"snapshot: {len(snap.agencies)} agencies, "
        f"{snap.overview['totals']['products']} products, fetched in {fetch_s:.1f} s, "
        f"{path.stat().st_size / 1024:.0f} KiB on disk"
    )
    env = subject_environ(TERM="xterm-256color", ELO_TUI_EXIT_WHEN_READY="1")
    env.pop(service.ENV_ADMIN_TOKEN, None)
    subjects = {
        "bare DataTable (50 rijen)": [py, str(HERE / "bare_app.py")],
        "elo-tui programma (offline)": [
            py, "-m", "elo_tui", "--state-dir", str(tmp), "programma", "--offline"
        ],
    }  # fmt: skip
    for argv in subjects.values():  # warm the page cache and .pyc files
        run_counting(argv, env)
    results: dict[str, list[tuple[float, int, float, int]]] = {k: [] for k in subjects}
    for _ in range(args.runs):
        for label, argv in subjects.items():
            results[label].append(run_counting(argv, env))
    bare = results["bare DataTable (50 rijen)"]
    base = [statistics.median(r[i] for r in bare) for i in range(4)]
    print(f"\nStart-up to a painted frame, median of {args.runs} alternating runs "
          f"(pty 120x40, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f})")  # fmt: skip
    print(
        f"{'subject':30} {'wall (s)':>9} {'x bare':>7} {'CPU (s)':>8} {'x bare':>7} "
        f"{'peak RSS (MiB)':>15} {'x bare':>7} {'bytes out':>10}"
    )
    for label, rows in results.items():
        t, m, c, b = (statistics.median(r[i] for r in rows) for i in range(4))
        print(
            f"{label:30} {t:9.3f} {t / base[0]:7.2f} {c:8.3f} {c / base[2]:7.2f} "
            f"{m / 1024:15.1f} {m / base[1]:7.2f} {b:10.0f}"
        )
    live_env = {k: v for k, v in env.items() if k != "ELO_TUI_EXIT_WHEN_READY"}
    argv = subjects["elo-tui programma (offline)"]
    moving = [b"\x1b[B"] * 30 + [b"\x1b[A"] * 10
    first_move, settled_move = keystroke_latencies(argv, live_env, moving)
    text = b"agentschap 1"
    typing = [b"/"] + [bytes([c]) for c in text] + [b"\x7f"] * len(text)
    first_type, settled_type = keystroke_latencies(argv, live_env, typing)
    base_first, base_settled = keystroke_latencies(subjects["bare DataTable (50 rijen)"],
                                                   live_env, [b"\x1b[B"] * 30)  # fmt: skip
    print()
    for label, values in (
        ("entity list cursor up/down: first frame", first_move),
        ("entity list cursor up/down: settled", settled_move),
        ("entity filter keystroke: first frame", first_type[1:]),
        ("entity filter keystroke: settled", settled_type[1:]),
        ("bare DataTable cursor-down: first frame", base_first),
        ("bare DataTable cursor-down: settled", base_settled),
    ):
        print(_summary(label, values))


if __name__ == "__main__":
    main()
