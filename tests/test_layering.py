"""Architecture rules that a reviewer would otherwise have to remember."""

import ast
import pkgutil
import re
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


def _outside_the_stores(src: Path):
    """Every module of both packages except the two stores (elo_tui/store/, the
    tracker's store.py, which also holds its migrations)."""
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src).as_posix()
        if rel.startswith("elo_tui/store/") or rel == "elo_tracker/store.py":
            continue
        if rel.startswith(("elo_tui/", "elo_tracker/")):
            yield rel, path


def test_sql_is_only_executed_in_the_stores():
    offenders = []
    for rel, path in _outside_the_stores(SRC.parent):
        text = path.read_text(encoding="utf-8")
        if "import sqlite3" in text or "sqlite_utils" in text or ".execute(" in text:
            offenders.append(rel)
    assert offenders == []


# SQL in a string: a statement, a clause, or a condition with a placeholder.
SQL_TEXT = re.compile(
    r"\b(SELECT\s|INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX)"
    r"|ALTER\s+TABLE|DROP\s+TABLE|PRAGMA\s|WHERE\s|ORDER\s+BY|GROUP\s+BY)"
    r"|\w+\s*(=|<>|!=|<=|>=|<|>)\s*\?|\s(AND|OR)\s+\w+\s*(=|<|>)|\bIN\s*\(|\w\s+(ASC|DESC)\b"
)


