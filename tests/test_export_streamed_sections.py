"""A concept's checklist steps streamed from the store (when switched on): the files are
byte for byte those the held records gave.

`services.submission.concept_source` reads the checklist steps page by page while it
hashes the concept (`StreamedSection`). These tests export the same workspace both
ways - streamed, and held as before (STREAMED_SECTIONS emptied) - at tiny page and
slice sizes, and compare every file; they also check the store's pages against
`list_data`.
"""

from __future__ import annotations

import hashlib

import pytest

from elo_tui.domain import submission as sub
from elo_tui.domain.records import Application, BlockStatus, ChecklistItem, Product
from elo_tui.io import export_toml, xlsx_writer
from elo_tui.services import submission as service
from submission_support import exported_files


@pytest.fixture
def small_pieces(monkeypatch):
    monkeypatch.setattr(sub, "_CHUNK_ITEMS", 3)
    monkeypatch.setattr(export_toml, "_SLICE", 3)
    monkeypatch.setattr(xlsx_writer, "_ROWS_PER_PIECE", 3)
    monkeypatch.setattr(service, "_PAGE", 4)


def _files(source: service.ExportSource, out) -> dict[str, bytes]:
    """Every exported file's bytes (an XLSX: its parts but the time of writing)."""
    return exported_files(source.export("all", out))


def _both_ways(ws, tmp_path, monkeypatch) -> tuple[dict, dict, service.ExportSource]:
    monkeypatch.setattr(service, "utc_now", lambda: "2026-03-01T10:00:00Z")
    monkeypatch.setattr(service, "STREAMED_SECTIONS", ("checklist_items",))
    streamed = service.concept_source(ws, author="An")
    assert isinstance(streamed.document["checklist_items"], service.StreamedSection)
    a = _files(streamed, tmp_path / "streamed")
    monkeypatch.setattr(service, "STREAMED_SECTIONS", ())
    held = service.concept_source(ws, author="An")
    assert isinstance(held.document["checklist_items"], list)
    b = _files(held, tmp_path / "held")
    assert streamed.document["sha256"] == held.document["sha256"]
    return a, b, streamed


def test_streamed_checklist_gives_the_files_of_the_held_records(
    demo_ws, tmp_path, monkeypatch, small_pieces
):
    streamed, held, source = _both_ways(demo_ws, tmp_path, monkeypatch)
    assert demo_ws.count(ChecklistItem) > 3 * service._PAGE  # really several pages
    assert streamed.keys() == held.keys()
    for name in held:
        assert streamed[name] == held[name], name
    # and the JSON file is the hash and the canonical JSON the hash was taken over
    text = streamed[".json"].decode("utf-8")
    canonical = "{" + text[text.index(",") + 1 : -1]
    assert hashlib.sha256(canonical.encode()).hexdigest() == source.document["sha256"]
    assert len(source.document["checklist_items"]) == demo_ws.count(ChecklistItem)


def test_edge_cases_obsolete_odd_text_and_a_second_json_export(
    demo_ws, tmp_path, monkeypatch, small_pieces
):
    items = demo_ws.list(ChecklistItem)
    items[0].obsolete = True
    items[1].note = 'regel 1\nregel 2 "citaat" \x7f – é ☃ \\ '
    items[2].due_date = ""
    items[3].status = "blocked"
    items[4].owner = "= formule?"
    demo_ws.save_many(items[:5])
    streamed, held, source = _both_ways(demo_ws, tmp_path, monkeypatch)
    assert streamed == held
    # a second JSON export (no canonical text given) encodes the section again, the same
    from elo_tui.io import submission_files

    again = submission_files.export(source.document, "json", tmp_path / "again.json")[0]
    assert again.read_bytes() == held[".json"]


def test_a_workspace_without_checklist_steps(settings, tmp_path, monkeypatch):
    from elo_tui.store import Workspace

    ws = Workspace.open(settings.state_dir / "leeg.sqlite", user="An", create=True)
    try:
        app = Application(name="Loket")
        ws.save_many(
            [app, Product(name="Vergunning", request_application_id=app.id)]
            + [BlockStatus(scope_kind="application", scope_id=app.id, block="sso")]
        )
        assert ws.count(ChecklistItem) == 0
        streamed, held, source = _both_ways(ws, tmp_path, monkeypatch)
        assert streamed == held
        assert "\nchecklist_items = []\n" in streamed[".toml"].decode("utf-8")
        assert len(source.document["checklist_items"]) == 0
    finally:
        ws.close()


@pytest.mark.parametrize("page", [1, 3, 2000])
def test_store_pages_are_list_data_in_pieces(demo_ws, page):
    items = demo_ws.list(ChecklistItem)
    demo_ws.delete(ChecklistItem, items[0].id)  # deleted records stay out
    pages = list(demo_ws.iter_data(ChecklistItem, page))
    assert all(0 < len(p) <= page for p in pages)
    assert [d for p in pages for d in p] == demo_ws.list_data(ChecklistItem)
    for kind in (Product, BlockStatus):  # JSON and bool columns decoded the same way
        assert [d for p in demo_ws.iter_data(kind, 7) for d in p] == demo_ws.list_data(kind)
