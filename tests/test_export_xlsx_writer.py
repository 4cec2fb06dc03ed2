"""The small XLSX writer: openpyxl reads back exactly what was written."""

from __future__ import annotations

import datetime
import re
import zipfile

import openpyxl
import pytest

from elo_tui.io import xlsx_writer as xw
from xlsx_support import resolved


def shared_strings(path) -> tuple[list[str], str]:
    """The `<si>` elements of a saved workbook's sharedStrings.xml, and the part."""
    with zipfile.ZipFile(path) as z:
        part = z.read("xl/sharedStrings.xml").decode("utf-8")
    return re.findall(r"<si>.*?</si>", part, re.DOTALL), part


def test_values_styles_and_layout_read_back(tmp_path):
    s = xw.Sheet("Blad", widths=[20, 12], freeze_rows=1, freeze_cols=1)
    s.append(["Naam", "Bedrag", "Datum", "Ok"], bold=True)
    s.append(["  met spaties  ", 1234.5, datetime.date(2026, 6, 30), True], [xw.PLAIN, xw.EUR])
    s.append(['a & b < c > d "e"', 3, None, "", "\x00\x07weg"], [xw.PLAIN, xw.DAYS])
    s.append(["x"] * 30)
    path = tmp_path / "t.xlsx"
    xw.save([s, xw.Sheet("Leeg")], path, title="Test & co")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Blad", "Leeg"]
    ws = wb["Blad"]
    assert [c.value for c in ws[1]][:5] == ["Naam", "Bedrag", "Datum", "Ok", None]
    assert ws["A1"].font.b and not ws["A2"].font.b
    assert ws["A2"].value == "  met spaties  "
    assert ws["B2"].value == 1234.5 and ws["B2"].number_format == xw.EUR_FORMAT
    assert ws["C2"].value == datetime.datetime(2026, 6, 30) and ws["C2"].is_date
    assert ws["D2"].value is True
    assert ws["A3"].value == 'a & b < c > d "e"'
    assert ws["B3"].value == 3 and ws["B3"].number_format == "0.0"
    assert ws["C3"].value is None and ws["D3"].value is None
    assert ws["E3"].value == "weg"
    assert ws["AD4"].value == "x"  # column 30
    assert ws.freeze_panes == "B2"
    assert ws.column_dimensions["A"].width == 20
    assert wb.properties.title == "Test & co"


def test_package_has_the_parts_excel_expects_all_well_formed(tmp_path):
    from xml.etree import ElementTree

    path = tmp_path / "t.xlsx"
    sheet = xw.Sheet("A", widths=[10], freeze_rows=1)
    sheet.append(["<&>", 1.5, datetime.date(2026, 1, 1)], [xw.PLAIN, xw.EUR_BOLD])
    xw.save([sheet, xw.Sheet("B")], path)
    archive = zipfile.ZipFile(path)
    for name in archive.namelist():
        ElementTree.fromstring(archive.read(name))  # raises on malformed XML
    names = set(archive.namelist())
    assert {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/sharedStrings.xml",
        "xl/worksheets/sheet1.xml",
        "docProps/core.xml",
        "docProps/app.xml",
    } <= names
    types = archive.read("[Content_Types].xml").decode()
    assert (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' in types
    )
    rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    assert re.search(r'Id="rId4" Type="[^"]*/sharedStrings" Target="sharedStrings.xml"', rels)
    assert len(set(re.findall(r'Id="(rId\d+)"', rels))) == 4  # two sheets, styles, strings


