"""The tracker API against a real uvicorn server on 127.0.0.1: authorisation, validation,
limits, idempotency, submissions, review feedback and the programme overview."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid

import httpx
import pytest

pytest.importorskip("fastapi")  # before the imports that need it


from elo_tracker.app import Limits  # noqa: E402
from elo_tracker.store import TrackerStore  # noqa: E402
from tracker_testing import (  # noqa: E402
    BACKENDS,
    ServerThread,
    fresh_database,
    stored_text,
    tracker_app,
)

A, B = "OVO000101", "OVO000102"


@pytest.fixture(scope="module", params=BACKENDS)
def tracker(request, tmp_path_factory):
    db = fresh_database(request.param, tmp_path_factory.mktemp("tracker"))
    store = TrackerStore.open(db)
    tokens = {
        "a": store.add_agency("Agentschap A", A),
        "b": store.add_agency("Agentschap B", B),
        "admin": store.add_admin("Vera VLAIO"),
    }
    store.close()
    injector, _ = tracker_app(
        db, limits=Limits(max_body_bytes=256 * 1024, max_submission_bytes=512 * 1024)
    )
    with ServerThread(injector) as server:
        yield server.url, tokens, db


@pytest.fixture(scope="module")
def api(tracker):
    url, tokens, _ = tracker
    clients = {
        name: httpx.Client(
            base_url=url + "/v1", headers={"Authorization": f"Bearer {tok}"}, timeout=10
        )
        for name, tok in tokens.items()
    }
    clients["anon"] = httpx.Client(base_url=url + "/v1", timeout=10)
    yield clients
    for c in clients.values():
        c.close()


def product(pid: str | None = None, base_rev=None, **data) -> dict:
    return {
        "kind": "product",
        "id": pid or str(uuid.uuid4()),
        "base_rev": base_rev,
        "updated_at": "2026-01-01T00:00:00Z",
        "updated_by": "test",
        "data": {"name": "Product", **data},
    }


def push(client, ovo, records, key=None, since=None):
    return client.post(
        f"/workspaces/{ovo}/changes",
        json={"since": since, "records": records},
        headers={"Idempotency-Key": key or str(uuid.uuid4())},
    )


def pull_all(client, ovo, since=0):
    out = []
    while True:
        page = client.get(f"/workspaces/{ovo}/changes", params={"since": since}).json()
        out += page["records"]
        since = page["cursor"]
        if not page["has_more"]:
            return out, since


# -- authorisation -----------------------------------------------------------------------


def test_missing_or_wrong_token_is_401_without_detail_of_the_token(api, tracker):
    url = tracker[0]
    assert api["anon"].get("/me").status_code == 401
    assert api["anon"].get(f"/workspaces/{A}/changes").status_code == 401
    r = httpx.get(url + "/v1/me", headers={"Authorization": "Bearer elot_abc.def"})
    assert r.status_code == 401 and "elot_abc.def" not in r.text
    r = httpx.get(url + "/v1/me", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    # A real token with one character changed is refused too.
    tok = tracker[1]["a"]
    forged = tok[:-1] + ("A" if tok[-1] != "A" else "B")
    assert (
        httpx.get(url + "/v1/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    )


def test_agency_reads_and_writes_its_own_workspace(api):
    rec = product(name="Eigen product")
    r = push(api["a"], A, [rec])
    assert r.status_code == 200, r.text
    assert r.json()["applied"][0]["id"] == rec["id"]
    records, _ = pull_all(api["a"], A)
    assert rec["id"] in {x["id"] for x in records}


def test_agency_cannot_read_or_write_another_agency_and_cannot_tell_it_exists(api):
    for ovo in (B, "OVO999999"):  # B exists, OVO999999 does not: same answer
        read = api["a"].get(f"/workspaces/{ovo}/changes")
        write = push(api["a"], ovo, [product()])
        subs = api["a"].get(f"/workspaces/{ovo}/submissions")
        assert (read.status_code, write.status_code, subs.status_code) == (404, 404, 404)
        assert (
            read.json()
            == write.json()
            == {
                "detail": "Werkruimte niet gevonden.",
                "code": "not_found",
                "field": None,
            }
        )
    # And B's data never shows up for A.
    mark = product(name="Alleen van B")
    assert push(api["b"], B, [mark]).status_code == 200
    records, _ = pull_all(api["a"], A)
    assert mark["id"] not in {x["id"] for x in records}
    assert [w["ovo_code"] for w in api["a"].get("/workspaces").json()] == [A]


def test_same_record_id_in_two_agencies_stays_separate(api):
    shared = str(uuid.uuid4())
    assert push(api["a"], A, [product(shared, name="A")]).json()["applied"]
    answer = push(api["b"], B, [product(shared, name="B")]).json()
    assert answer["applied"] and not answer["conflicts"]
    a_rec = [x for x in pull_all(api["a"], A)[0] if x["id"] == shared][0]
    assert a_rec["data"]["name"] == "A"


def test_admin_reads_all_but_writes_only_review_feedback(api):
    assert api["admin"].get(f"/workspaces/{A}/changes").status_code == 200
    assert api["admin"].get(f"/workspaces/{B}/changes").status_code == 200
    assert {w["ovo_code"] for w in api["admin"].get("/workspaces").json()} >= {A, B}
    r = push(api["admin"], A, [product()])
    assert r.status_code == 403
    sub = api["admin"].post(f"/workspaces/{A}/submissions", json=_submission("{}"))
    assert sub.status_code == 403
    assert api["admin"].get("/workspaces/OVO999999/changes").status_code == 404


def test_agency_cannot_review_or_see_the_programme_overview(api):
    rec = product()
    push(api["a"], A, [rec])
    r = api["a"].post(
        f"/workspaces/{A}/reviews",
        json={"target_kind": "product", "target_id": rec["id"], "verdict": "approved"},
    )
    assert r.status_code == 403
    assert api["a"].get("/overview").status_code == 403
    assert api["a"].get("/overview", params={"format": "csv"}).status_code == 403


def test_agency_cannot_push_reviews_or_tracker_owned_fields(api):
    r = push(api["a"], A, [{"kind": "review", "id": "r1", "data": {"verdict": "approved"}}])
    assert r.status_code == 422 and "reviews schrijft alleen VLAIO" in r.json()["detail"]
    status = {
        "kind": "block_status",
        "id": str(uuid.uuid4()),
        "base_rev": None,
        "data": {"block": "acm_idm", "verified_central": True},
    }
    answer = push(api["a"], A, [status]).json()
    assert answer["applied"][0]["server_data"] == {"verified_central": False}
    stored = [x for x in pull_all(api["a"], A)[0] if x["id"] == status["id"]][0]
    assert stored["data"]["verified_central"] is False


# -- validation and limits -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (b"{not json", "Geen geldige JSON"),
        (b"[]", "Ongeldige invoer"),
        (
            json.dumps({"records": [{"kind": "product", "id": "x", "data": {"name": 5}}]}).encode(),
            "records.0.product.data.name",
        ),
        (
            json.dumps(
                {"records": [{"kind": "product", "id": "x", "data": {"colour": "red"}}]}
            ).encode(),
            "colour",
        ),
        (json.dumps({"records": [{"kind": "spaceship", "id": "x"}]}).encode(), "records.0"),
        (
            json.dumps({"records": [{"kind": "product", "id": "../etc", "data": {}}]}).encode(),
            "records.0.product.id",
        ),
        (
            json.dumps({"records": [{"kind": "product", "id": "x", "base_rev": 10**30}]}).encode(),
            "base_rev",
        ),
        (
            b'{"records": [{"kind": "agency", "id": "x", "data": {"day_rate_internal": NaN}}]}',
            "day_rate_internal",
        ),
        (json.dumps({"records": [{"kind": "product", "id": "x"}] * 1001}).encode(), "records"),
        (
            '{"records": [{"kind": "product", "id": "x", "data": {"name": "\udcff"}}]}'.encode(
                "utf-8", "surrogatepass"
            ),
            "Ongeldige",
        ),
        (b"[" * 5000 + b"]" * 5000, ""),
    ],
)
def test_malformed_push_is_a_4xx_with_a_clear_message_never_a_500(api, body, where):
    r = api["a"].post(
        f"/workspaces/{A}/changes",
        content=body,
        headers={"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"},
    )
    assert 400 <= r.status_code < 500, r.text
    assert where in r.json()["detail"]


def test_push_without_idempotency_key_is_refused(api):
    r = api["a"].post(f"/workspaces/{A}/changes", json={"records": [product()]})
    assert r.status_code == 422 and "Idempotency-Key" in r.json()["detail"]


def test_oversized_payload_is_413_announced_or_streamed(api):
    big = json.dumps({"records": [product(notes="x" * 90_000) for _ in range(4)]}).encode()
    r = api["a"].post(
        f"/workspaces/{A}/changes",
        content=big,
        headers={"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"},
    )
    assert r.status_code == 413 and "te groot" in r.json()["detail"]
    assert r.json()["code"] == "too_large"

    def chunks():  # no Content-Length: the server counts while reading
        for i in range(0, len(big), 65536):
            yield big[i : i + 65536]

    r = api["a"].post(
        f"/workspaces/{A}/changes",
        content=chunks(),
        headers={"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"},
    )
    assert r.status_code == 413 and r.json()["code"] == "too_large"


def test_bad_query_parameters_are_422(api):
    assert api["a"].get(f"/workspaces/{A}/changes", params={"since": -1}).status_code == 422
    assert api["a"].get(f"/workspaces/{A}/changes", params={"limit": 10**6}).status_code == 422
    assert api["a"].get(f"/workspaces/{A}/changes", params={"since": "abc"}).status_code == 422
    assert api["a"].get("/workspaces/not-an-ovo/changes").status_code == 422


# -- sync semantics ------------------------------------------------------------------------


def test_replayed_idempotency_key_returns_the_first_answer_and_applies_once(api):
    rec = product(name="Eenmalig")
    key = str(uuid.uuid4())
    first = push(api["a"], A, [rec], key=key)
    second = push(api["a"], A, [rec], key=key)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    records, _ = pull_all(api["a"], A)
    assert [x["id"] for x in records].count(rec["id"]) == 1
    assert [x for x in records if x["id"] == rec["id"]][0]["rev"] == first.json()["applied"][0][
        "rev"
    ]
    # The same key with another request is refused, not silently answered.
    other = push(api["a"], A, [product(name="Iets anders")], key=key)
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["detail"]


def test_stale_base_rev_is_a_conflict_carrying_the_server_version(api):
    rec = product(name="Origineel")
    rev = push(api["a"], A, [rec]).json()["applied"][0]["rev"]
    newer = push(api["a"], A, [product(rec["id"], base_rev=rev, name="Collega")]).json()
    assert newer["applied"]
    mine = push(api["a"], A, [product(rec["id"], base_rev=rev, name="Ik")]).json()
    assert mine["applied"] == []
    conflict = mine["conflicts"][0]
    assert conflict["base_rev"] == rev
    assert conflict["server"]["data"]["name"] == "Collega"
    assert conflict["server"]["rev"] == newer["applied"][0]["rev"]


def test_pull_pages_through_everything_once_in_order(api):
    ids = [str(uuid.uuid4()) for _ in range(25)]
    push(api["b"], B, [product(i) for i in ids])
    seen, since = [], 0
    while True:
        page = api["b"].get(f"/workspaces/{B}/changes", params={"since": since, "limit": 7}).json()
        seen += [r["id"] for r in page["records"]]
        assert page["cursor"] >= since
        since = page["cursor"]
        if not page["has_more"]:
            assert page["remaining"] == 0
            break
    assert len(seen) == len(set(seen))
    assert set(ids) <= set(seen)
    assert api["b"].get(f"/workspaces/{B}/changes", params={"since": since}).json()["records"] == []


def test_cursor_ahead_of_the_tracker_asks_the_client_to_start_over(api):
    page = api["b"].get(f"/workspaces/{B}/changes", params={"since": 10**9}).json()
    assert page["reset"] is True and page["cursor"] == 0


# -- submissions and review -------------------------------------------------------------------


def _submission(content: str, sid: str | None = None, sha: str | None = None) -> dict:
    return {
        "id": sid or str(uuid.uuid4()),
        "version": 1,
        "created_at": "2026-02-01T10:00:00Z",
        "author": "An",
        "content": content,
        "sha256": sha or hashlib.sha256(content.encode("utf-8")).hexdigest(),
    }


def test_submission_is_hash_checked_and_immutable(api):
    body = _submission('{"totaal": 12500, "naam": "Élo"}')
    r = api["a"].post(f"/workspaces/{A}/submissions", json=body)
    assert r.status_code == 201, r.text
    again = api["a"].post(f"/workspaces/{A}/submissions", json=body)
    assert again.status_code == 200 and again.json()["rev"] == r.json()["rev"]
    changed = dict(
        body, content='{"totaal": 99}', sha256=hashlib.sha256(b'{"totaal": 99}').hexdigest()
    )
    assert api["a"].post(f"/workspaces/{A}/submissions", json=changed).status_code == 409
    wrong = _submission("{}", sha="0" * 64)
    r = api["a"].post(f"/workspaces/{A}/submissions", json=wrong)
    assert r.status_code == 422 and "SHA-256" in r.json()["detail"]
    full = api["admin"].get(f"/workspaces/{A}/submissions/{body['id']}").json()
    assert full["content"] == body["content"] and full["sha256"] == body["sha256"]
    assert api["b"].get(f"/workspaces/{A}/submissions/{body['id']}").status_code == 404


def test_review_feedback_flows_back_to_the_agency_on_its_next_pull(api):
    status = {
        "kind": "block_status",
        "id": str(uuid.uuid4()),
        "base_rev": None,
        "data": {
            "block": "acm_idm",
            "scope_kind": "application",
            "scope_id": "app1",
            "applicability": "required",
            "stage": "production",
        },
    }
    push(api["a"], A, [status])
    _, cursor = pull_all(api["a"], A)
    r = api["admin"].post(
        f"/workspaces/{A}/reviews",
        json={
            "target_kind": "block_status",
            "target_id": status["id"],
            "verdict": "verified",
            "comment": "Gezien in productie",
        },
    )
    assert r.status_code == 201, r.text
    new, _ = pull_all(api["a"], A, since=cursor)
    kinds = {x["kind"]: x for x in new}
    assert kinds["review"]["data"]["comment"] == "Gezien in productie"
    assert kinds["review"]["data"]["reviewer"] == "Vera VLAIO"
    assert kinds["block_status"]["data"]["verified_central"] is True
    # Review of a record that does not exist (or is another agency's) is a 404.
    r = api["admin"].post(
        f"/workspaces/{B}/reviews",
        json={"target_kind": "block_status", "target_id": status["id"], "verdict": "issues"},
    )
    assert r.status_code == 404
    r = api["admin"].post(
        f"/workspaces/{A}/reviews",
        json={"target_kind": "product", "target_id": "x", "verdict": "meh"},
    )
    assert r.status_code == 422


def test_submission_review_sets_its_review_state(api):
    body = _submission('{"v": 2}')
    api["a"].post(f"/workspaces/{A}/submissions", json=body)
    r = api["admin"].post(
        f"/workspaces/{A}/reviews",
        json={
            "target_kind": "submission",
            "target_id": body["id"],
            "verdict": "approved",
            "comment": "OK voor 2026",
        },
    )
    assert r.status_code == 201
    listed = {s["id"]: s for s in api["a"].get(f"/workspaces/{A}/submissions").json()}
    assert listed[body["id"]]["review_state"] == "approved"


# -- overview ----------------------------------------------------------------------------------


def test_programme_overview_sums_cofinancing_against_the_envelope(api):
    agency = {
        "kind": "agency",
        "id": str(uuid.uuid4()),
        "base_rev": None,
        "data": {
            "name": '=HYPERLINK("x")',
            "ovo_code": B,
            "requested_cofinancing": {"2026": 400000.0, "2027": 150000.5},
        },
    }
    app_id, prod_id = str(uuid.uuid4()), str(uuid.uuid4())
    records = [
        agency,
        {"kind": "application", "id": app_id, "data": {"name": "Loket"}},
        product(prod_id, request_application_id=app_id, followup_application_id=app_id),
        {
            "kind": "block_status",
            "id": str(uuid.uuid4()),
            "data": {
                "scope_kind": "application",
                "scope_id": app_id,
                "block": "acm_idm",
                "applicability": "required",
                "stage": "test",
                "target_date": "2020-01-01",
            },
        },
        {
            "kind": "checklist_item",
            "id": str(uuid.uuid4()),
            "data": {"title": "Integratiedossier", "status": "open", "due_date": "2020-02-01"},
        },
    ]
    assert push(api["b"], B, records).status_code == 200
    data = api["admin"].get("/overview", params={"today": "2026-06-01"}).json()
    env = {e["year"]: e for e in data["envelope"]}
    # The firm envelope is EUR 1,000,000 a year; VRD 3's 325,000 is apart, onder voorbehoud.
    assert env["2026"]["available"] == 1_000_000
    assert env["2026"]["sources"] == {"VLAIO / FIO (budget e-loketondernemers)": 1_000_000}
    assert env["2026"]["reserved"] == 325_000
    assert list(env["2026"]["reserved_sources"]) == [
        "VRD 3 projectenportfolio 2026 (hoofdlokettenstrategie)"
    ]
    assert env["2026"]["remaining"] == 1_000_000 - env["2026"]["requested"]
    assert env["2027"]["available"] == 1_000_000 and env["2027"]["reserved"] == 0
    assert "onder voorbehoud" in data["envelope_reading"]
    b = {a["ovo_code"]: a for a in data["agencies"]}[B]
    assert b["requested_cofinancing"] == {"2026": 400000.0, "2027": 150000.5}
    assert env["2026"]["requested"] >= 400000.0
    assert b["overdue_count"] == 2
    assert {o["kind"] for o in b["overdue"]} == {"block_status", "checklist_item"}
    acm = {x["block"]: x for x in b["blocks"]}["acm_idm"]
    assert acm["done"] == 0 and acm["applicable"] >= 1
    assert b["elo_conform"] == 0 and b["products"] >= 1
    assert b["elo_conform_self_declared"] == b["elo_conform_verified_central"] == 0
    reqs = {r["requirement"]: r for r in b["requirements"]}
    assert set(reqs) == {"sso", "gericht_aanmelden", "product_rights"}
    assert reqs["sso"]["parts"] == ["acm_idm", "global_header"]
    assert reqs["sso"]["no"] == b["products"] and reqs["sso"]["yes"] == 0
    assert b["at_risk"]["2027-06-30"]["products"] == b["products"]
    jan = {m["milestone"]: m for m in data["milestones"]}["2027-01-01"]
    assert jan["interpretation"] == "new_listing" and "interpretatie" in jan["label"]

    r = api["admin"].get("/overview", params={"format": "csv", "today": "2026-06-01"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text), delimiter=";"))
    header, body_rows = rows[0], rows[1:]
    row_b = dict(zip(header, [r for r in body_rows if r[0] == B][0], strict=True))
    # The name VLAIO registered, not the one the agency pushed: no renaming, no formula.
    assert row_b["agentschap"] == "Agentschap B"
    assert b["name"] == "Agentschap B"
    assert row_b["gevraagd_2027"] == "150000,5"
    assert row_b["elo_conform_centraal_gecontroleerd"] == "0"
    assert row_b["vereiste_sso"] == f"0 van {b['products']}"
    assert row_b["risico_2027-06-30"] == str(b["products"])
    assert [r[0] for r in body_rows][-3:] == ["TOTAAL", "BESCHIKBAAR", "ONDER VOORBEHOUD"]
    firm, reserved = (dict(zip(header, r, strict=True)) for r in body_rows[-2:])
    assert (firm["gevraagd_2026"], reserved["gevraagd_2026"]) == ("1000000", "325000")
    assert reserved["gevraagd_2027"] == "0"


def test_the_trackers_envelope_is_the_apps():
    from elo_tracker.overview import ENVELOPE_LINES
    from elo_tui.domain import cofinancing

    assert [
        (e["year"], e["amount"], e["source"], e["article"], e["status"], e["reference"])
        for e in ENVELOPE_LINES
    ] == [
        (e.year, e.amount, e.source, e.article, e.status, e.reference)
        for e in cofinancing.ENVELOPE_LINES
    ]


# -- tokens ------------------------------------------------------------------------------------


def test_tracker_stores_only_token_hashes(tracker):
    _, tokens, db = tracker
    raw = stored_text(db)
    for tok in tokens.values():
        assert tok.encode() not in raw
        assert tok.split(".", 1)[1].encode() not in raw


def test_add_agency_command_prints_token_once_and_it_works(tmp_path, capsys):
    import stat

    from elo_tracker.cli import main

    db = tmp_path / "t.db"
    assert main(["add-agency", "Agentschap C", "OVO000103", "--db", str(db)]) == 0
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    out = capsys.readouterr()
    token = out.out.strip()
    assert token.startswith("elot_") and "\n" not in token
    assert "niet opnieuw getoond" in out.err
    store = TrackerStore.open(db)
    assert store.authenticate(token).workspace == "OVO000103"
    store.close()
    assert main(["add-agency", "X", "BAD", "--db", str(db)]) == 2
    assert main(["add-admin", "Vera", "--db", str(db)]) == 0
    admin = capsys.readouterr().out.strip()
    store = TrackerStore.open(db)
    assert store.authenticate(admin).is_admin
    store.close()
    assert main(["revoke", "--ovo", "OVO000103", "--db", str(db)]) == 0
    store = TrackerStore.open(db)
    assert store.authenticate(token) is None
    store.close()


def test_tracker_refuses_a_file_that_is_not_its_database(tmp_path):
    from elo_tracker.store import TrackerStoreError
    from elo_tui.store import Workspace

    ws = Workspace.open(tmp_path / "w.sqlite", create=True)
    ws.close()
    with pytest.raises(TrackerStoreError):
        TrackerStore.open(tmp_path / "w.sqlite")
    (tmp_path / "junk.db").write_bytes(b"hello")
    with pytest.raises(TrackerStoreError):
        TrackerStore.open(tmp_path / "junk.db")


def test_random_garbage_on_every_endpoint_is_never_a_500(api):
    import random

    rnd = random.Random(5)
    atoms = [None, True, 0, -1, 2**70, 1.5, "", "x" * 300, "\u0000", "[/]", [], {}, [1], {"a": 1}]

    def junk(depth=0):
        if depth > 2 or rnd.random() < 0.4:
            return rnd.choice(atoms)
        if rnd.random() < 0.5:
            return [junk(depth + 1) for _ in range(rnd.randint(0, 3))]
        keys = [
            "kind",
            "id",
            "base_rev",
            "data",
            "records",
            "since",
            "name",
            "verdict",
            "target_kind",
            "target_id",
            "sha256",
            "content",
            "version",
            "deleted",
        ]
        return {rnd.choice(keys): junk(depth + 1) for _ in range(rnd.randint(0, 4))}

    paths = [
        f"/workspaces/{A}/changes",
        f"/workspaces/{A}/submissions",
        f"/workspaces/{A}/reviews",
        "/overview",
        "/me",
        f"/workspaces/{A}/submissions/x",
    ]
    for _ in range(120):
        who = rnd.choice(["a", "admin", "anon"])
        path = rnd.choice(paths)
        method = rnd.choice(["GET", "POST", "PUT", "DELETE"])
        body = (
            json.dumps(junk()).encode()
            if rnd.random() < 0.8
            else bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 64)))
        )
        r = api[who].request(
            method,
            path,
            content=body,
            params={"since": rnd.choice(["0", "-5", "x", "99999999999999999999"])},
            headers={
                "Idempotency-Key": rnd.choice(["abcdefgh", "", "k" * 300, "ok-key-123"]),
                "Content-Type": "application/json",
            },
        )
        assert r.status_code < 500, (method, path, body[:80], r.text)
        if r.status_code >= 400:
            assert r.json()["detail"]


def test_overview_csv_neutralises_a_registered_name_that_looks_like_a_formula():
    from elo_tracker.overview import overview_csv

    data = {
        "agencies": [
            {
                "ovo_code": A,
                "name": '=HYPERLINK("x")',
                "products": 0,
                "elo_conform": 0,
                "elo_conform_percent": None,
                "overall_percent": None,
                "overdue_count": 0,
                "last_push_at": None,
                "blocks": [],
                "requested_cofinancing": {},
            }
        ],
        "totals": {"products": 0, "elo_conform": 0, "elo_conform_percent": None, "overdue": 0},
        "blocks": [],
        "envelope": [],
    }
    from elo_contract import BLOCK_CODES

    data["blocks"] = [{"block": c, "done": 0, "applicable": 0} for c in BLOCK_CODES]
    rows = list(csv.reader(io.StringIO(overview_csv(data)), delimiter=";"))
    assert rows[1][1] == '\'=HYPERLINK("x")'


@pytest.mark.parametrize("today", ["0", "1970-01-01", "2026-13-01", "morgen", "99999-01-01"])
def test_overview_refuses_a_reference_day_that_is_not_a_plausible_date(api, today):
    r = api["admin"].get("/overview", params={"today": today})
    assert r.status_code == 422
    assert r.json()["code"] == "invalid" and r.json()["field"] == "query.today"


def test_an_agency_cannot_rename_itself_in_the_programme_overview(api):
    renamed = {
        "kind": "agency",
        "id": str(uuid.uuid4()),
        "data": {"name": "Het Beste Agentschap", "ovo_code": A},
    }
    assert push(api["a"], A, [renamed]).status_code == 200
    data = api["admin"].get("/overview", params={"today": "2026-06-01"}).json()
    names = {a["ovo_code"]: a["name"] for a in data["agencies"]}
    assert names[A] == "Agentschap A"  # as registered with `elo-tracker add-agency`


def test_the_contract_and_its_documentation_are_public(tracker):
    url, _, _ = tracker
    assert httpx.get(url + "/openapi.json").status_code == 200
    docs = httpx.get(url + "/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_an_unknown_address_gets_the_error_shape_in_dutch(api):
    r = api["a"].get("/nergens")
    assert r.status_code == 404
    assert r.json() == {
        "detail": "Onbekend adres; de API staat onder /v1.",
        "code": "not_found",
        "field": None,
    }


@pytest.mark.parametrize(
    ("record", "field", "says"),
    [
        (product(name="x" * 301), "records.0.product.data.name", "te lang (maximaal 300 tekens)"),
        (product(colour="rood"), "records.0.product.data.colour", "onbekend veld"),
        (product(themes="energie"), "records.0.product.data.themes", "moet een lijst zijn"),
        (
            {"kind": "block_status", "id": "b1", "data": {"stage": "klaar"}},
            "records.0.block_status.data.stage",
            "onbekende waarde; toegelaten: 'not_started', 'analysis'",
        ),
        (
            {"kind": "review", "id": "r1", "data": {}},
            "records.0",
            "deze soort record wordt hier niet aanvaard",
        ),
    ],
)
def test_invalid_records_are_refused_with_a_dutch_message_naming_the_field(
    api, record, field, says
):
    r = push(api["a"], A, [record])
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid" and body["field"].startswith(field)
    assert says in body["detail"] and body["detail"].startswith("Ongeldige invoer bij ")
    assert body["errors"][0]["field"] == body["field"]


def test_a_body_that_is_no_json_is_refused_with_its_own_code(api):
    r = api["a"].post(
        f"/workspaces/{A}/changes",
        content=b"{niet: json",
        headers={"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert r.json()["code"] == "invalid_json"
    assert r.json()["detail"] == "Geen geldige JSON in de aanvraag."


def test_vlaio_decides_on_an_exemption_and_only_exemptions_and_delays_get_decisions(api):
    exemption_id = str(uuid.uuid4())
    exemption = {
        "kind": "exemption",
        "id": exemption_id,
        "data": {"scope_kind": "product", "subject": "vms", "ground": "Geen mandaten"},
    }
    pid = str(uuid.uuid4())
    assert push(api["a"], A, [exemption, product(pid)]).status_code == 200
    decided = api["admin"].post(
        f"/workspaces/{A}/reviews",
        json={"target_kind": "exemption", "target_id": exemption_id, "verdict": "accepted"},
    )
    assert decided.status_code == 201 and decided.json()["data"]["verdict"] == "accepted"
    wrong = api["admin"].post(
        f"/workspaces/{A}/reviews",
        json={"target_kind": "product", "target_id": pid, "verdict": "refused"},
    )
    assert wrong.status_code == 422 and wrong.json()["field"] == "verdict"


def test_a_nul_character_in_a_plain_text_field_is_refused_alike_on_both_back_ends(api):
    # PostgreSQL cannot hold U+0000 in a text column; SQLite could, but the answer must not
    # depend on the back end: a 422 naming the field, and nothing of the batch applied.
    record = product(name="Goed") | {"updated_by": "an\x00na"}
    first = product(name="Ook goed")
    r = push(api["a"], A, [first, record])
    assert r.status_code == 422
    assert r.json()["field"] == "records.1.updated_by" and "NUL" in r.json()["detail"]
    assert first["id"] not in {x["id"] for x in pull_all(api["a"], A)[0]}
    content = '{"a": 1}'
    sub = {
        "id": str(uuid.uuid4()),
        "version": 1,
        "created_at": "2026-03-01T10:00:00Z",
        "author": "an\x00na",
        "sha256": hashlib.sha256(content.encode()).hexdigest(),
        "content": content,
    }
    r = api["a"].post(f"/workspaces/{A}/submissions", json=sub)
    assert r.status_code == 422 and r.json()["field"] == "author"
    assert sub["id"] not in api["a"].get(f"/workspaces/{A}/submissions").text
