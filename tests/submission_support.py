"""Frozen versions as whole records (tests that read a small one's text directly), and
exported files as bytes (tests that compare two ways of writing them)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from elo_tui.domain.records import Submission
from elo_tui.services import submission as service


def freeze(ws: Any, **kwargs: Any) -> Submission:
    """`service.create(ws, **kwargs)` (which returns the version without its content)
    read back as the stored record, content and all."""
    head = service.create(ws, **kwargs)
    record = ws.get(Submission, head.id)
    assert record is not None and record.sha256 == head.sha256
    return record


def exported_files(paths: Iterable[Path]) -> dict[str, bytes]:
    """Each exported file's bytes by suffix; a workbook's parts by name, its time of
    writing (docProps/core.xml) left out."""
    result = {}
    for path in paths:
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    if name != "docProps/core.xml":
                        result[f"xlsx:{name}"] = z.read(name)
        else:
            result[path.suffix] = path.read_bytes()
    return result
