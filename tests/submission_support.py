"""Frozen versions as whole records (tests that read a small one's text directly),
exported files as bytes (tests that compare two ways of writing them), and an export
document as the plain lists and dicts it stands for."""

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


def plain_document(document: dict[str, Any], ws: Any) -> dict[str, Any]:
    """`document` with every part that is read from the store or spooled (a concept's
    checklist steps, its record sections, its long derived lists) as the plain list it
    stands for: the checklist steps as the store's `list_data` gives them."""

    def plain(value: Any) -> Any:
        if isinstance(value, service.StreamedSection):
            return ws.list_data(service.sub.SECTIONS[value.name])
        if isinstance(value, service.HeldSection | service.SpooledList):
            return list(value)
        if type(value) is dict:
            return {k: plain(v) for k, v in value.items()}
        if type(value) is list:  # (the readiness deadlines hold spooled products at risk)
            return [plain(v) for v in value]
        return value

    return plain(document)
