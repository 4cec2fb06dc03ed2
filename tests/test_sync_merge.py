"""Field-wise merge with the base copy, saves from stale record objects, and what comes
back with a product when a removal loses against an edit: two workspaces against one
real tracker (uvicorn on 127.0.0.1)."""

from __future__ import annotations

import pytest

from elo_tui.domain.records import BlockStatus, ChecklistItem, Product
from elo_tui.services.inventory import delete_product
from elo_tui.store import Workspace
from elo_tui.sync import conflicts
from elo_tui.sync.engine import SyncEngine
from test_sync_engine import (  # noqa: F401
    agency,
    client,
    new_ws,
    server_records,
    sync,
    tracker,
)

pytest.importorskip("fastapi")


def two_synced(tracker, agency, tmp_path):  # noqa: F811
    server, _, _ = tracker
    ovo, token = agency
    a, b = new_ws(tmp_path, "a", ovo, user="an"), new_ws(tmp_path, "b", user="bo")
    sync(a, server, token)
    sync(b, server, token)
    return server, token, a, b


def test_edits_to_different_fields_on_two_laptops_merge_without_a_conflict(
    tracker,  # noqa: F811
    agency,  # noqa: F811
    tmp_path,
):
    server, token, a, b = two_synced(tracker, agency, tmp_path)
    pid = a.list(Product)[0].id
    pa, pb = a.get(Product, pid), b.get(Product, pid)
    pa.notes = "notitie van An"
    a.save(pa)
    pb.yearly_volume = 4321
    b.save(pb)
    sync(a, server, token)
    result = sync(b, server, token)  # pull sees An's edit while Bo's is unpushed
    assert (result.new_conflicts, result.conflicts, result.merged) == (0, 0, 1)
    sync(a, server, token)
    for ws in (a, b):
        p = ws.get(Product, pid)
        assert (p.notes, p.yearly_volume, p.dirty) == ("notitie van An", 4321, False)
    (on_tracker,) = [r for r in server_records(server, token, agency[0]) if r["id"] == pid]
    assert (on_tracker["data"]["notes"], on_tracker["data"]["yearly_volume"]) == (
        "notitie van An",
        4321,
    )


def test_same_field_changed_differently_is_a_conflict_on_that_field_only(
    tracker,  # noqa: F811
    agency,  # noqa: F811
    tmp_path,
):
    server, token, a, b = two_synced(tracker, agency, tmp_path)
    pid = a.list(Product)[0].id
    pa, pb = a.get(Product, pid), b.get(Product, pid)
    pa.name, pa.notes = "Naam van An", "notitie van An"
    a.save(pa)
    pb.name, pb.yearly_volume = "Naam van Bo", 99
    b.save(pb)
    sync(a, server, token)
    assert sync(b, server, token).conflicts == 1
    (c,) = conflicts.pending(b)
    assert conflicts.clashing_fields(b, c) == ("name",)
    # Choosing only the clashing field settles it; the rest merges by the base copy.
    conflicts.resolve(b, c, {"name": "theirs"})
    sync(b, server, token)
    sync(a, server, token)
    for ws in (a, b):
        p = ws.get(Product, pid)
        assert (p.name, p.notes, p.yearly_volume) == ("Naam van An", "notitie van An", 99)


def test_form_saved_after_a_sync_pushed_its_earlier_edit_is_not_a_conflict(
    tracker,  # noqa: F811
    agency,  # noqa: F811
    tmp_path,
):
    server, token, a, _ = two_synced(tracker, agency, tmp_path)
    pid = a.list(Product)[0].id
    first = a.get(Product, pid)
    first.notes = "eerste bewerking"
    a.save(first)
    form = a.get(Product, pid)  # a form opens: it holds the record at its old revision
    old_rev = form.rev
    sync(a, server, token)  # the first edit goes out: the stored revision moves on
    assert a.get(Product, pid).rev != old_rev
    form.description = "in het open formulier"
    a.save(form)
    result = sync(a, server, token)
    assert (result.conflicts, result.pushed) == (0, 1)
    p = a.get(Product, pid)
    assert (p.notes, p.description, p.dirty) == ("eerste bewerking", "in het open formulier", False)


