"""A submission as TOML: the canonical, re-importable form.

The file holds the submission's content plus its "sha256"; reading it back and
recomputing the hash over the content gives the same fingerprint, because the canonical
content has no nulls and TOML keeps every int, float, bool and string as it was.

Writer: a small emitter for the plain data of a submission (tables, arrays of tables,
inline tables and arrays for what is nested deeper). tomli-w produces the same data but
takes about 1.3 s for a 1,202-product submission (8 MB) here, more than the whole export
budget; this emitter takes about a tenth of that. Tests check that `tomllib` reads both
back to exactly the same document. `dumps_reference` keeps the tomli-w form at hand.
"""

from __future__ import annotations

import math
import re
import tomllib
from json.encoder import encode_basestring  # C-accelerated JSON string quoting
from typing import Any

HEADER = (
    "# elo_tui – indiening voor cofinanciering (e-loketondernemers)\n"
    "# Canonieke vorm: inlezen met `elo-tui submission import BESTAND`.\n"
    "# sha256 = SHA-256 van de canonieke JSON van alles behalve 'sha256' zelf\n"
    "# (sleutels gesorteerd, geen spaties, UTF-8). Niet met de hand wijzigen.\n"
)
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _string(key)


def _string(text: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes) except for DEL, which
    # TOML wants escaped and JSON leaves alone.
    quoted = encode_basestring(text)
    return quoted.replace("\x7f", "\\u007f") if "\x7f" in quoted else quoted


def _value(value: Any) -> str:
    if isinstance(value, str):
        return _string(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("TOML-export: oneindig of ongeldig getal")
        return repr(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if value is None:
        raise ValueError("TOML-export: lege waarde (None) kan niet in TOML")
    raise ValueError(f"TOML-export: waarde van type {type(value).__name__} wordt niet ondersteund")


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _body(out: list[str], path: str, table: dict[str, Any]) -> None:
    """Plain keys of `table`, then its sub-tables and arrays of tables under `path`."""
    nested = []
    for k, v in table.items():
        if (isinstance(v, dict) and v) or _is_table_array(v):
            nested.append((k, v))
        else:
            out.append(f"{_key(k)} = {_value(v)}")
    _nested(out, path, nested)


def _nested(out: list[str], path: str, nested: list[tuple[str, Any]]) -> None:
    for k, v in nested:
        sub = f"{path}.{_key(k)}" if path else _key(k)
        if isinstance(v, dict):
            out.append(f"\n[{sub}]")
            _body(out, sub, v)
        else:
            _table_array(out, sub, v)


def _table_array(out: list[str], path: str, items: list[dict[str, Any]]) -> None:
    """`[[path]]` per item. The hot loop of a large submission (16,000 records): the
    common value types are written inline here, the rest goes through `_value`."""
    header = f"\n[[{path}]]"
    prefixes: dict[str, str] = {}
    append = out.append
    isfinite = math.isfinite
    for item in items:
        append(header)
        nested = None
        for k, v in item.items():
            prefix = prefixes.get(k)
            if prefix is None:
                prefix = prefixes[k] = f"{_key(k)} = "
            t = type(v)
            if t is str:
                q = encode_basestring(v)
                append(prefix + (q.replace("\x7f", "\\u007f") if "\x7f" in q else q))
            elif t is float and isfinite(v):
                append(prefix + repr(v))
            elif t is int:
                append(prefix + str(v))
            elif (t is dict and v) or _is_table_array(v):
                if nested is None:
                    nested = []
                nested.append((k, v))
            else:
                append(prefix + _value(v))
        if nested:
            _nested(out, path, nested)


def dumps(document: dict[str, Any]) -> str:
    out: list[str] = [HEADER]
    _body(out, "", document)
    return "\n".join(out) + "\n"


def dumps_reference(document: dict[str, Any]) -> str:
    """The same data written by tomli-w (slow; for tests and comparison)."""
    import tomli_w

    return HEADER + tomli_w.dumps(document)


def loads(text: str) -> dict[str, Any]:
    """Parse a TOML submission; raises ValueError with a Dutch message."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"Geen geldige TOML: {exc}") from None
