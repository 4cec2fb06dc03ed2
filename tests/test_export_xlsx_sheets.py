"""The export's long sheets on seeded workspaces: the fast paths give what the plain
computation gives.

- `xlsx_writer`: a column of few distinct texts or of dates is rendered once per
  distinct value; every sheet's XML must be exactly what `_cell` writes cell by cell
  (shared strings compared through the texts their indices stand for).
- `export_xlsx._sorted` (records ordered through ranked key columns) must give the
  order `sorted(records, key=...)` gives, ties included.
"""

from __future__ import annotations

import random
import sys
from datetime import date
from pathlib import Path

import pytest

from elo_tui.domain import submission as sub
from elo_tui.domain.records import BlockStatus, EstimateLine, Product
from elo_tui.io import export_xlsx
from elo_tui.io import xlsx_writer as xw
from elo_tui.services import submission as service
from xlsx_support import resolved

TESTS = Path(__file__).resolve().parent


def _cell_by_cell(sheet: xw.Sheet) -> str:
    """The `<row>` elements of `sheet`, every cell through `_cell` on its own."""
    out = []
    strings = xw.SharedStrings()
    for r, (values, styles, bold) in enumerate(sheet.rows, 1):
        attrs = xw._attrs(styles, bold, len(values))
        cells = "".join(
            xw._cell(f"{xw._LETTERS[c]}{r}", attrs[c], v, strings) for c, v in enumerate(values)
        )
        out.append(f'<row r="{r}">{cells}</row>')
    return resolved("".join(out), strings)


def _body(sheet: xw.Sheet) -> str:
    strings = xw.SharedStrings()
    pieces = list(sheet.xml_pieces(selected=False, strings=strings))
    # without the head (up to <sheetData>) and the tail
    return resolved("".join(pieces[1:-1]), strings)


def _rows(xml: str) -> list[str]:
    """The XML split after each row (a failure then names the first row that differs,
    quickly: a diff of two long lines takes pytest minutes)."""
    return xml.split("</row>")


def _sheets(ws) -> list[xw.Sheet]:
    document = service.concept_source(ws, author="An").document
    names = sub.scope_names(document)
    sheets = [
        export_xlsx._products(document, names),
        export_xlsx._blocks(document, names),
        export_xlsx._estimate(document, names),
        export_xlsx._checklist(document, names),
        export_xlsx._decisions(document, names),
    ]
    for sheet in sheets:  # rows given later (an iterable, taken once) held: read twice here
        sheet.rows = list(sheet.all_rows())
    return sheets


def _odd(ws) -> None:
    """Edge cases on top of a workspace: odd texts, empty and invalid dates, a deleted
    product's statuses, names equal but for case, leading and trailing spaces."""
    products = ws.list(Product)
    statuses = ws.list(BlockStatus)
    assert len(statuses) > 70
    odd_texts = ["", " voor", "na ", "a & <b>", "\x00", "x\x01y", "é ☃ –", "\t", "ok"]
    for i, status in enumerate(statuses):
        status.reason = odd_texts[i % len(odd_texts)] if i % 3 == 0 else "gegronde reden"
        status.evidence = "" if i % 2 else "bewijs"
        status.target_date = ["", "2027-06-30", "2027-13-45", "2026-12-31"][i % 4]
    ws.save_many(statuses)
    products[0].name = products[1].name.upper()  # equal once casefolded: the id decides
    products[2].name = " met spaties "
    ws.save_many(products[:3])
    ws.delete(Product, products[3].id)  # its statuses, lines and steps stay: "(verwijderd)"


@pytest.fixture
def generated_ws(tmp_path):
    sys.path.insert(0, str(TESTS))
    try:
        from test_costs_paged import generated
    finally:
        sys.path.remove(str(TESTS))
    ws = generated(tmp_path / "g.sqlite", 60, (650.0, 900.0))
    yield ws
    ws.close()


