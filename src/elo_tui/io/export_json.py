"""A submission as JSON: the same data as the TOML form, for tools that prefer JSON.

Compact (no indentation): Python's C encoder only runs without `indent`, and indenting
a 1,202-product submission (a stress case the size of all of ELO, not one entity) costs
half a second more. Any JSON viewer can pretty-print.
"""

from __future__ import annotations

import json
from typing import Any


def dumps(document: dict[str, Any], canonical: str | None = None) -> str:
    """`canonical`: the canonical JSON of the content (the document without "sha256"),
    when the caller has it already (it was needed for the hash): then the export is that
    text with the hash put in front, without encoding everything a second time."""
    if canonical is not None and canonical.startswith("{") and canonical != "{}":
        sha = json.dumps(document.get("sha256", ""))
        return '{"sha256":' + sha + "," + canonical[1:] + "\n"
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"


def loads(text: str) -> dict[str, Any]:
    """Parse a JSON submission; raises ValueError with a Dutch message."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"Geen geldige JSON: {exc.msg} (regel {exc.lineno}).") from None
    if not isinstance(data, dict):
        raise ValueError("Geen geldige indiening: verwacht een JSON-object.")
    return data
