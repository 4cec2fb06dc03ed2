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


# -- the parser builds only the sub-command it is given ---------------------------------------

# Each argv parsed by the parser built for it must give what the parser with every
# sub-command gives: options before and after, prefixes, aliases, `--`.
SAME_AS_FULL_PARSER = [
    [],
    ["--demo"],
    ["--presentatie", "-w", "sync"],  # `sync` is the workspace's name here, not a command
    ["--workspace", "export", "--state-dir=S"],
    ["--work", "export", "sync", "--status"],  # a prefix of --workspace takes a value
    ["-wexport", "sync"],
    ["--state-dir", "S", "workspaces", "--workspace", "W"],
    ["sync", "--url", "https://x.example", "-q"],
    ["indiening", "check"],
    ["submission", "list"],
    ["roadmap", "priorities", "--quick-wins"],
    ["programma", "--state-dir", "S"],
    ["import", "producten.csv"],
]


def _namespace(parser, argv):
    args = vars(parser.parse_args(argv))
    run = args.pop("run", None)
    return args, getattr(run, "__qualname__", None), getattr(run, "__module__", None)


@pytest.mark.parametrize("argv", SAME_AS_FULL_PARSER, ids=lambda a: " ".join(a) or "(none)")
def test_the_parser_for_an_argv_parses_it_as_the_full_parser_does(argv):
    assert _namespace(build_parser(argv), argv) == _namespace(build_parser(), argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["-h"],
        ["--he"],
        ["--workspace", "W", "--help"],
        ["onbestaand"],  # argparse lists every sub-command in its refusal
        ["--onbekend", "sync"],
        ["-x"],
        ["--", "report"],
        ["sync", "--help"],
        ["indiening", "--help"],
        ["roadmap", "scenario", "--help"],
    ],
)
def test_help_and_usage_errors_are_those_of_the_full_parser(argv, capsys):
    def output(parser):
        with pytest.raises(SystemExit) as exit_:
            parser.parse_args(argv)
        out = capsys.readouterr()
        return exit_.value.code, out.out, out.err

    assert output(build_parser(argv)) == output(build_parser())


def test_help_lists_every_sub_command(capsys):
    from elo_tui.commands import COMMANDS

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


def test_the_command_table_matches_what_the_modules_register():
    import argparse

    from elo_tui.commands import COMMAND_MODULES, COMMANDS, load_command

    registered = {}
    for module in COMMAND_MODULES:
        subparsers = argparse.ArgumentParser().add_subparsers()
        load_command(module).register(subparsers, lambda p: None)
        registered.update(dict.fromkeys(subparsers.choices, module))
    assert registered == COMMANDS


def _modules_after(code: str) -> set[str]:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_opening_the_interface_loads_no_command_module():
    loaded = _modules_after("from elo_tui.cli import build_parser\nbuild_parser([])")
    assert not [m for m in loaded if m.startswith("elo_tui.commands.")]
    loaded = _modules_after("from elo_tui.cli import build_parser\nbuild_parser(['sync'])")
    assert [m for m in loaded if m.startswith("elo_tui.commands.")] == ["elo_tui.commands.sync"]


def test_command_modules_import_nothing_heavy_at_top_level():
    from elo_tui.commands import COMMAND_MODULES

    code = "\n".join(f"import elo_tui.commands.{m}" for m in COMMAND_MODULES)
    heavy = ("elo_tui.services", "elo_tui.store", "elo_tui.sync", "elo_tui.io", "textual")
    loaded = _modules_after(code)
    assert [m for m in loaded if m.startswith(heavy)] == []


def test_the_sync_command_still_offers_its_exit_codes():
    from elo_tui.commands import sync
    from elo_tui.services import sync as sync_service

    assert (sync.EXIT_OK, sync.EXIT_AUTH, sync.EXIT_REFUSED) == (0, 4, 5)
    assert sync.EXIT_OFFLINE == sync_service.EXIT_OFFLINE
    with pytest.raises(AttributeError):
        sync.EXIT_NONSENSE  # noqa: B018
