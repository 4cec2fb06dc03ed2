"""Property tests of the tracker's push, against a real uvicorn server: arbitrary JSON-ish
payloads and out-of-range values always get a 2xx or a 4xx with the documented error
shape (never a 500), and whatever the tracker stored the client can read back."""

from __future__ import annotations

import uuid

import pytest

pytest.importorskip("fastapi")  # before the imports that need it

import httpx  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import elo_contract as contract  # noqa: E402
from elo_tracker.app import Limits  # noqa: E402
from elo_tracker.store import TrackerStore  # noqa: E402
from elo_tui.sync.wire import from_wire, wire_problems  # noqa: E402
from tracker_testing import BACKENDS, ServerThread, fresh_database, tracker_app  # noqa: E402

OVO = "OVO000801"


@pytest.fixture(scope="module", params=BACKENDS)
def api(request, tmp_path_factory):
    db = fresh_database(request.param, tmp_path_factory.mktemp("fuzz"))
    store = TrackerStore.open(db)
    token = store.add_agency("Agentschap F", OVO)
    store.close()
    # No rate limit here: the property tests send hundreds of requests in seconds.
    injector, _ = tracker_app(db, limits=Limits(rate_per_minute=10**6, rate_burst=10**6))
    with ServerThread(injector) as server:
        with httpx.Client(
            base_url=server.url + "/v1", headers={"Authorization": f"Bearer {token}"}
        ) as client:
            yield client


def _assert_documented(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body["detail"], str) and body["detail"]
        assert body["code"] in contract.ERROR_CODES
        assert body["field"] is None or isinstance(body["field"], str)


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)


@st.composite
def records(draw):
    """A push entry: mostly well-formed around a real kind, with fields of any value."""
    kind = draw(st.one_of(st.sampled_from(contract.KIND_NAMES), st.text(max_size=10)))
    fields = contract.KINDS.get(kind, {})
    names = st.one_of(st.sampled_from(sorted(fields) or ["x"]), st.text(max_size=10))
    data = draw(st.dictionaries(names, json_values, max_size=5))
    entry = {
        "kind": kind,
        "id": draw(st.one_of(st.just(str(uuid.uuid4())), st.text(max_size=70))),
        "base_rev": draw(st.one_of(st.none(), st.integers(-5, 2**63))),
        "data": data,
    }
    if draw(st.booleans()):
        entry[draw(st.sampled_from(["deleted", "updated_at", "extra"]))] = draw(json_values)
    return entry


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.lists(records(), max_size=3), json_values))
def test_any_push_payload_gets_a_documented_answer_never_a_500(api, payload):
    body = {"records": payload} if isinstance(payload, list) else payload
    response = api.post(
        f"/workspaces/{OVO}/changes",
        json=body,
        headers={contract.IDEMPOTENCY_HEADER: str(uuid.uuid4())},
    )
    _assert_documented(response)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=200))
def test_any_bytes_as_a_body_get_a_documented_answer(api, raw):
    response = api.post(
        f"/workspaces/{OVO}/changes",
        content=raw,
        headers={
            contract.IDEMPOTENCY_HEADER: str(uuid.uuid4()),
            "Content-Type": "application/json",
        },
    )
    _assert_documented(response)


def test_everything_the_tracker_stored_the_client_can_read_back(api):
    """Runs after the property tests above (same module, same tracker)."""
    since, seen = 0, 0
    while True:
        page = api.get(f"/workspaces/{OVO}/changes", params={"since": since, "limit": 2000})
        assert page.status_code == 200
        body = page.json()
        for wire in body["records"]:
            assert wire_problems(wire) == [], wire
            assert from_wire(wire) is not None
            seen += 1
        since = body["cursor"]
        if not body["has_more"]:
            break
    assert seen > 0  # the property tests did store some records


@pytest.mark.parametrize(
    "params",
    [{"since": -1}, {"since": "x"}, {"since": 2**63}, {"limit": 0}, {"limit": 5000},
     {"limit": "many"}],
)  # fmt: skip
def test_pull_query_parameters_out_of_bounds_are_refused_in_dutch(api, params):
    response = api.get(f"/workspaces/{OVO}/changes", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["field"].startswith("query.")
    assert body["detail"].startswith("Ongeldige invoer bij query.")
