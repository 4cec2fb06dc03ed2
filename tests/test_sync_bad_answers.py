"""A tracker (or a proxy in front of it) that answers garbage gets a Dutch message."""

import http.server
import threading

import pytest

from elo_tui.cli import main
from elo_tui.sync import config as sync_config


class _HtmlEverywhere(http.server.BaseHTTPRequestHandler):
    def _answer(self) -> None:
        body = b"<html><body>502 Bad Gateway</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def html_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HtmlEverywhere)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_html_answer_is_reported_in_dutch_without_a_traceback(
    html_server, state_dir, monkeypatch, capsys
):
    monkeypatch.setenv("ELO_TUI_TRACKER_TOKEN", "elot_abc.def")
    code = main(["sync", "--demo", "--state-dir", str(state_dir), "--url", html_server])
    err = capsys.readouterr().err
    assert code != 0
    assert "onverwacht antwoord" in err and "Traceback" not in err
    assert "elot_abc.def" not in err


def test_a_token_with_non_ascii_characters_is_refused_with_a_message():
    with pytest.raises(sync_config.SyncConfigError, match="ongeldig"):
        sync_config.check_token("elot_ö.x")


def test_conflict_batch_writes_once_and_nothing_when_the_block_fails(tmp_path):
    from elo_tui.store import Workspace
    from elo_tui.sync import conflicts

    ws = Workspace.open(tmp_path / "w.sqlite", create=True)
    wire = {"kind": "product", "id": "p", "data": {"name": "x"}}
    with ws.transaction(), conflicts.Batch(ws) as batch:
        for i in range(500):
            batch.record("product", f"p{i}", dict(wire, id=f"p{i}"))
    assert conflicts.count(ws) == 500
    with pytest.raises(RuntimeError):
        with ws.transaction(), conflicts.Batch(ws) as batch:
            batch.drop("product/p0")
            raise RuntimeError("stop")
    assert conflicts.count(ws) == 500
    assert conflicts.resolve_all(ws, "theirs") == 500
    assert conflicts.count(ws) == 0
