"""Importing an agency's own product list (CSV/XLSX) into the workspace.

The steps, shared by the import wizard and `elo-tui import`:
1. `propose_mapping(table)`: which column holds which product field (Dutch and English
   header synonyms) and which IPDC code each free-text value stands for ("Subsidie" ->
   Financieel voordeel). The result is a `Mapping` a person can change, save and load.
2. `build_plan(table, mapping, products, applications)`: every row checked with the same
   rules as the product form (`validate_product`), matched to an existing product (IPDC
   number, else name) and sorted into new / update / unchanged / rejected. A bad field
   does not reject the row: the field is left out (empty for a new product, the stored
   value for an existing one) and the product gets a "te controleren" line naming row,
   column and value (`Product.to_check`, see `domain/to_check.py`).
3. `apply_plan(ws, plan)`: one transaction for all applications and products.

Decisions where the issue was silent:
- Duplicates inside the file: the first valid row wins; a later row for the same product
  is rejected with the number of the row it repeats (nothing is merged silently).
- An empty cell never clears a value already in the workspace: a re-import only changes
  what the file says. Rows whose values equal the workspace are "unchanged" and not saved.
- A row whose name matches an existing product that has a *different* IPDC number is a
  different product (numbers are identity) and is created.
- Rejected rows never stop the valid ones from being imported. Only rows that are no
  product are rejected: no name (and no existing product to take it from), more values
  than columns (every value may be shifted, so none is trusted), a name that matches
  several existing products, and duplicates.
- A re-import replaces the "te controleren" line of every field the file now gives
  (correctly or wrongly again) and keeps the other lines.
- Applications named in the file are matched by name (case-insensitive); missing ones are
  created, but only when a valid row uses them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from elo_tui.domain import codelists
from elo_tui.domain.formats import format_number, plural, word
from elo_tui.domain.records import Application, Product
from elo_tui.domain.to_check import FIELD_LABELS, problem_line, shorten, without_fields
from elo_tui.domain.validation import (
    IPDC_NUMBER_RE,
    MAX_NAME,
    MAX_TEXT,
    validate_application,
    validate_product,
)
from elo_tui.io.tabular import Cell, Table

PREVIEW_ROWS = 20
UNDECIDED = "?"  # a value nobody has mapped yet, as written in a mapping file
MAX_DISTINCT_VALUES = 200  # beyond this a column is free text, not a code column


class MappingError(Exception):
    """The mapping cannot be used with this file; the message is Dutch."""


# -- target fields and their header synonyms --------------------------------------------------


@dataclass(frozen=True, slots=True)
class TargetField:
    key: str
    label: str  # Dutch, as the wizard and the CLI show it
    synonyms: tuple[str, ...]  # already normalised (see `normalize`)


def _words(text: str) -> tuple[str, ...]:
    """A '|'-separated list of already normalised words (keeps the tables below compact)."""
    return tuple(w.strip() for w in text.split("|") if w.strip())


# fmt: off
FIELDS: tuple[TargetField, ...] = (
    TargetField("name", "Naam", _words(
        "naam | productnaam | naam product | naam van het product | product | dienst | "
        "product dienst | naam dienst | titel | benaming | "
        "name | product name | service | service name | title")),
    TargetField("ipdc_number", "IPDC-productnummer", _words(
        "ipdc | ipdc nummer | ipdc nr | ipdcnr | ipdc productnummer | productnummer | "
        "product nr | productnr | ipdc id | ipdc code | nummer ipdc | "
        "ipdc number | product number | product id")),
    TargetField("ipdc_type", "Type", _words(
        "type | producttype | type product | soort | soort product | productsoort | "
        "categorie | ipdc type | product type | kind | category")),
    TargetField("themes", "Thema's", _words(
        "thema | themas | beleidsdomein | domein | beleidsthema | theme | themes | topic")),
    TargetField("target_groups", "Doelgroepen", _words(
        "doelgroep | doelgroepen | voor wie | target group | target groups | audience")),
    TargetField("request_application", "Toepassing voor aanvragen", _words(
        "aanvraagtoepassing | toepassing aanvraag | toepassing aanvragen | "
        "toepassing voor aanvragen | aanvragen via | aanvraag via | aanvraagloket | loket | "
        "toepassing | applicatie | naam toepassing | e loket | "
        "request application | application | apply via | applied via")),
    TargetField("followup_application", "Toepassing voor opvolgen", _words(
        "opvolgtoepassing | toepassing opvolging | toepassing opvolgen | "
        "toepassing voor opvolgen | opvolging via | opvolgen via | opvolgloket | "
        "dossieropvolging | follow up application | followup application | follow up via | "
        "tracking application")),
    TargetField("yearly_volume", "Jaarvolume", _words(
        "jaarvolume | volume | aantal per jaar | aantal aanvragen | aanvragen per jaar | "
        "aantal aanvragen per jaar | aantal dossiers | dossiers per jaar | aantal | "
        "volume per jaar | yearly volume | annual volume | volume per year | requests per year")),
    TargetField("on_elo", "Vandaag op ELO", _words(
        "op elo | vandaag op elo | elo | beschikbaar op elo | status elo | e loketondernemers | "
        "on elo | elo status")),
    TargetField("description", "Beschrijving", _words(
        "beschrijving | omschrijving | productbeschrijving | description | summary")),
    TargetField("notes", "Opmerkingen", _words(
        "opmerkingen | opmerking | notities | notitie | nota | commentaar | "
        "notes | remarks | comments | comment")),
)
# fmt: on
FIELD_BY_KEY = {f.key: f for f in FIELDS}
VALUE_FIELDS = ("ipdc_type", "themes", "target_groups", "on_elo")
MULTI_FIELDS = ("themes", "target_groups")
APPLICATION_FIELDS = {
    "request_application": "request_application_id",
    "followup_application": "followup_application_id",
}
# Cells that mean "nothing here" in hand-kept lists.
EMPTY_WORDS = {"", "-", "--", "/", "nvt", "n v t", "n a", "na", "geen", "none", "onbekend", "?"}
_LONGEST_EMPTY_WORD = 8  # "n.v.t." / "onbekend" with some punctuation
MULTI_SPLIT = re.compile(r"[,;/|\n]+")


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """Compare form of headers and values: no accents, case, punctuation or extra spaces
    ('Thema’s' -> 'themas', 'IPDC-nr.' -> 'ipdc nr')."""
    s = unicodedata.normalize("NFKD", text.casefold())
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"['’`´]", "", s)
    return re.sub(r"[^0-9a-z€]+", " ", s).strip()


# -- value suggestions --------------------------------------------------------------------------

# Keywords per IPDC type; matched inside Dutch compounds ("Omgevingsvergunning"), where the
# keyword ending last wins because a Dutch compound's head is its last part.
# fmt: off
TYPE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "FinancieelVoordeel": _words(
        "subsidie | premie | steun | toelage | tegemoetkoming | financiering | vergoeding | "
        "financieel voordeel | grant | subsidy | allowance"),
    "Toelating": _words(
        "vergunning | erkenning | toelating | ontheffing | machtiging | licentie | registratie | "
        "permit | licence | license | accreditation | authorisation | authorization | "
        "recognition | exemption"),
    "FinancieleVerplichting": _words(
        "heffing | belasting | retributie | taks | boete | financiele verplichting | "
        "tax | levy | fine"),
    "Bewijs": _words(
        "attest | certificaat | uittreksel | bewijs | getuigschrift | afschrift | "
        "certificate | proof | extract"),
    "AdviesBegeleiding": _words(
        "advies | begeleiding | ondersteuning | coaching | informatie | advies en begeleiding | "
        "advice | guidance"),
    "InfrastructuurMateriaal": _words(
        "infrastructuur | materiaal | infrastructuur en materiaal | infrastructure | equipment"),
    "Voorwerp": _words("voorwerp | ontlening | uitlening | object"),
}

THEME_WORDS: dict[str, tuple[str, ...]] = {
    "BurgerOverheid": _words("overheid | burger en overheid | government"),
    "CultuurSportVrijeTijd": _words(
        "cultuur | sport | vrije tijd | toerisme | jeugd | culture | leisure | tourism"),
    "EconomieWerk": _words(
        "economie | werk | economie en werk | ondernemen | ondernemerschap | innovatie | "
        "economy | work | business | employment"),
    "MilieuEnergie": _words(
        "milieu | energie | milieu en energie | natuur | klimaat | omgeving | "
        "environment | energy | climate"),
    "MobiliteitOpenbareWerken": _words(
        "mobiliteit | openbare werken | vervoer | verkeer | transport | mobility"),
    "OnderwijsWetenschap": _words(
        "onderwijs | wetenschap | onderzoek | education | science | research"),
    "WelzijnGezondheid": _words("welzijn | gezondheid | zorg | welfare | health | care"),
    "BouwenWonen": _words("bouwen | wonen | huisvesting | housing | building | construction"),
}

TARGET_GROUP_WORDS: dict[str, tuple[str, ...]] = {
    "Burger": _words("burger | burgers | particulier | particulieren | citizen | citizens"),
    "Onderneming": _words(
        "onderneming | ondernemingen | bedrijf | bedrijven | ondernemer | ondernemers | kmo | "
        "kmos | zelfstandige | zelfstandigen | starter | starters | company | companies | "
        "business | businesses | enterprise | enterprises | entrepreneurs"),
    "Organisatie": _words(
        "organisatie | organisaties | organisation | organisations | organization | "
        "organizations"),
    "Vereniging": _words("vereniging | verenigingen | vzw | vzws | association | associations"),
    "VlaamseOverheid": _words("vlaamse overheid | flemish government"),
    "LokaalBestuur": _words(
        "lokaal bestuur | lokale besturen | lokale overheid | gemeente | gemeenten | stad | "
        "steden | ocmw | local government | municipality | municipalities"),
}

# "ja" most plausibly means "can be requested on ELO"; it is a proposal the person confirms.
ON_ELO_WORDS: dict[str, tuple[str, ...]] = {
    "none": _words("nee | neen | no | niet | niet op elo | geen | 0 | false | onwaar | n"),
    "request": _words("ja | yes | j | y | 1 | true | waar | aanvragen | aanvraag | request"),
    "follow_up": _words("opvolgen | opvolging | follow up | followup | tracking"),
    "both": _words(
        "beide | both | aanvragen en opvolgen | aanvraag en opvolging | volledig | "
        "request and follow up"),
}
# fmt: on

_CODELISTS = {
    "ipdc_type": codelists.PRODUCT_TYPES,
    "themes": codelists.THEMES,
    "target_groups": codelists.TARGET_GROUPS,
}


def value_choices(field_key: str) -> list[tuple[str, str]]:
    """(stored code, Dutch label) a value of `field_key` may be mapped to."""
    if field_key == "on_elo":
        return list(codelists.ON_ELO.items())
    return [(c.code, c.label) for c in _CODELISTS[field_key]]


def _lookup_code(field_key: str, value: str) -> str | None:
    """The code for an exact code/label/URI (accent- and case-insensitive)."""
    if field_key == "on_elo":
        norm = normalize(value)
        for key, label in codelists.ON_ELO.items():
            if norm in (normalize(key), normalize(label)):
                return key
        return None
    codes = _CODELISTS[field_key]
    found = codelists.find(codes, value)
    if found:
        return found.code
    norm = normalize(value)
    for c in codes:
        if norm in (normalize(c.code), normalize(c.label)):
            return c.code
    return None


def suggest_value(field_key: str, value: str) -> str | None:
    """A proposed code for a free-text value, or None when nothing fits."""
    exact = _lookup_code(field_key, value)
    if exact:
        return exact
    norm = normalize(value)
    if not norm:
        return None
    if field_key == "ipdc_type":
        best: tuple[int, int, str] | None = None
        for code, words in TYPE_KEYWORDS.items():
            for w in words:
                pos = norm.rfind(w)
                if pos < 0:
                    continue
                # short English words only as whole words ("fine" not in "financiering")
                if len(w) < 5 and w not in norm.split():
                    continue
                score = (pos + len(w), len(w), code)
                if best is None or score > best:
                    best = score
        return best[2] if best else None
    table = {
        "themes": THEME_WORDS,
        "target_groups": TARGET_GROUP_WORDS,
        "on_elo": ON_ELO_WORDS,
    }[field_key]
    for code, words in table.items():
        if norm in words:
            return code
    if field_key == "on_elo":
        return None
    padded = f" {norm} "
    for code, words in table.items():  # a known word inside a longer phrase
        if any(f" {w} " in padded for w in words):
            return code
    return None


# -- the mapping ------------------------------------------------------------------------------


@dataclass
class Mapping:
    """Which source column feeds each field, and which code each source value means.

    `columns`: field key -> source header ("" = not imported). `values`: for the code
    fields (VALUE_FIELDS), source value as written -> code, "" = leave empty / ignore,
    None = nobody decided yet (the field stays empty and the product "te controleren").
    In a saved file an undecided value is written as "?" (TOML has no null).
    """

    columns: dict[str, str] = field(default_factory=lambda: {f.key: "" for f in FIELDS})
    values: dict[str, dict[str, str | None]] = field(
        default_factory=lambda: {k: {} for k in VALUE_FIELDS}
    )
    sheet: str = ""

    def column(self, field_key: str) -> str:
        return self.columns.get(field_key, "")

    def set_column(self, field_key: str, header: str) -> None:
        """Map `field_key` to `header`; a column feeds one field at most."""
        if header:
            for k, h in self.columns.items():
                if h == header and k != field_key:
                    self.columns[k] = ""
        self.columns[field_key] = header

    def set_value(self, field_key: str, value: str, code: str | None) -> None:
        """Decide what a source value means (code, "" = ignore, None = undecided)."""
        chosen = self.values.setdefault(field_key, {})
        for old in [v for v in chosen if normalize(v) == normalize(value)]:
            del chosen[old]
        chosen[value] = code

    def code_for(self, field_key: str, value: str) -> str | None:
        """The mapped code for a source value, matched loosely; None = no decision."""
        chosen = self.values.get(field_key, {})
        if value in chosen:
            return chosen[value]
        norm = normalize(value)
        for raw, code in chosen.items():
            if normalize(raw) == norm:
                return code
        return None

    def unmapped_values(self) -> dict[str, list[str]]:
        """Source values nobody has decided on yet (they make rows fail), per field."""
        out: dict[str, list[str]] = {}
        for k, vals in self.values.items():
            missing = [v for v, code in vals.items() if code is None]
            if missing:
                out[k] = missing
        return out

    def ignored_headers(self, table: Table) -> list[str]:
        used = set(self.columns.values())
        return [h for h in table.headers if h not in used]

    # -- files ------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.sheet:
            data["sheet"] = self.sheet
        data["columns"] = {k: self.columns.get(k, "") for k in FIELD_BY_KEY}
        data["values"] = {
            k: {
                v: (UNDECIDED if code is None else code)
                for v, code in self.values.get(k, {}).items()
            }
            for k in VALUE_FIELDS
        }
        return data

    def save(self, path: Path | str) -> None:
        """Write as TOML (suffix .toml) or JSON (anything else)."""
        path = Path(path)
        try:
            if path.suffix.lower() == ".toml":
                import tomli_w  # only when writing TOML

                text = tomli_w.dumps(self.to_dict())
            else:
                text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"
            # Owner-only like every file the app writes (also when it existed as 0644).
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as exc:
            raise MappingError(
                f"Kan de koppeling niet opslaan in '{path}': {exc.strerror or exc}."
            ) from None

    def update_from(self, data: dict[str, Any], *, where: str = "de koppeling") -> None:
        """Apply a (partial) mapping file on top of this one: what it names wins."""
        if not isinstance(data, dict):
            raise MappingError(f"{where}: verwacht een tabel met 'columns' en/of 'values'.")
        unknown = set(data) - {"sheet", "columns", "values"}
        if unknown:
            raise MappingError(
                f"{where}: onbekende {word(len(unknown), 'sleutel', 'sleutels')} "
                f"{shorten(', '.join(sorted(map(str, unknown))))}; "
                "toegestaan: sheet, columns, values."
            )
        sheet = data.get("sheet", "")
        if not isinstance(sheet, str):
            raise MappingError(f"{where}: 'sheet' moet tekst zijn.")
        self.sheet = sheet or self.sheet
        columns = data.get("columns", {})
        if not isinstance(columns, dict):
            raise MappingError(f"{where}: 'columns' moet een tabel veld = kolomnaam zijn.")
        for key, header in columns.items():
            if key not in FIELD_BY_KEY:
                raise MappingError(
                    f"{where}: onbekend veld '{shorten(key)}' in 'columns'; velden: "
                    f"{', '.join(FIELD_BY_KEY)}."
                )
            if not isinstance(header, str):
                raise MappingError(f"{where}: kolom voor '{key}' moet tekst zijn.")
            self.set_column(key, header.strip())
        values = data.get("values", {})
        if not isinstance(values, dict):
            raise MappingError(f"{where}: 'values' moet een tabel per veld zijn.")
        for key, table in values.items():
            if key not in VALUE_FIELDS:
                raise MappingError(
                    f"{where}: waarden koppelen kan alleen voor {', '.join(VALUE_FIELDS)}, "
                    f"niet voor '{shorten(key)}'."
                )
            if not isinstance(table, dict):
                raise MappingError(f"{where}: 'values.{key}' moet een tabel waarde = code zijn.")
            chosen = self.values.setdefault(key, {})
            for raw, code in table.items():
                code = "" if code is None else str(code).strip()
                for old in [v for v in chosen if normalize(v) == normalize(raw)]:
                    del chosen[old]  # the file's spelling of the value replaces ours
                if code == UNDECIDED:
                    chosen[str(raw)] = None
                    continue
                if code and _lookup_code(key, code) is None:
                    allowed = ", ".join(c for c, _ in value_choices(key))
                    raise MappingError(
                        f"{where}: '{shorten(code)}' (voor '{shorten(raw)}') is geen geldige "
                        "waarde voor "
                        f'{FIELD_BY_KEY[key].label}; kies uit {allowed} of "" (leeg laten).'
                    )
                chosen[str(raw)] = _lookup_code(key, code) if code else ""

    def check(self, table: Table) -> None:
        """Refuse a mapping that cannot work with `table` (with a Dutch reason)."""
        for key, header in self.columns.items():
            if header and table.column(header) < 0:
                raise MappingError(
                    f"Kolom '{shorten(header)}' (voor {FIELD_BY_KEY[key].label}) staat niet in "
                    f"{table.source.name}. Kolommen: {_header_list(table.headers)}."
                )
        if not self.column("name"):
            raise MappingError(
                f"Geen kolom voor de productnaam gevonden in {table.source.name}. Kies welke "
                f"kolom de naam bevat (kolommen: {_header_list(table.headers)})."
            )


def _header_list(headers: list[str], limit: int = 30) -> str:
    """The column names for a message; a sheet with thousands of columns is cut."""
    text = ", ".join(headers[:limit])
    return text + f", … ({len(headers)} kolommen)" if len(headers) > limit else text


def load_mapping_file(path: Path | str) -> dict[str, Any]:
    """Read a mapping file (TOML by suffix .toml, else JSON) as plain data."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MappingError(f"Koppelingsbestand '{path}' bestaat niet.") from None
    except OSError as exc:
        raise MappingError(f"Kan koppelingsbestand '{path}' niet lezen: {exc.strerror}.") from None
    try:
        text = raw.decode("utf-8-sig")
        if path.suffix.lower() == ".toml":
            import tomllib

            return tomllib.loads(text)
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        kind = "TOML" if path.suffix.lower() == ".toml" else "JSON"
        raise MappingError(
            f"Koppelingsbestand '{path}' is geen geldige {kind}: {shorten(exc, 200)}."
        ) from None
    if not isinstance(data, dict):
        raise MappingError(f"Koppelingsbestand '{path}' moet een JSON-object zijn.")
    return data


