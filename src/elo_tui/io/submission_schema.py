"""Validate a submission file (TOML or JSON export) before anything of it is written.

`elo-tui submission import` recreates a workspace from a file a person may have edited
by hand. Building records straight from it would accept `yearly_volume = "veel"` or a
number SQLite cannot hold, and leave a workspace that breaks on the next read. Here
every record section is checked with pydantic models derived from the record
dataclasses (so they cannot drift apart): types (strict: no "12" for 12), integers
within 64 bits, finite numbers, real calendar days, no unknown fields. Every problem is
reported with its path (`products[3].yearly_volume`, counted from 1 as a person reads
the file) and the value shortened.

pydantic is imported here only, when a submission is imported (start-up speed).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Annotated, Any

from elo_tui.domain.formats import plural
from elo_tui.domain.records import Agency, Record
from elo_tui.domain.submission import SubmissionFormatError
from elo_tui.domain.to_check import shorten

MAX_INT = 2**63 - 1  # SQLite INTEGER
MAX_ERRORS_SHOWN = 20
# Record fields that hold an ISO day ("" = not set).
DATE_FIELDS = frozenset({"target_date", "due_date", "requested_on", "original_date", "new_date"})


class SubmissionSchemaError(SubmissionFormatError):
    """The file does not hold valid records; `lines` says where and what (Dutch)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        shown = lines[:MAX_ERRORS_SHOWN]
        more = len(lines) - len(shown)
        text = "De indiening bevat ongeldige gegevens; er is niets ingelezen:\n" + "\n".join(
            f"  {line}" for line in shown
        )
        if more:
            text += f"\n  … en nog {plural(more, 'fout', 'fouten')}."
        super().__init__(text)


def _iso_day(value: str) -> str:
    if value:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError("geen bestaande dag (gebruik jjjj-mm-dd)") from None
    return value


def _field_type(name: str, tp: Any) -> Any:
    from pydantic import AfterValidator, Field

    if name in DATE_FIELDS and tp is str:
        return Annotated[str, AfterValidator(_iso_day)]
    return _bounded(tp, Field)


def _bounded(tp: Any, Field: Any) -> Any:  # noqa: N803 - pydantic's Field, passed in
    """Integers within 64 bits, also inside optionals, lists and dicts."""
    if tp is int:
        return Annotated[int, Field(ge=-MAX_INT, le=MAX_INT)]
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is list:
        return list[_bounded(args[0], Field)]  # type: ignore[misc]  # built at run time
    if origin is dict:
        return dict[args[0], _bounded(args[1], Field)]  # type: ignore[misc, valid-type]  # built at run time
    if args and type(None) in args:  # X | None
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            return _bounded(inner[0], Field) | None
    return tp


@cache
def record_model(kind: type[Record]) -> Any:
    """The pydantic model of one record kind as it appears in a submission (with id)."""
    from pydantic import ConfigDict, Field, create_model

    hints = typing.get_type_hints(kind)
    fields: dict[str, Any] = {"id": (Annotated[str, Field(min_length=1)], ...)}
    for f in dataclasses.fields(kind):
        if f.name in Record.META:
            continue
        if f.default is not dataclasses.MISSING:
            default = Field(default=f.default)
        else:
            default = Field(default_factory=f.default_factory)  # type: ignore[arg-type]
        fields[f.name] = (_field_type(f.name, hints[f.name]), default)
    config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
    name = "".join(part.title() for part in kind.KIND.split("_")) + "Import"
    return create_model(name, __config__=config, **fields)


_MESSAGES = {
    "string_type": "moet tekst zijn",
    "int_type": "moet een geheel getal zijn",
    "float_type": "moet een getal zijn",
    "bool_type": "moet true of false zijn",
    "list_type": "moet een lijst zijn",
    "dict_type": "moet een tabel zijn",
    "model_type": "moet een tabel met velden zijn",
    "extra_forbidden": "onbekend veld (zou verloren gaan)",
    "missing": "ontbreekt",
    "finite_number": "moet een eindig getal zijn (geen inf of nan)",
    "less_than_equal": "is te groot",
    "greater_than_equal": "is te klein",
    "string_too_short": "mag niet leeg zijn",
    "int_from_float": "moet een geheel getal zijn",
}


def _path(section: str, loc: tuple[Any, ...]) -> str:
    text = section
    for part in loc:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _line(section: str, error: Mapping[str, Any]) -> str:
    where = _path(section, tuple(error.get("loc", ())))
    kind = error.get("type", "")
    what = _MESSAGES.get(kind)
    if what is None:
        message = str(error.get("msg", "ongeldig"))
        what = message.removeprefix("Value error, ")
    value = error.get("input")
    quoted = "" if kind in ("missing", "model_type") else f" (waarde '{shorten(value)}')"
    return f"{where}: {what}{quoted}."


def validate_content(content: dict[str, Any], sections: dict[str, type[Record]]) -> None:
    """Raise SubmissionSchemaError listing every invalid field of the agency and the
    record sections; return quietly when all records can be built and stored."""
    from pydantic import ValidationError

    lines: list[str] = []
    agency = content.get("agency")
    if agency:
        try:
            record_model(Agency).model_validate(agency)
        except ValidationError as exc:
            lines += [_line("agency", e) for e in exc.errors()]
    meta = content.get("submission", {})
    if not isinstance(meta, dict):
        lines.append("submission: moet een tabel met velden zijn.")
    else:
        version = meta.get("version", 1)
        if type(version) is not int or not 0 <= version <= MAX_INT:
            lines.append(
                f"submission.version: moet een geheel getal zijn (waarde '{shorten(version)}')."
            )
    for section, kind in sections.items():
        rows = content.get(section, [])
        if not isinstance(rows, list):
            lines.append(f"{section}: moet een lijst zijn.")
            continue
        model = record_model(kind)  # type: ignore[arg-type]  # a class is hashable (mypy sees its instances' __hash__)
        for i, row in enumerate(rows):
            try:
                model.model_validate(row)
            except ValidationError as exc:
                lines += [_line(f"{section}[{i + 1}]", e) for e in exc.errors()]
            if len(lines) > 1000:  # enough to tell the file is broken
                raise SubmissionSchemaError(lines)
    if lines:
        raise SubmissionSchemaError(lines)
