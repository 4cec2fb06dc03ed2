"""A stored submission's canonical JSON, read in pieces.

At 20,000 products a submission is ~145 MB of JSON; `json.loads` of it holds ~650 MB of
dicts, and a diff of two versions took 1.45 GB (bench/RESULTS.md, round 9). Here the text
comes as an iterable of pieces (the store reads them from the database, ~1 MB each) and
is decoded as it is read. A value that fits in about `_BATCH` characters is decoded
whole; a longer list or object is given lazily (`Items`, `Fields`), and a list's items
are decoded a batch of about `_BATCH` characters at a time. Only a piece of the text and
one batch of items are in memory at once. A lazy value must be taken (or left: it is
then skipped) before the one after it.

Pure: no I/O. Errors are `SubmissionFormatError`s (Dutch), never a traceback.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from elo_tui.domain.submission import SubmissionFormatError, canonical_json

_DECODER = json.JSONDecoder()
_BATCH = 1 << 16  # characters of a list decoded by one json.loads (1 << 20: ~12 MB more
# of a 20,000-product version's export peak, no time gained; RESULTS.md, round 13)
_WHITESPACE = " \t\n\r"  # what JSON allows between its tokens (canonical text has none)
_FIRST_KEY = re.compile(r'\{"[^"\\]*":')  # an object and its first key, when plain


class Items(Iterator[Any]):
    """The items of a long list, in order, decoded as they are taken (once)."""

    def __init__(self, items: Iterator[Any]) -> None:
        self._items = items

    def __iter__(self) -> Items:
        return self

    def __next__(self) -> Any:
        return next(self._items)


class Fields(Iterator[tuple[str, Any]]):
    """The (key, value) pairs of a long object, in the order of the text (once)."""

    def __init__(self, fields: Iterator[tuple[str, Any]]) -> None:
        self._fields = fields

    def __iter__(self) -> Fields:
        return self

    def __next__(self) -> tuple[str, Any]:
        return next(self._fields)


def whole(value: Any, shared: dict[str, list[Any]] | None = None) -> Any:
    """`value` with its lazy parts decoded: the plain lists and dicts json.loads gives.

    With `shared`, equal lists in the objects of a long list are one list (keyed by
    their repr in `shared`): the readiness lists each product at risk with its risks,
    and products with the same risks then share them, as the summary they were written
    from did (at 20,000 products ~60 MB less). Such lists must not be changed."""
    if isinstance(value, Items):
        if shared is None:
            return [whole(v) for v in value]
        out = []
        for v in value:
            # (an object too long to be decoded whole holds long lists: a deadline and
            # its 25,000 products at risk, whose repr alone was ~7 MB; not shared)
            decoded_whole = not isinstance(v, Fields)
            v = whole(v, shared)
            if type(v) is dict and decoded_whole:
                for k, x in v.items():
                    if type(x) is list and x:
                        # (equal repr: equal values, in the same order; 1 and 1.0 differ)
                        v[k] = shared.setdefault(repr(x), x)
            out.append(v)
        return out
    if isinstance(value, Fields):
        return {k: whole(v, shared) for k, v in value}
    return value


def _skip(value: Any) -> None:
    """Read past what is left of a lazy value."""
    if isinstance(value, Items):
        for v in value:
            _skip(v)
    elif isinstance(value, Fields):
        for _k, v in value:
            _skip(v)


def _invalid(what: str) -> SubmissionFormatError:
    return SubmissionFormatError(f"De inhoud van de indiening is geen geldige JSON: {what}.")


class _Text:
    """The text read so far but not yet decoded, and the pieces still to come."""

    def __init__(self, pieces: Iterable[str]) -> None:
        self._pieces = iter(pieces)
        self.text = ""
        self.pos = 0
        self.base = 0  # where `text` starts in the whole text
        self.done = False

    def more(self, at_least: int = 1) -> bool:
        """Read on until `at_least` more characters are there (or the text ends); False
        when nothing more came."""
        new = [self.text[self.pos :]]
        got = 0
        while got < at_least:
            piece = next(self._pieces, None)
            if piece is None:
                self.done = True
                break
            new.append(piece)
            got += len(piece)
        if not got:
            return False
        self.base += self.pos
        self.text, self.pos = "".join(new), 0
        return True

    def peek(self) -> str:
        """The next character past any whitespace ('' at the end of the text)."""
        while True:
            while self.pos >= len(self.text):
                if not self.more():
                    return ""
            char = self.text[self.pos]
            if char not in _WHITESPACE:
                return char
            self.pos += 1

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            raise _invalid(f"'{char}' verwacht, {repr(found) if found else 'het einde'} gevonden")
        self.pos += 1

    def closed(self, close: str) -> bool:
        """Past the ',' after a value (False) or the `close` bracket that ends its list or
        object (True)."""
        char = self.peek()
        if char != close and char != ",":
            found = repr(char) if char else "het einde"
            raise _invalid(f"',' of '{close}' verwacht, {found} gevonden")
        self.pos += 1
        return char == close

    def value(self) -> Any:
        """The JSON value that starts here: decoded, or `Items`/`Fields` when it is a list
        or object that does not fit in what is read (at least _BATCH characters)."""
        self.peek()  # (raw_decode takes no whitespace before the value)
        while True:
            if len(self.text) - self.pos < _BATCH and not self.done:
                self.more(_BATCH)
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if self.done:
                    raise _invalid(exc.msg) from None
                char = self.text[self.pos]
                if char == "[":
                    return Items(self.items())
                if char == "{":
                    return Fields(self.fields())
                self.more(len(self.text) - self.pos)  # a very long text: read on
                continue
            # a number or a literal at the very end may go on in the next piece
            if end == len(self.text) and not self.done and self.more():
                continue
            self.pos = end
            return value

    def fields(self) -> Iterator[tuple[str, Any]]:
        """The pairs of the object that starts here, then past its '}'."""
        self.expect("{")
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            key = self.value()
            if type(key) is not str:
                raise _invalid("een sleutel is geen tekst")
            self.expect(":")
            value = self.value()
            yield key, value
            _skip(value)  # what the caller left of it
            if self.closed("}"):
                return

    def items(self) -> Iterator[Any]:
        """The items of the list that starts here, then past its ']'. Most come in batches:
        the text up to the last '},{' within _BATCH characters, decoded as one list. A
        cut inside a text or a nested value leaves a bracket or quote open, so that batch
        fails to decode: the items up to that cut are then decoded one by one."""
        self.expect("[")
        if self.peek() == "]":
            self.pos += 1
            return
        one_by_one_until = -1  # (a position in the whole text)
        # Between two objects of a list: "},{" and, in canonical text, the first key all of
        # them start with (sorted keys): then a nested list of objects is not taken for
        # the end of an item (the readiness's products at risk hold lists of risks).
        separator = "},{"
        while True:
            if len(self.text) - self.pos < _BATCH and not self.done:
                self.more(_BATCH)
            if separator == "},{":
                first_key = _FIRST_KEY.match(self.text, self.pos)
                if first_key is not None:
                    separator = "}," + first_key.group()
            if self.base + self.pos > one_by_one_until:
                cut = self.text.rfind(separator, self.pos, self.pos + _BATCH)
                if cut > self.pos:
                    try:
                        batch = json.loads("[" + self.text[self.pos : cut + 1] + "]")
                    except json.JSONDecodeError:
                        one_by_one_until = self.base + cut
                    else:
                        self.pos = cut + 2  # at the '{' of the next item
                        yield from batch
                        continue
            item = self.value()
            yield item
            _skip(item)  # what the caller left of it
            if self.closed("]"):
                return


def sections(pieces: Iterable[str]) -> Fields:
    """The top-level pairs of the JSON object the text holds, in the order of the text
    (see `Fields`); an error (Dutch) when the text is not one object."""

    def pairs() -> Iterator[tuple[str, Any]]:
        text = _Text(pieces)
        if text.peek() != "{":
            raise _invalid("het is geen object")
        yield from text.fields()
        if text.peek() != "":
            raise _invalid("er staat nog tekst na het einde")

    return Fields(pairs())


def canonical_sha256(pieces: Iterable[str]) -> str | None:
    """The SHA-256 of the canonical JSON of the object the text holds (what
    `canonical_json(json.loads(text))` gives), or None when the text is no JSON object
    or has keys out of canonical order (sorted, unique: json.loads would keep only the
    last of equal keys). Equal to the SHA-256 of the text exactly when the text is
    canonical; nothing long is decoded whole."""
    digest = hashlib.sha256()
    try:
        if not _hash_value(sections(pieces), digest.update):
            return None
    except SubmissionFormatError:
        return None
    return digest.hexdigest()


def _hash_value(value: Any, update: Any) -> bool:
    """Feed the canonical JSON of `value` to `update` (bytes); False on keys out of order."""
    if isinstance(value, Fields):
        previous: str | None = None
        for key, v in value:
            if previous is not None and not previous < key:
                return False
            update(
                (
                    ("," if previous is not None else "{")
                    + json.dumps(key, ensure_ascii=False)
                    + ":"
                ).encode("utf-8")
            )
            previous = key
            if not _hash_value(v, update):
                return False
        update(b"}" if previous is not None else b"{}")
        return True
    if isinstance(value, Items):
        update(b"[")
        first = True
        batch: list[Any] = []

        def flush() -> None:
            nonlocal first
            if batch:
                text = canonical_json(batch)  # type: ignore[arg-type]  # (a list)
                update((text[1:-1] if first else "," + text[1:-1]).encode("utf-8"))
                first = False
                batch.clear()

        for item in value:
            if isinstance(item, (Items, Fields)):
                flush()
                if not first:
                    update(b",")
                first = False
                if not _hash_value(item, update):
                    return False
            else:
                batch.append(item)  # one encoder call per 2,000 items
                if len(batch) == 2000:
                    flush()
        flush()
        update(b"]")
        return True
    update(canonical_json(value).encode("utf-8"))  # (any JSON value, not only an object)
    return True
