import os
import sqlite3
import stat

import pytest

from elo_tui.domain.records import (
    RECORD_KINDS,
    Agency,
    Application,
    BlockStatus,
    EstimateLine,
    Product,
)
from elo_tui.store import Workspace, WorkspaceError, schema


def test_every_record_kind_round_trips_with_its_field_types(tmp_path):
    ws = Workspace.open(tmp_path / "w.sqlite", create=True, user="an")
    for kind in RECORD_KINDS.values():
        rec = kind()
        ws.save(rec)
        back = ws.get(kind, rec.id)
        assert back == rec
    p = Product(name="X", themes=["a", "b"], yearly_volume=45000)
    ws.save(p)
    back = ws.get(Product, p.id)
    assert back.themes == ["a", "b"] and back.yearly_volume == 45000
    a = Agency(name="A", own_budget={"2026": 1000.5})
    ws.save(a)
    assert ws.get(Agency, a.id).own_budget == {"2026": 1000.5}
    b = BlockStatus(block="acm_idm", verified_central=True)
    ws.save(b)
    assert ws.get(BlockStatus, b.id).verified_central is True


def test_list_data_gives_every_record_its_own_decoded_values(tmp_path):
    """Equal JSON texts are decoded once (a large agency's themes), but no two records
    share a list: changing one product's themes leaves the others alone."""
    ws = Workspace.open(tmp_path / "w.sqlite", create=True, user="an")
    for name in ("A", "B", "C"):
        ws.save(Product(name=name, themes=["t1", "t2"], target_groups=["g"]))
    ws.save(Product(name="D", themes=[], to_check=["x"]))
    a = Agency(name="E", own_budget={"2026": 1.0})
    ws.save(a)
    ws.save(Agency(name="F", own_budget={"2026": 1.0}))
    products = ws.list_data(Product)
    assert sorted((p["name"], p["themes"], p["to_check"]) for p in products) == [
        ("A", ["t1", "t2"], []),
        ("B", ["t1", "t2"], []),
        ("C", ["t1", "t2"], []),
        ("D", [], ["x"]),
    ]
    by_name = {p["name"]: p for p in products}
    by_name["A"]["themes"].append("changed")
    assert [by_name[n]["themes"] for n in "BC"] == [["t1", "t2"]] * 2
    agencies = ws.list_data(Agency)
    agencies[0]["own_budget"]["2026"] = 9.0
    assert agencies[1]["own_budget"] == {"2026": 1.0}
    # the same dicts as records give, None values left out
    assert by_name["B"] == {
        k: v for k, v in ws.get(Product, by_name["B"]["id"]).data().items() if v is not None
    }


def test_save_stamps_author_time_and_marks_dirty(tmp_path):
    ws = Workspace.open(tmp_path / "w.sqlite", create=True, user="an")
    p = Product(name="X", dirty=False)
    ws.save(p)
    back = ws.get(Product, p.id)
    assert back.dirty is True and back.updated_by == "an" and back.updated_at.endswith("Z")
    assert back.rev is None


def test_delete_keeps_a_tombstone_hidden_from_lists(tmp_path):
    ws = Workspace.open(tmp_path / "w.sqlite", create=True)
    p = ws.save(Product(name="X"))
    ws.delete(Product, p.id)
    assert ws.list(Product) == []
    tomb = ws.get(Product, p.id)
    assert tomb.deleted and tomb.dirty
    assert [r.id for r in ws.dirty(Product)] == [p.id]


def test_put_synced_stores_server_versions_as_given(tmp_path):
    ws = Workspace.open(tmp_path / "w.sqlite", create=True)
    p = Product(name="Van de server", rev=7, dirty=False, updated_by="vlaio")
    ws.put_synced([p])
    assert ws.get(Product, p.id) == p
    assert ws.count_dirty() == 0


def test_failed_transaction_leaves_nothing_behind(tmp_path):
    ws = Workspace.open(tmp_path / "w.sqlite", create=True)
    with pytest.raises(RuntimeError):
        with ws.transaction():
            ws.save(Product(name="half"))
            raise RuntimeError("boom")
    assert ws.list(Product) == []


def test_workspace_file_is_owner_only_and_in_wal_mode(tmp_path):
    path = tmp_path / "w.sqlite"
    ws = Workspace.open(path, create=True)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert ws.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert ws.integrity_check() == "ok"


def test_missing_workspace_is_not_created_without_asking(tmp_path):
    with pytest.raises(WorkspaceError, match="bestaat niet"):
        Workspace.open(tmp_path / "nope.sqlite")
    assert not (tmp_path / "nope.sqlite").exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"name;type\nfoo;bar\n", "geen elo_tui-werkruimte"),
        (b"SQLite format 3\x00" + b"\xff" * 200, "beschadigd"),
        (b"", "leeg"),
    ],
)
def test_a_file_that_is_not_a_workspace_is_refused_and_left_untouched(tmp_path, content, message):
    path = tmp_path / "x.sqlite"
    path.write_bytes(content)
    with pytest.raises(WorkspaceError, match=message):
        Workspace.open(path)
    assert path.read_bytes() == content


