"""Kill trials: SIGKILL at random moments, then check that nothing was corrupted or lost.

    .venv/bin/python bench/kill_trials.py [--per-op 20] [--seed 1] [--faults 60]

Part 1 kills real `elo-tui` processes (and an editing process) at random moments across
six operations: first import on a fresh machine, edits, push, pull, freeze (`submission
create`) and export. A real tracker runs as its own process on 127.0.0.1
(`elo-tracker serve`). After every kill:
- the workspace passes `PRAGMA integrity_check`;
- no confirmed edit is lost (an edit counts once the editing process printed its id,
  which it does only after COMMIT; earlier edits of the run must all still be there);
- import: no workspace, or one with its agency (never one without);
- push/pull: a sync run to the end afterwards leaves the tracker with exactly the
  workspace's records (same (kind, id) set: a repeated push never duplicates) and
  nothing waiting;
- freeze: every stored submission still matches its SHA-256, versions are unique;
- export: every file in the folder is complete (parses), a killed export's temporary
  file is clearly named and the next export removes it.

Part 2 runs syncs in-process against the tracker with injected faults (500, 503, 429 with
Retry-After, dropped connections before and after the tracker handled the request,
truncated bodies) and checks the same end state.

Both parts print counts; bench/RESULTS.md records a run. Not part of the test suite
(tests/test_import_kill.py and tests/test_durability.py are its small, fast versions).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

from elo_tracker.store import TrackerStore  # noqa: E402
from elo_tui.domain.records import RECORD_KINDS, Product  # noqa: E402
from elo_tui.store import Workspace, workspace_exists  # noqa: E402

OVO = "OVO099998"  # the agency bench/generate.py makes

EDITOR = """
import sys
from elo_tui.domain.records import Product
from elo_tui.store import Workspace
ws = Workspace.open(sys.argv[1], user="kill-trials")
n = 0
while True:
    p = Product(name=f"{sys.argv[2]} {n}", yearly_volume=n)
    ws.save(p)                      # returns only after COMMIT
    print(p.id, flush=True)         # now the edit is confirmed
    n += 1
