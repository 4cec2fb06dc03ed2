"""Streamed exports write exactly what the one-string functions wrote.

The TOML, JSON and XLSX files of a large agency are written piece by piece and the
concept's SHA-256 is taken over the canonical JSON in pieces. These tests shrink the
piece sizes to a few items, so the demo workspace is cut into many pieces, and compare
every file with the output of the whole-document functions the exports used before:
`canonical_json` (one string), `export_json.dumps`, `export_toml.dumps` and
`Sheet.xml` in one go.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
import zipfile

import pytest

from elo_tui.domain import submission as sub
from elo_tui.io import export_json, export_toml, submission_files, xlsx_writer
from elo_tui.services import submission as service
from submission_support import exported_files, freeze, plain_document


@pytest.fixture
def small_pieces(monkeypatch):
    monkeypatch.setattr(sub, "_CHUNK_ITEMS", 3)
    monkeypatch.setattr(export_toml, "_SLICE", 3)
    monkeypatch.setattr(xlsx_writer, "_ROWS_PER_PIECE", 3)


def _plain(document: dict, ws) -> dict:
    """The document as held records gave it (plain lists of dicts)."""
    return plain_document(document, ws)


def _content(source: service.ExportSource, ws) -> dict:
    return {k: v for k, v in _plain(source.document, ws).items() if k != "sha256"}


def test_pieces_join_to_the_canonical_json(demo_ws, small_pieces):
    content = service.build_content(demo_ws, version=0, author="An", created_at="2026-03-01")
    assert len(content["products"]) > 3  # really cut into pieces
    pieces = list(sub.canonical_json_chunks(content))
    assert len(pieces) > 20
    assert "".join(pieces) == sub.canonical_json(content)


def test_concept_hash_equals_the_hash_of_the_whole_canonical_json(demo_ws, small_pieces):
    source = service.concept_source(demo_ws, author="An")
    text = sub.canonical_json(_content(source, demo_ws))
    assert source.document["sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("concept", [True, False])
def test_streamed_files_equal_the_whole_document_functions(
    demo_ws, tmp_path, small_pieces, concept
):
    source = (
        service.concept_source(demo_ws, author="An")
        if concept
        else service.source_of(freeze(demo_ws, author="An"))
    )
    doc = _plain(source.document, demo_ws)
    assert len(doc["checklist_items"]) > 3
    text = sub.canonical_json(_content(source, demo_ws))
    files = {p.suffix: p for p in source.export("all", tmp_path / "out")}
    json_text = files[".json"].read_text(encoding="utf-8")
    assert json_text == export_json.dumps(doc, text)
    assert json_text == '{"sha256":"' + doc["sha256"] + '",' + text[1:] + "\n"
    toml_text = files[".toml"].read_text(encoding="utf-8")
    assert toml_text == export_toml.dumps(doc)
    assert tomllib.loads(toml_text) == doc
    # A second JSON export of the same source reads the spooled bytes again from the start.
    again = source.export("json", tmp_path / "again.json")[0]
    assert again.read_text(encoding="utf-8") == json_text


def test_json_without_canonical_text_is_encoded_in_pieces(demo_ws, tmp_path, small_pieces):
    source = service.concept_source(demo_ws, author="An")
    text = sub.canonical_json(_content(source, demo_ws))
    out = submission_files.export(source.document, "json", tmp_path / "x.json")[0]
    assert out.read_text(encoding="utf-8") == export_json.dumps(source.document, text)


def test_xlsx_sheet_parts_are_the_sheet_xml_in_one_go(tmp_path, small_pieces):
    sheet = xlsx_writer.Sheet("Blad", widths=(10, 12), freeze_rows=1)
    sheet.append(["Naam", "Bedrag"], bold=True)
    for i in range(10):
        sheet.append([f"rij <{i}> & meer ", i * 1.5], (xlsx_writer.PLAIN, xlsx_writer.EUR))
    path = tmp_path / "x.xlsx"
    xlsx_writer.save([sheet], path)
    with zipfile.ZipFile(path) as z:
        part = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
        streamed, whole = z.getinfo("xl/worksheets/sheet1.xml"), z.getinfo("xl/styles.xml")
    assert part == sheet.xml(selected=True)
    assert len(list(sheet.xml_pieces(selected=True))) > 3
    # the streamed entry carries what writestr gives the others
    assert (streamed.external_attr, streamed.compress_type) == (
        whole.external_attr,
        whole.compress_type,
    )


def _long_arrays_doc() -> dict:
    risks = [{"block": "vms", "text": f'te laat "{i}" \x7f', "late": i % 2 == 0} for i in range(4)]
    at_risk = [{"product_id": f"p{i}", "risks": risks[: i % 5]} for i in range(11)]
    return {
        "format": "x",
        "plain": {"names": [f"naam {i}" for i in range(10)], "n": 1},
        "readiness": {
            "deadlines": [
                {"deadline": "2027-01-01", "at_risk": at_risk, "days_left": 3},
                {"deadline": "2027-06-30", "at_risk": at_risk[:2], "days_left": 9},
                {"deadline": "2027-12-31", "at_risk": [], "other": {"a": 1}},
            ]
        },
        "records": [{"id": f"r{i}", "tags": [f"t{j}" for j in range(i)]} for i in range(8)],
    }


@pytest.mark.parametrize("doc", ["long", "demo"])
def test_long_inline_arrays_are_written_in_pieces_with_the_same_text(demo_ws, monkeypatch, doc):
    """A long inline array (at 20,000 products: the products at risk of a deadline, one
    ~20 MB line) is written in slices; the text is what one piece gave."""
    import io

    document = (
        _long_arrays_doc()
        if doc == "long"
        else _plain(service.concept_source(demo_ws, author="An").document, demo_ws)
    )
    monkeypatch.setattr(export_toml, "_SLICE", 10**9)  # nothing is long: one piece per line
    whole = export_toml.dumps(document)
    longest_whole = max(map(len, export_toml._body("", document)))
    monkeypatch.setattr(export_toml, "_SLICE", 3)
    assert export_toml.dumps(document) == whole
    out = io.StringIO()
    export_toml.write(document, out)
    assert out.getvalue() == whole
    assert tomllib.loads(whole) == document
    if doc == "long":  # the long lines really came in pieces
        assert max(map(len, export_toml._body("", document))) < longest_whole / 2


def test_a_short_list_of_large_tables_is_encoded_in_pieces(small_pieces):
    # The readiness deadlines: a few tables, each with a long list (its products at
    # risk); none of them may become one piece of the size of its list.
    at_risk = [{"product_id": f"p{i}", "risks": [{"block": "vms", "n": i}]} for i in range(40)]
    content = {
        "readiness": {
            "deadlines": [
                {"key": "2026", "at_risk": at_risk, "count": 40},
                {"key": "2027", "at_risk": at_risk[:5], "count": 5, "note": "é"},
                {"key": "empty", "at_risk": []},
            ],
            "other": [{"x": 1}, {}],
        },
        "few": [{"a": 1, "b": [1, 2, 3, 4, 5]}],
    }
    pieces = list(sub.canonical_json_chunks(content))
    assert "".join(pieces) == sub.canonical_json(content)
    assert max(map(len, pieces)) < len(sub.canonical_json(at_risk)) / 5


def _tables(n: int, **extra) -> list[dict]:
    return [
        {"id": f"p{i}", "n": i, "ok": i % 2 == 0, "x": i / 3, "risks": [{"b": "vms"}] * (i % 3)}
        | extra
        for i in range(n)
    ]


@pytest.mark.parametrize(
    "value",
    [
        _tables(100),  # canonical already: taken as it is
        _tables(100, gone=None),  # a None to leave out
        _tables(100, tags=["a", None]),  # a None in a list
        _tables(100, sub={"a": 1}),  # a nested table
        [*_tables(99), {"id": "other keys"}],
        [{1: "a number as key"}] * 70,
        [*_tables(99), {**_tables(1)[0], "n": None}],
    ],
)
def test_canonical_of_long_lists_equals_item_by_item(value, monkeypatch):
    fast = sub.canonical(value)
    monkeypatch.setattr(sub, "_PLAIN_TABLES_FROM", 10**9)
    assert fast == sub.canonical(value)


def test_canonical_keeps_a_canonical_list_of_tables_and_refuses_nan():
    value = _tables(100)
    assert sub.canonical(value)[5] is value[5]  # no copy of each table
    with pytest.raises(sub.SubmissionFormatError):
        sub.canonical([*_tables(99), {**_tables(1)[0], "x": float("nan")}])


def test_canonical_of_the_readiness_section_is_unchanged(demo_ws, monkeypatch):
    from elo_tui.services.clock import today

    state = service.read_state(demo_ws)
    section = service.readiness_section(state, today(), demo_ws)
    assert any(d["at_risk"] for d in section["deadlines"])
    fast = sub.canonical(section)
    monkeypatch.setattr(sub, "_PLAIN_TABLES_FROM", 10**9)
    assert sub.canonical_json(fast) == sub.canonical_json(sub.canonical(section))


_ODD = ['a"b', "c\\d", "é€ 🚀", "x\ny\t", "\x01\x1f", "%s %d %%", "", " lead", "</t>&"]


def test_tables_sharing_lists_encode_each_list_once_with_the_same_text(small_pieces, monkeypatch):
    # The readiness products at risk: products with the same risks share one list.
    shared = [
        [{"block": _ODD[i % len(_ODD)], "n": i, "f": 1.5, "ok": True}] * (i % 3) for i in range(4)
    ]
    at_risk = [
        {"product": _ODD[i % len(_ODD)] + str(i), "product_id": f"p{i}", "risks": shared[i % 4]}
        for i in range(40)
    ]
    assert sub._tables_sharing_lists(at_risk) == ["product", "product_id", "risks"]
    content = {"readiness": {"deadlines": [{"at_risk": at_risk, "key": "2027"}], "n": 1}}
    encoded = []
    monkeypatch.setattr(
        sub, "_canonical_value", lambda v: encoded.append(v) or sub.canonical_json(v)
    )
    assert "".join(sub.canonical_json_chunks(content)) == sub.canonical_json(content)
    lists = [v for v in encoded if any(v is x for x in shared)]
    assert sorted(map(id, lists)) == sorted(map(id, shared))  # each shared list once


@pytest.mark.parametrize(
    "items",
    [
        [{"k": "v", "l": [i]} for i in range(40)],  # lists not shared
        [{"k": 1, "l": []} for _ in range(40)],  # a number: the general path
        [{"%": "v", "l": []} for _ in range(40)],  # a key that would break the template
        [*({"k": "v", "l": []} for _ in range(39)), {"k": "v"}],  # other keys
    ],
)
def test_tables_not_sharing_lists_take_the_general_path(items, small_pieces):
    assert sub._tables_sharing_lists(items) is None
    assert "".join(sub.canonical_json_chunks({"x": items})) == sub.canonical_json({"x": items})


def test_a_nan_in_a_shared_list_is_refused_as_before(small_pieces):
    risks = [{"amount": float("nan")}]
    items = [{"k": "v", "l": risks} for _ in range(40)]
    with pytest.raises(sub.SubmissionFormatError):
        "".join(sub.canonical_json_chunks({"x": items}))


def _flat(n: int) -> list[dict]:
    amounts = [650.0, 1517.0, 433.33, 0.1 + 0.2, 1e21, 5e-324, 2**53 + 0.0]
    return [
        {
            "id": _ODD[i % len(_ODD)] + str(i),
            "amount": amounts[i % len(amounts)],
            "n": i % 3,
            "big": 10**30 + i % 2,
            "ok": i % 4 == 0,
            "code": "vms" if i % 2 else "dosis",
        }
        for i in range(n)
    ]


@pytest.mark.parametrize(
    "items",
    [
        _flat(50),  # repeated numbers: each distinct one encoded once
        [{**t, "amount": float(i)} for i, t in enumerate(_flat(50))],  # mostly different
        [{**t, "amount": -0.0 if i % 2 else 0.0} for i, t in enumerate(_flat(50))],
        [{**t, "n": True if i % 2 else 1} for i, t in enumerate(_flat(50))],  # 1 == True
        [{**t, "n": 1.0 if i % 2 else 1} for i, t in enumerate(_flat(50))],  # 1 == 1.0
        [*_flat(49), {**_flat(1)[0], "amount": None}],  # a None: the encoder writes null
    ],
)
def test_flat_tables_encode_column_by_column_to_the_same_text(items, small_pieces):
    assert sub._flat_tables(items) == sorted(items[0])
    assert "".join(sub.canonical_json_chunks({"x": items})) == json.dumps(
        {"x": items}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def test_flat_tables_refuse_nan_and_infinity_as_before(small_pieces):
    for bad in (float("nan"), float("inf")):
        items = [*_flat(49), {**_flat(1)[0], "amount": bad}]
        assert sub._flat_tables(items) is not None
        with pytest.raises(sub.SubmissionFormatError):
            "".join(sub.canonical_json_chunks({"x": items}))


def test_every_file_of_a_spooled_concept_is_that_of_its_plain_document(
    demo_ws, tmp_path, small_pieces, monkeypatch
):
    """A concept holds its long derived lists spooled in pages (and reads its record
    sections page by page): every file is the one the plain lists and dicts give, byte
    for byte. (A stored version's: tests/test_submission_stored.py.)"""
    monkeypatch.setattr(service, "_PAGE", 7)
    source = service.concept_source(demo_ws, author="An")
    for table, key in service.SPOOLED_LISTS:
        assert isinstance(source.document[table][key], service.SpooledList)
    assert len(source.document["estimate"]["lines"]) > 7  # in more than one page
    doc = _plain(source.document, demo_ws)
    assert type(doc["estimate"]["lines"]) is list
    spooled = exported_files(source.export("all", tmp_path / "spooled"))
    plain = exported_files(submission_files.export(doc, "all", tmp_path / "plain"))
    assert spooled == plain and len(spooled) > 10


def test_a_spooled_list_is_the_list_it_was_made_of(monkeypatch):
    monkeypatch.setattr(service, "_PAGE", 3)
    items = [
        {"line_id": f"l{i}", "mean": i / 3, "name": 'é "x"\n' * (i % 2), "ok": i % 3 == 0}
        for i in range(8)
    ]
    spooled = service.SpooledList(iter(items))
    assert len(spooled) == 8 and list(spooled) == items == spooled.records()
    assert "".join(spooled.json_pieces()) == sub.canonical_json(items)
    assert "".join(spooled.toml_text("estimate.lines")) == export_toml.table_array_text(
        "estimate.lines", items
    )
    assert spooled[0] == items[0] and spooled[-1] == items[-1] and spooled[4] == items[4]
    assert spooled[2:7] == items[2:7] and spooled[::3] == items[::3]
    assert spooled[::-2] == items[::-2] and spooled[:100] == items
    with pytest.raises(IndexError):
        spooled[8]
    assert list(spooled) == items  # read again from the start
    empty = service.SpooledList([])
    assert len(empty) == 0 and not empty and "".join(empty.json_pieces()) == "[]"
    assert "".join(empty.toml_text("x")) == ""
    stored = service.SpooledList(items, encode_json=False)  # a version's: its text is stored
    with pytest.raises(RuntimeError):
        list(stored.json_pieces())


def test_the_rules_read_no_free_text_the_records_kept_for_them_leave_out(
    demo_ws, tmp_path, monkeypatch
):
    """The products kept for a concept's rules hold no description, notes, IPDC data or
    address (a real agency's ~2 KB each, NOT_FOR_RULES): the files are those of records
    that hold them, byte for byte, and the section still gives each product's full dict."""
    from elo_tui.domain.records import Product

    products = demo_ws.list(Product)
    for i, p in enumerate(products):
        p.description = f"Omschrijving {i}: " + "lang " * 200
        p.notes = f"Notitie {i}"
        p.ipdc_data = json.dumps({"name": p.name, "archived": False})
        p.ipdc_uri = f"https://ipdc.vlaanderen.be/id/instantie/{i}"
    demo_ws.save_many(products)
    monkeypatch.setattr(service, "utc_now", lambda: "2026-03-01T10:00:00Z")
    emptied = exported_files(
        service.concept_source(demo_ws, author="An").export("all", tmp_path / "emptied")
    )
    monkeypatch.setattr(service, "NOT_FOR_RULES", {})
    whole = exported_files(
        service.concept_source(demo_ws, author="An").export("all", tmp_path / "whole")
    )
    assert emptied == whole and len(whole) > 10
    monkeypatch.undo()
    state = service.read_state(demo_ws, held=service.HELD_SECTIONS)
    section = state.sections["products"]
    kept = section.records_for_rules
    assert kept and all(p.description == p.notes == p.ipdc_data == p.ipdc_uri == "" for p in kept)
    by_id = {p.id: p for p in products}
    decoded = []
    records = section._stream.records
    monkeypatch.setattr(section._stream, "records", lambda: decoded.append(1) or records())
    assert all(d["description"] == by_id[d["id"]].description for d in section)
    assert decoded == [1]  # the section's dicts decoded once, not once per product
    assert len(section) == len(products) > 3
    assert section[3]["notes"] == by_id[section[3]["id"]].notes
    # A concept's paged rules hold none: they read them from the store, the same way
    # (service.StoredProducts), each time they go through them
    with demo_ws.read_snapshot():
        paged = service.read_state(demo_ws, held=service.HELD_SECTIONS, paged_rules=True)
        assert isinstance(paged.products, service.StoredProducts)
        assert paged.sections["products"]._records is None
        read = list(paged.products)
        assert [p.id for p in read] == sorted(by_id) and len(paged.products) == len(read)
        assert all(p.description == p.notes == p.ipdc_data == p.ipdc_uri == "" for p in read)
        again = list(paged.products)
        assert again == read and all(a is not b for a, b in zip(again, read, strict=True))
        pages = list(paged.products.pages())
        assert [p for page in pages for p in page] == read and all(pages)


def test_a_spooled_text_is_read_back_whole_in_pieces_that_split_characters(monkeypatch):
    """A held section's spooled JSON is read back a few bytes at a time (`_texts`): a
    character cut by a piece's end comes out whole."""
    import tempfile

    monkeypatch.setattr(service, "_TEXT_PIECE", 5)
    text = '[{"name":"Café ☃ 𝄞 ' + "é" * 7 + '"}]'
    with tempfile.SpooledTemporaryFile(max_size=16) as spool:
        spool.write(text.encode("utf-8"))
        pieces = list(service._texts(spool))
    assert "".join(pieces) == text and len(pieces) > len(text.encode("utf-8")) // 5
