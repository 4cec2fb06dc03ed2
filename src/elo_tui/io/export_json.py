"""A submission as JSON: the same data as the TOML form, for tools that prefer JSON.

Compact (no indentation): Python's C encoder only runs without `indent`, and indenting
a 1,202-product submission (a stress case the size of all of ELO, not one entity) costs
half a second more. Any JSON viewer can pretty-print.
"""

from __future__ import annotations

import json
import shutil
from typing import Any, BinaryIO, TextIO


def dumps(document: dict[str, Any], canonical: str | None = None) -> str:
    """`canonical`: the canonical JSON of the content (the document without "sha256"),
    when the caller has it already (it was needed for the hash): then the export is that
    text with the hash put in front, without encoding everything a second time."""
    if canonical is not None and canonical.startswith("{") and canonical != "{}":
        sha = json.dumps(document.get("sha256", ""))
        return '{"sha256":' + sha + "," + canonical[1:] + "\n"
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"


def write(document: dict[str, Any], file: TextIO, canonical: str | BinaryIO | None = None) -> None:
    """`dumps(document, canonical)` written to `file` piece by piece: a 20,000-product
    submission is ~145 MB of JSON, never one string in memory. `canonical` may also be
    a binary file holding its UTF-8 bytes (copied as they are); without it the content
    is encoded in canonical form a slice at a time (the same text)."""
    from elo_tui.domain.submission import canonical_json_chunks

    if canonical is not None and not isinstance(canonical, str):
        canonical.seek(0)
        if canonical.read(1) == b"{" and canonical.read(1) not in (b"}", b""):
            file.write('{"sha256":' + json.dumps(document.get("sha256", "")) + ",")
            file.flush()
            canonical.seek(1)
            shutil.copyfileobj(canonical, file.buffer, 1 << 20)
            file.write("\n")
            return
        canonical = None
    content = {k: v for k, v in document.items() if k != "sha256"}
    if canonical is None and not content:
        file.write(dumps(document))
        return
    if canonical is not None and not (canonical.startswith("{") and canonical != "{}"):
        file.write(dumps(document, canonical))
        return
    file.write('{"sha256":' + json.dumps(document.get("sha256", "")) + ",")
    if canonical is not None:
        for start in range(1, len(canonical), _PIECE):  # slices: no second full copy
            file.write(canonical[start : start + _PIECE])
    else:
        pieces = canonical_json_chunks(content)
        next(pieces)  # the opening brace, already written with the hash
        for piece in pieces:
            file.write(piece)
    file.write("\n")


_PIECE = 1 << 20


def loads(text: str) -> dict[str, Any]:
    """Parse a JSON submission; raises ValueError with a Dutch message."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"Geen geldige JSON: {exc.msg} (regel {exc.lineno}).") from None
    if not isinstance(data, dict):
        raise ValueError("Geen geldige indiening: verwacht een JSON-object.")
    return data
