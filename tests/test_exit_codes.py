"""Exit codes: a bug (70) is never confused with rejected rows or conflicts (1)."""

from __future__ import annotations

import functools

from elo_tui.cli import EXIT_SOFTWARE, main


def _boom(*args, **kwargs):
    token = "elot_dead.beefsecret"  # noqa: F841 - a local no report may show
    raise RuntimeError("kapot")


def test_a_bug_in_a_command_exits_70_with_a_report_and_no_traceback(
    settings, demo_ws, monkeypatch, capsys
):
    from elo_tui.services import readiness_store

    monkeypatch.setattr(readiness_store, "current_summary", _boom)
    code = main(["report", "--demo", "--state-dir", str(settings.state_dir)])
    err = capsys.readouterr().err
    assert code == EXIT_SOFTWARE == 70
    assert "onverwachte fout" in err and "Traceback" not in err
    reports = list(settings.state_dir.glob("crash-*.log"))
    assert len(reports) == 1 and "RuntimeError: kapot" in reports[0].read_text()
    assert "beefsecret" not in reports[0].read_text()


def test_rejected_rows_exit_1_but_a_bug_during_import_exits_70(tmp_path, monkeypatch, capsys):
    from elo_tui.services import product_import

    csv = tmp_path / "p.csv"
    csv.write_text("Productnaam;Jaarvolume\nGoed;5\n;-5\n", encoding="utf-8")
    state = str(tmp_path / "state")
    assert main(["import", str(csv), "--state-dir", state]) == 1
    monkeypatch.setattr(product_import, "apply_plan", _boom)
    assert main(["import", str(csv), "--state-dir", state]) == EXIT_SOFTWARE
    assert "Traceback" not in capsys.readouterr().err


def test_an_interrupted_command_exits_130(settings, demo_ws, monkeypatch, capsys):
    from elo_tui.services import readiness_store

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(readiness_store, "current_summary", interrupted)
    assert main(["report", "--demo", "--state-dir", str(settings.state_dir)]) == 130
    assert "onderbroken" in capsys.readouterr().err


def test_a_tui_crash_exits_non_zero(settings, demo_ws, monkeypatch):
    from elo_tui import app as app_module

    demo_ws.close()
    monkeypatch.setattr(
        app_module.EloApp, "run", functools.partialmethod(app_module.EloApp.run, headless=True)
    )
    monkeypatch.setattr(app_module.EloApp, "_enter_workspace", _boom)
    assert app_module.run_app(settings) == EXIT_SOFTWARE
    assert list(settings.state_dir.glob("crash-*.log"))
