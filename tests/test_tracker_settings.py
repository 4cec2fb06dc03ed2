"""The tracker's one settings model: file < environment < flag, Dutch errors, no password."""

import pytest

pytest.importorskip("fastapi")  # `elo-tracker` needs the tracker extra

from elo_tracker import cli  # noqa: E402
from elo_tracker.settings import (  # noqa: E402
    SettingsError,
    TrackerSettings,
    describe,
    load_settings,
    mask_url,
)
from elo_tracker.store import TrackerStore  # noqa: E402


def write(tmp_path, text: str):
    path = tmp_path / "tracker.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_the_contracts_and_a_local_set_up():
    s = load_settings(env={})
    assert s == TrackerSettings()
    assert (s.host, s.port, s.workers, s.log_level, s.access_log) == (
        "127.0.0.1",
        8765,
        1,
        "info",
        True,
    )
    assert s.max_body_kib * 1024 == 4 * 1024 * 1024


def test_a_flag_beats_the_environment_which_beats_the_file(tmp_path):
    config = write(tmp_path, 'port = 9001\nworkers = 2\nhost = "0.0.0.0"\nlog_level = "debug"\n')
    env = {"ELO_TRACKER_PORT": "9002", "ELO_TRACKER_WORKERS": "3"}
    s = load_settings({"port": 9003, "workers": None}, config=config, env=env)
    assert s.port == 9003  # flag
    assert s.workers == 3  # environment (the flag was not given)
    assert (s.host, s.log_level) == ("0.0.0.0", "debug")  # file


def test_the_config_file_can_come_from_the_environment(tmp_path):
    config = write(tmp_path, "rate_per_minute = 60\n")
    assert load_settings(env={"ELO_TRACKER_CONFIG": str(config)}).rate_per_minute == 60


def test_the_database_is_chosen_by_the_highest_layer_that_names_one(tmp_path):
    config = write(tmp_path, 'database_url = "postgresql://t@db/tracker"\n')
    assert load_settings(config=config, env={}).database_url == "postgresql://t@db/tracker"
    s = load_settings({"db": "x.db"}, config=config, env={})
    assert (s.db, s.database_url) == ("x.db", None)
    s = load_settings(config=config, env={"ELO_TRACKER_DB": "y.db"})
    assert (s.db, s.database_url) == ("y.db", None)
    s = load_settings(env={"ELO_TRACKER_DB": "y.db", "ELO_TRACKER_DATABASE_URL": "postgresql://a"})
    assert (s.db, s.database_url) == (None, "postgresql://a")  # a URL before a file
    assert load_settings(env={"ELO_TUI_TRACKER_DB": "old.db"}).db == "old.db"


def test_internal_worker_variables_are_not_settings():
    s = load_settings(env={"ELO_TRACKER_WORKER_LIMITS": "{}", "ELO_TRACKER_POOL_SIZE": "4"})
    assert s == TrackerSettings()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("port = 70000\n", "tracker.toml, sleutel 'port': 70000 mag hoogstens 65535 zijn"),
        ('workers = "twee"\n', "sleutel 'workers': 'twee' is geen geheel getal"),
        ("workers = 0\n", "sleutel 'workers': 0 moet minstens 1 zijn"),
        ("max_body_kib = 10\n", "sleutel 'max_body_kib': 10 moet minstens 4096 zijn"),
        ('log_level = "luid"\n', "moet een van critical, error, warning, info, debug zijn"),
        ('access_log = "misschien"\n', "sleutel 'access_log': 'misschien' moet true of false"),
        ("prot = 9000\n", "onbekende sleutel 'prot'"),
        ("port = \n", "is geen geldige TOML (regel 1)"),
    ],
)
def test_a_bad_file_is_named_by_key_in_dutch(tmp_path, text, expected):
    with pytest.raises(SettingsError) as caught:
        load_settings(config=write(tmp_path, text), env={})
    assert expected in str(caught.value)


def test_a_bad_environment_value_names_the_variable():
    with pytest.raises(SettingsError, match=r"\$ELO_TRACKER_PORT: 'acht' is geen geheel getal"):
        load_settings(env={"ELO_TRACKER_PORT": "acht"})


def test_a_missing_config_file_is_said_plainly(tmp_path):
    with pytest.raises(SettingsError, match="bestaat niet"):
        load_settings(config=tmp_path / "nergens.toml", env={})


def test_the_password_is_never_shown():
    url = "postgresql://tracker:geheim@db.internal:5432/tracker"
    assert mask_url(url) == "postgresql://tracker:***@db.internal:5432/tracker"
    assert "geheim" not in str(describe(load_settings(env={"ELO_TRACKER_DATABASE_URL": url})))


def test_a_database_url_of_the_wrong_shape_is_not_echoed(tmp_path):
    config = write(tmp_path, 'database_url = ["postgresql://t:geheim@db/tracker"]\n')
    with pytest.raises(SettingsError) as caught:
        load_settings(config=config, env={})
    assert "database_url" in str(caught.value) and "geheim" not in str(caught.value)


def test_every_subcommand_reads_the_file_and_says_what_is_wrong(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("ELO_TRACKER_CONFIG", raising=False)
    bad = write(tmp_path, "workers = -1\n")
    for argv in (
        ["--config", str(bad), "migrate"],
        ["add-admin", "Vera", "--config", str(bad)],
        ["openapi", "--config", str(bad)],
        ["serve", "--config", str(bad)],
    ):
        assert cli.main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "sleutel 'workers': -1 moet minstens 1 zijn" in err, argv
        assert "Traceback" not in err


def test_the_file_names_the_database_for_the_token_commands(tmp_path, capsys, monkeypatch):
    for name in ("ELO_TRACKER_DB", "ELO_TRACKER_DATABASE_URL", "ELO_TUI_TRACKER_DB"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "uit-het-bestand.db"
    config = write(tmp_path, f"db = '{db}'\n")
    assert cli.main(["--config", str(config), "add-agency", "Agentschap A", "OVO000101"]) == 0
    token = capsys.readouterr().out.strip()
    store = TrackerStore.open(db)
    try:
        assert store.authenticate(token) is not None
    finally:
        store.close()


def test_serve_runs_with_the_merged_settings(tmp_path, monkeypatch, capsys):
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    monkeypatch.setenv("ELO_TRACKER_LOG_LEVEL", "warning")
    monkeypatch.setenv("ELO_TRACKER_PORT", "9100")
    monkeypatch.delenv("ELO_TRACKER_DATABASE_URL", raising=False)
    config = write(tmp_path, f"db = '{tmp_path / 't.db'}'\nport = 9000\naccess_log = false\n")
    assert cli.main(["serve", "--config", str(config), "--port", "9200"]) == 0
    assert seen["port"] == 9200
    assert seen["log_level"] == "warning"
    assert seen["access_log"] is False
    assert "http://127.0.0.1:9200" in capsys.readouterr().err
