"""The wire contract (`elo_contract`) is the one both sides use: the app's record kinds
and fields, the tracker's pydantic models and the contract's own check agree."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import elo_contract as contract
from elo_tui.domain import blocks, checklists, codelists
from elo_tui.domain.records import RECORD_KINDS, Record
from elo_tui.sync import wire


def test_kinds_and_fields_are_the_records_of_the_app():
    assert set(contract.KINDS) == set(RECORD_KINDS)
    for kind, cls in RECORD_KINDS.items():
        assert tuple(contract.KINDS[kind]) == cls.data_field_names(), kind


def test_defaults_are_the_records_defaults_and_satisfy_the_contract():
    for kind, cls in RECORD_KINDS.items():
        record_defaults = {
            k: v for k, v in dataclasses.asdict(cls()).items() if k not in Record.META
        }
        assert contract.defaults(kind) == record_defaults, kind
        assert contract.check_record(kind, contract.defaults(kind)) == [], kind


def test_enumerations_are_the_apps():
    assert contract.APPLICABILITY == tuple(blocks.APPLICABILITY)
    assert contract.STAGES == blocks.STAGES
    assert contract.CHECKLIST_STATUSES == tuple(checklists.ITEM_STATUSES)
    assert contract.ON_ELO == tuple(codelists.ON_ELO)
    assert contract.APPLICATION_KINDS == tuple(codelists.APPLICATION_KINDS)
    assert contract.BLOCKS == tuple((b.code, b.scope, b.pair, b.label) for b in blocks.BLOCKS)
    assert contract.BLOCK_CODES == blocks.BLOCK_CODES
    assert contract.PAIRS == blocks.PAIRS


def test_requirements_and_the_block_parts_they_need_are_the_apps():
    assert contract.REQUIREMENTS == tuple((r.code, r.label, r.parts) for r in blocks.REQUIREMENTS)
    assert contract.REQUIREMENT_CODES == blocks.REQUIREMENT_CODES
    assert {p for _, _, parts in contract.REQUIREMENTS for p in parts} <= set(contract.BLOCK_CODES)


def test_a_renamed_block_code_is_refused_and_its_new_code_accepted():
    for old, new in blocks.RENAMED_BLOCKS.items():
        assert contract.check_record("block_status", {"block": old})[0].field == "data.block"
        assert contract.check_record("block_status", {"block": new}) == []


def test_tracker_owned_fields_are_the_clients_server_fields():
    assert wire.SERVER_FIELDS == {k: tuple(v) for k, v in contract.TRACKER_OWNED.items()}
    for kind, fields in contract.TRACKER_OWNED.items():
        assert set(fields) <= set(contract.KINDS[kind])


@pytest.mark.parametrize(
    ("value", "ok"),
    [(0, True), (10**9, True), (10**9 + 1, False), (-5, False), (10**30, False), (None, True),
     (1.5, False), (True, False), ("12", False)],
)  # fmt: skip
def test_yearly_volume_is_a_whole_number_from_0_to_a_billion(value, ok):
    problems = contract.check_record("product", {"yearly_volume": value})
    assert (problems == []) is ok
    if not ok:
        assert problems[0].field == "data.yearly_volume"


def test_a_frozen_submission_of_seven_million_characters_fits_the_contract():
    assert contract.check_record("submission", {"content": "x" * 7_000_000}) == []
    too_long = contract.check_record("submission", {"content": "x" * 20_000_001})
    assert too_long and "te lang" in too_long[0].detail


def test_unknown_fields_nan_and_wrong_shapes_are_problems_with_a_dutch_message():
    assert contract.check_record("product", {"colour": "red"})[0].field == "data.colour"
    assert contract.check_record("estimate_line", {"likely_days": math.nan})
    assert contract.check_record("estimate_line", {"likely_days": math.inf})
    assert contract.check_record("agency", {"own_budget": {"2026": -1.0}})
    assert contract.check_record("agency", {"own_budget": {"2026": 5}}) == []
    assert contract.check_record("block_status", {"stage": "done"})[0].detail.startswith(
        "data.stage: onbekende waarde"
    )
    assert contract.check_record("nope", {})[0].field == "kind"
    assert contract.check_record("product", [])[0].field == "data"


def _largest(spec: contract.Spec):
    worst = "\u0001"  # JSON escapes it as \u0001: six bytes for one character
    if spec.type == "str":
        if spec.choices:
            return max(spec.choices, key=len)
        return (worst if spec.pattern is None else "a") * (spec.max_length or 0)
    if spec.type in ("int", "float"):
        return -1.2345678901234567e-300 if spec.type == "float" else -(10**18)
    if spec.type == "bool":
        return False
    if spec.type == "list":
        return [worst * spec.item_max_length] * spec.max_items
    if spec.type == "dict":
        return {
            f"{i:0{spec.key_max_length}d}": -1.2345678901234567e-300 for i in range(spec.max_items)
        }
    raise AssertionError(spec.type)


@pytest.mark.parametrize("kind", contract.PUSH_KINDS)
def test_the_largest_record_of_every_pushed_kind_fits_one_push(kind):
    """So a client that batches by bytes (wire.batches) can always push."""
    import json

    data = {name: _largest(spec) for name, spec in contract.KINDS[kind].items()}
    record = {"kind": kind, "id": "x" * 64, "base_rev": 2**62, "deleted": False,
              "updated_at": "\u0001" * 300, "updated_by": "\u0001" * 300, "data": data}  # fmt: skip
    size = len(json.dumps(record, ensure_ascii=False).encode("utf-8")) + 1024
    assert size <= contract.MAX_BODY_BYTES, (kind, size)


# -- the tracker's models are derived from the contract and agree with check_record ------

pydantic = pytest.importorskip("pydantic")

_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**31), max_value=10**31),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
_json = st.recursive(
    _json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _value_for(spec: contract.Spec):
    """Values near and beyond the edges of one field's spec, and junk."""
    options = [_json]
    if spec.choices:
        options.append(st.sampled_from(spec.choices))
    if spec.type == "str":
        n = spec.max_length or 10
        options.append(st.sampled_from(["", "a" * min(n, 5000), "2026-01-31", "abc-_1"]))
    if spec.type in ("int", "float"):
        lo, hi = spec.minimum or 0, spec.maximum or 0
        options.append(st.sampled_from([lo, hi, lo - 1, hi + 1, (lo + hi) / 2, int(hi)]))
    if spec.type == "list":
        options.append(st.lists(st.text(max_size=5), max_size=3))
    if spec.type == "dict":
        options.append(
            st.dictionaries(st.sampled_from(["2026", "x"]), st.floats(-10, 10), max_size=2)
        )
        options.append(st.dictionaries(st.sampled_from(["a", "b"]), st.booleans(), max_size=2))
    return st.one_of(*options)


