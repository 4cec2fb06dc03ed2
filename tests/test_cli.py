import pytest

from elo_tui.cli import build_parser, main
from elo_tui.config import Settings


@pytest.mark.parametrize(
    "argv",
    [
        ["--state-dir", "S", "--workspace", "W", "workspaces"],
        ["workspaces", "--state-dir", "S", "--workspace", "W"],
        ["--state-dir", "S", "workspaces", "--workspace", "W"],
    ],
)
def test_workspace_options_work_before_or_after_the_sub_command(argv):
    args = build_parser().parse_args(argv)
    assert args.state_dir == "S" and args.workspace == "W" and args.command == "workspaces"


def test_demo_flag_after_the_sub_command_opens_the_demo(state_dir, capsys):
    assert main(["workspaces", "--demo", "--state-dir", str(state_dir)]) == 0
    assert main(["--state-dir", str(state_dir), "workspaces"]) == 0
    # `workspaces` only lists; the demo is made by commands that open a workspace.
    assert "Geen werkruimtes" in capsys.readouterr().out


def test_environment_variables_pick_state_dir_and_workspace(tmp_path):
    s = Settings.resolve(env={"ELO_TUI_STATE_DIR": str(tmp_path), "ELO_TUI_WORKSPACE": "abc"})
    assert s.state_dir == tmp_path and s.workspace == "abc"
    s = Settings.resolve(state_dir="/x", env={"ELO_TUI_STATE_DIR": str(tmp_path)})
    assert str(s.state_dir) == "/x"


def test_a_bad_workspace_name_gives_a_dutch_message_not_a_traceback(state_dir, capsys):
    assert main(["--state-dir", str(state_dir), "--workspace", "../etc/passwd", "workspaces"]) == 2
    assert "Ongeldige naam" in capsys.readouterr().err


def test_python_dash_m_runs_the_cli():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "elo_tui", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("elo-tui ")


def test_the_old_tracker_command_points_to_elo_tracker(capsys):
    from elo_tui.cli import main

    assert main(["tracker", "add-agency", "Agentschap X", "OVO000104"]) == 2
    err = capsys.readouterr().err
    assert "elo-tracker add-agency 'Agentschap X' OVO000104" in err
