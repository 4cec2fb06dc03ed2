"""Canonical JSON and TOML of a page of records straight from their stored rows.

A concept's checklist steps (170,000 at 20,000 products) are needed by no derived
figure: they are only written out. Instead of a dict per step, encoded once by the JSON
encoder (sorting every dict's keys) and once more column by column for TOML, each
distinct string of a page column is quoted once (`encode_basestring`, C speed; a column
of one value is written into the templates) and both texts are made from those quotes,
one `%` of a template per row. The held record sections (products, block statuses,
estimate lines) are written the same way from their rows (services/submission.py).
The text is exactly what `canonical_json` and `export_toml.table_array_text` give for
the dicts `Workspace.iter_data` makes of the same rows (tests/test_export_rows.py):
texts, ints, finite floats, booleans (also optional ones), JSON columns of lists of
texts, ints and booleans, and columns of NULLs only (left out, as the dicts leave out
the key). A page with anything else (some NULLs in a column, mixed types, a float in a
list, a table) returns None and the caller takes the dict path.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from json.encoder import encode_basestring  # what json.dumps(ensure_ascii=False) quotes with
from typing import Any

from elo_tui.io.export_toml import _BOOL_TEXT, _SAMPLE, _each, _filled, _key, _pieces, _value
from elo_tui.store.workspace import optional_bool


def encode_page(
    path: str, fields: Sequence[tuple[str, Any]], rows: list[tuple]
) -> tuple[str, str] | None:
    """(canonical JSON of the records without the brackets, their `[[path]]` TOML) for
    `rows` whose columns are `fields` ((name, decoder) as `Workspace.data_names` gives
    them), or None when the page needs the dict path."""
    if not rows:
        return None
    # A NULL leaves its key out of the dict: a column of NULLs only is left out of the
    # templates; a column with some (not a fixed template) gives None.
    # Each value's JSON text and TOML text (the same but for DEL, see below, and for
    # lists); a column whose values all have one text is that text (written into the
    # templates).
    names: list[str] = []
    json_columns: list[list[str] | str] = []
    toml_columns: list[list[str] | str] = []
    for (name, decoder), column in zip(fields, zip(*rows, strict=True), strict=True):
        json_texts: list[str] | str | None
        toml_texts: list[str] | str | None
        if None in column:
            if any(value is not None for value in column):
                return None
            continue
        if decoder is bool or decoder is optional_bool:
            flags = list(map(bool, column))
            json_texts = toml_texts = _each(flags, dict.fromkeys(flags), _BOOL_TEXT.__getitem__)
        elif decoder is json.loads:
            found = _lists(column)
            if found is None:
                return None
            json_texts, toml_texts = found
        elif decoder is not None:
            return None  # another decoder: its values are not the stored ones
        else:
            json_texts = toml_texts = _texts(column)
        if json_texts is None or toml_texts is None:
            return None
        names.append(name)
        json_columns.append(json_texts)
        toml_columns.append(toml_texts)
    if not names:
        return None
    order = sorted(range(len(names)), key=names.__getitem__)  # sort_keys of the encoder
    json_keys = [json.dumps(names[i], ensure_ascii=False) + ":" for i in order]
    json_text = ",".join(
        _filled(_pieces("{", json_keys, ",", "}"), [json_columns[i] for i in order], len(rows))
    )
    toml_keys = [f"\n{_key(name)} = " for name in names]
    toml_text = "\n".join(
        _filled(_pieces(f"\n[[{path}]]", toml_keys, "", ""), toml_columns, len(rows))
    )
    if "\x7f" in toml_text:
        # TOML wants DEL escaped, JSON does not; it can only be in a quoted value (the
        # keys are field names), so escaping it anywhere is escaping it in the values.
        toml_text = toml_text.replace("\x7f", "\\u007f")
    return json_text, toml_text


def _lists(column: Sequence[Any]) -> tuple[list[str] | str, list[str] | str] | None:
    """The JSON and TOML texts of a JSON column of lists of plain values (a product's
    themes, target groups), decoded once per distinct stored text (a few at 20,000
    products), or None when a value is anything else (a table, a nested list, null)."""
    distinct = dict.fromkeys(column)
    json_of: dict[Any, str] = {}
    toml_of: dict[Any, str] = {}
    for stored in distinct:
        if type(stored) is not str:
            return None
        try:
            value = json.loads(stored)
        except ValueError:
            return None  # the dict path reports the broken column
        if type(value) is not list or not all(map(_plain_scalar, value)):
            return None
        json_of[stored] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        toml_of[stored] = _value(value)
    return _each(column, distinct, json_of.__getitem__), _each(
        column, distinct, toml_of.__getitem__
    )


def _plain_scalar(value: Any) -> bool:
    """A text, int or boolean (a float could be NaN: the dict path refuses it)."""
    return type(value) in (str, int, bool)


def _texts(column: Sequence[Any]) -> list[str] | str | None:
    """The JSON text of each value of a column of texts, ints or finite floats (the
    same in TOML but for DEL), or the one text of them all; None for anything else.

    Most columns hold a few distinct texts (block, step, title, status: each quoted
    once, equal values share the quote); mostly different ones (ids) are quoted one
    by one, as hashing them to find the equal ones would cost more than it saves."""
    if type(column[0]) is str:
        if len(set(column[:_SAMPLE])) * 2 > min(len(column), _SAMPLE):
            try:
                return list(map(encode_basestring, column))
            except TypeError:  # not all texts
                return None
        distinct = dict.fromkeys(column)
        # Only a text equals a text: the distinct values are all texts iff all values are.
        if set(map(type, distinct)) != {str}:
            return None
        return _each(column, distinct, encode_basestring)
    types = set(map(type, column))
    if types == {int}:
        return list(map(int.__repr__, column))
    if types == {float} and all(map(math.isfinite, column)):
        return list(map(float.__repr__, column))
    return None
