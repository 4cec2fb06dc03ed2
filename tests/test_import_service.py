"""The product importer against messy, hand-kept product lists."""

from __future__ import annotations

import json
import random

import pytest

from elo_tui.domain.codelists import IPDC_BASE
from elo_tui.domain.records import Application, Product
from elo_tui.io.tabular import read_table
from elo_tui.services import product_import as pi
from elo_tui.store import Workspace

T = f"{IPDC_BASE}Type/"
TH = f"{IPDC_BASE}Thema/"
DG = f"{IPDC_BASE}Doelgroep/"

BELGIAN = (
    "Productenlijst – Agentschap Voorbeeld\r\n"
    "\r\n"
    "Productnaam;IPDC-nr.;Soort;Thema's;Doelgroep;Aanvragen via;"
    "Aantal aanvragen per jaar;Op ELO;Kostprijs;Omschrijving\r\n"
    "Groeisubsidie;12345;Subsidie;Economie;Bedrijven;Subsidieloket;45.000;ja;€ 1.234,50;"
    "Steun voor groeiers\r\n"
    "Omgevingsvergunning klasse 2;;Vergunning;Milieu & Energie;Ondernemingen / Lokale besturen;"
    "Vergunningenloket;1.234;nee;;\r\n"
    ";;;;;;;;;\r\n"
    "Erkenning energiedeskundige;777;Erkenning;Milieu en Energie, Bouwen en Wonen;Burgers;"
    "subsidieloket;250;aanvragen en opvolgen;€ 0;\r\n"
    "Heffing op grondwater;;Heffing;Milieu;Bedrijven;Heffingenportaal;7300;;;\r\n"
)


