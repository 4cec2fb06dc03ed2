"""Shared fixtures: every test gets its own state folder; nothing touches ./local_state."""

from __future__ import annotations

import pytest

from elo_tui.config import Settings
from elo_tui.services.workspaces import open_demo


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path_factory):
    for var in (
        "ELO_TUI_STATE_DIR",
        "ELO_TUI_WORKSPACE",
        "ELO_TUI_USER",
        "ELO_TUI_TRACKER_URL",
        "ELO_TUI_TRACKER_TOKEN",
        "ELO_TUI_SYNC_RETRY_WINDOW",
        "ELO_TUI_START_SCREEN",
        "ELO_TUI_EXIT_WHEN_READY",
        "XDG_CONFIG_HOME",
    ):
        monkeypatch.delenv(var, raising=False)
    # The user's settings file: never the real one in ~/.config, nor in tmp_path (which
    # tests list).
    config = tmp_path_factory.mktemp("config") / "settings.toml"
    monkeypatch.setenv("ELO_TUI_CONFIG", str(config))
    monkeypatch.setenv("ELO_TUI_USER", "tester")


@pytest.fixture
def state_dir(tmp_path):
    d = tmp_path / "state"
    d.mkdir()
    return d


@pytest.fixture
def settings(state_dir) -> Settings:
    return Settings.resolve(str(state_dir))


@pytest.fixture
def demo_ws(settings):
    ws = open_demo(settings)
    yield ws
    ws.close()