def sql_strings(source: str) -> list[tuple[int, str]]:
    """String literals (also the parts of f-strings) that look like SQL; docstrings,
    which may talk about SQL, are not code."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            docstrings.add(id(body[0].value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and SQL_TEXT.search(node.value)
    ]


def test_sql_is_only_written_in_the_stores():
    """Services, sync, screens and the tracker's routes name fields (Workspace.find,
    the tracker store's methods); conditions and statements are written in the stores."""
    offenders = [
        f"{rel}:{line}: {text[:60]!r}"
        for rel, path in _outside_the_stores(SRC.parent)
        for line, text in sql_strings(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_sql_scan_sees_the_fragments_services_used_to_pass():
    source = '''"""Docstring: SELECT is fine here."""
a = ws.list(Review, where="target_kind IN ('exemption', 'delay')")
b = ws.list(Item, where="scope_kind = ? AND scope_id = ?", params=(k, i))
c = ws.list(Review, order_by="created_at DESC, updated_at DESC")
d = f"SELECT {cols} FROM t"
e = where + " AND deleted = 1"
f = "Kies een product; de lijst is gesorteerd op naam (= standaard)."
'''
    assert sorted(line for line, _ in sql_strings(source)) == [2, 3, 4, 5, 6]


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


# -- screens hold no business rules, and do not reach the store -----------------------------


def _modules(*folders: str):
    for folder in folders:
        for path in sorted((SRC / folder).rglob("*.py")):
            yield path.relative_to(SRC).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _status_sequences(tree: ast.AST, statuses: set[str]) -> list[int]:
    """Lines of list/tuple literals made only of checklist statuses (a copy of the cycle)."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.List | ast.Tuple)
        and len(node.elts) >= 3
        and all(isinstance(e, ast.Constant) and e.value in statuses for e in node.elts)
    ]


def test_screens_keep_no_copy_of_the_status_cycle():
    from elo_tui.domain.checklists import ITEM_STATUSES

    statuses = set(ITEM_STATUSES)
    offenders = {
        rel: lines
        for rel, tree in _modules("screens", "widgets")
        if (lines := _status_sequences(tree, statuses))
    }
    assert offenders == {}
    copy = ast.parse('CYCLE = ["open", "busy", "done", "blocked", "na"]')
    assert _status_sequences(copy, statuses) == [1]  # the scan can see one


def _called_names(tree: ast.AST) -> set[str]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            out.add(f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", ""))
    return out


def test_the_checklist_screen_uses_the_domain_cycle_and_agenda_order():
    """Space moves a status on by `domain.checklists.next_status`; after a save the agenda
    is read again in order through the service (`agenda_rows`: ordered in SQL on the
    domain's bucket rank, equal to `agenda_order`, see test_checklist_agenda_paged.py):
    the screen itself sorts nothing."""
    tree = ast.parse((SRC / "screens" / "checklist.py").read_text(encoding="utf-8"))
    called = _called_names(tree)
    assert {"next_status", "agenda_rows"} <= called
    assert not called & {"sort", "sorted"}


def test_the_domain_cycle_and_agenda_order():
    from datetime import date

    from elo_tui.domain import checklists as cl
    from elo_tui.domain.records import ChecklistItem
    from elo_tui.services.checklists import AgendaRow, with_saved_item

    assert [cl.next_status(s) for s in cl.STATUS_CYCLE] == ["busy", "done", "blocked", "na", "open"]
    assert cl.next_status("weird") == "busy"  # unknown: as if open
    today = date(2026, 6, 1)
    late = ChecklistItem(title="b", due_date="2026-05-01")
    later = ChecklistItem(title="a", due_date="2026-12-01")
    rows = [AgendaRow("overdue", late, ""), AgendaRow("later", later, "")]
    later.due_date = "2026-01-01"  # saved with an earlier due date: now overdue, first
    assert [r.item.title for r in with_saved_item(rows, later, today)] == ["a", "b"]
    assert [i.title for _, i in cl.agenda([later, late], today)] == ["a", "b"]


def test_screens_and_widgets_reach_the_store_only_through_services():
    """They may catch the store's errors (WorkspaceError…), nothing else from it."""
    offenders = []
    for rel, tree in _modules("screens", "widgets"):
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                offenders += [
                    (rel, a.name) for a in node.names if a.name.startswith("elo_tui.store")
                ]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "elo_tui.store"
            ):
                offenders += [(rel, a.name) for a in node.names if not a.name.endswith("Error")]
            elif isinstance(node, ast.ImportFrom) and node.module == "elo_tui":
                offenders += [(rel, a.name) for a in node.names if a.name == "store"]
    assert offenders == []


INFRASTRUCTURE = {
    "textual", "rich", "sqlite3", "sqlite_utils", "httpx", "fastapi", "uvicorn", "starlette",
    "psycopg", "psycopg_pool", "openpyxl", "textual_serve", "elo_tracker",
}  # fmt: skip
APP_LAYERS = ("elo_tui.store", "elo_tui.io", "elo_tui.sync", "elo_tui.services",
              "elo_tui.screens", "elo_tui.widgets", "elo_tui.app", "elo_tui.commands")  # fmt: skip


def _domain_import_offenders(package: Path) -> list[tuple[str, str]]:
    out = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                if name.split(".")[0] in INFRASTRUCTURE or name.startswith(APP_LAYERS):
                    out.append((path.name, name))
    return sorted(set(out))


def test_the_domain_imports_no_infrastructure():
    """Also inside functions: the domain is pure (no IO, no Textual, no store)."""
    assert _domain_import_offenders(SRC / "domain") == []


def test_the_domain_scan_sees_a_lazy_store_import(tmp_path):
    (tmp_path / "m.py").write_text(
        "def f():\n    from elo_tui.store import Workspace\n    import textual\n"
    )
    assert _domain_import_offenders(tmp_path) == [
        ("m.py", "elo_tui.store"),
        ("m.py", "elo_tui.store.Workspace"),
        ("m.py", "textual"),
    ]


# -- optional extras -----------------------------------------------------------------------

EXTRAS = ("fastapi", "uvicorn", "starlette", "psycopg", "psycopg_pool", "textual_serve")
_WITHOUT_EXTRAS = """
import importlib.abc, sys
class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (simulated)", name=name)
sys.meta_path.insert(0, Missing())
for name in list(sys.modules):
    if name.split(".")[0] in {blocked!r}:
        del sys.modules[name]
import pytest
sys.exit(pytest.main({args!r}))
"""


def _pytest_without_extras(*args: str) -> subprocess.CompletedProcess:
    code = _WITHOUT_EXTRAS.format(blocked=set(EXTRAS), args=["-p", "no:cacheprovider", *args])
    return subprocess.run(
        [sys.executable, "-c", code], cwd=SRC.parents[1], capture_output=True, text=True
    )


def test_without_the_optional_extras_every_test_module_still_loads():
    """A test of the tracker or of `serve` skips (importorskip before the imports that need
    the extra) instead of failing to import, when 'elo-tui[tracker]' or '[serve]' is not
    installed: simulated here by making those packages unimportable."""
    result = _pytest_without_extras("--collect-only", "-q", "tests")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "error" not in result.stdout.lower()


def test_without_the_optional_extras_the_tests_that_touch_them_skip():
    touching = [
        "tests/test_serve.py",
        "tests/test_tracker_readiness.py",
        "tests/test_tracker_settings.py",
        "tests/test_sync_cli.py",
        "tests/test_openapi_contract.py",
    ]
    result = _pytest_without_extras("-q", "-x", *touching)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_the_missing_extra_simulation_bites(tmp_path):
    test = tmp_path / "test_needs_fastapi.py"
    test.write_text("import fastapi\n\ndef test_x():\n    pass\n")
    result = _pytest_without_extras("--collect-only", "-q", str(test))
    assert result.returncode != 0
