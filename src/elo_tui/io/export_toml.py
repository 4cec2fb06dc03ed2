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
import shutil
import tomllib
from collections.abc import Callable, Iterator, Sequence
from itertools import chain, islice, repeat
from json.encoder import encode_basestring  # C-accelerated JSON string quoting
from typing import Any, BinaryIO, TextIO

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
            return ", ".join(_tables(keys, list(map(tuple, map(dict.values, values)))))
    return ", ".join(map(_value, values))


def _tables(keys: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    """`_value` of the table of each of `rows` (its values in the order of `keys`).

    Rows of texts, booleans or ints that repeat (the risks of the products at risk:
    ~120,000 tables at 20,000 products, a few dozen distinct) are rendered once per
    distinct row and equal rows share the text. Not with floats (0.0 equals -0.0) nor
    with ints next to booleans (1 equals True): equal values with different texts."""
    if len(rows) > 1:
        types = set(map(type, chain.from_iterable(rows)))
        if types <= {str, bool} or types <= {str, int}:
            distinct = dict.fromkeys(rows)
            if len(distinct) * 2 <= len(rows):
                unique = list(distinct)
                texts = dict(zip(unique, _rendered(keys, unique), strict=True))
                return list(map(texts.__getitem__, rows))
    return _rendered(keys, rows)


def _rendered(keys: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    columns = [_inline_texts(column) for column in zip(*rows, strict=True)]
    return _filled(_pieces("{ ", [f"{_key(k)} = " for k in keys], ", ", " }"), columns, len(rows))


def _pieces(opening: str, keys: list[str], between: str, closing: str) -> list[str]:
    """The fixed texts around the values of a row, for `_filled`: `opening` and the
    first key, `between` and the next key, ..., `closing`."""
    pieces = [opening]
    for i, key in enumerate(keys):
        pieces[-1] += between + key if i else key
        pieces.append("")
    pieces[-1] += closing
    return pieces


def _filled(pieces: list[str], columns: list[list[str] | str], n: int) -> list[str]:
    """`n` texts, the i-th `pieces[0] + columns[0][i] + pieces[1] + ... + pieces[-1]`,
    one `%` of a template per text; a column that is one text (every value the same)
    is written into the template."""
    template = _percent(pieces[0])
    varying = []
    for column, piece in zip(columns, pieces[1:], strict=True):
        if type(column) is str:
            template += _percent(column)
        else:
            template += "%s"
            varying.append(column)
        template += _percent(piece)
    if not varying:
        return [template % ()] * n
    return list(map(template.__mod__, zip(*varying, strict=True)))


def _inline_column(values: Sequence[Any]) -> list[str]:
    """`_value` of each of `values`."""
    texts = _inline_texts(values)
    return [texts] * len(values) if isinstance(texts, str) else texts


def _inline_texts(values: Sequence[Any]) -> list[str] | str:
    """`_value` of each of `values`, or one text when they all have it (see `_column`;
    what it leaves to the general path is written one by one)."""
    texts = _column(values)
    return list(map(_value, values)) if texts is None else texts


def _arrays_of_tables(values: Sequence[list[Any]]) -> list[str] | None:
    """`_value` of each of `values`, lists of tables with the same keys (the risks of
    each product at risk: ~25,000 short lists at 20,000 products): the tables of all the
    lists rendered together (`_tables`), then cut back per list. A list that comes
    more than once (products with the same risks can share one list) is rendered once.
    None when the lists hold anything else."""
    ids = list(map(id, values))
    distinct = dict(zip(ids, values, strict=True))
    if len(distinct) * 2 <= len(values):
        texts = _arrays_of_tables(list(distinct.values()))
        if texts is None:
            return None
        by_id = dict(zip(distinct, texts, strict=True))
        return list(map(by_id.__getitem__, ids))
    flat = list(chain.from_iterable(values))
    if not flat or set(map(type, flat)) != {dict} or not all(flat):
        return None
    keys = tuple(flat[0])
    if not all(map(keys.__eq__, map(tuple, flat))):
        return None
    tables = _tables(keys, list(map(tuple, map(dict.values, flat))))
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
    return isinstance(value, list) and bool(value) and all(map(isinstance, value, repeat(dict)))


class _More:
    """A piece that continues the line of the piece before it (no newline between).
    Not a str subclass: making one copies the text (the streamed checklist steps come
    in pieces of 1 MB, ~60 MB in all at 20,000 products)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __len__(self) -> int:
        return len(self.text)

    def __str__(self) -> str:
        return self.text


class _Copy:
    """A piece that is the UTF-8 text in a binary file (a section encoded from the store,
    spooled while it was hashed: ~120 MB at 20,000 products), on lines of its own: the
    writer copies the bytes instead of decoding them and encoding them again."""

    __slots__ = ("file",)

    def __init__(self, file: BinaryIO) -> None:
        self.file = file

    def text(self) -> str:
        self.file.seek(0)
        return self.file.read().decode("utf-8")


Piece = str | _More | _Copy


def _body(path: str, table: dict[str, Any]) -> Iterator[Piece]:
    """Plain keys of `table`, then its sub-tables and arrays of tables under `path`
    (the pieces of the file, to be joined with newlines; a `_More` piece is joined
    to the piece before it without one)."""
    nested = []
    for k, v in table.items():
        if hasattr(v, "toml_text"):  # a section encoded from the store: its own text
            if len(v):
                nested.append((k, v))
            else:
                yield f"{_key(k)} = []"
        elif (isinstance(v, dict) and v) or _is_table_array(v):
            nested.append((k, v))
        elif type(v) is list and len(v) > _SLICE:
            yield from _long_array(f"{_key(k)} = ", v)
        else:
            yield f"{_key(k)} = {_value(v)}"
    yield from _nested(path, nested)


def _long_array(start: str, values: Sequence[Any]) -> Iterator[Piece]:
    """`start` and the inline array `values`, one line in pieces of `_SLICE` items: the
    same text as `_value(values)`. At 20,000 products the products at risk of one
    deadline are one such line of ~20 MB; rendered whole, it and its copies took
    ~200 MB while the TOML was written. `values` is read once, in order (a spooled
    list: a page at a time)."""
    items = iter(values)
    yield start + "[" + _items(list(islice(items, _SLICE)))
    while more := list(islice(items, _SLICE)):
        yield _More(", ")  # two pieces: ", " + text would copy the text
        yield _More(_items(more))
    yield _More("]")


def _spooled(value: Any) -> bool:
    """A list kept in pages (services/submission.SpooledList: a concept's products at
    risk), written as the inline array of the items it holds."""
    return type(value) is not list and isinstance(value, Sequence) and not isinstance(value, str)


def _long_item(item: dict[str, Any]) -> bool:
    """An item of a table array with a long inline array (rendered in pieces)."""
    return any((type(v) is list and len(v) > _SLICE) or _spooled(v) for v in item.values())


def _nested(path: str, nested: list[tuple[str, Any]]) -> Iterator[Piece]:
    for k, v in nested:
        sub = f"{path}.{_key(k)}" if path else _key(k)
        if isinstance(v, dict):
            yield f"\n[{sub}]"
            yield from _body(sub, v)
        elif hasattr(v, "toml_text"):
            # `table_array_text` of its records, as they were read (one long text)
            spooled = v.toml_file(sub) if hasattr(v, "toml_file") else None
            if spooled is not None:
                yield _Copy(spooled)
                continue
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


# Items of a long array rendered at a time: the file streams, memory stays flat (2,000 of
# the products at risk made pieces of ~3 MB; large transient texts also leave the C heap
# holding more: RESULTS.md, round 12).
_SLICE = 500
_BATCH_CHARS = 1 << 20  # text gathered before a write


def _table_array(path: str, items: list[dict[str, Any]]) -> list[str]:
    """`[[path]]` per item, in order (a run of items may come as one piece: the pieces
    are joined with newlines either way).

    The hot spot of a large submission (~200,000 records at 20,000 products): items with
    the same keys are encoded column by column at C speed (`_column`: each distinct
    text quoted once, ...), then each row is one `%` of a template made per key set and
    slice; anything unusual (nested tables, mixed types) takes the plain per-item path.
    The text is identical either way, and does not depend on how a long array is sliced
    (every item is rendered on its own).
    """
    header = f"\n[[{path}]]"
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
        columns: list[list[str] | str] = []
        # every row has exactly these keys in this order: its values are the columns
        for values in zip(*map(dict.values, rows), strict=True):
            column = _column(values)
            if column is None:
                break
            columns.append(column)
        else:
            texts = _filled(
                _pieces(header, [f"\n{_key(k)} = " for k in keys], "", ""), columns, len(rows)
            )
            pieces.append((indices, texts))
            continue
        general = []
        for i in indices:  # the general path
            text = "\n".join([header, *map(str, _body(path, items[i]))])
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


def _table_array_in_pieces(path: str, items: list[dict[str, Any]]) -> Iterator[Piece]:
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
            if (type(v) is list and len(v) > _SLICE) or _spooled(v):
                yield from _long_array(f"{_key(k)} = ", v)
            else:
                yield f"{_key(k)} = {_value(v)}"  # what _column writes for these values


def _inline(values: Sequence[Any]) -> bool:
    """Whether `_column` renders this column (False: the general path), decided
    without rendering anything."""
    types = {list if _spooled(v) else type(v) for v in values}
    if types == {str} or types == {int} or types <= {bool, list}:
        return True
    if types == {float}:
        return all(map(math.isfinite, values))
    if types == {dict}:
        return not any(values)  # sub-tables follow the plain keys: general path
    return False


def _column(values: Sequence[Any]) -> list[str] | str | None:
    """`_value` of each of `values`, plain values of one type (texts, ints, booleans,
    finite floats, arrays, empty tables), or one text when they all have it; None when
    the column needs the general path (sub-tables, mixed types, non-finite floats).

    Each distinct value is encoded once and equal values share the text: most columns
    of a submission hold a few distinct values (blocks, stages, dates, day counts)."""
    if not values:
        return []
    if type(values[0]) is str:
        try:
            # Mostly different texts (ids, names): quoted one by one (hashing them to
            # find the equal ones would cost more than it saves).
            sample = len(set(values[:_SAMPLE]))
            quoted = (
                list(map(encode_basestring, values))
                if sample * 2 > min(len(values), _SAMPLE)
                else None
            )
        except TypeError:  # not all texts
            quoted = None
        if quoted is not None:
            if "\x7f" in "".join(values):
                return [q.replace("\x7f", "\\u007f") for q in quoted]
            return quoted
    try:
        distinct = dict.fromkeys(values)
    except TypeError:  # arrays or tables
        types = set(map(type, values))
        if types == {list}:
            texts = _arrays_of_tables(values)
            return texts if texts is not None else _arrays(values)
        if types == {dict}:  # empty tables only: sub-tables follow the plain keys
            return None if any(values) else "{}"
        if types <= {bool, list}:
            # Arrays (also of tables, e.g. the risks of a product at risk) stay inline
            # here: one line per item instead of a header per nested table.
            return list(map(_value, values))
        return None
    # Only a text equals a text: the distinct values are all texts iff all values are.
    if set(map(type, distinct)) == {str}:
        encode = _string if "\x7f" in "".join(distinct) else encode_basestring
        return _each(values, distinct, encode)
    types = set(map(type, values))
    if types == {int}:
        return _each(values, distinct, int.__repr__)
    if types == {bool}:
        return _each(values, distinct, _BOOL_TEXT.__getitem__)
    if types == {float}:
        if not all(map(math.isfinite, distinct)):
            return None
        if 0.0 in distinct:  # 0.0 and -0.0 are equal and written differently
            return list(map(float.__repr__, values))
        return _each(values, distinct, float.__repr__)
    return None


_BOOL_TEXT = {True: "true", False: "false"}  # the same in JSON and TOML
_SAMPLE = 64  # values looked at to choose how a column of texts is quoted


def _each(
    values: Sequence[Any], distinct: dict[Any, None], encode: Callable[[Any], str]
) -> list[str] | str:
    """`encode` of each of `values` (`distinct` is `dict.fromkeys(values)`, equal values
    encode alike): each distinct value encoded once, or the one text of them all."""
    if len(distinct) == 1:
        return encode(next(iter(distinct)))
    if len(distinct) == len(values):  # all different: the keys are the values, in order
        return list(map(encode, distinct))
    texts = dict(zip(distinct, map(encode, distinct), strict=True))
    return list(map(texts.__getitem__, values))


def _arrays(values: Sequence[list[Any]]) -> list[str]:
    """`_value` of each of `values` (lists); lists of texts (a product's themes) once
    per distinct list."""
    if set(map(type, chain.from_iterable(values))) <= {str}:
        keys = list(map(tuple, values))
        distinct = dict.fromkeys(keys)
        if len(distinct) * 2 <= len(values):
            texts = {k: "[" + ", ".join(map(_string, k)) + "]" for k in distinct}
            return list(map(texts.__getitem__, keys))
    return list(map(_value, values))


def dumps(document: dict[str, Any]) -> str:
    lines = [HEADER]
    for piece in _body("", document):
        if isinstance(piece, _More):
            lines[-1] += piece.text
        elif isinstance(piece, _Copy):
            lines.append(piece.text())
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
        if isinstance(piece, _More | _Copy):
            if batch:
                _write_lines(file, batch)
                batch.clear()
                size = 0
            if isinstance(piece, _More):
                file.write(piece.text)
            elif hasattr(file, "buffer"):  # a file: its bytes as they are
                file.write("\n")
                file.flush()
                piece.file.seek(0)
                shutil.copyfileobj(piece.file, file.buffer, 1 << 20)
            else:
                file.write("\n" + piece.text())
            continue
        batch.append(piece)
        size += len(piece)
        # many short pieces or a few long ones (a slice of records comes as one piece)
        if len(batch) >= _SLICE or size >= _BATCH_CHARS:
            _write_lines(file, batch)
            batch.clear()
            size = 0
    if batch:
        _write_lines(file, batch)
    file.write("\n")


def _write_lines(file: TextIO, lines: list[str]) -> None:
    """Each of `lines` after a newline (two writes: "\n" + the joined text would copy
    it once more)."""
    file.write("\n")
    file.write("\n".join(lines))


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
