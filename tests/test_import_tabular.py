"""Reading messy CSV and XLSX files as agencies keep them."""

from __future__ import annotations

import os
from datetime import datetime

import pytest

from elo_tui.io.tabular import TabularError, read_table, sniff_delimiter


def _write(path, text: str, encoding: str, newline: str = "\r\n") -> str:
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return str(path)


def test_cp1252_semicolon_file_with_euro_sign_and_title_rows(tmp_path):
    text = (
        "Productenlijst Agentschap Voorbeeld – export 12/03/2025\n"
        "\n"
        "Productnaam;Kostprijs;Jaarvolume\n"
        "Groeisubsidie;€ 1.234,50;45.000\n"
        "Café-erkenning;€ 12;7\n"
    )
    table = read_table(_write(tmp_path / "lijst.csv", text, "cp1252"))
    assert table.encoding == "cp1252"
    assert table.delimiter == ";"
    assert table.header_row == 3
    assert table.headers == ["Productnaam", "Kostprijs", "Jaarvolume"]
    assert [r.number for r in table.rows] == [4, 5]
    assert table.rows[0].values == ["Groeisubsidie", "€ 1.234,50", "45.000"]
    assert table.rows[1].values[0] == "Café-erkenning"


def test_utf8_bom_is_not_part_of_the_first_header(tmp_path):
    text = "Naam;Thema's\nErkenning;Economie en Werk\n"
    table = read_table(_write(tmp_path / "bom.csv", text, "utf-8-sig"))
    assert table.encoding == "UTF-8 met BOM"
    assert table.headers == ["Naam", "Thema's"]


def test_utf16_unicode_text_export_with_tabs(tmp_path):
    # Excel's "Unicode-tekst" export: UTF-16 with BOM, tab-separated.
    text = "Naam\tVolume\nÉcoprime\t12\n"
    table = read_table(_write(tmp_path / "unicode.txt", text, "utf-16"))
    assert table.delimiter == "\t"
    assert table.rows[0].values == ["Écoprime", "12"]


def test_comma_file_with_quoted_commas_and_semicolon_hint(tmp_path):
    path = _write(
        tmp_path / "en.csv",
        'Name,Themes,Yearly volume\n"Permit, class 2","Economie en Werk, Milieu en Energie",1200\n',
        "utf-8",
        newline="\n",
    )
    table = read_table(path)
    assert table.delimiter == ","
    assert table.rows[0].values == [
        "Permit, class 2",
        "Economie en Werk, Milieu en Energie",
        "1200",
    ]
    hinted = _write(tmp_path / "sep.csv", "sep=;\nNaam;Volume\nA;1\n", "utf-8")
    t2 = read_table(hinted)
    assert t2.delimiter == ";" and t2.header_row == 2 and t2.rows[0].number == 3


def test_semicolon_file_full_of_decimal_commas_is_not_taken_for_commas():
    lines = ["Naam;Bedrag;Volume\n"] + [f"P{i};1.234,{i};{i},5\n" for i in range(10)]
    assert sniff_delimiter(lines) == ";"


def test_blank_rows_are_skipped_and_broken_rows_flagged(tmp_path):
    text = "Naam;Volume\nA;1\n;\n\nB;2;extra;meer\nC\n"
    table = read_table(_write(tmp_path / "b.csv", text, "utf-8"))
    assert [r.number for r in table.rows] == [2, 5, 6]
    assert table.blank_rows == 2
    assert table.rows[1].overflow == 2
    assert table.rows[2].values == ["C", None]


def test_duplicate_and_blank_headers_get_distinct_names(tmp_path):
    table = read_table(_write(tmp_path / "h.csv", "Naam;;Naam;X\na;b;c;d\n", "utf-8"))
    assert table.headers == ["Naam", "Kolom 2", "Naam (2)", "X"]


def test_xlsx_keeps_numbers_and_dates_and_finds_header_below_title(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Intro"
    ws["A1"] = "Lees mij"
    data = wb.create_sheet("Producten")
    data.append(["Overzicht producten 2025"])
    data.append([])
    data.append(["Naam", "Volume", "Sinds", "IPDC"])
    data.append(["Groeisubsidie", 45000.0, datetime(2024, 3, 1), 123456])
    data.append([None, None, None, None])
    data.append(["Vergunning", 12.5, None, None])
    path = tmp_path / "lijst.xlsx"
    wb.save(path)

    # without --sheet: the first sheet that holds a table (here not the cover sheet)
    first = read_table(path)
    assert first.sheet == "Producten" and first.sheets == ["Intro", "Producten"]

    table = read_table(path, sheet="producten")  # sheet names match case-insensitively
    assert table.format == "xlsx" and table.sheet == "Producten"
    assert table.header_row == 3
    assert table.headers == ["Naam", "Volume", "Sinds", "IPDC"]
    assert table.rows[0].number == 4
    assert table.rows[0].values == ["Groeisubsidie", 45000, "2024-03-01", 123456]
    assert table.rows[1].number == 6 and table.rows[1].values[1] == 12.5


def test_unknown_sheet_lists_the_sheets(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Blad1"
    wb.active.append(["Naam"])
    wb.active.append(["A"])
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(TabularError, match="geen blad 'Producten'. Bladen: Blad1"):
        read_table(tmp_path / "x.xlsx", sheet="Producten")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (os.urandom(4096) + b"\x00\x01", "garbage.csv", "geen tabel: het bevat binaire gegevens"),
        (b"PK\x03\x04" + os.urandom(200), "kapot.xlsx", "geen leesbaar Excel-bestand"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "oud.xls",
            "oud Excel-bestand (.xls)",
        ),
        (b"", "leeg.csv", "is leeg"),
        (b"\r\n\r\n;;;\r\n", "blanco.csv", "geen enkele ingevulde cel"),
        (b"Naam;Volume\r\n", "kop.csv", "geen rijen met gegevens"),
        (b"Naam;Volume\nA;1\n", "nep.xlsx", "geen geldig Excel-bestand"),
    ],
)
def test_unusable_files_get_a_dutch_message_naming_the_file(tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(TabularError) as info:
        read_table(path)
    assert message in str(info.value)
    assert name in str(info.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(TabularError, match="bestaat niet"):
        read_table(tmp_path / "weg.csv")
    with pytest.raises(TabularError, match="is een map"):
        read_table(tmp_path)
