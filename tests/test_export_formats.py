"""Exports of a submission: TOML round trip, JSON, XLSX read back with openpyxl, Markdown."""

from __future__ import annotations

import datetime
import json
import re
import tomllib

import openpyxl
import pytest

from elo_tui.cli import main
from elo_tui.domain import submission as sub
from elo_tui.domain.records import RECORD_KINDS, Agency, ChecklistItem, Product, Submission
from elo_tui.io import export_markdown, export_toml, submission_files
from elo_tui.io.export_xlsx import SHEETS
from elo_tui.services import submission as service
from elo_tui.store import Workspace, WorkspaceError
from submission_support import freeze, plain_document


@pytest.fixture
def frozen(demo_ws):
    return freeze(demo_ws, author="An")


@pytest.fixture
def exported(frozen, tmp_path):
    files = service.source_of(frozen).export("all", tmp_path / "out")
    return {p.suffix: p for p in files}


def test_all_formats_are_written_with_readable_names(exported):
    assert set(exported) == {".toml", ".json", ".xlsx", ".md"}
    assert exported[".xlsx"].name == "indiening-OVO099999-v1.xlsx"


def test_toml_import_into_an_empty_workspace_recreates_the_same_state(
    demo_ws, frozen, exported, tmp_path
):
    document = submission_files.read(exported[".toml"])
    with Workspace.open(tmp_path / "copy.sqlite", create=True, user="x") as copy:
        record = service.import_document(copy, document)
        assert record.sha256 == frozen.sha256 and record.content == frozen.content
        for name, kind in RECORD_KINDS.items():
            if kind in (Submission, Agency) or name == "review":
                continue
            assert copy.list_data(kind) == demo_ws.list_data(kind), name
        assert copy.agency().data() == demo_ws.agency().data()
        again = service.build_content(copy, version=1, author="An", created_at="t")
        original = service.content_of(frozen)
        for section in (*sub.SECTIONS, "agency", "estimate"):
            assert again[section] == original[section], section


def test_json_and_toml_carry_the_same_document(frozen, exported):
    from_json = json.loads(exported[".json"].read_text(encoding="utf-8"))
    from_toml = tomllib.loads(exported[".toml"].read_text(encoding="utf-8"))
    assert from_json == from_toml == service.document_of(frozen)
    assert from_json["sha256"] == frozen.sha256


def test_fast_toml_writer_reads_back_like_tomli_w(frozen):
    doc = service.document_of(frozen)
    doc["extra"] = {"odd key": 'a\x7fb\t"c"', "nested": [{"deep": [{"x": 1.5e-7}]}], "e": {}}
    assert (
        tomllib.loads(export_toml.dumps(doc))
        == tomllib.loads(export_toml.dumps_reference(doc))
        == doc
    )


def test_tampered_export_is_refused_and_nothing_is_written(exported, tmp_path):
    text = (
        exported[".toml"].read_text(encoding="utf-8").replace("Groeisubsidie", "Groeisubsidie!", 1)
    )
    with Workspace.open(tmp_path / "copy.sqlite", create=True) as copy:
        with pytest.raises(sub.SubmissionFormatError, match="SHA-256"):
            service.import_document(copy, export_toml.loads(text))
        assert copy.count(Product) == 0


def test_import_refuses_a_workspace_with_data(demo_ws, exported):
    with pytest.raises(WorkspaceError, match="bevat al gegevens"):
        service.import_document(demo_ws, submission_files.read(exported[".toml"]))


