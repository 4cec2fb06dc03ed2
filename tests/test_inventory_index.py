"""The inventory's index (services/inventory.py) keeps only each product's own search
text and searches the shared labels (type, themes, applications) once per token. It must
find exactly what a search in the whole row's text found, and sort by name as before."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from elo_tui.domain.records import Application, Product
from elo_tui.services import inventory
from elo_tui.services.inventory import ProductFilter, fold

BENCH = Path(__file__).resolve().parent.parent / "bench"

QUERIES = [
    "",
    "a",
    "e 1",
    "subsidie",
    "subsidie energie 1",
    "heffing water",
    "loket",
    "loket 05",
    "loket 001 export",  # an application's name
    "te",
    "te controleren",
    "controleren",
    "1010",
    "toelating",  # a type
    "cultuur,",  # across two themes: only the whole label has it
    "sport en",
    "welzijn gezondheid",
    "financiele",  # accents do not count
    "financiële",
    "/",  # between a request and a follow-up application
    "zzz",
    "premie 12 aanvraag",
]


def _whole_row_text(e: inventory.ProductEntry) -> str:
    """What each entry's search text was before: everything in one string."""
    labels = e._labels
    text = (
        f"{fold(e.name)} {e.ipdc_number} {labels.type_label(e.type_uri)[2]} "
        f"{labels.themes_label(e.themes_raw)[2]} "
        f"{labels.app_label(e.request_app, e.followup_app)[1]}"
    )
    return text + " te controleren" if e.flagged else text


def _assert_same_as_whole_row_search(index: inventory.ProductIndex) -> None:
    everything = index.filter(ProductFilter())
    texts = {id(e): _whole_row_text(e) for e in everything}
    for query in QUERIES:
        tokens = fold(query).split()
        expected = [e for e in everything if all(t in texts[id(e)] for t in tokens)]
        index._forget_filters()
        assert index.filter(ProductFilter(text=query)) == expected, query
    # typed character by character: each result refines the one before
    index._forget_filters()
    for query in QUERIES:
        for i in range(1, len(query) + 1):
            tokens = fold(query[:i]).split()
            expected = [e for e in everything if all(t in texts[id(e)] for t in tokens)]
            assert index.filter(ProductFilter(text=query[:i])) == expected, query[:i]


def _assert_sorted_by_name(index: inventory.ProductIndex) -> None:
    rows = index.filter(ProductFilter())
    keys = [(fold(e.name), e.ipdc_number) for e in rows]
    assert keys == sorted(keys)
    index.sort("name", reverse=True)
    assert [(fold(e.name), e.ipdc_number) for e in index.filter(ProductFilter())] == sorted(
        keys, reverse=True
    )
    index.sort("name")


def _flag_some(ws) -> None:
    products = ws.list(Product)[:3]
    for p in products:
        p.to_check = ["Naam: te controleren na import"]
    ws.save_many(products)


def test_the_index_finds_what_a_whole_row_search_found_on_the_demo(demo_ws):
    _flag_some(demo_ws)
    apps = demo_ws.list(Application)
    product = demo_ws.list(Product)[0]
    # a request and a follow-up application: "X / Y" in the application column
    product.request_application_id, product.followup_application_id = apps[0].id, apps[1].id
    product.name = "Financiële steun"
    demo_ws.save(product)
    index = inventory.load_index(demo_ws)
    assert index.flagged_count() == 3
    _assert_same_as_whole_row_search(index)
    _assert_sorted_by_name(index)


def test_the_index_finds_what_a_whole_row_search_found_on_a_generated_workspace(tmp_path):
    sys.path.insert(0, str(BENCH))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(BENCH))
    ws = generate(tmp_path / "gen.sqlite", 600)
    try:
        _flag_some(ws)
        index = inventory.load_index(ws)
        _assert_same_as_whole_row_search(index)
        _assert_sorted_by_name(index)
    finally:
        ws.close()


def test_the_same_name_twice_is_ordered_by_ipdc_number(demo_ws):
    for number in ("300", "100", "200"):
        demo_ws.save(Product(name="Zelfde naam", ipdc_number=number))
    index = inventory.load_index(demo_ws)
    same = [e.ipdc_number for e in index.filter(ProductFilter(text="zelfde naam"))]
    assert same == ["100", "200", "300"]


