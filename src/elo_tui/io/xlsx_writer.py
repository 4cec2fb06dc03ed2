"""A small, fast XLSX (Office Open XML spreadsheet) writer for exports.

Why not openpyxl: it spends about 60 us per cell here (its XML serialiser is pure
Python), so the ~200,000 cells of a 1,202-product submission (a stress case the size of
all of ELO, not one entity) would take 12 s. This writer builds each sheet's XML as text
(about 1 us per cell) and zips it; openpyxl stays
the reader in the tests, which check that it opens every file and sees the same values.

Texts are shared strings: a text cell holds the index of its text in one workbook-wide
table (`SharedStrings`, `xl/sharedStrings.xml`, written after the sheets), so each
distinct text is cleaned, cut and escaped once, and a cell's XML no longer depends on
what the text holds (no xml:space checks per column). Exports repeat their texts (at
20,000 products ~1.65 M text cells, ~139 k distinct): the sheets' XML went from 141.7 to
90.2 MB (+6.5 MB table), the file from 17.7 to 14.1 MB, and the XLSX write from 4.10 to
3.84 s (medians of 19 alternating runs each, faster in 15 pairs; its XML building and
zlib alone, in one process: 1.19-1.46 -> 0.97-1.31 s); peak memory is unchanged.

Supported, and all that exports need: several sheets; strings (shared), ints, floats,
dates; a bold font; number formats for euro amounts, days and dates; column widths; a
frozen header row and first columns; document properties. The parts and their element
order follow ECMA-376 so Excel, LibreOffice and openpyxl open the file without repair.
"""

from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import compress, count, islice, repeat
from operator import is_, not_
from pathlib import Path
from typing import Any

EUR_FORMAT = '#,##0.00 "€"'
DAYS_FORMAT = "0.0"
DATE_FORMAT = "dd/mm/yyyy"

# Cell styles (index into cellXfs of styles.xml).
PLAIN, BOLD, EUR, EUR_BOLD, DAYS, DATE = range(6)
_BOLD_OF = {PLAIN: BOLD, BOLD: BOLD, EUR: EUR_BOLD, EUR_BOLD: EUR_BOLD, DAYS: DAYS, DATE: DATE}

