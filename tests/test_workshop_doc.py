"""docs/workshop.md and its script: the CSV imports cleanly, the script is valid bash at
80×24, and every screen the script captures is on the page (issue 11, Done when)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from elo_tui import cli
from elo_tui.domain.records import Product
from elo_tui.store import Workspace

DOCS = Path(__file__).resolve().parent.parent / "docs"
SCRIPT = DOCS / "workshop_walkthrough.sh"


def test_the_workshop_csv_imports_six_products_and_refuses_none(state_dir, capsys):
    code = cli.main(
        [
            "--state-dir",
            str(state_dir),
            "-w",
            "workshop",
            "import",
            str(DOCS / "workshop_producten.csv"),
        ]
    )
    assert code == 0, capsys.readouterr()
    with Workspace.open(state_dir / "workshop.sqlite") as ws:
        names = sorted(p.name for p in ws.list(Product))
    assert len(names) == 6 and "Premie voor groene investeringen" in names


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_walkthrough_script_is_valid_bash_at_80x24():
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True)
    text = SCRIPT.read_text(encoding="utf-8")
    assert "-x 80 -y 24" in text
    for isolated in ("ELO_TUI_STATE_DIR", "ELO_TUI_CONFIG", "ELO_TUI_TODAY", "tmux -L"):
        assert isolated in text


def test_every_captured_screen_is_on_the_page():
    shots = re.findall(r"^shot (\S+)", SCRIPT.read_text(encoding="utf-8"), re.M)
    page = (DOCS / "workshop.md").read_text(encoding="utf-8")
    assert len(shots) >= 10
    for name in shots:
        assert f"`{name}`" in page
