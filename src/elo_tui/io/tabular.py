"""Read a spreadsheet-like file (CSV or XLSX) into one uniform `Table`.

Agencies keep their product lists in Excel with a Belgian locale, so a CSV may be
`;`-separated, in cp1252 or UTF-8 with a BOM (or UTF-16 from "Unicode-tekst"), start
with a title line or blank lines, and carry a `sep=;` hint. This module only finds the
cells; what a cell means (numbers like `45.000`, types, ...) is decided by the importer.

Every failure raises `TabularError` with a Dutch message naming the file and the problem.
A problem in one cell (a cell over the size limit, a quote that is never closed, an
Excel formula without a computed value) does not stop the file: the cell is reported in
`Row.problems` with what is wrong, and the importer marks that field "te controleren".
openpyxl is imported only when an XLSX file is read (start-up speed); an XLSX's zip
directory is checked (entry count, declared unpacked size) before openpyxl opens it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from elo_tui.domain.formats import plural
from elo_tui.domain.to_check import shorten

Cell = str | int | float | bool | None

DELIMITERS = (";", ",", "\t")
DELIMITER_NAMES = {";": "puntkomma", ",": "komma", "\t": "tab", "|": "verticale streep"}
HEADER_SCAN_ROWS = 30  # how far down a title block may push the header row
SNIFF_LINES = 200
MAX_BYTES = 200 * 1024 * 1024  # a product list is never this big; refuse before reading
MAX_CELL = 128 * 1024  # characters in one cell: the csv module's own default limit
MAX_XLSX_UNPACKED = 500 * 1024 * 1024  # declared unpacked size of all zip entries
MAX_XLSX_ENTRIES = 5_000  # a workbook has a few dozen parts; thousands is an attack
MAX_HEADER = 100  # characters kept of a column header
MAX_QUOTE_REPAIRS = 50  # after this many unclosed quotes, quotes are read as plain text

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other Office binaries)
_SEP_HINT = re.compile(r"^\s*\"?sep=(.)\"?\s*$", re.IGNORECASE)


class TabularError(Exception):
    """A file that cannot be read as a table; the message is Dutch and names the file."""


@dataclass(slots=True)
class Row:
    """One data row: `number` is the row number as a spreadsheet program shows it."""

    number: int
    values: list[Cell]
    overflow: int = 0  # non-empty cells beyond the last header (a shifted, broken row)
    # column index -> (value as found, shortened; Dutch problem): a cell that could not
    # be read as it stands (its value in `values` is what could be kept, or None)
    problems: dict[int, tuple[str, str]] = field(default_factory=dict)

    def get(self, index: int) -> Cell:
        return self.values[index] if 0 <= index < len(self.values) else None


@dataclass(slots=True)
class Table:
    """Headers and data rows of one sheet; blank rows are left out."""

    source: Path
    headers: list[str]
    rows: list[Row]
    format: str  # "csv" | "xlsx"
    header_row: int  # row number of the header line
    encoding: str = ""  # CSV only
    delimiter: str = ""  # CSV only
    sheet: str = ""  # XLSX only: the sheet that was read
    sheets: list[str] = field(default_factory=list)  # XLSX only: all sheets
    blank_rows: int = 0  # blank rows skipped below the header
    warnings: list[str] = field(default_factory=list)  # Dutch, about the whole file

    def column(self, header: str) -> int:
        """Index of a header (exact match first, then case-insensitive); -1 if absent."""
        if header in self.headers:
            return self.headers.index(header)
        folded = header.strip().casefold()
        for i, h in enumerate(self.headers):
            if h.strip().casefold() == folded:
                return i
        return -1

    def describe(self) -> str:
        """One Dutch line saying what was read, for the CLI and the wizard."""
        if self.format == "xlsx":
            what = f"Excel, blad '{self.sheet}'"
        else:
            sep = DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))
            what = f"CSV, scheidingsteken {sep}, codering {self.encoding}"
        return (
            f"{self.source.name} ({what}): {plural(len(self.headers), 'kolom', 'kolommen')}, "
            f"{plural(len(self.rows), 'rij', 'rijen')}, kopregel op rij {self.header_row}"
        )


def read_table(
    path: Path | str,
    *,
    sheet: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> Table:
    """Read a CSV or XLSX file (recognised by content, not by extension)."""
    path = Path(path)
    head = _head(path)
    if head.startswith(_ZIP_MAGIC):
        return _read_xlsx(path, sheet)
    if head.startswith(_OLE_MAGIC):
        raise TabularError(
            f"'{path.name}' is een oud Excel-bestand (.xls) of een ander binair "
            "Office-bestand. Sla het in Excel op als .xlsx of als CSV en probeer opnieuw."
        )
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise TabularError(
            f"'{path.name}' heeft de extensie {path.suffix} maar is geen geldig Excel-bestand."
        )
    if sheet:
        raise TabularError(
            f"'{path.name}' is een CSV-bestand: het heeft geen bladen ('{shorten(sheet)}')."
        )
    return _read_csv(path, delimiter=delimiter, encoding=encoding)


def _head(path: Path) -> bytes:
    try:
        if path.is_dir():
            raise TabularError(f"'{path}' is een map, geen bestand.")
        size = path.stat().st_size
        if size == 0:
            raise TabularError(f"'{path.name}' is leeg.")
        if size > MAX_BYTES:
            raise TabularError(
                f"'{path.name}' is te groot ({size // (1024 * 1024)} MB) voor een productenlijst."
            )
        with path.open("rb") as f:
            return f.read(8)
    except FileNotFoundError:
        raise TabularError(f"Bestand '{path}' bestaat niet.") from None
    except PermissionError:
        raise TabularError(f"Geen leesrechten op '{path}'.") from None
    except OSError as exc:
        raise TabularError(f"Kan '{path}' niet lezen: {exc.strerror or exc}.") from None


# -- CSV -------------------------------------------------------------------------------------


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Text and the encoding used: BOMs first, then strict UTF-8, then cp1252.

    cp1252 is what Excel writes for "CSV (gescheiden door lijstscheidingsteken)" on a
    Belgian Windows; it leaves five bytes undefined, which then fall back to latin-1 so a
    stray byte never makes a whole file unreadable.
    """
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise ValueError(f"niet leesbaar als {encoding}: {exc}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 met BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "UTF-16"
    bom_less = _utf16_without_bom(data)
    if bom_less:
        return data.decode(bom_less, errors="replace"), "UTF-16 zonder BOM"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "cp1252"


def _utf16_without_bom(data: bytes) -> str:
    """ "utf-16-le"/"utf-16-be" when the bytes look like UTF-16 text without a BOM, else "".

    Text in a Latin script written as UTF-16 has a NUL byte in every other position
    (the high byte of each character); binary data has NULs all over the place."""
    sample = data[:8192]
    half = len(sample) // 2
    if half < 2:
        return ""
    even = sample[0 : half * 2 : 2].count(0)
    odd = sample[1 : half * 2 : 2].count(0)
    if odd >= half * 0.6 and even <= half * 0.05:
        return "utf-16-le"
    if even >= half * 0.6 and odd <= half * 0.05:
        return "utf-16-be"
    return ""


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    if "\x00" in sample:
        return True
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f")
    odd = sum(1 for ch in sample if 0x7F <= ord(ch) < 0xA0 or ch == "\ufffd")
    return (controls + odd) / len(sample) > 0.02


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits most lines into the same number (>1) of fields.

    csv.Sniffer is unreliable on Belgian files (a ';' file full of '1.234,5' values
    fools it), so we parse a sample with each candidate and keep the most consistent.
    """
    best, best_score = ";", (0, 0, 0)
    for rank, delim in enumerate(DELIMITERS):
        counts = [len(r) for r in csv.reader(lines, delimiter=delim) if any(c.strip() for c in r)]
        if not counts:
            continue
        widths = [c for c in counts if c > 1]
        if not widths:
            continue
        mode = max(set(widths), key=widths.count)
        score = (widths.count(mode), mode, -rank)
        if score > best_score:
            best, best_score = delim, score
    return best


def _read_csv(path: Path, *, delimiter: str | None, encoding: str | None) -> Table:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TabularError(f"Kan '{path}' niet lezen: {exc.strerror or exc}.") from None
    try:
        text, used = decode(data, encoding)
    except ValueError as exc:
        raise TabularError(f"'{path.name}' is {exc}.") from None
    if _looks_binary(text):
        raise TabularError(
            f"'{path.name}' is geen tabel: het bevat binaire gegevens. Gebruik een CSV- of "
            "XLSX-bestand (in Excel: Opslaan als > CSV of Excel-werkmap)."
        )
    lines = text.splitlines(keepends=True)
    first_row = 1
    if lines and (m := _SEP_HINT.match(lines[0])):
        delimiter = delimiter or m[1]
        lines = lines[1:]
        first_row = 2
    if not any(line.strip() for line in lines):
        raise TabularError(f"'{path.name}' bevat geen gegevens (alleen lege regels).")
    delim = delimiter or sniff_delimiter(lines[:SNIFF_LINES])
    raw, problems, warnings = parse_csv_lines(lines, delim, first_row)
    table = _build(path, raw, format="csv", encoding=used, delimiter=delim, problems=problems)
    table.warnings += warnings
    return table


_UNCLOSED = (
    'een aanhalingsteken (") wordt hier geopend maar niet gesloten; de cel is zonder '
    "aanhalingstekens gelezen en de rijen erna apart"
)


def parse_csv_lines(
    lines: list[str], delimiter: str, first_row: int = 1
) -> tuple[list[tuple[int, list[Cell]]], dict[int, dict[int, tuple[str, str]]], list[str]]:
    """The records of a CSV text as (row number, cells), cell problems per row number,
    and warnings about the whole file.

    The csv module, left to itself, merges everything after an unclosed quote into one
    cell (up to the next quote or the end of the file) without a word. Here a record
    that ends the file inside quotes, or that swallows lines that look like rows, is
    read again from its first line with quotes as plain text, and reported on the row
    where the quote opened. Cells over `MAX_CELL` characters are dropped and reported.
    """
    if csv.field_size_limit() < MAX_BYTES:
        csv.field_size_limit(MAX_BYTES)  # our own limit (MAX_CELL) applies per cell below
    raw: list[tuple[int, list[str]]] = []  # csv gives text; cells are made below
    problems: dict[int, dict[int, tuple[str, str]]] = {}
    warnings: list[str] = []
    pos, repairs, width = 0, 0, 0
    while pos < len(lines):
        if repairs >= MAX_QUOTE_REPAIRS:
            warnings.append(
                f"Meer dan {MAX_QUOTE_REPAIRS} aanhalingstekens zonder sluitteken: vanaf rij "
                f"{first_row + len(raw)} zijn aanhalingstekens als gewone tekst gelezen."
            )
            rest = csv.reader(lines[pos:], delimiter=delimiter, quoting=csv.QUOTE_NONE)
            raw += [(first_row + len(raw) + i, list(rec)) for i, rec in enumerate(rest)]
            break
        reader = csv.reader(iter(lines[pos:]), delimiter=delimiter, strict=True)
        repaired_at = -1
        while True:
            start = reader.line_num
            try:
                record = next(reader)
            except StopIteration:
                pos = len(lines)
                break
            except csv.Error as exc:
                # ended inside quotes, or a quote closed lines later by a stray one
                if reader.line_num - start > 1 or "unexpected end of data" in str(exc):
                    repaired_at = pos + start
                    break
                # e.g. `"a"b`: read that one line leniently, as Excel does
                record = next(csv.reader([lines[pos + start]], delimiter=delimiter), [])
                raw.append((first_row + len(raw), record))
                pos, repaired_at = pos + start + 1, -2
                break
            if not raw:
                width = len(record)  # the first record: usually the header, or a title
            if reader.line_num - start > 1 and _swallowed_rows(record, delimiter, width):
                repaired_at = pos + start
                break
            raw.append((first_row + len(raw), record))
        if repaired_at >= 0:
            repairs += 1
            line = lines[repaired_at]
            record = next(csv.reader([line], delimiter=delimiter, quoting=csv.QUOTE_NONE), [])
            number = first_row + len(raw)
            column = next((i for i, c in enumerate(record) if c.lstrip().startswith('"')), 0)
            if record and column < len(record):
                problems.setdefault(number, {})[column] = (shorten(record[column]), _UNCLOSED)
                record[column] = record[column].strip().strip('"')
            raw.append((number, record))
            pos = repaired_at + 1
    out = []
    for number, record in raw:
        cells: list[Cell] = []
        for column, cell in enumerate(record):
            if len(cell) > MAX_CELL:
                problem = (
                    f"de cel is te groot ({_thousands(len(cell))} tekens, maximaal "
                    f"{_thousands(MAX_CELL)}); niet ingelezen"
                )
                problems.setdefault(number, {})[column] = (shorten(cell), problem)
                cells.append(None)
            else:
                cells.append(cell.strip().replace("\ufeff", ""))
        out.append((number, cells))
    return out, problems, warnings


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _swallowed_rows(record: list[str], delimiter: str, width: int) -> bool:
    """A multi-line cell with lines that look like whole rows (as many delimiters as the
    first record): the mark of a quote that opened a cell and was closed only rows later
    by a stray quote before a delimiter. A quoted multi-line cell that really holds such
    lines is read the same way: a known limit, rare next to stray quotes."""
    need = max(2, width - 1)
    for cell in record:
        if "\n" not in cell and "\r" not in cell:
            continue
        if any(line.count(delimiter) >= need for line in cell.splitlines()[1:]):
            return True
    return False


# -- XLSX ------------------------------------------------------------------------------------


def _cell_value(value: object) -> Cell:
    """Cells keep their type (numbers stay numbers); dates become ISO text."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, (int, float)):
        return value
    text = str(value).strip()
    return text or None


_FORMULA_TAGS = (b"<f>", b"<f ", b":f>", b":f ")
_FORMULA_PROBLEM = (
    "een Excel-formule zonder berekende waarde (het bestand is niet in Excel opgeslagen); "
    "open het in Excel en sla het op, of plak de waarden als tekst"
)


def _check_zip(path: Path) -> bool:
    """Refuse a zip bomb before openpyxl unpacks anything: too many entries, or entries
    that declare more unpacked bytes than a product list can need. Returns whether a
    worksheet holds formulas (then their cached values are checked)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_XLSX_ENTRIES:
                raise TabularError(
                    f"'{path.name}' bevat {_thousands(len(entries))} onderdelen; een "
                    "Excel-bestand met een productenlijst heeft er hooguit enkele tientallen. "
                    "Niet ingelezen."
                )
            unpacked = sum(e.file_size for e in entries)
            if unpacked > MAX_XLSX_UNPACKED:
                raise TabularError(
                    f"'{path.name}' zou uitgepakt {_thousands(unpacked // (1024 * 1024))} MB "
                    f"worden (maximaal {MAX_XLSX_UNPACKED // (1024 * 1024)} MB): te groot voor "
                    "een productenlijst, of een beschadigd bestand. Niet ingelezen."
                )
            sheets = [e for e in entries if e.filename.startswith("xl/worksheets/")]
            return any(_has_formula(archive, e) for e in sheets)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,  # a compression method zipfile does not know
        RuntimeError,  # an encrypted entry
    ) as exc:
        raise TabularError(
            f"'{path.name}' is geen leesbaar Excel-bestand (.xlsx): {shorten(exc)}."
        ) from None


def _has_formula(archive, entry) -> bool:
    tail = b""
    with archive.open(entry) as part:
        while chunk := part.read(1024 * 1024):
            block = tail + chunk
            if any(tag in block for tag in _FORMULA_TAGS):
                return True
            tail = block[-4:]
    return False


def _read_xlsx(path: Path, sheet: str | None) -> Table:
    import zipfile

    has_formulas = _check_zip(path)
    from openpyxl import load_workbook  # heavy: only when an XLSX arrives

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise TabularError(
            f"'{path.name}' is geen leesbaar Excel-bestand (.xlsx): {shorten(exc)}. Is het een "
            "ander formaat (bv. .ods of een beveiligd bestand)? Sla het op als .xlsx of CSV."
        ) from None
    except Exception as exc:  # openpyxl raises its own exception kinds for bad content
        raise TabularError(
            f"'{path.name}' is geen leesbaar Excel-bestand: {shorten(exc)}."
        ) from None
    try:
        names = list(wb.sheetnames)
        if sheet:
            match = next((n for n in names if n == sheet), None) or next(
                (n for n in names if n.casefold() == sheet.strip().casefold()), None
            )
            if match is None:
                raise TabularError(
                    f"'{path.name}' heeft geen blad '{shorten(sheet)}'. Bladen: "
                    f"{', '.join(shorten(n) for n in names)}."
                )
            return _sheet_table(path, wb[match], names, has_formulas)
        visible = [w for w in wb.worksheets if getattr(w, "sheet_state", "visible") == "visible"]
        candidates = visible or list(wb.worksheets)
        if not candidates:
            raise TabularError(f"'{path.name}' bevat geen werkbladen.")
        # The first sheet is often a cover or "lees mij" page: take the first one that
        # holds a table, and report the first sheet's problem when none does.
        first_error: TabularError | None = None
        for ws in candidates:
            try:
                return _sheet_table(path, ws, names, has_formulas)
            except TabularError as exc:
                first_error = first_error or exc
        assert first_error is not None
        raise first_error
    finally:
        wb.close()


def _sheet_table(path: Path, ws, names: list[str], has_formulas: bool = False) -> Table:
    if hasattr(ws, "reset_dimensions"):
        # Stored dimensions are often wrong in files written by other tools; without
        # them openpyxl reads every row that is really there.
        ws.reset_dimensions()
    try:
        raw = [
            (number, [_cell_value(v) for v in values])
            for number, values in enumerate(ws.iter_rows(min_row=1, values_only=True), 1)
        ]
        problems = _formula_problems(path, ws.title, raw) if has_formulas else {}
    except Exception as exc:
        raise TabularError(
            f"Blad '{shorten(ws.title)}' in '{path.name}' is onleesbaar: {shorten(exc)}."
        ) from None
    table = _build(
        path, raw, format="xlsx", sheet_label=f"blad '{ws.title}' in ", problems=problems
    )
    table.sheet, table.sheets = ws.title, names
    return table


def _formula_problems(
    path: Path, title: str, raw: list[tuple[int, list[Cell]]]
) -> dict[int, dict[int, tuple[str, str]]]:
    """Formula cells without a cached value. openpyxl gives the value Excel computed
    last (used as is); a file never opened in Excel has none, and openpyxl would give
    only the formula text: those cells are reported as formulas, not read as text."""
    from openpyxl import load_workbook

    found: dict[int, dict[int, tuple[str, str]]] = {}
    wb = load_workbook(path, read_only=True, data_only=False)
    try:
        ws = wb[title]
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()
        cached = dict(raw)
        for number, cells in enumerate(ws.iter_rows(min_row=1), 1):
            for column, cell in enumerate(cells):
                if getattr(cell, "data_type", "") != "f":
                    continue
                values = cached.get(number, [])
                if column < len(values) and values[column] not in (None, ""):
                    continue
                formula = getattr(cell.value, "text", cell.value)  # ArrayFormula has .text
                found.setdefault(number, {})[column] = (shorten(formula), _FORMULA_PROBLEM)
    finally:
        wb.close()
    return found


# -- shared ----------------------------------------------------------------------------------


def _filled(values: list[Cell]) -> int:
    return sum(1 for v in values if v is not None and v != "")


def _is_texty(value: Cell) -> bool:
    return isinstance(value, str) and not re.fullmatch(r"[\d\s.,€%+-]+", value)


def find_header(raw: list[tuple[int, list[Cell]]]) -> int:
    """Index in `raw` of the header line: the first line, among the first rows, that is
    mostly text and about as wide as the widest line there (titles and blank lines above
    a table are skipped)."""
    window = [(i, vals) for i, (_, vals) in enumerate(raw[: HEADER_SCAN_ROWS * 3]) if _filled(vals)]
    window = window[:HEADER_SCAN_ROWS]
    if not window:
        return -1
    widest = max(_filled(v) for _, v in window)
    need = max(2, (widest + 1) // 2) if widest > 1 else 1
    for i, vals in window:
        filled = [v for v in vals if v is not None and v != ""]
        if len(filled) >= need and sum(_is_texty(v) for v in filled) * 2 > len(filled):
            return i
    return window[0][0]


def _merged_header(
    top: list[Cell], below: list[Cell], after: list[Cell] | None
) -> list[Cell] | None:
    """The column names when the header spans two rows, else None.

    Excel sheets often group columns under a merged cell ("Aanvragen" over "via" and
    "per jaar"); as CSV or read cell by cell the group name is in its first column only.
    Taken as two header rows when the row below is short texts only, fills more cells
    than the top row, fills at least one column the top row leaves empty (where a
    merged cell was), and has text where the first data row has a number (so it is not
    itself a row of data). Names become "group sub" ("Aanvragen per jaar")."""
    sub = [v if v not in (None, "") else None for v in below]
    filled = [v for v in sub if v is not None]
    top_filled = _filled(top)
    if len(filled) < 2 or len(filled) <= top_filled or top_filled == 0:
        return None
    if not all(_is_texty(v) and len(str(v)) <= 40 for v in filled):
        return None
    if after is None or not any(
        sub_value is not None and value not in (None, "") and not _is_texty(value)
        for sub_value, value in zip(sub, after, strict=False)
    ):
        return None
    width = max(len(top), len(sub))
    top = list(top) + [None] * (width - len(top))
    sub = sub + [None] * (width - len(sub))
    gaps = [i for i in range(width) if top[i] in (None, "") and sub[i] is not None]
    if not gaps or all(top[i] in (None, "") for i in range(gaps[0])):
        return None  # nothing to the left of the gap: no merged group cell
    names: list[Cell] = []
    group: Cell = None
    for t, b in zip(top, sub, strict=True):
        if t not in (None, ""):
            group = t
        elif b is None:
            group = None  # a merged cell ends where the row below is empty too
        if b is None:
            names.append(t)
        elif group is not None:
            names.append(f"{group} {b}")
        else:
            names.append(b)
    return names


def _headers(values: list[Cell]) -> list[str]:
    headers: list[str] = []
    last = max((i for i, v in enumerate(values) if v is not None and v != ""), default=-1)
    for i, v in enumerate(values[: last + 1]):
        # a header is a name, not a text: long ones are cut so no message echoes a novel
        name = shorten(str(v), MAX_HEADER) if v is not None else ""
        name = name or f"Kolom {i + 1}"
        base, n = name, 2
        while name in headers:
            name = f"{base} ({n})"
            n += 1
        headers.append(name)
    return headers


def _build(
    path: Path,
    raw: list[tuple[int, list[Cell]]],
    *,
    format: str,
    encoding: str = "",
    delimiter: str = "",
    sheet_label: str = "",
    problems: dict[int, dict[int, tuple[str, str]]] | None = None,
) -> Table:
    problems = problems or {}
    where = f"{sheet_label}'{path.name}'"
    where = where[0].upper() + where[1:]
    h = find_header(raw)
    if h < 0:
        raise TabularError(f"{where} is leeg: geen enkele ingevulde cel.")
    header_number, header_values = raw[h]
    warnings = []
    after = next((v for _, v in raw[h + 2 :] if _filled(v)), None)
    merged = _merged_header(header_values, raw[h + 1][1], after) if h + 1 < len(raw) else None
    if merged is not None and raw[h + 1][0] == header_number + 1:
        warnings.append(
            f"De kopregel staat over twee rijen ({header_number} en {header_number + 1}, "
            "samengevoegde cellen): de kolomnamen zijn samengevoegd."
        )
        header_values, h = merged, h + 1
    headers = _headers(header_values)
    rows: list[Row] = []
    blank = 0
    width = len(headers)
    for number, values in raw[h + 1 :]:
        cells = [None if v == "" else v for v in values]
        if not _filled(cells) and number not in problems:
            blank += 1
            continue
        extra = _filled(cells[width:])
        cells = (cells + [None] * width)[:width]
        found = {i: p for i, p in problems.get(number, {}).items() if i < width}
        if not _filled(cells) and not found:
            blank += 1
            continue
        rows.append(Row(number, cells, extra, found))
    if not rows:
        raise TabularError(
            f"{where} heeft een kopregel (rij {header_number}) maar geen rijen met gegevens."
        )
    return Table(
        source=path,
        headers=headers,
        rows=rows,
        format=format,
        header_row=header_number,
        encoding=encoding,
        delimiter=delimiter,
        blank_rows=blank,
        warnings=warnings,
    )