MAX_CELL = 32_000  # Excel holds at most 32,767 characters in a cell
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SEP = "\x01"  # joins a sheet's strings for one bulk escape; never survives cleaning
_ILLEGAL_BUT_SEP = re.compile(r"[\x00\x02-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = date(1899, 12, 30)

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_LETTERS = [column_letter(i) for i in range(200)]


def _attrs(styles: Sequence[int] | None, bold: bool, n: int) -> list[str]:
    out = []
    for c in range(n):
        style = styles[c] if styles is not None and c < len(styles) else PLAIN
        if bold:
            style = _BOLD_OF[style]
        out.append(f' s="{style}"' if style else "")
    return out


def _escape_attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


@dataclass
class Sheet:
    """Rows of plain values; `styles` gives a style per column, `bold_rows` make a row bold."""

    title: str
    widths: Sequence[float] = ()
    freeze_rows: int = 0
    freeze_cols: int = 0
    # A row, or LaterRows: rows taken from an iterable only as the sheet is written.
    rows: list[tuple[list[Any], Sequence[int] | None, bool] | LaterRows] = field(
        default_factory=list
    )

    def append(
        self, values: list[Any], styles: Sequence[int] | None = None, *, bold: bool = False
    ) -> None:
        """One row. `styles[i]` is the style of column i (PLAIN when missing)."""
        self.rows.append((values, styles, bold))

    def append_later(
        self,
        values: Iterable[list[Any]],
        count: int,
        width: int,
        styles: Sequence[int] | None = None,
    ) -> None:
        """`count` rows of at most `width` values each, taken from `values` only while
        the sheet is written: a long sheet (47,000 block statuses at 20,000 products)
        is then never held whole. The XML is what `append` of each row gives."""
        self.rows.append(LaterRows(values, count, width, styles))

    def all_rows(self) -> Iterator[tuple[list[Any], Sequence[int] | None, bool]]:
        """Every row as `append` keeps it, the later ones taken from their iterables."""
        for row in self.rows:
            if isinstance(row, LaterRows):
                given = 0
                for values in row.values:
                    given += 1
                    yield values, row.styles, False
                if given != row.count:  # the dimension written at the top would be wrong
                    raise ValueError(f"sheet {self.title!r}: {given} rows, not {row.count}")
            else:
                yield row

    # -- rendering -------------------------------------------------------------------------

    def xml(self, selected: bool, strings: SharedStrings | None = None) -> str:
        return "".join(self.xml_pieces(selected, strings))

    def xml_pieces(self, selected: bool, strings: SharedStrings | None = None) -> Iterator[str]:
        """The sheet's XML in pieces of up to `_ROWS_PER_PIECE` rows (a sheet of a
        large agency is ~100 MB of XML: it goes into the zip without being one string).
        Its texts go into `strings`, the workbook's table (a table of its own if None)."""
        if strings is None:
            strings = SharedStrings()
        n_cols = (
            max(
                (row.width if isinstance(row, LaterRows) else len(row[0]) for row in self.rows),
                default=1,
            )
            or 1
        )
        n_rows = sum(row.count if isinstance(row, LaterRows) else 1 for row in self.rows)
        out = [
            _XML,
            f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">',
            f'<dimension ref="A1:{_LETTERS[n_cols - 1]}{max(n_rows, 1)}"/>',
            "<sheetViews>",
            '<sheetView workbookViewId="0"' + (' tabSelected="1"' if selected else "") + ">",
            self._pane(),
            "</sheetView></sheetViews>",
            '<sheetFormatPr defaultRowHeight="15"/>',
        ]
        if self.widths:
            out.append("<cols>")
            out += [
                f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                for i, w in enumerate(self.widths, 1)
            ]
            out.append("</cols>")
        out.append("<sheetData>")
        yield "".join(out)
        attrs_cache: dict[tuple[int, bool, int], list[str]] = {}
        rows_left = self.all_rows()
        start = 0
        while rows := list(islice(rows_left, _ROWS_PER_PIECE)):
            yield "".join(_rows_xml(rows, start + 1, attrs_cache, strings))
            start += len(rows)
        yield "</sheetData></worksheet>"

    def _pane(self) -> str:
        x, y = self.freeze_cols, self.freeze_rows
        if not x and not y:
            return ""
        cell = f"{_LETTERS[x]}{y + 1}"
        if x and y:
            pane = "bottomRight"
        elif y:
            pane = "bottomLeft"
        else:
            pane = "topRight"
        split = (f' xSplit="{x}"' if x else "") + (f' ySplit="{y}"' if y else "")
        return (
            f'<pane{split} topLeftCell="{cell}" activePane="{pane}" state="frozen"/>'
            f'<selection pane="{pane}" activeCell="{cell}" sqref="{cell}"/>'
        )


@dataclass(frozen=True, slots=True)
class LaterRows:
    """Rows of a sheet given by an iterable (Sheet.append_later)."""

    values: Iterable[list[Any]]
    count: int
    width: int
    styles: Sequence[int] | None


# Rows of a sheet made into XML at a time: a piece's cells and text are held while it is
# zipped (2,000 rows: ~4 MB of the workbook's peak at 20,000 products, 500: ~1 MB, in the
# same time; bench/RESULTS.md, round 16).
_ROWS_PER_PIECE = 500
_STRINGS_PER_PIECE = 20_000


class SharedStrings(dict[str, str]):
    """The workbook's shared string table (`xl/sharedStrings.xml`): each distinct text
    maps to its index, as the text of a cell's `<v>`, in order of first use. A lookup
    of a known text is a plain dict lookup (C speed, `map`-able); an unknown one gets the
    next index. The empty text maps to "" and gets no entry: a column path drops its
    cell (the writer writes no cell for an empty text)."""

    __slots__ = ("texts",)

    def __init__(self) -> None:
        super().__init__({"": ""})
        self.texts: list[str] = []  # the raw texts by index

    def __missing__(self, text: str) -> str:
        index = self[text] = str(len(self.texts))
        self.texts.append(text)
        return index

    def has_room(self, texts: Sequence[str]) -> bool:
        """Whether the table takes the new ones of `texts` and stays within SHARED_MAX
        texts."""
        room = SHARED_MAX - len(self.texts)
        return room >= len(texts) or sum(t not in self for t in set(texts)) <= room

    def indices(self, texts: Sequence[str]) -> list[str]:
        """Each text's index; the new texts added in bulk (a column of ids is mostly
        new: one `__missing__` call each would cost more than the look-ups)."""
        found = list(map(self.get, texts))
        if None not in found:
            return found  # type: ignore[return-value]  # (no None in it)
        new = dict.fromkeys(compress(texts, map(is_, found, repeat(None))))
        first = len(self.texts)
        self.update(zip(new, map(str, range(first, first + len(new))), strict=True))
        self.texts += new
        return list(map(self.__getitem__, texts))

    def xml_pieces(self) -> Iterator[str]:
        """The part, each text cleaned, cut and escaped once (as inline texts were), its
        edge spaces kept by xml:space."""
        yield f'{_XML}<sst xmlns="{_MAIN}" uniqueCount="{len(self.texts)}">'
        for start in range(0, len(self.texts), _STRINGS_PER_PIECE):
            escaped, plain = _clean_escape_plain(self.texts[start : start + _STRINGS_PER_PIECE])
            if plain:  # no space or control character at all (ids, codes)
                yield "<si><t>" + "</t></si><si><t>".join(escaped) + "</t></si>"
            else:
                yield "".join(
                    [
                        f'<si><t xml:space="preserve">{x}</t></si>'
                        if x and (x[0] <= " " or x[-1] <= " ")
                        else f"<si><t>{x}</t></si>"
                        for x in escaped
                    ]
                )
        yield "</sst>"


@dataclass(frozen=True, slots=True)
class Later:
    """A sheet that `save` builds only when its turn comes, and drops once written: a
    workbook's long sheets are then never all in memory at once."""

    title: str
    build: Callable[[], Sheet]


def _rows_xml(
    rows: list[tuple[list[Any], Sequence[int] | None, bool]],
    first: int,
    attrs_cache: dict[tuple[int, bool, int], list[str]],
    strings: SharedStrings,
) -> list[str]:
    """`<row>` elements for `rows`, numbered from `first`.

    The hot loop of a large agency (~2.5 million cells at 20,000 products): rows come in
    runs with the same styles and length (a sheet's data rows), and a run is built column
    by column - one `%` template per column for plain strings and numbers, mapped at C
    speed - then joined row by row. A column of mixed or unusual values takes the cell
    by cell path. The XML is the same either way."""
    out: list[str] = []
    start = 0
    while start < len(rows):
        _values, styles, bold = rows[start]
        n = len(_values)
        end = start + 1
        while end < len(rows) and (
            rows[end][1] is styles and rows[end][2] == bold and len(rows[end][0]) == n
        ):
            end += 1
        key = (id(styles), bold, n)
        attrs = attrs_cache.get(key)
        if attrs is None:
            attrs = attrs_cache[key] = _attrs(styles, bold, n)
        out += _run_xml([values for values, _, _ in rows[start:end]], first + start, attrs, strings)
        start = end
    return out


def _run_xml(
    rows: list[list[Any]], first: int, attrs: list[str], strings: SharedStrings
) -> list[str]:
    """`<row>` elements of rows of the same length and styles, column by column: each
    column gives its part of one row template (its values as arguments, or its cells
    rendered one by one for an unusual column), and each row is one `%` of it."""
    numbers = list(map(str, range(first, first + len(rows))))
    if not attrs:
        return list(map('<row r="%s"></row>'.__mod__, numbers))
    parts = ['<row r="%s">']
    args: list[Any] = [numbers]
    for c, column in enumerate(zip(*rows, strict=True)):
        part, values = _column_part(_LETTERS[c], attrs[c], column, numbers, strings)
        parts.append(part)
        args += values
    parts.append("</row>")
    return list(map("".join(parts).__mod__, zip(*args, strict=True)))


def _column_part(
    letter: str, attr: str, values: Sequence[Any], numbers: list[str], strings: SharedStrings
) -> tuple[str, list[Any]]:
    """One column's part of a row template and the argument columns it takes: the cells
    `_cell` writes (none for an empty one)."""
    distinct = _few_distinct(values)
    if distinct is not None:
        part = _few_part(letter, attr, values, numbers, distinct, strings)
        if part is not None:
            return part
    types = set(map(type, values))
    # (letters and style attributes hold no '%': the templates need no escaping)
    if (
        types == {str}
        and distinct is None
        and len(values) >= INLINE_RUN
        and len(set(values)) * 4 > len(values) * 3  # (mostly different: ids, names)
    ):
        return _inline_part(letter, attr, values, numbers)
    if types == {str} and not strings.has_room(values):
        return _inline_part(letter, attr, values, numbers)  # (the table is full)
    if types == {str}:
        # a text cell is its index, whatever the text: no cleaning or escaping here
        indices = strings.indices(values)
        template = f'<c r="{letter}%s"{attr} t="s"><v>%s</v></c>'
        if all(values):  # (found at C speed: most columns have no empty text)
            return template, [numbers, indices]
        blanks = list(compress(count(), map(not_, values)))  # no cell for an empty text
        if len(blanks) == len(values):
            return "", []
        return "%s", [_blanked(template, numbers, indices, blanks)]
    elif types <= {float, int}:
        shown = _reprs(distinct, types)
        if shown is not None:
            return f'<c r="{letter}%s"{attr}><v>%s</v></c>', [numbers, shown(values)]
        return f'<c r="{letter}%s"{attr}><v>%r</v></c>', [numbers, values]
    elif types == {type(None)}:
        return "", []
    elif types <= {float, int, type(None)}:  # amounts and days with gaps
        blanks = list(compress(count(), map(is_, values, repeat(None))))
        shown = _reprs(distinct, types)
        if shown is not None:
            template = f'<c r="{letter}%s"{attr}><v>%s</v></c>'
            return "%s", [_blanked(template, numbers, shown(values), blanks)]
        template = f'<c r="{letter}%s"{attr}><v>%r</v></c>'
        return "%s", [_blanked(template, numbers, values, blanks)]
    # Mixed, dates, booleans: cell by cell, as before.
    out = []
    for v, number in zip(values, numbers, strict=True):
        t = type(v)
        if t is str:
            out.append(f'<c r="{letter}{number}"{attr} t="s"><v>{strings[v]}</v></c>' if v else "")
        elif t is float or t is int:
            out.append(f'<c r="{letter}{number}"{attr}><v>{v!r}</v></c>')
        elif v is None:
            out.append("")
        else:
            out.append(_cell(f"{letter}{number}", attr, v, strings))
    return "%s", [out]


# A text column of a run of at least this many rows with mostly different texts (over
# 3/4 of them: ids, names, URIs) is written in its cells ("inlineStr"), not through the
# shared table:
# the table holds every text it is given until the end, and at 20,000 products the ids
# and names of the long sheets were ~20 MB of the workbook's peak (bench/RESULTS.md,
# round 11). A text used once costs no more bytes inline. Short runs (headers, small
# sheets) and columns of few texts stay shared.
INLINE_RUN = 64
# The shared table's texts: a column run whose new texts would take it past this many
# is written inline, so the table stops growing. At 20,000 products it held 42,000
# texts (the names of the scopes of the long sheets, ~7 MB of the workbook's peak;
# bench/RESULTS.md, round 16); at 1,202 products 2,900.
SHARED_MAX = 4096


def _inline_part(
    letter: str, attr: str, values: Sequence[str], numbers: list[str]
) -> tuple[str, list[Any]]:
    """`_column_part` of a text column written inline: cleaned, cut and escaped as the
    shared table's texts are, its edge spaces kept by xml:space; no cell for an empty
    text."""
    escaped, plain = _clean_escape_plain(list(values))
    if plain:
        template = f'<c r="{letter}%s"{attr} t="inlineStr"><is><t>%s</t></is></c>'
    else:
        template = f'<c r="{letter}%s"{attr} t="inlineStr"><is>%s</is></c>'
        escaped = [
            f'<t xml:space="preserve">{x}</t>'
            if x and (x[0] <= " " or x[-1] <= " ")
            else f"<t>{x}</t>"
            for x in escaped
        ]
    if all(values):
        return template, [numbers, escaped]
    blanks = list(compress(count(), map(not_, values)))  # no cell for an empty text
    if len(blanks) == len(values):
        return "", []
    return "%s", [_blanked(template, numbers, escaped, blanks)]


def _reprs(
    distinct: dict[Any, None] | None, types: set[type]
) -> Callable[[Sequence[Any]], list[Any]] | None:
    """For a number column of few distinct values (days, rates): the function that
    gives each value's repr, computed once per distinct value (None stays None). None
    when the distinct values could stand for unequal reprs: ints mixed with floats
    (1 == 1.0), or a zero (0.0 == -0.0)."""
    numbers = types - {type(None)}
    if distinct is None or len(numbers) != 1 or (float in numbers and 0.0 in distinct):
        return None
    reprs = {v: repr(v) for v in distinct if v is not None}
    return lambda values: list(map(reprs.get, values))


def _few_distinct(values: Sequence[Any]) -> dict[Any, None] | None:
    """A column's distinct values when they are few (labels, codes, "ja"/"nee", dates,
    an estimate template's basis - a few values over 50,000 rows): then each is
    rendered once. None for a column of mostly unique values (ids), found on its
    first rows, for which the dict would only cost, or of unhashable ones."""
    n = len(values)
    try:
        if n < 64 or len(set(values[:64])) > 32:
            return None
        distinct = dict.fromkeys(values)
    except TypeError:  # unhashable: the cell by cell path says what it cannot write
        return None
    return distinct if len(distinct) * 4 <= n else None


def _few_part(
    letter: str,
    attr: str,
    values: Sequence[Any],
    numbers: list[str],
    distinct: dict[Any, None],
    strings: SharedStrings,
) -> tuple[str, list[Any]] | None:
    """`_column_part` of a column of few distinct texts, or of dates and empty texts,
    each distinct value looked up or counted once; None for another column.
    (The types are those of the distinct values: a value equal to a text is taken as
    that text - documents hold plain `str`, `domain.submission.canonical` sees to it.)"""
    types = set(map(type, distinct))
    if types == {str}:
        # each distinct text's index from the workbook's table, then a small dict's
        index = {v: strings[v] for v in distinct}
        if len(index) == 1 and "" in index:
            return "", []
        template = f'<c r="{letter}%s"{attr} t="s"><v>%s</v></c>'
        indices = list(map(index.__getitem__, values))
        if "" not in index:
            return template, [numbers, indices]
        blanks = list(compress(count(), map(not_, values)))
        return "%s", [_blanked(template, numbers, indices, blanks)]
    if types <= {date, str} and all(v == "" for v in distinct if type(v) is str):
        # target and due dates with gaps: a date is its day number, in the date style
        days = {v: (v - _EPOCH).days for v in distinct if type(v) is date}
        template = f'<c r="{letter}%s" s="{DATE}"><v>%s</v></c>'
        column = list(map(days.get, values))  # None for an empty text
        if "" not in distinct:
            return template, [numbers, column]
        blanks = list(compress(count(), map(is_, column, repeat(None))))
        return "%s", [_blanked(template, numbers, column, blanks)]
    return None


def _blanked(
    template: str, numbers: list[str], values: Sequence[Any], blanks: list[int]
) -> list[str]:
    """`template` filled per row, but nothing (no cell) at the rows in `blanks`."""
    cells = list(map(template.__mod__, zip(numbers, values, strict=True)))
    for i in blanks:
        cells[i] = ""
    return cells


def _clean_escape(texts: list[str]) -> list[str]:
    """Drop characters XML cannot hold, cut to Excel's cell limit, escape &, < and >.

    One joined string goes through C-speed `str.replace` instead of every cell on its own.
    """
    return _clean_escape_plain(texts)[0]


_EDGE_SPACE = (" ", "\t", "\n", "\r")  # all a text keeps of the characters up to " "


def _clean_escape_plain(texts: list[str]) -> tuple[list[str], bool | None]:
    """`_clean_escape(texts)`, and True when no text (empty ones aside) can start or end
    with a space or control character because none holds one (found at C speed: ids
    and codes); None when some text holds one or cleaning changed a text (then look at
    each text)."""
    if not texts:
        return [], None
    big = _SEP.join(texts)
    # (one joined text checked: the separators are the only _SEP in it when no text
    # holds one, and a text beyond the limit makes the whole longer than it)
    plain: bool | None
    if (
        _ILLEGAL_BUT_SEP.search(big)
        or big.count(_SEP) != len(texts) - 1
        or (len(big) > MAX_CELL and max(map(len, texts)) > MAX_CELL)
    ):
        big = _SEP.join([_ILLEGAL.sub("", t)[:MAX_CELL] for t in texts])
        plain = None
    else:  # no space or control character in any text (ids, codes): none at an edge
        plain = None if any(c in big for c in _EDGE_SPACE) else True
    big = big.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return big.split(_SEP), plain


def _cell(ref: str, attr: str, v: Any, strings: SharedStrings) -> str:
    """One cell of any supported type ('' for an empty one); a text goes into `strings`."""
    t = type(v)
    if v is None or (t is str and not v):
        return ""
    if isinstance(v, str):
        v = str(v)
        return f'<c r="{ref}"{attr} t="s"><v>{strings[v]}</v></c>' if v else ""
    if t is bool:
        return f'<c r="{ref}"{attr} t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, float)):
        return (
            f'<c r="{ref}"{attr}><v>{v!r}</v></c>'
            if t in (int, float)
            else _cell(ref, attr, float(v), strings)
        )
    if isinstance(v, date):
        return f'<c r="{ref}" s="{DATE}"><v>{(v - _EPOCH).days}</v></c>'
    raise TypeError(f"cannot write {type(v).__name__} to a cell")


def _styles() -> str:
    fmt = _escape_attr
    return (
        f'{_XML}<styleSheet xmlns="{_MAIN}">'
        '<numFmts count="3">'
        f'<numFmt numFmtId="164" formatCode="{fmt(EUR_FORMAT)}"/>'
        f'<numFmt numFmtId="165" formatCode="{fmt(DAYS_FORMAT)}"/>'
        f'<numFmt numFmtId="166" formatCode="{fmt(DATE_FORMAT)}"/>'
        "</numFmts>"
        '<fonts count="2">'
        '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        "</fonts>"
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'  # noqa: E501 - XML reads best unbroken
        '<cellXfs count="6">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="164" fontId="1" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1"/>'  # noqa: E501 - XML reads best unbroken
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        "</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


def save(
    sheets: Sequence[Sheet | Later],
    path: Path | str,
    *,
    creator: str = "elo_tui",
    title: str = "",
) -> None:
    """Write the workbook (the first sheet is the one shown on opening)."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    for sheet in sheets:
        if not 0 < len(sheet.title) <= 31 or re.search(r"[\[\]:*?/\\]", sheet.title):
            raise ValueError(f"invalid sheet name {sheet.title!r}")
    n = len(sheets)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    content_types = (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'  # noqa: E501 - XML reads best unbroken
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'  # noqa: E501 - XML reads best unbroken
            for i in range(1, n + 1)
        )
        + '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'  # noqa: E501 - XML reads best unbroken
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>"
    )
    root_rels = (
        f'{_XML}<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" '
        'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '  # noqa: E501 - XML reads best unbroken
        'Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    )
    core = (
        f"{_XML}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_escape_attr(title)}</dc:title><dc:creator>{_escape_attr(creator)}</dc:creator>"  # noqa: E501 - XML reads best unbroken
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    app = (
        f"{_XML}<Properties "
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>elo_tui</Application></Properties>"
    )
    workbook = (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<workbookPr/><bookViews><workbookView activeTab="0"/></bookViews><sheets>'
        + "".join(
            f'<sheet name="{_escape_attr(s.title)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, s in enumerate(sheets, 1)
        )
        + "</sheets></workbook>"
    )
    workbook_rels = (
        f'{_XML}<Relationships xmlns="{_PKG_REL}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )
    # Level 1: nearly the size of level 6 for this repetitive XML at a fraction of the time.
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("docProps/core.xml", core)
        z.writestr("docProps/app.xml", app)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        z.writestr("xl/styles.xml", _styles())
        # One table for the workbook, filled as the sheets are written (a built sheet is
        # dropped before the next is built), written after them: the parts are found
        # through the content types and relationships, not by their order in the zip.
        strings = SharedStrings()
        for i, entry in enumerate(sheets, 1):
            sheet = entry.build() if isinstance(entry, Later) else entry
            if sheet.title != entry.title:
                raise ValueError(f"sheet {entry.title!r} was built as {sheet.title!r}")
            _write_part(z, f"xl/worksheets/sheet{i}.xml", sheet.xml_pieces(i == 1, strings))
            del sheet  # freed before the next one is built
        _write_part(z, "xl/sharedStrings.xml", strings.xml_pieces())


def _write_part(z: zipfile.ZipFile, name: str, pieces: Iterator[str]) -> None:
    """The entry as writestr would make it (date, permissions), written in pieces."""
    info = zipfile.ZipInfo(name, time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = 1  # type: ignore[attr-defined]  # what writestr uses
    info.external_attr = 0o600 << 16
    with z.open(info, "w") as part:
        for piece in pieces:
            part.write(piece.encode("utf-8"))
