"""`elo-tui import` end to end, headless."""

from __future__ import annotations

import json
import os

from elo_tui.cli import main
from elo_tui.domain.records import Application, Product
from elo_tui.store import Workspace

GOOD = (
    "Productnaam;IPDC-nummer;Type;Aanvraagtoepassing;Jaarvolume\r\n"
    "Groeisubsidie;12345;Subsidie;Subsidieloket;45.000\r\n"
    "Vergunning uitzonderlijk vervoer;;Vergunning;Vergunningenloket;26.000\r\n"
)
WITH_ERRORS = GOOD + ";;Heffing;;5\r\nNegatief;;Heffing;;-5\r\n"


def _file(tmp_path, text: str, name: str = "producten.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("cp1252"))
    return str(path)


def _products(state) -> list[Product]:
    with Workspace.open(state / "werkruimte.sqlite") as ws:
        return ws.list(Product, order_by="name")


def test_import_on_a_fresh_machine_creates_the_workspace(tmp_path, capsys):
    state = tmp_path / "nieuw"
    code = main(["import", _file(tmp_path, GOOD), "--state-dir", str(state)])
    out = capsys.readouterr().out
    assert code == 0
    assert (state / "werkruimte.sqlite").exists()
    assert "Nieuwe werkruimte gemaakt" in out
    assert "Naam" in out and "<- 'Productnaam'" in out
    assert "'Subsidie' -> Financieel voordeel" in out
    assert "2 nieuw, 0 bijgewerkt, 0 ongewijzigd, 0 geweigerd" in out
    assert [(p.name, p.yearly_volume) for p in _products(state)] == [
        ("Groeisubsidie", 45000),
        ("Vergunning uitzonderlijk vervoer", 26000),
    ]
    # the same file again updates nothing and duplicates nothing
    assert main(["import", _file(tmp_path, GOOD), "--state-dir", str(state)]) == 0
    assert "0 nieuw, 0 bijgewerkt, 2 ongewijzigd" in capsys.readouterr().out
    assert len(_products(state)) == 2


def test_rejected_rows_are_listed_and_valid_rows_still_imported(tmp_path, capsys):
    state = tmp_path / "s"
    code = main(["--state-dir", str(state), "import", _file(tmp_path, WITH_ERRORS)])
    out = capsys.readouterr().out
    assert code == 1
    assert "Geweigerde rijen:" in out
    assert "Rij 4: Naam is verplicht" in out
    assert "Te controleren (ingelezen zonder deze waarde):" in out
    assert (
        "Rij 5 (Negatief): Jaarvolume — rij 5, kolom 'Jaarvolume', waarde '-5': een "
        "jaarvolume kan niet negatief zijn" in out
    )
    assert len(_products(state)) == 3
    with Workspace.open(state / "werkruimte.sqlite") as ws:
        assert sorted(a.name for a in ws.list(Application)) == [
            "Subsidieloket",
            "Vergunningenloket",
        ]


def test_dry_run_saves_nothing_and_makes_no_workspace(tmp_path, capsys):
    state = tmp_path / "s"
    code = main(["import", _file(tmp_path, WITH_ERRORS), "--dry-run", "--state-dir", str(state)])
    out = capsys.readouterr().out
    assert code == 1
    assert "Proefdraai, niets opgeslagen: 3 nieuw" in out
    assert not (state / "werkruimte.sqlite").exists()


def test_binary_garbage_is_unusable_input(tmp_path, capsys):
    path = tmp_path / "foto.csv"
    path.write_bytes(os.urandom(2048) + b"\x00")
    state = tmp_path / "s"
    code = main(["import", str(path), "--state-dir", str(state)])
    err = capsys.readouterr().err
    assert code == 2
    assert "foto.csv" in err and "geen tabel" in err
    assert "Traceback" not in err
    assert not state.exists()  # nothing was created for a file we could not read


def test_file_without_a_name_column_is_unusable(tmp_path, capsys):
    code = main(
        ["import", _file(tmp_path, "Kleur;Gewicht\nrood;5\n"), "--state-dir", str(tmp_path)]
    )
    assert code == 2
    assert "Geen kolom voor de productnaam" in capsys.readouterr().err


def test_saved_mapping_can_be_edited_and_used_again(tmp_path, capsys):
    state = tmp_path / "s"
    text = "Titel;Soort;Uitleg\nA;Kwispel;eerste\nB;Heffing;tweede\n"
    data = _file(tmp_path, text)
    saved = tmp_path / "koppeling.json"
    code = main(
        ["import", data, "--dry-run", "--save-mapping", str(saved), "--state-dir", str(state)]
    )
    out = capsys.readouterr().out
    assert code == 1 and "'Kwispel' -> ?? niet herkend" in out
    mapping = json.loads(saved.read_text(encoding="utf-8"))
    assert mapping["columns"]["name"] == "Titel"
    assert mapping["values"]["ipdc_type"]["Kwispel"] == "?"

    mapping["values"]["ipdc_type"]["Kwispel"] = "Voorwerp"
    mapping["columns"]["description"] = "Uitleg"
    saved.write_text(json.dumps(mapping), encoding="utf-8")
    assert main(["import", data, "--mapping", str(saved), "--state-dir", str(state)]) == 0
    products = {p.name: p for p in _products(state)}
    assert products["A"].ipdc_type.endswith("/Voorwerp")
    assert products["A"].description == "eerste"


def test_broken_mapping_file_is_unusable(tmp_path, capsys):
    bad = tmp_path / "koppeling.toml"
    bad.write_text("[columns\nname = ", encoding="utf-8")
    code = main(
        ["import", _file(tmp_path, GOOD), "--mapping", str(bad), "--state-dir", str(tmp_path)]
    )
    assert code == 2
    assert "geen geldige TOML" in capsys.readouterr().err


def test_xlsx_sheet_option(tmp_path, capsys):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Toelichting"
    wb.active.append(["Deze lijst is voor intern gebruik", "versie 3"])
    wb.active.append(["Zie blad Producten", ""])
    sheet = wb.create_sheet("Producten")
    sheet.append(["Naam", "Jaarvolume"])
    sheet.append(["Ecologiepremie", 2400])
    path = tmp_path / "lijst.xlsx"
    wb.save(path)
    state = tmp_path / "s"
    assert main(["import", str(path), "--sheet", "Producten", "--state-dir", str(state)]) == 0
    assert "blad 'Producten'" in capsys.readouterr().out
    assert [(p.name, p.yearly_volume) for p in _products(state)] == [("Ecologiepremie", 2400)]
    assert main(["import", str(path), "--sheet", "Nope", "--state-dir", str(state)]) == 2
    assert "Bladen: Toelichting, Producten" in capsys.readouterr().err


def test_import_into_the_demo_workspace_updates_demo_products(tmp_path, capsys):
    text = "Naam;Jaarvolume\nGroeisubsidie (voorbeeld);700\nNieuw product;1\n"
    code = main(["import", _file(tmp_path, text), "--demo", "--state-dir", str(tmp_path / "s")])
    assert code == 0
    assert "1 nieuw, 1 bijgewerkt" in capsys.readouterr().out


def test_mapping_example_in_the_help_is_a_valid_mapping():
    import tomllib

    from elo_tui.commands.importing import EPILOG
    from elo_tui.services import product_import as pi

    example = "\n".join(line for line in EPILOG.splitlines() if line.startswith("  "))
    mapping = pi.Mapping()
    mapping.update_from(tomllib.loads(example))
    assert mapping.sheet == "Producten"
    assert mapping.column("yearly_volume") == "Aantal aanvragen per jaar"
    assert mapping.values["ipdc_type"] == {"Subsidie": "FinancieelVoordeel", "Landbouw": None}