def test_another_programs_sqlite_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(WorkspaceError, match="geen elo_tui-werkruimte"):
        Workspace.open(path)
    assert path.read_bytes() == before


def test_a_file_from_a_newer_version_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "w.sqlite"
    Workspace.open(path, create=True).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(WorkspaceError, match="nieuwere versie"):
        Workspace.open(path)
    assert path.read_bytes() == before


def test_migrations_run_forward_and_keep_a_backup(tmp_path, monkeypatch):
    path = tmp_path / "w.sqlite"
    ws = Workspace.open(path, create=True)
    ws.save(Application(name="Loket"))
    ws.close()

    def add_column(db):
        db["application"].add_column("contact", str)

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, add_column])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    ws = Workspace.open(path)
    assert ws.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    cols = [r[1] for r in ws.conn.execute("PRAGMA table_info(application)")]
    assert "contact" in cols
    assert [a.name for a in ws.list(Application)] == ["Loket"]
    assert (tmp_path / f"w.sqlite.v{schema.SCHEMA_VERSION - 1}.bak").exists()


def test_readiness_history_keeps_one_entry_per_day(tmp_path):
    ws = Workspace.open(tmp_path / "w.sqlite", create=True)
    ws.record_history("2026-11-01", {"conform": 1})
    ws.record_history("2026-11-01", {"conform": 2})
    ws.record_history("2026-11-02", {"conform": 3})
    assert ws.history() == [("2026-11-01", {"conform": 2}), ("2026-11-02", {"conform": 3})]


def test_a_version_1_workspace_gains_the_decision_rule_fields_with_their_defaults(tmp_path):
    """A file written by the first release (no exemption/delay tables, no new columns)
    opens with the new fields at their defaults and keeps its data."""
    path = tmp_path / "w.sqlite"
    ws = Workspace.open(path, create=True)
    app = ws.save(Application(name="Loket"))
    prod = ws.save(Product(name="Premie"))
    ws.close()
    conn = sqlite3.connect(path)
    # Indexes of later versions that name v2 columns go first (a v1 file had none).
    for index in ("idx_application_costs", "idx_estimate_line_totals"):
        conn.execute(f"DROP INDEX IF EXISTS {index}")
    for table, cols in {
        "agency": ["cofinancing_statements"],
        "application": ["is_new", "excluded", "exclusion_reason"],
        "product": ["to_check"],
        "block_status": ["waiting_on_block", "waiting_reason"],
        "estimate_line": ["eligible"],
    }.items():
        for col in cols:
            conn.execute(f'ALTER TABLE "{table}" DROP COLUMN "{col}"')
    conn.execute("DROP TABLE exemption")
    conn.execute("DROP TABLE delay")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()

    ws = Workspace.open(path)
    assert ws.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    back = ws.get(Application, app.id)
    assert back.name == "Loket" and back.is_new is False and back.excluded is False
    assert ws.get(Product, prod.id).to_check == []
    from elo_tui.domain.records import Delay, Exemption

    ws.save(Exemption(scope_id=prod.id, subject="sso", ground="x"))
    assert ws.count(Exemption) == 1 and ws.count(Delay) == 0
    assert (tmp_path / "w.sqlite.v1.bak").exists()


def test_a_version_2_workspace_renames_the_gericht_aanmelden_block_to_capacity_switch(tmp_path):
    """Gericht aanmelden is a requirement, not a block (beslissing 3°): the stored part
    becomes `capacity_switch` in statuses, checklists, estimate lines and exemptions, and
    the renamed rows go out with the next synchronisation. An exemption's subject stays:
    there "gericht_aanmelden" names the requirement."""
    from elo_tui.domain.records import BlockStatus, ChecklistItem, EstimateLine, Exemption

    path = tmp_path / "w.sqlite"
    ws = Workspace.open(path, create=True)
    app = ws.save(Application(name="Loket"))
    status = ws.save(BlockStatus(scope_kind="application", scope_id=app.id, block="acm_idm"))
    item = ws.save(ChecklistItem(template="acm_idm", scope_id=app.id, block="acm_idm"))
    line = ws.save(EstimateLine(scope_id=app.id, block="acm_idm"))
    exemption = ws.save(Exemption(scope_id=app.id, subject="acm_idm", ground="x"))
    ws.close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE block_status SET block = 'gericht_aanmelden', dirty = 0")
    conn.execute(
        "UPDATE checklist_item SET block = 'gericht_aanmelden', template = 'gericht_aanmelden'"
    )
    conn.execute("UPDATE estimate_line SET block = 'gericht_aanmelden'")
    conn.execute("UPDATE exemption SET subject = 'gericht_aanmelden'")
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()

    ws = Workspace.open(path)
    assert ws.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    moved = ws.get(BlockStatus, status.id)
    assert (moved.block, moved.dirty) == ("capacity_switch", True)
    checklist = ws.get(ChecklistItem, item.id)
    assert (checklist.block, checklist.template) == ("capacity_switch", "capacity_switch")
    assert ws.get(EstimateLine, line.id).block == "capacity_switch"
    assert ws.get(Exemption, exemption.id).subject == "gericht_aanmelden"