def test_form_saved_after_a_sync_pulled_another_field_keeps_both_edits(
    tracker,  # noqa: F811
    agency,  # noqa: F811
    tmp_path,
):
    server, token, a, b = two_synced(tracker, agency, tmp_path)
    pid = a.list(Product)[0].id
    form = b.get(Product, pid)  # Bo's form is open...
    pa = a.get(Product, pid)
    pa.notes = "van An"
    a.save(pa)
    sync(a, server, token)
    sync(b, server, token)  # ...while An's edit arrives
    form.yearly_volume = 7
    b.save(form)
    assert sync(b, server, token).conflicts == 0
    sync(a, server, token)
    for ws in (a, b):
        p = ws.get(Product, pid)
        assert (p.notes, p.yearly_volume) == ("van An", 7)


def test_form_saved_after_a_sync_changed_the_same_field_is_a_real_conflict(
    tracker,  # noqa: F811
    agency,  # noqa: F811
    tmp_path,
):
    server, token, a, b = two_synced(tracker, agency, tmp_path)
    pid = a.list(Product)[0].id
    form = b.get(Product, pid)
    pa = a.get(Product, pid)
    pa.name = "Naam van An"
    a.save(pa)
    sync(a, server, token)
    sync(b, server, token)
    form.name = "Naam van Bo"
    b.save(form)
    assert sync(b, server, token).conflicts == 1
    (c,) = conflicts.pending(b)
    diffs = {d.name: (d.mine, d.theirs) for d in conflicts.field_diffs(b, c, only_different=True)}
    assert diffs == {"name": ("Naam van Bo", "Naam van An")}


@pytest.mark.parametrize("remover", ["theirs", "mine"])
def test_keeping_a_product_against_its_removal_brings_back_its_statuses_and_checklist(
    tracker,  # noqa: F811
    agency,  # noqa: F811
    tmp_path,
    remover,
):
    server, token, a, b = two_synced(tracker, agency, tmp_path)
    pid = a.list(Product)[0].id
    status = a.save(BlockStatus(scope_kind="product", scope_id=pid, block="acm_idm"))
    item = a.save(ChecklistItem(scope_kind="product", scope_id=pid, title="Stap 1"))
    sync(a, server, token)
    sync(b, server, token)
    # One side removes the product (with its statuses and checklist); the other edits it.
    remove_in, edit_in = (a, b) if remover == "theirs" else (b, a)
    delete_product(remove_in, pid)
    edited = edit_in.get(Product, pid)
    edited.notes = "nog nodig"
    edit_in.save(edited)
    sync(a, server, token)
    assert sync(b, server, token).conflicts == 1
    (c,) = conflicts.pending(b)
    # Said before the person decides (the conflict screen shows it).
    assert {r.id for r in conflicts.comes_back_with(b, c)} == {status.id, item.id}
    # The edit wins: "mine" when Bo edited, "theirs" when An edited.
    conflicts.resolve(b, c, "mine" if remover == "theirs" else "theirs")
    sync(b, server, token)
    sync(a, server, token)
    for ws in (a, b):
        assert not ws.get(Product, pid).deleted
        assert not ws.get(BlockStatus, status.id).deleted
        assert not ws.get(ChecklistItem, item.id).obsolete
        assert ws.count_dirty() == 0


