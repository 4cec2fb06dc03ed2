"""Loading and validating the files in `checklists/`: the block catalogue and the templates.

Read with tomllib, validated with pydantic (imported here, so this module is loaded on
demand and never on the start path). A broken file never stops the others: `load_all`
returns the valid templates and a list of problems, each naming the file, the key and
what is wrong, in Dutch.

File layout of a template (every key is checked; unknown keys are refused):

    id = "acm_idm"                   # unique over all files
    title = "Toegangs- en gebruikersbeheer (ACM/IDM) – aansluiting"
    description = "..."
    scope = "application"            # agency | application | product
    trigger = "block_required"       # agency | block_required | new_application
    block = "acm_idm"                # required for block_required, absent for agency

    [[steps]]
    key = "integration_dossier"      # unique within the template
    title = "..."
    description = "..."
    owner = "agency"                 # agency | digitaal_vlaanderen | vlaio
    milestone = "block_target"       # see domain.checklists.MILESTONES
    offset_days = -90
    sourced = true                   # from the decision / DV documentation, or assumed
    source = "..."                   # required when sourced = true
    recurrence = "monthly"           # optional
"""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from elo_tui.domain import blocks as catalogue
from elo_tui.domain.checklists import MILESTONES, OWNER_ROLES, RECURRENCES, TRIGGERS, Step, Template
from elo_tui.domain.formats import plural

