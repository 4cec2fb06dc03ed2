"""`elo-tui report` and `elo-tui checklists validate`, headless."""

from __future__ import annotations

import json
import shutil

from blocks_support import CHECKLISTS
from elo_tui.cli import main


def test_report_text_for_the_demo(settings, capsys, monkeypatch):
    monkeypatch.setenv("ELO_TUI_TODAY", "2026-11-22")
    assert main(["--state-dir", str(settings.state_dir), "--demo", "report"]) == 0
    out = capsys.readouterr().out
    assert "Gereedheid voor e-loketondernemers – VOORBEELD" in out
    assert "Stand op 22/11/2026" in out  # dates people read are dd/mm/jjjj
    assert "ELO-conform: 1 van 24 producten zelf verklaard (4,2 %), 1 centraal gecontroleerd" in out
    assert "30 juni 2027: nog 220 dagen; 9 producten met risico op vertraging" in out
    assert "1 januari 2027 (opname op e-loketondernemers) – interpretatie: nieuwe opname" in out
    assert "Producten met risico op vertraging – 30 juni 2027" in out
    assert "Toegangs- en gebruikersbeheer (ACM/IDM): aa" in out
    assert "Buiten beschouwing gelaten, niet meegeteld (1)" in out
    assert "in gevaar" not in out
    assert "Erkenning asbestdeskundige (voorbeeld)" in out  # demo names say they are examples


def test_report_json_matches_the_summary_and_can_use_another_day(settings, capsys):
    assert (
        main(
            [
                "--state-dir",
                str(settings.state_dir),
                "--demo",
                "report",
                "--json",
                "--today",
                "2027-01-02",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["today"] == "2027-01-02"
    assert data["workspace"] == "demo"
    assert data["products_total"] == 24  # the excluded application's product not counted
    assert [b["block"] for b in data["blocks"]][0] == "acm_idm"
    jan = data["deadlines"][0]
    assert jan["deadline"] == "2027-01-01" and jan["days_left"] == -1
    assert jan["binding"] is False and jan["interpretation"] == "new_listing"
    assert jan["at_risk"] and jan["at_risk"][0]["risks"][0]["text"]
    assert set(data["checklist"]) == {"overdue", "due_soon"}


def test_report_today_accepts_belgian_dates(settings, capsys):
    """--today takes what people type: 02/01/2027, 2-1-2027 and 2027-01-02 are one day."""
    for typed in ("02/01/2027", "2-1-2027", "2027-01-02"):
        argv = ["--state-dir", str(settings.state_dir), "--demo", "report", "--today", typed]
        assert main([*argv, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["today"] == "2027-01-02"  # JSON stays ISO
        assert main(argv) == 0
        assert "Stand op 02/01/2027" in capsys.readouterr().out


def test_report_text_uses_dutch_plurals_and_belgian_numbers(settings, capsys, monkeypatch):
    from elo_tui.commands.report import _flags
    from elo_tui.domain.readiness import FlagCount

    monkeypatch.setenv("ELO_TUI_TODAY", "2027-06-29")
    assert main(["--state-dir", str(settings.state_dir), "--demo", "report"]) == 0
    out = capsys.readouterr().out
    assert "30 juni 2027: nog 1 dag;" in out  # not "nog 1 dagen"
    assert "1 dagen" not in out
    assert _flags(FlagCount(yes=1202, no=3, exempt=1)) == "1.202 ja, 3 nee, 1 uitzondering"


def test_report_refuses_a_bad_date(settings, capsys):
    try:
        main(["--state-dir", str(settings.state_dir), "--demo", "report", "--today", "31/12"])
    except SystemExit as exc:
        assert exc.code == 2
    err = capsys.readouterr().err
    assert "--today: '31/12' is geen datum" in err and "dd/mm/jjjj" in err  # names the option


def test_report_without_workspace_says_so(settings, capsys):
    assert main(["--state-dir", str(settings.state_dir), "report"]) == 2
    assert "Geen werkruimte" in capsys.readouterr().err


def test_report_does_not_change_the_workspace(settings, capsys):
    main(["--state-dir", str(settings.state_dir), "--demo", "report"])
    path = settings.workspace_path("demo")
    before = path.stat().st_mtime_ns, path.read_bytes()
    main(["--state-dir", str(settings.state_dir), "--demo", "report", "--json"])
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_checklists_validate_ok_for_the_shipped_templates(capsys):
    assert main(["checklists", "validate", str(CHECKLISTS)]) == 0
    assert "In orde: 9 geldige sjablonen" in capsys.readouterr().out


def test_checklists_validate_names_file_and_key_and_fails(tmp_path, capsys):
    shutil.copytree(CHECKLISTS, tmp_path / "c")
    broken = tmp_path / "c" / "vms.toml"
    broken.write_text(
        broken.read_text(encoding="utf-8").replace('owner = "agency"', 'owner = "boekhouder"', 1),
        encoding="utf-8",
    )
    assert main(["checklists", "validate", str(tmp_path / "c")]) == 1
    out = capsys.readouterr().out
    assert "vms.toml: steps[1] (mandate_types).owner: moet een van" in out
    assert "8 geldige sjablonen" in out
    assert "1 probleem gevonden" in out  # Dutch plural, not "probleem/problemen"


def test_checklists_validate_uses_the_environment_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ELO_TUI_CHECKLISTS", str(tmp_path))
    assert main(["checklists", "validate"]) == 1
    assert "blocks.toml" in capsys.readouterr().out
