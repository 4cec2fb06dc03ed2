"""IPDC JSON-LD import: both forms, an LDES page, archived and unknown codes, re-import,
and the IPDC-correcties export. Fixtures in tests/data/ipdc/ follow the IPDC-LPDC
implementation model's contexts (Informatievlaanderen/ipdc-lpdc, jsonld/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from elo_tui.cli import main
from elo_tui.domain.codelists import IPDC_BASE
from elo_tui.domain.ipdc_corrections import corrections
from elo_tui.domain.records import Product
from elo_tui.io.ipdc_jsonld import IpdcError, html_to_text, looks_like_json, parse, read_file
from elo_tui.services import ipdc_import as ii
from elo_tui.store import Workspace

DATA = Path(__file__).parent / "data" / "ipdc"
COMPACT = DATA / "concept_compact.jsonld"
EXPANDED = DATA / "instances_expanded.jsonld"
LDES = DATA / "ldes_page.jsonld"
ONDERNEMING = f"{IPDC_BASE}Doelgroep/Onderneming"


def _ws(tmp_path) -> Workspace:
    return Workspace.open(tmp_path / "w.sqlite", create=True, user="tester")


def test_compact_concept_reads_dutch_name_plain_description_and_resolves_codes():
    doc = read_file(COMPACT)
    assert (doc.form, doc.shape) == ("compact", "record")
    (r,) = doc.records
    assert r.product_number == "1502"
    assert r.kind == "concept"
    assert r.name == "Omgevingsvergunning voor ingedeelde inrichtingen klasse 2"  # nl first
    assert "<" not in r.description and "activiteiten & installaties" in r.description
    assert r.type_uri == f"{IPDC_BASE}Type/Toelating"  # relative value against the @base
    assert r.themes == [f"{IPDC_BASE}Thema/MilieuEnergie", f"{IPDC_BASE}Thema/BouwenWonen"]
    assert r.competent_levels == [f"{IPDC_BASE}BevoegdBestuursniveau/Vlaams"]


def test_expanded_instances_take_the_formal_variant_and_narrower_enterprise_groups():
    doc = read_file(EXPANDED)
    assert (doc.form, doc.shape) == ("expanded", "array")
    first = doc.records[0]
    assert first.kind == "instantie"
    assert first.name == "KMO-portefeuille (formeel)"  # no "nl": the formal variant, not "en"
    assert first.type_uri == f"{IPDC_BASE}Type/FinancieelVoordeel"
    plan = ii.plan_import(doc, [])
    assert plan.items[0].product.target_groups == [ONDERNEMING]  # OndernemingIndustrie


def test_ldes_page_keeps_the_newest_snapshot_and_reports_the_archived_one():
    doc = read_file(LDES)
    assert doc.shape == "ldes" and doc.superseded == 1
    by_number = {r.product_number: r for r in doc.records}
    assert by_number["3101"].name == "Erkenning als reisbureau"  # 2025-11-15 beats 2025-10-01
    plan = ii.plan_import(doc, [])
    assert [r.product_number for r in plan.archived_new] == ["3102"]
    assert "3102" not in {i.product.ipdc_number for i in plan.items}
    assert any("gearchiveerd in IPDC, niet ingelezen" in line for line in plan.report_lines())


def test_newest_snapshot_wins_whatever_the_order_in_the_page():
    data = json.loads(LDES.read_text())
    data["member"] = list(reversed(data["member"]))
    doc = parse(data)
    assert {r.product_number: r.name for r in doc.records}["3101"] == "Erkenning als reisbureau"


def test_unknown_code_is_imported_and_marked_to_check_with_its_value(tmp_path):
    with _ws(tmp_path) as ws:
        ii.import_file(ws, str(LDES))
        (p,) = ws.list(Product, where="ipdc_number = '3103'")
        assert p.ipdc_type == ""  # not a code our lists know: not put in the field
        assert "Type — IPDC-record, waarde 'Digitaal': onbekend type" in p.to_check[0]
        (q,) = ws.list(Product, where="ipdc_number = '3101'")
        assert q.themes == [f"{IPDC_BASE}Thema/EconomieWerk"]
        assert any("waarde 'Ruimte'" in line for line in q.to_check)
        # correcting the field in the form clears the line, as after a spreadsheet import
        from elo_tui.domain.to_check import field_of

        assert field_of(p.to_check[0]) == "ipdc_type"


def test_reimport_updates_by_number_never_duplicates_and_keeps_local_fixes(tmp_path):
    with _ws(tmp_path) as ws:
        ii.import_file(ws, str(LDES))
        n = ws.count(Product)
        (p,) = ws.list(Product, where="ipdc_number = '3101'")
        p.ipdc_type = f"{IPDC_BASE}Type/Bewijs"  # the agency knows better than IPDC
        ws.save(p)
        data = json.loads(LDES.read_text())
        newer = dict(data["member"][1])
        newer.update(
            {
                "@id": "https://ipdc.vlaanderen.be/id/conceptsnapshot/aaaa-3",
                "generatedAtTime": "2025-12-01T10:00:00Z",
                "naam": {"nl": "Erkenning als reisbureau of reisorganisator"},
            }
        )
        data["member"].append(newer)
        path = tmp_path / "page2.jsonld"
        path.write_text(json.dumps(data))
        plan = ii.import_file(ws, str(path))
        assert ws.count(Product) == n
        (p,) = ws.list(Product, where="ipdc_number = '3101'")
        assert p.name == "Erkenning als reisbureau of reisorganisator"
        assert p.ipdc_type == f"{IPDC_BASE}Type/Bewijs"
        line = next(i.line() for i in plan.items if i.product.ipdc_number == "3101")
        assert "naam: 'Erkenning als reisbureau' -> 'Erkenning als reisbureau of" in line
        assert "behouden (eigen aanpassing): type Bewijs (IPDC: Toelating)" in line
        kinds = {c.kind for c in corrections([p], ipdc_imported=True)}
        assert "type_wrong" in kinds


def test_archived_record_of_an_existing_product_is_marked_to_check(tmp_path):
    with _ws(tmp_path) as ws:
        ws.save(Product(name="Kermis", ipdc_number="3102"))
        plan = ii.import_file(ws, str(LDES))
        (p,) = ws.list(Product, where="ipdc_number = '3102'")
        assert p.name == "Kermis"
        assert any("gearchiveerd in IPDC" in line for line in p.to_check)
        assert plan.count("archived") == 1


def test_product_typed_in_without_number_is_matched_by_name(tmp_path):
    with _ws(tmp_path) as ws:
        ws.save(Product(name="erkenning als reisbureau"))
        ii.import_file(ws, str(LDES))
        found = [p for p in ws.list(Product) if "reisbureau" in p.name.casefold()]
        assert len(found) == 1 and found[0].ipdc_number == "3101"
        assert found[0].ipdc_uri.endswith("aaaa0000-0000-0000-0000-000000000001")


def test_corrections_flag_missing_record_and_not_for_entrepreneurs(tmp_path):
    with _ws(tmp_path) as ws:
        ws.save(Product(name="Eigen product zonder IPDC"))
        ii.import_file(ws, str(EXPANDED))
        items = corrections(ws.list(Product), ipdc_imported=True)
        by = {(c.product_name, c.kind) for c in items}
        assert ("Eigen product zonder IPDC", "no_record") in by
        assert ("Ecologiepremie+", "not_for_entrepreneurs") in by
        assert ("Ecologiepremie+", "theme_missing") in by
        assert not any(c.kind == "not_for_entrepreneurs" for c in items if c.ipdc_number == "2301")


def test_import_command_detects_jsonld_by_content_and_exports_corrections(
    tmp_path, state_dir, capsys
):
    copy = tmp_path / "export-zonder-extensie"
    copy.write_bytes(LDES.read_bytes())
    code = main(["import", str(copy), "--state-dir", str(state_dir)])
    out = capsys.readouterr().out
    assert code == 0
    assert "pagina van de IPDC-eventstream" in out
    assert "2 nieuw" in out and "1 gearchiveerd in IPDC" in out
    for suffix in ("csv", "xlsx", "md"):
        target = tmp_path / f"correcties.{suffix}"
        code = main(["roadmap", "corrections", "--out", str(target), "--state-dir", str(state_dir)])
        assert code == 0 and target.exists()
    assert "Onbekend type" in (tmp_path / "correcties.md").read_text()
    assert "Type/Digitaal" in (tmp_path / "correcties.csv").read_text(encoding="utf-8-sig")
    import openpyxl

    sheet = openpyxl.load_workbook(tmp_path / "correcties.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "IPDC-productnummer"
    assert any(r[3] == "Niet gemarkeerd voor ondernemers" for r in rows[1:])


def test_broken_json_gets_a_dutch_message_and_changes_nothing(tmp_path, state_dir, capsys):
    bad = tmp_path / "kapot.jsonld"
    bad.write_text('{"@type": "Concept", "naam": ')
    code = main(["import", str(bad), "--state-dir", str(state_dir)])
    err = capsys.readouterr().err
    assert code == 2
    assert "geen geldige JSON (regel 1" in err and "Traceback" not in err
    assert not list(state_dir.glob("*.sqlite"))


def test_a_bad_record_is_skipped_and_the_others_imported(tmp_path):
    data = json.loads(LDES.read_text())
    data["member"].insert(0, "https://ipdc.vlaanderen.be/id/conceptsnapshot/only-a-link")
    data["member"].append({"@type": "ConceptSnapshot", "generatedAtTime": "gisteren"})
    doc = parse(data)
    assert len(doc.records) == 3
    assert any("Record 1: geen object" in p for p in doc.problems)
    assert any("'gisteren' is geen geldig tijdstip" in p for p in doc.problems)


def test_not_ipdc_at_all_is_refused_clearly():
    with pytest.raises(IpdcError, match="bevat geen IPDC-producten"):
        parse([])
    assert html_to_text("<p>A &amp; B</p><p>C</p>") == "A & B\nC"


def test_csv_is_not_taken_for_json(tmp_path):
    csv = tmp_path / "lijst.csv"
    csv.write_text("Productnaam;Type\nA;B\n")
    assert not looks_like_json(csv)
    assert looks_like_json(COMPACT)


def test_a_code_under_the_older_code_list_base_is_read_as_todays_uri():
    doc = parse(
        {
            "@type": "Concept",
            "productnummer": "9",
            "naam": {"nl": "Oud"},
            "type": "https://data.vlaanderen.be/id/concept/Type/Toelating",
        }
    )
    assert doc.records[0].type_uri == f"{IPDC_BASE}Type/Toelating"


def test_dry_run_saves_nothing_and_mapping_options_are_refused(tmp_path, state_dir, capsys):
    code = main(["import", str(LDES), "--state-dir", str(state_dir), "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0 and "Proefdraai, niets opgeslagen: 2 nieuw" in out
    assert not list(state_dir.glob("*.sqlite"))
    code = main(["import", str(LDES), "--state-dir", str(state_dir), "--sheet", "Blad1"])
    assert code == 2 and "gelden niet voor IPDC-bestanden" in capsys.readouterr().err


def test_the_import_summary_uses_dutch_plurals():
    data = json.loads(LDES.read_text())
    data["member"].insert(0, "https://ipdc.vlaanderen.be/id/conceptsnapshot/only-a-link")
    doc = parse(data)
    summary = ii.plan_import(doc, []).summary()
    assert "1 record overgeslagen" in summary and "(s)" not in summary
    if doc.superseded == 1:
        assert "1 oudere snapshot overgeslagen" in summary
