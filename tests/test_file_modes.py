"""Every file the app writes is owner-only (0600): exports carry the entity's data."""

from __future__ import annotations

import os
import stat

import pytest

from elo_tui.cli import main
from elo_tui.io import roadmap_export as rx
from elo_tui.io.submission_files import FORMATS


@pytest.fixture(autouse=True)
def _usual_umask():
    """The common 022 umask, under which a plain open() makes a 0644 file."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _export(settings, fmt: str, out) -> int:
    return main(
        ["export", "--demo", "--state-dir", str(settings.state_dir), "--concept"]
        + ["--format", fmt, "--out", str(out)]
    )


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_each_export_format_is_owner_only_also_over_a_0644_file(settings, tmp_path, fmt):
    out = tmp_path / f"indiening{FORMATS[fmt]}"
    assert _export(settings, fmt, out) == 0
    assert _mode(out) == 0o600
    os.chmod(out, 0o644)  # an older export, or a file someone made
    assert _export(settings, fmt, out) == 0
    assert _mode(out) == 0o600


def test_export_of_all_formats_into_a_folder_is_owner_only(settings, tmp_path):
    out = tmp_path / "uit"
    assert _export(settings, "all", out) == 0
    files = sorted(out.iterdir())
    assert len(files) == len(FORMATS)
    assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}


_TABLES = [("Knelpunten", ["Omschrijving"], [["a"]]), ("Plan", ["Stap"], [["b"]])]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "md"])
def test_roadmap_exports_are_owner_only_also_over_a_0644_file(tmp_path, fmt):
    path = tmp_path / f"roadmap.{fmt}"
    first = rx.write(_TABLES, path, fmt)
    for p in first:
        p.write_bytes(p.read_bytes())
        os.chmod(p, 0o644)
    written = rx.write(_TABLES, path, fmt)
    assert written == first and {_mode(p) for p in written} == {0o600}


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_a_saved_import_mapping_is_owner_only(tmp_path, suffix):
    from elo_tui.services.product_import import Mapping, load_mapping_file

    path = tmp_path / f"koppeling{suffix}"
    path.write_text("oud", encoding="utf-8")
    os.chmod(path, 0o644)
    Mapping().save(path)
    assert _mode(path) == 0o600
    assert isinstance(load_mapping_file(path), dict)  # still a readable mapping
