"""A submission as TOML: the canonical, re-importable form.

The file holds the submission's content plus its "sha256"; reading it back and
recomputing the hash over the content gives the same fingerprint, because the canonical
content has no nulls and TOML keeps every int, float, bool and string as it was.

Writer: a small emitter for the plain data of a submission (tables, arrays of tables,
inline tables and arrays for what is nested deeper). tomli-w produces the same data but
takes about 1.3 s for a 1,202-product submission (8 MB; a stress case the size of all of
ELO, not one entity) here, more than the whole export budget; this emitter takes about a
tenth of that. Tests check that `tomllib` reads both
back to exactly the same document. `dumps_reference` keeps the tomli-w form at hand.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Iterator
from json.encoder import encode_basestring  # C-accelerated JSON string quoting
from typing import Any, TextIO

HEADER = (
    "# elo_tui – indiening voor cofinanciering (e-loketondernemers)\n"
    "# Canonieke vorm: inlezen met `elo-tui submission import BESTAND`.\n"
    "# sha256 = SHA-256 van de canonieke JSON van alles behalve 'sha256' zelf\n"
    "# (sleutels gesorteerd, geen spaties, UTF-8). Niet met de hand wijzigen.\n"
)
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    text = _KEYS.get(key)
    if text is None:
        text = key if _BARE_KEY.match(key) else _string(key)
        if len(_KEYS) < 4096:  # a submission has a few dozen distinct keys
            _KEYS[key] = text
    return text


_KEYS: dict[str, str] = {}


def _string(text: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes) except for DEL, which
    # TOML wants escaped and JSON leaves alone.
    quoted = encode_basestring(text)
    return quoted.replace("\x7f", "\\u007f") if "\x7f" in quoted else quoted


def _value(value: Any) -> str:
    # Exact types first: ~1.5 million calls for the products at risk at 20,000 products.
    t = type(value)
    if t is str:
        return _string(value)
    if t is dict:
        if not value:
            return "{}"
        return "{ " + ", ".join([f"{_key(k)} = {_value(v)}" for k, v in value.items()]) + " }"
    if t is list:
        return "[" + _items(value) + "]"
    if t is bool:
        return "true" if value else "false"
    if t is int:
        return str(value)
    return _other_value(value)


def _items(values: list[Any]) -> str:
    """The items of an inline array, comma-separated: what `_value` writes between the
    brackets. Tables with the same keys (the products at risk of a deadline and their
    risks: ~1.5 million values at 20,000 products) are written column by column through
    one template per key set; the text is the same as item by item."""
    if len(values) > 1 and type(values[0]) is dict and values[0]:
        keys = tuple(values[0])
        if all(type(v) is dict for v in values) and all(map(keys.__eq__, map(tuple, values))):
            template = _TEMPLATES.get(keys)
            if template is None:
                template = _TEMPLATES[keys] = (
                    "{ " + ", ".join(f"{_percent(_key(k))} = %s" for k in keys) + " }"
                )
            columns = [_inline_column([v[k] for v in values]) for k in keys]
            return ", ".join(map(template.__mod__, zip(*columns, strict=True)))
    return ", ".join(map(_value, values))


_TEMPLATES: dict[tuple[str, ...], str] = {}


def _inline_column(values: list[Any]) -> list[str]:
    """`_value` of each of `values` (strings at C speed, the rest one by one)."""
    types = set(map(type, values))
    if types == {str}:
        encoded = list(map(encode_basestring, values))
        if "\x7f" in "".join(values):
            encoded = [q.replace("\x7f", "\\u007f") for q in encoded]
        return encoded
    if types == {list}:
        arrays = _arrays_of_tables(values)
        if arrays is not None:
            return arrays
    return list(map(_value, values))


def _arrays_of_tables(values: list[list[Any]]) -> list[str] | None:
    """`_value` of each of `values`, lists of tables with the same keys (the risks of
    each product at risk: ~25,000 short lists at 20,000 products): the tables of all the
    lists rendered together through one template, then cut back per list. None when
    the lists hold anything else."""
    flat = [item for items in values for item in items]
    if not flat or not all(type(item) is dict and item for item in flat):
        return None
    keys = tuple(flat[0])
    if not all(map(keys.__eq__, map(tuple, flat))):
        return None
    template = _TEMPLATES.get(keys)
    if template is None:
        template = _TEMPLATES[keys] = (
            "{ " + ", ".join(f"{_percent(_key(k))} = %s" for k in keys) + " }"
        )
    columns = [_inline_column([item[k] for item in flat]) for k in keys]
    tables = list(map(template.__mod__, zip(*columns, strict=True)))
    out = []
    start = 0
    for items in values:
        end = start + len(items)
        out.append("[" + ", ".join(tables[start:end]) + "]")
        start = end
    return out


def _other_value(value: Any) -> str:
    """`_value` of anything but the common exact types."""
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


class _More(str):
    """A piece that continues the line of the piece before it (no newline between)."""

    __slots__ = ()


def _body(path: str, table: dict[str, Any]) -> Iterator[str]:
    """Plain keys of `table`, then its sub-tables and arrays of tables under `path`
    (the pieces of the file, to be joined with newlines; a `_More` piece is joined
    to the piece before it without one)."""
    nested = []
    for k, v in table.items():
        if (isinstance(v, dict) and v) or _is_table_array(v):
            nested.append((k, v))
        elif hasattr(v, "toml_text"):  # a section streamed from the store: its own text
            if len(v):
                nested.append((k, v))
            else:
                yield f"{_key(k)} = []"
        elif type(v) is list and len(v) > _SLICE:
            yield from _long_array(f"{_key(k)} = ", v)
        else:
            yield f"{_key(k)} = {_value(v)}"
    yield from _nested(path, nested)


def _long_array(start: str, values: list[Any]) -> Iterator[str]:
    """`start` and the inline array `values`, one line in pieces of `_SLICE` items: the
    same text as `_value(values)`. At 20,000 products the products at risk of one
    deadline are one such line of ~20 MB; rendered whole, it and its copies took
    ~200 MB while the TOML was written."""
    for i in range(0, len(values), _SLICE):
        text = _items(values[i : i + _SLICE])
        yield start + "[" + text if i == 0 else _More(", " + text)
    yield _More("]")


def _long_item(item: dict[str, Any]) -> bool:
    """An item of a table array with a long inline array (rendered in pieces)."""
    return any(type(v) is list and len(v) > _SLICE for v in item.values())


def _nested(path: str, nested: list[tuple[str, Any]]) -> Iterator[str]:
    for k, v in nested:
        sub = f"{path}.{_key(k)}" if path else _key(k)
        if isinstance(v, dict):
            yield f"\n[{sub}]"
            yield from _body(sub, v)
        elif hasattr(v, "toml_text"):
            # `table_array_text` of its records, as they were read (one long text)
            for i, text in enumerate(v.toml_text(sub)):
                yield text if i == 0 else _More(text)
        else:
            for start in range(0, len(v), _SLICE):
                items = v[start : start + _SLICE]
                if len(items) <= _FEW_ITEMS and any(map(_long_item, items)):
                    yield from _table_array_in_pieces(sub, items)
                else:
                    yield from _table_array(sub, items)


# Arrays with this many items or fewer are looked at for long inline arrays (the
# deadlines of the readiness section); a long array of records never holds one.
_FEW_ITEMS = 50


_SLICE = 2000  # items of a long array rendered at a time: the file streams, memory stays flat
_BATCH_CHARS = 1 << 20  # text gathered before a write


def _table_array(path: str, items: list[dict[str, Any]]) -> list[str]:
    """`[[path]]` per item, in order (a run of items may come as one piece: the pieces
    are joined with newlines either way).

    The hot spot of a large submission (170,000 checklist steps at 20,000 products):
    items with the same keys are encoded column by column with C-level `map` calls (one
    `encode_basestring` pass per string column, `repr` per float column, ...), then each
    row is one `%` of a template made once per key set; anything unusual (nested tables,
    mixed types) takes the plain per-item path. The text is identical either way, and
    does not depend on how a long array is sliced (every item is rendered on its own).
    """
    header = f"\n[[{path}]]\n"
    groups: dict[tuple[str, ...], list[int]] = {}
    first = tuple(items[0]) if items else ()
    if all(map(first.__eq__, map(tuple, items))):  # the usual case, checked at C speed
        groups[first] = list(range(len(items)))
    else:
        for i, item in enumerate(items):
            groups.setdefault(tuple(item), []).append(i)
    pieces: list[tuple[list[int], list[str]]] = []
    for keys, indices in groups.items():
        rows = [items[i] for i in indices] if len(groups) > 1 else items
        columns = []
        for k in keys:
            column = _column([row[k] for row in rows])
            if column is None:
                break
            columns.append(column)
        else:
            if columns:
                # one '%' per row; a '%' in a key or the path is doubled to stay text
                template = _percent(header) + "\n".join(f"{_percent(_key(k))} = %s" for k in keys)
                texts = list(map(template.__mod__, zip(*columns, strict=True)))
            else:
                texts = [header.rstrip("\n")] * len(rows)
            pieces.append((indices, texts))
            continue
        general = []
        for i in indices:  # the general path
            text = "\n".join([header.rstrip("\n"), *_body(path, items[i])])
            general.append(text.rstrip("\n") if text.endswith("\n") else text)
        pieces.append((indices, general))
    if len(pieces) == 1:  # all items alike (the usual case): one piece, in order
        return ["\n".join(pieces[0][1])]
    rendered: list[str] = [""] * len(items)
    for indices, texts in pieces:
        for i, text in zip(indices, texts, strict=True):
            rendered[i] = text
    return rendered


def _percent(text: str) -> str:
    return text.replace("%", "%%")


def table_array_text(path: str, items: list[dict[str, Any]]) -> str:
    """The text of `[[path]]` for `items`, as `write` puts it in the file (the items of a
    long array can be rendered in slices of any size and joined with a newline)."""
    return "\n".join(_table_array(path, items))


def _table_array_in_pieces(path: str, items: list[dict[str, Any]]) -> Iterator[str]:
    """`_table_array(path, items)` as pieces, long inline arrays in `_long_array` pieces
    (for a few items only: it takes the same decisions item by item)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for item in items:
        groups.setdefault(tuple(item), []).append(item)
    inline = {
        keys: all(_inline([row[k] for row in rows]) for k in keys) for keys, rows in groups.items()
    }
    for item in items:
        yield f"\n[[{path}]]"
        if not inline[tuple(item)]:
            yield from _body(path, item)  # the general path of _table_array
            continue
        for k, v in item.items():
            if type(v) is list and len(v) > _SLICE:
                yield from _long_array(f"{_key(k)} = ", v)
            else:
                yield f"{_key(k)} = {_value(v)}"  # what _column writes for these values


