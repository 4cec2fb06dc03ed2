"""Sync settings (URL, token: owner-only file or environment) and `elo-tui sync` headless,
with its exit codes, against a real tracker on 127.0.0.1."""

from __future__ import annotations

import functools
import io
import itertools
import os
import re
import stat

import pytest

pytest.importorskip("fastapi")  # before the imports that need it


from elo_tracker.store import TrackerStore  # noqa: E402
from elo_tui.cli import main  # noqa: E402
from elo_tui.domain.records import Agency, Product  # noqa: E402
from elo_tui.store import Workspace  # noqa: E402
from elo_tui.sync import client as client_mod  # noqa: E402
from elo_tui.sync import config  # noqa: E402
from tracker_testing import ServerThread, free_port, tracker_app  # noqa: E402

OVO = "OVO000301"
_ovo = itertools.count(302)


@pytest.fixture(scope="module")
def server_and_store(tmp_path_factory):
    db = tmp_path_factory.mktemp("tracker") / "tracker.db"
    store = TrackerStore.open(db)
    with ServerThread(tracker_app(db)[0]) as server:
        yield server, store
    store.close()


@pytest.fixture
def tracker(server_and_store, monkeypatch):
    """The server and the token of a fresh agency; `make_ws` uses its OVO code."""
    server, store = server_and_store
    ovo = f"OVO{next(_ovo):06d}"
    monkeypatch.setitem(globals(), "OVO", ovo)
    return server, store.add_agency("Agentschap CLI", ovo)


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    """The CLI's client, but without real waiting between retries."""
    monkeypatch.setattr(
        client_mod,
        "TrackerClient",
        functools.partial(
            client_mod.TrackerClient,
            sleep=lambda s: None,
            retry=client_mod.RetryPolicy(attempts=3, base_delay=0.001),
        ),
    )
    monkeypatch.delenv(config.ENV_URL, raising=False)
    monkeypatch.delenv(config.ENV_TOKEN, raising=False)


def make_ws(state, name="a", ovo=None) -> None:
    ws = Workspace.open(state / f"{name}.sqlite", create=True, user="an")
    ws.save(Agency(name="Agentschap CLI", ovo_code=ovo or OVO))
    ws.save_many(Product(name=f"P{i}") for i in range(3))
    ws.close()


def cli(state, *args) -> int:
    return main(["--state-dir", str(state), "--workspace", "a", "sync", *args])


# -- settings ---------------------------------------------------------------------------------


def test_settings_file_is_owner_only_and_never_in_the_workspace(tmp_path):
    ws_path = tmp_path / "a.sqlite"
    cfg = config.save(ws_path, url="https://tracker.voorbeeld.invalid/v1/", token="elot_k.s3cret")
    path = config.config_path(ws_path)
    assert path.name == "a.sync.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cfg.url == "https://tracker.voorbeeld.invalid" and cfg.token == "elot_k.s3cret"
    os.chmod(path, 0o644)  # someone widened it: tightened again before use
    assert config.load(ws_path, env={}).token == "elot_k.s3cret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_environment_overrides_the_file(tmp_path):
    ws_path = tmp_path / "a.sqlite"
    config.save(ws_path, url="https://a.voorbeeld.invalid", token="elot_file.x")
    cfg = config.load(
        ws_path, env={config.ENV_URL: "https://b.voorbeeld.invalid", config.ENV_TOKEN: "elot_env.y"}
    )
    assert (cfg.url, cfg.token, cfg.token_from_env) == (
        "https://b.voorbeeld.invalid",
        "elot_env.y",
        True,
    )
    assert "elot_env.y" not in cfg.describe() and "uit ELO_TUI_TRACKER_TOKEN" in cfg.describe()
    assert cfg.redact("fout met elot_env.y erin") == "fout met *** erin"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "Geef het adres"),
        ("tracker.vlaio.be", "geen geldig adres"),
        ("ftp://tracker.vlaio.be", "geen geldig adres"),
        ("http://tracker.vlaio.be", "zonder versleuteling"),
        ("https://user:pw@tracker.vlaio.be", "wachtwoord"),
        ("https://tracker.vlaio.be/?token=x", "laat het deel"),
    ],
)
def test_bad_tracker_address_is_refused_with_a_reason(url, reason):
    with pytest.raises(config.SyncConfigError, match=reason):
        config.normalize_url(url)


def test_plain_http_is_allowed_only_on_this_machine():
    assert config.normalize_url("http://127.0.0.1:8765/") == "http://127.0.0.1:8765"
    assert config.normalize_url("http://localhost:1") == "http://localhost:1"
    assert config.normalize_url("http://[::1]:8765") == "http://[::1]:8765"
    with pytest.raises(client_mod.SyncError, match="versleuteling"):
        client_mod.TrackerClient("http://10.0.0.8:8765", "t")


