"""The TOML writer's column paths (`_column`, `_tables`, `_arrays_of_tables`: each
distinct value encoded once, one text for a column that holds one value, rows and
shared lists rendered once) write exactly what the plain path writes value by value
(`_value` per value, `_body` per record): on the demo workspace, a generated worked one
and edge cases. The encoded checklist rows (io/export_rows.py) use the same helpers:
their text equals the dicts' text there (tests/test_export_rows.py) and here for the
cases the page encoder decides on its own."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from elo_tui.domain import submission as sub
from elo_tui.domain.records import ChecklistItem
from elo_tui.io import export_toml
from elo_tui.io.export_rows import encode_page
from elo_tui.services import submission as service

BENCH = Path(__file__).resolve().parents[1] / "bench"

ODD = [
    'regel 1\nregel 2 "citaat" \x7f – é ☃ \\ ',
    "100 % zeker %s %(x)s %%",
    "\x00\x01\x1f\t\r tab en controle",
    "",
    "😀 buiten het BMP",
    '}, {"a" = 1',
]


@pytest.fixture
def plain(monkeypatch):
    """`dumps` by the plain path: every value through `_value` (what the column paths
    must give byte for byte)."""

    def dumps(document: dict) -> str:
        with monkeypatch.context() as m:
            # the same decisions (`_inline`: inline or the general path), value by value
            m.setattr(
                export_toml,
                "_column",
                lambda values: (
                    list(map(export_toml._value, values)) if export_toml._inline(values) else None
                ),
            )
            m.setattr(
                export_toml,
                "_tables",
                lambda keys, rows: [
                    export_toml._value(dict(zip(keys, r, strict=True))) for r in rows
                ],
            )
            m.setattr(export_toml, "_arrays_of_tables", lambda values: None)
            return export_toml.dumps(document)

    return dumps


def _held(document: dict, ws) -> dict:
    return {
        k: ws.list_data(sub.SECTIONS[k]) if isinstance(v, service.StreamedSection) else v
        for k, v in document.items()
    }


def _edge_document() -> dict:
    n = 70
    risks = [{"block": "vms", "problem": "late", "waiting": False, "text": t} for t in ODD]
    shared = [risks[0], risks[1]]
    return {
        "same": [
            {"id": f"r{i}", "kind": "product", "flag": True, "n": 3, "x": 2.5} for i in range(n)
        ],
        "texts": [{"id": f"r{i}", "note": ODD[i % len(ODD)], "dup": ODD[i % 2]} for i in range(n)],
        # equal values with different texts: 0.0 and -0.0, 1 and True, 1 and 1.0
        "zeros": [{"x": [0.0, -0.0, 1.5, 1.5][i % 4]} for i in range(n)],
        "negative_zero": [{"x": -0.0} for _ in range(n)],
        "ints_and_bools": [{"v": [1, True][i % 2]} for i in range(n)],
        "ints_and_floats": [{"v": [1, 1.0][i % 2]} for i in range(n)],
        "floats": [{"x": [0.1, 1e300, 2.5e-12, 7.0][i % 4], "y": i / 7} for i in range(n)],
        "lists": [
            {"tags": [["a", ODD[0]], [], ["b"], ["a", ODD[0]], [1, "1"]][i % 5], "n": i}
            for i in range(n)
        ],
        "tables_in_lists": [{"risks": [shared, [], shared, risks[2:]][i % 4]} for i in range(n)],
        "empty_tables": [{"id": f"e{i}", "sub": {}} for i in range(n)],
        "mixed_keys": [{"a": 1, "b": "x"} if i % 3 else {"b": "x", "a": 1} for i in range(n)],
        "nested": [
            {"id": f"n{i}", "sub": {"k": i}} if i % 5 == 0 else {"id": f"n{i}"} for i in range(n)
        ],
        "readiness": {
            "deadlines": [
                {
                    "key": "2027",
                    "at_risk": [
                        {
                            "product_id": f"p{i}",
                            "product": ODD[i % 6],
                            "risks": [shared, risks, []][i * i % 7 % 3],
                        }
                        for i in range(n)
                    ],
                },
                {
                    "key": "copies",  # equal risks, not shared: rendered once per distinct row
                    "at_risk": [
                        {"product_id": f"p{i}", "risks": [dict(r) for r in risks[: i % 4]]}
                        for i in range(n)
                    ],
                },
                {"key": "mixed", "at_risk": [{"v": [1, True, "1"][i % 3]} for i in range(n)]},
            ]
        },
    }


@pytest.mark.parametrize("piece", [3, 2000])
def test_edge_cases_are_written_as_value_by_value(plain, monkeypatch, piece):
    document = _edge_document()
    monkeypatch.setattr(export_toml, "_SLICE", piece)
    text = export_toml.dumps(document)
    assert text == plain(document)
    assert "-0.0" in text and "\\u007f" in text and "\x7f" not in text
    parsed = export_toml.loads(text)
    assert parsed["zeros"][1]["x"] == 0.0 and math.copysign(1, parsed["zeros"][1]["x"]) < 0
    assert [r["v"] for r in parsed["ints_and_bools"][:2]] == [1, True]
    assert type(parsed["ints_and_floats"][1]["v"]) is float
    assert parsed == document


def test_the_demo_concept_is_written_as_value_by_value(demo_ws, plain):
    document = _held(service.concept_source(demo_ws, author="An").document, demo_ws)
    assert export_toml.dumps(document) == plain(document)


def test_a_generated_worked_concept_is_written_as_value_by_value(tmp_path, plain):
    sys.path.insert(0, str(BENCH))
    try:
        from generate import generate, work_on

        generate(tmp_path / "ws.sqlite", 120).close()
        work_on(tmp_path / "ws.sqlite")
    finally:
        sys.path.remove(str(BENCH))
    from elo_tui.store import Workspace

    ws = Workspace.open(tmp_path / "ws.sqlite")
    try:
        document = _held(service.concept_source(ws, author="An").document, ws)
    finally:
        ws.close()
    assert len(document["checklist_items"]) > 100 and document["readiness"]["deadlines"]
    assert export_toml.dumps(document) == plain(document)


def test_non_finite_and_none_still_refused():
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="oneindig"):
            export_toml.dumps({"t": [{"x": 1.0}, {"x": bad}, {"x": 2.0}]})
    with pytest.raises(ValueError, match="None"):
        export_toml.dumps({"t": [{"x": "a"}, {"x": None}]})


def test_column_texts_are_shared_and_one_value_is_one_text():
    values = ["product", "application"] * 100
    texts = export_toml._column(values)
    assert texts == [export_toml._value(v) for v in values]
    assert texts[0] is texts[2]  # one quoted text per distinct value
    assert export_toml._column(("vms",) * 50) == '"vms"'
    assert export_toml._column([True] * 50) == "true"
    assert export_toml._column([-0.0] * 50) == ["-0.0"] * 50  # not folded with 0.0
    assert export_toml._column([{}] * 3) == "{}"
    assert export_toml._column([{"a": 1}] * 3) is None  # sub-tables: the general path


def _rows_case(rows: list[tuple]) -> tuple[str, str] | None:
    fields = [("id", None), ("title", None), ("n", None), ("x", None), ("done", bool)]
    return encode_page("items", fields, rows)


def test_encoded_rows_fold_a_column_of_one_value_and_refuse_nulls():
    rows = [(f"i{k}", "zelfde %s", 7, 0.5, 1) for k in range(100)]
    json_text, toml_text = _rows_case(rows)  # type: ignore[misc]
    dicts = [{"id": r[0], "title": r[1], "n": r[2], "x": r[3], "done": True} for r in rows]
    assert json_text == sub.canonical_json(dicts)[1:-1]  # type: ignore[arg-type]
    assert toml_text == export_toml.table_array_text("items", dicts)
    for column in range(5):  # a NULL anywhere, first row or later: the dict path
        for at in (0, 70):
            broken = list(rows)
            broken[at] = tuple(None if c == column else v for c, v in enumerate(rows[at]))
            assert _rows_case(broken) is None, (column, at)
    assert _rows_case([(*r[:2], 7 if k else 7.5, *r[3:]) for k, r in enumerate(rows)]) is None


def test_encoded_checklist_rows_of_one_repeated_text(demo_ws):
    """Low-cardinality columns (each distinct text quoted once) with DEL and '%'."""
    items = demo_ws.list(ChecklistItem)
    for i, item in enumerate(items):
        item.note = ODD[i % 2]
    demo_ws.save_many(items)
    fields = demo_ws.data_names(ChecklistItem)
    for rows in demo_ws.iter_rows(ChecklistItem, 5000):
        dicts = demo_ws.data_dicts(ChecklistItem, rows)
        json_text, toml_text = encode_page("checklist_items", fields, rows)  # type: ignore[misc]
        assert json_text == sub.canonical_json(dicts)[1:-1]  # type: ignore[arg-type]
        assert toml_text == export_toml.table_array_text("checklist_items", dicts)
        assert "\\u007f" in toml_text and "\x7f" in json_text
