"""A concept's checklist steps encoded straight from their stored rows (io/export_rows.py)
give exactly the text the dicts gave: canonical JSON (the hash), TOML and the XLSX
groups; a page the rows cannot encode takes the dict path; the whole concept is one
read snapshot."""

from __future__ import annotations

import json

import pytest

from elo_tui.domain import submission as sub
from elo_tui.domain.records import BlockStatus, ChecklistItem, EstimateLine, Product
from elo_tui.io import export_toml, export_xlsx
from elo_tui.io.export_rows import encode_page
from elo_tui.services import submission as service
from elo_tui.store.workspace import optional_bool
from submission_support import exported_files

ODD_TEXTS = [
    'regel 1\nregel 2 "citaat" \x7f – é ☃ \\ ',
    "100 % zeker %s %(x)s %%",
    "\x00\x01\x1f\t\r tab en controle",
    "",
    " spatie vooraan",
    "😀 buiten het BMP",
]


def _edge_items(ws) -> None:
    items = ws.list(ChecklistItem)
    for i, text in enumerate(ODD_TEXTS):
        items[i].note = text
        items[i].title = text[::-1]
    items[0].obsolete = True
    items[1].due_date = ""
    items[2].status = "blocked"
    items[3].status = "eigen status"  # not one of CHECKLIST_STATUSES: counted, not listed
    ws.save_many(items[: len(ODD_TEXTS)])


def _pages(ws, kind, page=7):
    fields = ws.data_names(kind)
    return fields, list(ws.iter_rows(kind, page))


@pytest.mark.parametrize("page", [1, 7, 5000])
def test_rows_encode_to_the_text_of_the_dicts(demo_ws, page):
    _edge_items(demo_ws)
    fields, pages = _pages(demo_ws, ChecklistItem, page)
    assert sum(map(len, pages)) == demo_ws.count(ChecklistItem)
    for rows in pages:
        dicts = demo_ws.data_dicts(ChecklistItem, rows)
        encoded = encode_page("checklist_items", fields, rows)
        assert encoded is not None
        json_text, toml_text = encoded
        assert json_text == sub.canonical_json(dicts)[1:-1]  # type: ignore[arg-type]
        assert toml_text == export_toml.table_array_text("checklist_items", dicts)


def _groups_of_the_dicts(ws) -> list[tuple]:
    counted: dict = {}
    for rows in ws.iter_rows(ChecklistItem, 7):
        export_xlsx.checklist_groups(ws.data_dicts(ChecklistItem, rows), counted)
    return list(export_xlsx.group_rows(counted))


def test_the_store_counts_the_checklist_groups_as_the_steps_dicts_do(demo_ws):
    """The XLSX sheet's groups of a concept, counted in SQL (stored_checklist_groups),
    are what `export_xlsx.checklist_groups` makes of the steps' dicts read by id: the
    groups in the order first seen, their counts and their first pending step - with
    ties on the due date broken by step then title, NUL and \x01 in those, NULLs."""
    _edge_items(demo_ws)
    items = [i for i in demo_ws.list(ChecklistItem) if not i.obsolete][10:18]
    for item, (step, title) in zip(
        items[:6],
        [("a", "z"), ("a\x00b", "b"), ("a\x01", "a"), ("a\x01\x01", ""), ("b", "a"), ("", "")],
        strict=True,
    ):
        item.scope_kind, item.scope_id, item.block, item.template = "product", "p", "x", "t"
        item.step, item.title, item.status, item.due_date = step, title, "open", "2027-01-01"
    # (no date: ordered as a text all the same)
    items[5].template, items[5].due_date, items[5].step = "t2", "2026\x0012", "\x01\x00"
    # "n.v.t." is not pending, however early; a pending step without a date sorts last
    for item, status, due in zip(items[6:], ("na", "busy"), ("2026-01-01", ""), strict=True):
        item.scope_kind, item.scope_id, item.block, item.template = "product", "p", "x", "t3"
        item.step, item.title, item.status, item.due_date = "s", "Stap", status, due
    demo_ws.save_many(items)
    groups = list(export_xlsx.stored_checklist_groups(demo_ws))
    assert groups == _groups_of_the_dicts(demo_ws)
    mine = {g[3]: g for g in groups if g[:3] == ("product", "p", "x")}
    assert mine["t"][4:] == (5, 5, 0, 0, 0, 0, ("2027-01-01", "a", "z"))
    assert mine["t2"][-1] == ("2026\x0012", "\x01\x00", "")
    assert mine["t3"][4:] == (2, 0, 1, 0, 0, 1, ("9999-12-31", "s", "Stap"))
    # NULLs written by another program: read as the dicts read them (their defaults)
    ids = [i.id for i in demo_ws.list(ChecklistItem)[20:27]]
    for column, i in zip(
        ("status", "scope_kind", "scope_id", "block", "due_date", "step", "obsolete"),
        ids,
        strict=True,
    ):
        demo_ws.conn.execute(f"UPDATE checklist_item SET {column} = NULL WHERE id = ?", [i])
    demo_ws.conn.commit()
    statuses = tuple(sub.CHECKLIST_STATUSES)
    finished, no_due = export_xlsx.FINISHED, export_xlsx.NO_DUE
    groups = list(demo_ws.checklist_groups(statuses, finished=finished, no_due=no_due, page=3))
    assert groups == _groups_of_the_dicts(demo_ws)
    assert len(groups) > 20


