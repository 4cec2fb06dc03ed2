"""Request and response models of the tracker API (`/v1`), the contract in docs/openapi.json.

A pushed record's `data` is validated against its kind: the per-kind models are derived
from the field specs of `elo_contract` (the one contract the client checks pulled records
against), so types, ranges, lengths and enumerations are the same on both sides and
appear in the OpenAPI document. Pydantic runs in strict mode (no "5" for 5, no true for
1), like `elo_contract.check_record`, which the push handler runs as well.
"""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model

import elo_contract as contract
from elo_contract import KINDS, MAX_REV, PUSH_KINDS, REVIEWABLE_KINDS, Spec

MAX_ID = contract.MAX_ID

Id = Annotated[str, StringConstraints(pattern=contract.ID_PATTERN)]
ShortText = Annotated[str, StringConstraints(max_length=contract.MAX_META_TEXT)]
Rev = Annotated[int, Field(ge=0, le=MAX_REV)]
Verdict = Literal[contract.VERDICTS]  # type: ignore[valid-type]

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


def _field_type(spec: Spec) -> Any:
    """The pydantic type of one contract field."""
    if spec.type == "str":
        if spec.choices is not None:
            tp: Any = Literal[spec.choices]
        else:
            tp = Annotated[str, StringConstraints(max_length=spec.max_length, pattern=spec.pattern)]
    elif spec.type in ("int", "float"):
        base = int if spec.type == "int" else float
        lo = None if spec.minimum is None else base(spec.minimum)
        hi = None if spec.maximum is None else base(spec.maximum)
        tp = Annotated[base, Field(ge=lo, le=hi, allow_inf_nan=False)]
    elif spec.type == "bool":
        tp = bool
    elif spec.type == "list":
        item = Annotated[str, StringConstraints(max_length=spec.item_max_length)]
        tp = Annotated[list[item], Field(max_length=spec.max_items)]
    elif spec.type == "dict":
        key = Annotated[str, StringConstraints(max_length=spec.key_max_length)]
        if spec.value == "bool":
            value: Any = bool
        else:
            value = Annotated[float, Field(ge=spec.minimum, le=spec.maximum, allow_inf_nan=False)]
        tp = Annotated[dict[key, value], Field(max_length=spec.max_items)]
    else:  # pragma: no cover - a bug in the contract
        raise ValueError(spec.type)
    return tp | None if spec.nullable else tp


def _data_model(kind: str) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for name, spec in KINDS[kind].items():
        default = contract.defaults(kind)[name]
        description = spec.describe() or None
        if isinstance(default, (list, dict)):
            factory = list if isinstance(default, list) else dict
            info = Field(default_factory=factory, description=description)
        else:
            info = Field(default=default, description=description)
        fields[name] = (_field_type(spec), info)
    name = "".join(part.title() for part in kind.split("_")) + "Data"
    return create_model(name, __config__=_STRICT, **fields)


DATA_MODELS: dict[str, type[BaseModel]] = {k: _data_model(k) for k in KINDS}


class ProblemItem(BaseModel):
    field: str | None = None
    detail: str
    code: str


class Problem(BaseModel):
    """Every error answer: a Dutch sentence, a machine code and, for invalid input, the
    path of the offending value (`field`) and every problem found (`errors`)."""

    detail: str = Field(..., description="Wat er mis is, in het Nederlands.")
    code: Literal[contract.ERROR_CODES] = Field(..., description="Machineleesbare foutcode.")  # type: ignore[valid-type]
    field: str | None = Field(None, description="Pad van de foute waarde, bv. records.3.data.name")
    errors: list[ProblemItem] | None = None


class _WireIn(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    id: Id
    base_rev: Rev | None = Field(
        None, description="The server revision this edit is based on; null for a new record."
    )
    deleted: bool = False
    updated_at: ShortText = ""
    updated_by: ShortText = ""


def _wire_in_model(kind: str) -> type[BaseModel]:
    name = "".join(part.title() for part in kind.split("_")) + "Change"
    return create_model(
        name,
        __base__=_WireIn,
        kind=(Literal[kind], ...),  # type: ignore[arg-type]  # a Literal of a runtime value
        data=(DATA_MODELS[kind], Field(default_factory=DATA_MODELS[kind])),
    )


_CHANGE_MODELS = tuple(_wire_in_model(k) for k in PUSH_KINDS)
if TYPE_CHECKING:  # the union is built at run time; every member has these fields

    class RecordChange(_WireIn):
        kind: str
        data: BaseModel

else:
    RecordChange = Annotated[typing.Union[_CHANGE_MODELS], Field(discriminator="kind")]  # noqa: UP007


class PushRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    since: Rev | None = Field(
        None,
        description="The client's pull cursor. When nobody else wrote since then, the answer "
        "carries a new cursor so the client need not pull its own changes back.",
    )
    records: list[RecordChange] = Field(..., max_length=contract.MAX_BATCH)


class WireRecord(BaseModel):
    """A record as the tracker holds it."""

    kind: str
    id: str
    rev: int
    deleted: bool
    updated_at: str
    updated_by: str
    data: dict[str, Any]


class Applied(BaseModel):
    kind: str
    id: str
    rev: int
    server_data: dict[str, Any] | None = Field(
        None, description="Tracker-owned fields whose value differs from what was sent."
    )


class Conflict(BaseModel):
    kind: str
    id: str
    base_rev: int | None
    server: WireRecord


class PushResponse(BaseModel):
    applied: list[Applied]
    conflicts: list[Conflict]
    cursor: int | None


class PullResponse(BaseModel):
    records: list[WireRecord]
    cursor: int = Field(..., description="Pass as `since` for the next page / next sync.")
    has_more: bool
    remaining: int = Field(0, description="Records after this page (for progress).")
    reset: bool = Field(
        False, description="The tracker lost changes the client has seen: pull again from 0."
    )


_SUB = KINDS["submission"]


class SubmissionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    id: Id
    version: _field_type(_SUB["version"]) = 0  # type: ignore[valid-type]
    created_at: _field_type(_SUB["created_at"]) = ""  # type: ignore[valid-type]
    author: _field_type(_SUB["author"]) = ""  # type: ignore[valid-type]
    updated_at: ShortText = ""
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    content: _field_type(_SUB["content"]) = Field(  # type: ignore[valid-type]
        ...,
        description="Canonical JSON of the snapshot (UTF-8 hashed). " + _SUB["content"].describe(),
    )


class SubmissionInfo(BaseModel):
    id: str
    version: int
    created_at: str
    author: str
    sha256: str
    received_at: str
    review_state: str = ""


class SubmissionFull(BaseModel):
    id: str
    version: int
    created_at: str
    author: str
    sha256: str
    content: str
    received_at: str


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    target_kind: Literal[REVIEWABLE_KINDS]  # type: ignore[valid-type]
    target_id: Id
    verdict: Verdict
    comment: _field_type(KINDS["review"]["comment"]) = ""  # type: ignore[valid-type]


class Me(BaseModel):
    role: Literal["agency", "admin"]
    name: str
    workspace: str | None


class WorkspaceInfo(BaseModel):
    ovo_code: str
    name: str
    created_at: str
    last_push_at: str | None
    last_seen_at: str | None


class Health(BaseModel):
    status: Literal["ok"]
    api: Literal["v1"]
