"""One settings model for the user (config.py): user, theme, key overrides, default
state folder and last workspace, in one owner-only TOML file outside the state folder."""

from __future__ import annotations

import stat

from elo_tui.config import Settings, config_file


def test_settings_file_is_owner_only_and_holds_theme_keys_and_last_workspace(tmp_path):
    settings = Settings.resolve(str(tmp_path / "a"))
    settings.save(theme="textual-light", keys={"inventory.add": "n"})
    settings.remember(last_workspace="aio")
    path = settings.settings_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "aio.sqlite").write_bytes(b"")
    again = Settings.resolve(str(tmp_path / "a"))
    assert again.theme == "textual-light"
    assert again.keys == {"inventory.add": "n"}
    assert again.chosen_workspace() == "aio"
    # The last workspace is remembered per state folder.
    assert Settings.resolve(str(tmp_path / "b")).chosen_workspace() is None


def test_default_state_folder_comes_from_the_settings_file_after_option_and_env(tmp_path):
    path = config_file({"ELO_TUI_CONFIG": str(tmp_path / "cfg.toml")})
    path.write_text(f'state_dir = "{tmp_path / "mine"}"\nuser = "An"\n')
    env = {"ELO_TUI_CONFIG": str(path)}
    assert Settings.resolve(env=env).state_dir == tmp_path / "mine"
    assert Settings.resolve(env=env).user == "An"
    assert Settings.resolve(env={**env, "ELO_TUI_STATE_DIR": "x"}).state_dir.name == "x"
    assert Settings.resolve("opt", env={**env, "ELO_TUI_STATE_DIR": "x"}).state_dir.name == "opt"


def test_a_broken_settings_file_or_bad_key_is_reported_in_dutch_and_not_fatal(tmp_path):
    path = tmp_path / "cfg.toml"
    path.write_text('theme = "x"\n[keys]\n"inventory.add" = 3\n')
    settings = Settings.resolve(str(tmp_path), env={"ELO_TUI_CONFIG": str(path)})
    assert settings.keys == {} and any("inventory.add" in p for p in settings.problems)
    path.write_text("theme = [broken")
    settings = Settings.resolve(str(tmp_path), env={"ELO_TUI_CONFIG": str(path)})
    assert settings.theme == "" and "niet gelezen" in settings.problems[0]


def test_last_workspace_written_by_an_older_version_is_still_found(tmp_path):
    (tmp_path / "settings.toml").write_text('last_workspace = "oud"\n')
    (tmp_path / "oud.sqlite").write_bytes(b"")
    assert Settings.resolve(str(tmp_path)).chosen_workspace() == "oud"