def test_other_kinds_with_ints_and_floats_encode_the_same(demo_ws):
    """Estimate lines carry floats and an optional boolean (left to the dict path);
    block statuses booleans; products JSON columns (dict path)."""
    for kind in (EstimateLine, BlockStatus, Product):
        fields, pages = _pages(demo_ws, kind)
        for rows in pages:
            encoded = encode_page("x", fields, rows)
            if encoded is None:
                continue
            dicts = demo_ws.data_dicts(kind, rows)
            assert encoded[0] == sub.canonical_json(dicts)[1:-1]  # type: ignore[arg-type]
            assert encoded[1] == export_toml.table_array_text("x", dicts)


def test_pages_the_rows_cannot_encode():
    fields = [("id", None), ("n", None), ("flag", bool)]
    assert encode_page("x", fields, [("a", 1, 0)]) is not None
    assert encode_page("x", fields, [("a", None, 0), ("b", 2, 1)]) is None  # some NULLs
    assert encode_page("x", fields, [("a", 1, 0), ("b", "2", 1)]) is None  # mixed types
    assert encode_page("x", fields, [("a", float("nan"), 0)]) is None
    assert encode_page("x", [("id", None), ("tags", list)], [("a", "[]")]) is None
    lists = [("id", None), ("tags", json.loads)]
    assert encode_page("x", lists, [("a", '{"b": 1}')]) is None  # a table, not a list
    assert encode_page("x", lists, [("a", "[[1]]")]) is None  # a nested list
    assert encode_page("x", lists, [("a", "[1.5]")]) is None  # floats: the dict path
    assert encode_page("x", lists, [("a", "[nee")]) is None  # broken: the dict path says so
    assert encode_page("x", fields, []) is None


def _dicts(fields, rows):
    """What `Workspace.data_dicts` makes of rows (NULLs left out, decoders applied)."""
    return [
        {
            n: (d(v) if d is not None else v)
            for (n, d), v in zip(fields, row, strict=True)
            if v is not None
        }
        for row in rows
    ]


