"""`export --out` replaces only a regular file, via a temporary file beside it."""

from __future__ import annotations

import os

import pytest

from elo_tui.cli import main
from elo_tui.io import export_json, submission_files
from elo_tui.io.submission_files import ExportError


def _export(settings, out, *extra) -> int:
    return main(
        ["export", "--demo", "--state-dir", str(settings.state_dir), "--concept"]
        + ["--format", "json", "--out", str(out), *extra]
    )


def test_export_refuses_a_device_and_leaves_it_alone(settings, capsys):
    assert _export(settings, "/dev/null") == 1
    assert "geen gewoon bestand" in capsys.readouterr().err
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_export_refuses_a_folder_where_the_file_would_go(settings, tmp_path, capsys):
    out = tmp_path / "uit"
    out.mkdir()
    code = main(
        ["export", "--demo", "--state-dir", str(settings.state_dir), "--concept"]
        + ["--format", "all", "--out", str(out)]
    )
    assert code == 0
    first = sorted(out.iterdir())[0]
    first.unlink()
    first.mkdir()  # a folder now sits where a file goes
    capsys.readouterr()
    code = main(
        ["export", "--demo", "--state-dir", str(settings.state_dir), "--concept"]
        + ["--format", "all", "--out", str(out)]
    )
    assert code == 1
    assert "is een map" in capsys.readouterr().err
    assert first.is_dir()


def test_a_folder_the_export_makes_is_owner_only_and_a_given_one_keeps_its_mode(settings, tmp_path):
    made = tmp_path / "nieuw" / "indiening"
    given = tmp_path / "gedeeld"
    given.mkdir()
    given.chmod(0o755)
    for out in (made, given):
        code = main(
            ["export", "--demo", "--state-dir", str(settings.state_dir), "--concept"]
            + ["--format", "all", "--out", str(out)]
        )
        assert code == 0
        assert {f.stat().st_mode & 0o777 for f in out.iterdir()} == {0o600}
    assert made.stat().st_mode & 0o777 == 0o700
    assert given.stat().st_mode & 0o777 == 0o755


def test_export_refuses_a_symlink_unless_asked_and_then_replaces_its_target(
    settings, tmp_path, capsys
):
    real = tmp_path / "echt.json"
    real.write_text("oud", encoding="utf-8")
    link = tmp_path / "koppeling.json"
    link.symlink_to(real)
    assert _export(settings, link) == 1
    assert "symbolische koppeling" in capsys.readouterr().err
    assert real.read_text(encoding="utf-8") == "oud" and link.is_symlink()
    assert _export(settings, link, "--follow-symlinks") == 0
    assert link.is_symlink()  # the link stays; the file it points to is new
    assert real.read_text(encoding="utf-8").startswith("{")


def test_export_never_replaces_a_workspace(settings, demo_ws, capsys):
    before = demo_ws.path.stat().st_size
    assert _export(settings, demo_ws.path) == 1
    assert "werkruimte" in capsys.readouterr().err
    assert demo_ws.path.stat().st_size == before
    assert demo_ws.integrity_check() == "ok"


def test_an_interrupted_export_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "indiening.json"
    target.write_text("oud", encoding="utf-8")

    def interrupted(document, file, *args, **kwargs):
        file.write('{"half":')  # the file streams: part of it is already written
        raise KeyboardInterrupt

    monkeypatch.setattr(export_json, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        submission_files.export({"agency": {}}, "json", target)
    assert target.read_text(encoding="utf-8") == "oud"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["indiening.json"]


def test_the_temporary_file_of_a_killed_export_is_removed_by_the_next(settings, tmp_path):
    target = tmp_path / "indiening.json"
    left = tmp_path / ".indiening.json.elo-export-999999999.tmp"  # no such process
    left.write_text("half", encoding="utf-8")
    assert _export(settings, target) == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "state") == ["indiening.json"]


def test_export_error_names_the_file(tmp_path):
    with pytest.raises(ExportError, match="bestaat niet"):
        submission_files.export({"agency": {}}, "json", tmp_path / "nope" / "x.json")