@pytest.mark.parametrize("query", ["zelfde", "te controleren"])
def test_put_and_remove_keep_the_search_right(demo_ws, query):
    index = inventory.load_index(demo_ws)
    saved = demo_ws.save(Product(name="Zelfde naam", to_check=["Naam: nakijken"]))
    index.put(saved)
    assert index.entry(saved.id) is not None
    assert [e.id for e in index.filter(ProductFilter(text=query))] == [saved.id]
    index.remove(saved.id)
    assert index.entry(saved.id) is None
    assert index.filter(ProductFilter(text=query)) == []


def _first_page_before(ws, limit: int = 200) -> list[tuple]:
    """What first_page showed before the name index and the raw application names: full
    application records, and every product ordered without an index."""
    labels = inventory._Labels({a.id: a.name for a in ws.list(Application)})
    cols = ", ".join(inventory.ROW_COLUMNS)
    rows = ws.conn.execute(
        f"SELECT {cols} FROM product NOT INDEXED WHERE deleted = 0 "
        "ORDER BY name COLLATE NOCASE, rowid LIMIT ?",
        (limit,),
    ).fetchall()
    return [_shown(inventory.ProductEntry(r, labels)) for r in rows]


def _shown(e: inventory.ProductEntry) -> tuple:
    return (e.id, *(e.cell(c.key) for c in _columns()))


def _columns():
    from elo_tui.screens.inventory import COLUMNS

    return COLUMNS


def test_the_first_page_comes_from_the_name_index_and_shows_what_it_showed(tmp_path):
    """The first screenful is read through the name index (schema v14 in the h14
    round) and holds the same rows as the scan and sort it replaced: deleted products
    left out, case ignored, an application's name (a deleted application shows none)."""
    sys.path.insert(0, str(BENCH))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(BENCH))
    ws = generate(tmp_path / "gen.sqlite", 600)
    try:
        products = ws.list(Product)
        products[0].name = "aaa kleine letters"
        products[1].name = "AAB HOOFDLETTERS"
        ws.save_many(products[:2])
        ws.delete(Product, products[2].id)
        gone = ws.list(Application)[0]
        ws.delete(Application, gone.id)
        plan = ws.conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM product WHERE deleted = 0 "
            "ORDER BY name COLLATE NOCASE LIMIT 5"
        ).fetchall()
        assert "idx_product_name" in str(plan)
        # A plain listing keeps the file's order (a partial index on deleted = 0 made
        # SQLite read every such listing in name order).
        plain = ws.conn.execute("EXPLAIN QUERY PLAN SELECT * FROM product WHERE deleted = 0")
        assert "idx_product_name" not in str(plain.fetchall())
        assert [p.id for p in ws.list(Product)] == [
            r[0] for r in ws.conn.execute("SELECT id FROM product WHERE deleted = 0 ORDER BY rowid")
        ]
        for limit in (1, 37, 200, 10_000):
            got = [_shown(e) for e in inventory.first_page(ws, limit)]
            assert got == _first_page_before(ws, limit), limit
        assert got[0][1] == "aaa kleine letters" and got[1][1] == "AAB HOOFDLETTERS"
    finally:
        ws.close()


def test_a_version_10_workspace_upgrades_with_the_name_index(tmp_path):
    import sqlite3

    from elo_tui.store import Workspace, schema

    sys.path.insert(0, str(BENCH))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(BENCH))
    path = tmp_path / "old.sqlite"
    ws = generate(path, 300)
    expected = [_shown(e) for e in inventory.first_page(ws)]
    ws.close()
    conn = sqlite3.connect(path)  # back to the schema before the name index
    conn.execute("DROP INDEX idx_product_name")
    before = schema.MIGRATIONS.index(schema._v11_product_name_index)
    conn.execute(f"PRAGMA user_version = {before}")
    conn.commit()
    conn.close()
    with Workspace.open(path) as ws:
        assert ws.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        names = {r[0] for r in ws.conn.execute("SELECT name FROM sqlite_master")}
        assert "idx_product_name" in names
        assert ws.count(Product) == 300
        assert [_shown(e) for e in inventory.first_page(ws)] == expected
