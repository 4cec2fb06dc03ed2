"""The type checker runs on src/ (both packages and the contract) and finds nothing.

The configuration is `[tool.mypy]` in pyproject.toml; the cache lives in a temporary
folder of this run, so a stale cache never hides an error (a full check takes ~10-30 s).
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("mypy", reason="mypy is in the test extra")


def run_mypy(tmp_path: Path, *targets: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy-cache"), *targets],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def test_src_type_checks(tmp_path):
    result = run_mypy(tmp_path, "src")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Success: no issues found" in result.stdout


def test_the_type_check_can_fail(tmp_path):
    """The same configuration on a file with an error: mypy must report it."""
    bad = tmp_path / "bad.py"
    bad.write_text("def half(n: int) -> int:\n    return n / 2\n")
    result = run_mypy(tmp_path, str(bad))
    assert result.returncode == 1
    assert "Incompatible return value type" in result.stdout
