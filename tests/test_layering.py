"""Architecture rules that a reviewer would otherwise have to remember."""

import ast
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


def _imported_packages(package: Path) -> dict[str, set[str]]:
    """Top-level names each module of a package imports (every `import` and `from`,
    also inside functions), found by parsing: no execution, nothing is skipped."""
    out: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        out[path.relative_to(package.parent).as_posix()] = names
    return out


def test_the_app_and_the_tracker_share_only_the_contract():
    """elo_tracker never imports elo_tui, elo_tui never imports elo_tracker, and the
    contract imports only the standard library (both sides load it)."""
    src = SRC.parent
    for module, names in _imported_packages(src / "elo_tracker").items():
        assert "elo_tui" not in names, module
        assert "textual" not in names, module
    for module, names in _imported_packages(src / "elo_tui").items():
        assert "elo_tracker" not in names, module
        assert not names & {"fastapi", "uvicorn", "starlette"}, module
    for module, names in _imported_packages(src / "elo_contract").items():
        assert names <= set(sys.stdlib_module_names) | {"__future__"}, (module, names)


def test_the_import_rule_scan_sees_an_import_inside_a_function(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "m.py").write_text("def f():\n    from elo_tui.domain import records\n")
    assert _imported_packages(package) == {"pkg/m.py": {"elo_tui"}}


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