@pytest.fixture
def edge_ws(tmp_path):
    sys.path.insert(0, str(TESTS))
    try:
        from test_costs_paged import edge_cases
    finally:
        sys.path.remove(str(TESTS))
    ws = edge_cases(tmp_path / "e.sqlite")
    for line in ws.list(EstimateLine):  # an infinite amount stops a concept: not here
        if "oneindig" in line.description:
            ws.delete(EstimateLine, line.id)
    yield ws
    ws.close()


@pytest.mark.parametrize("piece_rows", [2000, 70])
def test_sheets_of_a_generated_workspace_render_as_cell_by_cell(
    generated_ws, monkeypatch, piece_rows
):
    monkeypatch.setattr(xw, "_ROWS_PER_PIECE", piece_rows)
    _odd(generated_ws)
    sheets = _sheets(generated_ws)
    assert len(sheets[1].rows) > 100  # enough rows for the columns of few distinct values
    for sheet in sheets:
        assert _rows(_body(sheet)) == _rows(_cell_by_cell(sheet)), sheet.title


def test_sheets_of_the_demo_and_the_edge_cases_render_as_cell_by_cell(demo_ws, edge_ws):
    for ws in (demo_ws, edge_ws):
        for sheet in _sheets(ws):
            assert _rows(_body(sheet)) == _rows(_cell_by_cell(sheet)), sheet.title


def test_columns_of_few_distinct_values_render_as_cell_by_cell():
    """Every kind of column the few-distinct path takes or leaves (n >= 64 rows)."""
    n = 300
    days = [date(2027, 6, 30), date(2026, 1, 1), date(2027, 12, 31)]
    columns = [
        ["ja" if i % 3 else "nee" for i in range(n)],  # two texts
        ["" if i % 5 == 0 else "a & <b>" for i in range(n)],  # with gaps, escaped
        [" rand" if i == 77 else "code" for i in range(n)],  # one with an edge space
        ["\x00" if i == 90 else "x" for i in range(n)],  # one that is nothing once cleaned
        ["x\x01y" if i % 2 else "é ☃ –" for i in range(n)],  # the separator, non-ASCII
        [days[i % 3] for i in range(n)],  # dates
        ["" if i % 4 else days[i % 3] for i in range(n)],  # dates with gaps
        ["?" if i == 150 else days[i % 3] for i in range(n)],  # a date shown as typed
        [1.5 if i % 2 else 1 for i in range(n)],  # 1 and 1.5: equal-hash numbers stay apart
        [True if i % 2 else 1 for i in range(n)],  # True and 1 likewise
        [None if i % 2 else 2.0 for i in range(n)],
        [2.5 if i % 3 else 650.0 for i in range(n)],  # floats: each repr once
        [-0.0 if i % 2 else (0.0 if i % 3 else 7.25) for i in range(n)],  # -0.0 == 0.0
        [None if i % 2 else 3 for i in range(n)],  # ints with gaps
        [1.0 if i % 2 else 1 for i in range(n)],  # 1 == 1.0, one shown as 1.0
        ["" for _ in range(n)],
        [f"uniek {i}" for i in range(n)],  # many distinct: the plain path
    ]
    styles = [xw.PLAIN, xw.BOLD, xw.PLAIN, xw.PLAIN, xw.PLAIN, xw.DATE, xw.PLAIN, xw.EUR]
    sheet = xw.Sheet("Kolommen")
    for row in zip(*columns, strict=True):
        sheet.append(list(row), styles)
    assert _rows(_body(sheet)) == _rows(_cell_by_cell(sheet))


def test_an_unhashable_value_is_refused_as_before():
    sheet = xw.Sheet("Fout")
    for _ in range(100):
        sheet.append([["lijst"]])
    with pytest.raises(TypeError, match="cannot write list"):
        _body(sheet)


