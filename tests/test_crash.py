"""An unexpected error ends the TUI with a Dutch message and a report without secrets."""

import stat

import pytest

from elo_tui.app import EloApp
from elo_tui.crash import redact


def test_tokens_and_bearer_headers_are_masked():
    text = "boom elot_ab12cd.SeCrEt-value_x and Authorization: Bearer abc.def"
    out = redact(text)
    assert "SeCrEt" not in out and "abc.def" not in out
    assert "elot_ab12cd.***" in out and "Bearer ***" in out


async def test_a_crash_writes_an_owner_only_report_without_locals(demo_ws, settings, capfd):
    class Broken(EloApp):
        BINDINGS = [("f12", "boom", "Boem")]

        def action_boom(self) -> None:
            token = "elot_dead.beefsecret"  # noqa: F841 - a local the report must not show
            raise RuntimeError("kapot")

    app = Broken(settings, demo_ws, start_mode="inventory")
    with pytest.raises(RuntimeError, match="kapot"):
        async with app.run_test() as pilot:
            await pilot.pause()
            await pilot.press("f12")
            await pilot.pause()
    reports = list(settings.state_dir.glob("crash-*.log"))
    assert len(reports) == 1
    text = reports[0].read_text()
    assert "RuntimeError: kapot" in text and "beefsecret" not in text
    assert stat.S_IMODE(reports[0].stat().st_mode) == 0o600
    printed = capfd.readouterr().err
    assert "onverwacht gestopt" in printed
    assert "Traceback" not in printed and "beefsecret" not in printed