"""


# -- helpers ---------------------------------------------------------------------------------


def elo(*args: str) -> list[str]:
    return [sys.executable, "-m", "elo_tui", *args]


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def local_keys(path: Path) -> set[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        keys = set()
        for kind in RECORD_KINDS:
            keys |= {(kind, r[0]) for r in conn.execute(f'SELECT id FROM "{kind}"')}
        return keys
    finally:
        conn.close()


def dirty_count(path: Path) -> int:
    with Workspace.open(path) as ws:
        return ws.count_dirty()


def tracker_keys(db: Path) -> set[tuple[str, str]]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT kind, id FROM records WHERE workspace = ?", (OVO,))
        return {(k, i) for k, i in rows}
    finally:
        conn.close()


def run_and_kill(cmd: list[str], env: dict, delay: float) -> tuple[list[str], bool, int]:
    """Start `cmd`, SIGKILL it after `delay` s; (stdout lines, killed mid-run, exit code)."""
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    time.sleep(delay)
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    out = proc.stdout.read()
    proc.wait()
    return out.splitlines(), killed, proc.returncode


def run_to_end(cmd: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)


def timed(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    run_to_end(cmd, env)
    return time.perf_counter() - t0


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_tracker(db: Path, port: int) -> subprocess.Popen:
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
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=0.5).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("tracker did not start")


def attempts(t: Tally, op: str, per_op: int):
    """Trial numbers until `per_op` kills landed mid-run (at most 2 x per_op trials):
    under load a process sometimes finishes before its kill."""
    i = 0
    while t.counts[f"{op} kills"] < per_op and i < 2 * per_op:
        yield i
        i += 1


class Tally:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.failures: list[str] = []

    def check(self, ok: bool, what: str) -> None:
        self.counts["checks"] += 1
        if not ok:
            self.failures.append(what)
            print(f"  FAIL: {what}", flush=True)


# -- part 1: kills ---------------------------------------------------------------------------


def csv_text(n: int) -> str:
    lines = ["Productnaam;IPDC-nummer;Type;Aanvraagtoepassing;Jaarvolume"]
    for i in range(n):
        lines.append(f"Product {i};{100000 + i};Subsidie;Loket {i % 30};{1000 + i}")
    return "\r\n".join(lines) + "\r\n"


def trial_import(tmp: Path, env: dict, rng: random.Random, t: Tally, per_op: int) -> None:
    csv = tmp / "producten.csv"
    csv.write_text(csv_text(1500), encoding="utf-8")
    span = timed(elo("import", str(csv), "--state-dir", str(tmp / "imp-cal")), env)
    for i in attempts(t, "import", per_op):
        state = tmp / f"imp{i}"
        _, killed, _ = run_and_kill(
            elo("import", str(csv), "--state-dir", str(state)), env, rng.uniform(0.05, 1.0) * span
        )
        t.counts["import kills" if killed else "import finished before the kill"] += 1
        path = state / "werkruimte.sqlite"
        if not workspace_exists(path):
            t.counts["import: nothing left"] += 1
            continue
        t.check(integrity(path) == "ok", f"import {i}: integrity")
        with Workspace.open(path) as ws:
            t.check(ws.agency() is not None, f"import {i}: workspace without agency")
            n = ws.count(Product)
        t.check(n in (0, 1500), f"import {i}: {n} of 1500 products (not all or nothing)")
        t.counts["import: complete workspace"] += 1
        if i % 5 == 0:  # running it again finishes the job and removes any leftover
            r = run_to_end(elo("import", str(csv), "--state-dir", str(state)), env)
            t.check(r.returncode == 0, f"import {i}: rerun exit {r.returncode}")
            t.check(not list(state.glob(".*creating*")), f"import {i}: leftover after rerun")


def trial_edits(tmp: Path, env: dict, rng: random.Random, t: Tally, per_op: int) -> None:
    path = tmp / "edits.sqlite"
    generate(path, 200).close()
    confirmed: list[str] = []
    for i in attempts(t, "edit", per_op):
        lines, killed, _ = run_and_kill(
            [sys.executable, "-c", EDITOR, str(path), f"edit {i}"], env, rng.uniform(0.4, 1.5)
        )
        t.counts["edit kills" if killed else "edit finished before the kill"] += 1
        confirmed += [line.strip() for line in lines if line.strip()]
        t.check(integrity(path) == "ok", f"edits {i}: integrity")
        have = {k[1] for k in local_keys(path) if k[0] == "product"}
        lost = [c for c in confirmed if c not in have]
        t.check(not lost, f"edits {i}: {len(lost)} confirmed edits lost")
    t.counts["edits confirmed (all found after the kills)"] = len(confirmed)


def trial_sync(tmp: Path, env: dict, rng: random.Random, t: Tally, per_op: int) -> None:
    db = tmp / "tracker.db"
    store = TrackerStore.open(db)
    token = store.add_agency("Bench-agentschap", OVO)
    store.close()
    port = free_port()
    tracker = start_tracker(db, port)
    senv = {
        **env,
        "ELO_TUI_TRACKER_URL": f"http://127.0.0.1:{port}",
        "ELO_TUI_TRACKER_TOKEN": token,
    }
    state = tmp / "sync"
    state.mkdir()
    main = state / "hoofd.sqlite"
    generate(main, 600).close()
    push = elo("sync", "--state-dir", str(state), "--workspace", "hoofd")
    try:
        span = 0.0
        # push: the first trial pushes everything, later ones 150 edits
        for i in attempts(t, "push", per_op):
            if i:
                with Workspace.open(main, user="bench") as ws:
                    changed = rng.sample(ws.list(Product), 150)
                    for p in changed:
                        p.notes = f"push {i}"
                    ws.save_many(changed)
            if i == 1:  # calibrate on a push like the following ones, then kill within it
                span = timed(push, senv)
                ws = Workspace.open(main, user="bench")
                ws.save_many(changed)  # the same edits again, to push in this trial
                ws.close()
            first = i == 0
            delay = rng.uniform(0.3, 1.5) if first else rng.uniform(0.1, 0.9) * span
            _, killed, _ = run_and_kill(push, senv, delay)
            t.counts["push kills" if killed else "push finished before the kill"] += 1
            t.check(integrity(main) == "ok", f"push {i}: integrity")
            r = run_to_end(push, senv)
            t.check(r.returncode == 0, f"push {i}: completing sync exit {r.returncode}")
            t.check(dirty_count(main) == 0, f"push {i}: records still waiting")
            t.check(tracker_keys(db) == local_keys(main), f"push {i}: tracker != workspace")
            t.check(integrity(db) == "ok", f"push {i}: tracker integrity")
        expected = local_keys(main)
        Workspace.open(state / "cal.sqlite", create=True, user="b").close()
        pull_span = timed(elo("sync", "--state-dir", str(state), "--workspace", "cal"), senv)
        for i in attempts(t, "pull", per_op):  # pull everything into a fresh workspace
            name = f"pull{i}"
            Workspace.open(state / f"{name}.sqlite", create=True, user="b").close()
            pull = elo("sync", "--state-dir", str(state), "--workspace", name)
            _, killed, _ = run_and_kill(pull, senv, rng.uniform(0.1, 0.9) * pull_span)
            t.counts["pull kills" if killed else "pull finished before the kill"] += 1
            path = state / f"{name}.sqlite"
            t.check(integrity(path) == "ok", f"pull {i}: integrity")
            r = run_to_end(pull, senv)
            t.check(r.returncode == 0, f"pull {i}: completing sync exit {r.returncode}")
            t.check(local_keys(path) == expected, f"pull {i}: not all records pulled")
            t.check(tracker_keys(db) == expected, f"pull {i}: tracker changed by a pull")
    finally:
        tracker.terminate()
        tracker.wait(10)


def trial_freeze_export(tmp: Path, env: dict, rng: random.Random, t: Tally, per_op: int) -> None:
    from elo_tui.services import submission as service

    state = tmp / "demo"
    base = ["--demo", "--state-dir", str(state)]
    run_to_end(elo(*base, "report"), env)  # creates the demo workspace
    path = state / "demo.sqlite"
    create = elo(*base, "submission", "create")
    span = timed(create, env)
    for i in attempts(t, "freeze", per_op):
        with Workspace.open(path, user="bench") as ws:
            p = ws.list(Product)[0]
            p.notes = f"versie {i}"
            ws.save(p)
        _, killed, _ = run_and_kill(create, env, rng.uniform(0.3, 1.0) * span)
        t.counts["freeze kills" if killed else "freeze finished before the kill"] += 1
        t.check(integrity(path) == "ok", f"freeze {i}: integrity")
        with Workspace.open(path) as ws:
            subs = service.list_submissions(ws)
            versions = [s.version for s in subs]
            t.check(len(versions) == len(set(versions)), f"freeze {i}: duplicate versions")
            t.check(all(service.verify(s, ws=ws) for s in subs), f"freeze {i}: SHA-256 mismatch")
            note = ws.list(Product)[0].notes if ws.list(Product) else ""
            t.check(note == f"versie {i}", f"freeze {i}: the edit before it was lost")
    t.counts["submissions stored"] = len(versions)
    out = tmp / "export"
    export = elo(*base, "export", "--format", "all", "--out", str(out))
    span = timed(export, env)
    for i in attempts(t, "export", per_op):
        _, killed, _ = run_and_kill(export, env, rng.uniform(0.3, 1.0) * span)
        t.counts["export kills" if killed else "export finished before the kill"] += 1
        temps = [p for p in out.iterdir() if ".elo-export-" in p.name]
        t.counts["export: temporary files left by a kill"] += len(temps)
        for f in out.iterdir():
            if f in temps:
                continue
            try:
                if f.suffix == ".json":
                    json.loads(f.read_text(encoding="utf-8"))
                elif f.suffix == ".toml":
                    tomllib.loads(f.read_text(encoding="utf-8"))
                elif f.suffix == ".xlsx":
                    with zipfile.ZipFile(f) as z:
                        assert z.testzip() is None
                else:
                    assert f.read_text(encoding="utf-8").strip()
                ok = True
            except Exception:  # noqa: BLE001 - any failure to parse is what we count
                ok = False
            t.check(ok, f"export {i}: {f.name} incomplete")
        if temps:
            r = run_to_end(export, env)
            left = [p for p in out.iterdir() if ".elo-export-" in p.name]
            t.check(r.returncode == 0 and not left, f"export {i}: temporary not cleaned")
    t.check(integrity(path) == "ok", "demo integrity after exports")


# -- part 2: faults --------------------------------------------------------------------------


class Truncator:
    """ASGI wrapper: the next `pending` answers lose the second half of their body."""

    def __init__(self, app) -> None:
        self.app = app
        self.pending = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or self.pending <= 0:
            await self.app(scope, receive, send)
            return
        self.pending -= 1
        start: dict = {}
        body = bytearray()

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))

        await self.app(scope, receive, capture)
        headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": bytes(body[: len(body) // 2])})


def fault_run(tmp: Path, rounds: int, rng: random.Random, t: Tally) -> Counter:
    from elo_tui.sync.client import RetryPolicy, SyncError, TrackerClient
    from elo_tui.sync.engine import SyncEngine

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from tracker_testing import ServerThread, tracker_app

    db = tmp / "fault-tracker.db"
    store = TrackerStore.open(db)
    token = store.add_agency("Bench-agentschap", OVO)
    store.close()
    injector, _ = tracker_app(db)
    truncator = Truncator(injector)
    path = tmp / "fault.sqlite"
    generate(path, 300).close()
    outcomes: Counter[str] = Counter()
    kinds = ["500", "503", "429", "drop_before", "drop_after", "truncate"]
    with ServerThread(truncator) as server, Workspace.open(path, user="bench") as ws:
        for i in range(rounds):
            products = ws.list(Product)
            for p in rng.sample(products, 20):
                p.notes = f"fout {i}"
                ws.save(p)
            kind = rng.choice(kinds)
            times = rng.randint(1, 3)
            if kind == "truncate":
                truncator.pending = times
            else:
                injector.inject(kind, times, retry_after="0" if kind in ("429", "503") else None)
            outcomes[f"injected {kind}"] += times
            client = TrackerClient(
                server.url,
                token,
                retry=RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.01),
                sleep=lambda s: None,
            )
            try:
                with client:
                    SyncEngine(ws, client).run()
                outcomes["syncs ok"] += 1
            except SyncError as exc:
                outcomes[f"syncs failed cleanly ({type(exc).__name__})"] += 1
            except Exception as exc:  # noqa: BLE001 - a crash is what we count
                outcomes[f"syncs crashed ({type(exc).__name__})"] += 1
                t.check(False, f"fault round {i}: {type(exc).__name__}: {exc}")
            injector.clear()
            truncator.pending = 0
            t.check(ws.integrity_check() == "ok", f"fault round {i}: integrity")
        with TrackerClient(server.url, token) as client:
            SyncEngine(ws, client).run()
        t.check(ws.count_dirty() == 0, "faults: records still waiting after a clean sync")
    t.check(tracker_keys(db) == local_keys(path), "faults: tracker != workspace")
    t.check(integrity(db) == "ok", "faults: tracker integrity")
    return outcomes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-op", type=int, default=20, help="kills that land mid-run, per operation")
    ap.add_argument("--faults", type=int, default=60, help="sync rounds with injected faults")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    t = Tally()
    env = {**os.environ, "ELO_TUI_USER": "bench"}
    for var in ("ELO_TUI_STATE_DIR", "ELO_TUI_WORKSPACE"):
        env.pop(var, None)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for part in (trial_import, trial_edits, trial_sync, trial_freeze_export):
            print(f"{part.__name__} …", flush=True)
            part(tmp, env, rng, t, args.per_op)
        print("fault run …", flush=True)
        faults = fault_run(tmp, args.faults, rng, t)
    kills = sum(v for k, v in t.counts.items() if k.endswith(" kills"))
    print(f"\nSIGKILLs that landed mid-run: {kills}  ({time.perf_counter() - t0:.0f} s)")
    for key, value in sorted(t.counts.items()):
        print(f"  {key}: {value}")
    print("fault injection:")
    for key, value in sorted(faults.items()):
        print(f"  {key}: {value}")
    print(f"checks: {t.counts['checks']}, failures: {len(t.failures)}")
    for failure in t.failures:
        print(f"  {failure}")
    raise SystemExit(1 if t.failures else 0)


if __name__ == "__main__":
    main()