def test_sorted_is_the_order_sorted_gives():
    rnd = random.Random(12)
    words = ["", "a", "B", "b", "école", "Ecole", "zz", "a b"]
    records = [
        {"i": i, "key": (rnd.choice(["agency", "product"]), rnd.choice(words), rnd.choice(words))}
        for i in range(500)
    ]  # many ties: the original order must stay among equal keys
    keys = [r["key"] for r in records]
    assert export_xlsx._sorted(records, keys) == sorted(records, key=lambda r: r["key"])
    assert export_xlsx._sorted([], []) == []
    # keys that do not order with each other: what sorted does, error included
    mixed = [("a", 1), ("a", 0), ("b", 2)]
    assert export_xlsx._sorted(["x", "y", "z"], mixed) == ["y", "x", "z"]
    with pytest.raises(TypeError):
        export_xlsx._sorted(["x", "y"], [("a", 1), ("a", "1")])


@pytest.mark.parametrize(("run", "read"), [(1, 1), (7, 3), (64, 5), (5000, 256)])
def test_spooled_sorted_rows_are_the_order_sorted_gives(monkeypatch, run, read):
    """`_SortedRows`: sorted in runs that are spooled and merged, ties in their order."""
    monkeypatch.setattr(export_xlsx, "_RUN", run)
    monkeypatch.setattr(export_xlsx, "_READ", read)
    rnd = random.Random(run)
    words = ["", "a", "B", "b", "école", "Ecole", "zz", "a b"]
    rows = [
        (i, rnd.choice(["agency", "product"]), rnd.choice(words), [rnd.random()], None)
        for i in range(300)
    ]

    def key(r: tuple) -> tuple:
        return (r[1], r[2].casefold())

    spooled = export_xlsx._SortedRows(iter(rows), key)
    assert len(spooled) == 300
    assert list(spooled) == sorted(rows, key=key)
    assert list(spooled) == sorted(rows, key=key)  # read again
    assert list(export_xlsx._SortedRows([], key)) == []


def test_edges_found_in_the_joined_text_are_those_of_each_text():
    """`_clean_escape_plain` tells from the joined text that no text starts or ends with
    a space or control character (the shared strings then need no xml:space)."""
    rnd = random.Random(7)
    alphabet = ["a", "b", " ", "\t", "\n", "\r", "&", "<", "é", "\x00", "\x01", "\x1f"]
    for _ in range(3000):
        texts = [
            "".join(rnd.choice(alphabet) for _ in range(rnd.choice([0, 0, 1, 2, 3])))
            for _ in range(rnd.randint(1, 5))
        ]
        escaped, plain = xw._clean_escape_plain(texts)
        assert escaped == xw._clean_escape(texts)
        if plain:  # (None: each text is looked at on its own)
            assert not any(t and (t[0] <= " " or t[-1] <= " ") for t in escaped), texts


def _groups_as_before(items):
    """The checklist groups as counted before (a dict of counts per group), for the
    comparison below."""
    from elo_tui.domain.submission import CHECKLIST_STATUSES

    groups: dict = {}
    for item in items:
        g = item.get
        if g("obsolete"):
            continue
        key = (g("scope_kind", ""), g("scope_id", ""), g("block", ""), g("template", ""))
        entry = groups.setdefault(key, [0, dict.fromkeys(CHECKLIST_STATUSES, 0), None])
        entry[0] += 1
        status = g("status", "open")
        entry[1][status] = entry[1].get(status, 0) + 1
        if status not in ("done", "na"):
            candidate = (g("due_date") or "9999-12-31", g("step", ""), g("title", ""))
            if entry[2] is None or candidate < entry[2]:
                entry[2] = candidate
    return groups


