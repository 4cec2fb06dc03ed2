"""Architecture rules that a reviewer would otherwise have to remember."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import elo_tui.domain

SRC = Path(elo_tui.domain.__file__).parents[1]


def _modules_loaded_by(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_domain_pulls_in_no_textual_sqlite_or_http():
    names = [m.name for m in pkgutil.iter_modules(elo_tui.domain.__path__)]
    code = "\n".join(f"import elo_tui.domain.{n}" for n in names)
    loaded = _modules_loaded_by(code)
    for forbidden in ("textual", "sqlite3", "sqlite_utils", "httpx", "fastapi", "openpyxl"):
        assert forbidden not in loaded, f"domain imports {forbidden}"


def test_sql_is_only_written_in_the_store_and_the_tracker_store():
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("store/") or rel == "tracker/store.py" or rel.startswith("tracker/store"):
            continue
        text = path.read_text(encoding="utf-8")
        if "import sqlite3" in text or "sqlite_utils" in text or ".execute(" in text:
            offenders.append(rel)
    assert offenders == []


def test_tui_never_imports_the_tracker_and_tracker_never_imports_screens():
    for path in (SRC / "screens").rglob("*.py"):
        assert "elo_tui.tracker" not in path.read_text(encoding="utf-8"), path
    assert "elo_tui.tracker" not in (SRC / "app.py").read_text(encoding="utf-8")
    for path in (SRC / "tracker").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "elo_tui.screens" not in text and "textual" not in text, path


def test_start_path_does_not_load_the_heavy_libraries():
    loaded = _modules_loaded_by("import elo_tui.app, elo_tui.screens.inventory, elo_tui.cli")
    for lazy in ("pydantic", "httpx", "sqlite_utils", "openpyxl", "fastapi", "tomli_w"):
        assert lazy not in loaded, f"{lazy} is loaded at start-up"


def test_code_passes_ruff_lint_and_format_checks():
    root = SRC.parents[1]
    for args in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "src", "tests", "bench"],
            cwd=root,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