def _header_score(header: str, synonym: str) -> int:
    """How well a normalised header matches a synonym: exact beats contained words."""
    if header == synonym:
        return 1000 + len(synonym)
    if len(synonym) >= 3 and f" {synonym} " in f" {header} ":
        return len(synonym)
    return 0


def propose_columns(headers: list[str]) -> dict[str, str]:
    """field -> header, by the best synonym matches; each column used at most once."""
    candidates = []
    for header in headers:
        norm = normalize(header)
        for f in FIELDS:
            score = max((_header_score(norm, s) for s in f.synonyms), default=0)
            if score:
                candidates.append((score, -headers.index(header), f.key, header))
    candidates.sort(reverse=True)
    columns = {f.key: "" for f in FIELDS}
    used: set[str] = set()
    for _, _, key, header in candidates:
        if not columns[key] and header not in used:
            columns[key] = header
            used.add(header)
    return columns


def cell_text(value: Cell) -> str:
    """A cell as the text a person typed (numbers without '.0', booleans as ja/nee)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _is_empty(text: str) -> bool:
    # Every "empty" word is short: skip normalising long texts (names, descriptions).
    return not text or (len(text) <= _LONGEST_EMPTY_WORD and normalize(text) in EMPTY_WORDS)


def split_multi(field_key: str, text: str) -> list[str]:
    """Split a multi-value cell on , ; / | but keep labels that contain a separator
    ('Cultuur, Sport en Vrije Tijd') in one piece."""
    parts = [p.strip() for p in MULTI_SPLIT.split(text) if p.strip()]
    out: list[str] = []
    i = 0
    while i < len(parts):
        for j in range(len(parts), i + 1, -1):  # longest known run first
            joined = ", ".join(parts[i:j])
            if _lookup_code(field_key, joined):
                out.append(joined)
                i = j
                break
        else:
            out.append(parts[i])
            i += 1
    return out


def distinct_values(table: Table, header: str, field_key: str) -> list[str]:
    """The distinct source values (tokens for multi-value fields) in a column."""
    index = table.column(header)
    if index < 0:
        return []
    seen: dict[str, str] = {}
    for row in table.rows:
        text = cell_text(row.get(index))
        if _is_empty(text):
            continue
        tokens = split_multi(field_key, text) if field_key in MULTI_FIELDS else [text]
        for t in tokens:
            seen.setdefault(normalize(t), t)
            if len(seen) >= MAX_DISTINCT_VALUES:
                return list(seen.values())
    return list(seen.values())


def propose_values(table: Table, mapping: Mapping) -> None:
    """Add a proposal for every value in the mapped code columns that has no decision yet
    (None = nothing fits: the person must choose, or the rows are rejected)."""
    for key in VALUE_FIELDS:
        chosen = mapping.values.setdefault(key, {})
        header = mapping.column(key)
        if not header:
            continue
        for value in distinct_values(table, header, key):
            if mapping.code_for(key, value) is None and value not in chosen:
                chosen[value] = suggest_value(key, value)


def propose_mapping(table: Table) -> Mapping:
    """The first proposal for a freshly read table."""
    mapping = Mapping(columns=propose_columns(table.headers), sheet=table.sheet)
    propose_values(table, mapping)
    return mapping


# -- the plan ---------------------------------------------------------------------------------


@dataclass(slots=True)
class PlannedRow:
    row: int
    action: str  # "new" | "update" | "unchanged"
    product: Product
    changed: list[str] = field(default_factory=list)  # field names that change (updates)
    problems: list[str] = field(default_factory=list)  # "te controleren" lines found now


@dataclass(slots=True)
class Rejected:
    row: int
    name: str
    reason: str
    status: str = "geweigerd"  # as the import summary shows it

    def line(self) -> str:
        label = f" ({self.name})" if self.name else ""
        return f"Rij {self.row}{label}: {self.reason}"


@dataclass(slots=True)
class Flagged:
    """A product that was imported but is "te controleren": one line per problem."""

    row: int
    name: str
    reason: str  # the "te controleren" line
    status: str = "te controleren"

    def line(self) -> str:
        label = f" ({self.name})" if self.name else ""
        return f"Rij {self.row}{label}: {self.reason}"


@dataclass(slots=True)
class PreviewLine:
    row: int
    status: str  # Dutch: nieuw | bijwerken | ongewijzigd | geweigerd
    name: str
    detail: str  # type and volume for valid rows, the reason for rejected ones


ACTION_LABELS = {"new": "nieuw", "update": "bijwerken", "unchanged": "ongewijzigd"}


@dataclass
class ImportPlan:
    rows: list[PlannedRow]
    rejected: list[Rejected]
    new_applications: list[Application]
    total_rows: int
    blank_rows: int = 0

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    def flagged(self) -> list[Flagged]:
        """Every problem found in this file, per row, for products that are imported."""
        return [
            Flagged(p.row, shorten(p.product.name), line) for p in self.rows for line in p.problems
        ]

    def flagged_products(self) -> int:
        return sum(1 for p in self.rows if p.problems)

    def problems(self) -> list[Rejected | Flagged]:
        """Rejected rows and "te controleren" lines together, in file order."""
        return sorted([*self.rejected, *self.flagged()], key=lambda p: p.row)

    def preview(self, n: int = PREVIEW_ROWS) -> list[PreviewLine]:
        """The first `n` file rows with what will happen to each."""
        lines = []
        for p in self.rows:
            detail = codelists.label_for(p.product.ipdc_type) if p.product.ipdc_type else ""
            if p.product.yearly_volume is not None:
                vol = f"{p.product.yearly_volume:,}".replace(",", ".")
                detail = f"{detail}, {vol}/jaar" if detail else f"{vol}/jaar"
            if p.action == "update" and p.changed:
                labels = ", ".join(_FIELD_LABELS.get(c, c) for c in p.changed)
                detail = f"{detail} (wijzigt: {labels})" if detail else f"wijzigt: {labels}"
            if p.problems:
                what = ", ".join(FIELD_LABELS.get(f, f) for f in _problem_fields(p.problems))
                flag = f"te controleren: {what}"
                detail = f"{flag}; {detail}" if detail else flag
            name = shorten(p.product.name)
            lines.append(PreviewLine(p.row, ACTION_LABELS[p.action], name, detail))
        lines += [PreviewLine(r.row, "geweigerd", r.name, r.reason) for r in self.rejected]
        lines.sort(key=lambda line: line.row)
        return lines[:n]

    def summary(self) -> str:
        parts = [
            f"{format_number(self.count('new'))} nieuw",
            f"{format_number(self.count('update'))} bijgewerkt",
            f"{format_number(self.count('unchanged'))} ongewijzigd",
            f"{format_number(len(self.rejected))} geweigerd",
        ]
        text = ", ".join(parts)
        if self.flagged_products():
            text += f"; {plural(self.flagged_products(), 'product', 'producten')} te controleren"
        if self.new_applications:
            n = len(self.new_applications)
            text += f"; {plural(n, 'nieuwe toepassing', 'nieuwe toepassingen')}"
        return text


_FIELD_LABELS = {
    "name": "naam",
    "ipdc_number": "IPDC-productnummer",
    "ipdc_type": "type",
    "themes": "thema's",
    "target_groups": "doelgroepen",
    "request_application_id": "aanvraagtoepassing",
    "followup_application_id": "opvolgtoepassing",
    "yearly_volume": "jaarvolume",
    "on_elo": "vandaag op ELO",
    "description": "beschrijving",
    "notes": "opmerkingen",
}
_VALIDATED_FIELDS = tuple(_FIELD_LABELS)
_COMPARED_FIELDS = (*_VALIDATED_FIELDS, "to_check")
_FIELD_LABELS["to_check"] = "te controleren"
_SOURCE_KEY = {record: source for source, record in APPLICATION_FIELDS.items()}


def _problem_fields(lines: list[str]) -> list[str]:
    from elo_tui.domain.to_check import field_of

    return [f for f in (field_of(line) for line in lines) if f]


def name_key(name: str) -> str:
    """Names match case-insensitively with spaces trimmed and collapsed."""
    return " ".join(name.split()).casefold()


def _ipdc_number(text: str) -> str:
    # Excel shows 123456 as "123.456" with a Belgian number format: drop those dots.
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        return text.replace(".", "")
    return text.replace(" ", "")


def _volume(cell: Cell, text: str, delimiter: str) -> Cell:
    """Numbers from XLSX stay numbers. In a comma-separated file (an English export:
    Belgian Excel writes ';' because ',' is its decimal mark) "1,200" is 1200."""
    if delimiter == "," and re.fullmatch(r"\d{1,3}(,\d{3})+", text):
        return text.replace(",", "")
    return cell


def _code_for(decided: dict[str, str | None], key: str, text: str) -> str | None:
    """The stored value for one source value: a URI (or on_elo key), "" = leave out,
    None = not recognised. `decided` is the mapping's value table for `key`, keyed by
    normalised value."""
    code = decided.get(normalize(text))
    if code is None:
        code = _lookup_code(key, text)
    if code is None:
        return None
    if key == "on_elo" or not code:
        return code
    return next(c.uri for c in _CODELISTS[key] if c.code == code)


_UNKNOWN_VALUE = {
    "ipdc_type": "niet herkend als IPDC-producttype",
    "themes": "niet herkend als IPDC-thema",
    "target_groups": "niet herkend als IPDC-doelgroep",
    "on_elo": "niet herkend als 'vandaag op ELO'-waarde",
}
_CHOOSE = "; kies de juiste waarde in het product (of in de koppeling en importeer opnieuw)"


_DATE_LIKE = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}( .*)?")


def _field_problem(key: str, message: str, text: str = "") -> str:
    """What is wrong with a field, without repeating the (already quoted) value."""
    if key == "ipdc_number":
        return "geen geldig IPDC-productnummer (alleen cijfers, bv. 123456); niet ingelezen"
    if key == "yearly_volume":
        if "negatief" in message:
            return "een jaarvolume kan niet negatief zijn; niet ingelezen"
        if "te groot" in message:
            return "te groot voor een jaarvolume; niet ingelezen"
        if _DATE_LIKE.fullmatch(text.strip()):
            return (
                "een datum, geen aantal (Excel maakt soms een datum van een getal); niet ingelezen"
            )
        return "geen geheel getal (bv. 45.000); niet ingelezen"
    if key in _UNKNOWN_VALUE:
        return _UNKNOWN_VALUE[key] + _CHOOSE
    if key in ("description", "notes"):
        return f"te lang (maximaal {MAX_TEXT:,} tekens); niet ingelezen".replace(",", ".")
    return message


class _RowCheck:
    """What one row says (`values`: only non-empty cells) and what is wrong with it.

    `problems`: record field -> "te controleren" line. A flagged field is left out, so a
    new product keeps it empty and an existing one keeps its own value."""

    def __init__(self, row: int, mapping: Mapping) -> None:
        self.row = row
        self.mapping = mapping
        self.values: dict[str, Any] = {}
        self.problems: dict[str, str] = {}

    def flag(self, record_key: str, value: object, text: str, *, keep: bool = False) -> None:
        """Mark a field; its value is left out unless `keep` (a value that could be read,
        but not exactly as it stands in the file)."""
        source = _SOURCE_KEY.get(record_key, record_key)
        column = self.mapping.column(source)
        self.problems[record_key] = problem_line(record_key, self.row, column, value, text)
        if not keep:
            self.values.pop(record_key, None)


class _Apps:
    """Applications by name: existing ones, and new ones made on first use."""

    def __init__(self, applications: Iterable[Application]) -> None:
        self.by_name: dict[str, Application] = {}
        for a in applications:
            if not a.deleted:
                self.by_name.setdefault(name_key(a.name), a)
        self.ids = {a.id for a in self.by_name.values()}
        self.new: dict[str, Application] = {}

    def resolve(self, name: str) -> tuple[str, str]:
        """(application id, error) for a name; a missing application is made (pending)."""
        key = name_key(name)
        found = self.by_name.get(key) or self.new.get(key)
        if found:
            return found.id, ""
        clean, errors = validate_application({"name": name})
        if errors:
            return "", next(iter(errors.values()))
        app = Application(**clean)
        self.new[key] = app
        self.ids.add(app.id)
        return app.id, ""


def build_plan(
    table: Table,
    mapping: Mapping,
    products: Iterable[Product],
    applications: Iterable[Application],
) -> ImportPlan:
    """Check every row and decide new / update / unchanged / rejected. Pure: saves nothing."""
    mapping.check(table)
    index = {key: table.column(h) for key, h in mapping.columns.items() if h}
    decided = {
        key: {normalize(raw): code for raw, code in mapping.values.get(key, {}).items()}
        for key in VALUE_FIELDS
    }
    existing = [p for p in products if not p.deleted]
    by_number: dict[str, Product] = {p.ipdc_number: p for p in existing if p.ipdc_number}
    by_name: dict[str, list[Product]] = {}
    for p in existing:
        by_name.setdefault(name_key(p.name), []).append(p)
    apps = _Apps(applications)

    planned: list[PlannedRow] = []
    rejected: list[Rejected] = []
    seen_numbers: dict[str, int] = {}
    seen_names: dict[str, list[tuple[str, int]]] = {}
    claimed: dict[str, int] = {}  # existing product id -> row that updates it
    defaults = Product()

    for row in table.rows:
        texts = {key: cell_text(row.get(i)) for key, i in index.items()}
        name = " ".join(texts.get("name", "").split())
        if _is_empty(name):
            name = ""
        shown_name = shorten(name)
        if row.overflow:
            # The values are shifted: no field can be trusted, so nothing is imported.
            rejected.append(
                Rejected(
                    row.number,
                    shown_name,
                    f"de rij heeft {plural(row.overflow, 'waarde', 'waarden')} meer dan er "
                    "kolommen zijn; staat er een scheidingsteken in een tekst zonder "
                    "aanhalingstekens?",
                )
            )
            continue
        check = _RowCheck(row.number, mapping)
        values, problems, problem = check.values, check.problems, check.flag
        for key, text in texts.items():
            if key == "name":
                if name:  # without a name an existing product keeps its own
                    values["name"] = name
            elif _is_empty(text):
                continue
            elif key == "ipdc_number":
                number = _ipdc_number(text)
                if IPDC_NUMBER_RE.fullmatch(number):
                    values["ipdc_number"] = number
                else:
                    problem(key, text, _field_problem(key, ""))
            elif key in MULTI_FIELDS:
                codes, unknown = [], []
                for token in split_multi(key, text):
                    code = _code_for(decided[key], key, token)
                    if code is None:
                        unknown.append(token)
                    elif code and code not in codes:
                        codes.append(code)
                if codes:  # only ignored values: leave what the workspace has
                    values[key] = codes
                if unknown:
                    problem(key, ", ".join(unknown), _field_problem(key, ""))
                    if codes:  # the recognised ones are kept
                        values[key] = codes
            elif key in VALUE_FIELDS:
                code = _code_for(decided[key], key, text)
                if code is None:
                    problem(key, text, _field_problem(key, ""))
                elif code:
                    values[key] = code
            elif key in APPLICATION_FIELDS:
                app_id, error = apps.resolve(" ".join(text.split()))
                if error:
                    problem(APPLICATION_FIELDS[key], text, error)
                else:
                    values[APPLICATION_FIELDS[key]] = app_id
            elif key == "yearly_volume":
                values[key] = _volume(row.get(index[key]), text, table.delimiter)
            else:
                values[key] = text

        name_problem = ""
        for key, i in index.items():  # cells the reader could not take as they stand
            if i in row.problems:
                value, text = row.problems[i]
                if key == "name" and not name:
                    name_problem = f"{text} (kolom '{mapping.column(key)}', waarde '{value}')"
                else:
                    record_key = APPLICATION_FIELDS.get(key, key)
                    if record_key not in problems:
                        problem(record_key, value, text, keep=True)

        number = values.get("ipdc_number", "")
        nkey = name_key(name)

        # Which existing product does this row describe?
        target: Product | None = None
        ambiguity = ""
        if number and number in by_number:
            target = by_number[number]
        elif nkey:
            same = [p for p in by_name.get(nkey, []) if not number or not p.ipdc_number]
            if len(same) == 1:
                target = same[0]
            elif len(same) > 1:
                ambiguity = (
                    f"er zijn {len(same)} bestaande producten met deze naam; vul het "
                    "IPDC-productnummer in om te kiezen welk bijgewerkt wordt."
                )

        if len(name) > MAX_NAME:
            problem("name", name, f"te lang (maximaal {MAX_NAME} tekens); ingekort")
            values["name"] = name[: MAX_NAME - 1].rstrip() + "…"

        base = {k: getattr(target, k) for k in _VALIDATED_FIELDS} if target else {}
        merged = {**base, **values}
        clean, errors = validate_product(merged, apps.ids)
        messages = []
        if "name" in errors:  # no name and no product to take it from: no product at all
            messages.append(_with_column("name", errors.pop("name"), mapping))
            if name_problem:
                messages.append(name_problem)
        for key, message in errors.items():
            if key in values:
                source = _SOURCE_KEY.get(key, key)
                raw = texts.get(source, "") or str(values.get(key, ""))
                problem(key, raw, _field_problem(key, message, raw))
            # an invalid stored value (or a field the file got wrong) falls back
            merged[key] = base[key] if key in base else getattr(defaults, key)
        if errors:
            clean, still = validate_product(merged, apps.ids)
            for key in still:
                merged[key] = getattr(defaults, key)
            if still:
                clean, _ = validate_product(merged, apps.ids)
        if ambiguity:
            messages.append(ambiguity)
        if not messages:
            duplicate_of = _duplicate_of(number, nkey, seen_numbers, seen_names)
            if target is not None and target.id in claimed:
                duplicate_of = duplicate_of or claimed[target.id]
            if duplicate_of:
                messages.append(
                    f"dubbel: hetzelfde product staat al op rij {duplicate_of}; deze rij is "
                    "niet ingelezen."
                )
        if messages:
            rejected.append(
                Rejected(row.number, shown_name, " ".join(_sentence(m) for m in messages))
            )
            continue

        if number:
            seen_numbers[number] = row.number
        seen_names.setdefault(nkey, []).append((number, row.number))
        new_lines = list(problems.values())
        old_lines = target.to_check if target else []
        # a field the file now gives correctly (or wrongly again) replaces its old line
        clean["to_check"] = without_fields(old_lines, set(values) | set(problems)) + new_lines
        if target is None:
            planned.append(PlannedRow(row.number, "new", Product(**clean), problems=new_lines))
            continue
        claimed[target.id] = row.number
        changed = [k for k in _COMPARED_FIELDS if clean[k] != getattr(target, k)]
        updated = dataclasses.replace(target, **{k: clean[k] for k in changed})
        action = "update" if changed else "unchanged"
        planned.append(PlannedRow(row.number, action, updated, changed, problems=new_lines))

    used_apps = {p.product.request_application_id for p in planned} | {
        p.product.followup_application_id for p in planned
    }
    new_apps = [a for a in apps.new.values() if a.id in used_apps]
    return ImportPlan(planned, rejected, new_apps, len(table.rows), table.blank_rows)


def _duplicate_of(
    number: str,
    nkey: str,
    seen_numbers: dict[str, int],
    seen_names: dict[str, list[tuple[str, int]]],
) -> int:
    if number and number in seen_numbers:
        return seen_numbers[number]
    for other_number, row in seen_names.get(nkey, []):
        if not number or not other_number or other_number == number:
            return row
    return 0


def _sentence(message: str) -> str:
    message = message.strip()
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."


def _with_column(key: str, message: str, mapping: Mapping) -> str:
    source = {
        "request_application_id": "request_application",
        "followup_application_id": "followup_application",
    }.get(key, key)
    header = mapping.column(source)
    return f"{message.rstrip('.')} (kolom '{header}')." if header else message


# -- applying ---------------------------------------------------------------------------------


@dataclass(slots=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    rejected: list[Rejected]
    applications_created: int
    flagged: list[Flagged] = field(default_factory=list)  # imported, "te controleren"

    def summary(self) -> str:
        text = (
            f"{format_number(self.created)} nieuw, {format_number(self.updated)} bijgewerkt, "
            f"{format_number(self.unchanged)} ongewijzigd, "
            f"{format_number(len(self.rejected))} geweigerd"
        )
        products = len({f.row for f in self.flagged})
        if products:
            text += f"; {plural(products, 'product', 'producten')} te controleren"
        if self.applications_created:
            n = self.applications_created
            text += f"; {plural(n, 'nieuwe toepassing', 'nieuwe toepassingen')}"
        return text

    def problems(self) -> list[Rejected | Flagged]:
        """Rejected rows and "te controleren" lines together, in file order."""
        return sorted([*self.rejected, *self.flagged], key=lambda p: p.row)


def apply_plan(ws: Any, plan: ImportPlan) -> ImportResult:
    """Save the plan's applications and new/updated products in ONE transaction."""
    records: list[Any] = list(plan.new_applications)
    records += [p.product for p in plan.rows if p.action in ("new", "update")]
    if records:
        ws.save_many(records)
    return ImportResult(
        created=plan.count("new"),
        updated=plan.count("update"),
        unchanged=plan.count("unchanged"),
        rejected=list(plan.rejected),
        applications_created=len(plan.new_applications),
        flagged=plan.flagged(),
    )


def plan_for_workspace(ws: Any, table: Table, mapping: Mapping) -> ImportPlan:
    """`build_plan` against what the workspace holds now."""
    return build_plan(table, mapping, ws.list(Product), ws.list(Application))
