"""Request and response models of the tracker API (`/v1`), the contract in docs/openapi.json.

A pushed record's `data` is validated against its kind: the per-kind models are derived
from the dataclasses in `domain/records.py` so the wire format cannot drift from them.
Unknown fields, wrong types, NaN/Infinity and over-long texts are refused with a 422.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model

from elo_tui.domain.records import RECORD_KINDS, Record

MAX_TEXT = 100_000  # characters in one text field
MAX_ID = 64
MAX_REV = 2**62  # fits SQLite's INTEGER

Id = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID, pattern=r"^[A-Za-z0-9_-]+$")]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
ShortText = Annotated[str, StringConstraints(max_length=300)]
Rev = Annotated[int, Field(ge=0, le=MAX_REV)]
Verdict = Literal["verified", "issues", "approved"]

# Kinds an agency may push through /changes: reviews are written by VLAIO only and
# submissions go through their own, immutable endpoint.
PUSH_KINDS = tuple(k for k in RECORD_KINDS if k not in ("review", "submission"))
REVIEWABLE_KINDS = tuple(k for k in RECORD_KINDS if k != "review")

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, str_max_length=MAX_TEXT)


def _constrained(tp: Any) -> Any:
    """Bound the size of text inside lists and dicts too."""
    if tp is str:
        return Text
    origin = typing.get_origin(tp)
    if origin is list:
        (item,) = typing.get_args(tp)
        return Annotated[list[_constrained(item)], Field(max_length=1000)]
    if origin is dict:
        key, value = typing.get_args(tp)
        return Annotated[dict[ShortText, _constrained(value)], Field(max_length=1000)]
    return tp


def _data_model(kind: type[Record]) -> type[BaseModel]:
    hints = typing.get_type_hints(kind)
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(kind):
        if f.name in Record.META:
            continue
        if f.default is not dataclasses.MISSING:
            default = Field(default=f.default)
        else:
            default = Field(default_factory=f.default_factory)  # type: ignore[arg-type]
        fields[f.name] = (_constrained(hints[f.name]), default)
    name = "".join(part.title() for part in kind.KIND.split("_")) + "Data"
    return create_model(name, __config__=_STRICT, **fields)


DATA_MODELS: dict[str, type[BaseModel]] = {k: _data_model(cls) for k, cls in RECORD_KINDS.items()}


class Problem(BaseModel):
    """Every error answer: a readable message (Dutch) and, for invalid input, where."""

    detail: str
    errors: list[dict[str, Any]] | None = None


class _WireIn(BaseModel):
    model_config = _STRICT
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
        kind=(Literal[kind], ...),  # type: ignore[valid-type]
        data=(DATA_MODELS[kind], Field(default_factory=DATA_MODELS[kind])),
    )


_CHANGE_MODELS = tuple(_wire_in_model(k) for k in PUSH_KINDS)
RecordChange = Annotated[typing.Union[_CHANGE_MODELS], Field(discriminator="kind")]  # noqa: UP007


class PushRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    since: Rev | None = Field(
        None,
        description="The client's pull cursor. When nobody else wrote since then, the answer "
        "carries a new cursor so the client need not pull its own changes back.",
    )
    records: list[RecordChange] = Field(..., max_length=1000)  # type: ignore[valid-type]


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


class SubmissionIn(BaseModel):
    model_config = _STRICT
    id: Id
    version: Annotated[int, Field(ge=0, le=MAX_REV)] = 0
    created_at: ShortText = ""
    author: ShortText = ""
    updated_at: ShortText = ""
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    content: str = Field(..., description="Canonical JSON of the snapshot (UTF-8 hashed).")


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
    model_config = _STRICT
    target_kind: Literal[REVIEWABLE_KINDS]  # type: ignore[valid-type]
    target_id: Id
    verdict: Verdict
    comment: Annotated[str, StringConstraints(max_length=10_000)] = ""


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