@st.composite
def _record_data(draw):
    kind = draw(st.sampled_from(contract.KIND_NAMES))
    fields = contract.KINDS[kind]
    names = draw(st.lists(st.sampled_from(list(fields)), max_size=4, unique=True))
    data = {name: draw(_value_for(fields[name])) for name in names}
    if draw(st.booleans()) and draw(st.booleans()):
        data[draw(st.text(min_size=1, max_size=5))] = 1
    return kind, data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_record_data())
def test_the_trackers_models_accept_exactly_what_check_record_accepts(case):
    from elo_tracker.models import DATA_MODELS

    kind, data = case
    try:
        DATA_MODELS[kind].model_validate(data)
        accepted = True
    except pydantic.ValidationError:
        accepted = False
    assert accepted == (contract.check_record(kind, data) == []), (kind, data)


# -- everything the contract accepts, the app can store -----------------------------------


def _valid_value(spec: contract.Spec):
    if spec.type == "str":
        if spec.choices is not None:
            return st.sampled_from(spec.choices)
        if spec.pattern is not None:
            return st.from_regex(spec.pattern, fullmatch=True).filter(
                lambda s: len(s) <= spec.max_length
            )
        return st.text(max_size=min(spec.max_length, 200))
    if spec.type == "int":
        lo, hi = int(spec.minimum), int(spec.maximum)
        values = st.one_of(st.sampled_from([lo, hi]), st.integers(lo, hi))  # edges often
        return st.one_of(st.none(), values) if spec.nullable else values
    if spec.type == "float":
        values = st.floats(spec.minimum, spec.maximum, allow_nan=False, allow_infinity=False)
        edges = st.sampled_from([spec.minimum, spec.maximum])
        both = st.one_of(values, edges)
        return st.one_of(st.none(), both) if spec.nullable else both
    if spec.type == "bool":
        return st.one_of(st.none(), st.booleans()) if spec.nullable else st.booleans()
    if spec.type == "list":
        return st.lists(st.text(max_size=min(spec.item_max_length, 50)), max_size=5)
    if spec.type == "dict":
        keys = st.text(max_size=min(spec.key_max_length, 10))
        if spec.value == "bool":
            return st.dictionaries(keys, st.booleans(), max_size=3)
        return st.dictionaries(
            keys, st.floats(spec.minimum, spec.maximum, allow_nan=False), max_size=3
        )
    raise AssertionError(spec.type)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    from elo_tui.store import Workspace

    ws = Workspace.open(tmp_path_factory.mktemp("ws") / "w.sqlite", create=True, user="t")
    yield ws
    ws.close()


@pytest.mark.parametrize("kind", contract.KIND_NAMES)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_every_record_the_contract_accepts_the_workspace_stores_and_reads_back(
    workspace, kind, data
):
    import uuid

    fields = contract.KINDS[kind].items()
    data = {name: data.draw(_valid_value(spec), label=name) for name, spec in fields}
    assert contract.check_record(kind, data) == []
    rid = str(uuid.uuid4())
    wire_record = {"kind": kind, "id": rid, "rev": 7, "deleted": False, "data": data}
    assert wire.wire_problems(wire_record) == []
    record, problems = wire.checked_from_wire(wire_record)
    assert problems == [] and record is not None
    workspace.put_synced([record])
    back = workspace.get(RECORD_KINDS[kind], rid)
    assert wire.record_data(back) == wire.record_data(record)
    assert back.rev == 7