def test_column_letters():
    assert [xw.column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


def test_invalid_sheet_names_are_refused(tmp_path):
    with pytest.raises(ValueError):
        xw.save([xw.Sheet("a/b")], tmp_path / "x.xlsx")
    with pytest.raises(ValueError):
        xw.save([xw.Sheet("x" * 32)], tmp_path / "x.xlsx")


def test_table_bodies_render_the_same_as_single_rows(tmp_path):
    """Ten rows of one shape take the column-wise path; every kind of cell survives it."""
    styles = [xw.PLAIN, xw.EUR, xw.PLAIN, xw.PLAIN]
    rows = [
        [
            f" naam {i} " if i % 3 == 0 else f"naam <{i}> & co",
            float(i) * 1.5,
            None if i % 2 else i,
            "" if i % 4 == 0 else datetime.date(2026, 1, 1 + i),
        ]
        for i in range(10)
    ]
    sheet = xw.Sheet("Tabel")
    for row in rows:
        sheet.append(row, styles)
    path = tmp_path / "t.xlsx"
    xw.save([sheet], path)
    ws = openpyxl.load_workbook(path)["Tabel"]
    for r, row in enumerate(rows, 1):
        got = [c.value for c in ws[r]]
        expected_date = None if row[3] == "" else datetime.datetime.combine(row[3], datetime.time())
        assert got == [row[0], row[1], row[2], expected_date]
        assert ws.cell(r, 2).number_format == xw.EUR_FORMAT


def test_a_sheet_built_later_is_written_as_the_same_part_and_freed(tmp_path):
    """`Later` sheets (the long sheets of an export) are built when their turn comes:
    the parts are those of the same sheets given built, and a built sheet is no longer
    held once the next one is being built."""
    import gc
    import weakref

    def sheet(title: str) -> xw.Sheet:
        s = xw.Sheet(title, widths=[10], freeze_rows=1)
        s.append(["Naam", "Bedrag"], bold=True)
        for i in range(20):
            s.append([f"rij {i}", i * 2.5], [xw.PLAIN, xw.EUR])
        return s

    built: list[weakref.ref] = []
    alive_when_built: list[int] = []

    def later(title: str) -> xw.Sheet:
        gc.collect()
        alive_when_built.append(sum(ref() is not None for ref in built))
        s = sheet(title)
        built.append(weakref.ref(s))
        return s

    eager, lazy = tmp_path / "eager.xlsx", tmp_path / "lazy.xlsx"
    xw.save([sheet("Een"), sheet("Twee"), sheet("Drie")], eager)
    xw.save(
        [
            sheet("Een"),
            xw.Later("Twee", lambda: later("Twee")),
            xw.Later("Drie", lambda: later("Drie")),
        ],
        lazy,
    )
    with zipfile.ZipFile(eager) as a, zipfile.ZipFile(lazy) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name != "docProps/core.xml":  # carries the time of writing
                assert a.read(name) == b.read(name), name
    assert alive_when_built == [0, 0]
    with pytest.raises(ValueError, match="built as"):
        xw.save([xw.Later("Een", lambda: sheet("Ander"))], tmp_path / "x.xlsx")


@pytest.mark.parametrize("piece_rows", [2000, 7, 1])
def test_rows_given_later_are_written_as_rows_appended(monkeypatch, piece_rows):
    """Rows taken from an iterable while the sheet is written (`append_later`) give the
    XML of the same rows appended, pieces cut at the same rows; each is made only when
    its piece is written, and a count that is not the iterable's is refused."""
    monkeypatch.setattr(xw, "_ROWS_PER_PIECE", piece_rows)
    data = [[f"rij {i}", i * 2.5, "" if i % 3 else "x", None] for i in range(23)]
    styles = [xw.PLAIN, xw.EUR]  # one object for the rows of a sheet, as the builders do

    def sheet(later: bool) -> xw.Sheet:
        s = xw.Sheet("Blad", widths=[10], freeze_rows=1)
        s.append(["Naam", "Bedrag"], bold=True)
        if later:
            s.append_later(map(list, data), len(data), 4, styles)
        else:
            for values in data:
                s.append(list(values), styles)
        s.append(["Totaal", 1.5], bold=True)
        return s

    strings_a, strings_b = xw.SharedStrings(), xw.SharedStrings()
    appended = list(sheet(False).xml_pieces(True, strings_a))
    assert list(sheet(True).xml_pieces(True, strings_b)) == appended
    assert strings_a.texts == strings_b.texts
    assert '<dimension ref="A1:D25"/>' in appended[0]

    made: list[int] = []

    def rows():
        for i, values in enumerate(data):
            made.append(i)
            yield values

    s = xw.Sheet("Blad")
    s.append_later(rows(), len(data), 4)
    pieces = s.xml_pieces(False, xw.SharedStrings())
    next(pieces)  # the head: no row made yet
    assert made == []
    next(pieces)
    assert len(made) == min(piece_rows, len(data))

    s = xw.Sheet("Blad")
    s.append_later(iter(data), len(data) + 1, 4)
    with pytest.raises(ValueError, match="23 rows, not 24"):
        list(s.xml_pieces(False, xw.SharedStrings()))


def test_rows_built_column_by_column_are_the_cells_one_by_one():
    """`_rows_xml` builds runs of alike rows column by column; every row must be what
    `_cell` gives cell by cell, whatever the mix of values in a column."""
    from datetime import date

    from elo_tui.io.xlsx_writer import _LETTERS, SharedStrings, _attrs, _cell, _rows_xml

    styles = [xw.PLAIN, xw.EUR, xw.DAYS, xw.DATE, xw.BOLD, xw.PLAIN, xw.PLAIN, xw.PLAIN]
    odd = ["", " voor", "na ", "\x00", "a\x00b", "<&>", "x" * (xw.MAX_CELL + 5), "\t", "é ☃"]
    rows = []
    for i in range(40):
        rows.append(
            (
                [
                    f"tekst {i}",  # plain strings
                    float(i) / 3 if i % 3 else i,  # ints and floats
                    None if i % 4 == 0 else 1.5,  # numbers and empties
                    date(2027, 1, 1 + i % 28) if i % 2 else "",  # dates and empties
                    odd[i % len(odd)],  # every odd string
                    i % 5 == 0,  # booleans
                    None,  # always empty
                    f"t{i} " if i == 5 else f"t{i}",  # one ends with a space
                    "\x00" if i == 9 else "ok",  # one is nothing once cleaned
                ],
                styles,
                i == 7,  # one bold row inside the run
            )
        )
    rows.append((["kort"], None, False))  # another length
    rows.append(([], None, False))  # an empty row
    expected = []
    one_by_one, by_column = SharedStrings(), SharedStrings()
    for r, (values, st, bold) in enumerate(rows, 3):
        attrs = _attrs(st, bold, len(values))
        cells = "".join(
            _cell(f"{_LETTERS[c]}{r}", attrs[c], v, one_by_one) for c, v in enumerate(values)
        )
        expected.append(resolved(f'<row r="{r}">{cells}</row>', one_by_one))
    got = _rows_xml(rows, 3, {}, by_column)
    assert [resolved(row, by_column) for row in got] == expected
    assert sorted(by_column.texts) == sorted(one_by_one.texts)  # each text once


def test_columns_with_gaps_render_as_cell_by_cell():
    """Text columns with empty texts and number columns with gaps (the products'
    volumes, the estimate lines' days) take the column path; the XML is exactly what
    `_cell` writes cell by cell (no cell for an empty text or a None)."""
    n = 12
    columns = [
        [f"naam <{i}> & co" if i % 3 else "" for i in range(n)],  # text with gaps
        [None if i % 2 else i * 1.25 for i in range(n)],  # amounts with gaps
        [None if i % 4 == 0 else i for i in range(n)],  # ints with gaps
        [" rand " if i == 5 else ("" if i % 2 else "x") for i in range(n)],  # edge spaces
        ["\x01" if i == 3 else ("" if i == 4 else "ok") for i in range(n)],  # cleaned empty
        [""] * n,
        [None] * n,
        [f"t{i}" for i in range(n)],
        [float(i) for i in range(n)],
    ]
    rows = [list(r) for r in zip(*columns, strict=True)]
    styles = [xw.PLAIN, xw.EUR, xw.PLAIN, xw.PLAIN, xw.PLAIN, xw.PLAIN, xw.EUR, xw.BOLD, xw.DAYS]
    attrs = xw._attrs(styles, False, len(styles))
    one_by_one, by_column = xw.SharedStrings(), xw.SharedStrings()
    got = "".join(xw._rows_xml([(r, styles, False) for r in rows], 7, {}, by_column))
    expected = "".join(
        f'<row r="{7 + i}">'
        + "".join(
            xw._cell(f"{xw._LETTERS[c]}{7 + i}", attrs[c], v, one_by_one) for c, v in enumerate(row)
        )
        + "</row>"
        for i, row in enumerate(rows)
    )
    assert resolved(got, by_column) == resolved(expected, one_by_one)
    assert "" not in by_column.texts  # an empty text is no cell and no entry


@pytest.mark.parametrize(
    "texts",
    [
        ["a & b", "<c>", "gewoon"],
        ["met \x01 scheiding", "x"],  # the separator itself is cleaned away
        ["\x02\x1f\ufffe weg", "", "y"],
        ["lang " * 7000, "kort"],  # beyond Excel's cell limit
        ["z" * (xw.MAX_CELL - 1), "w" * 3],  # together beyond it, each within
    ],
)
def test_clean_escape_equals_cleaning_each_text(texts):
    def one(t: str) -> str:
        t = xw._ILLEGAL.sub("", t)[: xw.MAX_CELL]
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    assert xw._clean_escape(list(texts)) == [one(t) for t in texts]


def _text_columns(n: int) -> list[list[str]]:
    """Text columns for every path of the writer: few distinct texts (with gaps), mostly
    unique texts, a column mixed with numbers (cell by cell), odd texts."""
    odd = ['a & b < c > d "e"', "  met spaties  ", "\tvoor", "na\n", "\x00\x07weg", "é ☃ –"]
    return [
        ["ja" if i % 3 else ("" if i % 2 else "nee") for i in range(n)],
        [f"naam {i % (n // 2)}" for i in range(n)],  # each text twice
        [odd[i % len(odd)] for i in range(n)],
        [i if i % 2 else f"naam {i % (n // 2)}" for i in range(n)],  # mixed with ints
        ["x" * (xw.MAX_CELL + 10) if i == 3 else "kort" for i in range(n)],
    ]


def _cleaned(v):
    if type(v) is not str:
        return v
    return xw._ILLEGAL.sub("", v)[: xw.MAX_CELL] or None


@pytest.mark.parametrize("n", [10, 200])  # the few-distinct path needs >= 64 rows
def test_shared_strings_read_back_as_the_texts_one_entry_each(tmp_path, n):
    """Text cells are indices into one workbook-wide table: openpyxl reads the same
    texts (cleaned, cut, escaped and edge spaces kept), a text used many times - in
    several sheets, one of them built later - has one entry, and no cell is inline."""
    columns = _text_columns(n)
    rows = [list(r) for r in zip(*columns, strict=True)]

    def sheet(title: str) -> xw.Sheet:
        s = xw.Sheet(title)
        s.append(["Kolom", "Naam", "Vreemd", "Gemengd", "Lang"], bold=True)
        for row in rows:
            s.append(row)
        return s

    path = tmp_path / "t.xlsx"
    xw.save([sheet("Een"), xw.Later("Twee", lambda: sheet("Twee"))], path)
    wb = openpyxl.load_workbook(path)
    for ws in wb:
        got = [[c.value for c in r] for r in ws.iter_rows(min_row=2, max_col=5)]
        assert got == [[_cleaned(v) for v in row] for row in rows], ws.title
    texts = {v for row in rows for v in row if type(v) is str and v}
    texts |= {"Kolom", "Naam", "Vreemd", "Gemengd", "Lang"}
    entries, part = shared_strings(path)
    assert len(entries) == len(texts)  # each distinct text once, workbook-wide
    assert f'uniqueCount="{len(texts)}"' in part
    with zipfile.ZipFile(path) as z:
        for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
            xml = z.read(name).decode()
            assert "inlineStr" not in xml and "<is>" not in xml
            assert (
                xml.count(' t="s">') == sum(1 for r in rows for v in r if type(v) is str and v) + 5
            )


@pytest.mark.parametrize("n", [xw.INLINE_RUN, 300])
def test_a_long_column_of_mostly_different_texts_is_written_inline(tmp_path, n):
    """Ids and names (over 3/4 of a run's texts different) go into their cells, not the
    shared table: openpyxl reads the same texts (cleaned, cut, escaped, edge spaces
    kept, no cell for an empty one); a column of texts used twice, a column of few
    texts and a short sheet stay in the table."""
    odd = ["a & b < c > d", "  met spaties  ", "\tvoor", "na\n", "\x00\x07weg", "é ☃"]
    ids = [f"id-{i:05d}" for i in range(n)]
    unique = [
        odd[i] + f" {i}" if i < len(odd) else ("" if i % 17 == 0 else f"naam {i}") for i in range(n)
    ]
    unique[7] = "x" * (xw.MAX_CELL + 10)
    twice = [f"dubbel {i // 2}" for i in range(n)]  # half different: shared
    few = ["ja" if i % 3 else "nee" for i in range(n)]
    rows = [list(r) for r in zip(ids, unique, twice, few, strict=True)]
    long, short = xw.Sheet("Lang"), xw.Sheet("Kort")
    for row in rows:
        long.append(row)
    for row in rows[: xw.INLINE_RUN - 1]:
        short.append(row)
    path = tmp_path / "t.xlsx"
    xw.save([long, short], path)
    wb = openpyxl.load_workbook(path)
    assert [[c.value for c in r] for r in wb["Lang"].iter_rows(max_col=4)] == [
        [_cleaned(v) for v in row] for row in rows
    ]
    entries, _part = shared_strings(path)
    table = {re.sub(r"<[^>]+>", "", e) for e in entries}
    assert set(twice) | set(few) <= table
    assert not (set(ids) - {r[0] for r in rows[: xw.INLINE_RUN - 1]}) & table
    assert "naam 100" not in table and "naam 9" in table  # (9: also on the short sheet)
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
        short_xml = z.read("xl/worksheets/sheet2.xml").decode()
    blanks = sum(1 for t in unique if not t)
    assert xml.count('t="inlineStr"') == 2 * n - blanks
    for i in (1, 2):  # starts with spaces, with a tab
        assert f'<c r="B{i + 1}" t="inlineStr"><is><t xml:space="preserve">{unique[i]}</t>' in xml
    assert "a &amp; b &lt; c &gt; d 0" in xml
    assert "inlineStr" not in short_xml


def test_shared_strings_part_escapes_cleans_and_keeps_edge_spaces(tmp_path):
    """Each entry is the text as the inline cell held it: cleaned, cut at MAX_CELL,
    &, < and > escaped, xml:space="preserve" exactly when it starts or ends with a
    space or control character."""
    texts = ["<&>", " voor", "na ", "\tt", "r\r", "mid den", "\x00a\x01b\ufffe", "x" * 40_000]
    s = xw.Sheet("Blad")
    for t in texts:
        s.append([t])
    path = tmp_path / "t.xlsx"
    xw.save([s], path)
    entries, _ = shared_strings(path)
    assert entries == [
        "<si><t>&lt;&amp;&gt;</t></si>",
        '<si><t xml:space="preserve"> voor</t></si>',
        '<si><t xml:space="preserve">na </t></si>',
        '<si><t xml:space="preserve">\tt</t></si>',
        '<si><t xml:space="preserve">r\r</t></si>',
        "<si><t>mid den</t></si>",
        "<si><t>ab</t></si>",
        f"<si><t>{'x' * xw.MAX_CELL}</t></si>",
    ]
    # a table without any space or control character takes the joined path
    plain = xw.SharedStrings()
    plain.indices(["a&b", "c", "a&b", "d<e"])
    assert "".join(plain.xml_pieces()).endswith(
        "<si><t>a&amp;b</t></si><si><t>c</t></si><si><t>d&lt;e</t></si></sst>"
    )


def test_shared_string_indices_are_given_in_order_of_first_use():
    strings = xw.SharedStrings()
    assert strings.indices(["b", "a", "b", ""]) == ["0", "1", "0", ""]
    assert strings["c"] == "2" and strings["a"] == "1"
    assert strings.indices(["c", "d", "d"]) == ["2", "3", "3"]
    assert strings.texts == ["b", "a", "c", "d"]


def test_a_workbook_without_text_cells_is_valid(tmp_path):
    from xml.etree import ElementTree

    s = xw.Sheet("Getallen")
    for i in range(100):
        s.append([i, i * 1.5, datetime.date(2026, 1, 1 + i % 28), None, ""], [xw.PLAIN, xw.EUR])
    path = tmp_path / "t.xlsx"
    xw.save([s, xw.Sheet("Leeg")], path)
    entries, part = shared_strings(path)
    assert entries == [] and 'uniqueCount="0"' in part
    ElementTree.fromstring(part.encode())
    ws = openpyxl.load_workbook(path)["Getallen"]
    assert ws.max_column == 3  # no cell for a None or an empty text
    assert [c.value for c in ws[100]] == [99, 148.5, datetime.datetime(2026, 1, 16)]


def test_the_shared_table_stops_growing_at_its_limit(tmp_path, monkeypatch):
    """A column run whose new texts would take the shared table past SHARED_MAX texts is
    written inline (the table is held until the end: at 20,000 products it held 42,000
    names); a run whose texts are all in the table, and a column of few texts, stay
    shared. openpyxl reads the same texts either way."""
    monkeypatch.setattr(xw, "SHARED_MAX", 40)
    rows = [[f"naam {i // 2}", f"stap {i % 3}"] for i in range(200)]  # (not mostly unique)
    parts = {"Een": rows[:60], "Twee": rows, "Drie": rows[:60]}  # 30, 100, 30 names

    def sheet(title: str) -> xw.Sheet:
        s = xw.Sheet(title)
        s.append(["Naam", "Stap"], bold=True)
        s.append_later(iter(parts[title]), len(parts[title]), 2)
        return s

    path = tmp_path / "t.xlsx"
    xw.save([sheet("Een"), xw.Later("Twee", lambda: sheet("Twee")), sheet("Drie")], path)
    wb = openpyxl.load_workbook(path)
    for title, part in parts.items():
        assert [[c.value for c in r] for r in wb[title].iter_rows(min_row=2)] == part
    entries, table_part = shared_strings(path)
    table = {re.sub(r"<[^>]+>", "", e) for e in entries}
    assert table == {
        "Naam",
        "Stap",
        *(f"naam {i}" for i in range(30)),
        "stap 0",
        "stap 1",
        "stap 2",
    }
    assert f'uniqueCount="{len(entries)}"' in table_part
    with zipfile.ZipFile(path) as z:
        xml = {n: z.read(f"xl/worksheets/sheet{i}.xml").decode() for i, n in enumerate(parts, 1)}
    assert "inlineStr" not in xml["Een"] and "inlineStr" not in xml["Drie"]
    assert xml["Twee"].count('t="inlineStr"') == 200 and "<t>naam 31</t>" in xml["Twee"]
    assert xml["Twee"].count(' t="s">') == 2 + 200  # the headers and the steps