def _inline(values: list[Any]) -> bool:
    """Whether `_column` renders this column (False: the general path), decided
    without rendering anything."""
    types = set(map(type, values))
    if types == {str} or types == {int} or types <= {bool, list}:
        return True
    if types == {float}:
        return all(map(math.isfinite, values))
    if types == {dict}:
        return not any(values)  # sub-tables follow the plain keys: general path
    return False


def _column(values: list[Any]) -> list[str] | None:
    """The encoded values of one column of same-typed plain values; None when the
    column needs the general path (nested tables, mixed types, non-finite floats)."""
    if not _inline(values):
        return None
    t = type(values[0]) if values else str
    if t is str:
        encoded = list(map(encode_basestring, values))
        if "\x7f" in "".join(values):
            encoded = [q.replace("\x7f", "\\u007f") for q in encoded]
        return encoded
    if t is float:
        return list(map(repr, values))
    if t is int:
        return list(map(str, values))
    if t is dict:  # empty tables only (see _inline)
        return ["{}"] * len(values)
    # bool and list: arrays (also of tables, e.g. the risks of a product at risk) stay
    # inline here: one line per item instead of a header per nested table.
    return list(map(_value, values))


def dumps(document: dict[str, Any]) -> str:
    lines = [HEADER]
    for piece in _body("", document):
        if type(piece) is _More:
            lines[-1] += piece
        else:
            lines.append(piece)
    return "\n".join(lines) + "\n"


def write(document: dict[str, Any], file: TextIO) -> None:
    """`dumps(document)` written to `file` piece by piece (a 20,000-product submission
    is ~150 MB of TOML: it is never one string in memory)."""
    file.write(HEADER)
    batch: list[str] = []
    size = 0
    for piece in _body("", document):
        if type(piece) is _More:
            if batch:
                file.write("\n" + "\n".join(batch))
                batch.clear()
            file.write(piece)
            continue
        batch.append(piece)
        size += len(piece)
        # many short pieces or a few long ones (a slice of records comes as one piece)
        if len(batch) >= _SLICE or size >= _BATCH_CHARS:
            file.write("\n" + "\n".join(batch))
            batch.clear()
            size = 0
    if batch:
        file.write("\n" + "\n".join(batch))
    file.write("\n")


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