def test_xlsx_has_the_sheets_totals_and_types(frozen, exported):
    content = service.content_of(frozen)
    e = content["estimate"]
    wb = openpyxl.load_workbook(exported[".xlsx"])
    assert tuple(wb.sheetnames) == SHEETS

    summary = {
        row[0]: row[1] for row in wb["Samenvatting"].iter_rows(values_only=True) if row and row[0]
    }
    assert summary["SHA-256"] == frozen.sha256
    assert summary["Raming P50 (budget)"] == e["p50"]
    assert summary["Raming P80 (plafond)"] == e["p80"]
    assert summary["Gevraagde cofinanciering"] == e["requested_total"]
    totals = next(
        r
        for r in wb["Samenvatting"].iter_rows()
        if r[0].value == "Totaal (P50, P80 en eigen bijdrage: portefeuille)"
    )
    assert totals[1].value == pytest.approx(e["mean"], abs=0.05)
    # The totals row adds up: P50 = requested + own contribution (issue 11).
    names = [
        c.value
        for c in next(r for r in wb["Samenvatting"].iter_rows() if r[0].value == "Begrotingsjaar")
    ]
    total_of = {name: cell.value for name, cell in zip(names, totals, strict=False)}
    assert total_of["P50"] == total_of["Gevraagde cofinanciering"] + total_of["Eigen bijdrage"]
    assert "€" in totals[1].number_format and totals[0].font.b

    raming = wb["Raming"]
    header = [c.value for c in raming[1]]
    mean_col = header.index("Verwachte kost (PERT)")
    rows = list(raming.iter_rows(min_row=2))
    body, total = rows[:-1], rows[-1]
    assert len(body) == len(content["estimate_lines"])
    assert total[0].value == "Totaal"
    # Lines of an application left out "in onderling overleg" are listed but not counted.
    out_col = header.index("Buiten beschouwing (niet meegeteld)")
    counted = [r for r in body if r[out_col].value == "nee"]
    assert 0 < len(counted) < len(body)
    assert total[mean_col].value == pytest.approx(sum(r[mean_col].value for r in counted))
    assert total[mean_col].value == pytest.approx(e["mean"], abs=1.0)
    assert all(isinstance(r[mean_col].value, float) for r in body)
    assert "€" in body[0][mean_col].number_format
    assert raming.freeze_panes == "D2"

    producten = wb["Producten"]
    head = [c.value for c in producten[1]]
    assert head[:3] == ["Product-id", "IPDC-nummer", "Naam"]
    assert {"Toepassing aanvragen", "Toepassing aanvragen (id)", "Type", "Type (code)"} <= set(head)
    names = {r[2] for r in producten.iter_rows(min_row=2, values_only=True)}
    assert "Ecologiepremie [beta] pilot (voorbeeld)" in names
    volumes = [
        r[head.index("Jaarvolume")] for r in producten.iter_rows(min_row=2, values_only=True)
    ]
    assert all(isinstance(v, int) for v in volumes)

    blocks = wb["Bouwstenen"]
    head = [c.value for c in blocks[1]]
    dates = [r[head.index("Streefdatum")] for r in blocks.iter_rows(min_row=2, values_only=True)]
    assert any(isinstance(d, datetime.datetime) for d in dates)
    assert len(list(blocks.iter_rows(min_row=2))) == len(content["block_statuses"])

    checklist = wb["Checklist"]
    head = [c.value for c in checklist[1]]
    steps = sum(r[head.index("Stappen")] for r in checklist.iter_rows(min_row=2, values_only=True))
    assert steps == len([i for i in content["checklist_items"] if not i.get("obsolete")])


def test_user_text_stays_text_in_every_format(demo_ws, tmp_path):
    product = demo_ws.list(Product)[0]
    product.name = '=HYPERLINK("http://x.invalid")|[red]x[/] <b>&\x07'
    demo_ws.save(product)
    record = freeze(demo_ws)
    files = {p.suffix: p for p in service.source_of(record).export("all", tmp_path)}
    wb = openpyxl.load_workbook(files[".xlsx"])
    cells = [r[2] for r in wb["Producten"].iter_rows(min_row=2) if "HYPERLINK" in str(r[2].value)]
    assert cells[0].data_type == "s"
    assert cells[0].value == '=HYPERLINK("http://x.invalid")|[red]x[/] <b>&'  # bell dropped
    assert tomllib.loads(files[".toml"].read_text(encoding="utf-8"))["products"]
    md = files[".md"].read_text(encoding="utf-8")
    assert "\x07" not in md


def test_exports_never_contain_tokens_or_settings(demo_ws, tmp_path, monkeypatch):
    monkeypatch.setenv("ELO_TUI_TRACKER_TOKEN", "geheim-token-123")
    demo_ws.set_meta("sync.token", "geheim-token-456")
    files = service.source_of(freeze(demo_ws)).export("all", tmp_path)
    for path in files:
        data = path.read_bytes()
        assert b"geheim-token" not in data, path.name


def test_markdown_summary_for_the_steering_group(frozen, exported):
    md = exported[".md"].read_text(encoding="utf-8")
    e = service.content_of(frozen)["estimate"]
    assert md.startswith("# Indiening cofinanciering – VOORBEELD")
    assert f"**{export_markdown.euro(e['p50'])}**" in md
    for heading in ("## Kerncijfers", "## Per begrotingsjaar", "## Per bouwsteen", "## Gereedheid"):
        assert heading in md
    assert frozen.sha256 in md
    assert export_markdown._esc("a|b [x] *y*") == "a\\|b \\[x\\] \\*y\\*"
    # Dates and counts people read: dd/mm/jjjj and Dutch plurals (the TOML/JSON stay ISO).
    created = frozen.created_at
    day = f"{created[8:10]}/{created[5:7]}/{created[:4]}"
    assert f"aangemaakt op {day} {created[11:16]} UTC" in md
    assert re.search(r"\d producten, \d+ toepassing(en)?, \d+ ramingslijn(en)?\.", md)


def test_concept_export_is_marked_and_not_stored(demo_ws, tmp_path):
    source = service.concept_source(demo_ws)
    (path,) = source.export("md", tmp_path / "concept.md")
    assert path.read_text(encoding="utf-8").startswith("# CONCEPT")
    assert demo_ws.count(Submission) == 0
    # the checklist steps are streamed from the store, products, statuses and lines read
    # page by page, the long derived lists spooled: the hash is that of the plain lists
    plain = plain_document(source.document, demo_ws)
    assert plain["checklist_items"] == demo_ws.list_data(ChecklistItem)
    assert source.document["sha256"] == sub.content_hash(
        {k: v for k, v in plain.items() if k != "sha256"}
    )
    assert source.document["products"].records() == demo_ws.list_data(Product)