@pytest.mark.parametrize(
    "fields, rows",
    [
        # a column of NULLs only is left out, as the dicts leave out the key
        ([("id", None), ("n", None), ("flag", bool)], [("a", None, 0), ("b", None, 1)]),
        # an optional boolean without NULLs, ints, finite floats
        (
            [("id", None), ("eligible", optional_bool), ("n", None), ("days", None)],
            [("a", 1, 3, 1.5), ("b", 0, 4, 0.1 + 0.2), ("c", 1, -1, 2.0)],
        ),
        # JSON columns of lists of texts, ints and booleans, equal ones shared
        (
            [("id", None), ("themes", json.loads), ("to_check", json.loads)],
            [
                ("a", '["x", "y \\"z\\" \\u00e9"]', "[]"),
                ("b", '["x", "y \\"z\\" \\u00e9"]', '[1, true, "\\u007f"]'),
                ("c", '["x","y \\"z\\" \\u00e9"]', "[]"),
            ],
        ),
    ],
)
def test_rows_of_other_columns_encode_to_the_text_of_their_dicts(fields, rows):
    encoded = encode_page("x", fields, rows)
    assert encoded is not None
    dicts = _dicts(fields, rows)
    assert encoded[0] == sub.canonical_json(dicts)[1:-1]  # type: ignore[arg-type]
    assert encoded[1] == export_toml.table_array_text("x", dicts)


def _files(source, out) -> dict[str, bytes]:
    return exported_files(source.export("all", out))


def _encoded_pages(monkeypatch) -> list[tuple[str, bool]]:
    """(section, encoded from its rows) of every page `encode_page` is given from now on."""
    from elo_tui.io import export_rows

    seen: list[tuple[str, bool]] = []
    original = export_rows.encode_page

    def spy(*args):
        result = original(*args)
        seen.append((args[0], result is not None))
        return result

    monkeypatch.setattr(export_rows, "encode_page", spy)
    return seen


def test_a_null_in_the_store_takes_the_dict_path_with_the_same_files(
    demo_ws, tmp_path, monkeypatch
):
    """Raw SQL may leave a NULL (another program, an old version): that page goes the
    dict path, the files are those of the held records."""
    _edge_items(demo_ws)
    item = demo_ws.list(ChecklistItem)[5]
    with demo_ws.transaction() as conn:
        conn.execute("UPDATE checklist_item SET note = NULL WHERE id = ?", (item.id,))
    monkeypatch.setattr(service, "_PAGE", 5)
    monkeypatch.setattr(service, "utc_now", lambda: "2026-03-01T10:00:00Z")
    encoded = _encoded_pages(monkeypatch)
    streamed = service.concept_source(demo_ws, author="An")
    a = _files(streamed, tmp_path / "streamed")
    calls = [not ok for name, ok in encoded if name == "checklist_items"]
    assert calls.count(True) == 1 and calls.count(False) > 1  # one page via the dicts
    monkeypatch.setattr(service, "STREAMED_SECTIONS", ())
    monkeypatch.setattr(service, "HELD_SECTIONS", ())
    held = service.concept_source(demo_ws, author="An")
    assert streamed.document["sha256"] == held.document["sha256"]
    assert a == _files(held, tmp_path / "held")


def test_held_sections_encoded_from_rows_give_the_files_of_their_dicts(
    demo_ws, tmp_path, monkeypatch
):
    """Products, block statuses and estimate lines are held (the derived figures and the
    XLSX read their dicts) but their JSON and TOML come from their rows: odd texts, JSON
    columns, optional booleans and a NULL left by raw SQL give the files of the dicts."""
    products = demo_ws.list(Product)
    for product, text in zip(products, ODD_TEXTS, strict=False):
        product.name = text or "leeg"
        product.notes = text[::-1]
        product.themes = [text, "x"]
    demo_ws.save_many(products[: len(ODD_TEXTS)])
    lines = demo_ws.list(EstimateLine)
    lines[0].eligible = False
    lines[1].eligible = True
    demo_ws.save_many(lines[:2])
    with demo_ws.transaction() as conn:
        # a field with a default, shown in the XLSX: its record would say "none"
        conn.execute(
            "UPDATE product SET notes = NULL, on_elo = NULL WHERE id = ?", (products[7].id,)
        )
        conn.execute("UPDATE block_status SET note = NULL WHERE rowid = 3")
    monkeypatch.setattr(service, "_PAGE", 5)
    monkeypatch.setattr(service, "utc_now", lambda: "2026-03-01T10:00:00Z")
    encoded = _encoded_pages(monkeypatch)
    from_rows = service.concept_source(demo_ws, author="An")
    a = _files(from_rows, tmp_path / "rows")
    for name in service.HELD_SECTIONS:  # most pages from the rows, some not
        assert (name, True) in encoded
    assert ("products", False) in encoded and ("block_statuses", False) in encoded
    monkeypatch.setattr(service, "HELD_SECTIONS", ())
    held = service.concept_source(demo_ws, author="An")
    assert from_rows.document["sha256"] == held.document["sha256"]
    assert a == _files(held, tmp_path / "held")
    # the sheets read a record's values where its record says what its dict says, else
    # its dict's (the records are let go of once the concept's figures are made)
    assert service.HeldSection("products", demo_ws).odd == 1
    assert service.HeldSection("estimate_lines", demo_ws).odd == 0
    with pytest.raises(RuntimeError, match="not held"):
        _ = from_rows.document["products"].records_for_rules
    for name in service.HELD_SECTIONS:
        assert list(from_rows.document[name]) == held.document[name]
        assert from_rows.document[name].records() == held.document[name]
        assert from_rows.document[name][-1] == held.document[name][-1]
        assert from_rows.document[name][1:8:3] == held.document[name][1:8:3]


