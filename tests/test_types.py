"""The type checker runs on src/ (both packages and the contract) and finds nothing.

The configuration is `[tool.mypy]` in pyproject.toml. The cache lives in the system's
temporary folder, one per checkout (mypy checks every cached module against its source,
so a cache never hides an error): a first check costs ~10 s of CPU (25 s on the loaded
2-CPU machine), a repeat about 1 s.
"""

import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("mypy", reason="mypy is in the test extra")


CACHE = Path(tempfile.gettempdir()) / (
    "elo-tui-mypy-" + hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
)


def run_mypy(*targets: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(CACHE), *targets],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_src_type_checks():
    result = run_mypy("src")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Success: no issues found" in result.stdout


def test_the_type_check_can_fail(tmp_path):
    """The same configuration on a file with an error: mypy must report it."""
    bad = tmp_path / "bad.py"
    bad.write_text("def half(n: int) -> int:\n    return n / 2\n")
    result = run_mypy(str(bad))
    assert result.returncode == 1
    assert "Incompatible return value type" in result.stdout