def test_an_earlier_removal_of_a_status_is_not_undone(tracker, agency, tmp_path):  # noqa: F811
    server, token, a, b = two_synced(tracker, agency, tmp_path)
    pid = a.list(Product)[0].id
    kept = a.save(BlockStatus(scope_kind="product", scope_id=pid, block="acm_idm"))
    earlier = a.save(BlockStatus(scope_kind="product", scope_id=pid, block="dosis"))
    a.delete(BlockStatus, earlier.id)
    earlier_gone = a.get(BlockStatus, earlier.id)
    earlier_gone.updated_at = "2026-01-01T00:00:00.000000Z"  # removed long before
    a.put_synced([earlier_gone])
    sync(a, server, token)
    sync(b, server, token)
    delete_product(a, pid)
    edited = b.get(Product, pid)
    edited.notes = "nog nodig"
    b.save(edited)
    sync(a, server, token)
    sync(b, server, token)
    (c,) = conflicts.pending(b)
    conflicts.resolve(b, c, "mine")
    assert not b.get(BlockStatus, kept.id).deleted
    assert b.get(BlockStatus, earlier.id).deleted


def test_an_edit_made_while_its_batch_was_in_flight_still_merges_later(
    tracker,  # noqa: F811
    agency,  # noqa: F811
    tmp_path,
):
    server, token, a, b = two_synced(tracker, agency, tmp_path)
    pid = a.list(Product)[0].id
    p = a.get(Product, pid)
    p.name = "Nieuwe naam"
    a.save(p)
    tui = Workspace.open(a.path, user="an")  # the interface's own connection
    with client(server, token) as c:
        real_push = c.push

        def push_while_editing(w, body, key):
            q = tui.get(Product, pid)
            q.notes = "tijdens de sync"
            tui.save(q)
            return real_push(w, body, key)

        c.push = push_while_editing
        SyncEngine(a, c).run()
    tui.close()
    assert a.get(Product, pid).dirty  # the in-flight edit waits for the next push
    sync(b, server, token)
    other = b.get(Product, pid)
    other.yearly_volume = 12
    b.save(other)
    sync(b, server, token)
    result = sync(a, server, token)
    assert (result.conflicts, result.merged) == (0, 1)
    sync(b, server, token)
    for ws in (a, b):
        q = ws.get(Product, pid)
        assert (q.name, q.notes, q.yearly_volume) == ("Nieuwe naam", "tijdens de sync", 12)


def test_a_stale_save_whose_read_is_unknown_keeps_its_revision_for_the_tracker_to_judge(
    tmp_path,
):
    path = tmp_path / "w.sqlite"
    ws = Workspace.open(path, create=True)
    p = ws.save(Product(name="Oud"))
    p.rev, p.dirty = 1, False
    ws.put_synced([p])
    stale = ws.get(Product, p.id)
    newer = ws.get(Product, p.id)
    newer.rev, newer.name = 2, "Van de tracker"
    ws.put_synced([newer])
    stale.notes = "mijn notitie"
    with Workspace.open(path) as elsewhere:  # a connection that never read revision 1
        elsewhere.save(stale)
        kept = elsewhere.get(Product, p.id)
    assert (kept.rev, kept.name, kept.notes) == (1, "Oud", "mijn notitie")  # nothing merged
    # The connection that read revision 1 rebases: only the note is this person's edit.
    stale2 = Product(**{**stale.data(), "rev": 1, "dirty": False})
    stale2.notes = "tweede notitie"
    ws.put_synced([newer])
    ws.save(stale2)
    again = ws.get(Product, p.id)
    assert (again.rev, again.name, again.notes) == (2, "Van de tracker", "tweede notitie")
    ws.close()


def test_exemptions_and_delays_travel_like_any_record(tracker, agency, tmp_path):  # noqa: F811
    from elo_tui.domain.records import Delay, Exemption

    server, token, a, b = two_synced(tracker, agency, tmp_path)
    pid = a.list(Product)[0].id
    ex = a.save(Exemption(scope_id=pid, subject="acm_idm", ground="Geen loket nodig"))
    de = a.save(Delay(scope_id=pid, subject="dosis", new_date="2027-12-31", reason="Budget"))
    assert sync(a, server, token).pushed == 2
    sync(b, server, token)
    assert b.get(Exemption, ex.id).ground == "Geen loket nodig"
    assert b.get(Delay, de.id).new_date == "2027-12-31"
    assert a.count_dirty() == 0
