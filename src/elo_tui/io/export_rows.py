"""Canonical JSON and TOML of a page of records straight from their stored rows.

A concept's checklist steps (170,000 at 20,000 products) are needed by no derived
figure: they are only written out. Instead of a dict per step, encoded once by the JSON
encoder (sorting every dict's keys) and once more column by column for TOML, each string
of a page is quoted once (`encode_basestring`, C speed) and both texts are made from
those quotes, one `%` of a template per row. The text is exactly what `canonical_json`
and `export_toml.table_array_text` give for the dicts `Workspace.iter_data` makes of the
same rows (tests/test_export_rows.py); a page with anything else than plain strings,
ints, finite floats and booleans (a NULL, a JSON column, mixed types) returns None and
the caller takes the dict path.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from itertools import chain
from json.encoder import encode_basestring  # what json.dumps(ensure_ascii=False) quotes with
from typing import Any

_BOOL_TEXT = {True: "true", False: "false"}  # the same in JSON and TOML


def encode_page(
    path: str, fields: Sequence[tuple[str, Any]], rows: list[tuple]
) -> tuple[str, str] | None:
    """(canonical JSON of the records without the brackets, their `[[path]]` TOML) for
    `rows` whose columns are `fields` ((name, decoder) as `Workspace.data_names` gives
    them), or None when the page needs the dict path."""
    from elo_tui.io.export_toml import _key, _percent

    if not rows or None in chain.from_iterable(rows):
        return None  # a NULL leaves its key out of the dict: not a fixed template
    # Each value's text, the same in JSON and TOML (but for DEL, see below).
    columns: list[list[str]] = []
    for (_name, decoder), column in zip(fields, zip(*rows, strict=True), strict=True):
        if decoder is bool:
            columns.append(list(map(_BOOL_TEXT.__getitem__, map(bool, column))))
            continue
        if decoder is not None:
            return None  # JSON columns (lists, tables), optional booleans
        types = set(map(type, column))
        if types == {str}:
            columns.append(list(map(encode_basestring, column)))
        elif types == {int}:
            columns.append(list(map(int.__repr__, column)))
        elif types == {float} and all(map(math.isfinite, column)):
            columns.append(list(map(float.__repr__, column)))
        else:
            return None
    names = [name for name, _ in fields]
    order = sorted(range(len(names)), key=names.__getitem__)  # sort_keys of the encoder
    json_template = (
        "{"
        + ",".join(_percent(json.dumps(names[i], ensure_ascii=False)) + ":%s" for i in order)
        + "}"
    )
    toml_template = _percent(f"\n[[{path}]]\n") + "\n".join(
        f"{_percent(_key(name))} = %s" for name in names
    )
    json_text = ",".join(map(json_template.__mod__, zip(*(columns[i] for i in order), strict=True)))
    toml_text = "\n".join(map(toml_template.__mod__, zip(*columns, strict=True)))
    if "\x7f" in toml_text:
        # TOML wants DEL escaped, JSON does not; it can only be in a quoted value (the
        # keys are field names), so escaping it anywhere is escaping it in the values.
        toml_text = toml_text.replace("\x7f", "\\u007f")
    return json_text, toml_text