CATALOGUE_FILE = "blocks.toml"
KEY_PATTERN = r"^[a-z][a-z0-9_]*$"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in one file."""

    file: str
    key: str  # dotted path of the offending key, "" for the whole file
    message: str  # Dutch

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.key}: {self.message}"
            if self.key
            else f"{self.file}: {self.message}"
        )


# -- models ----------------------------------------------------------------------------------

_STRICT = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


class StepModel(BaseModel):
    model_config = _STRICT
    key: str = Field(pattern=KEY_PATTERN, max_length=60)
    title: str = Field(min_length=3, max_length=200)
    description: str = Field(default="", max_length=4000)
    owner: Literal["agency", "digitaal_vlaanderen", "vlaio"]
    milestone: Literal[
        "block_target",
        "instantiated",
        "deadline_2027_01_01",
        "deadline_2027_06_30",
        "interim_evaluation",
    ]
    offset_days: int = Field(default=0, ge=-1000, le=1000)
    sourced: bool
    source: str = Field(default="", max_length=1000)
    recurrence: Literal["", "monthly"] = ""


class TemplateModel(BaseModel):
    model_config = _STRICT
    id: str = Field(pattern=KEY_PATTERN, max_length=60)
    title: str = Field(min_length=3, max_length=200)
    description: str = Field(default="", max_length=4000)
    scope: Literal["agency", "application", "product"]
    trigger: Literal["agency", "block_required", "new_application"]
    block: str = ""
    steps: list[StepModel] = Field(min_length=1)

    @field_validator("block")
    @classmethod
    def _known_block(cls, value: str) -> str:
        if value and value not in catalogue.BLOCKS_BY_CODE:
            known = ", ".join(catalogue.BLOCK_CODES)
            raise ValueError(f"onbekende bouwsteen '{value}' (bekend: {known})")
        return value


def _coherence(model: TemplateModel) -> list[tuple[str, str]]:
    """Checks across keys, each with the key to blame (pydantic would blame the file)."""
    out = []
    if model.trigger == "agency":
        if model.scope != "agency":
            out.append(("scope", "trigger 'agency' hoort bij scope 'agency'"))
        if model.block:
            out.append(("block", "een sjabloon voor het agentschap hoort bij geen bouwsteen"))
    elif model.trigger == "new_application":
        if model.scope != "application":
            out.append(("scope", "trigger 'new_application' hoort bij scope 'application'"))
        if model.block:
            out.append(("block", "een sjabloon per nieuwe toepassing hoort bij geen bouwsteen"))
    else:
        block = catalogue.BLOCKS_BY_CODE.get(model.block)
        if block is None:
            out.append(("block", "ontbreekt: trigger 'block_required' vraagt een bouwsteen"))
        elif block.scope != model.scope:
            out.append(
                (
                    "scope",
                    f"bouwsteen '{model.block}' geldt per {_SCOPE_NL[block.scope]}, "
                    f"niet per {_SCOPE_NL.get(model.scope, model.scope)}",
                )
            )
    seen: set[str] = set()
    for i, step in enumerate(model.steps):
        where = f"steps[{i + 1}] ({step.key})"
        if step.key in seen:
            out.append((f"{where}.key", f"stap '{step.key}' komt twee keer voor"))
        seen.add(step.key)
        if step.sourced and not step.source:
            out.append((f"{where}.source", "ontbreekt: een stap met sourced = true noemt een bron"))
    return out


class BlockEntry(BaseModel):
    model_config = _STRICT
    code: str
    label: str = Field(min_length=2)
    scope: Literal["application", "product"]
    pair: Literal["acm_idm_vms", "dosis_toelatingen", "global_header"]
    deadline: datetime.date
    availability: str = Field(default="", max_length=1000)
    description: str = Field(min_length=10)
    sources: list[str] = Field(min_length=1)


class CatalogueModel(BaseModel):
    model_config = _STRICT
    blocks: list[BlockEntry]


_SCOPE_NL = {"agency": "agentschap", "application": "toepassing", "product": "product"}

# -- Dutch messages for pydantic's error types ---------------------------------------------------


def _dutch(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    got = error.get("input")
    if kind == "missing":
        return "ontbreekt"
    if kind == "extra_forbidden":
        return "onbekende sleutel"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "?")).replace("' or '", "' of '")
        return f"moet een van {expected} zijn (gekregen: {got!r})"
    if kind in ("string_type", "str_type"):
        return f"moet tekst zijn (gekregen: {got!r})"
    if kind in ("bool_type", "bool_parsing"):
        return f"moet true of false zijn (gekregen: {got!r})"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"moet een geheel getal zijn (gekregen: {got!r})"
    if kind in ("list_type",):
        return "moet een lijst zijn"
    if kind in ("date_type", "date_parsing", "date_from_datetime_inexact"):
        return f"moet een datum zijn, zonder aanhalingstekens: 2027-01-01 (gekregen: {got!r})"
    if kind == "string_too_short":
        return f"is te kort (minstens {ctx.get('min_length')} tekens)"
    if kind == "string_too_long":
        return f"is te lang (maximaal {ctx.get('max_length')} tekens)"
    if kind == "too_short":
        minimum = ctx.get("min_length")
        if isinstance(minimum, int):
            return f"moet minstens {plural(minimum, 'element', 'elementen')} bevatten"
        return f"moet minstens {minimum} elementen bevatten"
    if kind == "string_pattern_mismatch":
        return f"moet uit kleine letters, cijfers en '_' bestaan (gekregen: {got!r})"
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"valt buiten het toegelaten bereik (gekregen: {got!r})"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "moet een tabel zijn ([[steps]] of [[blocks]])"
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "")))
    return str(error.get("msg", kind))


def _key(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """Readable path: ('steps', 2, 'owner') -> "steps[3] (test_ti).owner"."""
    parts: list[str] = []
    node: Any = data
    for part in loc:
        if isinstance(part, int):
            name = ""
            if isinstance(node, list) and part < len(node) and isinstance(node[part], dict):
                name = node[part].get("key") or node[part].get("code") or ""
                node = node[part]
            parts[-1] += f"[{part + 1}]" + (f" ({name})" if name else "")
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts)


def _problems(file: str, exc: ValidationError, data: dict[str, Any]) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = tuple(p for p in err.get("loc", ()) if p != "__root__")
        out.append(Problem(file, _key(loc, data), _dutch(err)))
    return out


def _read(path: Path) -> tuple[dict[str, Any] | None, Problem | None]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f), None
    except tomllib.TOMLDecodeError as exc:
        return None, Problem(path.name, "", f"geen geldige TOML: {exc}")
    except UnicodeDecodeError:
        return None, Problem(path.name, "", "geen UTF-8-tekst")
    except OSError as exc:
        return None, Problem(path.name, "", f"kan het bestand niet lezen: {exc.strerror}")


# -- public ------------------------------------------------------------------------------------


def load_template(path: Path) -> tuple[Template | None, list[Problem]]:
    data, problem = _read(path)
    if problem is not None:
        return None, [problem]
    assert data is not None
    try:
        model = TemplateModel.model_validate(data)
    except ValidationError as exc:
        return None, _problems(path.name, exc, data)
    incoherent = [Problem(path.name, key, message) for key, message in _coherence(model)]
    if incoherent:
        return None, incoherent
    template = Template(
        id=model.id,
        title=model.title,
        description=model.description,
        scope=model.scope,
        trigger=model.trigger,
        block=model.block,
        steps=tuple(
            Step(
                key=s.key,
                title=s.title,
                description=s.description,
                owner=s.owner,
                milestone=s.milestone,
                offset_days=s.offset_days,
                sourced=s.sourced,
                source=s.source,
                recurrence=s.recurrence,
            )
            for s in model.steps
        ),
        file=path.name,
    )
    return template, []


def load_catalogue(path: Path) -> tuple[list[BlockEntry], list[Problem]]:
    """Read blocks.toml and check it against the built-in block contract."""
    data, problem = _read(path)
    if problem is not None:
        return [], [problem]
    assert data is not None
    try:
        model = CatalogueModel.model_validate(data)
    except ValidationError as exc:
        return [], _problems(path.name, exc, data)
    problems = []
    seen: set[str] = set()
    for i, entry in enumerate(model.blocks):
        key = f"blocks[{i + 1}] ({entry.code})"
        block = catalogue.BLOCKS_BY_CODE.get(entry.code)
        if block is None:
            problems.append(
                Problem(
                    path.name,
                    f"{key}.code",
                    f"onbekende bouwsteen '{entry.code}'; bekend: "
                    + ", ".join(catalogue.BLOCK_CODES),
                )
            )
            continue
        if entry.code in seen:
            problems.append(Problem(path.name, f"{key}.code", "komt twee keer voor"))
        seen.add(entry.code)
        for field, expected, got in (
            ("scope", block.scope, entry.scope),
            ("pair", block.pair, entry.pair),
            ("label", block.label, entry.label),
            ("deadline", block.deadline.day, entry.deadline),
        ):
            if expected != got:
                problems.append(
                    Problem(
                        path.name,
                        f"{key}.{field}",
                        f"wijkt af van de ingebouwde catalogus ({expected!s}); codes, "
                        "scope, pair, label en deadline zijn een vast contract",
                    )
                )
    for code in catalogue.BLOCK_CODES:
        if code not in seen:
            problems.append(Problem(path.name, "blocks", f"bouwsteen '{code}' ontbreekt"))
    return model.blocks, problems


def load_all(directory: Path) -> tuple[list[Template], list[Problem]]:
    """Every valid template in `directory` (sorted by file name) and every problem found,
    including problems of the catalogue. Invalid files are skipped, never fatal."""
    directory = Path(directory)
    if not directory.is_dir():
        return [], [Problem(str(directory), "", "map met checklists niet gevonden")]
    templates: list[Template] = []
    problems: list[Problem] = []
    catalogue_path = directory / CATALOGUE_FILE
    if catalogue_path.exists():
        problems.extend(load_catalogue(catalogue_path)[1])
    else:
        problems.append(Problem(CATALOGUE_FILE, "", "de catalogus van bouwstenen ontbreekt"))
    ids: dict[str, str] = {}
    for path in sorted(directory.glob("*.toml")):
        if path.name == CATALOGUE_FILE:
            continue
        template, found = load_template(path)
        problems.extend(found)
        if template is None:
            continue
        if template.id in ids:
            problems.append(
                Problem(path.name, "id", f"'{template.id}' bestaat al in {ids[template.id]}")
            )
            continue
        ids[template.id] = path.name
        templates.append(template)
    return templates, problems


# Keep the enumerations of domain.checklists and the Literal types above in step.
assert set(OWNER_ROLES) == {"agency", "digitaal_vlaanderen", "vlaio"}
assert set(MILESTONES) == set(get_args(StepModel.model_fields["milestone"].annotation))
assert set(TRIGGERS) == {"agency", "block_required", "new_application"}
assert set(RECURRENCES) == {"", "monthly"}
