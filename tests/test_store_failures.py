"""Failures that are not damage get their own Dutch message, and nothing is lost.

A read-only workspace is simulated by making `_writable` say no (the tests run as root,
for whom file modes do not stop writes); from there everything is real: the workspace
is opened through SQLite's read-only mode and SQLite itself refuses the writes. A full
disk is real too: SQLite's `max_page_count` caps the file, and SQLite raises SQLITE_FULL
exactly as it does when the file system is full.
"""

from __future__ import annotations

import sqlite3

import pytest

from elo_tui.domain.records import Agency, Product
from elo_tui.store import (
    Workspace,
    WorkspaceError,
    WorkspaceFullError,
    WorkspaceReadOnlyError,
    workspace_exists,
)
from elo_tui.store import workspace as store_module


@pytest.fixture
def ws_path(tmp_path):
    path = tmp_path / "ws.sqlite"
    with Workspace.create(path, [Agency(name="Agentschap")], user="t") as ws:
        ws.save(Product(name="Bestaand product"))
    return path


@pytest.fixture
def not_writable(monkeypatch):
    monkeypatch.setattr(store_module, "_writable", lambda path: False)


def test_read_only_workspace_opens_for_reading_and_refuses_edits_with_its_own_message(
    ws_path, not_writable
):
    with Workspace.open(ws_path) as ws:
        assert ws.read_only
        assert [p.name for p in ws.list(Product)] == ["Bestaand product"]
        with pytest.raises(WorkspaceReadOnlyError, match="alleen-lezen") as caught:
            ws.save(Product(name="Nieuw"))
        assert "beschadigd" not in str(caught.value)
        assert "reservekopie" not in str(caught.value)
        with ws.writer() as worker:  # a worker's own connection is read-only too
            assert worker.read_only
            with pytest.raises(WorkspaceReadOnlyError):
                worker.set_meta("k", "v")
    with Workspace.open(ws_path) as ws:
        assert ws.count(Product) == 1


def test_sqlite_refusing_a_write_on_a_read_only_file_is_reported_as_read_only(ws_path):
    # Past our own guard, SQLite's SQLITE_READONLY is translated, not called damage.
    with Workspace.open(ws_path, read_only=True) as ws:
        ws.read_only = False
        with pytest.raises(WorkspaceReadOnlyError, match="alleen-lezen"):
            ws.save(Product(name="Nieuw"))


def test_report_on_a_read_only_workspace_works(ws_path, not_writable, capsys):
    from elo_tui.cli import main

    code = main(
        ["report", "--state-dir", str(ws_path.parent), "--workspace", ws_path.stem, "--json"]
    )
    assert code == 0, capsys.readouterr().err
    assert '"agency": "Agentschap"' in capsys.readouterr().out


def test_full_disk_gets_its_own_message_and_keeps_every_earlier_edit(ws_path):
    with Workspace.open(ws_path) as ws:
        pages = ws.conn.execute("PRAGMA page_count").fetchone()[0]
        ws.conn.execute(f"PRAGMA max_page_count = {pages}")
        big = "x" * 200_000  # needs pages the file may not grow to
        with pytest.raises(WorkspaceFullError, match="Schijf vol") as caught:
            ws.save(Product(name="Te groot", description=big))
        assert "beschadigd" not in str(caught.value).replace("niet beschadigd", "")
        assert not ws.conn.in_transaction
        ws.conn.execute(f"PRAGMA max_page_count = {pages * 100}")
        ws.save(Product(name="Na het vrijmaken"))  # the same connection works on
    with Workspace.open(ws_path) as ws:
        assert sorted(p.name for p in ws.list(Product)) == ["Bestaand product", "Na het vrijmaken"]
        assert ws.integrity_check() == "ok"


def test_a_zero_byte_file_counts_as_absent_and_is_created_over(tmp_path):
    path = tmp_path / "leeg.sqlite"
    path.write_bytes(b"")
    assert not workspace_exists(path)
    with pytest.raises(WorkspaceError, match="leeg"):
        Workspace.open(path)
    with Workspace.create(path, [Agency(name="Nieuw agentschap")]) as ws:
        assert ws.agency().name == "Nieuw agentschap"
    assert workspace_exists(path)
    assert path.stat().st_mode & 0o777 == 0o600


def test_create_refuses_an_existing_workspace_and_leaves_it_alone(ws_path):
    before = ws_path.stat().st_size
    with pytest.raises(WorkspaceError, match="bestaat al"):
        Workspace.create(ws_path, [Agency(name="Ander")])
    with Workspace.open(ws_path) as ws:
        assert ws.agency().name == "Agentschap"
    assert ws_path.stat().st_size == before
    assert not list(ws_path.parent.glob(".*creating*"))


def test_create_removes_the_temporary_file_a_killed_creation_left(tmp_path):
    path = tmp_path / "ws.sqlite"
    dead = tmp_path / ".ws.sqlite.creating-999999999"  # no such process
    dead.write_bytes(b"half")
    with Workspace.create(path, [Agency(name="A")]):
        pass
    assert not dead.exists()
    assert not list(tmp_path.glob(".*creating*"))


def test_busy_workspace_says_busy_not_damaged(ws_path):
    other = sqlite3.connect(ws_path)
    other.execute("BEGIN IMMEDIATE")
    try:
        with Workspace.open(ws_path) as ws:
            ws.conn.execute("PRAGMA busy_timeout = 50")
            with pytest.raises(WorkspaceError, match="bezet") as caught:
                ws.save(Product(name="Nieuw"))
            assert "beschadigd" not in str(caught.value)
    finally:
        other.rollback()
        other.close()


def test_a_folder_or_device_is_refused_without_touching_it(tmp_path):
    with pytest.raises(WorkspaceError, match="map"):
        Workspace.open(tmp_path)
    with pytest.raises(WorkspaceError, match="geen gewoon bestand"):
        Workspace.open("/dev/null")


async def test_tui_on_a_read_only_workspace_says_so_and_an_edit_gets_a_clear_message(
    ws_path, not_writable, state_dir
):
    from elo_tui.app import EloApp
    from elo_tui.config import Settings
    from elo_tui.screens.inventory import InventoryScreen
    from elo_tui.screens.product_form import ProductForm

    settings = Settings.resolve(str(ws_path.parent), ws_path.stem)
    ws = Workspace.open(ws_path, user="t")
    app = EloApp(settings, ws, start_mode="inventory")
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "alleen-lezen" in app.status_text()
        assert any("alleen-lezen" in str(n.message) for n in app._notifications)
        assert isinstance(app.screen, InventoryScreen)
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ProductForm)
        form.query_one("#f-name").value = "Gewijzigd"
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is form  # the form stays open with what was typed
        messages = [str(n.message) for n in app._notifications]
        assert any("alleen-lezen" in m and "niet bewaard" in m for m in messages), messages
        assert not any("beschadigd" in m for m in messages)
    assert not app.return_code  # no crash
    with Workspace.open(ws_path) as check:
        assert [p.name for p in check.list(Product)] == ["Bestaand product"]


def test_a_zero_byte_workspace_can_be_created_over_by_name(settings):
    from elo_tui.services import workspaces

    (settings.state_dir / "leeg.sqlite").write_bytes(b"")
    assert workspaces.new_name_problem(settings, "leeg") is None
    with workspaces.create(settings, Agency(name="Agentschap"), "leeg") as ws:
        assert ws.agency().name == "Agentschap"
    assert workspaces.new_name_problem(settings, "leeg") is not None  # now it exists
