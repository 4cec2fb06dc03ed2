"""A messy real-world product list, and files that break naive readers: every valid
product arrives, every problem is named with its row, column and (shortened) value."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from elo_tui.cli import main
from elo_tui.domain.codelists import IPDC_BASE
from elo_tui.domain.records import Product
from elo_tui.domain.to_check import field_of
from elo_tui.io import tabular
from elo_tui.io.tabular import MAX_CELL, TabularError, read_table
from elo_tui.services import product_import as pi
from elo_tui.store import Workspace

MESSY = Path(__file__).parent / "data" / "messy_productenlijst.csv"
VALID_NAMES = [
    "Advies internationalisering",
    "Bouwpremie renovatie",
    "Ecologiepremie",
    "Erkenning energiedeskundige",
    "Groeisubsidie",
    "Heffing op grondwater",
    "Innovatiesteun",
    "Jeugdwerkpremie",
    "Milieuvergunning klasse 1",
    "Omgevingsvergunning klasse 2",
    "Sportsubsidie",
    "Starterslening",
    "Toelating exoten",
    "Uittreksel register",
    "Vervoersvergunning",
]
# (row, field, column, value) of every problem in the file
EXPECTED_PROBLEMS = {
    (10, "yearly_volume", "Aanvragen per jaar", "1.234,5"),
    (11, "ipdc_type", "Productgegevens Soort", "Lening"),
    (11, "yearly_volume", "Aanvragen per jaar", "12/03/2025"),
    (12, "ipdc_number", "Productgegevens IPDC-nr", "12AB"),
    (14, "themes", "Productgegevens Thema", "Ruimtevaart"),
    (17, "on_elo", "Beschikbaar op ELO", "misschien"),
    (17, "yearly_volume", "Aanvragen per jaar", "-20"),
    (18, "yearly_volume", "Aanvragen per jaar", "99999999999999999999"),
    (20, "name", "Productgegevens Naam", '"Bouwpremie renovatie'),
}


@pytest.fixture
def ws(tmp_path):
    w = Workspace.open(tmp_path / "ws.sqlite", create=True, user="tester")
    yield w
    w.close()


def _import(ws, path):
    table = read_table(path)
    plan = pi.plan_for_workspace(ws, table, pi.propose_mapping(table))
    return table, plan, pi.apply_plan(ws, plan)


def test_messy_list_imports_every_valid_product_and_lists_each_problem(ws):
    table, plan, result = _import(ws, MESSY)
    assert table.header_row == 4 and table.warnings  # header over two rows, merged
    products = {p.name: p for p in ws.list(Product)}
    assert sorted(products) == VALID_NAMES
    assert result.created == 15

    found = set()
    for f in result.flagged:
        key = field_of(f.reason)
        column = f.reason.split("kolom '")[1].split("'")[0]
        value = f.reason.split("waarde '")[1].split("':")[0]
        found.add((f.row, key, column, value))
        assert f.reason in products[f.name].to_check
    assert found == EXPECTED_PROBLEMS

    refused = {r.row: r.reason for r in result.rejected}
    assert set(refused) == {13, 15}
    assert "Naam is verplicht" in refused[13]
    assert "dubbel" in refused[15].lower() and "rij 6" in refused[15]

    # what could be read is kept, the bad field is empty
    assert products["Groeisubsidie"].ipdc_number == "12345"  # Belgian 12.345
    assert products["Omgevingsvergunning klasse 2"].yearly_volume == 1234  # stray spaces
    assert products["Innovatiesteun"].yearly_volume == 2000  # "€ 2.000"
    assert products["Innovatiesteun"].themes == []
    assert products["Starterslening"].ipdc_type == ""
    assert "een datum, geen aantal" in products["Starterslening"].to_check[1]
    assert products["Uittreksel register"].ipdc_number == ""
    assert products["Uittreksel register"].yearly_volume == 500
    assert products["Vervoersvergunning"].on_elo == "none"
    assert products["Vervoersvergunning"].ipdc_type == f"{IPDC_BASE}Type/Toelating"
    assert products["Jeugdwerkpremie"].notes == 'Zie ook "Jeugdwerk" (cultuur)'
    assert products["Groeisubsidie"].to_check == []

    # the same file again: nothing new, nothing duplicated, the same problems
    _, _, again = _import(ws, MESSY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 15)
    assert ws.count(Product) == 15
    assert {(f.row, f.reason) for f in again.flagged} == {(f.row, f.reason) for f in result.flagged}


def test_cli_lists_the_products_to_check_and_the_refused_rows(tmp_path, capsys):
    code = main(["--state-dir", str(tmp_path / "s"), "import", str(MESSY)])
    out = capsys.readouterr().out
    assert code == 1
    assert "15 nieuw" in out and "7 producten te controleren" in out
    assert "Let op: De kopregel staat over twee rijen" in out
    assert (
        "Rij 14 (Innovatiesteun): Thema's — rij 14, kolom 'Productgegevens Thema', "
        "waarde 'Ruimtevaart': niet herkend" in out
    )
    assert "Rij 15 (Groeisubsidie): Dubbel" in out


def _write(tmp_path, text: str | bytes, name="lijst.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_unclosed_quote_is_reported_on_its_row_and_later_rows_are_kept(tmp_path, ws):
    text = 'Naam;Volume\nA;1\n"B;2\nC;3\nD;4\n'
    table, plan, _ = _import(ws, _write(tmp_path, text))
    assert [r.values for r in table.rows] == [["A", "1"], ["B", "2"], ["C", "3"], ["D", "4"]]
    assert table.rows[1].problems[0][1].startswith("een aanhalingsteken")
    [flag] = plan.flagged()
    assert flag.row == 3 and "rij 3, kolom 'Naam'" in flag.reason


def test_unclosed_quote_closed_rows_later_does_not_swallow_rows(tmp_path):
    text = 'Naam;Type;Volume\n"Kapot;Subsidie;200\nDerde;Heffing;300\n"Vierde";Heffing;400\n'
    table = read_table(_write(tmp_path, text))
    assert [r.values[0] for r in table.rows] == ["Kapot", "Derde", "Vierde"]
    assert 0 in table.rows[0].problems


def test_cell_over_the_csv_limit_is_reported_and_the_row_kept(tmp_path, ws, capsys):
    huge = "x" * (MAX_CELL + 10)
    text = f"Naam;Omschrijving;Volume\nA;{huge};5\nB;kort;6\n"
    path = _write(tmp_path, text)
    table, plan, _ = _import(ws, path)
    assert [r.values[0] for r in table.rows] == ["A", "B"]
    [flag] = plan.flagged()
    assert "rij 2, kolom 'Omschrijving'" in flag.reason and "te groot" in flag.reason
    assert len(flag.reason) < 300  # the value is quoted shortened
    assert {p.name: p.yearly_volume for p in ws.list(Product)} == {"A": 5, "B": 6}


def test_a_huge_cell_is_never_echoed_in_full(tmp_path, capsys):
    huge = "Kwispel" * 150_000  # ~1 MB type value nobody recognises
    path = _write(tmp_path, f"Naam;Type\n{huge};{huge}\nB;{huge}\n")
    code = main(["--state-dir", str(tmp_path / "s"), "import", str(path)])
    captured = capsys.readouterr()
    assert code == 1
    assert len(captured.out) + len(captured.err) < 5_000
    assert "…" in captured.out and "Traceback" not in captured.err


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised(tmp_path, encoding):
    text = "Naam\tVolume\r\nGroeisubsidie\t45.000\r\nÉcopremie\t12\r\n"
    table = read_table(_write(tmp_path, text.encode(encoding)))
    assert table.encoding == "UTF-16 zonder BOM"
    assert [r.values for r in table.rows] == [["Groeisubsidie", "45.000"], ["Écopremie", "12"]]


def test_numbers_beyond_64_bits_are_flagged_not_crashing(tmp_path, ws):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Naam", "Volume"])
    wb.active.append(["Groot", 2**70])
    wb.active.append(["Precies", 2**63])
    wb.active.append(["Gewoon", 12])
    wb.save(tmp_path / "l.xlsx")
    _, plan, _ = _import(ws, tmp_path / "l.xlsx")
    assert sorted(f.row for f in plan.flagged()) == [2, 3]
    assert all("te groot" in f.reason for f in plan.flagged())
    assert {p.name: p.yearly_volume for p in ws.list(Product)} == {
        "Groot": None,
        "Precies": None,
        "Gewoon": 12,
    }


def test_formula_without_a_value_is_reported_as_a_formula(tmp_path, ws):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Naam", "Volume"])
    wb.active.append(["Som", "=SUM(1,2)"])  # openpyxl stores no computed value
    wb.save(tmp_path / "f.xlsx")
    _, plan, _ = _import(ws, tmp_path / "f.xlsx")
    [flag] = plan.flagged()
    assert "waarde '=SUM(1,2)'" in flag.reason and "Excel-formule" in flag.reason
    assert ws.list(Product)[0].yearly_volume is None


def test_zip_bomb_is_refused_before_openpyxl_reads_it(tmp_path, monkeypatch):
    import openpyxl

    def never(*a, **k):
        raise AssertionError("openpyxl must not open this file")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    # the limit is lowered so the test packs 9 MB, not 500: the check is the same
    monkeypatch.setattr(tabular, "MAX_XLSX_UNPACKED", 8 * 1024 * 1024)
    big = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (9 * 1024 * 1024))
    assert big.stat().st_size < 100 * 1024
    with pytest.raises(TabularError, match="uitgepakt 9 MB"):
        read_table(big)
    many = tmp_path / "veel.xlsx"
    with zipfile.ZipFile(many, "w") as z:
        for i in range(5_001):
            z.writestr(f"x/{i}", b"")
    with pytest.raises(TabularError, match="5.001 onderdelen"):
        read_table(many)