def _csv(tmp_path, text: str, name: str = "lijst.csv", encoding: str = "cp1252"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return read_table(path)


@pytest.fixture
def ws(tmp_path):
    w = Workspace.open(tmp_path / "ws.sqlite", create=True, user="tester")
    yield w
    w.close()


def _import(ws, table, mapping=None):
    mapping = mapping or pi.propose_mapping(table)
    plan = pi.plan_for_workspace(ws, table, mapping)
    return plan, pi.apply_plan(ws, plan)


def _by_name(ws) -> dict[str, Product]:
    return {p.name: p for p in ws.list(Product)}


def test_belgian_cp1252_file_imports_with_proposed_mapping(tmp_path, ws):
    table = _csv(tmp_path, BELGIAN)
    mapping = pi.propose_mapping(table)
    assert mapping.columns == {
        "name": "Productnaam",
        "ipdc_number": "IPDC-nr.",
        "ipdc_type": "Soort",
        "themes": "Thema's",
        "target_groups": "Doelgroep",
        "request_application": "Aanvragen via",
        "followup_application": "",
        "yearly_volume": "Aantal aanvragen per jaar",
        "on_elo": "Op ELO",
        "description": "Omschrijving",
        "notes": "",
    }
    assert mapping.ignored_headers(table) == ["Kostprijs"]
    assert mapping.values["ipdc_type"] == {
        "Subsidie": "FinancieelVoordeel",
        "Vergunning": "Toelating",
        "Erkenning": "Toelating",
        "Heffing": "FinancieleVerplichting",
    }

    plan, result = _import(ws, table, mapping)
    assert (result.created, result.updated, result.rejected) == (4, 0, [])
    assert result.applications_created == 3  # "subsidieloket" reuses "Subsidieloket"
    products = _by_name(ws)
    groei = products["Groeisubsidie"]
    assert groei.yearly_volume == 45000  # 45.000 is forty-five thousand
    assert groei.ipdc_number == "12345"
    assert groei.ipdc_type == T + "FinancieelVoordeel"
    assert groei.themes == [TH + "EconomieWerk"]
    assert groei.target_groups == [DG + "Onderneming"]
    assert groei.on_elo == "request"
    assert groei.description == "Steun voor groeiers"
    vergunning = products["Omgevingsvergunning klasse 2"]
    assert vergunning.yearly_volume == 1234
    assert vergunning.target_groups == [DG + "Onderneming", DG + "LokaalBestuur"]
    assert vergunning.on_elo == "none"
    erkenning = products["Erkenning energiedeskundige"]
    assert erkenning.themes == [TH + "MilieuEnergie", TH + "BouwenWonen"]
    assert erkenning.on_elo == "both"
    apps = {a.name: a.id for a in ws.list(Application)}
    assert set(apps) == {"Subsidieloket", "Vergunningenloket", "Heffingenportaal"}
    assert erkenning.request_application_id == groei.request_application_id == apps["Subsidieloket"]


def test_english_comma_headers_and_utf8_bom(tmp_path, ws):
    text = (
        "Product name,Product number,Type,Themes,Target groups,Annual volume,On ELO,Notes\n"
        'Export coaching,,Advice,Economy,Companies,"1,200",yes,"from ""old"" list"\n'
        "Water levy,88,Levy,Environment,Businesses,300,no,\n"
    )
    table = _csv(tmp_path, text, encoding="utf-8-sig")
    mapping = pi.propose_mapping(table)
    assert mapping.column("name") == "Product name"
    assert mapping.column("ipdc_number") == "Product number"
    assert mapping.column("notes") == "Notes"
    _, result = _import(ws, table, mapping)
    assert result.created == 2 and not result.rejected
    coaching = _by_name(ws)["Export coaching"]
    assert coaching.ipdc_type == T + "AdviesBegeleiding"
    assert coaching.yearly_volume == 1200
    assert coaching.notes == 'from "old" list'
    assert _by_name(ws)["Water levy"].ipdc_type == T + "FinancieleVerplichting"


def test_headers_in_any_order_give_the_same_products(tmp_path, ws):
    lines = [line.split(";") for line in BELGIAN.split("\r\n")[2:] if line]
    order = list(range(len(lines[0])))
    random.Random(7).shuffle(order)
    shuffled = "\r\n".join(";".join(row[i] for i in order) for row in lines) + "\r\n"
    table = _csv(tmp_path, shuffled, name="geschud.csv")
    assert table.headers != lines[0]
    _, result = _import(ws, table)
    assert result.created == 4
    assert _by_name(ws)["Groeisubsidie"].yearly_volume == 45000


def test_a_bad_field_leaves_that_field_empty_and_marks_the_product(tmp_path, ws):
    text = (
        "Naam;Type;Jaarvolume;Thema\n"
        "Goed product;Subsidie;45.000;Economie\n"  # row 2
        ";Subsidie;10;\n"  # 3: missing name: no product
        "Raar type;Kwispel;10;\n"  # 4: type nobody recognises
        "Negatief;Heffing;-5;\n"  # 5: negative volume
        "Half;Heffing;1.234,5;\n"  # 6: not a whole number
        "Verschoven;Heffing;12;Milieu;extra\n"  # 7: more values than columns: shifted
        "Vreemd thema;Heffing;1;Ruimtevaart, Economie\n"  # 8: one unknown theme
        "Veel;Heffing;veel;\n"  # 9: not a number
    )
    table = _csv(tmp_path, text)
    plan, result = _import(ws, table)
    assert result.created == 6
    reasons = {r.row: r.reason for r in result.rejected}
    assert sorted(reasons) == [3, 7]
    assert "Naam is verplicht" in reasons[3]
    assert "meer dan er kolommen zijn" in reasons[7]
    products = _by_name(ws)
    assert products["Goed product"].to_check == []
    assert products["Raar type"].ipdc_type == "" and products["Raar type"].yearly_volume == 10
    assert products["Raar type"].to_check == [
        "Type — rij 4, kolom 'Type', waarde 'Kwispel': niet herkend als IPDC-producttype; "
        "kies de juiste waarde in het product (of in de koppeling en importeer opnieuw)."
    ]
    assert products["Negatief"].yearly_volume is None
    assert "rij 5, kolom 'Jaarvolume', waarde '-5'" in products["Negatief"].to_check[0]
    assert "negatief" in products["Negatief"].to_check[0]
    assert "geen geheel getal" in products["Half"].to_check[0]
    assert products["Vreemd thema"].themes == [TH + "EconomieWerk"]
    assert "waarde 'Ruimtevaart'" in products["Vreemd thema"].to_check[0]
    assert "waarde 'veel'" in products["Veel"].to_check[0]
    assert products["Veel"].ipdc_type == T + "FinancieleVerplichting"
    flagged = {f.row for f in result.flagged}
    assert flagged == {4, 5, 6, 8, 9}
    assert all(f.line().startswith(f"Rij {f.row} (") for f in result.flagged)
    assert "5 producten te controleren" in result.summary()
    assert plan.preview(3)[1].status == "geweigerd"
    assert plan.preview(3)[2].detail.startswith("te controleren: Type")


def test_reimport_keeps_the_existing_value_when_the_new_one_is_bad(tmp_path, ws):
    _import(ws, _csv(tmp_path, "Naam;Type;Volume\nPremie;Subsidie;100\n"))
    plan, result = _import(ws, _csv(tmp_path, "Naam;Type;Volume\nPremie;Kwispel;abc\n", "b.csv"))
    product = ws.list(Product)[0]
    assert (product.ipdc_type, product.yearly_volume) == (T + "FinancieelVoordeel", 100)
    assert [line.split(" — ")[0] for line in product.to_check] == ["Type", "Jaarvolume"]
    assert result.updated == 1 and plan.rows[0].changed == ["to_check"]
    # the corrected file clears the lines of the fields it now gives correctly
    _import(ws, _csv(tmp_path, "Naam;Type;Volume\nPremie;Subsidie;200\n", "c.csv"))
    product = ws.list(Product)[0]
    assert product.to_check == [] and product.yearly_volume == 200


def test_user_can_map_an_unknown_value_and_ignore_another(tmp_path, ws):
    text = "Naam;Type;Doelgroep\nA;Kwispel;Bedrijven, Marsmannetjes\n"
    table = _csv(tmp_path, text)
    mapping = pi.propose_mapping(table)
    assert mapping.values["ipdc_type"] == {"Kwispel": None}
    assert mapping.unmapped_values() == {
        "ipdc_type": ["Kwispel"],
        "target_groups": ["Marsmannetjes"],
    }
    mapping.set_value("ipdc_type", "kwispel", "Voorwerp")
    mapping.set_value("target_groups", "Marsmannetjes", "")  # leave out
    _, result = _import(ws, table, mapping)
    assert not result.rejected
    product = ws.list(Product)[0]
    assert product.ipdc_type == T + "Voorwerp"
    assert product.target_groups == [DG + "Onderneming"]


def test_duplicates_in_the_file_keep_the_first_and_report_the_later(tmp_path, ws):
    text = (
        "Naam;IPDC;Volume\n"
        "Groeisubsidie;12345;100\n"  # 2
        "groeisubsidie ;;200\n"  # 3: same name, no number -> duplicate of 2
        "Andere naam;12345;300\n"  # 4: same number -> duplicate of 2
        "Groeisubsidie;999;400\n"  # 5: same name, another number -> another product
    )
    table = _csv(tmp_path, text)
    _, result = _import(ws, table)
    assert result.created == 2
    dup = {r.row: r.reason for r in result.rejected}
    assert set(dup) == {3, 4}
    assert "rij 2" in dup[3] and "rij 2" in dup[4]
    volumes = sorted(p.yearly_volume for p in ws.list(Product))
    assert volumes == [100, 400]


def test_reimport_updates_instead_of_duplicating(tmp_path, ws):
    table = _csv(tmp_path, BELGIAN)
    _import(ws, table)
    before = {p.name: p.id for p in ws.list(Product)}

    again, result = _import(ws, _csv(tmp_path, BELGIAN))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    assert ws.count(Product) == 4 and ws.count(Application) == 3

    changed = (
        BELGIAN.replace("45.000", "50.000")
        .replace("Groeisubsidie;12345", "Groeisubsidie plus;12345")  # renamed, same number
        .replace("Heffing op grondwater;;", "HEFFING OP GRONDWATER ;4321;")  # matched by name
        .replace("Steun voor groeiers", "")  # an empty cell does not clear
    )
    plan, result = _import(ws, _csv(tmp_path, changed, name="v2.csv"))
    assert (result.created, result.updated, result.unchanged) == (0, 2, 2)
    products = _by_name(ws)
    assert ws.count(Product) == 4
    renamed = products["Groeisubsidie plus"]
    assert renamed.id == before["Groeisubsidie"]
    assert renamed.yearly_volume == 50000
    assert renamed.description == "Steun voor groeiers"
    heffing = products["HEFFING OP GRONDWATER"]
    assert heffing.id == before["Heffing op grondwater"] and heffing.ipdc_number == "4321"
    update = next(p for p in plan.rows if p.action == "update" and p.row == 4)
    assert set(update.changed) == {"name", "yearly_volume"}


def test_a_file_with_only_numbers_and_volumes_updates_volumes(tmp_path, ws):
    _import(ws, _csv(tmp_path, BELGIAN))
    _, result = _import(ws, _csv(tmp_path, "Naam;IPDC;Volume\n;12345;46.000\n;999;1\n", "b.csv"))
    assert result.updated == 1
    assert _by_name(ws)["Groeisubsidie"].yearly_volume == 46000
    assert [(r.row, "Naam is verplicht" in r.reason) for r in result.rejected] == [(3, True)]


def test_same_name_with_another_number_is_a_new_product(tmp_path, ws):
    ws.save(Product(name="Groeisubsidie", ipdc_number="111"))
    _, result = _import(ws, _csv(tmp_path, "Naam;IPDC\nGroeisubsidie;222\n"))
    assert result.created == 1
    assert sorted(p.ipdc_number for p in ws.list(Product)) == ["111", "222"]
    # without a number the name no longer tells which one is meant: refused, not guessed
    _, result = _import(ws, _csv(tmp_path, "Naam;IPDC\nGroeisubsidie;\n", name="b.csv"))
    assert result.rejected and "2 bestaande producten" in result.rejected[0].reason


def test_ambiguous_name_match_is_rejected_not_guessed(tmp_path, ws):
    ws.save_many([Product(name="Premie"), Product(name="premie")])
    _, result = _import(ws, _csv(tmp_path, "Naam;Volume\nPremie;5\n"))
    assert result.rejected and "2 bestaande producten" in result.rejected[0].reason
    assert all(p.yearly_volume is None for p in ws.list(Product))


def test_applications_of_rejected_rows_are_not_created(tmp_path, ws):
    ws.save(Application(name="Bestaand loket"))
    text = "Naam;Loket;Volume\nGoed;bestaand LOKET;1\n;Nieuw loket;1\n"
    _, result = _import(ws, _csv(tmp_path, text))
    assert result.applications_created == 0
    assert [a.name for a in ws.list(Application)] == ["Bestaand loket"]


def test_import_is_one_transaction(tmp_path, ws, monkeypatch):
    table = _csv(tmp_path, BELGIAN)
    plan = pi.plan_for_workspace(ws, table, pi.propose_mapping(table))
    calls = {"n": 0}
    original = ws._write

    def failing_write(record):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("disk full")
        original(record)

    monkeypatch.setattr(ws, "_write", failing_write)
    with pytest.raises(RuntimeError):
        pi.apply_plan(ws, plan)
    assert ws.count(Product) == 0 and ws.count(Application) == 0


def test_xlsx_with_number_cells(tmp_path, ws):
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.title = "Producten"
    sheet.append(["Type", "Volume", "Naam", "IPDC-productnummer", "Doelgroepen"])
    sheet.append(["Premie", 45000.0, "Ecologiepremie", 123456, "KMO's; zelfstandigen"])
    sheet.append(["Attest", 12, "Uittreksel register", None, "Ondernemingen"])
    sheet.append([None, None, None, None, None])
    sheet.append(["Attest", -3, "Negatief", None, None])
    wb.save(tmp_path / "lijst.xlsx")
    table = read_table(tmp_path / "lijst.xlsx")
    plan, result = _import(ws, table)
    assert result.created == 3
    assert [(f.row, "negatief" in f.reason) for f in result.flagged] == [(5, True)]
    eco = _by_name(ws)["Ecologiepremie"]
    assert eco.yearly_volume == 45000 and eco.ipdc_number == "123456"
    assert eco.ipdc_type == T + "FinancieelVoordeel"
    assert eco.target_groups == [DG + "Onderneming"]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Subsidie", "FinancieelVoordeel"),
        ("Ecologiepremie", "FinancieelVoordeel"),
        ("Steunmaatregel", "FinancieelVoordeel"),
        ("Vergunning", "Toelating"),
        ("Omgevingsvergunning", "Toelating"),
        ("Erkenning", "Toelating"),
        ("Ontheffing", "Toelating"),
        ("Heffing", "FinancieleVerplichting"),
        ("Retributie", "FinancieleVerplichting"),
        ("Erkenningsattest", "Bewijs"),
        ("Uittreksel", "Bewijs"),
        ("Begeleiding", "AdviesBegeleiding"),
        ("Financiële verplichting", "FinancieleVerplichting"),
        ("FINANCIEEL VOORDEEL", "FinancieelVoordeel"),
        (f"{T}Voorwerp", "Voorwerp"),
        ("Kwispel", None),
    ],
)
def test_type_value_suggestions(value, code):
    assert pi.suggest_value("ipdc_type", value) == code


