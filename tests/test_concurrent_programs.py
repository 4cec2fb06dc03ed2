"""A second program opening the same workspace never corrupts it (POSIX locks).

The app holds a write connection and a reader, and its workers open more connections
through `Workspace.open` while other programs (`elo-tui report`, another TUI) open, read
and close the file. If any of these opened the file outside SQLite, closing that
descriptor would drop the app's locks and the last program to close would delete the
-wal and -shm files under the app: "disk I/O error", lost edits, a malformed file.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

from elo_tui.domain.records import Agency
from elo_tui.store import Workspace

# The app: main write connection + a reader held open for the whole run; every round a
# worker opens its own connection (ws.writer(), i.e. Workspace.open) and saves, and the
# main connection saves too. Prints the number of confirmed saves, or the error.
APP = textwrap.dedent(
    """
    import sys, time
    from elo_tui.domain.records import Product
    from elo_tui.store import Workspace
    ws = Workspace.open(sys.argv[1], user="app")
    reader = ws.reader()
    reader.count(Product)
    saved = 0
    try:
        for i in range(int(sys.argv[2])):
            worker = ws.writer()
            worker.save(Product(name=f"worker {i}"))
            worker.close()
            saved += 1
            ws.save(Product(name=f"main {i}"))
            saved += 1
            reader.count(Product)
            time.sleep(0.005)
    except Exception as exc:
        print(f"ERROR {type(exc).__name__}: {exc}", flush=True)
    print(f"SAVED {saved}", flush=True)
    reader.close()
    ws.close()
    """
)

# Another program: open, read, close, again and again, through the real code path.
OTHER = textwrap.dedent(
    """
    import sys, time
    from elo_tui.domain.records import Product
    from elo_tui.store import Workspace, WorkspaceError
    deadline = time.monotonic() + float(sys.argv[2])
    while time.monotonic() < deadline:
        try:
            with Workspace.open(sys.argv[1], user="other") as ws:
                ws.count(Product)
        except WorkspaceError:
            pass  # busy for a moment is fine; what matters is the app's file
    """
)

# Another program checks the file and reads one product's name.
CHECK = textwrap.dedent(
    """
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1])
    print(conn.execute("PRAGMA integrity_check").fetchone()[0])
    row = conn.execute("SELECT name FROM product WHERE id = ?", (sys.argv[2],)).fetchone()
    print(row[0].replace(" ", "_") if row else "missing")
    """
)


def test_other_programs_opening_the_workspace_never_lose_or_corrupt_the_apps_writes(tmp_path):
    path = tmp_path / "ws.sqlite"
    Workspace.create(path, [Agency(name="Agentschap")], user="t").close()
    rounds = 150
    others = [subprocess.Popen([sys.executable, "-c", OTHER, str(path), "12"]) for _ in range(2)]
    try:
        app = subprocess.run(
            [sys.executable, "-c", APP, str(path), str(rounds)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        for proc in others:
            proc.kill()
            proc.wait()
    assert "ERROR" not in app.stdout, app.stdout
    assert f"SAVED {2 * rounds}" in app.stdout, app.stdout + app.stderr
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM product").fetchone()[0] == 2 * rounds
    finally:
        conn.close()


async def test_tui_edit_after_a_concurrent_report_is_kept_and_the_file_stays_sound(
    demo_ws, settings
):
    from elo_tui.app import EloApp
    from elo_tui.screens.inventory import InventoryScreen
    from elo_tui.widgets.virtual_table import VirtualTable

    app = EloApp(settings, demo_ws)  # the dashboard: its worker opens its own connection
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        report = subprocess.run(
            [sys.executable, "-m", "elo_tui", "report", "--state-dir", str(settings.state_dir)]
            + ["--demo"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert report.returncode == 0, report.stderr
        await pilot.press("2")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, InventoryScreen)
        product_id = app.screen.query_one(VirtualTable).current.id
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#f-name").value = "Na het rapport bewerkt"
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, InventoryScreen)
        # Checked by another program while the TUI still runs: once the TUI closes, its
        # last connection would checkpoint even a WAL that was deleted under it.
        seen = subprocess.run(
            [sys.executable, "-c", CHECK, str(demo_ws.path), product_id],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert seen.stdout.split() == ["ok", "Na_het_rapport_bewerkt"], seen.stdout + seen.stderr
