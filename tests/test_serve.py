"""`elo-tui serve`: the app in a browser. The end-to-end test loads the page in Debian's
headless Chromium (driven over the DevTools protocol) and keeps a screenshot of the
dashboard; it is skipped, saying why, when textual-serve or Chromium is missing
(`.ci/run` installs both)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from elo_tui.cli import build_parser, main
from elo_tui.commands.serve import DEFAULT_HOST, serve_command
from elo_tui.config import Settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)  # an outside process: nothing to await but its port or file
    raise AssertionError(f"timed out waiting for {what}")


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_serve_binds_to_localhost_by_default_and_runs_the_chosen_workspace(tmp_path):
    args = build_parser().parse_args(["serve", "-w", "aio"])
    assert args.host == DEFAULT_HOST == "127.0.0.1"
    settings = Settings.resolve(str(tmp_path), "aio")
    command = serve_command(settings, "aio", "/usr/bin/python3")
    assert command.endswith(f"-m elo_tui --state-dir {tmp_path.absolute()} --workspace aio")


def test_serve_refuses_a_workspace_that_does_not_exist(tmp_path, capsys):
    pytest.importorskip("textual_serve", reason="textual-serve not installed ('.[serve]')")
    code = main(["serve", "--state-dir", str(tmp_path), "-w", "bestaatniet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "'bestaatniet' bestaat niet" in err and "Traceback" not in err


async def _cdp_screenshot(devtools_port: int, url: str, out: Path) -> bytes:
    import aiohttp  # comes with textual-serve

    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{devtools_port}/json/list") as resp:
            pages = [t for t in await resp.json() if t["type"] == "page"]
        async with http.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            counter = 0

            async def call(method: str, **params):
                nonlocal counter
                counter += 1
                await ws.send_json({"id": counter, "method": method, "params": params})
                while True:
                    msg = json.loads((await ws.receive()).data)
                    if msg.get("id") == counter:
                        return msg.get("result", {})

            async def evaluate(expression: str):
                result = await call("Runtime.evaluate", expression=expression)
                return result.get("result", {}).get("value")

            async def shot() -> bytes:
                return base64.b64decode((await call("Page.captureScreenshot"))["data"])

            await call("Page.navigate", url=url)
            deadline = time.monotonic() + 60
            # The page says when the app's first bytes arrived; then the app paints.
            check = "document.querySelector('.-first-byte') !== null"
            while not await evaluate(check):
                assert time.monotonic() < deadline, "the app never answered in the browser"
                await asyncio.sleep(0.25)
            # Painted when two screenshots a moment apart are the same.
            previous = b""
            while True:
                image = await shot()
                if image == previous:
                    break
                assert time.monotonic() < deadline, "the page never settled"
                previous = image
                await asyncio.sleep(1.0)
            out.write_bytes(image)
            return image


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium not installed: the browser test needs it (.ci/run installs it with "
    "apt-get install chromium)",
)
def test_serve_shows_the_dashboard_in_a_real_browser(tmp_path):
    pytest.importorskip("textual_serve", reason="textual-serve not installed ('.[serve]')")
    port = _free_port()
    env = {**os.environ, "ELO_TUI_USER": "tester"}
    server = subprocess.Popen(
        [sys.executable, "-m", "elo_tui", "serve", "--demo", "--state-dir", str(tmp_path)]
        + ["--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    profile = tmp_path / "chromium-profile"
    browser = None
    try:
        _wait_until(lambda: _port_open(port) or server.poll() is not None, 30, "elo-tui serve")
        assert server.poll() is None, server.stderr.read().decode()
        browser = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
            + ["--window-size=1280,800", "--remote-debugging-port=0"]
            + [f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        active = profile / "DevToolsActivePort"
        _wait_until(lambda: active.exists() and active.read_text().strip(), 30, "Chromium")
        devtools_port = int(active.read_text().split()[0])
        out = Path(os.environ.get("ELO_TUI_SERVE_SCREENSHOT") or tmp_path / "serve.png")
        image = asyncio.run(_cdp_screenshot(devtools_port, f"http://127.0.0.1:{port}/", out))
        assert image.startswith(b"\x89PNG") and len(image) > 30_000, (
            "the screenshot is (nearly) empty: the dashboard did not paint"
        )
    finally:
        if browser is not None:
            browser.terminate()
            browser.wait(10)
        server.terminate()
        server.wait(10)


def test_the_page_around_the_terminal_is_dutch(tmp_path):
    pytest.importorskip("textual_serve", reason="textual-serve not installed ('.[serve]')")
    from elo_tui.commands.serve import dutch_templates

    folder = dutch_templates(tmp_path)
    assert folder is not None, "textual-serve's page changed: update PAGE_DUTCH"
    page = (folder / "app_index.html").read_text(encoding="utf-8")
    assert "Sessie beëindigd." in page and "Session ended." not in page
    assert ">Restart<" not in page and ">Start<" not in page