def test_columns_of_ids_reads_the_live_records_of_any_number_of_ids(tmp_path):
    """One statement for any number of ids (more than SQLite's bound parameters), live
    records only, known columns only (their names go into the SQL)."""
    products = [Product(name=f"Product {i}") for i in range(1200)]
    with Workspace.create(tmp_path / "w.sqlite", [Agency(name="A"), *products]) as ws:
        ws.delete(Product, products[0].id)
        ids = [p.id for p in products] + ["no-such-id"]
        rows = ws.columns_of_ids(Product, ("id", "name"), ids)
        assert sorted(rows) == sorted((p.id, p.name) for p in products[1:])
        assert ws.columns_of_ids(Product, ("id",), []) == []
        with pytest.raises(ValueError, match="unknown columns"):
            ws.columns_of_ids(Product, ("id", "name; DROP TABLE product"), ids)


def test_records_share_their_ids_unless_they_are_let_go_of(tmp_path):
    """Records that are kept share one text per id (a product's application, its own
    id that statuses name); records whose values are spooled and let go of do not:
    `marshal` reads an interned text back interned, and a concept's 20,000 product ids
    read back at once grew the table of interned texts for good."""
    with Workspace.create(tmp_path / "w.sqlite", [Agency(name="A")]) as ws:
        app = ws.save(Application(name="Loket"))
        ws.save_many([Product(name=n, request_application_id=app.id) for n in ("a", "b")])
        rows = [rows for rows in ws.iter_rows(Product, 10)][0]
        kept = ws.records_of_rows(Product, rows)
        assert kept[0].request_application_id is kept[1].request_application_id
        spooled = ws.records_of_rows(Product, rows, share_ids=False)
        assert spooled[0].request_application_id == spooled[1].request_application_id
        assert spooled[0].request_application_id is not spooled[1].request_application_id


def test_line_blocks_are_the_blocks_live_lines_cost_of_each_scope_once(tmp_path):
    """What the statuses' rules read of the estimate: for each (scope kind, scope id)
    asked, the blocks its live lines cost, each once (two lines of one block), of the
    scope's kind only; a deleted line costs nothing; scopes past the first 500 are read
    too."""
    with Workspace.create(tmp_path / "w.sqlite", [Agency(name="A")]) as ws:
        ws.save_many(
            [
                EstimateLine(scope_kind="product", scope_id="p1", block="vms"),
                EstimateLine(scope_kind="product", scope_id="p1", block="vms"),
                EstimateLine(scope_kind="product", scope_id="p1", block="dosis"),
                EstimateLine(id="gone", scope_kind="product", scope_id="p2", block="vms"),
                EstimateLine(scope_kind="application", scope_id="p1", block="acm_idm"),
                EstimateLine(scope_kind="application", scope_id="a1", block="acm_idm"),
            ]
        )
        ws.delete(EstimateLine, "gone")
        absent = [("product", f"x{i}") for i in range(600)]
        asked = [*absent, ("product", "p1"), ("product", "p2"), ("application", "a1")]
        assert sorted(ws.line_blocks([*asked, *asked])) == [
            ("application", "a1", "acm_idm"),
            ("product", "p1", "dosis"),
            ("product", "p1", "vms"),
        ]


def test_last_statuses_are_the_last_live_status_of_each_key_in_id_order(tmp_path):
    """The last status of a (scope kind, scope id, block) key is the live one with the
    greatest id (the order the statuses are read in), not the one saved last; a key
    without a live status gives nothing; keys past the first 500 are read too."""
    with Workspace.create(tmp_path / "w.sqlite", [Agency(name="A")]) as ws:
        ws.save_many(
            [
                BlockStatus(id="b", scope_id="p1", block="vms", stage="test"),
                BlockStatus(id="a", scope_id="p1", block="vms", stage="production"),
                BlockStatus(id="c", scope_id="p1", block="vms", stage="filed"),
                BlockStatus(id="d", scope_id="p1", block="dosis", stage="analysis"),
                BlockStatus(id="e", scope_id="p2", block="vms", stage="production"),
            ]
        )
        ws.delete(BlockStatus, "c")
        ws.delete(BlockStatus, "e")
        keys = [("product", "p1", "vms"), ("product", "p1", "dosis"), ("product", "p2", "vms")]
        absent = [("product", f"x{i}", "vms") for i in range(600)]
        rows = list(ws.last_statuses([*absent, *keys, *keys]))
        assert sorted(rows) == [
            ("product", "p1", "dosis", "analysis", "undecided"),
            ("product", "p1", "vms", "test", "undecided"),
        ]