def test_the_concept_is_one_read_snapshot(demo_ws, monkeypatch):
    """A write by another connection while the concept is read (here: right after the
    held sections, before the checklist pages) is not in it: every section shows the
    workspace as it was when the concept started."""
    from elo_tui.store import Workspace

    monkeypatch.setattr(service, "utc_now", lambda: "2026-03-01T10:00:00Z")
    before = service.concept_source(demo_ws, author="An").document
    target = demo_ws.list(ChecklistItem)[0]
    real = service.build_content

    def build_then_write(*args, **kwargs):
        content = real(*args, **kwargs)
        with Workspace.open(demo_ws.path, user="Ander") as other:
            item = other.get(ChecklistItem, target.id)
            assert item is not None
            item.note = "tussendoor gewijzigd"
            other.save(item)
            product = other.list(Product)[0]
            product.name = "Ander product"
            other.save(product)
        return content

    monkeypatch.setattr(service, "build_content", build_then_write)
    during = service.concept_source(demo_ws, author="An")
    assert during.document["sha256"] == before["sha256"]
    steps = during.document["checklist_items"].records()
    assert next(s for s in steps if s["id"] == target.id).get("note", "") == target.note
    # and afterwards the change is there
    monkeypatch.setattr(service, "build_content", real)
    after = service.concept_source(demo_ws, author="An").document
    assert after["sha256"] != before["sha256"]