def test_multi_values_keep_labels_that_contain_a_comma():
    text = "Cultuur, Sport en Vrije Tijd, Economie en Werk / Milieu"
    assert pi.split_multi("themes", text) == [
        "Cultuur, Sport en Vrije Tijd",
        "Economie en Werk",
        "Milieu",
    ]


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_mapping_round_trips_through_a_file_and_overrides_the_proposal(tmp_path, suffix):
    table = _csv(tmp_path, "Naam;Soort;Extra\nA;Kwispel;x\n")
    mapping = pi.propose_mapping(table)
    path = tmp_path / f"koppeling{suffix}"
    mapping.save(path)
    loaded = pi.Mapping()
    loaded.update_from(pi.load_mapping_file(path))
    assert loaded.columns == mapping.columns
    assert loaded.values["ipdc_type"] == {"Kwispel": None}  # "?" stays undecided

    if suffix == ".json":
        path.write_text(
            json.dumps(
                {"columns": {"notes": "Extra"}, "values": {"ipdc_type": {"kwispel": "Bewijs"}}}
            )
        )
    else:
        path.write_text('[columns]\nnotes = "Extra"\n[values.ipdc_type]\nkwispel = "Bewijs"\n')
    fresh = pi.propose_mapping(table)
    fresh.update_from(pi.load_mapping_file(path))
    assert fresh.column("name") == "Naam" and fresh.column("notes") == "Extra"
    assert fresh.values["ipdc_type"] == {"kwispel": "Bewijs"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"columns": {"kleur": "X"}}, "onbekend veld 'kleur'"),
        ({"values": {"ipdc_type": {"A": "Fiets"}}}, r"'Fiets' \(voor 'A'\) is geen geldige"),
        ({"values": {"name": {}}}, "alleen voor"),
        ({"oops": 1}, "onbekende sleutel"),
    ],
)
def test_bad_mapping_files_are_refused_with_a_reason(data, message):
    with pytest.raises(pi.MappingError, match=message):
        pi.Mapping().update_from(data)


def test_mapping_needs_a_name_column_and_existing_headers(tmp_path):
    table = _csv(tmp_path, "Kleur;Gewicht\nrood;5\n")
    mapping = pi.propose_mapping(table)
    with pytest.raises(pi.MappingError, match="Geen kolom voor de productnaam"):
        mapping.check(table)
    mapping.set_column("name", "Bestaat niet")
    with pytest.raises(pi.MappingError, match="'Bestaat niet' .* staat niet in"):
        mapping.check(table)
    mapping.set_column("name", "Kleur")
    mapping.check(table)


def test_set_column_moves_a_column_from_another_field():
    mapping = pi.Mapping()
    mapping.set_column("name", "Product")
    mapping.set_column("description", "Product")
    assert mapping.column("name") == "" and mapping.column("description") == "Product"