def test_checklist_groups_count_what_they_counted_before():
    from elo_tui.domain.submission import CHECKLIST_STATUSES

    rnd = random.Random(3)
    statuses = [*CHECKLIST_STATUSES, "vreemd"]  # an unknown status counts as a step only
    items = [
        {
            "scope_kind": rnd.choice(["product", "application", "agency"]),
            "scope_id": rnd.choice(["p1", "p2", ""]),
            "block": rnd.choice(["dosis", ""]),
            "template": rnd.choice(["t1", "t2"]),
            "status": rnd.choice(statuses),
            "due_date": rnd.choice(["", "2027-01-01", "2026-06-30"]),
            "step": rnd.choice(["s1", "s2"]),
            "title": rnd.choice(["Stap", "Andere stap"]),
            "obsolete": rnd.random() < 0.1,
        }
        for _ in range(400)
    ]
    items.append({"scope_kind": "product"})  # defaults for every missing field
    before = _groups_as_before(items)
    now: dict = {}
    export_xlsx.checklist_groups(items[:150], now)
    export_xlsx.checklist_groups(items[150:], now)  # in several calls
    assert list(now) == list(before)  # order too
    for key, (total, counts, pending) in before.items():
        expected = [total, *(counts[k] for k in CHECKLIST_STATUSES), pending]
        assert now[key] == expected, key
    # Decoded steps bring a copy of every text: the groups keep one object per text
    copies = [{k: "".join(v) if type(v) is str else v for k, v in i.items()} for i in items]
    from_copies: dict = {}
    export_xlsx.checklist_groups(copies, from_copies)
    assert from_copies == now
    kept = [v for key, e in from_copies.items() for v in (*key, *(e[-1] or ())) if v]
    assert len({id(v) for v in kept}) == len(set(kept))


@pytest.mark.parametrize("spooled", [False, True])
def test_the_checklist_sheet_is_its_groups_sorted_by_scope_name_block_and_checklist(
    spooled, monkeypatch
):
    """One row per group, ordered by scope kind, name (casefolded), block and checklist,
    equal keys in the order first seen; its counts and "% afgerond" from its steps. A
    concept brings its groups spooled (io.page_spool.SpooledRows): the same sheet."""
    from elo_tui.domain.submission import CHECKLIST_STATUSES
    from elo_tui.io.page_spool import SpooledRows

    rnd = random.Random(5)
    names = {"p1": "Premie", "p2": "premie", "p3": "Attest", "a1": "Loket"}  # p1, p2: tied
    items = [
        {
            "scope_kind": "application" if scope == "a1" else "product",
            "scope_id": scope,
            "block": rnd.choice(["dosis", "vms"]),
            "template": rnd.choice(["t1", "t2"]),
            "status": rnd.choice(list(CHECKLIST_STATUSES)),
            "step": "s",
            "title": "Stap",
        }
        for scope in rnd.choices(list(names), k=300)
    ]
    items += [{**items[0], "template": "t3", "status": "na"}]  # a group of "na" steps only
    checklist: list = items
    if spooled:
        monkeypatch.setattr(SpooledRows, "PAGE", 3)
        counted: dict = {}
        export_xlsx.checklist_groups(items, counted)

        class Streamed(list):
            xlsx_groups = SpooledRows(export_xlsx.group_rows(counted))

        checklist = Streamed(items)
    sheet = export_xlsx._checklist({"checklist_items": checklist}, names)
    rows = [values for values, _styles, _bold in sheet.all_rows()][1:]
    groups: dict[tuple, list[str]] = {}
    for i in items:
        key = (i["scope_kind"], i["scope_id"], i["block"], i["template"])
        groups.setdefault(key, []).append(i["status"])
    order = sorted(groups, key=lambda k: (k[0], names[k[1]].casefold(), k[2], k[3]))
    expected = []
    for kind, scope, block, template in order:
        steps = groups[kind, scope, block, template]
        counts = [steps.count(s) for s in CHECKLIST_STATUSES]
        applicable = len(steps) - steps.count("na")
        done = round(100 * steps.count("done") / applicable) if applicable else None
        expected.append((scope, template, block, len(steps), *counts, done))
    assert [(r[2], r[4], r[-1], *r[5:12]) for r in rows] == expected
    assert len({(r[2], r[4], r[-1]) for r in rows}) == len(rows) == 17
    assert any(r[11] is None for r in rows)