def test_the_command_line_checks_the_concept_it_exports_once(
    settings, tmp_path, capsys, monkeypatch
):
    """`elo-tui export --concept` shows the completeness check of the concept's own
    snapshot: the workspace is read once (it was read twice: ~2 s at 20,000 products)."""
    from elo_tui.cli import main
    from elo_tui.domain.completeness import SEVERITY_LABELS
    from elo_tui.services.workspaces import open_demo

    ws = open_demo(settings)
    try:
        issues = service.check(ws)
    finally:
        ws.close()
    assert issues  # the demo has warnings
    reads = []
    real_state, real_checked = service.read_state, service.read_checked

    def count(real, name):
        def wrapped(*args, **kwargs):
            reads.append(name)
            return real(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(service, "read_state", count(real_state, "state"))
    monkeypatch.setattr(service, "read_checked", count(real_checked, "checked"))
    code = main(
        ["export", "--demo", "--state-dir", str(settings.state_dir), "--concept"]
        + ["--format", "json", "--out", str(tmp_path / "c.json")]
    )
    assert code == 0
    assert reads == ["state"]
    err = capsys.readouterr().err
    assert err.splitlines() == [f"{SEVERITY_LABELS[i.severity]}: {i.message}" for i in issues]


def test_a_concept_export_lists_the_first_issues_and_counts_the_rest(
    settings, tmp_path, capsys, monkeypatch
):
    """Thousands of warnings (a large agency) are not all printed: the first ones, blocking
    first, and a count of the rest by severity."""
    from elo_tui.cli import main
    from elo_tui.commands import export as command
    from elo_tui.domain.completeness import BLOCKING, SEVERITY_LABELS, WARNING, Issue

    issues = [Issue(BLOCKING, "x", f"blok {i}", "agency") for i in range(3)]
    issues += [Issue(WARNING, "y", f"let op {i}", "agency") for i in range(40)]
    real = service.concept_source

    def with_issues(ws, **kwargs):
        source = real(ws, **kwargs)
        source.check = service.LastCheck.of(issues)
        return source

    monkeypatch.setattr(service, "concept_source", with_issues)
    monkeypatch.setattr(command, "MAX_LISTED", 5)
    code = main(
        ["export", "--demo", "--state-dir", str(settings.state_dir), "--concept"]
        + ["--format", "md", "--out", str(tmp_path / "c.md")]
    )
    assert code == 0
    err = capsys.readouterr().err.splitlines()
    listed = [f"{SEVERITY_LABELS[i.severity]}: {i.message}" for i in issues[:5]]
    assert err[:5] == listed
    assert err[5] == (
        "… en nog 38 (38 waarschuwingen): alle punten staan in de TOML- en JSON-export en "
        "in `elo-tui submission check`."
    )
    assert len(err) == 6
    monkeypatch.setattr(command, "MAX_LISTED", 2)
    main(
        ["export", "--demo", "--state-dir", str(settings.state_dir), "--concept"]
        + ["--format", "md", "--out", str(tmp_path / "d.md")]
    )
    err = capsys.readouterr().err.splitlines()
    assert err[2].startswith("… en nog 41 (1 blokkerend, 40 waarschuwingen): ")


def test_toml_of_spooled_sections_is_the_same_in_a_file_and_in_memory(demo_ws, tmp_path):
    """Sections encoded from the store are copied into a TOML file as bytes; written to a
    text stream without a byte buffer, or as one string, the text is the same."""
    import io

    source = service.concept_source(demo_ws, author="An")
    assert any(isinstance(v, service.HeldSection) for v in source.document.values())
    (path,) = source.export("toml", tmp_path / "concept.toml")
    in_file = path.read_text(encoding="utf-8")
    out = io.StringIO()
    export_toml.write(source.document, out)
    assert out.getvalue() == in_file
    assert export_toml.dumps(source.document) == in_file
    steps = export_toml.loads(in_file)["checklist_items"]
    assert steps == source.document["checklist_items"].records()


def test_records_built_from_rows_are_those_of_their_dicts(demo_ws):
    """`Workspace.records_of_rows` (column by column, no dict per record) gives the
    records `kind(**d)` gives of the dicts, for every kind: odd texts, JSON columns,
    booleans, optional booleans, a NULL where the field has a default (the default) or
    none (None), and what raw SQL may store in a text column (a number, bytes)."""
    from elo_tui.domain.records import RECORD_KINDS

    _edge_items(demo_ws)
    products = demo_ws.list(Product)
    for product, text in zip(products, ODD_TEXTS, strict=False):
        product.name, product.themes = text, [text, "x"]
    products[0].yearly_volume = None
    demo_ws.save_many(products[: len(ODD_TEXTS)])
    lines = demo_ws.list(EstimateLine)
    lines[0].eligible, lines[1].eligible = False, True
    demo_ws.save_many(lines[:2])
    with demo_ws.transaction() as conn:
        conn.execute(
            "UPDATE product SET on_elo = NULL, themes = NULL, notes = 7 WHERE id = ?",
            (products[1].id,),
        )
        conn.execute("UPDATE block_status SET stage = NULL WHERE rowid = 3")
        # bytes in a column of repeated texts: that column is not shared, only read
        conn.execute("UPDATE block_status SET evidence = x'6869' WHERE rowid = 4")
        conn.execute("UPDATE estimate_line SET budget_year = 2027 WHERE rowid = 2")
    checked = 0
    for kind in RECORD_KINDS.values():
        rows = demo_ws.list_rows(kind)
        built = demo_ws.records_of_rows(kind, rows)
        assert built == [kind(**d) for d in demo_ws.data_dicts(kind, rows)], kind.KIND
        checked += len(built)
    assert checked > 500
    by_id = {p.id: p for p in demo_ws.records_of_rows(Product, demo_ws.list_rows(Product))}
    odd = by_id[products[1].id]
    assert (odd.on_elo, odd.themes, odd.notes) == ("none", [], "7")  # TEXT affinity
    statuses = demo_ws.records_of_rows(BlockStatus, demo_ws.list_rows(BlockStatus))
    assert b"hi" in [s.evidence for s in statuses]
    assert by_id[products[0].id].yearly_volume is None
    # each product its own list of themes: changing one changes no other record
    assert len({id(p.themes) for p in by_id.values()}) == len(by_id)
    # unless the records are only read (a concept's rules): equal lists are one list
    rows = demo_ws.list_rows(Product)
    shared = demo_ws.records_of_rows(Product, rows, share_lists=True)
    assert shared == demo_ws.records_of_rows(Product, rows)
    themes = [p.themes for p in shared if p.themes]
    assert len({id(t) for t in themes}) == len({tuple(t) for t in themes}) < len(themes)


def test_repeated_texts_of_built_records_are_one_object(demo_ws):
    """A column of few distinct texts (an estimate line's description, block, scope
    kind) is shared between the records; a column of unique texts is left as read."""
    lines = demo_ws.records_of_rows(EstimateLine, demo_ws.list_rows(EstimateLine))
    assert len(lines) > 50
    for name in ("description", "block", "scope_kind", "category"):
        values = [getattr(line, name) for line in lines]
        assert len({id(v) for v in values}) == len(set(values)), name
    assert len({line.id for line in lines}) == len(lines)


def test_ids_are_shared_with_the_records_that_name_them_and_no_others(demo_ws):
    """A product's id is one object with the scope ids of its statuses (and an
    application's with its products' references); a status's own id, named by nothing,
    is not put in the interpreter's table of shared texts (which never shrinks)."""
    import sys

    products = demo_ws.records_of_rows(Product, demo_ws.list_rows(Product))
    statuses = demo_ws.records_of_rows(BlockStatus, demo_ws.list_rows(BlockStatus))
    by_id = {p.id: p for p in products}
    of_products = [s for s in statuses if s.scope_kind == "product" and s.scope_id in by_id]
    assert len(of_products) > 20
    assert all(s.scope_id is by_id[s.scope_id].id for s in of_products)
    # sys.intern of an equal new text gives the shared object when there is one
    assert all(sys.intern("".join(p.id)) is p.id for p in products[:50])
    assert not any(sys.intern("".join(s.id)) is s.id for s in statuses[:50])


def test_a_json_column_that_does_not_parse_is_a_workspace_error(demo_ws):
    """Both ways of reading records say which file is damaged, in Dutch, no traceback."""
    from elo_tui.store import WorkspaceError

    with demo_ws.transaction() as conn:
        conn.execute("UPDATE product SET themes = '[kapot' WHERE rowid = 2")
    rows = demo_ws.list_rows(Product)
    for read in (
        lambda: demo_ws.records_of_rows(Product, rows),
        lambda: demo_ws.list_data(Product),
    ):
        with pytest.raises(WorkspaceError, match="beschadigd of onleesbaar"):
            read()


def test_the_check_reads_the_records_the_snapshot_reads(demo_ws):
    """`read_checked` (records straight from the rows, page by page) gives the records
    and the estimate `read_state` gives (from the dicts), also with a NULL in a field
    with a default."""
    products = demo_ws.list(Product)
    with demo_ws.transaction() as conn:
        conn.execute("UPDATE product SET on_elo = NULL WHERE id = ?", (products[3].id,))
    checked = service.read_checked(demo_ws)
    read = service.read_state(demo_ws, only=service.CHECKED_SECTIONS)
    for name in ("applications", "products", "block_statuses", "lines"):
        assert getattr(checked, name) == getattr(read, name), name
    assert checked.summary == read.summary
    assert len(checked.products) == len(products)