def test_bad_token_is_refused():
    for token in ("", "two words", "x" * 500, "tab\there"):
        with pytest.raises(config.SyncConfigError):
            config.check_token(token)


def test_https_client_verifies_certificates():
    c = client_mod.TrackerClient("https://tracker.voorbeeld.invalid", "t")
    try:
        ctx = c._http._transport._pool._ssl_context
        import ssl

        assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    finally:
        c.close()


def test_retry_after_accepts_seconds_and_http_dates():
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert client_mod.parse_retry_after("7") == 7.0
    assert client_mod.parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0
    assert client_mod.parse_retry_after("soon") is None
    assert client_mod.parse_retry_after(None) is None


# -- elo-tui sync -------------------------------------------------------------------------------


def test_sync_command_stores_settings_syncs_and_never_prints_the_token(
    tracker, tmp_path, monkeypatch, capsys
):
    server, token = tracker
    make_ws(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))
    assert cli(tmp_path, "--url", server.url, "--token-stdin") == 0
    out = capsys.readouterr()
    assert "Gesynchroniseerd" in out.out and "4 verstuurd" in out.out
    assert token not in out.out + out.err
    assert stat.S_IMODE((tmp_path / "a.sync.toml").stat().st_mode) == 0o600
    assert cli(tmp_path) == 0  # stored settings are used
    assert "0 verstuurd, 0 ontvangen" in capsys.readouterr().out
    assert cli(tmp_path, "--status") == 0
    status = capsys.readouterr().out
    assert "Wijzigingen niet gesynchroniseerd: 0" in status
    assert re.search(r"Laatste geslaagde synchronisatie: \d\d/\d\d/\d{4} \d\d:\d\d UTC", status)


def test_sync_without_settings_says_what_is_missing(tmp_path, capsys):
    make_ws(tmp_path)
    assert cli(tmp_path) == 2
    assert "--url" in capsys.readouterr().err
    assert cli(tmp_path, "--url", "http://tracker.voorbeeld.invalid") == 2
    assert "https" in capsys.readouterr().err


def test_sync_exit_code_3_when_the_tracker_is_unreachable(tmp_path, monkeypatch, capsys):
    make_ws(tmp_path)
    monkeypatch.setenv(config.ENV_URL, f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv(config.ENV_TOKEN, "elot_a.secretpart")
    assert cli(tmp_path, "-q") == 3
    err = capsys.readouterr().err
    assert "niet bereikbaar" in err and "secretpart" not in err
    assert cli(tmp_path, "--status") == 0
    assert "Laatste poging mislukt" in capsys.readouterr().out


def test_sync_exit_code_4_when_the_token_is_refused(tracker, tmp_path, monkeypatch, capsys):
    server, _ = tracker
    make_ws(tmp_path)
    monkeypatch.setenv(config.ENV_URL, server.url)
    monkeypatch.setenv(config.ENV_TOKEN, "elot_0000.wrongsecret")
    assert cli(tmp_path, "-q") == 4
    err = capsys.readouterr().err
    assert "401" in err and "wrongsecret" not in err


def test_sync_exit_code_1_while_conflicts_wait_then_0_once_resolved(
    tracker, tmp_path, monkeypatch, capsys
):
    server, token = tracker
    monkeypatch.setenv(config.ENV_URL, server.url)
    monkeypatch.setenv(config.ENV_TOKEN, token)
    one, two = tmp_path / "one", tmp_path / "two"
    make_ws(one)
    assert cli(one, "-q") == 0
    two.mkdir()
    Workspace.open(two / "a.sqlite", create=True).close()
    assert cli(two, "-q") == 0
    for state, name in ((one, "van één"), (two, "van twee")):
        ws = Workspace.open(state / "a.sqlite")
        p = ws.list(Product, order_by="name")[0]
        p.name = name
        ws.save(p)
        ws.close()
    assert cli(one, "-q") == 0
    assert cli(two, "-q") == 1
    capsys.readouterr()
    assert cli(two, "--status") == 1
    assert "Conflicten te beslissen: 1" in capsys.readouterr().out
    assert cli(two, "-q", "--resolve", "theirs") == 0
    assert "1 conflict beslist" in capsys.readouterr().err  # not "1 conflict(en)"
    ws = Workspace.open(two / "a.sqlite")
    assert "van één" in {p.name for p in ws.list(Product)}
    ws.close()


def test_sync_exit_code_4_when_the_token_belongs_to_another_agency(
    tracker, tmp_path, monkeypatch, capsys
):
    server, token = tracker
    make_ws(tmp_path, ovo="OVO000399")
    monkeypatch.setenv(config.ENV_URL, server.url)
    monkeypatch.setenv(config.ENV_TOKEN, token)
    assert cli(tmp_path, "-q") == 4
    assert "OVO000399" in capsys.readouterr().err