def test_unknown_format_and_missing_folder_are_clear_errors(frozen, tmp_path):
    source = service.source_of(frozen)
    with pytest.raises(submission_files.ExportError, match="Onbekend exportformaat 'pdf'"):
        source.export("pdf", tmp_path / "x.pdf")
    with pytest.raises(submission_files.ExportError, match="bestaat niet"):
        source.export("json", tmp_path / "nope" / "x.json")


# -- the command line --------------------------------------------------------------------------


def test_cli_export_without_submission_explains_what_to_do(settings, capsys):
    assert (
        main(
            [
                "--demo",
                "--state-dir",
                str(settings.state_dir),
                "export",
                "--format",
                "md",
                "--out",
                str(settings.state_dir / "x.md"),
            ]
        )
        == 1
    )
    assert "submission create" in capsys.readouterr().err


def test_cli_create_export_import_round_trip(settings, tmp_path, capsys):
    sd = ["--state-dir", str(settings.state_dir)]
    assert main(["--demo", *sd, "submission", "create", "--author", "An"]) == 0
    created = capsys.readouterr().out
    assert "Indiening versie 1 aangemaakt" in created
    assert re.search(r"aangemaakt op \d\d/\d\d/\d{4} \d\d:\d\d UTC door", created)
    out = tmp_path / "out"
    assert main(["--demo", *sd, "export", "--format", "all", "--out", str(out)]) == 0
    toml = next(out.glob("*.toml"))
    assert main([*sd, "--workspace", "kopie", "submission", "import", str(toml)]) == 0
    assert "ingelezen in werkruimte 'kopie'" in capsys.readouterr().out
    assert main([*sd, "--workspace", "kopie", "submission", "list"]) == 0
    listed = capsys.readouterr().out
    assert re.match(r"v1  \d\d/\d\d/\d{4} \d\d:\d\d UTC  ", listed)  # dd/mm/jjjj
    assert main([*sd, "--workspace", "kopie", "submission", "import", str(toml)]) == 1
    assert "bevat al gegevens" in capsys.readouterr().err


def test_cli_create_lists_what_is_missing(settings, capsys):
    from elo_tui.services.workspaces import open_demo

    with open_demo(settings) as ws:
        agency = ws.agency()
        agency.contact_email = ""
        ws.save(agency)
    assert main(["--demo", "--state-dir", str(settings.state_dir), "submission", "create"]) == 1
    captured = capsys.readouterr()
    assert "Er is niets aangemaakt" in captured.err
    assert "Blokkerend: Entiteit: het e-mailadres van de contactpersoon ontbreekt." in captured.out


def test_markdown_readiness_table_divides_what_it_shows(demo_ws, tmp_path):
    """Issue 11: each row's 'Klaar %' is 'Klaar' over the column next to it (was
    'Vereist 0 | Klaar 1 | 33 %')."""
    (path,) = service.concept_source(demo_ws).export("md", tmp_path / "c.md")
    md = path.read_text(encoding="utf-8")
    section = md[md.index("## Gereedheid") :]
    header = "| Bouwsteen | Van toepassing | Klaar | Klaar % |"
    assert header in section
    rows = section[section.index(header) :].splitlines()[2:]
    rows = rows[: next(i for i, r in enumerate(rows) if not r.startswith("|"))]
    assert len(rows) == 7
    for row in rows:
        _, applicable, done, percent = (c.strip() for c in row.strip("|").split(" | "))
        assert 0 <= int(done) <= int(applicable), row
        expected = f"{100 * int(done) / int(applicable):.0f} %" if int(applicable) else "–"
        assert percent == expected, row


def test_lists_of_tables_in_a_column_render_as_one_by_one():
    """The risks of the products at risk: lists of tables with the same keys, rendered
    together and cut back per list, give exactly `_value` of each list."""
    risks = [
        [
            {"block": "vms", "text": f"r{i}-{j} \x7f é", "n": j, "late": j % 2 == 0}
            for j in range(i % 4)
        ]
        for i in range(9)
    ]
    assert export_toml._inline_column(risks) == [export_toml._value(r) for r in risks]
    assert export_toml._arrays_of_tables(risks) is not None  # the joint path was taken
    at_risk = [{"product_id": f"p{i}", "risks": r} for i, r in enumerate(risks)]
    assert export_toml._items(at_risk) == ", ".join(
        "{ " + f'product_id = "p{i}", risks = {export_toml._value(r)}' + " }"
        for i, r in enumerate(risks)
    )
    # other shapes stay one by one: different keys, an empty table, not tables
    for odd in ([[{"a": 1}], [{"b": 1}]], [[{"a": 1}], [{}]], [[1, 2], [3]], [[], []]):
        assert export_toml._arrays_of_tables(odd) is None
        assert export_toml._inline_column(odd) == [export_toml._value(v) for v in odd]
