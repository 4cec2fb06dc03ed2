"""Stored submissions read in pieces: versions listed without their contents, the
content decoded a section (or a batch of items) at a time, deep verification and the
diff of two versions streamed (domain/content_stream.py, services/submission.py)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid

import pytest

from elo_tui.domain import content_stream as cs
from elo_tui.domain import submission as sub
from elo_tui.domain.records import BlockStatus, ChecklistItem, EstimateLine, Product, Submission
from elo_tui.services import submission as service
from elo_tui.store import WorkspaceError
from submission_support import exported_files, freeze


def _pieces(text: str, size: int):
    return (text[i : i + size] for i in range(0, len(text), size))


@pytest.fixture
def tiny_batches(monkeypatch):
    """Batches and 'what fits' of a few hundred characters: every section of a demo
    content is then long, and most batches end inside a nested value or a text."""
    monkeypatch.setattr(cs, "_BATCH", 300)


def _tricky() -> dict:
    """Canonical content with what a cut can land in: '},{' inside texts and inside
    nested lists of objects, long texts, numbers at the ends of pieces, empty values."""
    rows = [
        {
            "id": f"r{i:04d}",
            "note": "a },{ b" * (i % 3) + 'é “x” \\ "q"',
            "parts": [{"k": j, "v": "},{"} for j in range(i % 4)],
            "n": i * 1.5,
            "big": 10**15 + i,
            "t": True,
            "z": None,
        }
        for i in range(200)
    ]
    return {
        "a": [],
        "b": {},
        "c": {"deep": {"list": rows[:20], "x": "y" * 1000}, "e": []},
        "d": rows,
        "e": "tekst " * 200,
        "f": 12345678901234567890,
        "h": int("7" * 700),  # longer than a batch: cut at the end of what was read
        "g": [1, 2.5, "drie", None, [], {}],
    }


@pytest.mark.parametrize("size", [1, 7, 64, 1 << 20])
def test_sections_decode_to_what_json_loads_gives(tiny_batches, size):
    content = _tricky()
    text = sub.canonical_json(content)
    assert cs.whole(cs.sections(_pieces(text, size))) == json.loads(text)
    # long values come lazily; a section left untaken is skipped, the next one still read
    taken = {}
    for key, value in cs.sections(_pieces(text, size)):
        if key in ("b", "e", "g"):
            taken[key] = cs.whole(value)
    assert taken == {k: content[k] for k in ("b", "e", "g")}


def test_canonical_sha256_is_the_text_hash_exactly_when_the_text_is_canonical(tiny_batches):
    content = _tricky()
    text = sub.canonical_json(content)
    digest = hashlib.sha256(text.encode()).hexdigest()
    assert cs.canonical_sha256(_pieces(text, 50)) == digest
    # the same object written otherwise: the hash of its canonical form, not of the text
    spaced = json.dumps(content, ensure_ascii=False, sort_keys=True, indent=1)
    assert cs.canonical_sha256(_pieces(spaced, 50)) == digest
    # keys out of order, at the top or deep inside a lazy object, or twice: not canonical
    unsorted = text.replace('{"a":[],"b":{}', '{"b":{},"a":[]', 1)
    assert json.loads(unsorted) == content and cs.canonical_sha256(_pieces(unsorted, 50)) is None
    deep = text.replace('{"deep":', '{"e":[],"deep":', 1).replace(',"e":[]},"d"', '},"d"', 1)
    assert json.loads(deep) == content and cs.canonical_sha256(_pieces(deep, 50)) is None
    twice = text.replace('{"a":[]', '{"a":[],"a":[]', 1)
    assert cs.canonical_sha256(_pieces(twice, 50)) is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[1,2]",
        '{"a":1',
        '{"a":[{"b":1},{"b":2}',
        '{"a":[1,2}',
        '{"a":1}{"b":2}',
        '{"a" 1}',
        "{1:2}",
        '{"a":tru}',
        '{"a":1;"b":2}',  # not a comma between two pairs
        '{"a":[' + ",".join(['{"k":1}'] * 100) + ';{"k":2}]}',  # nor between two items
    ],
)
def test_broken_text_is_a_dutch_error_never_a_traceback(tiny_batches, text):
    with pytest.raises(sub.SubmissionFormatError, match="geen geldige JSON"):
        cs.whole(cs.sections(_pieces(text, 3)))
    assert cs.canonical_sha256(_pieces(text, 3)) is None


def _second_version(ws) -> None:
    """Changes in every section the diff reads, then version 2."""
    product = ws.list(Product)[0]
    product.name = product.name + " (hernoemd)"
    ws.save(product)
    ws.delete(Product, ws.list(Product)[1].id)
    ws.save(dataclasses.replace(product, id=str(uuid.uuid4()), name="Nieuw product"))
    status = ws.list(BlockStatus)[0]
    status.reason = "Andere reden"
    ws.save(status)
    ws.delete(BlockStatus, ws.list(BlockStatus)[1].id)
    line = ws.list(EstimateLine)[0]
    line.likely_days = (line.likely_days or 0) + 3
    line.pessimistic_days = (line.pessimistic_days or 0) + 6
    ws.save(line)
    ws.save(dataclasses.replace(line, id=str(uuid.uuid4()), description="Extra lijn"))
    item = ws.list(ChecklistItem)[0]
    item.status = "done" if item.status != "done" else "open"
    ws.save(item)
    agency = ws.agency()
    agency.contact_name = "Iemand Anders"
    ws.save(agency)
    freeze(ws, author="Bo")


def test_versions_are_listed_without_their_contents_and_diffed_in_pieces(
    demo_ws, tiny_batches, monkeypatch
):
    first = freeze(demo_ws, author="An")
    _second_version(demo_ws)
    heads = service.list_submissions(demo_ws)
    assert [h.version for h in heads] == [1, 2]
    assert all(isinstance(h, service.SubmissionHead) for h in heads)
    assert not hasattr(heads[0], "content")
    assert (heads[0].id, heads[0].sha256, heads[0].author) == (first.id, first.sha256, "An")
    assert service.get_version(demo_ws).version == 2
    # the store's pieces are the stored text
    pieces = list(demo_ws.text_pieces(Submission, first.id, "content", size=1000))
    assert len(pieces) > 3 and "".join(pieces) == first.content
    # written in pieces, it stays a blob (no copy of it all in SQL), read back as text
    stored = demo_ws.conn.execute(
        "SELECT typeof(content) FROM submission WHERE id = ?", (first.id,)
    ).fetchone()
    assert stored == ("blob",)
    assert demo_ws.get(Submission, first.id).content == first.content
    # the streamed diff says what the diff of the whole contents says
    old, new = (service.content_of(h, demo_ws) for h in heads)
    expected = sub.diff(old, new)
    assert service.diff_latest(demo_ws) == expected
    assert service.diff_versions(demo_ws, 1, 2) == expected
    text = "\n".join(expected)
    for part in (
        "Entiteit: contactpersoon",
        "(hernoemd)",
        "Product toegevoegd: 'Nieuw product'",
        "Product verwijderd:",
        "verwijderd",
        "Ramingslijn 'Extra lijn'",
        "Checklist (aantal stappen)",
    ):
        assert part in text
    # the changed line's cost moved a total (counted, or left out with its application)
    assert any(f"\n{label}: €" in text for label in sub._TOTALS.values())
    assert json.loads(first.content) == old  # content_of a head: the whole content


def test_verify_reads_the_stored_text_and_tells_a_changed_or_uncanonical_one(demo_ws):
    record = freeze(demo_ws, author="An")
    head = service.get_version(demo_ws)
    assert service.verify(head, ws=demo_ws) and service.verify(head, deep=False, ws=demo_ws)
    conn = demo_ws.conn
    # changed after freezing: the hash no longer holds
    changed = record.content.replace('"author":"An"', '"author":"Bo"', 1)
    conn.execute("UPDATE submission SET content = ? WHERE id = ?", (changed, record.id))
    conn.commit()
    assert not service.verify(head, ws=demo_ws)
    assert not service.verify(head, deep=False, ws=demo_ws)
    # hash of the text right, but the text not canonical: only the deep check sees it
    spaced = json.dumps(json.loads(record.content), ensure_ascii=False, sort_keys=True, indent=1)
    sha = hashlib.sha256(spaced.encode()).hexdigest()
    conn.execute(
        "UPDATE submission SET content = ?, sha256 = ? WHERE id = ?", (spaced, sha, record.id)
    )
    conn.commit()
    head = service.get_version(demo_ws)
    assert service.verify(head, deep=False, ws=demo_ws)
    assert not service.verify(head, ws=demo_ws)
    # bytes that are no UTF-8, or no content at all: not valid, and a Dutch store error
    conn.execute(
        "UPDATE submission SET content = CAST(x'7bff7d' AS TEXT) WHERE id = ?", (record.id,)
    )
    conn.commit()
    assert not service.verify(head, ws=demo_ws)
    with pytest.raises(WorkspaceError, match="tekst van indiening .* geen geldige UTF-8"):
        list(demo_ws.text_pieces(Submission, record.id, "content"))
    # such bytes written as they are frozen (a blob): the record still opens, marked
    conn.execute("UPDATE submission SET content = x'7bff7d' WHERE id = ?", (record.id,))
    conn.commit()
    assert demo_ws.get(Submission, record.id).content == "{\ufffd}"
    assert not service.verify(head, ws=demo_ws)
    with pytest.raises(WorkspaceError, match="bevat geen indiening nope"):
        list(demo_ws.text_pieces(Submission, "nope", "content"))


def test_removing_a_synced_version_keeps_its_text_as_the_merge_base(demo_ws):
    """The first local change to a version the tracker has copies the stored row as
    the base of a later merge, inside SQLite: its text too, though stored as a blob."""
    record = freeze(demo_ws, author="An")
    demo_ws.conn.execute("UPDATE submission SET rev = 3, dirty = 0 WHERE id = ?", (record.id,))
    demo_ws.conn.commit()
    demo_ws.delete(Submission, record.id)
    (data,) = demo_ws.conn.execute(
        "SELECT data FROM sync_base WHERE kind = 'submission' AND id = ?", (record.id,)
    ).fetchone()
    assert json.loads(data)["content"] == record.content
    assert service.list_submissions(demo_ws) == []


def test_undoing_a_freeze_removes_the_version_without_rewriting_its_text(demo_ws, monkeypatch):
    """Ctrl+z after freezing: the version is gone (a tombstone for the next push, its
    stored text as it was: never read), the next freeze is version 2; a version the
    tracker has keeps its text as the merge base."""
    from elo_tui.services import undo

    undo.attach(demo_ws)
    record = freeze(demo_ws, author="An")
    demo_ws.conn.execute("UPDATE submission SET rev = 2, dirty = 0 WHERE id = ?", (record.id,))
    demo_ws.conn.commit()

    def no_reading(*_args, **_kwargs):
        raise AssertionError("the version's record was read")

    with monkeypatch.context() as m:
        m.setattr(demo_ws, "get_many", no_reading)
        m.setattr(demo_ws, "get", no_reading)
        result = undo.undo(demo_ws)
    assert result is not None and result.restored == 1
    assert service.list_submissions(demo_ws) == []
    row = demo_ws.conn.execute(
        "SELECT deleted, dirty, updated_by, typeof(content) FROM submission WHERE id = ?",
        (record.id,),
    ).fetchone()
    assert row == (1, 1, demo_ws.user, "blob")
    (data,) = demo_ws.conn.execute(
        "SELECT data FROM sync_base WHERE kind = 'submission' AND id = ?", (record.id,)
    ).fetchone()
    assert json.loads(data)["content"] == record.content
    stamped = demo_ws.conn.execute("SELECT updated_at FROM submission").fetchone()
    demo_ws.recorder = None
    assert demo_ws.tombstone(Submission, [record.id, "onbekend"]) == 0  # already gone
    assert demo_ws.conn.execute("SELECT updated_at FROM submission").fetchone() == stamped
    stack = undo.attach(demo_ws)
    assert freeze(demo_ws, author="An").version == 2
    assert undo.undo(demo_ws) is not None  # that one too (it was never pushed)
    assert service.list_submissions(demo_ws) == []
    # with a recorder, a tombstone is an edit like any other: undone in its turn
    assert undo.undo(demo_ws) is None
    third = freeze(demo_ws, author="An")
    stack.steps.clear()
    assert demo_ws.tombstone(Submission, [third.id]) == 1 and len(stack.steps) == 1
    assert service.list_submissions(demo_ws) == []
    undo.undo(demo_ws)
    assert [h.version for h in service.list_submissions(demo_ws)] == [3]


def test_the_next_version_number_counts_deleted_versions_too(demo_ws):
    first = freeze(demo_ws, author="An")
    demo_ws.delete(Submission, first.id)
    assert service.list_submissions(demo_ws) == []
    assert freeze(demo_ws, author="An").version == 2


def test_a_version_read_in_pieces_exports_the_files_of_its_whole_content(
    demo_ws, tiny_batches, monkeypatch, tmp_path
):
    monkeypatch.setattr(service, "_PAGE", 7)  # pages of records end mid-section
    record = freeze(demo_ws, author="An")
    head = service.get_version(demo_ws)
    source = service.source_of(head, demo_ws)
    assert isinstance(source.document["products"], service.HeldSection)
    assert isinstance(source.document["checklist_items"], service.StreamedSection)
    for table, key in service.SPOOLED_LISTS:
        assert isinstance(source.document[table][key], service.SpooledList)
    source.canonical.seek(0)  # the stored text, as read: what the JSON export copies
    assert source.canonical.read() == record.content.encode()
    streamed = exported_files(source.export("all", tmp_path / "streamed"))
    whole = exported_files(service.source_of(record).export("all", tmp_path / "whole"))
    assert streamed == whole and len(streamed) > 10
    assert json.loads(streamed[".json"])["sha256"] == record.sha256


def _store(ws, record: Submission, content: dict) -> Submission:
    """`record` with `content` written over its stored text (and a hash that fits)."""
    text = sub.canonical_json(content)
    sha = hashlib.sha256(text.encode()).hexdigest()
    ws.conn.execute(
        "UPDATE submission SET content = ?, sha256 = ? WHERE id = ?", (text, sha, record.id)
    )
    ws.conn.commit()
    return dataclasses.replace(record, content=text, sha256=sha)


def test_a_record_its_version_does_not_know_is_exported_as_it_was_stored(demo_ws, tmp_path):
    """A field a later version added, or a value the record would not give back, comes
    out exactly as the stored content has it."""
    record = freeze(demo_ws, author="An")
    content = json.loads(record.content)
    content["products"][0]["later_field"] = "uit een nieuwere versie"
    del content["block_statuses"][1]["stage"]  # (an older version's record, without it)
    del content["products"][3]["themes"]  # (the sheet shows its default: none)
    content["estimate_lines"][2]["deleted"] = False  # sync bookkeeping: not record data
    changed = _store(demo_ws, record, content)
    head = service.get_version(demo_ws)
    held = service.source_of(head, demo_ws).document
    for name, i in (("products", 0), ("block_statuses", 1), ("estimate_lines", 2)):
        assert held[name][i] == content[name][i]  # as stored: no record is made of it
        assert held[name][i + 1] == content[name][i + 1]
    streamed = exported_files(service.source_of(head, demo_ws).export("all", tmp_path / "a"))
    assert streamed == exported_files(service.source_of(changed).export("all", tmp_path / "b"))
    # a null the record would drop: kept (only TOML cannot hold it, either way)
    content["products"][1]["description"] = None
    content["products"][2]["themes"] = ["thema", None]  # the record would make it ""
    changed = _store(demo_ws, record, content)
    held = service.source_of(head, demo_ws).document
    assert held["products"][1] == content["products"][1]
    assert held["products"][2] == content["products"][2]
    for source in (service.source_of(head, demo_ws), service.source_of(changed)):
        with pytest.raises(ValueError, match="kan niet in TOML"):
            source.export("toml", tmp_path / "c")


def test_equal_lists_of_a_long_list_are_shared_and_unequal_ones_kept(tiny_batches):
    risks = [{"block": "acm_idm", "text": "x" * 50}, {"block": "vms", "text": "y" * 50}]
    other = [risks[0], {"block": "dosis", "text": "z" * 50}]  # same first risk only
    items = [{"id": f"p{i}", "risks": [risks, other][i % 2]} for i in range(40)]
    text = sub.canonical_json({"at_risk": items})
    shared: dict = {}
    got = cs.whole(cs.sections(_pieces(text, 100)), shared)["at_risk"]
    assert got == items
    assert got[0]["risks"] is got[2]["risks"] and got[1]["risks"] is got[3]["risks"]
    assert got[0]["risks"] is not got[1]["risks"] and len(shared) == 2
    # an item too long to be decoded whole: its lists are long, and not shared (their
    # repr alone is as long as they are)
    deadlines = [{"at_risk": items, "key": k} for k in ("a", "b")]
    shared = {}
    got = cs.whole(cs.sections(_pieces(sub.canonical_json({"d": deadlines}), 100)), shared)
    assert got["d"] == deadlines
    assert got["d"][0]["at_risk"][0]["risks"] is got["d"][1]["at_risk"][2]["risks"]
    assert len(shared) == 2


def test_the_sheet_values_of_stored_dicts_are_their_values_or_defaults(monkeypatch):
    """`dict_field_rows` (C-speed look-ups, slow way only where needed) gives what
    `d.get(field, default)` gives: a missing field its default, a stored null None."""
    import random

    monkeypatch.setattr(sub, "_VALUES_PAGE", 150)  # in pages of 150
    rnd = random.Random(5)
    fields, defaults = ("id", "kind", "name", "volume", "themes"), (None, "", "", None, [])
    page = []
    for i in range(400):
        d = {"id": f"p{i}", "kind": rnd.choice(["product", "application"])}
        for f, value in (("name", f"naam {i % 7}"), ("volume", i), ("themes", ["a"])):
            roll = rnd.random()
            if roll < 0.6:
                d[f] = value
            elif roll < 0.8:
                d[f] = None  # (a null the record would not give back)
        page.append(d)
    expected = [tuple(d.get(f, x) for f, x in zip(fields, defaults, strict=True)) for d in page]
    got = list(sub.dict_field_rows(page, fields, defaults))
    assert got == expected
    kinds = {id(row[1]) for row in got}
    assert len(kinds) == 2  # a column of few texts: one object per text
    assert list(sub.dict_field_rows([], fields, defaults)) == []
